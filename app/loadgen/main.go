// Command loadgen puts one HTTP GET route under load and measures it: it keeps a
// fixed number of connections busy for a while and reports requests per second,
// p50/p90/p99 latency, status counts and bytes, as text and optionally as JSON.
// Given a second target (-vs), typically a bare server answering the same bytes,
// it measures both side by side in alternating rounds and reports the ratio of
// their throughputs round by round. It uses only the standard library, so anyone
// can rerun the figures of BENCHMARKS.md (section 8: the station schedule pull).
//
// Run it against a running service, e.g. `go run ./app` with a station token
// (POST /api/v1/stations/{code}/token):
//
//	LOADGEN_TOKEN=$STATION_TOKEN go run ./app/loadgen \
//	    -url http://127.0.0.1:8080 -path /api/v1/station/schedule -c 64 -d 10s
//
// and side by side with a bare server on another port, three rounds each:
//
//	LOADGEN_TOKEN=$STATION_TOKEN go run ./app/loadgen \
//	    -url http://127.0.0.1:8080 -path /api/v1/station/schedule \
//	    -vs http://127.0.0.1:18182 -vs-path /api/v1/station/schedule -rounds 3 -json out.json
//
// With -304, a first request learns each target's ETag and every request then sends
// it as If-None-Match and expects 304 Not Modified. A second target without an ETag
// is sent the first target's: if its first answer was 304 (a bare server that
// always says 304), 304 is expected; if it was 200, 200 is (a constant-payload
// baseline that ignores If-None-Match). With -gzip, requests ask for gzip and the
// bytes counted are the compressed ones. The token may be given with -token or, to keep it out of
// the process list, in $LOADGEN_TOKEN; the second target never gets it.
//
// Flags:
//
//	-url      base URL of the target (required), e.g. http://127.0.0.1:8080
//	-path     path and query to GET (default /api/v1/station/schedule)
//	-token    bearer token for -url (default $LOADGEN_TOKEN)
//	-c        concurrent connections per target (default 64)
//	-d        duration of one round against one target (default 10s)
//	-rounds   rounds (default 1 alone, 3 with -vs; the order alternates each round)
//	-warmup   unreported load before the first round, per target (default 1s)
//	-304      send If-None-Match with the ETag of a first response, expect 304 (see above)
//	-gzip     send Accept-Encoding: gzip
//	-vs       base URL of a second target measured side by side (no token)
//	-vs-path  its path (default: -path)
//	-name, -vs-name  labels in the report (default loa, bare)
//	-timeout  per request (default 10s)
//	-json     also write the report as JSON to this file ("-" for standard output)
//
// The exit status is 1 when any answer had an unexpected status or failed.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := loadgen(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type config struct {
	URL, Path, token  string
	Name              string
	VsURL, VsPath     string
	VsName            string
	Conns, Rounds     int
	Duration, Warmup  time.Duration
	Timeout           time.Duration
	IfNoneMatch, Gzip bool
	JSON              string `json:"-"`
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", "", "base URL of the target (required)")
	fs.StringVar(&c.Path, "path", "/api/v1/station/schedule", "path and query to GET")
	fs.StringVar(&c.token, "token", getenv("LOADGEN_TOKEN"), "bearer token for -url (default $LOADGEN_TOKEN)")
	fs.StringVar(&c.Name, "name", "loa", "label of the target")
	fs.StringVar(&c.VsURL, "vs", "", "base URL of a second target measured side by side, without the token")
	fs.StringVar(&c.VsPath, "vs-path", "", "path of the second target (default -path)")
	fs.StringVar(&c.VsName, "vs-name", "bare", "label of the second target")
	fs.IntVar(&c.Conns, "c", 64, "concurrent connections per target")
	fs.IntVar(&c.Rounds, "rounds", 0, "rounds (default 1, or 3 with -vs)")
	fs.DurationVar(&c.Duration, "d", 10*time.Second, "duration of one round against one target")
	fs.DurationVar(&c.Warmup, "warmup", time.Second, "unreported load per target before the first round")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.BoolVar(&c.IfNoneMatch, "304", false, "send If-None-Match with the ETag of a first response and expect 304")
	fs.BoolVar(&c.Gzip, "gzip", false, "send Accept-Encoding: gzip (bytes counted are compressed)")
	fs.StringVar(&c.JSON, "json", "", `also write the report as JSON to this file ("-" for standard output)`)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.VsPath == "" {
		c.VsPath = c.Path
	}
	if c.Rounds == 0 {
		c.Rounds = 1
		if c.VsURL != "" {
			c.Rounds = 3
		}
	}
	var problems []string
	for _, u := range []struct{ flag, v string }{{"-url", c.URL}, {"-vs", c.VsURL}} {
		if u.v == "" && u.flag == "-vs" {
			continue
		}
		if p, err := url.Parse(u.v); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			problems = append(problems, u.flag+" must be a base URL such as http://127.0.0.1:8080")
		}
	}
	if !strings.HasPrefix(c.Path, "/") || !strings.HasPrefix(c.VsPath, "/") {
		problems = append(problems, "-path and -vs-path must start with /")
	}
	if c.Conns < 1 || c.Conns > 10_000 {
		problems = append(problems, "-c must be from 1 to 10000")
	}
	if c.Rounds < 1 || c.Rounds > 100 {
		problems = append(problems, "-rounds must be from 1 to 100")
	}
	if c.Duration <= 0 || c.Duration > time.Hour || c.Warmup < 0 || c.Warmup > time.Hour || c.Timeout <= 0 {
		problems = append(problems, "-d must be positive, -warmup not negative, both at most 1h, and -timeout positive")
	}
	if len(problems) > 0 {
		return c, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// report is everything a run measured; -json writes it.
type report struct {
	StartedAt time.Time `json:"startedAt"`
	Config    config    `json:"config"`
	Targets   []*target `json:"targets"`
	Rounds    []result  `json:"rounds"`
	Summary   []summary `json:"summary"`
	// Ratios are the first target's requests per second over the second's, round
	// by round (side by side only).
	Ratios      []float64 `json:"ratios,omitempty"`
	MedianRatio float64   `json:"medianRatio,omitempty"`
}

// summary is one target over all rounds: medians of the rounds' figures, and the
// percentiles of all its latencies together.
type summary struct {
	Target          string         `json:"target"`
	Rounds          int            `json:"rounds"`
	MedianReqPerSec float64        `json:"medianReqPerSec"`
	MedianP99       float64        `json:"medianP99Ms"`
	Requests        int            `json:"requests"`
	Status          map[string]int `json:"status"`
	Unexpected      int            `json:"unexpected"`
	Bytes           int64          `json:"bytes"`
	Latency         latency        `json:"latencyMs"`
}

func loadgen(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	rep := report{StartedAt: time.Now().UTC(), Config: c}
	head := http.Header{"User-Agent": {"loa-loadgen"}}
	if c.Gzip {
		head.Set("Accept-Encoding", "gzip")
	}
	a := &target{Name: c.Name, URL: strings.TrimRight(c.URL, "/") + c.Path, Header: head.Clone(), client: newClient(c.Conns, c.Timeout)}
	if c.token != "" {
		a.Header.Set("Authorization", "Bearer "+c.token)
	}
	rep.Targets = []*target{a}
	if c.VsURL != "" {
		rep.Targets = append(rep.Targets, &target{Name: c.VsName, URL: strings.TrimRight(c.VsURL, "/") + c.VsPath, Header: head.Clone(),
			client: newClient(c.Conns, c.Timeout)})
	}
	for _, t := range rep.Targets {
		defer t.client.CloseIdleConnections()
		if t.Probe, err = get(ctx, t.client, t.URL, t.Header); err != nil {
			return fmt.Errorf("%s: %w", t.URL, err)
		}
		if t.Probe.Status != http.StatusOK && (t == a || !c.IfNoneMatch || t.Probe.Status != http.StatusNotModified) {
			return fmt.Errorf("%s answered %d to a first GET, not 200", t.URL, t.Probe.Status)
		}
		t.WantStatus = http.StatusOK
	}
	if c.IfNoneMatch {
		if a.Probe.ETag == "" {
			return fmt.Errorf("-304: %s sent no ETag", a.URL)
		}
		for _, t := range rep.Targets {
			t.Header.Set("If-None-Match", cmp.Or(t.Probe.ETag, a.Probe.ETag))
			if t.Probe.ETag != "" || t.Probe.Status == http.StatusNotModified {
				t.WantStatus = http.StatusNotModified
			}
		}
	}
	fmt.Fprintf(stdout, "loadgen: %d connections, %d round(s) of %s per target, warm-up %s%s%s\n", c.Conns, c.Rounds, c.Duration, c.Warmup,
		map[bool]string{true: ", If-None-Match"}[c.IfNoneMatch], map[bool]string{true: ", gzip"}[c.Gzip])
	for _, t := range rep.Targets {
		fmt.Fprintf(stdout, "%-8s %s: first GET %d, %d bytes, ETag %s%s; expecting %d\n", t.Name, t.URL, t.Probe.Status, t.Probe.Bytes,
			cmp.Or(t.Probe.ETag, "none"), map[bool]string{true: ", Content-Encoding " + t.Probe.Encoding}[t.Probe.Encoding != ""], t.WantStatus)
	}
	if c.Warmup > 0 {
		for _, t := range rep.Targets {
			run(ctx, t, c.Conns, c.Warmup, 0)
		}
	}
	for round := 1; round <= c.Rounds && ctx.Err() == nil; round++ {
		order := slices.Clone(rep.Targets)
		if round%2 == 0 {
			slices.Reverse(order) // alternate who goes first, against drift in the machine's load
		}
		byName := map[string]result{}
		for _, t := range order {
			r := run(ctx, t, c.Conns, c.Duration, round)
			rep.Rounds = append(rep.Rounds, r)
			byName[t.Name] = r
			fmt.Fprintf(stdout, "round %d %-8s %s%s\n", round, t.Name, r.line(), loadavg())
		}
		if len(rep.Targets) == 2 {
			x, y := byName[rep.Targets[0].Name], byName[rep.Targets[1].Name]
			if y.ReqPerSec > 0 {
				rep.Ratios = append(rep.Ratios, x.ReqPerSec/y.ReqPerSec)
				fmt.Fprintf(stdout, "round %d ratio %s/%s = %.2f (p99 %.2f / %.2f ms)\n", round, x.Target, y.Target, x.ReqPerSec/y.ReqPerSec, x.Latency.P99, y.Latency.P99)
			}
		}
	}
	unexpected := 0
	for _, t := range rep.Targets {
		s := summarizeTarget(t.Name, rep.Rounds)
		rep.Summary = append(rep.Summary, s)
		unexpected += s.Unexpected
		fmt.Fprintf(stdout, "summary %-8s %d round(s): median %.0f req/s, median p99 %.2f ms; all: %d requests, p50 %.2f p90 %.2f p99 %.2f max %.2f ms, status %s, %s read\n",
			s.Target, s.Rounds, s.MedianReqPerSec, s.MedianP99, s.Requests, s.Latency.P50, s.Latency.P90, s.Latency.P99, s.Latency.Max,
			statusText(s.Status), bytesText(s.Bytes))
	}
	if len(rep.Ratios) > 0 {
		rep.MedianRatio = median(rep.Ratios)
		parts := make([]string, len(rep.Ratios))
		for i, r := range rep.Ratios {
			parts[i] = fmt.Sprintf("%.2f", r)
		}
		fmt.Fprintf(stdout, "ratio %s/%s req/s by round: %s; median %.2f\n", rep.Targets[0].Name, rep.Targets[1].Name, strings.Join(parts, " "), rep.MedianRatio)
	}
	if c.JSON != "" {
		if err := writeJSON(c.JSON, stdout, rep); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	if unexpected > 0 {
		return fmt.Errorf("%d answers had an unexpected status or failed (see the status counts)", unexpected)
	}
	return nil
}

func summarizeTarget(name string, rounds []result) summary {
	s := summary{Target: name, Status: map[string]int{}}
	var rates, p99s []float64
	var all []time.Duration
	for _, r := range rounds {
		if r.Target != name {
			continue
		}
		s.Rounds++
		rates, p99s = append(rates, r.ReqPerSec), append(p99s, r.Latency.P99)
		all = append(all, r.latencies...)
		s.Requests += r.Requests
		s.Unexpected += r.Unexpected
		s.Bytes += r.Bytes
		for k, n := range r.Status {
			s.Status[k] += n
		}
	}
	s.MedianReqPerSec, s.MedianP99 = median(rates), median(p99s)
	s.Latency = summarize(all)
	return s
}

func (r result) line() string {
	body := fmt.Sprintf("%d B", r.BodyMin)
	if r.BodyMax != r.BodyMin {
		body = fmt.Sprintf("%d–%d B", r.BodyMin, r.BodyMax)
	}
	s := fmt.Sprintf("%7.0f req/s  p50 %6.2f  p90 %6.2f  p99 %6.2f  max %7.2f ms  %d requests in %.2f s, status %s, bodies %s, %s read",
		r.ReqPerSec, r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max, r.Requests, r.Seconds, statusText(r.Status), body, bytesText(r.Bytes))
	if r.FirstError != "" {
		s += "; first error: " + r.FirstError
	}
	return s
}

func statusText(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d B", n)
	}
}

// loadavg is ", load a b c" from /proc/loadavg where there is one.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return ", load " + strings.Join(f[:3], " ")
	}
	return ""
}

func writeJSON(path string, stdout io.Writer, rep report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
