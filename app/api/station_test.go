package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
	"go.mongodb.org/mongo-driver/v2/bson"

	"loa"
	"loa/campaigns/reach"
	"loa/scheduler"
)

// Shapes of the station feed's answers, with the fields the tests look at.
type (
	feedItem struct {
		AiringId, Start, StartUtc, End string
		DurationSeconds                int
		Title, Kind, Language          string
		Groups                         []string
		Content                        string
		ContentVersion                 int
		Script                         string
		ReadSeconds                    int
		ContentHash                    string
		Attachment                     *struct {
			Url, Sha256 string
			Bytes       int
		}
		Status string
	}
	stationFeed struct {
		Station struct {
			Code, Name, Channel, OrgUnit string
			Languages                    []string
		}
		GeneratedAt string
		Items       []feedItem
	}
	// confirmed is an airing as a confirmation answers it.
	confirmed struct {
		ID, Station, Status, ConfirmedAt, ConfirmNote string
		Late                                          bool
		Rev                                           int
	}
	confirmResult struct {
		ClientId, AiringId, Outcome, Code, Message string
		Late                                       bool
	}
	batchSummary struct {
		Received, Recorded, Unchanged, Duplicates, Rejected int
		Results                                             []confirmResult
	}
	tally struct {
		Planned, Delivered, Aired, Missed, Unconfirmed, Published, NoContent, Late int
	}
	stationRun struct {
		Station, Name, OrgUnit string
		tally
	}
	unitRun struct {
		OrgUnit, Name string
		tally
	}
	asRun struct {
		Month, Campaign string
		Stations        []stationRun
		Districts       []unitRun
		Province        unitRun
	}
)

var etagPattern = regexp.MustCompile(`^"[0-9a-f]{32}"$`)

// feedScene is the schedule fixture with what a station's feed needs: an approver,
// and an approved radio script of the campaign whose body fills every placeholder,
// with a small PNG attached.
type feedScene struct {
	*schedule
	approver string
	item     string
	png      string
}

// sceneBody is the scene's script; at Tam Thanh's loudspeakers it reads sceneScript.
const (
	sceneBody   = "{{.Station}} kính chào bà con {{.Commune}}, {{.District}}. Gọi {{.Hotline}}."
	sceneScript = "Đài LOA-20359 kính chào bà con xã Tam Thanh, thành phố Tam Kỳ. Gọi 111."
)

func bareFeedScene(t *testing.T) *feedScene {
	t.Helper()
	s := &feedScene{schedule: newSchedule(t), png: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}
	s.approver = s.account("duyet", "49", "approver")
	s.item = s.approvedItem("Phòng, chống mua bán người", sceneBody, true)
	return s
}

// newFeedScene adds to the bare scene a daily 06:30 rule carrying the scene's
// script on Tam Kỳ's and Hội An's district stations and Tam Thanh's loudspeakers,
// from ruleFrom days after day0, materialised.
func newFeedScene(t *testing.T, ruleFrom int) *feedScene {
	t.Helper()
	s := bareFeedScene(t)
	s.createRule(map[string]any{"stations": []string{"DT-TK", "DT-HA", "LOA-20359"}, "startDate": s.date(ruleFrom),
		"pool": map[string]any{"items": []string{s.item}}})
	s.materialize()
	return s
}

// itemJSON is a radio script of the scene's campaign.
func (s *feedScene) itemJSON(title, body string) string {
	s.t.Helper()
	b, err := json.Marshal(map[string]any{"kind": "radio_script", "title": title, "body": body, "groups": []string{"general_public"},
		"campaigns": []string{s.campaign}, "slotSeconds": 120})
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

// approvedItem creates a radio script, with the scene's PNG attached when attach,
// and has it approved.
func (s *feedScene) approvedItem(title, body string, attach bool) string {
	s.t.Helper()
	var it struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", s.itemJSON(title, body)), http.StatusCreated, &it)
	if attach {
		s.decode(s.call("PUT", "/api/v1/contents/"+it.ID+"/attachment", "image/png", s.png, s.token), http.StatusOK, nil)
	}
	s.approve(it.ID)
	return it.ID
}

func (s *feedScene) approve(id string) {
	s.t.Helper()
	s.decode(s.do("POST", "/api/v1/contents/"+id+"/submit", ""), http.StatusOK, nil)
	s.decode(s.call("POST", "/api/v1/contents/"+id+"/approve", "", "", s.approver), http.StatusOK, nil)
}

// pastWeek materialises the rules over the week before today: from 8 days before
// day0 to yesterday, airings that have all ended.
func (s *feedScene) pastWeek() {
	s.t.Helper()
	if _, err := s.scheduler.MaterializeUntil(context.Background(), s.day0.AddDate(0, 0, -8), s.day0.AddDate(0, 0, -1)); err != nil {
		s.t.Fatal(err)
	}
}

// airingOn is a station's first airing on the day days after day0.
func (s *schedule) airingOn(station string, days int) airing {
	s.t.Helper()
	list := s.airings("station=" + station + "&from=" + s.date(days) + "&to=" + s.date(days+1))
	if len(list) == 0 {
		s.t.Fatalf("%s has no airing on %s", station, s.date(days))
	}
	return list[0]
}

// window is the query of the feed window from days a to days b after day0.
func (s *schedule) window(a, b int) string { return "from=" + s.date(a) + "&to=" + s.date(b) }

// stationToken has the province's planner issue a station's token.
func (s *schedule) stationToken(code string) string {
	s.t.Helper()
	var tok struct{ Secret string }
	s.decode(s.plan("POST", "/api/v1/stations/"+code+"/token", ""), http.StatusCreated, &tok)
	return tok.Secret
}

// stationGet sends a GET with a bearer token (none when empty) and header pairs.
func (s *testServer) stationGet(token, path string, header ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.send(req)
}

func (s *testServer) pull(token, query string, header ...string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.stationGet(token, "/api/v1/station/schedule?"+query, header...)
}

// feed pulls a station's feed and its ETag.
func (s *testServer) feed(token, query string) (stationFeed, string) {
	s.t.Helper()
	rec := s.pull(token, query)
	var f stationFeed
	s.decode(rec, http.StatusOK, &f)
	return f, rec.Header().Get("ETag")
}

func (s *testServer) confirm(token, id, body string) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.call("POST", "/api/v1/station/airings/"+id+"/confirm", "application/json", body, token)
}

func (s *testServer) confirmBatch(token string, entries any) *httptest.ResponseRecorder {
	s.t.Helper()
	b, err := json.Marshal(entries)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.call("POST", "/api/v1/station/confirmations", "application/json", string(b), token)
}

func confirmation(status, at, note string) string {
	b, _ := json.Marshal(map[string]string{"status": status, "at": at, "note": note})
	return string(b)
}

// reachOf reads the reach record an airing of the scene's campaign counts as
// in unit on date.
func (s *schedule) reachOf(unit, date, activity, airingID string) (reach.Reach, error) {
	return s.reach.ReachRecord(context.Background(), loa.System, reach.ReachKey(reach.Reach{Campaign: s.campaign, OrgUnit: unit,
		Group: "general_public", Date: loa.Date(date), Activity: activity, SourceRef: "airing:" + airingID}))
}

// reachCount counts every stored reach record (the entries of every bucket).
func (s *testServer) reachCount() int64 {
	s.t.Helper()
	cur, err := s.db.Collection("reach").Find(context.Background(), bson.D{})
	if err != nil {
		s.t.Fatal(err)
	}
	var buckets []struct {
		Records []string `bson:"records"`
	}
	if err := cur.All(context.Background(), &buckets); err != nil {
		s.t.Fatal(err)
	}
	n := 0
	for _, b := range buckets {
		n += len(b.Records)
	}
	return int64(n)
}

func ids(items []feedItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.AiringId)
	}
	return out
}

