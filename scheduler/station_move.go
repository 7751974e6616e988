package scheduler

import (
	"context"
	"fmt"

	"loa"
)

// Assignment is a unit a station belonged to before it was moved: through Until
// (inclusive) the station was OrgUnit's.
type Assignment struct {
	OrgUnit string   `json:"orgUnit"`
	Until   loa.Date `json:"until"`
}

// StationMove moves a station to OrgUnit from the day From, keeping its earlier
// unit for the days before: the loudspeakers of a commune merged in 2025 air under
// the new commune from 01/07/2025 and their 2024 record stays the old commune's.
type StationMove struct {
	OrgUnit string   `json:"orgUnit"`
	From    loa.Date `json:"from"`
}

// UnitOn is the unit the station belonged to on d.
func (st Station) UnitOn(d loa.Date) string {
	for _, a := range st.Earlier {
		if d <= a.Until {
			return a.OrgUnit
		}
	}
	return st.OrgUnit
}

// since is the first day of the station's current unit ("" when it always had it).
func (st Station) since() loa.Date {
	if n := len(st.Earlier); n > 0 {
		return st.Earlier[n-1].Until.AddDays(1)
	}
	return ""
}

// MoveStation moves a station to another unit from a date on or before today,
// after its current unit began; the unit must stand on that date, and both units
// must lie in the actor's scope. Audited; the calendar is materialised again.
func (s *Service) MoveStation(ctx context.Context, actor loa.Actor, code string, m StationMove) (Station, error) {
	var old Station
	st, err := s.store.UpdateStation(ctx, code, func(ctx context.Context, st *Station) error {
		old = *st
		if err := s.checkMove(ctx, *st, m); err != nil {
			return err
		}
		for _, unit := range []string{st.OrgUnit, m.OrgUnit} {
			if err := s.requireUnit(ctx, actor, unit); err != nil {
				return err
			}
		}
		st.Earlier = append(append([]Assignment{}, st.Earlier...), Assignment{OrgUnit: st.OrgUnit, Until: m.From.AddDays(-1)})
		st.OrgUnit, st.UpdatedAt = m.OrgUnit, s.stamp()
		return nil
	})
	return s.stationChanged(ctx, actor, old, st, err)
}

// checkMove refuses a move to a date that is not one, is ahead of today or not
// after the current unit began, or to a unit that does not stand that day or is
// the station's already.
func (s *Service) checkMove(ctx context.Context, st Station, m StationMove) error {
	v := &loa.ValidationError{}
	switch {
	case !m.From.Valid():
		v.Add("from", "the first day in the new unit, YYYY-MM-DD")
	case m.From > s.today():
		v.Add("from", "a move takes effect on or before today")
	case m.From <= st.since():
		v.Add("from", fmt.Sprintf("the station belongs to %s from %s; a move must start after that", st.OrgUnit, st.since()))
	}
	if m.OrgUnit == st.OrgUnit {
		v.Add("orgUnit", "the station belongs to "+m.OrgUnit+" already")
	} else if m.From.Valid() {
		if _, err := s.units.OrgUnit(ctx, m.OrgUnit, m.From); err != nil {
			v.Add("orgUnit", fmt.Sprintf("no org unit %s stands on %s", m.OrgUnit, m.From))
		}
	}
	return v.Err()
}
