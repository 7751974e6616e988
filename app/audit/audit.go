// Package audit keeps the audit trail: who changed what, when, with the state before
// and after. Domain services record into it through loa.Auditor; admins (and
// viewers, within their scope) read it back.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"loa"
)

// Entry is one recorded change.
type Entry struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entityId"`
	// Path is the org-unit path of the entity; empty for province-wide entities.
	Path   []string `json:"path"`
	Before any      `json:"before"`
	After  any      `json:"after"`
}

// Query selects entries; zero fields select everything. Newest entries come first.
type Query struct {
	Entity   string
	EntityID string
	Actor    string
	From, To time.Time // From inclusive, To exclusive
	// Scope, when set, keeps entries whose path contains it and province-wide ones.
	Scope string
	// Hide lists entities the reader may not see.
	Hide []string
	// After is the ID of the last entry of the previous page.
	After string
	Limit int
}

// Store is the persistence of the trail.
type Store interface {
	Insert(ctx context.Context, entries []Entry) error
	Find(ctx context.Context, q Query) ([]Entry, error)
}

// Log records and reads the trail.
type Log struct {
	store Store
	now   func() time.Time
}

// New returns a Log on store with the clock now.
func New(store Store, now func() time.Time) *Log {
	return &Log{store: store, now: now}
}

// Record stores changes by actor. Before and after are kept in their JSON form, so
// fields a type hides from JSON (password hashes, token hashes) are never recorded.
func (l *Log) Record(ctx context.Context, actor string, changes ...loa.Change) error {
	if len(changes) == 0 {
		return nil
	}
	at := loa.Stamp(l.now())
	entries := make([]Entry, len(changes))
	for i, c := range changes {
		before, err := plain(c.Before)
		if err != nil {
			return err
		}
		after, err := plain(c.After)
		if err != nil {
			return err
		}
		path := c.Path
		if path == nil {
			path = []string{}
		}
		entries[i] = Entry{ID: newID(at, i), At: at, Actor: actor, Action: c.Action, Entity: c.Entity,
			EntityID: c.EntityID, Path: path, Before: before, After: after}
	}
	return l.store.Insert(ctx, entries)
}

// List returns the entries q selects, newest first, at most q.Limit.
func (l *Log) List(ctx context.Context, q Query) ([]Entry, error) {
	return l.store.Find(ctx, q)
}

// plain turns v into its JSON form as maps, slices and scalars.
func plain(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

// newID orders entries by time: a fixed-width UTC timestamp, the position in its
// batch and a random suffix.
func newID(at time.Time, i int) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s|%04d|%s", at.Format("20060102T150405.000Z"), i, hex.EncodeToString(b))
}
