package campaigns_test

import (
	"context"
	"slices"
	"testing"

	"loa/campaigns"
)

// The levels a campaign may count are those of the units standing in its period:
// no district level for a plan of 2026.
func TestLevelsOfAPeriod(t *testing.T) {
	s := newService(t, true)
	for _, tt := range []struct {
		period campaigns.Period
		want   []string
	}{
		{campaigns.Period{Start: "2024-01-01", End: "2024-12-31"}, []string{"province", "district", "commune"}},
		{campaigns.Period{Start: "2025-01-01", End: "2025-12-31"}, []string{"province", "district", "commune"}},
		{campaigns.Period{Start: "2026-01-01", End: "2026-12-31"}, []string{"province", "commune"}},
	} {
		got, err := s.Levels(context.Background(), tt.period)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Levels(%v) = %v, %v; want %v", tt.period, got, err, tt.want)
		}
	}
}
