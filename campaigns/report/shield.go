package report

// Complementary suppression (DESIGN §9): hiding a small count is not enough when
// the counts beside it and their total are shown, since the total less the shown
// counts gives it back. A line of a table (a row, a column, the children of a
// unit, the groups or months of a scope) is therefore protected as a whole.

import "math"

// ShieldedMark is how a report writes a count hidden only so that a small count
// beside it cannot be worked out from their total.
const ShieldedMark = "×"

// ShieldSmallCells protects one line of a table: counts of people whose total a
// reader can see or add up. Where the counts hidden as small (1 to SmallCell−1)
// could be worked out from the total less the counts shown, it hides more counts
// of the line, the smallest shown count above zero first (zeros last), marking
// each Shielded, until no hidden count can be worked out by a reader who knows
// this rule. It reports whether the line is safe; it is not when nothing is left
// to hide and the total still gives the hidden counts away (two children of 4
// people each and a total of 8). Nil cells are not part of the line; counts of
// things are never hidden.
func ShieldSmallCells(line []*Count) bool {
	for !shielded(line) {
		next := -1
		for i, c := range line {
			if c != nil && c.People && !c.Hidden && (next < 0 || before(c, line[next])) {
				next = i
			}
		}
		if next < 0 {
			return false
		}
		line[next].Hidden, line[next].Shielded = true, true
	}
	return true
}

// before orders the counts a line hides next: above zero before zero, then the
// smaller first.
func before(a, b *Count) bool {
	if (a.N == 0) != (b.N == 0) {
		return a.N != 0
	}
	return a.N < b.N
}

// shielded reports whether no hidden count of line can be worked out by a reader
// who sees the line's total and its shown counts and knows that a small count is 1
// to SmallCell−1 and that a shielded count is 0, or from SmallCell up to the
// smallest count shown above zero (ShieldSmallCells hides the smallest first).
func shielded(line []*Count) bool {
	var small, shields int64
	var sum int64 // what the hidden counts add up to: the total less the shown counts
	most := int64(math.MaxInt64)
	for _, c := range line {
		switch {
		case c == nil:
		case c.Shielded:
			shields, sum = shields+1, sum+c.N
		case c.Hidden:
			small, sum = small+1, sum+c.N
		case c.N > 0:
			most = min(most, c.N)
		}
	}
	if small == 0 {
		return true
	}
	// fits says whether j shields above zero, each from SmallCell to most, can add
	// up to r; canShield whether the shields can, some of them zero.
	fits := func(r, j int64) bool {
		return r >= j*SmallCell && (most == math.MaxInt64 || r <= j*most)
	}
	canShield := func(r int64) bool {
		if r == 0 {
			return true
		}
		for j := int64(1); j <= shields; j++ {
			if fits(r, j) {
				return true
			}
		}
		return false
	}
	// Each small count can take two values at least: the others add up to any
	// whole number from their number to SmallCell−1 times it.
	values := 0
	for v := int64(1); v < SmallCell; v++ {
		for p := small - 1; p <= (small-1)*(SmallCell-1); p++ {
			if canShield(sum - v - p) {
				values++
				break
			}
		}
	}
	if values < 2 {
		return false
	}
	if shields == 0 {
		return true
	}
	// The shields are not worked out either: their sum can take two values, or
	// two shields or more share their one sum in more than one way (some of them
	// zero, which ones unknown; or all above zero, neither all least nor all most).
	sums, r := 0, int64(0)
	for p := small; p <= small*(SmallCell-1); p++ {
		if canShield(sum - p) {
			sums, r = sums+1, sum-p
		}
	}
	switch {
	case sums >= 2:
		return true
	case shields == 1 || r == 0:
		return false
	}
	for j := int64(1); j < shields; j++ {
		if fits(r, j) {
			return true
		}
	}
	return r != shields*SmallCell && (most == math.MaxInt64 || r != shields*most)
}

// shieldReport protects the lines of a report whose small counts are hidden:
// the people counted in the child units (their records, and each indicator's
// numerator and denominator), in the target groups and in the months each add
// up to the scope's, and the long format's counts of a unit by group and month
// add up to the unit's. What would give a shielded count away goes with it: a
// value of a hidden numerator or denominator, the estimated share of a group,
// and an indicator's figures of a shielded group (its person-times and persons,
// and what protect drops with them).
func shieldReport(r *Report) {
	protectLine := func(n int, cell func(i int) *Count) { shieldLine(n, cell, 0) }
	d, g, t := r.Districts, r.Groups, r.Trend
	protectLine(len(d), func(i int) *Count { return d[i].PersonTimes })
	protectLine(len(d), func(i int) *Count { return d[i].UniquePersons })
	for k := range firstOr(d).Indicators {
		protectLine(len(d), func(i int) *Count { return d[i].Indicators[k].Numerator })
		protectLine(len(d), func(i int) *Count { return d[i].Indicators[k].Denominator })
	}
	for i := range d {
		for k, v := range d[i].Indicators {
			if hidden(v.Numerator) || hidden(v.Denominator) {
				d[i].Indicators[k].Value = nil
			}
		}
	}
	protectLine(len(g), func(i int) *Count { return g[i].PersonTimes })
	protectLine(len(g), func(i int) *Count { return g[i].UniquePersons })
	for i := range g {
		if g[i].PersonTimes.Hidden {
			g[i].Estimated = nil
		}
		// An indicator of the group prints the same figures for the scope.
		for k := range r.Indicators {
			if res := &r.Indicators[k]; res.Group == g[i].Group {
				shieldSame(res.PersonTimes, g[i].PersonTimes)
				shieldSame(res.UncappedNumerator, g[i].UniquePersons)
				shieldSame(res.Numerator, g[i].UniquePersons)
				protect(res)
			}
		}
	}
	protectLine(len(t), func(i int) *Count { return t[i].PersonTimes })
	protectLine(len(t), func(i int) *Count { return t[i].UniquePersons })
	lines := map[[2]string][]*Count{}
	var order [][2]string
	for _, row := range r.Data {
		if row.Indicator != "person_times" && row.Indicator != "unique_persons" {
			continue
		}
		key := [2]string{row.Indicator, row.Unit.Code}
		if lines[key] == nil {
			order = append(order, key)
		}
		lines[key] = append(lines[key], row.Numerator)
	}
	for _, key := range order {
		ShieldSmallCells(lines[key])
	}
	for i, row := range r.Data {
		if hidden(row.Numerator) || hidden(row.Denominator) {
			r.Data[i].Value = nil
		}
	}
}

// shieldLine protects the line of the n counts cell gives, when they add up to
// minTotal or more (a smaller total is itself hidden where it is shown, and gives
// nothing away).
func shieldLine(n int, cell func(i int) *Count, minTotal int64) {
	line, sum := make([]*Count, n), int64(0)
	for i := range line {
		if line[i] = cell(i); line[i] != nil {
			sum += line[i].N
		}
	}
	if sum >= minTotal {
		ShieldSmallCells(line)
	}
}

// firstOr is the first breakdown, or none.
func firstOr(d []Breakdown) Breakdown {
	if len(d) == 0 {
		return Breakdown{}
	}
	return d[0]
}

func hidden(c *Count) bool { return c != nil && c.Hidden }

// shieldSame shields c when it is the figure of a shielded count printed again.
func shieldSame(c, shielded *Count) {
	if c != nil && shielded.Shielded && !c.Hidden && c.N == shielded.N {
		c.Hidden, c.Shielded = true, true
	}
}
