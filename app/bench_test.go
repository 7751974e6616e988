package main

// Benchmarks of the whole service over real HTTP (DESIGN §10). They run only with
// -bench; plain `go test` runs none of this file's code. BENCHMARKS.md records the
// commands and the figures.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"loa/campaigns/reach/reachgen"
)

const (
	benchPassword = "bench horse battery staple"
	// benchConns is the number of concurrent connections of the load benchmarks.
	benchConns = 64
)

// benchLoa is a Loa started in-process exactly as run starts it, on a listener of
// its own, with an HTTP client able to hold benchConns connections to it.
type benchLoa struct {
	URL    string // http://127.0.0.1:port
	Client *http.Client

	cancel context.CancelFunc
	done   chan error
}

// startLoa boots the service on dir (creating it on the first start) the way run
// does, and returns once it listens; it does not wait for /readyz. Stop it with stop.
// (startApp and login in app_test.go take a *testing.T, so benchmarks cannot use them.)
func startLoa(tb testing.TB, dir string) *benchLoa {
	tb.Helper()
	getenv := env(map[string]string{"LOA_ADMIN_PASSWORD": benchPassword})
	cfg, err := loadConfig([]string{"--data", dir, "--addr", "127.0.0.1:0", "--log-level", "error"}, getenv, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	log, err := newLogger(cfg, os.Stderr)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	ln, err := listen(cfg.Addr)
	if err != nil {
		cancel()
		_ = a.close()
		tb.Fatal(err)
	}
	l := &benchLoa{URL: "http://" + ln.Addr().String(), Client: loadClient(), cancel: cancel, done: make(chan error, 1)}
	go func() { l.done <- a.serve(ctx, ln) }()
	return l
}

// stop shuts the service down and waits for serve to return.
func (l *benchLoa) stop(tb testing.TB) {
	tb.Helper()
	l.Client.CloseIdleConnections()
	l.cancel()
	if err := <-l.done; err != nil {
		tb.Error("serve:", err)
	}
}

// waitReady polls /readyz until it answers 200.
func (l *benchLoa) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := l.Client.Get(l.URL + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("/readyz not 200 after 10 s (last error %v)", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// get fetches path with the token and returns the body of a 200.
func (l *benchLoa) get(tb testing.TB, path, token string) []byte {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, l.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := l.Client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d, error %v", path, resp.StatusCode, err)
	}
	return body
}

// loadClient is an HTTP client that keeps up to benchConns connections per host
// and asks for no compression (the service sends none either).
func loadClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        2 * benchConns,
		MaxIdleConnsPerHost: benchConns,
		MaxConnsPerHost:     benchConns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}}
}

// startBareGin serves body as application/json on GET path (its query ignored)
// from a bare gin engine (release mode, no middleware): the baseline of DESIGN
// §10's throughput ratios.
func startBareGin(tb testing.TB, path string, body []byte) (url string, stop func()) {
	tb.Helper()
	return startBareHandler(tb, path, func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) })
}

// startBareHandler serves GET path (its query ignored) with handle alone from a
// bare gin engine (release mode, no middleware).
func startBareHandler(tb testing.TB, path string, handle gin.HandlerFunc) (url string, stop func()) {
	tb.Helper()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	route, _, _ := strings.Cut(path, "?")
	r.GET(route, handle)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}
}

// comparison is a running Loa, signed in, and a bare gin server answering the same
// bytes as Loa answers to path: the setup of every "Loa against bare gin" benchmark.
type comparison struct {
	Loa     *benchLoa
	Token   string
	Path    string
	Body    []byte // Loa's answer to Path, served as is by the bare server
	BareURL string // the bare server's URL of Path
	stop    func()
}

