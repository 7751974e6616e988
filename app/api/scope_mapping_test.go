package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// campaign2026JSON is a plan on the new map: > 70 % of communes hold an activity.
const campaign2026JSON = `{"code": "PCMD-2026", "title": "Kế hoạch phòng, chống mại dâm 2026",
  "period": {"start": "2026-01-01", "end": "2026-12-31"}, "legalBasis": "Kế hoạch số 2/KH-UBND",
  "ownerAgency": "UBND thành phố Đà Nẵng", "secretariat": "Sở Y tế",
  "indicators": [{"code": "communes", "title": "Xã có tuyên truyền", "rule": "orgunit_activity", "level": "commune",
    "comparator": "gt", "threshold": 0.7, "source": "Trên 70% số xã"}]}`

// reach2026 is a session in unit on 5 March 2026.
func reach2026(unit string) string {
	return `{"campaign": "PCMD-2026", "orgUnit": "` + unit + `", "group": "students", "date": "2026-03-05",
	  "activity": "school_session", "activities": 1, "personTimes": 40, "sourceRef": "BC-` + unit + `"}`
}

// A district-scoped account on 502 after 01/07/2025 is offered the successor
// communes and, once confirmed, sees exactly them: it writes and reads reach and
// reports there, and nowhere else on the new map.
func TestScopeMappingAPI(t *testing.T) {
	s := newServer(t)
	var m struct {
		Scope, Ended string
		Offered      []struct {
			Code  string
			Whole bool
		}
		Confirmed []string
		Pending   bool
	}
	offered := func(username string) []string {
		s.decode(s.do("GET", "/api/v1/users/"+username+"/scope-mapping", ""), http.StatusOK, &m)
		var codes []string
		for _, h := range m.Offered {
			codes = append(codes, h.Code)
		}
		return codes
	}
	// The province's admin takes Đà Nẵng, which Quảng Nam joined.
	if got := offered("admin"); !slices.Equal(got, []string{"48"}) || m.Ended != "2025-06-30" {
		t.Fatalf("the admin of 49 is offered %v (ended %q), want 48 (2025-06-30)", got, m.Ended)
	}
	var u struct{ ExtraScopes []string }
	s.decode(s.do("POST", "/api/v1/users/admin/scope-mapping", `{"units":["48"]}`), http.StatusOK, &u)
	s.admin.ExtraScopes = slices.Clone(u.ExtraScopes)
	s.decode(s.do("POST", "/api/v1/campaigns", campaign2026JSON), http.StatusCreated, nil)

	reporter := s.account("tamky", "502", "reporter")
	s.wantError(s.call("POST", "/api/v1/reach", "application/json", reach2026("20341"), reporter), http.StatusForbidden, "outside_scope", "")
	tamky := offered("tamky")
	if !slices.Equal(tamky, []string{"20335", "20341", "20350", "20356"}) || !m.Pending || len(m.Confirmed) != 0 {
		t.Errorf("tamky is offered %v (pending %v, confirmed %v), want the four new Tam Kỳ communes", tamky, m.Pending, m.Confirmed)
	}

	before := s.snapshot()
	for _, tt := range []struct{ body, code, field string }{
		{`{"units":[]}`, "invalid", "units"},
		{`{"units":["20992"]}`, "invalid", "units"},
		{`{"units":["20341","20341"]}`, "invalid", "units"},
		{`{"units":["20341"],"scope":"48"}`, "invalid", ""},
		{`{"units":"20341"}`, "invalid", ""},
	} {
		s.wantError(s.do("POST", "/api/v1/users/tamky/scope-mapping", tt.body), http.StatusBadRequest, tt.code, tt.field)
	}
	s.wantError(s.do("POST", "/api/v1/users/ghost/scope-mapping", `{"units":["20341"]}`), http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)
	s.account("tamhai", "20992", "reporter")
	before = s.snapshot()
	s.wantError(s.do("POST", "/api/v1/users/tamhai/scope-mapping", `{"units":["20992"]}`), http.StatusConflict, "conflict", "")
	s.wantError(s.call("GET", "/api/v1/users/tamky/scope-mapping", "", "", reporter), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)

	s.decode(s.do("POST", "/api/v1/users/tamky/scope-mapping", `{"units":["20356","20335","20341","20350"]}`), http.StatusOK, &u)
	if !slices.Equal(u.ExtraScopes, tamky) {
		t.Errorf("confirmed extraScopes = %v, want %v", u.ExtraScopes, tamky)
	}
	if offered("tamky"); m.Pending || !slices.Equal(m.Confirmed, tamky) {
		t.Errorf("after confirming: pending %v, confirmed %v", m.Pending, m.Confirmed)
	}
	if !slices.ContainsFunc(s.trail("entity=user&entityId=tamky"), func(e auditEntry) bool {
		return e.Action == "update" && e.Before["extraScopes"] == nil && strings.Contains(fmt.Sprint(e.After["extraScopes"]), "20356")
	}) {
		t.Errorf("no audit entry of tamky's mapping")
	}

	// It writes reach in its communes and nowhere else on the new map.
	for _, unit := range tamky {
		s.decode(s.call("POST", "/api/v1/reach", "application/json", reach2026(unit), reporter), http.StatusCreated, nil)
	}
	before = s.snapshot()
	for _, unit := range []string{"20992", "48", "20434"} {
		s.wantError(s.call("POST", "/api/v1/reach", "application/json", reach2026(unit), reporter), http.StatusForbidden, "outside_scope", "")
	}
	s.unchangedSince(before)
	planner := s.account("danang-planner", "48", "planner")
	s.decode(s.call("POST", "/api/v1/reach", "application/json", reach2026("20992"), planner), http.StatusCreated, nil)

	// It reads the records of its communes only, and their reports.
	var page struct{ Items []reachRecord }
	s.decode(s.call("GET", "/api/v1/reach?campaign=PCMD-2026", "", "", reporter), http.StatusOK, &page)
	var seen []string
	for _, r := range page.Items {
		seen = append(seen, r.OrgUnit)
	}
	if slices.Sort(seen); !slices.Equal(seen, tamky) {
		t.Errorf("tamky lists the records of %v, want %v", seen, tamky)
	}
	s.wantError(s.call("GET", "/api/v1/reach?campaign=PCMD-2026&orgUnit=20992", "", "", reporter), http.StatusForbidden, "outside_scope", "")
	s.decode(s.call("GET", "/api/v1/campaigns/PCMD-2026/report?scope=20341&asOf=2026-06-30", "", "", reporter), http.StatusOK, nil)
	for _, scope := range []string{"20992", "48"} {
		s.wantError(s.call("GET", "/api/v1/campaigns/PCMD-2026/report?scope="+scope+"&asOf=2026-06-30", "", "", reporter),
			http.StatusForbidden, "outside_scope", "")
	}
}

