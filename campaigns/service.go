// Package campaigns owns what a campaign is measured against and by: org units,
// target groups, denominators, campaigns with their indicators and targets, and
// for now the reach records with their rollups, the indicator engine and reports
// (DESIGN §3 moves these to campaigns/reach and campaigns/report). Every import of a
// file (org units, denominators, reach) is read one row at a time within
// ImportLimits, through an ImportGate shared by the services that import.
package campaigns

import (
	"context"
	"fmt"
	"time"

	"loa"
)

// Store is the persistence the service needs; store.go implements it on MongoDB.
type Store interface {
	OrgUnitsVersion(ctx context.Context) (int64, error)
	OrgUnits(ctx context.Context) ([]OrgUnit, error)
	// SaveOrgUnits upserts units and then bumps the org-unit version.
	SaveOrgUnits(ctx context.Context, units []OrgUnit) error
	// LockOrgUnits serialises imports, which read the whole tree and write it back.
	LockOrgUnits() (unlock func())

	TargetGroups(ctx context.Context) ([]TargetGroup, error)
	// AddTargetGroups inserts the groups whose code is not stored yet.
	AddTargetGroups(ctx context.Context, groups []TargetGroup) error

	Populations(ctx context.Context, f PopulationFilter) ([]Population, error)
	SavePopulations(ctx context.Context, ps []Population) error

	Campaigns(ctx context.Context) ([]Campaign, error)
	Campaign(ctx context.Context, code string) (Campaign, error)
	InsertCampaign(ctx context.Context, c Campaign) error
	ReplaceCampaign(ctx context.Context, c Campaign) error
	DeleteCampaign(ctx context.Context, code string) error

	// Reach records, stored in buckets of one campaign, org unit and month.
	// LockBuckets serialises the read-modify-write of buckets within the process;
	// Buckets reads the stored ones among ids; SaveBuckets writes them back;
	// EachReach streams a campaign's records (a scan: for rebuilds).
	LockBuckets(ids []string) (unlock func())
	Buckets(ctx context.Context, ids []string) (map[string]ReachBucket, error)
	SaveBuckets(ctx context.Context, buckets []ReachBucket) error
	// BucketIDs lists a campaign's buckets; RebuildBucketIndex recomputes that list.
	BucketIDs(ctx context.Context, campaign string) ([]string, error)
	RebuildBucketIndex(ctx context.Context, campaign string) error
	EachReach(ctx context.Context, campaign string, f func(Reach)) error
	// UnbucketedReach reads the records stored one per document by earlier versions;
	// DeleteUnbucketedReach removes them once they are in their buckets.
	UnbucketedReach(ctx context.Context) ([]Reach, error)
	DeleteUnbucketedReach(ctx context.Context) error

	// Rollups, per campaign and half-month, with a version that moves on each change.
	Rollups(ctx context.Context, campaign string) (map[CellKey]Cell, error)
	IncRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error
	ReplaceRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error
	RollupsVersion(ctx context.Context, campaign string) (int64, error)
	BumpRollups(ctx context.Context, campaign string) (int64, error)
	RollupCutoff(ctx context.Context) (int, error)
	SetRollupCutoff(ctx context.Context, day int) error

	// The journal of record writes in progress: an entry stays open when a write
	// of records did not reach the rollups.
	OpenJournal(ctx context.Context, campaigns []string) (id string, err error)
	CloseJournal(ctx context.Context, id string) error
	OpenJournals(ctx context.Context) (campaigns []string, err error)
	CloseJournals(ctx context.Context) error

	ManualValues(ctx context.Context, campaign string) ([]ManualValue, error)
	SaveManualValue(ctx context.Context, v ManualValue) error
	DeleteManualValue(ctx context.Context, id string) error

	// Seeded reports whether a one-time load step has completed; MarkSeeded records it.
	Seeded(ctx context.Context, step string) (bool, error)
	MarkSeeded(ctx context.Context, step string) error
}

// Service holds the campaign rules. It keeps a snapshot of the org-unit tree in
// memory, revalidated against the stored version on each use, so reads of units cost
// one lookup by `_id` and several replicas stay consistent.
type Service struct {
	store Store
	audit loa.Auditor
	now   func() time.Time
	opts  settings
	plans Plans

	units   loa.Snapshot[*unitTree]
	rollups rollupStates
	gate    *ImportGate
}

