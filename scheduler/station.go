package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// Station is one concrete outlet of a channel attached to an org unit: a district
// radio station, a commune's loudspeaker system, the provincial newspaper.
type Station struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
	// OrgUnit is the station's unit now; Earlier are the units it belonged to
	// before it was moved, oldest first (UnitOn answers a date).
	OrgUnit   string       `json:"orgUnit"`
	Earlier   []Assignment `json:"earlier,omitempty"`
	Languages []string     `json:"languages"`
	// Audience is how many people the outlet reaches, an estimate with its source.
	Audience  Audience `json:"audienceEstimate"`
	Active    bool     `json:"active"`
	SearchKey string   `json:"-"`
	Timestamps
}

// Audience is an estimate of the people an outlet reaches and where it comes from.
type Audience struct {
	People int    `json:"people"`
	Source string `json:"source"`
}

// StationInput is what a client sends to create or change a station; Active
// defaults to true on creation and to the stored value on a change.
type StationInput struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Channel   string   `json:"channel"`
	OrgUnit   string   `json:"orgUnit"`
	Languages []string `json:"languages"`
	Audience  Audience `json:"audienceEstimate"`
	Active    *bool    `json:"active"`
}

// StationFilter selects stations; empty fields select everything.
type StationFilter struct {
	Channel string
	// Under keeps the stations of that org unit's subtree on At (today when
	// empty), where each station was then.
	Under string
	// Of keeps the stations in the subtrees of the actor's units (its home unit
	// and its extra ones) on At; Under takes precedence when set.
	Of     *loa.Actor
	At     loa.Date
	Active *bool
	// Q matches name or code, ignoring case and diacritics.
	Q string
}

const maxAudience = 100_000_000

// codePattern is what station codes look like: no dots, which separate the parts of
// an airing's ID.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$`)

func (in *StationInput) normalize() {
	for _, p := range []*string{&in.Code, &in.Name, &in.Channel, &in.OrgUnit, &in.Audience.Source} {
		*p = strings.TrimSpace(norm.NFC.String(*p))
	}
	for i, l := range in.Languages {
		in.Languages[i] = strings.TrimSpace(l)
	}
}

// validateStation checks a station against the reference data: its channel, org
// unit and the configured languages.
func (s *Service) validateStation(ctx context.Context, in StationInput) error {
	v := &loa.ValidationError{}
	if !codePattern.MatchString(in.Code) {
		v.Add("code", "a code of 2 to 40 letters, digits, '-' or '_', e.g. DT-507")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		v.Add("name", "a name of 1 to 200 characters")
	}
	if _, ok := channel(in.Channel); !ok {
		v.Add("channel", "channel must be one of "+strings.Join(channelCodes(), ", "))
	}
	if in.OrgUnit == "" {
		v.Add("orgUnit", "the org unit the station serves is required")
	} else if _, err := s.units.Path(ctx, in.OrgUnit, s.today()); err != nil {
		v.Add("orgUnit", "unknown org unit "+in.OrgUnit)
	}
	if len(in.Languages) == 0 {
		v.Add("languages", "at least one language the station broadcasts in")
	}
	known := s.languages()
	for i, l := range in.Languages {
		if !known[l] {
			v.Add(fmt.Sprintf("languages[%d]", i), "unknown language "+l)
		} else if slices.Index(in.Languages, l) != i {
			v.Add(fmt.Sprintf("languages[%d]", i), "language "+l+" is listed twice")
		}
	}
	if in.Audience.People < 0 || in.Audience.People > maxAudience {
		v.Add("audienceEstimate.people", fmt.Sprintf("a number of people from 0 to %d", maxAudience))
	}
	if in.Audience.People > 0 && in.Audience.Source == "" {
		v.Add("audienceEstimate.source", "say where the estimate comes from, e.g. \"ước tính mẫu\"")
	}
	return v.Err()
}

func (s *Service) languages() map[string]bool {
	set := map[string]bool{}
	for _, l := range s.library.Languages() {
		set[l.Code] = true
	}
	return set
}

