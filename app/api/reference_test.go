package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

type summary struct {
	Status                                      string
	DryRun                                      bool
	Read, Imported, Updated, Unchanged, Ignored int
	Conflicts                                   []struct {
		Row            int
		Field, Message string
	}
}

func TestAPINeedsAToken(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/api/v1/orgunits", "/api/v1/targetgroups", "/api/v1/populations", "/api/v1/campaigns", "/api/v1/orgunits/49"} {
		for _, token := range []string{"", "loa_not-a-real-token"} {
			rec := s.call("GET", path, "", "", token)
			s.wantError(rec, http.StatusUnauthorized, "unauthorized", "")
			if rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("GET %s without a valid token: no WWW-Authenticate header", path)
			}
		}
	}
	before := s.snapshot()
	s.wantError(s.call("POST", "/api/v1/campaigns", "application/json", campaignJSON, ""), http.StatusUnauthorized, "unauthorized", "")
	s.unchangedSince(before)
}

func TestLoginFailuresLookAlike(t *testing.T) {
	s := newServer(t)
	unknown := s.call("POST", "/api/v1/auth/login", "application/json", `{"username":"nobody","password":"whatever-it-is"}`, "")
	wrong := s.call("POST", "/api/v1/auth/login", "application/json", `{"username":"admin","password":"wrong password"}`, "")
	s.wantError(unknown, http.StatusUnauthorized, "unauthorized", "")
	s.wantError(wrong, http.StatusUnauthorized, "unauthorized", "")
	if unknown.Body.String() != wrong.Body.String() {
		t.Errorf("unknown user answers %s, wrong password %s: they must be identical", unknown.Body, wrong.Body)
	}
	s.wantError(s.call("POST", "/api/v1/auth/login", "application/json", `{"username":"admin"}`, ""), http.StatusBadRequest, "invalid", "password")
	s.wantError(s.call("POST", "/api/v1/auth/login", "text/plain", `admin`, ""), http.StatusUnsupportedMediaType, "unsupported_media_type", "")

	var session struct {
		Token, ExpiresAt string
		User             struct {
			Username string
			Roles    []string
			Scope    string
		}
	}
	s.decode(s.call("POST", "/api/v1/auth/login", "application/json", `{"username":"admin","password":"`+adminPassword+`"}`, ""), http.StatusOK, &session)
	if !strings.HasPrefix(session.Token, "loa_") || session.ExpiresAt == "" || session.User.Username != "admin" || session.User.Scope != "49" {
		t.Errorf("session = %+v", session)
	}
	if strings.Contains(s.call("POST", "/api/v1/auth/login", "application/json", `{"username":"admin","password":"`+adminPassword+`"}`, "").Body.String(), "passwordHash") {
		t.Error("the login answer carries the password hash")
	}
}

