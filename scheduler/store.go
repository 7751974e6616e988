package scheduler

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa/app/database"
	"loa/campaigns"
)

const (
	stationsColl = "stations"
	rulesColl    = "rules"
	airingsColl  = "airings"

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
	return database.All[Station](ctx, s.db.Collection(stationsColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
}

// Station reads one station.
func (s *MongoStore) Station(ctx context.Context, code string) (Station, error) {
	st, found, err := database.ByID[Station](ctx, s.db.Collection(stationsColl), code)
	if err == nil && !found {
		err = fmt.Errorf("%w: no station %s", campaigns.ErrNotFound, code)
	}
	return st, err
}

// InsertStation adds a station; a taken code is a conflict.
func (s *MongoStore) InsertStation(ctx context.Context, st Station) error {
	if _, err := s.db.Collection(stationsColl).InsertOne(ctx, st); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return &campaigns.FieldConflict{Field: "code", Message: "a station with code " + st.Code + " exists"}
		}
		return fmt.Errorf("insert station: %w", err)
	}
	_, err := s.bump(ctx, stationsColl)
	return err
}

// ReplaceStation overwrites a station.
func (s *MongoStore) ReplaceStation(ctx context.Context, st Station) error {
	if _, err := s.db.Collection(stationsColl).ReplaceOne(ctx, byID(st.Code), st); err != nil {
		return fmt.Errorf("replace station: %w", err)
	}
	_, err := s.bump(ctx, stationsColl)
	return err
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
	return database.All[Rule](ctx, s.db.Collection(rulesColl), bson.D{}, bson.D{{Key: "_id", Value: 1}})
}

// Rule reads one rule.
func (s *MongoStore) Rule(ctx context.Context, id string) (Rule, error) {
	r, found, err := database.ByID[Rule](ctx, s.db.Collection(rulesColl), id)
	if err == nil && !found {
		err = fmt.Errorf("%w: no slot rule %s", campaigns.ErrNotFound, id)
	}
	return r, err
}

// InsertRule adds a rule.
func (s *MongoStore) InsertRule(ctx context.Context, r Rule) error {
	if _, err := s.db.Collection(rulesColl).InsertOne(ctx, r); err != nil {
		return fmt.Errorf("insert rule: %w", err)
	}
	_, err := s.bump(ctx, rulesColl)
	return err
}

// ReplaceRule overwrites a rule.
func (s *MongoStore) ReplaceRule(ctx context.Context, r Rule) error {
	if _, err := s.db.Collection(rulesColl).ReplaceOne(ctx, byID(r.ID), r); err != nil {
		return fmt.Errorf("replace rule: %w", err)
	}
	_, err := s.bump(ctx, rulesColl)
	return err
}

// LockRules serialises rule saves within the process.
func (s *MongoStore) LockRules() func() { return s.db.Locks().Lock(rulesColl + "|save") }

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
