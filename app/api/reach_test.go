package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"loa/campaigns"
	"loa/campaigns/report/export"
)

// reachScene is the test server with the demo campaign PCMD-2024 (1 January to 31
// December 2024) and its sample denominators, a province planner, a reporter of Tam
// Kỳ (502) and a province viewer. The clock is the real one, so every 2024 date is
// in the past.
type reachScene struct {
	*testServer
	planner, reporter, viewer string
}

const (
	demoCampaign = campaigns.DemoCampaignCode
	xlsxType     = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	// reachHeader is the header of the import template, without the campaign column.
	reachHeader = "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Ước tính,Số hiệu báo cáo,Minh chứng\n"
)

func newReachScene(t *testing.T) *reachScene {
	t.Helper()
	s := newServer(t)
	if err := s.campaigns.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &reachScene{testServer: s, planner: s.account("planner", "49", "planner"),
		reporter: s.account("reporter-tamky", "502", "reporter"), viewer: s.account("viewer", "49", "viewer")}
}

func (s *reachScene) sub(t *testing.T) *reachScene {
	c := *s
	c.testServer = s.testServer.sub(t)
	return &c
}

// reachRecord is a reach record as the API answers it.
type reachRecord struct {
	ID, Campaign, OrgUnit, Group, Date, Activity string
	Activities                                   int
	PersonTimes                                  int64
	UniquePersons                                *int64
	Estimated                                    bool
	SourceRef, Evidence                          string
}

type reachSummary struct {
	Status                                      string
	DryRun                                      bool
	Read, Imported, Updated, Unchanged, Ignored int
	Conflicts                                   []reachConflict
	ConflictsOmitted                            int
}

type reachConflict struct {
	Row                  int
	Field, Message, Code string
}

// reachJSON is a school session in Tam Thanh (20359, Tam Kỳ) on 5 March 2024 with
// changes applied; a nil change removes the field.
func reachJSON(t *testing.T, changes map[string]any) string {
	t.Helper()
	return jsonWith(t, map[string]any{"campaign": demoCampaign, "orgUnit": "20359", "group": "students", "date": "2024-03-05",
		"activity": "school_session", "activities": 1, "personTimes": 120, "uniquePersons": 100,
		"sourceRef": "BC-01", "evidence": "Biên bản số 1"}, changes)
}

