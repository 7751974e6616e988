package scheduler

import (
	"context"
	"fmt"
	"slices"
	"time"

	"loa"
	"loa/campaigns"
)

// Tally counts a month's airings by what became of them. Planned counts every
// airing not cancelled (the plan); the others count those that reached that state.
type Tally struct {
	Planned     int `json:"planned"`
	Delivered   int `json:"delivered"` // pulled by the station
	Aired       int `json:"aired"`
	Missed      int `json:"missed"`
	Unconfirmed int `json:"unconfirmed"` // ended with no word from the station
	Published   int `json:"published"`
	NoContent   int `json:"noContent"`
	Late        int `json:"late"` // confirmations received over a day late
}

func (t *Tally) count(a Airing) {
	if !a.occupies() {
		return
	}
	t.Planned++
	if a.DeliveredAt != nil {
		t.Delivered++
	}
	if a.Late {
		t.Late++
	}
	switch a.Status {
	case StatusAired:
		t.Aired++
	case StatusMissed:
		t.Missed++
	case StatusUnconfirmed:
		t.Unconfirmed++
	case StatusPublished:
		t.Published++
	case StatusNoContent:
		t.NoContent++
	}
}

func (t *Tally) add(o Tally) {
	t.Planned += o.Planned
	t.Delivered += o.Delivered
	t.Aired += o.Aired
	t.Missed += o.Missed
	t.Unconfirmed += o.Unconfirmed
	t.Published += o.Published
	t.NoContent += o.NoContent
	t.Late += o.Late
}

// StationRun is one station's month.
type StationRun struct {
	Station string `json:"station"`
	Name    string `json:"name"`
	OrgUnit string `json:"orgUnit"`
	Tally
}

// UnitRun is the month of the stations under an org unit.
type UnitRun struct {
	OrgUnit string `json:"orgUnit"`
	Name    string `json:"name"`
	Tally
}

// AsRun reconciles a month's plan with what the stations reported.
type AsRun struct {
	Month     string       `json:"month"`
	Campaign  string       `json:"campaign,omitempty"`
	Stations  []StationRun `json:"stations"`
	Districts []UnitRun    `json:"districts"`
	Province  UnitRun      `json:"province"`
}

// ParseMonth reads YYYY-MM as its first instant in the zone (empty: this month).
func (s *Service) ParseMonth(v string) (time.Time, error) {
	if v == "" {
		return monthStart(s.now().In(s.opts.Zone)), nil
	}
	t, err := time.ParseInLocation("2006-01", v, s.opts.Zone)
	if err != nil {
		return time.Time{}, loa.Invalid("month", fmt.Sprintf("%q is not a month of the form YYYY-MM", v))
	}
	return t, nil
}

// StationAsRun is one station's month, every campaign together; the station must
// lie in the reader's scope.
func (s *Service) StationAsRun(ctx context.Context, actor loa.Actor, code string, month time.Time) (StationRun, error) {
	st, err := s.Station(ctx, code)
	if err != nil {
		return StationRun{}, err
	}
	if err := s.requireUnit(ctx, actor, st.OrgUnit); err != nil {
		return StationRun{}, err
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return StationRun{}, err
	}
	return s.stationRun(cal, st, "", month), nil
}

func (s *Service) stationRun(cal *calendar, st Station, campaign string, month time.Time) StationRun {
	r := StationRun{Station: st.Code, Name: st.Name, OrgUnit: st.OrgUnit}
	for _, a := range cal.window(st.Code, month, month.AddDate(0, 1, 0)) {
		if campaign == "" || a.Campaign == campaign {
			r.count(a)
		}
	}
	return r
}

// CampaignAsRun is a campaign's month at every station under the org unit under
// (empty: the reader's scope), rolled up per district and for the province.
func (s *Service) CampaignAsRun(ctx context.Context, actor loa.Actor, campaign, under string, month time.Time) (AsRun, error) {
	if _, err := s.units.Campaign(ctx, campaign); err != nil {
		return AsRun{}, err
	}
	if under == "" && actor.Scope != loa.AllUnits {
		under = actor.Scope
	}
	if under != "" {
		if _, err := s.units.Path(ctx, under, loa.DateOf(month)); err != nil {
			return AsRun{}, loa.Invalid("under", "unknown org unit "+under)
		}
		if err := s.requireUnit(ctx, actor, under); err != nil {
			return AsRun{}, err
		}
	}
	stations, err := s.Stations(ctx, StationFilter{Under: under, At: loa.DateOf(month)})
	if err != nil {
		return AsRun{}, err
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return AsRun{}, err
	}
	out := AsRun{Month: month.Format("2006-01"), Campaign: campaign, Stations: []StationRun{}, Districts: []UnitRun{}}
	districts := map[string]*UnitRun{}
	for _, st := range stations {
		r := s.stationRun(cal, st, campaign, month)
		if r.Planned == 0 {
			continue
		}
		out.Stations = append(out.Stations, r)
		path, err := s.units.Path(ctx, st.UnitOn(loa.DateOf(month)), loa.DateOf(month))
		if err != nil {
			return AsRun{}, err
		}
		out.Province.OrgUnit = path[0]
		out.Province.add(r.Tally)
		if len(path) < 2 {
			continue
		}
		d := districts[path[1]]
		if d == nil {
			d = &UnitRun{OrgUnit: path[1]}
			districts[path[1]] = d
		}
		d.add(r.Tally)
	}
	for _, d := range districts {
		u, err := s.units.Named(ctx, d.OrgUnit, loa.DateOf(month))
		if err != nil {
			return AsRun{}, err
		}
		d.Name = u.Name
		out.Districts = append(out.Districts, *d)
	}
	slices.SortFunc(out.Districts, func(a, b UnitRun) int { return campaigns.CompareCodes(a.OrgUnit, b.OrgUnit) })
	if out.Province.OrgUnit != "" {
		u, err := s.units.Named(ctx, out.Province.OrgUnit, loa.DateOf(month))
		if err != nil {
			return AsRun{}, err
		}
		out.Province.Name = u.Name
	}
	return out, nil
}

// StationItem returns one airing of a station as its feed shows it. Another
// station's airing is forbidden; one without approved content in force is not
// found.
func (s *Service) StationItem(ctx context.Context, code, id string) (FeedStation, FeedItem, error) {
	a, err := s.Airing(ctx, id)
	if err != nil {
		return FeedStation{}, FeedItem{}, err
	}
	if a.Station != code {
		return FeedStation{}, FeedItem{}, fmt.Errorf("%w: airing %s is not this station's", loa.ErrForbidden, id)
	}
	f, err := s.feed(ctx, code, a.Start, a.Start.Add(time.Second), false, nil)
	if err != nil {
		return FeedStation{}, FeedItem{}, err
	}
	i := slices.IndexFunc(f.Items, func(it FeedItem) bool { return it.AiringID == id })
	if i < 0 {
		return FeedStation{}, FeedItem{}, fmt.Errorf("%w: airing %s has no approved script", loa.ErrNotFound, id)
	}
	return f.Station, f.Items[i], nil
}
