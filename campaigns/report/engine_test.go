package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// The engine's tests are pure: hand-made evaluations, hand-computed answers.

// engineTree is a small province: 49 with the districts 502 (communes 20001, 20002)
// and 503 (communes 20101, 20102, and 20103, dissolved before 2024).
func engineTree() *campaigns.UnitTree {
	dissolved := loa.Date("2023-06-30")
	units := []campaigns.OrgUnit{
		{Code: "49", Name: "Quảng Nam", Level: "province", Path: []string{"49"}},
		{Code: "502", Name: "Tam Kỳ", Level: "district", Parent: "49", Path: []string{"49", "502"}},
		{Code: "503", Name: "Hội An", Level: "district", Parent: "49", Path: []string{"49", "503"}},
		{Code: "20001", Name: "Tân Thạnh", Level: "commune", Parent: "502", Path: []string{"49", "502", "20001"}},
		{Code: "20002", Name: "An Mỹ", Level: "commune", Parent: "502", Path: []string{"49", "502", "20002"}},
		{Code: "20101", Name: "Minh An", Level: "commune", Parent: "503", Path: []string{"49", "503", "20101"}},
		{Code: "20102", Name: "Cẩm Phô", Level: "commune", Parent: "503", Path: []string{"49", "503", "20102"}},
		{Code: "20103", Name: "Cẩm Nam", Level: "commune", Parent: "503", Path: []string{"49", "503", "20103"}, ValidTo: &dissolved},
	}
	return campaigns.NewUnitTree(1, units)
}

// engineEval is an evaluation of the 2024 calendar year over engineTree at the
// province, as of (and on) asOf, with calendar-month cells (cut-off day 1).
func engineEval(asOf loa.Date, indicators ...campaigns.Indicator) evaluation {
	tree := engineTree()
	province, _ := tree.Get("49")
	return evaluation{
		campaign: campaigns.Campaign{Code: "T-2024", Title: "Kế hoạch thử", Period: campaigns.Period{Start: "2024-01-01", End: "2024-12-31"},
			Indicators: indicators},
		tree:   tree,
		groups: slices.Clone(campaigns.DefaultTargetGroups),
		scope:  province,
		window: Window{Kind: "campaign", From: "2024-01-01", To: "2024-12-31"},
		asOf:   asOf,
		today:  asOf,
		cutoff: 1,
		cells:  reach.CellSet{},
	}
}

// scopedTo moves the scope of e to unit code.
func (e evaluation) scopedTo(code string) evaluation {
	e.scope, _ = e.tree.Get(code)
	return e
}

// reached puts n unique persons of group in a unit's month (one session).
func (e evaluation) reached(month, unit, group string, n int64) {
	e.addCell(month, 2, unit, group, reach.Cell{Records: 1, Activities: 1, PersonTimes: n, UniquePersons: n, UniqueKnown: 1})
}

func (e evaluation) addCell(month string, part int, unit, group string, c reach.Cell) {
	k := reach.CellKey{Month: month, Part: part, OrgUnit: unit, Group: group, Activity: "session"}
	old := e.cells.Get(k)
	old.Add(c, 1)
	e.cells.Put(k, old)
}

func populationOf(unit, group string, year int, count int64, source string) campaigns.Population {
	return campaigns.Population{OrgUnit: unit, Group: group, Year: year, Count: count, Source: source}
}

const sampleSource = "sample estimate, not official"

func coverageOf(group, comparator string, threshold float64) campaigns.Indicator {
	return campaigns.Indicator{Code: "cov", Title: "Bao phủ", Rule: campaigns.RuleCoverage, Group: group, Comparator: comparator, Threshold: threshold}
}

func activityOf(regularity, comparator string, threshold float64) campaigns.Indicator {
	return campaigns.Indicator{Code: "act", Title: "Xã có hoạt động", Rule: campaigns.RuleOrgUnitActivity, Level: "commune",
		Regularity: regularity, Comparator: comparator, Threshold: threshold}
}

func near(got *float64, want float64) bool { return got != nil && math.Abs(*got-want) < 1e-6 }

func countText(c *Count) string {
	if c == nil {
		return "nil"
	}
	return c.String()
}

func valueText(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("%.6f", *v)
}

func unitCodes(refs []UnitRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Code)
	}
	return out
}

// cappingEval reaches service workers beyond the denominators of commune 20001 (10)
// and district 503 (50); district 502 (100) is within its own only once its
// commune is capped: 5 + min(30, 10) + 60 = 75, not 95.
func cappingEval(asOf loa.Date, in campaigns.Indicator) evaluation {
	e := engineEval(asOf, in)
	e.populations = []campaigns.Population{
		populationOf("502", "service_workers", 2024, 100, sampleSource),
		populationOf("502", "service_workers", 2025, 999, sampleSource), // after the window's year: ignored
		populationOf("503", "service_workers", 2023, 40, "Cục Thống kê"),
		populationOf("503", "service_workers", 2024, 50, sampleSource), // the latest year wins
		populationOf("20001", "service_workers", 2024, 10, "Cục Thống kê"),
		populationOf("502", "iz_workers", 2024, 200, sampleSource),
		populationOf("502", "officials", 2024, 100, sampleSource),
		populationOf("504", "officials", 2024, 100, sampleSource), // a unit the tree does not know
	}
	e.reached("2024-03", "20001", "service_workers", 30)
	e.reached("2024-03", "20002", "service_workers", 60)
	e.reached("2024-03", "502", "service_workers", 5)
	e.reached("2024-03", "20101", "service_workers", 40)
	e.reached("2024-03", "20102", "service_workers", 30)
	e.reached("2024-03", "49", "service_workers", 7) // under no unit with a denominator
	e.addCell("2024-04", 2, "20001", "iz_workers", reach.Cell{Records: 2, Activities: 2, PersonTimes: 300})
	return e
}

