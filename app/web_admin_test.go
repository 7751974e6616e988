package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAdminAccountForms: every bad input of the account forms is refused beside its
// field with the values kept (never the password) and nothing written; a form
// without the CSRF token is refused; a planner is refused the accounts pages.
func TestAdminAccountForms(t *testing.T) {
	s := newSite(t)
	planner := s.account("ke.hoach", []string{"planner"}, "49")
	admin := s.admin()
	token := login(t, s.base, "admin", testPassword)

	if status, page := planner.get("/admin/accounts"); status != http.StatusForbidden || !strings.Contains(page, "Không có quyền truy cập") {
		t.Errorf("a planner opening /admin/accounts: %d, want the 403 page", status)
	}
	if status, _ := planner.post("/admin/accounts", newAccount("may.la", "49")); status != http.StatusForbidden {
		t.Errorf("a planner creating an account: %d, want 403", status)
	}

	const secret = "mật khẩu bí mật dài"
	tests := []struct {
		name        string
		form        url.Values
		status      int
		field, want string
	}{
		{"bad username", withField(newAccount("Hoa Nguyen", "504"), "password", secret), 422, "username", "Tên đăng nhập gồm 2 đến 64 ký tự"},
		{"taken username", withField(newAccount("ke.hoach", "504"), "password", secret), 422, "username", "Tên đăng nhập ke.hoach đã có người dùng."},
		{"short password", withField(newAccount("hoa.nguyen", "504"), "password", "ngắn"), 422, "password", "Mật khẩu cần ít nhất 10 ký tự."},
		{"no role", withField(newAccount("hoa.nguyen", "504"), "roles", ""), 422, "roles", "Chọn ít nhất một vai trò."},
		{"unknown scope", withField(newAccount("hoa.nguyen", "99999"), "password", secret), 422, "scope", "Không có đơn vị hành chính mã 99999."},
		{"no display name", withField(newAccount("hoa.nguyen", "504"), "displayName", " "), 422, "displayName", "Nhập họ tên (1 đến 200 ký tự)."},
		{"missing CSRF token", withField(newAccount("hoa.nguyen", "504"), "csrf_token", ""), 403, "", "Phiên làm việc không hợp lệ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.form["roles"][0] == "" {
				delete(tt.form, "roles")
			}
			status, page := admin.post("/admin/accounts", tt.form)
			if status != tt.status || !strings.Contains(page, tt.want) {
				t.Fatalf("%d, want %d with %q\n%s", status, tt.status, tt.want, page)
			}
			if tt.status == 422 {
				assertBeside(t, page, tt.field, tt.want)
				if strings.Contains(page, secret) || strings.Contains(page, `value="ngắn"`) {
					t.Error("the password is shown again")
				}
				if tt.field != "displayName" && !strings.Contains(page, `value="Nguyễn Thị Hoa"`) {
					t.Error("the display name entered is not kept")
				}
				if tt.field != "roles" && !strings.Contains(page, `value="reporter" checked`) {
					t.Error("the role chosen is not kept")
				}
				if !strings.Contains(page, `value="`+tt.form.Get("scope")+`" selected`) {
					t.Error("the scope chosen is not kept")
				}
			}
			if status := get(t, s.base+"/api/v1/users/hoa.nguyen", token, nil); status != http.StatusNotFound {
				t.Errorf("a refused form wrote the account: %d", status)
			}
		})
	}

	status, _, loc := admin.postLocation("/admin/accounts", newAccount("hoa.nguyen", "504"))
	if status != http.StatusSeeOther || loc != "/admin/accounts/hoa.nguyen" {
		t.Fatalf("creating an account: %d to %q", status, loc)
	}
	if _, page := admin.get(loc); !strings.Contains(page, "Đã tạo tài khoản hoa.nguyen.") || !strings.Contains(page, "Huyện Tây Giang") {
		t.Errorf("the new account's page does not confirm it or name its scope\n%s", page)
	}
	if _, page := admin.get("/admin/accounts?role=planner"); !strings.Contains(page, `href="/admin/accounts/ke.hoach"`) ||
		strings.Contains(page, `href="/admin/accounts/hoa.nguyen"`) {
		t.Errorf("the filter by role lists the wrong accounts")
	}

	edits := []struct {
		name, path  string
		form        url.Values
		field, want string
	}{
		{"no display name", "/admin/accounts/hoa.nguyen", url.Values{"displayName": {""}, "roles": {"reporter"}, "scope": {"504"}, "active": {"on"}},
			"displayName", "Nhập họ tên"},
		{"passwords differ", "/admin/accounts/hoa.nguyen/password", url.Values{"password": {secret}, "confirmPassword": {"khác hẳn rồi nhé"}},
			"confirmPassword", "Hai lần nhập mật khẩu không khớp."},
		{"short new password", "/admin/accounts/hoa.nguyen/password", url.Values{"password": {"ngắn"}, "confirmPassword": {"ngắn"}},
			"password", "Mật khẩu cần ít nhất 10 ký tự."},
		{"deactivating oneself", "/admin/accounts/admin", url.Values{"displayName": {"Quản trị"}, "roles": {"admin"}, "scope": {"49"}},
			"", "Không thể tự khoá tài khoản của mình"},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			status, page := admin.post(tt.path, tt.form)
			if status != 422 || !strings.Contains(page, tt.want) {
				t.Fatalf("%d, want 422 with %q", status, tt.want)
			}
			if tt.field != "" {
				assertBeside(t, page, tt.field, tt.want)
			}
		})
	}
	s.signIn("hoa.nguyen", testPassword) // neither password changed
	var u struct{ DisplayName string }
	if get(t, s.base+"/api/v1/users/hoa.nguyen", token, &u); u.DisplayName != "Nguyễn Thị Hoa" {
		t.Errorf("a refused edit wrote the display name: %q", u.DisplayName)
	}

	// Deactivating: the account is listed as locked and can no longer sign in.
	status, _, _ = admin.postLocation("/admin/accounts/hoa.nguyen", url.Values{"displayName": {"Nguyễn Thị Hoa"}, "roles": {"reporter"}, "scope": {"504"}})
	if status != http.StatusSeeOther {
		t.Fatalf("deactivating: %d", status)
	}
	if _, page := admin.get("/admin/accounts?active=false"); !strings.Contains(page, `href="/admin/accounts/hoa.nguyen"`) {
		t.Error("the deactivated account is not listed as locked")
	}
	if status, _ := s.anonymous().post("/login", loginForm(t, s.anonymous().client, s.base, "hoa.nguyen", testPassword)); status == http.StatusSeeOther {
		t.Error("a deactivated account still signs in")
	}
}