func TestOrgUnitsAPI(t *testing.T) {
	s := newServer(t)
	// The demo province as it stood in 2024 (today's map is Đà Nẵng's:
	// TestOrgUnitsAtADate).
	var list struct {
		Items      []struct{ Code, Name, Level string }
		Total      int
		NextCursor string
	}
	s.decode(s.do("GET", "/api/v1/orgunits?level=commune&at=2024-03-15", ""), http.StatusOK, &list)
	if list.Total != 241 || len(list.Items) != 241 || list.NextCursor != "" {
		t.Errorf("communes: total %d, %d items, cursor %q; want 241 on one page", list.Total, len(list.Items), list.NextCursor)
	}
	for _, q := range []string{"dien ban", "ĐIỆN BÀN", "Điện Bàn"} {
		s.decode(s.do("GET", "/api/v1/orgunits?at=2024-03-15&q="+url.QueryEscape(q), ""), http.StatusOK, &list)
		if list.Total != 1 || list.Items[0].Code != "507" {
			t.Errorf("q=%s found %+v, want Điện Bàn (507)", q, list.Items)
		}
	}
	s.decode(s.do("GET", "/api/v1/orgunits?at=2024-03-15&q=TAM+KY", ""), http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Name != "Tam Kỳ" {
		t.Errorf("q=TAM KY found %+v, want Tam Kỳ", list.Items)
	}

	// Pages of 100 cover all 260 units exactly once, in order.
	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		path := "/api/v1/orgunits?at=2024-03-15&limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		list.NextCursor = "" // absent on the last page
		s.decode(s.do("GET", path, ""), http.StatusOK, &list)
		pages++
		for _, u := range list.Items {
			if seen[u.Code] {
				t.Fatalf("unit %s on two pages", u.Code)
			}
			seen[u.Code] = true
		}
		if list.NextCursor == "" || pages > 5 {
			break
		}
		cursor = list.NextCursor
	}
	if len(seen) != 260 || pages != 3 {
		t.Errorf("%d units over %d pages, want 260 over 3", len(seen), pages)
	}
	s.wantError(s.do("GET", "/api/v1/orgunits?limit=0", ""), http.StatusBadRequest, "invalid", "limit")

	var detail struct {
		Code    string
		Parents []struct{ Code string }
	}
	s.decode(s.do("GET", "/api/v1/orgunits/20359?at=2024-03-15", ""), http.StatusOK, &detail)
	if len(detail.Parents) != 2 || detail.Parents[0].Code != "49" || detail.Parents[1].Code != "502" {
		t.Errorf("parents of 20359 = %+v", detail.Parents)
	}
	s.wantError(s.do("GET", "/api/v1/orgunits/00000", ""), http.StatusNotFound, "not_found", "")

	var groups struct {
		Items []struct{ Code, NameVi, NameEn string }
		Total int
	}
	s.decode(s.do("GET", "/api/v1/targetgroups", ""), http.StatusOK, &groups)
	if groups.Total != 7 || groups.Items[0].Code != "students" || groups.Items[0].NameVi == "" {
		t.Errorf("target groups = %+v", groups)
	}
}

// The org-unit routes answer at a date: ?at= names it, today is the default,
// and a bad date is refused with its field.
func TestOrgUnitsAtADate(t *testing.T) {
	s := newServer(t)
	var list struct {
		Items []struct{ Code, Name, Level, Parent string }
		Total int
	}
	for _, tt := range []struct {
		at     string
		total  int
		parent string
	}{{"2024-03-15", 241, "502"}, {"2025-03-15", 233, "502"}, {"2025-08-15", 78, "48"}} {
		s.decode(s.do("GET", "/api/v1/orgunits?level=commune&limit=500&at="+tt.at, ""), http.StatusOK, &list)
		if list.Total != tt.total {
			t.Errorf("communes on %s: %d, want %d", tt.at, list.Total, tt.total)
		}
		s.decode(s.do("GET", "/api/v1/orgunits?q=20341&at="+tt.at, ""), http.StatusOK, &list)
		if list.Total != 1 || list.Items[0].Parent != tt.parent {
			t.Errorf("20341 on %s: %+v, want one unit under %s", tt.at, list.Items, tt.parent)
		}
	}

	var detail struct {
		Code, Name, Type, ValidFrom string
		ValidTo                     *string
		Parents                     []struct{ Code string }
		Predecessors, Successors    []struct{ Code, Name, On string }
	}
	s.decode(s.do("GET", "/api/v1/orgunits/20341?at=2025-08-15", ""), http.StatusOK, &detail)
	if detail.Name != "Tam Kỳ" || detail.ValidFrom != "2025-07-01" || detail.ValidTo != nil || len(detail.Parents) != 1 ||
		detail.Parents[0].Code != "48" || len(detail.Predecessors) != 3 || len(detail.Successors) != 0 {
		t.Errorf("20341 on 15/08/2025 = %+v, want phường Tam Kỳ under 48 from 2025-07-01 with three predecessors", detail)
	}
	s.decode(s.do("GET", "/api/v1/orgunits/20338?at=2024-03-15", ""), http.StatusOK, &detail)
	if detail.Name != "Phước Hòa" || detail.ValidTo == nil || *detail.ValidTo != "2024-12-31" || len(detail.Successors) != 1 ||
		detail.Successors[0].Code != "20347" || detail.Successors[0].On != "2025-01-01" {
		t.Errorf("20338 on 15/03/2024 = %+v, want Phước Hòa until 2024-12-31, succeeded by 20347 on 2025-01-01", detail)
	}
	rec := s.do("GET", "/api/v1/orgunits/20338?at=2025-08-15", "")
	s.wantError(rec, http.StatusNotFound, "not_found", "")
	if !strings.Contains(rec.Body.String(), "20341") {
		t.Errorf("20338 on 15/08/2025: %s, want the message to name phường Tam Kỳ (20341), where its land is", rec.Body)
	}
	for _, path := range []string{"/api/v1/orgunits?at=15/08/2025", "/api/v1/orgunits/49?at=2025-02-30"} {
		s.wantError(s.do("GET", path, ""), http.StatusBadRequest, "invalid", "at")
	}
}