func TestEngineCoverage(t *testing.T) {
	sw := coverageOf("service_workers", campaigns.ComparatorGT, 0.7)
	tests := []struct {
		name           string
		e              evaluation
		numerator      string
		denominator    string
		value          string
		uncappedNum    string
		uncapped       string
		personTimes    string
		over           []string
		status, note   string
		provenance     string
		forecastAbsent bool
	}{
		{
			// 502: 75 of 100; 503: 70 capped at 50; the province's own 7 are in no unit
			// with a denominator. Uncapped 30+60+5+40+30+7 = 172.
			name: "province sums the capped districts", e: cappingEval("2024-06-30", sw),
			numerator: "125", denominator: "150", value: "0.833333", uncappedNum: "172", uncapped: "1.146667",
			personTimes: "172", over: []string{"503", "20001"}, status: StatusMet, note: noteUpperBound, provenance: sampleSource + " (2024)",
		},
		{
			name: "district capped at its commune first", e: cappingEval("2024-06-30", sw).scopedTo("502"),
			numerator: "75", denominator: "100", value: "0.750000", uncappedNum: "95", uncapped: "0.950000",
			personTimes: "95", over: []string{"20001"}, status: StatusMet, note: noteUpperBound, provenance: sampleSource + " (2024)",
		},
		{
			name: "commune with its own denominator", e: cappingEval("2024-06-30", sw).scopedTo("20001"),
			numerator: "10", denominator: "10", value: "1.000000", uncappedNum: "30", uncapped: "3.000000",
			personTimes: "30", over: []string{"20001"}, status: StatusMet, note: noteUpperBound, provenance: "Cục Thống kê (2024)",
		},
		{
			name: "commune under a district with a denominator", e: cappingEval("2024-06-30", sw).scopedTo("20002"),
			numerator: "nil", denominator: "nil", value: "nil", uncappedNum: "60", uncapped: "nil", personTimes: "60",
			status: StatusNotMeasurable, note: noteNoDenominator, forecastAbsent: true,
		},
		{
			name: "group without any denominator", e: cappingEval("2024-06-30", coverageOf("students", campaigns.ComparatorGTE, 0.5)),
			numerator: "nil", denominator: "nil", value: "nil", uncappedNum: "0", uncapped: "nil", personTimes: "0",
			status: StatusNotMeasurable, note: noteNoDenominator, forecastAbsent: true,
		},
		{
			name: "person-times only", e: cappingEval("2024-06-30", coverageOf("iz_workers", campaigns.ComparatorGTE, 0.5)),
			numerator: "nil", denominator: "200", value: "nil", uncappedNum: "0", uncapped: "nil", personTimes: "300",
			status: StatusNotMeasurable, note: notePersonTimesOnly, provenance: sampleSource + " (2024)", forecastAbsent: true,
		},
		{
			// Nothing reached at all is a coverage of 0, well behind 0.5×182/366.
			name: "nothing reached", e: cappingEval("2024-06-30", coverageOf("officials", campaigns.ComparatorGTE, 0.5)),
			numerator: "0", denominator: "100", value: "0.000000", uncappedNum: "0", uncapped: "0.000000",
			personTimes: "0", status: StatusOffTrack, provenance: sampleSource + " (2024)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.e.report().Indicators[0]
			got := []string{countText(r.Numerator), countText(r.Denominator), valueText(r.Value), countText(r.UncappedNumerator), valueText(r.Uncapped), countText(r.PersonTimes)}
			want := []string{tt.numerator, tt.denominator, tt.value, tt.uncappedNum, tt.uncapped, tt.personTimes}
			if !slices.Equal(got, want) {
				t.Errorf("numerator, denominator, value, uncapped numerator, uncapped, person-times = %v, want %v", got, want)
			}
			if !slices.Equal(unitCodes(r.OverUnits), tt.over) || r.OverHundred != (len(tt.over) > 0) {
				t.Errorf("OverHundred %v, OverUnits %v, want %v", r.OverHundred, unitCodes(r.OverUnits), tt.over)
			}
			if r.Status != tt.status || r.StatusLabel != StatusLabels[tt.status] || r.Note != tt.note || r.Provenance != tt.provenance {
				t.Errorf("status %q (%q), note %q, provenance %q; want %q, %q, %q", r.Status, r.StatusLabel, r.Note, r.Provenance, tt.status, tt.note, tt.provenance)
			}
			if (r.Forecast == nil) != tt.forecastAbsent || r.CountUnit != "người" {
				t.Errorf("forecast %+v, count unit %q", r.Forecast, r.CountUnit)
			}
		})
	}
}

// TestEngineCoverageStatus follows one district (1,000 students) at fixed as-of
// dates. On 30 June 2024, 182 of the year's 366 days have elapsed: 50 % is expected
// at 0.5×182/366 = 0.248634, at risk from 0.75 of that = 0.186475; 184 days (6.045174
// months) remain and 500 students meet the target.
func TestEngineCoverageStatus(t *testing.T) {
	gte50 := coverageOf("students", campaigns.ComparatorGTE, 0.5)
	const elapsed, remaining = 182.0 / 366, 184 / (365.25 / 12)
	tests := []struct {
		name     string
		in       campaigns.Indicator
		asOf     loa.Date
		reached  int64
		status   string
		pace     *float64
		forecast float64
	}{
		{"above the expected value", gte50, "2024-06-30", 300, StatusOnTrack, new((500 - 300) / remaining), 300 / elapsed},
		{"within three quarters of it", gte50, "2024-06-30", 200, StatusAtRisk, new((500 - 200) / remaining), 200 / elapsed},
		{"well below it", gte50, "2024-06-30", 100, StatusOffTrack, new((500 - 100) / remaining), 100 / elapsed},
		{"exactly 50 % with gte is met", gte50, "2024-06-30", 500, StatusMet, nil, 1000},
		{"run rate capped at the denominator", gte50, "2024-06-30", 600, StatusMet, nil, 1000},
		// gt 0.7 of 1000 needs 701.
		{"exactly 70 % with gt is not met", coverageOf("students", campaigns.ComparatorGT, 0.7), "2024-06-30", 700, StatusOnTrack, new((701 - 700) / remaining), 1000},
		{"window over and not met", gte50, "2025-01-10", 400, StatusCannotMeet, nil, 400},
		{"window over and met", gte50, "2024-12-31", 500, StatusMet, nil, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineEval(tt.asOf, tt.in).scopedTo("502")
			e.populations = []campaigns.Population{populationOf("502", "students", 2024, 1000, sampleSource)}
			e.reached("2024-03", "502", "students", tt.reached)
			r := e.report().Indicators[0]
			if r.Status != tt.status {
				t.Errorf("status = %s, want %s", r.Status, tt.status)
			}
			if (r.PaceNeeded == nil) != (tt.pace == nil) || tt.pace != nil && !near(r.PaceNeeded, *tt.pace) {
				t.Errorf("PaceNeeded = %s, want %s", valueText(r.PaceNeeded), valueText(tt.pace))
			}
			if r.Forecast == nil || r.Forecast.Basis != "run_rate" || math.Abs(r.Forecast.Numerator-tt.forecast) > 1e-6 ||
				!near(r.Forecast.Value, tt.forecast/1000) || r.Forecast.Meets != meets(tt.in, tt.forecast/1000) {
				t.Errorf("forecast = %+v (value %s), want numerator %f", r.Forecast, valueText(r.Forecast.Value), tt.forecast)
			}
			if tt.asOf == "2024-06-30" && !near(r.ExpectedToDate, tt.in.Threshold*elapsed) {
				t.Errorf("ExpectedToDate = %s, want %f", valueText(r.ExpectedToDate), tt.in.Threshold*elapsed)
			}
		})
	}
}