// TestAdminClearsLoginThrottle: an account's failed logins show on its page with a
// button that lets it sign in again at once; the button without the CSRF token is
// refused and clears nothing.
func TestAdminClearsLoginThrottle(t *testing.T) {
	s := newSite(t)
	s.account("ke.hoach", []string{"planner"}, "49")
	admin := s.admin()
	visitor := s.anonymous()
	// Wrong passwords until one is answered "wait" (the third sets a wait of 1 s, the
	// next ones 2, 4, 8 s: longer than a request takes however loaded the machine).
	throttled := false
	for range 8 {
		status, page := visitor.post("/login", loginForm(t, visitor.client, s.base, "ke.hoach", "sai mật khẩu rồi"))
		if status == http.StatusSeeOther {
			t.Fatal("a wrong password signed in")
		}
		if status == http.StatusTooManyRequests {
			if !strings.Contains(page, "Vui lòng thử lại sau") || !strings.Contains(page, "giây") {
				t.Errorf("the 429 sign-in page does not say how many seconds to wait\n%s", page)
			}
			throttled = true
			break
		}
	}
	if !throttled {
		t.Fatal("8 wrong passwords in a row were never answered 429")
	}
	const shown = "lần đăng nhập sai liên tiếp"
	if _, page := admin.get("/admin/accounts/ke.hoach"); !strings.Contains(page, shown) || !strings.Contains(page, "Cho đăng nhập lại ngay") {
		t.Fatalf("the account's page does not show its failed logins\n%s", page)
	}
	if status, _ := admin.post("/admin/accounts/ke.hoach/throttle", url.Values{"csrf_token": {""}}); status != http.StatusForbidden {
		t.Errorf("clearing without the CSRF token: %d, want 403", status)
	}
	if _, page := admin.get("/admin/accounts/ke.hoach"); !strings.Contains(page, shown) {
		t.Error("a refused clear cleared the failed logins")
	}
	status, _, loc := admin.postLocation("/admin/accounts/ke.hoach/throttle", url.Values{})
	if status != http.StatusSeeOther || loc != "/admin/accounts/ke.hoach" {
		t.Fatalf("clearing: %d to %q", status, loc)
	}
	if _, page := admin.get(loc); strings.Contains(page, shown) || !strings.Contains(page, "đăng nhập được ngay") {
		t.Errorf("after the clear the page still shows failed logins or no confirmation")
	}
	s.signIn("ke.hoach", testPassword)
}

