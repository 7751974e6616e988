package api

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/content"
)

func (h *handler) listContents(c *gin.Context) {
	inForce, err := boolQuery(c, "inForce")
	if err != nil {
		h.fail(c, err)
		return
	}
	f := content.Filter{
		Q: c.Query("q"), Kind: c.Query("kind"), Group: c.Query("group"), Language: c.Query("language"),
		Status: c.Query("status"), Campaign: c.Query("campaign"), InForce: inForce,
	}
	items, err := h.Content.List(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginateBy(c, items, f.Key, strings.Compare, contentLimit)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showContent(c *gin.Context) {
	it, err := h.Content.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

func (h *handler) createContent(c *gin.Context) {
	var in content.Input
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	it, err := h.Content.Create(c.Request.Context(), currentUser(c).Actor(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/contents/"+it.ID)
	c.JSON(http.StatusCreated, it)
}

func (h *handler) updateContent(c *gin.Context) {
	var in content.Input
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	it, err := h.Content.Update(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

func (h *handler) deleteContent(c *gin.Context) {
	if err := h.Content.Delete(c.Request.Context(), currentUser(c).Actor(), c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type stepRequest struct {
	Comment string `json:"comment"`
}

// step takes a workflow step; the body, optional, carries a comment (required to
// reject).
func (h *handler) step(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req stepRequest
		if c.Request.ContentLength > 0 || (c.Request.ContentLength < 0 && c.GetHeader("Content-Type") != "") {
			if err := decodeJSON(c, &req); err != nil {
				h.fail(c, err)
				return
			}
		}
		u := currentUser(c)
		r := content.Reviewer{Actor: u.Actor(), Approver: u.Can(access.ReviewContent)}
		out, err := h.Content.Step(c.Request.Context(), r, c.Param("id"), action, req.Comment)
		if err != nil {
			h.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, out)
	}
}

func (h *handler) listVersions(c *gin.Context) {
	vs, err := h.Content.Versions(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page[content.Version]{Items: vs, Total: len(vs)})
}

func (h *handler) diffVersions(c *gin.Context) {
	from, err := intQuery(c, "from", 0, 1, 1<<30)
	if err == nil && from == 0 {
		err = badRequest("from", "from is required: the version number to compare from")
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	to, err := intQuery(c, "to", 0, 1, 1<<30)
	if err == nil && to == 0 {
		err = badRequest("to", "to is required: the version number to compare to")
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	d, err := h.Content.DiffVersions(c.Request.Context(), c.Param("id"), from, to)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *handler) listComments(c *gin.Context) {
	cs, err := h.Content.Comments(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page[content.Comment]{Items: cs, Total: len(cs)})
}

type commentRequest struct {
	Text string `json:"text"`
}

func (h *handler) addComment(c *gin.Context) {
	var req commentRequest
	if err := decodeJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	cm, err := h.Content.AddComment(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), req.Text)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cm)
}

// renderContent renders a version as HTML or read-aloud text; with orgUnit (a
// commune) the placeholders are filled as that commune's station would hear them.
func (h *handler) renderContent(c *gin.Context) {
	ctx := c.Request.Context()
	version, err := intQuery(c, "version", 0, 1, 1<<30)
	if err != nil {
		h.fail(c, err)
		return
	}
	req := content.RenderRequest{Version: version, Format: c.DefaultQuery("format", "html")}
	if code := c.Query("orgUnit"); code != "" {
		var date time.Time
		if d := c.Query("date"); d != "" {
			if date, err = time.Parse("2006-01-02", d); err != nil {
				h.fail(c, badRequest("date", "date must be of the form 2024-03-01"))
				return
			}
		}
		var at loa.Date
		if !date.IsZero() {
			at = loa.DateOf(date)
		}
		u, err := h.Campaigns.OrgUnit(ctx, code, at)
		if errors.Is(err, loa.ErrNotFound) {
			err = badRequest("orgUnit", err.Error())
		}
		if err != nil {
			h.fail(c, err)
			return
		}
		fill := h.Content.FieldsAt(u, "", date)
		req.Fill = &fill
	}
	out, err := h.Content.Render(ctx, c.Param("id"), req)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) uploadAttachment(c *gin.Context) {
	release, err := h.Content.AttachmentSlot()
	if err != nil {
		h.fail(c, err)
		return
	}
	defer release()
	data, name, err := readUpload(c, attachmentUpload)
	if err != nil {
		h.fail(c, err)
		return
	}
	it, err := h.Content.Attach(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), name, data)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

// downloadAttachment sends an item's recording or image with its hash and length.
func (h *handler) downloadAttachment(c *gin.Context) {
	version, err := intQuery(c, "version", 0, 1, 1<<30)
	if err != nil {
		h.fail(c, err)
		return
	}
	a, data, err := h.Content.AttachmentOf(c.Request.Context(), c.Param("id"), version)
	if err != nil {
		h.fail(c, err)
		return
	}
	sendAttachment(c, a, data)
}

// sendAttachment sends a recording or image with its hash and length.
func sendAttachment(c *gin.Context, a content.Attachment, data []byte) {
	c.Header("ETag", strconv.Quote(a.SHA256))
	c.Header("X-Content-SHA256", a.SHA256)
	if a.Name != "" {
		// RFC 2231 encoding keeps Vietnamese file names intact.
		c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	}
	c.Data(http.StatusOK, a.ContentType, data)
}

func (h *handler) listLanguages(c *gin.Context) {
	ls := h.Content.Languages()
	c.JSON(http.StatusOK, page[content.Language]{Items: ls, Total: len(ls)})
}