// TestEngineCoverageLagging: on 30 June 24,9 % of the students are expected; Tam
// Kỳ has 30 %, Hội An 10 %.
func TestEngineCoverageLagging(t *testing.T) {
	e := engineEval("2024-06-30", coverageOf("students", campaigns.ComparatorGTE, 0.5))
	e.populations = []campaigns.Population{populationOf("502", "students", 2024, 1000, sampleSource), populationOf("503", "students", 2024, 100, sampleSource)}
	e.reached("2024-03", "20001", "students", 300)
	e.reached("2024-03", "20101", "students", 10)
	r := e.report()
	want := []Lagging{{Unit: UnitRef{Code: "503", Name: "Hội An", Level: "district"}, Indicator: "cov",
		Reason: "Dưới tiến độ: đạt 10,0% so với 24,9% cần có đến nay", Value: new(0.1)}}
	if len(r.Lagging) != 1 || r.Lagging[0].Unit != want[0].Unit || r.Lagging[0].Reason != want[0].Reason || !near(r.Lagging[0].Value, 0.1) {
		t.Errorf("Lagging = %+v, want %+v", r.Lagging, want)
	}
	if !slices.EqualFunc(r.Indicators[0].Lagging, r.Lagging, func(a, b Lagging) bool { return a.Reason == b.Reason }) {
		t.Errorf("the indicator's lagging %+v differs from the report's %+v", r.Indicators[0].Lagging, r.Lagging)
	}
}

// activityEval has communes active in 2024: 20001 in March, May and August; 20002
// in March only; 20101 in August only; 20102 never (3 airings planned); the
// dissolved 20103 in March (not counted, it is not valid in 2024).
func activityEval(asOf loa.Date, in campaigns.Indicator) evaluation {
	e := engineEval(asOf, in)
	for _, c := range []struct{ month, unit string }{
		{"2024-03", "20001"}, {"2024-05", "20001"}, {"2024-08", "20001"}, {"2024-03", "20002"}, {"2024-08", "20101"}, {"2024-03", "20103"},
	} {
		e.addCell(c.month, 2, c.unit, "general_public", reach.Cell{Records: 1, Activities: 1, PersonTimes: 500, Estimated: 500})
	}
	e.planned = map[string]int{"20102": 3}
	return e
}

func TestEngineActivity(t *testing.T) {
	h1Days, q1Days := 182.0, 91.0 // 1 Jan–30 Jun, 1 Jan–31 Mar 2024
	tests := []struct {
		name      string
		e         evaluation
		numerator string
		value     float64
		expected  float64
		status    string
		forecast  float64
		pace      *float64
		lagging   []string // unit: reason
	}{
		{
			// H1 has ended: 20002 (H1 only) counts, 20101 (H2 only) does not. Forecast:
			// 20001 is active in H2 and 20002 was regular through H1; 20101 missed H1.
			// 20101 and 20102 missed H1: at best 2 of 4 communes, not more than 70 %.
			name: "half-year, as of September", e: activityEval("2024-09-15", activityOf("", campaigns.ComparatorGT, 0.7)),
			numerator: "2", value: 0.5, expected: 0.7, status: StatusCannotMeet, forecast: 0.5,
			lagging: []string{
				"20101: Không có hoạt động trong 6 tháng đầu năm 2024",
				"20102: Chưa có hoạt động nào",
				"503: Dưới tiến độ: đạt 0,0% so với 70,0% cần có đến nay",
			},
		},
		{
			// Q1 and Q2 have ended: only 20001 was active in both.
			name: "quarter, as of September", e: activityEval("2024-09-15", activityOf(campaigns.RegularityQuarter, campaigns.ComparatorGT, 0.7)),
			numerator: "1", value: 0.25, expected: 0.7, status: StatusCannotMeet, forecast: 0.25,
			lagging: []string{
				"20002: Không có hoạt động trong quý 2/2024",
				"20101: Không có hoạt động trong quý 1/2024, quý 2/2024",
				"20102: Chưa có hoạt động nào",
				"502: Dưới tiến độ: đạt 50,0% so với 70,0% cần có đến nay",
				"503: Dưới tiến độ: đạt 0,0% so với 70,0% cần có đến nay",
			},
		},
		{
			// One sub-window, the year: 0.7×259/366 expected; 20102's planned airings
			// complete the forecast; Hội An's 50 % is above the expected 49,5 %.
			name: "no regularity", e: activityEval("2024-09-15", activityOf(campaigns.RegularityNone, campaigns.ComparatorGT, 0.7)),
			numerator: "3", value: 0.75, expected: 0.7 * 259 / 366, status: StatusMet, forecast: 1,
			lagging: []string{"20102: Chưa có hoạt động nào"},
		},
		{
			// H1 is under way: 0.7×152/182 = 0.584615 expected; 0.5 is within 0.75 of it.
			// Forecast: 20001 and 20002 are active in H1, 20102 has airings planned.
			name: "half-year, as of May", e: activityEval("2024-05-31", activityOf(campaigns.RegularityHalfYear, campaigns.ComparatorGT, 0.7)),
			numerator: "2", value: 0.5, expected: 0.7 * 152 / h1Days, status: StatusAtRisk, forecast: 0.75,
			pace: new((3 - 2) / (214 / (365.25 / 12))),
			lagging: []string{
				"20101: Chưa có hoạt động nào",
				"20102: Chưa có hoạt động nào",
				"503: Dưới tiến độ: đạt 0,0% so với 58,5% cần có đến nay",
			},
		},
		{
			name: "quarter expected value", e: activityEval("2024-02-29", activityOf(campaigns.RegularityQuarter, campaigns.ComparatorGT, 0.7)),
			numerator: "0", value: 0, expected: 0.7 * 60 / q1Days, status: StatusOffTrack, forecast: 0.25,
			pace: new(3 / (306 / (365.25 / 12))),
			lagging: []string{
				"20001: Chưa có hoạt động nào", "20002: Chưa có hoạt động nào", "20101: Chưa có hoạt động nào", "20102: Chưa có hoạt động nào",
				"502: Dưới tiến độ: đạt 0,0% so với 46,2% cần có đến nay",
				"503: Dưới tiến độ: đạt 0,0% so với 46,2% cần có đến nay",
			},
		},
		{
			name: "district scope", e: activityEval("2024-09-15", activityOf("", campaigns.ComparatorGT, 0.7)).scopedTo("503"),
			numerator: "0", value: 0, expected: 0.7, status: StatusCannotMeet, forecast: 0,
			lagging: []string{"20101: Không có hoạt động trong 6 tháng đầu năm 2024", "20102: Chưa có hoạt động nào"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.e.report().Indicators[0]
			if countText(r.Numerator) != tt.numerator || !near(r.Value, tt.value) || !near(r.ExpectedToDate, tt.expected) {
				t.Errorf("numerator %s, value %s, expected %s; want %s, %f, %f", countText(r.Numerator), valueText(r.Value), valueText(r.ExpectedToDate), tt.numerator, tt.value, tt.expected)
			}
			if r.Status != tt.status || r.CountUnit != "xã" || r.Provenance != provenanceUnits {
				t.Errorf("status %s, count unit %q, provenance %q; want %s", r.Status, r.CountUnit, r.Provenance, tt.status)
			}
			if r.Forecast == nil || r.Forecast.Basis != "planned" || !near(r.Forecast.Value, tt.forecast) {
				t.Errorf("forecast %+v, want value %f", r.Forecast, tt.forecast)
			}
			if (r.PaceNeeded == nil) != (tt.pace == nil) || tt.pace != nil && !near(r.PaceNeeded, *tt.pace) {
				t.Errorf("PaceNeeded = %s, want %s", valueText(r.PaceNeeded), valueText(tt.pace))
			}
			var lagging []string
			for _, l := range r.Lagging {
				lagging = append(lagging, l.Unit.Code+": "+l.Reason)
			}
			if !slices.Equal(lagging, tt.lagging) {
				t.Errorf("lagging =\n%s\nwant\n%s", strings.Join(lagging, "\n"), strings.Join(tt.lagging, "\n"))
			}
		})
	}
}

