package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// stationJSON is a station of channel at unit, in Vietnamese, with a sample
// audience.
func stationJSON(code, unit, channel string) string {
	return fmt.Sprintf(`{"code":%q,"name":"Đài %s","channel":%q,"orgUnit":%q,"languages":["vi"],`+
		`"audienceEstimate":{"people":1000,"source":"ước tính mẫu"}}`, code, code, channel, unit)
}

// firstAiring returns the id of a station's first airing in the next 7 days.
func (s *testServer) firstAiring(station string) string {
	s.t.Helper()
	var page struct{ Items []struct{ ID string } }
	s.decode(s.do("GET", "/api/v1/airings?station="+station+"&limit=1", ""), http.StatusOK, &page)
	if len(page.Items) == 0 {
		s.t.Fatalf("station %s has no airing in the next 7 days", station)
	}
	return page.Items[0].ID
}

// detail returns the message of the error detail about field, or "".
func detail(t *testing.T, body []byte, field string) string {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	for _, d := range e.Error.Details {
		if d.Field == field {
			return d.Message
		}
	}
	return ""
}

// Shapes of the scheduling answers, with the fields the tests look at.
type (
	station struct {
		Code, Name, Channel, OrgUnit string
		Languages                    []string
		AudienceEstimate             struct {
			People int
			Source string
		}
		Active               bool
		CreatedAt, UpdatedAt string
	}
	occurrence   struct{ Start, End, StartUtc, EndUtc string }
	ruleConflict struct {
		Rule              string
		Priority          int
		Occurrence, Other occurrence
		Stations          []string
		StationCount      int
		Displaced         string
	}
	conflicts struct {
		Conflicts                 []ruleConflict
		Total, Displaced, Refused int
	}
	warning   struct{ Code, Message string }
	savedRule struct {
		ID, Title string
		Stations  struct {
			Codes          []string
			Channel, Under string
		}
		Until     *string
		Version   int
		Active    bool
		Conflicts conflicts
		Warnings  []warning
	}
	preview struct {
		Occurrences  []occurrence
		Stations     []string
		StationCount int
		Conflicts    conflicts
		Warnings     []warning
	}
	airing struct {
		ID, Rule, Campaign, Station, Channel string
		Slot, Start, End, StartUtc, EndUtc   string
		DurationSeconds                      int
		Content                              string
		ContentVersion                       int
		Status, Reason, DisplacedBy          string
		Moved                                bool
		PublishedUrl                         string
		Rev                                  int
	}
	airingPage struct {
		Items      []airing
		Total      int
		NextCursor string
	}
)

func warningCodes(ws []warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

// schedule is a server with what scheduling needs: a campaign running from the
// start of this year to the end of the next, the district stations of Tam Kỳ (502)
// and Hội An (503), the loudspeakers of Tam Thanh (20359, in Tam Kỳ), the provincial
// newspaper, an approved Vietnamese radio script of the campaign and a planner of
// the province. Rules start on day0, tomorrow in the deployment's zone, so that
// what they place does not depend on the time of day the test runs.
type schedule struct {
	*testServer
	planner  string
	campaign string
	item     string
	// start is when the fixture was made; day0 is the next day in the zone.
	start, day0 time.Time
}

func newSchedule(t *testing.T) *schedule {
	t.Helper()
	s := &schedule{testServer: newServer(t), campaign: "LICH"}
	s.start = time.Now()
	now := s.start.In(zone)
	s.day0 = time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, zone)
	s.decode(s.do("POST", "/api/v1/campaigns", withCampaign(t, func(m map[string]any) {
		m["code"] = s.campaign
		m["period"] = map[string]any{"start": fmt.Sprintf("%d-01-01", now.Year()), "end": fmt.Sprintf("%d-12-31", now.Year()+1)}
	})), http.StatusCreated, nil)
	for _, st := range []string{
		stationJSON("DT-TK", "502", "district_station"),
		stationJSON("DT-HA", "503", "district_station"),
		stationJSON("LOA-20359", "20359", "commune_loudspeaker"),
		stationJSON("BQN", "49", "provincial_press"),
	} {
		s.decode(s.do("POST", "/api/v1/stations", st), http.StatusCreated, nil)
	}
	s.item = s.content(`"tags": ["sang"]`, true)
	s.planner = s.account("kehoach", "49", "planner")
	// Today is after 01/07/2025: the province's planner also plans on the units
	// Quảng Nam's land passed to (Đà Nẵng), as an admin confirms.
	s.decode(s.do("POST", "/api/v1/users/kehoach/scope-mapping", `{"units":["48"]}`), http.StatusOK, nil)
	return s
}

// sub is s reporting to the subtest t.
func (s *schedule) sub(t *testing.T) *schedule {
	c := *s
	c.testServer = s.testServer.sub(t)
	return &c
}

// content creates a radio script of the campaign with extra fields and, when
// approve, has an approver approve it. It returns its id.
func (s *schedule) content(extra string, approve bool) string {
	s.t.Helper()
	body := strings.Replace(strings.Replace(contentJSON, "PCMBN-2025", s.campaign, 1), `"kind": "radio_script"`, `"kind": "radio_script", `+extra, 1)
	var it struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", body), http.StatusCreated, &it)
	if approve {
		s.decode(s.do("POST", "/api/v1/contents/"+it.ID+"/submit", ""), http.StatusOK, nil)
		approver := s.account("duyet-"+it.ID, "49", "approver")
		s.decode(s.call("POST", "/api/v1/contents/"+it.ID+"/approve", "", "", approver), http.StatusOK, nil)
	}
	return it.ID
}

// date is the date days after day0.
func (s *schedule) date(days int) string { return s.day0.AddDate(0, 0, days).Format(time.DateOnly) }

// at is the instant days after day0 at hh:mm in the zone, in RFC 3339.
func (s *schedule) at(days, hour, minute int) string {
	d := s.day0.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, zone).Format(time.RFC3339)
}

