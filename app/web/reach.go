package web

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns/reach"
)

// reachPerPage is how many reach records the list shows at once.
const reachPerPage = 50

// reachChoices are what the reach pages offer to choose: the campaigns, the units
// of the account's scope, the target groups and the kinds of activity, and their
// names for the lists.
type reachChoices struct {
	Campaigns  []option
	Units      unitSelect
	Groups     []option
	Activities []option
	Nav        reachNav
	// unitNames name every unit by code ("Xã Tam Thanh").
	unitNames map[string]string
}

// reachNav is the reach pages' sub-navigation: the page shown, and whether the
// account may write records.
type reachNav struct {
	Page  string
	Write bool
}

// unitSelect is a select of the units of a scope, with the one chosen; All offers
// "every unit" (a filter) rather than asking for one (a form).
type unitSelect struct {
	Choices  scopeChoices
	Selected string
	All      bool
}

// UnitName names the unit code.
func (ch reachChoices) UnitName(code string) string { return cmp.Or(ch.unitNames[code], code) }

// GroupName names the target group code.
func (ch reachChoices) GroupName(code string) string { return label(ch.Groups, code) }

// ActivityName names the kind of activity code.
func (ch reachChoices) ActivityName(code string) string { return label(ch.Activities, code) }

// CampaignName names the campaign code.
func (ch reachChoices) CampaignName(code string) string { return label(ch.Campaigns, code) }

// reachChoicesFor reads the choices of the reach pages for u, with campaign (or
// the campaign under way, or the first) and unit chosen.
func (p *Pages) reachChoicesFor(ctx context.Context, u access.User, campaign, unit string) (reachChoices, error) {
	ch := reachChoices{unitNames: map[string]string{}, Nav: reachNav{Write: u.Can(access.WriteReach)}}
	cs, err := p.Campaigns.Campaigns(ctx)
	if err != nil {
		return ch, err
	}
	today := loa.DateOf(p.Now().In(p.Zone))
	pick, at := "", today
	for _, cp := range cs {
		if cp.Code == campaign || pick == "" && cp.Period.Contains(today) {
			pick, at = cp.Code, min(cp.Period.End, today)
		}
	}
	if pick == "" && len(cs) > 0 {
		pick, at = cs[0].Code, min(cs[0].Period.End, today)
	}
	for _, cp := range cs {
		ch.Campaigns = append(ch.Campaigns, option{Value: cp.Code, Label: cp.Code + " — " + cp.Title, Selected: cp.Code == pick})
	}
	groups, err := p.Campaigns.TargetGroups(ctx)
	if err != nil {
		return ch, err
	}
	for _, g := range groups {
		ch.Groups = append(ch.Groups, option{Value: g.Code, Label: g.NameVi})
	}
	for _, k := range reach.ActivityKinds {
		ch.Activities = append(ch.Activities, option{Value: k.Code, Label: k.Label})
	}
	// The units are those standing at the campaign's end (or today).
	tree, err := p.Campaigns.Tree(ctx, at)
	if err != nil {
		return ch, err
	}
	for _, un := range tree.Units() {
		ch.unitNames[un.Code] = un.Title()
	}
	ch.Units.Choices, _ = unitChoices(tree, u.Actor().Units())
	ch.Units.Selected = unit
	return ch, nil
}

// chosen is the value of the option chosen, or "".
func chosen(options []option) string {
	for _, o := range options {
		if o.Selected {
			return o.Value
		}
	}
	return ""
}

// reachListPage is the data of the list of reach records.
type reachListPage struct {
	reachChoices
	Campaign string
	Records  []reach.Reach
	// First is the address of the list's first page when this is not it; Next
	// that of the next page, when there is one.
	First, Next string
}

// Sessions is a record's count of activities, as the pages show numbers.
func (reachListPage) Sessions(r reach.Reach) int64 { return int64(r.Activities) }

