package reach

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
)

// Cell is what the reach records of one org unit, target group and activity add up
// to in one part of a month (a rollup cell).
type Cell struct {
	Records     int64 `json:"records"`
	Activities  int64 `json:"activities"`
	PersonTimes int64 `json:"personTimes"`
	// UniquePersons sums the unique persons of the records that give them;
	// UniqueKnown counts those records.
	UniquePersons int64 `json:"uniquePersons"`
	UniqueKnown   int64 `json:"uniqueKnown"`
	// Estimated are the person-times of estimated records.
	Estimated int64 `json:"estimated"`
	// Repeated sums, over the records that give first-time persons, their unique
	// persons reached before (unique − first-time); FirstTimeKnown counts those
	// records. Coverage counts UniquePersons − Repeated: first-time persons where
	// given, an upper bound (persons may repeat) elsewhere.
	Repeated       int64 `json:"repeated"`
	FirstTimeKnown int64 `json:"firstTimeKnown"`
}

// CellKey places a cell: a month split at the cut-off day into part 1 (the days
// before it) and part 2 (from it to the month's end), so that calendar months and
// the periodic report windows that end the day before the cut-off are both sums of
// whole parts.
type CellKey struct {
	Month    string // YYYY-MM
	Part     int    // 1 or 2
	OrgUnit  string
	Group    string
	Activity string
}

// PartKey names a half-month of the rollups.
type PartKey struct {
	Month string
	Part  int
}

// CellSet is a campaign's rollup cells by half-month: a write copies only the
// half-months it changes, and a report passes over those outside its window.
type CellSet map[PartKey]*Half

// Half is the cells of one half-month, with what they add up to per org unit and
// target group (its Totals), added up once for every report that reads them.
type Half struct {
	Cells  map[CellKey]Cell
	totals atomic.Pointer[[]Total]
}

// Total is what the cells of one org unit and target group add up to in a
// half-month, every activity together.
type Total struct {
	OrgUnit, Group string
	Cell           Cell
}

// Totals are the half-month's cells added up per org unit and target group, in
// that order; the first call adds them up, later ones share the result.
func (h *Half) Totals() []Total {
	if t := h.totals.Load(); t != nil {
		return *t
	}
	type unitGroup struct{ unit, group string }
	sums := map[unitGroup]Cell{}
	for k, c := range h.Cells {
		ug := unitGroup{k.OrgUnit, k.Group}
		sum := sums[ug]
		sum.Add(c, 1)
		sums[ug] = sum
	}
	t := make([]Total, 0, len(sums))
	for ug, c := range sums {
		t = append(t, Total{OrgUnit: ug.unit, Group: ug.group, Cell: c})
	}
	slices.SortFunc(t, func(a, b Total) int {
		return cmp.Or(strings.Compare(a.OrgUnit, b.OrgUnit), strings.Compare(a.Group, b.Group))
	})
	h.totals.Store(&t) // two first readers at once add up the same
	return t
}

// cellSetOf sorts cells into their half-months.
func cellSetOf(cells map[CellKey]Cell) CellSet {
	out := CellSet{}
	for k, c := range cells {
		out.Put(k, c)
	}
	return out
}

// Put sets the cell at k (the set and the half-month must be the caller's own,
// not shared).
func (s CellSet) Put(k CellKey, c Cell) {
	pk := PartKey{k.Month, k.Part}
	h := s[pk]
	if h == nil {
		h = &Half{Cells: map[CellKey]Cell{}}
		s[pk] = h
	}
	h.Cells[k] = c
	h.totals.Store(nil)
}

// Get is the cell at k.
func (s CellSet) Get(k CellKey) Cell {
	if h := s[PartKey{k.Month, k.Part}]; h != nil {
		return h.Cells[k]
	}
	return Cell{}
}

// Len counts the cells.
func (s CellSet) Len() int {
	n := 0
	for _, h := range s {
		n += len(h.Cells)
	}
	return n
}
