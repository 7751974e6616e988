// Package dbtest gives tests a real embedded database: one engine per test package,
// started in TestMain, and a fresh database per test, dropped when the test ends.
package dbtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"loa/app/database"
)

var (
	engine *database.Engine
	serial atomic.Int64
)

// Main starts the package's engine in a temporary directory, runs the tests and
// stops it. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "loa-dbtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	engine, err = database.StartEngine(dir, Logger())
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := engine.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
	}
	return code
}

// Logger is a logger for tests that discards everything.
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// New returns a fresh database with schema applied, dropped when tb ends.
func New(tb testing.TB, schema []database.Collection) *database.DB {
	tb.Helper()
	if engine == nil {
		tb.Fatal("dbtest: engine not started; call dbtest.Main from TestMain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := fmt.Sprintf("test_%d", serial.Add(1))
	db, err := engine.Connect(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Client.Disconnect(ctx)
		// Drop through a client of its own: the test may have closed its client.
		admin, err := engine.Connect(ctx, name)
		if err != nil {
			tb.Errorf("drop test database: %v", err)
			return
		}
		defer admin.Client.Disconnect(ctx)
		if err := admin.Drop(ctx); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	if err := db.EnsureSchema(ctx, schema); err != nil {
		tb.Fatal(err)
	}
	return db
}

// Another opens a second client on db's database, as another process would:
// without db's locks or versions.
func Another(tb testing.TB, db *database.DB) *database.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	other, err := database.Open(ctx, database.Options{URI: engine.URI(), Name: db.Name()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = other.Client.Disconnect(context.Background()) })
	return other
}