// rule is a rule body: 15 minutes at 06:30 every day from day0 to the campaign's
// end on Tam Kỳ's station with radio scripts, with changes applied (nil removes a
// field).
func (s *schedule) rule(changes map[string]any) string {
	s.t.Helper()
	m := map[string]any{"campaign": s.campaign, "title": "Phát thanh buổi sáng", "stations": []string{"DT-TK"},
		"rrule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=30", "startDate": s.date(0), "until": fmt.Sprintf("%d-12-31", s.day0.Year()+1),
		"durationSeconds": 900, "pool": map[string]any{"kinds": []string{"radio_script"}}}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// plan sends a rule body as the planner.
func (s *schedule) plan(method, path, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.call(method, path, "application/json", body, s.planner)
}

// createRule saves a rule and returns what was saved.
func (s *schedule) createRule(changes map[string]any) savedRule {
	s.t.Helper()
	var r savedRule
	s.decode(s.plan("POST", "/api/v1/rules", s.rule(changes)), http.StatusCreated, &r)
	return r
}

// materialize runs the scheduler's materialisation as the job does, as of the
// fixture's start: the horizon is 35 days from day0 whenever the test runs.
func (s *schedule) materialize() {
	s.t.Helper()
	if _, err := s.scheduler.Materialize(context.Background(), s.start); err != nil {
		s.t.Fatal(err)
	}
}

// airings lists the airings the query selects; they must fit on one page.
func (s *schedule) airings(query string) []airing {
	s.t.Helper()
	var p airingPage
	s.decode(s.do("GET", "/api/v1/airings?"+query, ""), http.StatusOK, &p)
	if p.Total != len(p.Items) {
		s.t.Fatalf("GET /airings?%s: %d items of %d; ask for a smaller window", query, len(p.Items), p.Total)
	}
	return p.Items
}

func TestStationsAPI(t *testing.T) {
	s := newServer(t)
	planner := s.account("kehoach-tk", "502", "planner")
	var created station
	rec := s.call("POST", "/api/v1/stations", "application/json", stationJSON("DT-TK", "502", "district_station"), planner)
	s.decode(rec, http.StatusCreated, &created)
	if loc := rec.Header().Get("Location"); loc != "/api/v1/stations/DT-TK" {
		t.Errorf("Location = %q, want /api/v1/stations/DT-TK", loc)
	}
	if !created.Active || created.OrgUnit != "502" || created.AudienceEstimate.People != 1000 || !slices.Equal(created.Languages, []string{"vi"}) {
		t.Errorf("created %+v, want an active station of 502 for 1000 people in vi", created)
	}
	for _, st := range []string{
		stationJSON("LOA-20359", "20359", "commune_loudspeaker"),
		stationJSON("DT-HA", "503", "district_station"),
		stationJSON("LOA-20434", "20434", "commune_loudspeaker"),
		stationJSON("BQN", "49", "provincial_press"),
	} {
		s.decode(s.do("POST", "/api/v1/stations", st), http.StatusCreated, nil)
	}
	// Tam Kỳ's planner may not create or change a station of Hội An.
	before := s.snapshot()
	s.wantError(s.call("POST", "/api/v1/stations", "application/json", stationJSON("LOA-X", "20434", "commune_loudspeaker"), planner),
		http.StatusForbidden, "outside_scope", "")
	s.wantError(s.call("PUT", "/api/v1/stations/DT-HA", "application/json", stationJSON("DT-HA", "503", "district_station"), planner),
		http.StatusForbidden, "outside_scope", "")
	s.wantError(s.call("PUT", "/api/v1/stations/DT-TK", "application/json", stationJSON("DT-TK", "503", "district_station"), planner),
		http.StatusForbidden, "outside_scope", "")
	s.unchangedSince(before)

	// Deactivate one; a change that leaves out active keeps it.
	var changed station
	s.decode(s.do("PUT", "/api/v1/stations/LOA-20434", strings.Replace(stationJSON("LOA-20434", "20434", "commune_loudspeaker"),
		`"languages"`, `"active":false,"languages"`, 1)), http.StatusOK, &changed)
	if changed.Active {
		t.Errorf("after deactivating: %+v", changed)
	}
	s.decode(s.do("PUT", "/api/v1/stations/LOA-20434", `{"name":"Loa Tân Hiệp","channel":"commune_loudspeaker","orgUnit":"20434","languages":["vi"]}`),
		http.StatusOK, &changed)
	if changed.Active || changed.Name != "Loa Tân Hiệp" || changed.Code != "LOA-20434" || changed.AudienceEstimate.People != 0 {
		t.Errorf("after a change without active: %+v, want inactive, renamed, no audience", changed)
	}
	var shown station
	s.decode(s.do("GET", "/api/v1/stations/LOA-20434", ""), http.StatusOK, &shown)
	if shown.Name != "Loa Tân Hiệp" || shown.Active || shown.CreatedAt == "" || shown.CreatedAt != changed.CreatedAt {
		t.Errorf("shown %+v", shown)
	}
	s.wantError(s.do("GET", "/api/v1/stations/NOPE", ""), http.StatusNotFound, "not_found", "")
	s.wantError(s.do("PUT", "/api/v1/stations/NOPE", stationJSON("NOPE", "502", "district_station")), http.StatusNotFound, "not_found", "")

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"BQN", "DT-HA", "DT-TK", "LOA-20359", "LOA-20434"}},
		{"channel=commune_loudspeaker", []string{"LOA-20359", "LOA-20434"}},
		{"under=502", []string{"DT-TK", "LOA-20359"}},
		{"under=502&channel=district_station", []string{"DT-TK"}},
		{"active=false", []string{"LOA-20434"}},
		{"active=true&under=503", []string{"DT-HA"}},
		{"q=" + url.QueryEscape("ĐÀI dt-h"), []string{"DT-HA"}}, // ignoring case and diacritics
		{"q=tan+hiep", []string{"LOA-20434"}},
		{"channel=portal", nil},
	}
	for _, tt := range tests {
		var page struct {
			Items []station
			Total int
		}
		s.decode(s.do("GET", "/api/v1/stations?"+tt.query, ""), http.StatusOK, &page)
		var codes []string
		for _, st := range page.Items {
			codes = append(codes, st.Code)
		}
		if !slices.Equal(codes, tt.want) || page.Total != len(tt.want) {
			t.Errorf("GET /stations?%s = %v (total %d), want %v", tt.query, codes, page.Total, tt.want)
		}
	}

	// Pages of two walk every station once, in order.
	var codes []string
	cursor := ""
	for range 10 {
		var page struct {
			Items      []station
			Total      int
			NextCursor string
		}
		s.decode(s.do("GET", "/api/v1/stations?limit=2&cursor="+cursor, ""), http.StatusOK, &page)
		if len(page.Items) == 0 || len(page.Items) > 2 || page.Total != 5 {
			t.Fatalf("a page of %d of %d stations", len(page.Items), page.Total)
		}
		for _, st := range page.Items {
			codes = append(codes, st.Code)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{"BQN", "DT-HA", "DT-TK", "LOA-20359", "LOA-20434"}; !slices.Equal(codes, want) {
		t.Errorf("paging found %v, want %v", codes, want)
	}

	var trail struct {
		Items []struct{ Action, Actor string }
	}
	s.decode(s.do("GET", "/api/v1/audit?entity=station&entityId=DT-TK", ""), http.StatusOK, &trail)
	if len(trail.Items) != 1 || trail.Items[0].Action != "create" || trail.Items[0].Actor != "kehoach-tk" {
		t.Errorf("audit of DT-TK = %+v, want its creation by kehoach-tk", trail.Items)
	}
}

// Every bad station: 400 invalid naming the field (409 for a code in use), and
// nothing written.
func TestStationBadInput(t *testing.T) {
	s := newServer(t)
	s.decode(s.do("POST", "/api/v1/stations", stationJSON("DT-TK", "502", "district_station")), http.StatusCreated, nil)
	good := stationJSON("DT-NEW", "502", "district_station")
	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"code too short", "POST", "/api/v1/stations", strings.Replace(good, "DT-NEW", "D", 1), 400, "invalid", "code"},
		{"code with a dot", "POST", "/api/v1/stations", strings.Replace(good, `"DT-NEW"`, `"DT.NEW"`, 1), 400, "invalid", "code"},
		{"no name", "POST", "/api/v1/stations", strings.Replace(good, `"Đài DT-NEW"`, `"  "`, 1), 400, "invalid", "name"},
		{"name over 200", "POST", "/api/v1/stations", strings.Replace(good, `"Đài DT-NEW"`, `"`+strings.Repeat("đ", 201)+`"`, 1), 400, "invalid", "name"},
		{"unknown channel", "POST", "/api/v1/stations", strings.Replace(good, "district_station", "television", 1), 400, "invalid", "channel"},
		{"no org unit", "POST", "/api/v1/stations", strings.Replace(good, `"502"`, `""`, 1), 400, "invalid", "orgUnit"},
		{"unknown org unit", "POST", "/api/v1/stations", strings.Replace(good, `"502"`, `"99999"`, 1), 400, "invalid", "orgUnit"},
		{"no language", "POST", "/api/v1/stations", strings.Replace(good, `["vi"]`, `[]`, 1), 400, "invalid", "languages"},
		{"unknown language", "POST", "/api/v1/stations", strings.Replace(good, `["vi"]`, `["vi","fr"]`, 1), 400, "invalid", "languages[1]"},
		{"language twice", "POST", "/api/v1/stations", strings.Replace(good, `["vi"]`, `["vi","vi"]`, 1), 400, "invalid", "languages[1]"},
		{"negative audience", "POST", "/api/v1/stations", strings.Replace(good, `"people":1000`, `"people":-1`, 1), 400, "invalid", "audienceEstimate.people"},
		{"audience without source", "POST", "/api/v1/stations", strings.Replace(good, `"ước tính mẫu"`, `""`, 1), 400, "invalid", "audienceEstimate.source"},
		{"unknown field", "POST", "/api/v1/stations", strings.Replace(good, `"code"`, `"frequency":"FM 98","code"`, 1), 400, "invalid", "frequency"},
		{"active as text", "POST", "/api/v1/stations", strings.Replace(good, `"code"`, `"active":"yes","code"`, 1), 400, "invalid", "active"},
		{"code in use", "POST", "/api/v1/stations", stationJSON("DT-TK", "502", "district_station"), 409, "conflict", "code"},
		{"another code on change", "PUT", "/api/v1/stations/DT-TK", good, 400, "invalid", "code"},
		{"bad change", "PUT", "/api/v1/stations/DT-TK", strings.Replace(stationJSON("DT-TK", "502", "district_station"), "district_station", "radio", 1), 400, "invalid", "channel"},
		{"bad active filter", "GET", "/api/v1/stations?active=maybe", "", 400, "invalid", "active"},
		{"bad limit", "GET", "/api/v1/stations?limit=0", "", 400, "invalid", "limit"},
	}
	before := s.snapshot() // no case writes, so one snapshot serves them all
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			s.wantError(s.do(tt.method, tt.path, tt.body), tt.status, tt.code, tt.field)
			s.unchangedSince(before)
		})
	}
}

