package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"loa"
)

// Options tune a Runner; zero values take the defaults given.
type Options struct {
	Zone     *time.Location   // default time.UTC
	Holder   string           // this replica's identity for the lease; default hostname/pid/random
	LeaseTTL time.Duration    // default 60s; renewed every TTL/3 while held
	Now      func() time.Time // default time.Now
	Log      *slog.Logger     // default slog.Default()
	Timeout  time.Duration    // per run, default 10 min
}

// Runner runs the jobs on their schedules while this replica holds the lease, and on
// demand.
type Runner struct {
	store *Store
	opts  Options
	lease *Lease
	cron  *cron.Cron
	jobs  []*entry // in the order given
	named map[string]*entry

	ctx    context.Context // of scheduled and triggered runs; ends with Start's
	cancel context.CancelFunc
	quit   chan struct{}  // closed by Stop: no more renewals or triggered runs
	keeper sync.WaitGroup // the lease keeper
	runs   sync.WaitGroup // triggered runs

	mu        sync.Mutex
	heldUntil time.Time // when the lease this replica holds expires; zero if not held
}

// entry is a job with its parsed schedule and the state of its triggered runs.
type entry struct {
	Job
	schedule cron.Schedule

	// Guarded by Runner.mu.
	triggered bool // a triggered run is in progress
	again     bool // another triggered run was asked for meanwhile
}

// New returns a runner of jobs keeping its lease and runs in store. The jobs are defined in code, so a duplicate
// name or an invalid spec is a programming error and panics.
func New(store *Store, jobs []Job, opts Options) *Runner {
	opts.Zone = cmp.Or(opts.Zone, time.UTC)
	if opts.Holder == "" {
		host, _ := os.Hostname()
		opts.Holder = fmt.Sprintf("%s/%d/%08x", host, os.Getpid(), rand.Uint32())
	}
	opts.LeaseTTL = cmp.Or(opts.LeaseTTL, time.Minute)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Log = cmp.Or(opts.Log, slog.Default())
	opts.Timeout = cmp.Or(opts.Timeout, 10*time.Minute)

	logger := cronLogger{opts.Log}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{
		store: store,
		opts:  opts,
		lease: store.Lease(leaseID, opts.LeaseTTL),
		cron: cron.New(cron.WithLocation(opts.Zone),
			cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger))),
		named:  make(map[string]*entry, len(jobs)),
		ctx:    ctx,
		cancel: cancel,
		quit:   make(chan struct{}),
	}
	for _, j := range jobs {
		schedule, err := cron.ParseStandard(j.Spec)
		if err != nil {
			panic(fmt.Sprintf("jobs: job %s: %v", j.Name, err))
		}
		if _, dup := r.named[j.Name]; dup {
			panic("jobs: duplicate job " + j.Name)
		}
		e := &entry{Job: j, schedule: schedule}
		r.jobs = append(r.jobs, e)
		r.named[j.Name] = e
		r.cron.Schedule(schedule, cron.FuncJob(func() { r.runIfLeader(e, bySchedule) }))
	}
	return r
}

// Start starts the schedule and the lease keeper and returns at once. Cancelling ctx
// cancels the runs in progress; call Stop to shut down.
func (r *Runner) Start(ctx context.Context) {
	context.AfterFunc(ctx, r.cancel)
	r.keeper.Go(r.keep)
	r.cron.Start()
}

// Stop stops the schedule, waits for the runs in progress (or until Start's ctx ends)
// and releases the lease. Call it once.
func (r *Runner) Stop() {
	r.mu.Lock()
	close(r.quit)
	r.mu.Unlock()
	r.keeper.Wait()
	done := make(chan struct{})
	go func() {
		<-r.cron.Stop().Done()
		r.runs.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-r.ctx.Done():
		select {
		case <-done:
		default:
			r.opts.Log.Warn("jobs stopped without waiting for the runs in progress")
		}
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 10*time.Second)
	defer cancel()
	if err := r.lease.Release(ctx, r.opts.Holder); err != nil {
		r.opts.Log.Error("release job lease", "error", err)
	}
	r.mu.Lock()
	r.heldUntil = time.Time{}
	r.mu.Unlock()
	r.cancel()
}

