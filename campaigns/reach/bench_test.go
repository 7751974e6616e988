package reach_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/reach/reachgen"
	"loa/campaigns/report"
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
	units, err := f.cs.OrgUnits(f.ctx, campaigns.OrgUnitFilter{Level: "commune", At: "2024-06-01"})
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
// iteration and reports rows per second (DESIGN §10: at least 20,000) and how far
// the heap rose above idle during the import (the embedded engine included).
func BenchmarkImportReach(b *testing.B) {
	benchImport(b, func(f reachFixture) []byte { return importFile(b, f, 100_000) })
}

// BenchmarkImportReachXLSX is BenchmarkImportReach with the rows written as an
// XLSX workbook (shared strings and number cells, as excelize writes them).
func BenchmarkImportReachXLSX(b *testing.B) {
	benchImport(b, func(f reachFixture) []byte { return xlsxOf(b, importFile(b, f, 100_000)) })
}

// benchImport imports the 100,000 new rows of the file made for a fresh database,
// once per iteration.
func benchImport(b *testing.B, file func(reachFixture) []byte) {
	const rows = 100_000
	for b.Loop() {
		b.StopTimer()
		f := newReachFixture(b)
		data := file(f)
		idle := heapNow()
		b.StartTimer()
		stop := heapWatch()
		start := time.Now()
		sum, err := f.s.ImportReach(f.ctx, loa.System, campaigns.DemoCampaignCode, bytes.NewReader(data), false)
		if err != nil || sum.Imported != rows {
			b.Fatalf("import: %+v, %v", sum, err)
		}
		b.ReportMetric(rows/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(float64(int64(stop())-int64(idle))/(1<<20), "heap-MiB")
		b.ReportMetric(float64(len(data))/(1<<20), "file-MiB")
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
	if sum, err := f.s.ImportReach(f.ctx, loa.System, campaigns.DemoCampaignCode, bytes.NewReader(original), false); err != nil || sum.Imported != rows {
		b.Fatalf("import: %+v, %v", sum, err)
	}
	b.Logf("setup: %d new rows imported in %v", rows, time.Since(start).Round(time.Millisecond))
	isCorrected := false
	run := func(b *testing.B, file func() []byte, dryRun bool, check func(loa.ImportSummary) bool) {
		var took time.Duration
		for b.Loop() {
			data := file()
			ctx, cancel := context.WithTimeout(f.ctx, 3*time.Minute)
			t := time.Now()
			sum, err := f.s.ImportReach(ctx, loa.System, campaigns.DemoCampaignCode, bytes.NewReader(data), dryRun)
			took += time.Since(t)
			cancel()
			if err != nil || !check(sum) {
				b.Fatalf("import: read %d, imported %d, updated %d, unchanged %d, %d conflicts, %v",
					sum.Read, sum.Imported, sum.Updated, sum.Unchanged, len(sum.Conflicts), err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/took.Seconds(), "rows/s")
	}
	fix := func(s loa.ImportSummary) bool {
		return s.Updated == rows/10 && s.Unchanged == rows-rows/10 && s.Imported == 0
	}
	b.Run("unchanged", func(b *testing.B) {
		run(b, func() []byte { return original }, false, func(s loa.ImportSummary) bool {
			return s.Unchanged == rows && s.Imported == 0 && s.Updated == 0
		})
	})
	b.Run("dry-run-corrected", func(b *testing.B) {
		run(b, func() []byte { return corrected }, true, fix)
	})
	b.Run("dry-run-new", func(b *testing.B) {
		fresh := []byte(strings.ReplaceAll(string(original), ",BC-", ",BC-new-"))
		run(b, func() []byte { return fresh }, true, func(s loa.ImportSummary) bool { return s.Imported == rows })
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

// yearRecords is the size of the campaign of issue 7's report budget.
const yearRecords = 1_000_000

// loadYear imports reachgen.Year's files of yearRecords rows into f's demo campaign,
// and logs how long it took.
func loadYear(b *testing.B, f reachFixture) {
	b.Helper()
	stored, err := f.cs.OrgUnits(f.ctx, campaigns.OrgUnitFilter{At: "2024-06-01"})
	if err != nil {
		b.Fatal(err)
	}
	units := make([]reachgen.Unit, len(stored))
	for i, u := range stored {
		units[i] = reachgen.Unit{Code: u.Code, Level: u.Level}
	}
	files := reachgen.Year(units, yearRecords)
	start := time.Now()
	var slowest time.Duration
	for i, file := range files {
		t := time.Now()
		sum, err := f.s.ImportReach(f.ctx, loa.System, campaigns.DemoCampaignCode, bytes.NewReader(file), false)
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
// each for the province (scope default) and for the district of Điện Bàn (507);
// warm-gapmap and warm-suggestions are the gap map of students and the plan
// suggestions on the warm service.
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
		q := report.ReportQuery{AsOf: "2024-12-31", Scope: sc.scope}
		r, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, q)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d indicators, %d child units, %d groups, %d trend points, %d lagging, %d data rows",
			sc.name, len(r.Indicators), len(r.Districts), len(r.Groups), len(r.Trend), len(r.Lagging), len(r.Data))
		b.Run("warm/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The gap map of students (issue 14, DESIGN §10: under 300 ms) and the
		// plan suggestions, from the same rollups in memory.
		b.Run("warm-gapmap/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.reports.GapMap(f.ctx, loa.System, campaigns.DemoCampaignCode, report.GapQuery{ReportQuery: q, Group: "students"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("warm-suggestions/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.reports.Suggestions(f.ctx, loa.System, campaigns.DemoCampaignCode, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("cold/"+sc.name, func(b *testing.B) {
			var took time.Duration
			for b.Loop() {
				cs := campaigns.NewService(campaigns.NewStore(f.db), f.audit, yearNow)
				s := report.NewService(cs, reach.NewService(cs, reach.NewStore(f.db), f.audit, yearNow), nil, report.NewStore(f.db), yearNow)
				t := time.Now()
				if _, err := s.Report(context.Background(), loa.System, campaigns.DemoCampaignCode, q); err != nil {
					b.Fatal(err)
				}
				took += time.Since(t)
			}
			b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "report-ns/op")
		})
	}
}

// xlsxOf writes a CSV file's rows into the first sheet of a workbook, numbers as
// number cells, with excelize's stream writer.
func xlsxOf(tb testing.TB, csvFile []byte) []byte {
	tb.Helper()
	x := excelize.NewFile()
	w, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(csvFile)), "\n") {
		var row []any
		for _, c := range strings.Split(line, ",") {
			if n, err := strconv.Atoi(c); err == nil && i > 0 && len(c) < 5 {
				row = append(row, n)
			} else {
				row = append(row, c)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := w.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
