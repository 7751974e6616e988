package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
	"loa/scheduler"
)

// stationsPerPage is how many stations a page of the list shows.
const stationsPerPage = 50

// stationsPage is the data of the list of stations: the filters, one page of
// stations and the link to the next.
type stationsPage struct {
	District, Channel, Active, Q string
	Districts                    []campaigns.OrgUnit
	Channels                     []scheduler.Channel
	Stations                     []stationRow
	Total                        int64
	// First and Next link to the first page and the next one.
	First, Next string
}

// stationRow is a station with the names the list shows.
type stationRow struct {
	scheduler.Station
	ChannelLabel, Unit string
}

// stations lists the stations in the account's scope: /stations?district=503&
// channel=commune_loudspeaker&active=true&q=tam&after=LOA-20335.
func (p *Pages) stations(c *gin.Context) {
	ctx := c.Request.Context()
	scope := current(c).User.Scope
	data := stationsPage{District: c.Query("district"), Channel: c.Query("channel"), Active: c.Query("active"),
		Q: c.Query("q"), Channels: scheduler.Channels}
	var err error
	if data.Districts, err = p.scopeDistricts(ctx, scope); err != nil {
		p.fail(c, err)
		return
	}
	f := scheduler.StationFilter{Channel: data.Channel, Under: data.District, Q: data.Q}
	if actor := current(c).User.Actor(); f.Under == "" && scope != loa.AllUnits {
		f.Of = &actor
	}
	if f.Under != "" {
		if err := p.requireScope(ctx, current(c).User.Actor(), f.Under); err != nil {
			p.fail(c, err)
			return
		}
	}
	if data.Active == "true" || data.Active == "false" {
		active := data.Active == "true"
		f.Active = &active
	}
	all, err := p.Scheduler.Stations(ctx, f)
	if err != nil {
		p.fail(c, err)
		return
	}
	names, err := p.unitNames(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	data.Total = int64(len(all))
	page := all
	if after := c.Query("after"); after != "" {
		first := c.Request.URL.Query()
		first.Del("after")
		data.First = "/stations?" + first.Encode()
		i := 0
		for i < len(page) && page[i].Code <= after {
			i++
		}
		page = page[i:]
	}
	if len(page) > stationsPerPage {
		page = page[:stationsPerPage]
		next := c.Request.URL.Query()
		next.Set("after", page[len(page)-1].Code)
		data.Next = "/stations?" + next.Encode()
	}
	for _, st := range page {
		data.Stations = append(data.Stations, stationRow{Station: st, ChannelLabel: channelLabel(st.Channel), Unit: names[st.OrgUnit]})
	}
	p.render(c, http.StatusOK, "stations.html", view{Title: "Đài và hệ thống loa", Data: data})
}

// unitNames names every org unit by its code ("xã Tam Thanh"), as it was last.
func (p *Pages) unitNames(c *gin.Context) (map[string]string, error) {
	units, err := p.Campaigns.LatestUnits(c.Request.Context(), campaigns.OrgUnitFilter{})
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(units))
	for _, u := range units {
		names[u.Code] = strings.TrimSpace(u.Type + " " + u.Name)
	}
	return names, nil
}

// stationPage is the data of a station's page: its week of airings, its as-run
// reconciliation of a month and, for those who may, a new token shown once.
type stationPage struct {
	Station      scheduler.Station
	ChannelLabel string
	Unit         string
	Languages    []string
	// People is the audience estimate as a number, 1.234.
	People string
	Days   []calendarDay
	// Week is the Monday of the week shown; Prev and Next link to its neighbours.
	Week             time.Time
	Prev, Next, Full string
	// AsRun is nil for an account that may not read it.
	AsRun *scheduler.StationRun
	Month time.Time
	// PrevMonth and NextMonth link to the as-run of the neighbouring months.
	PrevMonth, NextMonth string
	IssueToken           bool
	Created              *access.NewToken
	Units                stationUnits
}

// station shows /stations/{code}?date=2024-03-31&month=2024-03.
func (p *Pages) station(c *gin.Context) {
	p.renderStation(c, http.StatusOK, view{}, nil)
}

func (p *Pages) renderStation(c *gin.Context, status int, v view, created *access.NewToken) {
	ctx := c.Request.Context()
	u := current(c).User
	st, unit, err := p.stationInScope(ctx, u.Actor(), c.Param("code"))
	if err != nil {
		p.fail(c, err)
		return
	}
	data := stationPage{Station: st, ChannelLabel: channelLabel(st.Channel), Unit: unit,
		IssueToken: u.Can(access.WriteStations) && st.Active, Created: created, People: loa.Number(int64(st.Audience.People))}
	for _, l := range p.Content.Languages() {
		for _, code := range st.Languages {
			if l.Code == code {
				data.Languages = append(data.Languages, l.Name)
			}
		}
	}
	if data.Units, err = p.stationUnitsOf(ctx, st, u.Can(access.WriteStations)); err != nil {
		p.fail(c, err)
		return
	}
	day := p.Now().In(p.Zone)
	if d, ok := parseDate(c.Query("date")); ok {
		day = d.In(p.Zone)
	}
	data.Week = mondayOf(day)
	self := "/stations/" + url.PathEscape(st.Code)
	data.Prev = self + "?date=" + data.Week.AddDate(0, 0, -7).Format(time.DateOnly)
	data.Next = self + "?date=" + data.Week.AddDate(0, 0, 7).Format(time.DateOnly)
	data.Full = weekURL(st.Code, data.Week)
	if data.Days, err = p.calendarDays(ctx, []scheduler.Station{st}, data.Week, data.Week.AddDate(0, 0, 7)); err != nil {
		p.fail(c, err)
		return
	}
	if u.Can(access.ReadAsRun) {
		if data.Month, err = p.Scheduler.ParseMonth(c.Query("month")); err != nil {
			data.Month, _ = p.Scheduler.ParseMonth("")
		}
		run, err := p.Scheduler.StationAsRun(ctx, u.Actor(), st.Code, data.Month)
		if err != nil {
			p.fail(c, err)
			return
		}
		data.AsRun = &run
		data.PrevMonth = self + "?month=" + data.Month.AddDate(0, -1, 0).Format("2006-01") + "#asrun"
		data.NextMonth = self + "?month=" + data.Month.AddDate(0, 1, 0).Format("2006-01") + "#asrun"
	}
	v.Title, v.Data = st.Name, data
	p.render(c, status, "station.html", v)
}

// issueStationToken gives the station a new token (revoking the one it had) and
// shows it this once.
func (p *Pages) issueStationToken(c *gin.Context) {
	ctx := c.Request.Context()
	st, err := p.Scheduler.TokenStation(ctx, c.Param("code"))
	if err != nil {
		if errs, ok := formErrors(err); ok {
			p.renderStation(c, http.StatusUnprocessableEntity, view{Errors: errs}, nil)
			return
		}
		p.fail(c, err)
		return
	}
	t, err := p.Access.IssueStationToken(ctx, current(c).User, st.Code, st.OrgUnit, st.Name)
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	p.renderStation(c, http.StatusCreated, view{Flash: "Đã cấp mã mới cho đài; mã cũ (nếu có) đã bị thu hồi. Hãy sao chép ngay: mã chỉ hiện một lần."}, &t)
}
