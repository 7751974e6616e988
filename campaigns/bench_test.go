package campaigns_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"loa/campaigns"
)

// importFile is a CSV of n distinct reach rows of the demo campaign over the
// province's communes, seven groups and the first half of 2024.
func importFile(tb testing.TB, f reachFixture, n int) []byte {
	tb.Helper()
	units, err := f.s.OrgUnits(f.ctx, campaigns.OrgUnitFilter{Level: "commune"})
	if err != nil {
		tb.Fatal(err)
	}
	groups := []string{"students", "iz_workers", "service_workers", "ethnic_minorities", "women_girls", "officials", "general_public"}
	var b strings.Builder
	b.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số hiệu báo cáo\n")
	for i := range n {
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%180)
		fmt.Fprintf(&b, "%s,%s,%s,direct_session,1,%d,%d,BC-%d\n", units[i%len(units)].Code, groups[(i/len(units))%len(groups)],
			day.Format("02/01/2006"), 20+i%80, 10+i%10, i)
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
