package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/gofrs/flock"
)

// ErrInUse means a data directory is locked by a running Loa process.
var ErrInUse = errors.New("in use by a running Loa process")

// sqliteFile is the file the embedded engine keeps database name in: FerretDB's
// SQLite backend keeps one file per database in its directory.
func sqliteFile(dir, name string) string { return filepath.Join(dir, name+".sqlite") }

// lockDir takes the exclusive lock of a data directory that a running Loa holds, or
// answers ErrInUse.
func lockDir(dir string) (unlock func() error, err error) {
	lock := flock.New(filepath.Join(dir, "loa.lock"))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if !locked {
		return nil, fmt.Errorf("data directory %s is %w", dir, ErrInUse)
	}
	return lock.Unlock, nil
}

// Backup writes a consistent copy of the embedded database name kept in dataDir to
// out, and answers its size. It needs no lock: it may run beside the Loa process
// serving the directory (or a daily job of that process). SQLite's VACUUM INTO
// reads the whole file in one read transaction, which in WAL mode sees the
// database as the last commit before it began left it and does not hold writers
// up; the copy is therefore what a kill -9 at that instant would have left, which
// Loa's start-up completes (the reach journal). The copy is written beside out,
// checked and renamed into place, so out is whole or absent; an existing out is
// refused.
func Backup(ctx context.Context, dataDir, name, out string) (int64, error) {
	src := sqliteFile(dataDir, name)
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("no embedded database %q in %s: %w", name, dataDir, err)
	}
	if _, err := os.Stat(out); err == nil {
		return 0, fmt.Errorf("%s exists; a backup never overwrites a file", out)
	}
	tmp := out + ".part"
	_ = os.Remove(tmp) // left by an interrupted backup
	conn, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", src, err)
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, tmp)
	conn.Close()
	if err == nil {
		err = checkCopy(ctx, tmp)
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("back up %s: %w", src, err)
	}
	info, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// checkCopy says whether file is a sound SQLite database of the embedded engine.
func checkCopy(ctx context.Context, file string) error {
	conn, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&result); err != nil {
		return fmt.Errorf("%s is not a readable SQLite database: %w", file, err)
	}
	if result != "ok" {
		return fmt.Errorf("%s is damaged: %s", file, result)
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM _ferretdb_collections`).Scan(&n); err != nil {
		return fmt.Errorf("%s is not a database of Loa's embedded engine: %w", file, err)
	}
	return nil
}

// Restore makes the backup in the database name of dataDir, a directory no Loa
// process may be using: it holds the directory's lock meanwhile, so none starts.
// A directory holding anything else than that lock is refused unless replace is
// set; then the database's files are replaced (nothing else is removed).
func Restore(ctx context.Context, in, dataDir, name string, replace bool) error {
	if err := checkCopy(ctx, in); err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	unlock, err := lockDir(dataDir)
	if err != nil {
		return err
	}
	defer unlock()
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return err
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == "loa.lock" })
	if len(entries) > 0 && !replace {
		return fmt.Errorf("data directory %s is not empty (%s…): restore into an empty directory, or pass --force to replace its database",
			dataDir, entries[0].Name())
	}
	dst := sqliteFile(dataDir, name)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := copyFile(in, dst+".part"); err != nil {
		_ = os.Remove(dst + ".part")
		return err
	}
	return os.Rename(dst+".part", dst)
}

// copyFile copies src to dst and flushes it to disk.
func copyFile(src, dst string) error {
	r, err := os.Open(src)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// syncFile flushes file to disk.
func syncFile(file string) error {
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Backup writes a copy of this embedded database to out (see Backup); an external
// MongoDB is backed up with its own tools (mongodump).
func (db *DB) Backup(ctx context.Context, out string) (int64, error) {
	if db.engine == nil {
		return 0, errors.New("backups of an external MongoDB are made with mongodump")
	}
	return Backup(ctx, db.engine.dir, db.Name(), out)
}
