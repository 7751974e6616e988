package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/dustin/go-humanize"

	"loa/app/database"
)

// fileCommands are the commands that work on the data directory's files, without
// starting the service: "backup" beside a running service, "restore" never.
var fileCommands = []string{"backup", "restore"}

// runFileCommand runs "backup --out FILE" or "restore --in FILE [--data DIR]
// [--force]" (its flags follow its name) and says what it did on out.
func runFileCommand(ctx context.Context, cfg Config, out io.Writer) error {
	if cfg.MongoURI != "" {
		return fmt.Errorf("%s works on the embedded database; back up an external MongoDB with mongodump and restore it with mongorestore (README)", cfg.Command[0])
	}
	fs := flag.NewFlagSet("loa "+cfg.Command[0], flag.ContinueOnError)
	fs.SetOutput(out)
	file := fs.String(map[string]string{"backup": "out", "restore": "in"}[cfg.Command[0]], "", "the backup file")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "the data directory")
	force := false
	if cfg.Command[0] == "restore" {
		fs.BoolVar(&force, "force", false, "replace the database of a data directory that is not empty")
	}
	if err := fs.Parse(cfg.Command[1:]); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: loa backup --out FILE | loa restore --in FILE [--data DIR] [--force]")
	}
	start := time.Now()
	if cfg.Command[0] == "restore" {
		if err := database.Restore(ctx, *file, cfg.DataDir, cfg.Database, force); err != nil {
			return err
		}
		fmt.Fprintf(out, "restored %s into %s; start Loa with --data %s\n", *file, cfg.DataDir, cfg.DataDir)
		return nil
	}
	size, err := database.Backup(ctx, cfg.DataDir, cfg.Database, *file)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s (%s) in %s\n", cfg.DataDir, *file, humanize.IBytes(uint64(size)), time.Since(start).Round(time.Millisecond))
	return nil
}

// backupName matches the copies the backup job writes: loa-20240601T021500Z.sqlite.
var backupName = regexp.MustCompile(`^loa-\d{8}T\d{6}Z\.sqlite$`)

// backupNow writes a dated copy of the database into the backup directory and
// deletes the oldest of the copies there beyond the number kept.
func (a *app) backupNow(ctx context.Context, at time.Time) (string, error) {
	dir := a.cfg.BackupDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	name := "loa-" + at.UTC().Format("20060102T150405Z") + ".sqlite"
	start := time.Now()
	size, err := a.db.Backup(ctx, filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var copies []string
	for _, e := range entries {
		if backupName.MatchString(e.Name()) {
			copies = append(copies, e.Name())
		}
	}
	slices.Sort(copies) // oldest first: the names sort by time
	removed := 0
	for _, old := range copies[:max(0, len(copies)-a.cfg.BackupKeep)] {
		if err := os.Remove(filepath.Join(dir, old)); err != nil {
			return "", err
		}
		removed++
	}
	return fmt.Sprintf("%s (%s) in %s; %d older copy(ies) removed, %d kept", name, humanize.IBytes(uint64(size)),
		time.Since(start).Round(time.Millisecond), removed, min(len(copies), a.cfg.BackupKeep)), nil
}