// jsonWith is base with changes applied, a nil change removing the field, as JSON.
func jsonWith(t *testing.T, base, changes map[string]any) string {
	t.Helper()
	m := merge(base, changes)
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reachPath is the path of the record with the natural key id.
func reachPath(id string) string { return "/api/v1/reach/" + url.PathEscape(id) }

func (s *reachScene) putReach(token, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.call("POST", "/api/v1/reach", "application/json", body, token)
}

// records lists the demo campaign's reach records that query ("&orgUnit=502"…)
// selects, as the province's planner sees them.
func (s *reachScene) records(query string) []reachRecord {
	s.t.Helper()
	var page struct {
		Items      []reachRecord
		NextCursor string
	}
	s.decode(s.call("GET", "/api/v1/reach?campaign="+demoCampaign+"&limit=1000"+query, "", "", s.planner), http.StatusOK, &page)
	if page.NextCursor != "" {
		s.t.Fatalf("more than 1000 records")
	}
	return page.Items
}

func recordIDs(rs []reachRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	slices.Sort(out)
	return out
}

// importReach posts a file to the import as token, with query.
func (s *reachScene) importReach(token, query, contentType, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.call("POST", "/api/v1/reach/import?"+query, contentType, body, token)
}

func (s *reachScene) importSummary(token, query, csv string) reachSummary {
	s.t.Helper()
	var sum reachSummary
	s.decode(s.importReach(token, query, "text/csv", csv), http.StatusOK, &sum)
	return sum
}

func TestReachRecordAPI(t *testing.T) {
	s := newReachScene(t)
	const id = demoCampaign + "|20359|students|2024-03-05|school_session|BC-01"

	rec := s.putReach(s.planner, reachJSON(t, nil))
	var r reachRecord
	s.decode(rec, http.StatusCreated, &r)
	if loc := rec.Header().Get("Location"); loc != reachPath(id) {
		t.Errorf("Location = %q, want %q", loc, reachPath(id))
	}
	if r.ID != id || r.PersonTimes != 120 || r.UniquePersons == nil || *r.UniquePersons != 100 || r.Evidence != "Biên bản số 1" {
		t.Errorf("created %+v", r)
	}

	// The same report again is the same record: 200, and nothing is written.
	before := s.snapshot()
	var again reachRecord
	s.decode(s.putReach(s.planner, reachJSON(t, nil)), http.StatusOK, &again)
	if !reflect.DeepEqual(again, r) {
		t.Errorf("the repeated report answers %+v, want the stored %+v", again, r)
	}
	s.unchangedSince(before)

	// A corrected report replaces it; the reporter of the district may correct it.
	s.decode(s.putReach(s.reporter, reachJSON(t, map[string]any{"personTimes": 130, "uniquePersons": nil})), http.StatusOK, &r)
	if r.PersonTimes != 130 || r.UniquePersons != nil {
		t.Errorf("replaced %+v, want 130 person-times, no unique persons", r)
	}
	var shown reachRecord
	s.decode(s.call("GET", reachPath(id), "", "", s.planner), http.StatusOK, &shown)
	if !reflect.DeepEqual(shown, r) {
		t.Errorf("GET %s = %+v, want %+v", id, shown, r)
	}
	// Viewers read reports, where small counts are hidden, never the records.
	s.wantError(s.call("GET", reachPath(id), "", "", s.viewer), http.StatusForbidden, "forbidden", "")

	// Two more records, to filter and page.
	s.decode(s.putReach(s.planner, reachJSON(t, map[string]any{"orgUnit": "20434", "date": "2024-05-02", "sourceRef": "HA-1"})), http.StatusCreated, nil)
	s.decode(s.putReach(s.planner, reachJSON(t, map[string]any{"group": "general_public", "activity": "leaflet", "estimated": true,
		"uniquePersons": nil, "personTimes": 400, "sourceRef": "TR-1"})), http.StatusCreated, nil)
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"", 3}, {"&orgUnit=502", 2}, {"&orgUnit=503", 1}, {"&orgUnit=20359", 2}, {"&group=students", 2},
		{"&activity=leaflet", 1}, {"&from=2024-03-06", 1}, {"&to=2024-03-05", 2}, {"&from=2024-03-05&to=2024-03-05", 2},
	} {
		if got := s.records(tt.query); len(got) != tt.want {
			t.Errorf("list%s: %d records, want %d: %v", tt.query, len(got), tt.want, recordIDs(got))
		}
	}
	// The district's reporter sees its district only.
	var page struct {
		Items      []reachRecord
		NextCursor string
	}
	s.decode(s.call("GET", "/api/v1/reach?campaign="+demoCampaign, "", "", s.reporter), http.StatusOK, &page)
	if len(page.Items) != 2 || slices.ContainsFunc(page.Items, func(r reachRecord) bool { return r.OrgUnit == "20434" }) {
		t.Errorf("Tam Kỳ's reporter lists %v, want the two records of Tam Kỳ", recordIDs(page.Items))
	}
	// Pages of one walk the three records once each, in the list's order.
	var walked []string
	cursor := ""
	for range 5 {
		page.NextCursor = ""
		s.decode(s.call("GET", "/api/v1/reach?campaign="+demoCampaign+"&limit=1&cursor="+cursor, "", "", s.planner), http.StatusOK, &page)
		for _, r := range page.Items {
			walked = append(walked, r.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	var all []string
	for _, r := range s.records("") {
		all = append(all, r.ID)
	}
	if len(all) != 3 || !slices.Equal(walked, all) {
		t.Errorf("pages of one walked %v, want %v", walked, all)
	}

	for _, tt := range []struct {
		name, token, path string
		status            int
		code, field       string
	}{
		{"no campaign", s.planner, "/api/v1/reach", 400, "invalid", "campaign"},
		{"unknown campaign", s.planner, "/api/v1/reach?campaign=NOPE", 404, "not_found", ""},
		{"bad from", s.planner, "/api/v1/reach?campaign=" + demoCampaign + "&from=05/03/2024", 400, "invalid", "from"},
		{"bad to", s.planner, "/api/v1/reach?campaign=" + demoCampaign + "&to=2024-02-30", 400, "invalid", "to"},
		{"bad limit", s.planner, "/api/v1/reach?campaign=" + demoCampaign + "&limit=0", 400, "invalid", "limit"},
		{"bad cursor", s.planner, "/api/v1/reach?campaign=" + demoCampaign + "&cursor=!!", 400, "invalid", "cursor"},
		{"a cursor not of a record", s.planner, "/api/v1/reach?campaign=" + demoCampaign + "&cursor=" + base64.RawURLEncoding.EncodeToString([]byte("x|y")), 400, "invalid", "cursor"},
		{"unknown unit", s.planner, "/api/v1/reach?campaign=" + demoCampaign + "&orgUnit=99999", 400, "invalid", "orgUnit"},
		{"unit outside the scope", s.reporter, "/api/v1/reach?campaign=" + demoCampaign + "&orgUnit=503", 403, "outside_scope", ""},
		{"record outside the scope", s.reporter, reachPath(demoCampaign + "|20434|students|2024-05-02|school_session|HA-1"), 403, "outside_scope", ""},
		{"no such record", s.planner, reachPath(demoCampaign + "|20359|students|2024-03-06|school_session|BC-01"), 404, "not_found", ""},
		{"approver", s.account("approver", "49", "approver"), "/api/v1/reach?campaign=" + demoCampaign, 403, "forbidden", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			s.wantError(s.call("GET", tt.path, "", "", tt.token), tt.status, tt.code, tt.field)
		})
	}

	// Deleting: refused outside the scope, then done once.
	before = s.snapshot()
	s.wantError(s.call("DELETE", reachPath(demoCampaign+"|20434|students|2024-05-02|school_session|HA-1"), "", "", s.reporter),
		http.StatusForbidden, "outside_scope", "")
	s.wantError(s.call("DELETE", reachPath(id), "", "", s.viewer), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
	s.decode(s.call("DELETE", reachPath(id), "", "", s.reporter), http.StatusNoContent, nil)
	s.wantError(s.call("GET", reachPath(id), "", "", s.planner), http.StatusNotFound, "not_found", "")
	s.wantError(s.call("DELETE", reachPath(id), "", "", s.reporter), http.StatusNotFound, "not_found", "")
	if got := s.records(""); len(got) != 2 {
		t.Errorf("after the delete %d records, want 2", len(got))
	}
	entries := s.trail("entity=reach&entityId=" + url.QueryEscape(id))
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	if want := []string{"delete by reporter-tamky", "update by reporter-tamky", "create by planner"}; !slices.Equal(actions, want) {
		t.Errorf("trail of %s = %v, want %v", id, actions, want)
	}

	// A report number with a '/' (as Vietnamese ones have) stays one path segment.
	slashed := demoCampaign + "|20359|students|2024-03-05|school_session|12/BC-UBND"
	s.decode(s.putReach(s.planner, reachJSON(t, map[string]any{"sourceRef": "12/BC-UBND"})), http.StatusCreated, nil)
	s.decode(s.call("GET", reachPath(slashed), "", "", s.planner), http.StatusOK, &r)
	if r.ID != slashed {
		t.Errorf("GET of the record with a '/' in its key: %+v", r)
	}
	s.decode(s.call("DELETE", reachPath(slashed), "", "", s.planner), http.StatusNoContent, nil)
}

func TestReachBadInput(t *testing.T) {
	s := newReachScene(t)
	future := time.Now().In(zone).AddDate(0, 0, 2).Format(time.DateOnly)
	tests := []struct {
		name        string
		token       string
		contentType string
		body        string
		status      int
		code, field string
		message     string // a part of the detail's message
	}{
		{"unknown unit", s.planner, "", reachJSON(t, map[string]any{"orgUnit": "99999"}), 400, "invalid", "orgUnit", "99999"},
		{"unknown group", s.planner, "", reachJSON(t, map[string]any{"group": "nobody"}), 400, "invalid", "group", "nobody"},
		{"unknown activity", s.planner, "", reachJSON(t, map[string]any{"activity": "dance"}), 400, "invalid", "activity", "dance"},
		{"unknown campaign", s.planner, "", reachJSON(t, map[string]any{"campaign": "NOPE"}), 400, "invalid", "campaign", "NOPE"},
		{"no campaign", s.planner, "", reachJSON(t, map[string]any{"campaign": nil}), 400, "invalid", "campaign", ""},
		{"before the campaign", s.planner, "", reachJSON(t, map[string]any{"date": "2023-12-31"}), 400, "invalid", "date", "ngoài thời gian"},
		{"in the future", s.planner, "", reachJSON(t, map[string]any{"date": future}), 400, "invalid", "date", "tương lai"},
		{"not a date", s.planner, "", reachJSON(t, map[string]any{"date": "05/03/2024"}), 400, "invalid", "date", ""},
		{"negative person-times", s.planner, "", reachJSON(t, map[string]any{"personTimes": -1, "uniquePersons": nil}), 400, "invalid", "personTimes", "âm"},
		{"fractional person-times", s.planner, "", reachJSON(t, map[string]any{"personTimes": 12.5}), 400, "invalid", "personTimes", "whole number"},
		{"person-times as text", s.planner, "", reachJSON(t, map[string]any{"personTimes": "120"}), 400, "invalid", "personTimes", ""},
		{"unique above person-times", s.planner, "", reachJSON(t, map[string]any{"uniquePersons": 121}), 400, "invalid", "uniquePersons", "121"},
		{"unique persons of a broadcast", s.planner, "", reachJSON(t, map[string]any{"activity": "broadcast", "group": "general_public"}), 400, "invalid", "uniquePersons", ""},
		{"no activity", s.planner, "", reachJSON(t, map[string]any{"activities": 0}), 400, "invalid", "activities", ""},
		{"an airing's reference", s.planner, "", reachJSON(t, map[string]any{"sourceRef": "airing:x"}), 400, "invalid", "sourceRef", "airing:"},
		{"unknown field", s.planner, "", reachJSON(t, map[string]any{"name": "Nguyễn Văn A"}), 400, "invalid", "name", ""},
		{"not JSON", s.planner, "text/csv", "campaign,orgUnit\n", 415, "unsupported_media_type", "Content-Type", ""},
		{"another district's commune", s.reporter, "", reachJSON(t, map[string]any{"orgUnit": "20434"}), 403, "outside_scope", "", ""},
		{"a viewer", s.viewer, "", reachJSON(t, nil), 403, "forbidden", "", ""},
		{"an admin", s.token, "", reachJSON(t, nil), 403, "forbidden", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			before := s.snapshot()
			rec := s.call("POST", "/api/v1/reach", ct, tt.body, tt.token)
			s.wantError(rec, tt.status, tt.code, tt.field)
			if tt.message != "" && !strings.Contains(detail(t, rec.Body.Bytes(), tt.field), tt.message) {
				t.Errorf("detail on %s = %q, want it to mention %q", tt.field, detail(t, rec.Body.Bytes(), tt.field), tt.message)
			}
			s.unchangedSince(before)
		})
	}
	// Every problem of a record is reported at once.
	rec := s.putReach(s.planner, reachJSON(t, map[string]any{"orgUnit": "99999", "group": "nobody", "activities": 0}))
	s.wantError(rec, http.StatusBadRequest, "invalid", "orgUnit")
	for _, field := range []string{"group", "activities"} {
		if detail(t, rec.Body.Bytes(), field) == "" {
			t.Errorf("no detail on %s in %s", field, rec.Body)
		}
	}
	if n := len(s.records("")); n != 0 {
		t.Errorf("%d records stored after bad input only", n)
	}
}

// reachCSV is an import in the template's Vietnamese headers, with dates as
// dd/mm/yyyy, groups and activities by code or by name.
const reachCSV = reachHeader +
	"20359,\"Học sinh, sinh viên\",05/03/2024,Tuyên truyền trong trường học,1,120,100,,BC-01,Biên bản 1\n" +
	"20362,students,9/3/2024,school_session,2,80,75,,BC-02,\n" +
	"502,general_public,01/04/2024,\"Tờ rơi, tài liệu\",1,500,,x,BC-03,\n"

var reachCSVIDs = []string{
	demoCampaign + "|20359|students|2024-03-05|school_session|BC-01",
	demoCampaign + "|20362|students|2024-03-09|school_session|BC-02",
	demoCampaign + "|502|general_public|2024-04-01|leaflet|BC-03",
}

func TestReachImport(t *testing.T) {
	s := newReachScene(t)
	query := "campaign=" + demoCampaign

	before := s.snapshot()
	sum := s.importSummary(s.planner, query+"&dryRun=true", reachCSV)
	if sum.Status != "success" || !sum.DryRun || sum.Read != 3 || sum.Imported != 3 || len(sum.Conflicts) != 0 {
		t.Errorf("dry run = %+v, want 3 to import", sum)
	}
	s.unchangedSince(before)

	sum = s.importSummary(s.reporter, query, reachCSV)
	if sum.Status != "success" || sum.DryRun || sum.Imported != 3 || sum.Updated+sum.Unchanged+sum.Ignored != 0 {
		t.Errorf("import = %+v, want 3 imported", sum)
	}
	if got := recordIDs(s.records("&orgUnit=502")); !slices.Equal(got, reachCSVIDs) {
		t.Errorf("stored %v, want %v", got, reachCSVIDs)
	}
	var leaflet reachRecord
	s.decode(s.call("GET", reachPath(reachCSVIDs[2]), "", "", s.planner), http.StatusOK, &leaflet)
	if !leaflet.Estimated || leaflet.PersonTimes != 500 || leaflet.UniquePersons != nil || leaflet.Activity != "leaflet" {
		t.Errorf("the leaflet row is stored as %+v", leaflet)
	}

	// The same file again changes nothing.
	before = s.snapshot()
	sum = s.importSummary(s.reporter, query, reachCSV)
	if sum.Status != "success" || sum.Unchanged != 3 || sum.Imported+sum.Updated != 0 {
		t.Errorf("re-import = %+v, want 3 unchanged", sum)
	}
	s.unchangedSince(before)

	// A corrected file updates the row it corrects; a dry run of it says so first.
	corrected := strings.Replace(reachCSV, "school_session,2,80,75", "school_session,2,90,75", 1)
	before = s.snapshot()
	if sum = s.importSummary(s.reporter, query+"&dryRun=true", corrected); sum.Updated != 1 || sum.Unchanged != 2 {
		t.Errorf("dry run of the corrected file = %+v, want 1 updated, 2 unchanged", sum)
	}
	s.unchangedSince(before)
	if sum = s.importSummary(s.reporter, query, corrected); sum.Status != "success" || sum.Updated != 1 || sum.Unchanged != 2 || sum.Imported != 0 {
		t.Errorf("corrected import = %+v, want 1 updated, 2 unchanged", sum)
	}
	var fixed reachRecord
	s.decode(s.call("GET", reachPath(reachCSVIDs[1]), "", "", s.planner), http.StatusOK, &fixed)
	if fixed.PersonTimes != 90 {
		t.Errorf("the corrected row has %d person-times, want 90", fixed.PersonTimes)
	}
	if n := len(s.records("&orgUnit=502")); n != 3 {
		t.Errorf("%d records after the correction, want 3", n)
	}

	// A row outside the reporter's district is a conflict of its row; the others are
	// imported.
	sum = s.importSummary(s.reporter, query, reachHeader+
		"20356,students,10/3/2024,school_session,1,50,,,BC-10,\n"+
		"20434,students,10/3/2024,school_session,1,50,,,BC-11,\n")
	if sum.Status != "warning" || sum.Imported != 1 || sum.Ignored != 1 || len(sum.Conflicts) != 1 ||
		sum.Conflicts[0] != (reachConflict{3, "Mã đơn vị", sum.Conflicts[0].Message, "outside_scope"}) ||
		!strings.Contains(sum.Conflicts[0].Message, "ngoài phạm vi") {
		t.Errorf("a row outside the scope: %+v, want a conflict outside_scope on row 3", sum)
	}
	if got := s.records("&orgUnit=503"); len(got) != 0 {
		t.Error("the row outside the reporter's scope was stored")
	}
}

func TestReachImportConflicts(t *testing.T) {
	s := newReachScene(t)
	tomorrow := time.Now().In(zone).AddDate(0, 0, 2).Format("02/01/2006")
	file := reachHeader +
		"99999,students,05/03/2024,school_session,1,10,,,E-1,\n" + // 2
		"20359,students,31/02/2024,school_session,1,10,,,E-2,\n" + // 3
		"20359,students,05/03/2024,school_session,1,12.5,,,E-3,\n" + // 4
		"20359,students,05/03/2024,school_session,1,100,200,,E-4,\n" + // 5
		"20359,students,05/03/2024,school_session,0,10,,,E-5,\n" + // 6
		"20359,students,01/06/2023,school_session,1,10,,,E-6,\n" + // 7
		"20359,nobody,05/03/2024,school_session,1,10,,,E-7,\n" + // 8
		"20359,students,05/03/2024,school_session,1,-3,,,E-8,\n" + // 9
		"20359,students,06/03/2024,school_session,1,10,,,E-9,\n" + // 10: good
		"20359,students,06/03/2024,school_session,1,12,,,E-9,\n" + // 11: the same key as row 10
		"20359,students," + tomorrow + ",school_session,1,10,,,E-10,\n" + // 12
		"20359,students,05/03/2024,dance,1,10,,,E-11,\n" + // 13
		",,,,,,,,,\n" + // blank: not a row
		"20359,students,05/03/2024,school_session,1,,,,E-12,\n" // 15
	want := []struct {
		row         int
		field, code string
		message     string
	}{
		{2, "Mã đơn vị", "unknown_org_unit", "Không có đơn vị hành chính mã \"99999\""},
		{3, "Ngày", "bad_date", "không hợp lệ"},
		{4, "Số lượt người", "not_integer", "phải là số nguyên"},
		{5, "Số người", "unique_exceeds_person_times", "không được lớn hơn số lượt người"},
		{6, "Số buổi", "zero_activities", "ít nhất là 1"},
		{7, "Ngày", "date_outside_campaign", "nằm ngoài thời gian của kế hoạch"},
		{8, "Nhóm đối tượng", "unknown_group", "Không có nhóm đối tượng"},
		{9, "Số lượt người", "negative", "không được âm"},
		{11, "Mã đơn vị", "duplicate_row", "Trùng với dòng 10"},
		{12, "Ngày", "date_in_future", "tương lai"},
		{13, "Hình thức", "unknown_activity", "không có trong danh mục"},
		{15, "Số lượt người", "required", "Thiếu số lượt người"},
	}
	var sum reachSummary
	s.decode(s.importReach(s.planner, "campaign="+demoCampaign, "text/csv", file), http.StatusOK, &sum)
	if sum.Status != "warning" || sum.Read != 13 || sum.Imported != 1 || sum.Ignored != 12 {
		t.Errorf("summary = %+v, want 13 read, 1 imported, 12 ignored", sum)
	}
	if len(sum.Conflicts) != len(want) {
		t.Fatalf("%d conflicts, want %d: %+v", len(sum.Conflicts), len(want), sum.Conflicts)
	}
	for i, w := range want {
		c := sum.Conflicts[i]
		if c.Row != w.row || c.Field != w.field || c.Code != w.code || !strings.Contains(c.Message, w.message) {
			t.Errorf("conflict %d = %+v, want row %d, field %q, code %s, a message with %q", i, c, w.row, w.field, w.code, w.message)
		}
	}
	if got := recordIDs(s.records("&orgUnit=502")); !slices.Equal(got, []string{demoCampaign + "|20359|students|2024-03-06|school_session|E-9"}) {
		t.Errorf("stored %v, want only row 10", got)
	}

	// A file of bad rows only writes nothing.
	before := s.snapshot()
	s.decode(s.importReach(s.planner, "campaign="+demoCampaign, "text/csv", reachHeader+"99999,students,05/03/2024,school_session,1,10,,,E-1,\n"), http.StatusOK, &sum)
	if sum.Status != "error" || sum.Ignored != 1 || sum.Imported != 0 {
		t.Errorf("all-bad import = %+v, want status error", sum)
	}
	s.unchangedSince(before)

	// An unknown campaign in the query is a 404; in a row, a conflict of that row.
	s.wantError(s.importReach(s.planner, "campaign=NOPE", "text/csv", reachCSV), http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)
	s.decode(s.importReach(s.planner, "", "text/csv", "Mã kế hoạch,Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người\n"+
		"NOPE,20359,students,05/03/2024,school_session,1,10\n"), http.StatusOK, &sum)
	if sum.Status != "error" || sum.Conflicts[0].Code != "unknown_campaign" || sum.Conflicts[0].Field != "Mã kế hoạch" {
		t.Errorf("import of a row of an unknown campaign = %+v", sum)
	}
	s.unchangedSince(before)
}

func TestReachImportRequestErrors(t *testing.T) {
	s := newReachScene(t)
	pdf := "%PDF-1.7\n%\xb5\xed\xae\xfb\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
	big := reachHeader + strings.Repeat("20359,students,05/03/2024,school_session,1,10,,,E-1,\n", 20<<20/50+1)
	query := "campaign=" + demoCampaign
	tests := []struct {
		name, query, contentType, body string
		status                         int
		code, field                    string
		message                        []string // parts of the detail's message
	}{
		{"a PDF", query, "application/pdf", pdf, 415, "unsupported_media_type", "Content-Type", nil},
		{"a PDF as octet-stream", query, "application/octet-stream", pdf, 415, "unsupported_media_type", "", nil},
		{"a PDF as CSV", query, "text/csv", pdf, 415, "unsupported_media_type", "", nil},
		{"a broken workbook", query, xlsxType, "PK\x03\x04 not really a zip", 415, "unsupported_media_type", "", nil},
		{"JSON", query, "application/json", `{"orgUnit":"20359"}`, 415, "unsupported_media_type", "Content-Type", nil},
		{"missing columns", query, "text/csv", "Mã đơn vị,Ngày\n20359,05/03/2024\n", 400, "invalid", "file",
			[]string{"Nhóm đối tượng", "Hình thức", "Số buổi", "Số lượt người"}},
		{"no campaign column nor parameter", "", "text/csv", reachCSV, 400, "invalid", "file", []string{"Mã kế hoạch"}},
		{"empty file", query, "text/csv", "", 400, "invalid", "file", nil},
		{"bad dryRun", query + "&dryRun=maybe", "text/csv", reachCSV, 400, "invalid", "dryRun", nil},
		{"over 20 MiB", query, "text/csv", big, 413, "too_large", "body", nil},
		{"a row of 65 columns", query, "text/csv", reachCSV + "20359" + strings.Repeat(",1", 64) + "\n", 413, "too_many_columns", "file",
			[]string{"65", "64"}},
		{"a header of 1,000,000 columns", query, "text/csv", strings.Repeat("c,", 1_000_000) + "\n", 413, "too_many_columns", "file", nil},
		{"a cell of 4,001 characters", query, "text/csv", reachCSV + "20359,students,05/03/2024,school_session,1,10,,,E-9," + strings.Repeat("x", 4001) + "\n",
			413, "cell_too_long", "file", []string{"4.001", "4.000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			before := s.snapshot()
			rec := s.importReach(s.planner, tt.query, tt.contentType, tt.body)
			s.wantError(rec, tt.status, tt.code, tt.field)
			for _, m := range tt.message {
				if got := detail(t, rec.Body.Bytes(), tt.field); !strings.Contains(got, m) {
					t.Errorf("detail on %s = %q, want it to name %q", tt.field, got, m)
				}
			}
			s.unchangedSince(before)
		})
	}
	// The campaign parameter makes the campaign column optional: the missing
	// columns named are only the others.
	rec := s.importReach(s.planner, query, "text/csv", "Mã đơn vị,Ngày\n20359,05/03/2024\n")
	if got := detail(t, rec.Body.Bytes(), "file"); strings.Contains(got, "Mã kế hoạch") {
		t.Errorf("with ?campaign= the campaign column is reported missing: %q", got)
	}
	before := s.snapshot()
	s.wantError(s.importReach(s.viewer, query, "text/csv", reachCSV), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
}

// stalledUpload is a request body that has not arrived: its first read says so on
// reading and waits for release.
type stalledUpload struct {
	reading, release chan struct{}
}

func (u stalledUpload) Read([]byte) (int, error) {
	close(u.reading)
	<-u.release
	return 0, io.EOF
}

// stall sends n uploads whose bodies do not arrive and returns once each is being
// read; release lets them end.
func (s *testServer) stall(n int, method, path, contentType, token string) (release func()) {
	uploads := make([]stalledUpload, n)
	var running sync.WaitGroup
	for i := range uploads {
		uploads[i] = stalledUpload{reading: make(chan struct{}), release: make(chan struct{})}
		req := httptest.NewRequest(method, path, uploads[i])
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+token)
		running.Go(func() { s.send(req) })
		<-uploads[i].reading
	}
	return func() {
		for _, u := range uploads {
			close(u.release)
		}
		running.Wait()
	}
}

// wantBusy checks a 429 with a Retry-After in seconds.
func (s *testServer) wantBusy(rec *httptest.ResponseRecorder) {
	s.t.Helper()
	s.wantError(rec, http.StatusTooManyRequests, "too_many_requests", "")
	if after, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || after < 1 {
		s.t.Errorf("Retry-After = %q, want a number of seconds", rec.Header().Get("Retry-After"))
	}
}

// TestImportSlotsOverHTTP: while as many imports as the service runs at once are
// under way, one more is answered 429 with Retry-After and writes nothing.
func TestImportSlotsOverHTTP(t *testing.T) {
	s := newReachScene(t)
	query := "campaign=" + demoCampaign
	var leave []func()
	for range s.campaigns.ImportLimits().Slots {
		l, err := s.imports.Enter()
		if err != nil {
			t.Fatal(err)
		}
		leave = append(leave, l)
	}
	before := s.snapshot()
	s.wantBusy(s.importReach(s.planner, query, "text/csv", reachCSV))
	s.wantBusy(s.call("POST", "/api/v1/populations/import", "text/csv", "org_unit_code,group,year,count,source\n", s.token))
	s.unchangedSince(before)
	for _, l := range leave {
		l()
	}
	if sum := s.importSummary(s.planner, query, reachCSV); sum.Imported != 3 {
		t.Errorf("an import once the slots are free = %+v", sum)
	}
}

func TestReachImportMultipartAndXLSX(t *testing.T) {
	s := newReachScene(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "so-lieu.csv")
	if err != nil {
		t.Fatal(err)
	}
	part.Write([]byte("\ufeff" + reachCSV))
	w.Close()
	var sum reachSummary
	s.decode(s.importReach(s.planner, "campaign="+demoCampaign, w.FormDataContentType(), body.String()), http.StatusOK, &sum)
	if sum.Status != "success" || sum.Imported != 3 {
		t.Errorf("multipart import = %+v, want 3 imported", sum)
	}

	// A workbook with the campaign in a column, a date cell, a date as text and
	// numbers as number cells.
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Mã kế hoạch", "Mã đơn vị", "Nhóm đối tượng", "Ngày", "Hình thức", "Số buổi", "Số lượt người", "Số người"},
		{demoCampaign, "20359", "students", time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC), "school_session", 1, 60, 55},
		{demoCampaign, "20362", "iz_workers", "16/04/2024", "workplace_session", 2, 140, nil},
	}
	for i, row := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var book bytes.Buffer
	if err := f.Write(&book); err != nil {
		t.Fatal(err)
	}
	s.decode(s.importReach(s.reporter, "", xlsxType, book.String()), http.StatusOK, &sum)
	if sum.Status != "success" || sum.Read != 2 || sum.Imported != 2 {
		t.Errorf("XLSX import = %+v, want 2 imported", sum)
	}
	for _, id := range []string{demoCampaign + "|20359|students|2024-04-15|school_session|", demoCampaign + "|20362|iz_workers|2024-04-16|workplace_session|"} {
		s.decode(s.call("GET", reachPath(id), "", "", s.planner), http.StatusOK, nil)
	}
	// The same workbook as application/octet-stream is read the same (unchanged).
	s.decode(s.importReach(s.reporter, "", "application/octet-stream", book.String()), http.StatusOK, &sum)
	if sum.Unchanged != 2 {
		t.Errorf("the workbook again = %+v, want 2 unchanged", sum)
	}
}

