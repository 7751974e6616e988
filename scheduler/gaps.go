package scheduler

import (
	"context"
	"fmt"
	"slices"
	"time"

	"loa"
	"loa/campaigns"
)

// Gap report bounds.
const (
	silentAfter   = 7 * 24 * time.Hour // a station with nothing confirmed for this long is silent
	maxGapAirings = 200                // no_content airings listed; all are counted
)

// Gaps is what a campaign's calendar is missing, as of a day.
type Gaps struct {
	Campaign string   `json:"campaign"`
	AsOf     loa.Date `json:"asOf"`
	// PressMonths are the months from AsOf's to the campaign's end with no press
	// item planned or published.
	PressMonths []string `json:"pressMonths"`
	// IdleUnits are the units of Level (communes) with no planned or aired activity
	// of the campaign in the half-year containing AsOf.
	HalfYear   campaigns.Period `json:"halfYear"`
	Level      string           `json:"level"`
	IdleUnits  []UnitRef        `json:"idleUnits"`
	UnitsTotal int              `json:"unitsTotal"`
	// NoContent are airings from AsOf on that have no approved content.
	NoContent      []Airing `json:"noContent"`
	NoContentTotal int      `json:"noContentTotal"`
	// Silent are stations with airings over a week past and no confirmation since.
	Silent []SilentStation `json:"silentStations"`
}

// UnitRef names an org unit.
type UnitRef struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
}

// SilentStation is a station that has not confirmed its airings for over a week.
type SilentStation struct {
	Station         string     `json:"station"`
	Name            string     `json:"name"`
	OrgUnit         string     `json:"orgUnit"`
	Unconfirmed     int        `json:"unconfirmed"` // airings ended over a week ago, unconfirmed
	LastConfirmedAt *time.Time `json:"lastConfirmedAt"`
}

// String sums the report up in one line, for the job log.
func (g Gaps) String() string {
	return fmt.Sprintf("%s: %d month(s) without press, %d of %d %s units idle, %d airing(s) without content, %d silent station(s)",
		g.Campaign, len(g.PressMonths), len(g.IdleUnits), g.UnitsTotal, g.Level, g.NoContentTotal, len(g.Silent))
}

// Gaps reports, for campaign as of asOf (zero: now) and within scope:
// months ahead with no press item, units with no activity this half-year, airings
// without content and stations that stopped confirming.
func (s *Service) Gaps(ctx context.Context, actor loa.Actor, campaign string, asOf time.Time) (Gaps, error) {
	c, err := s.units.Campaign(ctx, campaign)
	if err != nil {
		return Gaps{}, err
	}
	if asOf.IsZero() {
		asOf = s.now()
	}
	asOf = asOf.In(s.opts.Zone)
	g := Gaps{Campaign: campaign, AsOf: loa.DateOf(asOf.In(s.opts.Zone)), Level: activityLevel(c), PressMonths: []string{},
		IdleUnits: []UnitRef{}, NoContent: []Airing{}, Silent: []SilentStation{}}
	cal, err := s.airings(ctx)
	if err != nil {
		return Gaps{}, err
	}
	all, err := s.Stations(ctx, StationFilter{})
	if err != nil {
		return Gaps{}, err
	}
	var stations []Station
	for _, st := range all {
		in, err := s.units.Covers(ctx, actor, st.OrgUnit, s.today())
		if err != nil {
			return Gaps{}, err
		}
		if in {
			stations = append(stations, st)
		}
	}
	if err := s.pressGaps(ctx, &g, c, asOf); err != nil {
		return Gaps{}, err
	}
	if err := s.idleUnits(ctx, &g, cal, stations, actor, asOf); err != nil {
		return Gaps{}, err
	}
	for _, st := range stations {
		for _, a := range cal.window(st.Code, asOf, s.Horizon(asOf)) {
			if a.Campaign == campaign && a.Status == StatusNoContent {
				if g.NoContentTotal++; len(g.NoContent) < maxGapAirings {
					g.NoContent = append(g.NoContent, a)
				}
			}
		}
		if silent, ok := silence(st, cal.byStation[st.Code], campaign, asOf); ok {
			g.Silent = append(g.Silent, silent)
		}
	}
	slices.SortFunc(g.NoContent, compareAirings)
	return g, nil
}

// Empty says whether the report found no gap at all.
func (g Gaps) Empty() bool {
	return len(g.PressMonths)+len(g.IdleUnits)+g.NoContentTotal+len(g.Silent) == 0
}

// RunningGaps reports the gaps, province-wide, of every campaign running at at.
func (s *Service) RunningGaps(ctx context.Context, at time.Time) ([]Gaps, error) {
	all, err := s.units.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	today := loa.DateOf(at.In(s.opts.Zone))
	var out []Gaps
	for _, c := range all {
		if c.Period.Start > today || c.Period.End < today {
			continue
		}
		g, err := s.Gaps(ctx, loa.System, c.Code, at)
		if err != nil {
			return out, err
		}
		out = append(out, g)
	}
	return out, nil
}

// activityLevel is the level the campaign's org-unit activity target counts, or
// "commune".
func activityLevel(c campaigns.Campaign) string {
	for _, in := range c.Indicators {
		if in.Rule == campaigns.RuleOrgUnitActivity && in.Level != "" {
			return in.Level
		}
	}
	return "commune"
}

