package reach

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackedCellsReadBackEqual packs random half-months (counters negative, zero
// and at the limits of int64, Vietnamese and empty codes) and reads them back.
func TestPackedCellsReadBackEqual(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := []int64{0, 1, -1, 63, 64, -64, -65, 300, 1 << 40, math.MaxInt64, math.MinInt64}
	for round := range 50 {
		want := map[CellKey]Cell{}
		for range rng.IntN(400) {
			k := CellKey{Month: "2024-03", Part: 2, OrgUnit: fmt.Sprint(20500 + rng.IntN(40)),
				Group: []string{"students", "", "dân tộc thiểu số"}[rng.IntN(3)], Activity: fmt.Sprint("a", rng.IntN(9))}
			var v [cellCounters]int64
			for i := range v {
				v[i] = values[rng.IntN(len(values))]
			}
			want[k] = cellOfCounters(v)
		}
		got := map[CellKey]Cell{}
		if err := unpackCells(packCells(want), "2024-03", 2, func(s string) string { return s }, got); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		maps.DeleteFunc(want, func(_ CellKey, c Cell) bool { return c == Cell{} }) // nothing to keep
		if !maps.Equal(got, want) {
			t.Fatalf("round %d: %d cells read back, want %d; first differing: %v", round, len(got), len(want), firstDiff(got, want))
		}
	}
}

// TestPackedCellsAddToWhatIsThere: unpacking adds to the cells given, as a read of
// several half-months into one map and an update of one need.
func TestPackedCellsAddToWhatIsThere(t *testing.T) {
	k := CellKey{Month: "2024-01", Part: 1, OrgUnit: "20575", Group: "students", Activity: "school_session"}
	into := map[CellKey]Cell{k: {Records: 2, PersonTimes: 50}}
	if err := unpackCells(packCells(map[CellKey]Cell{k: {Records: 1, PersonTimes: -20, UniqueKnown: 1}}), "2024-01", 1,
		func(s string) string { return s }, into); err != nil {
		t.Fatal(err)
	}
	if want := (Cell{Records: 3, PersonTimes: 30, UniqueKnown: 1}); into[k] != want {
		t.Errorf("cell = %+v, want %+v", into[k], want)
	}
}

// TestDamagedPackedCellsAreRefused: every truncation of a packed value, and a
// value whose counts claim more than it holds, is an error, never a panic or a
// partial read taken for the whole.
func TestDamagedPackedCellsAreRefused(t *testing.T) {
	b := packCells(map[CellKey]Cell{
		{OrgUnit: "20575", Group: "students", Activity: "school_session"}: {Records: 1, Activities: 2, PersonTimes: 300},
		{OrgUnit: "507", Group: "officials", Activity: "training"}:        {Records: 4, Estimated: 7},
	})
	for n := 1; n < len(b); n++ {
		if err := unpackCells(b[:n], "2024-01", 1, func(s string) string { return s }, map[CellKey]Cell{}); !errors.Is(err, errPacked) {
			t.Errorf("the first %d of %d bytes: %v, want errPacked", n, len(b), err)
		}
	}
	for _, bad := range [][]byte{{0xff, 0xff, 0xff, 0xff, 0x0f}, {0, 0xff, 0x01}, append(b, 0)} {
		if err := unpackCells(bad, "2024-01", 1, func(s string) string { return s }, map[CellKey]Cell{}); !errors.Is(err, errPacked) {
			t.Errorf("unpack(%x) = %v, want errPacked", bad, err)
		}
	}
}

func firstDiff(a, b map[CellKey]Cell) string {
	for k := range keysOf(cellSetOf(a), b) {
		if a[k] != b[k] {
			return fmt.Sprintf("%+v: %+v against %+v", k, a[k], b[k])
		}
	}
	return "none"
}
