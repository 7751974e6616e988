package campaigns_test

import (
	"context"
	"testing"

	"loa"
	"loa/campaigns"
)

// BenchmarkUnitsAt measures the answers "units at a date" rests on, on the
// demo's history (2024, the step of 01/01/2025, the map of 01/07/2025): a list of
// communes through the service (one read of the units' version, then memory), the
// tree of a date, and re-stating every 2024 commune on the 2025 map.
func BenchmarkUnitsAt(b *testing.B) {
	s, _ := newServiceDB(b, true)
	ctx := context.Background()
	for _, at := range []loa.Date{"2024-03-15", "2025-03-15", "2025-08-15"} {
		b.Run("OrgUnits/communes/"+string(at), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.OrgUnits(ctx, campaigns.OrgUnitFilter{Level: "commune", At: at}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	h, err := s.History(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("History.At", func(b *testing.B) {
		days := []loa.Date{"2024-03-15", "2025-03-15", "2025-08-15", "2026-12-07"}
		i := 0
		for b.Loop() {
			if h.At(days[i%len(days)]) == nil {
				b.Fatal("no tree")
			}
			i++
		}
	})
	old := h.At("2024-06-01").Units()
	b.Run("Resolve/241-communes", func(b *testing.B) {
		for b.Loop() {
			for _, u := range old {
				if u.Level == "commune" && len(h.Resolve(u.Code, "2024-06-01", "2025-08-15")) != 1 {
					b.Fatalf("%s has no place on the 2025 map", u.Code)
				}
			}
		}
	})
}
