package database

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// One process at a time on FerretDB. FerretDB loses concurrent writes on either
// of its backends (README, "Several replicas": $inc and compare-and-swap under 16
// clients kept a fraction of their updates), and Loa's keyed locks live in one
// process: two Loa processes on one FerretDB database would lose writes quietly.
// Only inserts under a unique key hold there, so the one process that may write
// registers itself with an insert under a fixed _id and keeps the registration
// fresh; a second process finds it and refuses to start. On a real MongoDB
// (buildInfo without ferretdbVersion) nothing is claimed: replicas share it.

const (
	claimsColl = "replicas"
	claimID    = "single-writer"
)

// ClaimTiming says how often the holder renews its claim and when a claim not
// renewed is taken as its holder's death.
type ClaimTiming struct {
	Renew, Expire time.Duration
}

// DefaultClaimTiming renews every 10 s and expires after 30 s.
var DefaultClaimTiming = ClaimTiming{Renew: 10 * time.Second, Expire: 30 * time.Second}

// ClaimedError refuses a second process on a database that only one may use.
type ClaimedError struct {
	Holder   string
	Started  time.Time
	LastSeen time.Time
}

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("another Loa process (%s, started %s, last seen %s) uses this database, and its engine is FerretDB, "+
		"which loses concurrent writes: run one Loa process on it, or several on a MongoDB replica set (README, \"Several replicas\")",
		e.Holder, e.Started.Format(time.RFC3339), e.LastSeen.Format(time.RFC3339))
}

// claimDoc is the registration of the process that uses the database.
type claimDoc struct {
	ID      string    `bson:"_id"`
	Holder  string    `bson:"holder"`
	Started time.Time `bson:"started"`
	Seen    time.Time `bson:"seen"`
}

// claim is a held registration and its renewal.
type claim struct {
	holder string
	stop   chan struct{}
	done   sync.WaitGroup
}

// SharedSafely reports whether several processes may write the database at once:
// false on FerretDB (its buildInfo names its version).
func (db *DB) SharedSafely(ctx context.Context) (bool, error) {
	var info bson.M
	if err := db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false, fmt.Errorf("buildInfo: %w", err)
	}
	_, ferret := info["ferretdbVersion"]
	return !ferret, nil
}

// Claim registers holder as the one process using the database, where the engine
// needs it (see SharedSafely), and keeps the claim fresh until Close. A claim
// another process renews is answered with a *ClaimedError (after at most one
// renewal period of watching it); one not renewed for t.Expire is taken over. On
// the embedded engine this process started, the data directory's lock already
// proves that no other process runs on it, so a claim left by a killed process is
// taken over at once.
func (db *DB) Claim(ctx context.Context, holder string, t ClaimTiming, log *slog.Logger) error {
	safe, err := db.SharedSafely(ctx)
	if err != nil || safe {
		return err
	}
	coll := db.Collection(claimsColl)
	if db.owned {
		if _, err := coll.DeleteOne(ctx, IDFilter(claimID)); err != nil {
			return fmt.Errorf("claim the database: %w", err)
		}
	}
	for {
		now := time.Now().UTC()
		_, err := coll.InsertOne(ctx, claimDoc{ID: claimID, Holder: holder, Started: now, Seen: now})
		if err == nil {
			break
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("claim the database: %w", err)
		}
		if err := db.waitForClaim(ctx, t); err != nil {
			return err
		}
	}
	c := &claim{holder: holder, stop: make(chan struct{})}
	c.done.Go(func() { db.renew(c, t, log) })
	db.claim = c
	return nil
}

// waitForClaim watches the claim another process holds: if it is renewed, that
// process lives and the answer is a *ClaimedError; if it expires, it is removed
// (the insert then decides who takes it).
func (db *DB) waitForClaim(ctx context.Context, t ClaimTiming) error {
	coll := db.Collection(claimsColl)
	var first *claimDoc
	for {
		doc, found, err := ByID[claimDoc](ctx, coll, claimID)
		if err != nil {
			return fmt.Errorf("read the database's claim: %w", err)
		}
		if !found {
			return nil
		}
		if first != nil && doc.Holder == first.Holder && doc.Seen.After(first.Seen) {
			return &ClaimedError{Holder: doc.Holder, Started: doc.Started, LastSeen: doc.Seen}
		}
		if time.Since(doc.Seen) > t.Expire {
			// Remove exactly the stale claim read: a renewal or a takeover meanwhile
			// leaves it in place.
			_, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: claimID}, {Key: "holder", Value: doc.Holder}, {Key: "seen", Value: doc.Seen}})
			return err
		}
		if first == nil || doc.Holder != first.Holder {
			first = &doc
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(t.Renew / 4):
		}
	}
}

// renew keeps the claim fresh until it is released.
func (db *DB) renew(c *claim, t ClaimTiming, log *slog.Logger) {
	tick := time.NewTicker(t.Renew)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), t.Renew)
		res, err := db.Collection(claimsColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: claimID}, {Key: "holder", Value: c.holder}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "seen", Value: time.Now().UTC()}}}})
		cancel()
		switch {
		case err != nil:
			log.Error("renewing this process's claim on the database", "error", err)
		case res.MatchedCount == 0:
			log.Error("this process's claim on the database was taken over by another process after it was not renewed in time; stop one of them",
				"holder", c.holder)
		}
	}
}

// release stops renewing the claim and removes it.
func (db *DB) release(ctx context.Context) error {
	c := db.claim
	if c == nil {
		return nil
	}
	db.claim = nil
	close(c.stop)
	c.done.Wait()
	_, err := db.Collection(claimsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: claimID}, {Key: "holder", Value: c.holder}})
	if err != nil {
		return fmt.Errorf("release the database's claim: %w", err)
	}
	return nil
}
