package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/scheduler"
)

// stationUnits are the lines of a station's page about its units across a
// reorganisation: those it belonged to before a move, and, when its unit has
// ended, the day it ended and the unit the crosswalk says its land passed to.
type stationUnits struct {
	Earlier []earlierUnit
	Ended   *loa.Date
	// Successor is the one unit the ended unit passed to, "" when it was split or
	// ended without successors (an admin chooses then).
	Successor, SuccessorTitle string
	// Move says the account may move the station.
	Move bool
}

// earlierUnit is a unit a station belonged to, through Until.
type earlierUnit struct {
	Title string
	Until loa.Date
}

// stationUnitsOf reads the units of st for its page.
func (p *Pages) stationUnitsOf(ctx context.Context, st scheduler.Station, move bool) (stationUnits, error) {
	out := stationUnits{Move: move}
	for _, a := range st.Earlier {
		u, err := p.Campaigns.Named(ctx, a.OrgUnit, a.Until)
		if err != nil {
			return out, err
		}
		out.Earlier = append(out.Earlier, earlierUnit{Title: u.Title(), Until: a.Until})
	}
	today := p.Campaigns.Today()
	now, err := p.Campaigns.Named(ctx, st.OrgUnit, today)
	if err != nil || now.ValidTo == nil || *now.ValidTo >= today {
		return out, err
	}
	out.Ended = now.ValidTo
	h, err := p.Campaigns.History(ctx)
	if err != nil {
		return out, err
	}
	// The form moves the station from the day after its unit ended, to the unit
	// its land passed to on that day (Phước Hòa → An Xuân on 01/01/2025).
	from := now.ValidTo.AddDays(1)
	if next, ok := h.Locate(st.OrgUnit, from); ok && next.ValidOn(from) {
		out.Successor, out.SuccessorTitle = next.Code, next.Title()
	}
	return out, nil
}

// moveStation moves a station to another unit from a date.
func (p *Pages) moveStation(c *gin.Context) {
	code := c.Param("code")
	m := scheduler.StationMove{OrgUnit: c.PostForm("orgUnit"), From: loa.Date(c.PostForm("from"))}
	if _, err := p.Scheduler.MoveStation(c.Request.Context(), current(c).User.Actor(), code, m); err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		p.renderStation(c, http.StatusUnprocessableEntity, view{Errors: errs,
			Form: url.Values{"orgUnit": {m.OrgUnit}, "from": {string(m.From)}}}, nil)
		return
	}
	redirect(c, "/stations/"+url.PathEscape(code), "Đã chuyển đài sang đơn vị "+m.OrgUnit+" từ ngày "+m.From.Display()+".")
}

// stationMoveMessages are the refusals of a station's move.
var stationMoveMessages = []message{
	{regexp.MustCompile(`^the first day in the new unit, YYYY-MM-DD$`), "Nhập ngày đài bắt đầu thuộc đơn vị mới."},
	{regexp.MustCompile(`^a move takes effect on or before today$`), "Ngày chuyển không được sau hôm nay."},
	{regexp.MustCompile(`^the station belongs to (\S+) from (\S+); a move must start after that$`),
		"Đài thuộc đơn vị $1 từ ngày $2; ngày chuyển phải sau ngày đó."},
	{regexp.MustCompile(`^the station belongs to (\S+) already$`), "Đài đã thuộc đơn vị $1."},
	{regexp.MustCompile(`^no org unit (\S+) stands on (\S+)$`), "Không có đơn vị mã $1 vào ngày $2."},
}
