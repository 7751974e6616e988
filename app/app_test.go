package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"loa/app/database"
	"loa/campaigns"
)

// TestMain doubles as the service itself when LOA_TEST_CHILD is set, so tests can
// run it as a separate process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("LOA_TEST_CHILD") == "1" {
		ctx, stop := signalContext()
		defer stop()
		if err := run(ctx, strings.Fields(os.Getenv("LOA_TEST_ARGS")), os.Getenv, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "loa:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const testPassword = "test admin password"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestHelpListsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, env(nil), &out, io.Discard); err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"--addr", "LOA_ADDR", "127.0.0.1:8080", "--data", "LOA_DATA_DIR", "./data",
		"LOA_MONGODB_URI", "--demo", "LOA_DEMO", "LOA_ADMIN_PASSWORD", "LOA_TOKEN_TTL", "12h", "LOA_TIMEZONE", "Asia/Ho_Chi_Minh"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %q:\n%s", want, out.String())
		}
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(c Config) bool
	}{
		{"defaults", nil, nil, "", func(c Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.DataDir == "./data" && c.TokenTTL == 12*time.Hour && c.DemoOn()
		}},
		{"env", nil, map[string]string{"LOA_ADDR": "0.0.0.0:9000", "LOA_DATA_DIR": "/var/lib/loa"}, "", func(c Config) bool {
			return c.Addr == "0.0.0.0:9000" && c.DataDir == "/var/lib/loa"
		}},
		{"flag beats env", []string{"--addr", "127.0.0.1:1"}, map[string]string{"LOA_ADDR": "0.0.0.0:9000"}, "", func(c Config) bool {
			return c.Addr == "127.0.0.1:1"
		}},
		{"external database turns the demo off", nil, map[string]string{"LOA_MONGODB_URI": "mongodb://db:27017"}, "", func(c Config) bool {
			return !c.DemoOn()
		}},
		{"demo forced on", []string{"--demo"}, map[string]string{"LOA_MONGODB_URI": "mongodb://db:27017"}, "", func(c Config) bool {
			return c.DemoOn()
		}},
		{"demo off", []string{"--demo=false"}, nil, "", func(c Config) bool { return !c.DemoOn() }},
		{"bad zone", []string{"--timezone", "Mars/Olympus"}, nil, "timezone", nil},
		{"bad ttl", nil, map[string]string{"LOA_TOKEN_TTL": "-1h"}, "token-ttl", nil},
		{"bad addr", []string{"--addr", "8080"}, nil, "addr", nil},
		{"bad level", []string{"--log-level", "loud"}, nil, "log-level", nil},
		{"stray argument", []string{"serve"}, nil, "unknown command", nil},
		{"report cut-off", nil, map[string]string{"LOA_REPORT_CUTOFF": "1"}, "", func(c Config) bool { return c.ReportCutoff == 1 }},
		{"default cut-off", nil, nil, "", func(c Config) bool { return c.ReportCutoff == 15 }},
		{"bad cut-off", []string{"--report-cutoff", "31"}, nil, "report-cutoff", nil},
		{"report form", []string{"--report-signing-authority", "TM. UBND/CHỦ TỊCH", "--report-addressees", "-"},
			map[string]string{"LOA_REPORT_RECIPIENTS": " Sở Y tế; ;Công an tỉnh", "LOA_REPORT_AGENCY_ABBR": "SYT"}, "", func(c Config) bool {
				f := c.ReportForm()
				return slices.Equal(f.Authority, []string{"TM. UBND", "CHỦ TỊCH"}) && f.Addressees == nil &&
					slices.Equal(f.Recipients, []string{"Sở Y tế", "Công an tỉnh"}) && f.Abbreviation == "SYT" && f.Place == "Quảng Nam"
			}},
		{"default import limits", nil, nil, "", func(c Config) bool { return c.Imports == campaigns.DefaultImportLimits() }},
		{"import limits", []string{"--import-max-file", "5MiB", "--import-slots", "4"}, map[string]string{"LOA_IMPORT_TIMEOUT": "90s"}, "", func(c Config) bool {
			return c.Imports.FileBytes == 5<<20 && c.Imports.Slots == 4 && c.Imports.Time == 90*time.Second
		}},
		{"bad import size", []string{"--import-max-unzipped", "lots"}, nil, "import-max-unzipped", nil},
		{"bad import timeout", nil, map[string]string{"LOA_IMPORT_TIMEOUT": "soon"}, "import-timeout", nil},
		{"import columns below the template's", []string{"--import-max-columns", "5"}, nil, "import limits", nil},
		{"no import slot", []string{"--import-slots", "0"}, nil, "import limits", nil},
		{"backups", []string{"--backup-dir", "/var/backups/loa"}, map[string]string{"LOA_BACKUP_KEEP": "14"}, "", func(c Config) bool {
			return c.BackupDir == "/var/backups/loa" && c.BackupKeep == 14
		}},
		{"no backups by default", nil, nil, "", func(c Config) bool { return c.BackupDir == "" && c.BackupKeep == 7 }},
		{"bad backup-keep", []string{"--backup-keep", "0"}, nil, "backup-keep", nil},
		{"backup-dir with an external database", []string{"--backup-dir", "/b"}, map[string]string{"LOA_MONGODB_URI": "mongodb://db:27017"}, "mongodump", nil},
		{"backup command", []string{"backup", "--out", "x.sqlite"}, nil, "", func(c Config) bool {
			return slices.Equal(c.Command, []string{"backup", "--out", "x.sqlite"})
		}},
		{"rollups command", []string{"--demo=false", "rollups", "check"}, nil, "", func(c Config) bool {
			return slices.Equal(c.Command, []string{"rollups", "check"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("loadConfig(%v, %v) error = %v, want one about %s", tt.args, tt.env, err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Errorf("loadConfig(%v, %v) = %+v, %v", tt.args, tt.env, c, err)
			}
		})
	}
	c, _ := loadConfig(nil, env(map[string]string{"LOA_MONGODB_URI": "mongodb://loa:hunter22@db/", "LOA_ADMIN_PASSWORD": "s3cret-pass"}), io.Discard)
	logged := fmt.Sprint(c.Attrs()...)
	if strings.Contains(logged, "hunter22") || strings.Contains(logged, "s3cret-pass") {
		t.Errorf("logged configuration shows a secret: %s", logged)
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startApp starts the service in-process on dir and returns its base URL, its log
// and a stop function that waits for a clean shutdown.
func startApp(t *testing.T, dir string, vars map[string]string) (string, *syncBuffer, func()) {
	t.Helper()
	logs := &syncBuffer{}
	vars["LOA_DATA_DIR"] = dir
	vars["LOA_ADDR"] = "127.0.0.1:0"
	cfg, err := loadConfig(nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listen(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), logs, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}
}

func login(t testing.TB, base, username, password string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: status %d, %v", resp.StatusCode, err)
	}
	return s.Token
}

func get(t *testing.T, url, token string, dst any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if dst != nil && resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

type counts struct{ provinces, districts, communes, indicators, populations, contents int }

func countAll(t *testing.T, base, token string) counts {
	t.Helper()
	var c counts
	var page struct{ Total int }
	for level, dst := range map[string]*int{"province": &c.provinces, "district": &c.districts, "commune": &c.communes} {
		page.Total = -1
		if get(t, base+"/api/v1/orgunits?at=2024-06-01&level="+level, token, &page) != 200 {
			t.Errorf("GET /api/v1/orgunits?level=%s failed", level)
		}
		*dst = page.Total
	}
	var camp campaigns.Campaign
	if get(t, base+"/api/v1/campaigns/PCMD-2024", token, &camp) == 200 {
		c.indicators = len(camp.Indicators)
	}
	page.Total = -1
	if get(t, base+"/api/v1/populations", token, &page) != 200 {
		t.Errorf("GET /api/v1/populations failed")
	}
	c.populations = page.Total
	page.Total = -1
	if get(t, base+"/api/v1/contents", token, &page) != 200 {
		t.Errorf("GET /api/v1/contents failed")
	}
	c.contents = page.Total
	return c
}

// The newcomer's path: a first start loads the province and the 2024 plan, the
// admin can sign in with the generated password, and a restart adds nothing.
func TestFirstStartAndRestart(t *testing.T) {
	dir := t.TempDir()
	base, logs, stop := startApp(t, dir, map[string]string{})
	m := regexp.MustCompile(` password=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no generated admin password in the log:\n%s", logs)
	}
	token := login(t, base, "admin", m[1])
	first := countAll(t, base, token)
	want := counts{provinces: 1, districts: 18, communes: 241, indicators: 10, populations: 126, contents: 12}
	if first != want {
		t.Errorf("after the first start: %+v, want %+v", first, want)
	}
	// Today's map is Đà Nẵng's, with the 78 communes formed from the 241.
	var today struct{ Total int }
	if get(t, base+"/api/v1/orgunits?at=2025-07-01&level=commune", token, &today) != 200 || today.Total != 78 {
		t.Errorf("communes on 01/07/2025: %d, want 78", today.Total)
	}

	// The demo's newspaper published in 11 of the 12 months of 2024 (issue 16).
	var rep struct {
		Indicators []struct {
			Indicator              string
			Numerator, Denominator any
			Status                 string
		}
	}
	if get(t, base+"/api/v1/campaigns/PCMD-2024/report?asOf=2024-12-31", token, &rep) != 200 {
		t.Error("GET the demo report failed")
	}
	for _, in := range rep.Indicators {
		if in.Indicator == "press-monthly" && (in.Numerator != 11.0 || in.Denominator != 12.0 || in.Status != "cannot_meet") {
			t.Errorf("the demo's press at the end of 2024: %v of %v months, %s; want 11 of 12, cannot_meet", in.Numerator, in.Denominator, in.Status)
		}
	}

	// Remove the demo campaign: a restart must not load it again.
	req, _ := http.NewRequest("DELETE", base+"/api/v1/campaigns/PCMD-2024", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete PCMD-2024: status %d", resp.StatusCode)
	}
	resp.Body.Close()
	stop()

	base, logs, stop = startApp(t, dir, map[string]string{"LOA_ADMIN_PASSWORD": "ignored now"})
	defer stop()
	if strings.Contains(logs.String(), " password=") || strings.Contains(logs.String(), "created account") {
		t.Errorf("the restart created the admin again:\n%s", logs)
	}
	first.indicators = 0
	if again := countAll(t, base, login(t, base, "admin", m[1])); again != first {
		t.Errorf("after a restart: %+v, want %+v: the deleted demo campaign stays deleted, nothing else changes", again, first)
	}

	// The web start page: anonymous, then signed in with the session cookie.
	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar}
	page := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s = %d", resp.Request.Method, resp.Request.URL, resp.StatusCode)
		}
		return string(b)
	}
	if body := page(web.Get(base + "/")); !strings.Contains(body, `action="/login"`) || strings.Contains(body, "Chương trình") {
		t.Errorf("anonymous start page shows campaigns or is not the sign-in form:\n%s", body)
	}
	body := page(web.PostForm(base+"/login", loginForm(t, web, base, "admin", m[1])))
	if !strings.Contains(body, "Đăng xuất") || !strings.Contains(body, "Chương trình") {
		t.Errorf("signed-in start page lacks the sign-out form or the campaigns:\n%s", body)
	}
}

// loginForm fetches the sign-in page and returns the form to post, with its token.
func loginForm(t *testing.T, client *http.Client, base, username, password string) url.Values {
	t.Helper()
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page:\n%s", b)
	}
	return url.Values{"username": {username}, "password": {password}, "csrf_token": {string(m[1])}}
}

// child is the service running as a separate process.
type child struct {
	cmd  *exec.Cmd
	base string
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOA_TEST_CHILD=1", "LOA_DATA_DIR="+dir, "LOA_ADMIN_PASSWORD="+testPassword,
		"LOA_TEST_ARGS=--addr 127.0.0.1:0 --demo=false")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := regexp.MustCompile(`msg=serving addr=(\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return &child{cmd: cmd, base: "http://" + a}
	case <-time.After(60 * time.Second):
		t.Fatal("the service did not start within 60 s")
		return nil
	}
}

// An acknowledged write survives kill -9 and a restart; SIGTERM stops the service
// cleanly within 10 s.
func TestAcknowledgedWriteSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	c := startChild(t, dir)
	token := login(t, c.base, "admin", testPassword)
	body := `{"code":"KILL-TEST","title":"Ghi trước khi bị giết","period":{"start":"2025-01-01","end":"2025-06-30"}}`
	req, _ := http.NewRequest("POST", c.base+"/api/v1/campaigns", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()

	c = startChild(t, dir)
	var got campaigns.Campaign
	if status := get(t, c.base+"/api/v1/campaigns/KILL-TEST", login(t, c.base, "admin", testPassword), &got); status != 200 || got.Title != "Ghi trước khi bị giết" {
		t.Errorf("after kill -9 and restart: status %d, campaign %+v", status, got)
	}

	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM the service exited with %v, want a clean exit", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the service did not stop within 10 s of SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
}

// After logins, token and account creation, and a password change, no secret is in
// any file of the data directory: only hashes are stored.
func TestNoPlaintextSecretsInDataDirectory(t *testing.T) {
	dir := t.TempDir()
	const adminPassword = "first admin password"
	base, _, stop := startApp(t, dir, map[string]string{"LOA_ADMIN_PASSWORD": adminPassword, "LOA_DEMO": "false"})
	token := login(t, base, "admin", adminPassword)
	call := func(method, path, body, token string) string {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return string(b)
	}
	var created struct{ Secret string }
	if err := json.Unmarshal([]byte(call("POST", "/api/v1/me/tokens", `{"name":"scan"}`, token)), &created); err != nil || created.Secret == "" {
		t.Fatalf("create token: %v", err)
	}
	call("POST", "/api/v1/users", `{"username":"reporter7","displayName":"R","roles":["reporter"],"scope":"502","password":"reporter secret seven"}`, token)
	reporterToken := login(t, base, "reporter7", "reporter secret seven")
	call("PUT", "/api/v1/me/password", `{"oldPassword":"reporter secret seven","newPassword":"reporter secret eight"}`, reporterToken)
	stop()

	secrets := []string{adminPassword, token, created.Secret, "reporter secret seven", "reporter secret eight", reporterToken}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSocket != 0 {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds the secret %q in plain text", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The web session: the sign-out form needs the page's CSRF token.
func TestWebSignOutNeedsCSRFToken(t *testing.T) {
	base, _, stop := startApp(t, t.TempDir(), map[string]string{"LOA_ADMIN_PASSWORD": testPassword, "LOA_DEMO": "false"})
	defer stop()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	// Without the form's CSRF token (a form posted from another site) nobody is
	// signed in.
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("signing in without the form's token: %d, want 403", resp.StatusCode)
	}
	resp, err = client.PostForm(base+"/login", loginForm(t, client, base, "admin", testPassword))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(base)
	var session *http.Cookie
	for _, c := range jar.Cookies(u) {
		if c.Name == "loa_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie after signing in")
	}
	setCookie := resp.Request.Response.Header.Get("Set-Cookie") // the login's own answer, before the redirect
	if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") {
		t.Errorf("session cookie %q is not HttpOnly and SameSite=Lax", setCookie)
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the signed-in page:\n%s", page)
	}
	resp, err = client.PostForm(base+"/logout", url.Values{"csrf_token": {"forged"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out with a forged CSRF token: %d, want 403", resp.StatusCode)
	}
	if status := get(t, base+"/api/v1/me", session.Value, nil); status != http.StatusOK {
		t.Errorf("the session ended on a forged sign-out: %d", status)
	}
	resp, err = client.PostForm(base+"/logout", url.Values{"csrf_token": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if status := get(t, base+"/api/v1/me", session.Value, nil); status != http.StatusUnauthorized {
		t.Errorf("the session survived signing out: %d", status)
	}
	resp, err = client.PostForm(base+"/login", loginForm(t, client, base, "admin", "wrong password"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "không đúng") {
		t.Errorf("wrong password on the form: %d, want 401 with a Vietnamese message", resp.StatusCode)
	}
}

// TestRollupsCommands runs "loa rollups check" and "rebuild" on a data directory
// whose rollups were damaged: check says so (exit status 1), rebuild repairs them.
func TestRollupsCommands(t *testing.T) {
	dir := t.TempDir()
	vars := env(map[string]string{"LOA_ADMIN_PASSWORD": "a long enough password"})
	command := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"--data", dir, "--log-level", "error"}, args...), vars, &out, io.Discard)
		return out.String(), err
	}
	out, err := command("rollups", "check")
	if err != nil || !strings.Contains(out, "PCMD-2024: 0 cell(s) differ") {
		t.Fatalf("check of a fresh demo: %q, %v", out, err)
	}
	damage(t, dir)
	if out, err = command("rollups", "check", "PCMD-2024"); !errors.Is(err, errDiffers) || !strings.Contains(out, "records add up to") {
		t.Fatalf("check after damage: %q, %v", out, err)
	}
	if out, err = command("rollups", "rebuild", "PCMD-2024"); err != nil || !strings.Contains(out, "PCMD-2024: rollups rebuilt") {
		t.Fatalf("rebuild: %q, %v", out, err)
	}
	if out, err = command("rollups", "check"); err != nil || !strings.Contains(out, "PCMD-2024: 0 cell(s) differ") {
		t.Fatalf("check after the rebuild: %q, %v", out, err)
	}
	if _, err = command("rollups", "rebuild", "NOPE"); err == nil {
		t.Error("rebuild of an unknown campaign succeeded")
	}
	if _, err = command("rollups", "shred"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("an unknown rollups command: %v", err)
	}
}

// damage removes one rollup document of the demo campaign, as a lost write would.
func damage(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{DataDir: dir, Name: "loa", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	res, err := db.Collection("rollups").DeleteOne(ctx, map[string]any{"_id": "PCMD-2024|2024-03|2"})
	if err != nil || res.DeletedCount != 1 {
		t.Fatalf("delete a rollup: %+v, %v", res, err)
	}
}

// TestWebIndexLinksTheReports: a signed-in reader finds each campaign's report on
// the start page, and the link opens with the session cookie alone.
func TestWebIndexLinksTheReports(t *testing.T) {
	base, _, stop := startApp(t, t.TempDir(), map[string]string{"LOA_ADMIN_PASSWORD": testPassword})
	defer stop()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/login", loginForm(t, client, base, "admin", testPassword))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	link := "/api/v1/campaigns/PCMD-2024/report?format=html"
	if !strings.Contains(string(page), `href="`+link+`"`) {
		t.Fatalf("the start page has no link to the report:\n%s", page)
	}
	resp, err = client.Get(base + link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "<svg") {
		t.Errorf("the report link: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
