package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // the zone below, wherever the tests run

	"loa"
	"loa/app/database"
	"loa/app/database/dbtest"
)

var hcm = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// never is a spec cron never fires (30 February), so scheduled runs stay out of tests.
const never = "0 0 30 2 *"

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newRunner(db *database.DB, holder string, c *clock, jobs ...Job) *Runner {
	return New(NewStore(db), jobs, Options{Zone: hcm, Holder: holder, Now: c.Now, Log: dbtest.Logger()})
}

// wait receives from ch or fails the test after a generous bound.
func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func runsOf(t *testing.T, r *Runner, name string) []Run {
	t.Helper()
	list, err := r.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range list {
		if st.Name == name {
			return st.Runs
		}
	}
	t.Fatalf("List has no job %s", name)
	return nil
}

func TestRunNow(t *testing.T) {
	db := dbtest.New(t, Schema)
	ctx := context.Background()
	c := &clock{now: t0}
	var ats []time.Time // the instants the ok job ran as of
	r := newRunner(db, "A", c,
		Job{Name: "ok", Spec: never, Run: func(_ context.Context, at time.Time) (string, error) {
			ats = append(ats, at)
			c.Add(2 * time.Second)
			return "3 airings written", nil
		}},
		Job{Name: "fails", Spec: never, Run: func(context.Context, time.Time) (string, error) {
			return "", errors.New("boom")
		}},
		Job{Name: "panics", Spec: never, Run: func(context.Context, time.Time) (string, error) {
			panic("out of range")
		}},
	)

	tests := []struct {
		job        string
		wantResult string
		wantError  string
	}{
		{"ok", "3 airings written", ""},
		{"fails", "", "boom"},
		{"panics", "", "panic: out of range"},
		{"ok", "3 airings written", ""}, // still works after a panic
	}
	for _, tt := range tests {
		start := c.Now()
		run, err := r.RunNow(ctx, tt.job)
		if err != nil {
			t.Fatalf("RunNow(%s): %v", tt.job, err)
		}
		if run.Job != tt.job || run.Result != tt.wantResult || run.Error != tt.wantError ||
			run.Trigger != "manual" || run.Holder != "A" {
			t.Errorf("RunNow(%s) = %+v, want result %q, error %q, trigger manual, holder A", tt.job, run, tt.wantResult, tt.wantError)
		}
		if !run.Start.Equal(start) || !run.End.Equal(c.Now()) || run.Start.Location() != hcm {
			t.Errorf("RunNow(%s) ran %s – %s, want from %s to %s in %s", tt.job, run.Start, run.End, start, c.Now(), hcm)
		}
		stored := runsOf(t, r, tt.job)
		if len(stored) == 0 || stored[0] != run {
			t.Errorf("after RunNow(%s), stored runs = %+v, want %+v first", tt.job, stored, run)
		}
	}
	if len(ats) != 2 || !ats[0].Equal(t0) || ats[0].Location() != hcm {
		t.Errorf("job ok ran as of %v, want first %s in %s", ats, t0, hcm)
	}
	if runs := runsOf(t, r, "ok"); len(runs) != 2 {
		t.Errorf("job ok has %d runs recorded, want 2", len(runs))
	}

	_, err := r.RunNow(ctx, "nope")
	if !errors.Is(err, loa.ErrNotFound) || !errors.Is(err, ErrUnknownJob) {
		t.Errorf("RunNow(nope) error = %v, want ErrUnknownJob matching loa.ErrNotFound", err)
	}
}

func TestRunsKeptNewestFirst(t *testing.T) {
	db := dbtest.New(t, Schema)
	c := &clock{now: t0}
	n := 0
	r := newRunner(db, "A", c, Job{Name: "count", Spec: never, Run: func(context.Context, time.Time) (string, error) {
		n++
		return fmt.Sprint(n), nil
	}})
	for range 12 {
		if _, err := r.RunNow(context.Background(), "count"); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Minute)
	}
	runs := runsOf(t, r, "count")
	var got []string
	for _, run := range runs {
		got = append(got, run.Result)
	}
	if want := "12 11 10 9 8 7 6 5 4 3"; strings.Join(got, " ") != want {
		t.Errorf("kept runs %v, want %s", got, want)
	}
	if len(runs) > 0 && !runs[0].Start.Equal(t0.Add(11*time.Minute)) {
		t.Errorf("newest run started at %s, want %s", runs[0].Start, t0.Add(11*time.Minute))
	}
}

