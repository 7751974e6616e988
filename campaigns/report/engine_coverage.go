package report

// The coverage rule: unique persons of a group over its denominator, capped at
// each unit that has one.

import (
	"fmt"
	"slices"
	"strings"

	"loa/campaigns"
	"loa/campaigns/reach"
)

// coverage counts the unique persons of the indicator's group reached in unit s,
// capped at the denominator of each unit that has one (DESIGN §5).
func (x *engine) coverage(in campaigns.Indicator, s int, m moment) Result {
	c := x.countCoverage(in.Group, s, m)
	r := x.newResult(in, m)
	r.CountUnit, r.Provenance = "người", c.provenance()
	r.PersonTimes = x.people(c.reached.PersonTimes)
	r.UncappedNumerator = x.people(c.reached.Persons())
	r.UpperBound = c.reached.UpperBound()
	if len(c.units) > 0 {
		r.Denominator = x.people(c.denominator)
	}
	switch {
	case len(c.units) == 0:
		r.Note = noteNoDenominator
	case c.reached.UniqueKnown == 0 && c.reached.PersonTimes > 0:
		r.Note = notePersonTimesOnly
	case c.denominator == 0:
		r.Note = noteZeroDenominator
	default:
		r.Numerator, r.Value = x.people(c.numerator), ratio(c.numerator, c.denominator)
		r.Uncapped = ratio(c.reached.Persons(), c.denominator)
		if r.UpperBound {
			r.Note = noteUpperBound
		}
		r.OverHundred = len(c.over) > 0
		for _, u := range c.over {
			r.OverUnits = append(r.OverUnits, unitRef(x.tree.Units()[u]))
		}
		r.Forecast = runRate(in, c.numerator, c.denominator, m.elapsed)
	}
	judge(in, &r, m, c.denominator, open(r.Value, m))
	return r
}

// runRate continues the pace so far to the window's end, capped at the denominator.
func runRate(in campaigns.Indicator, n, d int64, elapsed float64) *Forecast {
	if elapsed == 0 {
		return &Forecast{Numerator: float64(n), Basis: forecastRunRate}
	}
	f := min(float64(n)/elapsed, float64(d))
	return newForecast(in, forecastRunRate, f, f/float64(d))
}

// coverageCount is a coverage indicator counted at one unit and moment.
type coverageCount struct {
	dens map[int]campaigns.Population
	// units are those whose denominators make the scope's: the scope itself, or the
	// maximal units with a denominator inside it; none when it has no denominator.
	units                  []int
	numerator, denominator int64
	over                   []int      // units with a denominator reached beyond it, in code order
	reached                reach.Cell // the group's cells in the scope's subtree
}

// countCoverage counts a group's coverage at unit s and moment m.
func (x *engine) countCoverage(group string, s int, m moment) coverageCount {
	w := x.walk(group, m)
	c := coverageCount{dens: w.dens, reached: sumParts(series(x.subtree, s, x.groupIndex(group)), 0, m.parts)}
	switch {
	case w.has(s):
		c.units = []int{s}
	case !w.under(s):
		c.units = w.maximal(s, nil)
	}
	for _, u := range c.units {
		c.numerator += w.contribution(u)
		c.denominator += w.dens[u].Count
	}
	slices.Sort(w.over)
	c.over = w.over
	return c
}

// provenance names the sources of the denominators used, with their years.
func (c coverageCount) provenance() string {
	var sources []string
	for _, u := range c.units {
		p := c.dens[u]
		if s := fmt.Sprintf("%s (%d)", p.Source, p.Year); !slices.Contains(sources, s) {
			sources = append(sources, s)
		}
	}
	return strings.Join(sources, "; ")
}

// coverageLagging lists the maximal units with a denominator inside unit s whose
// capped coverage is below the value expected by now.
func (x *engine) coverageLagging(in campaigns.Indicator, s int, m moment, out []Lagging) []Lagging {
	w := x.walk(in.Group, m)
	expected := x.expected(in, m)
	for _, u := range w.maximal(s, nil) {
		den := w.dens[u].Count
		if den == 0 {
			continue
		}
		n := w.contribution(u)
		if v := float64(n) / float64(den); v < expected-tolerance {
			out = append(out, behind(in, x.tree.Units()[u], v, expected, x.people(n).Hidden))
		}
	}
	return out
}

// coverageWalk caps the unique persons of a group at each unit with a denominator.
type coverageWalk struct {
	x     *engine
	group int // index in x.groups
	parts int
	dens  map[int]campaigns.Population
	over  []int
}

// walk starts a capping walk of a group at moment m.
func (x *engine) walk(group string, m moment) *coverageWalk {
	return &coverageWalk{x: x, group: x.groupIndex(group), parts: m.parts, dens: x.denominators(group)}
}

// denominators are, per unit, the group's population of the latest year not after
// the window's end year, on the report's map (mapDenominators).
func (x *engine) denominators(group string) map[int]campaigns.Population {
	if d, ok := x.dens[group]; ok {
		return d
	}
	d := x.mapDenominators(group)
	x.dens[group] = d
	return d
}

// has reports whether unit u has a denominator.
func (w *coverageWalk) has(u int) bool {
	_, ok := w.dens[u]
	return ok
}

// under reports whether a unit above u has a denominator.
func (w *coverageWalk) under(u int) bool {
	up := w.x.up[u]
	return slices.ContainsFunc(up[:max(len(up)-1, 0)], w.has)
}

// contribution is what unit u adds to the unit above it: its own unique persons
// and its children's contributions, capped at its denominator when it has one.
func (w *coverageWalk) contribution(u int) int64 {
	n := sumParts(series(w.x.direct, u, w.group), 0, w.parts).Persons()
	for _, c := range w.x.children[u] {
		n += w.contribution(c)
	}
	if p, ok := w.dens[u]; ok && n > p.Count {
		w.over = append(w.over, u)
		n = p.Count
	}
	return n
}

// maximal appends the units with a denominator below u with none between them and u.
func (w *coverageWalk) maximal(u int, out []int) []int {
	for _, c := range w.x.children[u] {
		if w.has(c) {
			out = append(out, c)
		} else {
			out = w.maximal(c, out)
		}
	}
	return out
}
