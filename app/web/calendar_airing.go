package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/content"
	"loa/scheduler"
)

// airingPage is the data of one airing's page: what it carries and, for a planner
// while it is still ahead, the forms to move it, give it other content or cancel
// it.
type airingPage struct {
	Airing  scheduler.Airing
	Station scheduler.Station
	Unit    string
	Title   string
	// Script is what the station reads, nil without approved content in force.
	Script *scheduler.FeedItem
	// Planner says the account may change airings; Change, that this one can
	// still change (the forms are shown).
	Planner, Change bool
	Choices         []content.Version
	// Date and Time are the move form's values (the airing's own at first).
	Date, Time string
	Week       string
	// Reason says why a cancelled airing was cancelled.
	Reason string
}

// cancelReasons say why an airing was cancelled.
var cancelReasons = map[string]string{
	scheduler.ReasonManual:       "người lập kế hoạch đã huỷ buổi này",
	scheduler.ReasonRuleInactive: "lịch phát định kỳ của buổi này đã ngừng",
	scheduler.ReasonUnscheduled:  "lịch phát định kỳ đã sửa, không còn buổi này",
	scheduler.ReasonDisplaced:    "một lịch phát ưu tiên hơn giữ giờ này",
}

// airing shows an airing of a station in the account's scope.
func (p *Pages) airing(c *gin.Context) {
	p.renderAiring(c, http.StatusOK, view{})
}

// renderAiring shows the airing page with a form's values and errors.
func (p *Pages) renderAiring(c *gin.Context, status int, v view) {
	ctx := c.Request.Context()
	u := current(c).User
	a, err := p.Scheduler.Airing(ctx, c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	st, unit, err := p.stationInScope(ctx, u.Actor(), a.Station)
	if err != nil {
		p.fail(c, err)
		return
	}
	start := a.Start.In(p.Zone)
	data := airingPage{Airing: a, Station: st, Unit: unit, Week: weekURL(st.Code, start),
		Planner: u.Can(access.WriteSchedule),
		Date:    start.Format(time.DateOnly), Time: start.Format("15:04"), Reason: cancelReasons[a.Reason]}
	data.Change = data.Planner && a.Changeable(p.Now())
	if v.Form != nil {
		data.Date, data.Time = v.Value("date"), v.Value("time")
	}
	if a.Content != "" {
		it, err := p.Content.Get(ctx, a.Content)
		if err != nil && !errors.Is(err, loa.ErrNotFound) { // content deleted since: no title
			p.fail(c, err)
			return
		}
		data.Title = it.Title
	}
	switch item, err := p.Scheduler.AiringScript(ctx, a.ID); {
	case err == nil:
		data.Script = &item
	case !errors.Is(err, loa.ErrNotFound):
		p.fail(c, err)
		return
	}
	if data.Change {
		if data.Choices, err = p.Scheduler.ContentChoices(ctx, a.ID); err != nil {
			p.fail(c, err)
			return
		}
	}
	v.Title, v.Data = "Buổi phát "+start.Format("15:04 02/01/2006")+" — "+st.Name, data
	p.render(c, status, "calendar_airing.html", v)
}

// changeAiring applies a change from one of the airing page's forms, then goes to
// target with a message; a refused change shows the page again with the errors.
func (p *Pages) changeAiring(c *gin.Context, form url.Values, ch scheduler.AiringChange, target func(scheduler.Airing) string, flash string) {
	a, err := p.Scheduler.ChangeAiring(c.Request.Context(), current(c).User.Actor(), c.Param("id"), ch)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		p.renderAiring(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs})
		return
	}
	redirect(c, target(a), flash)
}

func airingURL(a scheduler.Airing) string { return "/calendar/airings/" + url.PathEscape(a.ID) }

// moveAiring moves an airing to another date and time (in the deployment's zone).
func (p *Pages) moveAiring(c *gin.Context) {
	form := url.Values{"date": {c.PostForm("date")}, "time": {c.PostForm("time")}}
	errs := map[string]string{}
	day, ok := parseDate(c.PostForm("date"))
	if !ok {
		errs["date"] = "Chọn một ngày hợp lệ (dạng 31/03/2024)."
	}
	clock, err := time.Parse("15:04", strings.TrimSpace(c.PostForm("time")))
	if err != nil {
		errs["time"] = "Nhập giờ dạng 06:30 (từ 00:00 đến 23:59)."
	}
	if len(errs) > 0 {
		p.renderAiring(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs})
		return
	}
	d := day.In(p.Zone)
	start := time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), 0, 0, p.Zone)
	p.changeAiring(c, form, scheduler.AiringChange{Start: &start},
		func(a scheduler.Airing) string { return weekURL(a.Station, a.Start.In(p.Zone)) },
		"Đã dời buổi phát sang "+start.Format("15:04 ngày 02/01/2006")+".")
}

// refillAiring gives an airing another approved content item.
func (p *Pages) refillAiring(c *gin.Context) {
	item := c.PostForm("content")
	form := url.Values{"content": {item}}
	if item == "" {
		p.renderAiring(c, http.StatusUnprocessableEntity, view{Form: form,
			Errors: map[string]string{"content": "Chọn một nội dung đã duyệt."}})
		return
	}
	p.changeAiring(c, form, scheduler.AiringChange{Content: &item}, airingURL, "Đã đổi nội dung của buổi phát.")
}

// cancelAiring cancels one occurrence; the reason is kept as its note.
func (p *Pages) cancelAiring(c *gin.Context) {
	status, reason := scheduler.StatusCancelled, strings.TrimSpace(c.PostForm("reason"))
	ch := scheduler.AiringChange{Status: &status}
	if reason != "" {
		ch.Note = &reason
	}
	p.changeAiring(c, url.Values{"reason": {c.PostForm("reason")}}, ch, airingURL, "Đã huỷ buổi phát này (các buổi khác của lịch vẫn giữ nguyên).")
}

// restoreAiring plans a cancelled occurrence again.
func (p *Pages) restoreAiring(c *gin.Context) {
	status := scheduler.StatusPlanned
	p.changeAiring(c, url.Values{}, scheduler.AiringChange{Status: &status}, airingURL, "Đã lên lịch lại buổi phát.")
}
