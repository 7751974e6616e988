package web

import (
	"context"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/campaigns"
	"loa/scheduler"
)

// rulesPerPage is the page size of the rules list and of a rule's airings.
const rulesPerPage = 20

// weekdayNames name scheduler.Weekdays, and time.Weekday by its number, Sunday
// first as Go counts them.
var (
	weekdayNames = map[string]string{"MO": "Thứ Hai", "TU": "Thứ Ba", "WE": "Thứ Tư", "TH": "Thứ Năm",
		"FR": "Thứ Sáu", "SA": "Thứ Bảy", "SU": "Chủ nhật"}
	goWeekdays = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
)

// clock shows times of rules and airings in the deployment's zone, with the
// weekday; page data embed it.
type clock struct{ zone *time.Location }

// Day is the weekday of t, e.g. "Thứ Ba".
func (c clock) Day(t time.Time) string { return weekdayNames[goWeekdays[t.In(c.zone).Weekday()]] }

// ISO is the day of t as YYYY-MM-DD, for links to the calendar.
func (c clock) ISO(t time.Time) string { return t.In(c.zone).Format(time.DateOnly) }

// ruleRow is a rule as the pages describe it.
type ruleRow struct {
	scheduler.Rule
	// Where says which stations the rule picks; When says when it repeats, in words.
	Where, When string
}

// describer names a rule's stations and recurrence in Vietnamese.
type describer struct {
	units map[string]campaigns.OrgUnit
}

func (p *Pages) describer(ctx context.Context) (describer, error) {
	units, err := p.Campaigns.LatestUnits(ctx, campaigns.OrgUnitFilter{})
	if err != nil {
		return describer{}, err
	}
	d := describer{units: make(map[string]campaigns.OrgUnit, len(units))}
	for _, u := range units {
		d.units[u.Code] = u
	}
	return d, nil
}

func (d describer) row(r scheduler.Rule) ruleRow {
	return ruleRow{Rule: r, Where: d.where(r.Stations), When: repeatWords(r)}
}

// where says "Hệ thống loa truyền thanh cấp xã ở Huyện Tây Giang", or lists codes.
func (d describer) where(sel scheduler.StationSelector) string {
	if len(sel.Codes) > 0 {
		const shown = 5
		out := strings.Join(sel.Codes[:min(len(sel.Codes), shown)], ", ")
		if len(sel.Codes) > shown {
			out += " và " + strconv.Itoa(len(sel.Codes)-shown) + " đài khác"
		}
		return out
	}
	label := sel.Channel
	if i := slices.IndexFunc(scheduler.Channels, func(c scheduler.Channel) bool { return c.Code == sel.Channel }); i >= 0 {
		label = scheduler.Channels[i].Label
	}
	return label + " ở " + d.unitName(sel.Under)
}

func (d describer) unitName(code string) string {
	if u, ok := d.units[code]; ok {
		return strings.TrimSpace(u.Type + " " + u.Name)
	}
	return code
}

// repeatWords says when a rule repeats: "Thứ Hai, Thứ Năm hằng tuần lúc 06:30";
// a rule the form cannot say is shown as its RRULE or cron spec.
func repeatWords(r scheduler.Rule) string {
	rp, ok := scheduler.RepeatOf(r.RRule)
	switch {
	case r.Cron != "":
		return "Theo lịch cron: " + r.Cron
	case !ok:
		return "Theo RRULE: " + r.RRule
	}
	var days []string
	for _, d := range rp.Days {
		days = append(days, weekdayNames[d])
	}
	every := func(unit, each string) string {
		if rp.Interval == 1 {
			return each
		}
		return strconv.Itoa(rp.Interval) + " " + unit + " một lần,"
	}
	switch rp.Freq {
	case scheduler.RepeatDaily:
		return upperFirst(every("ngày", "hằng ngày")) + " lúc " + rp.Time
	case scheduler.RepeatWeekly:
		return strings.Join(days, ", ") + " " + every("tuần", "hằng tuần") + " lúc " + rp.Time
	}
	nth := "lần thứ " + strconv.Itoa(rp.Nth)
	switch rp.Nth {
	case 1:
		nth = "đầu tiên"
	case -1:
		nth = "cuối cùng"
	}
	return days[0] + " " + nth + " trong tháng, " + every("tháng", "hằng tháng") + " lúc " + rp.Time
}

func upperFirst(s string) string {
	for i := range s {
		if i > 0 {
			return strings.ToUpper(s[:i]) + s[i:]
		}
	}
	return strings.ToUpper(s)
}

// rulesPage is the data of the rules list.
type rulesPage struct {
	Rows      []ruleRow
	Total     int64
	Campaigns []campaigns.Campaign
	// First and Next are the links to the first page and to the next (empty on the
	// last page), with the filters.
	First, Next template.URL
	CanWrite    bool
}

func (p *Pages) rules(c *gin.Context) {
	q := c.Request.URL.Query()
	data, err := p.listRules(c.Request.Context(), q)
	if err != nil {
		p.fail(c, err)
		return
	}
	data.CanWrite = current(c).User.Can(access.WriteSchedule)
	p.render(c, http.StatusOK, "rules.html", view{Title: "Lịch khung", Data: data, Form: q})
}