func upload(s *testServer, path, csv string) *httptest.ResponseRecorder {
	return s.call("POST", path, "text/csv", csv, s.token)
}

func TestPopulationImportAPI(t *testing.T) {
	s := newServer(t)
	file := "org_unit_code,group,year,count,source\n" +
		"502,students,2024,13625,Sở GD&ĐT\n" +
		"99999,students,2024,10,x\n" + // unknown org unit
		"503,students,2024,-1,x\n" // negative
	var sum summary

	before := s.snapshot()
	s.decode(upload(s, "/api/v1/populations/import?dryRun=true", file), http.StatusOK, &sum)
	if !sum.DryRun || sum.Imported != 1 || sum.Ignored != 2 || sum.Status != "warning" {
		t.Errorf("dry run = %+v", sum)
	}
	s.unchangedSince(before)

	s.decode(upload(s, "/api/v1/populations/import", file), http.StatusOK, &sum)
	if sum.Imported != 1 || sum.Ignored != 2 || len(sum.Conflicts) != 2 ||
		sum.Conflicts[0].Row != 3 || sum.Conflicts[0].Field != "org_unit_code" ||
		sum.Conflicts[1].Row != 4 || sum.Conflicts[1].Field != "count" {
		t.Errorf("import = %+v, want row 3 org_unit_code and row 4 count rejected", sum)
	}
	var pops struct {
		Items []struct {
			OrgUnit string
			Count   int
		}
		Total int
	}
	s.decode(s.do("GET", "/api/v1/populations?year=2024", ""), http.StatusOK, &pops)
	if pops.Total != 1 || pops.Items[0].OrgUnit != "502" || pops.Items[0].Count != 13625 {
		t.Errorf("stored = %+v, want only 502 students 13625", pops)
	}

	// Only bad rows: nothing written.
	before = s.snapshot()
	s.decode(upload(s, "/api/v1/populations/import", "org_unit_code,group,year,count,source\n99999,students,2024,1,x\n502,students,2024,-7,x\n"), http.StatusOK, &sum)
	if sum.Status != "error" || sum.Ignored != 2 {
		t.Errorf("all-bad import = %+v, want status error, 2 ignored", sum)
	}
	s.unchangedSince(before)

	// The same file again changes nothing.
	before = s.snapshot()
	s.decode(upload(s, "/api/v1/populations/import", file), http.StatusOK, &sum)
	if sum.Imported != 0 || sum.Updated != 0 || sum.Unchanged != 1 {
		t.Errorf("re-import = %+v, want 1 unchanged", sum)
	}
	s.unchangedSince(before)

	s.wantError(s.do("GET", "/api/v1/populations?year=abc", ""), http.StatusBadRequest, "invalid", "year")
}

func TestImportRequestErrors(t *testing.T) {
	s := newServer(t)
	big := "code,name,type,level,parent_code\n" + strings.Repeat("1,A,xã,commune,49\n", 20<<20/18+1)
	tests := []struct {
		name, path, contentType, body string
		status                        int
		code, field                   string
	}{
		{"missing columns", "/api/v1/orgunits/import", "text/csv", "code,name\n1,A\n", 400, "invalid", "file"},
		{"empty file", "/api/v1/populations/import", "text/csv", "", 400, "invalid", "file"},
		{"JSON instead of CSV", "/api/v1/orgunits/import", "application/json", `{"code":"1"}`, 415, "unsupported_media_type", "Content-Type"},
		{"bad dryRun", "/api/v1/orgunits/import?dryRun=maybe", "text/csv", "code,name,type,level,parent_code\n", 400, "invalid", "dryRun"},
		{"over 20 MiB", "/api/v1/orgunits/import", "text/csv", big, 413, "too_large", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			before := s.snapshot()
			s.wantError(s.call("POST", tt.path, tt.contentType, tt.body, s.token), tt.status, tt.code, tt.field)
			s.unchangedSince(before)
		})
	}
}

