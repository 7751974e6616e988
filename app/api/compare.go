package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/campaigns/report"
)

// compare answers a campaign's report beside another's (or another period's) on
// one map, unit by unit, with the changes.
func (h *handler) compare(c *gin.Context) {
	user := currentUser(c)
	out, err := h.Reports.Compare(c.Request.Context(), user.Actor(), c.Param("id"), report.CompareQuery{
		With: c.Query("with"), Period: c.Query("period"), WithPeriod: c.Query("withPeriod"), Map: c.Query("map"),
		Scope: c.Query("scope"), Suppress: !user.Can(access.ReadSmallCells),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
