package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
	"loa/content"
)

// campaignsPerPage is how many campaigns the list shows at once.
const campaignsPerPage = 20

// campaignsPage is the data of the list of campaigns.
type campaignsPage struct {
	Campaigns []campaigns.Campaign
	Today     loa.Date
	// Next is the cursor of the next page ("" on the last), Prev says whether this
	// is not the first.
	Next    string
	Prev    bool
	CanEdit bool
}

func (p *Pages) listCampaigns(c *gin.Context) {
	all, err := p.Campaigns.Campaigns(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	after := c.Query("after")
	start, _ := slices.BinarySearchFunc(all, after, func(cp campaigns.Campaign, code string) int {
		return strings.Compare(cp.Code, code)
	})
	if start < len(all) && after != "" && all[start].Code == after {
		start++
	}
	page := all[start:min(len(all), start+campaignsPerPage)]
	data := campaignsPage{Campaigns: page, Today: loa.DateOf(p.Now().In(p.Zone)), Prev: after != "",
		CanEdit: current(c).User.Can(access.WriteCampaigns)}
	if start+len(page) < len(all) {
		data.Next = page[len(page)-1].Code
	}
	p.render(c, http.StatusOK, "campaigns.html", view{Title: "Chương trình", Data: data})
}

// campaignPage is the data of a campaign's page: its targets and, for readers of
// reports, the dashboard (dashboard.go).
type campaignPage struct {
	Campaign    campaigns.Campaign
	Description template.HTML
	Indicators  []campaignIndicator
	Dashboard   *dashboardPage
	Choices     choices
	CanEdit     bool
}

// campaignIndicator is an indicator with its card on the dashboard (nil without
// one).
type campaignIndicator struct {
	campaigns.Indicator
	Target string // the threshold in % as people write it: 70, 70,5
	Card   *indicatorCard
}

func (p *Pages) showCampaign(c *gin.Context) {
	ctx, u := c.Request.Context(), current(c).User
	cp, err := p.Campaigns.Campaign(ctx, c.Param("code"))
	if err != nil {
		p.fail(c, err)
		return
	}
	data := campaignPage{Campaign: cp, Description: template.HTML(content.RenderHTML(cp.Description)),
		CanEdit: u.Can(access.WriteCampaigns)}
	if data.Choices, err = p.choices(ctx, cp.Period); err != nil {
		p.fail(c, err)
		return
	}
	status, errs := http.StatusOK, map[string]string(nil)
	if u.Can(access.ReadReports) {
		if data.Dashboard, errs, err = p.dashboard(c, cp); err != nil {
			p.fail(c, err)
			return
		}
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
	}
	for _, in := range cp.Indicators {
		ci := campaignIndicator{Indicator: in, Target: percentText(in.Threshold)}
		if d := data.Dashboard; d != nil {
			if i := slices.IndexFunc(d.Cards, func(r indicatorCard) bool { return r.Indicator == in.Code }); i >= 0 {
				ci.Card = &d.Cards[i]
			}
		}
		data.Indicators = append(data.Indicators, ci)
	}
	v := view{Title: cp.Code + " — " + cp.Title, Data: data, Errors: errs}
	if data.Dashboard != nil {
		v.Form = data.Dashboard.Choice.Values
	}
	p.render(c, status, "campaigns_show.html", v)
}
