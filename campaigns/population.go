package campaigns

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// Population is a denominator: how many people of a group live in a unit in a year,
// and where that figure comes from.
type Population struct {
	ID      string `json:"-"`
	OrgUnit string `json:"orgUnit"`
	Group   string `json:"group"`
	Year    int    `json:"year"`
	Count   int64  `json:"count"`
	// Source is the provenance shown beside every figure computed from it, e.g.
	// "ước tính mẫu, không phải số liệu chính thức" (the demo's) or "Cục Thống kê 2023".
	Source string `json:"source"`
}

// populationID is the natural key: one figure per year, unit and group.
func populationID(year int, orgUnit, group string) string {
	return fmt.Sprintf("%d|%s|%s", year, orgUnit, group)
}

// PopulationFilter selects denominators; zero fields select everything.
type PopulationFilter struct {
	Year    int
	OrgUnit string
	Group   string
}

// Populations lists the denominators f selects within the actor's scope, ordered by
// year, unit and group.
func (s *Service) Populations(ctx context.Context, actor loa.Actor, f PopulationFilter) ([]Population, error) {
	h, err := s.History(ctx)
	if err != nil {
		return nil, err
	}
	if f.OrgUnit != "" {
		u, ok := h.Locate(f.OrgUnit, s.Today())
		if ok && !actor.Covers(u.Path) {
			return nil, fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, f.OrgUnit, actor.Scope)
		}
	}
	all, err := s.store.Populations(ctx, f)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, p := range all {
		if u, ok := h.Within(p.OrgUnit, yearSpan(p.Year)); ok && actor.Covers(u.Path) {
			out = append(out, p)
		}
	}
	return out, nil
}

// ImportPopulations reads a CSV with the columns org_unit_code, group, year, count
// and source. The unit and group must exist; counts are whole numbers ≥ 0; every
// figure says where it comes from.
func (s *Service) ImportPopulations(ctx context.Context, actor loa.Actor, r io.Reader, dryRun bool) (_ loa.ImportSummary, err error) {
	ctx, t, end, err := s.readTable(ctx, r, "org_unit_code", "group", "year", "count", "source")
	if err != nil {
		return loa.ImportSummary{}, err
	}
	defer end()
	// Nothing is written before every row is read: a refusal has no summary.
	defer func() { err = Stopped(ctx, err, nil) }()
	var sum loa.ImportSummary
	h, err := s.History(ctx)
	if err != nil {
		return loa.ImportSummary{}, err
	}
	groups, err := s.GroupSet(ctx)
	if err != nil {
		return loa.ImportSummary{}, err
	}
	existing, err := s.store.Populations(ctx, PopulationFilter{})
	if err != nil {
		return loa.ImportSummary{}, err
	}
	stored := make(map[string]Population, len(existing))
	for _, p := range existing {
		stored[p.ID] = p
	}

	rowOf := map[string]int{}
	var changed []Population
	var changes []loa.Change
	err = t.Each(ctx, func(n int, row []string) error {
		sum.Read++
		p := Population{
			OrgUnit: t.Cell(row, "org_unit_code"),
			Group:   t.Cell(row, "group"),
			Source:  norm.NFC.String(t.Cell(row, "source")),
		}
		year, err := strconv.Atoi(t.Cell(row, "year"))
		yearOK := err == nil && year >= 1900 && year <= 2200
		if !yearOK {
			sum.Conflictf(n, "year", "year must be a four-digit year, got %q", t.Cell(row, "year"))
		}
		unit, known := h.Within(p.OrgUnit, yearSpan(year))
		switch {
		case len(h.Versions(p.OrgUnit)) == 0:
			sum.Conflictf(n, "org_unit_code", "unknown org unit %q", p.OrgUnit)
		case yearOK && !known:
			sum.Conflictf(n, "org_unit_code", "org unit %s does not exist in %d", p.OrgUnit, year)
		case known && !actor.Covers(unit.Path):
			sum.Conflictf(n, "org_unit_code", "org unit %s is outside your scope %s", p.OrgUnit, actor.Scope)
		}
		if !groups[p.Group] {
			sum.Conflictf(n, "group", "unknown target group %q", p.Group)
		}
		if p.Source == "" {
			sum.Conflictf(n, "source", "say where the figure comes from (e.g. \"Cục Thống kê 2023\" or \"sample estimate\")")
		}
		count, err := strconv.ParseInt(t.Cell(row, "count"), 10, 64)
		switch {
		case err != nil:
			sum.Conflictf(n, "count", "count must be a whole number, got %q", t.Cell(row, "count"))
		case count < 0:
			sum.Conflictf(n, "count", "count must not be negative, got %d", count)
		}
		if sum.Rejected(n) {
			return nil
		}
		p.Year, p.Count, p.ID = year, count, populationID(year, p.OrgUnit, p.Group)
		if first, dup := rowOf[p.ID]; dup {
			sum.Conflictf(n, "org_unit_code", "row %d already gives %s %s %d", first, p.OrgUnit, p.Group, year)
			return nil
		}
		rowOf[p.ID] = n
		old, ok := stored[p.ID]
		switch {
		case ok && old == p:
			sum.Unchanged++
			return nil
		case ok:
			sum.Updated++
			changes = append(changes, loa.Change{Action: "update", Entity: "population", EntityID: p.ID, Path: unit.Path, Before: old, After: p})
		default:
			sum.Imported++
			changes = append(changes, loa.Change{Action: "create", Entity: "population", EntityID: p.ID, Path: unit.Path, After: p})
		}
		changed = append(changed, p)
		return nil
	})
	if err != nil {
		return loa.ImportSummary{}, err
	}
	return s.saveImport(ctx, actor, &sum, dryRun, changes, func(ctx context.Context) error { return s.store.SavePopulations(ctx, changed) })
}

// yearSpan runs from the first to the last day of year.
func yearSpan(year int) Period {
	y := fmt.Sprintf("%04d", year)
	return Period{Start: loa.Date(y + "-01-01"), End: loa.Date(y + "-12-31")}
}
