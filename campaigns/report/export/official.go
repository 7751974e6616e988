package export

// The report in the official form of a báo cáo (Decree 30/2020/NĐ-CP, Appendix
// I–III): what the DOCX and the printable HTML both lay out, from one model.

import (
	"fmt"
	"strings"
	"time"

	"loa/campaigns/report"
)

// Form is what the official form says about who reports: the governing body and
// the issuing agency above the number, the place of the date line, the addressees
// ("Kính gửi"), the other recipients ("Nơi nhận") and who signs.
type Form struct {
	GoverningBody string // e.g. "UBND tỉnh Quảng Nam"
	Agency        string // the issuing agency, e.g. "Sở Lao động - Thương binh và Xã hội"
	Abbreviation  string // of the agency, in "Số: …/BC-<abbr>"
	Place         string // of the date line, e.g. "Quảng Nam"
	Addressees    []string
	Recipients    []string
	// Authority are the lines above the signature, e.g. "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC".
	Authority []string
	Signer    string
}

// Sections are the headings of the four sections of the narrative, in order.
var Sections = []string{
	"I. KẾT QUẢ THỰC HIỆN",
	"II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
	"III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI",
	"IV. ĐỀ XUẤT, KIẾN NGHỊ",
}

// blankLine stands for a section nobody has written yet: a dotted line to write on.
const blankLine = "……………………………………………………………………………"

// official is the report laid out in the official form.
type official struct {
	GoverningBody, Agency, Number string // the agency block, upper case
	Republic, Motto, PlaceDate    string
	Title                         []string // BÁO CÁO, what it reports on, the period
	Addressees                    string   // "Kính gửi: …." or ""
	Intro                         string
	Sections                      []officialSection
	// Through and Results are Loa's figures in section I: the date line and a
	// sentence per indicator, above the table.
	Through    string
	Results    []string
	TableHead  []string
	Table      [][]string
	Suppressed string
	Recipients []string // the lines under "Nơi nhận:"
	Authority  []string
	SignHint   string
	Signer     string
}

// officialSection is one section of the narrative: its heading and the
// secretariat's paragraphs (a dotted line when empty).
type officialSection struct {
	Heading    string
	Paragraphs []string
	// Figures says that Loa's figures and table follow the paragraphs (section I,
	// where no dotted line stands for an empty text: the figures say enough).
	Figures bool
}

// officialOf lays out r in form f with the narrative of draft d, dated on day.
func officialOf(r report.Report, f Form, d report.Draft, day time.Time) official {
	o := official{
		GoverningBody: strings.ToUpper(f.GoverningBody),
		Agency:        strings.ToUpper(f.Agency),
		Number:        "Số:       /BC-" + f.Abbreviation,
		Republic:      republic,
		Motto:         motto,
		PlaceDate:     placeDate(f.Place, day),
		Title:         []string{"BÁO CÁO", "Kết quả thực hiện " + r.Campaign.Title, r.Window.Label},
		Through:       throughText(r),
		TableHead:     []string{"STT", "Chỉ tiêu", "Kết quả", "Tỷ lệ", "Chỉ tiêu KH", "Cần đạt đến nay", "Đánh giá"},
		Authority:     upperAll(f.Authority),
		SignHint:      "(Ký, ghi rõ họ tên, đóng dấu)",
		Signer:        f.Signer,
	}
	if len(f.Addressees) > 0 {
		o.Addressees = "Kính gửi: " + strings.Join(f.Addressees, "; ") + "."
		o.Recipients = append(o.Recipients, "- Như trên;")
	}
	for _, rc := range f.Recipients {
		o.Recipients = append(o.Recipients, "- "+rc+";")
	}
	o.Recipients = append(o.Recipients, "- Lưu: VT, "+f.Abbreviation+".")
	if r.Campaign.LegalBasis != "" {
		o.Intro = "Thực hiện " + r.Campaign.LegalBasis + ", " + f.Agency + " báo cáo kết quả thực hiện như sau:"
	}
	for i, text := range d.Sections() {
		sec := officialSection{Heading: Sections[i], Paragraphs: paragraphs(text), Figures: i == 0}
		if sec.Figures && strings.TrimSpace(text) == "" {
			sec.Paragraphs = nil
		}
		o.Sections = append(o.Sections, sec)
	}
	for i, res := range r.Indicators {
		o.Results = append(o.Results, "- "+res.Title+": "+resultSentence(res)+".")
		result := countText(res.Numerator)
		if res.Denominator != nil {
			result += "/" + countText(res.Denominator)
		}
		o.Table = append(o.Table, []string{fmt.Sprint(i + 1), res.Title, strings.TrimSpace(result + " " + res.CountUnit),
			percentPtrText(res.Value), targetText(res), percentPtrText(res.ExpectedToDate), res.StatusLabel})
	}
	if r.SmallCellsSuppressed {
		o.Suppressed = suppressionNote + "."
	}
	return o
}

// paragraphs splits the secretariat's text into its non-empty lines, or the
// dotted line to write on when there is none.
func paragraphs(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return []string{blankLine}
	}
	return out
}

// throughText opens Loa's figures: the as-of date and, for a periodic window, the
// cumulative span.
func throughText(r report.Report) string {
	through := "Tính đến ngày " + dateText(r.AsOf)
	if r.Cumulative != nil {
		through += " (lũy kế từ " + dateText(r.Cumulative.From) + " đến " + dateText(r.Cumulative.To) + ")"
	}
	return through + ", kết quả thực hiện các chỉ tiêu như sau (số liệu do Loa tổng hợp từ báo cáo của các đơn vị):"
}

func upperAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.ToUpper(l)
	}
	return out
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

// lowerFirst lowers a text's first letter: "Đạt" → "đạt".
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
