// Package export renders the secretariat's report (report.Report) as the files
// it hands on: an XLSX workbook for the periodic report, a CSV of the long format
// for machines, and a printable HTML page. Every function here is pure: the report
// is computed (and its small cells hidden) before it reaches this package.
package export

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"loa"
	"loa/campaigns"
	"loa/campaigns/report"
)

// Vietnamese texts every output prints.
const (
	reportTitle     = "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"
	republic        = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	motto           = "Độc lập - Tự do - Hạnh phúc"
	suppressionNote = "Các ô dưới 5 người được ẩn (<5) để bảo vệ đối tượng; các ô × được ẩn thêm để không suy ra được ô <5 từ tổng"
)

// Column titles of the indicator table, shared by the XLSX sheet and the HTML page:
// "Kết quả" stands over the three result columns.
var (
	resultColumns = []string{"Tử số", "Mẫu số", "Đơn vị tính"}
	resultHeader  = "Kết quả"
)

// dateText writes d as dd/mm/yyyy; a date that does not parse is written as is.
func dateText(d loa.Date) string {
	t, err := time.Parse("2006-01-02", string(d))
	if err != nil {
		return string(d)
	}
	return t.Format("02/01/2006")
}

// monthText writes a YYYY-MM month as MM/yyyy.
func monthText(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("01/2006")
}

// percentText writes a fraction as a Vietnamese percentage with one decimal:
// 0.7 → "70,0%".
func percentText(v float64) string {
	return decimalComma(strconv.FormatFloat(v*100, 'f', 1, 64)) + "%"
}

// percentPtrText is percentText of a value that may be missing (empty).
func percentPtrText(v *float64) string {
	if v == nil {
		return ""
	}
	return percentText(*v)
}

// thresholdText writes a target with only the decimals it has: 0.7 → "70%",
// 0.625 → "62,5%".
func thresholdText(v float64) string {
	p := math.Round(v*1000) / 10
	return decimalComma(strconv.FormatFloat(p, 'f', -1, 64)) + "%"
}

func decimalComma(s string) string { return strings.Replace(s, ".", ",", 1) }

// comparatorSymbol is the sign a report prints for a comparator.
func comparatorSymbol(c string) string {
	switch c {
	case campaigns.ComparatorGT:
		return ">"
	case campaigns.ComparatorGTE:
		return "≥"
	}
	return c
}

// targetText is the planned target of an indicator: "> 70%", "≥ 50%".
func targetText(r report.Result) string {
	return strings.TrimSpace(comparatorSymbol(r.Comparator) + " " + thresholdText(r.Target))
}

// countText writes a count with Vietnamese thousands separators (13.625), "<5" when
// hidden, empty when missing.
func countText(c *report.Count) string {
	if c == nil {
		return ""
	}
	if c.Hidden {
		return c.String()
	}
	return loa.Number(c.N)
}

// statusLabel names a status in Vietnamese.
func statusLabel(status string) string {
	if l, ok := report.StatusLabels[status]; ok {
		return l
	}
	return status
}

// periodText is the reporting period: its label, followed by its dates unless the
// label already gives them.
func periodText(w report.Window) string {
	from, to := dateText(w.From), dateText(w.To)
	if w.Label != "" && (strings.Contains(w.Label, from) || strings.Contains(w.Label, shortDate(w.From))) {
		return w.Label
	}
	dates := "từ ngày " + from + " đến ngày " + to
	if w.Label == "" {
		return dates
	}
	return w.Label + " (" + dates + ")"
}

// shortDate writes d as d/m/yyyy, the way window labels write it.
func shortDate(d loa.Date) string {
	t, err := time.Parse("2006-01-02", string(d))
	if err != nil {
		return string(d)
	}
	return t.Format("2/1/2006")
}

// asOfText is the sentence that dates the numbers.
func asOfText(r report.Report) string {
	s := "Số liệu tính đến ngày " + dateText(r.AsOf)
	if r.DataThrough != "" {
		s += " (số liệu ghi nhận đến hết ngày " + dateText(r.DataThrough) + ")"
	}
	return s + "; thời gian đã qua: " + percentText(r.Elapsed) + " kỳ báo cáo."
}

