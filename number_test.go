package loa_test

import (
	"testing"

	"loa"
)

func TestNumber(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 64: "64", 1000: "1.000", 13625: "13.625", 1234567: "1.234.567", -12345: "-12.345"} {
		if got := loa.Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}
