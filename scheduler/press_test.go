package scheduler

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"loa"
)

// pressFixture has the provincial newspaper with a monthly rule (first Monday,
// 09:00) materialised on 20 February and on 10 March 2024, the clock at 10 March,
// and a one-off placement on 10 June.
func pressFixture(t *testing.T) (*fixture, Saved) {
	t.Helper()
	f := newFixture(t, local("2024-02-20 08:00"))
	f.station("BQN", ChannelPress, "49")
	article := f.approved(message("article", "Bài báo tháng"))
	in := ruleInput("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", "BQN")
	in.DurationSeconds = 3600
	r := f.rule(in)
	f.materialize() // through 26 March: 4 March
	f.clock.Set(local("2024-03-10 08:00"))
	f.materialize() // through 14 April: 1 April
	if _, err := f.s.Place(f.ctx, planner, Placement{Station: "BQN", Campaign: demo, Start: local("2024-06-10 09:00"),
		DurationSeconds: 3600, Content: article, Note: "bài chuyên đề"}); err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestPressCalendar(t *testing.T) {
	f, r := pressFixture(t)
	press := of(f.stored(), r.ID, "BQN")
	if len(press) != 2 || !press[0].Start.Equal(local("2024-03-04 09:00")) || !press[1].Start.Equal(local("2024-04-01 09:00")) {
		t.Fatalf("press airings %v, want 4 March and 1 April at 09:00", press)
	}
	published, err := f.s.Publish(f.ctx, planner, press[0].ID, Publication{URL: "https://baoquangnam.vn/phong-chong-mai-dam-3-2024.html",
		PublishedAt: local("2024-03-04 10:15")})
	if err != nil {
		t.Fatal(err)
	}
	if published.Status != StatusPublished || published.PublishedURL == "" || published.PublishedAt == nil ||
		!published.PublishedAt.Equal(local("2024-03-04 10:15")) {
		t.Errorf("published airing = %s %q at %v", published.Status, published.PublishedURL, published.PublishedAt)
	}
	// Materialising keeps it published.
	f.materialize()
	if a := f.airing(press[0].ID); a.Status != StatusPublished {
		t.Errorf("after re-materialising the published airing is %s", a.Status)
	}

	pc, err := f.s.PressCalendar(f.ctx, demo, 2024)
	if err != nil {
		t.Fatal(err)
	}
	type month struct {
		planned, published int
		meets              bool
		state              string
	}
	want := map[string]month{
		"2024-01": {0, 0, false, MonthMissed},
		"2024-02": {0, 0, false, MonthMissed}, // 5 February passed before the rule was first materialised
		"2024-03": {1, 1, true, MonthMet},
		"2024-04": {1, 0, false, MonthPlanned},
		"2024-06": {2, 0, false, MonthPlanned}, // the one-off placement and the rule's 3 June
	}
	// Beyond the horizon (14 April) the rule's occurrences are planned (issue 16).
	for m := 5; m <= 12; m++ {
		if m != 6 {
			want[fmt.Sprintf("2024-%02d", m)] = month{1, 0, false, MonthPlanned}
		}
	}
	if len(pc.Months) != 12 || pc.Year != 2024 || pc.Channel != ChannelPress {
		t.Fatalf("PressCalendar = %+v", pc)
	}
	for i, m := range pc.Months {
		if wantMonth := fmt.Sprintf("2024-%02d", i+1); m.Month != wantMonth {
			t.Errorf("month %d is %s, want %s", i, m.Month, wantMonth)
		}
		w, ok := want[m.Month]
		if !ok {
			w = month{0, 0, false, MonthNothingPlanned}
		}
		if got := (month{m.Planned, m.Published, m.Meets, m.State}); got != w {
			t.Errorf("%s = %+v, want %+v", m.Month, got, w)
		}
	}
	if pc.MonthsMet != 1 {
		t.Errorf("MonthsMet = %d, want 1", pc.MonthsMet)
	}

	// A cancelled press item is not counted.
	if _, err := f.s.ChangeAiring(f.ctx, planner, press[1].ID, AiringChange{Status: ptr(StatusCancelled)}); err != nil {
		t.Fatal(err)
	}
	pc, _ = f.s.PressCalendar(f.ctx, demo, 2024)
	if m := pc.Months[3]; m.Planned != 0 || m.State != MonthNothingPlanned {
		t.Errorf("April with its item cancelled = %+v, want nothing planned", m)
	}
	// Another campaign has no press items.
	if _, err := f.s.PressCalendar(f.ctx, "NOPE-2024", 2024); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("PressCalendar of an unknown campaign: %v, want ErrNotFound", err)
	}
	if _, err := f.s.PressCalendar(f.ctx, demo, 1999); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("PressCalendar(1999): %v, want ErrInvalid", err)
	}
}

