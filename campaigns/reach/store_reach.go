package reach

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"loa"
	"loa/app/database"
	"loa/campaigns"
)

// Schema lists the collections this package owns (it also writes the rollups'
// cut-off day to the campaigns package's campaigns_meta).
var Schema = []database.Collection{
	{Name: reachColl, Indexes: []mongo.IndexModel{{Keys: bson.D{{Key: "campaign", Value: 1}}}}},
	{Name: rollupsColl},
	{Name: indexColl},
	{Name: journalColl},
	{Name: manualColl},
}

// MongoStore is the Store on MongoDB (or the embedded engine); it reads the
// campaigns' data through the campaigns package's store.
type MongoStore struct {
	*campaigns.MongoStore
	db *database.DB
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore {
	return &MongoStore{MongoStore: campaigns.NewStore(db), db: db}
}

const (
	reachColl = "reach"
	// metaColl is the campaigns package's collection of settings, where the rollups
	// keep their cut-off day.
	metaColl    = "campaigns_meta"
	rollupsColl = "rollups"
	indexColl   = "reach_buckets"
	journalColl = "reach_journal"
	manualColl  = "manual_values"

	insertBatch = 1000
	readWorkers = 4
)

// rollupDoc is one half-month of a campaign's rollups, its cells packed into one
// binary value (packCells). Rev moves on with every write: on MongoDB a write
// replaces the revision it read, so that two replicas never lose each other's.
type rollupDoc struct {
	ID       string `bson:"_id"` // campaign|YYYY-MM|part
	Campaign string `bson:"campaign"`
	Month    string `bson:"month"`
	Part     int    `bson:"part"`
	Cutoff   int    `bson:"cutoff"`
	Rev      int64  `bson:"rev"`
	Packed   []byte `bson:"packed"`
}

// rollupFormat is the layout of the stored rollups: rollups stored in another (the
// sub-documents of versions before 2) are recomputed from the records at start-up.
const rollupFormat = 2

// manualValueDoc is an entered value as stored; it has ManualValue's fields in
// ManualValue's order.
type manualValueDoc struct {
	ID          string    `bson:"_id"`
	Campaign    string    `bson:"campaign"`
	Indicator   string    `bson:"indicator"`
	OrgUnit     string    `bson:"orgUnit"`
	AsOf        loa.Date  `bson:"asOf"`
	Numerator   int64     `bson:"numerator"`
	Denominator int64     `bson:"denominator"`
	CountUnit   string    `bson:"countUnit"`
	Source      string    `bson:"source"`
	Note        string    `bson:"note"`
	EnteredBy   string    `bson:"enteredBy"`
	UpdatedAt   time.Time `bson:"updatedAt"`
}

func rollupID(campaign, month string, part int) string {
	return campaign + "|" + month + "|" + strconv.Itoa(part)
}

// rollupDocs packs cells into their half-month documents.
func rollupDocs(campaign string, cutoff int, cells map[CellKey]Cell) []rollupDoc {
	var docs []rollupDoc
	for pk, part := range cellSetOf(cells) {
		docs = append(docs, rollupDoc{ID: rollupID(campaign, pk.Month, pk.Part), Campaign: campaign, Month: pk.Month, Part: pk.Part,
			Cutoff: cutoff, Rev: 1, Packed: packCells(part.Cells)})
	}
	return docs
}

func rollupsVersion(campaign string) string { return rollupsColl + "|" + campaign }

// reachDoc is a stored bucket: the records of one campaign, org unit and month,
// each written as one compact JSON array, packed one a line into one binary value.
// The embedded engine's cost is per document and per stored value (measured:
// 5,000–7,600 records a second as documents of their own, 17,000 as sub-documents,
// 72,000 as one string each), so an import of 100,000 rows writes a few thousand
// documents of a few values each and finds what is stored by `_id`, and a
// corrected record costs the rewrite of one value, not of its bucket's every record.
type reachDoc struct {
	ID       string `bson:"_id"` // campaign|orgUnit|YYYY-MM
	Campaign string `bson:"campaign"`
	OrgUnit  string `bson:"orgUnit"`
	Month    string `bson:"month"`
	Rev      int64  `bson:"rev"`
	Packed   []byte `bson:"packed,omitempty"` // reachEntry as JSON, one a line, in key order
	// Records are the entries as versions before the packed form stored them, one
	// string each; a bucket read so is written back packed.
	Records []string `bson:"records,omitempty"`
}

// reachEntry is a record without what its bucket says: group, date, activity,
// source reference, activities, person-times, unique persons (null when unknown),
// estimated, evidence, airing and, when known, first-time persons (absent before).
type reachEntry struct {
	Group, Date, Activity, SourceRef string
	Activities                       int
	PersonTimes                      int64
	UniquePersons                    *int64
	Estimated                        bool
	Evidence, Airing                 string

	FirstTimePersons *int64
}

// MarshalJSON writes the array by hand: an import encodes 100,000 of them.
func (e reachEntry) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 96)
	b = append(b, '[')
	for _, s := range []string{e.Group, e.Date, e.Activity, e.SourceRef} {
		b = appendJSONString(b, s)
		b = append(b, ',')
	}
	b = strconv.AppendInt(b, int64(e.Activities), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.PersonTimes, 10)
	b = append(b, ',')
	if e.UniquePersons == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *e.UniquePersons, 10)
	}
	b = append(b, ',')
	b = strconv.AppendBool(b, e.Estimated)
	for _, s := range []string{e.Evidence, e.Airing} {
		b = append(b, ',')
		b = appendJSONString(b, s)
	}
	if e.FirstTimePersons != nil {
		b = append(b, ',')
		b = strconv.AppendInt(b, *e.FirstTimePersons, 10)
	}
	return append(b, ']'), nil
}

