package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loa"
	"loa/app/database"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/reach/reachgen"
)

// openApp prepares the service on dir without serving it (no jobs run), closed at
// the test's end.
func openApp(t testing.TB, dir string, vars map[string]string) *app {
	t.Helper()
	vars["LOA_DATA_DIR"] = dir
	vars["LOA_ADMIN_PASSWORD"] = testPassword
	cfg, err := loadConfig(nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.close() })
	return a
}

// storedRecords counts the demo campaign's reach records as stored.
func storedRecords(t testing.TB, a *app) int {
	t.Helper()
	n := 0
	if err := reach.NewStore(a.db).EachReach(context.Background(), campaigns.DemoCampaignCode, func(reach.Reach) { n++ }); err != nil {
		t.Fatal(err)
	}
	return n
}

// reachFiles are reachgen's files of a year of rows reach records of the demo
// campaign, in the service's org units.
func reachFiles(t testing.TB, a *app, rows int) [][]byte {
	t.Helper()
	stored, err := a.campaigns.OrgUnits(context.Background(), campaigns.OrgUnitFilter{At: "2024-06-01"})
	if err != nil {
		t.Fatal(err)
	}
	units := make([]reachgen.Unit, len(stored))
	for i, u := range stored {
		units[i] = reachgen.Unit{Code: u.Code, Level: u.Level}
	}
	return reachgen.Year(units, rows)
}

