package export

import (
	"math"
	"strconv"
	"strings"

	"loa/campaigns"
	"loa/campaigns/report"
)

// The charts are laid out here, in SVG user units, and drawn by the page template,
// which escapes every text taken from the report.

// coord is a length in SVG user units, printed with one decimal.
type coord float64

func (c coord) String() string { return strconv.FormatFloat(float64(c), 'f', 1, 64) }

const (
	chartWidth  coord = 1000
	panelGap    coord = 24
	titleLineH  coord = 14
	barH        coord = 10
	barStep     coord = 14
	barLabelW   coord = 150
	barValueW   coord = 48
	lineMarginL coord = 40
	lineMarginR coord = 12
	linePlotH   coord = 120
)

// statusColors colour a unit's bar by its status.
var statusColors = map[string]string{
	report.StatusMet:           "#2e7d32",
	report.StatusOnTrack:       "#1565c0",
	report.StatusAtRisk:        "#ef8f00",
	report.StatusOffTrack:      "#c62828",
	report.StatusCannotMeet:    "#6a1b9a",
	report.StatusNotMeasurable: "#9e9e9e",
}

func statusColor(s string) string {
	if c, ok := statusColors[s]; ok {
		return c
	}
	return statusColors[report.StatusNotMeasurable]
}

// textLine is a line of a wrapped title.
type textLine struct {
	Y    coord
	Text string
}

func titleLines(title string, width coord, charW coord) []textLine {
	var lines []textLine
	for i, l := range wrapWords(title, int(width/charW)) {
		lines = append(lines, textLine{Y: titleLineH * coord(i+1), Text: l})
	}
	return lines
}

// tick is a gridline with its label.
type tick struct {
	Pos   coord
	Label string
}

// bar is one unit's bar in a panel.
type bar struct {
	Y      coord
	TextY  coord // baseline of the texts beside the bar
	Width  coord
	Height coord
	Color  string
	Label  string // the unit's name
	Value  string // "72,5%", or "—" when not measurable
	Title  string // the tooltip
	ValueX coord
}

// barPanel is one indicator of the bar chart.
type barPanel struct {
	X, Y        coord // the panel's place in its row
	Title       []textLine
	PlotX       coord // left of the bars
	LabelX      coord // right end of the unit names
	PlotY       coord // top of the bars
	PlotW       coord
	PlotH       coord
	Bottom      coord // bottom of the bars
	TickLabelY  coord
	Bars        []bar
	Ticks       []tick
	TargetX     coord
	TargetLabel string
}

// chartRow is one printed row of a chart: panels side by side in one SVG, so a long
// chart breaks between rows across pages.
type chartRow[P any] struct {
	Width, Height coord
	Panels        []P
}

// barRows lay out "Tỷ lệ đạt theo huyện": per coverage or org-unit-activity
// indicator with values in the units, one bar per child unit, with the target as a
// vertical line; none when no such indicator has a value.
func barRows(r report.Report) []chartRow[barPanel] {
	const columns = 2
	panelW := (chartWidth - panelGap*(columns-1)) / columns
	var panels []barPanel
	for _, res := range r.Indicators {
		if res.Rule != campaigns.RuleCoverage && res.Rule != campaigns.RuleOrgUnitActivity {
			continue
		}
		if p, ok := newBarPanel(r, res, panelW); ok {
			panels = append(panels, p)
		}
	}
	return inRows(panels, columns, panelW, func(p *barPanel) (*coord, *coord, coord, coord) {
		return &p.X, &p.Y, p.PlotY, p.TickLabelY + 4
	})
}

// inRows puts panels side by side, columns to a row, moving each down so the plots
// of a row line up under titles of different lengths; a row is as tall as its
// tallest panel.
func inRows[P any](panels []P, columns int, panelW coord, at func(*P) (x, y *coord, plotY, h coord)) []chartRow[P] {
	var rows []chartRow[P]
	for start := 0; start < len(panels); start += columns {
		row := chartRow[P]{Width: chartWidth, Panels: panels[start:min(start+columns, len(panels))]}
		top := coord(0)
		for i := range row.Panels {
			_, _, plotY, _ := at(&row.Panels[i])
			top = max(top, plotY)
		}
		for i := range row.Panels {
			x, y, plotY, h := at(&row.Panels[i])
			*x, *y = coord(i)*(panelW+panelGap), top-plotY
			row.Height = max(row.Height, *y+h)
		}
		rows = append(rows, row)
	}
	return rows
}

func newBarPanel(r report.Report, res report.Result, width coord) (barPanel, bool) {
	p := barPanel{Title: titleLines(res.Title, width, 6.6)}
	p.PlotX = barLabelW
	p.LabelX = barLabelW - 4
	p.PlotY = titleLineH*coord(len(p.Title)) + 16
	p.PlotW = width - barLabelW - barValueW
	scale := math.Max(1, res.Target)
	found := false
	for _, d := range r.Districts {
		if v := unitValue(d, res.Indicator).Value; v != nil {
			found = true
			scale = math.Max(scale, *v)
		}
	}
	if !found {
		return barPanel{}, false
	}
	scale = math.Ceil(scale*5-1e-9) / 5 // a multiple of 20 %
	x := func(v float64) coord { return p.PlotX + p.PlotW*coord(v/scale) }
	for i, d := range r.Districts {
		v := unitValue(d, res.Indicator)
		b := bar{
			Y:      p.PlotY + coord(i)*barStep,
			TextY:  p.PlotY + coord(i)*barStep + barH - 1,
			Height: barH,
			Color:  statusColor(v.Status),
			Label:  d.Unit.Name,
			Value:  "—",
		}
		b.Title = d.Unit.Name + ": " + statusLabel(v.Status)
		if v.Value != nil {
			b.Width = x(*v.Value) - p.PlotX
			b.Value = percentText(*v.Value)
			b.Title = d.Unit.Name + ": " + b.Value + " – " + statusLabel(v.Status)
		}
		b.ValueX = p.PlotX + b.Width + 3
		p.Bars = append(p.Bars, b)
	}
	p.PlotH = barStep * coord(len(r.Districts))
	p.Bottom = p.PlotY + p.PlotH
	p.TickLabelY = p.Bottom + 12
	for t := 0.0; t <= scale+1e-9; t += 0.2 {
		p.Ticks = append(p.Ticks, tick{Pos: x(t), Label: thresholdText(t)})
	}
	p.TargetX = x(res.Target)
	p.TargetLabel = "Chỉ tiêu " + targetText(res)
	return p, true
}

