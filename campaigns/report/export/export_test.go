package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"loa/campaigns"
	"loa/campaigns/report"
)

var sample = flag.String("sample", "", "write the fixture rendered as report-sample.html and report-sample.xlsx into this directory")

func ptr(v float64) *float64 { return &v }

func hidden(n int64) *report.Count { return &report.Count{N: n, People: true, Hidden: true} }

// fixture is a small report: three indicators (the third not measurable, with a
// hidden count), two districts (one with markup in its name), three months.
func fixture() report.Report {
	tamKy := report.UnitRef{Code: "502", Name: "Thành phố Tam Kỳ", Level: "district"}
	odd := report.UnitRef{Code: "503", Name: "Huyện <b>Thử</b> & Co", Level: "district"}
	return report.Report{
		Campaign: report.ReportCampaign{
			Code:        "PCMD-2024",
			Title:       "Kế hoạch phòng, chống mại dâm năm 2024",
			LegalBasis:  "Kế hoạch số 52/KH-UBND ngày 15/3/2024 của UBND tỉnh Quảng Nam",
			OwnerAgency: "UBND tỉnh Quảng Nam",
			Secretariat: "Sở Lao động - Thương binh và Xã hội",
		},
		Scope:       report.UnitRef{Code: "49", Name: "Tỉnh Quảng Nam", Level: "province"},
		Window:      report.Window{Kind: "campaign", Label: "Năm 2024", From: "2024-01-01", To: "2024-12-31"},
		AsOf:        "2024-03-31",
		Elapsed:     0.25,
		DataThrough: "2024-03-31",
		GeneratedAt: time.Date(2024, 4, 2, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)),

		SmallCellsSuppressed: true,
		Indicators: []report.Result{
			{
				Indicator: "hs", Title: "Tỷ lệ học sinh được tiếp cận thông tin phòng, chống mại dâm",
				Rule: campaigns.RuleCoverage, Group: "students", CountUnit: "người",
				Numerator: report.People(9878), Denominator: report.People(13625), Value: ptr(0.725),
				Target: 0.7, Comparator: campaigns.ComparatorGT,
				Status: report.StatusMet, StatusLabel: "Đạt",
				ExpectedToDate: ptr(0.175),
				Forecast:       &report.Forecast{Numerator: 12000, Value: ptr(0.88), Basis: "planned", Meets: true},
				Provenance:     "Sở GD&ĐT 2024",
			},
			{
				Indicator: "xa", Title: "Tỷ lệ xã có hoạt động truyền thông duy trì thường xuyên",
				Rule: campaigns.RuleOrgUnitActivity, Level: "commune", CountUnit: "xã",
				Numerator: report.Things(120), Denominator: report.Things(241), Value: ptr(120.0 / 241),
				Target: 0.7, Comparator: campaigns.ComparatorGT,
				Status: report.StatusOnTrack, StatusLabel: "Đúng tiến độ",
				ExpectedToDate: ptr(0.175), PaceNeeded: ptr(6.2),
				Provenance: "Danh mục đơn vị hành chính",
			},
			{
				Indicator: "dv", Title: "Tỷ lệ nhân viên cơ sở dịch vụ được tuyên truyền",
				Rule: campaigns.RuleCoverage, Group: "service_workers", CountUnit: "người",
				Numerator: hidden(3), PersonTimes: report.People(40),
				Target: 0.5, Comparator: campaigns.ComparatorGTE,
				Status: report.StatusNotMeasurable, StatusLabel: "Không đo được",
				Note: "Chỉ có số lượt người, không đo được độ bao phủ",
			},
		},
		Districts: []report.Breakdown{
			{
				Unit: tamKy,
				Indicators: []report.UnitValue{
					{Indicator: "hs", Numerator: report.People(1500), Denominator: report.People(2000), Value: ptr(0.75), Status: report.StatusMet},
					{Indicator: "xa", Numerator: report.Things(9), Denominator: report.Things(13), Value: ptr(9.0 / 13), Status: report.StatusOnTrack},
				},
				Activities: 1234, PersonTimes: report.People(25000), UniquePersons: report.People(1500),
			},
			{
				Unit: odd,
				Indicators: []report.UnitValue{
					{Indicator: "hs", Numerator: hidden(2), Denominator: report.People(900), Value: ptr(0.002), Status: report.StatusOffTrack},
					{Indicator: "xa", Numerator: report.Things(1), Denominator: report.Things(11), Value: ptr(1.0 / 11), Status: report.StatusAtRisk},
				},
				Activities: 3, PersonTimes: hidden(4), UniquePersons: hidden(2),
			},
		},
		Groups: []report.GroupRow{
			{Group: "students", Label: "Học sinh, sinh viên", Activities: 80, PersonTimes: report.People(15000), UniquePersons: report.People(9878), Estimated: new(0.0)},
			{Group: "general_public", Label: "Người dân", Activities: 900, PersonTimes: report.People(250000), UniquePersons: nil, Estimated: new(0.9)},
		},
		Trend: []report.TrendPoint{
			{Month: "2024-01", Activities: 300, Indicators: []report.TrendValue{{Indicator: "hs", Value: ptr(0.2), Expected: 0.0583}, {Indicator: "xa", Value: ptr(0.3), Expected: 0.0583}, {Indicator: "dv", Expected: 0.0417}}},
			{Month: "2024-02", Activities: 350, Indicators: []report.TrendValue{{Indicator: "hs", Value: ptr(0.5), Expected: 0.1167}, {Indicator: "xa", Value: ptr(0.4), Expected: 0.1167}, {Indicator: "dv", Expected: 0.0833}}},
			{Month: "2024-03", Activities: 330, Indicators: []report.TrendValue{{Indicator: "hs", Value: ptr(0.725), Expected: 0.175}, {Indicator: "xa", Value: ptr(120.0 / 241), Expected: 0.175}, {Indicator: "dv", Expected: 0.125}}},
		},
		Lagging: []report.Lagging{
			{Unit: report.UnitRef{Code: "20434", Name: "Xã Tam Thanh"}, Indicator: "xa", Reason: "Chưa có hoạt động nào"},
		},
		Provenance: []string{"Sở GD&ĐT 2024", "Danh mục đơn vị hành chính"},
		Data: []report.DataRow{
			{Indicator: "hs", Unit: report.UnitRef{Code: "49", Name: "Tỉnh Quảng Nam"}, Group: "students", Numerator: report.People(9878), Denominator: report.People(13625), Value: ptr(0.725), Provenance: "Sở GD&ĐT 2024"},
			{Indicator: "hs", Unit: odd, Group: "students", Month: "2024-03", Numerator: hidden(2), Denominator: report.People(900), Value: ptr(0.002), Provenance: "Sở GD&ĐT, \"mẫu\" 2024"},
			{Indicator: "activities", Unit: tamKy, Month: "2024-01", Numerator: report.Things(410)},
		},
	}
}

