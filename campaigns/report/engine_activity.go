package report

// The orgunit_activity rule: units of a level with activity, maintained regularly.

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"loa"
	"loa/campaigns"
)

// subWindow is a span of the window in which every counted unit must be active.
type subWindow struct {
	from, to time.Time
	a, b     int // its included parts [a, b)
	label    string
}

// subWindows split the window from its start into consecutive half-years (the
// default) or quarters; with regularity none the window is one sub-window.
func (x *engine) subWindows(regularity string) []subWindow {
	if w, ok := x.windows[regularity]; ok {
		return w
	}
	months := map[string]int{"": 6, campaigns.RegularityHalfYear: 6, campaigns.RegularityQuarter: 3}[regularity]
	var out []subWindow
	for from := x.from; !from.After(x.to); {
		nominal := x.to
		if months > 0 {
			nominal = x.from.AddDate(0, (len(out)+1)*months, -1)
		}
		to := earlier(nominal, x.to)
		out = append(out, subWindow{from: from, to: to, a: x.partsBefore(from), b: x.partsBefore(to.AddDate(0, 0, 1)),
			label: subWindowLabel(months, from, nominal)})
		from = to.AddDate(0, 0, 1)
	}
	x.windows[regularity] = out
	return out
}

// partsBefore counts the included parts that start before t.
func (x *engine) partsBefore(t time.Time) int {
	return sort.Search(len(x.parts), func(i int) bool { return !x.parts[i].start.Before(t) })
}

// subWindowLabel names a sub-window the way plans do: "6 tháng đầu năm 2024",
// "quý 2/2024", or by its first day when it does not end with a half-year or a
// quarter.
func subWindowLabel(months int, from, nominal time.Time) string {
	end := int(nominal.Month())
	switch {
	case months == 6 && end == 6:
		return fmt.Sprintf("6 tháng đầu năm %d", nominal.Year())
	case months == 6 && end == 12:
		return fmt.Sprintf("6 tháng cuối năm %d", nominal.Year())
	case months == 3 && end%3 == 0:
		return fmt.Sprintf("quý %d/%d", end/3, nominal.Year())
	case months > 0:
		return fmt.Sprintf("%d tháng từ %s", months, loa.DateOf(from).Display())
	}
	return "cả kỳ"
}

// unitActivity is how a unit of an orgunit_activity indicator's level stands.
type unitActivity struct {
	unit    int
	active  bool     // at least one activity in the included data
	missed  []string // the ended sub-windows without activity
	current bool     // an activity in the current sub-window
	// regular is active in every ended sub-window, at least one of which has ended:
	// a unit with that record is taken to keep it.
	regular bool
}

// counted reports whether the unit counts in the numerator.
func (a unitActivity) counted() bool { return a.active && len(a.missed) == 0 }

// activityStates are the units of the indicator's level in unit s that exist in
// the window, as they stand at m.
func (x *engine) activityStates(in campaigns.Indicator, s int, m moment) []unitActivity {
	windows := x.subWindows(in.Regularity)
	cur := len(windows) - 1
	for k, w := range windows {
		if w.to.After(m.date) {
			cur = k
			break
		}
	}
	scope := x.tree.Units()[s].Code
	var out []unitActivity
	for i, u := range x.tree.Units() {
		if u.Level != in.Level || !x.inWindow(u) || !slices.Contains(u.Path, scope) {
			continue
		}
		st := unitActivity{unit: i, active: x.active(i, 0, m.parts)}
		ended := 0
		for _, w := range windows {
			if w.to.After(m.date) {
				continue
			}
			ended++
			if !x.active(i, w.a, min(w.b, m.parts)) {
				st.missed = append(st.missed, w.label)
			}
		}
		st.regular = ended > 0 && len(st.missed) == 0
		st.current = x.active(i, windows[cur].a, min(windows[cur].b, m.parts))
		out = append(out, st)
	}
	return out
}

// active reports whether unit u's subtree has an activity in parts [a, b).
func (x *engine) active(u, a, b int) bool {
	return sumParts(x.total[u], a, b).Activities > 0
}

// activity counts the units of the indicator's level in unit s that were active,
// and active in every sub-window that has ended.
func (x *engine) activity(in campaigns.Indicator, s int, m moment) Result {
	states := x.activityStates(in, s, m)
	r := x.newResult(in, m)
	r.CountUnit, r.Provenance = levelUnits[in.Level], provenanceUnits
	if r.CountUnit == "" {
		r.CountUnit = in.Level
	}
	den := int64(len(states))
	var o outlook
	if den == 0 {
		r.Note = noteNoUnits
	} else {
		var counted, heading, possible int64
		for _, st := range states {
			if st.counted() {
				counted++
			}
			if len(st.missed) == 0 {
				possible++ // a unit that missed no ended sub-window may still count
			}
			if len(st.missed) == 0 && (st.current || st.regular || x.planned[st.unit] > 0) {
				heading++
			}
		}
		r.Numerator, r.Denominator, r.Value = Things(counted), Things(den), ratio(counted, den)
		r.Forecast = newForecast(in, forecastPlanned, float64(heading), float64(heading)/float64(den))
		// A counted unit may still miss a sub-window to come: the count is settled
		// only without regularity or once the last sub-window has ended.
		o.best = float64(possible) / float64(den)
		if in.Regularity == campaigns.RegularityNone || m.over {
			o.worst = *r.Value
		}
	}
	judge(in, &r, m, den, o)
	return r
}

// activityLagging lists the units with no activity, those that missed an ended
// sub-window, and the children of s whose share of counted units is below the
// value expected by now.
func (x *engine) activityLagging(in campaigns.Indicator, s int, m moment, out []Lagging) []Lagging {
	states := x.activityStates(in, s, m)
	for _, st := range states {
		l := Lagging{Unit: unitRef(x.tree.Units()[st.unit]), Indicator: in.Code}
		switch {
		case !st.active:
			l.Reason = reasonNoActivity
		case len(st.missed) > 0:
			l.Reason = reasonMissed + strings.Join(st.missed, ", ")
		default:
			continue
		}
		out = append(out, l)
	}
	expected := x.expected(in, m)
	for _, c := range x.validChildren(s) {
		child := x.tree.Units()[c]
		if child.Level == in.Level {
			continue // a counted unit itself, listed above when behind
		}
		var n, counted int
		for _, st := range states {
			if slices.Contains(x.tree.Units()[st.unit].Path, child.Code) {
				n++
				if st.counted() {
					counted++
				}
			}
		}
		if n == 0 {
			continue
		}
		if v := float64(counted) / float64(n); v < expected-tolerance {
			out = append(out, behind(in, child, v, expected, false))
		}
	}
	return out
}
