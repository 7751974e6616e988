package export

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"loa/campaigns/report"
)

// Sheet names of the workbook.
const (
	sheetReport    = "Báo cáo"
	sheetDistricts = "Theo huyện"
	sheetData      = "Dữ liệu"
)

// Layout of the report sheet: the header block fills rows 1–10, the indicator
// table's two-row header is rows 12–13 and its first indicator row is 14. The
// district sheet's header is rows 4–5, its first unit row 6.
const (
	reportHeaderRow    = 12
	reportFirstDataRow = 14
	reportLastColumn   = 12 // L
	signatureGapRows   = 2
	districtsHeaderRow = 4
	districtsFirstRow  = 6
)

// Formats and measures.
const (
	percentFormat     = "0.0%"
	countFormat       = 3 // #,##0
	documentFont      = "Times New Roman"
	excelA4           = 9
	pointsPerLine     = 16.5 // points per line of 12 pt text
	tableLine         = 14.5 // points per line of 11 pt text in a table
	charsPerWidthUnit = 1.05 // characters of 11 pt text per unit of column width
	capitalsWidth     = 0.72 // the share of those characters that fit in capitals
	// printWidth is the width of A4 landscape between the sheets' margins, in
	// column units at 100 % (784 pt; LibreOffice's rendering of the demo agrees).
	// A sheet at most minScale × printWidth wide prints its 11 pt text at 9 pt or
	// more when fitted to the page's width.
	printWidth = 174.0
	minScale   = 9.0 / 11
)

// reportColumns are the columns of the indicator table with their widths; columns
// 3–5 (Tử số, Mẫu số, Đơn vị tính) stand under the merged "Kết quả".
var reportColumns = []struct {
	title string
	width float64
}{
	{"STT", 5},
	{"Chỉ tiêu", 38},
	{resultColumns[0], 11},
	{resultColumns[1], 11},
	{resultColumns[2], 9},
	{"Tỷ lệ (%)", 9},
	{"Chỉ tiêu kế hoạch", 11},
	{"Tiến độ cần đạt đến nay (%)", 12},
	{"Dự báo cuối kỳ (%)", 11},
	{"Đánh giá", 14},
	{"Nguồn mẫu số", 20},
	{"Ghi chú", 32},
}