func TestRulePreviewAndCreate(t *testing.T) {
	s := newSchedule(t)

	// The preview shows local 06:30 with its offset and 23:30 UTC the day before,
	// and writes nothing.
	before := s.snapshot()
	var p preview
	s.decode(s.plan("POST", "/api/v1/rules/preview?count=3", s.rule(nil)), http.StatusOK, &p)
	if len(p.Occurrences) != 3 {
		t.Fatalf("preview of 3 = %+v", p.Occurrences)
	}
	for i, o := range p.Occurrences {
		want := occurrence{Start: s.date(i) + "T06:30:00+07:00", End: s.date(i) + "T06:45:00+07:00",
			StartUtc: s.date(i-1) + "T23:30:00Z", EndUtc: s.date(i-1) + "T23:45:00Z"}
		if o != want {
			t.Errorf("occurrence %d = %+v, want %+v", i, o, want)
		}
	}
	if !slices.Equal(p.Stations, []string{"DT-TK"}) || p.StationCount != 1 || p.Conflicts.Total != 0 || len(p.Warnings) != 0 {
		t.Errorf("preview = %+v, want DT-TK alone, no conflict, no warning", p)
	}
	s.decode(s.plan("POST", "/api/v1/rules/preview", s.rule(nil)), http.StatusOK, &p)
	if len(p.Occurrences) != 10 {
		t.Errorf("default preview has %d occurrences, want 10", len(p.Occurrences))
	}
	// The first Monday of each month at 08:00, on the newspaper.
	s.decode(s.plan("POST", "/api/v1/rules/preview?count=4", s.rule(map[string]any{"stations": []string{"BQN"},
		"rrule": "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=8", "pool": map[string]any{}})), http.StatusOK, &p)
	for _, o := range p.Occurrences {
		start, err := time.Parse(time.RFC3339, o.Start)
		if err != nil || start.Weekday() != time.Monday || start.Day() > 7 || start.Hour() != 8 || !strings.HasSuffix(o.Start, "+07:00") {
			t.Errorf("monthly occurrence %s is not a first Monday at 08:00 local", o.Start)
		}
	}
	if len(p.Occurrences) != 4 {
		t.Errorf("monthly preview = %+v", p.Occurrences)
	}
	s.unchangedSince(before)

	// Saving answers the rule with what its check found, and a Location.
	rec := s.plan("POST", "/api/v1/rules", s.rule(nil))
	var saved savedRule
	s.decode(rec, http.StatusCreated, &saved)
	if loc := rec.Header().Get("Location"); saved.ID == "" || loc != "/api/v1/rules/"+saved.ID {
		t.Errorf("Location = %q for rule %q", loc, saved.ID)
	}
	if saved.Version != 1 || !saved.Active || !slices.Equal(saved.Stations.Codes, []string{"DT-TK"}) || saved.Until == nil ||
		saved.Conflicts.Total != 0 || len(saved.Warnings) != 0 {
		t.Errorf("saved %+v", saved)
	}
	// A rule over every loudspeaker system of Tam Kỳ, resolved now to Tam Thanh's.
	loud := s.createRule(map[string]any{"title": "Loa xã", "stations": map[string]any{"channel": "commune_loudspeaker", "under": "502"},
		"rrule": nil, "cron": "0 17 * * 1-5"})
	if loud.Stations.Channel != "commune_loudspeaker" || loud.Stations.Under != "502" || loud.Stations.Codes != nil {
		t.Errorf("saved selector = %+v", loud.Stations)
	}
	var shown savedRule
	s.decode(s.do("GET", "/api/v1/rules/"+loud.ID, ""), http.StatusOK, &shown)
	if shown.ID != loud.ID || shown.Stations.Channel != "commune_loudspeaker" || shown.Stations.Under != "502" {
		t.Errorf("GET the rule = %+v", shown)
	}
	s.wantError(s.do("GET", "/api/v1/rules/r-nope", ""), http.StatusNotFound, "not_found", "")

	ids := func(query string) []string {
		var page struct{ Items []savedRule }
		s.decode(s.do("GET", "/api/v1/rules?"+query, ""), http.StatusOK, &page)
		var out []string
		for _, r := range page.Items {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{saved.ID, loud.ID}},
		{"station=LOA-20359", []string{loud.ID}},
		{"station=DT-TK", []string{saved.ID}},
		{"campaign=" + s.campaign, []string{saved.ID, loud.ID}},
		{"campaign=NOPE", nil},
		{"active=false", nil},
		{"limit=1", []string{saved.ID}},
	} {
		if got := ids(tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("GET /rules?%s = %v, want %v", tt.query, got, tt.want)
		}
	}

	// A change bumps the version and keeps active unless it says otherwise.
	var updated savedRule
	s.decode(s.plan("PUT", "/api/v1/rules/"+saved.ID, s.rule(map[string]any{"title": "Buổi sáng", "until": s.date(60)})), http.StatusOK, &updated)
	if updated.Version != 2 || !updated.Active || updated.Title != "Buổi sáng" || updated.Until == nil || *updated.Until != s.date(60) {
		t.Errorf("updated %+v", updated)
	}
	s.decode(s.plan("PUT", "/api/v1/rules/"+saved.ID, s.rule(map[string]any{"active": false})), http.StatusOK, &updated)
	if updated.Version != 3 || updated.Active {
		t.Errorf("deactivated %+v", updated)
	}
	if got := ids("active=false"); !slices.Equal(got, []string{saved.ID}) {
		t.Errorf("inactive rules = %v", got)
	}
	s.wantError(s.plan("PUT", "/api/v1/rules/r-nope", s.rule(nil)), http.StatusNotFound, "not_found", "")

	// A district planner plans its own district only.
	district := s.account("kehoach-tk", "502", "planner")
	before = s.snapshot()
	for _, body := range []string{
		s.rule(map[string]any{"stations": []string{"DT-HA"}}),
		s.rule(map[string]any{"stations": map[string]any{"channel": "commune_loudspeaker", "under": "503"}}),
		s.rule(map[string]any{"stations": map[string]any{"channel": "commune_loudspeaker", "under": "49"}, "rrule": "FREQ=DAILY;BYHOUR=20"}),
	} {
		s.wantError(s.call("POST", "/api/v1/rules", "application/json", body, district), http.StatusForbidden, "outside_scope", "")
		s.wantError(s.call("POST", "/api/v1/rules/preview", "application/json", body, district), http.StatusForbidden, "outside_scope", "")
	}
	s.wantError(s.call("PUT", "/api/v1/rules/"+saved.ID, "application/json", s.rule(map[string]any{"stations": []string{"DT-HA"}}), district),
		http.StatusForbidden, "outside_scope", "")
	s.unchangedSince(before)
	s.decode(s.call("POST", "/api/v1/rules", "application/json", s.rule(map[string]any{"rrule": "FREQ=DAILY;BYHOUR=19"}), district),
		http.StatusCreated, nil)
	// An admin manages stations, not rules.
	s.wantError(s.do("POST", "/api/v1/rules", s.rule(nil)), http.StatusForbidden, "forbidden", "")
}