// listRules is the page of rules the query's filters and cursor select.
func (p *Pages) listRules(ctx context.Context, q url.Values) (rulesPage, error) {
	f := scheduler.RuleFilter{Campaign: q.Get("campaign"), Station: strings.TrimSpace(q.Get("station"))}
	if v, err := strconv.ParseBool(q.Get("active")); err == nil {
		f.Active = &v
	}
	list, err := p.Scheduler.Rules(ctx, f)
	if err != nil {
		return rulesPage{}, err
	}
	d, err := p.describer(ctx)
	if err != nil {
		return rulesPage{}, err
	}
	data := rulesPage{Total: int64(len(list))}
	if data.Campaigns, err = p.Campaigns.Campaigns(ctx); err != nil {
		return rulesPage{}, err
	}
	shown, next := pageAfter(list, q.Get("after"), func(r scheduler.Rule) string { return r.ID })
	for _, r := range shown {
		data.Rows = append(data.Rows, d.row(r))
	}
	page := maps.Clone(q)
	page.Del("after")
	data.First = pageLink("/rules", page)
	if next != "" {
		page.Set("after", next)
		data.Next = pageLink("/rules", page)
	}
	return data, nil
}

// pageLink is a link to path with query, whose values url.Values encoded.
func pageLink(path string, query url.Values) template.URL {
	if len(query) == 0 {
		return template.URL(path)
	}
	return template.URL(path + "?" + query.Encode())
}

// pageAfter is the page of a list ordered by key that starts after the key after,
// and the key to start the next page after ("" on the last page).
func pageAfter[T any](all []T, after string, key func(T) string) ([]T, string) {
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(all, after, func(x T, k string) int { return strings.Compare(key(x), k) })
		if start < len(all) && key(all[start]) == after {
			start++
		}
	}
	end := min(start+rulesPerPage, len(all))
	if end < len(all) {
		return all[start:end], key(all[end-1])
	}
	return all[start:end], ""
}

// rulePage is the data of a rule's page: the rule, its next airings and, for
// planners, the form that changes it.
type rulePage struct {
	ruleFormPage
	Row      ruleRow
	Airings  []scheduler.Airing
	Stations map[string]scheduler.Station
	// AiringsTotal counts the rule's airings up to the horizon; NextAirings is the
	// link to their next page; Later says the page shown is not the first.
	AiringsTotal int64
	NextAirings  template.URL
	Later        bool
	Horizon      time.Time
	CanWrite     bool
}

// Minutes says the length of each airing, "5 phút" or "90 giây".
func (d rulePage) Minutes() string {
	if s := d.Row.DurationSeconds; s%60 != 0 {
		return strconv.Itoa(s) + " giây"
	}
	return strconv.Itoa(d.Row.DurationSeconds/60) + " phút"
}

func (p *Pages) rule(c *gin.Context) {
	p.renderRule(c, http.StatusOK, view{}, nil)
}

// renderRule shows a rule's page; the form shows v's values and errors, or the
// rule's own when v has none.
func (p *Pages) renderRule(c *gin.Context, status int, v view, preview *rulePreview) {
	data, err := p.loadRule(c.Request.Context(), c.Param("id"), c.Query("after"))
	if err == nil && current(c).User.Can(access.WriteSchedule) {
		data.CanWrite = true
		if v.Form == nil {
			v.Form = ruleValues(data.Row.Rule)
		}
		data.ruleFormPage, err = p.ruleForm(c.Request.Context(), v.Form, "/rules/"+data.Row.ID, preview)
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	data.clock = clock{p.Zone}
	v.Title, v.Data = data.Row.Title, data
	p.render(c, status, "rule.html", v)
}

// loadRule is rule id with the page of its airings up to the horizon that starts
// after the cursor after.
func (p *Pages) loadRule(ctx context.Context, id, after string) (rulePage, error) {
	r, err := p.Scheduler.Rule(ctx, id)
	if err != nil {
		return rulePage{}, err
	}
	d, err := p.describer(ctx)
	if err != nil {
		return rulePage{}, err
	}
	now := p.Now()
	horizon := p.Scheduler.Horizon(now)
	airings, err := p.Scheduler.Airings(ctx, scheduler.AiringFilter{Rule: r.ID, From: now, To: horizon})
	if err != nil {
		return rulePage{}, err
	}
	stations, err := p.Scheduler.Stations(ctx, scheduler.StationFilter{})
	if err != nil {
		return rulePage{}, err
	}
	data := rulePage{Row: d.row(r), AiringsTotal: int64(len(airings)), Horizon: horizon.Add(-time.Second),
		Stations: make(map[string]scheduler.Station, len(stations)), Later: after != ""}
	for _, st := range stations {
		data.Stations[st.Code] = st
	}
	var next string
	if data.Airings, next = pageAfter(airings, after, airingKey); next != "" {
		data.NextAirings = pageLink("/rules/"+r.ID, url.Values{"after": {next}})
	}
	return data, nil
}

// airingKey orders a rule's airings as Airings lists them: by start, then ID.
func airingKey(a scheduler.Airing) string {
	return a.Start.UTC().Format("20060102T150405") + "|" + a.ID
}

// Period says the rule's period: "01/01/2024 – 31/12/2024" or "từ 01/01/2024".
func (r ruleRow) Period() string {
	if r.Until == nil {
		return "từ " + r.StartDate.Display()
	}
	return r.StartDate.Display() + " – " + r.Until.Display()
}
