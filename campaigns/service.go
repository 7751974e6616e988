// Package campaigns owns what a campaign is measured against and by: org units,
// target groups, denominators, campaigns with their indicators and targets (and, as
// they arrive, reach records, the indicator engine and reports).
package campaigns

import (
	"context"
	"fmt"
	"time"

	"loa/app/database"
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

	// SaveReach upserts a reach record by its `_id`; DeleteReach removes one.
	SaveReach(ctx context.Context, r Reach) error
	DeleteReach(ctx context.Context, id string) error
	Reach(ctx context.Context, id string) (Reach, error)

	// Seeded reports whether a one-time load step has completed; MarkSeeded records it.
	Seeded(ctx context.Context, step string) (bool, error)
	MarkSeeded(ctx context.Context, step string) error
}

// Service holds the campaign rules. It keeps a snapshot of the org-unit tree in
// memory, revalidated against the stored version on each use, so reads of units cost
// one lookup by `_id` and several replicas stay consistent.
type Service struct {
	store Store
	audit Auditor
	now   func() time.Time

	units database.Snapshot[*unitTree]
}

// NewService returns a service on store that records every change with audit; now
// is the clock.
func NewService(store Store, audit Auditor, now func() time.Time) *Service {
	return &Service{store: store, audit: audit, now: now}
}

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
		return OrgUnitDetail{}, fmt.Errorf("%w: no org unit with code %s", ErrNotFound, code)
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
