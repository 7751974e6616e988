package jobs

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa/app/database"
)

const (
	leasesColl = "leases"
	jobsColl   = "jobs"

	// keptRuns is how many runs of a job are kept, newest first.
	keptRuns = 10
)

// Schema lists the collections this package owns: "leases" (`_id` = the lease's
// name) and "jobs" (`_id` = the job's name, holding its last runs).
var Schema = []database.Collection{
	{Name: leasesColl},
	{Name: jobsColl},
}

// Store keeps the runner's lease and the jobs' last runs.
type Store struct{ db *database.DB }

// NewStore returns the runner's store on db.
func NewStore(db *database.DB) *Store { return &Store{db: db} }

// Lease is the lease named id in this store, held for ttl after each Acquire.
func (s *Store) Lease(id string, ttl time.Duration) *Lease { return NewLease(s.db, id, ttl) }

// Lease is a named lease in the database: at most one holder at a time, until it
// expires or is released. No transactions: it relies on the upsert of a natural `_id`.
type Lease struct {
	db  *database.DB
	id  string
	ttl time.Duration
}

// NewLease returns the lease named id, held for ttl after each Acquire.
func NewLease(db *database.DB, id string, ttl time.Duration) *Lease {
	return &Lease{db: db, id: id, ttl: ttl}
}

// Acquire takes the lease for holder until now+ttl if it is free, expired or already
// held by holder (then it renews it); it returns false when someone else holds it.
func (l *Lease) Acquire(ctx context.Context, holder string, now time.Time) (bool, error) {
	filter := append(database.IDFilter(l.id), bson.E{Key: "$or", Value: bson.A{
		bson.D{{Key: "holder", Value: holder}},
		bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
	}})
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "holder", Value: holder},
		{Key: "expiresAt", Value: now.Add(l.ttl).UTC()},
	}}}
	// The embedded engine loses concurrent updates of one document.
	_, err := l.db.Guard(ctx, l.lock(), func(ctx context.Context) error {
		_, err := l.db.Collection(leasesColl).UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		return err
	})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil // the lease exists and another holder's is still valid
	}
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", l.id, err)
	}
	return true, nil
}

// Release gives the lease up if holder holds it, so another can take it at once.
func (l *Lease) Release(ctx context.Context, holder string) error {
	filter := append(database.IDFilter(l.id), bson.E{Key: "holder", Value: holder})
	_, err := l.db.Guard(ctx, l.lock(), func(ctx context.Context) error {
		if _, err := l.db.Collection(leasesColl).DeleteOne(ctx, filter); err != nil {
			return fmt.Errorf("release lease %s: %w", l.id, err)
		}
		return nil
	})
	return err
}

func (l *Lease) lock() database.Lock {
	return database.Lock{Keys: []string{database.Key(leasesColl, l.id)}}
}

// jobRuns is a job's document in "jobs".
type jobRuns struct {
	Name string   `bson:"_id"`
	Runs []runDoc `bson:"runs"`
}

// runDoc is a stored Run. It has Run's fields in Run's order, so the two convert
// into each other.
type runDoc struct {
	Job     string    `bson:"job"`
	Start   time.Time `bson:"start"`
	End     time.Time `bson:"end"`
	Result  string    `bson:"result"`
	Error   string    `bson:"error,omitempty"`
	Trigger string    `bson:"trigger"`
	Holder  string    `bson:"holder"`
}

// record puts run first in its job's document and keeps the newest keptRuns. The
// engine has no $push with $slice, so it reads, trims and writes under a lock.
func (s *Store) record(ctx context.Context, run Run) error {
	_, _, err := database.Update(ctx, s.db, database.Doc{Coll: jobsColl, ID: run.Job}, func(_ context.Context, doc *jobRuns) error {
		runs := append([]runDoc{runDoc(run)}, doc.Runs...)
		doc.Name, doc.Runs = run.Job, runs[:min(len(runs), keptRuns)]
		return nil
	})
	if err != nil {
		return fmt.Errorf("record run of job %s: %w", run.Job, err)
	}
	return nil
}

// lastRuns reads the recorded runs of every job by name (one small document per job).
func (s *Store) lastRuns(ctx context.Context) (map[string][]Run, error) {
	docs, err := database.All[jobRuns](ctx, s.db.Collection(jobsColl), bson.D{}, nil)
	if err != nil {
		return nil, err
	}
	runs := make(map[string][]Run, len(docs))
	for _, d := range docs {
		for _, r := range d.Runs {
			runs[d.Name] = append(runs[d.Name], Run(r))
		}
	}
	return runs, nil
}
