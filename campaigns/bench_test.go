package campaigns_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"loa/campaigns"
)

// Benchmarks of issue 7's budgets (DESIGN §10): import at least 20,000 reach rows a
// second from CSV into the embedded database, and the report of a campaign with
// 1,000,000 reach records under 300 ms. They run only with -bench; BENCHMARKS.md
// (section 9) records the commands and the figures.

// importGroups are the demo campaign's seven target groups.
var importGroups = []string{"students", "iz_workers", "service_workers", "ethnic_minorities", "women_girls", "officials", "general_public"}

// importFile is a CSV of n distinct reach rows of the demo campaign over the
// province's communes, seven groups and the first half of 2024.
func importFile(tb testing.TB, f reachFixture, n int) []byte {
	return importFileChanged(tb, f, n, 0, 0)
}

// importFileChanged is importFile with the person-times of every changeEvery-th
// row (none when 0) raised by bump: the same keys, corrected counts.
func importFileChanged(tb testing.TB, f reachFixture, n, changeEvery int, bump int) []byte {
	tb.Helper()
	units, err := f.s.OrgUnits(f.ctx, campaigns.OrgUnitFilter{Level: "commune"})
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số hiệu báo cáo\n")
	for i := range n {
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%180)
		times := 20 + i%80
		if changeEvery > 0 && i%changeEvery == 0 {
			times += bump
		}
		fmt.Fprintf(&b, "%s,%s,%s,direct_session,1,%d,%d,BC-%d\n", units[i%len(units)].Code, importGroups[(i/len(units))%len(importGroups)],
			day.Format("02/01/2006"), times, 10+i%10, i)
	}
	return []byte(b.String())
}

// BenchmarkImportReach imports 100,000 new rows from CSV into a fresh database per
// iteration and reports rows per second (DESIGN §10: at least 20,000).
func BenchmarkImportReach(b *testing.B) {
	const rows = 100_000
	for b.Loop() {
		b.StopTimer()
		f := newReachFixture(b)
		file := importFile(b, f, rows)
		b.StartTimer()
		start := time.Now()
		sum, err := f.s.ImportReach(f.ctx, campaigns.System, campaigns.DemoCampaignCode, file, false)
		if err != nil || sum.Imported != rows {
			b.Fatalf("import: %+v, %v", sum, err)
		}
		b.ReportMetric(rows/time.Since(start).Seconds(), "rows/s")
	}
}

