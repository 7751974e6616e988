package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The document is the file the package embeds and serves; it is loaded, validated
// and routed once for all tests.
var spec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

func loadSpec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	spec.once.Do(func() {
		data, err := os.ReadFile("openapi.json")
		if err != nil {
			spec.err = err
			return
		}
		spec.doc, spec.err = parseSpec(data)
		if spec.err != nil {
			return
		}
		spec.router, spec.err = gorillamux.NewRouter(spec.doc)
	})
	if spec.err != nil {
		t.Fatalf("openapi.json: %v", spec.err)
	}
	return spec.doc, spec.router
}

// parseSpec loads an OpenAPI 3 document and validates it.
func parseSpec(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return doc, nil
}

// serviceRoutes are the routes outside /api/v1 that the document describes.
var serviceRoutes = []string{"/healthz", "/readyz", "/metrics"}

// inAPI reports whether path is one the document must describe; anything else (the
// web UI under /) is deliberately outside it.
func inAPI(path string) bool {
	return path == "/api/v1" || strings.HasPrefix(path, "/api/v1/") || slices.Contains(serviceRoutes, path)
}

// validateResponse checks a response against the OpenAPI document: the route and
// method must be documented, the status listed for the operation, and the headers
// and body must match what the document promises for that status.
func validateResponse(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	doc, router := loadSpec(t)
	for _, problem := range responseProblems(doc, router, req, rec) {
		t.Errorf("openapi: %s", problem)
	}
}

// responseProblems says how rec, the answer to req, breaks the document.
func responseProblems(doc *openapi3.T, router routers.Router, req *http.Request, rec *httptest.ResponseRecorder) []string {
	body := rec.Body.Bytes()
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		if !errors.Is(err, routers.ErrPathNotFound) && !errors.Is(err, routers.ErrMethodNotAllowed) {
			return []string{fmt.Sprintf("%s %s: %v", req.Method, req.URL.Path, err)}
		}
		switch {
		case isNoRoute(rec):
			// The router's own answer to a route that does not exist: it must still
			// be the documented error shape.
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				return []string{fmt.Sprintf("%s %s: %d body is not JSON: %v", req.Method, req.URL.Path, rec.Code, err)}
			}
			if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
				return []string{fmt.Sprintf("%s %s: %d body does not match Error: %v\nbody: %s", req.Method, req.URL.Path, rec.Code, err, body)}
			}
		case inAPI(req.URL.Path):
			return []string{fmt.Sprintf("%s %s (answered %d) is not described in openapi.json", req.Method, req.URL.Path, rec.Code)}
		}
		return nil
	}

	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
			Options: &openapi3filter.Options{
				ExcludeRequestBody: true,
				AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			},
		},
		Status: rec.Code,
		Header: rec.Result().Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		const maxBody = 2000
		shown := string(body)
		if len(shown) > maxBody {
			shown = shown[:maxBody] + "…"
		}
		return []string{fmt.Sprintf("%s %s answered %d, which does not match openapi.json (%s %s): %v\nbody: %s",
			req.Method, req.URL.Path, rec.Code, req.Method, route.Path, err, shown)}
	}
	return nil
}