type settings struct {
	zone    *time.Location
	cutoff  int
	imports ImportLimits
	batch   int // reach rows an import writes at a time
	gate    *ImportGate
}

// Option sets up a Service.
type Option func(*settings)

// InZone evaluates dates (today, the as-of date of reports) in zone; the default is
// Asia/Ho_Chi_Minh.
func InZone(zone *time.Location) Option { return func(o *settings) { o.zone = zone } }

// DefaultCutoff is the day of the month periodic reports are cut at by default: a
// 6-month report runs from 15 December to 14 June.
const DefaultCutoff = 15

// WithCutoff sets the day of the month (1 to 28) periodic report windows start on;
// 1 makes them calendar quarters, halves and years.
func WithCutoff(day int) Option { return func(o *settings) { o.cutoff = day } }

// WithImportLimits bounds every import (DefaultImportLimits otherwise).
func WithImportLimits(l ImportLimits) Option { return func(o *settings) { o.imports = l } }

// WithImportGate admits imports through gate, shared with the other services that
// import files; the default admits ImportLimits.Slots imports of this service.
func WithImportGate(gate *ImportGate) Option { return func(o *settings) { o.gate = gate } }

// NewService returns a service on store that records every change with audit; now
// is the clock.
func NewService(store Store, audit loa.Auditor, now func() time.Time, opts ...Option) *Service {
	o := settings{zone: vietnam, cutoff: DefaultCutoff, imports: DefaultImportLimits(), batch: reachBatch}
	for _, opt := range opts {
		opt(&o)
	}
	if o.gate == nil {
		o.gate = NewImportGate(o.imports.Slots)
	}
	return &Service{store: store, audit: audit, now: now, opts: o, plans: noPlans{},
		gate: o.gate}
}

// ImportLimits are the bounds every import is held to.
func (s *Service) ImportLimits() ImportLimits { return s.opts.imports }

// ValidCutoff says whether day can be the cut-off day of report windows.
func ValidCutoff(day int) bool { return day >= 1 && day <= 28 }

// tree returns the current org-unit snapshot, reloading it when the stored version
// has moved on.
func (s *Service) tree(ctx context.Context) (*unitTree, error) {
	version, err := s.store.OrgUnitsVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.units.Get(version, func() (*unitTree, error) {
		units, err := s.store.OrgUnits(ctx)
		if err != nil {
			return nil, err
		}
		return newUnitTree(version, units), nil
	})
}

// OrgUnitsVersion changes whenever the org units change, for caches of answers
// computed from them.
func (s *Service) OrgUnitsVersion(ctx context.Context) (int64, error) {
	t, err := s.tree(ctx)
	if err != nil {
		return 0, err
	}
	return t.version, nil
}

// OrgUnits lists the units f selects, ordered by code.
func (s *Service) OrgUnits(ctx context.Context, f OrgUnitFilter) ([]OrgUnit, error) {
	t, err := s.tree(ctx)
	if err != nil {
		return nil, err
	}
	return t.filter(f), nil
}

// OrgUnit returns one unit with its parents.
func (s *Service) OrgUnit(ctx context.Context, code string) (OrgUnitDetail, error) {
	t, err := s.tree(ctx)
	if err != nil {
		return OrgUnitDetail{}, err
	}
	u, ok := t.get(code)
	if !ok {
		return OrgUnitDetail{}, fmt.Errorf("%w: no org unit with code %s", loa.ErrNotFound, code)
	}
	return OrgUnitDetail{OrgUnit: u, Parents: t.parents(u)}, nil
}

// TargetGroups lists the configured target groups in their display order.
func (s *Service) TargetGroups(ctx context.Context) ([]TargetGroup, error) {
	return s.store.TargetGroups(ctx)
}

func (s *Service) groupSet(ctx context.Context) (map[string]bool, error) {
	groups, err := s.store.TargetGroups(ctx)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(groups))
	for _, g := range groups {
		set[g.Code] = true
	}
	return set, nil
}
