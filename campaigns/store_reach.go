package campaigns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa/app/database"
)

const (
	rollupsColl = "rollups"
	journalColl = "reach_journal"
	manualColl  = "manual_values"

	insertBatch = 1000
	readWorkers = 4
)

// rollupDoc is one half-month of a campaign's rollups; cells are keyed
// "unit|group|activity" (codes hold no '.' and never start with '$').
type rollupDoc struct {
	ID       string          `bson:"_id"` // campaign|YYYY-MM|part
	Campaign string          `bson:"campaign"`
	Month    string          `bson:"month"`
	Part     int             `bson:"part"`
	Cutoff   int             `bson:"cutoff"`
	Cells    map[string]Cell `bson:"cells"`
}

func rollupID(campaign, month string, part int) string {
	return campaign + "|" + month + "|" + strconv.Itoa(part)
}

func cellField(k CellKey) string { return k.OrgUnit + "|" + k.Group + "|" + k.Activity }

// rollupDocs groups cells into their half-month documents.
func rollupDocs(campaign string, cutoff int, cells map[CellKey]Cell) map[string]*rollupDoc {
	docs := map[string]*rollupDoc{}
	for k, c := range cells {
		id := rollupID(campaign, k.Month, k.Part)
		d := docs[id]
		if d == nil {
			d = &rollupDoc{ID: id, Campaign: campaign, Month: k.Month, Part: k.Part, Cutoff: cutoff, Cells: map[string]Cell{}}
			docs[id] = d
		}
		d.Cells[cellField(k)] = c
	}
	return docs
}

func rollupsVersion(campaign string) string { return rollupsColl + "|" + campaign }

// LockReach serialises writes of one record within the process.
func (s *MongoStore) LockReach(id string) func() { return s.db.Locks().Lock(reachColl + "|" + id) }

// Reach reads one reach record.
func (s *MongoStore) Reach(ctx context.Context, id string) (Reach, error) {
	r, found, err := database.ByID[Reach](ctx, s.db.Collection(reachColl), id)
	if err == nil && !found {
		err = fmt.Errorf("%w: no reach record %s", ErrNotFound, id)
	}
	return r, err
}