func TestReachTemplate(t *testing.T) {
	s := newReachScene(t)
	headers := []string{"Mã kế hoạch", "Mã đơn vị", "Nhóm đối tượng", "Ngày", "Hình thức", "Số buổi", "Số lượt người", "Số người", "Số người lần đầu",
		"Ước tính", "Số hiệu báo cáo", "Minh chứng"}

	rec := s.call("GET", "/api/v1/reach/import-template", "", "", s.reporter)
	s.decode(rec, http.StatusOK, nil)
	if ct := rec.Header().Get("Content-Type"); ct != xlsxType {
		t.Errorf("Content-Type %q, want %q", ct, xlsxType)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="mau-nhap-so-lieu.xlsx"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("the template does not open: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Số liệu", "Hướng dẫn"}) {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows("Số liệu")
	if err != nil || len(rows) == 0 || !slices.Equal(rows[0], headers) {
		t.Errorf("the header row is %v (%v), want %v", rows, err, headers)
	}

	rec = s.call("GET", "/api/v1/reach/import-template?format=csv", "", "", s.planner)
	s.decode(rec, http.StatusOK, nil)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q, want text/csv", ct)
	}
	csv := rec.Body.String()
	if want := "\ufeff" + strings.Join(headers, ",") + "\n"; csv != want {
		t.Errorf("the CSV template is %q, want %q", csv, want)
	}
	// The template, filled in, imports.
	var sum reachSummary
	s.decode(s.importReach(s.planner, "", "text/csv", csv+demoCampaign+",20359,students,05/03/2024,school_session,1,30,,,,\n"), http.StatusOK, &sum)
	if sum.Status != "success" || sum.Imported != 1 {
		t.Errorf("the filled template imports as %+v", sum)
	}

	s.wantError(s.call("GET", "/api/v1/reach/import-template?format=pdf", "", "", s.planner), http.StatusBadRequest, "invalid", "format")
	s.wantError(s.call("GET", "/api/v1/reach/import-template", "", "", s.account("approver", "49", "approver")), http.StatusForbidden, "forbidden", "")
}