func scripts(items []feedItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Script)
	}
	return out
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestStationToken(t *testing.T) {
	s := newFeedScene(t, 0)
	w := s.window(0, 2)

	// Issued by the province's planner: shown once, never cached.
	rec := s.plan("POST", "/api/v1/stations/DT-TK/token", "")
	var tok struct{ ID, Kind, Name, Secret, CreatedAt, ExpiresAt string }
	s.decode(rec, http.StatusCreated, &tok)
	expires, err := time.Parse(time.RFC3339, tok.ExpiresAt)
	if tok.Kind != "station" || tok.Secret == "" || tok.ID == "" || err != nil || expires.Before(time.Now().Add(365*24*time.Hour)) {
		t.Errorf("issued %+v, want a station token with a secret for a year", tok)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var account struct {
		Username, Scope, Station string
		Roles                    []string
		Active                   bool
	}
	rec = s.do("GET", "/api/v1/users/station-dt-tk", "")
	s.decode(rec, http.StatusOK, &account)
	if account.Station != "DT-TK" || account.Scope != "502" || !slices.Equal(account.Roles, []string{"station"}) || !account.Active {
		t.Errorf("the station's account = %+v", account)
	}
	trail := s.do("GET", "/api/v1/audit?limit=1000", "").Body.String()
	if strings.Contains(rec.Body.String(), tok.Secret) || strings.Contains(trail, tok.Secret) {
		t.Error("the secret is shown after it was issued")
	}

	// It pulls its own feed and nothing else.
	f, _ := s.feed(tok.Secret, w)
	if f.Station.Code != "DT-TK" || len(f.Items) != 2 {
		t.Errorf("DT-TK's feed: station %+v, %d items", f.Station, len(f.Items))
	}
	for _, path := range []string{"/api/v1/me", "/api/v1/orgunits", "/api/v1/orgunits/502", "/api/v1/stations/DT-TK",
		"/api/v1/airings/" + f.Items[0].AiringId, "/api/v1/me/tokens"} {
		s.wantError(s.call("GET", path, "", "", tok.Secret), http.StatusForbidden, "forbidden", "")
	}
	before := s.snapshot()
	s.wantError(s.call("POST", "/api/v1/auth/logout", "", "", tok.Secret), http.StatusForbidden, "forbidden", "")
	s.wantError(s.call("POST", "/api/v1/me/tokens", "application/json", `{"name":"x"}`, tok.Secret), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)

	// Only a station's own token opens the feed.
	roleStation := s.account("tram-tay", "502", "station")
	for name, token := range map[string]string{"the admin's login token": s.token, "a planner's API token": s.planner,
		"an API token of an account with the role station": roleStation} {
		rec := s.pull(token, w)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s on the feed: %d, want 403", name, rec.Code)
			continue
		}
		s.wantError(rec, http.StatusForbidden, "forbidden", "")
	}
	for _, token := range []string{"", "not-a-token"} {
		rec := s.pull(token, w)
		s.wantError(rec, http.StatusUnauthorized, "unauthorized", "")
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
	}
	// ?token= opens the calendar only.
	if rec := s.stationGet("", "/api/v1/station/schedule.ics?"+w+"&token="+url.QueryEscape(tok.Secret)); rec.Code != http.StatusOK {
		t.Errorf("the calendar with ?token=: %d, want 200", rec.Code)
	}
	s.wantError(s.stationGet("", "/api/v1/station/schedule?"+w+"&token="+url.QueryEscape(tok.Secret)), http.StatusUnauthorized, "unauthorized", "")
	s.wantError(s.stationGet("", "/api/v1/station/airings/"+f.Items[0].AiringId+"/script.txt?token="+url.QueryEscape(tok.Secret)),
		http.StatusUnauthorized, "unauthorized", "")

	// Rotating revokes the old token at once; an admin may rotate too.
	var rotated struct{ Secret string }
	s.decode(s.do("POST", "/api/v1/stations/DT-TK/token", ""), http.StatusCreated, &rotated)
	if rotated.Secret == "" || rotated.Secret == tok.Secret {
		t.Fatalf("rotated secret %q", rotated.Secret)
	}
	s.wantError(s.pull(tok.Secret, w), http.StatusUnauthorized, "unauthorized", "")
	s.wantError(s.stationGet("", "/api/v1/station/schedule.ics?"+w+"&token="+url.QueryEscape(tok.Secret)), http.StatusUnauthorized, "unauthorized", "")
	if f, _ := s.feed(rotated.Secret, w); f.Station.Code != "DT-TK" {
		t.Errorf("the new token reads %s's feed", f.Station.Code)
	}

	// Who may issue: admin and planner, within their scope; refusals write nothing.
	hoiAnPlanner, reporter := s.account("kehoach-ha", "503", "planner"), s.account("baocao", "49", "reporter")
	before = s.snapshot()
	s.wantError(s.call("POST", "/api/v1/stations/DT-TK/token", "", "", hoiAnPlanner), http.StatusForbidden, "outside_scope", "")
	s.wantError(s.call("POST", "/api/v1/stations/DT-TK/token", "", "", reporter), http.StatusForbidden, "forbidden", "")
	s.wantError(s.call("POST", "/api/v1/stations/DT-TK/token", "", "", s.approver), http.StatusForbidden, "forbidden", "")
	s.wantError(s.call("POST", "/api/v1/stations/DT-TK/token", "", "", rotated.Secret), http.StatusForbidden, "forbidden", "")
	s.wantError(s.plan("POST", "/api/v1/stations/NOPE/token", ""), http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)
	// An inactive station gets no new token, and its token reads and confirms nothing.
	loaToken := s.stationToken("LOA-20359")
	airingID := s.airingOn("LOA-20359", 0).ID
	s.decode(s.do("PUT", "/api/v1/stations/LOA-20359", strings.Replace(stationJSON("LOA-20359", "20359", "commune_loudspeaker"),
		`"languages"`, `"active":false,"languages"`, 1)), http.StatusOK, nil)
	before = s.snapshot()
	s.wantError(s.plan("POST", "/api/v1/stations/LOA-20359/token", ""), http.StatusConflict, "conflict", "")
	s.wantError(s.pull(loaToken, w), http.StatusForbidden, "forbidden", "")
	s.wantError(s.stationGet(loaToken, "/api/v1/station/airings/"+airingID+"/script.txt"), http.StatusForbidden, "forbidden", "")
	s.wantError(s.confirm(loaToken, airingID, confirmation("aired", time.Now().Format(time.RFC3339), "")), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
}

// The feed of a station: its own airings with approved words filled for it, and
// nothing of another station's.
func TestStationFeed(t *testing.T) {
	s := newFeedScene(t, 0)
	loaToken, ha := s.stationToken("LOA-20359"), s.stationToken("DT-HA")

	f, etag := s.feed(loaToken, s.window(0, 3))
	if f.Station.Code != "LOA-20359" || f.Station.Name != "Đài LOA-20359" || f.Station.Channel != "commune_loudspeaker" ||
		f.Station.OrgUnit != "20359" || !slices.Equal(f.Station.Languages, []string{"vi"}) || !etagPattern.MatchString(etag) {
		t.Errorf("station %+v, ETag %s", f.Station, etag)
	}
	if _, err := time.Parse(time.RFC3339, f.GeneratedAt); err != nil {
		t.Errorf("generatedAt %q: %v", f.GeneratedAt, err)
	}
	if len(f.Items) != 3 {
		t.Fatalf("3 days hold %d items, want 3", len(f.Items))
	}
	for i, it := range f.Items {
		want := feedItem{AiringId: it.AiringId, Start: s.date(i) + "T06:30:00+07:00", StartUtc: s.date(i-1) + "T23:30:00Z",
			End: s.date(i) + "T06:45:00+07:00", DurationSeconds: 900, Title: "Phòng, chống mua bán người", Kind: "radio_script",
			Language: "vi", Content: s.item, ContentVersion: 1, Script: sceneScript, ContentHash: sha(sceneScript), Status: "delivered"}
		got := it
		got.Groups, got.Attachment, got.ReadSeconds = nil, nil, 0
		if !strings.Contains(it.AiringId, ".LOA-20359.") || !reflectEqual(got, want) || it.ReadSeconds <= 0 ||
			!slices.Equal(it.Groups, []string{"general_public"}) {
			t.Errorf("item %d = %+v, want %+v", i, it, want)
		}
		if a := it.Attachment; a == nil || a.Url != "/api/v1/station/airings/"+it.AiringId+"/attachment" || a.Sha256 != sha(s.png) || a.Bytes != len(s.png) {
			t.Errorf("item %d attachment = %+v", i, it.Attachment)
		}
	}
	// The pull recorded the deliveries of the window, and of nothing else.
	var shown struct{ Status, DeliveredAt string }
	s.decode(s.do("GET", "/api/v1/airings/"+f.Items[0].AiringId, ""), http.StatusOK, &shown)
	if shown.Status != "delivered" || shown.DeliveredAt == "" {
		t.Errorf("after the first pull the airing is %+v, want delivered", shown)
	}
	if later := s.airingOn("LOA-20359", 3); later.Status != "planned" {
		t.Errorf("an airing outside the window is %s, want planned", later.Status)
	}
	// By default the next 7 days.
	def, _ := s.feed(loaToken, "")
	now := time.Now()
	for _, it := range def.Items {
		start, err := time.Parse(time.RFC3339, it.Start)
		if err != nil || start.Before(now.Add(-time.Minute)) || !start.Before(now.Add(7*24*time.Hour)) {
			t.Errorf("the default window holds %s", it.Start)
		}
	}
	if len(def.Items) < 6 {
		t.Errorf("the next 7 days hold %d items, want 6 or 7", len(def.Items))
	}

	// Hội An's station sees its own airings only; Tam Thanh's token reaches none of them.
	other, _ := s.feed(ha, s.window(0, 3))
	if len(other.Items) != 3 || other.Station.Code != "DT-HA" {
		t.Fatalf("DT-HA's feed: %+v", other)
	}
	for _, it := range other.Items {
		if !strings.Contains(it.AiringId, ".DT-HA.") || slices.Contains(ids(f.Items), it.AiringId) || !strings.HasPrefix(it.Script, "Đài DT-HA ") {
			t.Errorf("DT-HA's feed holds %s: %q", it.AiringId, it.Script)
		}
	}
	theirs := other.Items[0].AiringId
	before := s.snapshot()
	for _, path := range []string{"/script.txt", "/script.html", "/attachment"} {
		s.wantError(s.stationGet(loaToken, "/api/v1/station/airings/"+theirs+path), http.StatusForbidden, "forbidden", "")
	}
	s.unchangedSince(before)
	calendar := s.stationGet(loaToken, "/api/v1/station/schedule.ics?"+s.window(0, 3)).Body.String()
	if strings.Contains(calendar, ".DT-HA.") || !strings.Contains(calendar, f.Items[0].AiringId) {
		t.Error("Tam Thanh's calendar holds Hội An's airings or misses its own")
	}

	// A new draft of the item never reaches the feed; once approved, it does.
	s.decode(s.do("PUT", "/api/v1/contents/"+s.item, s.itemJSON("Bản sửa", "Bản nháp chưa duyệt cho {{.Station}}.")), http.StatusOK, nil)
	s.decode(s.do("POST", "/api/v1/contents/"+s.item+"/submit", ""), http.StatusOK, nil)
	draft, draftETag := s.feed(loaToken, s.window(0, 3))
	for _, it := range draft.Items {
		if it.ContentVersion != 1 || it.Script != sceneScript || it.Title != "Phòng, chống mua bán người" {
			t.Errorf("with version 2 in review the feed holds %+v", it)
		}
	}
	if draftETag != etag {
		t.Errorf("a version in review changed the ETag: %s → %s", etag, draftETag)
	}
	s.decode(s.call("POST", "/api/v1/contents/"+s.item+"/approve", "", "", s.approver), http.StatusOK, nil)
	s.materialize()
	approved, _ := s.feed(loaToken, s.window(0, 3))
	for _, it := range approved.Items {
		if it.ContentVersion != 2 || it.Script != "Bản nháp chưa duyệt cho Đài LOA-20359." || it.Title != "Bản sửa" ||
			it.ContentHash != sha(it.Script) || it.Attachment == nil {
			t.Errorf("after approving version 2 the feed holds %+v", it)
		}
	}
	var after airing
	s.decode(s.do("GET", "/api/v1/airings/"+f.Items[0].AiringId, ""), http.StatusOK, &after)
	if after.ContentVersion != 2 {
		t.Errorf("after materialising, the delivered airing carries version %d, want 2", after.ContentVersion)
	}
}

func reflectEqual(a, b feedItem) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// The ETag is stable while nothing in the window changes and moves with each
// change in it; 304 costs no body; gzip on request.
func TestStationFeedETag(t *testing.T) {
	s := newFeedScene(t, 0)
	token := s.stationToken("DT-TK")
	w := s.window(0, 4)

	first := s.pull(token, w)
	var f stationFeed
	s.decode(first, http.StatusOK, &f)
	etag, h := first.Header().Get("ETag"), first.Header()
	if !etagPattern.MatchString(etag) || h.Get("Cache-Control") != "private, max-age=60" || h.Get("Vary") != "Accept-Encoding" ||
		h.Get("Content-Encoding") != "" || len(f.Items) != 4 {
		t.Errorf("first pull: headers %v, %d items", h, len(f.Items))
	}
	again := s.pull(token, w)
	if again.Code != http.StatusOK || again.Header().Get("ETag") != etag || again.Body.String() != first.Body.String() {
		t.Errorf("an identical pull: %d, ETag %s (was %s), same body %v", again.Code, again.Header().Get("ETag"), etag,
			again.Body.String() == first.Body.String())
	}

	// If-None-Match with the current ETag: 304, no body. The comparison is weak (RFC
	// 9110): the W/ form a gzipping proxy sends back matches too, alone or in a list.
	for _, inm := range []string{etag, `"00000000000000000000000000000000", ` + etag, "*", "W/" + etag,
		`W/"00000000000000000000000000000000",W/` + etag} {
		rec := s.pull(token, w, "If-None-Match", inm)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag ||
			rec.Header().Get("Cache-Control") != "private, max-age=60" {
			t.Errorf("If-None-Match %s: %d, %d bytes, headers %v; want 304 without a body", inm, rec.Code, rec.Body.Len(), rec.Header())
		}
	}
	for _, stale := range []string{`"00000000000000000000000000000000"`, `W/"00000000000000000000000000000000"`, "W/", `W/""`} {
		if rec := s.pull(token, w, "If-None-Match", stale); rec.Code != http.StatusOK {
			t.Errorf("a stale If-None-Match %s: %d, want 200", stale, rec.Code)
		}
	}

	// gzip when asked, the same JSON once decompressed.
	gz := s.pull(token, w, "Accept-Encoding", "gzip, deflate")
	if gz.Code != http.StatusOK || gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") != strings.TrimSuffix(etag, `"`)+`-gz"` ||
		gz.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("with Accept-Encoding gzip: %d, headers %v", gz.Code, gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain := readAll(t, zr); plain != first.Body.String() {
		t.Errorf("the gzip body decompresses to %d bytes that differ from the plain %d", len(plain), first.Body.Len())
	}
	if gz.Body.Len() >= first.Body.Len() {
		t.Errorf("gzip body %d bytes, plain %d", gz.Body.Len(), first.Body.Len())
	}
	if rec := s.pull(token, w, "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != first.Body.String() {
		t.Errorf("gzip;q=0 answered Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
	// Each encoding has its own validator: the gzip one answers 304 to its own tag.
	gzTag := gz.Header().Get("ETag")
	if rec := s.pull(token, w, "Accept-Encoding", "gzip", "If-None-Match", gzTag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("gzip with the current gzip ETag: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := s.pull(token, w, "Accept-Encoding", "gzip", "If-None-Match", etag); rec.Code != http.StatusOK {
		t.Errorf("gzip with the plain representation's ETag: %d, want 200", rec.Code)
	}

	current := etag
	unchanged := func(what string) {
		t.Helper()
		if rec := s.pull(token, w, "If-None-Match", current); rec.Code != http.StatusNotModified {
			t.Errorf("after %s: %d, want 304 (nothing in the window changed)", what, rec.Code)
		}
	}
	changed := func(what string) stationFeed {
		t.Helper()
		rec := s.pull(token, w, "If-None-Match", current)
		if rec.Code != http.StatusOK {
			t.Errorf("after %s: %d, want 200 with a new ETag", what, rec.Code)
			return stationFeed{}
		}
		var f stationFeed
		s.decode(rec, http.StatusOK, &f)
		next := rec.Header().Get("ETag")
		if next == current || !etagPattern.MatchString(next) {
			t.Errorf("after %s the ETag is %s, was %s", what, next, current)
		}
		if rec := s.pull(token, w, "If-None-Match", next); rec.Code != http.StatusNotModified {
			t.Errorf("after %s, pulling again: %d, want 304", what, rec.Code)
		}
		current = next
		return f
	}

	// Changes elsewhere leave the ETag alone.
	s.decode(s.plan("POST", "/api/v1/airings", fmt.Sprintf(`{"station":"DT-HA","campaign":%q,"start":%q,"durationSeconds":600,"content":%q}`,
		s.campaign, s.at(1, 12, 0), s.item)), http.StatusCreated, nil)
	unchanged("an airing placed at another station")
	s.decode(s.plan("PATCH", "/api/v1/airings/"+s.airingOn("DT-TK", 10).ID, `{"note":"ngoài cửa sổ"}`), http.StatusOK, nil)
	unchanged("a change outside the window")
	s.decode(s.do("PUT", "/api/v1/contents/"+s.item, s.itemJSON("Bản mới", "Bản mới: {{.Station}} nhắc bà con gọi {{.Hotline}}.")), http.StatusOK, nil)
	unchanged("a new draft of the item")
	s.decode(s.do("POST", "/api/v1/contents/"+s.item+"/submit", ""), http.StatusOK, nil)
	unchanged("submitting the draft")

	// Each kind of change in the window moves it.
	var placed airing
	s.decode(s.plan("POST", "/api/v1/airings", fmt.Sprintf(`{"station":"DT-TK","campaign":%q,"start":%q,"durationSeconds":600,"content":%q}`,
		s.campaign, s.at(1, 12, 0), s.item)), http.StatusCreated, &placed)
	if got := changed("a new airing"); !slices.Contains(ids(got.Items), placed.ID) || len(got.Items) != 5 {
		t.Errorf("after placing %s the feed holds %v", placed.ID, ids(got.Items))
	}
	outside := s.airingOn("DT-TK", 6)
	s.decode(s.plan("PATCH", "/api/v1/airings/"+outside.ID, `{"start":"`+s.at(2, 9, 0)+`"}`), http.StatusOK, nil)
	if got := changed("an airing moved into the window"); !slices.ContainsFunc(got.Items, func(it feedItem) bool {
		return it.AiringId == outside.ID && it.Start == s.at(2, 9, 0)
	}) {
		t.Errorf("after moving %s to %s the feed holds %v", outside.ID, s.at(2, 9, 0), ids(got.Items))
	}
	s.decode(s.call("POST", "/api/v1/contents/"+s.item+"/approve", "", "", s.approver), http.StatusOK, nil)
	s.materialize()
	for _, it := range changed("a new approved version").Items {
		if it.ContentVersion != 2 || it.Script != "Bản mới: Đài DT-TK nhắc bà con gọi 111." {
			t.Errorf("after approving version 2: %+v", it)
		}
	}

	// The station pulled the whole window: its airings are delivered, and a planner
	// must still be able to take one off the air or move it, and the station must
	// see it at its next pull.
	delivered := s.airingOn("DT-TK", 1)
	if delivered.Status != "delivered" {
		t.Fatalf("the airing of day 1 is %s, want delivered", delivered.Status)
	}
	if rec := s.plan("PATCH", "/api/v1/airings/"+delivered.ID, `{"status":"cancelled"}`); rec.Code != http.StatusOK {
		t.Errorf("cancelling an airing the station pulled: %d %s, want 200", rec.Code, rec.Body)
	} else if got := changed("a cancelled airing"); slices.Contains(ids(got.Items), delivered.ID) {
		t.Errorf("the cancelled airing %s is still in the feed", delivered.ID)
	}
	moved := s.airingOn("DT-TK", 3)
	if rec := s.plan("PATCH", "/api/v1/airings/"+moved.ID, `{"start":"`+s.at(3, 10, 0)+`"}`); rec.Code != http.StatusOK {
		t.Errorf("moving an airing the station pulled: %d %s, want 200", rec.Code, rec.Body)
	} else if got := changed("an airing moved within the window"); !slices.ContainsFunc(got.Items, func(it feedItem) bool {
		return it.AiringId == moved.ID && it.Start == s.at(3, 10, 0)
	}) {
		t.Errorf("after moving %s to %s the feed holds %v", moved.ID, s.at(3, 10, 0), ids(got.Items))
	}
	// The station's name is in the feed and in its scripts.
	s.decode(s.do("PUT", "/api/v1/stations/DT-TK", strings.Replace(stationJSON("DT-TK", "502", "district_station"), "Đài DT-TK", "Đài Tam Kỳ", 1)),
		http.StatusOK, nil)
	if got := changed("the station renamed"); got.Station.Name != "Đài Tam Kỳ" || len(got.Items) == 0 || !strings.Contains(got.Items[0].Script, "Đài Tam Kỳ") {
		t.Errorf("after renaming the station the feed says %q and reads %q", got.Station.Name, scripts(got.Items))
	}
}

// Every bad window: 400 naming the parameter, and nothing delivered.
func TestStationFeedBadWindow(t *testing.T) {
	s := newFeedScene(t, 0)
	token := s.stationToken("DT-TK")
	before := s.snapshot()
	for _, tt := range []struct{ name, query, field string }{
		{"from after to", s.window(3, 1), "to"},
		{"from equal to to", s.window(1, 1), "to"},
		{"a window over 31 days", s.window(0, 32), "to"},
		{"to alone over 31 days ahead", "to=" + s.date(40), "to"},
		{"a malformed from", "from=tomorrow", "from"},
		{"a malformed to", "from=" + s.date(0) + "&to=28/11/2026", "to"},
		{"a time without a zone", "from=" + s.date(0) + "T06:00:00", "from"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			for _, path := range []string{"/api/v1/station/schedule?", "/api/v1/station/schedule.ics?"} {
				rec := s.stationGet(token, path+tt.query)
				if rec.Code != http.StatusBadRequest {
					t.Errorf("GET %s%s: %d, want 400", path, tt.query, rec.Code)
					continue
				}
				s.wantError(rec, http.StatusBadRequest, "invalid", tt.field)
			}
		})
	}
	s.unchangedSince(before)
	// 31 days exactly is allowed.
	if f, _ := s.feed(token, s.window(0, 31)); len(f.Items) != 31 {
		t.Errorf("31 days hold %d items, want 31", len(f.Items))
	}
}

// The calendar is RFC 5545 that a library parses, with the airings at their local
// times.
func TestStationCalendar(t *testing.T) {
	s := newFeedScene(t, 0)
	token := s.stationToken("LOA-20359")
	w := s.window(0, 3)
	f, etag := s.feed(token, w)

	rec := s.stationGet(token, "/api/v1/station/schedule.ics?"+w)
	if rec.Code != http.StatusOK {
		t.Fatalf("calendar: %d %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Content-Type") != "text/calendar; charset=utf-8" || h.Get("ETag") != etag || h.Get("Cache-Control") != "private, max-age=60" ||
		h.Get("Content-Disposition") != `inline; filename="LOA-20359.ics"` {
		t.Errorf("calendar headers %v", h)
	}
	body := rec.Body.String()
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		t.Error("the calendar has lines not ended by CRLF")
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, body)
	}
	zones := cal.Timezones()
	if len(zones) != 1 || zones[0].GetProperty(ics.ComponentPropertyTzid) == nil || zones[0].GetProperty(ics.ComponentPropertyTzid).Value != "Asia/Ho_Chi_Minh" {
		t.Errorf("want one VTIMEZONE for Asia/Ho_Chi_Minh, got %d", len(zones))
	}
	events := cal.Events()
	if len(events) != len(f.Items) || len(events) != 3 {
		t.Fatalf("%d events for %d items", len(events), len(f.Items))
	}
	for i, ev := range events {
		it := f.Items[i]
		day := strings.ReplaceAll(s.date(i), "-", "")
		start := ev.GetProperty(ics.ComponentPropertyDtStart)
		end := ev.GetProperty(ics.ComponentPropertyDtEnd)
		if ev.Id() != it.AiringId+"@loa" || start == nil || end == nil {
			t.Fatalf("event %d: UID %q, DTSTART %v, DTEND %v", i, ev.Id(), start, end)
		}
		if start.Value != day+"T063000" || end.Value != day+"T064500" ||
			!slices.Equal(start.ICalParameters["TZID"], []string{"Asia/Ho_Chi_Minh"}) {
			t.Errorf("event %d: DTSTART %s %v, DTEND %s; want %sT063000 to T064500 local", i, start.Value, start.ICalParameters, end.Value, day)
		}
		at, err := ev.GetStartAt()
		want, _ := time.Parse(time.RFC3339, it.Start)
		if err != nil || !at.Equal(want) {
			t.Errorf("event %d starts at %v (%v), want %v", i, at, err, want)
		}
		if summary := ev.GetProperty(ics.ComponentPropertySummary); summary == nil || ics.FromText(summary.Value) != it.Title {
			t.Errorf("event %d SUMMARY %v, want %q", i, summary, it.Title)
		}
		if desc := ev.GetProperty(ics.ComponentPropertyDescription); desc == nil || ics.FromText(desc.Value) != sceneScript {
			t.Errorf("event %d DESCRIPTION %v, want the script %q", i, desc, sceneScript)
		}
	}

	// The same calendar with ?token= (and the same UIDs: a re-pull updates).
	byQuery := s.stationGet("", "/api/v1/station/schedule.ics?"+w+"&token="+url.QueryEscape(token))
	if byQuery.Code != http.StatusOK || byQuery.Body.String() != body {
		t.Errorf("with ?token=: %d, same body %v", byQuery.Code, byQuery.Body.String() == body)
	}
	s.wantError(s.stationGet("", "/api/v1/station/schedule.ics?"+w+"&token=wrong"), http.StatusUnauthorized, "unauthorized", "")
	if rec := s.stationGet(token, "/api/v1/station/schedule.ics?"+w, "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("calendar with the current ETag: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

// One script as plain text and as a printable page, and the attachment.
func TestStationScripts(t *testing.T) {
	s := newFeedScene(t, 0)
	odd := s.approvedItem(`Tin "khẩn" <b>gấp</b> & rõ`, "Gọi `<b>111</b>` & hỏi {{.Station}}.\n\nĐoạn hai.", false)
	s.createRule(map[string]any{"title": "Tin chiều", "stations": []string{"LOA-20359"}, "rrule": "FREQ=DAILY;BYHOUR=17;BYMINUTE=0",
		"pool": map[string]any{"items": []string{odd}}})
	draft := s.content(`"tags": ["nhap"]`, false)
	s.createRule(map[string]any{"title": "Chưa duyệt", "stations": []string{"LOA-20359"}, "rrule": "FREQ=DAILY;BYHOUR=20;BYMINUTE=0",
		"pool": map[string]any{"items": []string{draft}}})
	s.materialize()
	token := s.stationToken("LOA-20359")
	f, _ := s.feed(token, s.window(0, 1))
	if len(f.Items) != 2 || f.Items[0].Content != s.item || f.Items[1].Content != odd {
		t.Fatalf("day 0 holds %+v, want the scene's script and the odd one", f.Items)
	}
	for _, it := range f.Items {
		rec := s.stationGet(token, "/api/v1/station/airings/"+it.AiringId+"/script.txt")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" || rec.Body.String() != it.Script ||
			!utf8.Valid(rec.Body.Bytes()) || rec.Header().Get("X-Content-SHA256") != it.ContentHash || it.ContentHash != sha(rec.Body.String()) {
			t.Errorf("script.txt of %s: %d %v %q, want %q", it.AiringId, rec.Code, rec.Header(), rec.Body, it.Script)
		}
	}
	if got := f.Items[0].Script; got != sceneScript {
		t.Errorf("the scene's script reads %q, want %q", got, sceneScript)
	}
	odds := strings.Split(f.Items[1].Script, "\n\n")
	if len(odds) != 2 || !strings.Contains(odds[0], "b>111<") || !strings.HasSuffix(odds[0], "& hỏi Đài LOA-20359.") || odds[1] != "Đoạn hai." {
		t.Fatalf("the odd script reads %q", f.Items[1].Script)
	}

	// The printable page escapes whatever the words hold.
	rec := s.stationGet(token, "/api/v1/station/airings/"+f.Items[1].AiringId+"/script.html")
	page := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("script.html: %d %v", rec.Code, rec.Header())
	}
	when := s.day0.Format("02/01/2006") + " 17:00"
	for _, want := range []string{"<p>" + template.HTMLEscapeString(odds[0]) + "</p>", "Tin &#34;khẩn&#34; &lt;b&gt;gấp&lt;/b&gt; &amp; rõ",
		"<dd>Đài LOA-20359</dd>", "<dd>" + when + "</dd>", "<p>Đoạn hai.</p>"} {
		if !strings.Contains(page, want) {
			t.Errorf("script.html lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<b>") || strings.Contains(page, "</b>") || strings.Count(page, "<p>") != 2 {
		t.Errorf("script.html holds unescaped markup or %d paragraphs:\n%s", strings.Count(page, "<p>"), page)
	}

	// The attachment of the approved version, as its feed item describes it.
	att := f.Items[0].Attachment
	if att == nil {
		t.Fatal("the scene's item has no attachment in the feed")
	}
	rec = s.stationGet(token, att.Url)
	if rec.Code != http.StatusOK || rec.Body.String() != s.png || rec.Header().Get("Content-Type") != "image/png" ||
		rec.Header().Get("X-Content-SHA256") != att.Sha256 || att.Sha256 != sha(s.png) {
		t.Errorf("attachment: %d %v, %d bytes", rec.Code, rec.Header(), rec.Body.Len())
	}
	s.wantError(s.stationGet(token, "/api/v1/station/airings/"+f.Items[1].AiringId+"/attachment"), http.StatusNotFound, "not_found", "")

	// No such airing, or no approved words on it: 404.
	noContent := s.airings("station=LOA-20359&status=no_content&from=" + s.date(0) + "&to=" + s.date(1))
	if len(noContent) != 1 {
		t.Fatalf("airings without content on day 0: %+v", noContent)
	}
	for _, id := range []string{"nope", "r.LOA-20359.20990101T000000Z", noContent[0].ID} {
		for _, path := range []string{"/script.txt", "/script.html", "/attachment"} {
			s.wantError(s.stationGet(token, "/api/v1/station/airings/"+id+path), http.StatusNotFound, "not_found", "")
		}
	}
}

// A station confirms its airings once each, however often it says so.
func TestStationConfirm(t *testing.T) {
	s := newFeedScene(t, -8)
	s.pastWeek()
	tk, loaToken := s.stationToken("DT-TK"), s.stationToken("LOA-20359")
	ctx := context.Background()

	a := s.airingOn("DT-TK", -4) // ended three days ago
	body := confirmation("aired", a.Start, " Đã phát đủ ")
	var got confirmed
	s.decode(s.confirm(tk, a.ID, body), http.StatusOK, &got)
	if got.ID != a.ID || got.Status != "aired" || !sameInstant(got.ConfirmedAt, mustTime(t, a.Start)) || got.ConfirmNote != "Đã phát đủ" || !got.Late {
		t.Errorf("confirmed %+v, want aired at %s, noted, late", got, a.Start)
	}
	// One estimated activity of the general public in the station's unit.
	r, err := s.reachOf("502", s.date(-4), reach.ActivityBroadcast, a.ID)
	if err != nil || r.Activities != 1 || r.PersonTimes != 1000 || !r.Estimated || r.UniquePersons != nil || r.Airing != a.ID ||
		r.Group != "general_public" || r.Campaign != s.campaign {
		t.Errorf("reach of the aired broadcast = %+v, %v", r, err)
	}
	if n := s.reachCount(); n != 1 {
		t.Errorf("%d reach records, want 1", n)
	}
	// The same word again: the same airing, nothing written.
	before := s.snapshot()
	var again confirmed
	s.decode(s.confirm(tk, a.ID, body), http.StatusOK, &again)
	if again != got {
		t.Errorf("confirming again answered %+v, want %+v", again, got)
	}
	s.unchangedSince(before)

	// Missed after all: the reach is taken back; aired again, counted once.
	s.decode(s.confirm(tk, a.ID, confirmation("missed", a.Start, "mất điện")), http.StatusOK, &got)
	if got.Status != "missed" || got.ConfirmNote != "mất điện" {
		t.Errorf("changed to missed: %+v", got)
	}
	if _, err := s.reachOf("502", s.date(-4), reach.ActivityBroadcast, a.ID); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("after missed, the reach record: %v, want none", err)
	}
	if n := s.reachCount(); n != 0 {
		t.Errorf("%d reach records after missed, want 0", n)
	}
	later := mustTime(t, a.Start).Add(2 * time.Minute).Format(time.RFC3339)
	s.decode(s.confirm(tk, a.ID, confirmation("aired", later, "")), http.StatusOK, nil)
	s.decode(s.confirm(tk, a.ID, confirmation("aired", later, "")), http.StatusOK, nil)
	if n := s.reachCount(); n != 1 {
		t.Errorf("%d reach records after aired twice, want 1", n)
	}
	// Each station's reach is in its own unit.
	b := s.airingOn("LOA-20359", -4)
	s.decode(s.confirm(loaToken, b.ID, confirmation("aired", b.Start, "")), http.StatusOK, nil)
	if r, err := s.reachOf("20359", s.date(-4), reach.ActivityBroadcast, b.ID); err != nil || r.PersonTimes != 1000 {
		t.Errorf("Tam Thanh's reach = %+v, %v", r, err)
	}

	// Within the clock skew a time a little ahead is accepted.
	c := s.airingOn("DT-TK", -5)
	s.decode(s.confirm(tk, c.ID, confirmation("aired", time.Now().Add(2*time.Minute).Format(time.RFC3339), "")), http.StatusOK, nil)

	// An airing that ended less than a day ago is not late.
	recent := s.recentAiring()
	var fresh confirmed
	s.decode(s.confirm(s.stationToken("LOA-20434"), recent.ID, confirmation("aired", recent.Start, "")), http.StatusOK, &fresh)
	if fresh.Status != "aired" || fresh.Late {
		t.Errorf("a confirmation an hour after the airing: %+v, want aired, not late", fresh)
	}

	// Every bad confirmation: its status and code, and nothing written.
	d := s.airingOn("DT-TK", -6)
	theirs := s.airingOn("DT-HA", -6)
	future := s.airingOn("DT-TK", 0)
	now := time.Now()
	before = s.snapshot()
	for _, tt := range []struct {
		name, id, body string
		status         int
		code, field    string
	}{
		{"another station's airing", theirs.ID, confirmation("aired", theirs.Start, ""), 403, "forbidden", ""},
		{"an unknown airing", "nope", confirmation("aired", d.Start, ""), 404, "not_found", ""},
		{"an airing not started", future.ID, confirmation("aired", now.Format(time.RFC3339), ""), 422, "not_started", ""},
		{"another status", d.ID, confirmation("played", d.Start, ""), 400, "invalid", "status"},
		{"status planned", d.ID, confirmation("planned", d.Start, ""), 400, "invalid", "status"},
		{"no status", d.ID, `{"at":"` + d.Start + `"}`, 400, "invalid", "status"},
		{"at beyond the clock skew", d.ID, confirmation("aired", now.Add(time.Hour).Format(time.RFC3339), ""), 400, "invalid", "at"},
		{"no at", d.ID, `{"status":"aired"}`, 400, "invalid", "at"},
		{"a malformed at", d.ID, `{"status":"aired","at":"hôm qua"}`, 400, "invalid", ""},
		{"a long note", d.ID, confirmation("aired", d.Start, strings.Repeat("a", 1001)), 400, "invalid", "note"},
		{"an unknown field", d.ID, `{"status":"aired","at":"` + d.Start + `","played":true}`, 400, "invalid", "played"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			s.wantError(s.confirm(tk, tt.id, tt.body), tt.status, tt.code, tt.field)
		})
	}
	s.wantError(s.call("POST", "/api/v1/station/airings/"+d.ID+"/confirm", "text/plain", confirmation("aired", d.Start, ""), tk),
		http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	s.wantError(s.confirm(s.token, d.ID, confirmation("aired", d.Start, "")), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
	stored, err := scheduler.NewStore(s.db).Airings(ctx)
	if n := len(slices.DeleteFunc(stored, func(a scheduler.Airing) bool { return a.Status != scheduler.StatusAired })); err != nil || n != 4 {
		t.Errorf("%d aired airings, want 4 (%v)", n, err)
	}
}

// recentAiring places, through a rule on Tân Hiệp's new loudspeakers, an airing
// that started 90 minutes ago and lasted 10.
func (s *feedScene) recentAiring() airing {
	s.t.Helper()
	s.decode(s.do("POST", "/api/v1/stations", stationJSON("LOA-20434", "20434", "commune_loudspeaker")), http.StatusCreated, nil)
	start := time.Now().Add(-90 * time.Minute).In(zone).Truncate(time.Minute)
	s.createRule(map[string]any{"title": "Vừa phát", "stations": []string{"LOA-20434"},
		"rrule": fmt.Sprintf("FREQ=DAILY;BYHOUR=%d;BYMINUTE=%d", start.Hour(), start.Minute()), "durationSeconds": 600,
		"startDate": start.Format(time.DateOnly), "until": start.Format(time.DateOnly), "pool": map[string]any{"items": []string{s.item}}})
	if _, err := s.scheduler.MaterializeUntil(context.Background(), start.Add(-time.Minute), start.Add(time.Minute)); err != nil {
		s.t.Fatal(err)
	}
	list := s.airings("station=LOA-20434&from=" + url.QueryEscape(start.Add(-time.Minute).Format(time.RFC3339)) +
		"&to=" + url.QueryEscape(start.Add(time.Minute).Format(time.RFC3339)))
	if len(list) != 1 || list[0].Status != "planned" {
		s.t.Fatalf("the recent airing: %+v", list)
	}
	return list[0]
}

func mustTime(t *testing.T, v string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// A box's offline queue: every entry answered, duplicates ignored, nothing counted
// twice.
func TestStationConfirmBatch(t *testing.T) {
	s := newFeedScene(t, -8)
	s.pastWeek()
	tk := s.stationToken("DT-TK")
	d5, d6, d7 := s.airingOn("DT-TK", -5), s.airingOn("DT-TK", -6), s.airingOn("DT-TK", -7)
	theirs, future := s.airingOn("DT-HA", -5), s.airingOn("DT-TK", 0)
	entry := func(client string, a airing, status, at string) map[string]string {
		return map[string]string{"clientId": client, "airingId": a.ID, "status": status, "at": at, "note": ""}
	}
	now := time.Now().Format(time.RFC3339)
	batch := []map[string]string{
		entry("q1", d5, "aired", d5.Start),
		entry("q1", d6, "aired", d6.Start), // the same clientId in the same batch
		entry("q2", theirs, "aired", theirs.Start),
		entry("q3", airing{ID: "nope"}, "aired", d5.Start),
		entry("q4", d6, "played", d6.Start),
		entry("q5", future, "aired", now),
		entry("q6", d6, "missed", d6.Start),
		entry("", d7, "missed", d7.Start),
		entry("q7", d5, "aired", d5.Start), // what q1 said already
	}
	var sum batchSummary
	s.decode(s.confirmBatch(tk, batch), http.StatusOK, &sum)
	want := []string{"recorded:", "duplicate:", "rejected:forbidden", "rejected:not_found", "rejected:invalid", "rejected:not_started",
		"recorded:", "rejected:invalid", "unchanged:"}
	if len(sum.Results) != len(want) {
		t.Fatalf("%d results for %d entries: %+v", len(sum.Results), len(batch), sum)
	}
	for i, r := range sum.Results {
		if got := r.Outcome + ":" + r.Code; got != want[i] || r.ClientId != batch[i]["clientId"] || r.AiringId != batch[i]["airingId"] {
			t.Errorf("entry %d: %+v, want %s", i, r, want[i])
		}
		if (r.Outcome == "rejected") != (r.Message != "") {
			t.Errorf("entry %d: outcome %s with message %q", i, r.Outcome, r.Message)
		}
	}
	if !sum.Results[0].Late || !sum.Results[6].Late {
		t.Errorf("confirmations days late not marked late: %+v", sum.Results)
	}
	if sum.Received != 9 || sum.Recorded != 2 || sum.Unchanged != 1 || sum.Duplicates != 1 || sum.Rejected != 5 {
		t.Errorf("summary %+v", sum)
	}
	for _, tt := range []struct {
		a      airing
		status string
	}{{d5, "aired"}, {d6, "missed"}, {d7, "planned"}} {
		var got confirmed
		s.decode(s.do("GET", "/api/v1/airings/"+tt.a.ID, ""), http.StatusOK, &got)
		if got.Status != tt.status || got.Late != (tt.status != "planned") {
			t.Errorf("airing %s is %+v, want %s", tt.a.ID, got, tt.status)
		}
	}
	if n := s.reachCount(); n != 1 {
		t.Errorf("%d reach records, want 1 (d5 aired)", n)
	}

	// The queue uploaded again: its accepted entries are duplicates; nothing is written.
	before := s.snapshot()
	var re batchSummary
	s.decode(s.confirmBatch(tk, []map[string]string{batch[0], batch[6], batch[8], entry("q1", d7, "aired", d7.Start)}), http.StatusOK, &re)
	if re.Received != 4 || re.Duplicates != 4 || re.Recorded+re.Unchanged+re.Rejected != 0 {
		t.Errorf("the queue again: %+v, want 4 duplicates", re)
	}
	s.unchangedSince(before)

	// Over 1,000 entries, or not a list: refused whole, nothing written.
	big := make([]map[string]string, 1001)
	for i := range big {
		big[i] = entry(fmt.Sprintf("big-%d", i), d7, "aired", d7.Start)
	}
	s.wantError(s.confirmBatch(tk, big), http.StatusBadRequest, "invalid", "confirmations")
	s.wantError(s.confirmBatch(tk, batch[0]), http.StatusBadRequest, "invalid", "")
	s.wantError(s.call("POST", "/api/v1/station/confirmations", "application/json", "[{", tk), http.StatusBadRequest, "invalid", "")
	s.wantError(s.confirmBatch(s.planner, batch[:1]), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
	var empty batchSummary
	s.decode(s.confirmBatch(tk, []map[string]string{}), http.StatusOK, &empty)
	if empty.Received != 0 || len(empty.Results) != 0 {
		t.Errorf("an empty batch: %+v", empty)
	}
	if n := s.reachCount(); n != 1 {
		t.Errorf("%d reach records after the refused batches, want 1", n)
	}

	// Exactly 1,000 entries are taken.
	big = big[:1000]
	s.decode(s.confirmBatch(tk, big), http.StatusOK, &sum)
	if sum.Received != 1000 || sum.Recorded != 1 || sum.Unchanged != 999 {
		t.Errorf("a batch of 1,000: %+v", sum)
	}

	// An entry refused because its airing had not started is taken when the box
	// sends it again after the start: only entries accepted count as received.
	s.clock.advance(3 * 24 * time.Hour)
	var retry batchSummary
	s.decode(s.confirmBatch(tk, []map[string]string{batch[5]}), http.StatusOK, &retry)
	if len(retry.Results) != 1 || retry.Results[0].Outcome != "recorded" {
		t.Errorf("q5 sent again once its airing started: %+v, want recorded", retry.Results)
	}
}

// A published press item counts once, for the province.
func TestPublishedPressCountsReach(t *testing.T) {
	s := bareFeedScene(t)
	var press airing
	s.decode(s.plan("POST", "/api/v1/airings", fmt.Sprintf(`{"station":"BQN","campaign":%q,"start":%q,"durationSeconds":600}`,
		s.campaign, s.at(1, 9, 0))), http.StatusCreated, &press)
	if n := s.reachCount(); n != 0 {
		t.Fatalf("%d reach records before publishing", n)
	}
	for _, link := range []string{"https://baoquangnam.vn/bai-1", "https://baoquangnam.vn/bai-1-sua"} {
		s.decode(s.plan("POST", "/api/v1/airings/"+press.ID+"/publish",
			`{"url":"`+link+`","publishedAt":"`+time.Now().Add(-time.Hour).Format(time.RFC3339)+`"}`), http.StatusOK, nil)
		r, err := s.reachOf("49", s.date(1), reach.ActivityPress, press.ID)
		if err != nil || r.Activities != 1 || r.PersonTimes != 1000 || !r.Estimated || r.UniquePersons != nil || r.Evidence != link {
			t.Errorf("reach of the press item published at %s = %+v, %v", link, r, err)
		}
		if n := s.reachCount(); n != 1 {
			t.Errorf("%d reach records, want 1", n)
		}
	}
}

// The as-run of a month against figures worked out by hand.
func TestAsRun(t *testing.T) {
	s := bareFeedScene(t)
	ctx := context.Background()
	now := time.Now().In(zone)
	m := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, zone) // last month: every airing has ended
	month := m.Format("2006-01")
	day := func(d int) string { return m.AddDate(0, 0, d-1).Format(time.DateOnly) }
	pool := map[string]any{"items": []string{s.item}}
	// Days 1 to 6 at 06:30 on three stations; two evening airings at Hội An,
	// withdrawn; two press slots with nothing approved to fill them.
	s.createRule(map[string]any{"title": "Tháng trước", "stations": []string{"DT-TK", "LOA-20359", "DT-HA"}, "startDate": day(1), "until": day(6), "pool": pool})
	evening := map[string]any{"title": "Buổi chiều", "stations": []string{"DT-HA"}, "rrule": "FREQ=DAILY;BYHOUR=18;BYMINUTE=0",
		"startDate": day(1), "until": day(2), "pool": pool}
	withdrawn := s.createRule(evening)
	s.createRule(map[string]any{"title": "Báo", "stations": []string{"BQN"}, "rrule": "FREQ=DAILY;BYHOUR=8;BYMINUTE=0",
		"startDate": day(1), "until": day(2), "pool": map[string]any{}})
	materializeMonth := func() {
		if _, err := s.scheduler.MaterializeUntil(ctx, m, m.AddDate(0, 1, 0)); err != nil {
			t.Fatal(err)
		}
	}
	materializeMonth()
	s.decode(s.plan("PUT", "/api/v1/rules/"+withdrawn.ID, s.rule(merge(evening, map[string]any{"active": false}))), http.StatusOK, nil)
	materializeMonth()
	monthQuery := "&from=" + day(1) + "&to=" + m.AddDate(0, 1, 0).Format(time.DateOnly)
	for station, want := range map[string]int{"DT-TK": 6, "LOA-20359": 6, "DT-HA": 8, "BQN": 2} {
		if got := s.airings("station=" + station + monthQuery); len(got) != want {
			t.Fatalf("%s has %d airings last month, want %d", station, len(got), want)
		}
	}
	if got := s.airings("station=DT-HA&status=cancelled" + monthQuery); len(got) != 2 {
		t.Fatalf("the withdrawn evening airings: %+v", got)
	}

	tk, loaToken, ha := s.stationToken("DT-TK"), s.stationToken("LOA-20359"), s.stationToken("DT-HA")
	on := func(station string, d int) airing {
		list := s.airings("station=" + station + "&from=" + day(d) + "&to=" + day(d+1))
		if len(list) == 0 {
			t.Fatalf("%s has nothing on %s", station, day(d))
		}
		return list[0]
	}
	// Tam Kỳ pulled days 1–3, Hội An days 1–6 (the withdrawn evening airings are
	// not in its feed), Tam Thanh nothing.
	if f, _ := s.feed(tk, "from="+day(1)+"&to="+day(4)); len(f.Items) != 3 {
		t.Errorf("Tam Kỳ pulled %d items", len(f.Items))
	}
	if f, _ := s.feed(ha, "from="+day(1)+"&to="+day(7)); len(f.Items) != 6 {
		t.Errorf("Hội An pulled %d items", len(f.Items))
	}
	var sum batchSummary
	s.decode(s.confirmBatch(tk, []map[string]string{
		{"clientId": "1", "airingId": on("DT-TK", 1).ID, "status": "aired", "at": on("DT-TK", 1).Start},
		{"clientId": "2", "airingId": on("DT-TK", 2).ID, "status": "aired", "at": on("DT-TK", 2).Start},
		{"clientId": "3", "airingId": on("DT-TK", 3).ID, "status": "missed", "at": on("DT-TK", 3).Start},
	}), http.StatusOK, &sum)
	if sum.Recorded != 3 {
		t.Fatalf("Tam Kỳ's batch: %+v", sum)
	}
	for d, status := range map[int]string{1: "aired", 2: "missed", 4: "missed"} {
		s.decode(s.confirm(loaToken, on("LOA-20359", d).ID, confirmation(status, on("LOA-20359", d).Start, "")), http.StatusOK, nil)
	}
	// The grace period over, the rest is unconfirmed; then Tam Kỳ's day 5 arrives.
	if n, err := s.scheduler.MarkUnconfirmed(ctx, s.clock.now()); err != nil || n != 12 {
		t.Errorf("MarkUnconfirmed marked %d (%v), want 12: Tam Kỳ 4–6, Tam Thanh 3, 5, 6, Hội An 1–6", n, err)
	}
	s.decode(s.confirm(tk, on("DT-TK", 5).ID, confirmation("aired", on("DT-TK", 5).Start, "gửi muộn")), http.StatusOK, nil)

	stations := map[string]tally{
		"DT-TK":     {Planned: 6, Delivered: 3, Aired: 3, Missed: 1, Unconfirmed: 2, Late: 4},
		"LOA-20359": {Planned: 6, Aired: 1, Missed: 2, Unconfirmed: 3, Late: 3},
		"DT-HA":     {Planned: 6, Delivered: 6, Unconfirmed: 6},
		"BQN":       {Planned: 2, NoContent: 2},
	}
	tamKy := tally{Planned: 12, Delivered: 3, Aired: 4, Missed: 3, Unconfirmed: 5, Late: 7}
	hoiAn := stations["DT-HA"]
	province := tally{Planned: 20, Delivered: 9, Aired: 4, Missed: 3, Unconfirmed: 11, NoContent: 2, Late: 7}

	viewer := s.account("xem", "49", "viewer")
	for _, tt := range []struct {
		query     string
		stations  []string
		districts []unitRun
		province  tally
	}{
		{"", []string{"BQN", "DT-HA", "DT-TK", "LOA-20359"},
			[]unitRun{{"502", "Tam Kỳ", tamKy}, {"503", "Hội An", hoiAn}}, province},
		{"&under=502", []string{"DT-TK", "LOA-20359"}, []unitRun{{"502", "Tam Kỳ", tamKy}}, tamKy},
		{"&under=20359", []string{"LOA-20359"}, []unitRun{{"502", "Tam Kỳ", stations["LOA-20359"]}}, stations["LOA-20359"]},
	} {
		var r asRun
		s.decode(s.call("GET", "/api/v1/campaigns/"+s.campaign+"/asrun?month="+month+tt.query, "", "", viewer), http.StatusOK, &r)
		var codes []string
		for _, st := range r.Stations {
			codes = append(codes, st.Station)
			if st.tally != stations[st.Station] {
				t.Errorf("%s %s: %+v, want %+v", tt.query, st.Station, st.tally, stations[st.Station])
			}
		}
		slices.Sort(codes)
		if r.Month != month || r.Campaign != s.campaign || !slices.Equal(codes, tt.stations) {
			t.Errorf("as-run%s: month %s, campaign %s, stations %v; want %v", tt.query, r.Month, r.Campaign, codes, tt.stations)
		}
		if !slices.Equal(r.Districts, tt.districts) {
			t.Errorf("as-run%s: districts %+v, want %+v", tt.query, r.Districts, tt.districts)
		}
		if r.Province != (unitRun{"49", "Quảng Nam", tt.province}) {
			t.Errorf("as-run%s: province %+v, want %+v", tt.query, r.Province, tt.province)
		}
	}
	// The aired broadcasts counted as reach, each once.
	if n := s.reachCount(); n != 4 {
		t.Errorf("%d reach records, want 4 aired broadcasts", n)
	}

	// One station's month, and a month with nothing.
	var one struct {
		Month   string
		Station stationRun
	}
	s.decode(s.plan("GET", "/api/v1/stations/DT-TK/asrun?month="+month, ""), http.StatusOK, &one)
	if one.Month != month || one.Station.Station != "DT-TK" || one.Station.OrgUnit != "502" || one.Station.tally != stations["DT-TK"] {
		t.Errorf("DT-TK's month: %+v", one)
	}
	thisMonth := now.Format("2006-01")
	s.decode(s.do("GET", "/api/v1/stations/DT-TK/asrun?month="+thisMonth, ""), http.StatusOK, &one)
	if one.Month != thisMonth || one.Station.tally != (tally{}) {
		t.Errorf("DT-TK's month without airings: %+v", one)
	}
	var none asRun
	s.decode(s.do("GET", "/api/v1/campaigns/"+s.campaign+"/asrun?month="+thisMonth, ""), http.StatusOK, &none)
	if len(none.Stations) != 0 || len(none.Districts) != 0 || none.Province != (unitRun{}) {
		t.Errorf("a month without airings: %+v", none)
	}

	before := s.snapshot()
	s.wantError(s.do("GET", "/api/v1/stations/DT-TK/asrun?month=2026-13", ""), http.StatusBadRequest, "invalid", "month")
	s.wantError(s.do("GET", "/api/v1/campaigns/"+s.campaign+"/asrun?month=March", ""), http.StatusBadRequest, "invalid", "month")
	s.wantError(s.do("GET", "/api/v1/campaigns/"+s.campaign+"/asrun?under=99999", ""), http.StatusBadRequest, "invalid", "under")
	s.wantError(s.do("GET", "/api/v1/stations/NOPE/asrun", ""), http.StatusNotFound, "not_found", "")
	s.wantError(s.do("GET", "/api/v1/campaigns/NOPE/asrun", ""), http.StatusNotFound, "not_found", "")
	s.wantError(s.call("GET", "/api/v1/stations/DT-TK/asrun", "", "", tk), http.StatusForbidden, "forbidden", "")
	s.unchangedSince(before)
}