// TestEngineActivityForecast: a value below three quarters of the expected one is
// at risk only when the planned airings would meet the target.
func TestEngineActivityForecast(t *testing.T) {
	tests := []struct {
		name    string
		planned map[string]int
		status  string
	}{
		{"planned everywhere", map[string]int{"20002": 1, "20101": 2, "20102": 1}, StatusAtRisk},
		{"planned in a district", map[string]int{"503": 4, "20002": 1}, StatusOffTrack}, // airings at 503 itself are under no commune
		{"nothing planned", nil, StatusOffTrack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineEval("2024-05-31", activityOf("", campaigns.ComparatorGT, 0.7))
			e.addCell("2024-03", 2, "20001", "general_public", reach.Cell{Records: 1, Activities: 1})
			e.planned = tt.planned
			if r := e.report().Indicators[0]; r.Status != tt.status || !near(r.Value, 0.25) {
				t.Errorf("status %s, value %s; want %s, 0.25", r.Status, valueText(r.Value), tt.status)
			}
		})
	}
}

// pressEval publishes in every month of 2024 up to asOf's but May; ahead, August
// and September have nothing planned, the other months two items.
func pressEval(asOf loa.Date) evaluation {
	e := engineEval(asOf, campaigns.Indicator{Code: "press", Title: "Báo chí hằng tháng", Rule: campaigns.RuleMonthlyFrequency,
		Channel: "provincial_press", Comparator: campaigns.ComparatorGTE, Threshold: 1})
	months := map[string]campaigns.MonthPlan{}
	for m := 1; m <= 12; m++ {
		key := fmt.Sprintf("2024-%02d", m)
		switch {
		case m == 5:
			months[key] = campaigns.MonthPlan{Planned: 1}
		case key <= string(asOf[:7]):
			months[key] = campaigns.MonthPlan{Planned: 1, Published: 1}
		case m != 8 && m != 9:
			months[key] = campaigns.MonthPlan{Planned: 2}
		}
	}
	e.press = map[string]map[string]campaigns.MonthPlan{"provincial_press": months}
	return e
}

func TestEngineMonthlyFrequency(t *testing.T) {
	tests := []struct {
		name                   string
		e                      evaluation
		numerator, denominator string
		value                  string
		status, note           string
		forecast               string
	}{
		{
			// January to June have ended, July has published already: 6 of 7. Ahead:
			// August and September have nothing planned, October to December do.
			// May is missed: at best 11 of 12 months, short of every month.
			name: "a month without press", e: pressEval("2024-07-20"),
			numerator: "6", denominator: "7", value: "0.857143", status: StatusCannotMeet,
			note: "Tháng chưa có bài dự kiến: 08/2024, 09/2024", forecast: "0.750000",
		},
		{
			name: "the year over: 11 of 12", e: pressEval("2024-12-31"),
			numerator: "11", denominator: "12", value: "0.916667", status: StatusCannotMeet, forecast: "0.916667",
		},
		{
			// Every month so far, but the months ahead may still be missed.
			name: "only the months before May", e: pressEval("2024-04-30"),
			numerator: "4", denominator: "4", value: "1.000000", status: StatusOnTrack,
			note: "Tháng chưa có bài dự kiến: 08/2024, 09/2024", forecast: "0.833333",
		},
		{
			name: "the current month once published", e: pressEval("2024-01-10"),
			numerator: "1", denominator: "1", value: "1.000000", status: StatusOnTrack,
			note: "Tháng chưa có bài dự kiến: 08/2024, 09/2024", forecast: "0.833333",
		},
		{
			name: "no month ended", e: func() evaluation {
				e := pressEval("2024-01-10")
				e.press["provincial_press"]["2024-01"] = campaigns.MonthPlan{Planned: 1}
				return e
			}(),
			numerator: "nil", denominator: "nil", value: "nil", status: StatusNotMeasurable,
			note: "Chưa hết tháng nào trong kỳ. Tháng chưa có bài dự kiến: 08/2024, 09/2024", forecast: "nil",
		},
		{
			name: "the same at any scope", e: pressEval("2024-07-20").scopedTo("20101"),
			numerator: "6", denominator: "7", value: "0.857143", status: StatusCannotMeet,
			note: "Tháng chưa có bài dự kiến: 08/2024, 09/2024", forecast: "0.750000",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.e.report().Indicators[0]
			forecast := "nil"
			if r.Forecast != nil {
				forecast = valueText(r.Forecast.Value)
			}
			got := []string{countText(r.Numerator), countText(r.Denominator), valueText(r.Value), r.Status, r.Note, forecast}
			want := []string{tt.numerator, tt.denominator, tt.value, tt.status, tt.note, tt.forecast}
			if !slices.Equal(got, want) {
				t.Errorf("numerator, denominator, value, status, note, forecast =\n%q\nwant\n%q", got, want)
			}
			if !near(r.ExpectedToDate, 1) || r.CountUnit != "tháng" || r.Provenance != provenancePress {
				t.Errorf("expected %s, count unit %q, provenance %q", valueText(r.ExpectedToDate), r.CountUnit, r.Provenance)
			}
		})
	}
}

