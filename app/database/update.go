package database

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Doc names one document of a versioned collection for Update.
type Doc struct {
	Coll, ID string
	// Version is the version key a write of the document bumps; "" for none.
	Version string
	// Missing is the error when there is no such document; nil lets change start
	// from the zero value (it must then set the `_id` field to ID) and inserts it.
	Missing error
}

// Update reads the document d names, lets change edit it and writes it back whole,
// under the document's lock (Key(d.Coll, d.ID)), then bumps d.Version. It returns
// the document as written and the version (0 without one). When change fails,
// nothing is written and nothing bumped, and its error is returned as it is.
// change gets the guard's context: a store method it calls that takes the same
// document's lock fails with ErrHeld rather than waiting forever.
func Update[T any](ctx context.Context, db *DB, d Doc, change func(ctx context.Context, doc *T) error) (T, int64, error) {
	var out T
	version, err := db.Guard(ctx, Lock{Keys: []string{Key(d.Coll, d.ID)}, Version: d.Version}, func(ctx context.Context) error {
		coll := db.Collection(d.Coll)
		doc, found, err := ByID[T](ctx, coll, d.ID)
		if err != nil {
			return err
		}
		if !found && d.Missing != nil {
			return d.Missing
		}
		if err := change(ctx, &doc); err != nil {
			return err
		}
		if _, err := coll.ReplaceOne(ctx, IDFilter(d.ID), doc, options.Replace().SetUpsert(!found)); err != nil {
			return fmt.Errorf("write %s %s: %w", d.Coll, d.ID, err)
		}
		out = doc
		return nil
	})
	return out, version, err
}

// UpdateAs is Update for a store whose callers edit a domain value rather than
// the stored document: value turns the document read into one, change edits it,
// doc turns it back for the write. It returns the value as change left it.
func UpdateAs[D, T any](ctx context.Context, db *DB, d Doc, value func(D) T, doc func(T) D, change func(ctx context.Context, v *T) error) (T, int64, error) {
	var v T
	_, version, err := Update(ctx, db, d, func(ctx context.Context, stored *D) error {
		v = value(*stored)
		if err := change(ctx, &v); err != nil {
			return err
		}
		*stored = doc(v)
		return nil
	})
	return v, version, err
}