// manualValue is an entered value of the demo campaign's crimes-handled indicator
// with changes applied; a nil change removes the field.
func manualValue(t *testing.T, changes map[string]any) string {
	t.Helper()
	return jsonWith(t, map[string]any{"indicator": "crimes-handled", "asOf": "2024-06-30", "numerator": 3, "denominator": 4,
		"countUnit": "vụ", "source": "Báo cáo số 12/BC-CA của Công an tỉnh"}, changes)
}

type manualValueJSON struct {
	ID, Campaign, Indicator, OrgUnit, AsOf string
	Numerator, Denominator                 int64
	CountUnit, Source, EnteredBy           string
}

func TestManualValues(t *testing.T) {
	s := newReachScene(t)
	path := "/api/v1/campaigns/" + demoCampaign + "/manual-values"
	const id = demoCampaign + "|crimes-handled|49|2024-06-30"

	var v manualValueJSON
	s.decode(s.call("POST", path, "application/json", manualValue(t, nil), s.planner), http.StatusOK, &v)
	if v.ID != id || v.Campaign != demoCampaign || v.OrgUnit != "49" || v.Numerator != 3 || v.Denominator != 4 || v.EnteredBy != "planner" {
		t.Errorf("stored %+v", v)
	}
	var list struct {
		Items []manualValueJSON
		Total int
	}
	s.decode(s.call("GET", path, "", "", s.viewer), http.StatusOK, &list)
	if list.Total != 1 || list.Items[0] != v {
		t.Errorf("listed %+v, want the one value", list)
	}
	r := s.report(s.viewer, "asOf=2024-06-30")
	in := r.indicator(t, "crimes-handled")
	if string(in.Numerator) != "3" || string(in.Denominator) != "4" || in.Value == nil || *in.Value != 0.75 || in.CountUnit != "vụ" {
		t.Errorf("the report shows crimes-handled as %+v, want 3 of 4", in)
	}
	// Before its as-of date the value does not count yet.
	if in := s.report(s.viewer, "asOf=2024-06-29").indicator(t, "crimes-handled"); in.Status != "not_measurable" || string(in.Numerator) != "null" {
		t.Errorf("as of the day before, crimes-handled = %+v, want not measurable", in)
	}

	// The same key again replaces the value.
	s.decode(s.call("POST", path, "application/json", manualValue(t, map[string]any{"numerator": 4}), s.planner), http.StatusOK, &v)
	s.decode(s.call("GET", path, "", "", s.planner), http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Numerator != 4 {
		t.Errorf("after the correction %+v, want one value of 4", list)
	}
	// Mid-year a later entry may still replace it: on track, met only once the
	// year is over (issue 16).
	if in := s.report(s.planner, "asOf=2024-06-30").indicator(t, "crimes-handled"); in.Status != "on_track" {
		t.Errorf("4 of 4 in June is %s, want on_track", in.Status)
	}

	future := time.Now().In(zone).AddDate(0, 0, 2).Format(time.DateOnly)
	districtPlanner := s.account("planner-tamky", "502", "planner")
	for _, tt := range []struct {
		name, token, path, body string
		status                  int
		code, field             string
	}{
		{"counted by Loa", s.planner, path, manualValue(t, map[string]any{"indicator": "students-reached"}), 400, "invalid", "indicator"},
		{"unknown indicator", s.planner, path, manualValue(t, map[string]any{"indicator": "nothing"}), 400, "invalid", "indicator"},
		{"numerator above denominator", s.planner, path, manualValue(t, map[string]any{"numerator": 5}), 400, "invalid", "numerator"},
		{"negative numerator", s.planner, path, manualValue(t, map[string]any{"numerator": -1}), 400, "invalid", "numerator"},
		{"no denominator", s.planner, path, manualValue(t, map[string]any{"denominator": nil}), 400, "invalid", "denominator"},
		{"no source", s.planner, path, manualValue(t, map[string]any{"source": nil}), 400, "invalid", "source"},
		{"blank source", s.planner, path, manualValue(t, map[string]any{"source": "  "}), 400, "invalid", "source"},
		{"future", s.planner, path, manualValue(t, map[string]any{"asOf": future}), 400, "invalid", "asOf"},
		{"before the campaign", s.planner, path, manualValue(t, map[string]any{"asOf": "2023-12-31"}), 400, "invalid", "asOf"},
		{"unknown unit", s.planner, path, manualValue(t, map[string]any{"orgUnit": "99999"}), 400, "invalid", "orgUnit"},
		{"unknown field", s.planner, path, manualValue(t, map[string]any{"person": "Nguyễn Văn A"}), 400, "invalid", "person"},
		{"fractional numerator", s.planner, path, manualValue(t, map[string]any{"numerator": 2.5}), 400, "invalid", "numerator"},
		{"unknown campaign", s.planner, "/api/v1/campaigns/NOPE/manual-values", manualValue(t, nil), 404, "not_found", ""},
		{"another district", districtPlanner, path, manualValue(t, map[string]any{"orgUnit": "503"}), 403, "outside_scope", ""},
		{"a viewer", s.viewer, path, manualValue(t, nil), 403, "forbidden", ""},
		{"a reporter", s.reporter, path, manualValue(t, nil), 403, "forbidden", ""},
		{"an admin", s.token, path, manualValue(t, nil), 403, "forbidden", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			before := s.snapshot()
			s.wantError(s.call("POST", tt.path, "application/json", tt.body, tt.token), tt.status, tt.code, tt.field)
			s.unchangedSince(before)
		})
	}
	s.wantError(s.call("GET", "/api/v1/campaigns/NOPE/manual-values", "", "", s.planner), http.StatusNotFound, "not_found", "")

	// A district's planner enters its district's value, which the province sees and
	// the province's value, which the district does not.
	s.decode(s.call("POST", path, "application/json", manualValue(t, map[string]any{"orgUnit": "502"}), districtPlanner), http.StatusOK, nil)
	s.decode(s.call("GET", path, "", "", s.reporter), http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].OrgUnit != "502" {
		t.Errorf("Tam Kỳ's reporter lists %+v, want Tam Kỳ's value only", list.Items)
	}
	before := s.snapshot()
	s.wantError(s.call("DELETE", path+"/"+url.PathEscape(id), "", "", districtPlanner), http.StatusForbidden, "outside_scope", "")
	s.wantError(s.call("DELETE", path+"/"+url.PathEscape(id), "", "", s.viewer), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)

	s.decode(s.call("DELETE", path+"/"+url.PathEscape(id), "", "", s.planner), http.StatusNoContent, nil)
	s.wantError(s.call("DELETE", path+"/"+url.PathEscape(id), "", "", s.planner), http.StatusNotFound, "not_found", "")
	s.decode(s.call("GET", path, "", "", s.planner), http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].OrgUnit != "502" {
		t.Errorf("after the delete %+v, want only Tam Kỳ's value", list.Items)
	}
	if in := s.report(s.planner, "asOf=2024-06-30").indicator(t, "crimes-handled"); in.Status != "not_measurable" {
		t.Errorf("after the delete the province's crimes-handled is %s, want not_measurable", in.Status)
	}
}