func TestEngineManual(t *testing.T) {
	in := campaigns.Indicator{Code: "inspected", Title: "Cơ sở được kiểm tra", Rule: campaigns.RuleManual, Comparator: campaigns.ComparatorGT, Threshold: 0.8}
	entries := []reach.ManualValue{
		{Indicator: "inspected", OrgUnit: "49", AsOf: "2024-03-31", Numerator: 5, Denominator: 10, CountUnit: "cơ sở", Source: "Sở LĐTBXH"},
		{Indicator: "inspected", OrgUnit: "49", AsOf: "2024-09-30", Numerator: 10, Denominator: 10, CountUnit: "cơ sở", Source: "Sở LĐTBXH"},
		{Indicator: "inspected", OrgUnit: "49", AsOf: "2024-06-30", Numerator: 9, Denominator: 10, CountUnit: "cơ sở", Source: "Công an tỉnh", Note: "ước"},
		{Indicator: "inspected", OrgUnit: "502", AsOf: "2024-07-01", Numerator: 1, Denominator: 10, CountUnit: "cơ sở", Source: "huyện"},
		{Indicator: "other", OrgUnit: "49", AsOf: "2024-07-01", Numerator: 0, Denominator: 10, CountUnit: "vụ", Source: "khác"},
	}
	tests := []struct {
		name, asOf, value, status, provenance, note string
		pace                                        *float64
	}{
		// An entry meeting the target is on track: a later entry may replace it.
		{"the latest entry on or before the as-of date", "2024-08-01", "0.900000", StatusOnTrack, "Công an tỉnh (số liệu đến 30/06/2024)", "ước", nil},
		// gt 0.8 of 10 needs 9: (9−5) over the 260 days left after 15 April.
		{"an older entry, behind", "2024-04-15", "0.500000", StatusOffTrack, "Sở LĐTBXH (số liệu đến 31/03/2024)", "", new(4 / (260 / (365.25 / 12)))},
		{"an entry dated the as-of date", "2024-09-30", "1.000000", StatusOnTrack, "Sở LĐTBXH (số liệu đến 30/09/2024)", "", nil},
		{"nothing entered yet", "2024-03-30", "nil", StatusNotMeasurable, "", noteNoEntry, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineEval(loa.Date(tt.asOf), in)
			e.manual = entries
			r := e.report().Indicators[0]
			if valueText(r.Value) != tt.value || r.Status != tt.status || r.Provenance != tt.provenance || r.Note != tt.note {
				t.Errorf("value %s, status %s, provenance %q, note %q; want %s, %s, %q, %q", valueText(r.Value), r.Status, r.Provenance, r.Note, tt.value, tt.status, tt.provenance, tt.note)
			}
			if (r.PaceNeeded == nil) != (tt.pace == nil) || tt.pace != nil && !near(r.PaceNeeded, *tt.pace) {
				t.Errorf("PaceNeeded = %s, want %s", valueText(r.PaceNeeded), valueText(tt.pace))
			}
			if !near(r.ExpectedToDate, 0.8) || r.Value != nil && (r.CountUnit != "cơ sở" || r.Numerator.People) {
				t.Errorf("expected %s, count unit %q, numerator %+v", valueText(r.ExpectedToDate), r.CountUnit, r.Numerator)
			}
		})
	}
}

func TestIndicatorMeets(t *testing.T) {
	gt70 := campaigns.Indicator{Comparator: campaigns.ComparatorGT, Threshold: 0.7}
	gte50 := campaigns.Indicator{Comparator: campaigns.ComparatorGTE, Threshold: 0.5}
	gte100 := campaigns.Indicator{Comparator: campaigns.ComparatorGTE, Threshold: 1}
	tests := []struct {
		in     campaigns.Indicator
		value  float64
		meets  bool
		of     int64
		target int64
	}{
		{gt70, 0.7, false, 100, 71},
		{gt70, 7.0 / 10, false, 10, 8},
		{gt70, 0.7000001, true, 241, 169}, // 0.7×241 = 168.7
		{gte50, 0.5, true, 100, 50},
		{gte50, 0.4999999, false, 241, 121}, // 0.5×241 = 120.5
		{gte100, 1, true, 12, 12},
		{gte100, 11.0 / 12, false, 7, 7},
	}
	for _, tt := range tests {
		if got := meets(tt.in, tt.value); got != tt.meets {
			t.Errorf("meets(%s %v, %v) = %v, want %v", tt.in.Comparator, tt.in.Threshold, tt.value, got, tt.meets)
		}
		if got := targetCount(tt.in, tt.of); got != tt.target {
			t.Errorf("targetCount(%s %v, %d) = %d, want %d", tt.in.Comparator, tt.in.Threshold, tt.of, got, tt.target)
		}
	}
}

