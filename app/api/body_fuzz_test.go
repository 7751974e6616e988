package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// bodyScene is a server with something for every JSON body to name: the
// campaigns of the permission matrix, a content item, its stations, rules and
// airings, and the tokens of a province planner (who also approves and reports),
// a station and an account whose password the fuzzer may try to change.
type bodyScene struct {
	*testServer
	item, planner, pwUser string
	sched                 matrixFixture
}

// newBodyScene builds the scene; the stations, rules and airings only with
// schedule, for the routes that name them.
func newBodyScene(f *testing.F, schedule bool) *bodyScene {
	s := &bodyScene{testServer: newServer(f)}
	s.decode(s.do("POST", "/api/v1/campaigns", campaignJSON), http.StatusCreated, nil)
	s.decode(s.do("POST", "/api/v1/campaigns", manualCampaignJSON), http.StatusCreated, nil)
	var item struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", contentJSON), http.StatusCreated, &item)
	s.item = item.ID
	s.planner = s.account("fuzz-planner", "49", "planner", "approver", "reporter")
	s.pwUser = s.account("fuzz-password", "49", "viewer")
	if schedule {
		s.sched = s.matrixSchedule(s.planner)
	}
	return s
}

// errorCode is the shape of an error code: lower-case words joined by '_'.
var errorCode = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

// fuzzBody is the fuzz target of one JSON body type, sent to path (where {item},
// {airing}, {press} and {station} name the scene's) with the token token picks:
// the API's decoder and the service's validation answer every body with a
// status the OpenAPI document lists and never a 5xx; a refusal carries an
// error code and a message and writes nothing (no audit entry: every change is
// audited).
func fuzzBody(f *testing.F, method, path string, token func(*bodyScene) string, seeds ...string) {
	s := newBodyScene(f, slices.ContainsFunc([]string{"{airing}", "{press}", "/station", "/rules", "/airings"},
		func(part string) bool { return strings.Contains(path, part) }))
	path = strings.NewReplacer("{item}", s.item, "{airing}", s.sched.airing, "{press}", s.sched.press).Replace(path)
	for _, seed := range seeds {
		f.Add(seed)
	}
	ctx := context.Background()
	audited := func(t testing.TB) int64 {
		n, err := s.db.Collection("audit").CountDocuments(ctx, bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := audited(f) // the entries before the next request
	f.Fuzz(func(t *testing.T, body string) {
		rec := s.sub(t).call(method, path, "application/json", body, token(s))
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q = %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			before = audited(t)
			return
		}
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !errorCode.MatchString(e.Error.Code) || e.Error.Message == "" {
			t.Fatalf("%s %s with %q = %d %s: want an error code and a message", method, path, body, rec.Code, rec.Body)
		}
		if after := audited(t); after != before {
			t.Fatalf("%s %s with %q refused (%d %s) but audited %d changes", method, path, body, rec.Code, e.Error.Code, after-before)
		}
	})
}

func asAdmin(s *bodyScene) string   { return s.token }
func asPlanner(s *bodyScene) string { return s.planner }
func asStation(s *bodyScene) string { return s.sched.station }
func asNobody(*bodyScene) string    { return "" }

func FuzzLoginBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/auth/login", asNobody,
		`{"username":"admin","password":"wrong"}`, `{"username":"аdmin","password":"`+adminPassword+`"}`,
		`{"username":{"$gt":""},"password":{"$ne":null}}`)
}

func FuzzPasswordBody(f *testing.F) {
	fuzzBody(f, "PUT", "/api/v1/me/password", func(s *bodyScene) string { return s.pwUser },
		`{"oldPassword":"wrong","newPassword":"a new long password"}`, `{"oldPassword":{"$ne":""},"newPassword":"x"}`)
}

func FuzzTokenBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/me/tokens", asAdmin,
		`{"name":"box","expiresAt":"2030-01-01T00:00:00Z"}`, `{"name":"","expiresAt":"1999-01-01T00:00:00Z"}`, `{"name":{"$gt":""}}`)
}

func FuzzCampaignBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/campaigns", asAdmin, strings.Replace(campaignJSON, "PCMBN-2025", "FUZZ-1", 1),
		manualCampaignJSON, `{"code":"../../etc/passwd","title":"=HYPERLINK(\"x\")","period":{"start":"2025-02-30","end":"2024-01-01"}}`)
}

func FuzzContentBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/contents", asAdmin, contentJSON,
		`{"kind":"radio_script","title":"<script>alert(1)</script>","body":"{{define \"x\"}}{{template \"x\"}}{{end}}","groups":[{"$gt":""}]}`)
}

func FuzzStepBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/contents/{item}/reject", asPlanner, `{"comment":"Sửa lại số điện thoại"}`, `{"comment":""}`, `{}`)
}

func FuzzCommentBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/contents/{item}/comments", asAdmin, `{"text":"Đã xem"}`, `{"text":"=cmd|' /C calc'!A0"}`, `{"text":{"$where":"1"}}`)
}

func FuzzReachBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/reach", asPlanner, reachInside,
		`{"campaign":"PCMBN-2025","orgUnit":"../../etc/passwd","group":"students","date":"2025-03-05","activity":"school_session","activities":1,"personTimes":1e400}`,
		`{"campaign":{"$gt":""},"orgUnit":"20359","evidence":"=HYPERLINK(\"http://evil.example\")"}`)
}

func FuzzManualValueBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/campaigns/MX-MANUAL/manual-values", asPlanner, manualInside,
		`{"indicator":"inspected","orgUnit":"502","asOf":"2025-06-30","numerator":11,"denominator":10,"source":"@SUM(A1)"}`)
}

func FuzzStationBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/stations", asAdmin, stationJSON("FZ-TK", "502", "district_station"),
		`{"code":"..%2f..%2f","name":"x","orgUnit":{"$gt":""},"channel":"district_station"}`)
}

func FuzzRuleBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/rules/preview", asPlanner, matrixRule("MX-TK", 7),
		`{"campaign":"PCMBN-2025","title":"x","stations":["MX-TK"],"cron":"0 0 31 2 *","startDate":"2025-01-01","durationSeconds":60}`,
		`{"campaign":"PCMBN-2025","title":"x","stations":{"channel":"district_station","under":"49"},"rrule":"FREQ=HOURLY;BYMINUTE=0,1,2,3,4,5,6,7,8,9;BYSECOND=0,1,2,3,4,5,6,7,8,9","startDate":"2025-01-01","durationSeconds":1}`)
}

func FuzzPlacementBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/airings", asPlanner, matrixPlacement("MX-BAO", "2031-01-01T08:00:00+07:00"),
		`{"station":"MX-BAO","campaign":"PCMBN-2025","start":"0000-01-01T00:00:00Z","durationSeconds":-1}`)
}

func FuzzAiringChangeBody(f *testing.F) {
	fuzzBody(f, "PATCH", "/api/v1/airings/{airing}", asPlanner, `{"status":"cancelled","note":"Mất điện"}`,
		`{"start":"2031-01-01T06:00:00+07:00","content":"../../etc/passwd"}`, `{"start":{"$gt":""}}`, `{}`)
}

func FuzzPublicationBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/airings/{press}/publish", asPlanner, `{"url":"https://baoquangnam.vn/bai-1","publishedAt":"2025-01-01T00:00:00Z"}`,
		`{"url":"javascript:alert(1)"}`)
}

func FuzzConfirmationBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/station/airings/{airing}/confirm", asStation, `{"status":"aired","at":"2025-01-01T06:00:00+07:00","note":"ok"}`,
		`{"status":"missed","at":"2025-01-01T06:00:00Z","note":"=HYPERLINK(\"x\")"}`, `{"status":{"$in":["aired"]}}`)
}

func FuzzConfirmBatchBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/station/confirmations", asStation, `[{"clientId":"c1","airingId":"x","status":"aired","at":"2025-01-01T06:00:00Z"}]`, `[]`,
		`[`+strings.Repeat(`{"airingId":"../../etc/passwd","status":"aired"},`, 50)+`{}]`)
}

func FuzzOperatorLinkBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/stations/MX-TK/operator-link", asAdmin, `{"name":"Điện thoại anh Ba","expiresAt":"2030-01-01T00:00:00Z"}`,
		`{"name":"","expiresAt":"2000-01-01T00:00:00Z"}`)
}

func FuzzUserBody(f *testing.F) {
	fuzzBody(f, "POST", "/api/v1/users", asAdmin,
		`{"username":"fuzz-viewer","displayName":"x","roles":["viewer"],"scope":"502","active":true,"password":"a long enough password"}`,
		`{"username":"аdmin","displayName":"x","roles":["admin"],"scope":"49","active":true,"password":"a long enough password"}`,
		`{"username":"ＡＤＭＩＮ","roles":[{"$gt":""}],"scope":"../49"}`)
}
