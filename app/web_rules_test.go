package main

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// weeklyRule is a valid rule form: the commune loudspeakers of Tây Giang (504),
// Monday and Thursday at 06:30, from today.
func weeklyRule(title string) url.Values {
	return url.Values{"campaign": {"PCMD-2024"}, "title": {title}, "channel": {"commune_loudspeaker"}, "under": {"504"},
		"freq": {"weekly"}, "days": {"MO", "TH"}, "time": {"06:30"}, "interval": {"1"}, "nth": {"1"}, "weekday": {"MO"},
		"startDate": {time.Now().Format(time.DateOnly)}, "duration": {"5"}, "priority": {"0"}}
}

// ruleCount counts the rules through the API.
func ruleCount(t *testing.T, s *site) int {
	t.Helper()
	var list struct{ Total int }
	if status := get(t, s.base+"/api/v1/rules", login(t, s.base, "admin", testPassword), &list); status != http.StatusOK {
		t.Fatalf("listing rules: %d", status)
	}
	return list.Total
}

var (
	fieldError = regexp.MustCompile(`^<span class="field-error" role="alert">([^<]*)</span>`)
	fieldName  = regexp.MustCompile(`name="[^"]+"`)
)

// besideField is the error message shown beside a field of the rule form: the
// first one after its (last) input, with no other field between them.
func besideField(page, field string) string {
	name := `name="` + field + `"`
	at := strings.LastIndex(page, name)
	if at < 0 {
		return ""
	}
	rest := page[at+len(name):]
	i := strings.Index(rest, `<span class="field-error"`)
	if i < 0 || fieldName.MatchString(rest[:i]) {
		return ""
	}
	m := fieldError.FindStringSubmatch(rest[i:])
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestRuleFormRefusals: every bad input of the rule form is refused beside its
// field with the values kept, and writes no rule; a form without the CSRF token,
// and a viewer or an approver posting, get a 403 page.
func TestRuleFormRefusals(t *testing.T) {
	s := newSite(t)
	planner := s.account("planner1", []string{"planner"}, "49")
	before := ruleCount(t, s)
	const title = "Loa xã Tây Giang, thử"
	tests := []struct {
		name   string
		change func(url.Values)
		field  string
		want   string
		kept   string // a value the form shows again, besides the title
	}{
		{"no station and no channel", func(f url.Values) { f.Del("channel") }, "channel",
			"Chọn kênh và địa bàn, hoặc nhập mã đài.", `value="504" selected`},
		{"unknown station", func(f url.Values) { f.Set("stations", "LOA-20437, LOA-99999") }, "stations",
			"Không có đài mã LOA-99999.", "LOA-20437, LOA-99999"},
		{"bad time", func(f url.Values) { f.Set("time", "25:00") }, "time",
			"Nhập giờ từ 00:00 đến 23:59, ví dụ 06:30.", `value="25:00"`},
		{"no day of the week", func(f url.Values) { f.Del("days") }, "days",
			"Chọn ít nhất một thứ trong tuần.", `value="06:30"`},
		{"interval 0", func(f url.Values) { f.Set("interval", "0") }, "interval",
			"Lặp lại sau 1 đến 52 ngày, tuần hoặc tháng.", `value="0"`},
		{"fifth weekday of the month", func(f url.Values) { f.Set("freq", "monthly"); f.Set("nth", "5") }, "nth",
			"Chọn tuần thứ 1 đến 4, hoặc cuối cùng của tháng.", `value="monthly" checked`},
		{"end before start", func(f url.Values) { f.Set("startDate", "2027-03-01"); f.Set("until", "2027-02-28") }, "until",
			"Ngày kết thúc phải từ ngày bắt đầu trở về sau.", `value="2027-02-28"`},
		{"not a date", func(f url.Values) { f.Set("until", "31/02/2027") }, "until",
			"Chọn ngày kết thúc hợp lệ (dd/mm/yyyy), hoặc để trống.", `value="31/02/2027"`},
		{"unknown group", func(f url.Values) { f["groups"] = []string{"students", "tourists"} }, "groups",
			"Không có nhóm đối tượng «tourists».", `value="students" checked`},
		{"duration not a number", func(f url.Values) { f.Set("duration", "năm") }, "duration",
			"Nhập số phút, ví dụ 5 hoặc 2,5.", `value="năm"`},
		{"duration over 4 hours", func(f url.Values) { f.Set("duration", "241") }, "duration",
			"Thời lượng từ 1 giây đến 4 giờ.", `value="241"`},
		{"typed RRULE that does not parse", func(f url.Values) { f.Set("freq", "advanced"); f.Set("rrule", "FREQ=FORTNIGHTLY;BYDAY=TU") }, "rrule",
			"RRULE không hợp lệ; ví dụ FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30.", `value="FREQ=FORTNIGHTLY;BYDAY=TU"`},
		{"typed cron that does not parse", func(f url.Values) { f.Set("freq", "advanced"); f.Set("cron", "61 6 * * 2") }, "cron",
			"Cron không hợp lệ; cần năm trường: phút giờ ngày tháng thứ, ví dụ \"30 6 * * 2,5\".", `value="61 6 * * 2"`},
		{"priority out of range", func(f url.Values) { f.Set("priority", "5000") }, "priority",
			"Nhập một số nguyên từ -1000 đến 1000.", `value="5000"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := weeklyRule(title)
			tt.change(form)
			status, page := planner.post("/rules", form)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("POST /rules: %d, want 422", status)
			}
			if got := besideField(page, tt.field); got != tt.want {
				t.Errorf("beside %s: %q, want %q", tt.field, got, tt.want)
			}
			page = html.UnescapeString(page)
			if !strings.Contains(page, `value="`+title+`"`) || !strings.Contains(page, tt.kept) {
				t.Errorf("the values entered are not kept (title, %s)", tt.kept)
			}
			if n := ruleCount(t, s); n != before {
				t.Errorf("%d rules after a refused form, want %d", n, before)
			}
		})
	}

	t.Run("no CSRF token", func(t *testing.T) {
		form := weeklyRule(title)
		form.Set("csrf_token", "")
		status, page := planner.post("/rules", form)
		if status != http.StatusForbidden || !strings.Contains(page, "Phiên làm việc không hợp lệ") {
			t.Errorf("POST /rules without the CSRF token: %d", status)
		}
	})
	for _, role := range []string{"viewer", "approver"} {
		t.Run(role, func(t *testing.T) {
			p := s.account(role+"1", []string{role}, "49")
			for _, path := range []string{"/rules", "/rules/preview"} {
				status, page := p.post(path, weeklyRule(title))
				if status != http.StatusForbidden || !strings.Contains(page, "Không có quyền truy cập") {
					t.Errorf("%s posting %s: %d, want the 403 page", role, path, status)
				}
			}
			if status, _ := p.get("/rules/new"); status != http.StatusForbidden {
				t.Errorf("%s opening /rules/new: %d, want 403", role, status)
			}
			status, page := p.get("/rules")
			if status != http.StatusOK || strings.Contains(page, `href="/rules/new"`) {
				t.Errorf("%s reading /rules: %d, or offered a new rule", role, status)
			}
		})
	}
	if n := ruleCount(t, s); n != before {
		t.Errorf("%d rules at the end, want %d", n, before)
	}
}

// TestRulePreviewAndSave: the preview lists the next occurrences in local time
// and the stations picked, with and without htmx, and writes nothing; saving
// creates the rule, whose page says when it repeats; a change is refused beside
// its field or saved; a rule is switched off.
func TestRulePreviewAndSave(t *testing.T) {
	s := newSite(t)
	planner := s.account("planner1", []string{"planner"}, "49")
	token := login(t, s.base, "admin", testPassword)
	var stations struct{ Items []struct{ Code string } }
	if status := get(t, s.base+"/api/v1/stations?channel=commune_loudspeaker&under=504", token, &stations); status != http.StatusOK || len(stations.Items) == 0 {
		t.Fatalf("stations of Tây Giang: %d, %d", status, len(stations.Items))
	}
	before := ruleCount(t, s)

	req, _ := http.NewRequest(http.MethodPost, s.base+"/rules/preview", strings.NewReader(weeklyRule("Thử").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", planner.csrf)
	resp, err := planner.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	fragment := string(body)
	if resp.StatusCode != http.StatusOK || strings.Contains(fragment, "<html") {
		t.Fatalf("htmx preview: %d, a fragment? %t", resp.StatusCode, !strings.Contains(fragment, "<html"))
	}
	occurrences := regexp.MustCompile(`<li>(Thứ \S+) (\d\d/\d\d/\d{4}), <time>(\d\d:\d\d)–(\d\d:\d\d)</time></li>`).FindAllStringSubmatch(fragment, -1)
	if len(occurrences) != 10 {
		t.Fatalf("preview lists %d occurrences, want 10:\n%s", len(occurrences), fragment)
	}
	for _, o := range occurrences {
		if (o[1] != "Thứ Hai" && o[1] != "Thứ Năm") || o[3] != "06:30" || o[4] != "06:35" {
			t.Errorf("occurrence %q, want Monday or Thursday 06:30–06:35 in Asia/Ho_Chi_Minh", o[0])
		}
	}
	if !strings.Contains(fragment, "Đài được chọn: "+strconv.Itoa(len(stations.Items))) || !strings.Contains(fragment, stations.Items[0].Code) {
		t.Errorf("the preview does not list the %d stations picked (%s…)", len(stations.Items), stations.Items[0].Code)
	}

	// Without JavaScript, "Xem trước" shows the whole form with the preview.
	status, page := planner.post("/rules/preview", weeklyRule("Thử"))
	if status != http.StatusOK || !strings.Contains(page, "<h1>Quy tắc lịch khung mới</h1>") || !strings.Contains(page, "Xem trước (chưa lưu)") ||
		!strings.Contains(page, "<time>06:30–06:35</time>") || !strings.Contains(page, `value="Thử"`) {
		t.Errorf("the preview without htmx: %d", status)
	}
	if n := ruleCount(t, s); n != before {
		t.Fatalf("%d rules after previews, want %d", n, before)
	}

	status, _, loc := planner.postLocation("/rules", weeklyRule("Loa xã Tây Giang, sáng thứ Hai và thứ Năm"))
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/rules/r") {
		t.Fatalf("saving: %d to %q", status, loc)
	}
	if n := ruleCount(t, s); n != before+1 {
		t.Errorf("%d rules after saving, want %d", n, before+1)
	}
	_, page = planner.get(loc)
	if !strings.Contains(page, "Đã lưu quy tắc") || !strings.Contains(page, "Thứ Hai, Thứ Năm hằng tuần lúc 06:30") ||
		!strings.Contains(page, "Hệ thống loa truyền thanh cấp xã ở huyện Tây Giang") {
		t.Errorf("the rule's page does not say what was saved")
	}
	if !strings.Contains(page, `value="MO" checked`) || !strings.Contains(page, `value="TH" checked`) || strings.Contains(page, `value="TU" checked`) ||
		!strings.Contains(page, `id="time" name="time" type="time" value="06:30"`) || !strings.Contains(page, `value="504" selected`) {
		t.Errorf("the rule's form does not show the saved rule in the simple fields")
	}
	_, page = planner.get("/rules?campaign=PCMD-2024&active=true")
	if !strings.Contains(page, `href="`+loc+`"`) || !strings.Contains(page, "Thứ Hai, Thứ Năm hằng tuần lúc 06:30") {
		t.Errorf("the list does not show the new rule in words")
	}

	// The same slot again, at the same priority, is refused with its overlaps (two
	// a week over the year ahead).
	status, page = planner.post("/rules", weeklyRule("Trùng giờ"))
	if status != http.StatusUnprocessableEntity || !regexp.MustCompile(`Quy tắc trùng giờ 10\d lần với quy tắc khác cùng mức ưu tiên`).MatchString(page) ||
		!strings.Contains(page, "cùng mức ưu tiên</strong>") || !strings.Contains(page, `value="Trùng giờ"`) {
		t.Errorf("an overlap at the same priority: %d", status)
	}
	if n := ruleCount(t, s); n != before+1 {
		t.Errorf("%d rules after a refused overlap, want %d", n, before+1)
	}

	// A change refused beside its field keeps the rule as it was.
	form := weeklyRule("Loa xã Tây Giang, đổi giờ")
	form.Set("time", "7h")
	status, page = planner.post(loc, form)
	if status != http.StatusUnprocessableEntity || besideField(page, "time") != "Nhập giờ từ 00:00 đến 23:59, ví dụ 06:30." || !strings.Contains(page, `value="7h"`) {
		t.Errorf("a bad change: %d, beside time %q", status, besideField(page, "time"))
	}
	var rule struct {
		Title, RRule string
		Version      int
		Active       bool
	}
	id := strings.TrimPrefix(loc, "/rules/")
	get(t, s.base+"/api/v1/rules/"+id, token, &rule)
	if rule.Version != 1 || rule.RRule != "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=6;BYMINUTE=30" {
		t.Errorf("after a refused change: version %d, %q", rule.Version, rule.RRule)
	}
	// Its own occurrences are no conflict when it is changed.
	form.Set("time", "06:30")
	status, page = planner.post(loc+"/preview", form)
	if status != http.StatusOK || !strings.Contains(page, "Không trùng giờ với quy tắc nào khác") || !strings.Contains(page, "<time>06:30–06:35</time>") {
		t.Errorf("previewing a change: %d", status)
	}
	form.Set("time", "07:15")
	if status, _, to := planner.postLocation(loc, form); status != http.StatusSeeOther || to != loc {
		t.Fatalf("saving a change: %d to %q", status, to)
	}
	get(t, s.base+"/api/v1/rules/"+id, token, &rule)
	if rule.Version != 2 || rule.Title != "Loa xã Tây Giang, đổi giờ" || rule.RRule != "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=7;BYMINUTE=15" {
		t.Errorf("after the change: %+v", rule)
	}

	if status, _, to := planner.postLocation(loc+"/active", url.Values{"active": {"false"}}); status != http.StatusSeeOther || to != loc {
		t.Fatalf("switching the rule off: %d to %q", status, to)
	}
	get(t, s.base+"/api/v1/rules/"+id, token, &rule)
	if rule.Active {
		t.Error("the rule is still active")
	}
	if _, page = planner.get(loc); !strings.Contains(page, "Đã tắt quy tắc") || !strings.Contains(page, "Bật lại quy tắc") {
		t.Error("the page does not say the rule is off")
	}

	// The list comes in pages of 20, the filters kept from page to page.
	for i := range 10 {
		body := `{"campaign":"PCMD-2024","title":"Cổng thông tin ` + strconv.Itoa(i) + `","stations":["CTT-QN"],` +
			`"rrule":"FREQ=DAILY;BYHOUR=` + strconv.Itoa(8+i) + `","startDate":"2027-01-01","durationSeconds":600}`
		req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/rules", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+login(t, s.base, "planner1", testPassword))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("creating rule %d through the API: %v, %v", i, resp, err)
		}
		resp.Body.Close()
	}
	rows := regexp.MustCompile(`<td class="title"><a href="/rules/`)
	_, page = planner.get("/rules?campaign=PCMD-2024")
	next := html.UnescapeString(between(page, `<a href="/rules?`, `">Trang sau →</a>`))
	if n := len(rows.FindAllString(page, -1)); n != 20 || !strings.Contains(page, "21 quy tắc") || !strings.Contains(next, "campaign=PCMD-2024") ||
		strings.Contains(page, "Trang đầu") {
		t.Fatalf("the first page: %d rows, next %q", n, next)
	}
	_, page = planner.get("/rules?" + next)
	if n := len(rows.FindAllString(page, -1)); n != 1 || !strings.Contains(page, "Cổng thông tin 9") || strings.Contains(page, "Trang sau") ||
		!strings.Contains(page, "Trang đầu") {
		t.Errorf("the second page: %d rows", n)
	}
}

// TestRuleOnAPhone: a planner creates a weekly rule with the simple fields on a
// 360 px phone, sees the live preview follow the days chosen before saving,
// saves, sees the rule's airings and, in a station's week view, moves one of them.
func TestRuleOnAPhone(t *testing.T) {
	s := newSite(t)
	s.account("planner1", []string{"planner"}, "49")
	ctx := s.browser(360)
	s.browserSignIn(ctx, "planner1", testPassword)
	preview := func(word string) string {
		return `(document.querySelector('#rule-preview ol.occurrences') || {innerText: ''}).innerText.includes('` + word + `')`
	}
	err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/rules"), chromedp.Click(`a[href="/rules/new"]`), chromedp.WaitVisible("#title"),
		chromedp.SendKeys("#title", "Loa xã Tây Giang, sáng thứ Hai và thứ Năm"),
		chromedp.SetValue("#channel", "commune_loudspeaker"), chromedp.SetValue("#under", "504"),
		chromedp.Click(`input[name=days][value=MO]`),
		chromedp.Poll[chromedp.Void](preview("Thứ Hai"), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("filling the form: %v", err)
	}
	thursday, err := chromedp.Run(ctx, chromedp.Evaluate[bool](preview("Thứ Năm")))
	if err != nil || thursday {
		t.Fatalf("the preview shows Thursdays before they are chosen (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`input[name=days][value=TH]`),
		chromedp.Poll[chromedp.Void](preview("Thứ Năm"), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the preview does not follow the days chosen: %v", err)
	}
	stations, err := chromedp.Run(ctx, chromedp.Text("#rule-preview p.codes"))
	if err != nil || !strings.Contains(stations, "LOA-") {
		t.Errorf("the preview does not list the stations picked: %q, %v", stations, err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 360 {
		t.Errorf("the form is %d px wide on a 360 px phone (%v)", width, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`.actions button:not([formaction])`), chromedp.WaitVisible(`#airings`)); err != nil {
		t.Fatalf("saving: %v", err)
	}
	page, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(page, "/rules/r") {
		t.Fatalf("after saving the browser is at %q (%v)", page, err)
	}
	// The airings follow the save in the background: look again until they are there.
	var link string
	for range 60 {
		link, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#airings a[href^="/calendar"]')?.getAttribute('href') ?? ''`))
		if err != nil || link != "" {
			break
		}
		time.Sleep(500 * time.Millisecond)
		if err = chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(`#airings`)); err != nil {
			break
		}
	}
	if err != nil || !regexp.MustCompile(`^/calendar\?by=station&station=LOA-\d+&view=week&date=\d{4}-\d\d-\d\d$`).MatchString(link) {
		t.Fatalf("the rule's airings link to the week %q (%v)", link, err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(`#airings tbody tr td`))
	if err != nil || !regexp.MustCompile(`^Thứ (Hai|Năm) \d\d/\d\d/\d{4}, 06:30$`).MatchString(strings.TrimSpace(first)) {
		t.Errorf("the first airing is %q (%v), want a Monday or Thursday at 06:30", first, err)
	}
	// Ten stations twice a week over the horizon: the airings come in pages.
	if err := chromedp.Do(ctx, chromedp.Click(`a[href*="after="]`), chromedp.WaitVisible(`#airings tbody tr`)); err != nil {
		t.Fatalf("the next page of airings: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#airings tbody tr').length`))
	back, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#airings .pager a:not([href*="after="])') !== null`))
	if err != nil || rows != 20 || !back {
		t.Errorf("the second page of airings has %d rows (%v), a link back: %t", rows, err, back)
	}
	// The rule's airings in the week view of a station, a week on (so that a move
	// to 08:45 that day is still ahead); the planner moves one.
	date, err := time.Parse(time.DateOnly, link[len(link)-len(time.DateOnly):])
	if err != nil {
		t.Fatal(err)
	}
	week := link[:len(link)-len(time.DateOnly)] + date.AddDate(0, 0, 7).Format(time.DateOnly)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+week), chromedp.WaitVisible(".calendar .day li a")); err != nil {
		t.Fatalf("the week view of the rule's airings: %v", err)
	}
	times, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.calendar .day li')].map(li => li.textContent).join('|')`))
	if err != nil || strings.Count(times, "06:30") < 2 {
		t.Fatalf("the week shows %q (%v), want the rule's Monday and Thursday airings at 06:30", times, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(".calendar .day li a"), chromedp.WaitVisible("#time"), chromedp.SetValue("#time", "08:45"),
		chromedp.Click("#move ~ form button[type=submit]"), chromedp.WaitVisible(".flash")); err != nil {
		t.Fatalf("moving an airing: %v", err)
	}
	moved, err := chromedp.Run(ctx, chromedp.Text(".calendar .day li"))
	if err != nil || !strings.Contains(moved, "08:45") || !strings.Contains(moved, "đã dời giờ") {
		t.Errorf("the week's first airing reads %q (%v), want it moved to 08:45", moved, err)
	}
}

// BenchmarkRulePreview measures the rule form's live preview (POST /rules/preview
// as htmx sends it, DESIGN §10: under 100 ms) over HTTP, one request at a time, as
// a planner signed in through the pages:
//   - district: Monday and Thursday 06:30 on the 10 commune systems of Tây Giang;
//   - province: the same on the province's 241 commune systems.
//
// Both are checked against a rule of higher priority on every commune system each
// Monday at 06:30: 52 overlaps in the year ahead, the first 10 listed.
func BenchmarkRulePreview(b *testing.B) {
	l := startLoa(b, b.TempDir())
	defer l.stop(b)
	l.waitReady(b)
	var admin struct{ Token string }
	l.call(b, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": benchPassword}, http.StatusOK, &admin)
	l.call(b, http.MethodPost, "/api/v1/users", admin.Token, map[string]any{"username": "planner1", "displayName": "Lập kế hoạch",
		"roles": []string{"planner"}, "scope": "49", "password": benchPassword}, http.StatusCreated, nil)
	var planner struct{ Token string }
	l.call(b, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "planner1", "password": benchPassword}, http.StatusOK, &planner)
	today := time.Now().Format(time.DateOnly)
	l.call(b, http.MethodPost, "/api/v1/rules", planner.Token, map[string]any{"campaign": "PCMD-2024", "title": "Thứ Hai, ưu tiên",
		"stations": map[string]string{"channel": "commune_loudspeaker", "under": "49"}, "rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=6;BYMINUTE=30",
		"startDate": today, "durationSeconds": 300, "priority": 1}, http.StatusCreated, nil)
	// Its airings are placed now, so that no run in the background shares the timings.
	l.call(b, http.MethodPost, "/api/v1/jobs/materialize/run", admin.Token, nil, http.StatusOK, nil)

	// The planner signs in on the pages; the session's CSRF token is on every form.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: l.Client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := func(path string) string {
		resp, err := client.Get(l.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfPattern.FindSubmatch(page)
		if m == nil {
			b.Fatalf("no CSRF token on %s (%d)", path, resp.StatusCode)
		}
		return string(m[1])
	}
	resp, err := client.PostForm(l.URL+"/login", url.Values{"username": {"planner1"}, "password": {benchPassword}, "csrf_token": {csrf("/login")}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("signing in: %v, %v", resp, err)
	}
	resp.Body.Close()
	token := csrf("/rules/new")

	for _, under := range []struct{ name, unit string }{{"district", "504"}, {"province", "49"}} {
		form := weeklyRule("Thử")
		form.Set("under", under.unit)
		body := form.Encode()
		b.Run(under.name, func(b *testing.B) {
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, l.URL+"/rules/preview", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("HX-Request", "true")
				req.Header.Set("X-CSRF-Token", token)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				page, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `class="occurrences"`) {
					b.Fatalf("preview: %d, %v\n%s", resp.StatusCode, err, page)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
		})
	}
}
