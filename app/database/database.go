// Package database is the storage kit below the domain packages, used only by their
// store*.go files: it connects Loa to its MongoDB-compatible database (an embedded
// FerretDB on SQLite started in-process by default, or an external MongoDB named by
// a URI), owns the schema (collections and indexes, from one list), the version
// counters caches are validated by, keyed locks, bulk writes in batches, the
// helpers every store shares (IDFilter, ByID, All, ConvertAll; Update and Guard for
// locked, versioned writes), and the two workarounds the embedded engine needs
// (docs/ferretdb.md): the `_id` index fix and per-document serialisation of
// read-modify-write updates; and the embedded database's online backup and restore.
package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Options says which database to open.
type Options struct {
	// URI of an external MongoDB; empty starts the embedded engine.
	URI string
	// DataDir holds the embedded engine's SQLite files and the lock file.
	DataDir string
	// Name of the database Loa uses.
	Name string
	// Logger receives Loa's own messages; the embedded engine gets a separate
	// error-level logger because it logs every error reply as a warning.
	Logger *slog.Logger
}

// DB is an open database with what the stores need to use it correctly.
type DB struct {
	*mongo.Database
	Client *mongo.Client

	engine   *Engine     // nil with an external MongoDB
	locks    Locker      // per document, where the engine needs them (embedded)
	local    *KeyedMutex // within the process on every engine (Lock.Everywhere)
	versions *Versions
	owned    bool // the engine was started by Open and is stopped by Close
	unlock   func() error
	claim    *claim // this process's registration, where the engine needs one (Claim)
}

// Open connects to the external MongoDB named by opts.URI or, without one, starts
// the embedded engine in opts.DataDir (taking an exclusive lock on the directory).
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.URI != "" {
		client, err := connect(ctx, opts.URI)
		if err != nil {
			return nil, err
		}
		db := client.Database(opts.Name)
		return &DB{Database: db, Client: client, locks: noLocks{}, local: NewKeyedMutex(), versions: newVersions(db, noLocks{}, false)}, nil
	}

	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	unlock, err := lockDir(opts.DataDir)
	if err != nil {
		return nil, err
	}

	engine, err := StartEngine(opts.DataDir, opts.Logger)
	if err != nil {
		_ = unlock()
		return nil, err
	}
	db, err := engine.Connect(ctx, opts.Name)
	if err != nil {
		_ = engine.Stop(ctx)
		_ = unlock()
		return nil, err
	}
	db.owned = true
	db.unlock = unlock
	return db, nil
}

// Embedded reports whether the database is the in-process engine.
func (db *DB) Embedded() bool { return db.engine != nil }

// Versions are the counters that validate caches (see Versions).
func (db *DB) Versions() *Versions { return db.versions }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.Client.Ping(ctx, readpref.Primary())
}

// Close disconnects the driver, then stops the embedded engine if Open started it,
// all before ctx ends. The data directory stays locked if the engine did not stop.
func (db *DB) Close(ctx context.Context) error {
	err := db.release(ctx)
	err = errors.Join(err, db.Client.Disconnect(ctx))
	if db.owned {
		if stopErr := db.engine.Stop(ctx); stopErr != nil {
			return errors.Join(err, stopErr)
		}
	}
	if db.unlock != nil {
		err = errors.Join(err, db.unlock())
	}
	return err
}

// Engine is a running embedded FerretDB with its SQLite files in one directory.
type Engine struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	locks  *KeyedMutex
}

// maxSocketPath keeps a Unix socket path within the kernel's limit (108 bytes).
const maxSocketPath = 100

// StartEngine starts FerretDB with its files in dir. It listens on a Unix socket in
// dir, so only users who may enter the data directory can reach the unauthenticated
// engine; where that path would be too long, on a loopback TCP port instead.
func StartEngine(dir string, logger *slog.Logger) (*Engine, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	listener := ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}
	if sock := filepath.Join(abs, "ferretdb.sock"); len(sock) <= maxSocketPath {
		// A socket left by a killed process blocks the listener; the directory lock
		// (or a fresh test directory) says no one else is using it.
		if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
		listener = ferretdb.ListenerConfig{Unix: sock}
	}
	return startFerretDB(abs, ferretdb.Config{Listener: listener, Handler: "sqlite", SQLiteURL: "file:" + abs + "/"}, logger)
}

// StartPostgreSQLEngine starts FerretDB in the process on the PostgreSQL database
// at url, listening on 127.0.0.1: the other backend FerretDB offers, for the store
// contract suite (app/database/contract). Loa itself does not run on it.
func StartPostgreSQLEngine(url string, logger *slog.Logger) (*Engine, error) {
	return startFerretDB("", ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"}, Handler: "postgresql", PostgreSQLURL: url}, logger)
}

func startFerretDB(dir string, cfg ferretdb.Config, logger *slog.Logger) (*Engine, error) {
	quiet := slog.New(logger.Handler().WithAttrs([]slog.Attr{slog.String("component", "ferretdb")}))
	cfg.Logger = slog.New(levelFloor{inner: quiet.Handler(), min: slog.LevelError})
	f, err := ferretdb.New(&cfg)
	if err != nil {
		return nil, fmt.Errorf("start embedded database: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{dir: dir, uri: f.MongoDBURI(), cancel: cancel, done: make(chan struct{}), locks: NewKeyedMutex()}
	go func() {
		defer close(e.done)
		if err := f.Run(ctx); err != nil {
			logger.Error("embedded database stopped", "error", err)
		}
	}()
	return e, nil
}

// URI is the engine's connection string, for clients of other processes.
func (e *Engine) URI() string { return e.uri }

// Connect opens a client on the named database of the engine. Clients share the
// engine's document locks, so every connection to it is serialised the same way.
// Connect each database once per process: its Versions assume they see every write.
func (e *Engine) Connect(ctx context.Context, name string) (*DB, error) {
	client, err := connect(ctx, e.uri)
	if err != nil {
		return nil, err
	}
	db := client.Database(name)
	return &DB{Database: db, Client: client, engine: e, locks: e.locks, local: e.locks, versions: newVersions(db, e.locks, true)}, nil
}

// Stop shuts the engine down and waits for it until ctx ends; disconnect clients
// first, or it takes seconds.
func (e *Engine) Stop(ctx context.Context) error {
	e.cancel()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded database did not stop in time: %w", ctx.Err())
	}
}

func connect(ctx context.Context, uri string) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second).
		SetBSONOptions(&options.BSONOptions{DefaultDocumentM: true}) // free-form values decode as maps
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		_ = client.Disconnect(ctx)
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return client, nil
}

// levelFloor drops records below a level: the embedded engine's chatter stays out of
// Loa's log while its real errors still reach it. The engine adds attributes to its
// logger for every request; they are applied only to the records that pass, so the
// dropped chatter costs nothing.
type levelFloor struct {
	inner slog.Handler
	min   slog.Level
	with  []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, in order
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.inner.Enabled(ctx, l)
}

func (h levelFloor) Handle(ctx context.Context, r slog.Record) error {
	inner := h.inner
	for _, w := range h.with {
		inner = w(inner)
	}
	return inner.Handle(ctx, r)
}

func (h levelFloor) WithAttrs(as []slog.Attr) slog.Handler {
	return h.and(func(x slog.Handler) slog.Handler { return x.WithAttrs(as) })
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return h.and(func(x slog.Handler) slog.Handler { return x.WithGroup(name) })
}

func (h levelFloor) and(w func(slog.Handler) slog.Handler) levelFloor {
	return levelFloor{h.inner, h.min, append(slices.Clip(h.with), w)}
}
