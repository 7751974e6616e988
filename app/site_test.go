package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// site is a running Loa with the demo province, for the tests of its pages.
type site struct {
	t    *testing.T
	base string
	logs *syncBuffer
}

// newSite starts the service for one test. The test runs in parallel with the
// other tests of the pages: each has its own service, data directory and port.
func newSite(t *testing.T) *site {
	t.Helper()
	t.Parallel()
	base, logs, stop := startApp(t, t.TempDir(), map[string]string{"LOA_ADMIN_PASSWORD": testPassword})
	t.Cleanup(stop)
	return &site{t: t, base: base, logs: logs}
}

// person is someone signed in on the pages, with the CSRF token of the session.
type person struct {
	site   *site
	client *http.Client
	csrf   string
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// anonymous is a browser without a session, which does not follow redirects.
func (s *site) anonymous() *person {
	jar, _ := cookiejar.New(nil)
	return &person{site: s, client: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs username in through the sign-in form.
func (s *site) signIn(username, password string) *person {
	s.t.Helper()
	p := s.anonymous()
	status, _ := p.post("/login", loginForm(s.t, p.client, s.base, username, password))
	if status != http.StatusSeeOther {
		s.t.Fatalf("signing in %s: %d, want 303", username, status)
	}
	_, page := p.get("/")
	m := csrfPattern.FindStringSubmatch(page)
	if m == nil {
		s.t.Fatalf("no CSRF token on the start page of %s", username)
	}
	p.csrf = m[1]
	return p
}

// admin is the admin account signed in.
func (s *site) admin() *person { return s.signIn("admin", testPassword) }

// account creates an account with roles and scope (through the API, as the admin)
// and signs it in.
func (s *site) account(username string, roles []string, scope string) *person {
	s.t.Helper()
	token := login(s.t, s.base, "admin", testPassword)
	body := `{"username":"` + username + `","displayName":"Cán bộ ` + username + `","roles":["` + strings.Join(roles, `","`) +
		`"],"scope":"` + scope + `","password":"` + testPassword + `"}`
	req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		s.t.Fatalf("creating account %s: %d", username, resp.StatusCode)
	}
	return s.signIn(username, testPassword)
}

// get fetches a page; redirects are not followed.
func (p *person) get(path string) (int, string) {
	p.site.t.Helper()
	resp, err := p.client.Get(p.site.base + path)
	if err != nil {
		p.site.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form with the session's CSRF token (unless the form sets its own);
// redirects are not followed.
func (p *person) post(path string, form url.Values) (int, string) {
	p.site.t.Helper()
	status, body, _ := p.postLocation(path, form)
	return status, body
}

// postLocation is post that also returns the Location of a redirect.
func (p *person) postLocation(path string, form url.Values) (int, string, string) {
	p.site.t.Helper()
	if _, set := form["csrf_token"]; !set && p.csrf != "" {
		form.Set("csrf_token", p.csrf)
	}
	resp, err := p.client.PostForm(p.site.base+path, form)
	if err != nil {
		p.site.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// chromium finds the browser for the browser tests, or skips the test: CI installs
// Debian's chromium; elsewhere the tests say what they need.
func chromium(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("LOA_CHROMIUM"); path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("browser test skipped: no Chromium found (install Debian's chromium, or set LOA_CHROMIUM to a Chrome binary)")
	return ""
}

// browser starts a headless Chromium at a width in CSS pixels (360 for a phone) and
// returns its context, bounded to a few minutes.
func (s *site) browser(width int64) context.Context {
	s.t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(s.t)), chromedp.NoSandbox,
		chromedp.WindowSize(int(width), 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	s.t.Cleanup(func() { cancel(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		s.t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// browserSignIn signs username in through the sign-in page in the browser.
func (s *site) browserSignIn(ctx context.Context, username, password string) {
	s.t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/login"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", username), chromedp.SendKeys("#password", password),
		chromedp.Click("button[type=submit]"), chromedp.WaitVisible("header.top nav")); err != nil {
		s.t.Fatalf("signing in %s in the browser: %v", username, err)
	}
}
