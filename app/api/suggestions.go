package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/campaigns/report"
)

// suggestions answers what would close the gap of each indicator of a campaign not
// yet met (gợi ý kế hoạch), for the report's period, date and scope; small counts
// of people are hidden from viewers as in the report.
func (h *handler) suggestions(c *gin.Context) {
	user := currentUser(c)
	s, err := h.Reports.Suggestions(c.Request.Context(), user.Actor(), c.Param("id"), report.ReportQuery{
		AsOf: c.Query("asOf"), Scope: c.Query("scope"), Period: c.Query("period"),
		Suppress: !user.Can(access.ReadSmallCells),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}
