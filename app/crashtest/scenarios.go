package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"loa"
	"loa/campaigns/reach/reachgen"
)

// campaignCode is the campaign the harness writes into: 2024 for the generated
// reach rows, and the year ahead for the rules it materialises.
const campaignCode = "CRASH"

// env is a prepared data directory: a campaign, an account that may import and
// the admin's token.
type env struct {
	s              *server
	admin, planner string
	units          []reachgen.Unit
}

// prepare starts a fresh data directory (without the demo) and sets up the
// campaign and the accounts.
func prepare(ctx context.Context, bin, data string, args ...string) (*env, error) {
	s, err := newServer(bin, data, append([]string{"--demo=false"}, args...)...)
	if err != nil {
		return nil, err
	}
	if _, err := s.start(2 * time.Minute); err != nil {
		return nil, err
	}
	e := &env{s: s}
	if e.admin, err = s.login(ctx, "admin", adminPassword); err != nil {
		return nil, err
	}
	user, _ := json.Marshal(map[string]any{"username": "nhap.lieu", "displayName": "Nhập liệu", "roles": []string{"planner"},
		"scope": "49", "password": adminPassword})
	if _, err := s.call(ctx, "POST", "/api/v1/users", e.admin, "application/json", user, nil); err != nil {
		return nil, err
	}
	// Today is after 01/07/2025: the province's planner also acts on Đà Nẵng (48),
	// as an admin confirms.
	if _, err := s.call(ctx, "POST", "/api/v1/users/nhap.lieu/scope-mapping", e.admin, "application/json", []byte(`{"units":["48"]}`), nil); err != nil {
		return nil, err
	}
	if e.planner, err = s.login(ctx, "nhap.lieu", adminPassword); err != nil {
		return nil, err
	}
	if err := e.campaign(ctx, campaignCode); err != nil {
		return nil, err
	}
	var units struct {
		Items []struct{ Code, Level string }
	}
	if _, err := s.call(ctx, "GET", "/api/v1/orgunits?limit=1000&at=2024-06-01", e.admin, "", nil, &units); err != nil {
		return nil, err
	}
	for _, u := range units.Items {
		e.units = append(e.units, reachgen.Unit{Code: u.Code, Level: u.Level})
	}
	return e, nil
}

// campaign creates a campaign from 2024 to the end of next year.
func (e *env) campaign(ctx context.Context, code string) error {
	end := time.Now().AddDate(1, 1, 0).Format("2006") + "-12-31"
	campaign, _ := json.Marshal(map[string]any{"code": code, "title": "Bài thử " + code, "period": map[string]string{"start": "2024-01-01", "end": end},
		"legalBasis": "Bài thử", "ownerAgency": "UBND tỉnh Quảng Nam", "secretariat": "Bài thử",
		"indicators": []map[string]any{{"code": "communes", "title": "Xã có tuyên truyền", "rule": "orgunit_activity", "level": "commune",
			"comparator": "gt", "threshold": 0.7, "source": "Bài thử"}}})
	_, err := e.s.call(ctx, "POST", "/api/v1/campaigns", e.planner, "application/json", campaign, nil)
	return err
}

// importFile imports (or, dry, checks) one CSV file into the campaign.
func (e *env) importFile(ctx context.Context, file []byte, dry bool) (loa.ImportSummary, error) {
	return e.importInto(ctx, campaignCode, file, dry)
}

// importInto imports (or, dry, checks) one CSV file into a campaign.
func (e *env) importInto(ctx context.Context, campaign string, file []byte, dry bool) (loa.ImportSummary, error) {
	var sum loa.ImportSummary
	_, err := e.s.call(ctx, "POST", fmt.Sprintf("/api/v1/reach/import?campaign=%s&dryRun=%v", campaign, dry),
		e.planner, "text/csv", file, &sum)
	return sum, err
}

