package database

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

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
	err = coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return doc, false, nil
	}
	if err != nil {
		return doc, false, fmt.Errorf("read %s %s: %w", coll.Name(), id, err)
	}
	return doc, true, nil
}