// Warnings do not stop a rule: it is saved and the answer says what is wrong.
func TestRuleWarnings(t *testing.T) {
	s := newSchedule(t)
	s.content(`"tags": ["nhap"]`, false) // a draft: fits a pool, but is not approved
	tests := []struct {
		name    string
		changes map[string]any
		want    string
	}{
		{"pool that can never match", map[string]any{"pool": map[string]any{"kinds": []string{"tv_script"}}, "rrule": "FREQ=DAILY;BYHOUR=8"}, "pool_never_matches"},
		{"pool with nothing approved", map[string]any{"pool": map[string]any{"tags": []string{"nhap"}}, "rrule": "FREQ=DAILY;BYHOUR=9"}, "pool_empty_now"},
		{"RRULE without BYHOUR", map[string]any{"rrule": "FREQ=WEEKLY;BYDAY=MO"}, "midnight"},
		{"no station now", map[string]any{"stations": map[string]any{"channel": "commune_loudspeaker", "under": "503"}}, "no_stations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			var p preview
			s.decode(s.plan("POST", "/api/v1/rules/preview", s.rule(tt.changes)), http.StatusOK, &p)
			if !slices.Contains(warningCodes(p.Warnings), tt.want) {
				t.Errorf("preview warnings = %v, want %s", warningCodes(p.Warnings), tt.want)
			}
			saved := s.createRule(tt.changes)
			if got := warningCodes(saved.Warnings); !slices.Contains(got, tt.want) || len(got) != 1 {
				t.Errorf("saved with warnings %v, want %s alone", got, tt.want)
			}
		})
	}
}

