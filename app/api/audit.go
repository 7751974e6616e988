package api

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/app/audit"
)

// auditPage is a page of the trail, newest first. It has no total: counting would
// read the whole trail.
type auditPage struct {
	Items      []audit.Entry `json:"items"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

// listAudit answers the trail within the reader's scope; only admins see changes of
// accounts and tokens.
func (h *handler) listAudit(c *gin.Context) {
	u := currentUser(c)
	q := audit.Query{Entity: c.Query("entity"), EntityID: c.Query("entityId"), Actor: c.Query("actor"), Scope: u.Scope}
	if !u.Can(access.ManageUsers) {
		q.Hide = []string{"user", "token"}
	}
	var err error
	if q.From, err = timeQuery(c, "from", time.UTC); err != nil {
		h.fail(c, err)
		return
	}
	if q.To, err = timeQuery(c, "to", time.UTC); err != nil {
		h.fail(c, err)
		return
	}
	if q.Limit, err = intQuery(c, "limit", 100, 1, maxLimit); err != nil {
		h.fail(c, err)
		return
	}
	if cur := c.Query("cursor"); cur != "" {
		after, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil || len(after) == 0 {
			h.fail(c, badRequest("cursor", "malformed cursor; use the nextCursor of the previous page"))
			return
		}
		q.After = string(after)
	}
	limit := q.Limit
	q.Limit++ // one more tells whether there is a next page
	entries, err := h.Audit.List(c.Request.Context(), q)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := auditPage{Items: entries}
	if len(entries) > limit {
		p.Items = entries[:limit]
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(entries[limit-1].ID))
	}
	c.JSON(http.StatusOK, p)
}

// timeQuery reads an optional instant: RFC 3339, or a date meaning its midnight in
// loc.
func timeQuery(c *gin.Context, name string, loc *time.Location) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, badRequest(name, name+" must be a date (2024-03-01) or an RFC 3339 time")
}
