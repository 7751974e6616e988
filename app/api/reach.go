package api

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns/reach"
	"loa/campaigns/report"
	"loa/campaigns/report/export"
)

// sheetUpload is a reach import: a CSV file or an Excel workbook (the service reads
// which from the content).
var sheetUpload = upload{[]string{"text/csv", "application/csv", "text/plain",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"},
	"a CSV file (text/csv) or an Excel workbook (.xlsx)"}

const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// reachPage is a page of reach records: the collection grows without bound, so no
// total is counted.
type reachPage struct {
	Items      []reach.Reach `json:"items"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

func (h *handler) listReach(c *gin.Context) {
	limit, err := intQuery(c, "limit", contentLimit, 1, maxLimit)
	if err != nil {
		h.fail(c, err)
		return
	}
	after, err := base64.RawURLEncoding.DecodeString(c.Query("cursor"))
	if err != nil {
		h.fail(c, badRequest("cursor", "cursor is not one this API gave out"))
		return
	}
	f := reach.ReachFilter{Campaign: c.Query("campaign"), Scope: c.Query("orgUnit"), Group: c.Query("group"),
		Activity: c.Query("activity"), From: loa.Date(c.Query("from")), To: loa.Date(c.Query("to"))}
	rs, err := h.Reach.ListReach(c.Request.Context(), currentUser(c).Actor(), f, string(after), limit+1)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := reachPage{Items: rs[:min(limit, len(rs))]}
	if p.Items == nil {
		p.Items = []reach.Reach{} // [], not null, when nothing matches
	}
	if len(rs) > limit {
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(rs[limit-1].ID))
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showReach(c *gin.Context) {
	r, err := h.Reach.ReachRecord(c.Request.Context(), currentUser(c).Actor(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// putReach records a reach record under its natural key: 201 when new, 200 when it
// replaced (or repeated) the report of the same activity.
func (h *handler) putReach(c *gin.Context) {
	var r reach.Reach
	if err := decodeJSON(c, &r); err != nil {
		h.fail(c, err)
		return
	}
	out, created, err := h.Reach.PutReach(c.Request.Context(), currentUser(c).Actor(), r)
	if err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/reach/"+url.PathEscape(out.ID))
	}
	c.JSON(status, out)
}

func (h *handler) deleteReach(c *gin.Context) {
	if err := h.Reach.DeleteReach(c.Request.Context(), currentUser(c).Actor(), c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) importReach(c *gin.Context) {
	dryRun, err := boolQuery(c, "dryRun")
	if err != nil {
		h.fail(c, err)
		return
	}
	lim := h.Campaigns.ImportLimits()
	AllowImport(c, lim.Time)
	file, _, err := openUpload(c, sheetUpload, lim.FileBytes)
	if err != nil {
		h.fail(c, err)
		return
	}
	sum, err := h.Reach.ImportReach(c.Request.Context(), currentUser(c).Actor(), c.Query("campaign"), file, dryRun)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

func (h *handler) reachTemplate(c *gin.Context) {
	format := c.DefaultQuery("format", "xlsx")
	data, err := h.Reach.ReachTemplate(c.Request.Context(), format)
	if err != nil {
		h.fail(c, err)
		return
	}
	kind := xlsxType
	if format == "csv" {
		kind = "text/csv; charset=utf-8"
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mau-nhap-so-lieu.%s"`, format))
	c.Data(http.StatusOK, kind, data)
}

func (h *handler) listManualValues(c *gin.Context) {
	vs, err := h.Reach.ManualValues(c.Request.Context(), currentUser(c).Actor(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	// Entered values are few (a handful per indicator): one page.
	c.JSON(http.StatusOK, page[reach.ManualValue]{Items: vs, Total: len(vs)})
}

func (h *handler) putManualValue(c *gin.Context) {
	var v reach.ManualValue
	if err := decodeJSON(c, &v); err != nil {
		h.fail(c, err)
		return
	}
	out, err := h.Reach.PutManualValue(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), v)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) deleteManualValue(c *gin.Context) {
	err := h.Reach.DeleteManualValue(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), c.Param("value"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// reportDraft answers the narrative of a campaign's report for a period (empty,
// version 0, when nobody has written it).
func (h *handler) reportDraft(c *gin.Context) {
	d, err := h.Reports.Draft(c.Request.Context(), c.Param("id"), c.Param("period"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// putReportDraft saves the narrative; the body names the version it edits.
func (h *handler) putReportDraft(c *gin.Context) {
	var d report.Draft
	if err := decodeJSON(c, &d); err != nil {
		h.fail(c, err)
		return
	}
	out, err := h.Reports.PutDraft(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), c.Param("period"), d)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// report answers the secretariat's report as JSON, the long-format CSV, a
// formatted workbook or a printable page. Readers without access to small cells
// (viewers) get them suppressed in every format.
func (h *handler) report(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	if !slices.Contains([]string{"json", "csv", "xlsx", "html", "docx"}, format) {
		h.fail(c, badRequest("format", "format must be json, csv, xlsx, html or docx"))
		return
	}
	user := currentUser(c)
	r, err := h.Reports.Report(c.Request.Context(), user.Actor(), c.Param("id"), report.ReportQuery{
		AsOf: c.Query("asOf"), Scope: c.Query("scope"), Period: c.Query("period"), Map: c.Query("map"),
		Suppress: !user.Can(access.ReadSmallCells),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	name := fmt.Sprintf("bao-cao-%s-%s-%s.%s", r.Campaign.Code, r.Scope.Code, r.AsOf, format)
	switch format {
	case "json":
		c.JSON(http.StatusOK, r)
		return
	case "csv":
		var b bytes.Buffer
		err = export.CSV(&b, r)
		if err == nil {
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
			c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
		}
	case "xlsx":
		var data []byte
		if data, err = export.XLSX(r); err == nil {
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
			c.Data(http.StatusOK, xlsxType, data)
		}
	case "docx", "html": // the official form, with the secretariat's narrative
		var d report.Draft
		if d, err = h.Reports.Draft(c.Request.Context(), r.Campaign.Code, r.Window.Period); err != nil {
			break
		}
		var data []byte
		if format == "docx" {
			if data, err = export.DOCX(r, h.ReportForm, d, r.GeneratedAt); err == nil {
				c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
				c.Data(http.StatusOK, docxType, data)
			}
		} else if data, err = export.HTML(r, h.ReportForm, d, r.GeneratedAt); err == nil {
			allowInlineStyle(c, export.StyleSource)
			c.Data(http.StatusOK, "text/html; charset=utf-8", data)
		}
	}
	if err != nil {
		h.fail(c, err)
	}
}
