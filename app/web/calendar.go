package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/campaigns"
	"loa/content"
	"loa/scheduler"
)

// calendarPage is the data of the calendar: the filters chosen and the days shown,
// a month or a week, each with its airings.
type calendarPage struct {
	By, District, Station, Channel string
	// Week says the page shows a week (else a month); Month and Date name it for
	// the filter form (2024-03, 2024-03-31).
	Week        bool
	Month, Date string
	Heading     string
	// Stations counts the stations shown.
	Stations  int
	Days      []calendarDay
	Districts []campaigns.OrgUnit
	Channels  []scheduler.Channel
	// Prev, Next and Today link to the neighbouring months or weeks.
	Prev, Next, Today, MonthLink, WeekLink string
}

// calendarDay is one day of the calendar with its airings in order of time.
type calendarDay struct {
	Date    time.Time
	Today   bool
	Airings []calendarEntry
	// Name is the day's name, "Thứ Ba".
	Name string
	// Fold shows the day folded, its airings counted by status until opened: a
	// month of many stations stays readable on a phone.
	Fold   bool
	Counts []statusCount
	// Weekday is the day's column (1 Monday … 7 Sunday), for the month grid.
	Weekday int
}

// statusCount is how many airings of a day have a status.
type statusCount struct {
	Status string
	N      int
}

// calendarEntry is one airing as the calendar shows it.
type calendarEntry struct {
	ID, StationName, Title, Status string
	Start                          time.Time
	Moved                          bool
	// Clock (06:30) and Badge are made once here: a district's month has a
	// thousand entries, and the template's function calls are most of its time.
	Clock string
	Badge template.HTML
}

// calendarQuery is what a calendar URL asks for.
type calendarQuery struct {
	by, district, station, channel string
	week                           bool
	from, to                       time.Time
}

// calendar shows a month (or a week) of airings by station, by district or by
// channel: /calendar?by=district&district=503&month=2024-03, or
// /calendar?by=station&station=DTT-503&view=week&date=2024-03-31.
func (p *Pages) calendar(c *gin.Context) {
	ctx := c.Request.Context()
	q, errs := p.calendarQuery(c)
	districts, err := p.scopeDistricts(ctx, current(c).User.Scope)
	if err != nil {
		p.fail(c, err)
		return
	}
	if q.by == "district" && q.district == "" && len(districts) > 0 {
		q.district = districts[0].Code
	}
	if q.by == "channel" && q.channel == "" {
		q.channel = "district_station"
	}
	data := calendarPage{By: q.by, District: q.district, Station: q.station, Channel: q.channel, Week: q.week,
		Month: q.from.Format("2006-01"), Date: q.from.Format(time.DateOnly), Channels: scheduler.Channels, Districts: districts}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	} else {
		stations, heading, err := p.calendarStations(ctx, current(c).User.Actor(), q)
		if err != nil {
			p.fail(c, err)
			return
		}
		data.Heading, data.Stations = heading, len(stations)
		if data.Days, err = p.calendarDays(ctx, stations, q.from, q.to); err != nil {
			p.fail(c, err)
			return
		}
		if !q.week && len(stations) > 1 {
			foldDays(data.Days)
		}
	}
	data.links(q, p.Now().In(p.Zone))
	p.render(c, status, "calendar.html", view{Title: "Lịch phát", Data: data, Errors: errs})
}

// calendarQuery reads the calendar's URL; a month or date it cannot read is an
// error beside its field.
func (p *Pages) calendarQuery(c *gin.Context) (calendarQuery, map[string]string) {
	q := calendarQuery{by: c.DefaultQuery("by", "district"), district: c.Query("district"), station: c.Query("station"),
		channel: c.Query("channel"), week: c.Query("view") == "week" || c.Query("week") != ""}
	if !slices.Contains([]string{"station", "district", "channel"}, q.by) {
		q.by = "district"
	}
	today := p.Now().In(p.Zone)
	errs := map[string]string{}
	switch {
	case c.Query("week") != "":
		monday, ok := isoWeek(c.Query("week"), p.Zone)
		if !ok {
			errs["week"] = "Tuần không hợp lệ (dạng 2024-W13)."
			monday = today
		}
		q.week, q.from = true, monday
	case q.week:
		day := today
		if raw := c.Query("date"); raw != "" {
			d, ok := parseDate(raw)
			if !ok {
				errs["date"] = "Ngày không hợp lệ (dạng 31/03/2024)."
			} else {
				day = d.In(p.Zone)
			}
		}
		q.from = day
	default:
		month, err := p.Scheduler.ParseMonth(c.Query("month"))
		if err != nil {
			errs["month"] = "Tháng không hợp lệ (dạng 2024-03)."
			month, _ = p.Scheduler.ParseMonth("")
		}
		q.from = month
	}
	if q.week {
		q.from = mondayOf(q.from)
		q.to = q.from.AddDate(0, 0, 7)
	} else {
		q.to = q.from.AddDate(0, 1, 0)
	}
	return q, errs
}

