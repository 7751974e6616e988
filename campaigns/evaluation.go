package campaigns

import "loa"

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

// partKey names a half-month of the rollups.
type partKey struct {
	Month string
	Part  int
}

// cellSet is a campaign's rollup cells by half-month: a write copies only the
// half-months it changes, and a report passes over those outside its window.
type cellSet map[partKey]map[CellKey]Cell

// cellSetOf sorts cells into their half-months.
func cellSetOf(cells map[CellKey]Cell) cellSet {
	out := cellSet{}
	for k, c := range cells {
		out.put(k, c)
	}
	return out
}

// put sets the cell at k (the set must be the caller's own, not shared).
func (s cellSet) put(k CellKey, c Cell) {
	pk := partKey{k.Month, k.Part}
	if s[pk] == nil {
		s[pk] = map[CellKey]Cell{}
	}
	s[pk][k] = c
}

// len counts the cells.
func (s cellSet) len() int {
	n := 0
	for _, cells := range s {
		n += len(cells)
	}
	return n
}

// MonthPlan is one month of a channel's calendar: items planned (not cancelled,
// with content) and published.
type MonthPlan struct {
	Planned   int
	Published int
}

// evaluation is everything the indicator engine reads. It does no I/O, so every
// counting rule is tested on hand-made inputs.
type evaluation struct {
	campaign Campaign
	tree     *unitTree
	groups   []TargetGroup
	scope    OrgUnit
	window   Window
	asOf     loa.Date
	today    loa.Date // records are never dated after it
	cutoff   int      // the cut-off day the cells are split at (1 to 28; 1 means part 1 is empty)
	// cells are all the campaign's rollup cells; the engine keeps those of the parts
	// that start within the window on or before asOf.
	cells cellSet
	// populations are every stored denominator; the engine uses, per unit and group,
	// the latest year not after the window's end year.
	populations []Population
	// press is, per channel kind, the campaign's calendar by month (YYYY-MM).
	press map[string]map[string]MonthPlan
	// planned counts, per org unit, the campaign's airings planned after asOf and up
	// to the window's end.
	planned map[string]int
	manual  []ManualValue
	// suppress hides counts of people below SmallCell (exports for the viewer role).
	suppress bool
}