// wantData are the rows of the long format of the fixture, as text.
var wantData = [][]string{
	dataHeader,
	{"hs", "49", "Tỉnh Quảng Nam", "students", "", "9878", "13625", "0.725", "Sở GD&ĐT 2024"},
	{"hs", "503", "Huyện <b>Thử</b> & Co", "students", "2024-03", "<5", "900", "0.002", "Sở GD&ĐT, \"mẫu\" 2024"},
	{"activities", "502", "Thành phố Tam Kỳ", "", "2024-01", "410", "", "", ""},
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"percentText", percentText(0.725), "72,5%"},
		{"percentText rounds", percentText(120.0 / 241), "49,8%"},
		{"percentPtrText nil", percentPtrText(nil), ""},
		{"thresholdText whole", thresholdText(0.7), "70%"},
		{"thresholdText decimal", thresholdText(0.625), "62,5%"},
		{"targetText gt", targetText(report.Result{Comparator: "gt", Target: 0.7}), "> 70%"},
		{"targetText gte", targetText(report.Result{Comparator: "gte", Target: 0.5}), "≥ 50%"},
		{"dateText", dateText("2024-06-14"), "14/06/2024"},
		{"monthText", monthText("2024-03"), "03/2024"},
		{"countText hidden", countText(hidden(3)), "<5"},
		{"countText thousands", countText(report.People(1234567)), "1.234.567"},
		{"countText nil", countText(nil), ""},
		{"periodText adds dates", periodText(report.Window{Label: "Năm 2024", From: "2024-01-01", To: "2024-12-31"}), "Năm 2024 (từ ngày 01/01/2024 đến ngày 31/12/2024)"},
		{"periodText keeps a dated label", periodText(report.Window{Label: "6 tháng đầu năm 2024 (15/12/2023 – 14/6/2024)", From: "2023-12-15", To: "2024-06-14"}), "6 tháng đầu năm 2024 (15/12/2023 – 14/6/2024)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func openXLSX(t *testing.T, r report.Report) *excelize.File {
	t.Helper()
	b, err := XLSX(r)
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// cellIs checks a cell's raw value and that it is stored as a number or as text.
func cellIs(t *testing.T, f *excelize.File, sheet, cell, want string, number bool) {
	t.Helper()
	got, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("GetCellValue(%s!%s): %v", sheet, cell, err)
	}
	if number {
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil || g != w {
			t.Errorf("%s!%s = %q, want the number %s", sheet, cell, got, want)
		}
		typ, _ := f.GetCellType(sheet, cell)
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s!%s has type %v, want a number", sheet, cell, typ)
		}
		return
	}
	if got != want {
		t.Errorf("%s!%s = %q, want %q", sheet, cell, got, want)
	}
}