// mondayOf is the midnight starting the week (Monday to Sunday) of t.
func mondayOf(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, t.Location())
}

// isoWeek reads an ISO week (2024-W13) as its Monday in zone.
func isoWeek(s string, zone *time.Location) (time.Time, bool) {
	var year, week int
	if len(s) < 7 || s[4:6] != "-W" {
		return time.Time{}, false
	}
	year, err1 := strconv.Atoi(s[:4])
	week, err2 := strconv.Atoi(s[6:])
	if err1 != nil || err2 != nil || week < 1 || week > 53 {
		return time.Time{}, false
	}
	// 4 January is always in week 1.
	monday := mondayOf(time.Date(year, time.January, 4, 0, 0, 0, 0, zone)).AddDate(0, 0, 7*(week-1))
	if _, w := monday.ISOWeek(); w != week {
		return time.Time{}, false
	}
	return monday, true
}

// scopeDistricts lists the districts in scope, for the filters.
func (p *Pages) scopeDistricts(ctx context.Context, scope string) ([]campaigns.OrgUnit, error) {
	all, err := p.Campaigns.OrgUnits(ctx, campaigns.OrgUnitFilter{Level: "district"})
	if err != nil {
		return nil, err
	}
	actor := loa.Actor{Scope: scope}
	return slices.DeleteFunc(all, func(u campaigns.OrgUnit) bool { return !actor.Covers(u.Path) }), nil
}

// calendarStations are the stations a calendar shows, all in the account's scope,
// and the heading that names them. A district or station outside the scope is
// refused.
func (p *Pages) calendarStations(ctx context.Context, actor loa.Actor, q calendarQuery) ([]scheduler.Station, string, error) {
	scope := actor.Scope
	if q.by == "station" {
		if q.station == "" {
			return nil, "", nil
		}
		st, err := p.Scheduler.Station(ctx, q.station)
		if err != nil {
			return nil, "", err
		}
		if err := p.requireScope(ctx, actor, st.OrgUnit); err != nil {
			return nil, "", err
		}
		return []scheduler.Station{st}, st.Name, nil
	}
	f := scheduler.StationFilter{Under: q.district, Channel: q.channel}
	heading := ""
	if q.channel != "" {
		heading = channelLabel(q.channel)
	}
	if f.Under == "" {
		f.Under = scope
	}
	if f.Under == loa.AllUnits {
		f.Under = ""
	} else {
		if err := p.requireScope(ctx, actor, f.Under); err != nil {
			return nil, "", err
		}
		u, err := p.Campaigns.Named(ctx, f.Under, "")
		if err != nil {
			return nil, "", err
		}
		heading = joinWords(heading, u.Type+" "+u.Name)
	}
	sts, err := p.Scheduler.Stations(ctx, f)
	return sts, heading, err
}

