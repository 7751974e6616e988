package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa"
	"loa/app/database"
)

const (
	stationsColl = "stations"
	rulesColl    = "rules"
	airingsColl  = "airings"
	receiptsColl = "receipts"

	insertBatch = 1000
)

// Schema lists the collections this package owns. Airings are keyed by (rule,
// station, slot) twice over: their natural `_id`, and a unique index on the fields.
var Schema = []database.Collection{
	{Name: stationsColl},
	{Name: rulesColl},
	{Name: airingsColl, Indexes: []mongo.IndexModel{{
		Keys:    bson.D{{Key: "rule", Value: 1}, {Key: "station", Value: 1}, {Key: "slot", Value: 1}},
		Options: options.Index().SetUnique(true),
	}}},
	{Name: receiptsColl},
}

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db *database.DB
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore { return &MongoStore{db: db} }

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

func (s *MongoStore) version(ctx context.Context, coll string) (int64, error) {
	return s.db.Versions().Get(ctx, coll)
}

func (s *MongoStore) bump(ctx context.Context, coll string) (int64, error) {
	return s.db.Versions().Bump(ctx, coll)
}

// StationsVersion is bumped by every write of stations.
func (s *MongoStore) StationsVersion(ctx context.Context) (int64, error) {
	return s.version(ctx, stationsColl)
}

// Stations reads every station (a few hundred), ordered by code.
func (s *MongoStore) Stations(ctx context.Context) ([]Station, error) {
	return all[Station](ctx, s, stationsColl)
}

// Station reads one station.
func (s *MongoStore) Station(ctx context.Context, code string) (Station, error) {
	return one[Station](ctx, s, stationsColl, code, "station")
}

// InsertStation adds a station; a taken code is a conflict.
func (s *MongoStore) InsertStation(ctx context.Context, st Station) error {
	err := s.insert(ctx, stationsColl, st)
	if mongo.IsDuplicateKeyError(err) {
		return &loa.FieldConflict{Field: "code", Message: "a station with code " + st.Code + " exists"}
	}
	return err
}

// ReplaceStation overwrites a station.
func (s *MongoStore) ReplaceStation(ctx context.Context, st Station) error {
	return s.replace(ctx, stationsColl, st.Code, st)
}

// LockStation serialises read-modify-write of one station.
func (s *MongoStore) LockStation(code string) func() {
	return s.db.Locks().Lock(stationsColl + "|" + code)
}

// RulesVersion is bumped by every write of rules.
func (s *MongoStore) RulesVersion(ctx context.Context) (int64, error) {
	return s.version(ctx, rulesColl)
}

// Rules reads every rule, ordered by ID.
func (s *MongoStore) Rules(ctx context.Context) ([]Rule, error) {
	return all[Rule](ctx, s, rulesColl)
}

// Rule reads one rule.
func (s *MongoStore) Rule(ctx context.Context, id string) (Rule, error) {
	return one[Rule](ctx, s, rulesColl, id, "slot rule")
}

// InsertRule adds a rule.
func (s *MongoStore) InsertRule(ctx context.Context, r Rule) error {
	return s.insert(ctx, rulesColl, r)
}

// ReplaceRule overwrites a rule.
func (s *MongoStore) ReplaceRule(ctx context.Context, r Rule) error {
	return s.replace(ctx, rulesColl, r.ID, r)
}

// LockRules serialises rule saves within the process.
func (s *MongoStore) LockRules() func() { return s.db.Locks().Lock(rulesColl + "|save") }

// all reads a small collection whole, ordered by `_id`.
func all[T any](ctx context.Context, s *MongoStore, coll string) ([]T, error) {
	return database.All[T](ctx, s.db.Collection(coll), bson.D{}, bson.D{{Key: "_id", Value: 1}})
}

// one reads a document by `_id`; what names it in the not-found error.
func one[T any](ctx context.Context, s *MongoStore, coll, id, what string) (T, error) {
	doc, found, err := database.ByID[T](ctx, s.db.Collection(coll), id)
	if err == nil && !found {
		err = fmt.Errorf("%w: no %s %s", loa.ErrNotFound, what, id)
	}
	return doc, err
}

