package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/campaigns"
	"loa/scheduler"
)

// pressPage is the data of the press calendar: a campaign's twelve months of
// provincial press items, planned and published, and whether each month has "at
// least one item a month".
type pressPage struct {
	Campaigns []campaigns.Campaign
	Campaign  string
	Year      int
	Years     []int
	Calendar  scheduler.PressCalendar
	Months    []pressMonth
}

// pressMonth is one month of the press calendar with its verdict and its items.
type pressMonth struct {
	scheduler.PressMonth
	Start        time.Time
	Label, Class string
	Items        []calendarEntry
}

// pressStates say each month's verdict in Vietnamese with a symbol, so that colour
// is never the only sign.
var pressStates = map[string]struct{ label, class string }{
	scheduler.MonthMet:            {"✓ Đạt: đã có bài đăng", "ok"},
	scheduler.MonthMissed:         {"✗ Không đạt: tháng qua không có bài", "bad"},
	scheduler.MonthPlanned:        {"◷ Đã có bài dự kiến, chưa đăng", "info"},
	scheduler.MonthNothingPlanned: {"! Chưa có bài nào dự kiến", "warn"},
}

// pressCalendar shows /calendar/press?campaign=PCMD-2024&year=2024.
func (p *Pages) pressCalendar(c *gin.Context) {
	ctx := c.Request.Context()
	cs, err := p.Campaigns.Campaigns(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	data := pressPage{Campaigns: cs, Campaign: c.Query("campaign")}
	if len(cs) == 0 {
		p.render(c, http.StatusOK, "calendar_press.html", view{Title: "Lịch báo in", Data: data})
		return
	}
	i := slices.IndexFunc(cs, func(x campaigns.Campaign) bool { return x.Code == data.Campaign })
	if i < 0 {
		i = runningCampaign(cs, loa.DateOf(p.Now().In(p.Zone)))
	}
	camp := cs[i]
	data.Campaign = camp.Code
	for y := camp.Period.Start.Year(); y <= camp.Period.End.Year(); y++ {
		data.Years = append(data.Years, y)
	}
	data.Year = data.Years[0]
	if y, err := strconv.Atoi(c.Query("year")); err == nil && slices.Contains(data.Years, y) {
		data.Year = y
	} else if this := p.Scheduler.CurrentYear(); slices.Contains(data.Years, this) {
		data.Year = this
	}
	if data.Calendar, err = p.Scheduler.PressCalendar(ctx, camp.Code, data.Year); err != nil {
		p.fail(c, err)
		return
	}
	press, err := p.Scheduler.Stations(ctx, scheduler.StationFilter{Channel: scheduler.ChannelPress})
	if err != nil {
		p.fail(c, err)
		return
	}
	titles, err := p.contentTitles(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	codes := make([]string, len(press))
	for i, st := range press {
		codes[i] = st.Code
	}
	for _, m := range data.Calendar.Months {
		from, _ := p.Scheduler.ParseMonth(m.Month)
		as, err := p.Scheduler.Airings(ctx, scheduler.AiringFilter{Stations: codes, Campaign: camp.Code, From: from, To: from.AddDate(0, 1, 0)})
		if err != nil {
			p.fail(c, err)
			return
		}
		s := pressStates[m.State]
		pm := pressMonth{PressMonth: m, Start: from, Label: s.label, Class: s.class}
		for _, a := range as {
			pm.Items = append(pm.Items, calendarEntry{ID: a.ID, Title: titles[a.Content], Status: a.Status, Start: a.Start})
		}
		data.Months = append(data.Months, pm)
	}
	p.render(c, http.StatusOK, "calendar_press.html", view{Title: "Lịch báo in " + strconv.Itoa(data.Year), Data: data})
}

// runningCampaign is the campaign running on today, else the latest to start.
func runningCampaign(cs []campaigns.Campaign, today loa.Date) int {
	best := 0
	for i, c := range cs {
		if c.Period.Start <= today && today <= c.Period.End {
			return i
		}
		if c.Period.Start > cs[best].Period.Start {
			best = i
		}
	}
	return best
}
