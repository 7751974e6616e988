// Package reach owns the reach records of campaigns: their buckets, imports and
// import template, the rollups the reports read with the journal that keeps them
// true to the records, and the values of manual indicators. It reads the org units,
// target groups and campaigns of package campaigns.
package reach

import (
	"context"
	"time"

	"loa"
	"loa/campaigns"
)

// Store is the persistence the service needs; store_reach.go implements it on
// MongoDB.
type Store interface {
	// The campaigns' own data, read as stored.
	Campaigns(ctx context.Context) ([]campaigns.Campaign, error)
	Campaign(ctx context.Context, code string) (campaigns.Campaign, error)
	TargetGroups(ctx context.Context) ([]campaigns.TargetGroup, error)
	Populations(ctx context.Context, f campaigns.PopulationFilter) ([]campaigns.Population, error)

	// Reach records, stored in buckets of one campaign, org unit and month.
	// Buckets reads the stored ones among ids; UpdateBuckets reads them under their
	// locks, lets change say which changed and writes those back; EachReach streams
	// a campaign's records (a scan: for rebuilds).
	Buckets(ctx context.Context, ids []string) (map[string]ReachBucket, error)
	UpdateBuckets(ctx context.Context, ids []string, change func(stored map[string]ReachBucket) (changed []ReachBucket)) error
	// BucketIDs lists a campaign's buckets; RebuildBucketIndex recomputes that list.
	BucketIDs(ctx context.Context, campaign string) ([]string, error)
	RebuildBucketIndex(ctx context.Context, campaign string) error
	EachReach(ctx context.Context, campaign string, f func(Reach)) error
	// UnbucketedReach reads the records stored one per document by earlier versions;
	// DeleteUnbucketedReach removes them once they are in their buckets.
	UnbucketedReach(ctx context.Context) ([]Reach, error)
	DeleteUnbucketedReach(ctx context.Context) error

	// Rollups, per campaign and half-month, with a version that moves on each change.
	Rollups(ctx context.Context, campaign string) (CellSet, error)
	IncRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error
	ReplaceRollups(ctx context.Context, campaign string, cutoff int, cells map[CellKey]Cell) error
	RollupsVersion(ctx context.Context, campaign string) (int64, error)
	BumpRollups(ctx context.Context, campaign string) (int64, error)
	RollupCutoff(ctx context.Context) (int, error)
	SetRollupCutoff(ctx context.Context, day int) error

	// The journal of record writes in progress: an entry stays open when a write
	// of records did not reach the rollups and the audit trail.
	OpenJournal(ctx context.Context, j Journal) (id string, err error)
	CloseJournal(ctx context.Context, id string) error
	OpenJournals(ctx context.Context) ([]Journal, error)
	CloseJournals(ctx context.Context) error

	ManualValues(ctx context.Context, campaign string) ([]ManualValue, error)
	SaveManualValue(ctx context.Context, v ManualValue) error
	DeleteManualValue(ctx context.Context, id string) error
}

// Service holds the rules of reach records and rollups. It evaluates dates in the
// zone and splits months at the cut-off day of core, and imports through core's
// import limits and gate.
type Service struct {
	core  *campaigns.Service
	store Store
	audit loa.Auditor
	now   func() time.Time
	opts  settings

	rollups rollupStates
}

type settings struct {
	batch int // reach rows an import writes at a time
}

// Option sets up a Service.
type Option func(*settings)

// NewService returns a service on store for the campaigns of core that records
// every change with audit; now is the clock.
func NewService(core *campaigns.Service, store Store, audit loa.Auditor, now func() time.Time, opts ...Option) *Service {
	o := settings{batch: reachBatch}
	for _, opt := range opts {
		opt(&o)
	}
	return &Service{core: core, store: store, audit: audit, now: now, opts: o}
}
