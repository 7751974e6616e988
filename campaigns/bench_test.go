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
//   - dry-run-corrected: the dry run of a file with 10 % of the rows' person-times
//     changed (10,000 to update, nothing written);
//   - dry-run-new: the dry run of 100,000 rows with new keys;
//   - corrected: that corrected file imported (10,000 records updated, each
//     audited with its before and after); iterations alternate between the
//     corrected and the original file, so each one changes 10,000 records.
//
// Each reports rows per second of the file's rows. The corrected import rewrites
// every stored bucket its rows fall in (1,446 here); on the embedded engine (FerretDB
// 1.24) an update command of 100 or more replacements of stored documents never
// returns (BENCHMARKS.md §9), so the import is given 3 minutes before it fails.
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
			ctx, cancel := context.WithTimeout(f.ctx, 3*time.Minute)
			t := time.Now()
			sum, err := f.s.ImportReach(ctx, campaigns.System, campaigns.DemoCampaignCode, data, dryRun)
			took += time.Since(t)
			cancel()
			if err != nil || !check(sum) {
				b.Fatalf("import: read %d, imported %d, updated %d, unchanged %d, %d conflicts, %v",
					sum.Read, sum.Imported, sum.Updated, sum.Unchanged, len(sum.Conflicts), err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/took.Seconds(), "rows/s")
	}
	fix := func(s campaigns.ImportSummary) bool {
		return s.Updated == rows/10 && s.Unchanged == rows-rows/10 && s.Imported == 0
	}
	b.Run("unchanged", func(b *testing.B) {
		run(b, func() []byte { return original }, false, func(s campaigns.ImportSummary) bool {
			return s.Unchanged == rows && s.Imported == 0 && s.Updated == 0
		})
	})
	b.Run("dry-run-corrected", func(b *testing.B) {
		run(b, func() []byte { return corrected }, true, fix)
	})
	b.Run("dry-run-new", func(b *testing.B) {
		fresh := []byte(strings.ReplaceAll(string(original), ",BC-", ",BC-new-"))
		run(b, func() []byte { return fresh }, true, func(s campaigns.ImportSummary) bool { return s.Imported == rows })
	})
	b.Run("corrected", func(b *testing.B) {
		run(b, func() []byte {
			isCorrected = !isCorrected
			if isCorrected {
				return corrected
			}
			return original
		}, false, fix)
	})
}

// benchUnit is an org unit as the generator of a year of reach needs it.
type benchUnit struct{ Code, Level string }

