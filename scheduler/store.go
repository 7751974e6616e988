package scheduler

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"loa"
	"loa/app/database"
)

const (
	stationsColl = "stations"
	rulesColl    = "rules"
	receiptsColl = "receipts"

	insertBatch = 1000
)

// Schema lists the collections this package owns. Airings live in packs by
// station and year (store_calendar.go).
var Schema = []database.Collection{
	{Name: stationsColl},
	{Name: rulesColl},
	{Name: packsColl},
	{Name: receiptsColl},
}

// The documents below are how stations, rules and airings are stored; their field
// names are the stored ones and must not change. Stations and rules keep their
// timestamps in a sub-document.

// timestampsDoc is a stored Timestamps.
type timestampsDoc struct {
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// stationDoc is a stored station.
type stationDoc struct {
	Code       string        `bson:"_id"`
	Name       string        `bson:"name"`
	Channel    string        `bson:"channel"`
	OrgUnit    string        `bson:"orgUnit"`
	Earlier    []assignDoc   `bson:"earlier,omitempty"`
	Languages  []string      `bson:"languages"`
	Audience   audienceDoc   `bson:"audience"`
	Active     bool          `bson:"active"`
	SearchKey  string        `bson:"searchKey"`
	Timestamps timestampsDoc `bson:"timestamps"`
}

// assignDoc is a unit a station belonged to before a move.
type assignDoc struct {
	OrgUnit string   `bson:"orgUnit"`
	Until   loa.Date `bson:"until"`
}

type audienceDoc struct {
	People int    `bson:"people"`
	Source string `bson:"source"`
}

func stationDocOf(st Station) stationDoc {
	return stationDoc{Code: st.Code, Name: st.Name, Channel: st.Channel, OrgUnit: st.OrgUnit,
		Earlier: database.ConvertAll(st.Earlier, func(a Assignment) assignDoc { return assignDoc(a) }), Languages: st.Languages,
		Audience: audienceDoc(st.Audience), Active: st.Active, SearchKey: st.SearchKey, Timestamps: timestampsDoc(st.Timestamps)}
}

func (d stationDoc) station() Station {
	return Station{Code: d.Code, Name: d.Name, Channel: d.Channel, OrgUnit: d.OrgUnit,
		Earlier: database.ConvertAll(d.Earlier, func(a assignDoc) Assignment { return Assignment(a) }), Languages: d.Languages,
		Audience: Audience(d.Audience), Active: d.Active, SearchKey: d.SearchKey, Timestamps: Timestamps(d.Timestamps)}
}

// ruleDoc is a stored slot rule.
type ruleDoc struct {
	ID              string        `bson:"_id"`
	Campaign        string        `bson:"campaign"`
	Title           string        `bson:"title"`
	Stations        selectorDoc   `bson:"stations"`
	RRule           string        `bson:"rrule,omitempty"`
	Cron            string        `bson:"cron,omitempty"`
	StartDate       loa.Date      `bson:"startDate"`
	Until           *loa.Date     `bson:"until"`
	ExDates         []string      `bson:"exdates"`
	DurationSeconds int           `bson:"durationSeconds"`
	Groups          []string      `bson:"groups"`
	Pool            poolDoc       `bson:"pool"`
	Priority        int           `bson:"priority"`
	Active          bool          `bson:"active"`
	Version         int           `bson:"version"`
	CreatedBy       string        `bson:"createdBy"`
	Timestamps      timestampsDoc `bson:"timestamps"`
}

type selectorDoc struct {
	Codes   []string `bson:"codes,omitempty"`
	Channel string   `bson:"channel,omitempty"`
	Under   string   `bson:"under,omitempty"`
}

type poolDoc struct {
	Items    []string `bson:"items,omitempty"`
	Kinds    []string `bson:"kinds,omitempty"`
	Groups   []string `bson:"groups,omitempty"`
	Tags     []string `bson:"tags,omitempty"`
	Campaign string   `bson:"campaign,omitempty"`
}

func ruleDocOf(r Rule) ruleDoc {
	return ruleDoc{ID: r.ID, Campaign: r.Campaign, Title: r.Title, Stations: selectorDoc(r.Stations), RRule: r.RRule, Cron: r.Cron,
		StartDate: r.StartDate, Until: r.Until, ExDates: r.ExDates, DurationSeconds: r.DurationSeconds, Groups: r.Groups,
		Pool: poolDoc(r.Pool), Priority: r.Priority, Active: r.Active, Version: r.Version, CreatedBy: r.CreatedBy,
		Timestamps: timestampsDoc(r.Timestamps)}
}

func (d ruleDoc) rule() Rule {
	return Rule{ID: d.ID, Campaign: d.Campaign, Title: d.Title, Stations: StationSelector(d.Stations), RRule: d.RRule, Cron: d.Cron,
		StartDate: d.StartDate, Until: d.Until, ExDates: d.ExDates, DurationSeconds: d.DurationSeconds, Groups: d.Groups,
		Pool: Pool(d.Pool), Priority: d.Priority, Active: d.Active, Version: d.Version, CreatedBy: d.CreatedBy,
		Timestamps: Timestamps(d.Timestamps)}
}

// airingDoc is a stored airing. It has Airing's fields in Airing's order, so the
// two convert into each other (airingDoc(a), Airing(d)) at no cost. Packs store it
// as gob, which names the fields by their Go names: those must not change either.
// The bson names are those of an earlier Loa's one document per airing, read once
// by PackLegacyAirings.
type airingDoc struct {
	ID             string     `bson:"_id"`
	Rule           string     `bson:"rule"`
	Campaign       string     `bson:"campaign"`
	Station        string     `bson:"station"`
	Channel        string     `bson:"channel"`
	OrgUnit        string     `bson:"orgUnit"`
	Slot           time.Time  `bson:"slot"`
	Start          time.Time  `bson:"start"`
	End            time.Time  `bson:"end"`
	Groups         []string   `bson:"groups,omitempty"`
	Content        string     `bson:"content,omitempty"`
	ContentVersion int        `bson:"contentVersion"`
	Status         string     `bson:"status"`
	Reason         string     `bson:"reason,omitempty"`
	DisplacedBy    string     `bson:"displacedBy,omitempty"`
	Moved          bool       `bson:"moved,omitempty"`
	ContentPinned  bool       `bson:"contentPinned,omitempty"`
	Note           string     `bson:"note,omitempty"`
	PublishedURL   string     `bson:"publishedUrl,omitempty"`
	PublishedAt    *time.Time `bson:"publishedAt,omitempty"`
	DeliveredAt    *time.Time `bson:"deliveredAt,omitempty"`
	ConfirmedAt    *time.Time `bson:"confirmedAt,omitempty"`
	ConfirmNote    string     `bson:"confirmNote,omitempty"`
	Late           bool       `bson:"late,omitempty"`
	Rev            int64      `bson:"rev"`
	UpdatedAt      time.Time  `bson:"updatedAt"`
}

func (d airingDoc) airing() Airing { return Airing(d) }

// MongoStore is the Store on MongoDB (or the embedded engine).
type MongoStore struct {
	db        *database.DB
	packLimit int // maxPackBytes; tests lower it
}

// NewStore returns the store on db.
func NewStore(db *database.DB) *MongoStore { return &MongoStore{db: db, packLimit: maxPackBytes} }

func (s *MongoStore) version(ctx context.Context, coll string) (int64, error) {
	return s.db.Versions().Get(ctx, coll)
}

// written returns coll's version after n documents were written: bumped if any
// were.
func (s *MongoStore) written(ctx context.Context, coll string, n int) (int64, error) {
	if n == 0 {
		return s.version(ctx, coll)
	}
	return s.db.Versions().Bump(ctx, coll)
}

// StationsVersion is bumped by every write of stations.
func (s *MongoStore) StationsVersion(ctx context.Context) (int64, error) {
	return s.version(ctx, stationsColl)
}

// Stations reads every station (a few hundred), ordered by code.
func (s *MongoStore) Stations(ctx context.Context) ([]Station, error) {
	return all(ctx, s, stationsColl, stationDoc.station)
}

// Station reads one station.
func (s *MongoStore) Station(ctx context.Context, code string) (Station, error) {
	return one(ctx, s, stationsColl, code, "station", stationDoc.station)
}

// InsertStation adds a station; a taken code is a conflict.
func (s *MongoStore) InsertStation(ctx context.Context, st Station) error {
	err := s.insert(ctx, stationsColl, stationDocOf(st))
	if mongo.IsDuplicateKeyError(err) {
		return &loa.FieldConflict{Field: "code", Message: "a station with code " + st.Code + " exists"}
	}
	return err
}

// UpdateStation reads a station, lets change edit it and writes it back, under
// the station's lock.
func (s *MongoStore) UpdateStation(ctx context.Context, code string, change func(ctx context.Context, st *Station) error) (Station, error) {
	doc := database.Doc{Coll: stationsColl, ID: code, Version: stationsColl, Missing: notFound("station", code)}
	st, _, err := database.UpdateAs(ctx, s.db, doc, stationDoc.station, stationDocOf, change)
	return st, err
}

// RulesVersion is bumped by every write of rules.
func (s *MongoStore) RulesVersion(ctx context.Context) (int64, error) {
	return s.version(ctx, rulesColl)
}

// Rules reads every rule, ordered by ID.
func (s *MongoStore) Rules(ctx context.Context) ([]Rule, error) {
	return all(ctx, s, rulesColl, ruleDoc.rule)
}

// Rule reads one rule.
func (s *MongoStore) Rule(ctx context.Context, id string) (Rule, error) {
	return one(ctx, s, rulesColl, id, "slot rule", ruleDoc.rule)
}

// SaveRule saves a rule while no other rule is saved in this process, on every
// engine: change fills in a new rule (id "") to insert, or edits the stored rule
// id. It returns the rule as saved.
func (s *MongoStore) SaveRule(ctx context.Context, id string, change func(ctx context.Context, r *Rule) error) (Rule, error) {
	var r Rule
	_, err := s.db.Guard(ctx, database.Lock{Keys: []string{database.Key(rulesColl, "save")}, Everywhere: true}, func(ctx context.Context) error {
		var err error
		if id != "" {
			doc := database.Doc{Coll: rulesColl, ID: id, Version: rulesColl, Missing: notFound("slot rule", id)}
			r, _, err = database.UpdateAs(ctx, s.db, doc, ruleDoc.rule, ruleDocOf, change)
			return err
		}
		if err = change(ctx, &r); err != nil {
			return err
		}
		return s.insert(ctx, rulesColl, ruleDocOf(r))
	})
	return r, err
}

// all reads a small collection whole, ordered by `_id`, as the service's values.
func all[D, T any](ctx context.Context, s *MongoStore, coll string, value func(D) T) ([]T, error) {
	docs, err := database.All[D](ctx, s.db.Collection(coll), bson.D{}, bson.D{{Key: "_id", Value: 1}})
	return database.ConvertAll(docs, value), err
}

// one reads a document by `_id` as the service's value; what names it in the
// not-found error.
func one[D, T any](ctx context.Context, s *MongoStore, coll, id, what string, value func(D) T) (T, error) {
	doc, found, err := database.ByID[D](ctx, s.db.Collection(coll), id)
	if err == nil && !found {
		err = notFound(what, id)
	}
	return value(doc), err
}

// notFound is the error for a missing document; what names its kind.
func notFound(what, id string) error { return fmt.Errorf("%w: no %s %s", loa.ErrNotFound, what, id) }

// insert adds a document to a versioned collection and bumps its version; a
// duplicate key comes back as the driver's error.
func (s *MongoStore) insert(ctx context.Context, coll string, doc any) error {
	_, err := s.db.Guard(ctx, database.Lock{Version: coll}, func(ctx context.Context) error {
		_, err := s.db.Collection(coll).InsertOne(ctx, doc)
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("insert into %s: %w", coll, err)
		}
		return err
	})
	return err
}

// WriteAirings runs write while no other write of airings runs in this process,
// on every engine; across replicas the Rev checks and natural keys keep writes
// sound.
func (s *MongoStore) WriteAirings(ctx context.Context, write func(ctx context.Context) error) error {
	_, err := s.db.Guard(ctx, database.Lock{Keys: []string{database.Key(airingsVersion, "write")}, Everywhere: true}, write)
	return err
}

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
