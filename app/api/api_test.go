package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh wherever the tests run

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/bson"

	"loa"
	"loa/app/access"
	"loa/app/api"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/report"
	"loa/content"
	"loa/scheduler"
	"loa/scheduler/jobs"
)

func TestMain(m *testing.M) {
	// The station's calendar and printable script are text: the response check reads
	// them as strings to match them against the document.
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	dbtest.Main(m)
}

const adminPassword = "correct horse battery"

// zone is the deployment's zone in the tests, where rules and calendars are
// evaluated.
var zone = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testServer is the real router on a fresh database with the reference data loaded
// and an admin signed in.
type testServer struct {
	t         testing.TB
	db        *database.DB
	router    http.Handler
	token     string
	admin     access.User
	campaigns *campaigns.Service
	reach     *reach.Service
	// imports is the gate the imports go through, for holding its slots.
	imports *campaigns.ImportGate
	access  *access.Service
	// scheduler is the service behind the scheduling routes, for calling
	// Materialize directly.
	scheduler *scheduler.Service
	// clock is the scheduler's clock, which a test may move ahead.
	clock *clock
}

// clock is the real time, moved ahead by what a test advanced it: a test of the
// scheduler lets time pass without waiting for it.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// advance moves the clock d ahead.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func newServer(t testing.TB) *testServer {
	t.Helper()
	db := dbtest.New(t, slices.Concat(database.Schema, campaigns.Schema, reach.Schema, report.Schema, access.Schema, audit.Schema, content.Schema,
		scheduler.Schema, jobs.Schema))
	ctx := context.Background()
	trail := audit.New(audit.NewStore(db), time.Now)
	gate := campaigns.NewImportGate(campaigns.DefaultImportLimits().Slots)
	cs := campaigns.NewService(campaigns.NewStore(db), trail, time.Now, campaigns.WithImportGate(gate))
	if err := cs.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	rs := reach.NewService(cs, reach.NewStore(db), trail, time.Now)
	acc := access.NewService(access.NewStore(db), trail, cs, time.Now, access.Options{TokenTTL: time.Hour})
	if err := acc.EnsureAdmin(ctx, adminPassword, "49", dbtest.Logger()); err != nil {
		t.Fatal(err)
	}
	admin, err := acc.User(ctx, access.User{Scope: loa.AllUnits}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	ct := content.NewService(content.NewStore(db), cs, trail, time.Now, content.Options{Hotline: "111"})
	clk := &clock{}
	sc := scheduler.NewService(scheduler.NewStore(db), cs, rs, ct, trail, clk.now, scheduler.Options{Zone: zone})
	// The runner is not started: routes run its jobs on demand only, and the
	// triggers the handlers send are skipped without the lease.
	runner := jobs.New(jobs.NewStore(db), []jobs.Job{{Name: "materialize", Title: "Lập lịch phát sóng", Spec: "0 * * * *",
		Run: func(ctx context.Context, at time.Time) (string, error) {
			res, err := sc.Materialize(ctx, at)
			return res.String(), err
		}}}, jobs.Options{Zone: zone, Log: dbtest.Logger()})
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	api.Register(r, api.Deps{Campaigns: cs, Reach: rs, Reports: report.NewService(cs, rs, nil, report.NewStore(db), time.Now), Access: acc, Audit: trail, Content: ct, Scheduler: sc, Jobs: runner,
		DB: db, Log: dbtest.Logger(), Registry: prometheus.NewRegistry()})
	s := &testServer{t: t, db: db, router: r, admin: admin, campaigns: cs, reach: rs, imports: gate, access: acc, scheduler: sc, clock: clk}
	var login struct{ Token string }
	s.decode(s.call("POST", "/api/v1/auth/login", "application/json",
		`{"username":"admin","password":"`+adminPassword+`"}`, ""), http.StatusOK, &login)
	s.token = login.Token
	return s
}

// sub is s reporting to the subtest t.
func (s *testServer) sub(t *testing.T) *testServer {
	c := *s
	c.t = t
	return &c
}

