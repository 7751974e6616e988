package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/scheduler"
	"loa/scheduler/feedformat"
)

// errStationOnly turns away a station token from the rest of the API.
var errStationOnly = fmt.Errorf("%w: a station token reads only its station's feed under /api/v1/station", access.ErrForbidden)

// requireStation lets a request through only with a station's own token: a bearer
// token, or for the calendar (which calendar apps fetch without headers) ?token=.
// Request logs carry the route, never the query.
func (h *handler) requireStation(c *gin.Context) {
	secret, fromCookie := bearer(c), false
	if secret == "" && strings.HasSuffix(c.FullPath(), ".ics") {
		secret = c.Query("token")
	}
	if secret == "" {
		if ck, err := c.Cookie(OperatorCookie); err == nil {
			secret, fromCookie = ck, true
		}
	}
	h.admit(c, secret, fromCookie, func(u access.User, t access.Token) error {
		if !t.ForStation() || u.Station == "" {
			return fmt.Errorf("%w: these routes take a station's token (POST /api/v1/stations/{code}/token)", access.ErrForbidden)
		}
		return nil
	})
}

// attachmentPath is where a station downloads the attachment of one of its
// airings (the route in Register).
func attachmentPath(airingID string) string {
	return "/api/v1/station/airings/" + airingID + "/attachment"
}

// feedETag is the strong validator of a feed's version; each encoding is its own
// representation, with its own validator.
func feedETag(f scheduler.Feed, gzipped bool) string {
	if gzipped {
		return `"` + f.Version + `-gz"`
	}
	return `"` + f.Version + `"`
}

// feedBodies keeps the encoded feeds by version: a version stands for one exact
// body, so an unchanged schedule is neither encoded nor compressed again.
type feedBodies struct {
	mu sync.Mutex
	m  map[string]*feedBody
}

// feedBody is a feed encoded plain and gzipped, with the ETag of each ready to set:
// a pull of an unchanged feed allocates nothing for it. The header values are
// shared by every answer and never changed (each has no spare capacity, so an
// append elsewhere copies it).
type feedBody struct {
	plain, gz encodedFeed
}

type encodedFeed struct {
	data []byte
	etag []string
}

const maxFeedBodies = 4096

// Header values every pull answer carries.
var (
	feedCacheControl = []string{"private, max-age=60"}
	feedVary         = []string{"Accept-Encoding"}
	gzipEncoding     = []string{"gzip"}
	jsonContentType  = []string{jsonType}
)

func (b *feedBodies) get(f scheduler.Feed) (*feedBody, error) {
	b.mu.Lock()
	body, ok := b.m[f.Version]
	b.mu.Unlock()
	if ok {
		return body, nil
	}
	plain, err := json.Marshal(feedformat.Of(f, attachmentPath))
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	body = &feedBody{plain: encodedFeed{plain, []string{feedETag(f, false)}}, gz: encodedFeed{gz.Bytes(), []string{feedETag(f, true)}}}
	b.mu.Lock()
	if b.m == nil || len(b.m) >= maxFeedBodies {
		b.m = map[string]*feedBody{}
	}
	b.m[f.Version] = body
	b.mu.Unlock()
	return body, nil
}

// stationFeed reads the window of the station's feed the query asks for.
func (h *handler) stationFeed(c *gin.Context) (scheduler.Feed, error) {
	var from, to time.Time
	if c.Request.URL.RawQuery != "" { // no query: the default window, without parsing one
		zone := h.Scheduler.Zone()
		var err error
		if from, err = timeQuery(c, "from", zone); err != nil {
			return scheduler.Feed{}, err
		}
		if to, err = timeQuery(c, "to", zone); err != nil {
			return scheduler.Feed{}, err
		}
	}
	return h.Scheduler.StationFeed(c.Request.Context(), currentUser(c).Station, from, to)
}

// notModified sets the ETag and answers 304 when the client holds the current
// version. If-None-Match uses the weak comparison (RFC 9110 §13.1.2): a list of
// tags, any of them in its weak form W/"…" (as a proxy that compressed the body
// sends it back), or *. An ETag names a version the station reads anyway, no
// secret, so it is compared plainly.
func notModified(c *gin.Context, etag []string) bool {
	hd := c.Writer.Header()
	hd["Etag"], hd["Cache-Control"] = etag, feedCacheControl
	for list, more := c.Request.Header.Get("If-None-Match"), true; more; {
		var tag string
		tag, list, more = strings.Cut(list, ",")
		if t := strings.TrimSpace(tag); t == "*" || strings.TrimPrefix(t, "W/") == etag[0] {
			c.Status(http.StatusNotModified)
			return true
		}
	}
	return false
}

