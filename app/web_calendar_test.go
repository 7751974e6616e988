package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
)

// calendarDistrict is the demo district whose stations get a schedule running now
// (the demo campaign's airings are in 2024): Điện Bàn's 21 stations.
const (
	calendarDistrict = "507"
	calendarStation  = "DTT-507"
	calendarCampaign = "LICH-NAY"
)

// callAPI sends a JSON request with a bearer token and decodes the answer into out.
func callAPI(tb testing.TB, base, method, path, token string, in any, want int, out any) {
	tb.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		tb.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			tb.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// scheduleNow gives the demo district calendarDistrict airings from yesterday on,
// through the API as its users would: the admin creates a campaign running this
// year and next, a planner and an approver; the demo's approved Vietnamese radio
// scripts (valid in 2024 only) are copied into it and approved; the planner adds
// a rule of two 5-minute slots a day (06:30 and 17:30) on every station of the
// district (one for its radio station, one for its communes' loudspeakers); the admin runs the materialisation. It returns the planner's token.
func scheduleNow(tb testing.TB, base, adminPassword string) string {
	tb.Helper()
	admin := login(tb, base, "admin", adminPassword)
	now := time.Now()
	callAPI(tb, base, "POST", "/api/v1/campaigns", admin, map[string]any{
		"code": calendarCampaign, "title": "Tuyên truyền phòng, chống mại dâm năm nay",
		"period":     map[string]string{"start": fmt.Sprintf("%d-01-01", now.Year()), "end": fmt.Sprintf("%d-12-31", now.Year()+1)},
		"legalBasis": "Kế hoạch số 2/KH-UBND", "ownerAgency": "UBND tỉnh Quảng Nam", "secretariat": "Sở Y tế",
		"description": "Lịch phát của năm nay.",
	}, http.StatusCreated, nil)
	for _, u := range []struct{ name, role string }{{"lich.planner", "planner"}, {"lich.approver", "approver"}} {
		callAPI(tb, base, "POST", "/api/v1/users", admin, map[string]any{"username": u.name, "displayName": u.name,
			"roles": []string{u.role}, "scope": "49", "active": true, "password": adminPassword}, http.StatusCreated, nil)
	}
	planner, approver := login(tb, base, "lich.planner", adminPassword), login(tb, base, "lich.approver", adminPassword)
	var demo struct {
		Items []struct {
			Title, Body, Language string
			Groups, Tags          []string
			SlotSeconds           int
		}
	}
	callAPI(tb, base, "GET", "/api/v1/contents?kind=radio_script&language=vi&status=approved", admin, nil, http.StatusOK, &demo)
	for _, it := range demo.Items {
		var made struct{ ID string }
		callAPI(tb, base, "POST", "/api/v1/contents", admin, map[string]any{"kind": "radio_script", "title": it.Title, "body": it.Body,
			"groups": it.Groups, "language": it.Language, "tags": it.Tags, "campaigns": []string{calendarCampaign},
			"slotSeconds": it.SlotSeconds}, http.StatusCreated, &made)
		callAPI(tb, base, "POST", "/api/v1/contents/"+made.ID+"/submit", admin, nil, http.StatusOK, nil)
		callAPI(tb, base, "POST", "/api/v1/contents/"+made.ID+"/approve", approver, nil, http.StatusOK, nil)
	}
	for _, channel := range []string{"district_station", "commune_loudspeaker"} {
		callAPI(tb, base, "POST", "/api/v1/rules", planner, map[string]any{"campaign": calendarCampaign,
			"title": "Điện Bàn, sáng và chiều mỗi ngày (" + channel + ")", "stations": map[string]string{"channel": channel, "under": calendarDistrict},
			"rrule": "FREQ=DAILY;BYHOUR=6,17;BYMINUTE=30", "startDate": now.AddDate(0, 0, -1).Format(time.DateOnly),
			"until": fmt.Sprintf("%d-12-31", now.Year()+1), "durationSeconds": 300, "pool": map[string]any{"campaign": calendarCampaign}},
			http.StatusCreated, nil)
	}
	var run struct{ Error string }
	callAPI(tb, base, "POST", "/api/v1/jobs/materialize/run", admin, nil, http.StatusOK, &run)
	if run.Error != "" {
		tb.Fatalf("materialize: %s", run.Error)
	}
	return planner
}

// apiAiring is an airing as the API shows it.
type apiAiring struct {
	ID, Station, Status, Content, Note string
	Start                              time.Time
	Rev                                int
}

// airingsOf lists a station's airings starting in [from, from+days).
func airingsOf(t *testing.T, base, token, station string, from time.Time, days int) []apiAiring {
	t.Helper()
	var page struct{ Items []apiAiring }
	callAPI(t, base, "GET", "/api/v1/airings?limit=200&station="+station+"&from="+from.Format(time.DateOnly)+
		"&to="+from.AddDate(0, 0, days).Format(time.DateOnly), token, nil, http.StatusOK, &page)
	return page.Items
}

func airingOf(t *testing.T, base, token, id string) apiAiring {
	t.Helper()
	var a apiAiring
	callAPI(t, base, "GET", "/api/v1/airings/"+url.PathEscape(id), token, nil, http.StatusOK, &a)
	return a
}

// TestCalendarPages: the month of a district and the week of a station show every
// airing with its time, title and status; a month or date it cannot read is said
// beside its field; another district's account sees only its own.
func TestCalendarPages(t *testing.T) {
	s := newSite(t)
	token := scheduleNow(t, s.base, testPassword)
	planner := s.signIn("lich.planner", testPassword)
	week := time.Now().AddDate(0, 0, 7)
	as := airingsOf(t, s.base, token, calendarStation, week, 7)
	if len(as) != 14 {
		t.Fatalf("%s has %d airings in the week from %s, want 14", calendarStation, len(as), week.Format(time.DateOnly))
	}

	status, page := planner.get("/calendar?by=district&district=" + calendarDistrict + "&month=" + week.Format("2006-01"))
	if status != http.StatusOK || !strings.Contains(page, "Điện Bàn") || !strings.Contains(page, "06:30") ||
		!strings.Contains(page, "17:30") || !strings.Contains(page, "Đã lên lịch") || !strings.Contains(page, "Phát thanh:") {
		t.Errorf("district month: %d\n%.3000s", status, page)
	}
	if !strings.Contains(page, `href="/calendar/airings/`+as[0].ID+`"`) {
		t.Errorf("district month does not link airing %s", as[0].ID)
	}

	status, page = planner.get("/calendar?by=station&station=" + calendarStation + "&view=week&date=" + week.Format(time.DateOnly))
	if status != http.StatusOK || strings.Count(page, `href="/calendar/airings/`) != 14 {
		t.Errorf("station week: %d, %d airings, want 14\n%.2000s", status, strings.Count(page, `href="/calendar/airings/`), page)
	}
	year, w := week.ISOWeek()
	status, same := planner.get(fmt.Sprintf("/calendar?by=station&station=%s&week=%d-W%02d", calendarStation, year, w))
	if status != http.StatusOK || strings.Count(same, `href="/calendar/airings/`) != 14 {
		t.Errorf("station week by ISO week: %d", status)
	}

	for _, tt := range []struct{ query, want string }{
		{"month=2024-13", "Tháng không hợp lệ"},
		{"view=week&date=31/02/2024", "Ngày không hợp lệ"},
		{"week=2024-W60", "Tuần không hợp lệ"},
	} {
		status, page := planner.get("/calendar?" + tt.query)
		if status != http.StatusBadRequest || !strings.Contains(page, tt.want) {
			t.Errorf("/calendar?%s: %d, want 400 with %q", tt.query, status, tt.want)
		}
	}

	other := s.account("hoi.an", []string{"planner"}, "503")
	if status, page := other.get("/calendar?by=district&district=" + calendarDistrict); status != http.StatusForbidden || !strings.Contains(page, "Ngoài phạm vi") {
		t.Errorf("another district's calendar: %d, want 403", status)
	}
	if status, _ := other.get("/calendar/airings/" + as[0].ID); status != http.StatusForbidden {
		t.Errorf("another district's airing: %d, want 403", status)
	}
	if status, page := other.get("/calendar"); status != http.StatusOK || !strings.Contains(page, "Hội An") || strings.Contains(page, "Điện Bàn") {
		t.Errorf("a district account's calendar: %d, want its own district only", status)
	}
	if status, page := other.get("/stations"); status != http.StatusOK || strings.Contains(page, calendarStation) || !strings.Contains(page, "DTT-503") {
		t.Errorf("a district account's stations: %d, want its own only", status)
	}
}

// TestCalendarAiringForms: moving, refilling and cancelling an airing from its page;
// every bad input is refused beside its field with the values kept and nothing
// written; without the permission or the CSRF token, the 403 page.
func TestCalendarAiringForms(t *testing.T) {
	s := newSite(t)
	token := scheduleNow(t, s.base, testPassword)
	planner := s.signIn("lich.planner", testPassword)
	day := time.Now().AddDate(0, 0, 3)
	as := airingsOf(t, s.base, token, calendarStation, day, 1)
	if len(as) != 2 {
		t.Fatalf("%d airings on %s, want 2", len(as), day.Format(time.DateOnly))
	}
	a, b := as[0], as[1]
	path := "/calendar/airings/" + a.ID

	status, page := planner.get(path)
	if status != http.StatusOK || !strings.Contains(page, "Dời buổi phát") || !strings.Contains(page, `<pre class="script">`) ||
		!strings.Contains(page, `value="06:30"`) {
		t.Fatalf("airing page: %d\n%.3000s", status, page)
	}

	admin := login(t, s.base, "admin", testPassword)
	var draft struct{ ID string }
	callAPI(t, s.base, "POST", "/api/v1/contents", admin, map[string]any{"kind": "radio_script", "title": "Bản nháp chưa duyệt",
		"body": "Nội dung chưa duyệt.", "groups": []string{"general_public"}, "language": "vi"}, http.StatusCreated, &draft)
	date := day.Format(time.DateOnly)
	tests := []struct {
		name, action string
		form         url.Values
		status       int
		want, kept   string
	}{
		{"impossible date", "move", url.Values{"date": {"31/02/2026"}, "time": {"07:15"}}, 422, "Chọn một ngày hợp lệ", `value="31/02/2026"`},
		{"bad time", "move", url.Values{"date": {date}, "time": {"25:70"}}, 422, "Nhập giờ dạng 06:30", `value="25:70"`},
		{"no time", "move", url.Values{"date": {date}}, 422, "Nhập giờ dạng 06:30", `value="` + date + `"`},
		{"in the past", "move", url.Values{"date": {time.Now().AddDate(0, 0, -2).Format(time.DateOnly)}, "time": {"07:15"}}, 422,
			"Giờ phát mới phải ở tương lai.", `value="07:15"`},
		{"onto another airing", "move", url.Values{"date": {date}, "time": {"17:32"}}, 422, "đã có một buổi phát khác", `value="17:32"`},
		{"no content chosen", "content", url.Values{"content": {""}}, 422, "Chọn một nội dung đã duyệt.", ""},
		{"content not approved", "content", url.Values{"content": {draft.ID}}, 422, "chưa có bản đã duyệt còn hiệu lực", ""},
		{"unknown content", "content", url.Values{"content": {"khong-co"}}, 422, "chưa có bản đã duyệt còn hiệu lực", ""},
		{"reason too long", "cancel", url.Values{"reason": {strings.Repeat("dài ", 300)}}, 422, "Tối đa 1000 ký tự.", "dài dài"},
		{"restore a planned airing", "restore", url.Values{}, 422, "Chỉ buổi phát đã huỷ mới lên lịch lại được.", ""},
		{"no CSRF token", "move", url.Values{"csrf_token": {""}, "date": {date}, "time": {"07:15"}}, 403, "Phiên làm việc không hợp lệ", ""},
		{"no CSRF token on cancel", "cancel", url.Values{"csrf_token": {""}, "reason": {"x"}}, 403, "Phiên làm việc không hợp lệ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, page := planner.post(path+"/"+tt.action, tt.form)
			if status != tt.status || !strings.Contains(page, tt.want) || !strings.Contains(page, tt.kept) {
				t.Errorf("%s %v: %d, want %d with %q and %q\n%.4000s", tt.action, tt.form, status, tt.status, tt.want, tt.kept, page)
			}
			if tt.status == 422 && !strings.Contains(page, `class="field-error"`) && !strings.Contains(page, `class="error"`) {
				t.Errorf("%s: no message beside the field", tt.name)
			}
			if got := airingOf(t, s.base, token, a.ID); got.Rev != a.Rev || !got.Start.Equal(a.Start) || got.Status != a.Status {
				t.Errorf("%s wrote the airing: %+v, was %+v", tt.name, got, a)
			}
		})
	}

	viewer := s.account("xem.lich", []string{"viewer"}, "49")
	if status, page := viewer.post(path+"/move", url.Values{"date": {date}, "time": {"07:15"}}); status != http.StatusForbidden ||
		!strings.Contains(page, "Không có quyền truy cập") {
		t.Errorf("move by a viewer: %d, want the 403 page", status)
	}
	if _, page := viewer.get(path); strings.Contains(page, "Dời buổi phát") {
		t.Error("a viewer sees the forms to change an airing")
	}
	if got := airingOf(t, s.base, token, a.ID); got.Rev != a.Rev {
		t.Errorf("the viewer's move wrote the airing")
	}

	status, _, loc := planner.postLocation(path+"/move", url.Values{"date": {day.Format("02/01/2006")}, "time": {"07:15"}})
	if want := "/calendar?by=station&date=" + date + "&station=" + calendarStation + "&view=week"; status != http.StatusSeeOther || loc != want {
		t.Errorf("move: %d to %q, want 303 to %q", status, loc, want)
	}
	if got := airingOf(t, s.base, token, a.ID); got.Start.Format("15:04") != "07:15" {
		t.Errorf("moved airing starts %s, want 07:15", got.Start)
	}
	var items struct{ Items []struct{ ID, Title string } }
	callAPI(t, s.base, "GET", "/api/v1/contents?campaign="+calendarCampaign+"&status=approved", admin, nil, http.StatusOK, &items)
	other := items.Items[len(items.Items)-1].ID
	if b.Content == other {
		other = items.Items[0].ID
	}
	if status, _ := planner.post("/calendar/airings/"+b.ID+"/content", url.Values{"content": {other}}); status != http.StatusSeeOther {
		t.Errorf("give other content: %d, want 303", status)
	}
	if got := airingOf(t, s.base, token, b.ID); got.Content != other {
		t.Errorf("airing content %s, want %s", got.Content, other)
	}
	if status, _ := planner.post("/calendar/airings/"+b.ID+"/cancel", url.Values{"reason": {"Trùng họp dân"}}); status != http.StatusSeeOther {
		t.Errorf("cancel: %d, want 303", status)
	}
	if got := airingOf(t, s.base, token, b.ID); got.Status != "cancelled" || got.Note != "Trùng họp dân" {
		t.Errorf("cancelled airing: %s, note %q", got.Status, got.Note)
	}
	if status, _ := planner.post("/calendar/airings/"+b.ID+"/restore", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("restore: %d, want 303", status)
	}
	if got := airingOf(t, s.base, token, b.ID); got.Status != "planned" {
		t.Errorf("restored airing: %s, want planned", got.Status)
	}
}