func joinWords(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// requireScope refuses a unit outside scope.
func (p *Pages) requireScope(ctx context.Context, actor loa.Actor, unit string) error {
	in, err := p.Campaigns.Covers(ctx, actor, unit, p.Campaigns.Today())
	if err != nil {
		return err
	}
	if !in {
		return loa.ErrOutsideScope
	}
	return nil
}

// stationInScope reads a station the account may see, with the title of its org
// unit ("Xã Bình Dương").
func (p *Pages) stationInScope(ctx context.Context, actor loa.Actor, code string) (scheduler.Station, string, error) {
	st, err := p.Scheduler.Station(ctx, code)
	if err != nil {
		return scheduler.Station{}, "", err
	}
	if err := p.requireScope(ctx, actor, st.OrgUnit); err != nil {
		return scheduler.Station{}, "", err
	}
	unit, err := p.Campaigns.Named(ctx, st.OrgUnit, "")
	if err != nil {
		return scheduler.Station{}, "", err
	}
	return st, unit.Title(), nil
}

// calendarDays reads the stations' airings in [from, to) at once and groups them by
// day; content titles come from one read of the library.
func (p *Pages) calendarDays(ctx context.Context, stations []scheduler.Station, from, to time.Time) ([]calendarDay, error) {
	today := loa.DateOf(p.Now().In(p.Zone))
	var days []calendarDay
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, calendarDay{Date: d, Today: loa.DateOf(d) == today, Weekday: (int(d.Weekday())+6)%7 + 1,
			Name: weekdays[d.Weekday()]})
	}
	if len(stations) == 0 {
		return days, nil
	}
	codes := make([]string, len(stations))
	names := make(map[string]string, len(stations)) // left empty for one station
	for i, st := range stations {
		codes[i] = st.Code
		if len(stations) > 1 {
			names[st.Code] = st.Name
		}
	}
	airings, err := p.Scheduler.Airings(ctx, scheduler.AiringFilter{Stations: codes, From: from, To: to})
	if err != nil || len(airings) == 0 {
		return days, err
	}
	titles, err := p.contentTitles(ctx)
	if err != nil {
		return nil, err
	}
	badges := make(map[string]template.HTML, len(scheduler.Statuses))
	for _, status := range scheduler.Statuses {
		badges[status] = statusBadge(status)
	}
	for _, a := range airings {
		start := a.Start.In(p.Zone)
		i := int(time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, p.Zone).Sub(from).Hours()+12) / 24
		if i < 0 || i >= len(days) {
			continue
		}
		days[i].Airings = append(days[i].Airings, calendarEntry{ID: a.ID, StationName: names[a.Station],
			Title: titles[a.Content], Status: a.Status, Start: start, Moved: a.Moved, Clock: start.Format("15:04"), Badge: badges[a.Status]})
	}
	return days, nil
}

// weekdays name the days of the week as the calendar heads them.
var weekdays = [...]string{time.Sunday: "Chủ nhật", time.Monday: "Thứ Hai", time.Tuesday: "Thứ Ba",
	time.Wednesday: "Thứ Tư", time.Thursday: "Thứ Năm", time.Friday: "Thứ Sáu", time.Saturday: "Thứ Bảy"}

// foldDays folds the days and counts their airings by status, in the order of
// scheduler.Statuses.
func foldDays(days []calendarDay) {
	for i := range days {
		d := &days[i]
		d.Fold = len(d.Airings) > 0
		for _, status := range scheduler.Statuses {
			n := 0
			for _, a := range d.Airings {
				if a.Status == status {
					n++
				}
			}
			if n > 0 {
				d.Counts = append(d.Counts, statusCount{status, n})
			}
		}
	}
}

// contentTitles names every content item by its ID.
func (p *Pages) contentTitles(ctx context.Context) (map[string]string, error) {
	items, err := p.Content.List(ctx, content.Filter{})
	if err != nil {
		return nil, err
	}
	titles := make(map[string]string, len(items))
	for _, it := range items {
		titles[it.ID] = it.Title
	}
	return titles, nil
}

// channelLabel names a channel kind in Vietnamese.
func channelLabel(code string) string {
	if i := slices.IndexFunc(scheduler.Channels, func(ch scheduler.Channel) bool { return ch.Code == code }); i >= 0 {
		return scheduler.Channels[i].Label
	}
	return code
}

// links fills the page's links to the neighbouring months or weeks, to today, and
// between the month and the week of the same filters.
func (d *calendarPage) links(q calendarQuery, today time.Time) {
	base := url.Values{"by": {q.by}}
	for k, v := range map[string]string{"district": q.district, "station": q.station, "channel": q.channel} {
		if v != "" {
			base.Set(k, v)
		}
	}
	at := func(week bool, t time.Time) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		if week {
			v.Set("view", "week")
			v.Set("date", t.Format(time.DateOnly))
		} else {
			v.Set("month", t.Format("2006-01"))
		}
		return "/calendar?" + v.Encode()
	}
	if q.week {
		d.Prev, d.Next = at(true, q.from.AddDate(0, 0, -7)), at(true, q.from.AddDate(0, 0, 7))
	} else {
		d.Prev, d.Next = at(false, q.from.AddDate(0, -1, 0)), at(false, q.from.AddDate(0, 1, 0))
	}
	d.Today = at(q.week, today)
	d.MonthLink = at(false, q.from)
	weekOf := q.from
	if !today.Before(q.from) && today.Before(q.to) {
		weekOf = today
	}
	d.WeekLink = at(true, weekOf)
}

// weekURL is the calendar of a station's week around day: the page other pages
// link to.
func weekURL(station string, day time.Time) string {
	return "/calendar?" + url.Values{"by": {"station"}, "station": {station}, "view": {"week"},
		"date": {day.Format(time.DateOnly)}}.Encode()
}