func acceptsGzip(c *gin.Context) bool {
	for list, more := c.Request.Header.Get("Accept-Encoding"), true; more; {
		var part string
		part, list, more = strings.Cut(list, ",")
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

func (h *handler) pullSchedule(c *gin.Context) {
	f, err := h.stationFeed(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	body, err := h.feedBodies.get(f)
	if err != nil {
		h.fail(c, err)
		return
	}
	hd := c.Writer.Header()
	hd["Vary"] = feedVary
	rep := &body.plain
	if acceptsGzip(c) {
		rep = &body.gz
	}
	if notModified(c, rep.etag) {
		return
	}
	if rep == &body.gz {
		hd["Content-Encoding"] = gzipEncoding
	}
	// No Content-Length: with the security headers that would be a ninth header, and
	// a header map past eight entries costs a larger map and its copy on every pull
	// (1 KB more allocated per pull, measured).
	hd["Content-Type"] = jsonContentType
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(rep.data)
}

func (h *handler) pullCalendar(c *gin.Context) {
	f, err := h.stationFeed(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if notModified(c, []string{feedETag(f, false)}) {
		return
	}
	ics, err := feedformat.ICS(feedformat.Of(f, attachmentPath), h.Scheduler.Zone(), "-//Loa//Lich phat song//VI")
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+f.Station.Code+`.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", ics)
}

// stationItem reads the airing of the path as the station's feed shows it.
func (h *handler) stationItem(c *gin.Context) (scheduler.FeedStation, scheduler.FeedItem, bool) {
	st, it, err := h.Scheduler.StationItem(c.Request.Context(), currentUser(c).Station, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return st, it, false
	}
	return st, it, true
}

func (h *handler) scriptText(c *gin.Context) {
	if _, it, ok := h.stationItem(c); ok {
		c.Header("X-Content-SHA256", it.ContentHash)
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(it.Script))
	}
}

func (h *handler) scriptHTML(c *gin.Context) {
	st, it, ok := h.stationItem(c)
	if !ok {
		return
	}
	page, err := feedformat.ScriptHTML(st, it, h.Scheduler.Zone())
	if err != nil {
		h.fail(c, err)
		return
	}
	allowInlineStyle(c, feedformat.ScriptStyleSource)
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}

func (h *handler) stationAttachment(c *gin.Context) {
	_, it, ok := h.stationItem(c)
	if !ok {
		return
	}
	a, data, err := h.Content.AttachmentOf(c.Request.Context(), it.Content, it.ContentVersion)
	if err != nil {
		h.fail(c, err)
		return
	}
	sendAttachment(c, a, data)
}

func (h *handler) confirmAiring(c *gin.Context) {
	var in scheduler.Confirmation
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	in.AiringID = c.Param("id")
	u := currentUser(c)
	a, _, err := h.Scheduler.Confirm(c.Request.Context(), u.Actor(), u.Station, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *handler) confirmBatch(c *gin.Context) {
	var batch []scheduler.Confirmation
	if err := decodeJSON(c, &batch); err != nil {
		h.fail(c, err)
		return
	}
	u := currentUser(c)
	sum, err := h.Scheduler.ConfirmBatch(c.Request.Context(), u.Actor(), u.Station, batch)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

// issueStationToken gives a station a new token, shown once, revoking its old one.
func (h *handler) issueStationToken(c *gin.Context) {
	st, err := h.Scheduler.TokenStation(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	t, err := h.Access.IssueStationToken(c.Request.Context(), currentUser(c), st.Code, st.OrgUnit, st.Name)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, t)
}

func (h *handler) stationAsRun(c *gin.Context) {
	month, err := h.Scheduler.ParseMonth(c.Query("month"))
	if err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.Scheduler.StationAsRun(c.Request.Context(), currentUser(c).Actor(), c.Param("code"), month)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"month": month.Format("2006-01"), "station": r})
}

func (h *handler) campaignAsRun(c *gin.Context) {
	month, err := h.Scheduler.ParseMonth(c.Query("month"))
	if err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.Scheduler.CampaignAsRun(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), c.Query("under"), month)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// operatorLink is a new operator link: its secret, shown only here, and the path a
// phone opens to sign in with it.
type operatorLink struct {
	access.NewToken
	Path string `json:"path"`
}

// OperatorPath is where a phone opens operator link secret.
func OperatorPath(secret string) string { return "/o/" + secret }

type operatorLinkRequest struct {
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// createOperatorLink gives a phone of the station's operator a link, shown once.
func (h *handler) createOperatorLink(c *gin.Context) {
	var req operatorLinkRequest
	if err := decodeJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	st, err := h.Scheduler.TokenStation(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	t, err := h.Access.IssueOperatorLink(c.Request.Context(), currentUser(c), st.Code, st.OrgUnit, st.Name, req.Name, req.ExpiresAt)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, operatorLink{NewToken: t, Path: OperatorPath(t.Secret)})
}

func (h *handler) listOperatorLinks(c *gin.Context) {
	st, err := h.Scheduler.Station(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	links, err := h.Access.OperatorLinks(c.Request.Context(), currentUser(c), st.Code, st.OrgUnit)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page[access.TokenInfo]{Items: links, Total: len(links)})
}

func (h *handler) revokeOperatorLink(c *gin.Context) {
	st, err := h.Scheduler.Station(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Access.RevokeOperatorLink(c.Request.Context(), currentUser(c), st.Code, st.OrgUnit, c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
