package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// comparePath is the demo's two half-years side by side on the units of 01/07/2025.
const comparePath = "/campaigns/PCMD-2024/compare?period=2024-H2&withPeriod=2024-H1&map=01/07/2025"

// TestComparePage: a planner and a viewer read the demo's half-years on the
// 2025 map — 78 communes of Đà Nẵng, the map's notes, the change per indicator;
// the viewer is told small cells are hidden; a map before the period's end comes
// back beside its field.
func TestComparePage(t *testing.T) {
	s := newSite(t)
	planner := s.account("so.sanh", []string{"planner"}, "49")
	viewer := s.account("xem.so.sanh", []string{"viewer"}, "49")
	status, page := planner.get(comparePath)
	if status != http.StatusOK {
		t.Fatalf("compare page: %d\n%s", status, s.logs)
	}
	for _, want := range []string{"Lưu ý về danh mục đơn vị", "01/07/2025", ">Tam Kỳ</a>", ">Bàn Thạch</a>", "điểm", `aria-current="page">So sánh các năm`} {
		if !strings.Contains(page, want) {
			t.Errorf("the planner's compare page lacks %q", want)
		}
	}
	if rows := strings.Count(page[strings.Index(page, "Theo đơn vị"):], `<th scope="row">`); rows != 78 {
		t.Errorf("%d units on the 2025 map, want 78", rows)
	}
	if strings.Contains(page, "không tính mức thay đổi") {
		t.Errorf("the planner is told small cells are hidden")
	}
	status, page = viewer.get(comparePath)
	if status != http.StatusOK || !strings.Contains(page, "Số dưới 5 người được ghi «&lt;5» và không tính mức thay đổi") {
		t.Errorf("the viewer's compare page: %d, without the note on small cells", status)
	}
	// The dashboard and the periodic reports take the map too, and their
	// downloads carry it.
	status, page = planner.get("/campaigns/PCMD-2024?map=01/07/2025")
	for _, want := range []string{`id="map-notes"`, "Đà Nẵng", "/api/v1/campaigns/PCMD-2024/report?format=xlsx&amp;map=2025-07-01", `value="2025-07-01"`} {
		if status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("the dashboard on the 2025 map (%d) lacks %q", status, want)
		}
	}
	status, page = planner.get("/reports?campaign=PCMD-2024&period=2024&map=01/07/2025")
	for _, want := range []string{"cộng vào đơn vị kế thừa", "format=docx&amp;map=2025-07-01&amp;period=2024"} {
		if status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("the periodic report on the 2025 map (%d) lacks %q", status, want)
		}
	}
	status, page = planner.get("/campaigns/PCMD-2024/compare?map=30/06/2024")
	if status != http.StatusUnprocessableEntity || !strings.Contains(besideField(page, "map"), "Danh mục đơn vị phải từ ngày báo cáo") {
		t.Errorf("a map before the period's end: %d, beside map %q", status, besideField(page, "map"))
	}
}

// TestComparePageInBrowser: on a phone only the tables scroll; LOA_SCREENSHOTS
// names a directory to keep the page's screenshots at 360 and 1280 px.
func TestComparePageInBrowser(t *testing.T) {
	s := newSite(t)
	s.account("so.sanh", []string{"planner"}, "49")
	ctx := s.browser(360)
	s.browserSignIn(ctx, "so.sanh", testPassword)
	for _, width := range []int64{360, 1280} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.base+comparePath),
			chromedp.WaitVisible("table")); err != nil {
			t.Fatalf("at %d px: %v", width, err)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		scroll, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || scroll > int(width) {
			t.Errorf("the page is %d px wide at %d px (%v): only the tables should scroll", scroll, width, err)
		}
		if dir := os.Getenv("LOA_SCREENSHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("compare-%d.png", width)), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