// Every bad rule the issue names: 400 invalid naming the field, saying what is
// wrong, and nothing written, whether saved, previewed or changed.
func TestRuleBadInput(t *testing.T) {
	s := newSchedule(t)
	existing := s.createRule(nil)
	tests := []struct {
		name    string
		changes map[string]any
		field   string
		says    string // in the detail's message
	}{
		{"invalid RRULE", map[string]any{"rrule": "FREQ=SOMETIMES;BYHOUR=6"}, "rrule", "undefined frequency: SOMETIMES"},
		{"RRULE out of range", map[string]any{"rrule": "FREQ=DAILY;BYHOUR=25"}, "rrule", "byhour must be between 0 and 23"},
		{"RRULE without FREQ", map[string]any{"rrule": "BYHOUR=6"}, "rrule", "FREQ is required"},
		{"RRULE with DTSTART", map[string]any{"rrule": "DTSTART=20250101T000000Z;FREQ=DAILY"}, "rrule", "DTSTART"},
		{"RRULE every minute", map[string]any{"rrule": "FREQ=MINUTELY"}, "rrule", "at most hourly"},
		{"invalid cron", map[string]any{"rrule": nil, "cron": "61 6 * * *"}, "cron", "above maximum (59)"},
		{"cron of three fields", map[string]any{"rrule": nil, "cron": "* * *"}, "cron", "expected exactly 5 fields"},
		{"cron with a zone", map[string]any{"rrule": nil, "cron": "TZ=UTC 30 6 * * *"}, "cron", "time zone"},
		{"both rrule and cron", map[string]any{"cron": "30 6 * * *"}, "rrule", "not both"},
		{"neither rrule nor cron", map[string]any{"rrule": nil}, "rrule", "RRULE"},
		{"until before startDate", map[string]any{"until": s.date(-1)}, "until", "before startDate"},
		{"malformed startDate", map[string]any{"startDate": "28/11/2026"}, "startDate", "YYYY-MM-DD"},
		{"duration 0", map[string]any{"durationSeconds": 0}, "durationSeconds", "1 to 14400"},
		{"negative duration", map[string]any{"durationSeconds": -60}, "durationSeconds", "1 to 14400"},
		{"duration over 4 hours", map[string]any{"durationSeconds": 14401}, "durationSeconds", "1 to 14400"},
		{"occurrences overlapping each other", map[string]any{"rrule": "FREQ=HOURLY", "durationSeconds": 3601}, "durationSeconds", "overlap"},
		{"more than 24 a day", map[string]any{"rrule": nil, "cron": "*/30 * * * *", "durationSeconds": 60}, "cron", "more than 24"},
		{"unknown station", map[string]any{"stations": []string{"DT-TK", "NOPE"}}, "stations[1]", "unknown station NOPE"},
		{"station twice", map[string]any{"stations": []string{"DT-TK", "DT-TK"}}, "stations[1]", "twice"},
		{"unknown channel", map[string]any{"stations": map[string]any{"channel": "television", "under": "502"}}, "stations.channel", "district_station"},
		{"unknown org unit", map[string]any{"stations": map[string]any{"channel": "district_station", "under": "99999"}}, "stations.under", "unknown org unit 99999"},
		{"codes and a channel", map[string]any{"stations": map[string]any{"codes": []string{"DT-TK"}, "channel": "district_station", "under": "502"}}, "stations", "not both"},
		{"unknown content", map[string]any{"pool": map[string]any{"items": []string{"c-nope"}}}, "pool.items[0]", "unknown content item c-nope"},
		{"items and a query", map[string]any{"pool": map[string]any{"items": []string{s.item}, "kinds": []string{"radio_script"}}}, "pool", "not both"},
		{"unknown kind", map[string]any{"pool": map[string]any{"kinds": []string{"podcast"}}}, "pool.kinds[0]", "radio_script"},
		{"unknown campaign", map[string]any{"campaign": "NOPE"}, "campaign", "NOPE"},
		{"unknown group", map[string]any{"groups": []string{"tourists"}}, "groups[0]", "tourists"},
		{"no title", map[string]any{"title": " "}, "title", "1 to 200"},
		{"priority too high", map[string]any{"priority": 1001}, "priority", "-1000 to 1000"},
		{"bad exdate", map[string]any{"exdates": []string{"tomorrow"}}, "exdates[0]", "RFC 3339"},
		{"unknown field", map[string]any{"weekdays": "MO"}, "weekdays", "unknown field"},
		{"unknown field of the selector", map[string]any{"stations": map[string]any{"chanel": "district_station"}}, "chanel", "unknown field"},
	}
	before := s.snapshot() // no case writes, so one snapshot serves them all
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			body := s.rule(tt.changes)
			for _, req := range []struct{ method, path string }{
				{"POST", "/api/v1/rules"}, {"POST", "/api/v1/rules/preview"}, {"PUT", "/api/v1/rules/" + existing.ID},
			} {
				rec := s.plan(req.method, req.path, body)
				s.wantError(rec, http.StatusBadRequest, "invalid", tt.field)
				if msg := detail(t, rec.Body.Bytes(), tt.field); !strings.Contains(msg, tt.says) {
					t.Errorf("%s %s: the detail on %s says %q, want it to say %q", req.method, req.path, tt.field, msg, tt.says)
				}
			}
			s.unchangedSince(before)
		})
	}
	for _, count := range []string{"0", "101", "ten"} {
		s.wantError(s.plan("POST", "/api/v1/rules/preview?count="+count, s.rule(nil)), http.StatusBadRequest, "invalid", "count")
	}
	s.wantError(s.call("POST", "/api/v1/rules", "text/plain", s.rule(nil), s.planner), http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type")
	s.wantError(s.do("GET", "/api/v1/rules?active=sometimes", ""), http.StatusBadRequest, "invalid", "active")
	s.unchangedSince(before)
}