// forecastValue is the end-of-period forecast of an indicator, if any.
func forecastValue(r report.Result) *float64 {
	if r.Forecast == nil {
		return nil
	}
	return r.Forecast.Value
}

// noteText is the Ghi chú of an indicator: the engine's note, then what a reader
// needs to read the numbers (person-times, capping, the forecast's basis, the pace
// still needed).
func noteText(r report.Result) string {
	var parts []string
	if r.Note != "" {
		parts = append(parts, r.Note)
	}
	if r.PersonTimes != nil {
		parts = append(parts, "Số lượt người: "+countText(r.PersonTimes))
	}
	if r.OverHundred {
		s := "Có đơn vị vượt 100% mẫu số"
		if len(r.OverUnits) > 0 {
			names := make([]string, len(r.OverUnits))
			for i, u := range r.OverUnits {
				names[i] = u.Name
			}
			s += " (" + strings.Join(names, ", ") + ")"
		}
		if r.Uncapped != nil {
			s += ", tỷ lệ chưa giới hạn " + percentText(*r.Uncapped)
		}
		parts = append(parts, s)
	}
	if r.Forecast != nil && r.Forecast.Value != nil {
		switch r.Forecast.Basis {
		case "planned":
			parts = append(parts, "Dự báo theo hoạt động đã lên kế hoạch")
		case "run_rate":
			parts = append(parts, "Dự báo theo tốc độ hiện tại")
		}
	}
	if r.PaceNeeded != nil && *r.PaceNeeded > 0 {
		s := "Cần tăng thêm khoảng " + loa.Number(int64(math.Ceil(*r.PaceNeeded)))
		if r.CountUnit != "" {
			s += " " + r.CountUnit
		}
		parts = append(parts, s+"/tháng")
	}
	return strings.Join(parts, "; ")
}

// wrapWords splits s into lines of at most width runes, at spaces where it can.
func wrapWords(s string, width int) []string {
	width = max(width, 1)
	var lines []string
	var line strings.Builder
	for _, w := range strings.Fields(s) {
		for utf8.RuneCountInString(w) > width {
			if line.Len() > 0 {
				lines = append(lines, line.String())
				line.Reset()
			}
			r := []rune(w)
			lines = append(lines, string(r[:width]))
			w = string(r[width:])
		}
		if line.Len() > 0 && utf8.RuneCountInString(line.String())+1+utf8.RuneCountInString(w) > width {
			lines = append(lines, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// indicatorTitles maps indicator codes to their titles.
func indicatorTitles(r report.Report) map[string]string {
	m := make(map[string]string, len(r.Indicators))
	for _, res := range r.Indicators {
		m[res.Indicator] = res.Title
	}
	return m
}

// breakdownColumns are the indicators the by-unit table has columns for: those of
// the report that some unit has a value of, in the report's order, then any other
// code the units carry.
func breakdownColumns(r report.Report) []report.Result {
	seen := map[string]bool{}
	var extra []string
	for _, b := range r.Districts {
		for _, v := range b.Indicators {
			if !seen[v.Indicator] {
				seen[v.Indicator] = true
				extra = append(extra, v.Indicator)
			}
		}
	}
	var cols []report.Result
	known := map[string]bool{}
	for _, res := range r.Indicators {
		known[res.Indicator] = true
		if seen[res.Indicator] {
			cols = append(cols, res)
		}
	}
	for _, code := range extra {
		if !known[code] {
			cols = append(cols, report.Result{Indicator: code, Title: code})
		}
	}
	return cols
}

// unitValue is the value of an indicator in a unit (the zero value when missing).
func unitValue(b report.Breakdown, indicator string) report.UnitValue {
	for _, v := range b.Indicators {
		if v.Indicator == indicator {
			return v
		}
	}
	return report.UnitValue{Indicator: indicator}
}