// TestCalendarPress: the press calendar shows the twelve months of the campaign's
// year with the monthly verdict and the items.
func TestCalendarPress(t *testing.T) {
	s := newSite(t)
	status, page := s.admin().get("/calendar/press?campaign=PCMD-2024&year=2024")
	if status != http.StatusOK || strings.Count(page, `<th scope="row">`) != 12 || !strings.Contains(page, "01/2024") ||
		!strings.Contains(page, "12/2024") || !strings.Contains(page, "/12 tháng") || !strings.Contains(page, "mỗi tháng ít nhất một bài") {
		t.Errorf("press calendar: %d\n%.3000s", status, page)
	}
}

// TestStationPages: the list filters and pages; a station's page shows its week
// and its month's as-run; issuing a token shows it once, and is refused without
// the permission or the CSRF token, issuing nothing.
func TestStationPages(t *testing.T) {
	s := newSite(t)
	scheduleNow(t, s.base, testPassword)
	planner := s.signIn("lich.planner", testPassword)
	admin := login(t, s.base, "admin", testPassword)

	// Today, six of Điện Bàn's 20 commune codes name communes of Đà Nẵng (20551
	// Vĩnh Điện is phường Điện Bàn): their loudspeakers lie there, the other 15
	// stations still in the district as it was last.
	status, page := planner.get("/stations?district=" + calendarDistrict)
	if status != http.StatusOK || !strings.Contains(page, calendarStation) || strings.Contains(page, "DTT-503") || !strings.Contains(page, "15 đài") {
		t.Errorf("stations of a district: %d\n%.2000s", status, page)
	}
	status, page = planner.get("/stations?channel=district_station&q=dien+ban")
	if status != http.StatusOK || !strings.Contains(page, calendarStation) || !strings.Contains(page, "1 đài") {
		t.Errorf("stations by channel and name: %d", status)
	}
	_, page = planner.get("/stations")
	next := between(page, `<a href="/stations?after=`, `"`)
	if next == "" || strings.Count(page, `<a href="/stations/`) != 50 {
		t.Fatalf("first page of stations: %d rows, next %q", strings.Count(page, `<a href="/stations/`), next)
	}
	if _, second := planner.get("/stations?after=" + next); strings.Contains(second, `href="/stations/`+next+`"`) || !strings.Contains(second, "Trang đầu") {
		t.Errorf("the second page repeats the last station of the first")
	}

	status, page = planner.get("/stations/" + calendarStation + "?date=" + time.Now().AddDate(0, 0, 7).Format(time.DateOnly))
	if status != http.StatusOK || strings.Count(page, `href="/calendar/airings/`) != 14 || !strings.Contains(page, "Đối chiếu tháng") ||
		!strings.Contains(page, "Cấp mã cho đài") {
		t.Errorf("station page: %d\n%.3000s", status, page)
	}

	stationUser := "/api/v1/users/station-" + strings.ToLower(calendarStation)
	viewer := s.account("xem.dai", []string{"viewer"}, "49")
	if _, page := viewer.get("/stations/" + calendarStation); strings.Contains(page, "Cấp mã cho đài") || !strings.Contains(page, "Đối chiếu tháng") {
		t.Error("a viewer sees the token form, or not the as-run")
	}
	if status, page := viewer.post("/stations/"+calendarStation+"/token", url.Values{}); status != http.StatusForbidden || !strings.Contains(page, "Không có quyền truy cập") {
		t.Errorf("token by a viewer: %d, want the 403 page", status)
	}
	if status, _ := planner.post("/stations/"+calendarStation+"/token", url.Values{"csrf_token": {""}}); status != http.StatusForbidden {
		t.Errorf("token without CSRF: %d, want 403", status)
	}
	callAPI(t, s.base, "GET", stationUser, admin, nil, http.StatusNotFound, nil)

	status, page = planner.post("/stations/"+calendarStation+"/token", url.Values{})
	secret := between(page, `<code class="copy">`, `</code>`)
	if status != http.StatusCreated || secret == "" {
		t.Fatalf("token: %d, secret %q", status, secret)
	}
	var feed struct{ Items []json.RawMessage }
	callAPI(t, s.base, "GET", "/api/v1/station/schedule", secret, nil, http.StatusOK, &feed)
	if len(feed.Items) == 0 {
		t.Error("the new token pulls an empty schedule")
	}
	if _, again := planner.get("/stations/" + calendarStation); strings.Contains(again, secret) {
		t.Error("the token is shown again")
	}
}

