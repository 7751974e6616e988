package database

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const versionsColl = "versions"

// Schema lists the collections this package owns.
var Schema = []Collection{{Name: versionsColl}, {Name: claimsColl}}

// maxStale bounds how long a version read from an external MongoDB is trusted, so a
// change made by another replica is seen within it.
const maxStale = time.Second

// Versions are counters that tell caches when the data behind them changed: a cache
// keeps the version it was built at and rebuilds when Get returns another. On the
// embedded engine this process is the only writer (the data directory is locked), so
// after a first read the counters live in memory and a Bump is seen at once; with an
// external MongoDB a read is trusted for maxStale.
type Versions struct {
	coll      *mongo.Collection
	locks     Locker
	exclusive bool
	now       func() time.Time

	mu    sync.Mutex
	known map[string]versionRead
}

type versionRead struct {
	value int64
	at    time.Time
}

func newVersions(db *mongo.Database, locks Locker, exclusive bool) *Versions {
	return &Versions{coll: db.Collection(versionsColl), locks: locks, exclusive: exclusive, now: time.Now,
		known: map[string]versionRead{}}
}

// Get returns the current version of key (0 before the first Bump).
func (v *Versions) Get(ctx context.Context, key string) (int64, error) {
	v.mu.Lock()
	r, ok := v.known[key]
	v.mu.Unlock()
	if ok && (v.exclusive || v.now().Sub(r.at) < maxStale) {
		return r.value, nil
	}
	var doc struct {
		Value int64 `bson:"value"`
	}
	err := v.coll.FindOne(ctx, IDFilter(key)).Decode(&doc)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, fmt.Errorf("read version %s: %w", key, err)
	}
	v.remember(key, doc.Value)
	return doc.Value, nil
}

// Bump moves key to a new version and returns it.
func (v *Versions) Bump(ctx context.Context, key string) (int64, error) {
	defer v.locks.Lock(versionsColl + "|" + key)()
	var doc struct {
		Value int64 `bson:"value"`
	}
	err := v.coll.FindOneAndUpdate(ctx, IDFilter(key),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: 1}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	if err != nil {
		return 0, fmt.Errorf("bump version %s: %w", key, err)
	}
	v.remember(key, doc.Value)
	return doc.Value, nil
}

func (v *Versions) remember(key string, value int64) {
	v.mu.Lock()
	v.known[key] = versionRead{value: value, at: v.now()}
	v.mu.Unlock()
}
