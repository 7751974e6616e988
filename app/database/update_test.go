package database_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"golang.org/x/sync/errgroup"

	"loa/app/database"
	"loa/app/database/dbtest"
)

type tally struct {
	ID string   `bson:"_id"`
	N  int      `bson:"n"`
	By []string `bson:"by"`
}

var errMissing = errors.New("no such tally")

// Concurrent updates of one document on the embedded engine are all kept, each
// bumps the version once, and a failing change writes nothing and bumps nothing.
func TestUpdateKeepsConcurrentChanges(t *testing.T) {
	db := dbtest.New(t, counters)
	ctx := context.Background()
	doc := database.Doc{Coll: "counters", ID: "t", Version: "tallies"}
	if _, _, err := database.Update(ctx, db, doc, func(_ context.Context, d *tally) error {
		d.ID = "t"
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	const workers, each = 8, 25
	var g errgroup.Group
	for w := range workers {
		g.Go(func() error {
			for range each {
				_, _, err := database.Update(ctx, db, doc, func(_ context.Context, d *tally) error {
					d.N++
					if name := string(rune('a' + w)); !slices.Contains(d.By, name) {
						d.By = append(d.By, name)
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	got, found, err := database.ByID[tally](ctx, db.Collection("counters"), "t")
	if err != nil || !found {
		t.Fatalf("ByID(t) = %v, %v", found, err)
	}
	if got.N != workers*each || len(got.By) != workers {
		t.Errorf("after %d concurrent updates n = %d and %d writers listed, want %d and %d", workers*each, got.N, len(got.By), workers*each, workers)
	}
	version, err := db.Versions().Get(ctx, "tallies")
	if err != nil || version != 1+workers*each {
		t.Errorf("version = %d, %v; want %d (one bump a write)", version, err, 1+workers*each)
	}

	refused := errors.New("refused")
	_, v, err := database.Update(ctx, db, doc, func(_ context.Context, d *tally) error {
		d.N = -1
		return refused
	})
	if !errors.Is(err, refused) || v != 0 {
		t.Errorf("failing change: version %d, error %v; want 0 and its own error", v, err)
	}
	after, _, _ := database.ByID[tally](ctx, db.Collection("counters"), "t")
	if after.N != got.N {
		t.Errorf("a failing change wrote n = %d, want it left at %d", after.N, got.N)
	}
	if v, _ := db.Versions().Get(ctx, "tallies"); v != version {
		t.Errorf("a failing change moved the version to %d, want %d", v, version)
	}
}

// A missing document is the caller's error when it gives one, and the change is
// not called.
func TestUpdateOfMissingDocument(t *testing.T) {
	db := dbtest.New(t, counters)
	called := false
	_, _, err := database.Update(context.Background(), db, database.Doc{Coll: "counters", ID: "none", Missing: errMissing},
		func(context.Context, *tally) error { called = true; return nil })
	if !errors.Is(err, errMissing) || called {
		t.Errorf("Update of a missing document = %v (change called: %v), want %v and no call", err, called, errMissing)
	}
}

// A guard that asks again for a key its context holds fails instead of waiting
// for itself; other keys nest.
func TestGuardRefusesToWaitForItself(t *testing.T) {
	db := dbtest.New(t, counters)
	ctx := context.Background()
	for _, everywhere := range []bool{false, true} {
		_, err := db.Guard(ctx, database.Lock{Keys: []string{"a", database.Key("x", "b")}, Everywhere: everywhere}, func(ctx context.Context) error {
			if _, err := db.Guard(ctx, database.Lock{Keys: []string{"c"}}, func(context.Context) error { return nil }); err != nil {
				return err
			}
			_, _, err := database.Update(ctx, db, database.Doc{Coll: "x", ID: "b"}, func(context.Context, *tally) error { return nil })
			if !errors.Is(err, database.ErrHeld) {
				t.Errorf("nested guard of a held key = %v, want ErrHeld", err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("Guard(everywhere %v) = %v", everywhere, err)
		}
	}
}
