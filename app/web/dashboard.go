package web

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
	"loa/campaigns/report"
)

// The campaign dashboard: one card per indicator with a trend line, a table per
// child unit with drill-down, the lagging units, the denominators' provenance and
// the report downloads, for a period, an as-of date and a scope chosen by a GET
// form. The gap map and the suggestions read the same choosers.

// laggingPerPage is how many lagging units the dashboard lists at once.
const laggingPerPage = 20

// reportChoice is what the choosers of a campaign's report pages asked for.
type reportChoice struct {
	Code   string
	Query  report.ReportQuery
	Values url.Values
	// Periods and Scopes are the choosers' options; Up is the unit above the scope
	// (nil at the account's own scope).
	Periods, Scopes []option
	Up              *campaigns.OrgUnit
}

// Link is the address of page with the choices, and extra parameters set.
func (r reportChoice) Link(page string, extra ...string) string {
	v := url.Values{}
	for _, k := range []string{"period", "asOf", "scope", "map"} {
		if s := r.Values.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			v.Del(extra[i])
		} else {
			v.Set(extra[i], extra[i+1])
		}
	}
	if len(v) == 0 {
		return page
	}
	return page + "?" + v.Encode()
}

// Download is the address of the report in format, as the API serves it to the
// page's session.
func (r reportChoice) Download(format string) string {
	return r.Link("/api/v1/campaigns/"+url.PathEscape(r.Code)+"/report", "format", format)
}

// reportChoiceOf reads the choosers of a campaign's report page: period, as-of
// date (dd/mm/yyyy or a date picker's value), scope and the map of units.
// Errors are beside their fields, in Vietnamese.
func (p *Pages) reportChoiceOf(c *gin.Context, cp campaigns.Campaign) (reportChoice, map[string]string, error) {
	u := current(c).User
	q := c.Request.URL.Query()
	ch := reportChoice{Code: cp.Code, Values: url.Values{}, Query: report.ReportQuery{Scope: strings.TrimSpace(q.Get("scope")),
		Period: strings.TrimSpace(q.Get("period")), Suppress: !u.Can(access.ReadSmallCells)}}
	errs := map[string]string{}
	for _, k := range []string{"period", "asOf", "scope", "map"} {
		ch.Values.Set(k, strings.TrimSpace(q.Get(k)))
	}
	at := cp.Period.End // the scopes offered are the units of the map asked
	if s := ch.Values.Get("map"); s != "" {
		d, ok := parseDate(s)
		if !ok {
			errs["map"] = "Ngày không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025."
		} else {
			at = d
			ch.Values.Set("map", string(d)) // the API's form, for the downloads
		}
		ch.Query.Map = string(d)
	}
	if s := ch.Values.Get("asOf"); s != "" {
		d, ok := parseDate(s)
		if !ok {
			errs["asOf"] = "Ngày không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 30/06/2024."
		}
		ch.Query.AsOf = string(d)
	}
	ch.Periods = periodOptions(cp, ch.Query.Period)
	tree, err := p.Campaigns.Tree(c.Request.Context(), at)
	if err != nil {
		return ch, nil, err
	}
	ch.Scopes, ch.Up = scopeOptions(tree, u.Actor(), ch.Query.Scope)
	return ch, errs, nil
}

// periodOptions are the periods of a campaign's reports: the whole period, then
// each of its years with their halves and quarters.
func periodOptions(cp campaigns.Campaign, chosen string) []option {
	out := []option{{Value: "", Label: "Cả kỳ kế hoạch"}}
	for y := cp.Period.Start.Year(); y <= cp.Period.End.Year(); y++ {
		out = append(out, option{Value: strconv.Itoa(y), Label: fmt.Sprintf("Năm %d", y)},
			option{Value: fmt.Sprintf("%d-H1", y), Label: fmt.Sprintf("6 tháng đầu năm %d", y)},
			option{Value: fmt.Sprintf("%d-H2", y), Label: fmt.Sprintf("6 tháng cuối năm %d", y)})
		for q := 1; q <= 4; q++ {
			out = append(out, option{Value: fmt.Sprintf("%d-Q%d", y, q), Label: fmt.Sprintf("Quý %d/%d", q, y)})
		}
	}
	for i := range out {
		out[i].Selected = out[i].Value == chosen
	}
	return out
}

// scopeOptions are the account's own unit and the units one level below it, its
// extra units (those its ended unit passed to), and the chosen unit with the units
// above it up to the account's; up is the chosen unit's parent when the account
// covers it.
func scopeOptions(tree *campaigns.UnitTree, actor loa.Actor, chosen string) ([]option, *campaigns.OrgUnit) {
	var own campaigns.OrgUnit
	if s, err := tree.Scope(actor, "scope", ""); err == nil {
		own = s
	}
	picked, ok := tree.Get(chosen)
	if !ok || !actor.Covers(picked.Path) {
		picked = own
	}
	var out []option
	var up *campaigns.OrgUnit
	for _, u := range tree.Units() {
		if !actor.Covers(u.Path) {
			continue
		}
		child := u.Parent == own.Code
		onPath := strings.HasPrefix(strings.Join(picked.Path, "/")+"/", strings.Join(u.Path, "/")+"/")
		if u.Code == own.Code || child || onPath || slices.Contains(actor.Extra, u.Code) {
			out = append(out, option{Value: u.Code, Label: strings.Repeat("— ", max(len(u.Path)-len(own.Path), 0)) + u.Title(),
				Selected: u.Code == picked.Code})
		}
		if u.Code == picked.Parent && picked.Code != own.Code {
			up = &u
		}
	}
	return out, up
}

