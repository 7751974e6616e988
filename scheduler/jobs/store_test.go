package jobs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"loa/app/database/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var t0 = time.Date(2025, 3, 10, 1, 0, 0, 0, time.UTC)

func TestLease(t *testing.T) {
	db := dbtest.New(t, Schema)
	ctx := context.Background()
	const ttl = time.Minute
	lease := NewLease(db, "jobs", ttl)
	renewed := t0.Add(40 * time.Second)
	steps := []struct {
		holder string
		at     time.Time
		want   bool
	}{
		{"A", t0, true},
		{"B", t0.Add(30 * time.Second), false},
		{"A", renewed, true},
		{"B", t0.Add(90 * time.Second), false}, // would be free without the renewal
		{"B", renewed.Add(ttl - time.Millisecond), false},
		{"B", renewed.Add(ttl + time.Second), true},
		{"A", renewed.Add(ttl + time.Second), false},
		{"B", renewed.Add(ttl + 2*time.Second), true}, // renews its own
	}
	for _, s := range steps {
		got, err := lease.Acquire(ctx, s.holder, s.at)
		if err != nil {
			t.Fatalf("Acquire(%s, %s): %v", s.holder, s.at, err)
		}
		if got != s.want {
			t.Fatalf("Acquire(%s, %s) = %v, want %v", s.holder, s.at, got, s.want)
		}
	}

	at := renewed.Add(ttl + 3*time.Second)
	if err := lease.Release(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if got, _ := lease.Acquire(ctx, "A", at); got {
		t.Fatal("Acquire(A) after A released a lease it did not hold = true, want false")
	}
	if err := lease.Release(ctx, "B"); err != nil {
		t.Fatal(err)
	}
	if got, err := lease.Acquire(ctx, "A", at); !got || err != nil {
		t.Fatalf("Acquire(A) after B released = %v, %v; want true", got, err)
	}
}

// TestLeaseRace has two holders acquire at the same instant, on a new lease and on an
// expired one: exactly one wins each time.
func TestLeaseRace(t *testing.T) {
	db := dbtest.New(t, Schema)
	ctx := context.Background()
	const ttl = time.Minute
	for round := range 6 {
		lease := NewLease(db, "race", ttl)
		at := t0.Add(time.Duration(round) * 2 * ttl) // the previous round's lease has expired
		var wg sync.WaitGroup
		won := make([]bool, 2)
		errs := make([]error, 2)
		for i := range won {
			wg.Go(func() { won[i], errs[i] = lease.Acquire(ctx, fmt.Sprint("holder", i), at) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: Acquire errors %v", round, errs)
		}
		if won[0] == won[1] {
			t.Fatalf("round %d: Acquire results %v, want exactly one true", round, won)
		}
	}
}