// TestAdminJobs: an admin runs a job now and sees the run; a planner reads the jobs
// but may not run one.
func TestAdminJobs(t *testing.T) {
	s := newSite(t)
	planner := s.account("ke.hoach", []string{"planner"}, "49")
	status, page := planner.get("/admin/jobs")
	if status != http.StatusOK || strings.Contains(page, "Chạy ngay") || !strings.Contains(page, `href="/admin/jobs" aria-current="page">Tác vụ`) {
		t.Errorf("a planner's jobs page: %d, want it readable without «Chạy ngay» and with its own entry", status)
	}
	if status, _ := planner.post("/admin/jobs/unconfirmed/run", url.Values{}); status != http.StatusForbidden {
		t.Errorf("a planner running a job: %d, want 403", status)
	}
	admin := s.admin()
	status, _, loc := admin.postLocation("/admin/jobs/unconfirmed/run", url.Values{})
	if status != http.StatusSeeOther || loc != "/admin/jobs#job-unconfirmed" {
		t.Fatalf("running a job: %d to %q", status, loc)
	}
	_, page = admin.get("/admin/jobs")
	if !strings.Contains(page, "Đã chạy xong «Đánh dấu buổi phát chưa được xác nhận»") || !strings.Contains(page, "Chạy tay") {
		t.Errorf("the run is not shown\n%s", page)
	}
	token := login(t, s.base, "admin", testPassword)
	var jobs struct {
		Items []struct {
			Name string
			Runs []struct{ Trigger string }
		}
	}
	get(t, s.base+"/api/v1/jobs", token, &jobs)
	for _, j := range jobs.Items {
		if j.Name == "unconfirmed" && (len(j.Runs) == 0 || j.Runs[0].Trigger != "manual") {
			t.Errorf("no manual run recorded: %+v", j.Runs)
		}
	}
	if status, _ := admin.post("/admin/jobs/khong-co/run", url.Values{}); status != http.StatusNotFound {
		t.Errorf("running an unknown job: %d, want 404", status)
	}
}

