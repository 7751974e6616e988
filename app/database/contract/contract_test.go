package contract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"loa"
	"loa/app/audit"
	"loa/app/database"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/scheduler/jobs"
)

// processes is how many clients act at once, each with its own connection, as
// separate Loa processes would.
const processes = 16

var logger = slog.New(slog.DiscardHandler)

// engine is the URI of the engine under test, or the test is skipped.
func engine(t *testing.T) string {
	t.Helper()
	if uri := os.Getenv("LOA_CONTRACT_URI"); uri != "" {
		return uri
	}
	if pg := os.Getenv("LOA_CONTRACT_POSTGRES"); pg != "" {
		e, err := database.StartPostgreSQLEngine(pg, logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = e.Stop(ctx)
		})
		return e.URI()
	}
	t.Skip("no engine to check: set LOA_CONTRACT_URI=mongodb://… or LOA_CONTRACT_POSTGRES=postgres://… (see the package doc)")
	return ""
}

// clients opens n clients on a fresh database of the engine, dropped at the end.
func clients(t *testing.T, uri string, n int) []*database.DB {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("loa_contract_%d", time.Now().UnixNano())
	var dbs []*database.DB
	for range n {
		db, err := database.Open(ctx, database.Options{URI: uri, Name: name, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	t.Cleanup(func() {
		_ = dbs[0].Drop(ctx)
		for _, db := range dbs {
			_ = db.Client.Disconnect(ctx)
		}
	})
	return dbs
}

// together runs f once per client at the same moment and waits for all.
func together(dbs []*database.DB, f func(i int, db *database.DB)) {
	var start, done sync.WaitGroup
	start.Add(1)
	for i, db := range dbs {
		done.Go(func() {
			start.Wait()
			f(i, db)
		})
	}
	start.Done()
	done.Wait()
}

func TestIncrementsKeepEveryUpdate(t *testing.T) {
	dbs := clients(t, engine(t), processes)
	ctx := context.Background()
	if _, err := dbs[0].Collection("counters").InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	const each = 100
	var failed atomic.Int64
	together(dbs, func(_ int, db *database.DB) {
		for range each {
			if _, err := db.Collection("counters").UpdateOne(ctx, database.IDFilter("c"), bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}); err != nil {
				failed.Add(1)
			}
		}
	})
	var doc struct{ N int64 }
	if err := dbs[0].Collection("counters").FindOne(ctx, database.IDFilter("c")).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if want := int64(processes*each) - failed.Load(); doc.N != want {
		t.Errorf("$inc from %d clients at once kept %d of %d increments (%d refused)", processes, doc.N, want, failed.Load())
	}
}

func TestConditionalUpdatesSucceedOncePerRevision(t *testing.T) {
	dbs := clients(t, engine(t), processes)
	ctx := context.Background()
	if _, err := dbs[0].Collection("revisions").InsertOne(ctx, bson.D{{Key: "_id", Value: "r"}, {Key: "rev", Value: 0}, {Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	var won atomic.Int64
	together(dbs, func(_ int, db *database.DB) {
		for range 50 {
			var doc struct{ Rev int64 }
			if err := db.Collection("revisions").FindOne(ctx, database.IDFilter("r")).Decode(&doc); err != nil {
				continue
			}
			res, err := db.Collection("revisions").UpdateOne(ctx, bson.D{{Key: "_id", Value: "r"}, {Key: "rev", Value: doc.Rev}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "rev", Value: doc.Rev + 1}}}, {Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
			if err == nil && res.ModifiedCount == 1 {
				won.Add(1)
			}
		}
	})
	var doc struct{ Rev, N int64 }
	if err := dbs[0].Collection("revisions").FindOne(ctx, database.IDFilter("r")).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Rev != won.Load() || doc.N != won.Load() {
		t.Errorf("compare-and-swap reported %d successes; the revision is %d and the counter %d", won.Load(), doc.Rev, doc.N)
	}
}

func TestUniqueKeysHaveOneWinner(t *testing.T) {
	dbs := clients(t, engine(t), processes)
	ctx := context.Background()
	for round := range 20 {
		var won atomic.Int64
		id := fmt.Sprintf("u%d", round)
		together(dbs, func(_ int, db *database.DB) {
			if _, err := db.Collection("uniques").InsertOne(ctx, bson.D{{Key: "_id", Value: id}}); err == nil {
				won.Add(1)
			}
		})
		if won.Load() != 1 {
			t.Errorf("round %d: %d inserts of one _id succeeded, want 1", round, won.Load())
		}
	}
}

func TestTheJobsLeaseHasOneHolder(t *testing.T) {
	dbs := clients(t, engine(t), processes)
	ctx := context.Background()
	now := time.Now()
	for round := range 20 {
		var holders atomic.Int64
		name := fmt.Sprintf("jobs-%d", round)
		together(dbs, func(i int, db *database.DB) {
			ok, err := jobs.NewLease(db, name, time.Minute).Acquire(ctx, fmt.Sprintf("process-%d", i), now)
			if err == nil && ok {
				holders.Add(1)
			}
		})
		if holders.Load() != 1 {
			t.Errorf("round %d: %d processes hold the lease, want 1", round, holders.Load())
		}
	}
}

// TestTwoProcessesWriteOneBucket: two processes (each its own client and reach
// service) record activities of one commune and month at once, retrying what the
// store refuses as a conflict; every record is kept and the rollups agree with
// the records.
func TestTwoProcessesWriteOneBucket(t *testing.T) {
	dbs := clients(t, engine(t), 2)
	ctx := context.Background()
	schema := slices.Concat(database.Schema, campaigns.Schema, reach.Schema, audit.Schema)
	if err := dbs[0].EnsureSchema(ctx, schema); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2024, 7, 20, 3, 0, 0, 0, time.UTC) }
	var services []*reach.Service
	for i, db := range dbs {
		cs := campaigns.NewService(campaigns.NewStore(db), audit.New(audit.NewStore(db), now), now)
		if i == 0 {
			if err := cs.LoadReference(ctx); err != nil {
				t.Fatal(err)
			}
			if err := cs.LoadDemo(ctx); err != nil {
				t.Fatal(err)
			}
		}
		services = append(services, reach.NewService(cs, reach.NewStore(db), audit.New(audit.NewStore(db), now), now))
	}
	const each = 25
	var refused atomic.Int64
	var mu sync.Mutex
	var failures []error
	together(dbs, func(i int, _ *database.DB) {
		for k := range each {
			r := reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: "20551", Group: "general_public", Date: loa.Date(fmt.Sprintf("2024-03-%02d", 1+k%28)),
				Activity: "direct_session", Activities: 1, PersonTimes: 10, SourceRef: fmt.Sprintf("%d-%d/BC-UBND", i, k)}
			for try := 0; ; try++ {
				_, _, err := services[i].PutReach(ctx, loa.System, r)
				if err == nil {
					break
				}
				if !errors.Is(err, loa.ErrConflict) || try == 50 {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
					break
				}
				refused.Add(1)
			}
		}
	})
	if len(failures) > 0 {
		t.Fatalf("%d writes failed, the first: %v", len(failures), failures[0])
	}
	records, err := services[0].ListReach(ctx, loa.System, reach.ReachFilter{Campaign: campaigns.DemoCampaignCode, Scope: "20551"}, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2*each {
		t.Errorf("%d records stored, want %d (conflicts answered and retried: %d)", len(records), 2*each, refused.Load())
	}
	diffs, err := services[0].CheckRollups(ctx, campaigns.DemoCampaignCode)
	if err != nil || len(diffs) > 0 {
		t.Errorf("rollups against the records: %v, %v", diffs, err)
	}
	t.Logf("%d writes refused as conflicts and retried", refused.Load())
}