// TestEngineWindowParts: with a cut-off day of 15 the first half of 2024 runs from
// 15 December 2023 to 14 June 2024 (183 days), and counts the parts that start in
// it: Dec part 2, …, Jun part 1.
func TestEngineWindowParts(t *testing.T) {
	build := func(asOf, today loa.Date) evaluation {
		e := engineEval(asOf, coverageOf("general_public", campaigns.ComparatorGTE, 0.5))
		e.today, e.cutoff = today, 15
		e.window = Window{Kind: "half", Label: "6 tháng đầu năm 2024 (15/12/2023 – 14/06/2024)", From: "2023-12-15", To: "2024-06-14"}
		e.populations = []campaigns.Population{populationOf("49", "general_public", 2024, 1000, sampleSource)}
		for _, c := range []struct {
			month string
			part  int
			n     int64
		}{{"2023-12", 1, 1000}, {"2023-12", 2, 10}, {"2024-03", 1, 20}, {"2024-04", 2, 30}, {"2024-06", 1, 40}, {"2024-06", 2, 80}} {
			e.addCell(c.month, c.part, "20001", "general_public", reach.Cell{Records: 1, Activities: 1, PersonTimes: c.n, UniquePersons: c.n, UniqueKnown: 1})
		}
		return e
	}
	tests := []struct {
		name        string
		e           evaluation
		numerator   string
		dataThrough loa.Date
		elapsed     float64
		trend       []int64 // person-times per month, Dec to Jun
		values      []string
	}{
		{
			name: "after the window", e: build("2024-06-20", "2024-06-20"),
			numerator: "100", dataThrough: "2024-06-14", elapsed: 1,
			trend:  []int64{10, 0, 0, 20, 30, 0, 40},
			values: []string{"0.010000", "0.010000", "0.010000", "0.030000", "0.060000", "0.060000", "0.100000"},
		},
		{
			name: "inside a part: counted whole, up to today", e: build("2024-04-20", "2024-04-20"),
			numerator: "60", dataThrough: "2024-04-20", elapsed: 128.0 / 183,
			trend:  []int64{10, 0, 0, 20, 30, 0, 0},
			values: []string{"0.010000", "0.010000", "0.010000", "0.030000", "0.060000", "nil", "nil"},
		},
		{
			name: "a part ending after today", e: build("2024-04-10", "2024-04-12"),
			numerator: "30", dataThrough: "2024-04-12", elapsed: 118.0 / 183,
			trend:  []int64{10, 0, 0, 20, 0, 0, 0},
			values: []string{"0.010000", "0.010000", "0.010000", "0.030000", "0.030000", "nil", "nil"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.e.report()
			// The window's own figures: the indicator itself is counted from the
			// campaign's start (1 January), without December's 10.
			if got := countText(r.Indicators[0].Window.Numerator); got != tt.numerator || r.DataThrough != tt.dataThrough || math.Abs(r.Elapsed-tt.elapsed) > 1e-9 {
				t.Errorf("numerator %s, DataThrough %s, Elapsed %f; want %s, %s, %f", got, r.DataThrough, r.Elapsed, tt.numerator, tt.dataThrough, tt.elapsed)
			}
			var months []string
			var trend []int64
			var values []string
			for _, p := range r.Trend {
				months = append(months, p.Month)
				trend = append(trend, p.PersonTimes.N)
				values = append(values, valueText(p.Indicators[0].Value))
			}
			if want := []string{"2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"}; !slices.Equal(months, want) {
				t.Errorf("trend months %v, want %v", months, want)
			}
			if !slices.Equal(trend, tt.trend) || !slices.Equal(values, tt.values) {
				t.Errorf("trend person-times %v values %v; want %v %v", trend, values, tt.trend, tt.values)
			}
			// The line to the target ends at the window's end: 0.5×17/183 in December.
			if got := r.Trend[0].Indicators[0].Expected; math.Abs(got-0.5*17/183) > 1e-9 || r.Trend[6].Indicators[0].Expected != 0.5 {
				t.Errorf("expected line %f … %f", got, r.Trend[6].Indicators[0].Expected)
			}
		})
	}
}