// importFiles imports files into the demo campaign one after the other.
func importFiles(a *app, files [][]byte) error {
	for _, file := range files {
		if _, err := a.reach.ImportReach(context.Background(), loa.System, campaigns.DemoCampaignCode, bytes.NewReader(file), false); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkBackup measures "loa backup" (database.Backup) of the demo's database
// and of the demo with 100,000 more reach records: the time of one copy and its
// size (RELIABILITY.md).
func BenchmarkBackup(b *testing.B) {
	for _, extra := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("demo_and_%d_records", extra), func(b *testing.B) {
			dir := b.TempDir()
			a := openApp(b, dir, map[string]string{})
			if err := importFiles(a, reachFiles(b, a, extra)); extra > 0 && err != nil {
				b.Fatal(err)
			}
			b.Logf("%d reach records stored", storedRecords(b, a))
			var size int64
			b.ResetTimer()
			for i := range b.N {
				var err error
				if size, err = database.Backup(context.Background(), dir, "loa", filepath.Join(b.TempDir(), fmt.Sprint(i))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}

// TestBackupDuringImportRestores backs up the embedded database with "loa backup"
// while reach files are being imported, restores the copy into a new directory and
// starts the service on it. What holds: the restored service has at least the
// records stored when the backup began and at most those stored when it ended (the
// copy is the database at one instant in between), and its rollups agree with its
// records ("rollups check" is clean: a write the copy caught half-way left its
// journal entry open, and the start recomputed that campaign). The restore refuses
// a directory a running Loa holds, a directory that is not empty (unless
// --force), and a file that is not a backup, writing nothing.
func TestBackupDuringImportRestores(t *testing.T) {
	ctx := context.Background()
	src, backups := t.TempDir(), t.TempDir()
	a := openApp(t, src, map[string]string{"LOA_BACKUP_DIR": backups, "LOA_BACKUP_KEEP": "2"})
	vars := env(map[string]string{"LOA_ADMIN_PASSWORD": testPassword})
	command := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"--log-level", "error"}, args...), vars, &out, io.Discard)
		return out.String(), err
	}

	const rows = 20_000
	files := reachFiles(t, a, rows)
	demo := storedRecords(t, a)
	imported := make(chan error, 1)
	go func() { imported <- importFiles(a, files) }()
	for storedRecords(t, a) == demo { // wait for the import to be under way
		time.Sleep(20 * time.Millisecond)
	}
	before := storedRecords(t, a)
	backup := filepath.Join(t.TempDir(), "loa-backup.sqlite")
	if out, err := command("--data", src, "backup", "--out", backup); err != nil || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %q, %v", out, err)
	}
	after := storedRecords(t, a)
	if err := <-imported; err != nil {
		t.Fatal(err)
	}
	if before >= demo+rows {
		t.Fatalf("the import had ended (%d records) before the backup began: nothing was tested", before)
	}
	if _, err := command("--data", src, "backup", "--out", backup); err == nil {
		t.Error("a backup over an existing file succeeded")
	}

	// Refusals write nothing.
	if _, err := command("restore", "--in", backup, "--data", src); !errors.Is(err, database.ErrInUse) {
		t.Errorf("restore into the running service's directory: %v, want ErrInUse", err)
	}
	busy := t.TempDir()
	if err := os.WriteFile(filepath.Join(busy, "notes.txt"), []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := command("restore", "--in", backup, "--data", busy); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a directory that is not empty: %v", err)
	}
	notBackup := filepath.Join(busy, "notes.txt")
	empty := filepath.Join(t.TempDir(), "empty")
	if _, err := command("restore", "--in", notBackup, "--data", empty); err == nil {
		t.Error("restore of a file that is not a backup succeeded")
	}
	for _, dir := range []string{busy, empty} {
		if _, err := os.Stat(filepath.Join(dir, "loa.sqlite")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused restore wrote a database into %s", dir)
		}
	}
	if out, err := command("restore", "--in", backup, "--data", busy, "--force"); err != nil || !strings.Contains(out, "restored") {
		t.Errorf("restore --force: %q, %v", out, err)
	}
	if b, err := os.ReadFile(notBackup); err != nil || string(b) != "keep me" {
		t.Errorf("restore --force touched another file of the directory: %q, %v", b, err)
	}

	target := filepath.Join(t.TempDir(), "restored")
	if out, err := command("restore", "--in", backup, "--data", target); err != nil {
		t.Fatalf("restore: %q, %v", out, err)
	}
	restored := openApp(t, target, map[string]string{})
	got := storedRecords(t, restored)
	if got < before || got > after {
		t.Errorf("restored %d records, want from %d (stored when the backup began) to %d (when it ended)", got, before, after)
	}
	t.Logf("records: %d at the backup's start, %d restored, %d at its end (%d when the import ended)", before, got, after, demo+rows)
	if err := restored.close(); err != nil {
		t.Fatal(err)
	}
	if out, err := command("--data", target, "rollups", "check"); err != nil || !strings.Contains(out, "PCMD-2024: 0 cell(s) differ") {
		t.Errorf("rollups check of the restored copy: %q, %v", out, err)
	}

	// The nightly job keeps the newest copies.
	for day := 1; day <= 3; day++ {
		if _, err := a.backupNow(ctx, time.Date(2026, 12, day, 2, 15, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(backups)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"loa-20261202T021500Z.sqlite", "loa-20261203T021500Z.sqlite"}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("backup directory after three nights = %v, want %v", names, want)
	}
}

// TestFileCommandsRefuseBadUse: backup and restore say how to use them, and send an
// external MongoDB's operator to mongodump; nothing is written.
func TestFileCommandsRefuseBadUse(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"backup"}, nil, "usage"},
		{[]string{"restore", "--data", dir}, nil, "usage"},
		{[]string{"backup", "--out", "a", "b"}, nil, "usage"},
		{[]string{"backup", "--out", filepath.Join(dir, "x.sqlite")}, nil, "no embedded database"},
		{[]string{"backup", "--out", filepath.Join(dir, "x.sqlite")}, map[string]string{"LOA_MONGODB_URI": "mongodb://db:27017"}, "mongodump"},
	} {
		err := run(context.Background(), append([]string{"--data", dir}, tt.args...), env(tt.vars), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("loa %v: %v, want an error about %s", tt.args, err, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("refused commands wrote %s", entries[0].Name())
	}
}