func (p *Pages) reachList(c *gin.Context) {
	ctx, u := c.Request.Context(), current(c).User
	ch, err := p.reachChoicesFor(ctx, u, c.Query("campaign"), c.Query("orgUnit"))
	if err != nil {
		p.fail(c, err)
		return
	}
	ch.Units.All, ch.Nav.Page = true, "list"
	data := reachListPage{reachChoices: ch, Campaign: chosen(ch.Campaigns)}
	v := view{Title: "Số liệu hoạt động", Form: c.Request.URL.Query(), Errors: map[string]string{}}
	f := reach.ReachFilter{Campaign: data.Campaign, Scope: c.Query("orgUnit"), Group: c.Query("group"), Activity: c.Query("activity")}
	if m := c.Query("month"); m != "" {
		start, ok := parseMonth(m)
		if !ok {
			v.Errors["month"] = "Chọn tháng dạng mm/yyyy."
		} else {
			f.From, f.To = loa.DateOf(start), loa.DateOf(start.AddDate(0, 1, -1))
		}
	}
	after, err := base64.RawURLEncoding.DecodeString(c.Query("cursor"))
	if err != nil {
		after = nil // a cursor not ours: the first page
	}
	if data.Campaign != "" {
		rs, err := p.Reach.ListReach(ctx, u.Actor(), f, string(after), reachPerPage+1)
		if errs, ok := formErrors(err); ok {
			v.Errors = errs
		} else if err != nil {
			p.fail(c, err)
			return
		}
		data.Records = rs[:min(len(rs), reachPerPage)]
		q := c.Request.URL.Query()
		if len(rs) > reachPerPage {
			q.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(rs[reachPerPage-1].ID)))
			data.Next = "/reach?" + q.Encode()
		}
		if len(after) > 0 {
			q.Del("cursor")
			data.First = "/reach?" + q.Encode()
		}
	}
	v.Data = data
	p.render(c, http.StatusOK, "reach.html", v)
}