// records counts the campaign's reach records, page by page.
func (e *env) records(ctx context.Context) (int, error) {
	n, cursor := 0, ""
	for {
		var page struct {
			Items      []json.RawMessage
			NextCursor string
		}
		q := url.Values{"campaign": {campaignCode}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if _, err := e.s.call(ctx, "GET", "/api/v1/reach?"+q.Encode(), e.planner, "", nil, &page); err != nil {
			return 0, err
		}
		n += len(page.Items)
		if page.NextCursor == "" {
			return n, nil
		}
		cursor = page.NextCursor
	}
}

// restart starts the server again after a kill and checks the rollups against
// the records offline first ("loa rollups check").
func (e *env) restart() (time.Duration, error) {
	if out, err := e.s.command("rollups", "check", campaignCode); err != nil || !strings.Contains(out, "0 cell(s) differ") {
		return 0, fmt.Errorf("rollups check after the kill: %v\n%s", err, out)
	}
	return e.s.start(2 * time.Minute)
}

// importResult is what one kill during imports showed.
type importResult struct {
	KilledAfter  time.Duration // since the first file was sent
	Finished     bool          // every file was answered before the kill
	Acknowledged int           // files answered 2xx before the kill
	Restart      time.Duration
	Records      int // after importing every file again: the files' rows, exactly
}

// killDuringImport imports files one after the other, kills the server at a
// random moment within window, restarts it and checks: every file answered 2xx
// is stored unchanged (a dry run finds nothing to import or update), the rollups
// agree with the records, and importing every file again converges to exactly
// their rows.
func (e *env) killDuringImport(ctx context.Context, files [][]byte, rows int, window time.Duration, rnd *rand.Rand) (importResult, error) {
	var res importResult
	before, err := e.records(ctx)
	if err != nil {
		return res, err
	}
	var acked []int
	res.KilledAfter, res.Finished = e.killDuring(func() {
		for i, f := range files {
			if _, err := e.importFile(ctx, f, false); err != nil {
				return // cut by the kill
			}
			acked = append(acked, i)
		}
	}, window, rnd)
	res.Acknowledged = len(acked)
	if res.Restart, err = e.restart(); err != nil {
		return res, err
	}
	for _, i := range acked {
		sum, err := e.importFile(ctx, files[i], true)
		if err != nil {
			return res, err
		}
		if sum.Imported+sum.Updated != 0 || sum.Unchanged != sum.Read {
			return res, fmt.Errorf("file %d was acknowledged before the kill but a dry run would import %d and update %d of %d rows",
				i, sum.Imported, sum.Updated, sum.Read)
		}
	}
	for _, f := range files {
		if _, err := e.importFile(ctx, f, false); err != nil {
			return res, err
		}
	}
	after, err := e.records(ctx)
	if err != nil {
		return res, err
	}
	res.Records = after - before
	if before != 0 && before != rows {
		return res, fmt.Errorf("%d records before this round, want 0 or the files' %d", before, rows)
	}
	if after != rows {
		return res, fmt.Errorf("%d records after importing every file again, want exactly the files' %d rows", after, rows)
	}
	return res, nil
}

// materializeResult is what one kill while materialising showed.
type materializeResult struct {
	KilledAfter      time.Duration
	Finished         bool // the run was answered before the kill
	Restart          time.Duration
	Airings, Settled int // airings after the run that completes; what a further run changes
}

// stations creates a station per district and a loudspeaker system per commune
// and returns the loudspeakers' codes.
func (e *env) stations(ctx context.Context) ([]string, error) {
	var loudspeakers []string
	for _, u := range e.units {
		channel := map[string]string{"district": "district_station", "commune": "commune_loudspeaker"}[u.Level]
		if channel == "" {
			continue
		}
		code := "T-" + u.Code
		st, _ := json.Marshal(map[string]any{"code": code, "name": "Đài thử " + u.Code, "channel": channel, "orgUnit": u.Code,
			"languages": []string{"vi"}, "audienceEstimate": map[string]any{"people": 1000, "source": "ước tính mẫu"}})
		if _, err := e.s.call(ctx, "POST", "/api/v1/stations", e.admin, "application/json", st, nil); err != nil {
			return nil, err
		}
		if channel == "commune_loudspeaker" {
			loudspeakers = append(loudspeakers, code)
		}
	}
	return loudspeakers, nil
}

// rules places a broadcast every Monday on every loudspeaker and every day on
// every district station (see stations), for the year ahead: about 19,000 airings.
func (e *env) rules(ctx context.Context) error {
	start := time.Now().Format("2006-01-02")
	until := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	for _, r := range []map[string]any{
		{"title": "Loa xã hằng tuần", "stations": map[string]string{"channel": "commune_loudspeaker", "under": "49"}, "rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=6"},
		{"title": "Đài huyện hằng ngày", "stations": map[string]string{"channel": "district_station", "under": "49"}, "rrule": "FREQ=DAILY;BYHOUR=18"},
	} {
		r["campaign"], r["startDate"], r["until"], r["durationSeconds"] = campaignCode, start, until, 600
		body, _ := json.Marshal(r)
		if _, err := e.s.call(ctx, "POST", "/api/v1/rules", e.planner, "application/json", body, nil); err != nil {
			return err
		}
	}
	return nil
}

// airings counts the campaign's airings of the year ahead, 90 days at a time
// (the API's widest window is 92).
func (e *env) airings(ctx context.Context) (int, error) {
	n := 0
	for from := time.Now().Truncate(24 * time.Hour); from.Before(time.Now().AddDate(1, 0, 2)); from = from.AddDate(0, 0, 90) {
		cursor := ""
		for {
			var page struct {
				Items      []json.RawMessage
				NextCursor string
			}
			q := url.Values{"campaign": {campaignCode}, "from": {from.Format(time.RFC3339)},
				"to": {from.AddDate(0, 0, 90).Format(time.RFC3339)}, "limit": {"1000"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			if _, err := e.s.call(ctx, "GET", "/api/v1/airings?"+q.Encode(), e.admin, "", nil, &page); err != nil {
				return 0, err
			}
			n += len(page.Items)
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
	}
	return n, nil
}

// killDuring runs work and kills the server at a random moment in the last nine
// tenths of window, or when work is done if that comes first (finished); it
// returns once work has returned, cut by the kill or not.
func (e *env) killDuring(work func(), window time.Duration, rnd *rand.Rand) (after time.Duration, finished bool) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		work()
	}()
	start := time.Now()
	after = window/10 + time.Duration(rnd.Int64N(int64(window*9/10)))
	select {
	case <-time.After(after):
	case <-done:
		after, finished = time.Since(start), true
	}
	e.s.kill()
	<-done
	return after, finished
}

// runJob runs the materialise job and returns its result line.
func (e *env) materialize(ctx context.Context) (string, error) {
	var run struct{ Result, Error string }
	if _, err := e.s.call(ctx, "POST", "/api/v1/jobs/materialize/run", e.admin, "", nil, &run); err != nil {
		return "", err
	}
	if run.Error != "" {
		return "", fmt.Errorf("materialize: %s", run.Error)
	}
	return run.Result, nil
}

// killDuringMaterialize starts materialising the year ahead, kills the server at
// a random moment within window, restarts it and checks: a new run completes,
// and the run after it changes nothing (every airing once, none lost).
func (e *env) killDuringMaterialize(ctx context.Context, window time.Duration, rnd *rand.Rand) (materializeResult, error) {
	var res materializeResult
	res.KilledAfter, res.Finished = e.killDuring(func() {
		_, _ = e.materialize(ctx) // cut by the kill, or done before it
	}, window, rnd)
	var err error
	if res.Restart, err = e.restart(); err != nil {
		return res, err
	}
	if _, err := e.materialize(ctx); err != nil {
		return res, err
	}
	if res.Airings, err = e.airings(ctx); err != nil {
		return res, err
	}
	again, err := e.materialize(ctx)
	if err != nil {
		return res, err
	}
	if !strings.HasPrefix(again, "0 created, 0 updated, 0 cancelled") {
		return res, fmt.Errorf("the run after the recovery still changed airings: %s", again)
	}
	if n, err := e.airings(ctx); err != nil || n != res.Airings {
		return res, fmt.Errorf("%d airings after a run that changed nothing, %d before: %v", n, res.Airings, err)
	}
	return res, nil
}

// confirmResult is what one kill during a burst of confirmations showed.
type confirmResult struct {
	Sent, Acknowledged int // batches sent at once; answered 200 before the kill
	Restart            time.Duration
	Aired, Records     int // after every batch is sent again: airings aired, reach records counting them
}

// station is a loudspeaker of the burst: its token and its airing.
type station struct{ code, token, airing string }

// burst gives n of the loudspeakers (see stations) each its token and one airing
// of approved content starting lead from now, and waits until they have started.
func (e *env) burst(ctx context.Context, codes []string, n int, lead time.Duration) ([]station, error) {
	if len(codes) < n {
		return nil, fmt.Errorf("%d loudspeakers, want %d", len(codes), n)
	}
	approver, _ := json.Marshal(map[string]any{"username": "duyet", "displayName": "Duyệt", "roles": []string{"approver"},
		"scope": "49", "password": adminPassword})
	if _, err := e.s.call(ctx, "POST", "/api/v1/users", e.admin, "application/json", approver, nil); err != nil {
		return nil, err
	}
	approverToken, err := e.s.login(ctx, "duyet", adminPassword)
	if err != nil {
		return nil, err
	}
	item, _ := json.Marshal(map[string]any{"kind": "radio_script", "title": "Bản tin thử", "body": "Bản tin phát thanh thử.",
		"groups": []string{"general_public"}, "campaigns": []string{campaignCode}})
	var created struct{ ID string }
	if _, err := e.s.call(ctx, "POST", "/api/v1/contents", e.planner, "application/json", item, &created); err != nil {
		return nil, err
	}
	if _, err := e.s.call(ctx, "POST", "/api/v1/contents/"+created.ID+"/submit", e.planner, "", nil, nil); err != nil {
		return nil, err
	}
	if _, err := e.s.call(ctx, "POST", "/api/v1/contents/"+created.ID+"/approve", approverToken, "", nil, nil); err != nil {
		return nil, err
	}
	start := time.Now().Add(lead).Truncate(time.Second)
	out := make([]station, n)
	for i, code := range codes[:n] {
		var token struct{ Secret string }
		if _, err := e.s.call(ctx, "POST", "/api/v1/stations/"+code+"/token", e.admin, "", nil, &token); err != nil {
			return nil, err
		}
		body, _ := json.Marshal(map[string]any{"station": code, "campaign": campaignCode, "start": start.Format(time.RFC3339),
			"durationSeconds": 60, "groups": []string{"general_public"}, "content": created.ID})
		var airing struct{ ID string }
		if _, err := e.s.call(ctx, "POST", "/api/v1/airings", e.planner, "application/json", body, &airing); err != nil {
			return nil, err
		}
		out[i] = station{code: code, token: token.Secret, airing: airing.ID}
	}
	time.Sleep(time.Until(start) + time.Second)
	return out, nil
}

// confirm sends a station's batch of one confirmation and says whether it was
// recorded (or already was).
func (e *env) confirm(ctx context.Context, st station) (string, error) {
	body, _ := json.Marshal([]map[string]any{{"clientId": "crash-" + st.code, "airingId": st.airing, "status": "aired",
		"at": time.Now().Format(time.RFC3339)}})
	var res struct {
		Results []struct{ Outcome, Code string }
	}
	if _, err := e.s.call(ctx, "POST", "/api/v1/station/confirmations", st.token, "application/json", body, &res); err != nil {
		return "", err
	}
	if len(res.Results) != 1 || res.Results[0].Outcome == "rejected" {
		return "", fmt.Errorf("confirmation of %s: %+v", st.airing, res.Results)
	}
	return res.Results[0].Outcome, nil
}

// killDuringConfirmations sends every station's batch at once, kills the server
// after a random number of answers, restarts it and checks: every acknowledged
// confirmation is stored with its reach record; sent again, every batch is
// recorded once, and each aired airing has exactly one reach record.
func (e *env) killDuringConfirmations(ctx context.Context, stations []station, rnd *rand.Rand) (confirmResult, error) {
	res := confirmResult{Sent: len(stations)}
	killAt := len(stations)/4 + rnd.IntN(len(stations)/2)
	var mu sync.Mutex
	var acked []station
	answered := make(chan error, len(stations))
	var wg sync.WaitGroup
	for _, st := range stations {
		wg.Go(func() {
			_, err := e.confirm(ctx, st)
			if err == nil {
				mu.Lock()
				acked = append(acked, st)
				mu.Unlock()
			}
			answered <- err
		})
	}
	for range killAt {
		if err := <-answered; err != nil { // before the kill, every batch must be recorded
			e.s.kill()
			wg.Wait()
			return res, err
		}
	}
	e.s.kill()
	wg.Wait()
	res.Acknowledged = len(acked)
	var err error
	if res.Restart, err = e.restart(); err != nil {
		return res, err
	}
	for _, st := range acked {
		var a struct{ Status string }
		if _, err := e.s.call(ctx, "GET", "/api/v1/airings/"+url.PathEscape(st.airing), e.admin, "", nil, &a); err != nil {
			return res, err
		}
		if a.Status != "aired" {
			return res, fmt.Errorf("airing %s was confirmed (200) before the kill but is %s", st.airing, a.Status)
		}
	}
	for _, st := range stations {
		if _, err := e.confirm(ctx, st); err != nil {
			return res, err
		}
	}
	for _, st := range stations {
		var a struct{ Status string }
		if _, err := e.s.call(ctx, "GET", "/api/v1/airings/"+url.PathEscape(st.airing), e.admin, "", nil, &a); err != nil {
			return res, err
		}
		if a.Status == "aired" {
			res.Aired++
		}
	}
	if res.Records, err = e.records(ctx); err != nil {
		return res, err
	}
	if res.Aired != len(stations) || res.Records != res.Aired {
		return res, fmt.Errorf("after sending every batch again: %d of %d airings aired, %d reach records; want every airing aired with one record each",
			res.Aired, len(stations), res.Records)
	}
	return res, nil
}
