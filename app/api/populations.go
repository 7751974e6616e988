package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"loa/campaigns"
)

func (h *handler) listTargetGroups(c *gin.Context) {
	groups, err := h.Campaigns.TargetGroups(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	// Groups are few and kept in their display order: one page, no cursor.
	c.JSON(http.StatusOK, page[campaigns.TargetGroup]{Items: groups, Total: len(groups)})
}

func (h *handler) listPopulations(c *gin.Context) {
	year, err := intQuery(c, "year", 0, 1900, 2200)
	if err != nil {
		h.fail(c, err)
		return
	}
	ps, err := h.Campaigns.Populations(c.Request.Context(), currentUser(c).Actor(), campaigns.PopulationFilter{
		Year: year, OrgUnit: c.Query("orgUnit"), Group: c.Query("group"),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, ps, func(p campaigns.Population) string { return p.ID }, strings.Compare)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) importPopulations(c *gin.Context) {
	h.importCSV(c, h.Campaigns.ImportPopulations)
}
