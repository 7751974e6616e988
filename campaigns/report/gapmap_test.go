package report

import (
	"slices"
	"testing"

	"loa/campaigns"
)

// gapEval is the students of engineTree as of 31/03/2024, with denominators of 100
// at 502 and 200 at 503 and a target of 50 %: 502 reached 2 in January and 40 in
// February, 503 reached 30 in March.
func gapEval() evaluation {
	e := engineEval("2024-03-31", coverageOf("students", campaigns.ComparatorGTE, 0.5))
	e.populations = append(e.populations, populationOf("502", "students", 2024, 100, sampleSource),
		populationOf("503", "students", 2024, 200, sampleSource))
	e.reached("2024-01", "20001", "students", 2)
	e.reached("2024-02", "20002", "students", 40)
	e.reached("2024-03", "20101", "students", 30)
	return e
}

// states are the rows of a map as their units and the states of their first
// four months and total, with the people counted.
func states(g GapMap) map[string][]string {
	out := map[string][]string{}
	for _, r := range g.Rows {
		for _, c := range append(r.Cells[:4:4], r.Total) {
			out[r.Unit.Code] = append(out[r.Unit.Code], c.State+" "+c.People.String())
		}
	}
	return out
}

func TestGapMapGroup(t *testing.T) {
	// 502 in January: 2/100 against 50 % × 31/366 = 4,2 % expected, below 75 % of
	// it: behind. By February 42/100 against 8,2 %: on pace. 503 in March: 30/200
	// = 15 % against 12,4 %: on pace. April is after the as-of date.
	g := gapEval().gapMap("", "")
	if g.Group != "students" || g.Indicator != "cov" || len(g.Months) != 12 || g.Months[0] != "2024-01" {
		t.Fatalf("map of %q by %q over %v", g.Group, g.Indicator, g.Months)
	}
	want := map[string][]string{
		"502": {"behind 2", "on_pace 40", "nothing 0", "future 0", "on_pace 42"},
		"503": {"nothing 0", "nothing 0", "on_pace 30", "future 0", "on_pace 30"},
	}
	got := states(g)
	for unit, w := range want {
		if !slices.Equal(got[unit], w) {
			t.Errorf("row %s = %v, want %v", unit, got[unit], w)
		}
	}
	if !g.Rows[0].Units {
		t.Errorf("502 has communes: its row should open their map")
	}
}

func TestGapMapCommunesAndViewers(t *testing.T) {
	// The communes of 502 have no denominator: activity without bands. A viewer's
	// map hides the 2 persons of January, and 20002's total of 40 with them: the
	// district's 42, on the map above, less 40 would give the 2 away.
	e := gapEval().scopedTo("502")
	e.suppress = true
	got := states(e.gapMap("students", ""))
	want := map[string][]string{
		"20001": {"activity <5", "nothing 0", "nothing 0", "future 0", "activity <5"},
		"20002": {"nothing 0", "activity 40", "nothing 0", "future 0", "activity ×"},
	}
	for unit, w := range want {
		if !slices.Equal(got[unit], w) {
			t.Errorf("row %s = %v, want %v", unit, got[unit], w)
		}
	}
}

func TestGapMapActivityKind(t *testing.T) {
	// A map of an activity kind counts person-times of every group, without bands.
	e := gapEval()
	e.reached("2024-01", "20001", "officials", 5)
	got := states(e.gapMap("", "session"))
	if w := []string{"activity 7", "activity 40", "nothing 0", "future 0", "activity 47"}; !slices.Equal(got["502"], w) {
		t.Errorf("row 502 = %v, want %v", got["502"], w)
	}
	if got := states(e.gapMap("", "training")); got["502"][0] != "nothing 0" {
		t.Errorf("a kind without records: %v", got["502"])
	}
}

// TestGapMapShieldsSmallCells: for a viewer, a small count that its row's total
// (or its month's, across the rows) would give away is joined by a second hidden
// count, "×": 20001 reached 3 in January and 20 in February (total 23); 20002
// reached 12 in January. Row 20001 hides its 20 beside the <5; January's column
// then holds <5 and 12 (their total, 15, is the district's January): 12 is hidden
// too; the totals' column (23 and 12) has nothing small and stays as it is.
func TestGapMapShieldsSmallCells(t *testing.T) {
	e := engineEval("2024-03-31", coverageOf("students", campaigns.ComparatorGTE, 0.5)).scopedTo("502")
	e.reached("2024-01", "20001", "students", 3)
	e.reached("2024-02", "20001", "students", 20)
	e.reached("2024-01", "20002", "students", 12)
	e.suppress = true
	got := states(e.gapMap("students", ""))
	want := map[string][]string{
		"20001": {"activity <5", "activity ×", "nothing 0", "future 0", "activity 23"},
		"20002": {"activity ×", "nothing 0", "nothing 0", "future 0", "activity 12"},
	}
	for unit, w := range want {
		if !slices.Equal(got[unit], w) {
			t.Errorf("row %s = %v, want %v", unit, got[unit], w)
		}
	}
	e.suppress = false
	if got := states(e.gapMap("students", "")); got["20001"][1] != "activity 20" || got["20002"][0] != "activity 12" {
		t.Errorf("a planner's map hides counts: %v", got)
	}
}
