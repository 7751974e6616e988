package scheduler

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa"
	"loa/app/database"
)

// Airings are stored in packs: one document per station and (UTC) year of their
// slot, holding that station-year's airings as one deflated blob. The
// embedded engine spends about 100 µs on every document it stores or returns, and
// more on every field (docs/ferretdb.md), so a year of the demo province (≈ 30,000
// airings) is 262 documents to read and write instead of 30,000. An airing's ID
// names its station and slot, so it belongs to exactly one pack; a pack holds each
// ID once, and a write of a pack applies only over the pack's Rev it read, which is
// what the per-airing natural keys and Rev filters guaranteed before.
const (
	packsColl = "airingPacks"
	// airingsVersion is the version key every write of airings bumps.
	airingsVersion = "airings"
	// legacyAiringsColl held one document per airing before packs; see
	// PackLegacyAirings.
	legacyAiringsColl = "airings"
	// maxPackBytes bounds a pack's deflated airings, below the 16 MiB a document
	// may have on MongoDB. At about 20 bytes an airing once deflated it takes
	// hundreds of thousands of airings at one station in one year; the rules'
	// limits (24 a day each) keep real stations far below.
	maxPackBytes = 12 << 20
	// casAttempts bounds the retries of a pack's compare-and-swap on a shared
	// MongoDB, where another replica may write the same pack at once.
	casAttempts = 8
)

// packDoc is a stored pack.
type packDoc struct {
	ID      string `bson:"_id"` // packID
	Station string `bson:"station"`
	Year    int    `bson:"year"`
	// Rev counts the pack's writes: a write applies only over the Rev it read.
	Rev   int64 `bson:"rev"`
	Count int   `bson:"count"`
	// Airings is the deflated gob of []airingDoc, ordered by ID.
	Airings []byte `bson:"airings"`
}

// packID names the pack of the airing at station whose slot falls in year.
func packID(station string, year int) string { return station + "|" + strconv.Itoa(year) }

func packOf(a Airing) (id, station string, year int) {
	year = a.Slot.UTC().Year()
	return packID(a.Station, year), a.Station, year
}

var (
	deflaters = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flate.BestSpeed); return w }}
	inflaters = sync.Pool{New: func() any { return flate.NewReader(nil) }}
)

// packAirings deflates the gob of airings, ordered by ID. Gob, not BSON: it
// decodes a year of the demo province about three times faster. It names the
// fields by their Go names, so airingDoc's field names are stored names too.
func packAirings(airings map[string]airingDoc, limit int) ([]byte, error) {
	ids := slices.Sorted(maps.Keys(airings))
	docs := make([]airingDoc, len(ids))
	for i, id := range ids {
		docs[i] = airings[id]
	}
	var buf bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	if err := gob.NewEncoder(w).Encode(docs); err != nil {
		return nil, fmt.Errorf("encode airings: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > limit {
		return nil, fmt.Errorf("%d airings take %d bytes once packed, over the %d a station may have in one year", len(ids), buf.Len(), limit)
	}
	return buf.Bytes(), nil
}

// unpack inflates a pack's airings.
func (d packDoc) unpack() ([]airingDoc, error) {
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(d.Airings), nil); err != nil {
		return nil, err
	}
	var docs []airingDoc
	if err := gob.NewDecoder(r).Decode(&docs); err != nil {
		return nil, fmt.Errorf("decode airings of %s: %w", d.ID, err)
	}
	return docs, nil
}

// packed is a as a pack keeps it: times in UTC to the millisecond, as MongoDB
// keeps a date.
func packed(a Airing) airingDoc {
	a.Slot, a.Start, a.End, a.UpdatedAt = loa.Stamp(a.Slot), loa.Stamp(a.Start), loa.Stamp(a.End), loa.Stamp(a.UpdatedAt)
	for _, t := range []**time.Time{&a.PublishedAt, &a.DeliveredAt, &a.ConfirmedAt} {
		if *t != nil {
			s := loa.Stamp(**t)
			*t = &s
		}
	}
	return airingDoc(a)
}

// AiringsVersion is bumped by every write of airings.
func (s *MongoStore) AiringsVersion(ctx context.Context) (int64, error) {
	return s.version(ctx, airingsVersion)
}