func TestOrgUnitImportMultipart(t *testing.T) {
	s := newServer(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "units.csv")
	if err != nil {
		t.Fatal(err)
	}
	// A village under Tam Thanh, which ended on 30/06/2025: the village ends with it.
	part.Write([]byte("\ufeffcode,name,type,level,parent_code,valid_to\n20359,Tam Thanh,xã,commune,502,2025-06-30\n" +
		"99001,Thôn Mới,thôn,village,20359,2025-06-30\n"))
	w.Close()
	var sum summary
	s.decode(s.call("POST", "/api/v1/orgunits/import", w.FormDataContentType(), body.String(), s.token), http.StatusOK, &sum)
	if sum.Imported != 1 || sum.Unchanged != 1 || sum.Status != "success" {
		t.Errorf("multipart import = %+v, want 1 imported, 1 unchanged", sum)
	}
	var unit struct{ Path []string }
	s.decode(s.do("GET", "/api/v1/orgunits/99001?at=2024-06-01", ""), http.StatusOK, &unit)
	if strings.Join(unit.Path, "/") != "49/502/20359/99001" {
		t.Errorf("path of the new village = %v", unit.Path)
	}
	// The new level is now known to indicators.
	s.decode(s.do("POST", "/api/v1/campaigns", withCampaign(t, func(m map[string]any) { indicator(m, 0)["level"] = "village" })), http.StatusCreated, nil)
}

func TestServiceEndpoints(t *testing.T) {
	s := newServer(t)
	if rec := s.call("GET", "/healthz", "", "", ""); rec.Code != http.StatusOK {
		t.Errorf("/healthz = %d", rec.Code)
	}
	if rec := s.call("GET", "/readyz", "", "", ""); rec.Code != http.StatusOK {
		t.Errorf("/readyz = %d", rec.Code)
	}
	s.do("GET", "/api/v1/campaigns", "")
	rec := s.call("GET", "/metrics", "", "", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `loa_http_requests_total{method="GET",route="/api/v1/campaigns",status="200"} 1`) ||
		!strings.Contains(rec.Body.String(), `loa_http_request_duration_seconds_bucket{method="GET",route="/api/v1/campaigns"`) {
		t.Errorf("/metrics lacks the per-route count and latency:\n%s", rec.Body)
	}
	s.wantError(s.call("GET", "/api/v1/nothing-here", "", "", s.token), http.StatusNotFound, "not_found", "")
	rec = s.call("PATCH", "/api/v1/campaigns", "application/json", "{}", s.token)
	s.wantError(rec, http.StatusMethodNotAllowed, "method_not_allowed", "")
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q, want GET and POST", allow)
	}
}

// A cursor keeps working when the last item of its page is deleted meanwhile.
func TestCursorSurvivesDeletion(t *testing.T) {
	s := newServer(t)
	for _, code := range []string{"A-1", "B-2", "C-3"} {
		s.decode(s.do("POST", "/api/v1/campaigns", withCampaign(t, func(m map[string]any) { m["code"] = code })), http.StatusCreated, nil)
	}
	var first struct {
		Items      []struct{ Code string }
		NextCursor string
	}
	s.decode(s.do("GET", "/api/v1/campaigns?limit=2", ""), http.StatusOK, &first)
	if len(first.Items) != 2 || first.Items[1].Code != "B-2" || first.NextCursor == "" {
		t.Fatalf("first page = %+v", first)
	}
	s.decode(s.do("DELETE", "/api/v1/campaigns/B-2", ""), http.StatusNoContent, nil)
	var next struct {
		Items []struct{ Code string }
		Total int
	}
	s.decode(s.do("GET", "/api/v1/campaigns?limit=2&cursor="+first.NextCursor, ""), http.StatusOK, &next)
	if len(next.Items) != 1 || next.Items[0].Code != "C-3" || next.Total != 2 {
		t.Errorf("page after the deleted B-2 = %+v, want C-3 of 2", next)
	}
	s.wantError(s.do("GET", "/api/v1/campaigns?cursor=!!!", ""), http.StatusBadRequest, "invalid", "cursor")
}

func TestReadyzWithoutDatabase(t *testing.T) {
	s := newServer(t)
	if err := s.db.Client.Disconnect(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rec := s.call("GET", "/readyz", "", "", ""); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database gone = %d, want 503", rec.Code)
	}
}
