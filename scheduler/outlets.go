package scheduler

import (
	"context"

	"loa/campaigns"
)

// Outlets lists the active stations, in code order, each with the campaign's
// active rules that pick it and have not ended before today: which units a rule
// already reaches and which none does (plan suggestions).
func (s *Service) Outlets(ctx context.Context, campaign string) ([]campaigns.Outlet, error) {
	all, err := s.stations(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	picked := map[string][]campaigns.RuleRef{}
	for _, r := range rules {
		if r.Campaign != campaign || !r.Active || r.Until != nil && *r.Until < today {
			continue
		}
		stations, err := s.resolve(ctx, r.Stations, all, r.StartDate)
		if err != nil {
			return nil, err
		}
		for _, st := range stations {
			picked[st.Code] = append(picked[st.Code], campaigns.RuleRef{ID: r.ID, Title: r.Title})
		}
	}
	out := []campaigns.Outlet{}
	for _, st := range all {
		if st.Active {
			out = append(out, campaigns.Outlet{Station: st.Code, Name: st.Name, Channel: st.Channel, OrgUnit: st.OrgUnit, Rules: picked[st.Code]})
		}
	}
	return out, nil
}
