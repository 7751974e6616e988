package scheduler

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
	"loa/content"
)

// Bounds of notes and reported times.
const (
	maxNote = 1000
	// clockSkew is how far in the future a reported time may be.
	clockSkew = 5 * time.Minute
)

// AiringFilter selects airings in a window [From, To) of start times.
type AiringFilter struct {
	Station string
	// Stations, when given, keeps the airings of these stations only (a district's
	// calendar): one read of the calendar for all of them.
	Stations []string
	// Under keeps the airings of the stations in that org unit's subtree (an
	// account's scope); empty or loa.AllUnits keeps all.
	Under    string
	Rule     string // the airings of one slot rule
	Campaign string
	Status   string
	From, To time.Time
}

// Airings lists the airings f selects, by start then ID. The window defaults to
// the next 7 days and may span at most 92.
func (s *Service) Airings(ctx context.Context, f AiringFilter) ([]Airing, error) {
	var err error
	if f.From, f.To, err = s.window(f.From, f.To, maxListDays); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, loa.Invalid("status", "status must be one of "+strings.Join(Statuses, ", "))
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return nil, err
	}
	codes := cal.stationCodes()
	if f.Station != "" {
		if _, err := s.Station(ctx, f.Station); err != nil {
			return nil, err
		}
		codes = []string{f.Station}
	}
	if f.Stations != nil {
		codes = slices.DeleteFunc(slices.Clone(codes), func(c string) bool { return !slices.Contains(f.Stations, c) })
	}
	if f.Under != "" && f.Under != loa.AllUnits {
		within, err := s.Stations(ctx, StationFilter{Under: f.Under})
		if err != nil {
			return nil, err
		}
		codes = slices.DeleteFunc(slices.Clone(codes), func(code string) bool {
			return !slices.ContainsFunc(within, func(st Station) bool { return st.Code == code })
		})
	}
	out := []Airing{}
	for _, code := range codes {
		for _, a := range cal.window(code, f.From, f.To) {
			if (f.Campaign == "" || a.Campaign == f.Campaign) && (f.Status == "" || a.Status == f.Status) && (f.Rule == "" || a.Rule == f.Rule) {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, compareAirings)
	return out, nil
}

// Airing returns one airing.
func (s *Service) Airing(ctx context.Context, id string) (Airing, error) {
	cal, err := s.airings(ctx)
	if err != nil {
		return Airing{}, err
	}
	a, ok := cal.get(id)
	if !ok {
		return Airing{}, fmt.Errorf("%w: no airing %s", loa.ErrNotFound, id)
	}
	return a, nil
}

// AiringChange changes one occurrence without touching its series: a new start, a
// content item of the planner's choice, cancelling (status "cancelled") or
// restoring a cancelled one (status "planned"), a note. Nil fields stay.
type AiringChange struct {
	Start   *time.Time `json:"start"`
	Content *string    `json:"content"`
	Status  *string    `json:"status"`
	Note    *string    `json:"note"`
}

// Placement is a one-off airing, such as a press article on a given day.
type Placement struct {
	Station         string    `json:"station"`
	Campaign        string    `json:"campaign"`
	Start           time.Time `json:"start"`
	DurationSeconds int       `json:"durationSeconds"`
	Groups          []string  `json:"groups"`
	Content         string    `json:"content"`
	Note            string    `json:"note"`
}

// Publication records that a press or web item was published.
type Publication struct {
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"publishedAt"`
}

// cleanNote trims a note to NFC and checks its length.
func cleanNote(note string, v *loa.ValidationError) string {
	note = strings.TrimSpace(norm.NFC.String(note))
	if utf8.RuneCountInString(note) > maxNote {
		v.Add("note", fmt.Sprintf("at most %d characters", maxNote))
	}
	return note
}

// stationAiring reads an airing and its station, which must lie in the actor's
// scope.
func (s *Service) stationAiring(ctx context.Context, actor loa.Actor, id string) (Airing, Station, error) {
	a, err := s.Airing(ctx, id)
	if err != nil {
		return Airing{}, Station{}, err
	}
	st, err := s.Station(ctx, a.Station)
	if err != nil {
		return Airing{}, Station{}, err
	}
	return a, st, s.requireUnit(ctx, actor, st.OrgUnit)
}

// ChangeAiring applies c to the airing id. Only an airing still ahead can change;
// one its station pulled already goes back to planned, so the station's next pull
// carries the change. A move onto a slot another airing of the station holds is a
// conflict.
func (s *Service) ChangeAiring(ctx context.Context, actor loa.Actor, id string, c AiringChange) (Airing, error) {
	return writeAirings(ctx, s, func(ctx context.Context) (Airing, error) {
		old, st, err := s.stationAiring(ctx, actor, id)
		if err != nil {
			return Airing{}, err
		}
		now := s.now()
		if !old.Changeable(now) {
			return Airing{}, fmt.Errorf("%w: airing %s is %s and starts %s: only a future airing not yet aired can change",
				loa.ErrConflict, id, old.Status, old.Start.Format(time.RFC3339))
		}
		next := old
		if next.Status == StatusDelivered {
			next.Status, next.DeliveredAt = StatusPlanned, nil
		}
		v := &loa.ValidationError{}
		if c.Start != nil {
			if !c.Start.After(now) {
				v.Add("start", "the new start must be in the future")
			}
			start := c.Start.In(s.opts.Zone).Truncate(time.Second)
			next.Start, next.End, next.Moved = start, start.Add(old.End.Sub(old.Start)), !start.Equal(old.Slot)
		}
		if c.Note != nil {
			next.Note = cleanNote(*c.Note, v)
		}
		if c.Status != nil {
			switch *c.Status {
			case StatusCancelled:
				next.Status, next.Reason = StatusCancelled, ReasonManual
			case StatusPlanned:
				if old.Status != StatusCancelled {
					v.Add("status", "only a cancelled airing can be planned again")
				}
				next.Status, next.Reason, next.DisplacedBy = StatusPlanned, "", ""
			default:
				v.Add("status", "status must be cancelled (cancel this occurrence) or planned (restore it)")
			}
		}
		if c.Content != nil {
			s.pinContent(ctx, &next, st, *c.Content, v)
		}
		if err := v.Err(); err != nil {
			return Airing{}, err
		}
		if next.Status == StatusPlanned && next.Content == "" {
			next.Status = StatusNoContent
		}
		if err := s.requireFree(ctx, next); err != nil {
			return Airing{}, err
		}
		stored, err := s.write(ctx, nil, []Airing{next})
		if err != nil {
			return Airing{}, err
		}
		if len(stored) == 0 {
			return Airing{}, fmt.Errorf("%w: airing %s changed meanwhile; read it again", loa.ErrConflict, id)
		}
		return stored[0], s.audit.Record(ctx, actor.Username, loa.Change{Action: "update", Entity: "airing", EntityID: id,
			Path: s.path(ctx, st.OrgUnit), Before: old, After: stored[0]})
	})
}

// pinContent sets a's content to item, which must be approved and in the station's
// languages.
func (s *Service) pinContent(ctx context.Context, a *Airing, st Station, item string, v *loa.ValidationError) {
	if item == "" {
		a.Content, a.ContentVersion, a.ContentPinned = "", 0, false
		return
	}
	airable, err := s.library.Airable(ctx)
	if err != nil {
		v.Add("content", err.Error())
		return
	}
	i := slices.IndexFunc(airable.Versions, func(cv content.Version) bool { return cv.Item == item })
	switch {
	case i < 0:
		v.Add("content", "content "+item+" has no approved version in force: only approved content goes on air")
	case !slices.Contains(st.Languages, airable.Versions[i].Language):
		v.Add("content", fmt.Sprintf("content %s is in %s, which station %s does not broadcast in", item, airable.Versions[i].Language, st.Code))
	default:
		a.Content, a.ContentVersion, a.ContentPinned = item, airable.Versions[i].Number, true
		if a.Status == StatusNoContent {
			a.Status = StatusPlanned
		}
	}
}

// requireFree refuses an airing that would overlap another one holding its
// station's air.
func (s *Service) requireFree(ctx context.Context, a Airing) error {
	if !a.occupies() {
		return nil
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return err
	}
	for _, b := range cal.window(a.Station, a.Start.Add(-maxDurationHours*time.Hour), a.End) {
		if b.ID != a.ID && b.occupies() && b.End.After(a.Start) {
			return fmt.Errorf("%w: station %s is taken from %s to %s by airing %s", loa.ErrConflict, a.Station,
				b.Start.Format(time.RFC3339), b.End.Format(time.RFC3339), b.ID)
		}
	}
	return nil
}

// Place adds a one-off airing.
func (s *Service) Place(ctx context.Context, actor loa.Actor, p Placement) (Airing, error) {
	return writeAirings(ctx, s, func(ctx context.Context) (Airing, error) {
		refs, err := s.ruleRefs(ctx)
		if err != nil {
			return Airing{}, err
		}
		v := &loa.ValidationError{}
		st, ok := refs.stations[p.Station]
		if !ok {
			v.Add("station", "unknown station "+p.Station)
		}
		if !refs.campaigns[p.Campaign] {
			v.Add("campaign", fmt.Sprintf("unknown campaign %q", p.Campaign))
		}
		if !p.Start.After(s.now()) {
			v.Add("start", "a placement starts in the future")
		}
		checkDuration(p.DurationSeconds, v)
		checkGroups("groups", p.Groups, refs, v)
		note := cleanNote(p.Note, v)
		start := p.Start.In(s.opts.Zone).Truncate(time.Second)
		a := Airing{ID: airingID("", st.Code, start), Campaign: p.Campaign, Station: st.Code, Channel: st.Channel, OrgUnit: st.OrgUnit,
			Slot: start, Start: start, End: start.Add(time.Duration(p.DurationSeconds) * time.Second), Groups: p.Groups,
			Status: StatusNoContent, Note: note}
		if a.Groups == nil {
			a.Groups = []string{}
		}
		if st.Code != "" {
			s.pinContent(ctx, &a, st, p.Content, v)
		}
		if err := v.Err(); err != nil {
			return Airing{}, err
		}
		if err := s.requireUnit(ctx, actor, st.OrgUnit); err != nil {
			return Airing{}, err
		}
		if err := s.requireFree(ctx, a); err != nil {
			return Airing{}, err
		}
		stored, err := s.write(ctx, []Airing{a}, nil)
		if err != nil {
			return Airing{}, err
		}
		if len(stored) == 0 {
			return Airing{}, fmt.Errorf("%w: station %s already has a placement starting %s", loa.ErrConflict, st.Code, start.Format(time.RFC3339))
		}
		return stored[0], s.audit.Record(ctx, actor.Username, loa.Change{Action: "create", Entity: "airing", EntityID: a.ID,
			Path: s.path(ctx, st.OrgUnit), After: stored[0]})
	})
}

// Publish records that an airing on a published channel (press, portal, social
// media) appeared, with its link. Publishing again corrects the link.
func (s *Service) Publish(ctx context.Context, actor loa.Actor, id string, p Publication) (Airing, error) {
	return writeAirings(ctx, s, func(ctx context.Context) (Airing, error) {
		old, st, err := s.stationAiring(ctx, actor, id)
		if err != nil {
			return Airing{}, err
		}
		v := &loa.ValidationError{}
		if u, err := url.Parse(strings.TrimSpace(p.URL)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(p.URL) > 2000 {
			v.Add("url", "the article's address, an http or https link")
		}
		if p.PublishedAt.IsZero() || p.PublishedAt.After(s.now().Add(clockSkew)) {
			v.Add("publishedAt", "when it was published, an RFC 3339 time not in the future")
		}
		if err := v.Err(); err != nil {
			return Airing{}, err
		}
		if ch, _ := channel(old.Channel); ch.Proof != ProofPublished {
			return Airing{}, fmt.Errorf("%w: airing %s is on %s, which confirms airings rather than publishing them", loa.ErrConflict, id, old.Channel)
		}
		if old.Status == StatusCancelled {
			return Airing{}, fmt.Errorf("%w: airing %s is cancelled; plan it again before publishing", loa.ErrConflict, id)
		}
		next := old
		at := loa.Stamp(p.PublishedAt)
		next.Status, next.PublishedURL, next.PublishedAt = StatusPublished, strings.TrimSpace(p.URL), &at
		stored, err := s.write(ctx, nil, []Airing{next})
		if err != nil {
			return Airing{}, err
		}
		if len(stored) == 0 {
			return Airing{}, fmt.Errorf("%w: airing %s changed meanwhile; read it again", loa.ErrConflict, id)
		}
		if err := s.countReach(ctx, actor, stored[0]); err != nil {
			return Airing{}, err
		}
		return stored[0], s.audit.Record(ctx, actor.Username, loa.Change{Action: "publish", Entity: "airing", EntityID: id,
			Path: s.path(ctx, st.OrgUnit), Before: old, After: stored[0]})
	})
}

// AiringScript is the script an airing carries, as its station reads it, for the
// planners' pages: unlike a pull it records no delivery. An airing without approved
// content in force has none (not found).
func (s *Service) AiringScript(ctx context.Context, id string) (FeedItem, error) {
	a, err := s.Airing(ctx, id)
	if err != nil {
		return FeedItem{}, err
	}
	st, err := s.Station(ctx, a.Station)
	if err != nil {
		return FeedItem{}, err
	}
	airable, err := s.library.Airable(ctx)
	if err != nil {
		return FeedItem{}, err
	}
	v, ok := airable.Version(a.Content)
	if !ok {
		return FeedItem{}, fmt.Errorf("%w: airing %s has no approved script", loa.ErrNotFound, id)
	}
	units, err := s.units.OrgUnitsVersion(ctx)
	if err != nil {
		return FeedItem{}, err
	}
	named := loa.DateOf(a.Start.In(s.opts.Zone))
	unit, err := s.units.Named(ctx, st.UnitOn(named), named)
	if err != nil {
		return FeedItem{}, err
	}
	return s.feedItem(&a, v, st, unit, named, units)
}

// ContentChoices lists the approved content an airing may be given instead of its
// own (ChangeAiring pins any of them): in force and in its station's languages,
// those for the airing's groups first.
func (s *Service) ContentChoices(ctx context.Context, id string) ([]content.Version, error) {
	a, err := s.Airing(ctx, id)
	if err != nil {
		return nil, err
	}
	st, err := s.Station(ctx, a.Station)
	if err != nil {
		return nil, err
	}
	airable, err := s.library.Airable(ctx)
	if err != nil {
		return nil, err
	}
	var fit, other []content.Version
	for _, v := range airable.Versions {
		switch {
		case !slices.Contains(st.Languages, v.Language):
		case len(a.Groups) == 0 || overlaps(a.Groups, v.Groups):
			fit = append(fit, v)
		default:
			other = append(other, v)
		}
	}
	return append(fit, other...), nil
}