// reportJSON is the JSON report, with the fields the tests look at; counts are
// kept raw to tell 3 from "<5" and null.
type reportJSON struct {
	Campaign             struct{ Code string }
	Scope                struct{ Code, Name, Level string }
	Period               struct{ Kind, Label, From, To string }
	AsOf, DataThrough    string
	SmallCellsSuppressed bool
	Indicators           []reportIndicator
	Districts            []struct {
		Unit        struct{ Code string }
		PersonTimes json.RawMessage
	}
	Groups []struct {
		Group                      string
		Activities                 int64
		PersonTimes, UniquePersons any
	}
	Trend []struct{ Month string }
}

type reportIndicator struct {
	Indicator, Rule, Status, StatusLabel, CountUnit string
	Numerator, Denominator                          json.RawMessage
	Value                                           *float64
}

func (r reportJSON) indicator(t *testing.T, code string) reportIndicator {
	t.Helper()
	for _, in := range r.Indicators {
		if in.Indicator == code {
			return in
		}
	}
	t.Fatalf("the report has no indicator %s", code)
	return reportIndicator{}
}

// group returns the person-times and unique persons of a target group: a float64
// (a number) or a string ("<5").
func (r reportJSON) group(t *testing.T, code string) (personTimes, uniquePersons any) {
	t.Helper()
	for _, g := range r.Groups {
		if g.Group == code {
			return g.PersonTimes, g.UniquePersons
		}
	}
	t.Fatalf("the report has no group %s", code)
	return nil, nil
}

