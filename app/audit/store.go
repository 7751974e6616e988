package audit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa/app/database"
)

const auditColl = "audit"

// Schema lists the trail's collection. The indexes serve the usual questions on a real
// MongoDB; the embedded engine scans (acceptable for an occasional admin query).
var Schema = []database.Collection{{Name: auditColl, Indexes: []mongo.IndexModel{
	{Keys: bson.D{{Key: "entity", Value: 1}, {Key: "entityId", Value: 1}, {Key: "at", Value: 1}}},
	{Keys: bson.D{{Key: "actor", Value: 1}, {Key: "at", Value: 1}}},
}}}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	coll *mongo.Collection
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore {
	return &MongoStore{coll: db.Collection(auditColl)}
}

// entryDoc is a stored Entry; before and after are its JSON form as maps, slices
// and scalars.
type entryDoc struct {
	ID       string    `bson:"_id"`
	At       time.Time `bson:"at"`
	Actor    string    `bson:"actor"`
	Action   string    `bson:"action"`
	Entity   string    `bson:"entity"`
	EntityID string    `bson:"entityId"`
	Path     []string  `bson:"path"`
	Before   any       `bson:"before"`
	After    any       `bson:"after"`
}

func entryDocOf(e Entry) entryDoc { return entryDoc(e) }

func (d entryDoc) entry() Entry { return Entry(d) }

// Insert appends entries; their IDs are unique, so nothing is lost or doubled.
func (s *MongoStore) Insert(ctx context.Context, entries []Entry) error {
	docs := make([]any, len(entries))
	for i, e := range entries {
		docs[i] = entryDocOf(e)
	}
	if _, err := s.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return fmt.Errorf("record audit entries: %w", err)
	}
	return nil
}

// Find reads the entries q selects, newest first.
func (s *MongoStore) Find(ctx context.Context, q Query) ([]Entry, error) {
	filter := bson.D{}
	for _, f := range []struct{ key, value string }{{"entity", q.Entity}, {"entityId", q.EntityID}, {"actor", q.Actor}} {
		if f.value != "" {
			filter = append(filter, bson.E{Key: f.key, Value: f.value})
		}
	}
	at := bson.D{}
	if !q.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: q.From})
	}
	if !q.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: q.To})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	if q.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.After}}})
	}
	switch {
	case q.Entity != "" && slices.Contains(q.Hide, q.Entity):
		return []Entry{}, nil
	case q.Entity == "" && len(q.Hide) > 0:
		filter = append(filter, bson.E{Key: "entity", Value: bson.D{{Key: "$nin", Value: q.Hide}}})
	}
	if q.Scope != "" {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "path", Value: q.Scope}},
			bson.D{{Key: "path", Value: bson.D{{Key: "$size", Value: 0}}}},
		}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := s.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	docs := []entryDoc{}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	return database.ConvertAll(docs, entryDoc.entry), nil
}
