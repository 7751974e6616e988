package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesAskToSignInAndComeBack: a page opened without a session asks to sign in
// and returns to it afterwards; a "next" to another site is ignored.
func TestPagesAskToSignInAndComeBack(t *testing.T) {
	s := newSite(t)
	anon := s.anonymous()
	resp, err := anon.client.Get(s.base + "/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fme" {
		t.Errorf("/me without a session: %d to %q, want 303 to /login?next=%%2Fme", resp.StatusCode, loc)
	}
	for next, want := range map[string]string{"/me": "/me", "https://evil.example/": "/", "//evil.example/": "/"} {
		form := loginForm(t, anon.client, s.base, "admin", testPassword)
		form.Set("next", next)
		status, _, loc := anon.postLocation("/login", form)
		if status != http.StatusSeeOther || loc != want {
			t.Errorf("signing in with next=%q: %d to %q, want 303 to %q", next, status, loc, want)
		}
	}
}

// TestUnknownPageIsVietnamese: an unknown path outside the API answers a page, the
// API keeps its JSON.
func TestUnknownPageIsVietnamese(t *testing.T) {
	s := newSite(t)
	status, page := s.admin().get("/khong-co")
	if status != http.StatusNotFound || !strings.Contains(page, "Không tìm thấy trang") || !strings.Contains(page, "<title>") {
		t.Errorf("unknown page: %d\n%s", status, page)
	}
	resp, err := http.Get(s.base + "/api/v1/khong-co")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API path: %d %s, want a JSON 404", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestChangePasswordForm: every bad input is refused beside its field and changes
// nothing; a form without the CSRF token is refused with the 403 page.
func TestChangePasswordForm(t *testing.T) {
	s := newSite(t)
	me := s.account("thu.nguyen", []string{"planner"}, "49")
	const newPassword = "một mật khẩu mới dài"
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"wrong current password", url.Values{"oldPassword": {"sai mật khẩu"}, "newPassword": {newPassword}, "confirmPassword": {newPassword}},
			http.StatusUnprocessableEntity, "Mật khẩu hiện tại không đúng."},
		{"no current password", url.Values{"newPassword": {newPassword}, "confirmPassword": {newPassword}},
			http.StatusUnprocessableEntity, "Nhập mật khẩu hiện tại."},
		{"too short", url.Values{"oldPassword": {testPassword}, "newPassword": {"ngắn"}, "confirmPassword": {"ngắn"}},
			http.StatusUnprocessableEntity, "Mật khẩu cần ít nhất 10 ký tự."},
		{"not confirmed", url.Values{"oldPassword": {testPassword}, "newPassword": {newPassword}, "confirmPassword": {"khác"}},
			http.StatusUnprocessableEntity, "Hai lần nhập mật khẩu mới không khớp."},
		{"no CSRF token", url.Values{"csrf_token": {""}, "oldPassword": {testPassword}, "newPassword": {newPassword}, "confirmPassword": {newPassword}},
			http.StatusForbidden, "Phiên làm việc không hợp lệ"},
		{"wrong CSRF token", url.Values{"csrf_token": {"giả"}, "oldPassword": {testPassword}, "newPassword": {newPassword}, "confirmPassword": {newPassword}},
			http.StatusForbidden, "Phiên làm việc không hợp lệ"},
	}
	for _, tt := range tests {
		status, page := me.post("/me/password", tt.form)
		if status != tt.status || !strings.Contains(page, tt.want) {
			t.Errorf("%s: %d, want %d with %q", tt.name, status, tt.status, tt.want)
		}
		if tt.status == http.StatusUnprocessableEntity && !strings.Contains(page, `class="field-error"`) {
			t.Errorf("%s: the message is not beside a field", tt.name)
		}
		// Nothing was written: the old password still signs in.
		s.signIn("thu.nguyen", testPassword)
	}
	status, _, loc := me.postLocation("/me/password", url.Values{"oldPassword": {testPassword}, "newPassword": {newPassword}, "confirmPassword": {newPassword}})
	if status != http.StatusSeeOther || loc != "/me" {
		t.Fatalf("changing the password: %d to %q", status, loc)
	}
	_, page := me.get("/me")
	if !strings.Contains(page, "Đã đổi mật khẩu") {
		t.Errorf("no confirmation after changing the password")
	}
	s.signIn("thu.nguyen", newPassword)
}

// TestAPITokenForm: a token is shown once on creation, listed by name, revoked from
// the list; a bad name or date is refused beside its field and issues nothing.
func TestAPITokenForm(t *testing.T) {
	s := newSite(t)
	me := s.account("an.tran", []string{"reporter"}, "49")
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", url.Values{"name": {" "}}, "Đặt tên từ 1 đến 100 ký tự"},
		{"past expiry", url.Values{"name": {"Bảng tính"}, "expires": {"01/01/2020"}}, "Ngày hết hạn phải ở tương lai."},
		{"not a date", url.Values{"name": {"Bảng tính"}, "expires": {"31/02/2030"}}, "Chọn một ngày hết hạn hợp lệ."},
		{"beyond a year", url.Values{"name": {"Bảng tính"}, "expires": {"2099-01-01"}}, "tối đa một năm"},
	} {
		status, page := me.post("/me/tokens", tt.form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, tt.want) {
			t.Errorf("%s: %d, want 422 with %q", tt.name, status, tt.want)
		}
		if tt.form.Get("name") != " " && !strings.Contains(page, `value="Bảng tính"`) {
			t.Errorf("%s: the name entered is not kept in the form", tt.name)
		}
	}
	if _, page := me.get("/me"); strings.Contains(page, "Thu hồi") {
		t.Fatal("a refused form issued a token")
	}
	status, page := me.post("/me/tokens", url.Values{"name": {"Bảng tính quý"}})
	secret := strings.TrimSpace(between(page, `<code class="copy">`, `</code>`))
	if status != http.StatusCreated || len(secret) < 20 {
		t.Fatalf("creating a token: %d, secret %q", status, secret)
	}
	if status := get(t, s.base+"/api/v1/me", secret, nil); status != http.StatusOK {
		t.Errorf("the new token does not work: %d", status)
	}
	_, page = me.get("/me")
	if strings.Contains(page, secret) || !strings.Contains(page, "Bảng tính quý") {
		t.Fatal("the list shows the secret again, or not the token's name")
	}
	id := between(page, `action="/me/tokens/`, `/revoke"`)
	if status, _, _ := me.postLocation("/me/tokens/"+id+"/revoke", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("revoking: %d", status)
	}
	if status := get(t, s.base+"/api/v1/me", secret, nil); status != http.StatusUnauthorized {
		t.Errorf("the revoked token still works: %d", status)
	}
}

// TestAccountPageOnAPhone signs in and creates a token in a real browser, 360 px
// wide: the page has no horizontal scroll and shows the secret.
func TestAccountPageOnAPhone(t *testing.T) {
	s := newSite(t)
	s.account("hoa.le", []string{"planner"}, "49")
	ctx := s.browser(360)
	s.browserSignIn(ctx, "hoa.le", testPassword)
	err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/me"), chromedp.WaitVisible("#name"),
		chromedp.SendKeys("#name", "Điện thoại"), chromedp.Submit("#name"), chromedp.WaitVisible("code.copy"))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text("code.copy"))
	if err != nil {
		t.Fatal(err)
	}
	scrollWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.TrimSpace(secret)) < 20 {
		t.Errorf("secret shown: %q", secret)
	}
	if scrollWidth > 360 {
		t.Errorf("the account page is %d px wide on a 360 px phone", scrollWidth)
	}
}

// between is the text of s between the first from and the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(rest, to)
	return in
}
