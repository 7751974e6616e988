package content

import (
	"context"
	"fmt"
	"time"

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

// itemDoc is a stored item: its working version's message inline, then its state.
type itemDoc struct {
	ID              string       `bson:"_id"`
	Message         messageDoc   `bson:",inline"`
	VariantOf       string       `bson:"variantOf,omitempty"`
	Variants        []string     `bson:"variants"`
	Status          string       `bson:"status"`
	Version         int          `bson:"version"`
	ApprovedVersion int          `bson:"approvedVersion"`
	Author          string       `bson:"author"`
	Warnings        []warningDoc `bson:"warnings"`
	Comments        []commentDoc `bson:"comments"`
	SearchKey       string       `bson:"searchKey"`
	CreatedAt       time.Time    `bson:"createdAt"`
	UpdatedAt       time.Time    `bson:"updatedAt"`
}

func itemDocOf(it Item) itemDoc {
	return itemDoc{ID: it.ID, Message: messageDocOf(it.Message), VariantOf: it.VariantOf, Variants: it.Variants,
		Status: it.Status, Version: it.Version, ApprovedVersion: it.ApprovedVersion, Author: it.Author,
		Warnings: database.ConvertAll(it.Warnings, warningDocOf), Comments: database.ConvertAll(it.Comments, commentDocOf),
		SearchKey: it.SearchKey, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

func (d itemDoc) item() Item {
	return Item{ID: d.ID, Message: d.Message.message(), VariantOf: d.VariantOf, Variants: d.Variants,
		Status: d.Status, Version: d.Version, ApprovedVersion: d.ApprovedVersion, Author: d.Author,
		Warnings: database.ConvertAll(d.Warnings, warningDoc.warning), Comments: database.ConvertAll(d.Comments, commentDoc.comment),
		SearchKey: d.SearchKey, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// messageDoc is a stored Message, inline in its item or version.
type messageDoc struct {
	Kind        string         `bson:"kind"`
	Title       string         `bson:"title"`
	Body        string         `bson:"body"`
	Groups      []string       `bson:"groups"`
	Language    string         `bson:"language"`
	Tags        []string       `bson:"tags"`
	Campaigns   []string       `bson:"campaigns"`
	ValidFrom   *loa.Date      `bson:"validFrom"`
	ValidTo     *loa.Date      `bson:"validTo"`
	SlotSeconds int            `bson:"slotSeconds"`
	Attachment  *attachmentDoc `bson:"attachment"`
}

func messageDocOf(m Message) messageDoc {
	return messageDoc{Kind: m.Kind, Title: m.Title, Body: m.Body, Groups: m.Groups, Language: m.Language, Tags: m.Tags,
		Campaigns: m.Campaigns, ValidFrom: m.ValidFrom, ValidTo: m.ValidTo, SlotSeconds: m.SlotSeconds,
		Attachment: attachmentDocOf(m.Attachment)}
}

func (d messageDoc) message() Message {
	return Message{Kind: d.Kind, Title: d.Title, Body: d.Body, Groups: d.Groups, Language: d.Language, Tags: d.Tags,
		Campaigns: d.Campaigns, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, SlotSeconds: d.SlotSeconds,
		Attachment: d.Attachment.attachment()}
}

// warningDoc is a stored Warning, under the lower-cased names the driver gave its
// fields when Warning itself was stored.
type warningDoc struct {
	Code    string `bson:"code"`
	Message string `bson:"message"`
	Line    int    `bson:"line"`
}

func warningDocOf(w Warning) warningDoc { return warningDoc(w) }

func (d warningDoc) warning() Warning { return Warning(d) }

// commentDoc is a stored Comment, an element of its item's comments.
type commentDoc struct {
	Author  string    `bson:"author"`
	Text    string    `bson:"text"`
	Version int       `bson:"version"`
	At      time.Time `bson:"at"`
}

func commentDocOf(c Comment) commentDoc { return commentDoc(c) }

func (d commentDoc) comment() Comment { return Comment(d) }

// versionDoc is a stored Version, keyed item|number.
type versionDoc struct {
	ID         string     `bson:"_id"`
	Item       string     `bson:"item"`
	Number     int        `bson:"number"`
	Message    messageDoc `bson:",inline"`
	Editors    []string   `bson:"editors"`
	CreatedAt  time.Time  `bson:"createdAt"`
	ApprovedBy string     `bson:"approvedBy,omitempty"`
	ApprovedAt *time.Time `bson:"approvedAt,omitempty"`
}

func versionDocOf(v Version) versionDoc {
	return versionDoc{ID: v.ID, Item: v.Item, Number: v.Number, Message: messageDocOf(v.Message), Editors: v.Editors,
		CreatedAt: v.CreatedAt, ApprovedBy: v.ApprovedBy, ApprovedAt: v.ApprovedAt}
}

func (d versionDoc) version() Version {
	return Version{ID: d.ID, Item: d.Item, Number: d.Number, Message: d.Message.message(), Editors: d.Editors,
		CreatedAt: d.CreatedAt, ApprovedBy: d.ApprovedBy, ApprovedAt: d.ApprovedAt}
}

// fileDoc is a stored File, keyed by its SHA-256; inline in an attachmentDoc.
type fileDoc struct {
	SHA256      string `bson:"_id"`
	ContentType string `bson:"contentType"`
	Bytes       int64  `bson:"bytes"`
}

func fileDocOf(f File) fileDoc { return fileDoc(f) }

func (d fileDoc) file() File { return File(d) }

// attachmentDoc is a stored Attachment: its file's description and its name.
type attachmentDoc struct {
	File fileDoc `bson:",inline"`
	Name string  `bson:"name"`
}

// attachmentDocOf and attachment keep a missing attachment nil (stored as null).
func attachmentDocOf(a *Attachment) *attachmentDoc {
	if a == nil {
		return nil
	}
	return &attachmentDoc{File: fileDocOf(a.File), Name: a.Name}
}

func (d *attachmentDoc) attachment() *Attachment {
	if d == nil {
		return nil
	}
	return &Attachment{File: d.File.file(), Name: d.Name}
}

// Version is the counter every write of items bumps.
func (s *MongoStore) Version(ctx context.Context) (int64, error) {
	return s.db.Versions().Get(ctx, contentVersion)
}

// Items reads every item (the library is small enough to hold in memory).
func (s *MongoStore) Items(ctx context.Context) ([]Item, error) {
	docs, err := database.All[itemDoc](ctx, s.db.Collection(itemsColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
	return database.ConvertAll(docs, itemDoc.item), err
}

// Item reads one item.
func (s *MongoStore) Item(ctx context.Context, id string) (Item, error) {
	d, found, err := database.ByID[itemDoc](ctx, s.db.Collection(itemsColl), id)
	if err == nil && !found {
		err = errNoItem(id)
	}
	return d.item(), err
}

// InsertItem stores a new item and returns the version it makes.
func (s *MongoStore) InsertItem(ctx context.Context, it Item) (int64, error) {
	return s.db.Guard(ctx, database.Lock{Version: contentVersion}, func(ctx context.Context) error {
		if _, err := s.db.Collection(itemsColl).InsertOne(ctx, itemDocOf(it)); err != nil {
			return fmt.Errorf("insert content %s: %w", it.ID, err)
		}
		return nil
	})
}

// itemLock is the lock of item id, held by every write of it.
func itemLock(id string) database.Lock {
	return database.Lock{Keys: []string{database.Key(itemsColl, id)}, Version: contentVersion}
}

func errNoItem(id string) error { return fmt.Errorf("%w: no content item %s", loa.ErrNotFound, id) }

// UpdateItem reads an item, lets change edit it and writes it back, under the
// item's lock; it returns the item as written and the version it makes. A change
// that fails writes nothing.
func (s *MongoStore) UpdateItem(ctx context.Context, id string, change func(ctx context.Context, it *Item) error) (Item, int64, error) {
	doc := database.Doc{Coll: itemsColl, ID: id, Version: contentVersion, Missing: errNoItem(id)}
	return database.UpdateAs(ctx, s.db, doc, itemDoc.item, itemDocOf, change)
}

// DeleteItem removes an item that check allows, under the item's lock, and
// returns the item as it was and the version it makes.
func (s *MongoStore) DeleteItem(ctx context.Context, id string, check func(old Item) error) (Item, int64, error) {
	var old Item
	v, err := s.db.Guard(ctx, itemLock(id), func(ctx context.Context) error {
		var err error
		if old, err = s.Item(ctx, id); err != nil {
			return err
		}
		if err := check(old); err != nil {
			return err
		}
		if _, err := s.db.Collection(itemsColl).DeleteOne(ctx, database.IDFilter(id)); err != nil {
			return fmt.Errorf("delete content %s: %w", id, err)
		}
		return nil
	})
	return old, v, err
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
	return s.update(ctx, id, bson.D{{Key: "$push", Value: bson.D{{Key: "comments", Value: commentDocOf(c)}}}})
}

// update applies an atomic update to one item under the item's lock.
func (s *MongoStore) update(ctx context.Context, id string, update bson.D) (int64, error) {
	return s.db.Guard(ctx, itemLock(id), func(ctx context.Context) error {
		res, err := s.db.Collection(itemsColl).UpdateOne(ctx, database.IDFilter(id), update)
		if err != nil {
			return fmt.Errorf("update content %s: %w", id, err)
		}
		if res.MatchedCount == 0 {
			return errNoItem(id)
		}
		return nil
	})
}

// ContentVersion reads version n of an item.
func (s *MongoStore) ContentVersion(ctx context.Context, item string, n int) (Version, error) {
	d, found, err := database.ByID[versionDoc](ctx, s.db.Collection(versionsColl), versionID(item, n))
	if err == nil && !found {
		err = fmt.Errorf("%w: item %s has no version %d", loa.ErrNotFound, item, n)
	}
	return d.version(), err
}

// SaveVersion stores a version (new or edited draft).
func (s *MongoStore) SaveVersion(ctx context.Context, v Version) error {
	_, err := s.db.Collection(versionsColl).ReplaceOne(ctx, database.IDFilter(v.ID), versionDocOf(v), options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save version %s: %w", v.ID, err)
	}
	return nil
}

// DeleteVersions removes versions 1..n of an item.
func (s *MongoStore) DeleteVersions(ctx context.Context, item string, n int) error {
	for i := 1; i <= n; i++ {
		if _, err := s.db.Collection(versionsColl).DeleteOne(ctx, database.IDFilter(versionID(item, i))); err != nil {
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
		if _, err := coll.ReplaceOne(ctx, database.IDFilter(id), fileChunk{ID: id, Data: chunk}, options.Replace().SetUpsert(true)); err != nil {
			return fmt.Errorf("store attachment chunk: %w", err)
		}
	}
	if _, err := coll.ReplaceOne(ctx, database.IDFilter(f.SHA256), fileDocOf(f), options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("store attachment: %w", err)
	}
	return nil
}

// File reads an attachment whole.
func (s *MongoStore) File(ctx context.Context, sha string) (File, []byte, error) {
	coll := s.db.Collection(filesColl)
	d, found, err := database.ByID[fileDoc](ctx, coll, sha)
	if err == nil && !found {
		err = fmt.Errorf("%w: no attachment %s", loa.ErrNotFound, sha)
	}
	if err != nil {
		return File{}, nil, err
	}
	f := d.file()
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
