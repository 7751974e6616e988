package scheduler

import (
	"context"
	"time"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/content"
)

// Store is the persistence the service needs; store.go implements it on MongoDB.
// Stations, rules and airings each have a version that every write bumps; the
// writes return it so the service's caches follow its own changes.
type Store interface {
	StationsVersion(ctx context.Context) (int64, error)
	Stations(ctx context.Context) ([]Station, error)
	Station(ctx context.Context, code string) (Station, error)
	InsertStation(ctx context.Context, st Station) error
	// UpdateStation reads a station, lets change edit it and writes it back, under
	// the station's lock; a change that fails writes nothing.
	UpdateStation(ctx context.Context, code string, change func(ctx context.Context, st *Station) error) (Station, error)

	RulesVersion(ctx context.Context) (int64, error)
	Rules(ctx context.Context) ([]Rule, error)
	Rule(ctx context.Context, id string) (Rule, error)
	// SaveRule inserts the rule change fills in (id "") or edits the stored rule id,
	// one save at a time, so two overlapping rules are never both checked against
	// the state without the other; a change that fails writes nothing.
	SaveRule(ctx context.Context, id string, change func(ctx context.Context, r *Rule) error) (Rule, error)

	AiringsVersion(ctx context.Context) (int64, error)
	Airings(ctx context.Context) ([]Airing, error)
	// InsertAirings inserts new airings; those whose ID is stored already (another
	// run made them) are skipped. It returns the inserted ones and the new version.
	InsertAirings(ctx context.Context, as []Airing) ([]Airing, int64, error)
	// ReplaceAirings stores changed airings whose stored Rev is still a.Rev-1; the
	// others changed meanwhile and are skipped. It returns the stored ones.
	ReplaceAirings(ctx context.Context, as []Airing) ([]Airing, int64, error)
	// WriteAirings runs write, which reads airings and stores them through
	// InsertAirings and ReplaceAirings, while no other write of airings runs in
	// this process.
	WriteAirings(ctx context.Context, write func(ctx context.Context) error) error
	// PackLegacyAirings moves airings stored in an earlier layout into the current
	// one and returns how many it moved (none the second time).
	PackLegacyAirings(ctx context.Context) (int, error)

	// Receipt says whether station's confirmation clientID was recorded before;
	// AddReceipt records it (again: no error).
	Receipt(ctx context.Context, station, clientID string) (bool, error)
	AddReceipt(ctx context.Context, station, clientID, airing string, at time.Time) error
}

// Units is the org-unit tree and the campaigns; campaigns.Service is one.
type Units interface {
	Path(ctx context.Context, unit string, at loa.Date) ([]string, error)
	Within(ctx context.Context, unit, scope string, at loa.Date) (bool, error)
	Covers(ctx context.Context, actor loa.Actor, unit string, at loa.Date) (bool, error)
	Located(ctx context.Context, code string, at loa.Date) (campaigns.OrgUnit, error)
	OrgUnits(ctx context.Context, f campaigns.OrgUnitFilter) ([]campaigns.OrgUnit, error)
	Named(ctx context.Context, code string, at loa.Date) (campaigns.OrgUnitDetail, error)
	// OrgUnit is the unit standing on at; not found when code names none then.
	OrgUnit(ctx context.Context, code string, at loa.Date) (campaigns.OrgUnitDetail, error)
	OrgUnitsVersion(ctx context.Context) (int64, error)
	Campaign(ctx context.Context, code string) (campaigns.Campaign, error)
	Campaigns(ctx context.Context) ([]campaigns.Campaign, error)
	TargetGroups(ctx context.Context) ([]campaigns.TargetGroup, error)
}

// Reach keeps the reach records confirmed airings count as; reach.Service is one.
type Reach interface {
	// SyncReach keeps the reach an airing counts as (nil: none).
	SyncReach(ctx context.Context, actor loa.Actor, id string, want *reach.Reach) (reach.Reach, bool, error)
	// ReconcileDerived makes the records derived from airings exactly want.
	ReconcileDerived(ctx context.Context, actor loa.Actor, want []reach.Reach) (reach.Reconciled, error)
}

// Library is the content stations may air; content.Service is one.
type Library interface {
	Airable(ctx context.Context) (content.Airable, error)
	Languages() []content.Language
	List(ctx context.Context, f content.Filter) ([]content.Item, error)
	Script(v content.Version, f content.Fields) (string, int, error)
	FieldsAt(u campaigns.OrgUnitDetail, station string, date time.Time) content.Fields
}

// Options are the deployment's scheduling settings.
type Options struct {
	// Zone is where rules and calendars are evaluated (default Asia/Ho_Chi_Minh).
	Zone *time.Location
	// Horizon is how many days ahead airings are materialised (default 35).
	Horizon int
	// Grace is how long after its end an airing waits for a confirmation before
	// it is marked unconfirmed (default 2 hours).
	Grace time.Duration
	// Rematerialize asks, without waiting, for the airings to follow a change of
	// stations, rules or approved content (the app runs its materialisation job);
	// nil leaves them to the next materialisation.
	Rematerialize func()
}

// Default settings.
const (
	DefaultHorizon = 35
	DefaultGrace   = 2 * time.Hour
)

// Service owns stations, slot rules and airings.
type Service struct {
	store   Store
	units   Units
	reach   Reach
	library Library
	audit   loa.Auditor
	now     func() time.Time
	opts    Options

	stationCache loa.Snapshot[[]Station]
	ruleCache    loa.Snapshot[[]Rule]
	calendar     loa.Snapshot[*calendar]
	scripts      memo[scriptKey, script] // rendered scripts: they never change, so the memo is only bounded
	feeds        feeds
	aheadMemo    memo[aheadKey, []placed] // the latest expansions ahead: one per campaign and span asked today
}

// writeAirings runs write through the store's WriteAirings and returns what it
// returned.
func writeAirings[T any](ctx context.Context, s *Service, write func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := s.store.WriteAirings(ctx, func(ctx context.Context) error {
		var err error
		out, err = write(ctx)
		return err
	})
	return out, err
}

// NewService returns the service; now is the clock.
func NewService(store Store, units Units, reach Reach, library Library, audit loa.Auditor, now func() time.Time, opts Options) *Service {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if opts.Horizon <= 0 {
		opts.Horizon = DefaultHorizon
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	return &Service{store: store, units: units, reach: reach, library: library, audit: audit, now: now, opts: opts,
		scripts: memo[scriptKey, script]{max: maxScripts}, aheadMemo: memo[aheadKey, []placed]{max: aheadEntries}}
}

// Timestamps say when a record was created and last changed.
type Timestamps struct {
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func (s *Service) stamp() time.Time { return loa.Stamp(s.now()) }

// stations returns every station ordered by code, from memory while the stored
// version stands.
func (s *Service) stations(ctx context.Context) ([]Station, error) {
	v, err := s.store.StationsVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.stationCache.Get(v, func() ([]Station, error) { return s.store.Stations(ctx) })
}

// rules returns every rule ordered by ID, from memory while the stored version
// stands.
func (s *Service) rules(ctx context.Context) ([]Rule, error) {
	v, err := s.store.RulesVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.ruleCache.Get(v, func() ([]Rule, error) { return s.store.Rules(ctx) })
}

// Zone is the deployment's time zone, where rules and calendars are evaluated.
func (s *Service) Zone() *time.Location { return s.opts.Zone }

// today is the date in the service's zone.
func (s *Service) today() loa.Date { return loa.DateOf(s.now().In(s.opts.Zone)) }