func numberFormat(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return strconv.Itoa(st.NumFmt)
}

func mergedRanges(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	cells, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range cells {
		m[c.GetStartAxis()+":"+c.GetEndAxis()] = c.GetCellValue()
	}
	return m
}

func TestXLSX(t *testing.T) {
	r := fixture()
	f := openXLSX(t, r)

	if got, want := f.GetSheetList(), []string{"Báo cáo", "Theo huyện", "Dữ liệu"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}

	t.Run("report sheet", func(t *testing.T) {
		const s = "Báo cáo"
		cellIs(t, f, s, "A1", "UBND TỈNH QUẢNG NAM", false)
		cellIs(t, f, s, "A2", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", false)
		cellIs(t, f, s, "F1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", false)
		cellIs(t, f, s, "F2", "Độc lập - Tự do - Hạnh phúc", false)
		cellIs(t, f, s, "A5", "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", false)
		cellIs(t, f, s, "A6", r.Campaign.Title, false)
		cellIs(t, f, s, "A7", "Căn cứ: "+r.Campaign.LegalBasis, false)
		cellIs(t, f, s, "A8", "Kỳ báo cáo: Năm 2024 (từ ngày 01/01/2024 đến ngày 31/12/2024)", false)
		cellIs(t, f, s, "A10", "Số liệu tính đến ngày 31/03/2024 (số liệu ghi nhận đến hết ngày 31/03/2024); thời gian đã qua: 25,0% kỳ báo cáo.", false)

		// Indicator 1 (row 14): the numbers, the fraction formatted 0.0%.
		cellIs(t, f, s, "A14", "1", true)
		cellIs(t, f, s, "B14", r.Indicators[0].Title, false)
		cellIs(t, f, s, "C14", "9878", true)
		cellIs(t, f, s, "D14", "13625", true)
		cellIs(t, f, s, "E14", "người", false)
		cellIs(t, f, s, "F14", "0.725", true)
		cellIs(t, f, s, "G14", "> 70%", false)
		cellIs(t, f, s, "H14", "0.175", true)
		cellIs(t, f, s, "I14", "0.88", true)
		cellIs(t, f, s, "J14", "Đạt", false)
		cellIs(t, f, s, "K14", "Sở GD&ĐT 2024", false)
		for _, c := range []string{"F14", "H14", "I14"} {
			if got := numberFormat(t, f, s, c); got != "0.0%" {
				t.Errorf("number format of %s = %q, want 0.0%%", c, got)
			}
		}
		if got, _ := f.GetCellValue(s, "F14"); got != "72.5%" {
			t.Errorf("F14 displays %q, want 72.5%%", got)
		}

		// Indicator 3 (row 16): not measurable, hidden numerator.
		cellIs(t, f, s, "C16", "<5", false)
		cellIs(t, f, s, "D16", "", false)
		cellIs(t, f, s, "F16", "", false)
		cellIs(t, f, s, "G16", "≥ 50%", false)
		cellIs(t, f, s, "J16", "Không đo được", false)
		note, _ := f.GetCellValue(s, "L16")
		if !strings.Contains(note, "không đo được độ bao phủ") || !strings.Contains(note, "Số lượt người: 40") {
			t.Errorf("L16 = %q, want the note and the person-times", note)
		}
		pace, _ := f.GetCellValue(s, "L15")
		if !strings.Contains(pace, "Cần tăng thêm khoảng 7 xã/tháng") {
			t.Errorf("L15 = %q, want the pace needed", pace)
		}

		// Suppression note, where the hidden data sheet is, then the signature block.
		cellIs(t, f, s, "A18", suppressionNote+".", false)
		cellIs(t, f, s, "A19", dataNote, false)
		cellIs(t, f, s, "A21", "Nơi nhận:", false)
		cellIs(t, f, s, "A22", "- Như trên;", false)
		cellIs(t, f, s, "A23", "- Lưu: VT.", false)
		cellIs(t, f, s, "F21", "NGƯỜI LẬP BIỂU", false)
		cellIs(t, f, s, "J21", "THỦ TRƯỞNG CƠ QUAN", false)
		cellIs(t, f, s, "J22", "(Ký, ghi rõ họ tên)", false)

		// The demo's agency, in capitals, wraps to two lines in A–C (LibreOffice
		// breaks it after "TỈNH"): its row is two lines high, the fixture's one.
		long := fixture()
		long.Campaign.Secretariat = "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam"
		for _, c := range []struct {
			f     *excelize.File
			lines float64
		}{{f, 1}, {openXLSX(t, long), 2}} {
			if h, err := c.f.GetRowHeight(s, 2); err != nil || h != c.lines*pointsPerLine {
				t.Errorf("row 2 (the agency) is %v pt high, want %v line(s): %v", h, c.lines, err)
			}
		}

		merged := mergedRanges(t, f, s)
		for rng, want := range map[string]string{
			"A12:A13": "STT", "B12:B13": "Chỉ tiêu", "C12:E12": "Kết quả", "F12:F13": "Tỷ lệ (%)",
			"L12:L13": "Ghi chú", "A5:L5": reportTitle, "F1:L1": republic,
		} {
			if got, ok := merged[rng]; !ok || got != want {
				t.Errorf("merged %s = %q (present %v), want %q", rng, got, ok, want)
			}
		}
		cellIs(t, f, s, "C13", "Tử số", false)
		cellIs(t, f, s, "D13", "Mẫu số", false)
		cellIs(t, f, s, "E13", "Đơn vị tính", false)

		layout, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		if layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
			t.Errorf("page layout = %+v, want A4 (9) landscape, one page wide", layout)
		}
	})

	t.Run("district sheet", func(t *testing.T) {
		const s = "Theo huyện"
		merged := mergedRanges(t, f, s)
		if got := merged["C4:F4"]; got != "1. "+r.Indicators[0].Title {
			t.Errorf("merged C4:F4 = %q, want the first indicator's number and title", got)
		}
		if got := merged["G4:J4"]; got != "2. "+r.Indicators[1].Title {
			t.Errorf("merged G4:J4 = %q, want the second indicator's number and title", got)
		}
		if _, ok := merged["K4:K5"]; !ok {
			t.Errorf("no merged K4:K5 (Số hoạt động) in %v", merged)
		}
		cellIs(t, f, s, "C5", "Tử số", false)
		cellIs(t, f, s, "F5", "Đánh giá", false)
		cellIs(t, f, s, "K4", "Số hoạt động", false)
		cellIs(t, f, s, "M4", "Số người", false)
		cellIs(t, f, s, "A6", "Thành phố Tam Kỳ", false)
		cellIs(t, f, s, "B6", "502", false)
		cellIs(t, f, s, "C6", "1500", true)
		cellIs(t, f, s, "E6", "0.75", true)
		cellIs(t, f, s, "F6", "Đạt", false)
		cellIs(t, f, s, "K6", "1234", true)
		cellIs(t, f, s, "A7", "Huyện <b>Thử</b> & Co", false)
		cellIs(t, f, s, "C7", "<5", false)
		cellIs(t, f, s, "J7", "Có nguy cơ không đạt", false)
		cellIs(t, f, s, "L7", "<5", false)
		if got := numberFormat(t, f, s, "E6"); got != "0.0%" {
			t.Errorf("number format of E6 = %q, want 0.0%%", got)
		}
	})

	t.Run("data sheet", func(t *testing.T) {
		if visible, err := f.GetSheetVisible("Dữ liệu"); err != nil || visible {
			t.Errorf("the data sheet is visible (%v), want it hidden so that printing the workbook leaves it out", err)
		}
		rows, err := f.GetRows("Dữ liệu", excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(wantData) {
			t.Fatalf("data sheet has %d rows, want %d", len(rows), len(wantData))
		}
		heading := make([]string, len(dataHeading))
		for i, h := range dataHeading {
			heading[i] = h.(string)
		}
		for i, want := range append([][]string{heading}, wantData[1:]...) {
			got := append(rows[i], make([]string, len(want)-len(rows[i]))...) // GetRows drops trailing empties
			if !reflect.DeepEqual(got, want) {
				t.Errorf("data row %d = %q, want %q", i+1, got, want)
			}
		}
		cellIs(t, f, "Dữ liệu", "F2", "9878", true)
		cellIs(t, f, "Dữ liệu", "H2", "0.725", true)
		cellIs(t, f, "Dữ liệu", "F3", "<5", false)
		// The rows are streamed: the sheet keeps its filter, frozen header, widths,
		// print titles and page, and the header its bold.
		names := map[string]string{}
		for _, d := range f.GetDefinedName() {
			if d.Scope == "Dữ liệu" {
				names[d.Name] = d.RefersTo
			}
		}
		if want := fmt.Sprintf("'Dữ liệu'!$A$1:$I$%d", len(wantData)); names["_xlnm._FilterDatabase"] != want {
			t.Errorf("the data sheet's filter covers %q, want %q", names["_xlnm._FilterDatabase"], want)
		}
		if names["_xlnm.Print_Titles"] != "'Dữ liệu'!$1:$1" {
			t.Errorf("the data sheet's print titles = %q, want its first row", names["_xlnm.Print_Titles"])
		}
		if p, err := f.GetPanes("Dữ liệu"); err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("the data sheet's panes = %+v, %v; want the header row frozen", p, err)
		}
		if w, err := f.GetColWidth("Dữ liệu", "C"); err != nil || w != 24 {
			t.Errorf("width of column C = %v, %v; want 24", w, err)
		}
		if l, err := f.GetPageLayout("Dữ liệu"); err != nil || l.Orientation == nil || *l.Orientation != "landscape" {
			t.Errorf("the data sheet's page = %+v, %v; want landscape", l, err)
		}
		style, err := f.GetCellStyle("Dữ liệu", "A1")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("the data sheet's header is not bold: %+v, %v", st, err)
		}
	})
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := CSV(&buf, fixture()); err != nil {
		t.Fatalf("CSV: %v", err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %q", out[:min(10, len(out))])
	}
	if !strings.Contains(out, "\r\n") {
		t.Errorf("CSV records do not end with CRLF")
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	if !reflect.DeepEqual(got, wantData) {
		t.Errorf("CSV rows = %q, want %q", got, wantData)
	}
}

// elements collects the elements of a parsed page by tag name.
func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func TestHTML(t *testing.T) {
	r := fixture()
	out, err := HTML(r, testForm, report.Draft{Tasks: "Tăng cường tuyên truyền ở xã.", Proposals: "Đề nghị bổ sung kinh phí."},
		time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("HTML: %v", err)
	}
	page := string(out)
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}

	if got := len(elements(doc, "svg")); got != 2 {
		t.Errorf("%d <svg> elements, want 2", got)
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Errorf("page has a script")
	}
	for _, tag := range []string{"link", "img", "iframe"} {
		if n := elements(doc, tag); len(n) > 0 {
			t.Errorf("page loads a resource with <%s>", tag)
		}
	}
	if strings.Contains(page, "<b>Thử</b>") || len(elements(doc, "b")) != 1 { // the one <b> is "Nơi nhận:"
		t.Errorf("markup from a unit name reached the page unescaped")
	}
	if !strings.Contains(page, "Huyện &lt;b&gt;Thử&lt;/b&gt; &amp; Co") {
		t.Errorf("the unit name is not in the page, escaped")
	}

	// The inline style is allowed by StyleSource alone: no style or event attributes.
	start, end := strings.Index(page, "<style>"), strings.Index(page, "</style>")
	if start < 0 || end < start {
		t.Fatal("no style element")
	}
	sum := sha256.Sum256([]byte(page[start+len("<style>") : end]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; StyleSource != want {
		t.Errorf("StyleSource = %s, want the page style's hash %s", StyleSource, want)
	}
	for _, rule := range []string{"@media print", "size: A4 portrait; margin: 20mm 15mm 20mm 30mm", "@page annex { size: A4 landscape", "page: annex"} {
		if !strings.Contains(page[start:end], rule) {
			t.Errorf("the style lacks the print rule %q (the form in A4 portrait with the decree's margins, the annex in landscape)", rule)
		}
	}
	for d := range doc.Descendants() {
		for _, a := range d.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has a %s attribute, which the page's CSP would drop", d.Data, a.Key)
			}
		}
	}

	// The official form, in the order of the DOCX, then the annex.
	text := textOf(doc)
	last := -1
	for _, want := range []string{
		"UBND TỈNH QUẢNG NAM", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Số:       /BC-SLĐTBXH",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quảng Nam, ngày 02 tháng 4 năm 2024",
		"BÁO CÁO", "Kết quả thực hiện " + r.Campaign.Title, "Kính gửi: UBND tỉnh Quảng Nam.",
		Sections[0], "Tính đến ngày 31/03/2024", "72,5%", Sections[1], "……", Sections[2], "Tăng cường tuyên truyền ở xã.",
		Sections[3], "Đề nghị bổ sung kinh phí.", "Nơi nhận:", "- Như trên;", "- Công an tỉnh;", "- Lưu: VT, SLĐTBXH.",
		"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "(Ký, ghi rõ họ tên, đóng dấu)", "Nguyễn Văn A",
		"PHỤ LỤC", "(Kèm theo Báo cáo Số:       /BC-SLĐTBXH)", "Căn cứ: " + r.Campaign.LegalBasis,
		"Số liệu tính đến ngày 31/03/2024", "Tỷ lệ đạt theo huyện", "Diễn biến theo tháng",
		"Học sinh, sinh viên", "Danh mục đơn vị hành chính",
	} {
		i := strings.Index(text[last+1:], want)
		if i < 0 {
			t.Errorf("page text lacks %q after the previous part", want)
			continue
		}
		last += 1 + i
	}
	for _, want := range []string{"Xã Tam Thanh", "> 70%", "≥ 50%", "<5", suppressionNote, "Chưa có hoạt động nào", "90,0%", "Thực hiện (lũy kế)", "Chậm tiến độ"} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if title := elements(doc, "title"); len(title) == 0 || !strings.Contains(textOf(title[0]), r.Campaign.Title) {
		t.Errorf("<title> does not name the campaign")
	}

	// The annex's indicator table: the hidden count and the percentages in their columns.
	tables := elements(doc, "table")
	if len(tables) < 2 {
		t.Fatal("no summary table and indicator table")
	}
	if c := textOf(elements(tables[0], "tbody")[0]); !strings.Contains(c, "9.878/13.625") || !strings.Contains(c, "Đạt") {
		t.Errorf("the form's summary table = %q", c)
	}
	rows := elements(elements(tables[1], "tbody")[0], "tr")
	if len(rows) != 3 {
		t.Fatalf("indicator table has %d rows, want 3", len(rows))
	}
	cells := func(tr *html.Node) []string {
		var s []string
		for _, td := range elements(tr, "td") {
			s = append(s, strings.TrimSpace(textOf(td)))
		}
		return s
	}
	if c := cells(rows[0]); c[2] != "9.878" || c[3] != "13.625" || c[5] != "72,5%" || c[6] != "> 70%" || c[7] != "17,5%" || c[8] != "88,0%" || c[9] != "Đạt" {
		t.Errorf("indicator 1 cells = %q", c)
	}
	if c := cells(rows[2]); c[2] != "<5" || c[5] != "" || c[9] != "Không đo được" {
		t.Errorf("indicator 3 cells = %q", c)
	}

	svgs := elements(doc, "svg")
	if len(svgs) == 2 {
		// Bar chart: two eligible indicators × two districts; the target line is labelled.
		if got := len(elements(svgs[0], "rect")); got != 4 {
			t.Errorf("bar chart has %d bars, want 4", got)
		}
		barText := textOf(svgs[0])
		for _, want := range []string{"Huyện <b>Thử</b> & Co", "Chỉ tiêu > 70%", "75,0%"} {
			if !strings.Contains(barText, want) {
				t.Errorf("bar chart lacks %q", want)
			}
		}
		// Trend chart: a value line and a target line for the two indicators with values.
		if got := len(elements(svgs[1], "polyline")); got != 4 {
			t.Errorf("trend chart has %d polylines, want 4", got)
		}
		trendText := textOf(svgs[1])
		for _, want := range []string{"01/2024", "03/2024", "0%", "80%"} {
			if !strings.Contains(trendText, want) {
				t.Errorf("trend chart lacks %q", want)
			}
		}
		if strings.Contains(trendText, r.Indicators[2].Title) {
			t.Errorf("trend chart draws the indicator without values")
		}
	}
}

