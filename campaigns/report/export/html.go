package export

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
	"time"

	"loa"
	"loa/campaigns/report"
)

//go:embed report.html.tmpl
var pageSource string

//go:embed report.css
var pageStyle string

// pageCSS is the page's whole inline style: the stylesheet and the status colours.
var pageCSS = template.CSS(pageStyle + statusCSS())

// StyleSource is the Content-Security-Policy source that allows the page's inline
// style and nothing else (its SHA-256): serve HTML with it in style-src, or the
// print styles are dropped. The page has no style attributes and no script.
var StyleSource = func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// pageTemplate is parsed once; a broken template fails every test of the package.
var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":         percentAny,
	"count":       countText,
	"num":         loa.Number,
	"date":        dateText,
	"status":      statusLabel,
	"statusClass": statusClass,
}).Parse(pageSource))

// page is what the template prints: the report in the official form, then its
// annex of detailed figures.
type page struct {
	R          report.Report
	O          official
	CSS        template.CSS
	Title      string
	Period     string
	AsOf       string
	Indicators []indicatorRow
	Bars       []chartRow[barPanel]
	Trend      []chartRow[linePanel]
	Legend     []legendEntry
	Columns    []breakdownColumn
	Districts  []districtRow
	Lagging    []laggingRow
	Generated  string

	SuppressionNote, ResultHeader string
	ResultColumns                 []string
}

// legendEntry is a status in the bar chart's legend.
type legendEntry struct {
	Class, Label string
}

type indicatorRow struct {
	No       int
	Result   report.Result
	Target   string
	Forecast *float64
	Note     string
}

type breakdownColumn struct {
	No    int // the indicator's STT in the indicator table
	Title string
}

type districtRow struct {
	Unit          report.UnitRef
	Cells         []report.UnitValue
	Activities    int64
	PersonTimes   *report.Count
	UniquePersons *report.Count
}

type laggingRow struct {
	Unit      string
	Indicator string
	Reason    string
	Value     *float64
}

// HTML renders the report as a printable page in the layout of the DOCX: the
// official form (A4 portrait) with the narrative of draft d, dated on day, then an
// annex (A4 landscape) with the indicator table, a bar chart by district and a
// monthly trend chart as inline SVG, the tables by district and by group, the
// lagging units and the sources. It has no script and loads nothing; every text
// from the report is escaped.
func HTML(r report.Report, f Form, d report.Draft, day time.Time) ([]byte, error) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, newPage(r, officialOf(r, f, d, day))); err != nil {
		return nil, fmt.Errorf("render html: %w", err)
	}
	return buf.Bytes(), nil
}

func newPage(r report.Report, o official) page {
	p := page{
		R:               r,
		O:               o,
		CSS:             pageCSS,
		Title:           "Báo cáo kết quả thực hiện " + r.Campaign.Title,
		Period:          periodText(r.Window),
		AsOf:            asOfText(r),
		Bars:            barRows(r),
		Trend:           lineRows(r),
		SuppressionNote: suppressionNote,
		ResultHeader:    resultHeader,
		ResultColumns:   resultColumns,
	}
	if !r.GeneratedAt.IsZero() {
		p.Generated = r.GeneratedAt.Format("15:04 02/01/2006 (UTC-07:00)")
	}
	for _, st := range legendStatuses {
		p.Legend = append(p.Legend, legendEntry{Class: statusClass(st), Label: statusLabel(st)})
	}
	number := map[string]int{}
	for i, res := range r.Indicators {
		number[res.Indicator] = i + 1
		p.Indicators = append(p.Indicators, indicatorRow{
			No: i + 1, Result: res, Target: targetText(res), Forecast: forecastValue(res), Note: noteText(res),
		})
	}
	cols := breakdownColumns(r)
	for _, c := range cols {
		p.Columns = append(p.Columns, breakdownColumn{No: number[c.Indicator], Title: c.Title})
	}
	for _, d := range r.Districts {
		row := districtRow{Unit: d.Unit, Activities: d.Activities, PersonTimes: d.PersonTimes, UniquePersons: d.UniquePersons}
		for _, c := range cols {
			row.Cells = append(row.Cells, unitValue(d, c.Indicator))
		}
		p.Districts = append(p.Districts, row)
	}
	titles := indicatorTitles(r)
	for _, l := range r.Lagging {
		t := titles[l.Indicator]
		if t == "" {
			t = l.Indicator
		}
		p.Lagging = append(p.Lagging, laggingRow{Unit: l.Unit.Name, Indicator: t, Reason: l.Reason, Value: l.Value})
	}
	return p
}

// percentAny is percentText for the template, of a value or a missing value.
func percentAny(v any) string {
	switch v := v.(type) {
	case float64:
		return percentText(v)
	case *float64:
		return percentPtrText(v)
	}
	return ""
}

// statusClass is the CSS class that colours a status.
func statusClass(s string) string {
	if _, ok := statusColors[s]; ok {
		return "st-" + strings.ReplaceAll(s, "_", "-")
	}
	return ""
}

// statusCSS colours the statuses in tables and legends with the colours of the
// chart's bars, so the two never disagree.
func statusCSS() string {
	var b strings.Builder
	for _, st := range legendStatuses {
		c := statusClass(st)
		fmt.Fprintf(&b, ".%s { color: %s; } .sw.%s { border-color: %s; }\n", c, statusColors[st], c, statusColors[st])
	}
	return b.String()
}
