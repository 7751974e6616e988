package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns/report"
)

// The year-on-year page: a campaign's report beside another campaign's (or
// another period's) on one map of units, indicator by indicator and unit by unit.

// comparePage is what the comparison page shows.
type comparePage struct {
	Choice               reportChoice
	Campaigns            []option // the campaign compared with
	Periods, WithPeriods []option
	Comparison           *report.Comparison
	Columns              []string // the indicators of the unit table, in order
}

// Tab is the page's tab among the report pages.
func (comparePage) Tab() string { return "compare" }

// Title names an indicator of the comparison by its code.
func (d comparePage) Title(code string) string {
	for _, in := range d.Comparison.Indicators {
		if in.Indicator == code {
			return in.Title
		}
	}
	return code
}

func (p *Pages) compare(c *gin.Context) {
	ctx := c.Request.Context()
	cp, ch, errs, ok := p.campaignChoice(c)
	if !ok {
		return
	}
	q := c.Request.URL.Query()
	with := strings.TrimSpace(q.Get("with"))
	if with == "" {
		with = cp.Code
	}
	cq := report.CompareQuery{With: with, Period: ch.Query.Period, WithPeriod: strings.TrimSpace(q.Get("withPeriod")),
		Scope: ch.Query.Scope, Suppress: !current(c).User.Can(access.ReadSmallCells)}
	for _, k := range []string{"with", "withPeriod", "map"} {
		ch.Values.Set(k, strings.TrimSpace(q.Get(k)))
	}
	if s := ch.Values.Get("map"); s != "" {
		d, ok := parseDate(s)
		if !ok {
			errs["map"] = "Ngày không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025."
		}
		cq.Map = string(d)
	}
	all, err := p.Campaigns.Campaigns(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	data := comparePage{Choice: ch, Periods: periodOptions(cp, cq.Period)}
	for _, o := range all {
		data.Campaigns = append(data.Campaigns, option{Value: o.Code, Label: o.Code + " — " + o.Title, Selected: o.Code == with})
		if o.Code == with {
			data.WithPeriods = periodOptions(o, cq.WithPeriod)
		}
	}
	status := http.StatusOK
	if len(errs) == 0 {
		r, err := p.Reports.Compare(ctx, current(c).User.Actor(), cp.Code, cq)
		if fe, ok := formErrors(err); ok {
			errs = fe
		} else if err != nil {
			p.fail(c, err)
			return
		} else {
			data.Comparison = &r
			for _, u := range r.Units[:min(1, len(r.Units))] {
				for _, v := range u.Indicators {
					data.Columns = append(data.Columns, v.Indicator)
				}
			}
		}
	}
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	p.render(c, status, "compare.html", view{Title: "So sánh — " + cp.Code, Data: data, Form: ch.Values, Errors: errs})
}

// Self is the address of the page with the choices, and extra parameters set.
func (d comparePage) Self(extra ...string) string {
	v := url.Values{}
	for _, k := range []string{"period", "scope", "with", "withPeriod", "map"} {
		if s := d.Choice.Values.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/campaigns/" + url.PathEscape(d.Choice.Code) + "/compare?" + v.Encode()
}

// compareMessages are the comparison's messages about its choosers.
var compareMessages = []message{
	{regexp.MustCompile(`^map \S+ is before the day the report is about \((\S+)\).*$`),
		"Danh mục đơn vị phải từ ngày báo cáo ($1) trở về sau: không tách lại được các đơn vị đã sáp nhập."},
	{regexp.MustCompile(`^no campaign with code "(.*)"$`), "Không có chương trình «$1»."},
	{regexp.MustCompile(`^org unit (\S+) did not pass whole to one unit by (\S+)$`),
		"Đơn vị $1 không chuyển trọn vào một đơn vị trên danh mục ngày $2."},
}

// Points writes a change of a value in percentage points, signed: "+3,2 điểm".
func (comparePage) Points(v *float64) string {
	if v == nil {
		return "—"
	}
	s := strings.Replace(strconv.FormatFloat(*v, 'f', 1, 64), ".", ",", 1)
	if *v > 0 {
		s = "+" + s
	}
	return s + " điểm"
}

// Diff writes a change of a count, signed: "+1.234".
func (comparePage) Diff(n *int64) string {
	switch {
	case n == nil:
		return "—"
	case *n > 0:
		return "+" + loa.Number(*n)
	}
	return loa.Number(*n)
}
