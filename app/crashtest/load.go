package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// pulls is what the load generator (app/loadgen) measured of the schedule pull.
type pulls struct {
	MedianReqPerSec float64 `json:"medianReqPerSec"`
	MedianP99       float64 `json:"medianP99Ms"`
	Requests        int     `json:"requests"`
	Unexpected      int     `json:"unexpected"`
	Latency         struct {
		P50 float64 `json:"p50"`
	} `json:"latencyMs"`
}

// loadResult is a run of the load: an import alone, pulls alone, then both with
// the boxes polling.
type loadResult struct {
	Rows                     int
	Solo, Loaded             time.Duration // the import's time
	IdlePulls, LoadedPulls   pulls
	Polls, Batches, BoxFails int64
}

// pull runs the load generator for d: 64 connections pulling a station's
// schedule with its token.
func (e *env) pull(ctx context.Context, loadgen, token string, d time.Duration) (pulls, error) {
	out := filepath.Join(filepath.Dir(e.s.data), fmt.Sprintf("pulls-%d.json", time.Now().UnixNano()))
	cmd := exec.CommandContext(ctx, loadgen, "-url", "http://"+e.s.addr, "-path", "/api/v1/station/schedule",
		"-c", "64", "-d", d.String(), "-rounds", "1", "-warmup", "1s", "-json", out)
	cmd.Env = append(os.Environ(), "LOADGEN_TOKEN="+token)
	text, runErr := cmd.CombinedOutput()
	data, err := os.ReadFile(out)
	if err != nil {
		return pulls{}, fmt.Errorf("loadgen: %v\n%s", runErr, text)
	}
	var rep struct{ Summary []pulls }
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Summary) == 0 {
		return pulls{}, fmt.Errorf("loadgen's report: %v", err)
	}
	return rep.Summary[0], nil
}

// importAll imports the files into a campaign one after the other and says how
// long it took.
func (e *env) importAll(ctx context.Context, campaign string, files [][]byte) (time.Duration, error) {
	start := time.Now()
	for i, f := range files {
		sum, err := e.importInto(ctx, campaign, f, false)
		if err != nil {
			return 0, fmt.Errorf("file %d: %w", i, err)
		}
		if len(sum.Conflicts) > 0 {
			return 0, fmt.Errorf("file %d: %d conflicts, first %+v", i, len(sum.Conflicts), sum.Conflicts[0])
		}
	}
	return time.Since(start), nil
}

// poll is one box's loop until stop: every period, its schedule (with the ETag it
// holds) and its queue of confirmations (the same batch every time: the first
// upload records it, the next are duplicates).
func (e *env) poll(ctx context.Context, st station, period, offset time.Duration, stop <-chan struct{}, r *loadResult) {
	select {
	case <-time.After(offset):
	case <-stop:
		return
	}
	etag := ""
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+e.s.addr+"/api/v1/station/schedule", nil)
		req.Header.Set("Authorization", "Bearer "+st.token)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := e.s.client.Do(req)
		atomic.AddInt64(&r.Polls, 1)
		if err != nil || (resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified) {
			atomic.AddInt64(&r.BoxFails, 1)
		}
		if err == nil {
			if resp.StatusCode == http.StatusOK {
				etag = resp.Header.Get("ETag")
			}
			resp.Body.Close()
		}
		atomic.AddInt64(&r.Batches, 1)
		if _, err := e.confirm(ctx, st); err != nil {
			atomic.AddInt64(&r.BoxFails, 1)
		}
		select {
		case <-time.After(period):
		case <-stop:
			return
		}
	}
}

// load measures the schedule pull and a reach import alone, then together with
// every box polling every period: the pulls' p99 against its idle p99, the
// import's speed against its speed alone, and every error.
func (e *env) load(ctx context.Context, loadgen string, files [][]byte, rows int, boxes []station, period time.Duration) (loadResult, error) {
	r := loadResult{Rows: rows}
	var err error
	for _, code := range []string{"SOLO", "LOAD"} {
		if err := e.campaign(ctx, code); err != nil {
			return r, err
		}
	}
	if r.Solo, err = e.importAll(ctx, "SOLO", files); err != nil {
		return r, err
	}
	if r.IdlePulls, err = e.pull(ctx, loadgen, boxes[0].token, 10*time.Second); err != nil {
		return r, err
	}
	stop := make(chan struct{})
	var boxesDone sync.WaitGroup
	for i, st := range boxes {
		boxesDone.Go(func() { e.poll(ctx, st, period, period*time.Duration(i)/time.Duration(len(boxes)), stop, &r) })
	}
	var importErr error
	imported := make(chan struct{})
	go func() {
		defer close(imported)
		r.Loaded, importErr = e.importAll(ctx, "LOAD", files)
	}()
	// The pulls last as long as the import alone did: the import under load takes
	// at least that.
	r.LoadedPulls, err = e.pull(ctx, loadgen, boxes[0].token, max(r.Solo, 10*time.Second))
	<-imported
	close(stop)
	boxesDone.Wait()
	if err != nil {
		return r, err
	}
	return r, importErr
}