// BenchmarkReimportReach imports importFile's 100,000 rows once (outside the timer)
// and then measures, on that database:
//   - unchanged: the same file again (nothing written, 100,000 unchanged);
//   - corrected: a file with 10 % of the rows' person-times changed (10,000 updated,
//     each audited with its before and after); iterations alternate between the
//     corrected and the original file, so each one changes 10,000 records;
//   - dry-run-corrected: the corrected file's dry run against the state left;
//   - dry-run-new: a dry run of 100,000 rows with new keys (nothing stored yet).
//
// Each reports rows per second of the file's rows.
func BenchmarkReimportReach(b *testing.B) {
	const rows = 100_000
	f := newReachFixture(b)
	original := importFile(b, f, rows)
	corrected := importFileChanged(b, f, rows, 10, 7)
	start := time.Now()
	if sum, err := f.s.ImportReach(f.ctx, campaigns.System, campaigns.DemoCampaignCode, original, false); err != nil || sum.Imported != rows {
		b.Fatalf("import: %+v, %v", sum, err)
	}
	b.Logf("setup: %d new rows imported in %v", rows, time.Since(start).Round(time.Millisecond))
	isCorrected := false
	run := func(b *testing.B, file func() []byte, dryRun bool, check func(campaigns.ImportSummary) bool) {
		var took time.Duration
		for b.Loop() {
			data := file()
			t := time.Now()
			sum, err := f.s.ImportReach(f.ctx, campaigns.System, campaigns.DemoCampaignCode, data, dryRun)
			took += time.Since(t)
			if err != nil || !check(sum) {
				b.Fatalf("import: read %d, imported %d, updated %d, unchanged %d, %d conflicts, %v",
					sum.Read, sum.Imported, sum.Updated, sum.Unchanged, len(sum.Conflicts), err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/took.Seconds(), "rows/s")
	}
	b.Run("unchanged", func(b *testing.B) {
		if isCorrected {
			b.Fatal("the database holds the corrected file")
		}
		run(b, func() []byte { return original }, false, func(s campaigns.ImportSummary) bool {
			return s.Unchanged == rows && s.Imported == 0 && s.Updated == 0
		})
	})
	b.Run("corrected", func(b *testing.B) {
		run(b, func() []byte {
			isCorrected = !isCorrected
			if isCorrected {
				return corrected
			}
			return original
		}, false, func(s campaigns.ImportSummary) bool {
			return s.Updated == rows/10 && s.Unchanged == rows-rows/10 && s.Imported == 0
		})
	})
	b.Run("dry-run-corrected", func(b *testing.B) {
		other := corrected
		if isCorrected {
			other = original
		}
		run(b, func() []byte { return other }, true, func(s campaigns.ImportSummary) bool {
			return s.Updated == rows/10 && s.Unchanged == rows-rows/10 && s.Imported == 0
		})
	})
	b.Run("dry-run-new", func(b *testing.B) {
		fresh := []byte(strings.ReplaceAll(string(original), ",BC-", ",BC-new-"))
		run(b, func() []byte { return fresh }, true, func(s campaigns.ImportSummary) bool { return s.Imported == rows })
	})
}

// reachYear is a CSV of n distinct reach rows of the demo campaign spread like a
// year of reporting (app/bench_test.go has a copy; keep the two the same): the
// province's 260 units (most rows from its 241 communes, some from its 18
// districts, a few from the province), the seven groups, activities that go with
// each group (school sessions for students, training for officials, press and
// broadcast for the general public at district or province level…), every day of
// 2024, one to five sessions, 10–310 person-times, unique persons on about 55 % of
// the rows where they can be given (never on press or broadcast, whose reach is an
// estimate) and person-times only on the others, leaflets and social media flagged
// as estimates, evidence on one row in ten, and a report number per row ("123/BC-UBND",
// from first on) so that every row has its own key.
func reachYear(units []campaigns.OrgUnit, n, first int, seed uint64) []byte {
	byLevel := map[string][]string{}
	for _, u := range units {
		byLevel[u.Level] = append(byLevel[u.Level], u.Code)
	}
	type kind struct {
		activity string
		groups   []string
		weight   int
		levels   string // the levels it is reported at: c(ommune), d(istrict), p(rovince)
	}
	kinds := []kind{
		{"direct_session", importGroups, 34, "cd"},
		{"school_session", []string{"students"}, 14, "cd"},
		{"workplace_session", []string{"iz_workers", "service_workers", "women_girls"}, 10, "cd"},
		{"leaflet", []string{"general_public", "ethnic_minorities", "women_girls", "service_workers"}, 14, "cd"},
		{"social_media", []string{"general_public", "students", "women_girls"}, 8, "cdp"},
		{"training", []string{"officials"}, 5, "dp"},
		{"broadcast", []string{"general_public", "ethnic_minorities"}, 9, "cdp"},
		{"press", []string{"general_public"}, 3, "dp"},
		{"other", importGroups, 3, "cd"},
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.Grow(n * 80)
	b.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Ước tính,Số hiệu báo cáo,Minh chứng\n")
	for i := range n {
		w := rng.IntN(total)
		k := kinds[0]
		for _, c := range kinds {
			if w < c.weight {
				k = c
				break
			}
			w -= c.weight
		}
		level := "commune"
		switch r := rng.IntN(100); {
		case !strings.Contains(k.levels, "c") || r < 12:
			level = "district"
			if strings.Contains(k.levels, "p") && (r < 3 || !strings.Contains(k.levels, "d")) {
				level = "province"
			}
		}
		unitsAt := byLevel[level]
		unit := unitsAt[rng.IntN(len(unitsAt))]
		group := k.groups[rng.IntN(len(k.groups))]
		day := start.AddDate(0, 0, rng.IntN(366))
		sessions := 1
		if rng.IntN(10) == 0 {
			sessions = 2 + rng.IntN(4)
		}
		times := 10 + rng.IntN(301)
		unique := ""
		mass := k.activity == "press" || k.activity == "broadcast"
		if !mass && rng.IntN(100) < 55 {
			unique = fmt.Sprint(times * (70 + rng.IntN(31)) / 100)
		}
		estimated := ""
		if mass || k.activity == "leaflet" || k.activity == "social_media" {
			estimated = "x"
		}
		evidence := ""
		if rng.IntN(10) == 0 {
			evidence = "Biên bản buổi tuyên truyền, có ảnh"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%d,%s,%s,%d/BC-UBND,%s\n", unit, group, day.Format("02/01/2006"), k.activity,
			sessions, times, unique, estimated, first+i, evidence)
	}
	return []byte(b.String())
}

const (
	yearRecords = 1_000_000
	yearPiece   = 100_000 // rows per imported file
)

// loadYear imports yearRecords rows of reachYear into f's demo campaign as
// yearPiece-row files, and logs how long each took.
func loadYear(b *testing.B, f reachFixture) {
	b.Helper()
	units, err := f.s.OrgUnits(f.ctx, campaigns.OrgUnitFilter{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var times []string
	for piece := range yearRecords / yearPiece {
		file := reachYear(units, yearPiece, piece*yearPiece+1, uint64(piece))
		t := time.Now()
		sum, err := f.s.ImportReach(f.ctx, campaigns.System, campaigns.DemoCampaignCode, file, false)
		if err != nil || sum.Imported != yearPiece {
			b.Fatalf("import of piece %d: read %d, imported %d, %d conflicts (%v), %v", piece, sum.Read, sum.Imported, len(sum.Conflicts), sum.Conflicts[:min(3, len(sum.Conflicts))], err)
		}
		times = append(times, time.Since(t).Round(10*time.Millisecond).String())
	}
	b.Logf("loaded %d records in %d files of %d (%d units) in %v; per file: %s", yearRecords, yearRecords/yearPiece, yearPiece,
		len(units), time.Since(start).Round(time.Millisecond), strings.Join(times, " "))
}

// yearNow is a clock in 2025, when all of 2024 has passed.
var yearNow = func() time.Time { return time.Date(2025, 1, 15, 3, 0, 0, 0, time.UTC) }

// BenchmarkReport1M loads 1,000,000 reach records into the demo campaign (once,
// outside the timers, about a minute) and measures Service.Report as of
// 2024-12-31, the Report struct only (no encoding):
//   - warm: the service that wrote the records, rollups cached in memory (the normal
//     case after the first request);
//   - cold: a new Service on the same database per iteration, so the org units, the
//     populations and the rollups are read from the database, as in a new process;
//
// each for the province (scope default) and for the district of Điện Bàn (507).
func BenchmarkReport1M(b *testing.B) {
	f := newReachFixtureAt(b, yearNow)
	loadYear(b, f)
	n, err := f.db.Collection("reach").CountDocuments(f.ctx, map[string]any{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d reach buckets stored", n)
	for _, sc := range []struct{ name, scope string }{{"province", ""}, {"district", "507"}} {
		q := campaigns.ReportQuery{AsOf: "2024-12-31", Scope: sc.scope}
		r, err := f.s.Report(f.ctx, campaigns.System, campaigns.DemoCampaignCode, q)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d indicators, %d child units, %d groups, %d trend points, %d lagging, %d data rows",
			sc.name, len(r.Indicators), len(r.Districts), len(r.Groups), len(r.Trend), len(r.Lagging), len(r.Data))
		b.Run("warm/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.s.Report(f.ctx, campaigns.System, campaigns.DemoCampaignCode, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("cold/"+sc.name, func(b *testing.B) {
			var took time.Duration
			for b.Loop() {
				s := campaigns.NewService(campaigns.NewStore(f.db), f.audit, yearNow)
				t := time.Now()
				if _, err := s.Report(context.Background(), campaigns.System, campaigns.DemoCampaignCode, q); err != nil {
					b.Fatal(err)
				}
				took += time.Since(t)
			}
			b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "report-ns/op")
		})
	}
}
