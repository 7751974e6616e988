package report

import (
	"slices"
	"strings"
	"testing"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// sessions puts n unique persons of group in a unit's month, over k sessions.
func (e evaluation) sessions(month, unit, group string, n, k int64) {
	e.addCell(month, 2, unit, group, reach.Cell{Records: 1, Activities: k, PersonTimes: n, UniquePersons: n, UniqueKnown: 1})
}

// coverageSuggestionEval has students' denominators of 100 at each commune of
// engineTree and a target of 50 %: 20001 reached 20 in one session, 20002 nobody,
// 20101 30 in three sessions, and 20102 its whole 100 in two.
func coverageSuggestionEval(asOf loa.Date) evaluation {
	e := engineEval(asOf, coverageOf("students", campaigns.ComparatorGTE, 0.5))
	for _, u := range []string{"20001", "20002", "20101", "20102"} {
		e.populations = append(e.populations, populationOf(u, "students", 2024, 100, sampleSource))
	}
	e.sessions("2024-02", "20001", "students", 20, 1)
	e.sessions("2024-03", "20101", "students", 30, 3)
	e.sessions("2024-04", "20102", "students", 100, 2)
	return e
}

func TestSuggestCoverage(t *testing.T) {
	// 150 of the 200 persons the target needs are reached: 50 more. The province
	// averages 150 persons over 6 sessions = 25 a session, which 20002 (no session
	// yet) is taken at. 20102 is at its denominator: it gets nothing.
	s := coverageSuggestionEval("2024-06-30").suggestions(nil)
	if len(s.Items) != 1 {
		t.Fatalf("suggestions = %+v, want one", s.Items)
	}
	sg := s.Items[0]
	if sg.Needed.N != 50 || !sg.CanMeet || sg.Sessions == nil || *sg.Sessions != 2 {
		t.Errorf("needed %v, can meet %v, sessions %v; want 50, true, 2", sg.Needed, sg.CanMeet, sg.Sessions)
	}
	type row struct {
		unit     string
		persons  int64
		per      float64
		average  bool
		sessions int64
		closes   bool
	}
	var got []row
	for _, u := range sg.Units {
		got = append(got, row{u.Unit.Code, u.Persons.N, u.PerSession, u.Average, *u.Sessions, u.Closes})
	}
	want := []row{
		{"20002", 50, 25, true, 2, true}, // 50 ÷ 25
		{"20001", 30, 20, false, 2, false},
		{"20101", 20, 10, false, 2, false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("units =\n%+v, want\n%+v", got, want)
	}
	if !strings.Contains(sg.Method, "bình quân") {
		t.Errorf("method %q does not say how the average is taken", sg.Method)
	}
}

func TestSuggestCoverageOrdersBySessions(t *testing.T) {
	// 20001 holds 60 a session, 20101 10: with a target of 90 %, 20001 needs 90−60
	// = 30 (one session), 20101 90−10 = 80 (8 sessions), 20002 and 20102 (nobody
	// yet) 90 each at the average of 70/2 = 35: 3 sessions. The 360 − 70 = 290
	// needed are closed only by all four, in the order of the fewest sessions per
	// person.
	e := engineEval("2024-06-30", coverageOf("students", campaigns.ComparatorGTE, 0.9))
	for _, u := range []string{"20001", "20002", "20101", "20102"} {
		e.populations = append(e.populations, populationOf(u, "students", 2024, 100, sampleSource))
	}
	e.sessions("2024-02", "20001", "students", 60, 1)
	e.sessions("2024-03", "20101", "students", 10, 1)
	sg := e.suggestions(nil).Items[0]
	var order []string
	var sessions []int64
	for _, u := range sg.Units {
		order = append(order, u.Unit.Code)
		sessions = append(sessions, *u.Sessions)
	}
	if !slices.Equal(order, []string{"20001", "20002", "20102", "20101"}) || !slices.Equal(sessions, []int64{1, 3, 3, 8}) {
		t.Errorf("order %v sessions %v, want [20001 20002 20102 20101] [1 3 3 8]", order, sessions)
	}
	if sg.Needed.N != 290 || *sg.Sessions != 15 || !sg.Units[3].Closes || sg.Units[2].Closes {
		t.Errorf("needed %v sessions %v closes %+v, want 290, 15, the last", sg.Needed, *sg.Sessions, sg.Units)
	}
}

func TestSuggestCoverageCannotMeet(t *testing.T) {
	// At the period's end the target can no longer be met: the suggestion says so.
	s := coverageSuggestionEval("2024-12-31").suggestions(nil)
	sg := s.Items[0]
	if sg.Status != StatusCannotMeet || sg.CanMeet || !strings.HasPrefix(sg.Method, "Không thể đạt") {
		t.Errorf("status %s, can meet %v, method %q; want cannot_meet said first", sg.Status, sg.CanMeet, sg.Method)
	}
}

func TestSuggestActivity(t *testing.T) {
	// As of 30/09 (the second half-year): 20001 is active in both halves, 20002 and
	// 20102 only in the first (each needs an activity now), 20101 missed the first.
	// More than 50 % of 4 communes is 3: 1 is safe, 2 more are needed.
	e := engineEval("2024-09-30", activityOf(campaigns.RegularityHalfYear, campaigns.ComparatorGT, 0.5))
	e.reached("2024-03", "20001", "students", 10)
	e.reached("2024-08", "20001", "students", 10)
	e.reached("2024-03", "20002", "students", 10)
	e.reached("2024-04", "20102", "students", 10)
	outlets := []campaigns.Outlet{
		{Station: "LOA-20002", Name: "Loa An Mỹ", Channel: "commune_loudspeaker", OrgUnit: "20002", Rules: []campaigns.RuleRef{{ID: "r1", Title: "Phát thanh sáng thứ Hai"}}},
		{Station: "LOA-20102", Name: "Loa Cẩm Phô", Channel: "commune_loudspeaker", OrgUnit: "20102"},
		{Station: "DAI-502", Name: "Đài Tam Kỳ", Channel: "district_station", OrgUnit: "502"},
	}
	sg := e.suggestions(outlets).Items[0]
	var got []string
	for _, c := range sg.Communes {
		got = append(got, c.Unit.Code)
	}
	if !slices.Equal(got, []string{"20002", "20102"}) || sg.Needed.N != 2 || !sg.CanMeet {
		t.Fatalf("communes %v needed %v can meet %v, want [20002 20102] 2 true", got, sg.Needed, sg.CanMeet)
	}
	if !sg.Communes[0].Reached || sg.Communes[1].Reached || sg.Communes[1].Outlets[0].Station != "LOA-20102" {
		t.Errorf("communes %+v: 20002 is reached by r1, 20102 by no rule", sg.Communes)
	}
	if !strings.Contains(sg.Method, "6 tháng cuối năm 2024") {
		t.Errorf("method %q does not name the current half-year", sg.Method)
	}
}

func TestSuggestPress(t *testing.T) {
	tests := []struct {
		name      string
		threshold float64
		needed    int64
		canMeet   bool
	}{
		// May was missed: every month is out of reach; 5 published, 12 needed.
		{"every month", 1, 7, false},
		// 80 % of 12 months is 10: 5 more of the 6 months left.
		{"most months", 0.8, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pressEval("2024-06-30")
			e.campaign.Indicators[0].Threshold = tt.threshold
			sg := e.suggestions(nil).Items[0]
			if sg.Needed.N != tt.needed || sg.CanMeet != tt.canMeet || !slices.Equal(sg.Months, []string{"2024-08", "2024-09"}) {
				t.Errorf("needed %v can meet %v months %v, want %d %v [2024-08 2024-09]", sg.Needed, sg.CanMeet, sg.Months, tt.needed, tt.canMeet)
			}
		})
	}
}

func TestSuggestCoverageHidesSmallCounts(t *testing.T) {
	// A viewer's suggestion withholds the gap of a unit whose persons reached are
	// hidden (1 to 4): its denominator less the gap would give them away.
	e := coverageSuggestionEval("2024-06-30")
	e.sessions("2024-05", "20002", "students", 3, 1)
	e.suppress = true
	sg := e.suggestions(nil).Items[0]
	for _, u := range sg.Units {
		hidden := u.Unit.Code == "20002"
		if hidden != (u.Persons == nil) || hidden != (u.Sessions == nil) || hidden && u.Reached.String() != "<5" {
			t.Errorf("unit %s: reached %v, persons %v, sessions %v", u.Unit.Code, u.Reached, u.Persons, u.Sessions)
		}
	}
	if sg.Needed == nil || sg.Needed.N != 47 {
		t.Errorf("needed %v, want 47: the province's 153 reached are not hidden", sg.Needed)
	}
}
