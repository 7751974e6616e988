package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"loa/app/access"
	"loa/app/api"
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
	// provinceWide routes act on the whole province: allowed roles make them with a
	// province account, and a district account of those roles gets outside_scope.
	provinceWide bool
	// station routes take a station's own token: the role station makes them with
	// the token issued to MX-TK (in 502), outside meaning another station's airing;
	// every other role is refused with its login and its API token.
	station bool
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

// The scheduling lines of the matrix: a daily rule of campaignJSON's campaign on one
// station at a whole hour, a ten-minute press placement, a publication an hour ago.
func matrixRule(station string, hour int) string {
	return fmt.Sprintf(`{"campaign":"PCMBN-2025","title":"Phát thanh %d giờ","stations":[%q],"rrule":"FREQ=DAILY;BYHOUR=%d;BYMINUTE=0",`+
		`"startDate":"2025-01-01","durationSeconds":900}`, hour, station, hour)
}

func matrixPlacement(station, start string) string {
	return fmt.Sprintf(`{"station":%q,"campaign":"PCMBN-2025","start":%q,"durationSeconds":600}`, station, start)
}

// The reach lines of the matrix: records of campaignJSON's campaign in Tam Thanh
// (20359, in 502) and Tân Hiệp (20434, in 503), with their paths; a campaign with a
// manual indicator and its values in 502 and 503.
const (
	reachInside        = `{"campaign":"PCMBN-2025","orgUnit":"20359","group":"students","date":"2025-03-05","activity":"school_session","activities":1,"personTimes":40}`
	reachOutside       = `{"campaign":"PCMBN-2025","orgUnit":"20434","group":"students","date":"2025-03-05","activity":"school_session","activities":1,"personTimes":40}`
	reachPathInside    = "/api/v1/reach/PCMBN-2025%7C20359%7Cstudents%7C2025-03-05%7Cschool_session%7C"
	reachPathOutside   = "/api/v1/reach/PCMBN-2025%7C20434%7Cstudents%7C2025-03-05%7Cschool_session%7C"
	reachImportInside  = "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người\n20359,students,06/03/2025,school_session,1,30\n"
	manualCampaignJSON = `{"code":"MX-MANUAL","title":"Kiểm tra cơ sở","period":{"start":"2025-01-01","end":"2025-12-31"},` +
		`"indicators":[{"code":"inspected","title":"Cơ sở được kiểm tra","rule":"manual","comparator":"gt","threshold":0.8,"source":"Trên 80% cơ sở"}]}`
	manualInside  = `{"indicator":"inspected","orgUnit":"502","asOf":"2025-06-30","numerator":5,"denominator":10,"source":"Báo cáo của Công an"}`
	manualOutside = `{"indicator":"inspected","orgUnit":"503","asOf":"2025-06-30","numerator":5,"denominator":10,"source":"Báo cáo của Công an"}`
)

const publicationJSON = `{"url":"https://baoquangnam.vn/phong-chong-mua-ban-nguoi","publishedAt":"{past}"}`