// XLSX renders the report as a workbook of three sheets: "Báo cáo" (the formatted
// administrative report with the indicator table, ready to print on A4 landscape),
// "Theo huyện" (each indicator in each child unit of the scope) and "Dữ liệu" (the
// long format, as the CSV). Percentages are stored as fractions formatted 0.0%,
// counts as numbers, hidden counts as the text "<5".
func XLSX(r report.Report) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f}
	b.err = f.SetDefaultFont(documentFont)
	b.newStyles()
	if b.err == nil {
		b.err = f.SetSheetName("Sheet1", sheetReport)
	}
	b.reportSheet(r)
	parts := districtParts(breakdownColumns(r))
	for i, cols := range parts {
		name := districtSheetName(i, len(parts))
		if b.err == nil {
			_, b.err = f.NewSheet(name)
		}
		b.districtSheet(r, name, cols, i == 0)
	}
	if b.err == nil {
		_, b.err = f.NewSheet(sheetData)
	}
	if b.err == nil {
		f.SetActiveSheet(0) // before the data sheet is streamed: it reads every sheet
		b.err = f.SetDocProps(&excelize.DocProperties{
			Title:    reportTitle + " " + r.Campaign.Title,
			Creator:  "Loa",
			Language: "vi-VN",
		})
	}
	b.dataSheet(r)
	if b.err != nil {
		return nil, fmt.Errorf("render xlsx: %w", b.err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("render xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// book writes cells and keeps the first error, so the layout code reads as a layout.
type book struct {
	f   *excelize.File
	err error
	st  styles
}

type styles struct {
	agency, agencyBold, republic, motto, place      int
	title, subtitle, line, italicLine, note         int
	head, text, center, count, percent              int
	signTitle, signHint, recipientsHead, recipients int
	dataHead                                        int
	districtTitle                                   int
}

func (b *book) style(s *excelize.Style) int {
	if b.err != nil {
		return 0
	}
	id, err := b.f.NewStyle(s)
	b.err = err
	return id
}

func (b *book) newStyles() {
	font := func(size float64, bold, italic bool) *excelize.Font {
		return &excelize.Font{Family: documentFont, Size: size, Bold: bold, Italic: italic}
	}
	align := func(h string, wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Horizontal: h, Vertical: "center", WrapText: wrap}
	}
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	pct := percentFormat
	b.st = styles{
		agency:         b.style(&excelize.Style{Font: font(12, false, false), Alignment: align("center", true)}),
		agencyBold:     b.style(&excelize.Style{Font: font(12, true, false), Alignment: align("center", true)}),
		republic:       b.style(&excelize.Style{Font: font(12, true, false), Alignment: align("center", false)}),
		motto:          b.style(&excelize.Style{Font: &excelize.Font{Family: documentFont, Size: 13, Bold: true, Underline: "single"}, Alignment: align("center", false)}),
		place:          b.style(&excelize.Style{Font: font(12, false, true), Alignment: align("right", false)}),
		title:          b.style(&excelize.Style{Font: font(14, true, false), Alignment: align("center", true)}),
		subtitle:       b.style(&excelize.Style{Font: font(13, true, false), Alignment: align("center", true)}),
		line:           b.style(&excelize.Style{Font: font(12, false, false), Alignment: align("left", true)}),
		italicLine:     b.style(&excelize.Style{Font: font(12, false, true), Alignment: align("left", true)}),
		note:           b.style(&excelize.Style{Font: font(11, false, true), Alignment: align("left", true)}),
		head:           b.style(&excelize.Style{Font: font(11, true, false), Alignment: align("center", true), Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}}),
		text:           b.style(&excelize.Style{Font: font(11, false, false), Alignment: align("left", true), Border: border}),
		center:         b.style(&excelize.Style{Font: font(11, false, false), Alignment: align("center", true), Border: border}),
		count:          b.style(&excelize.Style{Font: font(11, false, false), Alignment: align("right", false), Border: border, NumFmt: countFormat}),
		percent:        b.style(&excelize.Style{Font: font(11, false, false), Alignment: align("right", false), Border: border, CustomNumFmt: &pct}),
		signTitle:      b.style(&excelize.Style{Font: font(12, true, false), Alignment: align("center", false)}),
		signHint:       b.style(&excelize.Style{Font: font(12, false, true), Alignment: align("center", false)}),
		recipientsHead: b.style(&excelize.Style{Font: font(11, true, true), Alignment: align("left", false)}),
		recipients:     b.style(&excelize.Style{Font: font(10, false, false), Alignment: align("left", false)}),
		dataHead:       b.style(&excelize.Style{Font: font(11, true, false)}),
		districtTitle:  b.style(&excelize.Style{Font: font(13, true, false), Alignment: align("left", false)}),
	}
}

// cell names a cell by column and row, both from 1.
func (b *book) cell(col, row int) string {
	if b.err != nil {
		return "A1"
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	b.err = err
	return name
}

// set writes v (nil leaves the cell empty) with a style (0: none).
func (b *book) set(sheet string, col, row int, v any, style int) {
	c := b.cell(col, row)
	if b.err == nil && v != nil {
		b.err = b.f.SetCellValue(sheet, c, v)
	}
	if b.err == nil && style != 0 {
		b.err = b.f.SetCellStyle(sheet, c, c, style)
	}
}

// merge writes v over the columns col1–col2 of the rows row1–row2, styling the
// whole range so borders run round it.
func (b *book) merge(sheet string, col1, row1, col2, row2 int, v any, style int) {
	from, to := b.cell(col1, row1), b.cell(col2, row2)
	if b.err == nil && v != nil {
		b.err = b.f.SetCellValue(sheet, from, v)
	}
	if b.err == nil && (col1 != col2 || row1 != row2) {
		b.err = b.f.MergeCell(sheet, from, to)
	}
	if b.err == nil && style != 0 {
		b.err = b.f.SetCellStyle(sheet, from, to, style)
	}
}

func (b *book) height(sheet string, row int, points float64) {
	if b.err == nil {
		b.err = b.f.SetRowHeight(sheet, row, points)
	}
}

func (b *book) width(sheet string, col int, w float64) {
	name := ""
	if b.err == nil {
		name, b.err = excelize.ColumnNumberToName(col)
	}
	if b.err == nil {
		b.err = b.f.SetColWidth(sheet, name, name, w)
	}
}

// linesFor estimates how many lines text in a font size (points) wraps to in a
// width (column units); capitals take about a third more room than small letters.
// Rows get explicit heights from it: Excel sizes a row with wrapped text itself,
// but not a merged cell, and LibreOffice not even a plain one.
func linesFor(text string, width, size float64) float64 {
	per := width * charsPerWidthUnit * 11 / size
	if strings.ToUpper(text) == text {
		per *= capitalsWidth
	}
	return wrappedLines(text, per)
}

func wrappedLines(text string, perLine float64) float64 {
	per := int(math.Max(1, math.Floor(perLine)))
	lines := 0
	for _, part := range strings.Split(text, "\n") {
		lines += max(1, len(wrapWords(part, per)))
	}
	return float64(lines)
}

// rowHeight is the height of a table row of 11 pt text whose cells wrap in their
// columns: texts[i] is in a column widths[i] wide.
func rowHeight(texts []string, widths []float64) float64 {
	lines := 1.0
	for i, t := range texts {
		lines = math.Max(lines, linesFor(t, widths[i], 11))
	}
	return lines*tableLine + 3
}

// reportSheet lays out the administrative report.
func (b *book) reportSheet(r report.Report) {
	const s = sheetReport
	last := reportLastColumn
	total := 0.0
	for i, c := range reportColumns {
		b.width(s, i+1, c.width)
		total += c.width
	}

	// Agency block (columns A–C) and the national motto (F–L).
	agencyWidth := reportColumns[0].width + reportColumns[1].width + reportColumns[2].width
	owner := strings.ToUpper(r.Campaign.OwnerAgency)
	if r.Campaign.Secretariat != "" {
		b.merge(s, 1, 1, 3, 1, owner, b.st.agency)
		b.merge(s, 1, 2, 3, 2, strings.ToUpper(r.Campaign.Secretariat), b.st.agencyBold)
		b.height(s, 2, pointsPerLine*linesFor(strings.ToUpper(r.Campaign.Secretariat), agencyWidth, 12))
	} else {
		b.merge(s, 1, 1, 3, 1, owner, b.st.agencyBold)
	}
	b.height(s, 1, pointsPerLine*linesFor(owner, agencyWidth, 12))
	b.merge(s, 6, 1, last, 1, republic, b.st.republic)
	b.merge(s, 6, 2, last, 2, motto, b.st.motto)
	b.merge(s, 6, 3, last, 3, placeAndDate, b.st.place)

	// Title, legal basis, period, scope, as-of.
	b.merge(s, 1, 5, last, 5, reportTitle, b.st.title)
	b.height(s, 5, 21)
	b.merge(s, 1, 6, last, 6, r.Campaign.Title, b.st.subtitle)
	b.height(s, 6, 18*linesFor(r.Campaign.Title, total*0.9, 13))
	lines := []struct {
		text  string
		style int
	}{
		{"Căn cứ: " + r.Campaign.LegalBasis, b.st.italicLine},
		{"Kỳ báo cáo: " + periodText(r.Window), b.st.line},
		{"Phạm vi: " + r.Scope.Name, b.st.line},
		{asOfText(r), b.st.line},
	}
	for i, l := range lines {
		b.merge(s, 1, 7+i, last, 7+i, l.text, l.style)
		b.height(s, 7+i, pointsPerLine*linesFor(l.text, total, 12))
	}

	// The two-row header: "Kết quả" over Tử số, Mẫu số, Đơn vị tính.
	h := reportHeaderRow
	for i, c := range reportColumns {
		col := i + 1
		if col >= 3 && col <= 5 {
			b.set(s, col, h+1, c.title, b.st.head)
			continue
		}
		b.merge(s, col, h, col, h+1, c.title, b.st.head)
	}
	b.merge(s, 3, h, 5, h, resultHeader, b.st.head)
	b.height(s, h, 24)
	b.height(s, h+1, 36)

	row := reportFirstDataRow
	for i, res := range r.Indicators {
		b.set(s, 1, row, i+1, b.st.center)
		b.set(s, 2, row, res.Title, b.st.text)
		b.set(s, 3, row, countCell(res.Numerator), b.st.count)
		b.set(s, 4, row, countCell(res.Denominator), b.st.count)
		b.set(s, 5, row, res.CountUnit, b.st.center)
		b.set(s, 6, row, fractionCell(res.Value), b.st.percent)
		b.set(s, 7, row, targetText(res), b.st.center)
		b.set(s, 8, row, fractionCell(res.ExpectedToDate), b.st.percent)
		b.set(s, 9, row, fractionCell(forecastValue(res)), b.st.percent)
		b.set(s, 10, row, res.StatusLabel, b.st.center)
		b.set(s, 11, row, res.Provenance, b.st.text)
		note := noteText(res)
		b.set(s, 12, row, note, b.st.text)
		b.height(s, row, rowHeight(
			[]string{res.Title, res.CountUnit, res.StatusLabel, res.Provenance, note},
			[]float64{reportColumns[1].width, reportColumns[4].width, reportColumns[9].width, reportColumns[10].width, reportColumns[11].width},
		))
		row++
	}

	if r.SmallCellsSuppressed {
		row++
		b.merge(s, 1, row, last, row, suppressionNote+".", b.st.note)
	}
	row++
	b.merge(s, 1, row, last, row, dataNote, b.st.note)

	// Signature block.
	row += signatureGapRows
	b.merge(s, 1, row, 2, row, "Nơi nhận:", b.st.recipientsHead)
	b.merge(s, 1, row+1, 2, row+1, "- Như trên;", b.st.recipients)
	b.merge(s, 1, row+2, 2, row+2, "- Lưu: VT.", b.st.recipients)
	b.merge(s, 6, row, 8, row, "NGƯỜI LẬP BIỂU", b.st.signTitle)
	b.merge(s, 6, row+1, 8, row+1, signHint, b.st.signHint)
	b.merge(s, 10, row, last, row, "THỦ TRƯỞNG CƠ QUAN", b.st.signTitle)
	b.merge(s, 10, row+1, last, row+1, signHint, b.st.signHint)

	b.printSetup(s, fmt.Sprintf("$%d:$%d", reportHeaderRow, reportHeaderRow+1))
}

const (
	placeAndDate = "………, ngày …… tháng …… năm ……"
	signHint     = "(Ký, ghi rõ họ tên)"
)

// printSetup prints the sheet on A4 landscape, one page wide, repeating titleRows
// (e.g. "$12:$13") on every page.
func (b *book) printSetup(sheet, titleRows string) {
	a4, landscape, wide, tall := excelA4, "landscape", 1, 0
	fit := true
	margin, edge := 0.4, 0.3
	if b.err == nil {
		b.err = b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
			Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall,
		})
	}
	if b.err == nil {
		b.err = b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
	}
	if b.err == nil {
		b.err = b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
			Left: &margin, Right: &margin, Top: &margin, Bottom: &margin, Header: &edge, Footer: &edge,
		})
	}
	if b.err == nil && titleRows != "" {
		b.err = b.f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!" + titleRows, Scope: sheet,
		})
	}
}