// Overlapping rules of equal priority are refused with both occurrences; with
// different priorities the higher keeps the slot.
func TestRuleConflicts(t *testing.T) {
	s := newSchedule(t)
	first := s.createRule(nil) // 06:30–06:45, priority 0
	overlap := map[string]any{"title": "Chen ngang", "rrule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=40", "durationSeconds": 600}

	before := s.snapshot()
	rec := s.plan("POST", "/api/v1/rules", s.rule(overlap))
	var refused struct {
		Error struct {
			Code      string
			Conflicts []ruleConflict
		}
	}
	s.decode(rec, http.StatusConflict, &refused)
	if refused.Error.Code != "conflict" || len(refused.Error.Conflicts) == 0 {
		t.Fatalf("refusal = %s", rec.Body)
	}
	s.unchangedSince(before)
	c := refused.Error.Conflicts[0]
	want := ruleConflict{Rule: first.ID, Priority: 0, Stations: []string{"DT-TK"}, StationCount: 1, Displaced: "",
		Occurrence: occurrence{s.date(0) + "T06:40:00+07:00", s.date(0) + "T06:50:00+07:00", s.date(-1) + "T23:40:00Z", s.date(-1) + "T23:50:00Z"},
		Other:      occurrence{s.date(0) + "T06:30:00+07:00", s.date(0) + "T06:45:00+07:00", s.date(-1) + "T23:30:00Z", s.date(-1) + "T23:45:00Z"}}
	if c.Rule != want.Rule || c.Occurrence != want.Occurrence || c.Other != want.Other || !slices.Equal(c.Stations, want.Stations) ||
		c.StationCount != 1 || c.Displaced != "" {
		t.Errorf("first conflict = %+v, want %+v", c, want)
	}
	// Changing a rule into the overlap is refused the same way.
	var other savedRule
	s.decode(s.plan("POST", "/api/v1/rules", s.rule(map[string]any{"rrule": "FREQ=DAILY;BYHOUR=12"})), http.StatusCreated, &other)
	before = s.snapshot()
	s.wantError(s.plan("PUT", "/api/v1/rules/"+other.ID, s.rule(overlap)), http.StatusConflict, "conflict", "")
	s.unchangedSince(before)

	// The preview says the same without refusing; elsewhere there is no overlap.
	var p preview
	s.decode(s.plan("POST", "/api/v1/rules/preview", s.rule(overlap)), http.StatusOK, &p)
	if p.Conflicts.Refused == 0 || p.Conflicts.Total != p.Conflicts.Refused || p.Conflicts.Displaced != 0 {
		t.Errorf("preview of the overlap: %+v", p.Conflicts)
	}
	s.decode(s.plan("POST", "/api/v1/rules/preview", s.rule(merge(overlap, map[string]any{"stations": []string{"DT-HA"}}))), http.StatusOK, &p)
	if p.Conflicts.Total != 0 {
		t.Errorf("an overlap on another station: %+v", p.Conflicts)
	}

	// With a higher priority it is saved; the other rule's occurrences give way.
	higher := s.createRule(merge(overlap, map[string]any{"priority": 5}))
	if higher.Conflicts.Total == 0 || higher.Conflicts.Refused != 0 || higher.Conflicts.Displaced != 0 {
		t.Errorf("higher priority: conflicts %+v, want overlaps it wins", higher.Conflicts)
	}
	for _, c := range higher.Conflicts.Conflicts {
		if c.Displaced != "other" || c.Rule != first.ID {
			t.Errorf("higher priority: conflict %+v, want the other rule displaced", c)
		}
	}
	// With a lower one it is saved and loses its overlapping occurrences.
	lower := s.createRule(map[string]any{"title": "Sau", "rrule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=45", "durationSeconds": 300, "priority": -1})
	if lower.Conflicts.Displaced == 0 || lower.Conflicts.Refused != 0 {
		t.Errorf("lower priority: conflicts %+v, want displaced occurrences", lower.Conflicts)
	}
	for _, c := range lower.Conflicts.Conflicts {
		if c.Displaced != "this" || c.Rule != higher.ID {
			t.Errorf("lower priority: conflict %+v, want this rule displaced by %s", c, higher.ID)
		}
	}

	// Materialised, the higher rule holds the slot and the others are cancelled.
	s.materialize()
	got := map[string]airing{}
	for _, a := range s.airings("station=DT-TK&from=" + s.date(0) + "&to=" + s.date(0) + "T12:00:00%2B07:00") {
		got[a.Rule] = a
	}
	for rule, want := range map[string]struct{ status, reason, by string }{
		first.ID:  {"cancelled", "displaced", higher.ID},
		higher.ID: {"planned", "", ""},
		lower.ID:  {"cancelled", "displaced", higher.ID},
	} {
		if a := got[rule]; a.Status != want.status || a.Reason != want.reason || a.DisplacedBy != want.by {
			t.Errorf("airing of rule %s on day0 = %+v, want %+v", rule, a, want)
		}
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestAiringsAPI(t *testing.T) {
	s := newSchedule(t)
	rule := s.createRule(map[string]any{"stations": []string{"DT-TK", "LOA-20359"}})
	if got := s.airings("station=DT-TK&from=" + s.date(0) + "&to=" + s.date(7)); len(got) != 0 {
		t.Fatalf("airings before materialising: %+v", got)
	}
	s.materialize()
	before := s.snapshot()
	s.materialize()
	s.unchangedSince(before) // a second run writes nothing

	week := s.airings("station=DT-TK&from=" + s.date(0) + "&to=" + s.date(7))
	if len(week) != 7 {
		t.Fatalf("a week of a daily rule = %d airings, want 7", len(week))
	}
	for i, a := range week {
		if a.Start != s.date(i)+"T06:30:00+07:00" || a.StartUtc != s.date(i-1)+"T23:30:00Z" || a.EndUtc != s.date(i-1)+"T23:45:00Z" ||
			a.Slot != a.Start || a.DurationSeconds != 900 || a.Status != "planned" || a.Content != s.item || a.ContentVersion != 1 ||
			a.Rule != rule.ID || a.Station != "DT-TK" || a.Channel != "district_station" || a.Campaign != s.campaign {
			t.Errorf("airing %d = %+v", i, a)
		}
	}
	// The same window in RFC 3339; then the filters.
	if got := s.airings("station=DT-TK&from=" + url.QueryEscape(s.at(0, 0, 0)) + "&to=" + url.QueryEscape(s.at(7, 0, 0))); len(got) != 7 {
		t.Errorf("the week given in RFC 3339: %d airings", len(got))
	}
	if got := s.airings("from=" + s.date(0) + "&to=" + s.date(7)); len(got) != 14 {
		t.Errorf("the week on every station: %d airings, want 14", len(got))
	}
	if got := s.airings("station=LOA-20359&status=planned&campaign=" + s.campaign + "&from=" + s.date(0) + "&to=" + s.date(7)); len(got) != 7 {
		t.Errorf("planned airings of Tam Thanh: %d, want 7", len(got))
	}
	if got := s.airings("station=DT-TK&status=cancelled&from=" + s.date(0) + "&to=" + s.date(7)); len(got) != 0 {
		t.Errorf("cancelled airings: %+v", got)
	}
	// The horizon bounds a rule without an end: materialised 35 days ahead, no further.
	if got := s.airings("station=DT-TK&from=" + s.date(34) + "&to=" + s.date(35)); len(got) != 1 {
		t.Errorf("airings on the horizon's last day: %d, want 1", len(got))
	}
	if got := s.airings("station=DT-TK&from=" + s.date(35) + "&to=" + s.date(90)); len(got) != 0 {
		t.Errorf("airings beyond the horizon: %d (first %s)", len(got), got[0].Start)
	}
	// Pages of three walk the week once, in order.
	var seen []string
	cursor := ""
	for range 10 {
		var page airingPage
		s.decode(s.do("GET", "/api/v1/airings?station=DT-TK&from="+s.date(0)+"&to="+s.date(7)+"&limit=3&cursor="+cursor, ""), http.StatusOK, &page)
		for _, a := range page.Items {
			seen = append(seen, a.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	var all []string
	for _, a := range week {
		all = append(all, a.ID)
	}
	if !slices.Equal(seen, all) {
		t.Errorf("paging found %v, want %v", seen, all)
	}

	var shown airing
	s.decode(s.do("GET", "/api/v1/airings/"+week[0].ID, ""), http.StatusOK, &shown)
	if shown != week[0] {
		t.Errorf("GET the airing = %+v, want %+v", shown, week[0])
	}
	s.wantError(s.do("GET", "/api/v1/airings/nope", ""), http.StatusNotFound, "not_found", "")
	s.wantError(s.do("GET", "/api/v1/airings?station=NOPE", ""), http.StatusNotFound, "not_found", "")
	for _, tt := range []struct{ query, field string }{
		{"from=" + s.date(3) + "&to=" + s.date(1), "to"},
		{"from=" + s.date(0) + "&to=" + s.date(93), "to"},
		{"from=yesterday", "from"},
		{"to=soon", "to"},
		{"status=broadcast", "status"},
		{"limit=1001", "limit"},
	} {
		s.wantError(s.do("GET", "/api/v1/airings?"+tt.query, ""), http.StatusBadRequest, "invalid", tt.field)
	}

	// Moving an occurrence onto a slot the station holds is refused; nothing changes.
	first, second := week[0], week[1]
	before = s.snapshot()
	s.wantError(s.plan("PATCH", "/api/v1/airings/"+first.ID, `{"start":"`+second.Start+`"}`), http.StatusConflict, "conflict", "")
	s.wantError(s.plan("PATCH", "/api/v1/airings/"+first.ID, `{"start":"`+s.at(1, 6, 40)+`"}`), http.StatusConflict, "conflict", "")
	s.unchangedSince(before)
	// Moved elsewhere, it keeps its slot and survives materialising again.
	var moved airing
	s.decode(s.plan("PATCH", "/api/v1/airings/"+first.ID, `{"start":"`+s.at(0, 10, 0)+`","note":"dời giờ"}`), http.StatusOK, &moved)
	if !moved.Moved || moved.Start != s.at(0, 10, 0) || moved.End != s.at(0, 10, 15) || moved.Slot != first.Slot || moved.Rev != first.Rev+1 {
		t.Errorf("moved = %+v", moved)
	}
	// Cancelled, it stays cancelled.
	var cancelled airing
	s.decode(s.plan("PATCH", "/api/v1/airings/"+second.ID, `{"status":"cancelled"}`), http.StatusOK, &cancelled)
	if cancelled.Status != "cancelled" || cancelled.Reason != "manual" || cancelled.Start != second.Start {
		t.Errorf("cancelled = %+v", cancelled)
	}
	s.materialize()
	s.decode(s.do("GET", "/api/v1/airings/"+first.ID, ""), http.StatusOK, &shown)
	if shown.Start != s.at(0, 10, 0) || !shown.Moved {
		t.Errorf("after materialising, the moved airing = %+v", shown)
	}
	s.decode(s.do("GET", "/api/v1/airings/"+second.ID, ""), http.StatusOK, &shown)
	if shown.Status != "cancelled" || shown.Reason != "manual" {
		t.Errorf("after materialising, the cancelled airing = %+v", shown)
	}
	// The freed slot can take the third occurrence.
	s.decode(s.plan("PATCH", "/api/v1/airings/"+week[2].ID, `{"start":"`+second.Start+`"}`), http.StatusOK, nil)

	before = s.snapshot()
	for _, tt := range []struct{ name, body, field string }{
		{"another status", `{"status":"aired"}`, "status"},
		{"a start in the past", `{"start":"` + time.Now().Add(-time.Hour).Format(time.RFC3339) + `"}`, "start"},
		{"unknown content", `{"content":"c-nope"}`, "content"},
		{"a long note", `{"note":"` + strings.Repeat("a", 1001) + `"}`, "note"},
		{"an unknown field", `{"station":"DT-HA"}`, "station"},
	} {
		rec := s.plan("PATCH", "/api/v1/airings/"+week[3].ID, tt.body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("PATCH with %s: %d %s, want 400", tt.name, rec.Code, rec.Body)
			continue
		}
		s.wantError(rec, http.StatusBadRequest, "invalid", tt.field)
	}
	s.wantError(s.plan("PATCH", "/api/v1/airings/nope", `{"note":"x"}`), http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)

	// A one-off press placement, published with its link; a broadcast cannot be.
	rec := s.plan("POST", "/api/v1/airings", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`, s.campaign, s.at(2, 9, 0)))
	var press airing
	s.decode(rec, http.StatusCreated, &press)
	if loc := rec.Header().Get("Location"); loc != "/api/v1/airings/"+press.ID || press.Rule != "" || press.Status != "no_content" || press.Start != s.at(2, 9, 0) {
		t.Errorf("placed %+v at %q", press, loc)
	}
	before = s.snapshot()
	for _, tt := range []struct {
		name, body  string
		status      int
		code, field string
	}{
		{"the same start", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`, s.campaign, s.at(2, 9, 0)), 409, "conflict", ""},
		{"an overlap", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`, s.campaign, s.at(2, 9, 5)), 409, "conflict", ""},
		{"a start in the past", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`, s.campaign, time.Now().Add(-time.Hour).Format(time.RFC3339)), 400, "invalid", "start"},
		{"an unknown station", fmt.Sprintf(`{"station":"NOPE","campaign":%q,"start":%q,"durationSeconds":600}`, s.campaign, s.at(3, 9, 0)), 400, "invalid", "station"},
		{"no duration", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q}`, s.campaign, s.at(3, 9, 0)), 400, "invalid", "durationSeconds"},
	} {
		s.wantError(s.plan("POST", "/api/v1/airings", tt.body), tt.status, tt.code, tt.field)
	}
	publication := `{"url":"https://baoquangnam.vn/phong-chong-mua-ban-nguoi","publishedAt":"` + time.Now().Add(-time.Hour).Format(time.RFC3339) + `"}`
	s.wantError(s.plan("POST", "/api/v1/airings/"+week[4].ID+"/publish", publication), http.StatusConflict, "conflict", "")
	s.wantError(s.plan("POST", "/api/v1/airings/"+press.ID+"/publish", `{"url":"ftp://baoquangnam.vn/x","publishedAt":"`+time.Now().Format(time.RFC3339)+`"}`),
		http.StatusBadRequest, "invalid", "url")
	s.wantError(s.plan("POST", "/api/v1/airings/"+press.ID+"/publish", `{"url":"https://baoquangnam.vn/x","publishedAt":"`+time.Now().Add(time.Hour).Format(time.RFC3339)+`"}`),
		http.StatusBadRequest, "invalid", "publishedAt")
	s.wantError(s.plan("POST", "/api/v1/airings/nope/publish", publication), http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)
	var published airing
	s.decode(s.plan("POST", "/api/v1/airings/"+press.ID+"/publish", publication), http.StatusOK, &published)
	if published.Status != "published" || published.PublishedUrl != "https://baoquangnam.vn/phong-chong-mua-ban-nguoi" {
		t.Errorf("published = %+v", published)
	}
}

// The press calendar counts a campaign's press items month by month; the gaps show
// the months without one, the idle communes and the airings without content.
func TestPressCalendarAndGaps(t *testing.T) {
	s := newSchedule(t)
	s.createRule(map[string]any{"stations": []string{"LOA-20359"}})
	s.materialize()
	// A press item without content the month after day0's, and one published the
	// month after that.
	m1 := time.Date(s.day0.Year(), s.day0.Month()+1, 1, 9, 0, 0, 0, zone)
	m2 := m1.AddDate(0, 1, 0)
	var planned, press airing
	s.decode(s.plan("POST", "/api/v1/airings", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`,
		s.campaign, m1.Format(time.RFC3339))), http.StatusCreated, &planned)
	s.decode(s.plan("POST", "/api/v1/airings", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`,
		s.campaign, m2.Format(time.RFC3339))), http.StatusCreated, &press)
	s.decode(s.plan("POST", "/api/v1/airings/"+press.ID+"/publish",
		`{"url":"https://baoquangnam.vn/bai-viet","publishedAt":"`+time.Now().Add(-time.Minute).Format(time.RFC3339)+`"}`), http.StatusOK, nil)

	now := time.Now().In(zone)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, zone)
	for _, year := range slices.Compact([]int{now.Year(), m1.Year(), m2.Year()}) {
		var pc struct {
			Campaign, Channel string
			Year, MonthsMet   int
			Months            []struct {
				Month              string
				Planned, Published int
				Meets              bool
				State              string
			}
		}
		s.decode(s.do("GET", fmt.Sprintf("/api/v1/campaigns/%s/press-calendar?year=%d", s.campaign, year), ""), http.StatusOK, &pc)
		if pc.Campaign != s.campaign || pc.Year != year || pc.Channel != "provincial_press" || len(pc.Months) != 12 {
			t.Fatalf("press calendar of %d = %+v", year, pc)
		}
		met := 0
		for i, m := range pc.Months {
			start := time.Date(year, time.Month(i+1), 1, 0, 0, 0, 0, zone)
			wantPlanned, wantPublished, state := 0, 0, "nothing_planned"
			switch {
			case start.Equal(monthOf(m2)):
				wantPlanned, wantPublished, state = 1, 1, "met"
				met++
			case start.Equal(monthOf(m1)):
				// A slot without an article is a gap, not a planned item.
			case start.Before(thisMonth):
				state = "missed"
			}
			if m.Month != start.Format("2006-01") || m.Planned != wantPlanned || m.Published != wantPublished || m.Meets != (state == "met") || m.State != state {
				t.Errorf("%s: %+v, want %d planned, %d published, %s", start.Format("2006-01"), m, wantPlanned, wantPublished, state)
			}
		}
		if pc.MonthsMet != met {
			t.Errorf("%d: %d months met, want %d", year, pc.MonthsMet, met)
		}
	}
	s.wantError(s.do("GET", "/api/v1/campaigns/"+s.campaign+"/press-calendar?year=1999", ""), http.StatusBadRequest, "invalid", "year")
	s.wantError(s.do("GET", "/api/v1/campaigns/NOPE/press-calendar", ""), http.StatusNotFound, "not_found", "")

	type gaps struct {
		Campaign, AsOf, Level string
		PressMonths           []string
		HalfYear              struct{ Start, End string }
		IdleUnits             []struct{ Code, Name, Parent string }
		UnitsTotal            int
		NoContent             []airing
		NoContentTotal        int
		SilentStations        []struct{ Station string }
	}
	var g gaps
	s.decode(s.do("GET", "/api/v1/campaigns/"+s.campaign+"/gaps?asOf="+s.date(0), ""), http.StatusOK, &g)
	var wantMonths []string
	for m := monthOf(s.day0); m.Year() <= now.Year()+1; m = m.AddDate(0, 1, 0) {
		if !m.Equal(monthOf(m2)) { // m1's press slot has no article
			wantMonths = append(wantMonths, m.Format("2006-01"))
		}
	}
	idle := map[string]bool{}
	for _, u := range g.IdleUnits {
		idle[u.Code] = true
	}
	if g.Campaign != s.campaign || g.AsOf != s.date(0) || g.Level != "commune" || !slices.Equal(g.PressMonths, wantMonths) {
		t.Errorf("gaps = %+v, want press months %v", g, wantMonths)
	}
	if g.HalfYear.Start > s.date(0) || g.HalfYear.End < s.date(0) {
		t.Errorf("half-year %+v does not hold %s", g.HalfYear, s.date(0))
	}
	// Today's communes are Đà Nẵng's: Tam Thanh (20359) is part of phường Quảng
	// Phú (20356), which its loudspeakers reach; Tân Hiệp (20434) stands as it was.
	if idle["20359"] || idle["20356"] || !idle["20434"] || g.UnitsTotal != 78 {
		t.Errorf("idle communes: Quảng Phú %v, Tân Hiệp %v, %d of %d; want Tân Hiệp alone of the two, of 78",
			idle["20356"], idle["20434"], len(g.IdleUnits), g.UnitsTotal)
	}
	if g.NoContentTotal != 1 || len(g.NoContent) != 1 || g.NoContent[0].ID != planned.ID || len(g.SilentStations) != 0 {
		t.Errorf("without content %d %+v, silent %+v; want the press item of %s alone", g.NoContentTotal, g.NoContent, g.SilentStations, m1.Format("2006-01"))
	}
	// A reader of Tam Kỳ district, mapped to the four communes its land passed
	// to, sees those.
	viewer := s.account("xem-tk", "502", "viewer")
	s.decode(s.do("POST", "/api/v1/users/xem-tk/scope-mapping", `{"units":["20335","20341","20350","20356"]}`), http.StatusOK, nil)
	var district gaps
	s.decode(s.call("GET", "/api/v1/campaigns/"+s.campaign+"/gaps?asOf="+s.date(0), "", "", viewer), http.StatusOK, &district)
	if district.UnitsTotal != 4 {
		t.Errorf("Tam Kỳ counts %d communes, want its four heirs", district.UnitsTotal)
	}
	for _, u := range district.IdleUnits {
		if !slices.Contains([]string{"20335", "20341", "20350"}, u.Code) {
			t.Errorf("Tam Kỳ's idle communes hold %+v", u)
		}
	}
	s.wantError(s.do("GET", "/api/v1/campaigns/"+s.campaign+"/gaps?asOf=tomorrow", ""), http.StatusBadRequest, "invalid", "asOf")
	s.wantError(s.do("GET", "/api/v1/campaigns/NOPE/gaps", ""), http.StatusNotFound, "not_found", "")
}

// sameInstant reports whether the RFC 3339 time s is t to the millisecond.
func sameInstant(s string, t time.Time) bool {
	u, err := time.Parse(time.RFC3339, s)
	return err == nil && u.Truncate(time.Millisecond).Equal(t.Truncate(time.Millisecond))
}

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, zone) }

func TestJobsAPI(t *testing.T) {
	s := newSchedule(t)
	type run struct{ Job, Start, End, Result, Error, Trigger, Holder string }
	var list struct {
		Items []struct {
			Name, Title, Spec string
			Next              *string
			Runs              []run
			Leader            bool
		}
	}
	s.decode(s.do("GET", "/api/v1/jobs", ""), http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Name != "materialize" || list.Items[0].Spec != "0 * * * *" || list.Items[0].Next == nil ||
		len(list.Items[0].Runs) != 0 || list.Items[0].Leader {
		t.Fatalf("jobs = %+v", list.Items)
	}
	// Saving a rule only triggers the job, which a runner without the lease skips;
	// running it by hand materialises the airings.
	s.createRule(nil)
	if got := s.airings("station=DT-TK&from=" + s.date(0) + "&to=" + s.date(7)); len(got) != 0 {
		t.Fatalf("airings before the job ran: %d", len(got))
	}
	var r run
	s.decode(s.do("POST", "/api/v1/jobs/materialize/run", ""), http.StatusOK, &r)
	start, errStart := time.Parse(time.RFC3339, r.Start)
	end, errEnd := time.Parse(time.RFC3339, r.End)
	made := s.airings("station=DT-TK&from=" + s.date(0) + "&to=" + s.date(60))
	if r.Job != "materialize" || r.Trigger != "manual" || r.Error != "" || len(made) < 35 || !strings.HasPrefix(r.Result, fmt.Sprintf("%d created", len(made))) ||
		!strings.HasSuffix(r.Start, "+07:00") || errStart != nil || errEnd != nil || end.Before(start) || r.Holder == "" {
		t.Errorf("run = %+v, want a manual run in the zone creating the %d airings listed", r, len(made))
	}
	if got := s.airings("station=DT-TK&from=" + s.date(0) + "&to=" + s.date(7)); len(got) != 7 {
		t.Errorf("airings after the job ran: %d, want 7", len(got))
	}
	s.decode(s.do("GET", "/api/v1/jobs", ""), http.StatusOK, &list)
	// The run is recorded (its times to the millisecond).
	if runs := list.Items[0].Runs; len(runs) != 1 || runs[0].Trigger != "manual" || runs[0].Result != r.Result || !sameInstant(runs[0].Start, start) {
		t.Errorf("runs = %+v, want %+v", runs, r)
	}
	before := s.snapshot()
	s.wantError(s.do("POST", "/api/v1/jobs/nope/run", ""), http.StatusNotFound, "not_found", "")
	s.wantError(s.plan("POST", "/api/v1/jobs/materialize/run", ""), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
}
