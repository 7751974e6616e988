package scheduler

import (
	"fmt"
	"loa"
	"testing"
	"time"
)

// demoFixture is the demo province's stations and 2024 rules, with the demo content.
func demoFixture(b *testing.B) *fixture {
	b.Helper()
	f := newFixture(b, local("2023-12-31 12:00"))
	if err := f.lib.LoadDemo(f.ctx); err != nil {
		b.Fatal(err)
	}
	if err := f.s.LoadDemo(f.ctx, "49", f.cs); err != nil {
		b.Fatal(err)
	}
	return f
}

var year2024 = [2]time.Time{local("2024-01-01 00:00"), local("2025-01-01 00:00")}

// BenchmarkMaterializeYear materialises a year of the demo province's airings
// (262 stations, ≈ 30,000 airings) on a fresh embedded database.
func BenchmarkMaterializeYear(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := demoFixture(b)
		b.StartTimer()
		res, err := f.s.MaterializeUntil(f.ctx, year2024[0], year2024[1])
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Created), "airings/op")
	}
}

// BenchmarkRematerializeYear runs the same year again: it must write nothing.
// "warm" reuses the service that wrote the year; "cold" is a new scheduler, which
// first reads every airing; "process" is a new process: its own client on the
// database and new services under the scheduler too (org units, content), with
// nothing in memory.
func BenchmarkRematerializeYear(b *testing.B) {
	f := demoFixture(b)
	if _, err := f.s.MaterializeUntil(f.ctx, year2024[0], year2024[1]); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		service func() *Service
	}{{"warm", func() *Service { return f.s }}, {"cold", f.service}, {"process", f.process}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := bc.service()
				b.StartTimer()
				res, err := s.MaterializeUntil(f.ctx, year2024[0], year2024[1])
				if err != nil {
					b.Fatal(err)
				}
				if res.Created+res.Updated+res.Cancelled > 0 {
					b.Fatalf("re-running wrote: %+v", res)
				}
			}
		})
	}
}

// BenchmarkAhead reads what the demo's rules will place beyond the horizon on
// 10 March 2024: the forecasts of a report (the rest of the year, by unit) and the
// gaps (the communes idle this half-year).
func BenchmarkAhead(b *testing.B) {
	f := demoFixture(b)
	f.clock.Set(local("2024-03-10 08:00"))
	f.materialize()
	b.Run("PlannedUnits", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.s.PlannedUnits(f.ctx, demo, local("2024-03-11 00:00"), year2024[1]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Gaps", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.s.Gaps(f.ctx, loa.Actor{Scope: "49"}, demo, f.clock.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChangeOneAiring changes the note of one airing of a year of the demo
// province at a time (ChangeAiring: the airing, its audit record): what a write of
// one airing costs, e.g. a planner's change or a station's confirmation.
func BenchmarkChangeOneAiring(b *testing.B) {
	f := demoFixture(b)
	if _, err := f.s.MaterializeUntil(f.ctx, year2024[0], year2024[1]); err != nil {
		b.Fatal(err)
	}
	list, err := f.s.Airings(f.ctx, AiringFilter{Station: "LOA-20335", From: local("2024-06-01 00:00"), To: local("2024-07-01 00:00")})
	if err != nil || len(list) == 0 {
		b.Fatalf("airings of June at LOA-20335: %d, %v", len(list), err)
	}
	n := 0
	for b.Loop() {
		n++
		note := fmt.Sprint("ghi chú ", n)
		if _, err := f.s.ChangeAiring(f.ctx, planner, list[n%len(list)].ID, AiringChange{Note: &note}); err != nil {
			b.Fatal(err)
		}
	}
}