// startComparison boots Loa on a fresh data directory (demo loaded), signs in,
// fetches path once and starts the bare gin server on those bytes. It is torn down
// when b ends.
func startComparison(b *testing.B, path string) *comparison {
	b.Helper()
	l := startLoa(b, b.TempDir())
	l.waitReady(b)
	c := &comparison{Loa: l, Token: login(b, l.URL, "admin", benchPassword), Path: path}
	c.Body = l.get(b, path, c.Token)
	bare, stopBare := startBareGin(b, path, c.Body)
	c.BareURL = bare + path
	bareClient := loadClient()
	c.stop = func() {
		bareClient.CloseIdleConnections()
		stopBare()
		l.stop(b)
	}
	b.Cleanup(c.stop)
	return c
}

// run runs the sub-benchmarks "loa" and "bare-gin", one after the other in the same
// process, each with benchConns concurrent connections.
func (c *comparison) run(b *testing.B) {
	b.Run("loa", func(b *testing.B) {
		loadHTTP(b, c.Loa.Client, c.Loa.URL+c.Path, "Bearer "+c.Token, len(c.Body))
	})
	b.Run("bare-gin", func(b *testing.B) {
		client := loadClient()
		defer client.CloseIdleConnections()
		loadHTTP(b, client, c.BareURL, "", len(c.Body))
	})
}

// loadHTTP GETs url b.N times from benchConns goroutines (one connection each at
// most), checks every answer (200, wantLen bytes) and reports req/s, p50-ms and
// p99-ms besides ns/op.
func loadHTTP(b *testing.B, client *http.Client, url, auth string, wantLen int) {
	header := http.Header{}
	if auth != "" {
		header.Set("Authorization", auth)
	}
	loadRequests(b, client, url, header, http.StatusOK, wantLen)
}

