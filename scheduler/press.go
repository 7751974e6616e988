package scheduler

import (
	"context"
	"fmt"
	"time"

	"loa"
	"loa/campaigns"
	"loa/content"
)

// Month states of the press calendar.
const (
	MonthMet            = "met"             // at least one item published
	MonthMissed         = "missed"          // over, with nothing published
	MonthPlanned        = "planned"         // not over, an item planned
	MonthNothingPlanned = "nothing_planned" // not over, nothing planned: a gap ahead
)

// PressMonth is one month of a campaign's press calendar.
type PressMonth struct {
	Month     string `json:"month"` // YYYY-MM
	Planned   int    `json:"planned"`
	Published int    `json:"published"`
	// Meets says whether the month has "at least once a month" already.
	Meets bool   `json:"meets"`
	State string `json:"state"`
}

// PressCalendar is the year of a campaign's press items.
type PressCalendar struct {
	Campaign string       `json:"campaign"`
	Year     int          `json:"year"`
	Channel  string       `json:"channel"`
	Months   []PressMonth `json:"months"`
	// MonthsMet counts the months with a published item.
	MonthsMet int `json:"monthsMet"`
}

// PressCalendar counts, for each month of year, the campaign's press items planned
// and published (cancelled ones aside) and says whether the month meets "at least
// once a month".
func (s *Service) PressCalendar(ctx context.Context, campaign string, year int) (PressCalendar, error) {
	return s.channelCalendar(ctx, campaign, ChannelPress, year)
}

// ChannelMonths counts, by month, the campaign's items planned and published on a
// channel kind in a year: the press calendar the indicator engine reads.
func (s *Service) ChannelMonths(ctx context.Context, campaign, channel string, year int) (map[string]campaigns.MonthPlan, error) {
	pc, err := s.channelCalendar(ctx, campaign, channel, year)
	if err != nil {
		return nil, err
	}
	out := make(map[string]campaigns.MonthPlan, len(pc.Months))
	for _, m := range pc.Months {
		out[m.Month] = campaigns.MonthPlan{Planned: m.Planned, Published: m.Published}
	}
	return out, nil
}

// PlannedUnits counts, per org unit, the campaign's airings planned (not cancelled,
// with content) from from to to, and beyond the horizon the occurrences its rules
// will place there: what forecasts of activity rest on.
func (s *Service) PlannedUnits(ctx context.Context, campaign string, from, to time.Time) (map[string]int, error) {
	cal, err := s.airings(ctx)
	if err != nil {
		return nil, err
	}
	stations, err := s.Stations(ctx, StationFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, st := range stations {
		for _, a := range cal.window(st.Code, from, to) {
			if a.Campaign == campaign && a.occupies() && a.Status != StatusNoContent {
				out[a.OrgUnit]++
			}
		}
	}
	err = s.ahead(ctx, campaign, later(s.Horizon(s.now()), from), to, func(o placed) { out[o.unit]++ })
	return out, err
}

// channelCalendar is PressCalendar for any channel kind.
func (s *Service) channelCalendar(ctx context.Context, campaign, channel string, year int) (PressCalendar, error) {
	if _, err := s.units.Campaign(ctx, campaign); err != nil {
		return PressCalendar{}, err
	}
	if year < 2000 || year > 2100 {
		return PressCalendar{}, loa.Invalid("year", "a year from 2000 to 2100")
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return PressCalendar{}, err
	}
	stations, err := s.Stations(ctx, StationFilter{Channel: channel})
	if err != nil {
		return PressCalendar{}, err
	}
	out := PressCalendar{Campaign: campaign, Year: year, Channel: channel, Months: make([]PressMonth, 12)}
	thisMonth := monthStart(s.now().In(s.opts.Zone))
	yearStart := time.Date(year, time.January, 1, 0, 0, 0, 0, s.opts.Zone)
	ahead, err := s.projected(ctx, campaign, channel, later(s.Horizon(s.now()), yearStart), yearStart.AddDate(1, 0, 0))
	if err != nil {
		return PressCalendar{}, err
	}
	for m := range 12 {
		from := time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, s.opts.Zone)
		pm := PressMonth{Month: from.Format("2006-01")}
		for _, st := range stations {
			for _, a := range cal.window(st.Code, from, from.AddDate(0, 1, 0)) {
				if a.Campaign != campaign || !a.occupies() || a.Status == StatusNoContent {
					continue // a slot without an article is a gap, not a planned item
				}
				pm.Planned++
				if a.Status == StatusPublished {
					pm.Published++
				}
			}
		}
		pm.Planned += ahead[pm.Month]
		pm.Meets = pm.Published > 0
		switch {
		case pm.Meets:
			pm.State = MonthMet
		case from.Before(thisMonth):
			pm.State = MonthMissed
		case pm.Planned > 0:
			pm.State = MonthPlanned
		default:
			pm.State = MonthNothingPlanned
		}
		if pm.Meets {
			out.MonthsMet++
		}
		out.Months[m] = pm
	}
	return out, nil
}