// Airings reads every airing: a background read that builds the calendar.
func (s *MongoStore) Airings(ctx context.Context) ([]Airing, error) {
	packs, err := database.All[packDoc](ctx, s.db.Collection(packsColl), bson.D{}, nil)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, p := range packs {
		n += p.Count
	}
	out := make([]Airing, 0, n)
	for _, p := range packs {
		docs, err := p.unpack()
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out = append(out, d.airing())
		}
	}
	return out, nil
}

// InsertAirings adds the airings whose ID no pack holds yet; the others (another
// run made them) are skipped.
func (s *MongoStore) InsertAirings(ctx context.Context, as []Airing) ([]Airing, int64, error) {
	return s.writeAirings(ctx, as, func(stored map[string]airingDoc, a Airing) bool {
		_, taken := stored[a.ID]
		return !taken
	})
}

// ReplaceAirings overwrites the airings whose stored Rev is the one before theirs;
// the others changed meanwhile and are skipped.
func (s *MongoStore) ReplaceAirings(ctx context.Context, as []Airing) ([]Airing, int64, error) {
	return s.writeAirings(ctx, as, func(stored map[string]airingDoc, a Airing) bool {
		old, ok := stored[a.ID]
		return ok && old.Rev == a.Rev-1
	})
}

// writeAirings stores, pack by pack, the airings of as that applies accepts given
// what the pack holds, and bumps the version when any were stored.
func (s *MongoStore) writeAirings(ctx context.Context, as []Airing, applies func(stored map[string]airingDoc, a Airing) bool) ([]Airing, int64, error) {
	done, err := s.writePacks(ctx, as, applies)
	if err != nil {
		return nil, 0, err
	}
	v, err := s.written(ctx, airingsVersion, len(done))
	return done, v, err
}

// pending is one pack's share of a write.
type pending struct {
	id, station string
	year        int
	idx         []int    // its airings: indices in the write's list
	read        *packDoc // the pack as stored, when read already
}

// writePacks groups as by pack and writes each pack that changes: the packs new to
// the database in unordered batches, the others one by one over the Rev read.
func (s *MongoStore) writePacks(ctx context.Context, as []Airing, applies func(stored map[string]airingDoc, a Airing) bool) ([]Airing, error) {
	var order []*pending
	byID := map[string]*pending{}
	for i, a := range as {
		id, station, year := packOf(a)
		p := byID[id]
		if p == nil {
			p = &pending{id: id, station: station, year: year}
			byID[id], order = p, append(order, p)
		}
		p.idx = append(p.idx, i)
	}
	var applied []int
	var fresh []packDoc
	var freshApplied [][]int
	var stored []*pending
	for _, p := range order {
		old, found, err := database.ByID[packDoc](ctx, s.db.Collection(packsColl), p.id)
		if err != nil {
			return nil, err
		}
		if found {
			p.read = &old
			stored = append(stored, p)
			continue
		}
		next, in, err := p.merge(as, packDoc{ID: p.id, Station: p.station, Year: p.year}, applies, s.packLimit)
		if err != nil {
			return nil, err
		}
		if len(in) > 0 {
			fresh, freshApplied = append(fresh, next), append(freshApplied, in)
		}
	}
	taken, err := s.insertPacks(ctx, fresh)
	if err != nil {
		return nil, err
	}
	for i, in := range freshApplied {
		if taken[i] {
			stored = append(stored, byID[fresh[i].ID]) // another replica made it meanwhile
			continue
		}
		applied = append(applied, in...)
	}
	for _, p := range stored {
		in, err := s.updatePack(ctx, as, p, applies)
		if err != nil {
			return nil, err
		}
		applied = append(applied, in...)
	}
	done := make([]Airing, len(applied))
	for i, j := range applied {
		done[i] = as[j]
	}
	return done, nil
}