// blockingJob is a job that signals each start and then waits for release.
func blockingJob(name string, started chan<- struct{}, release <-chan struct{}, calls *atomic.Int32) Job {
	return Job{Name: name, Spec: never, Run: func(context.Context, time.Time) (string, error) {
		calls.Add(1)
		started <- struct{}{}
		<-release
		return "done", nil
	}}
}

func TestTriggerCoalesces(t *testing.T) {
	db := dbtest.New(t, Schema)
	c := &clock{now: t0}
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	var calls atomic.Int32
	r := newRunner(db, "A", c, blockingJob("slow", started, release, &calls))
	r.renew()
	if !r.Leader() {
		t.Fatal("Leader() = false after taking a free lease")
	}

	r.Trigger("slow")
	wait(t, started, "the first triggered run")
	for range 3 {
		r.Trigger("slow") // must not block while the run is in progress
	}
	close(release)
	wait(t, started, "the run that follows")
	r.Stop() // waits for the triggered runs

	if n := calls.Load(); n != 2 {
		t.Errorf("job ran %d times, want 2 (one triggered run, then one for the three triggers)", n)
	}
	runs := runsOf(t, r, "slow")
	if len(runs) != 2 || runs[0].Trigger != "trigger" || runs[1].Trigger != "trigger" {
		t.Errorf("recorded runs %+v, want 2 triggered", runs)
	}
	if r.Leader() {
		t.Error("Leader() = true after Stop")
	}
	if ok, err := NewLease(db, leaseID, time.Minute).Acquire(context.Background(), "B", t0); !ok || err != nil {
		t.Errorf("Acquire by another holder after Stop = %v, %v; want the lease released", ok, err)
	}
}

// TestRunsOnlyOnLeader: scheduled and triggered runs happen only while this replica
// holds the lease.
func TestRunsOnlyOnLeader(t *testing.T) {
	db := dbtest.New(t, Schema)
	ctx := context.Background()
	c := &clock{now: t0}
	if ok, err := NewLease(db, leaseID, time.Minute).Acquire(ctx, "A", t0); !ok || err != nil {
		t.Fatalf("Acquire(A) = %v, %v", ok, err)
	}
	var calls atomic.Int32
	r := newRunner(db, "B", c, Job{Name: "j", Spec: never, Run: func(context.Context, time.Time) (string, error) {
		calls.Add(1)
		return "", nil
	}})
	r.renew()
	if r.Leader() {
		t.Fatal("Leader() = true while A holds the lease")
	}
	r.runIfLeader(r.named["j"], bySchedule) // what cron calls
	r.Trigger("j")
	r.Stop() // waits for any triggered run
	if n := calls.Load(); n != 0 {
		t.Errorf("job ran %d times without the lease, want 0", n)
	}

	c.Add(2 * time.Minute) // A's lease has expired
	r = newRunner(db, "B", c, r.jobs[0].Job)
	r.renew()
	if !r.Leader() {
		t.Fatal("Leader() = false after A's lease expired")
	}
	r.runIfLeader(r.named["j"], bySchedule)
	if n := calls.Load(); n != 1 {
		t.Errorf("job ran %d times with the lease, want 1", n)
	}
	if runs := runsOf(t, r, "j"); len(runs) != 1 || runs[0].Trigger != "schedule" || runs[0].Holder != "B" {
		t.Errorf("recorded runs %+v, want one scheduled by B", runs)
	}

	c.Add(time.Minute) // B's lease expires unrenewed
	if r.Leader() {
		t.Fatal("Leader() = true after the lease expired")
	}
	r.runIfLeader(r.named["j"], bySchedule)
	if n := calls.Load(); n != 1 {
		t.Errorf("job ran %d times in all, want 1: not again after the lease expired", n)
	}
}

