package campaigns_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"

	"loa"
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

// The sample file offered on the imports page imports as it is, onto the units
// already loaded and onto none.
func TestOrgUnitSampleImports(t *testing.T) {
	sample, err := os.ReadFile("../templates/static/mau-don-vi-hanh-chinh.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, loaded := range []bool{true, false} {
		s := newService(t, loaded)
		sum, err := s.ImportOrgUnits(context.Background(), loa.System, bytes.NewReader(sample), true)
		if err != nil || sum.Status == "error" || len(sum.Conflicts) != 0 {
			t.Errorf("dry run of the sample (reference loaded: %v) = %+v, %v", loaded, sum, err)
		}
	}
}