// insert adds a document to a versioned collection and bumps its version; a
// duplicate key comes back as the driver's error.
func (s *MongoStore) insert(ctx context.Context, coll string, doc any) error {
	if _, err := s.db.Collection(coll).InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return err
		}
		return fmt.Errorf("insert into %s: %w", coll, err)
	}
	_, err := s.bump(ctx, coll)
	return err
}

// replace overwrites a document of a versioned collection and bumps its version.
func (s *MongoStore) replace(ctx context.Context, coll, id string, doc any) error {
	if _, err := s.db.Collection(coll).ReplaceOne(ctx, byID(id), doc); err != nil {
		return fmt.Errorf("replace in %s: %w", coll, err)
	}
	_, err := s.bump(ctx, coll)
	return err
}

// AiringsVersion is bumped by every write of airings.
func (s *MongoStore) AiringsVersion(ctx context.Context) (int64, error) {
	return s.version(ctx, airingsColl)
}

// Airings reads every airing: a background read that builds the calendar.
func (s *MongoStore) Airings(ctx context.Context) ([]Airing, error) {
	return database.All[Airing](ctx, s.db.Collection(airingsColl), bson.D{}, nil)
}

// InsertAirings inserts in unordered batches (exact on both engines) and skips
// the airings whose key exists.
func (s *MongoStore) InsertAirings(ctx context.Context, as []Airing) ([]Airing, int64, error) {
	var done []Airing
	for start := 0; start < len(as); start += insertBatch {
		batch := as[start:min(start+insertBatch, len(as))]
		_, err := s.db.Collection(airingsColl).InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
		dup := map[int]bool{}
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
			for _, we := range bwe.WriteErrors {
				if !mongo.IsDuplicateKeyError(we) {
					return nil, 0, fmt.Errorf("insert airings: %w", err)
				}
				dup[we.Index] = true
			}
		default:
			return nil, 0, fmt.Errorf("insert airings: %w", err)
		}
		for i, a := range batch {
			if !dup[i] {
				done = append(done, a)
			}
		}
	}
	if len(done) == 0 {
		v, err := s.version(ctx, airingsColl)
		return nil, v, err
	}
	v, err := s.bump(ctx, airingsColl)
	return done, v, err
}

// ReplaceAirings overwrites airings whose stored Rev is the one before theirs. On
// a shared MongoDB the filter checks it; on the embedded engine only `_id` filters
// use an index, so the filter is `_id` alone and the service checks the Rev under
// its lock (the process is the engine's only writer).
func (s *MongoStore) ReplaceAirings(ctx context.Context, as []Airing) ([]Airing, int64, error) {
	var done []Airing
	coll := s.db.Collection(airingsColl)
	for _, a := range as {
		filter := byID(a.ID)
		if !s.db.Embedded() {
			filter = append(filter, bson.E{Key: "rev", Value: a.Rev - 1})
		}
		res, err := coll.ReplaceOne(ctx, filter, a)
		if err != nil {
			return nil, 0, fmt.Errorf("replace airing %s: %w", a.ID, err)
		}
		if res.MatchedCount == 1 {
			done = append(done, a)
		}
	}
	if len(done) == 0 {
		v, err := s.version(ctx, airingsColl)
		return nil, v, err
	}
	v, err := s.bump(ctx, airingsColl)
	return done, v, err
}

// LockAirings serialises writes of airings within the process.
func (s *MongoStore) LockAirings() func() { return s.db.Locks().Lock(airingsColl + "|write") }

func receiptID(station, clientID string) string { return station + "|" + clientID }

// Receipt reads the receipt station|clientID by `_id`.
func (s *MongoStore) Receipt(ctx context.Context, station, clientID string) (bool, error) {
	_, found, err := database.ByID[bson.M](ctx, s.db.Collection(receiptsColl), receiptID(station, clientID))
	return found, err
}

// AddReceipt inserts the receipt station|clientID; one already there is kept.
func (s *MongoStore) AddReceipt(ctx context.Context, station, clientID, airing string, at time.Time) error {
	_, err := s.db.Collection(receiptsColl).InsertOne(ctx, bson.D{{Key: "_id", Value: receiptID(station, clientID)},
		{Key: "airing", Value: airing}, {Key: "at", Value: at}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("record confirmation %s of %s: %w", clientID, station, err)
	}
	return nil
}
