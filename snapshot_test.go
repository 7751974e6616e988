package loa_test

import (
	"testing"

	"loa"
)

func TestSnapshot(t *testing.T) {
	var s loa.Snapshot[string]
	loads := 0
	load := func(v string) func() (string, error) {
		return func() (string, error) { loads++; return v, nil }
	}
	if got, _ := s.Get(1, load("one")); got != "one" || loads != 1 {
		t.Fatalf("Get(1) = %q after %d loads", got, loads)
	}
	if got, _ := s.Get(1, load("other")); got != "one" || loads != 1 {
		t.Errorf("Get(1) again = %q after %d loads, want the held value", got, loads)
	}
	s.Advance(2, func(v string) (string, error) { return v + "+two", nil })
	if got, _ := s.Get(2, load("reloaded")); got != "one+two" || loads != 1 {
		t.Errorf("after Advance(2): %q after %d loads, want one+two without a load", got, loads)
	}
	s.Advance(4, func(v string) (string, error) { return v + "+four", nil }) // version 3 was missed
	if got, _ := s.Get(4, load("four")); got != "four" || loads != 2 {
		t.Errorf("after a missed version: %q after %d loads, want a reload", got, loads)
	}
}