// merge applies p's airings (of as) to the stored pack old and returns the pack
// to write (its Rev one more) and the indices of the airings applied; nothing
// applied writes nothing.
func (p *pending) merge(as []Airing, old packDoc, applies func(stored map[string]airingDoc, a Airing) bool, limit int) (packDoc, []int, error) {
	var docs []airingDoc
	if old.Airings != nil {
		var err error
		if docs, err = old.unpack(); err != nil {
			return packDoc{}, nil, err
		}
	}
	stored := make(map[string]airingDoc, len(docs)+len(p.idx))
	for _, d := range docs {
		stored[d.ID] = d
	}
	var applied []int
	for _, i := range p.idx {
		if applies(stored, as[i]) {
			stored[as[i].ID] = packed(as[i])
			applied = append(applied, i)
		}
	}
	if len(applied) == 0 {
		return old, nil, nil
	}
	blob, err := packAirings(stored, limit)
	if err != nil {
		return packDoc{}, nil, fmt.Errorf("station %s in %d: %w", p.station, p.year, err)
	}
	next := old
	next.Rev, next.Count, next.Airings = old.Rev+1, len(stored), blob
	return next, applied, nil
}

// insertPacks inserts new packs in unordered batches (exact on both engines) and
// reports those whose `_id` was taken.
func (s *MongoStore) insertPacks(ctx context.Context, packs []packDoc) (map[int]bool, error) {
	taken := map[int]bool{}
	for start := 0; start < len(packs); start += insertBatch {
		batch := packs[start:min(start+insertBatch, len(packs))]
		_, err := s.db.Collection(packsColl).InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
			for _, we := range bwe.WriteErrors {
				if !mongo.IsDuplicateKeyError(we) {
					return nil, fmt.Errorf("insert airing packs: %w", err)
				}
				taken[start+we.Index] = true
			}
		default:
			return nil, fmt.Errorf("insert airing packs: %w", err)
		}
	}
	return taken, nil
}

// updatePack reads p's pack (unless p holds it), merges p into it and writes it
// back over the Rev read. On a shared MongoDB the filter checks that Rev, and a pack
// another replica wrote meanwhile is read and merged again; on the embedded engine
// only `_id` filters use an index, so the filter is `_id` alone and the airings
// lock, held by the caller in the engine's only writing process, keeps the Rev.
func (s *MongoStore) updatePack(ctx context.Context, as []Airing, p *pending, applies func(stored map[string]airingDoc, a Airing) bool) ([]int, error) {
	coll := s.db.Collection(packsColl)
	for range casAttempts {
		old, found, err := packDoc{}, false, error(nil)
		if p.read != nil {
			old, found, p.read = *p.read, true, nil
		} else if old, found, err = database.ByID[packDoc](ctx, coll, p.id); err != nil {
			return nil, err
		}
		if !found {
			old = packDoc{ID: p.id, Station: p.station, Year: p.year}
		}
		next, applied, err := p.merge(as, old, applies, s.packLimit)
		if err != nil || len(applied) == 0 {
			return nil, err
		}
		if !found {
			_, err := coll.InsertOne(ctx, next)
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("insert airing pack %s: %w", p.id, err)
			}
			return applied, nil
		}
		filter := database.IDFilter(p.id)
		if !s.db.Embedded() {
			filter = append(filter, bson.E{Key: "rev", Value: old.Rev})
		}
		res, err := coll.ReplaceOne(ctx, filter, next)
		if err != nil {
			return nil, fmt.Errorf("replace airing pack %s: %w", p.id, err)
		}
		if res.MatchedCount == 1 {
			return applied, nil
		}
	}
	return nil, fmt.Errorf("airing pack %s: changed by others %d times in a row", p.id, casAttempts)
}

// PackLegacyAirings moves the airings an earlier Loa stored one document each into
// packs, keeping those a pack holds already (a move cut short), then drops their
// collection. It returns how many airings it moved.
func (s *MongoStore) PackLegacyAirings(ctx context.Context) (int, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("list collections: %w", err)
	}
	if !slices.Contains(names, legacyAiringsColl) {
		return 0, nil
	}
	legacy := s.db.Collection(legacyAiringsColl)
	docs, err := database.All[airingDoc](ctx, legacy, bson.D{}, nil)
	if err != nil {
		return 0, err
	}
	done, _, err := s.InsertAirings(ctx, database.ConvertAll(docs, airingDoc.airing))
	if err != nil {
		return 0, err
	}
	if err := legacy.Drop(ctx); err != nil {
		return 0, fmt.Errorf("drop %s: %w", legacyAiringsColl, err)
	}
	return len(done), nil
}
