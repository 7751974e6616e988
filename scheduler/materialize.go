package scheduler

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"loa"
	"loa/content"
)

// Result is what a materialisation run did.
type Result struct {
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Cancelled int       `json:"cancelled"`
	NoContent int       `json:"noContent"` // open airings left without content
	Through   time.Time `json:"through"`
	// Skipped counts rules whose stored recurrence no longer parses.
	Skipped int `json:"skipped"`
}

func (r Result) String() string {
	return fmt.Sprintf("%d created, %d updated, %d cancelled, %d without content, through %s",
		r.Created, r.Updated, r.Cancelled, r.NoContent, r.Through.Format(time.DateOnly))
}

// occurrence is one start a rule wants at one station.
type occurrence struct {
	rule        *Rule
	station     Station
	slot, end   time.Time
	displacedBy string
}

// Horizon is the end of the window materialised at at: the end of the day
// Options.Horizon days ahead, in the zone.
func (s *Service) Horizon(at time.Time) time.Time {
	y, m, d := at.In(s.opts.Zone).Date()
	return time.Date(y, m, d+s.opts.Horizon+1, 0, 0, 0, 0, s.opts.Zone)
}

// ContentChanged hears that an item's version in force changed, so that the
// future airings carry the version now in force (content.Options.InForceChanged).
func (s *Service) ContentChanged(string) { s.rematerialize() }

// rematerialize asks for the airings to follow a change of stations, rules or
// approved content.
func (s *Service) rematerialize() {
	if s.opts.Rematerialize != nil {
		s.opts.Rematerialize()
	}
}

// Materialize brings the airings from at to the horizon in line with the rules,
// the stations and the approved content: it creates missing occurrences, updates
// the open ones (future, not delivered, not cancelled by hand) and cancels those no
// rule places any more. Running it again, or on two replicas at once, writes
// nothing more.
func (s *Service) Materialize(ctx context.Context, at time.Time) (Result, error) {
	return s.MaterializeUntil(ctx, at, s.Horizon(at))
}

// MaterializeUntil is Materialize over [at, until).
func (s *Service) MaterializeUntil(ctx context.Context, at, until time.Time) (Result, error) {
	return writeAirings(ctx, s, func(ctx context.Context) (Result, error) {
		res := Result{Through: until.In(s.opts.Zone).Add(-time.Nanosecond)}
		rules, err := s.rules(ctx)
		if err != nil {
			return res, err
		}
		all, err := s.stations(ctx)
		if err != nil {
			return res, err
		}
		airable, err := s.library.Airable(ctx)
		if err != nil {
			return res, err
		}
		cal, err := s.airings(ctx)
		if err != nil {
			return res, err
		}
		wanted, skipped, err := s.plan(ctx, rules, all, at.In(s.opts.Zone), until)
		if err != nil {
			return res, err
		}
		res.Skipped = skipped
		ruleByID := map[string]*Rule{}
		for i := range rules {
			ruleByID[rules[i].ID] = &rules[i]
		}
		for code, occs := range wanted {
			yieldToHand(occs, cal.byStation[code])
		}
		pick := newPicker(airable, s.opts.Zone)
		codes := slices.Sorted(maps.Keys(wanted))
		for _, code := range cal.stationCodes() {
			if _, ok := wanted[code]; !ok {
				codes = append(codes, code)
			}
		}
		inserts, updates := make([][]Airing, len(codes)), make([][]Airing, len(codes))
		for i, code := range codes {
			inserts[i], updates[i] = s.reconcile(cal.byStation[code], wanted[code], ruleByID, pick, at, until)
		}
		stored, err := s.write(ctx, slices.Concat(inserts...), slices.Concat(updates...))
		if err != nil {
			return res, err
		}
		for _, a := range stored {
			switch {
			case a.Rev == 1:
				res.Created++
			case a.Status == StatusCancelled:
				res.Cancelled++
			default:
				res.Updated++
			}
		}
		final, err := s.airings(ctx)
		if err != nil {
			return res, err
		}
		for _, code := range final.stationCodes() {
			for _, a := range final.window(code, at, until) {
				if a.Status == StatusNoContent {
					res.NoContent++
				}
			}
		}
		return res, nil
	})
}

// plan expands every active rule over [from, to) at each station it picks, and
// marks the occurrences an overlapping rule of higher priority displaces. It
// returns them by station and airing ID.
func (s *Service) plan(ctx context.Context, rules []Rule, all []Station, from, to time.Time) (map[string]map[string]occurrence, int, error) {
	byStation := map[string][]occurrence{}
	skipped := 0
	for i := range rules {
		r := &rules[i]
		if !r.Active {
			continue
		}
		starts, err := s.expand(*r, from, to)
		if err != nil {
			skipped++
			continue
		}
		stations, err := s.resolve(ctx, r.Stations, all, r.StartDate)
		if err != nil {
			return nil, 0, err
		}
		d := time.Duration(r.DurationSeconds) * time.Second
		for _, st := range stations {
			for _, t := range starts {
				byStation[st.Code] = append(byStation[st.Code], occurrence{rule: r, station: st, slot: t, end: t.Add(d)})
			}
		}
	}
	out := make(map[string]map[string]occurrence, len(byStation))
	for code, occs := range byStation {
		displace(occs)
		m := make(map[string]occurrence, len(occs))
		for _, o := range occs {
			m[airingID(o.rule.ID, code, o.slot)] = o
		}
		out[code] = m
	}
	return out, skipped, nil
}

