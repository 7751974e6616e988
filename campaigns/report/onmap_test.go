package report_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"loa"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/report"
)

// mapNow is a day after the 2025 reorganisation.
var mapNow = func() time.Time { return time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC) }

// demoReports are the reports of the demo campaign, with its sample reach, on a
// fresh database at mapNow; with the campaigns' service.
func demoReports(tb testing.TB) (*report.Service, *campaigns.Service, *database.DB) {
	tb.Helper()
	return demoReportsAt(tb, mapNow, true)
}

// demoReportsAt are the reports of the demo campaign on a fresh database, with
// the clock now, and with its sample reach when asked.
func demoReportsAt(tb testing.TB, now func() time.Time, withReach bool) (*report.Service, *campaigns.Service, *database.DB) {
	tb.Helper()
	db := dbtest.New(tb, slices.Concat(database.Schema, campaigns.Schema, reach.Schema, report.Schema, audit.Schema))
	log := audit.New(audit.NewStore(db), now)
	cs := campaigns.NewService(campaigns.NewStore(db), log, now)
	ctx := context.Background()
	if err := cs.LoadReference(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := cs.LoadDemo(ctx); err != nil {
		tb.Fatal(err)
	}
	rs := reach.NewService(cs, reach.NewStore(db), log, now)
	if withReach {
		if err := rs.LoadDemoReach(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	return report.NewService(cs, rs, nil, report.NewStore(db), now), cs, db
}

// unitSums are what the records of a unit add up to in a report.
type unitSums struct{ activities, personTimes, uniquePersons int64 }

func (a *unitSums) add(b report.Breakdown) {
	a.activities += b.Activities
	a.personTimes += b.PersonTimes.N
	a.uniquePersons += b.UniquePersons.N
}

// communes2024 are the 2024 communes' sums, from the 2024 report of each district.
func communes2024(t *testing.T, s *report.Service, districts []report.Breakdown) map[string]unitSums {
	t.Helper()
	out := map[string]unitSums{}
	for _, d := range districts {
		r, err := s.Report(context.Background(), loa.System, campaigns.DemoCampaignCode, report.ReportQuery{Scope: d.Unit.Code})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Districts {
			var u unitSums
			u.add(c)
			out[c.Unit.Code] = u
		}
	}
	return out
}

// TestDemoOnTheMapOf2025: the 2024 plan reported on the units of 01/07/2025 puts
// each old commune's numbers on its successor: Tam Kỳ (20341) holds Phước Hòa
// (20338, through An Xuân on 01/01/2025), An Mỹ, An Xuân and Trường Xuân; Bàn
// Thạch (20335) holds Tân Thạnh, Tam Thăng and Hoà Thuận; Tam Hải (20992) is
// itself. Every one of the 78 communes equals the sum of its 2024 members, the
// province's totals are unchanged, and the commune target counts 78 communes.
func TestDemoOnTheMapOf2025(t *testing.T) {
	s, cs, _ := demoReports(t)
	ctx := context.Background()
	own, err := s.Report(ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{})
	if err != nil {
		t.Fatal(err)
	}
	onMap, err := s.Report(ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{Map: "2025-07-01"})
	if err != nil {
		t.Fatal(err)
	}
	if own.Map.Other || own.Map.Date != "2024-12-31" || own.Map.Moved != 0 || len(own.Map.Notes) != 0 {
		t.Errorf("own map = %+v, want 31/12/2024 with nothing moved", own.Map)
	}
	if onMap.Scope.Code != "48" || len(onMap.Districts) != 78 || !onMap.Map.Other || onMap.Map.Date != "2025-07-01" {
		t.Fatalf("on the 2025 map: scope %s with %d units, map %+v; want 48 with 78 communes", onMap.Scope.Code, len(onMap.Districts), onMap.Map)
	}
	if len(onMap.Map.Notes) == 0 || !strings.Contains(onMap.Map.Notes[0], "01/07/2025") || !strings.Contains(onMap.Map.Notes[0], "cộng vào đơn vị kế thừa") {
		t.Errorf("notes = %q, want the map and the sums said", onMap.Map.Notes)
	}

	old := communes2024(t, s, own.Districts)
	if len(old) != 241 {
		t.Fatalf("%d communes in 2024, want 241", len(old))
	}
	got := map[string]unitSums{}
	for _, b := range onMap.Districts {
		var u unitSums
		u.add(b)
		got[b.Unit.Code] = u
	}
	sumOf := func(codes ...string) unitSums {
		var u unitSums
		for _, c := range codes {
			o, ok := old[c]
			if !ok {
				t.Fatalf("no 2024 commune %s", c)
			}
			u.activities, u.personTimes, u.uniquePersons = u.activities+o.activities, u.personTimes+o.personTimes, u.uniquePersons+o.uniquePersons
		}
		return u
	}
	for _, tt := range []struct {
		code    string
		members []string
	}{
		{"20341", []string{"20338", "20341", "20347", "20353"}},
		{"20335", []string{"20335", "20362", "20375"}},
		{"20992", []string{"20992"}},
	} {
		want := sumOf(tt.members...)
		if want.activities == 0 {
			t.Fatalf("members of %s have no activity: the check would prove nothing", tt.code)
		}
		if got[tt.code] != want {
			t.Errorf("commune %s on the 2025 map = %+v, want the sum of %v = %+v", tt.code, got[tt.code], tt.members, want)
		}
	}

	// Every commune of 2024 lands whole on one commune of 2025.
	h, err := cs.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]string{}
	for code := range old {
		places := h.Resolve(code, "2024-12-31", "2025-07-01")
		if len(places) != 1 || places[0].Share != 1 {
			t.Fatalf("2024 commune %s lands on %+v, want one whole successor", code, places)
		}
		members[places[0].Code] = append(members[places[0].Code], code)
	}
	if len(members) != 78 {
		t.Errorf("the 2024 communes land on %d communes, want 78", len(members))
	}
	for code, ms := range members {
		if want := sumOf(ms...); got[code] != want {
			t.Errorf("commune %s on the 2025 map = %+v, want the sum of %v = %+v", code, got[code], ms, want)
		}
	}

	for i, in := range onMap.Indicators {
		o := own.Indicators[i]
		switch in.Rule {
		case campaigns.RuleOrgUnitActivity:
			if in.Denominator.N != 78 || o.Denominator.N != 241 {
				t.Errorf("%s: denominator %d communes on the 2025 map, %d on 2024's; want 78 and 241", in.Indicator, in.Denominator.N, o.Denominator.N)
			}
		case campaigns.RuleCoverage:
			// The districts' figures are summed into Đà Nẵng: the same
			// denominator and persons for the province.
			if in.Denominator.N != o.Denominator.N || in.UncappedNumerator.N != o.UncappedNumerator.N {
				t.Errorf("%s: %d/%d on the 2025 map, %d/%d on 2024's", in.Indicator, in.UncappedNumerator.N, in.Denominator.N, o.UncappedNumerator.N, o.Denominator.N)
			}
		}
		if !strings.Contains(in.Note, "01/07/2025") {
			t.Errorf("%s: note %q, want the map said", in.Indicator, in.Note)
		}
	}
}

// TestMapRefused: a map that is not a date, or is before the end of the period
// (the crosswalk runs forward only), is refused on the field map.
func TestMapRefused(t *testing.T) {
	s, _, _ := demoReports(t)
	for _, m := range []string{"2025-13-01", "01/07/2025", "2024-12-30"} {
		_, err := s.Report(context.Background(), loa.System, campaigns.DemoCampaignCode, report.ReportQuery{Map: m})
		var ve *loa.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, loa.ErrInvalid) || ve.Details[0].Field != "map" {
			t.Errorf("Report(map %q) = %v, want invalid on map", m, err)
		}
	}
}

// BenchmarkReportOnMap: the demo's report on its own map and on the units of
// 01/07/2025, side by side: the whole service (reads included) and the engine
// alone on inputs read once; BENCHMARKS.md, "Reports on another map".
func BenchmarkReportOnMap(b *testing.B) {
	s, _, _ := demoReports(b)
	ctx := context.Background()
	for _, m := range []struct{ name, date string }{{"own", ""}, {"map-2025-07-01", "2025-07-01"}} {
		q := report.ReportQuery{AsOf: "2024-12-31", Map: m.date}
		if _, err := s.Report(ctx, loa.System, campaigns.DemoCampaignCode, q); err != nil {
			b.Fatal(err)
		}
		b.Run(m.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Report(ctx, loa.System, campaigns.DemoCampaignCode, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		engine, err := report.Prepared(ctx, s, loa.System, campaigns.DemoCampaignCode, q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("engine-"+m.name, func(b *testing.B) {
			for b.Loop() {
				engine()
			}
		})
	}
	b.Run("compare-halves-2025-07-01", func(b *testing.B) {
		q := report.CompareQuery{Period: "2024-H2", WithPeriod: "2024-H1", Map: "2025-07-01"}
		for b.Loop() {
			if _, err := s.Compare(ctx, loa.System, campaigns.DemoCampaignCode, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
