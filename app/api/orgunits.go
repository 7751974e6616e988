package api

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/campaigns"
)

// listOrgUnits answers from the page cache while the units are unchanged: every
// account reads the same reference data, and it changes only on import.
func (h *handler) listOrgUnits(c *gin.Context) {
	ctx := c.Request.Context()
	version, err := h.Campaigns.OrgUnitsVersion(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	at, err := dateQuery(c, "at")
	if err != nil {
		h.fail(c, err)
		return
	}
	at = cmp.Or(at, h.Campaigns.Today())
	// The page depends on these parameters and the date only: any other does not
	// make another page to keep (nor a key of its size).
	var key url.Values = map[string][]string{"at": {string(at)}}
	for _, name := range []string{"level", "parent", "q", "limit", "cursor"} {
		if v, ok := c.GetQuery(name); ok {
			key.Set(name, v)
		}
	}
	query := key.Encode()
	if body, ok := h.orgUnitPages.get(version, query); ok {
		c.Data(http.StatusOK, jsonType, body)
		return
	}
	units, err := h.Campaigns.OrgUnits(ctx, campaigns.OrgUnitFilter{
		Level: c.Query("level"), Parent: c.Query("parent"), Q: c.Query("q"), At: at,
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
	body, err := json.Marshal(p)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.orgUnitPages.put(version, query, body)
	c.Data(http.StatusOK, jsonType, body)
}

func (h *handler) showOrgUnit(c *gin.Context) {
	at, err := dateQuery(c, "at")
	if err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.Campaigns.OrgUnit(c.Request.Context(), c.Param("code"), at)
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
func (h *handler) importCSV(c *gin.Context, run func(context.Context, loa.Actor, io.Reader, bool) (loa.ImportSummary, error)) {
	dryRun, err := boolQuery(c, "dryRun")
	if err != nil {
		h.fail(c, err)
		return
	}
	lim := h.Campaigns.ImportLimits()
	AllowImport(c, lim.Time)
	file, _, err := openUpload(c, csvUpload, lim.FileBytes)
	if err != nil {
		h.fail(c, err)
		return
	}
	sum, err := run(c.Request.Context(), currentUser(c).Actor(), file, dryRun)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}
