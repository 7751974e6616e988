package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/campaigns"
)

// homePage is the data of the start page.
type homePage struct {
	Campaigns []campaigns.Campaign
	// Reports says whether the account may read the campaigns' reports.
	Reports bool
}

func (p *Pages) home(c *gin.Context) {
	u := current(c).User
	var data homePage
	if u.Can(access.ReadCampaigns) {
		cs, err := p.Campaigns.Campaigns(c.Request.Context())
		if err != nil {
			p.fail(c, err)
			return
		}
		data.Campaigns, data.Reports = cs, u.Can(access.ReadReports)
	}
	p.render(c, http.StatusOK, "home.html", view{Title: "Việc cần làm", Data: data})
}