// The district sheets' columns: the unit and its code, then per indicator its
// numerator, denominator, value and verdict, and on the first sheet the records'
// totals.
var (
	unitColumns      = []float64{19, 7}
	indicatorColumns = []float64{8, 8, 7, 20} // the verdict on one line: "Có nguy cơ không đạt"
	indicatorHeads   = []string{"Tử số", "Mẫu số", "Tỷ lệ", "Đánh giá"}
	totalColumns     = []string{"Số hoạt động", "Số lượt người", "Số người"}
	totalWidth       = 10.0
)

// districtParts splits the indicators of the district table into sheets narrow
// enough to print at 9 pt or more on A4 landscape: rather than shrink a wide
// table to fit, it is cut between indicators. The first sheet carries the
// records' totals.
func districtParts(cols []report.Result) [][]report.Result {
	fixed, per := sum(unitColumns), sum(indicatorColumns)
	limit := printWidth * minScale
	var parts [][]report.Result
	width := fixed + totalWidth*float64(len(totalColumns))
	var part []report.Result
	for _, c := range cols {
		if len(part) > 0 && width+per > limit {
			parts = append(parts, part)
			part, width = nil, fixed
		}
		part = append(part, c)
		width += per
	}
	return append(parts, part)
}

// sum adds column widths up.
func sum(widths []float64) float64 {
	total := 0.0
	for _, w := range widths {
		total += w
	}
	return total
}

