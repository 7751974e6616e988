package campaigns

import (
	"context"
	"slices"
)

// Levels are the levels of the units standing at some time in p, from the top
// down: what an indicator of a campaign of p may count (province, district and
// commune in 2024; province and commune after 01/07/2025). When p is not a
// period yet (a form still empty), the levels of today.
func (s *Service) Levels(ctx context.Context, p Period) ([]string, error) {
	h, err := s.History(ctx)
	if err != nil {
		return nil, err
	}
	trees := []*UnitTree{h.At(s.Today())}
	if p.Start.Valid() && p.End.Valid() && p.Start <= p.End {
		trees = h.During(p)
		slices.Reverse(trees) // earliest first, when the district level still stood
	}
	var out []string
	for _, t := range trees {
		for _, l := range t.Levels() {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out, nil
}