// TestAdminImports: a dry run shows the conflicts in Vietnamese and writes nothing;
// "Áp dụng" writes the same file once; a file past the limit, no file, a file that
// is neither CSV nor XLSX and a form without the CSRF token are refused and write
// nothing.
func TestAdminImports(t *testing.T) {
	base, logs, stop := startApp(t, t.TempDir(), map[string]string{"LOA_ADMIN_PASSWORD": testPassword, "LOA_IMPORT_MAX_FILE": "24KiB"}) // over the 18 KiB of the units' seed
	t.Cleanup(stop)
	s := &site{t: t, base: base, logs: logs}
	admin := s.admin()
	token := login(t, s.base, "admin", testPassword)
	unit := func(code string) int { return get(t, s.base+"/api/v1/orgunits/"+code+"?at=2024-06-01", token, nil) }

	// Tây Giang district (504) ended on 30/06/2025: so do its communes.
	file := "code,name,type,level,parent_code,valid_to\n" +
		"99001,Xã Thử Nghiệm,xã,commune,504,2025-06-30\n" +
		"99002,Xã Mồ Côi,xã,commune,9999,\n" +
		"99003,Xã Sai Cấp,xã,Commune,504,2025-06-30\n"
	status, page, _ := admin.upload("/admin/imports", "orgunits", "don-vi.csv", []byte(file))
	if status != http.StatusOK {
		t.Fatalf("dry run: %d\n%s", status, page)
	}
	for _, want := range []string{"Kết quả kiểm tra thử", "Không có đơn vị cấp trên mã 9999.", "Cấp phải là một từ viết thường", "Áp dụng: thêm 1, cập nhật 0", "2 dòng lỗi sẽ bị bỏ qua"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dry run's page lacks %q", want)
		}
	}
	if unit("99001") != http.StatusNotFound {
		t.Fatal("the dry run wrote a unit")
	}
	held := between(page, `name="held" value="`, `"`)
	status, _, loc := admin.postLocation("/admin/imports/apply", url.Values{"held": {held}, "kind": {"orgunits"}})
	if status != http.StatusSeeOther || loc != "/admin/imports?kind=orgunits" {
		t.Fatalf("applying: %d to %q", status, loc)
	}
	if _, page := admin.get(loc); !strings.Contains(page, "1 mới, 0 cập nhật, 0 không đổi, 2 dòng bị bỏ qua") {
		t.Errorf("no summary after applying\n%s", page)
	}
	if unit("99001") != http.StatusOK || unit("99002") != http.StatusNotFound {
		t.Error("applying did not write the good row alone")
	}
	if status, page := admin.post("/admin/imports/apply", url.Values{"held": {held}, "kind": {"orgunits"}}); status != http.StatusGone ||
		!strings.Contains(page, "không còn được giữ") {
		t.Errorf("applying twice: %d, want 410 with a message", status)
	}

	big := "code,name,type,level,parent_code\n99004,Xã Quá Lớn,xã,commune,504\n" + strings.Repeat("# "+strings.Repeat("x", 60)+"\n", 450)
	bad := []struct {
		name, kind, file, content string
		csrf                      bool
		status                    int
		want                      string
	}{
		{"over the limit", "orgunits", "lon.csv", big, true, http.StatusRequestEntityTooLarge, "Tệp lớn hơn giới hạn 24 KiB"},
		{"no file", "orgunits", "", "", true, http.StatusUnprocessableEntity, "Chọn một tệp CSV hoặc Excel (.xlsx)."},
		{"not CSV or XLSX", "orgunits", "anh.png", "\x89PNG\x00\x00\x00 99004", true, http.StatusUnsupportedMediaType, "Tệp không phải CSV"},
		{"missing columns", "populations", "mau-so.csv", "org_unit_code,group\n504,students\n", true, http.StatusUnprocessableEntity, "Tệp thiếu cột bắt buộc: year, count, source."},
		{"missing CSRF token", "orgunits", "don-vi.csv", "code,name,type,level,parent_code\n99004,Xã Mới,xã,commune,504\n", false, http.StatusForbidden, "Phiên làm việc không hợp lệ"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := *admin
			if !tt.csrf {
				p.csrf = ""
			}
			status, page, _ := p.upload("/admin/imports", tt.kind, tt.file, []byte(tt.content))
			if status != tt.status || !strings.Contains(page, tt.want) {
				t.Fatalf("%d, want %d with %q\n%s", status, tt.status, tt.want, page)
			}
			if tt.status != http.StatusForbidden {
				assertBeside(t, page, "file", tt.want)
			}
			if unit("99004") != http.StatusNotFound {
				t.Error("a refused file wrote a unit")
			}
		})
	}

	// A denominator file checks like the units.
	status, page, _ = admin.upload("/admin/imports", "populations", "mau-so.csv",
		[]byte("org_unit_code,group,year,count,source\n504,students,2025,1200,Phòng GD\n504,khong-co,2024,5,x\n"))
	if status != http.StatusOK || !strings.Contains(page, "Không có nhóm đối tượng «khong-co».") || !strings.Contains(page, "Áp dụng: thêm 1") {
		t.Errorf("denominator dry run: %d\n%s", status, page)
	}
}

