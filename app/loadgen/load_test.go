package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var hundred []time.Duration // 1 ms … 100 ms, sorted
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		values []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{[]time.Duration{7}, 1, 7},
		{[]time.Duration{7}, 99, 7},
		{[]time.Duration{1, 2}, 50, 1},
		{[]time.Duration{1, 2}, 51, 2},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
		{hundred, 50, 50 * time.Millisecond},
		{hundred, 90, 90 * time.Millisecond},
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 99.5, 100 * time.Millisecond},
		{hundred, 100, 100 * time.Millisecond},
		{hundred, 0, time.Millisecond}, // the smallest, not out of range
	} {
		if got := percentile(tt.values, tt.p); got != tt.want {
			t.Errorf("percentile(%d values, %v) = %v, want %v", len(tt.values), tt.p, got, tt.want)
		}
	}
}

func TestSummarizeAndMedian(t *testing.T) {
	ds := []time.Duration{4 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	got := summarize(ds) // sorts ds
	want := latency{Mean: 2.5, P50: 2, P90: 4, P99: 4, Max: 4}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
	if ds[0] != time.Millisecond || ds[3] != 4*time.Millisecond {
		t.Errorf("summarize left %v unsorted", ds)
	}
	if summarize(nil) != (latency{}) {
		t.Error("summarize(nil) is not zero")
	}
	xs := []float64{0.9, 0.5, 0.7}
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {xs, 0.7}, {[]float64{0.75, 0.25, 0.5, 1}, 0.625}} {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
	if xs[0] != 0.9 {
		t.Errorf("median reordered its argument: %v", xs)
	}
}

// A short side-by-side run against two local servers, in If-None-Match mode.
func TestLoadgenSideBySide(t *testing.T) {
	const etag = `"abc"`
	withETag := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer withETag.Close()
	// The baselines: one always answers 304, one always the same bytes.
	bare304 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			w.WriteHeader(http.StatusBadRequest) // the token is never sent to the second target
			return
		}
		w.WriteHeader(http.StatusNotModified)
	}))
	defer bare304.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inm := r.Header.Get("If-None-Match"); r.Header.Get("Authorization") != "" || (inm != "" && inm != etag) {
			w.WriteHeader(http.StatusBadRequest) // sent the first target's ETag, never the token
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("y", 1000))
	}))
	defer bare.Close()

	out := filepath.Join(t.TempDir(), "out.json")
	var stdout bytes.Buffer
	getenv := func(k string) string { return map[string]string{"LOADGEN_TOKEN": "s3cret"}[k] }
	err := loadgen(context.Background(), []string{"-url", withETag.URL, "-path", "/feed", "-vs", bare304.URL, "-c", "4",
		"-d", "50ms", "-warmup", "0", "-rounds", "2", "-304", "-json", out}, getenv, &stdout, io.Discard)
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Rounds) != 4 || len(rep.Ratios) != 2 || rep.MedianRatio <= 0 || len(rep.Summary) != 2 {
		t.Fatalf("report: %d rounds, ratios %v, %d summaries\n%s", len(rep.Rounds), rep.Ratios, len(rep.Summary), stdout.String())
	}
	for _, s := range rep.Summary {
		if s.Requests == 0 || s.Status["304"] != s.Requests || s.Unexpected != 0 || s.Bytes != 0 || s.Latency.P99 <= 0 {
			t.Errorf("summary %+v", s)
		}
	}
	if rep.Targets[0].Probe.Bytes != 1000 || rep.Targets[0].Probe.ETag != etag || rep.Targets[1].Probe.ETag != "" {
		t.Errorf("probes %+v %+v", rep.Targets[0].Probe, rep.Targets[1].Probe)
	}
	if !strings.Contains(stdout.String(), "ratio loa/bare req/s by round:") {
		t.Errorf("text report:\n%s", stdout.String())
	}

	// A baseline that ignores If-None-Match is expected to answer 200 with its bytes.
	stdout.Reset()
	err = loadgen(context.Background(), []string{"-url", withETag.URL, "-vs", bare.URL, "-c", "2", "-d", "30ms", "-warmup", "0",
		"-rounds", "1", "-304", "-json", "-"}, getenv, &stdout, io.Discard)
	if err != nil {
		t.Fatalf("loadgen against a 200 baseline: %v\n%s", err, stdout.String())
	}
	js := stdout.String()[strings.Index(stdout.String(), "{\n"):]
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	if s := rep.Summary[1]; rep.Targets[1].WantStatus != http.StatusOK || s.Status["200"] == 0 || s.Unexpected != 0 || s.Bytes != int64(1000*s.Requests) {
		t.Errorf("200 baseline: want %d, summary %+v", rep.Targets[1].WantStatus, s)
	}

	// Without the token the first GET is refused, and the run stops before any load.
	err = loadgen(context.Background(), []string{"-url", withETag.URL, "-d", "50ms"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "answered 401") {
		t.Errorf("without a token: %v", err)
	}
	for _, args := range [][]string{{}, {"-url", "localhost:8080"}, {"-url", withETag.URL, "-c", "0"}, {"-url", withETag.URL, "-path", "feed"}} {
		if err := loadgen(context.Background(), args, getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("loadgen %q: no error", args)
		}
	}
}
