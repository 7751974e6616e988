package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// adminPassword is the password of the admin account of every data directory the
// harness makes.
const adminPassword = "mật khẩu của bài thử"

// build compiles the loa binary of the module at root into dir.
func build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "loa")
	return bin, buildCommand(root, "./app", bin)
}

// buildCommand compiles the package pkg of the module at root into bin.
func buildCommand(root, pkg, bin string) error {
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// server is one run of the binary on a data directory.
type server struct {
	bin, data, addr string
	args            []string
	cmd             *exec.Cmd
	log             *os.File
	client          *http.Client
}

// newServer prepares a server of bin on data with the extra settings args, on a
// free port of 127.0.0.1.
func newServer(bin, data string, args ...string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	return &server{bin: bin, data: data, addr: addr, args: args, client: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// start runs the binary and waits (at most limit) until /readyz answers 200.
func (s *server) start(limit time.Duration) (time.Duration, error) {
	log, err := os.OpenFile(filepath.Join(s.data+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	s.log = log
	s.cmd = exec.Command(s.bin, append([]string{"--data", s.data, "--addr", s.addr}, s.args...)...)
	s.cmd.Env = append(os.Environ(), "LOA_ADMIN_PASSWORD="+adminPassword)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	begin := time.Now()
	if err := s.cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	for deadline := begin.Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-exited:
			return 0, fmt.Errorf("loa exited while starting: %v (log: %s.log)", err, s.data)
		default:
		}
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				go func() { <-exited; log.Close() }()
				return time.Since(begin), nil
			}
		}
	}
	s.cmd.Process.Kill()
	return 0, fmt.Errorf("loa not ready within %v (log: %s.log)", limit, s.data)
}

// kill stops the process with SIGKILL, as a power cut would.
func (s *server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		for i := 0; i < 200 && s.cmd.ProcessState == nil; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// stop ends the process cleanly (SIGTERM).
func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		for i := 0; i < 1500 && s.cmd.ProcessState == nil; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// command runs a maintenance command of the binary on the server's data directory
// (the server must be stopped) and returns its output.
func (s *server) command(args ...string) (string, error) {
	cmd := exec.Command(s.bin, append([]string{"--data", s.data, "--addr", s.addr}, append(s.args, args...)...)...)
	cmd.Env = append(os.Environ(), "LOA_ADMIN_PASSWORD="+adminPassword)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// call sends a request with a bearer token and decodes a JSON answer into dst;
// it returns the status. A connection cut by a kill is an error.
func (s *server) call(ctx context.Context, method, path, token, contentType string, body []byte, dst any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.addr+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if dst != nil {
		if err := json.Unmarshal(data, dst); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// login signs a user in and returns the token.
func (s *server) login(ctx context.Context, username, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	var out struct{ Token string }
	if _, err := s.call(ctx, "POST", "/api/v1/auth/login", "", "application/json", body, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", errors.New("login answered no token")
	}
	return out.Token, nil
}
