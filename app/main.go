// Command loa serves Loa, the communications campaign planner: the web UI and the
// JSON API, on the embedded database by default or on a MongoDB named by a URI.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"syscall"
	_ "time/tzdata" // the deployment zone must load on machines without tzdata
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loa:", err)
		os.Exit(1)
	}
}

// run starts the service and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(args, getenv, stdout)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	if cfg.Command != nil && slices.Contains(fileCommands, cfg.Command[0]) {
		return runFileCommand(ctx, cfg, stdout)
	}
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	if cfg.Command != nil {
		return errors.Join(a.runCommand(ctx, cfg.Command, stdout), a.close())
	}
	ln, err := listen(cfg.Addr)
	if err != nil {
		return errors.Join(err, a.close())
	}
	return a.serve(ctx, ln)
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

func newLogger(cfg Config, w io.Writer) (*slog.Logger, error) {
	level, err := cfg.level()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}