// account creates an active account with roles over scope and returns an API token
// of it.
func (s *testServer) account(username, scope string, roles ...string) string {
	s.t.Helper()
	ctx := context.Background()
	active := true
	u, err := s.access.CreateUser(ctx, s.admin, access.UserInput{Username: username, DisplayName: username,
		Roles: roles, Scope: scope, Active: &active, Password: "password of " + username})
	if err != nil {
		s.t.Fatal(err)
	}
	t, err := s.access.CreateAPIToken(ctx, u, "test", time.Time{})
	if err != nil {
		s.t.Fatal(err)
	}
	return t.Secret
}

// call sends a request through the router and checks the response against the
// OpenAPI document.
func (s *testServer) call(method, path, contentType, body, token string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewBufferString(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// send runs req through the router and checks the response against the OpenAPI
// document.
func (s *testServer) send(req *http.Request) *httptest.ResponseRecorder {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	validateResponse(s.t, req, decoded(s.t, rec))
	return rec
}

// decoded is rec with a gzip-encoded body decompressed: the document describes the
// representation, which Content-Encoding only compresses on the wire.
func decoded(t testing.TB, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	t.Helper()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return rec
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("Content-Encoding: gzip, but the body is not gzip: %v", err)
	}
	plain := readAll(t, zr)
	out := httptest.NewRecorder()
	for k, v := range rec.Header() {
		out.Header()[k] = slices.Clone(v)
	}
	out.WriteHeader(rec.Code)
	io.WriteString(out, plain)
	return out
}

// do sends an authenticated JSON request (or none when body is empty).
func (s *testServer) do(method, path, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return s.call(method, path, ct, body, s.token)
}

// decode checks the status and decodes the body into dst.
func (s *testServer) decode(rec *httptest.ResponseRecorder, status int, dst any) {
	s.t.Helper()
	if rec.Code != status {
		s.t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if dst != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), dst); err != nil {
			s.t.Fatalf("decode %s: %v", rec.Body, err)
		}
	}
}

type errorBody struct {
	Error struct {
		Code    string
		Message string
		Details []struct{ Field, Message string }
	}
}

// wantError checks the status, the error code and, when field is not empty, that a
// detail names field.
func (s *testServer) wantError(rec *httptest.ResponseRecorder, status int, code, field string) {
	s.t.Helper()
	var e errorBody
	s.decode(rec, status, &e)
	if e.Error.Code != code {
		s.t.Errorf("error code %q, want %q (body %s)", e.Error.Code, code, rec.Body)
	}
	if e.Error.Message == "" {
		s.t.Errorf("error without a message: %s", rec.Body)
	}
	if field != "" && !slices.ContainsFunc(e.Error.Details, func(d struct{ Field, Message string }) bool { return d.Field == field }) {
		s.t.Errorf("no detail for field %q in %s", field, rec.Body)
	}
}

// snapshot reads every document of the domain collections, to prove a rejected
// request wrote nothing.
func (s *testServer) snapshot() map[string][]bson.M {
	s.t.Helper()
	ctx := context.Background()
	out := map[string][]bson.M{}
	for _, c := range slices.Concat(campaigns.Schema, audit.Schema, access.Schema, content.Schema, scheduler.Schema, jobs.Schema) {
		cur, err := s.db.Collection(c.Name).Find(ctx, bson.D{})
		if err != nil {
			s.t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			s.t.Fatal(err)
		}
		out[c.Name] = docs
	}
	return out
}

func (s *testServer) unchangedSince(before map[string][]bson.M) {
	s.t.Helper()
	if after := s.snapshot(); !reflect.DeepEqual(before, after) {
		for name := range after {
			if !reflect.DeepEqual(before[name], after[name]) {
				s.t.Errorf("collection %s changed: %d documents before, %d after", name, len(before[name]), len(after[name]))
			}
		}
	}
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type route struct{ method, path string }

// registeredRoutes lists the routes Register adds, as gin patterns.
func registeredRoutes() []route {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	api.Register(r, api.Deps{Registry: prometheus.NewRegistry()})
	var out []route
	for _, rt := range r.Routes() {
		out = append(out, route{rt.Method, rt.Path})
	}
	return out
}
