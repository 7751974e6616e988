package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

var allRoles = []string{"admin", "planner", "approver", "station", "reporter", "viewer"}

// routeCase is one line of the permission matrix: a request, the roles that may
// make it, and, for requests about an org unit, the same request about a unit
// outside the district (502, Tam Kỳ) every test account is scoped to.
type routeCase struct {
	method, path, body string
	roles              []string
	outsidePath        string // the same route on a unit outside 502; "" if the route has no unit
	outsideBody        string
	outsideStatus      int    // what an allowed role gets outside its scope
	outsideCode        string // its error code, or "" for a summary with a conflict
	contentType        string
}

func anyone(except ...string) []string {
	return slices.DeleteFunc(slices.Clone(allRoles), func(r string) bool { return slices.Contains(except, r) })
}

const (
	unitsInside  = "code,name,type,level,parent_code\n99001,Thôn Một,thôn,village,20359\n"
	unitsOutside = "code,name,type,level,parent_code\n99002,Thôn Hai,thôn,village,20434\n"
	popsInside   = "org_unit_code,group,year,count,source\n20359,students,2024,500,test\n"
	popsOutside  = "org_unit_code,group,year,count,source\n503,students,2024,500,test\n"
)

// The matrix of every route × every role × inside and outside the account's scope.
// Adding a route is adding a line.
var matrix = []routeCase{
	{method: "GET", path: "/api/v1/me", roles: allRoles},
	{method: "GET", path: "/api/v1/me/tokens", roles: anyone("station")},
	{method: "POST", path: "/api/v1/me/tokens", body: `{"name":"matrix"}`, roles: anyone("station")},
	{method: "DELETE", path: "/api/v1/me/tokens/0000", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/me/password", body: `{"oldPassword":"wrong password","newPassword":"0123456789"}`, roles: anyone("station")},
	{method: "GET", path: "/api/v1/orgunits", roles: allRoles},
	{method: "GET", path: "/api/v1/orgunits/502", roles: allRoles},
	{method: "GET", path: "/api/v1/targetgroups", roles: allRoles},
	{method: "POST", path: "/api/v1/orgunits/import", body: unitsInside, contentType: "text/csv", roles: []string{"admin"},
		outsidePath: "/api/v1/orgunits/import", outsideBody: unitsOutside, outsideStatus: 200},
	{method: "GET", path: "/api/v1/populations?orgUnit=502", roles: []string{"admin", "planner", "reporter", "viewer"},
		outsidePath: "/api/v1/populations?orgUnit=503", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/populations/import", body: popsInside, contentType: "text/csv", roles: []string{"admin"},
		outsidePath: "/api/v1/populations/import", outsideBody: popsOutside, outsideStatus: 200},
	{method: "GET", path: "/api/v1/campaigns", roles: anyone("station")},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025", roles: anyone("station")},
	{method: "POST", path: "/api/v1/campaigns", body: campaignJSON, roles: []string{"admin", "planner"}},
	{method: "PUT", path: "/api/v1/campaigns/PCMBN-2025", body: campaignJSON, roles: []string{"admin", "planner"}},
	{method: "GET", path: "/api/v1/audit", roles: []string{"admin", "viewer"}},
	{method: "GET", path: "/api/v1/users", roles: []string{"admin"}},
	{method: "POST", path: "/api/v1/users", body: `{"username":"new-in","displayName":"Mới","roles":["viewer"],"scope":"20359","password":"0123456789"}`,
		roles: []string{"admin"}, outsidePath: "/api/v1/users",
		outsideBody:   `{"username":"new-out","displayName":"Mới","roles":["viewer"],"scope":"503","password":"0123456789"}`,
		outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/users/in-502", roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "PUT", path: "/api/v1/users/in-502", body: `{"displayName":"Đổi","roles":["viewer"],"scope":"502"}`, roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503", outsideBody: `{"displayName":"Đổi","roles":["viewer"],"scope":"503"}`,
		outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "DELETE", path: "/api/v1/users/in-502", roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "DELETE", path: "/api/v1/campaigns/PCMBN-2025", roles: []string{"admin", "planner"}},
	{method: "POST", path: "/api/v1/auth/logout", roles: allRoles}, // last: it ends the session
}

func TestPermissionMatrix(t *testing.T) {
	s := newServer(t)
	tokens := map[string]string{}
	for _, role := range allRoles {
		tokens[role] = s.account("matrix-"+role, "502", role)
	}
	s.account("in-502", "502", "viewer")
	s.account("in-503", "503", "viewer")
	s.decode(s.do("POST", "/api/v1/campaigns", campaignJSON), http.StatusCreated, nil)

	send := func(t *testing.T, method, path, contentType, body, token string) (int, errorBody, string) {
		t.Helper()
		if contentType == "" && body != "" {
			contentType = "application/json"
		}
		rec := s.sub(t).call(method, path, contentType, body, token)
		var e errorBody
		if rec.Code >= 400 {
			s.sub(t).decode(rec, rec.Code, &e)
		}
		return rec.Code, e, rec.Body.String()
	}
	for _, rc := range matrix {
		for _, role := range allRoles {
			t.Run(fmt.Sprintf("%s %s as %s", rc.method, rc.path, role), func(t *testing.T) {
				status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, tokens[role])
				if !slices.Contains(rc.roles, role) {
					if status != http.StatusForbidden || e.Error.Code != "forbidden" {
						t.Errorf("%s may not %s %s: got %d %q, want 403 forbidden", role, rc.method, rc.path, status, e.Error.Code)
					}
					return
				}
				if status == http.StatusUnauthorized || status == http.StatusForbidden {
					t.Errorf("%s may %s %s: got %d %q", role, rc.method, rc.path, status, e.Error.Code)
				}
				if rc.outsidePath == "" {
					return
				}
				status, e, body := send(t, rc.method, rc.outsidePath, rc.contentType, rc.outsideBody, tokens[role])
				if status != rc.outsideStatus || e.Error.Code != rc.outsideCode {
					t.Errorf("%s %s outside the scope as %s: got %d %q, want %d %q", rc.method, rc.outsidePath, role,
						status, e.Error.Code, rc.outsideStatus, rc.outsideCode)
				}
				if rc.outsideCode == "" && !strings.Contains(body, "outside your scope") {
					t.Errorf("%s %s outside the scope as %s: no scope conflict in %s", rc.method, rc.outsidePath, role, body)
				}
			})
		}
	}
	// Every route the API serves is in the matrix.
	for _, r := range registeredRoutes() {
		if !strings.HasPrefix(r.path, "/api/v1/") || r.path == "/api/v1/auth/login" || r.path == "/api/v1/openapi.json" {
			continue
		}
		found := slices.ContainsFunc(matrix, func(rc routeCase) bool {
			return rc.method == r.method && routeMatches(r.path, strings.SplitN(rc.path, "?", 2)[0])
		})
		if !found {
			t.Errorf("route %s %s is missing from the permission matrix", r.method, r.path)
		}
	}
}

// routeMatches reports whether path is an instance of the gin pattern.
func routeMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], ":") && ps[i] != xs[i] {
			return false
		}
	}
	return true
}
