package scheduler

import (
	"context"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"
)

// calendar is every airing, by station, each station's ordered by start: the
// in-memory index every read of airings uses (on the embedded engine a filtered
// query reads the whole collection). It is immutable; a write makes a new one that
// shares the stations it did not touch.
type calendar struct {
	byStation map[string][]Airing
}

func compareAirings(a, b Airing) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func newCalendar(as []Airing, zone *time.Location) *calendar {
	c := &calendar{byStation: map[string][]Airing{}}
	for _, a := range as {
		c.byStation[a.Station] = append(c.byStation[a.Station], inZone(a, zone))
	}
	for _, list := range c.byStation {
		slices.SortFunc(list, compareAirings)
	}
	return c
}

// inZone shows the airing's times in zone (they are stored in UTC), and its
// groups as a list even when none are stored.
func inZone(a Airing, zone *time.Location) Airing {
	a.Slot, a.Start, a.End = a.Slot.In(zone), a.Start.In(zone), a.End.In(zone)
	if a.Groups == nil {
		a.Groups = []string{}
	}
	return a
}

// with returns a calendar where the airings changed replace their old selves.
func (c *calendar) with(changed []Airing, zone *time.Location) *calendar {
	next := &calendar{byStation: maps.Clone(c.byStation)}
	latest := map[string]map[string]Airing{} // by station and ID: the last change of each
	for _, a := range changed {
		if latest[a.Station] == nil {
			latest[a.Station] = map[string]Airing{}
		}
		latest[a.Station][a.ID] = inZone(a, zone)
	}
	for code, news := range latest {
		old := c.byStation[code]
		list := make([]Airing, 0, len(old)+len(news))
		for _, a := range old {
			if _, ok := news[a.ID]; !ok {
				list = append(list, a)
			}
		}
		list = slices.AppendSeq(list, maps.Values(news))
		slices.SortFunc(list, compareAirings)
		next.byStation[code] = list
	}
	return next
}

// window returns a station's airings starting in [from, to).
func (c *calendar) window(station string, from, to time.Time) []Airing {
	i, j := c.countBefore(station, from), c.countBefore(station, to)
	return c.byStation[station][i:max(i, j)]
}

// during yields a station's airings on air at some time in [from, to): those in
// progress at from, then those starting in the window. They point into the
// calendar, which never changes: read them, never write them.
func (c *calendar) during(station string, from, to time.Time) iter.Seq[*Airing] {
	list := c.window(station, from.Add(-maxDurationHours*time.Hour), to)
	return func(yield func(*Airing) bool) {
		for i := range list {
			if list[i].End.After(from) && !yield(&list[i]) {
				return
			}
		}
	}
}

// countBefore is how many of a station's airings start before t.
func (c *calendar) countBefore(station string, t time.Time) int {
	i, _ := slices.BinarySearchFunc(c.byStation[station], t, func(a Airing, t time.Time) int { return a.Start.Compare(t) })
	return i
}

// get finds an airing by ID.
func (c *calendar) get(id string) (Airing, bool) {
	list := c.byStation[stationOf(id)]
	i := slices.IndexFunc(list, func(a Airing) bool { return a.ID == id })
	if i < 0 {
		return Airing{}, false
	}
	return list[i], true
}

// stationCodes lists the stations with airings, ordered.
func (c *calendar) stationCodes() []string {
	return slices.Sorted(maps.Keys(c.byStation))
}

// airings returns the calendar as of the stored version, loading it when it moved.
func (s *Service) airings(ctx context.Context) (*calendar, error) {
	v, err := s.store.AiringsVersion(ctx)
	if err != nil {
		return nil, err
	}
	return s.calendar.Get(v, func() (*calendar, error) {
		as, err := s.store.Airings(ctx)
		if err != nil {
			return nil, err
		}
		return newCalendar(as, s.opts.Zone), nil
	})
}

// write stores new and changed airings and brings the calendar along; the caller
// holds the airings lock. Changed airings carry the Rev they were read at; those
// changed meanwhile are skipped (checked here against the calendar, which the lock
// keeps exact on the embedded engine, and by the store on a shared MongoDB). It
// returns what was stored.
func (s *Service) write(ctx context.Context, inserts, updates []Airing) ([]Airing, error) {
	cal, err := s.airings(ctx)
	if err != nil {
		return nil, err
	}
	updates = slices.DeleteFunc(updates, func(a Airing) bool {
		cur, ok := cal.get(a.ID)
		return !ok || cur.Rev != a.Rev
	})
	var stored []Airing
	now := s.stamp()
	if len(inserts) > 0 {
		for i := range inserts {
			inserts[i].Rev, inserts[i].UpdatedAt = 1, now
		}
		done, v, err := s.store.InsertAirings(ctx, inserts)
		if err != nil {
			s.calendar.Invalidate() // some batches may have landed
			return nil, err
		}
		stored = append(stored, s.follow(v, done)...)
	}
	if len(updates) > 0 {
		for i := range updates {
			updates[i].Rev++
			updates[i].UpdatedAt = now
		}
		done, v, err := s.store.ReplaceAirings(ctx, updates)
		if err != nil {
			s.calendar.Invalidate()
			return nil, err
		}
		stored = append(stored, s.follow(v, done)...)
	}
	return stored, nil
}

// follow moves the calendar to version v, which the write of done made.
func (s *Service) follow(v int64, done []Airing) []Airing {
	if len(done) > 0 {
		s.calendar.Advance(v, func(c *calendar) (*calendar, error) { return c.with(done, s.opts.Zone), nil })
	}
	return done
}

// PackLegacyAirings moves the airings an earlier Loa stored one document each into
// the packs this one reads; run at start-up, it returns how many moved (none once
// done).
func (s *Service) PackLegacyAirings(ctx context.Context) (int, error) {
	return writeAirings(ctx, s, s.store.PackLegacyAirings)
}