// dashboardPage is what the campaign page shows to readers of reports.
type dashboardPage struct {
	Choice  reportChoice
	Report  report.Report
	Cards   []indicatorCard
	Columns []report.Result // the indicators of the unit table (coverage, regular activity)
	Lagging []report.Lagging
	// LagFrom is the first lagging unit shown (0-based); LagNext the start of the
	// next page (0 on the last), LagPrev of the previous (-1 on the first).
	LagFrom, LagNext, LagPrev int
}

// indicatorCard is an indicator's result with its trend line.
type indicatorCard struct {
	report.Result
	Trend template.HTML
}

// Tab is the page's tab among the report pages.
func (dashboardPage) Tab() string { return "dashboard" }

// LagCount counts the lagging units of every page.
func (d dashboardPage) LagCount() int64 { return int64(len(d.Report.Lagging)) }

// Title names an indicator of the report by its code.
func (d dashboardPage) Title(code string) string {
	for _, r := range d.Report.Indicators {
		if r.Indicator == code {
			return r.Title
		}
	}
	return code
}

// dashboard is the campaign dashboard of the choices in the request; errs are the
// choosers refused.
func (p *Pages) dashboard(c *gin.Context, cp campaigns.Campaign) (*dashboardPage, map[string]string, error) {
	ch, errs, err := p.reportChoiceOf(c, cp)
	if err != nil || len(errs) > 0 {
		return &dashboardPage{Choice: ch}, errs, err
	}
	r, err := p.Reports.Report(c.Request.Context(), current(c).User.Actor(), cp.Code, ch.Query)
	if fe, ok := formErrors(err); ok {
		return &dashboardPage{Choice: ch}, fe, nil
	}
	if err != nil {
		return nil, nil, err
	}
	d := &dashboardPage{Choice: ch, Report: r}
	for i, res := range r.Indicators {
		d.Cards = append(d.Cards, indicatorCard{Result: res, Trend: sparkline(r.Trend, i, res.Target)})
		if res.Rule == campaigns.RuleCoverage || res.Rule == campaigns.RuleOrgUnitActivity {
			d.Columns = append(d.Columns, res)
		}
	}
	d.LagFrom, _ = strconv.Atoi(c.Query("lag"))
	d.LagFrom = min(max(d.LagFrom, 0), len(r.Lagging))
	d.Lagging = r.Lagging[d.LagFrom:min(len(r.Lagging), d.LagFrom+laggingPerPage)]
	if end := d.LagFrom + len(d.Lagging); end < len(r.Lagging) {
		d.LagNext = end
	}
	d.LagPrev = -1
	if d.LagFrom > 0 {
		d.LagPrev = max(d.LagFrom-laggingPerPage, 0)
	}
	return d, nil, nil
}

// sparkline draws indicator i of the monthly trend as a small inline SVG: its
// value at each month's end (solid) beside the line expected (dashed), scaled to
// the larger of the target and the values. It carries its reading as text.
func sparkline(trend []report.TrendPoint, i int, target float64) template.HTML {
	const w, h = 120.0, 32.0
	top := target
	for _, t := range trend {
		v := t.Indicators[i]
		top = max(top, v.Expected)
		if v.Value != nil {
			top = max(top, *v.Value)
		}
	}
	if len(trend) == 0 || top <= 0 {
		return ""
	}
	step := w / float64(max(len(trend)-1, 1))
	y := func(v float64) string { return strconv.FormatFloat(h-1-(h-2)*v/top, 'f', 1, 64) }
	var values, expected []string
	var first, last *float64
	for k, t := range trend {
		x := strconv.FormatFloat(float64(k)*step, 'f', 1, 64)
		v := t.Indicators[i]
		expected = append(expected, x+","+y(v.Expected))
		if v.Value != nil {
			values = append(values, x+","+y(*v.Value))
			if first == nil {
				first = v.Value
			}
			last = v.Value
		}
	}
	label := "Chưa có số liệu theo tháng"
	if first != nil {
		label = "Xu hướng theo tháng: từ " + percent(*first) + " đến " + percent(*last) + "; đường nét đứt là mức cần đạt"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %g %g" preserveAspectRatio="none" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(label))
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#57606a" stroke-width="1" stroke-dasharray="3 2" vector-effect="non-scaling-stroke"/>`, strings.Join(expected, " "))
	if len(values) > 0 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0b5cad" stroke-width="2" vector-effect="non-scaling-stroke"/>`, strings.Join(values, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// reportMessages are the indicator engine's messages about the choosers (an
// unknown target group is said by ruleMessages).
var reportMessages = []message{
	{regexp.MustCompile(`^as of (\S+) is in the future; a report counts what has happened$`),
		"Ngày này ở tương lai: báo cáo chỉ tính những gì đã diễn ra."},
	{regexp.MustCompile(`^period ".*" is not one of: .*$`), "Kỳ báo cáo không hợp lệ."},
	{regexp.MustCompile(`^a year from 2000 to 2100$`), "Năm từ 2000 đến 2100."},
	{regexp.MustCompile(`^unknown activity kind (.*)$`), "Không có loại hoạt động «$1»."},
}

// campaignChoice reads the campaign in the path and the choosers of its report
// pages; false when it answered an error page.
func (p *Pages) campaignChoice(c *gin.Context) (campaigns.Campaign, reportChoice, map[string]string, bool) {
	cp, err := p.Campaigns.Campaign(c.Request.Context(), c.Param("code"))
	if err != nil {
		p.fail(c, err)
		return cp, reportChoice{}, nil, false
	}
	ch, errs, err := p.reportChoiceOf(c, cp)
	if err != nil {
		p.fail(c, err)
		return cp, ch, nil, false
	}
	return cp, ch, errs, true
}

// Choice is the dashboard's choices, for the choosers of the campaign page (only
// with a dashboard).
func (c campaignPage) Choice() reportChoice { return c.Dashboard.Choice }
