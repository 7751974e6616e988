package database

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Locker serialises read-modify-write updates of one document. Lock blocks until the
// key is free and returns the function that frees it. Keys name a document, e.g.
// "meta|orgunits".
type Locker interface {
	Lock(key string) (unlock func())
}

// KeyedMutex is a Locker for one process: a mutex per key, kept only while in use.
// The embedded engine loses concurrent updates of one document (docs/ferretdb.md,
// defect 2), so every store serialises its updates through it in embedded mode.
type KeyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	waiters int
}

// NewKeyedMutex returns an empty KeyedMutex.
func NewKeyedMutex() *KeyedMutex {
	return &KeyedMutex{locks: make(map[string]*keyLock)}
}

// Lock takes the lock of key.
func (k *KeyedMutex) Lock(key string) func() {
	k.mu.Lock()
	l, ok := k.locks[key]
	if !ok {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.waiters++
	k.mu.Unlock()

	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		l.waiters--
		if l.waiters == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// noLocks is the Locker for a real MongoDB, whose updates of one document are atomic.
type noLocks struct{}

func (noLocks) Lock(string) func() { return func() {} }

// Lock says what a guarded write holds and which version it moves (see DB.Guard).
type Lock struct {
	// Keys name the documents or sections held, e.g. Key("contents", id); they are
	// taken in sorted order, so two guards of overlapping keys never wait on each
	// other.
	Keys []string
	// Version is the version key bumped after the write succeeds; "" for none.
	Version string
	// Everywhere holds the keys within this process on every engine, for sections
	// whose reads and writes span documents (a real MongoDB keeps only one
	// document's update atomic); otherwise only the embedded engine needs them.
	Everywhere bool
}

// Key is the lock key of document id of coll.
func Key(coll, id string) string { return coll + "|" + id }

// ErrHeld means a guarded write asked again for a key its own context holds:
// KeyedMutex is not reentrant, so it would wait for itself forever.
var ErrHeld = errors.New("lock already held by this call")

type heldKeys struct{}

// Guard runs write holding l's keys, then bumps l.Version if write succeeded, still
// under the keys, and returns the new version (0 without one). A failing write bumps
// nothing. Guards nest: write receives a context that remembers the keys held, and
// a guard within it that asks for one of them fails with ErrHeld instead of
// waiting forever; nested guards take their keys after the outer ones, so keep one
// order between sections (airings before reach buckets before rollups).
func (db *DB) Guard(ctx context.Context, l Lock, write func(ctx context.Context) error) (int64, error) {
	keys := slices.Compact(slices.Sorted(slices.Values(l.Keys)))
	held, _ := ctx.Value(heldKeys{}).(map[string]bool)
	for _, k := range keys {
		if held[k] {
			return 0, fmt.Errorf("guard %s: %w", k, ErrHeld)
		}
	}
	locks := db.locks
	if l.Everywhere {
		locks = db.local
	}
	inner := maps.Clone(held)
	if inner == nil {
		inner = make(map[string]bool, len(keys))
	}
	for _, k := range keys {
		defer locks.Lock(k)()
		inner[k] = true
	}
	if err := write(context.WithValue(ctx, heldKeys{}, inner)); err != nil {
		return 0, err
	}
	if l.Version == "" {
		return 0, nil
	}
	return db.versions.Bump(ctx, l.Version)
}