// TestChartRows checks that charts are cut into rows of panels, one SVG each, so a
// long chart breaks between rows when printed.
func TestChartRows(t *testing.T) {
	tests := []struct {
		name                  string
		copies                int // copies of the fixture's first indicator added
		wantBarRows, wantLine int
	}{
		{"fixture", 0, 1, 1},
		{"five bar charts", 3, 3, 2},
		{"six line charts", 4, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixture()
			for i := range tt.copies {
				res := r.Indicators[0]
				res.Indicator = fmt.Sprintf("copy%d", i)
				r.Indicators = append(r.Indicators, res)
				for j := range r.Districts {
					v := unitValue(r.Districts[j], "hs")
					v.Indicator = res.Indicator
					r.Districts[j].Indicators = append(r.Districts[j].Indicators, v)
				}
				for j := range r.Trend {
					v, _ := trendValue(r.Trend[j], "hs")
					v.Indicator = res.Indicator
					r.Trend[j].Indicators = append(r.Trend[j].Indicators, v)
				}
			}
			bars, lines := barRows(r), lineRows(r)
			if len(bars) != tt.wantBarRows || len(lines) != tt.wantLine {
				t.Errorf("%d bar rows and %d line rows, want %d and %d", len(bars), len(lines), tt.wantBarRows, tt.wantLine)
			}
			out, err := HTML(r, testForm, report.Draft{}, time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(elements(doc, "svg")), tt.wantBarRows+tt.wantLine; got != want {
				t.Errorf("%d <svg> elements, want %d", got, want)
			}
			for _, row := range bars {
				if len(row.Panels) > 2 || row.Height <= 0 {
					t.Errorf("bar row of %d panels, height %v", len(row.Panels), row.Height)
				}
			}
		})
	}
}