// TestCalendarMoveOnAPhone: at 360 px, a planner opens a station's week, opens an
// airing, moves it to another time and finds it there in the week.
func TestCalendarMoveOnAPhone(t *testing.T) {
	s := newSite(t)
	scheduleNow(t, s.base, testPassword)
	ctx := s.browser(360)
	s.browserSignIn(ctx, "lich.planner", testPassword)
	week := time.Now().AddDate(0, 0, 7).Format(time.DateOnly)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/calendar?by=station&station="+calendarStation+"&view=week&date="+week),
		chromedp.WaitVisible(".calendar .day li a"), chromedp.Click(".calendar .day li a"),
		chromedp.WaitVisible("#time"), chromedp.SetValue("#time", "08:45"), chromedp.Click("#move ~ form button[type=submit]"),
		chromedp.WaitVisible(".flash")); err != nil {
		t.Fatal(err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(".flash"))
	if err != nil || !strings.Contains(flash, "08:45") {
		t.Errorf("after the move: %q, %v", flash, err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(".calendar .day li"))
	if err != nil || !strings.Contains(first, "08:45") || !strings.Contains(first, "đã dời giờ") {
		t.Errorf("the week's first airing reads %q (%v), want it at 08:45, moved", first, err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil || width > 360 {
		t.Errorf("the week is %d px wide on a 360 px phone (%v)", width, err)
	}
}

// BenchmarkCalendarDistrictMonth measures the page of a district's month (DESIGN
// §10: under 100 ms on the server): the 21 stations of Điện Bàn with two airings a
// day each from yesterday through the 35-day horizon (scheduleNow), this month,
// one request at a time as the planner, after one request to warm the caches:
//   - loa: GET /calendar?by=district&district=507&month=…;
//   - bare-gin: a bare gin handler answering the same bytes.
func BenchmarkCalendarDistrictMonth(b *testing.B) {
	l := startLoa(b, b.TempDir())
	b.Cleanup(func() { l.stop(b) })
	l.waitReady(b)
	planner := scheduleNow(b, l.URL, benchPassword)
	path := "/calendar?by=district&district=" + calendarDistrict + "&month=" + time.Now().Format("2006-01")
	session := http.Header{"Cookie": {"loa_session=" + planner}}
	req, err := http.NewRequest(http.MethodGet, l.URL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header = session.Clone()
	start := time.Now()
	resp, err := l.Client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d, %v", path, resp.StatusCode, err)
	}
	b.Logf("first GET %s: %d airings, %d bytes in %v", path, strings.Count(string(page), `href="/calendar/airings/`), len(page),
		time.Since(start).Round(time.Millisecond))
	bare, stopBare := startBareHandler(b, path, func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", page) })
	b.Cleanup(stopBare)
	bareClient := loadClient()
	defer bareClient.CloseIdleConnections()
	b.Run("loa", func(b *testing.B) {
		sequentialRequests(b, l.Client, l.URL+path, session, http.StatusOK, -1)
	})
	b.Run("bare-gin", func(b *testing.B) {
		sequentialRequests(b, bareClient, bare+path, http.Header{}, http.StatusOK, len(page))
	})
}