// expand returns the starts of r in [from, to).
func (s *Service) expand(r Rule, from, to time.Time) ([]time.Time, error) {
	v := &loa.ValidationError{}
	rc := parseRecurrence(r, s.opts.Zone, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return rc.between(from, to), nil
}

// displace marks, among one station's occurrences, those that overlap an
// occurrence of a rule of higher priority. It places them highest priority first,
// so only an occurrence that keeps its slot pushes others off. Overlaps between
// equal priorities are refused when rules are saved; one that arises later (a
// station joins both rules) goes to the rule created first, so two airings never
// share the air.
func displace(occs []occurrence) {
	order := make([]*occurrence, len(occs))
	for i := range occs {
		order[i] = &occs[i]
	}
	slices.SortStableFunc(order, func(a, b *occurrence) int {
		switch {
		case a.rule.Priority != b.rule.Priority:
			return b.rule.Priority - a.rule.Priority
		case a.rule.ID == b.rule.ID:
			return a.slot.Compare(b.slot)
		case a.rule.older(b.rule):
			return -1
		default:
			return 1
		}
	})
	var kept []*occurrence
	for _, o := range order {
		i := slices.IndexFunc(kept, func(k *occurrence) bool {
			return k.rule.ID != o.rule.ID && k.slot.Before(o.end) && o.slot.Before(k.end)
		})
		if i >= 0 {
			o.displacedBy = kept[i].rule.ID
			continue
		}
		kept = append(kept, o)
	}
}

// older reports whether r was created before q (IDs break a tie).
func (r *Rule) older(q *Rule) bool {
	if c := r.CreatedAt.Compare(q.CreatedAt); c != 0 {
		return c < 0
	}
	return r.ID < q.ID
}

// yieldToHand marks the occurrences that overlap an airing a planner placed or
// moved by hand at the station: the hand-made decision keeps the slot.
func yieldToHand(occs map[string]occurrence, existing []Airing) {
	for _, h := range existing {
		if !h.occupies() || (h.Rule != "" && !h.Moved) {
			continue
		}
		for id, o := range occs {
			if id != h.ID && o.displacedBy == "" && o.slot.Before(h.End) && h.Start.Before(o.end) {
				o.displacedBy = h.ID
				occs[id] = o
			}
		}
	}
}

// reconcile compares a station's airings with the occurrences wanted there and
// returns the airings to insert and to update. It walks the station's timeline in
// order so content rotates: each choice takes the eligible item this station aired
// least recently. Airings of rules whose slot is at or after until lie beyond this
// run's window (an earlier run went further) and stay as they are.
func (s *Service) reconcile(existing []Airing, wanted map[string]occurrence, rules map[string]*Rule, pick *picker, at, until time.Time) (inserts, updates []Airing) {
	have := make(map[string]bool, len(existing))
	for _, a := range existing {
		have[a.ID] = true
	}
	missing := 0
	for id := range wanted {
		if !have[id] {
			missing++
		}
	}
	timeline := append(make([]Airing, 0, len(existing)+missing), existing...)
	for id, o := range wanted {
		if !have[id] {
			timeline = append(timeline, Airing{ID: id, Rule: o.rule.ID, Station: o.station.Code, Slot: o.slot, Start: o.slot})
		}
	}
	slices.SortFunc(timeline, compareAirings)
	inserts = make([]Airing, 0, missing)
	used := map[string]time.Time{}
	for _, old := range timeline {
		next := old
		o, isWanted := wanted[old.ID]
		switch {
		case !have[old.ID] || (old.open(at) && isWanted):
			s.place(&next, o, used, pick)
		case old.Rule != "" && !old.Slot.Before(until):
			// Beyond this run's window: left as an earlier, longer run placed it.
		case old.open(at) && old.Moved && old.Slot.Before(at) && rules[old.Rule] != nil && rules[old.Rule].Active:
			// Moved by hand from a slot now past, which the rule no longer expands:
			// the move stands.
			fill(&next, pick.version(next.Content))
		case old.open(at) && old.Rule != "" && old.Status != StatusCancelled:
			// No rule places it any more. One cancelled already keeps its reason:
			// rewriting it would count as a new cancellation at every run.
			next.Status, next.Reason, next.DisplacedBy = StatusCancelled, ReasonUnscheduled, ""
			if r := rules[old.Rule]; r != nil && !r.Active {
				next.Reason = ReasonRuleInactive
			}
		case old.open(at) && old.Status != StatusCancelled:
			fill(&next, pick.version(next.Content))
		case old.Status == StatusDelivered && old.Start.After(at) && pick.version(old.Content) > 0:
			next.ContentVersion = pick.version(old.Content) // pulled, not yet aired: the next pull carries the new version
		}
		if next.Content != "" && next.occupies() {
			used[next.Content] = next.Start
		}
		switch {
		case !have[old.ID]:
			inserts = append(inserts, next)
		case !sameAiring(old, next):
			updates = append(updates, next)
		}
	}
	return inserts, updates
}

// place makes a an airing of occurrence o: times, rule fields, status and content.
func (s *Service) place(a *Airing, o occurrence, used map[string]time.Time, pick *picker) {
	a.Campaign, a.Groups, a.Channel = o.rule.Campaign, o.rule.Groups, o.station.Channel
	a.OrgUnit = o.station.UnitOn(loa.DateOf(o.slot.In(s.opts.Zone)))
	if !a.Moved {
		a.Start = o.slot
	}
	a.End = a.Start.Add(o.end.Sub(o.slot))
	a.Reason, a.DisplacedBy = "", ""
	if o.displacedBy != "" {
		a.Status, a.Reason, a.DisplacedBy = StatusCancelled, ReasonDisplaced, o.displacedBy
		return
	}
	if !a.ContentPinned && (a.Content == "" || !pick.eligible(o, a.Content, a.Start)) {
		a.Content = pick.choose(o, a.Start, used)
	}
	fill(a, pick.version(a.Content))
}

// fill gives an open airing the version in force of its content: planned with
// it, or no_content when there is none (an unpinned choice is then dropped).
func fill(a *Airing, version int) {
	a.ContentVersion, a.Status = version, StatusPlanned
	if version == 0 {
		a.Status = StatusNoContent
		if !a.ContentPinned {
			a.Content = ""
		}
	}
}

// sameAiring reports whether materialising changed nothing in a.
func sameAiring(a, b Airing) bool {
	return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Campaign == b.Campaign && slices.Equal(a.Groups, b.Groups) &&
		a.Channel == b.Channel && a.OrgUnit == b.OrgUnit && a.Content == b.Content && a.ContentVersion == b.ContentVersion &&
		a.Status == b.Status && a.Reason == b.Reason && a.DisplacedBy == b.DisplacedBy
}

// picker chooses content for airings from the approved library.
type picker struct {
	content.Airable
	zone *time.Location
}

func newPicker(a content.Airable, zone *time.Location) *picker { return &picker{a, zone} }

// version is the approved version of item in force now, or 0 when none is.
func (p *picker) version(item string) int {
	v, _ := p.Version(item)
	return v.Number
}

// eligible reports whether item may fill occurrence o starting at t.
func (p *picker) eligible(o occurrence, item string, t time.Time) bool {
	v, ok := p.Version(item)
	if !ok || (!t.IsZero() && !v.ValidOn(loa.DateOf(t.In(p.zone)))) || !slices.Contains(o.station.Languages, v.Language) {
		return false
	}
	r := o.rule
	if len(r.Groups) > 0 && !overlaps(r.Groups, v.Groups) {
		return false
	}
	if len(r.Pool.Items) > 0 {
		return slices.Contains(r.Pool.Items, item)
	}
	kinds := r.Pool.Kinds
	if len(kinds) == 0 {
		ch, _ := channel(o.station.Channel)
		kinds = ch.Kinds
	}
	return slices.Contains(kinds, v.Kind) &&
		(len(r.Pool.Groups) == 0 || overlaps(r.Pool.Groups, v.Groups)) &&
		(len(r.Pool.Tags) == 0 || overlaps(r.Pool.Tags, v.Tags)) &&
		(r.Pool.Campaign == "" || slices.Contains(v.Campaigns, r.Pool.Campaign))
}

// choose returns the eligible item the station used least recently (never used
// first; ties in the pool's order, else the library's), or "".
func (p *picker) choose(o occurrence, t time.Time, used map[string]time.Time) string {
	best := ""
	for item := range p.candidates(o.rule) {
		if p.eligible(o, item, t) && (best == "" || used[item].Before(used[best])) {
			best = item
		}
	}
	return best
}

// candidates yields the items a rule's pool may hold: its own list, else the
// library's approved items, oldest first.
func (p *picker) candidates(r *Rule) iter.Seq[string] {
	return func(yield func(string) bool) {
		if len(r.Pool.Items) > 0 {
			for _, item := range r.Pool.Items {
				if !yield(item) {
					return
				}
			}
			return
		}
		for _, v := range p.Versions {
			if !yield(v.Item) {
				return
			}
		}
	}
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}