// TestSample writes the fixture's renderings for a person to look at:
// go test ./campaigns/report/export -run TestSample -sample /tmp
func TestSample(t *testing.T) {
	if *sample == "" {
		t.Skip("no -sample directory")
	}
	page, err := HTML(fixture(), testForm, report.Draft{}, time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	book, err := XLSX(fixture())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"report-sample.html": page, "report-sample.xlsx": book} {
		if err := os.WriteFile(filepath.Join(*sample, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCSVNeverCarriesAFormula: a text starting like a formula (here a denominator's
// source) is written inert, so a spreadsheet opening the file shows it as text.
func TestCSVNeverCarriesAFormula(t *testing.T) {
	r := report.Report{Data: []report.DataRow{{Indicator: "x", Unit: report.UnitRef{Code: "49", Name: "-Quảng Nam"},
		Numerator: report.People(7), Provenance: `=HYPERLINK("http://example.invalid","số liệu")`}}}
	var buf bytes.Buffer
	if err := CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1]; got[2] != "'-Quảng Nam" || got[5] != "7" || got[8] != `'=HYPERLINK("http://example.invalid","số liệu")` {
		t.Errorf("row %q", got)
	}
}

// demoSized is the fixture grown to the demo's size: ten indicators, each with a
// value in each of 18 districts, and 2,000 rows of data.
func demoSized() report.Report {
	r := fixture()
	base := r.Indicators[0]
	r.Indicators = nil
	var units []report.UnitRef
	for d := range 18 {
		units = append(units, report.UnitRef{Code: fmt.Sprint(502 + d), Name: fmt.Sprintf("Huyện Nam Trà My %d", d+1), Level: "district"})
	}
	r.Districts = nil
	for _, u := range units {
		r.Districts = append(r.Districts, report.Breakdown{Unit: u, Activities: 120, PersonTimes: report.People(5000), UniquePersons: report.People(900)})
	}
	for i := range 10 {
		res := base
		res.Indicator = fmt.Sprintf("ct%d", i+1)
		res.Title = fmt.Sprintf("Trên 70%% đối tượng nhóm %d được tuyên truyền, phổ biến thông tin phòng, chống mại dâm", i+1)
		res.Status, res.StatusLabel = report.StatusAtRisk, "Có nguy cơ không đạt"
		r.Indicators = append(r.Indicators, res)
		for d := range r.Districts {
			r.Districts[d].Indicators = append(r.Districts[d].Indicators, report.UnitValue{Indicator: res.Indicator,
				Numerator: report.People(700), Denominator: report.People(1000), Value: ptr(0.7), Status: report.StatusAtRisk})
		}
	}
	row := r.Data[0]
	r.Data = nil
	for range 2000 {
		r.Data = append(r.Data, row)
	}
	return r
}

// TestXLSXPrints: the workbook of a demo-sized report prints on fewer than 12
// pages of A4 landscape, and no sheet shrinks its text below 9 pt: the district
// table is cut between indicators into sheets narrow enough, each indicator on
// exactly one, in order, the totals on the first. (The real demo's workbook,
// converted by LibreOffice 7.4: 6 pages; before the cut, 27 at about 5 pt.)
func TestXLSXPrints(t *testing.T) {
	r := demoSized()
	f := openXLSX(t, r)
	sheets := f.GetSheetList()
	if want := []string{"Báo cáo", "Theo huyện (1)", "Theo huyện (2)", "Theo huyện (3)", "Theo huyện (4)", "Theo huyện (5)", "Dữ liệu"}; !reflect.DeepEqual(sheets, want) {
		t.Fatalf("sheets = %q, want %q", sheets, want)
	}
	pages := 0.0
	var seen []string
	for _, s := range sheets {
		if visible, _ := f.GetSheetVisible(s); !visible {
			continue
		}
		cols, err := f.GetCols(s)
		if err != nil {
			t.Fatal(err)
		}
		width := 0.0
		for i := range cols {
			name, _ := excelize.ColumnNumberToName(i + 1)
			w, _ := f.GetColWidth(s, name)
			width += w
		}
		scale := min(1, printWidth/width)
		if 11*scale < 9 {
			t.Errorf("sheet %s is %v units wide: its 11 pt text prints at %.1f pt", s, width, 11*scale)
		}
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		height := 0.0
		for i := range rows {
			h, _ := f.GetRowHeight(s, i+1)
			height += h
		}
		// A4 landscape between the margins and the header and footer: 595 − 2×0.4 in − 2×0.3 in.
		pages += math.Ceil(height * scale / (595 - 72*1.4))
		t.Logf("%s: %v units wide, %v pt high, scale %.2f", s, width, height, scale)
		if strings.HasPrefix(s, "Theo huyện") {
			merged := mergedRanges(t, f, s)
			for c := 3; ; c += 4 {
				from, _ := excelize.CoordinatesToCellName(c, 4)
				to, _ := excelize.CoordinatesToCellName(c+3, 4)
				title, ok := merged[from+":"+to]
				if !ok {
					break
				}
				seen = append(seen, title)
			}
			hasTotals := slices.Contains(rows[3], "Số hoạt động")
			if hasTotals != (s == "Theo huyện (1)") {
				t.Errorf("sheet %s has the totals: %v", s, hasTotals)
			}
		}
	}
	var want []string
	for i, res := range r.Indicators {
		want = append(want, fmt.Sprintf("%d. %s", i+1, res.Title))
	}
	if !slices.Equal(seen, want) {
		t.Errorf("the district sheets' indicators = %q, want each once in order", seen)
	}
	if pages >= 12 {
		t.Errorf("the workbook prints on about %v pages, want fewer than 12", pages)
	}
	t.Logf("about %v printed pages", pages)
}

// BenchmarkXLSX renders the workbook of a demo-sized report whose data sheet has
// the 4,756 rows of the report of a year of 1,000,000 records (BENCHMARKS.md §9.4).
func BenchmarkXLSX(b *testing.B) {
	r := demoSized()
	for len(r.Data) < 4756 {
		r.Data = append(r.Data, r.Data[len(r.Data)%2000])
	}
	for b.Loop() {
		if _, err := XLSX(r); err != nil {
			b.Fatal(err)
		}
	}
}