func TestPublishRefused(t *testing.T) {
	f, r := pressFixture(t)
	press := of(f.stored(), r.ID, "BQN")
	f.station("DT-507", "district_station", "507")
	f.scripts(1, "x")
	f.rule(ruleInput(tuFr, "DT-507"))
	f.materialize()
	district := of(f.stored(), "", "DT-507")
	if len(district) == 0 {
		t.Fatal("no district airing")
	}
	if _, err := f.s.ChangeAiring(f.ctx, planner, press[1].ID, AiringChange{Status: ptr(StatusCancelled)}); err != nil {
		t.Fatal(err)
	}
	ok := Publication{URL: "https://baoquangnam.vn/bai.html", PublishedAt: local("2024-03-04 10:00")}
	tests := []struct {
		name string
		id   string
		p    Publication
		want error
	}{
		{"a district station airing", district[0].ID, ok, loa.ErrConflict},
		{"a cancelled press item", press[1].ID, ok, loa.ErrConflict},
		{"not a link", press[0].ID, Publication{URL: "baoquangnam.vn/bai", PublishedAt: ok.PublishedAt}, loa.ErrInvalid},
		{"a javascript link", press[0].ID, Publication{URL: "javascript:alert(1)", PublishedAt: ok.PublishedAt}, loa.ErrInvalid},
		{"published in the future", press[0].ID, Publication{URL: ok.URL, PublishedAt: f.clock.Now().Add(time.Hour)}, loa.ErrInvalid},
		{"no time", press[0].ID, Publication{URL: ok.URL}, loa.ErrInvalid},
		{"an unknown airing", "once.BQN.20240101T000000Z", ok, loa.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := f.airingsVersion()
			if _, err := f.s.Publish(f.ctx, planner, tt.id, tt.p); !errors.Is(err, tt.want) {
				t.Errorf("Publish(%s): %v, want %v", tt.name, err, tt.want)
			}
			if f.airingsVersion() != v {
				t.Errorf("Publish(%s) wrote airings", tt.name)
			}
		})
	}
	if a := f.airing(district[0].ID); a.Status != StatusPlanned || a.PublishedURL != "" {
		t.Errorf("the district airing after a refused publish: %s %q", a.Status, a.PublishedURL)
	}
}

// TestPressCalendarBeyondTheHorizon: a monthly rule for all of 2027 and an article
// valid all year plan every month of 2027, though no airing is materialised yet;
// without content the months stay unplanned.
func TestPressCalendarBeyondTheHorizon(t *testing.T) {
	f := newFixture(t, local("2024-03-10 08:00"))
	f.station("BQN", ChannelPress, "49")
	in := ruleInput("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", "BQN")
	until := loa.Date("2027-12-31")
	in.StartDate, in.Until, in.DurationSeconds = "2027-01-01", &until, 3600
	f.rule(in)
	f.materialize()
	count := func() (planned int) {
		pc, err := f.s.PressCalendar(f.ctx, demo, 2027)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pc.Months {
			if m.State == MonthPlanned && m.Planned == 1 {
				planned++
			}
		}
		return planned
	}
	if n := count(); n != 0 {
		t.Errorf("%d months of 2027 planned without any article, want 0", n)
	}
	f.approved(message("article", "Bài báo cả năm"))
	if n := count(); n != 12 {
		t.Errorf("%d months of 2027 planned, want 12", n)
	}
}

// TestGapsAndForecastsBeyondTheHorizon: a weekly loudspeaker rule for the second
// half of 2024 read on 10 March, long before any of its airings is materialised,
// keeps its commune off the idle list of that half-year and counts in the planned
// activity the forecasts rest on — once content can fill it.
func TestGapsAndForecastsBeyondTheHorizon(t *testing.T) {
	f := newFixture(t, local("2024-03-10 08:00"))
	f.station("LOA-20557", "commune_loudspeaker", "20557")
	in := ruleInput("FREQ=WEEKLY;BYDAY=WE;BYHOUR=18", "LOA-20557")
	until := loa.Date("2024-12-31")
	in.StartDate, in.Until = "2024-07-01", &until
	f.rule(in)
	f.materialize()
	if n := len(f.stored()); n != 0 {
		t.Fatalf("fixture: %d airings materialised, want none before the horizon reaches July", n)
	}
	idle := func() bool {
		g, err := f.s.Gaps(f.ctx, loa.System, demo, local("2024-08-01 08:00"))
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(g.IdleUnits, func(u UnitRef) bool { return u.Code == "20557" })
	}
	planned := func() int {
		n, err := f.s.PlannedUnits(f.ctx, demo, local("2024-07-01 00:00"), local("2025-01-01 00:00"))
		if err != nil {
			t.Fatal(err)
		}
		return n["20557"]
	}
	if !idle() || planned() != 0 {
		t.Errorf("without content: idle %v, %d planned; want idle and none planned", idle(), planned())
	}
	f.scripts(1, "Bản tin cả năm")
	if idle() {
		t.Error("commune 20557 is idle in the second half-year, though the rule covers it with content")
	}
	// Wednesdays from 3 July to 25 December 2024: 26.
	if n := planned(); n != 26 {
		t.Errorf("%d broadcasts planned in 20557 for the second half-year, want 26", n)
	}
}