// appendJSONString appends s as a JSON string; plain text (the usual codes and
// references) is copied, anything else is left to encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func (e *reachEntry) UnmarshalJSON(data []byte) error {
	return json.Unmarshal(data, &[]any{&e.Group, &e.Date, &e.Activity, &e.SourceRef, &e.Activities, &e.PersonTimes,
		&e.UniquePersons, &e.Estimated, &e.Evidence, &e.Airing, &e.FirstTimePersons})
}

// entryKey is the part of a record's natural key its bucket does not hold.
func entryKey(r Reach) string {
	return r.Group + "|" + string(r.Date) + "|" + r.Activity + "|" + r.SourceRef
}

func (d reachDoc) bucket() (ReachBucket, error) {
	lines := d.Records
	if len(d.Packed) > 0 {
		lines = strings.Split(string(d.Packed), "\n")
	}
	b := ReachBucket{ID: d.ID, Rev: d.Rev, Records: make(map[string]Reach, len(lines))}
	for _, raw := range lines {
		var e reachEntry
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return ReachBucket{}, fmt.Errorf("reach bucket %s: %w", d.ID, err)
		}
		r := Reach{Campaign: d.Campaign, OrgUnit: d.OrgUnit, Group: e.Group, Date: loa.Date(e.Date), Activity: e.Activity,
			SourceRef: e.SourceRef, Activities: e.Activities, PersonTimes: e.PersonTimes, UniquePersons: e.UniquePersons,
			Estimated: e.Estimated, Evidence: e.Evidence, Airing: e.Airing, FirstTimePersons: e.FirstTimePersons}
		r.ID = ReachKey(r)
		b.Records[r.ID] = r
	}
	return b, nil
}