// reachYear splits a year of n distinct reach rows of the demo campaign into CSV
// files, one per month and third of the province's units (36 files of about 28,000
// rows for n = 1,000,000), as units would report them month by month.
// app/bench_test.go has a copy of this function: keep the two the same.
//
// The rows are spread like a year of reporting: the 260 units (most rows from the
// 241 communes, some from the 18 districts, a few from the province), the seven
// groups, activities that go with each group (school sessions for students,
// training for officials, press and broadcast for the general public, mostly at
// district or province level…), every day of 2024 (rows per month in proportion to
// its days), one to five sessions, 10–310 person-times, unique persons on about 55 %
// of the rows that may give them (never on press or broadcast, whose reach is an
// estimate) and person-times only on the others, leaflets, social media and mass
// media flagged as estimates, evidence on one row in ten, and a report number of
// its own on every row ("123/BC-UBND"), so that every row has its own key.
//
// Each file touches at most 87 (unit, month) buckets, and no two files the same
// one: on the embedded engine an import that rewrites 100 or more stored buckets
// at once does not return (BENCHMARKS.md §9), and the app's demo already holds
// records in most buckets.
func reachYear(units []benchUnit, n int) [][]byte {
	type kind struct {
		activity string
		groups   []string
		weight   int
		levels   string // the levels it is reported at: c(ommune), d(istrict), p(rovince)
	}
	everyone := []string{"students", "iz_workers", "service_workers", "ethnic_minorities", "women_girls", "officials", "general_public"}
	kinds := []kind{
		{"direct_session", everyone, 34, "cd"},
		{"school_session", []string{"students"}, 14, "cd"},
		{"workplace_session", []string{"iz_workers", "service_workers", "women_girls"}, 10, "cd"},
		{"leaflet", []string{"general_public", "ethnic_minorities", "women_girls", "service_workers"}, 14, "cd"},
		{"social_media", []string{"general_public", "students", "women_girls"}, 8, "cdp"},
		{"training", []string{"officials"}, 5, "dp"},
		{"broadcast", []string{"general_public", "ethnic_minorities"}, 9, "cdp"},
		{"press", []string{"general_public"}, 3, "dp"},
		{"other", everyone, 3, "cd"},
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	const parts = 3
	var byLevel [parts]map[string][]string
	seen := map[string]int{}
	for _, u := range units {
		p := seen[u.Level] % parts // each third has a third of each level's units
		seen[u.Level]++
		if byLevel[p] == nil {
			byLevel[p] = map[string][]string{}
		}
		byLevel[p][u.Level] = append(byLevel[p][u.Level], u.Code)
	}
	var files [][]byte
	seq, done := 0, 0
	for month := 1; month <= 12; month++ {
		first := time.Date(2024, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		days := first.AddDate(0, 1, -1).Day()
		upTo := n * (first.YearDay() - 1 + days) / 366
		for p := range parts {
			rows := (upTo - done) / (parts - p)
			done += rows
			rng := rand.New(rand.NewPCG(uint64(month), uint64(p)))
			var b strings.Builder
			b.Grow(rows * 80)
			b.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Ước tính,Số hiệu báo cáo,Minh chứng\n")
			for range rows {
				seq++
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
				if r := rng.IntN(100); !strings.Contains(k.levels, "c") || r < 12 {
					level = "district"
					if strings.Contains(k.levels, "p") && (r < 3 || !strings.Contains(k.levels, "d")) && byLevel[p]["province"] != nil {
						level = "province"
					}
				}
				at := byLevel[p][level]
				unit := at[rng.IntN(len(at))]
				group := k.groups[rng.IntN(len(k.groups))]
				day := first.AddDate(0, 0, rng.IntN(days))
				sessions := 1
				if rng.IntN(10) == 0 {
					sessions = 2 + rng.IntN(4)
				}
				times := 10 + rng.IntN(301)
				unique, estimated, evidence := "", "", ""
				mass := k.activity == "press" || k.activity == "broadcast"
				if !mass && rng.IntN(100) < 55 {
					unique = fmt.Sprint(times * (70 + rng.IntN(31)) / 100)
				}
				if mass || k.activity == "leaflet" || k.activity == "social_media" {
					estimated = "x"
				}
				if rng.IntN(10) == 0 {
					evidence = "Biên bản buổi tuyên truyền, có ảnh"
				}
				fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%d,%s,%s,%d/BC-UBND,%s\n", unit, group, day.Format("02/01/2006"), k.activity,
					sessions, times, unique, estimated, seq, evidence)
			}
			files = append(files, []byte(b.String()))
		}
	}
	return files
}

// yearRecords is the size of the campaign of issue 7's report budget.
const yearRecords = 1_000_000

// loadYear imports reachYear's files of yearRecords rows into f's demo campaign,
// and logs how long it took.
func loadYear(b *testing.B, f reachFixture) {
	b.Helper()
	stored, err := f.s.OrgUnits(f.ctx, campaigns.OrgUnitFilter{})
	if err != nil {
		b.Fatal(err)
	}
	units := make([]benchUnit, len(stored))
	for i, u := range stored {
		units[i] = benchUnit{u.Code, u.Level}
	}
	files := reachYear(units, yearRecords)
	start := time.Now()
	var slowest time.Duration
	for i, file := range files {
		t := time.Now()
		sum, err := f.s.ImportReach(f.ctx, campaigns.System, campaigns.DemoCampaignCode, file, false)
		if err != nil || sum.Imported != sum.Read || len(sum.Conflicts) > 0 {
			b.Fatalf("import of file %d: read %d, imported %d, conflicts %v, %v", i, sum.Read, sum.Imported, sum.Conflicts[:min(3, len(sum.Conflicts))], err)
		}
		slowest = max(slowest, time.Since(t))
	}
	took := time.Since(start)
	b.Logf("loaded %d records (%d units) in %d files in %v: %.0f rows/s; slowest file %v", yearRecords, len(units), len(files),
		took.Round(time.Millisecond), yearRecords/took.Seconds(), slowest.Round(time.Millisecond))
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
	var cells, docs int
	rollups, err := f.db.Collection("rollups").Find(f.ctx, map[string]any{})
	if err != nil {
		b.Fatal(err)
	}
	for rollups.Next(f.ctx) {
		var d struct{ Cells map[string]any }
		if err := rollups.Decode(&d); err != nil {
			b.Fatal(err)
		}
		docs, cells = docs+1, cells+len(d.Cells)
	}
	_ = rollups.Close(f.ctx)
	b.Logf("%d reach buckets stored; rollups: %d cells in %d half-month documents", n, cells, docs)
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