// report reads the demo campaign's JSON report as token.
func (s *reachScene) report(token, query string) reportJSON {
	s.t.Helper()
	var r reportJSON
	s.decode(s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?"+query, "", "", token), http.StatusOK, &r)
	return r
}

func TestReport(t *testing.T) {
	s := newReachScene(t)
	start := time.Now()
	if err := s.reach.LoadDemoReach(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo reach loaded in %v", time.Since(start).Round(time.Millisecond))
	demo, err := campaigns.DemoCampaign()
	if err != nil {
		t.Fatal(err)
	}

	r := s.report(s.planner, "asOf=2024-06-30")
	if r.Campaign.Code != demoCampaign || r.Scope.Code != "49" || r.Period.Kind != "campaign" || r.Period.From != "2024-01-01" ||
		r.Period.To != "2024-12-31" || r.AsOf != "2024-06-30" || r.SmallCellsSuppressed || len(r.Districts) != 18 || len(r.Trend) != 12 {
		t.Errorf("report head: campaign %s, scope %+v, period %+v, as of %s, suppressed %v, %d districts, %d months",
			r.Campaign.Code, r.Scope, r.Period, r.AsOf, r.SmallCellsSuppressed, len(r.Districts), len(r.Trend))
	}
	var codes []string
	statuses := []string{"met", "on_track", "at_risk", "off_track", "cannot_meet", "not_measurable"}
	for _, in := range r.Indicators {
		codes = append(codes, in.Indicator)
		if !slices.Contains(statuses, in.Status) || in.StatusLabel == "" {
			t.Errorf("indicator %s: status %q (%q)", in.Indicator, in.Status, in.StatusLabel)
		}
	}
	var want []string
	for _, in := range demo.Indicators {
		want = append(want, in.Code)
	}
	if !slices.Equal(codes, want) {
		t.Errorf("indicators %v, want every indicator of the campaign in order %v", codes, want)
	}
	// The sample reaches most communes in the first half-year, and the sample
	// values of the manual indicators are of 30 June and 15 December. Neither is
	// settled in June: the communes must be active in the second half-year too, and
	// a later entry replaces the value (issue 16).
	if in := r.indicator(t, "communes-activity"); in.Value == nil || *in.Value < 0.7 || in.Status != "on_track" {
		t.Errorf("communes-activity as of June: %+v", in)
	}
	if in := r.indicator(t, "crimes-handled"); in.Status != "on_track" || string(in.Numerator) != "5" {
		t.Errorf("crimes-handled as of June: %+v, want the sample 5 of 5, on track", in)
	}
	if in := s.report(s.planner, "asOf=2024-06-29").indicator(t, "crimes-handled"); in.Status != "not_measurable" {
		t.Errorf("crimes-handled the day before its first sample value: %s, want not_measurable", in.Status)
	}
	if in := s.report(s.planner, "asOf=2024-12-31").indicator(t, "crimes-handled"); in.Status != "met" || string(in.Numerator) != "12" {
		t.Errorf("crimes-handled at the year's end: %+v, want the sample 12 of 12, met", in)
	}

	// A reporting window cut at the 15th; the as-of date defaults to its end.
	h1 := s.report(s.planner, "period=2024-H1")
	if h1.Period.Kind != "half" || h1.Period.From != "2023-12-15" || h1.Period.To != "2024-06-14" || h1.AsOf != "2024-06-14" ||
		!strings.HasPrefix(h1.Period.Label, "6 tháng đầu năm 2024") {
		t.Errorf("period=2024-H1: %+v as of %s, want 2023-12-15 to 2024-06-14", h1.Period, h1.AsOf)
	}
	// The six-month report judges the year's targets against the value expected by
	// 14/06 (0.7×166/366 = 31,7 % of the service workers), not the year's 70 %.
	if in := h1.indicator(t, "service-workers-reached"); in.Status != "on_track" || in.Value == nil || *in.Value < 0.7*166/366 {
		t.Errorf("service-workers-reached in 2024-H1: %+v (value %v), want on track", in, in.Value)
	}
	if m := s.report(s.planner, "period=2024-03&asOf=2024-06-30"); m.Period.Kind != "month" || m.Period.From != "2024-03-01" || m.Period.To != "2024-03-31" {
		t.Errorf("period=2024-03: %+v", m.Period)
	}
	// A district's reporter gets its district by default, by commune.
	if d := s.report(s.reporter, "asOf=2024-06-30"); d.Scope.Code != "502" || len(d.Districts) == 0 {
		t.Errorf("Tam Kỳ's reporter's report: scope %+v, %d rows", d.Scope, len(d.Districts))
	}

	// A small cell: three women reached in Tam Thanh. A viewer reads "<5", a
	// planner 3; activities are never hidden.
	if pt, _ := r.group(t, "women_girls"); pt != 0.0 {
		t.Fatalf("women_girls before: %v person-times, want 0", pt)
	}
	s.decode(s.putReach(s.planner, reachJSON(t, map[string]any{"group": "women_girls", "activity": "direct_session",
		"personTimes": 3, "uniquePersons": 3, "sourceRef": "NHO-1"})), http.StatusCreated, nil)
	if pt, up := s.report(s.planner, "asOf=2024-06-30").group(t, "women_girls"); pt != 3.0 || up != 3.0 {
		t.Errorf("the planner reads women_girls as %v person-times, %v persons; want 3 and 3", pt, up)
	}
	hidden := s.report(s.viewer, "asOf=2024-06-30")
	if pt, up := hidden.group(t, "women_girls"); pt != "<5" || up != "<5" || !hidden.SmallCellsSuppressed {
		t.Errorf("the viewer reads women_girls as %v person-times, %v persons (suppressed %v); want \"<5\"", pt, up, hidden.SmallCellsSuppressed)
	}
	for _, g := range hidden.Groups {
		if g.Group == "women_girls" && g.Activities != 1 {
			t.Errorf("the viewer reads %d activities of women_girls, want 1", g.Activities)
		}
	}
	// The groups add up to the province's person-times: a second group, the
	// smallest other, is hidden as "×" so that the total cannot give the 3 away.
	var masked []string
	for _, g := range hidden.Groups {
		if pt, _ := hidden.group(t, g.Group); pt == "×" {
			masked = append(masked, g.Group)
		}
	}
	if len(masked) == 0 {
		t.Errorf("the viewer's groups hide women_girls alone; want a second group shielded (×)")
	}

	line := func(n string) string { return "\r\nperson_times,502,Tam Kỳ,women_girls,2024-03," + n + ",,,\r\n" }
	csvOf := func(token string) string {
		rec := s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?asOf=2024-06-30&format=csv", "", "", token)
		s.decode(rec, http.StatusOK, nil)
		if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q, want text/csv; charset=utf-8", ct)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="bao-cao-PCMD-2024-49-2024-06-30.csv"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		return rec.Body.String()
	}
	planned := csvOf(s.planner)
	if want := "\ufeffindicator,unit_code,unit_name,group,month,numerator,denominator,value,provenance\r\n"; !strings.HasPrefix(planned, want) {
		t.Errorf("the CSV starts %q, want %q", planned[:min(len(planned), 120)], want)
	}
	if !strings.Contains(planned, line("3")) {
		t.Errorf("the planner's CSV has no line %q", line("3"))
	}
	viewed := csvOf(s.viewer)
	if !strings.Contains(viewed, line("<5")) || strings.Contains(viewed, line("3")) {
		t.Errorf("the viewer's CSV does not hide the small cell: want %q and not %q", line("<5"), line("3"))
	}

	// The official form: a DOCX with the configured agency's number.
	rec := s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?period=2024-H1&format=docx", "", "", s.planner)
	s.decode(rec, http.StatusOK, nil)
	if ct, cd := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"); ct != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
		!strings.Contains(cd, ".docx") {
		t.Errorf("DOCX Content-Type %q, Content-Disposition %q", ct, cd)
	}
	if z, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len())); err != nil || len(z.File) < 4 {
		t.Errorf("the DOCX report is not a package: %v", err)
	}

	rec = s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?asOf=2024-06-30&format=xlsx", "", "", s.viewer)
	s.decode(rec, http.StatusOK, nil)
	if ct := rec.Header().Get("Content-Type"); ct != xlsxType {
		t.Errorf("Content-Type %q, want %q", ct, xlsxType)
	}
	book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("the XLSX report does not open: %v", err)
	}
	defer book.Close()
	// The district table of six indicators, cut to print at 9 pt or more: two to a sheet.
	if got := book.GetSheetList(); !slices.Equal(got, []string{"Báo cáo", "Theo huyện (1)", "Theo huyện (2)", "Theo huyện (3)", "Dữ liệu"}) {
		t.Errorf("sheets %v", got)
	}

	rec = s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?asOf=2024-06-30&format=html", "", "", s.planner)
	s.decode(rec, http.StatusOK, nil)
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if !strings.Contains(rec.Body.String(), "<svg") {
		t.Error("the printable report has no chart")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' "+export.StyleSource) ||
		strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q, want the page's style allowed by its hash %s only", csp, export.StyleSource)
	}

	future := time.Now().In(zone).AddDate(0, 0, 2).Format(time.DateOnly)
	for _, tt := range []struct {
		name, token, query string
		status             int
		code, field        string
	}{
		{"bad asOf", s.planner, "asOf=2024-13-01", 400, "invalid", "asOf"},
		{"asOf dd/mm/yyyy", s.planner, "asOf=30/06/2024", 400, "invalid", "asOf"},
		{"future asOf", s.planner, "asOf=" + future, 400, "invalid", "asOf"},
		{"bad period", s.planner, "period=2024-H3", 400, "invalid", "period"},
		{"unknown scope", s.planner, "scope=99999", 400, "invalid", "scope"},
		{"scope outside the reader's", s.reporter, "scope=503", 403, "outside_scope", ""},
		{"pdf", s.planner, "format=pdf", 400, "invalid", "format"},
		{"a station's account", s.account("station-account", "49", "station"), "", 403, "forbidden", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			s.wantError(s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?"+tt.query, "", "", tt.token), tt.status, tt.code, tt.field)
		})
	}
	s.wantError(s.call("GET", "/api/v1/campaigns/NOPE/report", "", "", s.planner), http.StatusNotFound, "not_found", "")
}

