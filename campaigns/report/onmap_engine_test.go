package report

import (
	"slices"
	"strings"
	"testing"

	"loa"
	"loa/campaigns"
)

// splitEval is a 2025 campaign over a province P whose commune A is split on
// 01/07/2025 between B (40 %) and C (60 %), reported on the map of that day; A
// reached 100 students in March and has a 2025 figure of 1,000 students; B has a
// figure of its own, 300, and C none.
func splitEval(t *testing.T) evaluation {
	t.Helper()
	end, start := loa.Date("2025-06-30"), loa.Date("2025-07-01")
	h := campaigns.NewUnitHistory(1, []campaigns.OrgUnit{
		{Code: "P", Name: "Tỉnh", Level: "province"},
		{Code: "A", Name: "Xã A", Level: "commune", Parent: "P", ValidTo: &end,
			Successors: []campaigns.Link{{Code: "B", Share: 0.4}, {Code: "C", Share: 0.6}}},
		{Code: "B", Name: "Xã B", Level: "commune", Parent: "P", ValidFrom: &start},
		{Code: "C", Name: "Xã C", Level: "commune", Parent: "P", ValidFrom: &start},
	})
	e := engineEval("2025-12-31", coverageOf("students", campaigns.ComparatorGTE, 0.5))
	e.campaign.Period = campaigns.Period{Start: "2025-01-01", End: "2025-12-31"}
	e.window = Window{Kind: "campaign", From: "2025-01-01", To: "2025-12-31"}
	e.history, e.mapDate, e.tree = h, "2025-12-31", h.At("2025-12-31")
	e.scope, _ = e.tree.Get("P")
	e.reached("2025-03", "A", "students", 100)
	e.populations = []campaigns.Population{populationOf("A", "students", 2025, 1000, sampleSource), populationOf("B", "students", 2025, 300, sampleSource)}
	return e
}

// TestSplitOnTheMap: a split unit's persons and figure are divided by the shares
// (B 40 of 100 persons, C 60 and 600 of 1,000 students), B keeps its own figure
// (300, not 400), and the report says both.
func TestSplitOnTheMap(t *testing.T) {
	r := splitEval(t).report()
	byUnit := map[string]UnitValue{}
	for _, d := range r.Districts {
		byUnit[d.Unit.Code] = d.Indicators[0]
	}
	if b, c := byUnit["B"], byUnit["C"]; b.Numerator.N != 40 || b.Denominator.N != 300 || c.Numerator.N != 60 || c.Denominator.N != 600 {
		t.Errorf("B = %d/%d, C = %d/%d; want 40/300 and 60/600", b.Numerator.N, b.Denominator.N, c.Numerator.N, c.Denominator.N)
	}
	if !r.Map.Shares || r.Map.Moved != 1 || r.Map.Other {
		t.Errorf("map = %+v, want shares relied on, one unit moved, the window's own map", r.Map)
	}
	notes := strings.Join(r.Map.Notes, "\n")
	for _, want := range []string{noteShares, "Xã B"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if slices.ContainsFunc(r.Map.Notes, func(n string) bool { return strings.Contains(n, "Xã C") }) {
		t.Errorf("notes %q name C, which has no figure of its own", notes)
	}
}

// TestWholeMapNoNotes: without a change of units the report says nothing of maps.
func TestWholeMapNoNotes(t *testing.T) {
	e := splitEval(t)
	e.window = Window{Kind: "campaign", From: "2025-01-01", To: "2025-06-30"}
	e.mapDate, e.tree = "2025-06-30", e.history.At("2025-06-30")
	e.scope, _ = e.tree.Get("P")
	r := e.report()
	if r.Map.Moved != 0 || len(r.Map.Notes) != 0 || r.Indicators[0].Numerator.N != 100 || r.Indicators[0].Denominator.N != 1000 {
		t.Errorf("map %+v, coverage %d/%d; want nothing moved and 100/1000", r.Map, r.Indicators[0].Numerator.N, r.Indicators[0].Denominator.N)
	}
}
