package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	pngdecode "image/png"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	qr "github.com/piglig/go-qr"
)

// operatorScene is the demo province with a planner and airings of the Tam Kỳ
// district station (DTT-502) that have just started, one tomorrow, and one of
// another station (DTT-503) that has started.
type operatorScene struct {
	*site
	planner *person
	token   string
	// admin reads the audit trail.
	admin string
	// started are DTT-502's airings that have started; later starts tomorrow;
	// other is DTT-503's.
	started []string
	later   string
	other   string
}

// newOperatorScene places the airings a few seconds ahead (a placement starts in
// the future) and waits until they have started.
func newOperatorScene(t *testing.T, started int) *operatorScene {
	t.Helper()
	s := &operatorScene{site: newSite(t)}
	s.planner = s.account("kehoach", []string{"planner"}, "49")
	s.token = login(t, s.base, "kehoach", testPassword)
	s.admin = login(t, s.base, "admin", testPassword)
	item := s.approvedScript()
	t0 := time.Now().Add(3 * time.Second).Truncate(time.Second)
	for i := range started {
		s.started = append(s.started, s.place("DTT-502", item, t0.Add(time.Duration(2*i)*time.Second), 1))
	}
	s.other = s.place("DTT-503", item, t0, 1)
	s.later = s.place("DTT-502", item, time.Now().Add(26*time.Hour).Truncate(time.Hour), 300)
	time.Sleep(time.Until(t0.Add(time.Duration(2*started) * time.Second)))
	return s
}

// api sends a JSON request with the planner's token and decodes the answer.
func (s *operatorScene) api(method, path, body string, want int, dst any) {
	s.t.Helper()
	s.as(s.token, method, path, body, want, dst)
}

func (s *operatorScene) as(token, method, path, body string, want int, dst any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, buf.String())
	}
	if dst != nil {
		if err := json.Unmarshal(buf.Bytes(), dst); err != nil {
			s.t.Fatal(err)
		}
	}
}

// approvedScript is an approved radio script of the demo.
func (s *operatorScene) approvedScript() string {
	var list struct{ Items []struct{ ID, Kind string } }
	s.api("GET", "/api/v1/contents?status=approved&limit=100", "", http.StatusOK, &list)
	for _, it := range list.Items {
		if it.Kind == "radio_script" {
			return it.ID
		}
	}
	s.t.Fatal("the demo has no approved radio script")
	return ""
}

func (s *operatorScene) place(station, item string, start time.Time, seconds int) string {
	var a struct{ ID string }
	s.api("POST", "/api/v1/airings", fmt.Sprintf(`{"station":%q,"campaign":"PCMD-2024","start":%q,"durationSeconds":%d,"content":%q}`,
		station, start.UTC().Format(time.RFC3339), seconds, item), http.StatusCreated, &a)
	return a.ID
}

// link creates an operator link of DTT-502 and returns its path.
func (s *operatorScene) link(name string) (id, path string) {
	var l struct{ ID, Path string }
	s.api("POST", "/api/v1/stations/DTT-502/operator-link", `{"name":"`+name+`"}`, http.StatusCreated, &l)
	return l.ID, l.Path
}

// status is an airing's status as the planner reads it.
func (s *operatorScene) status(id string) string {
	var a struct{ Status string }
	s.api("GET", "/api/v1/airings/"+url.PathEscape(id), "", http.StatusOK, &a)
	return a.Status
}

// confirmations counts the station's confirmations of an airing in the audit trail.
func (s *operatorScene) confirmations(id string) int {
	var trail struct{ Items []struct{ Actor string } }
	req := "/api/v1/audit?entity=airing&limit=1000&entityId=" + url.QueryEscape(id)
	s.as(s.admin, "GET", req, "", http.StatusOK, &trail)
	n := 0
	for _, e := range trail.Items {
		if e.Actor == "station-dtt-502" {
			n++
		}
	}
	return n
}