// TestEngineReport checks the assembly: breakdowns, groups, trend, lagging,
// provenance and the long format.
func TestEngineReport(t *testing.T) {
	e := activityEval("2024-09-15", activityOf("", campaigns.ComparatorGT, 0.7))
	e.campaign.Indicators = append(e.campaign.Indicators, coverageOf("students", campaigns.ComparatorGTE, 0.5),
		campaigns.Indicator{Code: "m", Title: "Nhập tay", Rule: campaigns.RuleManual, Comparator: campaigns.ComparatorGTE, Threshold: 1})
	e.populations = []campaigns.Population{populationOf("502", "students", 2024, 100, sampleSource), populationOf("503", "students", 2023, 200, "Cục Thống kê")}
	e.reached("2024-02", "20002", "students", 40)
	e.reached("2024-09", "20101", "students", 20)
	e.addCell("2024-10", 2, "20101", "students", reach.Cell{Records: 1, Activities: 1, PersonTimes: 99}) // after as-of: not counted
	r := e.report()

	if r.Campaign.Code != "T-2024" || r.Scope.Code != "49" || r.AsOf != "2024-09-15" || r.DataThrough != "2024-09-15" || !r.GeneratedAt.IsZero() {
		t.Errorf("header = %+v %+v %s %s", r.Campaign, r.Scope, r.AsOf, r.DataThrough)
	}
	if got := []string{r.Indicators[0].Indicator, r.Indicators[1].Indicator, r.Indicators[2].Indicator}; !slices.Equal(got, []string{"act", "cov", "m"}) {
		t.Errorf("indicators in order %v", got)
	}
	wantProvenance := []string{provenanceUnits, sampleSource + " (2024); Cục Thống kê (2023)"}
	if !slices.Equal(r.Provenance, wantProvenance) {
		t.Errorf("Provenance = %q, want %q", r.Provenance, wantProvenance)
	}
	// Districts: 502 has 2 of 2 communes counted and 40 of 100 students; 503 has 0
	// of 2 and 20 of 200. 502's records: 3 + 1 activities, 2000 + 40 person-times.
	var districts []string
	for _, d := range r.Districts {
		districts = append(districts, fmt.Sprintf("%s %d %s %s", d.Unit.Code, d.Activities, d.PersonTimes, d.UniquePersons))
		for _, v := range d.Indicators {
			districts = append(districts, fmt.Sprintf("  %s %s/%s %s %s", v.Indicator, countText(v.Numerator), countText(v.Denominator), valueText(v.Value), v.Status))
		}
	}
	wantDistricts := []string{
		"502 5 2040 40",
		"  act 2/2 1.000000 on_track", // H2 has not ended: either commune may still miss it
		"  cov 40/100 0.400000 on_track",
		"503 3 1020 20",
		"  act 0/2 0.000000 cannot_meet", // both communes missed H1
		"  cov 20/200 0.100000 off_track",
	}
	if !slices.Equal(districts, wantDistricts) {
		t.Errorf("districts =\n%s\nwant\n%s", strings.Join(districts, "\n"), strings.Join(wantDistricts, "\n"))
	}
	// Groups: general_public's 3000 person-times are all estimates.
	for _, g := range r.Groups {
		switch g.Group {
		case "general_public":
			if g.Activities != 6 || g.PersonTimes.N != 3000 || g.Estimated == nil || *g.Estimated != 1 || g.Label != "Người dân" {
				t.Errorf("general_public row %+v", g)
			}
		case "students":
			if g.PersonTimes.N != 60 || g.UniquePersons.N != 60 || g.Estimated == nil || *g.Estimated != 0 {
				t.Errorf("students row %+v", g)
			}
		}
	}
	if len(r.Groups) != len(campaigns.DefaultTargetGroups) {
		t.Errorf("%d group rows, want %d", len(r.Groups), len(campaigns.DefaultTargetGroups))
	}
	// Lagging: the activity's units and district, then Hội An's 10 % of students
	// below 0.5×259/366 = 35,4 %.
	if n := len(r.Lagging); n != 4 || r.Lagging[3].Reason != "Dưới tiến độ: đạt 10,0% so với 35,4% cần có đến nay" {
		t.Errorf("lagging = %+v", r.Lagging)
	}
	// Trend: 12 months, values up to September only.
	if len(r.Trend) != 12 || r.Trend[8].Indicators[1].Value == nil || r.Trend[9].Indicators[1].Value != nil || r.Trend[9].PersonTimes.N != 0 {
		t.Errorf("trend = %+v", r.Trend)
	}
	if !near(r.Trend[1].Indicators[1].Value, 40.0/300) {
		t.Errorf("February coverage %s, want 40/300", valueText(r.Trend[1].Indicators[1].Value))
	}
	// Long format: 3 rows at the scope, 2×2 per district, 9 months × 3, and the
	// measures of the records per district, group and month.
	rows := map[string]DataRow{}
	for _, d := range r.Data {
		rows[strings.Join([]string{d.Indicator, d.Unit.Code, d.Group, d.Month}, "|")] = d
	}
	// 502: general_public in March, May, August (activities, person-times) and
	// students in February (all three); 503: general_public in March (the dissolved
	// commune) and August, students in September.
	if want := 3 + 4 + 27 + (6 + 3) + (4 + 3); len(r.Data) != want {
		t.Errorf("%d data rows, want %d", len(r.Data), want)
	}
	for key, want := range map[string]string{
		"cov|49|students|":                      "60/300 " + sampleSource + " (2024); Cục Thống kê (2023)",
		"cov|503|students|":                     "20/200 Cục Thống kê (2023)",
		"act|49||2024-05":                       "2/4 " + provenanceUnits,
		"m|49||2024-09":                         "nil/nil ",
		"activities|502|general_public|2024-03": "2/nil ",
		"person_times|502|students|2024-02":     "40/nil ",
		"unique_persons|503|students|2024-09":   "20/nil ",
		"activities|503|general_public|2024-08": "1/nil ",
	} {
		d, ok := rows[key]
		if got := countText(d.Numerator) + "/" + countText(d.Denominator) + " " + d.Provenance; !ok || got != want {
			t.Errorf("row %s = %q (found %v), want %q", key, got, ok, want)
		}
	}
	if _, ok := rows["person_times|503|students|2024-10"]; ok {
		t.Errorf("a row counts the records after the as-of date")
	}
}

// TestEngineSuppression: 3 service workers reached in Tam Kỳ are hidden as "<5"
// with every value that would reveal them; counts of communes are not people.
// TestEngineSuppressionOfDerivedNumbers: what is computed from a hidden count is
// dropped too: the pace and forecast from a denominator of 2, and a group's
// estimated share when the person-times counted directly are 2 of 100.
func TestEngineSuppressionOfDerivedNumbers(t *testing.T) {
	e := engineEval("2024-03-31", coverageOf("service_workers", campaigns.ComparatorGTE, 0.7)).scopedTo("20001")
	e.populations = []campaigns.Population{populationOf("20001", "service_workers", 2024, 2, sampleSource)}
	e.addCell("2024-02", 2, "20001", "students", reach.Cell{Records: 2, Activities: 2, PersonTimes: 100, Estimated: 98})
	for _, suppress := range []bool{false, true} {
		e.suppress = suppress
		r := e.report()
		cov := r.Indicators[0]
		if cov.Denominator.Hidden != suppress || (cov.PaceNeeded == nil) != suppress || (cov.Forecast == nil) != suppress {
			t.Errorf("suppress %v: denominator %+v, pace %s, forecast %+v", suppress, cov.Denominator, valueText(cov.PaceNeeded), cov.Forecast)
		}
		for _, g := range r.Groups {
			if g.Group == "students" && (g.Estimated == nil) != suppress {
				t.Errorf("suppress %v: students' estimated share %v of 100 person-times, 2 counted directly", suppress, g.Estimated)
			}
		}
	}
}