// ReachByIDs reads the stored records among ids by `_id`, a few lookups at a time
// (the one indexed read on the embedded engine; `$in` would scan).
func (s *MongoStore) ReachByIDs(ctx context.Context, ids []string) (map[string]Reach, error) {
	out := make(map[string]Reach)
	var mu sync.Mutex
	var firstErr error
	next := make(chan string)
	var wg sync.WaitGroup
	for range readWorkers {
		wg.Go(func() {
			for id := range next {
				r, found, err := database.ByID[Reach](ctx, s.db.Collection(reachColl), id)
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = err
				case found:
					out[id] = r
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

// InsertReach inserts records in unordered batches (exact on both engines) and
// returns the positions of those whose key is already stored.
func (s *MongoStore) InsertReach(ctx context.Context, rs []Reach) ([]int, error) {
	var existing []int
	for start := 0; start < len(rs); start += insertBatch {
		batch := rs[start:min(start+insertBatch, len(rs))]
		_, err := s.db.Collection(reachColl).InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
			for _, we := range bwe.WriteErrors {
				if !mongo.IsDuplicateKeyError(we) {
					return nil, fmt.Errorf("insert reach: %w", err)
				}
				existing = append(existing, start+we.Index)
			}
		default:
			return nil, fmt.Errorf("insert reach: %w", err)
		}
	}
	return existing, nil
}

// ReplaceReach upserts records by their natural `_id`.
func (s *MongoStore) ReplaceReach(ctx context.Context, rs []Reach) error {
	for start := 0; start < len(rs); start += insertBatch {
		batch := rs[start:min(start+insertBatch, len(rs))]
		models := make([]mongo.WriteModel, len(batch))
		for i, r := range batch {
			models[i] = mongo.NewReplaceOneModel().SetFilter(byID(r.ID)).SetReplacement(r).SetUpsert(true)
		}
		if _, err := s.db.Collection(reachColl).BulkWrite(ctx, models); err != nil {
			return fmt.Errorf("save reach: %w", err)
		}
	}
	return nil
}

// DeleteReach removes a reach record; a missing one is no error.
func (s *MongoStore) DeleteReach(ctx context.Context, id string) error {
	if _, err := s.db.Collection(reachColl).DeleteOne(ctx, byID(id)); err != nil {
		return fmt.Errorf("delete reach %s: %w", id, err)
	}
	return nil
}

// reachFilter is f as a query. On the embedded engine it scans the collection; on
// MongoDB the (campaign, orgUnit, date) index serves it.
func reachFilter(f ReachFilter) bson.D {
	q := bson.D{{Key: "campaign", Value: f.Campaign}}
	if f.Scope != "" && f.Scope != AllUnits {
		q = append(q, bson.E{Key: "path", Value: f.Scope})
	}
	for _, e := range []struct{ key, value string }{{"group", f.Group}, {"activity", f.Activity}} {
		if e.value != "" {
			q = append(q, bson.E{Key: e.key, Value: e.value})
		}
	}
	dates := bson.D{}
	if f.From != "" {
		dates = append(dates, bson.E{Key: "$gte", Value: f.From})
	}
	if f.To != "" {
		dates = append(dates, bson.E{Key: "$lte", Value: f.To})
	}
	if len(dates) > 0 {
		q = append(q, bson.E{Key: "date", Value: dates})
	}
	return q
}

// ListReach reads up to limit records f selects, by key, after the key after.
func (s *MongoStore) ListReach(ctx context.Context, f ReachFilter, after string, limit int) ([]Reach, error) {
	q := reachFilter(f)
	if after != "" {
		q = append(q, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}})
	}
	cur, err := s.db.Collection(reachColl).Find(ctx, q,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("list reach: %w", err)
	}
	out := []Reach{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read reach: %w", err)
	}
	return out, nil
}

// EachReach streams a campaign's records to f.
func (s *MongoStore) EachReach(ctx context.Context, campaign string, f func(Reach)) error {
	cur, err := s.db.Collection(reachColl).Find(ctx, bson.D{{Key: "campaign", Value: campaign}})
	if err != nil {
		return fmt.Errorf("read the reach of %s: %w", campaign, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var r Reach
		if err := cur.Decode(&r); err != nil {
			return fmt.Errorf("read the reach of %s: %w", campaign, err)
		}
		f(r)
	}
	return cur.Err()
}

// Rollups reads a campaign's rollup cells (a few dozen documents a year).
func (s *MongoStore) Rollups(ctx context.Context, campaign string) (map[CellKey]Cell, error) {
	docs, err := database.All[rollupDoc](ctx, s.db.Collection(rollupsColl), bson.D{{Key: "campaign", Value: campaign}}, nil)
	if err != nil {
		return nil, err
	}
	cells := map[CellKey]Cell{}
	for _, d := range docs {
		for field, c := range d.Cells {
			unit, rest, _ := strings.Cut(field, "|")
			group, activity, _ := strings.Cut(rest, "|")
			if c != (Cell{}) {
				cells[CellKey{Month: d.Month, Part: d.Part, OrgUnit: unit, Group: group, Activity: activity}] = c
			}
		}
	}
	return cells, nil
}

// IncRollups adds cells to the stored rollups with one `$inc` upsert per
// half-month, serialised per document within the process (the embedded engine's
// updates are not atomic; MongoDB's `$inc` is).
func (s *MongoStore) IncRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error {
	for id, d := range rollupDocs(campaign, cutoff, cells) {
		inc := bson.D{}
		for field, c := range d.Cells {
			for _, f := range []struct {
				name string
				n    int64
			}{{"n", c.Records}, {"a", c.Activities}, {"p", c.PersonTimes}, {"u", c.UniquePersons}, {"k", c.UniqueKnown}, {"e", c.Estimated}} {
				if f.n != 0 {
					inc = append(inc, bson.E{Key: "cells." + field + "." + f.name, Value: f.n})
				}
			}
		}
		if len(inc) == 0 {
			continue
		}
		update := bson.D{
			{Key: "$set", Value: bson.D{{Key: "campaign", Value: campaign}, {Key: "month", Value: d.Month}, {Key: "part", Value: d.Part}, {Key: "cutoff", Value: cutoff}}},
			{Key: "$inc", Value: inc},
		}
		unlock := s.db.Locks().Lock(rollupsColl + "|" + id)
		_, err := s.db.Collection(rollupsColl).UpdateOne(ctx, byID(id), update, options.UpdateOne().SetUpsert(true))
		unlock()
		if err != nil {
			return fmt.Errorf("update rollup %s: %w", id, err)
		}
	}
	return nil
}

// ReplaceRollups replaces all of a campaign's rollups with cells.
func (s *MongoStore) ReplaceRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error {
	if _, err := s.db.Collection(rollupsColl).DeleteMany(ctx, bson.D{{Key: "campaign", Value: campaign}}); err != nil {
		return fmt.Errorf("delete the rollups of %s: %w", campaign, err)
	}
	var docs []any
	for _, d := range rollupDocs(campaign, cutoff, cells) {
		docs = append(docs, d)
	}
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

// RollupCutoff is the cut-off day the stored rollups were built with (0 before any).
func (s *MongoStore) RollupCutoff(ctx context.Context) (int, error) {
	doc, _, err := database.ByID[struct {
		Day int `bson:"day"`
	}](ctx, s.db.Collection(metaColl), "rollups|cutoff")
	return doc.Day, err
}

// SetRollupCutoff records the cut-off day the rollups are built with.
func (s *MongoStore) SetRollupCutoff(ctx context.Context, day int) error {
	_, err := s.db.Collection(metaColl).UpdateOne(ctx, byID("rollups|cutoff"),
		bson.D{{Key: "$set", Value: bson.D{{Key: "day", Value: day}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record the rollups' cut-off day: %w", err)
	}
	return nil
}

type journalEntry struct {
	ID        string    `bson:"_id"`
	Campaigns []string  `bson:"campaigns"`
	At        time.Time `bson:"at"`
}

// OpenJournal records that a write of the campaigns' records is starting.
func (s *MongoStore) OpenJournal(ctx context.Context, campaigns []string) (string, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	e := journalEntry{ID: hex.EncodeToString(b), Campaigns: campaigns, At: time.Now().UTC().Truncate(time.Millisecond)}
	if _, err := s.db.Collection(journalColl).InsertOne(ctx, e); err != nil {
		return "", fmt.Errorf("open a journal entry: %w", err)
	}
	return e.ID, nil
}

// CloseJournal records that the write reached the rollups.
func (s *MongoStore) CloseJournal(ctx context.Context, id string) error {
	if _, err := s.db.Collection(journalColl).DeleteOne(ctx, byID(id)); err != nil {
		return fmt.Errorf("close journal entry %s: %w", id, err)
	}
	return nil
}

// OpenJournals lists the campaigns of the entries left open (a small collection).
func (s *MongoStore) OpenJournals(ctx context.Context) ([]string, error) {
	entries, err := database.All[journalEntry](ctx, s.db.Collection(journalColl), bson.D{}, nil)
	var out []string
	for _, e := range entries {
		out = append(out, e.Campaigns...)
	}
	return out, err
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
	return database.All[ManualValue](ctx, s.db.Collection(manualColl), bson.D{{Key: "campaign", Value: campaign}},
		bson.D{{Key: "_id", Value: 1}})
}

// SaveManualValue upserts an entered value by its natural `_id`.
func (s *MongoStore) SaveManualValue(ctx context.Context, v ManualValue) error {
	if _, err := s.db.Collection(manualColl).ReplaceOne(ctx, byID(v.ID), v, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("save manual value %s: %w", v.ID, err)
	}
	return nil
}

// DeleteManualValue removes an entered value.
func (s *MongoStore) DeleteManualValue(ctx context.Context, id string) error {
	res, err := s.db.Collection(manualColl).DeleteOne(ctx, byID(id))
	if err != nil {
		return fmt.Errorf("delete manual value %s: %w", id, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("%w: no manual value %s", ErrNotFound, id)
	}
	return nil
}
