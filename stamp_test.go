package loa_test

import (
	"regexp"
	"testing"
	"time"

	"loa"
)

func TestStamp(t *testing.T) {
	in := time.Date(2024, 3, 15, 16, 0, 0, 123456789, time.FixedZone("ICT", 7*3600))
	want := time.Date(2024, 3, 15, 9, 0, 0, 123000000, time.UTC)
	if got := loa.Stamp(in); got != want {
		t.Errorf("Stamp(%v) = %v, want %v", in, got, want)
	}
}

func TestNewID(t *testing.T) {
	at := time.Date(2024, 3, 15, 9, 0, 0, 0, time.UTC)
	id := loa.NewID("c", at)
	if !regexp.MustCompile(`^cltsfhk00[0-9a-f]{6}$`).MatchString(id) {
		t.Errorf("NewID(c, %v) = %q, want c, the time in base 36 and six hex digits", at, id)
	}
	if later := loa.NewID("c", at.Add(time.Millisecond)); later <= id {
		t.Errorf("NewID a millisecond later = %q, not after %q", later, id)
	}
	if again := loa.NewID("c", at); again == id {
		t.Errorf("NewID twice at one instant = %q both times", id)
	}
}
