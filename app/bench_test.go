package main

// Benchmarks of the whole service over real HTTP (DESIGN §10). They run only with
// -bench; plain `go test` runs none of this file's code. BENCHMARKS.md records the
// commands and the figures.

import (
	"context"
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
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	route, _, _ := strings.Cut(path, "?")
	r.GET(route, func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) })
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
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			n, err := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			mine = append(mine, time.Since(start))
			if err != nil || resp.StatusCode != http.StatusOK || n != int64(wantLen) {
				b.Errorf("GET %s: status %d, %d bytes (want %d), error %v", url, resp.StatusCode, n, wantLen, err)
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