func docOf(b ReachBucket) (reachDoc, error) {
	campaign, rest, _ := strings.Cut(b.ID, "|")
	unit, month, _ := strings.Cut(rest, "|")
	d := reachDoc{ID: b.ID, Campaign: campaign, OrgUnit: unit, Month: month, Rev: b.Rev + 1, Packed: make([]byte, 0, 96*len(b.Records))}
	for i, key := range slices.Sorted(maps.Keys(b.Records)) {
		r := b.Records[key]
		raw, err := reachEntry{Group: r.Group, Date: string(r.Date), Activity: r.Activity, SourceRef: r.SourceRef,
			Activities: r.Activities, PersonTimes: r.PersonTimes, UniquePersons: r.UniquePersons, Estimated: r.Estimated,
			Evidence: r.Evidence, Airing: r.Airing, FirstTimePersons: r.FirstTimePersons}.MarshalJSON()
		if err != nil {
			return reachDoc{}, err
		}
		if i > 0 {
			d.Packed = append(d.Packed, '\n') // JSON escapes every newline of a value
		}
		d.Packed = append(d.Packed, raw...)
	}
	return d, nil
}

// UpdateBuckets reads the stored buckets among ids, lets change say which changed
// and writes those back, under the buckets' locks (taken in one order, so two
// writers never wait on each other).
func (s *MongoStore) UpdateBuckets(ctx context.Context, ids []string, change func(stored map[string]ReachBucket) (changed []ReachBucket)) error {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = database.Key(reachColl, id)
	}
	_, err := s.db.Guard(ctx, database.Lock{Keys: keys}, func(ctx context.Context) error {
		stored, err := s.Buckets(ctx, ids)
		if err != nil {
			return err
		}
		return s.saveBuckets(ctx, change(stored))
	})
	return err
}

