package export

// The report in the official form of a báo cáo (Decree 30/2020/NĐ-CP, Appendix
// I–III) as a DOCX: WordprocessingML written with archive/zip and encoding/xml,
// since no maintained Go DOCX library resolves from the module proxy here.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"loa/campaigns/report"
)

// Form is what the official form says about who reports: the governing body and
// the issuing agency above the number, the place of the date line, the addressees
// ("Kính gửi"), the other recipients ("Nơi nhận") and who signs.
type Form struct {
	GoverningBody string // e.g. "UBND TỈNH QUẢNG NAM"
	Agency        string // the issuing agency, e.g. "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
	Abbreviation  string // of the agency, in "Số: …/BC-<abbr>"
	Place         string // of the date line, e.g. "Quảng Nam"
	Addressees    []string
	Recipients    []string
	// Authority are the lines above the signature, e.g. "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC".
	Authority []string
	Signer    string
}

// Draft holds the sections the secretariat writes; Loa adds the numbers and the
// table to the first.
type Draft struct {
	Results      string `json:"results"`      // I. Kết quả thực hiện
	Shortcomings string `json:"shortcomings"` // II. Tồn tại, hạn chế và nguyên nhân
	Tasks        string `json:"tasks"`        // III. Nhiệm vụ, giải pháp thời gian tới
	Proposals    string `json:"proposals"`    // IV. Đề xuất, kiến nghị
}

// Sections are the headings of the four sections, in order.
var Sections = []string{
	"I. KẾT QUẢ THỰC HIỆN",
	"II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
	"III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI",
	"IV. ĐỀ XUẤT, KIẾN NGHỊ",
}

// Page of the form: A4, margins top and bottom 20 mm, left 30 mm, right 15 mm
// (in twentieths of a point); text in Times New Roman 14 pt, tables 12 pt.
const (
	pageWidth    = 11906
	pageHeight   = 16838
	marginTop    = 1134
	marginBottom = 1134
	marginLeft   = 1701
	marginRight  = 851
	bodySize     = 28 // half-points
	tableSize    = 24
	headSize     = 26
)

// DOCX renders the report in the official form, dated on day (in the zone of the
// report) at the form's place.
func DOCX(r report.Report, f Form, d Draft, day time.Time) ([]byte, error) {
	var w wml
	w.header(r, f, day)
	w.para(pOpts{center: true, bold: true, size: bodySize, before: 240}, "BÁO CÁO")
	w.para(pOpts{center: true, bold: true, size: bodySize}, "Kết quả thực hiện "+r.Campaign.Title)
	w.para(pOpts{center: true, bold: true, size: bodySize}, r.Window.Label)
	w.para(pOpts{center: true, size: bodySize}, "──────────")
	if len(f.Addressees) > 0 {
		w.para(pOpts{center: true, size: bodySize, after: 120}, "Kính gửi: "+strings.Join(f.Addressees, "; ")+".")
	}
	if r.Campaign.LegalBasis != "" {
		w.para(pOpts{indent: true, size: bodySize}, "Thực hiện "+r.Campaign.LegalBasis+", "+
			f.Agency+" báo cáo kết quả thực hiện như sau:")
	}
	texts := []string{d.Results, d.Shortcomings, d.Tasks, d.Proposals}
	for i, heading := range Sections {
		w.para(pOpts{bold: true, size: bodySize, before: 120}, heading)
		if i == 0 {
			w.results(r)
		}
		w.text(texts[i])
	}
	w.footer(f)
	return w.pack()
}

// wml writes the body of word/document.xml.
type wml struct{ b bytes.Buffer }

// pOpts are the few paragraph properties the form needs.
type pOpts struct {
	center, right, bold, italic, underline, indent bool
	size, before, after                            int
}

// para writes a paragraph of one run.
func (w *wml) para(o pOpts, text string) {
	w.b.WriteString("<w:p><w:pPr>")
	switch {
	case o.center:
		w.b.WriteString(`<w:jc w:val="center"/>`)
	case o.right:
		w.b.WriteString(`<w:jc w:val="right"/>`)
	default:
		w.b.WriteString(`<w:jc w:val="both"/>`)
	}
	fmt.Fprintf(&w.b, `<w:spacing w:before="%d" w:after="%d"/>`, o.before, o.after)
	if o.indent {
		w.b.WriteString(`<w:ind w:firstLine="567"/>`)
	}
	w.b.WriteString("</w:pPr>")
	w.run(o, text)
	w.b.WriteString("</w:p>")
}