// TestAdminCreatesScopedAccountOnAPhone: at 360 px, an admin creates a district
// account through the form; it signs in, its page names its district, the stations
// page lists its district's stations only, and another district's calendar or data
// is refused (403).
func TestAdminCreatesScopedAccountOnAPhone(t *testing.T) {
	s := newSite(t)
	ctx := s.browser(360)
	s.browserSignIn(ctx, "admin", testPassword)
	err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/admin/accounts"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "binh.tran"), chromedp.SendKeys("#displayName", "Trần Văn Bình"),
		chromedp.Click(`input[name=roles][value=reporter]`), chromedp.SetValue("#scope", "504"),
		chromedp.SendKeys("#password", testPassword), chromedp.Submit("#username"),
		chromedp.WaitVisible("p.flash"))
	if err != nil {
		t.Fatal(err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text("p.flash"))
	if err != nil || !strings.Contains(flash, "Đã tạo tài khoản binh.tran") {
		t.Fatalf("creating the account: %q, %v", flash, err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 360 {
		t.Errorf("the account page is %d px wide on a 360 px phone (%v)", width, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("button.link"), chromedp.WaitVisible("#username")); err != nil {
		t.Fatalf("signing out: %v", err)
	}
	s.browserSignIn(ctx, "binh.tran", testPassword)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/me"), chromedp.WaitVisible("dl.facts")); err != nil {
		t.Fatal(err)
	}
	facts, err := chromedp.Run(ctx, chromedp.Text("dl.facts"))
	if err != nil || !strings.Contains(facts, "Huyện Tây Giang") || !strings.Contains(facts, "Báo cáo số liệu") {
		t.Errorf("/me shows %q, want the district's name and the role", facts)
	}
	// No page of the admin area shows scoped data to a reporter; the API, with the
	// same session, refuses another district's denominators.
	js := `fetch('/api/v1/populations?orgUnit=%s').then(r => String(r.status))`
	for code, want := range map[string]string{"502": "403", "504": "200"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(js, code), chromedp.EvalAwaitPromise))
		if err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("the district's session reading org unit %s: %q (%v), want %s", code, got, err, want)
		}
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch('/api/v1/populations?orgUnit=502').then(r => r.text())`, chromedp.EvalAwaitPromise))
	var answer struct{ Error struct{ Code string } }
	if err != nil || json.Unmarshal([]byte(body), &answer) != nil || answer.Error.Code != "outside_scope" {
		t.Errorf("another district's data: %q (%v), want the code outside_scope", body, err)
	}
	if status, _ := s.signIn("binh.tran", testPassword).get("/admin/accounts"); status != http.StatusForbidden {
		t.Errorf("the reporter opening /admin/accounts: %d, want 403", status)
	}
	// The pages show the district's stations only, and refuse another district's
	// calendar.
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/stations"), chromedp.WaitVisible("table")); err != nil {
		t.Fatal(err)
	}
	stations, err := chromedp.Run(ctx, chromedp.Text("table tbody"))
	if err != nil || !strings.Contains(stations, "DTT-504") || strings.Contains(stations, "Điện Bàn") || strings.Contains(stations, "Hội An") {
		t.Errorf("the district account's stations: %q (%v), want Tây Giang's only", stations, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/calendar?by=district&district=502"), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if h1, err := chromedp.Run(ctx, chromedp.Text("h1")); err != nil || !strings.Contains(h1, "Ngoài phạm vi") {
		t.Errorf("another district's calendar: %q (%v), want the page Ngoài phạm vi", h1, err)
	}
}

// newAccount is a good account form, for username with a district scope.
func newAccount(username, scope string) url.Values {
	return url.Values{"username": {username}, "displayName": {"Nguyễn Thị Hoa"}, "roles": {"reporter"},
		"scope": {scope}, "password": {testPassword}}
}

func withField(form url.Values, field, value string) url.Values {
	form.Set(field, value)
	return form
}

// assertBeside checks that the page shows want as the error of field: in the same
// paragraph or fieldset as the field's input.
func assertBeside(t *testing.T, page, field, want string) {
	t.Helper()
	i := strings.Index(page, `name="`+field+`"`)
	j := strings.Index(page, `<span class="field-error" role="alert">`+want)
	if j < 0 {
		j = strings.Index(page, want)
	}
	if i < 0 || j < i || !strings.Contains(page[j-40:j+len(want)+60], "field-error") || strings.Contains(page[i:j], "</p>\n<p>") {
		t.Errorf("%q is not shown beside the field %s", want, field)
	}
}

// upload posts a multipart form as the imports page does: the CSRF token and the
// kind first, then the file (none when name is "").
func (p *person) upload(path, kind, name string, content []byte) (int, string, string) {
	p.site.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", p.csrf)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	resp, err := p.client.Post(p.site.base+path, w.FormDataContentType(), &body)
	if err != nil {
		p.site.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}
