package export

// The report in the official form of a báo cáo (Decree 30/2020/NĐ-CP, Appendix
// I–III) as a DOCX: WordprocessingML written with archive/zip and encoding/xml,
// since no maintained Go DOCX library resolves from the module proxy here.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"time"

	"loa/campaigns/report"
)

// Page of the form: A4, margins top and bottom 20 mm, left 30 mm, right 15 mm
// (in twentieths of a point); text in Times New Roman 14 pt, tables 11 pt.
const (
	pageWidth    = 11906
	pageHeight   = 16838
	marginTop    = 1134
	marginBottom = 1134
	marginLeft   = 1701
	marginRight  = 851
	bodySize     = 28 // half-points
	tableSize    = 22
	headSize     = 26
	republicSize = 24 // the national title on one line beside the agency block
)

// DOCX renders the report in the official form with the narrative of draft d,
// dated on day (in the zone of the report) at the form's place.
func DOCX(r report.Report, f Form, d report.Draft, day time.Time) ([]byte, error) {
	o := officialOf(r, f, d, day)
	var w wml
	w.header(o)
	for i, line := range o.Title {
		before := 0
		if i == 0 {
			before = 240
		}
		w.para(pOpts{center: true, bold: true, size: bodySize, before: before}, line)
	}
	w.para(pOpts{center: true, size: bodySize}, "──────────")
	if o.Addressees != "" {
		w.para(pOpts{center: true, size: bodySize, after: 120}, o.Addressees)
	}
	if o.Intro != "" {
		w.para(pOpts{indent: true, size: bodySize}, o.Intro)
	}
	for _, sec := range o.Sections {
		w.para(pOpts{bold: true, size: bodySize, before: 120}, sec.Heading)
		for _, p := range sec.Paragraphs {
			w.para(pOpts{indent: true, size: bodySize}, p)
		}
		if sec.Figures {
			w.results(o)
		}
	}
	w.footer(o)
	return w.pack()
}

// wml writes the body of word/document.xml.
type wml struct{ b bytes.Buffer }

// pOpts are the few paragraph properties the form needs.
type pOpts struct {
	center, left, bold, italic, indent bool
	size, before, after                int
}

// para writes a paragraph of one run.
func (w *wml) para(o pOpts, text string) {
	w.b.WriteString("<w:p><w:pPr>")
	switch {
	case o.center:
		w.b.WriteString(`<w:jc w:val="center"/>`)
	case o.left:
		w.b.WriteString(`<w:jc w:val="left"/>`)
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
	size := o.size
	if size == 0 {
		size = bodySize
	}
	fmt.Fprintf(&w.b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr><w:t xml:space="preserve">`, size, size)
	xml.EscapeText(&w.b, []byte(text))
	w.b.WriteString("</w:t></w:r>")
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
func (w *wml) header(o official) {
	left, right := 3969, pageWidth-marginLeft-marginRight-3969
	w.layoutTable([]int{left, right})
	w.b.WriteString("<w:tr>")
	w.cellOpen(left, false)
	w.para(pOpts{center: true, size: headSize}, o.GoverningBody)
	w.para(pOpts{center: true, bold: true, size: headSize}, o.Agency)
	w.para(pOpts{center: true, size: headSize}, "───────")
	w.para(pOpts{center: true, size: headSize, before: 120}, o.Number)
	w.b.WriteString("</w:tc>")
	w.cellOpen(right, false)
	w.para(pOpts{center: true, bold: true, size: republicSize}, o.Republic)
	w.para(pOpts{center: true, bold: true, size: bodySize}, o.Motto)
	w.para(pOpts{center: true, size: headSize}, "───────────────")
	w.para(pOpts{center: true, italic: true, size: bodySize, before: 120}, o.PlaceDate)
	w.b.WriteString("</w:tc></w:tr></w:tbl>")
}

// results writes what Loa fills in section I: the figures in a sentence each and
// the table of indicators.
func (w *wml) results(o official) {
	w.para(pOpts{indent: true, size: bodySize}, o.Through)
	for _, line := range o.Results {
		w.para(pOpts{indent: true, size: bodySize}, line)
	}
	// Twips, 9,354 in all (the text's width): at 11 pt "100,0%" on one line, the verdict on two.
	widths := []int{700, 2600, 1600, 950, 950, 1000, 1554}
	w.layoutTable(widths)
	for i, row := range append([][]string{o.TableHead}, o.Table...) {
		w.b.WriteString("<w:tr>")
		for j, c := range row {
			w.cellOpen(widths[j], true)
			w.para(pOpts{center: i == 0 || j != 1, left: i > 0 && j == 1, bold: i == 0, size: tableSize}, c)
			w.b.WriteString("</w:tc>")
		}
		w.b.WriteString("</w:tr>")
	}
	w.b.WriteString("</w:tbl>")
	if o.Suppressed != "" {
		w.para(pOpts{italic: true, size: tableSize}, o.Suppressed)
	}
}

// footer writes "Nơi nhận" beside the signature block (Decree 30, Appendix I:
// items 7–9).
func (w *wml) footer(o official) {
	left, right := 4536, pageWidth-marginLeft-marginRight-4536
	w.b.WriteString(`<w:p/>`)
	w.layoutTable([]int{left, right})
	w.b.WriteString("<w:tr>")
	w.cellOpen(left, false)
	w.para(pOpts{bold: true, italic: true, size: tableSize}, "Nơi nhận:")
	for _, r := range o.Recipients {
		w.para(pOpts{size: 22}, r)
	}
	w.b.WriteString("</w:tc>")
	w.cellOpen(right, false)
	for _, a := range o.Authority {
		w.para(pOpts{center: true, bold: true, size: bodySize}, a)
	}
	w.para(pOpts{center: true, italic: true, size: bodySize, after: 1200}, o.SignHint)
	w.para(pOpts{center: true, bold: true, size: bodySize}, o.Signer)
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
