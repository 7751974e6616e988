package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/scheduler"
)

// statusClientClosed is logged and counted for requests whose client hung up (nginx's
// convention); it never reaches anyone.
const statusClientClosed = 499

// errorBody is the error shape of DESIGN §8.
type errorBody struct {
	Error apiError `json:"error"`
}

type apiError struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Details []loa.FieldError `json:"details,omitempty"`
	// Conflicts are the overlapping occurrences a refused slot rule would create.
	Conflicts []scheduler.Conflict `json:"conflicts,omitempty"`
	// Summary is what an import stopped by a limit had done before it stopped.
	Summary *loa.ImportSummary `json:"summary,omitempty"`
}

// requestError is a problem with the request itself, found before any service runs.
type requestError struct {
	status  int
	code    string
	message string
	details []loa.FieldError
}

func (e *requestError) Error() string { return e.message }

func badRequest(field, message string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: "invalid", message: message,
		details: []loa.FieldError{{Field: field, Message: message}}}
}

// statuses maps domain errors to HTTP: the one table.
var statuses = []struct {
	err    error
	status int
	code   string
}{
	{loa.ErrInvalid, http.StatusBadRequest, "invalid"},
	{loa.ErrForbidden, http.StatusForbidden, "forbidden"},
	{loa.ErrOutsideScope, http.StatusForbidden, "outside_scope"},
	{loa.ErrNotFound, http.StatusNotFound, "not_found"},
	{loa.ErrConflict, http.StatusConflict, "conflict"},
	{loa.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{loa.ErrNotStarted, http.StatusUnprocessableEntity, "not_started"},
	{loa.ErrUnsupportedFile, http.StatusUnsupportedMediaType, "unsupported_media_type"},
}

// fail renders err. Errors the table does not know are a 500 whose details go to
// the log only.
func (h *handler) fail(c *gin.Context, err error) {
	var limited *access.TooManyAttempts
	if errors.As(err, &limited) {
		c.Header("Retry-After", strconv.Itoa(limited.Seconds()))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, errorBody{apiError{Code: "too_many_requests", Message: err.Error()}})
		return
	}
	var busy *loa.BusyError
	if errors.As(err, &busy) {
		c.Header("Retry-After", strconv.Itoa(int(busy.RetryAfter.Seconds())))
		c.AbortWithStatusJSON(http.StatusTooManyRequests, errorBody{apiError{Code: "too_many_requests", Message: busy.Message}})
		return
	}
	var limit *loa.LimitError
	if errors.As(err, &limit) {
		c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, errorBody{apiError{Code: limit.Code, Message: limit.Message,
			Details: []loa.FieldError{{Field: "file", Message: limit.Message}}, Summary: limit.Summary}})
		return
	}
	var re *requestError
	if errors.As(err, &re) {
		c.AbortWithStatusJSON(re.status, errorBody{apiError{Code: re.code, Message: re.message, Details: re.details}})
		return
	}
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			body := apiError{Code: s.code, Message: strings.TrimPrefix(err.Error(), s.err.Error()+": ")}
			var ve *loa.ValidationError
			if errors.As(err, &ve) {
				body.Message = "the input is not valid; see details"
				body.Details = ve.Details
			}
			var fc *loa.FieldConflict
			if errors.As(err, &fc) {
				body.Details = []loa.FieldError{{Field: fc.Field, Message: fc.Message}}
			}
			var rc *scheduler.ConflictError
			if errors.As(err, &rc) {
				body.Conflicts = rc.Conflicts
			}
			if s.status == http.StatusUnauthorized {
				c.Header("WWW-Authenticate", `Bearer realm="loa"`)
			}
			c.AbortWithStatusJSON(s.status, errorBody{body})
			return
		}
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads the answer and nothing is wrong here.
		c.AbortWithStatus(statusClientClosed)
		return
	}
	h.Log.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method,
		"route", c.FullPath(), "error", err)
	c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{apiError{Code: "internal", Message: "internal error"}})
}

func (h *handler) methodNotAllowed(c *gin.Context) {
	h.fail(c, &requestError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
		message: c.Request.Method + " is not allowed on " + c.Request.URL.Path + "; see the Allow header"})
}

func (h *handler) notFound(c *gin.Context) {
	if h.PageNotFound != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") {
		h.PageNotFound(c)
		return
	}
	h.fail(c, &requestError{status: http.StatusNotFound, code: "not_found", message: "no such route: " + c.Request.Method + " " + c.Request.URL.Path})
}
