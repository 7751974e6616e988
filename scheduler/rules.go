package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"loa"
	"loa/content"
)

// Preview bounds.
const (
	DefaultPreview = 10
	MaxPreview     = 100
)

// Warning is something about a rule worth knowing that does not stop it.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Preview is what saving a rule would do.
type Preview struct {
	Occurrences []Occurrence `json:"occurrences"` // the next ones
	// Stations are the codes the rule picks now (the first few) and how many.
	Stations     []string  `json:"stations"`
	StationCount int       `json:"stationCount"`
	Conflicts    Conflicts `json:"conflicts"`
	Warnings     []Warning `json:"warnings"`
}

// Saved is a stored rule with what its check found.
type Saved struct {
	Rule
	Conflicts Conflicts `json:"conflicts"`
	Warnings  []Warning `json:"warnings"`
}

// RuleFilter selects rules; empty fields select everything.
type RuleFilter struct {
	Campaign string
	// Station keeps the rules that pick that station now.
	Station string
	Active  *bool
}

// Rules lists the rules f selects, ordered by ID (creation).
func (s *Service) Rules(ctx context.Context, f RuleFilter) ([]Rule, error) {
	rules, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.stations(ctx)
	if err != nil {
		return nil, err
	}
	out := []Rule{}
	for _, r := range rules {
		if (f.Campaign != "" && r.Campaign != f.Campaign) || (f.Active != nil && r.Active != *f.Active) {
			continue
		}
		if f.Station != "" {
			picked, err := s.resolve(ctx, r.Stations, all, r.StartDate)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(picked, func(st Station) bool { return st.Code == f.Station }) {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Rule returns one rule.
func (s *Service) Rule(ctx context.Context, id string) (Rule, error) {
	return s.store.Rule(ctx, id)
}

// checked is a rule that passed validation, with what its check found.
type checked struct {
	rc        *recurrence
	stations  []Station
	conflicts Conflicts
	warnings  []Warning
}

// check validates r, confines it to the actor's scope and checks it against the
// other rules from now on.
func (s *Service) check(ctx context.Context, actor loa.Actor, r Rule) (checked, error) {
	refs, err := s.ruleRefs(ctx)
	if err != nil {
		return checked{}, err
	}
	rc, err := s.validateRule(ctx, r, refs)
	if err != nil {
		return checked{}, err
	}
	if err := s.requireSelector(ctx, actor, r.Stations, refs); err != nil {
		return checked{}, err
	}
	all, err := s.stations(ctx)
	if err != nil {
		return checked{}, err
	}
	c := checked{rc: rc}
	if c.stations, err = s.resolve(ctx, r.Stations, all, r.StartDate); err != nil {
		return checked{}, err
	}
	from := s.now().In(s.opts.Zone)
	if c.conflicts, err = s.conflicts(ctx, r, rc, c.stations, from, from.AddDate(conflictYears, 0, 0)); err != nil {
		return checked{}, err
	}
	c.warnings, err = s.warnings(ctx, r, c.stations)
	return c, err
}

// warnings are the rule's problems that do not stop it: no stations, a pool with
// nothing in it, occurrences at midnight.
func (s *Service) warnings(ctx context.Context, r Rule, stations []Station) ([]Warning, error) {
	out := []Warning{}
	if len(stations) == 0 {
		out = append(out, Warning{"no_stations", "the rule picks no active station now; it will place nothing until one is added"})
	}
	if c, err := s.units.Campaign(ctx, r.Campaign); err == nil && (r.StartDate < c.Period.Start || r.Until == nil || *r.Until > c.Period.End) {
		out = append(out, Warning{"outside_campaign", fmt.Sprintf("the rule runs outside its campaign's period %s to %s; give it an until date within it",
			c.Period.Start, c.Period.End)})
	}
	if r.RRule != "" && !strings.Contains(strings.ToUpper(r.RRule), "BYHOUR") {
		out = append(out, Warning{"midnight", "the RRULE has no BYHOUR: its occurrences start at 00:00; add e.g. BYHOUR=6;BYMINUTE=30"})
	}
	if len(stations) == 0 {
		return out, nil
	}
	items, err := s.library.List(ctx, content.Filter{})
	if err != nil {
		return nil, err
	}
	var working []content.Version
	for _, it := range items {
		if it.Status != content.StatusArchived {
			working = append(working, content.Version{Item: it.ID, Number: 1, Message: it.Message})
		}
	}
	drafts := content.NewAirable(0, working)
	airable, err := s.library.Airable(ctx)
	if err != nil {
		return nil, err
	}
	// Approved content must also be valid on the rule's next day on air.
	next := s.now().In(s.opts.Zone)
	if start, err := time.ParseInLocation(time.DateOnly, string(r.StartDate), s.opts.Zone); err == nil && start.After(next) {
		next = start
	}
	if !matchesAny(newPicker(drafts, s.opts.Zone), r, stations, time.Time{}) {
		out = append(out, Warning{"pool_never_matches", "no content item in the library, approved or not, fits this pool, the rule's groups and the stations' languages: every airing would be without content"})
	} else if !matchesAny(newPicker(airable, s.opts.Zone), r, stations, next) {
		out = append(out, Warning{"pool_empty_now", fmt.Sprintf("no approved content valid on %s fits this pool: airings are planned without content until one is approved", next.Format("02/01/2006"))})
	}
	return out, nil
}

// matchesAny reports whether some item of p fits the rule at some station on day
// (zero: on any day).
func matchesAny(p *picker, r Rule, stations []Station, day time.Time) bool {
	for _, st := range stations {
		o := occurrence{rule: &r, station: st}
		for item := range p.candidates(&r) {
			if p.eligible(o, item, day) {
				return true
			}
		}
	}
	return false
}

// PreviewRule shows the next n occurrences of a rule (not saved) and the conflicts
// it would create.
func (s *Service) PreviewRule(ctx context.Context, actor loa.Actor, in RuleInput, n int) (Preview, error) {
	return s.preview(ctx, actor, in.rule(), n)
}

// PreviewRuleChange is PreviewRule for a change of rule id, as UpdateRule would
// save it: its own occurrences are no conflict, and it keeps its active state
// unless in sets one.
func (s *Service) PreviewRuleChange(ctx context.Context, actor loa.Actor, id string, in RuleInput, n int) (Preview, error) {
	old, err := s.store.Rule(ctx, id)
	if err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, actor, in.replacing(old), n)
}

func (s *Service) preview(ctx context.Context, actor loa.Actor, r Rule, n int) (Preview, error) {
	if n <= 0 || n > MaxPreview {
		return Preview{}, loa.Invalid("count", fmt.Sprintf("a count of 1 to %d occurrences", MaxPreview))
	}
	c, err := s.check(ctx, actor, r)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Occurrences: []Occurrence{}, Stations: []string{}, StationCount: len(c.stations), Conflicts: c.conflicts, Warnings: c.warnings}
	for _, st := range c.stations[:min(len(c.stations), maxListStations)] {
		p.Stations = append(p.Stations, st.Code)
	}
	d := time.Duration(r.DurationSeconds) * time.Second
	from := s.now().In(s.opts.Zone)
	for year := 0; year < 10 && len(p.Occurrences) < n; year++ {
		for _, t := range c.rc.between(from.AddDate(year, 0, 0), from.AddDate(year+1, 0, 0)) {
			if len(p.Occurrences) < n {
				p.Occurrences = append(p.Occurrences, Occurrence{t, t.Add(d)})
			}
		}
	}
	return p, nil
}

// CreateRule saves a new rule. An overlap with a rule of equal priority on the
// same stations is refused with the occurrences; with different priorities the
// rule is saved and the answer says which occurrences are displaced.
func (s *Service) CreateRule(ctx context.Context, actor loa.Actor, in RuleInput) (Saved, error) {
	var c checked
	r, err := s.store.SaveRule(ctx, "", func(ctx context.Context, r *Rule) error {
		*r = in.rule()
		var err error
		if c, err = s.check(ctx, actor, *r); err != nil {
			return err
		}
		if err := c.conflicts.refused(); err != nil {
			return err
		}
		now := s.stamp()
		r.ID, r.Version, r.CreatedBy, r.Timestamps = loa.NewID("r", s.now()), 1, actor.Username, Timestamps{CreatedAt: now, UpdatedAt: now}
		return nil
	})
	if err != nil {
		return Saved{}, err
	}
	s.rematerialize()
	return Saved{Rule: r, Conflicts: c.conflicts, Warnings: c.warnings},
		s.audit.Record(ctx, actor.Username, loa.Change{Action: "create", Entity: "rule", EntityID: r.ID, After: r})
}

// UpdateRule replaces a rule's definition. Its future airings not yet delivered
// follow at the next materialisation, which the save asks for; deactivating
// cancels them; history stays.
func (s *Service) UpdateRule(ctx context.Context, actor loa.Actor, id string, in RuleInput) (Saved, error) {
	var old Rule
	var c checked
	r, err := s.store.SaveRule(ctx, id, func(ctx context.Context, r *Rule) error {
		old = *r
		refs, err := s.ruleRefs(ctx)
		if err != nil {
			return err
		}
		if err := s.requireSelector(ctx, actor, old.Stations, refs); err != nil {
			return err
		}
		*r = in.replacing(old)
		if c, err = s.check(ctx, actor, *r); err != nil {
			return err
		}
		if err := c.conflicts.refused(); err != nil {
			return err
		}
		r.Version, r.CreatedBy, r.Timestamps = old.Version+1, old.CreatedBy, Timestamps{CreatedAt: old.CreatedAt, UpdatedAt: s.stamp()}
		return nil
	})
	if err != nil {
		return Saved{}, err
	}
	s.rematerialize()
	return Saved{Rule: r, Conflicts: c.conflicts, Warnings: c.warnings},
		s.audit.Record(ctx, actor.Username, loa.Change{Action: "update", Entity: "rule", EntityID: r.ID, Before: old, After: r})
}

// replacing is the rule in describes as a change of old: old's id, and old's
// activity unless in sets one.
func (in RuleInput) replacing(old Rule) Rule {
	r := in.rule()
	if in.Active == nil {
		r.Active = old.Active
	}
	r.ID = old.ID
	return r
}