// Buckets reads the stored buckets among ids by `_id`, a few lookups at a time
// (the one indexed read on the embedded engine; `$in` would scan).
func (s *MongoStore) Buckets(ctx context.Context, ids []string) (map[string]ReachBucket, error) {
	out := make(map[string]ReachBucket, len(ids))
	var mu sync.Mutex
	var firstErr error
	next := make(chan string)
	var wg sync.WaitGroup
	for range readWorkers {
		wg.Go(func() {
			for id := range next {
				d, found, err := database.ByID[reachDoc](ctx, s.db.Collection(reachColl), id)
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = err
				case found:
					b, err := d.bucket()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					out[id] = b
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		next <- id
	}
	close(next)
	wg.Wait()
	return out, errors.Join(firstErr, ctx.Err())
}

// saveBuckets writes buckets read at their Rev: new ones inserted, changed ones
// replaced, empty ones deleted. On MongoDB a bucket another replica wrote in
// between is not overwritten (ErrConflict); on the embedded engine, whose only
// writer is this process, UpdateBuckets's locks rule that out.
func (s *MongoStore) saveBuckets(ctx context.Context, buckets []ReachBucket) error {
	var inserts []any
	var models []mongo.WriteModel
	added, removed := map[string][]string{}, map[string][]string{} // bucket ids by campaign, for the index
	for _, b := range buckets {
		campaign, _, _ := strings.Cut(b.ID, "|")
		doc, err := docOf(b)
		if err != nil {
			return err
		}
		filter := database.IDFilter(b.ID)
		if !s.db.Embedded() {
			filter = append(filter, bson.E{Key: "rev", Value: b.Rev})
		}
		switch {
		case b.Rev == 0 && len(b.Records) > 0:
			inserts = append(inserts, doc)
			added[campaign] = append(added[campaign], b.ID)
		case len(b.Records) == 0 && b.Rev > 0:
			models = append(models, mongo.NewDeleteOneModel().SetFilter(filter))
			removed[campaign] = append(removed[campaign], b.ID)
		case len(b.Records) > 0:
			models = append(models, mongo.NewReplaceOneModel().SetFilter(filter).SetReplacement(doc))
		}
	}
	for start := 0; start < len(inserts); start += insertBatch {
		_, err := s.db.Collection(reachColl).InsertMany(ctx, inserts[start:min(start+insertBatch, len(inserts))])
		if mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("%w: records of the same unit and month were written meanwhile; send them again", loa.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("insert reach: %w", err)
		}
	}
	res, err := s.db.BulkWrite(ctx, reachColl, models)
	if err != nil {
		return fmt.Errorf("save reach: %w", err)
	}
	if int(res.MatchedCount+res.DeletedCount) != len(models) {
		return fmt.Errorf("%w: records of the same unit and month were written meanwhile; send them again", loa.ErrConflict)
	}
	for campaign, ids := range added {
		if err := s.indexBuckets(ctx, campaign, "$addToSet", bson.D{{Key: "$each", Value: ids}}); err != nil {
			return err
		}
	}
	for campaign, ids := range removed {
		if err := s.indexBuckets(ctx, campaign, "$pullAll", ids); err != nil {
			return err
		}
	}
	return nil
}

// bucketIndex lists a campaign's buckets, so that lists of records read the
// buckets that exist instead of probing every unit and month.
type bucketIndex struct {
	Campaign string   `bson:"_id"`
	Buckets  []string `bson:"buckets"`
}

// indexLock is the lock of a campaign's bucket index.
func indexLock(campaign string) database.Lock {
	return database.Lock{Keys: []string{database.Key(indexColl, campaign)}}
}

// indexBuckets adds ids to or removes them from a campaign's bucket index (an
// atomic update on MongoDB; serialised within the process for the embedded engine).
func (s *MongoStore) indexBuckets(ctx context.Context, campaign, op string, ids any) error {
	_, err := s.db.Guard(ctx, indexLock(campaign), func(ctx context.Context) error {
		_, err := s.db.Collection(indexColl).UpdateOne(ctx, database.IDFilter(campaign),
			bson.D{{Key: op, Value: bson.D{{Key: "buckets", Value: ids}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return fmt.Errorf("index the reach buckets of %s: %w", campaign, err)
		}
		return nil
	})
	return err
}

// BucketIDs lists a campaign's buckets, from its index.
func (s *MongoStore) BucketIDs(ctx context.Context, campaign string) ([]string, error) {
	ix, _, err := database.ByID[bucketIndex](ctx, s.db.Collection(indexColl), campaign)
	return ix.Buckets, err
}

// RebuildBucketIndex lists a campaign's buckets afresh from the records (a scan):
// after a crash between a bucket's write and its index's.
func (s *MongoStore) RebuildBucketIndex(ctx context.Context, campaign string) error {
	docs, err := database.All[struct {
		ID string `bson:"_id"`
	}](ctx, s.db.Collection(reachColl), bson.D{{Key: "campaign", Value: campaign}}, nil)
	if err != nil {
		return err
	}
	ix := bucketIndex{Campaign: campaign, Buckets: make([]string, len(docs))}
	for i, d := range docs {
		ix.Buckets[i] = d.ID
	}
	_, err = s.db.Guard(ctx, indexLock(campaign), func(ctx context.Context) error {
		if _, err := s.db.Collection(indexColl).ReplaceOne(ctx, database.IDFilter(campaign), ix, options.Replace().SetUpsert(true)); err != nil {
			return fmt.Errorf("rebuild the bucket index of %s: %w", campaign, err)
		}
		return nil
	})
	return err
}

// unbucketed selects the records stored one per document, as before buckets.
var unbucketed = bson.D{{Key: "records", Value: bson.D{{Key: "$exists", Value: false}}},
	{Key: "packed", Value: bson.D{{Key: "$exists", Value: false}}}}

// unbucketedDoc is a record as versions before buckets stored it, one per
// document; it has Reach's fields in Reach's order.
type unbucketedDoc struct {
	ID            string   `bson:"_id"`
	Campaign      string   `bson:"campaign"`
	OrgUnit       string   `bson:"orgUnit"`
	Group         string   `bson:"group"`
	Date          loa.Date `bson:"date"`
	Activity      string   `bson:"activity"`
	Activities    int      `bson:"activities"`
	PersonTimes   int64    `bson:"personTimes"`
	UniquePersons *int64   `bson:"uniquePersons"`
	Estimated     bool     `bson:"estimated"`
	SourceRef     string   `bson:"sourceRef"`
	Evidence      string   `bson:"evidence"`
	Airing        string   `bson:"airing,omitempty"`

	FirstTimePersons *int64 `bson:"firstTimePersons,omitempty"`
}

// UnbucketedReach reads the records still stored one per document (a scan, at
// start-up).
func (s *MongoStore) UnbucketedReach(ctx context.Context) ([]Reach, error) {
	docs, err := database.All[unbucketedDoc](ctx, s.db.Collection(reachColl), unbucketed, nil)
	if err != nil {
		return nil, err
	}
	return database.ConvertAll(docs, func(d unbucketedDoc) Reach { return Reach(d) }), nil
}

// DeleteUnbucketedReach removes them, once they are in their buckets.
func (s *MongoStore) DeleteUnbucketedReach(ctx context.Context) error {
	if _, err := s.db.Collection(reachColl).DeleteMany(ctx, unbucketed); err != nil {
		return fmt.Errorf("delete unbucketed reach: %w", err)
	}
	return nil
}

// EachReach streams a campaign's records to f (a scan: for rebuilds and checks).
func (s *MongoStore) EachReach(ctx context.Context, campaign string, f func(Reach)) error {
	cur, err := s.db.Collection(reachColl).Find(ctx, bson.D{{Key: "campaign", Value: campaign}})
	if err != nil {
		return fmt.Errorf("read the reach of %s: %w", campaign, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d reachDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("read the reach of %s: %w", campaign, err)
		}
		b, err := d.bucket()
		if err != nil {
			return err
		}
		for _, r := range b.Records {
			f(r)
		}
	}
	return cur.Err()
}

// Rollups reads a campaign's rollup cells (a few dozen documents a year, each
// one half-month).
func (s *MongoStore) Rollups(ctx context.Context, campaign string) (CellSet, error) {
	docs, err := database.All[rollupDoc](ctx, s.db.Collection(rollupsColl), bson.D{{Key: "campaign", Value: campaign}}, nil)
	if err != nil {
		return nil, err
	}
	out := CellSet{}
	codes := map[string]string{} // one copy of each code, so that readers of the cells stay in cache
	intern := func(s string) string {
		if c, ok := codes[s]; ok {
			return c
		}
		codes[s] = s
		return s
	}
	for _, d := range docs {
		h := &Half{Cells: make(map[CellKey]Cell, len(d.Packed)/12)} // some 12 bytes a cell
		if err := unpackCells(d.Packed, intern(d.Month), d.Part, intern, h.Cells); err != nil {
			return nil, fmt.Errorf("rollup %s: %w", d.ID, err)
		}
		if len(h.Cells) > 0 {
			out[PartKey{d.Month, d.Part}] = h
		}
	}
	return out, nil
}

// maxRollupTries bounds how often a write of a half-month's rollups is tried again
// on MongoDB when another replica wrote the document in between.
const maxRollupTries = 50

// IncRollups adds cells to the stored rollups, one half-month document at a time:
// each is read, added to and written back under the document's lock (the embedded
// engine's one process) and, on MongoDB, only over the revision it read, tried
// again when another replica wrote in between.
func (s *MongoStore) IncRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for pk, part := range cellSetOf(cells) {
		g.Go(func() error {
			id := rollupID(campaign, pk.Month, pk.Part)
			for range maxRollupTries {
				done, err := s.incRollup(ctx, rollupDoc{ID: id, Campaign: campaign, Month: pk.Month, Part: pk.Part, Cutoff: cutoff}, part.Cells)
				if err != nil {
					return fmt.Errorf("update rollup %s: %w", id, err)
				}
				if done {
					return nil
				}
			}
			return fmt.Errorf("update rollup %s: %w: written by others %d times in a row", id, loa.ErrConflict, maxRollupTries)
		})
	}
	return g.Wait()
}

// incRollup adds cells to the half-month d names, under its lock; false when
// another replica wrote it after it was read.
func (s *MongoStore) incRollup(ctx context.Context, d rollupDoc, cells map[CellKey]Cell) (bool, error) {
	done := false
	_, err := s.db.Guard(ctx, database.Lock{Keys: []string{database.Key(rollupsColl, d.ID)}}, func(ctx context.Context) error {
		coll := s.db.Collection(rollupsColl)
		stored, found, err := database.ByID[rollupDoc](ctx, coll, d.ID)
		if err != nil {
			return err
		}
		sum := map[CellKey]Cell{}
		if err := unpackCells(stored.Packed, d.Month, d.Part, func(s string) string { return s }, sum); err != nil {
			return err
		}
		for k, c := range cells {
			t := sum[k]
			t.Add(c, 1)
			sum[k] = t
		}
		d.Rev, d.Packed = stored.Rev+1, packCells(sum)
		if !found {
			_, err := coll.InsertOne(ctx, d)
			done = err == nil
			if mongo.IsDuplicateKeyError(err) {
				return nil // inserted by another replica meanwhile: read it again
			}
			return err
		}
		filter := database.IDFilter(d.ID)
		if !s.db.Embedded() {
			filter = append(filter, bson.E{Key: "rev", Value: stored.Rev})
		}
		res, err := coll.ReplaceOne(ctx, filter, d)
		done = err == nil && res.MatchedCount == 1
		return err
	})
	return done, err
}

// ReplaceRollups replaces all of a campaign's rollups with cells.
func (s *MongoStore) ReplaceRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error {
	if _, err := s.db.Collection(rollupsColl).DeleteMany(ctx, bson.D{{Key: "campaign", Value: campaign}}); err != nil {
		return fmt.Errorf("delete the rollups of %s: %w", campaign, err)
	}
	docs := rollupDocs(campaign, cutoff, cells)
	if len(docs) == 0 {
		return nil
	}
	if _, err := s.db.Collection(rollupsColl).InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("store the rollups of %s: %w", campaign, err)
	}
	return nil
}

// RollupsVersion is the counter BumpRollups moves.
func (s *MongoStore) RollupsVersion(ctx context.Context, campaign string) (int64, error) {
	return s.db.Versions().Get(ctx, rollupsVersion(campaign))
}

// BumpRollups moves a campaign's rollups version on.
func (s *MongoStore) BumpRollups(ctx context.Context, campaign string) (int64, error) {
	return s.db.Versions().Bump(ctx, rollupsVersion(campaign))
}

// RollupCutoff is the cut-off day the stored rollups were built with (0 before any,
// and for rollups stored in an earlier format, so that they are recomputed).
func (s *MongoStore) RollupCutoff(ctx context.Context) (int, error) {
	doc, _, err := database.ByID[struct {
		Day    int `bson:"day"`
		Format int `bson:"format"`
	}](ctx, s.db.Collection(metaColl), "rollups|cutoff")
	if doc.Format != rollupFormat {
		return 0, err
	}
	return doc.Day, err
}

// SetRollupCutoff records the cut-off day and the format the rollups are built with.
func (s *MongoStore) SetRollupCutoff(ctx context.Context, day int) error {
	_, err := s.db.Collection(metaColl).UpdateOne(ctx, database.IDFilter("rollups|cutoff"),
		bson.D{{Key: "$set", Value: bson.D{{Key: "day", Value: day}, {Key: "format", Value: rollupFormat}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record the rollups' cut-off day: %w", err)
	}
	return nil
}

// journalEntry is a stored Journal. The keys are one gzipped text, a key a line: a
// batch of an import names 100,000 records, which as a string or an array cost the
// embedded engine seconds to store and delete, and gzipped some 40 ms.
type journalEntry struct {
	ID        string    `bson:"_id"`
	Campaigns []string  `bson:"campaigns"`
	At        time.Time `bson:"at"`
	Actor     string    `bson:"actor,omitempty"`
	Scope     string    `bson:"scope,omitempty"`
	Import    string    `bson:"import,omitempty"`
	Keys      []byte    `bson:"keys,omitempty"`
}

func (e journalEntry) journal() (Journal, error) {
	j := Journal{Campaigns: e.Campaigns, Actor: loa.Actor{Username: e.Actor, Scope: e.Scope}, Import: e.Import}
	if len(e.Keys) == 0 {
		return j, nil
	}
	r, err := gzip.NewReader(bytes.NewReader(e.Keys))
	if err != nil {
		return j, fmt.Errorf("journal entry %s: %w", e.ID, err)
	}
	text, err := io.ReadAll(r)
	if err != nil {
		return j, fmt.Errorf("journal entry %s: %w", e.ID, err)
	}
	j.Keys = strings.Split(string(text), "\n")
	return j, nil
}

// OpenJournal records that a write of records is starting.
func (s *MongoStore) OpenJournal(ctx context.Context, j Journal) (string, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	e := journalEntry{ID: hex.EncodeToString(b), Campaigns: j.Campaigns, At: loa.Stamp(time.Now()), Actor: j.Actor.Username,
		Scope: j.Actor.Scope, Import: j.Import}
	if len(j.Keys) > 0 {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = w.Write([]byte(strings.Join(j.Keys, "\n")))
		if err := w.Close(); err != nil {
			return "", err
		}
		e.Keys = buf.Bytes()
	}
	if _, err := s.db.Collection(journalColl).InsertOne(ctx, e); err != nil {
		return "", fmt.Errorf("open a journal entry: %w", err)
	}
	return e.ID, nil
}

// CloseJournal records that the write reached the rollups and the audit trail.
func (s *MongoStore) CloseJournal(ctx context.Context, id string) error {
	if _, err := s.db.Collection(journalColl).DeleteOne(ctx, database.IDFilter(id)); err != nil {
		return fmt.Errorf("close journal entry %s: %w", id, err)
	}
	return nil
}

// OpenJournals reads the entries left open (a small collection).
func (s *MongoStore) OpenJournals(ctx context.Context) ([]Journal, error) {
	entries, err := database.All[journalEntry](ctx, s.db.Collection(journalColl), bson.D{}, bson.D{{Key: "at", Value: 1}})
	if err != nil {
		return nil, err
	}
	out := make([]Journal, len(entries))
	for i, e := range entries {
		if out[i], err = e.journal(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CloseJournals closes every entry, once their campaigns are recomputed.
func (s *MongoStore) CloseJournals(ctx context.Context) error {
	if _, err := s.db.Collection(journalColl).DeleteMany(ctx, bson.D{}); err != nil {
		return fmt.Errorf("close the journal: %w", err)
	}
	return nil
}

// ManualValues reads a campaign's entered values (a small collection).
func (s *MongoStore) ManualValues(ctx context.Context, campaign string) ([]ManualValue, error) {
	docs, err := database.All[manualValueDoc](ctx, s.db.Collection(manualColl), bson.D{{Key: "campaign", Value: campaign}},
		bson.D{{Key: "_id", Value: 1}})
	if err != nil {
		return nil, err
	}
	return database.ConvertAll(docs, func(d manualValueDoc) ManualValue { return ManualValue(d) }), nil
}

// SaveManualValue upserts an entered value by its natural `_id`.
func (s *MongoStore) SaveManualValue(ctx context.Context, v ManualValue) error {
	if _, err := s.db.Collection(manualColl).ReplaceOne(ctx, database.IDFilter(v.ID), manualValueDoc(v), options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("save manual value %s: %w", v.ID, err)
	}
	return nil
}

// DeleteManualValue removes an entered value.
func (s *MongoStore) DeleteManualValue(ctx context.Context, id string) error {
	res, err := s.db.Collection(manualColl).DeleteOne(ctx, database.IDFilter(id))
	if err != nil {
		return fmt.Errorf("delete manual value %s: %w", id, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w: no manual value %s", loa.ErrNotFound, id)
	}
	return nil
}