// legendStatuses are the statuses the bar chart's legend explains, in order.
var legendStatuses = []string{
	report.StatusMet, report.StatusOnTrack, report.StatusAtRisk,
	report.StatusOffTrack, report.StatusCannotMeet, report.StatusNotMeasurable,
}

// linePanel is one indicator of the trend chart.
type linePanel struct {
	X, Y      coord // the panel's place in its row
	Title     []textLine
	PlotX     coord
	PlotY     coord
	PlotW     coord
	PlotH     coord
	Right     coord // right end of the plot
	Bottom    coord // the month axis
	TickEnd   coord // lower end of the month ticks
	LabelX    coord // right end of the percent labels
	YTicks    []tick
	Months    []tick // x positions of the months; Label empty where skipped
	Actual    []string
	Expected  string
	Points    []linePoint
	LabelBase coord // baseline of the month labels
}

// linePoint is a month's cumulative value, with its tooltip.
type linePoint struct {
	X, Y  coord
	Title string
}

// lineRows lay out "Diễn biến theo tháng": per indicator with values in the trend,
// the monthly cumulative value against the straight line to the target.
func lineRows(r report.Report) []chartRow[linePanel] {
	const columns = 3
	panelW := (chartWidth - panelGap*(columns-1)) / columns
	var panels []linePanel
	for _, res := range r.Indicators {
		if p, ok := newLinePanel(r, res, panelW); ok {
			panels = append(panels, p)
		}
	}
	return inRows(panels, columns, panelW, func(p *linePanel) (*coord, *coord, coord, coord) {
		return &p.X, &p.Y, p.PlotY, p.LabelBase + 6
	})
}

func trendValue(p report.TrendPoint, indicator string) (report.TrendValue, bool) {
	for _, v := range p.Indicators {
		if v.Indicator == indicator {
			return v, true
		}
	}
	return report.TrendValue{}, false
}

func newLinePanel(r report.Report, res report.Result, width coord) (linePanel, bool) {
	top := 0.0
	has := false
	for _, m := range r.Trend {
		v, ok := trendValue(m, res.Indicator)
		if !ok {
			continue
		}
		top = math.Max(top, v.Expected)
		if v.Value != nil {
			has = true
			top = math.Max(top, *v.Value)
		}
	}
	if !has {
		return linePanel{}, false
	}
	step := 0.2
	if top <= 0.5 {
		step = 0.1
	}
	top = math.Max(step, math.Ceil(top/step-1e-9)*step)

	p := linePanel{Title: titleLines(res.Title, width, 6.2)}
	p.PlotX = lineMarginL
	p.LabelX = lineMarginL - 4
	p.PlotY = titleLineH*coord(len(p.Title)) + 10
	p.PlotW = width - lineMarginL - lineMarginR
	p.PlotH = linePlotH
	p.Right = p.PlotX + p.PlotW
	p.Bottom = p.PlotY + p.PlotH
	p.TickEnd = p.Bottom + 3
	p.LabelBase = p.Bottom + 14
	y := func(v float64) coord { return p.PlotY + p.PlotH - p.PlotH*coord(v/top) }
	for t := 0.0; t <= top+1e-9; t += step {
		p.YTicks = append(p.YTicks, tick{Pos: y(t), Label: thresholdText(t)})
	}

	n := len(r.Trend)
	x := func(i int) coord {
		if n == 1 {
			return p.PlotX + p.PlotW/2
		}
		return p.PlotX + p.PlotW*coord(i)/coord(n-1)
	}
	every := int(math.Ceil(float64(n) * 44 / float64(p.PlotW))) // a label needs about 44 units
	var expected, segment []string
	for i, m := range r.Trend {
		label := ""
		if i%every == 0 {
			label = monthText(m.Month)
		}
		p.Months = append(p.Months, tick{Pos: x(i), Label: label})
		v, ok := trendValue(m, res.Indicator)
		if !ok {
			continue
		}
		expected = append(expected, point(x(i), y(v.Expected)))
		if v.Value == nil {
			if len(segment) > 0 {
				p.Actual = append(p.Actual, strings.Join(segment, " "))
				segment = nil
			}
			continue
		}
		segment = append(segment, point(x(i), y(*v.Value)))
		p.Points = append(p.Points, linePoint{
			X: x(i), Y: y(*v.Value),
			Title: monthText(m.Month) + ": " + percentText(*v.Value) + " (kế hoạch " + percentText(v.Expected) + ")",
		})
	}
	if len(segment) > 0 {
		p.Actual = append(p.Actual, strings.Join(segment, " "))
	}
	p.Expected = strings.Join(expected, " ")
	return p, true
}

func point(x, y coord) string { return x.String() + "," + y.String() }