// isNoRoute reports whether rec is the router's own answer to a path it does not
// serve (404) or a method a path does not allow (405).
func isNoRoute(rec *httptest.ResponseRecorder) bool {
	var e struct {
		Error struct{ Code, Message string }
	}
	if json.Unmarshal(rec.Body.Bytes(), &e) != nil {
		return false
	}
	switch rec.Code {
	case http.StatusNotFound:
		return e.Error.Code == "not_found" && strings.HasPrefix(e.Error.Message, "no such route: ")
	case http.StatusMethodNotAllowed:
		return e.Error.Code == "method_not_allowed" && rec.Header().Get("Allow") != ""
	}
	return false
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

func TestOpenAPIDocumentIsServedAndValid(t *testing.T) {
	s := newServer(t)
	rec := s.call("GET", "/api/v1/openapi.json", "", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	served := readAll(t, rec.Result().Body)
	doc, err := parseSpec([]byte(served))
	if err != nil {
		t.Fatalf("the served document is not a valid OpenAPI 3 document: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	onDisk, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(served), onDisk) {
		t.Errorf("the served document differs from openapi.json")
	}

	// Every route the API registers is documented, and nothing else is.
	registered := map[string]bool{}
	for _, rt := range registeredRoutes() {
		if !inAPI(rt.path) {
			continue
		}
		path := ginParam.ReplaceAllString(rt.path, "{$1}")
		registered[rt.method+" "+path] = true
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(rt.method) == nil {
			t.Errorf("route %s %s is registered but not described in openapi.json", rt.method, path)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which is not registered", method, path)
			}
			if op.Summary == "" || op.Description == "" {
				t.Errorf("%s %s: no summary or description", method, path)
			}
			// Every route needs the bearer token except the public ones.
			public := op.Security != nil && len(*op.Security) == 0
			wantPublic := path == "/api/v1/auth/login" || path == "/api/v1/openapi.json" || slices.Contains(serviceRoutes, path)
			if public != wantPublic {
				t.Errorf("%s %s: public %v, want %v", method, path, public, wantPublic)
			}
			if !public && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s %s: needs a token but documents no 401", method, path)
			}
		}
	}
	if len(registered) == 0 {
		t.Fatal("no routes registered")
	}
}

// TestOpenAPICheckCatchesMismatches proves the response check is not vacuous: wrong
// bodies, missing headers, undocumented statuses and undocumented routes are all
// reported, while a conforming answer and the router's own 404 pass.
func TestOpenAPICheckCatchesMismatches(t *testing.T) {
	const campaign = `{"code":"X","title":"T","period":{"start":"2025-01-01","end":"2025-12-31"},"legalBasis":"","ownerAgency":"","secretariat":"","description":"","indicators":[],"createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00.5Z"}`
	doc, router := loadSpec(t)
	for _, tc := range []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		ok                 bool
	}{
		{"conforming", "GET", "/healthz", 200, nil, `{"status":"ok"}`, true},
		{"no such route", "GET", "/api/v1/nowhere", 404, nil, `{"error":{"code":"not_found","message":"no such route: GET /api/v1/nowhere"}}`, true},
		{"outside the API", "GET", "/app/", 200, http.Header{"Content-Type": {"text/html"}}, `<html>`, true},
		{"extra field", "GET", "/healthz", 200, nil, `{"status":"ok","extra":1}`, false},
		{"wrong enum", "GET", "/healthz", 200, nil, `{"status":"fine"}`, false},
		{"undocumented status", "GET", "/healthz", 418, nil, `{"status":"ok"}`, false},
		{"wrong content type", "GET", "/healthz", 200, http.Header{"Content-Type": {"text/html"}}, `{"status":"ok"}`, false},
		{"missing required field", "GET", "/api/v1/campaigns/X", 200, nil, `{"code":"X"}`, false},
		{"bad error code", "GET", "/api/v1/campaigns/X", 404, nil, `{"error":{"code":"nope","message":"m"}}`, false},
		{"401 without WWW-Authenticate", "GET", "/api/v1/campaigns", 401, nil, `{"error":{"code":"unauthorized","message":"m"}}`, false},
		{"campaign", "POST", "/api/v1/campaigns", 201, http.Header{"Location": {"/api/v1/campaigns/X"}}, campaign, true},
		{"201 without Location", "POST", "/api/v1/campaigns", 201, nil, campaign, false},
		{"bad date-time", "GET", "/api/v1/campaigns/X", 200, nil, strings.Replace(campaign, "00.5Z", "00.5", 1), false},
		{"undocumented route", "GET", "/api/v1/nowhere", 200, nil, `{}`, false},
		{"undocumented method", "PATCH", "/api/v1/campaigns/X", 200, nil, `{}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", "application/json; charset=utf-8")
			for k, v := range tc.header {
				rec.Header()[k] = v
			}
			rec.WriteHeader(tc.status)
			io.WriteString(rec, tc.body)
			problems := responseProblems(doc, router, httptest.NewRequest(tc.method, tc.path, nil), rec)
			switch {
			case tc.ok && len(problems) > 0:
				t.Errorf("%s %s answering %d %s was rejected: %v", tc.method, tc.path, tc.status, tc.body, problems)
			case !tc.ok && len(problems) == 0:
				t.Errorf("%s %s answering %d %s passed the check", tc.method, tc.path, tc.status, tc.body)
			}
		})
	}
}
