package reach

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTotalsAddUpTheCells: a half-month's totals per unit and group equal its
// cells added up one by one, and follow a cell Put after they were read.
func TestTotalsAddUpTheCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	set := CellSet{}
	for range 2000 {
		k := CellKey{Month: "2024-05", Part: 1 + rng.IntN(2), OrgUnit: fmt.Sprint(20500 + rng.IntN(30)),
			Group: fmt.Sprint("g", rng.IntN(7)), Activity: fmt.Sprint("a", rng.IntN(9))}
		c := set.Get(k)
		c.Add(Cell{Records: 1, Activities: int64(1 + rng.IntN(3)), PersonTimes: int64(rng.IntN(300)), UniquePersons: int64(rng.IntN(50)),
			UniqueKnown: 1, Estimated: int64(rng.IntN(2)), Repeated: int64(rng.IntN(5)), FirstTimeKnown: int64(rng.IntN(2))}, 1)
		set.Put(k, c)
	}
	check := func(when string) {
		t.Helper()
		for pk, h := range set {
			want := map[[2]string]Cell{}
			for k, c := range h.Cells {
				w := want[[2]string{k.OrgUnit, k.Group}]
				w.Add(c, 1)
				want[[2]string{k.OrgUnit, k.Group}] = w
			}
			got := h.Totals()
			if len(got) != len(want) {
				t.Fatalf("%s, %v: %d totals, want %d", when, pk, len(got), len(want))
			}
			for i, tot := range got {
				if tot.Cell != want[[2]string{tot.OrgUnit, tot.Group}] {
					t.Errorf("%s, %v: total of %s/%s = %+v, want %+v", when, pk, tot.OrgUnit, tot.Group, tot.Cell, want[[2]string{tot.OrgUnit, tot.Group}])
				}
				if i > 0 && (got[i-1].OrgUnit > tot.OrgUnit || got[i-1].OrgUnit == tot.OrgUnit && got[i-1].Group >= tot.Group) {
					t.Errorf("%s, %v: totals out of order at %d: %s/%s after %s/%s", when, pk, i, tot.OrgUnit, tot.Group, got[i-1].OrgUnit, got[i-1].Group)
				}
			}
		}
	}
	check("first read")
	k := CellKey{Month: "2024-05", Part: 1, OrgUnit: "20501", Group: "g1", Activity: "a1"}
	c := set.Get(k)
	c.Add(Cell{Records: 1, PersonTimes: 1000}, 1)
	set.Put(k, c)
	check("after a Put")
}