// Stations lists the stations f selects, ordered by code.
func (s *Service) Stations(ctx context.Context, f StationFilter) ([]Station, error) {
	all, err := s.stations(ctx)
	if err != nil {
		return nil, err
	}
	q := loa.Fold(strings.TrimSpace(f.Q))
	out := []Station{}
	for _, st := range all {
		if (f.Channel != "" && st.Channel != f.Channel) || (f.Active != nil && st.Active != *f.Active) ||
			(q != "" && !strings.Contains(st.SearchKey, q)) {
			continue
		}
		if f.Under != "" || f.Of != nil {
			at := cmp.Or(f.At, s.today())
			actor := loa.Actor{Scope: f.Under}
			if f.Under == "" {
				actor = *f.Of
			}
			in, err := s.units.Covers(ctx, actor, st.UnitOn(at), at)
			if err != nil {
				return nil, err
			}
			if !in {
				continue
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Station returns one station.
func (s *Service) Station(ctx context.Context, code string) (Station, error) {
	all, err := s.stations(ctx)
	if err != nil {
		return Station{}, err
	}
	i, ok := slices.BinarySearchFunc(all, code, func(st Station, code string) int { return strings.Compare(st.Code, code) })
	if !ok {
		return Station{}, fmt.Errorf("%w: no station %s", loa.ErrNotFound, code)
	}
	return all[i], nil
}

// CreateStation adds a station in the actor's scope.
func (s *Service) CreateStation(ctx context.Context, actor loa.Actor, in StationInput) (Station, error) {
	in.normalize()
	if err := s.validateStation(ctx, in); err != nil {
		return Station{}, err
	}
	if err := s.requireUnit(ctx, actor, in.OrgUnit); err != nil {
		return Station{}, err
	}
	now := s.stamp()
	st := in.station(true)
	st.Timestamps = Timestamps{CreatedAt: now, UpdatedAt: now}
	if err := s.store.InsertStation(ctx, st); err != nil {
		return Station{}, err
	}
	s.rematerialize()
	return st, s.audit.Record(ctx, actor.Username, loa.Change{Action: "create", Entity: "station", EntityID: st.Code,
		Path: s.path(ctx, st.OrgUnit), After: st})
}

// UpdateStation changes a station; both its old and its new unit must be in the
// actor's scope. The code cannot change.
func (s *Service) UpdateStation(ctx context.Context, actor loa.Actor, code string, in StationInput) (Station, error) {
	in.normalize()
	if in.Code == "" {
		in.Code = code
	}
	if in.Code != code {
		return Station{}, loa.Invalid("code", "a station's code cannot change")
	}
	if err := s.validateStation(ctx, in); err != nil {
		return Station{}, err
	}
	var old Station
	st, err := s.store.UpdateStation(ctx, code, func(ctx context.Context, st *Station) error {
		old = *st
		for _, unit := range []string{old.OrgUnit, in.OrgUnit} {
			if err := s.requireUnit(ctx, actor, unit); err != nil {
				return err
			}
		}
		*st = in.station(old.Active)
		st.Earlier = old.Earlier
		st.Timestamps = Timestamps{CreatedAt: old.CreatedAt, UpdatedAt: s.stamp()}
		return nil
	})
	return s.stationChanged(ctx, actor, old, st, err)
}

// stationChanged follows a change of a station from old to st (unless err says it
// failed): the calendar is materialised again and the change audited.
func (s *Service) stationChanged(ctx context.Context, actor loa.Actor, old, st Station, err error) (Station, error) {
	if err != nil {
		return Station{}, err
	}
	s.rematerialize()
	return st, s.audit.Record(ctx, actor.Username, loa.Change{Action: "update", Entity: "station", EntityID: st.Code,
		Path: s.path(ctx, st.OrgUnit), Before: old, After: st})
}

func (in StationInput) station(active bool) Station {
	if in.Active != nil {
		active = *in.Active
	}
	return Station{Code: in.Code, Name: in.Name, Channel: in.Channel, OrgUnit: in.OrgUnit, Languages: in.Languages,
		Audience: in.Audience, Active: active, SearchKey: loa.Fold(in.Code + " " + in.Name)}
}

// requireUnit says whether unit lies in the actor's scope.
func (s *Service) requireUnit(ctx context.Context, actor loa.Actor, unit string) error {
	in, err := s.units.Covers(ctx, actor, unit, s.today())
	if err != nil {
		return err
	}
	if !in {
		return fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, unit, actor.Scope)
	}
	return nil
}

// path is the org-unit path audit entries of a unit's station carry, for scoped
// readers of the trail.
func (s *Service) path(ctx context.Context, unit string) []string {
	p, _ := s.units.Path(ctx, unit, s.today())
	return p
}
