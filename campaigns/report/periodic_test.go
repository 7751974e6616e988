package report

import (
	"fmt"
	"testing"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// periodicEval is the 2024 campaign of engineEval reported for a window, with the
// cut-off day 15 (the window "2024-H1" runs from 15/12/2023 to 14/06/2024): 1,000
// service workers in the province, reached in Dec 2023 part 2 (50), Mar part 2
// (300), Jun part 1 (72), Jun part 2 (100) and Aug part 2 (200); the press
// published every month but May; communes 20001 and 20002 active in July, 20101 in
// August.
func periodicEval(t *testing.T, period string, cutoff int, asOf loa.Date) evaluation {
	t.Helper()
	sw := coverageOf("service_workers", campaigns.ComparatorGT, 0.7)
	press := campaigns.Indicator{Code: "press", Title: "Báo chí", Rule: campaigns.RuleMonthlyFrequency, Channel: "provincial_press",
		Comparator: campaigns.ComparatorGTE, Threshold: 1}
	act := activityOf(campaigns.RegularityQuarter, campaigns.ComparatorGT, 0.7)
	e := engineEval(asOf, sw, press, act)
	w, err := ParseWindow(period, e.campaign, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	e.window, e.cutoff = w, cutoff
	e.populations = []campaigns.Population{populationOf("49", "service_workers", 2024, 1000, sampleSource)}
	for _, c := range []struct {
		month string
		part  int
		n     int64
	}{{"2023-12", 2, 50}, {"2024-03", 2, 300}, {"2024-06", 1, 72}, {"2024-06", 2, 100}, {"2024-08", 2, 200}} {
		e.addCell(c.month, c.part, "20001", "service_workers", reach.Cell{Records: 1, Activities: 1, PersonTimes: c.n, UniquePersons: c.n, UniqueKnown: 1})
	}
	for _, c := range []struct{ month, unit string }{{"2024-07", "20001"}, {"2024-07", "20002"}, {"2024-08", "20101"}} {
		e.addCell(c.month, 1, c.unit, "general_public", reach.Cell{Records: 1, Activities: 1, PersonTimes: 10, Estimated: 10})
	}
	months := map[string]campaigns.MonthPlan{}
	for m := 1; m <= 12; m++ {
		if key := fmt.Sprintf("2024-%02d", m); m != 5 && key <= string(asOf[:7]) {
			months[key] = campaigns.MonthPlan{Planned: 1, Published: 1}
		} else {
			months[key] = campaigns.MonthPlan{Planned: 1}
		}
	}
	e.press = map[string]map[string]campaigns.MonthPlan{"provincial_press": months}
	return e
}

// TestPeriodicWindows computes each window by hand. The targets are the year's:
// each is counted from 1 January to the window's end and judged against the target
// times the share of the year elapsed then; the window's own figures stand beside.
func TestPeriodicWindows(t *testing.T) {
	type want struct {
		code                string
		numerator, value    string
		expected            float64
		status              string
		pace                *float64
		window, windowValue string // the window's own numerator and value; "-" when judged in it
	}
	tests := []struct {
		name       string
		e          evaluation
		cumulative Span
		want       []want
	}{
		{
			// 1 Jan–14 Jun is 166 of 366 days: 0.7×166/366 = 31,7 % expected, 37,2 %
			// reached (Dec 2023 is before the campaign); 701 − 372 over the 200 days
			// to 31 Dec. Press: January to May ended, May missed, June published.
			name: "2024-H1, cut-off 15", e: periodicEval(t, "2024-H1", 15, "2024-09-30"),
			cumulative: Span{From: "2024-01-01", To: "2024-06-14"},
			want: []want{
				{"cov", "372", "0.372000", 0.7 * 166 / 366, StatusOnTrack, new(329 / (200 / daysPerMonth)), "422", "0.422000"},
				{"press", "5", "0.833333", 1, StatusCannotMeet, nil, "5", "0.833333"},
				// Regular per quarter, in a half-year: by 14 June Q1 has ended, and only
				// 20001 (its sessions in March) was active in it: at best 1 of 4.
				{"act", "1", "0.250000", 0.7, StatusCannotMeet, nil, "1", "0.250000"},
			},
		},
		{
			// 1 Jan–14 Sep is 258 days: 0.7×258/366 = 49,3 %; 300+72+100+200 = 672.
			// The window (15 Jun–14 Sep) alone has 100+200. The quarterly activity is
			// judged in the quarter: 3 of 4 communes active, more than 70 %, and the
			// quarter is over.
			name: "2024-Q3, cut-off 15", e: periodicEval(t, "2024-Q3", 15, "2024-09-30"),
			cumulative: Span{From: "2024-01-01", To: "2024-09-14"},
			want: []want{
				{"cov", "672", "0.672000", 0.7 * 258 / 366, StatusOnTrack, new(29 / (108 / daysPerMonth)), "300", "0.300000"},
				{"press", "8", "0.888889", 1, StatusCannotMeet, nil, "3", "1.000000"},
				{"act", "3", "0.750000", 0.7, StatusMet, nil, "-", "-"},
			},
		},
		{
			// A calendar month: 1 Jan–31 Mar is 91 days, 0.7×91/366 = 17,4 %
			// expected; 300 reached, 30 %, all of it in March.
			name: "a month", e: periodicEval(t, "2024-03", 1, "2024-04-10"),
			cumulative: Span{From: "2024-01-01", To: "2024-03-31"},
			want: []want{
				{"cov", "300", "0.300000", 0.7 * 91 / 366, StatusOnTrack, new(401 / (275 / daysPerMonth)), "300", "0.300000"},
				{"press", "3", "1.000000", 1, StatusOnTrack, new(9 / (275 / daysPerMonth)), "1", "1.000000"},
				// Q1 ends with the month: only 20001 was active in it.
				{"act", "1", "0.250000", 0.7, StatusCannotMeet, nil, "1", "0.250000"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.e.report()
			if r.Cumulative == nil || r.Cumulative.From != tt.cumulative.From || r.Cumulative.To != tt.cumulative.To {
				t.Fatalf("Cumulative = %+v, want %+v", r.Cumulative, tt.cumulative)
			}
			for i, w := range tt.want {
				res := r.Indicators[i]
				if res.Indicator != w.code || countText(res.Numerator) != w.numerator || valueText(res.Value) != w.value ||
					!near(res.ExpectedToDate, w.expected) || res.Status != w.status {
					t.Errorf("%s: numerator %s, value %s, expected %s, status %s; want %s, %s, %f, %s", res.Indicator,
						countText(res.Numerator), valueText(res.Value), valueText(res.ExpectedToDate), res.Status, w.numerator, w.value, w.expected, w.status)
				}
				if (res.PaceNeeded == nil) != (w.pace == nil) || w.pace != nil && !near(res.PaceNeeded, *w.pace) {
					t.Errorf("%s: PaceNeeded = %s, want %s", res.Indicator, valueText(res.PaceNeeded), valueText(w.pace))
				}
				own, ownValue := "-", "-"
				if res.Window != nil {
					own, ownValue = countText(res.Window.Numerator), valueText(res.Window.Value)
				}
				if own != w.window || ownValue != w.windowValue {
					t.Errorf("%s: window figures %s, %s; want %s, %s", res.Indicator, own, ownValue, w.window, w.windowValue)
				}
			}
		})
	}
}

// TestStatusSettled: a regular-activity target is on track until its last
// sub-period has ended, met only then; a coverage past its threshold is met at
// once; a target whose best case falls short cannot be met.
func TestStatusSettled(t *testing.T) {
	everyHalf := func(asOf loa.Date, in campaigns.Indicator) evaluation {
		e := engineEval(asOf, in)
		for _, u := range []string{"20001", "20002", "20101", "20102"} {
			e.addCell("2024-03", 2, u, "general_public", reach.Cell{Records: 1, Activities: 1})
			e.addCell("2024-09", 2, u, "general_public", reach.Cell{Records: 1, Activities: 1})
		}
		return e
	}
	halfYear := activityOf(campaigns.RegularityHalfYear, campaigns.ComparatorGT, 0.7)
	tests := []struct {
		name   string
		e      evaluation
		status string
	}{
		{"regular, before the last half-year ends", everyHalf("2024-12-30", halfYear), StatusOnTrack},
		{"regular, once the last half-year has ended", everyHalf("2024-12-31", halfYear), StatusMet},
		{"without regularity, met at once", everyHalf("2024-04-01", activityOf(campaigns.RegularityNone, campaigns.ComparatorGT, 0.7)), StatusMet},
		{"a commune missed the first half-year", func() evaluation {
			e := everyHalf("2024-07-01", halfYear)
			e.cells = reach.CellSet{}
			e.addCell("2024-03", 2, "20001", "general_public", reach.Cell{Records: 1, Activities: 1})
			e.addCell("2024-03", 2, "20002", "general_public", reach.Cell{Records: 1, Activities: 1})
			e.addCell("2024-03", 2, "20101", "general_public", reach.Cell{Records: 1, Activities: 1})
			return e
		}(), StatusOnTrack}, // 3 of 4 may still count: more than 70 %
		{"two communes missed it", func() evaluation {
			e := everyHalf("2024-07-01", halfYear)
			e.cells = reach.CellSet{}
			e.addCell("2024-03", 2, "20001", "general_public", reach.Cell{Records: 1, Activities: 1})
			e.addCell("2024-03", 2, "20002", "general_public", reach.Cell{Records: 1, Activities: 1})
			return e
		}(), StatusCannotMeet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.e.report().Indicators[0]
			if r.Status != tt.status || r.StatusLabel != StatusLabels[tt.status] {
				t.Errorf("status %s (%s), want %s", r.Status, r.StatusLabel, tt.status)
			}
			if tt.status == StatusCannotMeet && (r.PaceNeeded != nil || r.StatusLabel != "Không thể đạt") {
				t.Errorf("cannot_meet with pace %s, label %q", valueText(r.PaceNeeded), r.StatusLabel)
			}
		})
	}
}

// TestFirstTimePersons: where a unit's records give first-time persons, coverage
// counts them; elsewhere unique persons are summed and the coverage is an upper
// bound. Tam Kỳ (502, 100 students) has two sessions of 40 unique persons each,
// the second giving 10 first-time persons: 50, not 80. The capping at the leaf
// stays: 20001 (10 students) counts at most 10.
func TestFirstTimePersons(t *testing.T) {
	first := func(unique, firstTime int64) reach.Cell {
		return reach.Cell{Records: 1, Activities: 1, PersonTimes: unique, UniquePersons: unique, UniqueKnown: 1,
			Repeated: unique - firstTime, FirstTimeKnown: 1}
	}
	unique := func(n int64) reach.Cell {
		return reach.Cell{Records: 1, Activities: 1, PersonTimes: n, UniquePersons: n, UniqueKnown: 1}
	}
	tests := []struct {
		name              string
		cells             map[string][]reach.Cell // unit: cells in March
		numerator, uncapp string
		upperBound        bool
		note              string
	}{
		{"first-time persons everywhere", map[string][]reach.Cell{"20002": {first(40, 40), first(40, 10)}}, "50", "50", false, ""},
		{"unique persons only: an upper bound", map[string][]reach.Cell{"20002": {unique(40), unique(40)}}, "80", "80", true, noteUpperBound},
		{"some records without", map[string][]reach.Cell{"20002": {first(40, 40), first(40, 10)}, "502": {unique(5)}}, "55", "55", true, noteUpperBound},
		{"capped at the leaf", map[string][]reach.Cell{"20001": {first(30, 30), first(30, 5)}}, "10", "35", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineEval("2024-06-30", coverageOf("students", campaigns.ComparatorGTE, 0.5)).scopedTo("502")
			e.populations = []campaigns.Population{populationOf("502", "students", 2024, 100, sampleSource),
				populationOf("20001", "students", 2024, 10, sampleSource)}
			for unit, cells := range tt.cells {
				for _, c := range cells {
					e.addCell("2024-03", 2, unit, "students", c)
				}
			}
			r := e.report().Indicators[0]
			if countText(r.Numerator) != tt.numerator || countText(r.UncappedNumerator) != tt.uncapp || r.UpperBound != tt.upperBound || r.Note != tt.note {
				t.Errorf("numerator %s, uncapped %s, upper bound %v, note %q; want %s, %s, %v, %q",
					countText(r.Numerator), countText(r.UncappedNumerator), r.UpperBound, r.Note, tt.numerator, tt.uncapp, tt.upperBound, tt.note)
			}
		})
	}
}
