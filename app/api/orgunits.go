package api

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"loa/campaigns"
)

func (h *handler) listOrgUnits(c *gin.Context) {
	units, err := h.Campaigns.OrgUnits(c.Request.Context(), campaigns.OrgUnitFilter{
		Level: c.Query("level"), Parent: c.Query("parent"), Q: c.Query("q"),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, units, func(u campaigns.OrgUnit) string { return u.Code }, campaigns.CompareCodes)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showOrgUnit(c *gin.Context) {
	u, err := h.Campaigns.OrgUnit(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *handler) importOrgUnits(c *gin.Context) {
	h.importCSV(c, h.Campaigns.ImportOrgUnits)
}

// importCSV runs an import on the uploaded CSV file and answers its summary; a
// dry run checks every row and writes nothing.
func (h *handler) importCSV(c *gin.Context, run func(context.Context, campaigns.Actor, io.Reader, bool) (campaigns.ImportSummary, error)) {
	dryRun, err := boolQuery(c, "dryRun")
	if err != nil {
		h.fail(c, err)
		return
	}
	data, err := readUpload(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	sum, err := run(c.Request.Context(), currentUser(c).Actor(), bytes.NewReader(data), dryRun)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}
