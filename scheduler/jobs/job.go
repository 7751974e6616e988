// Package jobs runs the service's own recurring jobs (materialise the horizon, mark
// unconfirmed airings, refresh rollups …) on robfig/cron in the deployment's zone, on
// one replica at a time: the replica holding a lease document in the database. Each
// job's last runs are kept in a document per job for the UI.
package jobs

import (
	"context"
	"fmt"
	"time"

	"loa"
)

// Job is one of the service's own recurring jobs.
type Job struct {
	Name  string // e.g. "materialize"
	Title string // Vietnamese label for the UI, e.g. "Lập lịch phát sóng đến hết khung thời gian"
	Spec  string // robfig/cron 5-field spec, evaluated in Options.Zone, e.g. "0 * * * *", "*/15 * * * *"
	// Run does the work as of the instant at; the string is a short human summary of
	// the result ("1 234 airings written"). Runs may overlap and repeat: a job must be
	// idempotent.
	Run func(ctx context.Context, at time.Time) (string, error)
	// CatchUp runs the job as soon as a replica takes the lease (at start-up or on
	// a takeover), so what it keeps up to date is not left waiting for the schedule.
	CatchUp bool
}

// Run is the record of one run of a job. Times are stored in UTC and returned in the
// runner's zone.
type Run struct {
	Job     string    `json:"job"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Result  string    `json:"result"`
	Error   string    `json:"error,omitempty"` // the job's error, or "panic: …"
	Trigger string    `json:"trigger"`         // "schedule", "manual" or "trigger"
	Holder  string    `json:"holder"`          // the replica that ran it
}

// How a run was started (Run.Trigger).
const (
	bySchedule = "schedule"
	byHand     = "manual"
	byTrigger  = "trigger"
)

// Status is what the UI shows of one job.
type Status struct {
	Name  string     `json:"name"`
	Title string     `json:"title"`
	Spec  string     `json:"spec"`
	Next  *time.Time `json:"next,omitempty"` // next scheduled run in the zone; nil if the spec never fires again
	Runs  []Run      `json:"runs"`           // newest first, at most keptRuns
	// Leader says whether this replica runs the schedule now.
	Leader bool `json:"leader"`
}

// ErrUnknownJob is returned for a job name the runner does not have; it matches
// loa.ErrNotFound, so the HTTP layer answers 404.
var ErrUnknownJob = fmt.Errorf("job %w", loa.ErrNotFound)