// TestReportDrafts: the secretariat's narrative is saved per period over the API,
// printed in the DOCX and the printable page of that period's report, and a stale
// or bad save is refused with nothing written.
func TestReportDrafts(t *testing.T) {
	s := newReachScene(t)
	path := "/api/v1/campaigns/" + demoCampaign + "/report-drafts/2024-H1"
	var d struct {
		Period, Results, Tasks, UpdatedBy string
		Version                           int64
	}
	s.decode(s.call("GET", path, "", "", s.viewer), http.StatusOK, &d)
	if d.Version != 0 || d.Results != "" || d.Period != "2024-H1" {
		t.Fatalf("unwritten draft = %+v", d)
	}
	body := `{"results":"Các huyện đã tổ chức 1.200 buổi tuyên truyền.","tasks":"Tăng cường ở các xã miền núi.","version":0}`
	s.decode(s.call("PUT", path, "application/json", body, s.planner), http.StatusOK, &d)
	if d.Version != 1 || d.UpdatedBy != "planner" {
		t.Errorf("saved = %+v", d)
	}

	bad := []struct {
		name, token, path, body string
		status                  int
		code, field             string
	}{
		{"stale version", s.planner, path, `{"results":"cũ","version":0}`, http.StatusConflict, "conflict", "version"},
		{"section too long", s.planner, path, `{"results":"` + strings.Repeat("a", 50_001) + `","version":1}`, http.StatusBadRequest, "invalid", "results"},
		{"not UTF-8", s.planner, path, "{\"results\":\"a\xffb\",\"version\":1}", http.StatusBadRequest, "invalid", "body"},
		{"bad period", s.planner, "/api/v1/campaigns/" + demoCampaign + "/report-drafts/2024-H9", `{"version":0}`, http.StatusBadRequest, "invalid", "period"},
		{"a reporter", s.reporter, path, `{"results":"x","version":1}`, http.StatusForbidden, "forbidden", ""},
		{"a viewer", s.viewer, path, `{"results":"x","version":1}`, http.StatusForbidden, "forbidden", ""},
		{"a district planner", s.account("planner-tamky", "502", "planner"), path, `{"results":"x","version":1}`, http.StatusForbidden, "outside_scope", ""},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			var e errorBody
			s.sub(t).decode(s.call("PUT", b.path, "application/json", b.body, b.token), b.status, &e)
			if e.Error.Code != b.code || (b.field != "" && (len(e.Error.Details) == 0 || e.Error.Details[0].Field != b.field)) {
				t.Errorf("error = %+v, want code %s on field %q", e, b.code, b.field)
			}
			var now struct {
				Results string
				Version int64
			}
			s.sub(t).decode(s.call("GET", path, "", "", s.planner), http.StatusOK, &now)
			if now.Version != 1 || now.Results != "Các huyện đã tổ chức 1.200 buổi tuyên truyền." {
				t.Errorf("after the refused save the draft is %+v", now)
			}
		})
	}

	// The DOCX and the printable page of the period carry the narrative; another
	// period's do not.
	rec := s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?period=2024-H1&format=docx", "", "", s.planner)
	s.decode(rec, http.StatusOK, nil)
	z, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(b)
		}
	}
	if !strings.Contains(doc, "Các huyện đã tổ chức 1.200 buổi tuyên truyền.") || !strings.Contains(doc, "Tăng cường ở các xã miền núi.") {
		t.Error("the DOCX of 2024-H1 lacks the saved narrative")
	}
	rec = s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?period=2024-H1&format=html", "", "", s.planner)
	s.decode(rec, http.StatusOK, nil)
	if !strings.Contains(rec.Body.String(), "Tăng cường ở các xã miền núi.") {
		t.Error("the printable page of 2024-H1 lacks the saved narrative")
	}
	rec = s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?period=2024-H2&asOf=2024-06-30&format=html", "", "", s.planner)
	if strings.Contains(rec.Body.String(), "Tăng cường ở các xã miền núi.") {
		t.Error("the page of 2024-H2 carries 2024-H1's narrative")
	}
}
