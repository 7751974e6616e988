package jobs

import (
	"context"
	"time"
)

// leaseID names the lease document the replicas compete for.
const leaseID = "jobs"

// Leader reports whether this replica holds an unexpired lease now.
func (r *Runner) Leader() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.opts.Now().Before(r.heldUntil)
}

// keep takes or renews the lease every TTL/3 until Stop or Start's ctx ends.
func (r *Runner) keep() {
	tick := time.NewTicker(r.opts.LeaseTTL / 3)
	defer tick.Stop()
	for {
		r.renew()
		select {
		case <-tick.C:
		case <-r.quit:
			return
		case <-r.ctx.Done():
			return
		}
	}
}

// renew takes or renews the lease once. A failed attempt keeps what is held until it
// expires; a lease taken by another replica is given up at once.
func (r *Runner) renew() {
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.LeaseTTL/3)
	defer cancel()
	now := r.opts.Now()
	held, err := r.lease.Acquire(ctx, r.opts.Holder, now)
	if err != nil {
		r.opts.Log.Error("renew job lease", "error", err)
		return
	}
	r.mu.Lock()
	had := !r.heldUntil.IsZero()
	r.heldUntil = time.Time{}
	if held {
		r.heldUntil = now.Add(r.opts.LeaseTTL)
	}
	r.mu.Unlock()
	switch {
	case held && !had:
		r.opts.Log.Info("this replica runs the jobs", "holder", r.opts.Holder)
		for _, e := range r.jobs {
			if e.CatchUp {
				r.Trigger(e.Name)
			}
		}
	case !held && had:
		r.opts.Log.Warn("job lease lost to another replica", "holder", r.opts.Holder)
	}
}
