package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// manualPage is the data of the page of a campaign's manual indicators: the
// values entered and, for those who may enter them, the form of one.
type manualPage struct {
	reachChoices
	Campaign   string
	Indicators []option
	Values     []reach.ManualValue
	CanWrite   bool
	// Deleting is the value the page asks to confirm the deletion of, if any.
	Deleting *reach.ManualValue
}

// IndicatorName names an indicator of the campaign.
func (m manualPage) IndicatorName(code string) string { return label(m.Indicators, code) }

func (p *Pages) manualValues(c *gin.Context) {
	form := url.Values{"campaign": {c.Query("campaign")}, "asOf": {string(loa.DateOf(p.Now().In(p.Zone)))},
		"orgUnit": {current(c).User.Scope}}
	p.renderManual(c, http.StatusOK, view{Form: form})
}

func (p *Pages) renderManual(c *gin.Context, status int, v view) {
	ctx, u := c.Request.Context(), current(c).User
	ch, err := p.reachChoicesFor(ctx, u, v.Value("campaign"), v.Value("orgUnit"))
	if err != nil {
		p.fail(c, err)
		return
	}
	ch.Nav.Page = "manual"
	data := manualPage{reachChoices: ch, Campaign: chosen(ch.Campaigns), CanWrite: u.Can(access.WriteManual)}
	if data.Campaign != "" {
		cp, err := p.Campaigns.Campaign(ctx, data.Campaign)
		if err != nil {
			p.fail(c, err)
			return
		}
		for _, in := range cp.Indicators {
			if in.Rule == campaigns.RuleManual {
				data.Indicators = append(data.Indicators, option{Value: in.Code, Label: in.Title,
					Selected: in.Code == v.Value("indicator")})
			}
		}
		if data.Values, err = p.Reach.ManualValues(ctx, u.Actor(), data.Campaign); err != nil {
			p.fail(c, err)
			return
		}
		for i, mv := range data.Values {
			if data.CanWrite && mv.ID == c.Query("delete") {
				data.Deleting = &data.Values[i]
			}
		}
	}
	v.Title, v.Data = "Chỉ tiêu nhập tay", data
	p.render(c, status, "reach_manual.html", v)
}

// putManualValue enters a manual indicator's value from its form.
func (p *Pages) putManualValue(c *gin.Context) {
	errs := map[string]string{}
	v := reach.ManualValue{Indicator: c.PostForm("indicator"), OrgUnit: c.PostForm("orgUnit"), AsOf: loa.Date(c.PostForm("asOf")),
		CountUnit: c.PostForm("countUnit"), Source: c.PostForm("source"), Note: c.PostForm("note")}
	if n := countField(c, errs, "numerator", true); n != nil {
		v.Numerator = *n
	}
	if n := countField(c, errs, "denominator", true); n != nil {
		v.Denominator = *n
	}
	if d, ok := parseDate(c.PostForm("asOf")); ok {
		v.AsOf = d
	}
	campaign := c.PostForm("campaign")
	if len(errs) == 0 {
		_, err := p.Reach.PutManualValue(c.Request.Context(), current(c).User.Actor(), campaign, v)
		if err == nil {
			redirect(c, "/reach/manual?campaign="+url.QueryEscape(campaign), "Đã lưu giá trị chỉ tiêu.")
			return
		}
		if errs = p.refusal(c, err); errs == nil {
			return
		}
	}
	form := c.Request.PostForm
	form.Set("asOf", string(v.AsOf))
	p.renderManual(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs})
}

func (p *Pages) deleteManualValue(c *gin.Context) {
	campaign := c.PostForm("campaign")
	if err := p.Reach.DeleteManualValue(c.Request.Context(), current(c).User.Actor(), campaign, c.PostForm("id")); err != nil {
		p.fail(c, err)
		return
	}
	redirect(c, "/reach/manual?campaign="+url.QueryEscape(campaign), "Đã xoá giá trị chỉ tiêu.")
}