// loadRequests is loadHTTP with the request headers and the status every answer
// must have.
func loadRequests(b *testing.B, client *http.Client, url string, header http.Header, wantStatus, wantLen int) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchConns + procs - 1) / procs)
	var (
		mu  sync.Mutex
		all []time.Duration
	)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		defer func() {
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
		for pb.Next() {
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err != nil {
				b.Error(err)
				return
			}
			req.Header = header.Clone()
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, err := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			mine = append(mine, time.Since(start))
			if err != nil || resp.StatusCode != wantStatus || n != int64(wantLen) {
				b.Errorf("GET %s: status %d (want %d), %d bytes (want %d), error %v", url, resp.StatusCode, wantStatus, n, wantLen, err)
				return
			}
		}
	})
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		i := min(int(p*float64(len(all))), len(all)-1)
		return float64(all[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkOrgUnitsCommunes compares GET /api/v1/orgunits?level=commune (signed in)
// with a bare gin handler answering the same bytes, side by side in one run.
func BenchmarkOrgUnitsCommunes(b *testing.B) {
	startComparison(b, "/api/v1/orgunits?level=commune").run(b)
}

// BenchmarkStartExisting measures start-up to ready on an existing data directory
// (demo already loaded): loadConfig, newApp, listen, serve, /readyz 200. Shutting
// down is outside the timer and reported as stop-ms.
func BenchmarkStartExisting(b *testing.B) {
	dir := b.TempDir()
	first := startLoa(b, dir)
	first.waitReady(b)
	first.stop(b)

	var stopping time.Duration
	for b.Loop() {
		l := startLoa(b, dir)
		l.waitReady(b)
		b.StopTimer()
		t := time.Now()
		l.stop(b)
		stopping += time.Since(t)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/op")
	b.ReportMetric(float64(stopping)/float64(time.Millisecond)/float64(b.N), "stop-ms")
}

// call sends method path with in as its JSON body (nil for none) and token, checks
// the answer has status want and decodes it into out (nil to skip).
func (l *benchLoa) call(tb testing.TB, method, path, token string, in any, want int, out any) {
	tb.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, l.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := l.Client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != want {
		tb.Fatalf("%s %s: status %d (want %d), error %v: %s", method, path, resp.StatusCode, want, err, answer)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			tb.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// benchStation is the commune loudspeaker system whose feed the station benchmark
// pulls: Tân Thạnh, a ward of Tam Kỳ, one of the demo's 241 commune systems.
const benchStation = "LOA-20335"

// stationFeed is a running Loa in which benchStation has airings over the next 7
// days, its station token, the feed's path, body and ETag, and two bare gin servers:
// one answering the same body, one answering 304 with no body.
type stationFeed struct {
	Loa      *benchLoa
	Token    string // the station's
	Path     string // the feed of the next 7 days (the default window, from now)
	Body     []byte
	ETag     string
	Items    int
	BareURL  string // answers Body
	Bare304  string // answers 304 Not Modified with the ETag and no body
	Airings  int    // materialised for the station, over the 35-day horizon
	Contents int    // approved scripts in the rule's pool
}

// startStationFeed boots Loa on a fresh data directory with the demo and, through
// the API as its users would, gives benchStation a schedule: the admin creates a
// campaign running this year and next, a planner and an approver; copies the
// demo's approved Vietnamese radio scripts into that campaign (the demo's are valid
// in 2024 only) and has the approver approve them; the planner adds a rule of three
// 5-minute slots a day on the station (06:30, 11:30, 17:30) from yesterday; the
// admin runs the materialize job and issues the station's token. The feed is then
// pulled until it is stable (the first pull records delivery, changing statuses).
func startStationFeed(b *testing.B) *stationFeed {
	b.Helper()
	l := startLoa(b, b.TempDir())
	b.Cleanup(func() { l.stop(b) })
	l.waitReady(b)
	admin := login(b, l.URL, "admin", benchPassword)
	now := time.Now().UTC()

	const campaign = "BENCH-FEED"
	l.call(b, "POST", "/api/v1/campaigns", admin, map[string]any{
		"code": campaign, "title": "Tuyên truyền phòng, chống mại dâm (benchmark)",
		"period":     map[string]string{"start": fmt.Sprintf("%d-01-01", now.Year()), "end": fmt.Sprintf("%d-12-31", now.Year()+1)},
		"legalBasis": "Kế hoạch số 1/KH-UBND", "ownerAgency": "UBND tỉnh Quảng Nam", "secretariat": "Công an tỉnh",
		"description": "Đo tải lịch phát của trạm.",
	}, http.StatusCreated, nil)
	password := "password of the " + benchPassword
	for _, u := range []struct{ name, role string }{{"bench-planner", "planner"}, {"bench-approver", "approver"}} {
		l.call(b, "POST", "/api/v1/users", admin, map[string]any{"username": u.name, "displayName": u.name, "roles": []string{u.role},
			"scope": "49", "active": true, "password": password}, http.StatusCreated, nil)
	}
	planner, approver := login(b, l.URL, "bench-planner", password), login(b, l.URL, "bench-approver", password)

	var demo struct {
		Items []struct {
			Title, Body, Language string
			Groups, Tags          []string
			SlotSeconds           int
		}
	}
	l.call(b, "GET", "/api/v1/contents?kind=radio_script&language=vi&status=approved", admin, nil, http.StatusOK, &demo)
	if len(demo.Items) == 0 {
		b.Fatal("the demo has no approved Vietnamese radio script")
	}
	for _, it := range demo.Items {
		var made struct{ ID string }
		l.call(b, "POST", "/api/v1/contents", admin, map[string]any{"kind": "radio_script", "title": it.Title, "body": it.Body,
			"groups": it.Groups, "language": it.Language, "tags": it.Tags, "campaigns": []string{campaign}, "slotSeconds": it.SlotSeconds},
			http.StatusCreated, &made)
		l.call(b, "POST", "/api/v1/contents/"+made.ID+"/submit", admin, nil, http.StatusOK, nil)
		l.call(b, "POST", "/api/v1/contents/"+made.ID+"/approve", approver, nil, http.StatusOK, nil)
	}

	l.call(b, "POST", "/api/v1/rules", planner, map[string]any{"campaign": campaign, "title": "Loa phường Tân Thạnh, ba buổi mỗi ngày",
		"stations": []string{benchStation}, "rrule": "FREQ=DAILY;BYHOUR=6,11,17;BYMINUTE=30",
		"startDate": now.AddDate(0, 0, -1).Format(time.DateOnly), "until": fmt.Sprintf("%d-12-31", now.Year()+1),
		"durationSeconds": 300, "pool": map[string]any{"campaign": campaign}}, http.StatusCreated, nil)
	var run struct{ Error, Result string }
	l.call(b, "POST", "/api/v1/jobs/materialize/run", admin, nil, http.StatusOK, &run)
	if run.Error != "" {
		b.Fatalf("materialize: %s", run.Error)
	}
	f := &stationFeed{Loa: l, Contents: len(demo.Items)}
	var airings struct{ Total int }
	l.call(b, "GET", "/api/v1/airings?station="+benchStation+"&limit=1&from="+now.AddDate(0, 0, -1).Format(time.DateOnly)+
		"&to="+now.AddDate(0, 0, 40).Format(time.DateOnly), admin, nil, http.StatusOK, &airings)
	f.Airings = airings.Total
	var tok struct{ Secret string }
	l.call(b, "POST", "/api/v1/stations/"+benchStation+"/token", admin, nil, http.StatusCreated, &tok)
	f.Token = tok.Secret

	f.Path = "/api/v1/station/schedule"
	pull := func() ([]byte, string) {
		req, err := http.NewRequest(http.MethodGet, l.URL+f.Path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.Token)
		resp, err := l.Client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
			b.Fatalf("GET %s: status %d, ETag %q, error %v: %.300s", f.Path, resp.StatusCode, resp.Header.Get("ETag"), err, body)
		}
		return body, resp.Header.Get("ETag")
	}
	_, first := pull() // records delivery
	f.Body, f.ETag = pull()
	if again, etag := pull(); etag != f.ETag || len(again) != len(f.Body) {
		b.Fatalf("the feed is not stable across pulls: ETag %s then %s, %d then %d bytes", f.ETag, etag, len(f.Body), len(again))
	}
	var feed struct{ Items []json.RawMessage }
	if err := json.Unmarshal(f.Body, &feed); err != nil || len(feed.Items) == 0 {
		b.Fatalf("feed of %s: %d items, error %v", benchStation, len(feed.Items), err)
	}
	f.Items = len(feed.Items)

	bare, stopBare := startBareGin(b, f.Path, f.Body)
	b.Cleanup(stopBare)
	f.BareURL = bare + f.Path
	bare304, stop304 := startBareHandler(b, f.Path, func(c *gin.Context) {
		c.Header("ETag", f.ETag)
		c.Status(http.StatusNotModified)
	})
	b.Cleanup(stop304)
	f.Bare304 = bare304 + f.Path
	b.Logf("%s: %d airings materialised, %d approved scripts in the pool; feed of the next 7 days: %d items, %d bytes, ETag %s (first pull %s)",
		benchStation, f.Airings, f.Contents, f.Items, len(f.Body), f.ETag, first)
	return f
}

// BenchmarkStationSchedule compares a station's pull of its next 7 days
// (GET /api/v1/station/schedule with its token, JSON, no gzip) with a bare gin
// handler answering the same bytes, and the pull with If-None-Match of the current
// ETag (304, no body) with a bare gin handler answering 304, side by side in one
// run at benchConns connections (issue 6, DESIGN §10). The window starts at the
// time of each request, so when one of the rule's slots (06:30, 11:30, 17:30 in
// the zone) passes during a run, one airing leaves and another enters, and the run
// fails on the changed body or ETag: run it again.
func BenchmarkStationSchedule(b *testing.B) {
	f := startStationFeed(b)
	auth := http.Header{"Authorization": {"Bearer " + f.Token}}
	conditional := http.Header{"Authorization": {"Bearer " + f.Token}, "If-None-Match": {f.ETag}}
	bareClient := loadClient()
	defer bareClient.CloseIdleConnections()
	b.Run("loa", func(b *testing.B) {
		loadRequests(b, f.Loa.Client, f.Loa.URL+f.Path, auth, http.StatusOK, len(f.Body))
	})
	b.Run("bare-gin", func(b *testing.B) {
		loadRequests(b, bareClient, f.BareURL, http.Header{}, http.StatusOK, len(f.Body))
	})
	b.Run("loa-304", func(b *testing.B) {
		loadRequests(b, f.Loa.Client, f.Loa.URL+f.Path, conditional, http.StatusNotModified, 0)
	})
	b.Run("bare-gin-304", func(b *testing.B) {
		loadRequests(b, bareClient, f.Bare304, http.Header{"If-None-Match": {f.ETag}}, http.StatusNotModified, 0)
	})
}

// reportCampaign and reportPath are the report of issue 7's budget: the demo
// campaign's, as of the end of its year, for the reader's scope (the province).
const (
	reportCampaign = "PCMD-2024"
	reportPath     = "/api/v1/campaigns/" + reportCampaign + "/report?asOf=2024-12-31"
	reportRecords  = 1_000_000
)

// reportYear is a running Loa whose demo campaign holds reportRecords reach
// records besides the demo's, imported through the API, and a signed-in admin.
type reportYear struct {
	Loa   *benchLoa
	Admin string
}

// startReportYear boots Loa on a fresh data directory with the demo, has an admin
// create a province-wide reporter, and has the reporter import reachgen.Year's 36
// files (POST /api/v1/reach/import, about 2.2 MB each, well under the 20 MiB
// limit) one after the other. It logs the import's rate.
func startReportYear(b *testing.B) *reportYear {
	b.Helper()
	l := startLoa(b, b.TempDir())
	b.Cleanup(func() { l.stop(b) })
	l.waitReady(b)
	admin := login(b, l.URL, "admin", benchPassword)
	password := "password of the " + benchPassword
	l.call(b, "POST", "/api/v1/users", admin, map[string]any{"username": "bench-reporter", "displayName": "bench-reporter",
		"roles": []string{"reporter"}, "scope": "49", "active": true, "password": password}, http.StatusCreated, nil)
	reporter := login(b, l.URL, "bench-reporter", password)
	var units []reachgen.Unit
	for _, level := range []string{"province", "district", "commune"} {
		var page struct{ Items []reachgen.Unit }
		l.call(b, "GET", "/api/v1/orgunits?at=2024-06-01&level="+level, admin, nil, http.StatusOK, &page)
		units = append(units, page.Items...)
	}
	files := reachgen.Year(units, reportRecords)
	start := time.Now()
	var slowest time.Duration
	for i, file := range files {
		req, err := http.NewRequest(http.MethodPost, l.URL+"/api/v1/reach/import?campaign="+reportCampaign, bytes.NewReader(file))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+reporter)
		t := time.Now()
		resp, err := l.Client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var sum struct {
			Read, Imported int
			Conflicts      []json.RawMessage
		}
		err = json.NewDecoder(resp.Body).Decode(&sum)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || sum.Imported != sum.Read || len(sum.Conflicts) > 0 {
			b.Fatalf("import of file %d: status %d, read %d, imported %d, %d conflicts %.300s, %v", i, resp.StatusCode,
				sum.Read, sum.Imported, len(sum.Conflicts), sum.Conflicts, err)
		}
		slowest = max(slowest, time.Since(t))
	}
	took := time.Since(start)
	b.Logf("imported %d reach records (%d units) in %d files over HTTP in %v: %.0f rows/s; slowest file %v", reportRecords, len(units),
		len(files), took.Round(time.Millisecond), reportRecords/took.Seconds(), slowest.Round(time.Millisecond))
	return &reportYear{Loa: l, Admin: admin}
}

// sequentialRequests GETs url b.N times, one request at a time on one kept-alive
// connection, checks every answer (wantStatus; wantLen bytes unless negative) and
// reports the latency's p50-ms, p99-ms and max-ms, and the body's size, besides
// ns/op.
func sequentialRequests(b *testing.B, client *http.Client, url string, header http.Header, wantStatus, wantLen int) {
	var all []time.Duration
	var size int64
	for b.Loop() {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header = header.Clone()
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		all = append(all, time.Since(start))
		if err != nil || resp.StatusCode != wantStatus || (wantLen >= 0 && n != int64(wantLen)) {
			b.Fatalf("GET %s: status %d (want %d), %d bytes (want %d), error %v", url, resp.StatusCode, wantStatus, n, wantLen, err)
		}
		size = n
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(int(p*float64(len(all))), len(all)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(size), "bytes")
}

// BenchmarkReport1M measures the report of a campaign with 1,000,000 reach records
// (issue 7, DESIGN §10: under 300 ms) over HTTP, one request at a time, after the
// setup of startReportYear (about a minute, outside the timers) and one request of
// each kind to warm the caches:
//   - json/loa: GET reportPath as the admin (JSON, the province);
//   - json/bare-gin: a bare gin handler answering the same bytes;
//   - json-district/loa: the same for the district of Điện Bàn (scope=507);
//   - xlsx/loa and html/loa: format=xlsx and format=html.
//
// Run it with -benchtime 50x: each sub-benchmark then makes 50 requests; with so
// few, p99 (nearest rank) is the slowest of them, as max-ms is.
func BenchmarkReport1M(b *testing.B) {
	y := startReportYear(b)
	l := y.Loa
	auth := http.Header{"Authorization": {"Bearer " + y.Admin}}
	t := time.Now()
	body := l.get(b, reportPath, y.Admin)
	b.Logf("first GET %s: %d bytes in %v", reportPath, len(body), time.Since(t).Round(time.Millisecond))
	bare, stopBare := startBareGin(b, reportPath, body)
	b.Cleanup(stopBare)
	bareClient := loadClient()
	defer bareClient.CloseIdleConnections()
	district := l.get(b, reportPath+"&scope=507", y.Admin)
	for _, format := range []string{"xlsx", "html"} {
		t := time.Now()
		page := l.get(b, reportPath+"&format="+format, y.Admin)
		b.Logf("first GET format=%s: %d bytes in %v", format, len(page), time.Since(t).Round(time.Millisecond))
	}
	b.Run("json/loa", func(b *testing.B) {
		sequentialRequests(b, l.Client, l.URL+reportPath, auth, http.StatusOK, len(body))
	})
	b.Run("json/bare-gin", func(b *testing.B) {
		sequentialRequests(b, bareClient, bare+reportPath, http.Header{}, http.StatusOK, len(body))
	})
	b.Run("json-district/loa", func(b *testing.B) {
		sequentialRequests(b, l.Client, l.URL+reportPath+"&scope=507", auth, http.StatusOK, len(district))
	})
	for _, format := range []string{"xlsx", "html"} {
		b.Run(format+"/loa", func(b *testing.B) {
			sequentialRequests(b, l.Client, l.URL+reportPath+"&format="+format, auth, http.StatusOK, -1)
		})
	}
}

// BenchmarkOrgUnitsCommunesAt is BenchmarkOrgUnitsCommunes for the units standing
// on a date of the 2024 map (?at=): the answer is another version of the tree,
// looked up in memory.
func BenchmarkOrgUnitsCommunesAt(b *testing.B) {
	startComparison(b, "/api/v1/orgunits?level=commune&at=2024-03-15").run(b)
}
