package reach

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
type CellSet map[PartKey]map[CellKey]Cell

// cellSetOf sorts cells into their half-months.
func cellSetOf(cells map[CellKey]Cell) CellSet {
	out := CellSet{}
	for k, c := range cells {
		out.Put(k, c)
	}
	return out
}

// Put sets the cell at k (the set must be the caller's own, not shared).
func (s CellSet) Put(k CellKey, c Cell) {
	pk := PartKey{k.Month, k.Part}
	if s[pk] == nil {
		s[pk] = map[CellKey]Cell{}
	}
	s[pk][k] = c
}

// Len counts the cells.
func (s CellSet) Len() int {
	n := 0
	for _, cells := range s {
		n += len(cells)
	}
	return n
}
