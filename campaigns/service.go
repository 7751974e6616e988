// Package campaigns owns what a campaign is measured against and by: org units,
// target groups, denominators, campaigns with their indicators and targets. The
// reach records with their rollups live in campaigns/reach, the indicator engine
// and reports in campaigns/report. Every import of a file (org units,
// denominators, reach) is read one row at a time within ImportLimits, through an
// ImportGate shared by the services that import.
package campaigns

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"loa"
)

// Store is the persistence the service needs; store.go implements it on MongoDB.
type Store interface {
	OrgUnitsVersion(ctx context.Context) (int64, error)
	OrgUnits(ctx context.Context) ([]OrgUnit, error)
	// SaveOrgUnits upserts units and then bumps the org-unit version.
	SaveOrgUnits(ctx context.Context, units []OrgUnit) error
	// ApplyOrgUnits runs apply, an import that reads the whole tree and writes it
	// back, while no other runs.
	ApplyOrgUnits(ctx context.Context, apply func(ctx context.Context) error) error

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

	units loa.Snapshot[*UnitHistory]
	gate  *ImportGate
}

type settings struct {
	zone    *time.Location
	cutoff  int
	imports ImportLimits
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
	o := settings{zone: vietnam, cutoff: DefaultCutoff, imports: DefaultImportLimits()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.gate == nil {
		o.gate = NewImportGate(o.imports.Slots)
	}
	return &Service{store: store, audit: audit, now: now, opts: o, gate: o.gate}
}

// ImportLimits are the bounds every import is held to.
func (s *Service) ImportLimits() ImportLimits { return s.opts.imports }

// Zone is the zone dates are evaluated in.
func (s *Service) Zone() *time.Location { return s.opts.zone }

// Cutoff is the day of the month periodic report windows start on.
func (s *Service) Cutoff() int { return s.opts.cutoff }

// ValidCutoff says whether day can be the cut-off day of report windows.
func ValidCutoff(day int) bool { return day >= 1 && day <= 28 }

// History returns the current snapshot of every unit version, reloading it when
// the stored version has moved on.
func (s *Service) History(ctx context.Context) (*UnitHistory, error) {
	version, err := s.store.OrgUnitsVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.units.Get(version, func() (*UnitHistory, error) {
		units, err := s.store.OrgUnits(ctx)
		if err != nil {
			return nil, err
		}
		return NewUnitHistory(version, units), nil
	})
}

// Tree returns the units standing on at, with their paths then.
func (s *Service) Tree(ctx context.Context, at loa.Date) (*UnitTree, error) {
	h, err := s.History(ctx)
	if err != nil {
		return nil, err
	}
	return h.At(at), nil
}

// Today is the date in the service's zone: the date org-unit answers are about
// unless a request names another.
func (s *Service) Today() loa.Date { return loa.DateOf(s.now().In(s.opts.zone)) }

// OrgUnitsVersion changes whenever the org units change, for caches of answers
// computed from them.
func (s *Service) OrgUnitsVersion(ctx context.Context) (int64, error) {
	h, err := s.History(ctx)
	if err != nil {
		return 0, err
	}
	return h.version, nil
}

// OrgUnits lists the units f selects, standing on f.At (today when empty),
// ordered by code.
func (s *Service) OrgUnits(ctx context.Context, f OrgUnitFilter) ([]OrgUnit, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	t, err := s.Tree(ctx, cmp.Or(f.At, s.Today()))
	if err != nil {
		return nil, err
	}
	return t.filter(f), nil
}

// OrgUnit returns the version of a unit standing on at (today when empty) with
// its parents then; a code that names no unit on that day is not found, with the
// dates it did name one.
func (s *Service) OrgUnit(ctx context.Context, code string, at loa.Date) (OrgUnitDetail, error) {
	h, err := s.History(ctx)
	if err != nil {
		return OrgUnitDetail{}, err
	}
	at = cmp.Or(at, s.Today())
	t := h.At(at)
	u, ok := t.Get(code)
	if !ok {
		return OrgUnitDetail{}, notOn(h, code, at)
	}
	return OrgUnitDetail{OrgUnit: u, Parents: t.parents(u)}, nil
}

// Named is the unit a reference to code names on at (today when empty), with its
// parents: the version standing then or, when the unit has ended, its last
// version as it was on its last day. A station keeps the unit it was given until
// it is moved.
func (s *Service) Named(ctx context.Context, code string, at loa.Date) (OrgUnitDetail, error) {
	h, err := s.History(ctx)
	if err != nil {
		return OrgUnitDetail{}, err
	}
	at = cmp.Or(at, s.Today())
	u, ok := h.Last(code, at)
	if !ok {
		return OrgUnitDetail{}, fmt.Errorf("%w: no org unit with code %s", loa.ErrNotFound, code)
	}
	return OrgUnitDetail{OrgUnit: u, Parents: h.At(min(at, lastDay(u))).parents(u)}, nil
}

// Located is the unit where the land of a unit referred to on or before at lies
// on at: the unit itself, or the one its land passed to (UnitHistory.Locate).
// For counting what happened where (a station of a merged commune reaches the
// new commune); a reference itself keeps its unit (Named).
func (s *Service) Located(ctx context.Context, code string, at loa.Date) (OrgUnit, error) {
	h, err := s.History(ctx)
	if err != nil {
		return OrgUnit{}, err
	}
	u, ok := h.Locate(code, at)
	if !ok {
		return OrgUnit{}, fmt.Errorf("%w: no org unit with code %s", loa.ErrNotFound, code)
	}
	return u, nil
}

// notOn is the not-found error of a code that names no unit on at, saying when it
// did and where it went.
func notOn(h *UnitHistory, code string, at loa.Date) error {
	vs := h.Versions(code)
	if len(vs) == 0 {
		return fmt.Errorf("%w: no org unit with code %s", loa.ErrNotFound, code)
	}
	spans := make([]string, len(vs))
	for i, u := range vs {
		spans[i] = describe(u)
	}
	var then string
	if u, ok := h.Locate(code, at); ok && u.ValidOn(at) {
		then = fmt.Sprintf("; on that day its land is in %s (%s)", u.Code, u.Title())
	}
	return fmt.Errorf("%w: org unit %s does not exist on %s (it exists as %s)%s", loa.ErrNotFound, code, at, strings.Join(spans, ", "), then)
}

// TargetGroups lists the configured target groups in their display order.
func (s *Service) TargetGroups(ctx context.Context) ([]TargetGroup, error) {
	return s.store.TargetGroups(ctx)
}

// GroupSet is the set of the target groups' codes.
func (s *Service) GroupSet(ctx context.Context) (map[string]bool, error) {
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