// projected counts, by month (YYYY-MM), the occurrences ahead (see ahead) in
// [from, to) at the stations of a channel kind.
func (s *Service) projected(ctx context.Context, campaign, channel string, from, to time.Time) (map[string]int, error) {
	out := map[string]int{}
	err := s.ahead(ctx, campaign, from, to, func(o placed) {
		if o.channel == channel {
			out[o.slot.In(s.opts.Zone).Format("2006-01")]++
		}
	})
	return out, err
}

// ahead calls each with the place and start of every occurrence of the
// campaign's active rules in [from, to) that content valid then could fill:
// beyond the horizon no airing exists yet, and what the rules will place there is
// planned all the same (issue 16). The press calendar, the gaps and the
// forecasts read it from the horizon on. Expanding a half-year of a province's
// rules takes about 0.1 s, so the answer is kept while the rules, stations, org
// units and approved content it rests on stay the same.
func (s *Service) ahead(ctx context.Context, campaign string, from, to time.Time, each func(placed)) error {
	if !to.After(from) {
		return nil
	}
	key := aheadKey{campaign: campaign, from: from.Unix(), to: to.Unix()}
	var err error
	if key.stations, err = s.store.StationsVersion(ctx); err != nil {
		return err
	}
	if key.rules, err = s.store.RulesVersion(ctx); err != nil {
		return err
	}
	if key.units, err = s.units.OrgUnitsVersion(ctx); err != nil {
		return err
	}
	airable, err := s.library.Airable(ctx)
	if err != nil {
		return err
	}
	key.library = airable.LibraryVersion
	occs, err := s.aheadMemo.get(key, func() ([]placed, error) { return s.expandAhead(ctx, campaign, from, to, airable) })
	if err != nil {
		return err
	}
	for _, o := range occs {
		each(o)
	}
	return nil
}

// expandAhead lists the occurrences ahead reads.
func (s *Service) expandAhead(ctx context.Context, campaign string, from, to time.Time, airable content.Airable) ([]placed, error) {
	rules, err := s.Rules(ctx, RuleFilter{Campaign: campaign})
	if err != nil {
		return nil, err
	}
	all, err := s.stations(ctx)
	if err != nil {
		return nil, err
	}
	wanted, _, err := s.plan(ctx, rules, all, from, to)
	if err != nil {
		return nil, err
	}
	pick := newPicker(airable, s.opts.Zone)
	var out []placed
	for _, occs := range wanted {
		for _, o := range occs {
			if o.displacedBy == "" && pick.choose(o, o.slot, nil) != "" {
				out = append(out, placed{channel: o.station.Channel, unit: o.station.OrgUnit, slot: o.slot})
			}
		}
	}
	return out, nil
}

// placed is an occurrence ahead: its station's channel and unit, and its start.
type placed struct {
	channel, unit string
	slot          time.Time
}

// aheadEntries bounds the expansions ahead kept: one per campaign and span asked
// for today, with the versions they rest on.
const aheadEntries = 16

// aheadKey names an expansion ahead: its campaign and span, and the versions of
// what it rests on.
type aheadKey struct {
	campaign                        string
	from, to                        int64
	stations, rules, units, library int64
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

// CurrentYear is the current year in the deployment's zone.
func (s *Service) CurrentYear() int { return s.now().In(s.opts.Zone).Year() }

// ParseDay reads a date (YYYY-MM-DD) as its midnight in the deployment's zone.
func (s *Service) ParseDay(field, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, v, s.opts.Zone)
	if err != nil {
		return time.Time{}, loa.Invalid(field, fmt.Sprintf("%q is not a date of the form YYYY-MM-DD", v))
	}
	return t, nil
}