// run writes a run of text with the paragraph's character properties.
func (w *wml) run(o pOpts, text string) {
	w.b.WriteString(`<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>`)
	if o.bold {
		w.b.WriteString("<w:b/>")
	}
	if o.italic {
		w.b.WriteString("<w:i/>")
	}
	if o.underline {
		w.b.WriteString(`<w:u w:val="single"/>`)
	}
	size := o.size
	if size == 0 {
		size = bodySize
	}
	fmt.Fprintf(&w.b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr><w:t xml:space="preserve">`, size, size)
	xml.EscapeText(&w.b, []byte(text))
	w.b.WriteString("</w:t></w:r>")
}

// text writes the secretariat's text, a paragraph per line, or a dotted line to
// write on when there is none.
func (w *wml) text(s string) {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			w.para(pOpts{indent: true, size: bodySize}, l)
		}
	}
	if strings.TrimSpace(s) == "" {
		w.para(pOpts{indent: true, size: bodySize}, "……………………………………………………………………………")
	}
}

// cellOpen starts a table cell of width twips, with borders or without.
func (w *wml) cellOpen(width int, borders bool) {
	fmt.Fprintf(&w.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, width)
	if borders {
		w.b.WriteString(`<w:tcBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/></w:tcBorders>`)
	}
	w.b.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
}

// layoutTable opens a table of columns of the given widths.
func (w *wml) layoutTable(widths []int) {
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	for _, wd := range widths {
		fmt.Fprintf(&w.b, `<w:gridCol w:w="%d"/>`, wd)
	}
	w.b.WriteString("</w:tblGrid>")
}

// header writes the agency block beside the national motto, the number and the
// place and date (Decree 30, Appendix I: items 1–5), as a table without borders.
func (w *wml) header(r report.Report, f Form, day time.Time) {
	left, right := 3969, pageWidth-marginLeft-marginRight-3969
	w.layoutTable([]int{left, right})
	w.b.WriteString("<w:tr>")
	w.cellOpen(left, false)
	w.para(pOpts{center: true, size: headSize}, strings.ToUpper(f.GoverningBody))
	w.para(pOpts{center: true, bold: true, size: headSize}, strings.ToUpper(f.Agency))
	w.para(pOpts{center: true, size: headSize}, "───────")
	w.para(pOpts{center: true, size: headSize, before: 120}, "Số:       /BC-"+f.Abbreviation)
	w.b.WriteString("</w:tc>")
	w.cellOpen(right, false)
	w.para(pOpts{center: true, bold: true, size: headSize}, republic)
	w.para(pOpts{center: true, bold: true, size: bodySize}, motto)
	w.para(pOpts{center: true, size: headSize}, "───────────────")
	w.para(pOpts{center: true, italic: true, size: bodySize, before: 120}, placeDate(f.Place, day))
	w.b.WriteString("</w:tc></w:tr></w:tbl>")
}

// placeDate is the date line: "Quảng Nam, ngày 05 tháng 02 năm 2025", with a
// leading zero for days below 10 and for January and February (Decree 30).
func placeDate(place string, day time.Time) string {
	d := fmt.Sprintf("%d", day.Day())
	if day.Day() < 10 {
		d = "0" + d
	}
	m := fmt.Sprintf("%d", int(day.Month()))
	if day.Month() <= time.February {
		m = "0" + m
	}
	return fmt.Sprintf("%s, ngày %s tháng %s năm %d", place, d, m, day.Year())
}

// results writes what Loa fills in section I: the figures in a sentence each and
// the table of indicators.
func (w *wml) results(r report.Report) {
	through := "Tính đến ngày " + dateText(r.AsOf)
	if r.Cumulative != nil {
		through += " (lũy kế từ " + dateText(r.Cumulative.From) + " đến " + dateText(r.Cumulative.To) + ")"
	}
	w.para(pOpts{indent: true, size: bodySize}, through+", kết quả thực hiện các chỉ tiêu như sau (số liệu do Loa tổng hợp từ báo cáo của các đơn vị):")
	for _, res := range r.Indicators {
		line := "- " + res.Title + ": " + resultSentence(res) + "."
		w.para(pOpts{indent: true, size: bodySize}, line)
	}
	widths := []int{567, 3402, 1418, 992, 992, 1134, 850}
	heads := []string{"STT", "Chỉ tiêu", "Kết quả", "Tỷ lệ", "Chỉ tiêu KH", "Cần đạt đến nay", "Đánh giá"}
	w.layoutTable(widths)
	w.b.WriteString("<w:tr>")
	for i, h := range heads {
		w.cellOpen(widths[i], true)
		w.para(pOpts{center: true, bold: true, size: tableSize}, h)
		w.b.WriteString("</w:tc>")
	}
	w.b.WriteString("</w:tr>")
	for i, res := range r.Indicators {
		result := countText(res.Numerator)
		if res.Denominator != nil {
			result += "/" + countText(res.Denominator)
		}
		cells := []string{fmt.Sprint(i + 1), res.Title, strings.TrimSpace(result + " " + res.CountUnit), percentPtrText(res.Value),
			targetText(res), percentPtrText(res.ExpectedToDate), res.StatusLabel}
		w.b.WriteString("<w:tr>")
		for j, c := range cells {
			w.cellOpen(widths[j], true)
			w.para(pOpts{center: j != 1, size: tableSize}, c)
			w.b.WriteString("</w:tc>")
		}
		w.b.WriteString("</w:tr>")
	}
	w.b.WriteString("</w:tbl>")
	if r.SmallCellsSuppressed {
		w.para(pOpts{italic: true, size: tableSize}, suppressionNote+".")
	}
}

// resultSentence says an indicator's result in words.
func resultSentence(res report.Result) string {
	if res.Value == nil {
		return statusLabel(res.Status)
	}
	s := "đạt " + countText(res.Numerator) + "/" + countText(res.Denominator) + " " + res.CountUnit + " (" + percentText(*res.Value) + ")"
	if res.UpperBound {
		s += ", số người tối đa, có thể trùng lặp"
	}
	if res.Window != nil && res.Window.Numerator != nil {
		s += "; riêng trong kỳ " + countText(res.Window.Numerator) + " " + res.CountUnit
	}
	if res.ExpectedToDate != nil {
		s += "; cần đạt đến nay " + percentText(*res.ExpectedToDate)
	}
	return s + "; đánh giá: " + lowerFirst(res.StatusLabel)
}

// footer writes "Nơi nhận" beside the signature block (Decree 30, Appendix I:
// items 7–9). "Như trên" stands only where there are addressees.
func (w *wml) footer(f Form) {
	left, right := 4536, pageWidth-marginLeft-marginRight-4536
	w.b.WriteString(`<w:p/>`)
	w.layoutTable([]int{left, right})
	w.b.WriteString("<w:tr>")
	w.cellOpen(left, false)
	w.para(pOpts{bold: true, italic: true, size: tableSize}, "Nơi nhận:")
	if len(f.Addressees) > 0 {
		w.para(pOpts{size: 22}, "- Như trên;")
	}
	for _, r := range f.Recipients {
		w.para(pOpts{size: 22}, "- "+r+";")
	}
	w.para(pOpts{size: 22}, "- Lưu: VT, "+f.Abbreviation+".")
	w.b.WriteString("</w:tc>")
	w.cellOpen(right, false)
	for _, a := range f.Authority {
		w.para(pOpts{center: true, bold: true, size: bodySize}, strings.ToUpper(a))
	}
	w.para(pOpts{center: true, italic: true, size: bodySize, after: 1200}, "(Ký, ghi rõ họ tên, đóng dấu)")
	w.para(pOpts{center: true, bold: true, size: bodySize}, f.Signer)
	w.b.WriteString("</w:tc></w:tr></w:tbl>")
}

// pack zips the document with its content types, relationships and section
// properties (A4 and the form's margins).
func (w *wml) pack() ([]byte, error) {
	doc := xml.Header + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		w.b.String() +
		fmt.Sprintf(`<w:sectPr><w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>`,
			pageWidth, pageHeight, marginTop, marginRight, marginBottom, marginLeft) +
		`</w:body></w:document>`
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>`},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"word/styles.xml", xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>` +
			`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN"/>` +
			`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults></w:styles>`},
		{"word/document.xml", doc},
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, p := range parts {
		fw, err := z.Create(p.name)
		if err == nil {
			_, err = fw.Write([]byte(p.body))
		}
		if err != nil {
			return nil, fmt.Errorf("render docx: %w", err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("render docx: %w", err)
	}
	return buf.Bytes(), nil
}

// lowerFirst lowers a text's first letter: "Đạt" → "đạt".
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
