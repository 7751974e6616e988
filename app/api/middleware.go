package api

import (
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"loa/app/access"
)

const (
	userKey  = "loa.user"
	tokenKey = "loa.token"
	// SessionCookie carries the web session's token.
	SessionCookie = "loa_session"
	// OperatorCookie carries an operator link's secret on a station operator's
	// phone, sent only to the operator pages and the station feed (see web).
	OperatorCookie = "loa_station"
	csrfHeader     = "X-CSRF-Token"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "loa_http_requests_total", Help: "HTTP requests answered, by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "loa_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe counts and times every request by its route pattern (never by its raw
// path or query, which may carry tokens or unbounded values) and logs it at debug
// level.
func (h *handler) observe(m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		status := statusLabel(c.Writer.Status())
		method := c.Request.Method
		if !slices.Contains(knownMethods, method) {
			method = "OTHER" // any client can invent methods: keep the series bounded
		}
		m.requests.WithLabelValues(method, route, status).Inc()
		m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
		if ctx := c.Request.Context(); h.Log.Enabled(ctx, slog.LevelDebug) { // its arguments cost allocations
			h.Log.DebugContext(ctx, "request", "method", c.Request.Method, "route", route, "status", c.Writer.Status(), "duration", elapsed)
		}
	}
}

// statusLabel spells an HTTP status for the metrics, from a table made once for the
// statuses that exist.
func statusLabel(code int) string {
	if code >= 100 && code < 100+len(statusLabels) {
		return statusLabels[code-100]
	}
	return strconv.Itoa(code)
}

var statusLabels = func() (labels [500]string) {
	for i := range labels {
		labels[i] = strconv.Itoa(100 + i)
	}
	return labels
}()

var knownMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// recover turns a panic into a logged 500 (with the stack) and the usual error body.
func (h *handler) recover() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
		h.fail(c, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
	})
}

// SecurityHeaders sets the headers every response carries: no MIME sniffing, no
// referrer outside the site, no inline scripts, no framing.
func SecurityHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	for _, h := range securityHeaders {
		hd[h.name] = h.value
	}
	c.Next()
}

// securityHeaders are SecurityHeaders' headers, their values made once and shared
// by every answer (never changed in place: each has no spare capacity, so an
// append elsewhere copies it).
var securityHeaders = []struct {
	name  string // canonical
	value []string
}{
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Content-Security-Policy", []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"}},
}

// requireToken lets a request through only with a valid token: a bearer token, or
// the web session cookie, in which case a state-changing request must also carry
// the session's CSRF token.
func (h *handler) requireToken(c *gin.Context) {
	secret, fromCookie := bearer(c), false
	if secret == "" {
		if ck, err := c.Cookie(SessionCookie); err == nil {
			secret, fromCookie = ck, true
		}
	}
	h.admit(c, secret, fromCookie, func(_ access.User, t access.Token) error {
		if t.ForStation() {
			return errStationOnly
		}
		return nil
	})
}

// admit authenticates secret, lets check refuse the account and its token, and
// for a secret read from a cookie asks a state-changing request for the CSRF
// token; then it sets the account on the request and goes on, or answers the
// refusal.
func (h *handler) admit(c *gin.Context, secret string, fromCookie bool, check func(access.User, access.Token) error) {
	u, t, err := h.Access.Authenticate(c.Request.Context(), secret)
	if err == nil {
		err = check(u, t)
	}
	if err == nil && fromCookie && !safeMethod(c.Request.Method) &&
		subtle.ConstantTimeCompare([]byte(c.GetHeader(csrfHeader)), []byte(access.CSRFToken(secret))) != 1 {
		err = errCSRF
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Set(userKey, u)
	c.Set(tokenKey, t)
	c.Next()
}

var errCSRF = &requestError{status: http.StatusForbidden, code: "csrf",
	message: "this request needs the session's CSRF token (header " + csrfHeader + ")"}

// allow lets the request through only if the account's roles permit action.
func (h *handler) allow(action access.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !currentUser(c).Can(action) {
			h.fail(c, fmt.Errorf("%w: your roles do not allow you to %s", access.ErrForbidden, action))
			return
		}
		c.Next()
	}
}

func bearer(c *gin.Context) string {
	scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// currentUser is the account requireToken let through.
func currentUser(c *gin.Context) access.User {
	u, _ := c.Get(userKey)
	user, _ := u.(access.User)
	return user
}

// currentToken is the token the request was made with.
func currentToken(c *gin.Context) access.Token {
	t, _ := c.Get(tokenKey)
	token, _ := t.(access.Token)
	return token
}

// allowInlineStyle lets a printable page's one inline style sheet through the
// policy, by its hash source ('sha256-…') alone.
func allowInlineStyle(c *gin.Context, source string) {
	csp := c.Writer.Header().Get("Content-Security-Policy")
	c.Header("Content-Security-Policy", strings.Replace(csp, "style-src 'self'", "style-src 'self' "+source, 1))
}
