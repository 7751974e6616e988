package content

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa"
	"loa/app/database"
)

const (
	itemsColl    = "contents"
	versionsColl = "content_versions"
	filesColl    = "content_files"

	contentVersion = "contents"
	chunkSize      = 1 << 20 // attachment bytes per document
)

// Schema lists the collections this package owns. Items are read whole into the
// library cache; versions and file chunks by their natural `_id`.
var Schema = []database.Collection{{Name: itemsColl}, {Name: versionsColl}, {Name: filesColl}}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db *database.DB
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore {
	return &MongoStore{db: db}
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// Version is the counter every write of items bumps.
func (s *MongoStore) Version(ctx context.Context) (int64, error) {
	return s.db.Versions().Get(ctx, contentVersion)
}

// changed bumps the version after a write and returns the new one.
func (s *MongoStore) changed(ctx context.Context) (int64, error) {
	return s.db.Versions().Bump(ctx, contentVersion)
}

// Items reads every item (the library is small enough to hold in memory).
func (s *MongoStore) Items(ctx context.Context) ([]Item, error) {
	return database.All[Item](ctx, s.db.Collection(itemsColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
}

// Item reads one item.
func (s *MongoStore) Item(ctx context.Context, id string) (Item, error) {
	it, found, err := database.ByID[Item](ctx, s.db.Collection(itemsColl), id)
	if err == nil && !found {
		err = fmt.Errorf("%w: no content item %s", loa.ErrNotFound, id)
	}
	return it, err
}

// InsertItem stores a new item and returns the version it makes.
func (s *MongoStore) InsertItem(ctx context.Context, it Item) (int64, error) {
	if _, err := s.db.Collection(itemsColl).InsertOne(ctx, it); err != nil {
		return 0, fmt.Errorf("insert content %s: %w", it.ID, err)
	}
	return s.changed(ctx)
}

// ReplaceItem overwrites an item and returns the version it makes.
func (s *MongoStore) ReplaceItem(ctx context.Context, it Item) (int64, error) {
	res, err := s.db.Collection(itemsColl).ReplaceOne(ctx, byID(it.ID), it)
	if err != nil {
		return 0, fmt.Errorf("replace content %s: %w", it.ID, err)
	}
	if res.MatchedCount == 0 {
		return 0, fmt.Errorf("%w: no content item %s", loa.ErrNotFound, it.ID)
	}
	return s.changed(ctx)
}

// LockItem serialises read-modify-write of one item.
func (s *MongoStore) LockItem(id string) func() { return s.db.Locks().Lock(itemsColl + "|" + id) }

// DeleteItem removes an item and returns the version it makes.
func (s *MongoStore) DeleteItem(ctx context.Context, id string) (int64, error) {
	res, err := s.db.Collection(itemsColl).DeleteOne(ctx, byID(id))
	if err != nil {
		return 0, fmt.Errorf("delete content %s: %w", id, err)
	}
	if res.DeletedCount == 0 {
		return 0, fmt.Errorf("%w: no content item %s", loa.ErrNotFound, id)
	}
	return s.changed(ctx)
}

// AddVariant lists variant on its master.
func (s *MongoStore) AddVariant(ctx context.Context, master, variant string) (int64, error) {
	return s.update(ctx, master, bson.D{{Key: "$addToSet", Value: bson.D{{Key: "variants", Value: variant}}}})
}

// RemoveVariant takes variant off its master's list.
func (s *MongoStore) RemoveVariant(ctx context.Context, master, variant string) (int64, error) {
	return s.update(ctx, master, bson.D{{Key: "$pull", Value: bson.D{{Key: "variants", Value: variant}}}})
}

// AddComment appends a comment to an item.
func (s *MongoStore) AddComment(ctx context.Context, id string, c Comment) (int64, error) {
	return s.update(ctx, id, bson.D{{Key: "$push", Value: bson.D{{Key: "comments", Value: c}}}})
}

// update applies an atomic update to one item. It takes the item's lock, so callers
// must not hold it.
func (s *MongoStore) update(ctx context.Context, id string, update bson.D) (int64, error) {
	defer s.LockItem(id)()
	res, err := s.db.Collection(itemsColl).UpdateOne(ctx, byID(id), update)
	if err != nil {
		return 0, fmt.Errorf("update content %s: %w", id, err)
	}
	if res.MatchedCount == 0 {
		return 0, fmt.Errorf("%w: no content item %s", loa.ErrNotFound, id)
	}
	return s.changed(ctx)
}

// ContentVersion reads version n of an item.
func (s *MongoStore) ContentVersion(ctx context.Context, item string, n int) (Version, error) {
	v, found, err := database.ByID[Version](ctx, s.db.Collection(versionsColl), versionID(item, n))
	if err == nil && !found {
		err = fmt.Errorf("%w: item %s has no version %d", loa.ErrNotFound, item, n)
	}
	return v, err
}

// SaveVersion stores a version (new or edited draft).
func (s *MongoStore) SaveVersion(ctx context.Context, v Version) error {
	_, err := s.db.Collection(versionsColl).ReplaceOne(ctx, byID(v.ID), v, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save version %s: %w", v.ID, err)
	}
	return nil
}

// DeleteVersions removes versions 1..n of an item.
func (s *MongoStore) DeleteVersions(ctx context.Context, item string, n int) error {
	for i := 1; i <= n; i++ {
		if _, err := s.db.Collection(versionsColl).DeleteOne(ctx, byID(versionID(item, i))); err != nil {
			return fmt.Errorf("delete version %d of %s: %w", i, item, err)
		}
	}
	return nil
}

type fileChunk struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
}

// SaveFile stores an attachment as its description and chunks of at most 1 MiB,
// keyed by its SHA-256: the same file uploaded twice is stored once. The
// description is written last, so a file is only found once it is whole.
func (s *MongoStore) SaveFile(ctx context.Context, f File, data []byte) error {
	coll := s.db.Collection(filesColl)
	for i := 0; i*chunkSize < len(data); i++ {
		chunk := data[i*chunkSize : min((i+1)*chunkSize, len(data))]
		id := fmt.Sprintf("%s|%d", f.SHA256, i)
		if _, err := coll.ReplaceOne(ctx, byID(id), fileChunk{ID: id, Data: chunk}, options.Replace().SetUpsert(true)); err != nil {
			return fmt.Errorf("store attachment chunk: %w", err)
		}
	}
	if _, err := coll.ReplaceOne(ctx, byID(f.SHA256), f, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("store attachment: %w", err)
	}
	return nil
}

// File reads an attachment whole.
func (s *MongoStore) File(ctx context.Context, sha string) (File, []byte, error) {
	coll := s.db.Collection(filesColl)
	f, found, err := database.ByID[File](ctx, coll, sha)
	if err == nil && !found {
		err = fmt.Errorf("%w: no attachment %s", loa.ErrNotFound, sha)
	}
	if err != nil {
		return File{}, nil, err
	}
	data := make([]byte, 0, f.Bytes)
	for i := 0; int64(len(data)) < f.Bytes; i++ {
		c, found, err := database.ByID[fileChunk](ctx, coll, fmt.Sprintf("%s|%d", sha, i))
		if err == nil && !found {
			err = fmt.Errorf("attachment %s lacks chunk %d", sha, i)
		}
		if err != nil {
			return File{}, nil, err
		}
		data = append(data, c.Data...)
	}
	return f, data, nil
}