// districtSheetName names the i-th of n district sheets.
func districtSheetName(i, n int) string {
	if n == 1 {
		return sheetDistricts
	}
	return fmt.Sprintf("%s (%d)", sheetDistricts, i+1)
}

// districtSheet writes one row per child unit: four columns per indicator of cols
// under a merged indicator title (numbered as in the report sheet), then, when
// totals is set, the records' totals.
func (b *book) districtSheet(r report.Report, s string, cols []report.Result, totals bool) {
	number := map[string]int{}
	for i, res := range r.Indicators {
		number[res.Indicator] = i + 1
	}
	widths := slices.Clone(unitColumns)
	for range cols {
		widths = append(widths, indicatorColumns...)
	}
	if totals {
		for range totalColumns {
			widths = append(widths, totalWidth)
		}
	}
	tableWidth := 0.0
	for i, w := range widths {
		b.width(s, i+1, w)
		tableWidth += w
	}
	lastCol := len(widths)

	title := "KẾT QUẢ THEO ĐƠN VỊ – " + r.Campaign.Title
	period := "Kỳ báo cáo: " + periodText(r.Window) + ". " + asOfText(r)
	b.merge(s, 1, 1, lastCol, 1, title, b.st.districtTitle)
	b.height(s, 1, 18*linesFor(title, tableWidth, 13))
	b.merge(s, 1, 2, lastCol, 2, period, b.st.italicLine)
	b.height(s, 2, pointsPerLine*linesFor(period, tableWidth, 12))

	h := districtsHeaderRow
	b.merge(s, 1, h, 1, h+1, "Đơn vị", b.st.head)
	b.merge(s, 2, h, 2, h+1, "Mã", b.st.head)
	perIndicator := sum(indicatorColumns)
	headLines := 1.0
	for i, res := range cols {
		c := 3 + 4*i
		head := fmt.Sprintf("%d. %s", number[res.Indicator], res.Title)
		b.merge(s, c, h, c+3, h, head, b.st.head)
		headLines = math.Max(headLines, linesFor(head, perIndicator, 11))
		for j, t := range indicatorHeads {
			b.set(s, c+j, h+1, t, b.st.head)
		}
	}
	if totals {
		for i, t := range totalColumns {
			c := 3 + 4*len(cols) + i
			b.merge(s, c, h, c, h+1, t, b.st.head)
			headLines = math.Max(headLines, linesFor(t, totalWidth, 11)/2) // over two rows
		}
	}
	b.height(s, h, tableLine*headLines+4)
	b.height(s, h+1, 18)

	row := districtsFirstRow
	for _, d := range r.Districts {
		texts, ws := []string{d.Unit.Name}, []float64{unitColumns[0]}
		b.set(s, 1, row, d.Unit.Name, b.st.text)
		b.set(s, 2, row, d.Unit.Code, b.st.center)
		for i, res := range cols {
			v := unitValue(d, res.Indicator)
			c := 3 + 4*i
			b.set(s, c, row, countCell(v.Numerator), b.st.count)
			b.set(s, c+1, row, countCell(v.Denominator), b.st.count)
			b.set(s, c+2, row, fractionCell(v.Value), b.st.percent)
			b.set(s, c+3, row, statusLabel(v.Status), b.st.center)
			texts, ws = append(texts, statusLabel(v.Status)), append(ws, indicatorColumns[3])
		}
		if totals {
			c := 3 + 4*len(cols)
			b.set(s, c, row, d.Activities, b.st.count)
			b.set(s, c+1, row, countCell(d.PersonTimes), b.st.count)
			b.set(s, c+2, row, countCell(d.UniquePersons), b.st.count)
		}
		b.height(s, row, rowHeight(texts, ws))
		row++
	}
	if r.SmallCellsSuppressed {
		b.merge(s, 1, row+1, lastCol, row+1, suppressionNote+".", b.st.note)
	}
	if b.err == nil {
		b.err = b.f.SetPanes(s, &excelize.Panes{
			Freeze: true, XSplit: 2, YSplit: districtsFirstRow - 1,
			TopLeftCell: b.cell(3, districtsFirstRow), ActivePane: "bottomRight",
		})
	}
	b.printSetup(s, fmt.Sprintf("$%d:$%d", districtsHeaderRow, districtsHeaderRow+1))
}

