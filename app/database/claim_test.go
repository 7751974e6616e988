package database_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"loa/app/database"
	"loa/app/database/dbtest"
)

var quickClaims = database.ClaimTiming{Renew: 100 * time.Millisecond, Expire: 500 * time.Millisecond}

// TestSecondProcessRefused: on FerretDB (the embedded engine is FerretDB) the first
// process claims the database and keeps its claim fresh; a second one is refused,
// naming the first; once the first closes, the second may start; a claim nobody
// renews any more (a killed process) is taken over.
func TestSecondProcessRefused(t *testing.T) {
	ctx := context.Background()
	first := dbtest.New(t, database.Schema)
	if safe, err := first.SharedSafely(ctx); err != nil || safe {
		t.Fatalf("SharedSafely on FerretDB = %v, %v; want false", safe, err)
	}
	if err := first.Claim(ctx, "may-1/101", quickClaims, dbtest.Logger()); err != nil {
		t.Fatal(err)
	}
	second := dbtest.Another(t, first)
	var claimed *database.ClaimedError
	if err := second.Claim(ctx, "may-2/202", quickClaims, dbtest.Logger()); !errors.As(err, &claimed) || claimed.Holder != "may-1/101" {
		t.Fatalf("a second process's claim: %v, want refused naming may-1/101", err)
	}
	// The first keeps working: it writes, and its claim is renewed.
	if _, err := first.Collection("versions").InsertOne(ctx, bson.D{{Key: "_id", Value: "still-here"}}); err != nil {
		t.Errorf("the first process after the refusal: %v", err)
	}
	before := claimSeen(t, first)
	time.Sleep(3 * quickClaims.Renew)
	if after := claimSeen(t, first); !after.After(before) {
		t.Errorf("the claim was not renewed: seen %v, then %v", before, after)
	}

	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := second.Claim(ctx, "may-2/202", quickClaims, dbtest.Logger()); err != nil {
		t.Fatalf("claiming after the first closed: %v", err)
	}
	if err := second.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// A process killed while holding the claim: nobody renews it.
	third := dbtest.Another(t, first)
	stale := time.Now().Add(-time.Hour).UTC()
	if _, err := third.Collection("replicas").InsertOne(ctx, bson.D{{Key: "_id", Value: "single-writer"}, {Key: "holder", Value: "killed/303"},
		{Key: "started", Value: stale}, {Key: "seen", Value: stale}}); err != nil {
		t.Fatal(err)
	}
	if err := third.Claim(ctx, "may-3/404", quickClaims, dbtest.Logger()); err != nil {
		t.Fatalf("taking over a stale claim: %v", err)
	}
	if err := third.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// claimSeen is when the claim was last renewed.
func claimSeen(t *testing.T, db *database.DB) time.Time {
	t.Helper()
	var doc struct{ Seen time.Time }
	if err := db.Collection("replicas").FindOne(context.Background(), bson.D{{Key: "_id", Value: "single-writer"}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.Seen
}