// The matrix of every route × every role × inside and outside the account's scope.
// Adding a route is adding a line.
var matrix = []routeCase{
	{method: "GET", path: "/api/v1/me", roles: allRoles},
	{method: "GET", path: "/api/v1/me/tokens", roles: anyone("station")},
	{method: "POST", path: "/api/v1/me/tokens", body: `{"name":"matrix"}`, roles: anyone("station")},
	{method: "DELETE", path: "/api/v1/me/tokens/0000", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/me/password", body: `{"oldPassword":"wrong password","newPassword":"0123456789"}`, roles: anyone("station")},
	{method: "GET", path: "/api/v1/orgunits", roles: anyone("station")},
	{method: "GET", path: "/api/v1/orgunits/502", roles: anyone("station")},
	{method: "GET", path: "/api/v1/targetgroups", roles: anyone("station")},
	{method: "POST", path: "/api/v1/orgunits/import", body: unitsInside, contentType: "text/csv", roles: []string{"admin"},
		outsidePath: "/api/v1/orgunits/import", outsideBody: unitsOutside, outsideStatus: 200},
	{method: "GET", path: "/api/v1/populations?orgUnit=502", roles: []string{"admin", "planner", "reporter", "viewer"},
		outsidePath: "/api/v1/populations?orgUnit=503", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/populations/import", body: popsInside, contentType: "text/csv", roles: []string{"admin"},
		outsidePath: "/api/v1/populations/import", outsideBody: popsOutside, outsideStatus: 200},
	{method: "GET", path: "/api/v1/campaigns", roles: anyone("station")},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025", roles: anyone("station")},
	{method: "POST", path: "/api/v1/campaigns", body: campaignJSON, roles: []string{"admin", "planner"}, provinceWide: true},
	{method: "PUT", path: "/api/v1/campaigns/PCMBN-2025", body: campaignJSON, roles: []string{"admin", "planner"}, provinceWide: true},
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
	{method: "GET", path: "/api/v1/users/in-502/throttle", roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503/throttle", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "DELETE", path: "/api/v1/users/in-502/throttle", roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503/throttle", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/users/in-502/scope-mapping", roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503/scope-mapping", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/users/in-502/scope-mapping", body: `{"units":["20335"]}`, roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503/scope-mapping", outsideBody: `{"units":["20335"]}`, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "DELETE", path: "/api/v1/users/in-502", roles: []string{"admin"},
		outsidePath: "/api/v1/users/in-503", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/languages", roles: anyone("station")},
	{method: "GET", path: "/api/v1/contents", roles: anyone("station")},
	{method: "POST", path: "/api/v1/contents", body: contentJSON, roles: []string{"admin", "planner", "approver"}},
	{method: "GET", path: "/api/v1/contents/{content}", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/contents/{content}", body: contentJSON, roles: []string{"admin", "planner", "approver"}},
	{method: "POST", path: "/api/v1/contents/{content}/submit", roles: []string{"admin", "planner", "approver"}},
	{method: "POST", path: "/api/v1/contents/{content}/reject", body: `{"comment":"chưa ổn"}`, roles: []string{"approver"}},
	{method: "POST", path: "/api/v1/contents/{content}/approve", roles: []string{"approver"}},
	{method: "GET", path: "/api/v1/contents/{content}/versions", roles: anyone("station")},
	{method: "GET", path: "/api/v1/contents/{content}/diff?from=1&to=1", roles: anyone("station")},
	{method: "GET", path: "/api/v1/contents/{content}/comments", roles: anyone("station")},
	{method: "POST", path: "/api/v1/contents/{content}/comments", body: `{"text":"ý kiến"}`, roles: []string{"admin", "planner", "approver"}},
	{method: "GET", path: "/api/v1/contents/{content}/render?format=text", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/contents/{content}/attachment", body: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", contentType: "image/png",
		roles: []string{"admin", "planner", "approver"}},
	{method: "GET", path: "/api/v1/contents/{content}/attachment", roles: anyone("station")},
	{method: "POST", path: "/api/v1/contents/{content}/archive", roles: []string{"admin", "planner", "approver"}},
	{method: "DELETE", path: "/api/v1/contents/{content}", roles: []string{"admin", "planner", "approver"}},
	// The scheduler: reads are not narrowed to the scope (a district account reads
	// Hội An's station and airings); writes are, through the units of the stations.
	{method: "GET", path: "/api/v1/channels", roles: anyone("station")},
	{method: "GET", path: "/api/v1/stations?under=503", roles: anyone("station")},
	{method: "POST", path: "/api/v1/stations", body: stationJSON("MX-IN", "20359", "commune_loudspeaker"), roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations", outsideBody: stationJSON("MX-OUT", "20434", "commune_loudspeaker"),
		outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/stations/MX-HA", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/stations/MX-TK", body: stationJSON("MX-TK", "502", "district_station"), roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations/MX-HA", outsideBody: stationJSON("MX-HA", "503", "district_station"),
		outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/stations/MX-TK/moves", body: `{"orgUnit":"20359","from":"2025-06-01"}`, roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations/MX-HA/moves", outsideBody: `{"orgUnit":"20434","from":"2025-06-01"}`,
		outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/stations/MX-BAO/token", roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations/MX-HA/token", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/stations/MX-BAO/operator-link", body: `{"name":"Điện thoại"}`, roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations/MX-HA/operator-link", outsideBody: `{"name":"Điện thoại"}`, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/stations/MX-BAO/operator-links", roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations/MX-HA/operator-links", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "DELETE", path: "/api/v1/stations/MX-BAO/operator-links/khong-co", roles: []string{"admin", "planner"},
		outsidePath: "/api/v1/stations/MX-HA/operator-links/khong-co", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/stations/MX-TK/asrun?month=2025-03", roles: []string{"admin", "planner", "viewer"},
		outsidePath: "/api/v1/stations/MX-HA/asrun?month=2025-03", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/rules", roles: anyone("station")},
	{method: "POST", path: "/api/v1/rules/preview", body: matrixRule("MX-TK", 17), roles: []string{"planner"},
		outsidePath: "/api/v1/rules/preview", outsideBody: matrixRule("MX-HA", 17), outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/rules", body: matrixRule("MX-TK", 17), roles: []string{"planner"},
		outsidePath: "/api/v1/rules", outsideBody: matrixRule("MX-HA", 17), outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/rules/{ruleOut}", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/rules/{rule}", body: matrixRule("MX-TK", 6), roles: []string{"planner"},
		outsidePath: "/api/v1/rules/{ruleOut}", outsideBody: matrixRule("MX-HA", 6), outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/airings?station=MX-HA", roles: anyone("station")},
	{method: "POST", path: "/api/v1/airings", body: matrixPlacement("MX-BAO", "{start2}"), roles: []string{"planner"},
		outsidePath: "/api/v1/airings", outsideBody: matrixPlacement("MX-HA", "{start2}"), outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/airings/{airingOut}", roles: anyone("station")},
	{method: "PATCH", path: "/api/v1/airings/{airing}", body: `{"note":"ghi chú"}`, roles: []string{"planner"},
		outsidePath: "/api/v1/airings/{airingOut}", outsideBody: `{"note":"ghi chú"}`, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/airings/{press}/publish", body: publicationJSON, roles: []string{"planner"},
		outsidePath: "/api/v1/airings/{airingOut}/publish", outsideBody: publicationJSON, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025/press-calendar", roles: anyone("station")},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025/gaps", roles: anyone("station")},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025/asrun?under=502", roles: []string{"admin", "planner", "viewer"},
		outsidePath: "/api/v1/campaigns/PCMBN-2025/asrun?under=503", outsideStatus: 403, outsideCode: "outside_scope"},
	// The station's feed: its own token, its own airings.
	{method: "GET", path: "/api/v1/station/schedule", roles: []string{"station"}, station: true},
	{method: "GET", path: "/api/v1/station/schedule.ics", roles: []string{"station"}, station: true},
	{method: "GET", path: "/api/v1/station/airings/{airing}/script.txt", roles: []string{"station"}, station: true,
		outsidePath: "/api/v1/station/airings/{airingOut}/script.txt", outsideStatus: 403, outsideCode: "forbidden"},
	{method: "GET", path: "/api/v1/station/airings/{airing}/script.html", roles: []string{"station"}, station: true,
		outsidePath: "/api/v1/station/airings/{airingOut}/script.html", outsideStatus: 403, outsideCode: "forbidden"},
	{method: "GET", path: "/api/v1/station/airings/{airing}/attachment", roles: []string{"station"}, station: true,
		outsidePath: "/api/v1/station/airings/{airingOut}/attachment", outsideStatus: 403, outsideCode: "forbidden"},
	{method: "POST", path: "/api/v1/station/airings/{airing}/confirm", body: `{"status":"aired","at":"{past}"}`, roles: []string{"station"}, station: true,
		outsidePath: "/api/v1/station/airings/{airingOut}/confirm", outsideBody: `{"status":"aired","at":"{past}"}`, outsideStatus: 403, outsideCode: "forbidden"},
	{method: "POST", path: "/api/v1/station/confirmations", body: `[{"clientId":"m1","airingId":"{airing}","status":"aired","at":"{past}"}]`,
		roles: []string{"station"}, station: true},
	// Reach and reports, on campaignJSON's campaign: a record in Tam Thanh (20359, in
	// 502) and one in Tân Hiệp (20434, in 503) that a province account writes; the
	// values of a manual indicator in 502 and 503.
	{method: "GET", path: "/api/v1/reach?campaign=PCMBN-2025&orgUnit=502", roles: []string{"admin", "planner", "reporter"},
		outsidePath: "/api/v1/reach?campaign=PCMBN-2025&orgUnit=503", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/reach", body: reachInside, roles: []string{"planner", "reporter"},
		outsidePath: "/api/v1/reach", outsideBody: reachOutside, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/reach", body: reachOutside, roles: []string{"planner", "reporter"}, provinceWide: true},
	{method: "GET", path: "/api/v1/reach/import-template", roles: []string{"admin", "planner", "reporter"}},
	// A row outside the scope is a conflict of its row, with a Vietnamese message
	// (TestReachImport checks it), not a refusal.
	{method: "POST", path: "/api/v1/reach/import?campaign=PCMBN-2025", body: reachImportInside, contentType: "text/csv",
		roles: []string{"planner", "reporter"}},
	{method: "GET", path: reachPathInside, roles: []string{"admin", "planner", "reporter"},
		outsidePath: reachPathOutside, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "DELETE", path: reachPathInside, roles: []string{"planner", "reporter"},
		outsidePath: reachPathOutside, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/campaigns", body: manualCampaignJSON, roles: []string{"admin", "planner"}, provinceWide: true},
	{method: "GET", path: "/api/v1/campaigns/MX-MANUAL/report-drafts/2025-H1", roles: anyone("station")},
	{method: "PUT", path: "/api/v1/campaigns/MX-MANUAL/report-drafts/2025-H1", body: `{"results":"Đã triển khai.","version":0}`, roles: []string{"admin", "planner"}, provinceWide: true},
	{method: "GET", path: "/api/v1/campaigns/MX-MANUAL/manual-values", roles: anyone("station")},
	{method: "POST", path: "/api/v1/campaigns/MX-MANUAL/manual-values", body: manualInside, roles: []string{"planner"},
		outsidePath: "/api/v1/campaigns/MX-MANUAL/manual-values", outsideBody: manualOutside, outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "POST", path: "/api/v1/campaigns/MX-MANUAL/manual-values", body: manualOutside, roles: []string{"planner"}, provinceWide: true},
	{method: "DELETE", path: "/api/v1/campaigns/MX-MANUAL/manual-values/MX-MANUAL%7Cinspected%7C502%7C2025-06-30", roles: []string{"planner"},
		outsidePath: "/api/v1/campaigns/MX-MANUAL/manual-values/MX-MANUAL%7Cinspected%7C503%7C2025-06-30", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025/report?scope=502&asOf=2025-06-30", roles: anyone("station"),
		outsidePath: "/api/v1/campaigns/PCMBN-2025/report?scope=503&asOf=2025-06-30", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025/compare?scope=502&period=2025-Q1&withPeriod=2025-Q1", roles: anyone("station"),
		outsidePath: "/api/v1/campaigns/PCMBN-2025/compare?scope=503&period=2025-Q1&withPeriod=2025-Q1", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/campaigns/PCMBN-2025/suggestions?scope=502&asOf=2025-06-30", roles: anyone("station"),
		outsidePath: "/api/v1/campaigns/PCMBN-2025/suggestions?scope=503&asOf=2025-06-30", outsideStatus: 403, outsideCode: "outside_scope"},
	{method: "GET", path: "/api/v1/jobs", roles: []string{"admin", "planner"}},
	{method: "POST", path: "/api/v1/jobs/materialize/run", roles: []string{"admin"}},
	{method: "DELETE", path: "/api/v1/campaigns/PCMBN-2025", roles: []string{"admin", "planner"}, provinceWide: true},
	{method: "POST", path: "/api/v1/auth/logout", roles: allRoles}, // last: it ends the session
}

func TestPermissionMatrix(t *testing.T) {
	s := newServer(t)
	tokens, provinceTokens, logins := map[string]string{}, map[string]string{}, map[string]string{}
	for _, role := range allRoles {
		tokens[role] = s.account("matrix-"+role, "502", role)
		provinceTokens[role] = s.account("province-"+role, "49", role)
		var login struct{ Token string }
		s.decode(s.call("POST", "/api/v1/auth/login", "application/json",
			fmt.Sprintf(`{"username":"matrix-%s","password":"password of matrix-%s"}`, role, role), ""), http.StatusOK, &login)
		logins[role] = login.Token
	}
	s.account("in-502", "502", "viewer")
	s.account("in-503", "503", "viewer")
	s.decode(s.do("POST", "/api/v1/campaigns", campaignJSON), http.StatusCreated, nil)
	var item struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", contentJSON), http.StatusCreated, &item)
	sched := s.matrixSchedule(provinceTokens["planner"])
	ids := strings.NewReplacer("{content}", item.ID, "{rule}", sched.rule, "{ruleOut}", sched.ruleOut, "{airing}", sched.airing,
		"{airingOut}", sched.airingOut, "{press}", sched.press, "{start2}", sched.start2, "{past}", sched.past)

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
		rc.path, rc.body = ids.Replace(rc.path), ids.Replace(rc.body)
		rc.outsidePath, rc.outsideBody = ids.Replace(rc.outsidePath), ids.Replace(rc.outsideBody)
		for _, role := range allRoles {
			t.Run(fmt.Sprintf("%s %s as %s", rc.method, rc.path, role), func(t *testing.T) {
				if rc.station {
					stationRoute(t, send, rc, role, sched.station, tokens[role], logins[role])
					return
				}
				if role == "station" {
					// A station's own token reads its feed and nothing else.
					status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, sched.station)
					if status != http.StatusForbidden || e.Error.Code != "forbidden" {
						t.Errorf("a station token may not %s %s: got %d %q, want 403 forbidden", rc.method, rc.path, status, e.Error.Code)
					}
				}
				token := tokens[role]
				if rc.provinceWide && slices.Contains(rc.roles, role) {
					status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, token)
					if status != http.StatusForbidden || e.Error.Code != "outside_scope" {
						t.Errorf("%s of a district may not %s %s: got %d %q, want 403 outside_scope", role, rc.method, rc.path, status, e.Error.Code)
					}
					token = provinceTokens[role]
				}
				status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, token)
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
			return rc.method == r.method && routeMatches(r.path, strings.SplitN(placeholder.ReplaceAllString(rc.path, "x"), "?", 2)[0])
		})
		if !found {
			t.Errorf("route %s %s is missing from the permission matrix", r.method, r.path)
		}
	}
}

// stationRoute checks a line of the station's feed: the station makes it with its
// own token, and gets 403 on another station's airing; any other role's tokens,
// and a token of an account that merely has the role station, are refused.
func stationRoute(t *testing.T, send func(*testing.T, string, string, string, string, string) (int, errorBody, string),
	rc routeCase, role, station, apiToken, loginToken string) {
	t.Helper()
	if role != "station" {
		for _, token := range []string{loginToken, apiToken} {
			if status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, token); status != http.StatusForbidden || e.Error.Code != "forbidden" {
				t.Errorf("%s may not %s %s: got %d %q, want 403 forbidden", role, rc.method, rc.path, status, e.Error.Code)
			}
		}
		return
	}
	if status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, apiToken); status != http.StatusForbidden || e.Error.Code != "forbidden" {
		t.Errorf("an API token of an account with the role station may not %s %s: got %d %q, want 403 forbidden", rc.method, rc.path, status, e.Error.Code)
	}
	if status, e, _ := send(t, rc.method, rc.path, rc.contentType, rc.body, station); status == http.StatusUnauthorized || status == http.StatusForbidden {
		t.Errorf("the station may %s %s: got %d %q", rc.method, rc.path, status, e.Error.Code)
	}
	if rc.outsidePath == "" {
		return
	}
	if status, e, _ := send(t, rc.method, rc.outsidePath, rc.contentType, rc.outsideBody, station); status != rc.outsideStatus || e.Error.Code != rc.outsideCode {
		t.Errorf("%s %s as another station: got %d %q, want %d %q", rc.method, rc.outsidePath, status, e.Error.Code, rc.outsideStatus, rc.outsideCode)
	}
}

// placeholder is an id the matrix fills in once its fixture exists, such as {content}.
var placeholder = regexp.MustCompile(`\{[A-Za-z0-9]+\}`)

// matrixFixture holds the ids of the scheduling fixture of the matrix.
type matrixFixture struct {
	rule, ruleOut     string // rules on MX-TK (in Tam Kỳ, 502) and MX-HA (in Hội An, 503)
	airing, airingOut string // a future airing of each
	press             string // a one-off placement on MX-BAO, Tam Kỳ's press station
	start2, past      string // a free future start on MX-BAO; an instant an hour ago
	station           string // MX-TK's station token
}

// matrixSchedule creates the stations, rules and airings the matrix's scheduling
// routes name, with the province's admin and planner.
func (s *testServer) matrixSchedule(planner string) matrixFixture {
	s.t.Helper()
	for _, st := range []string{stationJSON("MX-TK", "502", "district_station"), stationJSON("MX-HA", "503", "district_station"),
		stationJSON("MX-BAO", "502", "provincial_press")} {
		s.decode(s.do("POST", "/api/v1/stations", st), http.StatusCreated, nil)
	}
	var f matrixFixture
	var rule struct{ ID string }
	s.decode(s.call("POST", "/api/v1/rules", "application/json", matrixRule("MX-TK", 6), planner), http.StatusCreated, &rule)
	f.rule = rule.ID
	s.decode(s.call("POST", "/api/v1/rules", "application/json", matrixRule("MX-HA", 6), planner), http.StatusCreated, &rule)
	f.ruleOut = rule.ID
	start := time.Now().Add(10 * 24 * time.Hour).Truncate(time.Hour)
	f.start2 = start.Add(24 * time.Hour).Format(time.RFC3339)
	f.past = time.Now().Add(-time.Hour).Format(time.RFC3339)
	var press struct{ ID string }
	s.decode(s.call("POST", "/api/v1/airings", "application/json", matrixPlacement("MX-BAO", start.Format(time.RFC3339)), planner),
		http.StatusCreated, &press)
	f.press = press.ID
	if _, err := s.scheduler.Materialize(context.Background(), time.Now()); err != nil {
		s.t.Fatal(err)
	}
	f.airing, f.airingOut = s.firstAiring("MX-TK"), s.firstAiring("MX-HA")
	var token struct{ Secret string }
	s.decode(s.do("POST", "/api/v1/stations/MX-TK/token", ""), http.StatusCreated, &token)
	f.station = token.Secret
	return f
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

func TestSessionCookieNeedsCSRFToken(t *testing.T) {
	s := newServer(t)
	withCookie := func(method, path, body, csrf string) *http.Request {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: s.token})
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return req
	}
	if rec := s.send(withCookie("GET", "/api/v1/campaigns", "", "")); rec.Code != http.StatusOK {
		t.Errorf("GET with the session cookie: %d, want 200", rec.Code)
	}
	for _, csrf := range []string{"", "forged"} {
		before := s.snapshot()
		s.wantError(s.send(withCookie("POST", "/api/v1/campaigns", campaignJSON, csrf)), http.StatusForbidden, "csrf", "")
		s.unchangedSince(before)
	}
	s.decode(s.send(withCookie("POST", "/api/v1/campaigns", campaignJSON, access.CSRFToken(s.token))), http.StatusCreated, nil)
}

// Failed logins slow the next attempt down: an early one is answered 429 with
// Retry-After whatever the password, an unknown user alike; an admin clears the
// account's throttle (audited) and the right password signs in at once.
func TestLoginThrottleAnswers429(t *testing.T) {
	s := newServer(t)
	login := func(username, password string) *httptest.ResponseRecorder {
		return s.call("POST", "/api/v1/auth/login", "application/json", `{"username":"`+username+`","password":"`+password+`"}`, "")
	}
	for _, username := range []string{"admin", "ghost"} {
		for range 3 {
			s.wantError(login(username, "wrong-wrong"), http.StatusUnauthorized, "unauthorized", "")
		}
		rec := login(username, adminPassword)
		s.wantError(rec, http.StatusTooManyRequests, "too_many_requests", "")
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra != 1 {
			t.Errorf("%s: Retry-After = %q, want 1 second after the third failure", username, rec.Header().Get("Retry-After"))
		}
	}
	var throttle access.Strikes
	s.decode(s.do("GET", "/api/v1/users/admin/throttle", ""), http.StatusOK, &throttle)
	if throttle.Failures != 3 || throttle.Next.IsZero() {
		t.Errorf("admin's throttle = %+v, want 3 failures and a next attempt", throttle)
	}
	before := s.snapshot()
	s.wantError(s.do("DELETE", "/api/v1/users/ghost/throttle", ""), http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)
	s.decode(s.do("DELETE", "/api/v1/users/admin/throttle", ""), http.StatusNoContent, nil)
	s.decode(login("admin", adminPassword), http.StatusOK, nil)
	var trail struct {
		Items []struct{ Action, Entity, EntityID string }
	}
	s.decode(s.do("GET", "/api/v1/audit?entity=user&entityId=admin", ""), http.StatusOK, &trail)
	if len(trail.Items) == 0 || trail.Items[0].Action != "update" {
		t.Errorf("audit of the cleared throttle = %+v, want an update of the user admin first", trail.Items)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newServer(t)
	for _, rec := range []*httptest.ResponseRecorder{
		s.do("GET", "/api/v1/campaigns", ""),
		s.call("GET", "/api/v1/campaigns", "", "", ""),
		s.call("GET", "/api/v1/nowhere", "", "", ""),
		s.call("GET", "/healthz", "", "", ""),
	} {
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") ||
			strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%d answer lacks the security headers: %v", rec.Code, h)
		}
	}
}

// A reporter of one district sees and writes only its district.
func TestDistrictReporterIsConfined(t *testing.T) {
	s := newServer(t)
	s.decode(upload(s, "/api/v1/populations/import",
		"org_unit_code,group,year,count,source\n502,students,2024,100,x\n20359,students,2024,10,x\n503,students,2024,200,x\n"), http.StatusOK, nil)
	reporter := s.account("tamky-reporter", "502", "reporter")
	var pops struct {
		Items []struct{ OrgUnit string }
		Total int
	}
	s.decode(s.call("GET", "/api/v1/populations", "", "", reporter), http.StatusOK, &pops)
	if pops.Total != 2 || pops.Items[0].OrgUnit != "20359" || pops.Items[1].OrgUnit != "502" {
		t.Errorf("Tam Kỳ's reporter sees %+v, want only 502 and 20359", pops)
	}
	s.wantError(s.call("GET", "/api/v1/populations?orgUnit=503", "", "", reporter), http.StatusForbidden, "outside_scope", "")
	before := s.snapshot()
	s.wantError(s.call("POST", "/api/v1/populations/import", "text/csv", "org_unit_code,group,year,count,source\n502,students,2024,1,x\n", reporter),
		http.StatusForbidden, "forbidden", "")
	s.wantError(s.call("GET", "/api/v1/audit", "", "", reporter), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)

	// A viewer of the district reads the trail of its district and province-wide
	// entities, not another district's nor accounts.
	viewer := s.account("tamky-viewer", "502", "viewer")
	var trail struct {
		Items []struct{ Entity, EntityID string }
	}
	s.decode(s.call("GET", "/api/v1/audit?entity=population", "", "", viewer), http.StatusOK, &trail)
	var ids []string
	for _, e := range trail.Items {
		ids = append(ids, e.EntityID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"2024|20359|students", "2024|502|students"}) {
		t.Errorf("the district viewer's trail of populations = %v", ids)
	}
	s.decode(s.call("GET", "/api/v1/audit?entity=user", "", "", viewer), http.StatusOK, &trail)
	if len(trail.Items) != 0 {
		t.Errorf("a viewer sees account changes: %+v", trail.Items)
	}
	// A district's admin sees the changes of its district's accounts only.
	districtAdmin := s.account("tamky-admin", "502", "admin")
	s.decode(s.call("GET", "/api/v1/audit?entity=user", "", "", districtAdmin), http.StatusOK, &trail)
	ids = nil
	for _, e := range trail.Items {
		ids = append(ids, e.EntityID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"tamky-admin", "tamky-reporter", "tamky-viewer"}) {
		t.Errorf("the district admin's trail of accounts = %v, want only Tam Kỳ's", ids)
	}
}

type auditEntry struct {
	Actor, Action, Entity, EntityID string
	Before, After                   map[string]any
}

func (s *testServer) trail(query string) []auditEntry {
	s.t.Helper()
	var page struct{ Items []auditEntry }
	s.decode(s.do("GET", "/api/v1/audit?"+query, ""), http.StatusOK, &page)
	return page.Items
}

// Every change is in the trail with who made it and the state before and after;
// secrets never are.
func TestAuditTrail(t *testing.T) {
	s := newServer(t)
	s.decode(s.do("POST", "/api/v1/campaigns", campaignJSON), http.StatusCreated, nil)
	s.decode(s.do("PUT", "/api/v1/campaigns/PCMBN-2025", withCampaign(t, func(m map[string]any) {
		m["secretariat"] = "Sở Y tế"
		indicator(m, 0)["threshold"] = 0.8
		m["indicators"] = m["indicators"].([]any)[:2]
	})), http.StatusOK, nil)
	s.decode(s.do("DELETE", "/api/v1/campaigns/PCMBN-2025", ""), http.StatusNoContent, nil)
	s.decode(upload(s, "/api/v1/populations/import", "org_unit_code,group,year,count,source\n502,students,2024,100,x\n"), http.StatusOK, nil)
	s.decode(upload(s, "/api/v1/populations/import", "org_unit_code,group,year,count,source\n502,students,2024,120,y\n"), http.StatusOK, nil)
	s.decode(upload(s, "/api/v1/orgunits/import", "code,name,type,level,parent_code\n20359,Tam Thanh Mới,xã,commune,502\n"), http.StatusOK, nil)
	s.decode(s.do("POST", "/api/v1/users", `{"username":"clerk","displayName":"Thư ký","roles":["viewer"],"scope":"502","password":"a secret password"}`), http.StatusCreated, nil)
	s.decode(s.do("PUT", "/api/v1/users/clerk", `{"displayName":"Thư ký","roles":["reporter"],"scope":"502","password":"another secret one"}`), http.StatusOK, nil)
	s.decode(s.do("DELETE", "/api/v1/users/clerk", ""), http.StatusNoContent, nil)
	var tok struct{ ID, Secret string }
	s.decode(s.do("POST", "/api/v1/me/tokens", `{"name":"cli"}`), http.StatusCreated, &tok)
	s.decode(s.do("DELETE", "/api/v1/me/tokens/"+tok.ID, ""), http.StatusNoContent, nil)

	tests := []struct {
		query             string
		action            string
		beforeKey, before string
		afterKey, after   string
	}{
		{"entity=campaign&entityId=PCMBN-2025", "delete", "secretariat", "Sở Y tế", "", ""},
		{"entity=campaign&entityId=PCMBN-2025", "update", "secretariat", "Công an tỉnh", "secretariat", "Sở Y tế"},
		{"entity=campaign&entityId=PCMBN-2025", "create", "", "", "code", "PCMBN-2025"},
		{"entity=indicator&entityId=PCMBN-2025/communes", "delete", "threshold", "0.8", "", ""}, // with its campaign
		{"entity=indicator&entityId=PCMBN-2025/communes", "update", "threshold", "0.7", "threshold", "0.8"},
		{"entity=indicator&entityId=PCMBN-2025/communes", "create", "", "", "threshold", "0.7"},
		{"entity=indicator&entityId=PCMBN-2025/press", "delete", "channel", "provincial_press", "", ""},
		{"entity=population&entityId=2024|502|students", "update", "count", "100", "count", "120"},
		{"entity=population&entityId=2024|502|students", "create", "", "", "source", "x"},
		{"entity=orgunit&entityId=20359", "update", "name", "Tam Thanh", "name", "Tam Thanh Mới"},
		{"entity=user&entityId=clerk", "delete", "roles", "[reporter]", "", ""},
		{"entity=user&entityId=clerk", "update", "roles", "[viewer]", "roles", "[reporter]"},
		{"entity=user&entityId=clerk", "create", "", "", "displayName", "Thư ký"},
		{"entity=token&entityId=" + tok.ID, "delete", "name", "cli", "", ""},
		{"entity=token&entityId=" + tok.ID, "create", "", "", "name", "cli"},
	}
	seen := map[string]int{}
	for _, tt := range tests {
		entries := s.trail(strings.ReplaceAll(tt.query, "|", "%7C"))
		i := seen[tt.query]
		seen[tt.query]++
		if i >= len(entries) {
			t.Errorf("%s: %d entries, want at least %d", tt.query, len(entries), i+1)
			continue
		}
		e := entries[i] // newest first
		if e.Action != tt.action || e.Actor != "admin" {
			t.Errorf("%s entry %d: %s by %s, want %s by admin", tt.query, i, e.Action, e.Actor, tt.action)
		}
		for _, side := range []struct {
			name, key, want string
			doc             map[string]any
		}{{"before", tt.beforeKey, tt.before, e.Before}, {"after", tt.afterKey, tt.after, e.After}} {
			if side.key == "" {
				if side.doc != nil {
					t.Errorf("%s %s: %s = %v, want null", tt.query, tt.action, side.name, side.doc)
				}
				continue
			}
			if got := fmt.Sprint(side.doc[side.key]); got != side.want {
				t.Errorf("%s %s: %s.%s = %s, want %s", tt.query, tt.action, side.name, side.key, got, side.want)
			}
		}
	}
	all := s.do("GET", "/api/v1/audit?limit=1000", "").Body.String()
	for _, secret := range []string{"a secret password", "another secret one", tok.Secret, "passwordHash", `"hash"`, adminPassword} {
		if strings.Contains(all, secret) {
			t.Errorf("the audit trail contains %q", secret)
		}
	}

	// Paging walks the whole trail newest first, once.
	var page struct {
		Items      []struct{ ID string }
		NextCursor string
	}
	ids := map[string]bool{}
	cursor := ""
	for range 100 {
		page.NextCursor = ""
		s.decode(s.do("GET", "/api/v1/audit?limit=7&cursor="+cursor, ""), http.StatusOK, &page)
		for _, e := range page.Items {
			if ids[e.ID] {
				t.Fatalf("entry %s on two pages", e.ID)
			}
			ids[e.ID] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := strings.Count(all, `"entityId"`); len(ids) != want {
		t.Errorf("paging found %d entries, want %d", len(ids), want)
	}
	s.wantError(s.do("GET", "/api/v1/audit?from=yesterday", ""), http.StatusBadRequest, "invalid", "from")
}