func (s *Service) pressGaps(ctx context.Context, g *Gaps, c campaigns.Campaign, asOf time.Time) error {
	end, err := s.ParseDay("period.end", string(c.Period.End))
	if err != nil {
		return err
	}
	years := map[int]PressCalendar{}
	for m := monthStart(asOf); !m.After(end); m = m.AddDate(0, 1, 0) {
		pc, ok := years[m.Year()]
		if !ok {
			if pc, err = s.PressCalendar(ctx, c.Code, m.Year()); err != nil {
				return err
			}
			years[m.Year()] = pc
		}
		if pc.Months[m.Month()-1].Planned == 0 {
			g.PressMonths = append(g.PressMonths, m.Format("2006-01"))
		}
	}
	return nil
}

// idleUnits lists the units of g.Level valid in the half-year of asOf, within
// scope, where no station of the unit (or below it) has a planned or aired airing
// of the campaign in that half-year, nor an occurrence of its rules beyond the
// horizon.
func (s *Service) idleUnits(ctx context.Context, g *Gaps, cal *calendar, stations []Station, actor loa.Actor, asOf time.Time) error {
	from := time.Date(asOf.Year(), 1, 1, 0, 0, 0, 0, s.opts.Zone)
	if asOf.Month() > time.June {
		from = from.AddDate(0, 6, 0)
	}
	to := from.AddDate(0, 6, 0)
	g.HalfYear = campaigns.Period{Start: loa.DateOf(from.In(s.opts.Zone)), End: loa.DateOf(to.AddDate(0, 0, -1).In(s.opts.Zone))}
	reached := map[string]bool{} // the stations' units with activity in the half-year
	for _, st := range stations {
		for _, a := range cal.window(st.Code, from, to) {
			if a.Campaign == g.Campaign && slices.Contains([]string{StatusPlanned, StatusDelivered, StatusAired, StatusPublished}, a.Status) {
				reached[st.OrgUnit] = true
				break
			}
		}
	}
	// Beyond the horizon, what the rules will place there.
	if err := s.ahead(ctx, g.Campaign, later(s.Horizon(s.now()), from), to, func(o placed) { reached[o.unit] = true }); err != nil {
		return err
	}
	active := map[string]bool{}
	for unit := range reached {
		// A station of a unit that has ended reaches the unit its land passed to.
		u, err := s.units.Located(ctx, unit, g.HalfYear.End)
		if err != nil {
			return err
		}
		for _, u := range u.Path {
			active[u] = true
		}
	}
	units, err := s.units.OrgUnits(ctx, campaigns.OrgUnitFilter{Level: g.Level, At: g.HalfYear.End})
	if err != nil {
		return err
	}
	for _, u := range units {
		if (u.ValidFrom != nil && *u.ValidFrom > g.HalfYear.End) || (u.ValidTo != nil && *u.ValidTo < g.HalfYear.Start) {
			continue
		}
		if !actor.Covers(u.Path) {
			continue
		}
		g.UnitsTotal++
		if !active[u.Code] {
			g.IdleUnits = append(g.IdleUnits, UnitRef{Code: u.Code, Name: u.Name, Parent: u.Parent})
		}
	}
	return nil
}

// silence reports a station of a confirming channel with airings of campaign that
// ended over a week before asOf unconfirmed, and no confirmation in that week.
func silence(st Station, list []Airing, campaign string, asOf time.Time) (SilentStation, bool) {
	if ch, _ := channel(st.Channel); ch.Proof != ProofAired {
		return SilentStation{}, false
	}
	out := SilentStation{Station: st.Code, Name: st.Name, OrgUnit: st.OrgUnit}
	for _, a := range list {
		if a.ConfirmedAt != nil && !a.ConfirmedAt.After(asOf) && (out.LastConfirmedAt == nil || a.ConfirmedAt.After(*out.LastConfirmedAt)) {
			out.LastConfirmedAt = a.ConfirmedAt
		}
		if a.Campaign == campaign && a.End.Before(asOf.Add(-silentAfter)) &&
			slices.Contains([]string{StatusPlanned, StatusDelivered, StatusUnconfirmed}, a.Status) {
			out.Unconfirmed++
		}
	}
	recent := out.LastConfirmedAt != nil && out.LastConfirmedAt.After(asOf.Add(-silentAfter))
	return out, out.Unconfirmed > 0 && !recent
}

// MarkUnconfirmed marks the airings of confirming channels that ended more than the
// grace period before at, planned or delivered and never confirmed, as unconfirmed.
func (s *Service) MarkUnconfirmed(ctx context.Context, at time.Time) (int, error) {
	return writeAirings(ctx, s, func(ctx context.Context) (int, error) {
		cal, err := s.airings(ctx)
		if err != nil {
			return 0, err
		}
		var updates []Airing
		for _, code := range cal.stationCodes() {
			list := cal.byStation[code]
			end := at.Add(-s.opts.Grace)
			for _, a := range list[:cal.countBefore(code, end)] {
				ch, _ := channel(a.Channel)
				if ch.Proof == ProofAired && (a.Status == StatusPlanned || a.Status == StatusDelivered) && !a.End.After(end) {
					a.Status = StatusUnconfirmed
					updates = append(updates, a)
				}
			}
		}
		stored, err := s.write(ctx, nil, updates)
		return len(stored), err
	})
}
