package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
	"loa/campaigns/report"
	"loa/content"
	"loa/scheduler"
)

// Bounds of the start page's to-do blocks.
const (
	todoFirst = 5  // entries shown in a block; the count says how many there are
	todoDays  = 14 // airings without content are looked for this many days ahead
)

// todo is one block of the start page: how many things wait, and the first few.
type todo[T any] struct {
	Total int64
	First []T
}

// More is how many entries the block does not show.
func (t *todo[T]) More() int64 { return t.Total - int64(len(t.First)) }

func (t *todo[T]) add(v T) {
	if t.Total++; len(t.First) < todoFirst {
		t.First = append(t.First, v)
	}
}

// pressGap is a month ahead of a running campaign with no press item planned.
type pressGap struct {
	Campaign string
	Year     int
	Month    string // 12/2026
}

// indicatorRisk is an indicator of a running campaign at risk or off track.
type indicatorRisk struct {
	Campaign string
	report.Result
}

// homePage is the data of the start page: the to-do blocks the account's roles
// call for (nil: not shown) and the campaigns.
type homePage struct {
	Review    *todo[content.Item]
	NoContent *todo[scheduler.Airing]
	Silent    *todo[scheduler.SilentStation]
	Press     *todo[pressGap]
	AtRisk    *todo[indicatorRisk]
	// StationNames name the stations of the airings shown, by code.
	StationNames map[string]string
	Days         int
	Campaigns    []campaigns.Campaign
	// Reports says whether the account may read the campaigns' reports.
	Reports bool
}

// home is the start page, "việc cần làm": what waits for this account, each entry a
// link to the page where it is fixed. Approvers see the items waiting for them;
// those who keep the calendar and the stations (planners, admins) see airings
// without content, silent stations and months without a press item, within their
// scope; readers of reports see the indicators of running campaigns at risk.
func (p *Pages) home(c *gin.Context) {
	ctx, u := c.Request.Context(), current(c).User
	data := homePage{Days: todoDays}
	var err error
	if u.Can(access.ReviewContent) {
		data.Review, err = p.reviewTodo(ctx, u.Username)
	}
	var running []campaigns.Campaign
	if err == nil && u.Can(access.ReadCampaigns) {
		data.Campaigns, err = p.Campaigns.Campaigns(ctx)
		today := loa.DateOf(p.Now().In(p.Zone))
		for _, cp := range data.Campaigns {
			if cp.Period.Contains(today) {
				running = append(running, cp)
			}
		}
		data.Reports = u.Can(access.ReadReports)
	}
	if err == nil && (u.Can(access.WriteSchedule) || u.Can(access.WriteStations)) {
		err = p.calendarTodos(ctx, &data, u.Actor(), running)
	}
	if err == nil && data.Reports {
		data.AtRisk, err = p.riskTodo(ctx, u.Actor(), running)
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "home.html", view{Title: "Việc cần làm", Data: data})
}

// reviewTodo is the items in review that username may decide on.
func (p *Pages) reviewTodo(ctx context.Context, username string) (*todo[content.Item], error) {
	items, err := p.Content.ToReview(ctx, username)
	if err != nil {
		return nil, err
	}
	t := &todo[content.Item]{}
	for _, it := range items {
		t.add(it)
	}
	return t, nil
}

// calendarTodos fills the blocks of the calendar within scope: airings without
// content in the next days (any campaign), and the silent stations and months
// without a press item of the running campaigns.
func (p *Pages) calendarTodos(ctx context.Context, data *homePage, actor loa.Actor, running []campaigns.Campaign) error {
	scope := actor.Scope
	now := p.Now()
	airings, err := p.Scheduler.Airings(ctx, scheduler.AiringFilter{Under: scope, Status: scheduler.StatusNoContent,
		From: now, To: now.AddDate(0, 0, todoDays)})
	if err != nil {
		return err
	}
	data.NoContent = &todo[scheduler.Airing]{}
	for _, a := range airings {
		data.NoContent.add(a)
	}
	data.StationNames = map[string]string{}
	for _, a := range data.NoContent.First {
		st, err := p.Scheduler.Station(ctx, a.Station)
		if err != nil {
			return err
		}
		data.StationNames[a.Station] = st.Name
	}
	data.Silent, data.Press = &todo[scheduler.SilentStation]{}, &todo[pressGap]{}
	var silent []string
	for _, cp := range running {
		g, err := p.Scheduler.Gaps(ctx, actor, cp.Code, now)
		if err != nil {
			return err
		}
		for _, st := range g.Silent {
			if !slices.Contains(silent, st.Station) {
				silent = append(silent, st.Station)
				data.Silent.add(st)
			}
		}
		for _, m := range g.PressMonths {
			if month, err := time.ParseInLocation("2006-01", m, p.Zone); err == nil {
				data.Press.add(pressGap{Campaign: cp.Code, Year: month.Year(), Month: month.Format("01/2006")})
			}
		}
	}
	return nil
}

// riskTodo is the indicators of the running campaigns at risk, off track or that
// can no longer be met, in the actor's scope.
func (p *Pages) riskTodo(ctx context.Context, actor loa.Actor, running []campaigns.Campaign) (*todo[indicatorRisk], error) {
	t := &todo[indicatorRisk]{}
	for _, cp := range running {
		r, err := p.Reports.Report(ctx, actor, cp.Code, report.ReportQuery{})
		var invalid *loa.ValidationError
		if errors.As(err, &invalid) {
			// The account's units are not on the campaign's map today (a district
			// abolished in 2025, not yet mapped): nothing of it to report here.
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, res := range r.Indicators {
			if res.Status == report.StatusAtRisk || res.Status == report.StatusOffTrack || res.Status == report.StatusCannotMeet {
				t.add(indicatorRisk{Campaign: cp.Code, Result: res})
			}
		}
	}
	return t, nil
}
