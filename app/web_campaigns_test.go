package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiCall sends a JSON request with a bearer token and decodes the answer into out
// (when not nil); it returns the status.
func apiCall(t testing.TB, method, url, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// campaignForm is the editor's form for a campaign with one indicator, running
// from three months ago to half a year ahead.
func campaignForm(code string, indicator map[string]string) url.Values {
	now := time.Now()
	f := url.Values{"code": {code}, "title": {"Chương trình thử " + code}, "start": {now.AddDate(0, -3, 0).Format("02/01/2006")},
		"end": {now.AddDate(0, 6, 0).Format("2006-01-02")}, "legalBasis": {"Kế hoạch số 1/KH-UBND"}, "rows": {"1"}, "action": {"save"}}
	for k, v := range indicator {
		f.Set("indicators[0]."+k, v)
	}
	return f
}

// pressIndicator is a "press every month" indicator, in the form's fields.
func pressIndicator() map[string]string {
	return map[string]string{"code": "press", "title": "Báo tỉnh đăng tin mỗi tháng", "rule": "monthly_frequency",
		"channel": "provincial_press", "comparator": "gte", "threshold": "100", "source": "ít nhất một tháng một lần"}
}

// TestHomeBlocksPerRole: the start page shows each person the to-do blocks of its
// roles, within its scope, each entry linking to where it is fixed.
func TestHomeBlocksPerRole(t *testing.T) {
	s := newSite(t)
	planner := s.account("lan.tran", []string{"planner"}, "49")
	district := s.account("binh.dienban", []string{"planner"}, "507")
	approver := s.account("minh.duyet", []string{"approver"}, "49")
	viewer := s.account("hai.theodoi", []string{"viewer"}, "49")
	// Today is after 01/07/2025: the province's accounts also act on Đà Nẵng (48),
	// as an admin confirms.
	admin := login(t, s.base, "admin", testPassword)
	for u, units := range map[string]string{"lan.tran": `["48"]`, "minh.duyet": `["48"]`, "hai.theodoi": `["48"]`,
		"binh.dienban": `["20551","20557","20569","20575","20579","20587"]`} { // Điện Bàn's six communes
		if status := apiCall(t, http.MethodPost, s.base+"/api/v1/users/"+u+"/scope-mapping", admin, `{"units":`+units+`}`, nil); status != http.StatusOK {
			t.Fatalf("mapping %s: %d", u, status)
		}
	}

	if status, _, loc := planner.postLocation("/campaigns", campaignForm("TODO-NOW", pressIndicator())); status != http.StatusSeeOther || loc != "/campaigns/TODO-NOW" {
		t.Fatalf("creating a running campaign: %d → %q", status, loc)
	}
	token := login(t, s.base, "lan.tran", testPassword)
	airing := map[string]string{}
	for _, station := range []string{"BQN", "DTT-507"} {
		var a struct{ ID string }
		start := time.Now().Add(72 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
		if status := apiCall(t, http.MethodPost, s.base+"/api/v1/airings", token, `{"station":"`+station+
			`","campaign":"TODO-NOW","start":"`+start+`","durationSeconds":600,"groups":["general_public"]}`, &a); status != http.StatusCreated {
			t.Fatalf("placing an airing at %s: %d", station, status)
		}
		airing[station] = a.ID
	}
	var item struct{ ID string }
	if status := apiCall(t, http.MethodPost, s.base+"/api/v1/contents", token, `{"kind":"radio_script","title":"Tin chờ duyệt của Lan",`+
		`"body":"Nội dung.","groups":["general_public"],"campaigns":["TODO-NOW"],"slotSeconds":60}`, &item); status != http.StatusCreated {
		t.Fatalf("creating content: %d", status)
	}
	if status := apiCall(t, http.MethodPost, s.base+"/api/v1/contents/"+item.ID+"/submit", token, `{}`, nil); status != http.StatusOK {
		t.Fatalf("submitting content: %d", status)
	}

	var report struct {
		Indicators []struct{ Indicator, Status string }
	}
	apiCall(t, http.MethodGet, s.base+"/api/v1/campaigns/TODO-NOW/report", token, "", &report)
	if len(report.Indicators) != 1 || report.Indicators[0].Status != "cannot_meet" {
		t.Fatalf("the report of TODO-NOW: %+v, want its press indicator unable to be met (months already missed)", report.Indicators)
	}

	blocks := []string{"todo-review", "todo-nocontent", "todo-silent", "todo-press", "todo-risk"}
	for _, tc := range []struct {
		name   string
		who    *person
		blocks []string
		links  []string
		absent []string
	}{
		{"planner", planner, []string{"todo-nocontent", "todo-silent", "todo-press", "todo-risk"},
			[]string{`href="/calendar/airings/` + airing["BQN"] + `"`, `href="/calendar/airings/` + airing["DTT-507"] + `"`,
				`href="/calendar/press?campaign=TODO-NOW&amp;year=`, `href="/campaigns/TODO-NOW#chi-tieu-press"`,
				"— Báo Quảng Nam</a>"}, nil},
		{"district planner", district, []string{"todo-nocontent", "todo-silent", "todo-press", "todo-risk"},
			[]string{`href="/calendar/airings/` + airing["DTT-507"] + `"`}, []string{airing["BQN"]}},
		{"approver", approver, []string{"todo-review", "todo-risk"},
			[]string{`href="/contents/` + item.ID + `"`, `href="/campaigns/TODO-NOW#chi-tieu-press"`}, nil},
		{"viewer", viewer, []string{"todo-risk"},
			[]string{`href="/campaigns/TODO-NOW#chi-tieu-press"`, `href="/api/v1/campaigns/PCMD-2024/report?format=html"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, page := tc.who.get("/")
			if status != http.StatusOK {
				t.Fatalf("GET /: %d", status)
			}
			for _, b := range blocks {
				want := strings.Contains(strings.Join(tc.blocks, " "), b)
				if got := strings.Contains(page, `id="`+b+`"`); got != want {
					t.Errorf("block %s shown: %v, want %v", b, got, want)
				}
			}
			for _, l := range tc.links {
				if !strings.Contains(page, l) {
					t.Errorf("no link %s on the start page", l)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(page, a) {
					t.Errorf("the start page shows %s, outside the account's scope", a)
				}
			}
			if status, _ := tc.who.get("/campaigns/TODO-NOW"); status != http.StatusOK {
				t.Errorf("the indicator link: GET /campaigns/TODO-NOW = %d", status)
			}
		})
	}
	if _, page := approver.get("/"); strings.Contains(page, "Tin chờ duyệt của Lan") == false {
		t.Errorf("the approver's review block does not name the item")
	}
	if _, page := planner.get("/"); strings.Contains(page, "Tin chờ duyệt của Lan") {
		t.Errorf("the author sees its own item as waiting for its review")
	}
}

// TestCampaignFormRefusals: every bad input of the campaign editor is answered
// with the form again (422), the Vietnamese message beside the field and the
// values kept, and nothing is written.
func TestCampaignFormRefusals(t *testing.T) {
	s := newSite(t)
	planner := s.account("lan.tran", []string{"planner"}, "49")
	viewer := s.account("hai.theodoi", []string{"viewer"}, "49")
	token := login(t, s.base, "admin", testPassword)
	stored := func(code string) (int, map[string]any) {
		var c map[string]any
		status := apiCall(t, http.MethodGet, s.base+"/api/v1/campaigns/"+code, token, "", &c)
		return status, c
	}
	before, _ := json.Marshal(func() map[string]any { _, c := stored("PCMD-2024"); return c }())

	for _, tc := range []struct {
		name, code   string
		change       func(f url.Values)
		field, msg   string
		kept, keptIn string
	}{
		{"empty code", "", func(f url.Values) { f.Set("code", " ") }, `name="code"`, "Bắt buộc nhập: 1 đến 64 chữ cái", `value="Chương trình thử `, `name="title"`},
		{"empty title", "BAD-1", func(f url.Values) { f.Set("title", "") }, `name="title"`, "Bắt buộc nhập tên.", `value="BAD-1"`, `name="code"`},
		{"bad start date", "BAD-2", func(f url.Values) { f.Set("start", "31/02/2024") }, `name="start"`, "Chọn một ngày hợp lệ", `value="31/02/2024"`, `name="start"`},
		{"end before start", "BAD-3", func(f url.Values) { f.Set("start", "2024-06-01"); f.Set("end", "2024-01-31") }, `name="end"`,
			"Ngày kết thúc phải sau ngày bắt đầu.", `value="2024-01-31"`, `name="end"`},
		{"threshold not a number", "BAD-4", func(f url.Values) { f.Set("indicators[0].threshold", "abc") }, `name="indicators[0].threshold"`,
			"Nhập ngưỡng bằng số phần trăm", `value="abc"`, `name="indicators[0].threshold"`},
		{"threshold over 100", "BAD-5", func(f url.Values) { f.Set("indicators[0].threshold", "150") }, `name="indicators[0].threshold"`,
			"Ngưỡng phải lớn hơn 0 % và không quá 100 %.", `value="150"`, `name="indicators[0].threshold"`},
		{"unknown target group", "BAD-6", func(f url.Values) {
			f.Set("indicators[0].rule", "coverage")
			f.Set("indicators[0].channel", "")
			f.Set("indicators[0].group", "tourists")
		}, `name="indicators[0].group"`, "Không có nhóm đối tượng «tourists».", `value="coverage" selected`, `name="indicators[0].rule"`},
		{"group missing", "BAD-7", func(f url.Values) { f.Set("indicators[0].rule", "coverage"); f.Set("indicators[0].channel", "") },
			`name="indicators[0].group"`, "Chọn nhóm đối tượng mà chỉ tiêu này đếm.", "ít nhất một tháng một lần", `name="indicators[0].source"`},
		{"duplicate code", "PCMD-2024", nil, `name="code"`, "Mã PCMD-2024 đã có chương trình khác dùng", `value="Chương trình thử PCMD-2024"`, `name="title"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := campaignForm(tc.code, pressIndicator())
			if tc.change != nil {
				tc.change(f)
			}
			status, page := planner.post("/campaigns", f)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("POST /campaigns: %d, want 422", status)
			}
			if beside := between(page, tc.field, "</p>"); !strings.Contains(beside, tc.msg) {
				t.Errorf("beside %s: %q, want the message %q", tc.field, beside, tc.msg)
			}
			if kept := between(page, tc.keptIn, "</p>"); !strings.Contains(kept, tc.kept) {
				t.Errorf("the value is not kept: %q has no %q", kept, tc.kept)
			}
			if tc.code != "" && tc.code != "PCMD-2024" {
				if status, _ := stored(tc.code); status != http.StatusNotFound {
					t.Errorf("campaign %s: GET = %d, want 404 (nothing written)", tc.code, status)
				}
			}
		})
	}

	t.Run("edit refused", func(t *testing.T) {
		f := campaignForm("PCMD-2024", pressIndicator())
		f.Set("indicators[0].threshold", "150")
		status, page := planner.post("/campaigns/PCMD-2024", f)
		if status != http.StatusUnprocessableEntity || !strings.Contains(between(page, `name="indicators[0].threshold"`, "</p>"), "không quá 100 %") {
			t.Errorf("editing with 150 %%: %d, no message beside the threshold", status)
		}
	})
	t.Run("missing CSRF", func(t *testing.T) {
		f := campaignForm("BAD-CSRF", pressIndicator())
		f.Set("csrf_token", "")
		status, page := planner.post("/campaigns", f)
		if status != http.StatusForbidden || !strings.Contains(page, "thiếu mã CSRF") {
			t.Errorf("without the CSRF token: %d", status)
		}
		if status, _ := stored("BAD-CSRF"); status != http.StatusNotFound {
			t.Errorf("written without the CSRF token: %d", status)
		}
	})
	t.Run("viewer", func(t *testing.T) {
		status, page := viewer.post("/campaigns", campaignForm("BAD-VIEWER", pressIndicator()))
		if status != http.StatusForbidden || !strings.Contains(page, "Không có quyền truy cập") {
			t.Errorf("a viewer posting: %d", status)
		}
		if status, _ := viewer.get("/campaigns/PCMD-2024/edit"); status != http.StatusForbidden {
			t.Errorf("a viewer opening the editor: %d, want 403", status)
		}
		if status, _ := stored("BAD-VIEWER"); status != http.StatusNotFound {
			t.Errorf("written by a viewer: %d", status)
		}
		if _, page := viewer.get("/campaigns/PCMD-2024"); strings.Contains(page, "/campaigns/PCMD-2024/edit") {
			t.Errorf("a viewer is offered the editor")
		}
	})
	after, _ := json.Marshal(func() map[string]any { _, c := stored("PCMD-2024"); return c }())
	if string(after) != string(before) {
		t.Errorf("PCMD-2024 changed by refused forms")
	}

	t.Run("rows added and removed without JavaScript", func(t *testing.T) {
		f := campaignForm("ROWS", pressIndicator())
		f.Set("action", "add")
		status, page := planner.post("/campaigns", f)
		if status != http.StatusOK || !strings.Contains(page, `name="indicators[1].code"`) || !strings.Contains(page, `value="press"`) {
			t.Fatalf("Thêm chỉ tiêu: %d, no second row or the first lost", status)
		}
		f.Set("action", "remove:0")
		f.Set("rows", "2")
		f.Set("indicators[1].code", "second")
		status, page = planner.post("/campaigns", f)
		if status != http.StatusOK || strings.Contains(page, `name="indicators[1].code"`) || !strings.Contains(page, `value="second"`) {
			t.Errorf("Bỏ chỉ tiêu 1: %d, want one row left, the second", status)
		}
		if status, _ := stored("ROWS"); status != http.StatusNotFound {
			t.Errorf("adding a row saved the campaign: %d", status)
		}
	})
}

// TestCampaignEditInBrowser: a planner on a phone opens a campaign, changes one
// indicator's threshold in the editor, saves, and reads the new target and its
// status on the campaign's page.
func TestCampaignEditInBrowser(t *testing.T) {
	s := newSite(t)
	s.account("lan.tran", []string{"planner"}, "49")
	ctx := s.browser(360)
	s.browserSignIn(ctx, "lan.tran", testPassword)
	row := "#chi-tieu-communes-activity"
	err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/campaigns/PCMD-2024"), chromedp.WaitVisible(row),
		chromedp.Click(`a[href="/campaigns/PCMD-2024/edit"]`), chromedp.WaitVisible("#ind-0-threshold"),
		chromedp.Clear("#ind-0-threshold"), chromedp.SendKeys("#ind-0-threshold", "60"),
		chromedp.Click(`p.actions button[value="save"]`), chromedp.WaitVisible(row))
	if err != nil {
		t.Fatal(err)
	}
	target, err := chromedp.Run(ctx, chromedp.Text(row+" .target"))
	if err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(ctx, chromedp.Text(row+" .state .status"))
	if err != nil {
		t.Fatal(err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(".flash"))
	if err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(target, "trên 60 %") {
		t.Errorf("the target after saving: %q, want trên 60 %%", target)
	}
	if strings.TrimSpace(state) == "" {
		t.Errorf("no status beside the changed indicator")
	}
	if !strings.Contains(flash, "Đã lưu chương trình PCMD-2024") {
		t.Errorf("flash: %q", flash)
	}
	if width > 360 {
		t.Errorf("the campaign page is %d px wide on a 360 px phone", width)
	}
	var c struct {
		Indicators []struct {
			Code      string
			Threshold float64
		}
	}
	apiCall(t, http.MethodGet, s.base+"/api/v1/campaigns/PCMD-2024", login(t, s.base, "admin", testPassword), "", &c)
	if len(c.Indicators) == 0 || c.Indicators[0].Code != "communes-activity" || c.Indicators[0].Threshold != 0.6 {
		t.Errorf("stored: %+v, want communes-activity at 0.6", c.Indicators)
	}
}

// BenchmarkWebHomeAndCampaign measures the server time of the admin's start page
// and of a campaign's page, on the demo province with a copy of the demo campaign
// running now (so that the start page evaluates its gaps and its report).
func BenchmarkWebHomeAndCampaign(b *testing.B) {
	l := startLoa(b, b.TempDir())
	defer l.stop(b)
	l.waitReady(b)
	var s struct{ Token string }
	l.call(b, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": benchPassword}, http.StatusOK, &s)
	var c map[string]any
	l.call(b, http.MethodGet, "/api/v1/campaigns/PCMD-2024", s.Token, nil, http.StatusOK, &c)
	now := time.Now()
	c["code"], c["period"] = "PCMD-NOW", map[string]string{"start": now.AddDate(0, -3, 0).Format("2006-01-02"), "end": now.AddDate(0, 6, 0).Format("2006-01-02")}
	delete(c, "createdAt")
	delete(c, "updatedAt")
	l.call(b, http.MethodPost, "/api/v1/campaigns", s.Token, c, http.StatusCreated, nil)
	for _, page := range []struct{ name, path string }{{"home", "/"}, {"campaign", "/campaigns/PCMD-NOW"}} {
		b.Run(page.name, func(b *testing.B) {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, l.URL+page.path, nil)
			req.AddCookie(&http.Cookie{Name: "loa_session", Value: s.Token})
			for b.Loop() {
				resp, err := l.Client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", page.path, resp.StatusCode)
				}
			}
		})
	}
}