func TestList(t *testing.T) {
	db := dbtest.New(t, Schema)
	c := &clock{now: t0} // 08:00 in Hồ Chí Minh City
	noop := func(context.Context, time.Time) (string, error) { return "", nil }
	r := newRunner(db, "A", c,
		Job{Name: "materialize", Title: "Lập lịch phát sóng", Spec: "0 6 * * *", Run: noop},
		Job{Name: "unconfirmed", Title: "Đánh dấu chưa xác nhận", Spec: "*/15 * * * *", Run: noop},
		Job{Name: "never", Title: "Không bao giờ", Spec: never, Run: noop},
	)
	r.renew()
	list, err := r.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, title, spec string
		next              time.Time
	}{
		{"materialize", "Lập lịch phát sóng", "0 6 * * *", time.Date(2025, 3, 11, 6, 0, 0, 0, hcm)},
		{"unconfirmed", "Đánh dấu chưa xác nhận", "*/15 * * * *", time.Date(2025, 3, 10, 8, 15, 0, 0, hcm)},
		{"never", "Không bao giờ", never, time.Time{}},
	}
	if len(list) != len(want) {
		t.Fatalf("List returned %d jobs, want %d", len(list), len(want))
	}
	for i, w := range want {
		st := list[i]
		if st.Name != w.name || st.Title != w.title || st.Spec != w.spec || !st.Leader || st.Runs == nil || len(st.Runs) != 0 {
			t.Errorf("List()[%d] = %+v, want %s (%s, %s), leader, no runs", i, st, w.name, w.title, w.spec)
		}
		switch {
		case w.next.IsZero() && st.Next != nil:
			t.Errorf("List()[%d].Next = %s, want none", i, st.Next)
		case w.next.IsZero():
		case st.Next == nil || !st.Next.Equal(w.next) || st.Next.Location() != hcm:
			t.Errorf("List()[%d].Next = %v, want %s", i, st.Next, w.next)
		}
	}
}

// TestStartStop: the keeper takes the free lease, and Stop, bounded by Start's
// context, releases it even while a run is stuck.
func TestStartStop(t *testing.T) {
	db := dbtest.New(t, Schema)
	c := &clock{now: t0}
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	var calls atomic.Int32
	r := newRunner(db, "A", c, blockingJob("stuck", started, release, &calls))
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	for i := 0; !r.Leader(); i++ {
		if i == 1000 {
			t.Fatal("the keeper did not take the free lease")
		}
		time.Sleep(10 * time.Millisecond)
	}

	r.Trigger("stuck")
	wait(t, started, "the triggered run")
	stopped := make(chan struct{})
	go func() {
		r.Stop()
		close(stopped)
	}()
	cancel()
	wait(t, stopped, "Stop once Start's context is cancelled")
	if ok, err := NewLease(db, leaseID, time.Minute).Acquire(context.Background(), "B", t0); !ok || err != nil {
		t.Errorf("Acquire by another holder after Stop = %v, %v; want the lease released", ok, err)
	}
	close(release)
	r.runs.Wait()
}

func TestCatchUpRunsOnTakingTheLease(t *testing.T) {
	db := dbtest.New(t, Schema)
	c := &clock{now: t0}
	ran := make(chan struct{}, 2)
	var caughtUp, other atomic.Int32
	job := func(name string, n *atomic.Int32, catchUp bool) Job {
		return Job{Name: name, Spec: "0 0 1 1 *", CatchUp: catchUp, Run: func(context.Context, time.Time) (string, error) {
			n.Add(1)
			ran <- struct{}{}
			return "", nil
		}}
	}
	r := newRunner(db, "A", c, job("catch-up", &caughtUp, true), job("scheduled-only", &other, false))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	wait(t, ran, "the catch-up run on taking the lease")
	r.Stop()
	if caughtUp.Load() != 1 || other.Load() != 0 {
		t.Errorf("runs on taking the lease: catch-up job %d, scheduled-only job %d; want 1 and 0", caughtUp.Load(), other.Load())
	}
}