// parseMonth reads a month as a month picker sends it (2024-03) or as people write
// it (03/2024).
func parseMonth(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01", "1/2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// reachFormPage is the data of the form of one activity.
type reachFormPage struct {
	reachChoices
	// Edit says the form corrects a stored record: its key (campaign, unit,
	// group, date, activity, report number) is fixed.
	Edit bool
}

// Day writes the date of a form field as dd/mm/yyyy.
func (reachFormPage) Day(field string) string { return loa.Date(field).Display() }

func (p *Pages) newReach(c *gin.Context) {
	u := current(c).User
	form := url.Values{"campaign": {c.Query("campaign")}, "orgUnit": {u.Scope}, "activities": {"1"},
		"date": {string(loa.DateOf(p.Now().In(p.Zone)))}}
	p.renderReachForm(c, http.StatusOK, view{Form: form}, false)
}

// writableRecord reads the record the query's id names, one a person may change;
// the record of an airing sends to that airing, whose confirmation it follows.
func (p *Pages) writableRecord(c *gin.Context) (reach.Reach, bool) {
	r, err := p.Reach.ReachRecord(c.Request.Context(), current(c).User.Actor(), c.Query("id"))
	switch {
	case err != nil:
		p.fail(c, err)
	case r.Airing != "":
		c.Redirect(http.StatusSeeOther, "/calendar/airings/"+url.PathEscape(r.Airing))
	default:
		return r, true
	}
	return reach.Reach{}, false
}

func (p *Pages) editReach(c *gin.Context) {
	r, ok := p.writableRecord(c)
	if !ok {
		return
	}
	form := url.Values{"campaign": {r.Campaign}, "orgUnit": {r.OrgUnit}, "group": {r.Group}, "date": {string(r.Date)},
		"activity": {r.Activity}, "activities": {strconv.Itoa(r.Activities)}, "personTimes": {strconv.FormatInt(r.PersonTimes, 10)},
		"uniquePersons": {countText(r.UniquePersons)}, "firstTimePersons": {countText(r.FirstTimePersons)},
		"sourceRef": {r.SourceRef}, "evidence": {r.Evidence}, "edit": {"1"}}
	if r.Estimated {
		form.Set("estimated", "on")
	}
	p.renderReachForm(c, http.StatusOK, view{Form: form}, true)
}

// countText writes an optional count for a form field.
func countText(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func (p *Pages) renderReachForm(c *gin.Context, status int, v view, edit bool) {
	ch, err := p.reachChoicesFor(c.Request.Context(), current(c).User, v.Value("campaign"), v.Value("orgUnit"))
	if err != nil {
		p.fail(c, err)
		return
	}
	v.Form.Set("campaign", chosen(ch.Campaigns))
	ch.Nav.Page, v.Title = "new", "Ghi một hoạt động"
	if edit {
		ch.Nav.Page, v.Title = "list", "Sửa số liệu một hoạt động"
	}
	v.Data = reachFormPage{reachChoices: ch, Edit: edit}
	p.render(c, status, "reach_form.html", v)
}

// saveReach records an activity from its form, or corrects one (same key).
func (p *Pages) saveReach(c *gin.Context) {
	r, errs := reachInput(c)
	if len(errs) == 0 {
		_, created, err := p.Reach.PutReach(c.Request.Context(), current(c).User.Actor(), r)
		if err == nil {
			redirect(c, "/reach?campaign="+url.QueryEscape(r.Campaign), map[bool]string{true: "Đã ghi hoạt động.", false: "Đã cập nhật hoạt động."}[created])
			return
		}
		if errs = p.refusal(c, err); errs == nil {
			return
		}
	}
	form := c.Request.PostForm
	if d, ok := parseDate(form.Get("date")); ok {
		form.Set("date", string(d)) // as the date picker shows it
	}
	p.renderReachForm(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs}, form.Get("edit") != "")
}

// refusal is a service's refusal of a form as messages beside its fields; nil
// once an error that is not about the input is answered with its page.
func (p *Pages) refusal(c *gin.Context, err error) map[string]string {
	errs, ok := formErrors(err)
	if !ok {
		p.fail(c, err)
	}
	return errs
}

// reachInput reads an activity's form; errs are the fields that are not numbers.
// The service checks everything else.
func reachInput(c *gin.Context) (reach.Reach, map[string]string) {
	errs := map[string]string{}
	r := reach.Reach{Campaign: c.PostForm("campaign"), OrgUnit: c.PostForm("orgUnit"), Group: c.PostForm("group"),
		Activity: c.PostForm("activity"), SourceRef: c.PostForm("sourceRef"), Evidence: c.PostForm("evidence"),
		Estimated: c.PostForm("estimated") == "on", Date: loa.Date(c.PostForm("date"))}
	if d, ok := parseDate(c.PostForm("date")); ok {
		r.Date = d
	}
	if n := countField(c, errs, "activities", true); n != nil {
		r.Activities = int(min(max(*n, -1), 1<<31-1))
	}
	if n := countField(c, errs, "personTimes", true); n != nil {
		r.PersonTimes = *n
	}
	r.UniquePersons, r.FirstTimePersons = countField(c, errs, "uniquePersons", false), countField(c, errs, "firstTimePersons", false)
	return r, errs
}

// countField reads a whole number from the form's field: nil when it is empty (an
// error in errs when required) or not a number (an error in errs).
func countField(c *gin.Context, errs map[string]string, field string, required bool) *int64 {
	v := strings.TrimSpace(c.PostForm(field))
	if v == "" {
		if required {
			errs[field] = "Bắt buộc nhập (0 nếu không có)."
		}
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		errs[field] = "Nhập một số nguyên, không dùng dấu chấm hay dấu phẩy."
		return nil
	}
	return &n
}

// reachDeletePage is the data of the question before a record is deleted.
type reachDeletePage struct {
	reachChoices
	Record reach.Reach
}

// Sessions is the record's count of activities, as the pages show numbers.
func (d reachDeletePage) Sessions() int64 { return int64(d.Record.Activities) }

func (p *Pages) confirmDeleteReach(c *gin.Context) {
	r, ok := p.writableRecord(c)
	if !ok {
		return
	}
	ch, err := p.reachChoicesFor(c.Request.Context(), current(c).User, r.Campaign, "")
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "reach_delete.html", view{Title: "Xoá số liệu một hoạt động", Data: reachDeletePage{ch, r}})
}

func (p *Pages) deleteReach(c *gin.Context) {
	err := p.Reach.DeleteReach(c.Request.Context(), current(c).User.Actor(), c.PostForm("id"))
	if errs, ok := formErrors(err); ok {
		p.problem(c, http.StatusConflict, "Không xoá được", errs["id"]+errs[""])
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	redirect(c, "/reach?campaign="+url.QueryEscape(c.PostForm("campaign")), "Đã xoá số liệu hoạt động.")
}
