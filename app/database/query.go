package database

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// IDFilter selects the document whose `_id` is id.
func IDFilter(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// ConvertAll converts every element of in with f, for the stores' document types.
// A nil slice stays nil: the driver writes nil as null and an empty slice as [], and
// a document must be written back as it was read.
func ConvertAll[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

// All reads every document of coll that filter selects, in sort order (none when
// sort is nil). Meant for small collections and background work: on the embedded
// engine any filter reads the whole collection.
func All[T any](ctx context.Context, coll *mongo.Collection, filter, sort bson.D) ([]T, error) {
	opts := options.Find()
	if sort != nil {
		opts.SetSort(sort)
	}
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find in %s: %w", coll.Name(), err)
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read %s: %w", coll.Name(), err)
	}
	return out, nil
}

// ByID reads the document of coll whose `_id` is id, the one indexed lookup on
// every engine; found is false when there is none.
func ByID[T any](ctx context.Context, coll *mongo.Collection, id string) (doc T, found bool, err error) {
	err = coll.FindOne(ctx, IDFilter(id)).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return doc, false, nil
	}
	if err != nil {
		return doc, false, fmt.Errorf("read %s %s: %w", coll.Name(), id, err)
	}
	return doc, true, nil
}

// bulkBatch bounds the statements of one bulk write. The embedded engine keeps
// the rows each matched statement read open until the whole command ends, one
// pooled SQLite connection apiece (a pool of 100), so a bulk write of 100 or more
// replacements of stored documents waits forever for a connection (measured on
// FerretDB 1.24.2: 99 take 0.66 s, 100 never return, and every later read hangs
// with them).
const bulkBatch = 50

// BulkWrite runs models on the collection in ordered batches small enough for the
// embedded engine, one batch at a time in the process (two at once could together
// exhaust its pool), and adds up what they matched, changed, inserted and deleted.
func (db *DB) BulkWrite(ctx context.Context, coll string, models []mongo.WriteModel) (mongo.BulkWriteResult, error) {
	var total mongo.BulkWriteResult
	for start := 0; start < len(models); start += bulkBatch {
		unlock := db.locks.Lock("bulk write")
		res, err := db.Collection(coll).BulkWrite(ctx, models[start:min(start+bulkBatch, len(models))])
		unlock()
		if err != nil {
			return total, fmt.Errorf("bulk write to %s: %w", coll, err)
		}
		total.MatchedCount += res.MatchedCount
		total.ModifiedCount += res.ModifiedCount
		total.UpsertedCount += res.UpsertedCount
		total.InsertedCount += res.InsertedCount
		total.DeletedCount += res.DeletedCount
	}
	return total, nil
}