// A campaign of 2026 is planned on the new map: its commune target counts the 78
// communes of Đà Nẵng from Quảng Nam, and a district level, abolished on
// 01/07/2025, is refused writing nothing.
func TestCampaignOnTheNewMap(t *testing.T) {
	s := newServer(t)
	s.decode(s.do("POST", "/api/v1/users/admin/scope-mapping", `{"units":["48"]}`), http.StatusOK, nil)
	before := s.snapshot()
	district := strings.Replace(campaign2026JSON, `"level": "commune"`, `"level": "district"`, 1)
	s.wantError(s.do("POST", "/api/v1/campaigns", district), http.StatusBadRequest, "invalid", "indicators[0].level")
	s.unchangedSince(before)

	s.decode(s.do("POST", "/api/v1/campaigns", campaign2026JSON), http.StatusCreated, nil)
	var r struct {
		Scope      struct{ Code string }
		Indicators []struct {
			Indicator   string
			Denominator json.RawMessage
		}
	}
	s.decode(s.do("GET", "/api/v1/campaigns/PCMD-2026/report?asOf=2026-06-30", ""), http.StatusOK, &r)
	if r.Scope.Code != "48" || len(r.Indicators) != 1 || string(r.Indicators[0].Denominator) != "78" {
		t.Errorf("the 2026 report = scope %s, indicators %+v; want 48 with 78 communes", r.Scope.Code, r.Indicators)
	}
}