// phone is someone holding an operator link: a browser without a password, which
// does not follow redirects, and the CSRF token of its pages.
func (s *operatorScene) phone(path string) *person {
	s.t.Helper()
	p := s.anonymous()
	status, _, loc := p.getLocation(path)
	if status != http.StatusSeeOther || loc != "/station" {
		s.t.Fatalf("opening the link: %d to %q, want 303 to /station", status, loc)
	}
	_, page := p.get("/station")
	m := csrfPattern.FindStringSubmatch(page)
	if m == nil {
		s.t.Fatalf("no CSRF token on /station:\n%s", page)
	}
	p.csrf = m[1]
	return p
}

// getLocation is get that also returns the Location of a redirect.
func (p *person) getLocation(path string) (int, string, string) {
	p.site.t.Helper()
	resp, err := p.client.Get(p.site.base + path)
	if err != nil {
		p.site.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.String(), resp.Header.Get("Location")
}

// TestOperatorRefusals: a revoked link, an expired session, another station's
// airing and an airing not yet started are each refused in Vietnamese, and nothing
// is recorded.
func TestOperatorRefusals(t *testing.T) {
	s := newOperatorScene(t, 1)
	id, path := s.link("Anh Ba")
	phone := s.phone(path)
	aired := url.Values{"status": {"aired"}}

	t.Run("another station's airing", func(t *testing.T) {
		status, page := phone.post("/station/airings/"+s.other+"/confirm", aired)
		if status != http.StatusForbidden || !strings.Contains(page, "Buổi phát này thuộc đài khác") {
			t.Errorf("%d\n%s", status, page)
		}
		if got := s.status(s.other); got != "planned" {
			t.Errorf("DTT-503's airing is %s", got)
		}
	})
	t.Run("not started", func(t *testing.T) {
		status, page := phone.post("/station/airings/"+s.later+"/confirm", aired)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Buổi phát này chưa đến giờ") {
			t.Errorf("%d\n%s", status, page)
		}
		if got := s.status(s.later); got == "aired" {
			t.Errorf("the coming airing is %s", got)
		}
	})
	t.Run("no status", func(t *testing.T) {
		status, page := phone.post("/station/airings/"+s.started[0]+"/confirm", url.Values{"note": {"máy hỏng"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Hãy bấm «Đã phát» hoặc «Không phát».") {
			t.Errorf("%d\n%s", status, page)
		}
	})
	t.Run("no CSRF token", func(t *testing.T) {
		status, page := phone.post("/station/airings/"+s.started[0]+"/confirm", url.Values{"status": {"aired"}, "csrf_token": {"giả"}})
		if status != http.StatusForbidden || !strings.Contains(page, "Phiên làm việc không hợp lệ") {
			t.Errorf("%d\n%s", status, page)
		}
	})
	if got, n := s.status(s.started[0]), s.confirmations(s.started[0]); got == "aired" || got == "missed" || n != 0 {
		t.Fatalf("after the refusals the airing is %s with %d confirmations", got, n)
	}
	// The form works without JavaScript.
	if status, _, loc := phone.postLocation("/station/airings/"+s.started[0]+"/confirm", url.Values{"status": {"aired"}, "note": {"đúng giờ"}}); status != http.StatusSeeOther ||
		loc != "/station/airings/"+s.started[0] || s.status(s.started[0]) != "aired" {
		t.Fatalf("confirming: %d to %q, airing %s", status, loc, s.status(s.started[0]))
	}

	t.Run("revoked link", func(t *testing.T) {
		s.api("DELETE", "/api/v1/stations/DTT-502/operator-links/"+id, "", http.StatusNoContent, nil)
		for _, path := range []string{"/station", "/station/airings/" + s.started[0]} {
			if status, page := phone.get(path); status != http.StatusUnauthorized || !strings.Contains(page, "Liên kết không còn hiệu lực") {
				t.Errorf("%s after revocation: %d\n%s", path, status, page)
			}
		}
		status, page := phone.post("/station/airings/"+s.started[0]+"/confirm", url.Values{"status": {"missed"}})
		if status != http.StatusUnauthorized || !strings.Contains(page, "đã hết hạn hoặc đã bị thu hồi") || s.status(s.started[0]) != "aired" {
			t.Errorf("confirming after revocation: %d, airing %s\n%s", status, s.status(s.started[0]), page)
		}
		if status, _, _ := s.anonymous().getLocation(path); status != http.StatusUnauthorized {
			t.Errorf("opening the revoked link: %d, want 401", status)
		}
	})
	t.Run("expired session", func(t *testing.T) {
		var l struct{ Path string }
		s.api("POST", "/api/v1/stations/DTT-502/operator-link",
			`{"name":"Chị Tư","expiresAt":"`+time.Now().Add(2*time.Second).UTC().Format(time.RFC3339Nano)+`"}`, http.StatusCreated, &l)
		p := s.phone(l.Path)
		time.Sleep(2500 * time.Millisecond)
		status, page := p.post("/station/airings/"+s.started[0]+"/confirm", url.Values{"status": {"missed"}})
		if status != http.StatusUnauthorized || !strings.Contains(page, "Liên kết không còn hiệu lực") || s.status(s.started[0]) != "aired" {
			t.Errorf("confirming with an expired session: %d, airing %s\n%s", status, s.status(s.started[0]), page)
		}
	})
	if n := s.confirmations(s.started[0]); n != 1 {
		t.Errorf("%d confirmations recorded, want the one of the form", n)
	}
}

// cuttableProxy forwards a browser's requests to base until cut is set; then it
// closes every connection without an answer, as a phone without a network sees.
func cuttableProxy(t *testing.T, base string) (string, *atomic.Bool) {
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	cut := &atomic.Bool{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cut.Load() {
			forward.ServeHTTP(w, r)
			return
		}
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL, cut
}

// setOffline switches the browser's network off or on, for the page and its
// service worker alike (DevTools network emulation on each target), with
// navigator.onLine and its events.
func setOffline(ctx context.Context, off bool) error {
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		if t.Type != "service_worker" {
			continue
		}
		worker, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(t.TargetID))
		err := chromedp.Do(worker)
		if err == nil {
			err = emulateOffline(worker, off)
		}
		_ = cancel // the worker's session ends with the browser's
		if err != nil {
			return err
		}
	}
	return emulateOffline(ctx, off)
}

// emulateNetworkConditions is DevTools' Network.emulateNetworkConditions, which
// also takes a service worker offline (the rule-based command that replaces it
// does not, in Chromium 14x).
var emulateNetworkConditions = cdp.Command[networkConditions, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type networkConditions struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

func emulateOffline(ctx context.Context, off bool) error {
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	if _, err := chromedp.Call(ctx, emulateNetworkConditions, networkConditions{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
	return err
}

// TestOperatorPhoneOffline: a phone opens its link, lands on the clean address with
// the week, confirms one airing online, two more with the network off, reloads the
// page offline (the service worker answers), and once back online the two
// confirmations reach the server, once each, and nothing waits any more.
//
// The browser reaches the service through a proxy the test cuts, besides
// DevTools' emulation: an emulated offline network still let a request through a
// connection opened before (about one run in four), while a cut proxy answers
// nothing.
func TestOperatorPhoneOffline(t *testing.T) {
	s := newOperatorScene(t, 3)
	_, path := s.link("Anh Ba")
	phone, cut := cuttableProxy(t, s.base)
	ctx := s.browser(360)
	offline := func(off bool) error {
		cut.Store(off)
		return setOffline(ctx, off)
	}
	queue := func(want string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('op-queue').textContent === `+strconv.Quote(want),
			chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Text("#op-state"))
			t.Fatalf("waiting for %q: %v (the page says %q)", want, err, text)
		}
	}
	confirm := func(airing, status string) {
		t.Helper()
		sel := `form[data-airing="` + airing + `"] button[value="` + status + `"]`
		if err := chromedp.Do(ctx, chromedp.Click(sel)); err != nil {
			t.Fatalf("clicking %s: %v", sel, err)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(phone+path), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || loc != phone+"/station" {
		t.Fatalf("after the link: %q, %v; want the clean address /station", loc, err)
	}
	for _, id := range append(slices.Clone(s.started), s.later) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('li[data-airing="`+id+`"]')`)); err != nil {
			t.Fatal(err)
		}
	}
	page, _ := chromedp.Run(ctx, chromedp.Text("main"))
	for _, id := range append(slices.Clone(s.started), s.later) {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('li[data-airing="`+id+`"]').length`))
		if err != nil || n != 1 {
			t.Fatalf("airing %s listed %d times (%v):\n%s", id, n, err, page)
		}
	}
	// The service worker controls the page and keeps the week for offline use.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.controller !== null`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("no service worker: %v", err)
	}
	kept := `caches.open('loa-station-1').then((c) => c.keys()).then((ks) => ks.map((r) => new URL(r.url).pathname))`
	want := []string{"/station", "/station/airings/" + s.started[1], "/station/airings/" + s.later, "/static/operator.js"}
	if _, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`async (want) => { const ks = await `+kept+`; return want.every((w) => ks.includes(w)); }`,
		chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](kept, chromedp.EvalAwaitPromise))
		t.Fatalf("the week is not kept: %v; kept %v", err, got)
	}

	// Online: the answer shows at once and reaches the server.
	confirm(s.started[0], "aired")
	queue("chưa gửi: 0")
	if got := s.status(s.started[0]); got != "aired" {
		t.Fatalf("after confirming online the airing is %s", got)
	}

	// Offline: two more wait in the phone, also across a reload.
	if err := offline(true); err != nil {
		t.Fatal(err)
	}
	// The phone knows it is offline before the operator taps (an open connection
	// may outlive the emulation; the page sends nothing while the phone is offline).
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.onLine === false`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("the phone does not go offline: %v", err)
	}
	confirm(s.started[1], "aired")
	if err := chromedp.Do(ctx, chromedp.SendKeys(`form[data-airing="`+s.started[2]+`"] input[name=note]`, "mất điện")); err != nil {
		t.Fatal(err)
	}
	confirm(s.started[2], "missed")
	queue("chưa gửi: 2")
	if a, b := s.status(s.started[1]), s.status(s.started[2]); a == "aired" || b == "missed" {
		t.Fatalf("the server has the offline confirmations before the network is back: %s, %s", a, b)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible("h1")); err != nil {
		t.Fatalf("reloading offline: %v", err)
	}
	queue("chưa gửi: 2")
	// The page came from the service worker: the network is really off for it too.
	if reached, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch('/healthz').then((r) => r.status === 200, () => false)`, chromedp.EvalAwaitPromise)); err != nil || reached {
		t.Fatalf("offline, the server is still reached (%v)", err)
	}
	if text, _ := chromedp.Run(ctx, chromedp.Text(`li[data-airing="`+s.started[2]+`"] .op-status`)); !strings.Contains(text, "Không phát") {
		t.Errorf("offline, after the reload, the missed airing shows %q", text)
	}

	// Back online: one batch, each recorded once.
	if err := offline(false); err != nil {
		t.Fatal(err)
	}
	queue("chưa gửi: 0")
	if a, b := s.status(s.started[1]), s.status(s.started[2]); a != "aired" || b != "missed" {
		t.Errorf("after the network is back: %s and %s, want aired and missed", a, b)
	}
	for _, id := range s.started {
		if n := s.confirmations(id); n != 1 {
			t.Errorf("airing %s confirmed %d times on the server, want once", id, n)
		}
	}
}

