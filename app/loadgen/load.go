package main

import (
	"context"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// maxPerWorker bounds the requests one connection makes in a round (and so the
// latencies kept in memory), whatever the duration asked for.
const maxPerWorker = 2_000_000

// target is one server under load: a full URL, the headers every request carries,
// the status every answer should have, and a client of its own.
type target struct {
	Name       string      `json:"name"`
	URL        string      `json:"url"`
	Header     http.Header `json:"-"`
	WantStatus int         `json:"wantStatus"`
	Probe      probe       `json:"probe"`
	client     *http.Client
}

// probe is what a single request to a target answered before the load.
type probe struct {
	Status   int    `json:"status"`
	Bytes    int64  `json:"bytes"`
	ETag     string `json:"etag,omitempty"`
	Encoding string `json:"contentEncoding,omitempty"`
}

// newClient keeps up to conns connections to each host and reuses them; it never
// decompresses (with -gzip the bytes counted are the bytes on the wire).
func newClient(conns int, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}}
}

// get sends one GET with h and reads the whole body.
func get(ctx context.Context, c *http.Client, url string, h http.Header) (probe, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return probe{}, err
	}
	req.Header = h.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return probe{}, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return probe{Status: resp.StatusCode, Bytes: n, ETag: resp.Header.Get("ETag"), Encoding: resp.Header.Get("Content-Encoding")}, err
}

// result is what one round against one target gave.
type result struct {
	Target     string         `json:"target"`
	Round      int            `json:"round"` // 0 for the warm-up
	Seconds    float64        `json:"seconds"`
	Requests   int            `json:"requests"`
	ReqPerSec  float64        `json:"reqPerSec"`
	Status     map[string]int `json:"status"` // by code; "error" for transport errors
	Unexpected int            `json:"unexpected"`
	Bytes      int64          `json:"bytes"` // bodies read
	BodyMin    int64          `json:"bodyMin"`
	BodyMax    int64          `json:"bodyMax"`
	Latency    latency        `json:"latencyMs"`
	FirstError string         `json:"firstError,omitempty"`
	StartedAt  time.Time      `json:"startedAt"`
	latencies  []time.Duration
}

// latency summarises latencies in milliseconds.
type latency struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// worker is one connection's share of a round.
type worker struct {
	lat      []time.Duration
	status   map[int]int
	errors   int
	firstErr error
	bytes    int64
	min, max int64
}

// run loads t from conns goroutines until d has passed (requests in flight then
// are completed and counted).
func run(ctx context.Context, t *target, conns int, d time.Duration, round int) result {
	ws := make([]*worker, conns)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range ws {
		w := &worker{status: map[int]int{}, min: math.MaxInt64}
		ws[i] = w
		wg.Go(func() { w.load(ctx, t, deadline) })
	}
	wg.Wait()
	elapsed := time.Since(start)

	r := result{Target: t.Name, Round: round, Seconds: elapsed.Seconds(), Status: map[string]int{}, StartedAt: start.UTC(), BodyMin: math.MaxInt64}
	for _, w := range ws {
		r.latencies = append(r.latencies, w.lat...)
		for code, n := range w.status {
			r.Status[strconv.Itoa(code)] += n
			r.Requests += n
			if code != t.WantStatus {
				r.Unexpected += n
			}
		}
		if w.errors > 0 {
			r.Status["error"] += w.errors
			r.Unexpected += w.errors
			if r.FirstError == "" {
				r.FirstError = w.firstErr.Error()
			}
		}
		r.Bytes += w.bytes
		if len(w.lat) > 0 {
			r.BodyMin, r.BodyMax = min(r.BodyMin, w.min), max(r.BodyMax, w.max)
		}
	}
	if r.BodyMin == math.MaxInt64 {
		r.BodyMin = 0
	}
	r.ReqPerSec = float64(r.Requests) / elapsed.Seconds()
	r.Latency = summarize(r.latencies)
	return r
}

func (w *worker) load(ctx context.Context, t *target, deadline time.Time) {
	h := t.Header.Clone()
	for range maxPerWorker {
		if ctx.Err() != nil || time.Now().After(deadline) {
			return
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
		if err != nil {
			w.fail(err)
			return
		}
		req.Header = h
		start := time.Now()
		resp, err := t.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.fail(err)
			time.Sleep(10 * time.Millisecond) // a refused connection must not spin
			continue
		}
		n, err := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			w.fail(err)
			continue
		}
		w.lat = append(w.lat, time.Since(start))
		w.status[resp.StatusCode]++
		w.bytes += n
		w.min, w.max = min(w.min, n), max(w.max, n)
	}
}

func (w *worker) fail(err error) {
	w.errors++
	if w.firstErr == nil {
		w.firstErr = err
	}
}

// summarize sorts ds in place and gives its mean, percentiles and maximum in ms.
func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return latency{
		Mean: ms(sum / time.Duration(len(ds))),
		P50:  ms(percentile(ds, 50)),
		P90:  ms(percentile(ds, 90)),
		P99:  ms(percentile(ds, 99)),
		Max:  ms(ds[len(ds)-1]),
	}
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted: the
// smallest value at least p % of the values are less than or equal to. It is 0 for
// no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// median is the median of xs (the mean of the middle two for an even count), 0 for
// none; xs is left as it was.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