func TestEngineSuppression(t *testing.T) {
	e := engineEval("2024-06-30", coverageOf("service_workers", campaigns.ComparatorGT, 0.7), activityOf("", campaigns.ComparatorGT, 0.7))
	e.populations = []campaigns.Population{populationOf("502", "service_workers", 2024, 100, sampleSource)}
	e.reached("2024-03", "20001", "service_workers", 3)
	for _, suppress := range []bool{false, true} {
		t.Run(fmt.Sprint("suppress ", suppress), func(t *testing.T) {
			e.suppress = suppress
			r := e.report()
			cov, act := r.Indicators[0], r.Indicators[1]
			if r.SmallCellsSuppressed != suppress || cov.Numerator.Hidden != suppress || cov.PersonTimes.Hidden != suppress ||
				cov.UncappedNumerator.Hidden != suppress || cov.Denominator.Hidden {
				t.Errorf("suppressed %v: numerator %+v, person-times %+v, uncapped %+v, denominator %+v",
					r.SmallCellsSuppressed, cov.Numerator, cov.PersonTimes, cov.UncappedNumerator, cov.Denominator)
			}
			if dropped := cov.Value == nil && cov.Uncapped == nil && cov.Forecast == nil && cov.PaceNeeded == nil; dropped != suppress {
				t.Errorf("value %s, uncapped %s, forecast %+v, pace %s", valueText(cov.Value), valueText(cov.Uncapped), cov.Forecast, valueText(cov.PaceNeeded))
			}
			if act.Numerator.Hidden || act.Numerator.N != 1 || act.Value == nil {
				t.Errorf("communes hidden: %+v", act.Numerator)
			}
			if len(cov.Lagging) != 1 {
				t.Fatalf("coverage lagging %+v", cov.Lagging)
			}
			lagging := cov.Lagging[0] // Tam Kỳ: 3 % against 0.7×182/366 = 34,8 %
			if wantValue := !suppress; lagging.Unit.Code != "502" || (lagging.Value != nil) != wantValue || strings.Contains(lagging.Reason, "3,0%") == suppress {
				t.Errorf("lagging %+v", lagging)
			}
			d := r.Districts[0]
			if d.PersonTimes.Hidden != suppress || d.UniquePersons.Hidden != suppress || (d.Indicators[0].Value == nil) != suppress {
				t.Errorf("district %+v", d)
			}
			march := r.Trend[2]
			if march.UniquePersons.Hidden != suppress || (march.Indicators[0].Value == nil) != suppress {
				t.Errorf("trend March %+v", march)
			}
			// The estimated share would give a hidden count of person-times away.
			small := 0
			for _, g := range r.Groups {
				if g.PersonTimes.N > 0 && g.PersonTimes.N < SmallCell {
					small++
					if (g.Estimated == nil) != suppress {
						t.Errorf("group %s: %d person-times hidden %v, estimated share %v", g.Group, g.PersonTimes.N, g.PersonTimes.Hidden, g.Estimated)
					}
				}
			}
			if small == 0 {
				t.Error("the fixture has no group with fewer than 5 person-times")
			}
			for _, row := range r.Data {
				if row.Numerator != nil && row.Numerator.People && row.Numerator.N > 0 && row.Numerator.N < SmallCell && row.Numerator.Hidden != suppress {
					t.Errorf("data row %+v", row)
				}
			}
			out, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var decoded struct {
				Indicators []struct{ Numerator, Denominator any }
			}
			if err := json.Unmarshal(out, &decoded); err != nil {
				t.Fatal(err)
			}
			want := any(3.0)
			if suppress {
				want = "<5"
			}
			if got := decoded.Indicators[0]; got.Numerator != want || got.Denominator != 100.0 || decoded.Indicators[1].Numerator != 1.0 {
				t.Errorf("json.Marshal numerators %v, %v, denominator %v; want %v", got.Numerator, decoded.Indicators[1].Numerator, got.Denominator, want)
			}
		})
	}
}

// BenchmarkEngine evaluates the demo campaign over a province shaped like Quảng Nam
// (18 districts, 241 communes) with about 100,000 cells.
func BenchmarkEngine(b *testing.B) {
	e := benchEval(b)
	b.ResetTimer()
	for b.Loop() {
		r := e.report()
		if len(r.Districts) != 18 {
			b.Fatalf("%d districts", len(r.Districts))
		}
	}
}

// benchEval is the demo campaign as of 20 November 2024 with about 100,000 cells.
func benchEval(b *testing.B) evaluation {
	units := []campaigns.OrgUnit{{Code: "49", Name: "Tỉnh", Level: "province", Path: []string{"49"}}}
	var communes []string
	for d := range 18 {
		district := fmt.Sprint(502 + d)
		units = append(units, campaigns.OrgUnit{Code: district, Level: "district", Parent: "49", Path: []string{"49", district}})
		for c := range 241/18 + min(1, max(0, 241%18-d)) {
			code := fmt.Sprint(20000 + 100*d + c)
			units = append(units, campaigns.OrgUnit{Code: code, Level: "commune", Parent: district, Path: []string{"49", district, code}})
			communes = append(communes, code)
		}
	}
	c, err := campaigns.DemoCampaign()
	if err != nil {
		b.Fatal(err)
	}
	tree := campaigns.NewUnitTree(1, units)
	province, _ := tree.Get("49")
	e := evaluation{campaign: c, tree: tree, groups: campaigns.DefaultTargetGroups, scope: province,
		window: Window{Kind: "campaign", From: "2024-01-01", To: "2024-12-31"},
		asOf:   "2024-11-20", today: "2024-11-20", cutoff: 15, cells: reach.CellSet{},
		press:   map[string]map[string]campaigns.MonthPlan{"provincial_press": {"2024-01": {Planned: 2, Published: 2}}},
		planned: map[string]int{communes[0]: 4}}
	for d := range 18 {
		for _, g := range campaigns.DefaultTargetGroups {
			e.populations = append(e.populations, populationOf(fmt.Sprint(502+d), g.Code, 2024, 10000, sampleSource))
		}
	}
	// Keys are built as the store reads them: the month of a half-month document,
	// the unit, group and activity cut from one field name.
	months := make([]string, 12)
	for m := range months {
		months[m] = fmt.Sprintf("2024-%02d", m+1)
	}
	activities := []string{"broadcast", "press", "session", "school", "leaflet"}
	for i := 0; e.cells.Len() < 100_000; i++ {
		field := communes[i/24%len(communes)] + "|" + campaigns.DefaultTargetGroups[i/24/len(communes)%len(campaigns.DefaultTargetGroups)].Code +
			"|" + activities[i/24/len(communes)/len(campaigns.DefaultTargetGroups)%len(activities)]
		unit, rest, _ := strings.Cut(field, "|")
		group, activity, _ := strings.Cut(rest, "|")
		k := reach.CellKey{Month: months[i%12], Part: 1 + i/12%2, OrgUnit: unit, Group: group, Activity: activity}
		e.cells.Put(k, reach.Cell{Records: 10, Activities: 10, PersonTimes: 300, UniquePersons: 50, UniqueKnown: 5})
	}
	return e
}