// dataHeading is the data sheet's header: the CSV's columns, named in Vietnamese.
var dataHeading = []any{"Mã chỉ tiêu", "Mã đơn vị", "Tên đơn vị", "Nhóm đối tượng", "Tháng", "Tử số", "Mẫu số", "Tỷ lệ", "Nguồn số liệu"}

// dataNote tells the reader of the report sheet where the detailed figures are.
const dataNote = "Số liệu chi tiết (mỗi dòng một số liệu, như bản CSV) ở trang tính «" + sheetData +
	"», để ẩn cho khỏi in kèm: bấm chuột phải vào tên một trang tính, chọn «Bỏ ẩn» (Unhide)."

// dataSheet writes the long format: the header in row 1, one row per number, with
// the same cells as the CSV. The sheet is hidden: it serves filters and pivot
// tables, and printed it would take some fifty pages. Its rows are streamed
// (excelize's StreamWriter: thousands of rows written as they come, not built in
// memory first), so the sheet's settings are made before them.
func (b *book) dataSheet(r report.Report) {
	const s = sheetData
	for i, w := range []float64{14, 11, 24, 16, 9, 13, 13, 12, 30} {
		b.width(s, i+1, w)
	}
	if b.err == nil {
		b.err = b.f.AutoFilter(s, fmt.Sprintf("A1:I%d", len(r.Data)+1), nil)
	}
	b.printSetup(s, "$1:$1")
	if b.err == nil {
		b.err = b.f.SetSheetVisible(s, false)
	}
	var w *excelize.StreamWriter
	if b.err == nil {
		w, b.err = b.f.NewStreamWriter(s)
	}
	if b.err == nil {
		b.err = w.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	header := make([]any, len(dataHeading))
	for i, h := range dataHeading {
		header[i] = excelize.Cell{StyleID: b.st.dataHead, Value: h}
	}
	if b.err == nil {
		b.err = w.SetRow("A1", header)
	}
	for i, d := range r.Data {
		if b.err != nil {
			break
		}
		b.err = w.SetRow(b.cell(1, i+2), dataRecord(d))
	}
	if b.err == nil {
		b.err = w.Flush()
	}
}
