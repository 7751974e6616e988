package report

// The gap map: where a campaign is behind, as a grid of units × months for one
// target group or one activity kind, computed from the rollup cells.

import (
	"context"
	"slices"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// States of a gap map's cell.
const (
	CellFuture   = "future"   // the month starts after the as-of date
	CellNothing  = "nothing"  // no activity in the month
	CellActivity = "activity" // activity, no coverage to judge it by
	CellBehind   = "behind"   // coverage so far below 75 % of the value expected by the month's end
	CellClose    = "close"    // coverage so far below the value expected by the month's end
	CellOnPace   = "on_pace"  // coverage so far at or above the value expected by the month's end
)

// GapQuery asks for a gap map: the rows are the units below the scope, the map is
// of one target group or one activity kind (a group when both are empty).
type GapQuery struct {
	ReportQuery
	Group    string
	Activity string
}

// GapMap is the grid of a campaign's units × months for a group or an activity
// kind: what happened in each unit and month.
type GapMap struct {
	Campaign string   `json:"campaign"`
	Scope    UnitRef  `json:"scope"`
	Window   Window   `json:"period"`
	AsOf     loa.Date `json:"asOf"`
	Group    string   `json:"group,omitempty"`
	Activity string   `json:"activity,omitempty"`
	// Indicator is the coverage indicator of the group whose expected value bands
	// the cells ("" when the map has no coverage to judge by).
	Indicator            string   `json:"indicator,omitempty"`
	Months               []string `json:"months"` // YYYY-MM
	Rows                 []GapRow `json:"rows"`
	SmallCellsSuppressed bool     `json:"smallCellsSuppressed"`
}

// GapRow is one unit of the map: its months and its whole window so far.
type GapRow struct {
	Unit UnitRef `json:"unit"`
	// Units says whether the unit has units below it (a map of its own).
	Units bool      `json:"units"`
	Cells []GapCell `json:"cells"`
	Total GapCell   `json:"total"`
}

// GapCell is what happened in a unit in a month (or the window so far): the
// activities held, the people reached (unique persons of a group, person-times of
// an activity kind) and, for a group with a coverage indicator and a denominator
// there, the coverage reached by the end of the month.
type GapCell struct {
	Month      string   `json:"month,omitempty"`
	State      string   `json:"state"`
	Activities int64    `json:"activities"`
	People     *Count   `json:"people"`
	Coverage   *float64 `json:"coverage,omitempty"`
	Expected   *float64 `json:"expected,omitempty"`
}

// GapMap computes the gap map of a campaign for the query, from the rollups.
func (s *Service) GapMap(ctx context.Context, actor loa.Actor, code string, q GapQuery) (GapMap, error) {
	e, _, err := s.basis(ctx, actor, code, q.ReportQuery)
	if err != nil {
		return GapMap{}, err
	}
	if q.Activity != "" && !reach.KnownActivity(q.Activity) {
		return GapMap{}, loa.Invalid("activity", "unknown activity kind "+q.Activity)
	}
	if q.Group != "" && !slices.ContainsFunc(e.groups, func(g campaigns.TargetGroup) bool { return g.Code == q.Group }) {
		return GapMap{}, loa.Invalid("group", "unknown target group "+q.Group)
	}
	return e.gapMap(q.Group, q.Activity), nil
}

// gapMap is the map of a group (or, with a kind, of an activity kind) at the
// evaluation's scope; with neither, of the group of the first coverage indicator.
func (e evaluation) gapMap(group, activity string) GapMap {
	if group == "" && activity == "" {
		group = e.defaultGroup()
	}
	if activity != "" {
		group = ""
	}
	x := newEngine(e)
	s, _ := x.tree.Index(e.scope.Code)
	g := GapMap{Campaign: e.campaign.Code, Scope: unitRef(e.scope), Window: e.window, AsOf: e.asOf, Group: group,
		Activity: activity, Months: make([]string, len(x.months)), Rows: []GapRow{}, SmallCellsSuppressed: e.suppress}
	for i, mo := range x.months {
		g.Months[i] = mo.month
	}
	var cov *campaigns.Indicator
	if i := slices.IndexFunc(e.campaign.Indicators, func(in campaigns.Indicator) bool {
		return group != "" && in.Rule == campaigns.RuleCoverage && in.Group == group
	}); i >= 0 {
		cov, g.Indicator = &e.campaign.Indicators[i], e.campaign.Indicators[i].Code
	}
	rows := x.validChildren(s)
	if len(rows) == 0 {
		rows = []int{s}
	}
	var kinds [][]reach.Cell
	if activity != "" {
		kinds = x.activitySeries(activity, rows)
	}
	now := x.at(x.asOfDay)
	for r, u := range rows {
		var sr []reach.Cell
		if activity != "" {
			sr = kinds[r]
		} else {
			sr = series(x.subtree, u, x.groupIndex(group))
		}
		row := GapRow{Unit: unitRef(x.tree.Units()[u]), Units: len(x.validChildren(u)) > 0, Cells: make([]GapCell, len(x.months))}
		for i, mo := range x.months {
			cell := GapCell{Month: mo.month}
			if mo.first.After(x.asOfDay) {
				cell.State, cell.People = CellFuture, x.people(0)
			} else {
				x.fillCell(&cell, sumParts(sr, mo.a, mo.b), activity != "", cov, u, x.at(earlier(earlier(mo.last, x.to), x.asOfDay)))
			}
			row.Cells[i] = cell
		}
		x.fillCell(&row.Total, sumParts(sr, 0, now.parts), activity != "", cov, u, now)
		g.Rows = append(g.Rows, row)
	}
	if e.suppress {
		shieldGapMap(&g)
	}
	return g
}

// shieldGapMap protects the lines of a map whose small counts are hidden: each
// row's months add up to its total, each month's rows and the rows' totals to the
// scope's (on the map one level up). A line whose total is itself small reads
// "<5" there, so nothing can be worked out from it.
func shieldGapMap(g *GapMap) {
	for r := range g.Rows {
		shieldLine(len(g.Months), func(i int) *Count { return g.Rows[r].Cells[i].People }, SmallCell)
	}
	for i := range g.Months {
		shieldLine(len(g.Rows), func(r int) *Count { return g.Rows[r].Cells[i].People }, SmallCell)
	}
	shieldLine(len(g.Rows), func(r int) *Count { return g.Rows[r].Total.People }, SmallCell)
}

// defaultGroup is the group of the campaign's first coverage indicator, or the
// first target group.
func (e evaluation) defaultGroup() string {
	for _, in := range e.campaign.Indicators {
		if in.Rule == campaigns.RuleCoverage {
			return in.Group
		}
	}
	if len(e.groups) > 0 {
		return e.groups[0].Code
	}
	return ""
}

// fillCell sets what a cell shows from the sum of its parts: person-times for an
// activity kind, unique persons for a group, banded by the coverage reached in
// unit u at moment m when cov is set and u has a denominator.
func (x *engine) fillCell(cell *GapCell, sum reach.Cell, kind bool, cov *campaigns.Indicator, u int, m moment) {
	cell.Activities = sum.Activities
	if kind {
		cell.People = x.people(sum.PersonTimes)
	} else {
		cell.People = x.people(sum.Persons())
	}
	if sum.Activities == 0 {
		cell.State = CellNothing
		return
	}
	cell.State = CellActivity
	if cov == nil {
		return
	}
	c := x.countCoverage(cov.Group, u, m)
	if len(c.units) == 0 || c.denominator == 0 || x.people(c.numerator).Hidden || x.people(c.denominator).Hidden {
		return
	}
	v, expected := float64(c.numerator)/float64(c.denominator), x.expected(*cov, m)
	cell.Coverage, cell.Expected = &v, &expected
	switch {
	case v >= expected-tolerance:
		cell.State = CellOnPace
	case v >= atRiskShare*expected-tolerance:
		cell.State = CellClose
	default:
		cell.State = CellBehind
	}
}

// activitySeries are, per row unit, the prefix series over parts of the cells of
// one activity kind in the row's subtree, every group together.
func (x *engine) activitySeries(activity string, rows []int) [][]reach.Cell {
	out := make([][]reach.Cell, len(rows))
	rowOf := make(map[int]int, len(rows))
	for r, u := range rows {
		rowOf[u] = r
		out[r] = make([]reach.Cell, len(x.parts)+1)
	}
	for pk, h := range x.cells {
		p := x.slot(pk.Month, pk.Part)
		if p == 0 {
			continue
		}
		for k, c := range h.Cells {
			if k.Activity != activity || x.groupIndex(k.Group) < 0 {
				continue
			}
			for _, pl := range x.cellPlaces(k.OrgUnit, p) {
				for _, a := range x.up[pl.unit] {
					if r, ok := rowOf[a]; ok {
						out[r][p].Add(scaled(c, pl.share), 1)
						break
					}
				}
			}
		}
	}
	for _, s := range out {
		for k := 1; k < len(s); k++ {
			s[k].Add(s[k-1], 1)
		}
	}
	return out
}