// TestOperatorLinksPage: a planner creates a phone's link on the station's page,
// sees it once with its QR code, sees it listed with its last use, and revokes it;
// a bad input is refused beside its field and writes nothing; a viewer gets the 403
// page.
func TestOperatorLinksPage(t *testing.T) {
	s := newSite(t)
	planner := s.account("kehoach", []string{"planner"}, "49")
	const page = "/stations/DTT-502/operator-links"
	count := func() int {
		_, body := planner.get(page)
		return strings.Count(body, `/revoke"`)
	}

	t.Run("bad input", func(t *testing.T) {
		for _, tt := range []struct {
			name  string
			form  url.Values
			field string
			want  string
		}{
			{"no name", url.Values{"name": {"  "}, "expires": {"2099-01-01"}}, "name", "Đặt tên từ 1 đến 100 ký tự để nhận ra mã này."},
			{"a date in the past", url.Values{"name": {"Anh Ba"}, "expires": {"01/01/2020"}}, "expires", "Ngày hết hạn phải ở tương lai."},
			{"not a date", url.Values{"name": {"Anh Ba"}, "expires": {"mai"}}, "expires", "Chọn một ngày hết hạn hợp lệ."},
			{"more than a year", url.Values{"name": {"Anh Ba"}, "expires": {"31/12/2099"}}, "expires", "Liên kết có hạn tối đa một năm."},
		} {
			status, body := planner.post(page, tt.form)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) ||
				!strings.Contains(body, `value="`+tt.form.Get(tt.field)+`"`) {
				t.Errorf("%s: %d, want 422 with %q and the value kept\n%s", tt.name, status, tt.want, body)
			}
		}
		if n := count(); n != 0 {
			t.Errorf("%d links after refused forms", n)
		}
	})

	status, body := planner.post(page, url.Values{"name": {"Anh Ba"}})
	m := regexp.MustCompile(`<code class="copy">(http://[^<]+/o/(loa_[A-Za-z0-9_-]+))</code>`).FindStringSubmatch(body)
	if status != http.StatusCreated || m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("creating a link: %d\n%s", status, body)
	}
	// The QR code reads back as the link.
	png := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(body)
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(png[1]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := pngdecode.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if text, err := qr.Decode(img); err != nil || text != m[1] {
		t.Errorf("the QR code reads %q (%v), want %q", text, err, m[1])
	}
	if _, again := planner.get(page); strings.Contains(again, m[2]) {
		t.Error("the link's secret is shown again")
	}
	// The phone opens it; the list shows its last use.
	phone := s.anonymous()
	if status, _, loc := phone.getLocation("/o/" + m[2]); status != http.StatusSeeOther || loc != "/station" {
		t.Fatalf("opening the link: %d to %q", status, loc)
	}
	if status, _ := phone.get("/station"); status != http.StatusOK {
		t.Fatalf("/station: %d", status)
	}
	_, body = planner.get(page)
	if !strings.Contains(body, "Anh Ba") || strings.Contains(body, "Chưa dùng") {
		t.Errorf("the list does not show the link's last use:\n%s", body)
	}
	revoke := regexp.MustCompile(`action="(` + page + `/[0-9a-f]+/revoke)"`).FindStringSubmatch(body)
	if revoke == nil {
		t.Fatalf("no revoke button:\n%s", body)
	}
	if status, _, loc := planner.postLocation(revoke[1], url.Values{}); status != http.StatusSeeOther || loc != page {
		t.Fatalf("revoking: %d to %q", status, loc)
	}
	if n := count(); n != 0 {
		t.Errorf("%d links after revoking the only one", n)
	}
	if status, _ := phone.get("/station"); status != http.StatusUnauthorized {
		t.Errorf("/station after revocation: %d, want 401", status)
	}

	viewer := s.account("theodoi", []string{"viewer"}, "49")
	for _, do := range []func() (int, string){
		func() (int, string) { return viewer.get(page) },
		func() (int, string) { return viewer.post(page, url.Values{"name": {"x"}}) },
	} {
		if status, body := do(); status != http.StatusForbidden || !strings.Contains(body, "Không có quyền truy cập") {
			t.Errorf("a viewer: %d\n%s", status, body)
		}
	}
}