// RunNow runs the job called name at once, whoever holds the lease, and records the
// run. The job's own failure is in Run.Error; the error is ErrUnknownJob or a failure
// to record the run.
func (r *Runner) RunNow(ctx context.Context, name string) (Run, error) {
	e, ok := r.named[name]
	if !ok {
		return Run{}, fmt.Errorf("%w: %s", ErrUnknownJob, name)
	}
	return r.run(ctx, e.Job, byHand)
}

// Trigger asks for a run of the job called name soon, in the background; it runs if
// this replica holds the lease then. It never blocks; asks made while a triggered run
// is in progress come down to one more run after it. (A triggered run may overlap a
// scheduled or manual one: jobs are idempotent.)
func (r *Runner) Trigger(name string) {
	e, ok := r.named[name]
	if !ok {
		r.opts.Log.Error("trigger of an unknown job", "job", name)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping() {
		return
	}
	if e.triggered {
		e.again = true
		return
	}
	e.triggered = true
	r.runs.Go(func() {
		for {
			r.runIfLeader(e, byTrigger)
			r.mu.Lock()
			again := e.again && !r.stopping()
			e.again, e.triggered = false, again
			r.mu.Unlock()
			if !again {
				return
			}
		}
	})
}

// stopping reports whether Stop was called.
func (r *Runner) stopping() bool {
	select {
	case <-r.quit:
		return true
	default:
		return false
	}
}

// List returns every job in the order given, with its next scheduled time in the zone
// and its last runs, newest first.
func (r *Runner) List(ctx context.Context) ([]Status, error) {
	runs, err := r.store.lastRuns(ctx)
	if err != nil {
		return nil, err
	}
	now := r.opts.Now().In(r.opts.Zone)
	leader := r.Leader()
	out := make([]Status, len(r.jobs))
	for i, e := range r.jobs {
		st := Status{Name: e.Name, Title: e.Title, Spec: e.Spec, Runs: []Run{}, Leader: leader}
		if next := e.schedule.Next(now); !next.IsZero() {
			st.Next = &next
		}
		for _, run := range runs[e.Name] {
			st.Runs = append(st.Runs, r.inZone(run))
		}
		out[i] = st
	}
	return out, nil
}

// runIfLeader runs a scheduled or triggered job in the background if this replica
// holds the lease.
func (r *Runner) runIfLeader(e *entry, trigger string) {
	if !r.Leader() {
		r.opts.Log.Debug("job skipped: this replica does not hold the lease", "job", e.Name, "trigger", trigger)
		return
	}
	if _, err := r.run(r.ctx, e.Job, trigger); err != nil {
		r.opts.Log.Error("job run not recorded", "job", e.Name, "error", err)
	}
}

// run runs j within the timeout, recovering a panic, and records the run, even when
// ctx has ended meanwhile.
func (r *Runner) run(ctx context.Context, j Job, trigger string) (Run, error) {
	run := Run{Job: j.Name, Trigger: trigger, Holder: r.opts.Holder, Start: loa.Stamp(r.opts.Now())}
	runCtx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	result, err := r.call(runCtx, j, run.Start.In(r.opts.Zone))
	cancel()
	run.End, run.Result = loa.Stamp(r.opts.Now()), result
	log := r.opts.Log.With("job", j.Name, "trigger", trigger, "took", run.End.Sub(run.Start))
	if err != nil {
		run.Error = err.Error()
		log.Error("job failed", "error", err)
	} else {
		log.Info("job done", "result", result)
	}

	ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.store.record(ctx, run); err != nil {
		return r.inZone(run), err
	}
	return r.inZone(run), nil
}

// call runs j, turning a panic into an error so that the run is still recorded.
func (r *Runner) call(ctx context.Context, j Job, at time.Time) (result string, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.opts.Log.Error("job panicked", "job", j.Name, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx, at)
}

// inZone returns run with its times in the runner's zone.
func (r *Runner) inZone(run Run) Run {
	run.Start, run.End = run.Start.In(r.opts.Zone), run.End.In(r.opts.Zone)
	return run
}

// cronLogger lets cron's chain (Recover, SkipIfStillRunning) log through slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	l.log.Info("cron: "+msg, keysAndValues...)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.log.Error("cron: "+msg, append(keysAndValues, "error", err)...)
}
