package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"sync"
	"time"

	"loa"
	"loa/campaigns"
	"loa/content"
)

// Window bounds, in days.
const (
	defaultWindowDays = 7
	maxFeedDays       = 31
	maxListDays       = 92
	maxScripts        = 20_000 // rendered scripts kept in memory
)

// Feed is what a station pulls: its airings in a window with the approved scripts,
// placeholders filled for it. scheduler/feedformat writes it for the stations.
type Feed struct {
	Station     FeedStation
	GeneratedAt time.Time
	Items       []FeedItem
	// Version names the window's content: it changes when, and only when,
	// something in the window changes (not with GeneratedAt).
	Version string
}

// FeedStation is what a feed says of its station.
type FeedStation struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Channel   string   `json:"channel"`
	OrgUnit   string   `json:"orgUnit"`
	Languages []string `json:"languages"`
}

// FeedItem is one airing with its script.
type FeedItem struct {
	AiringID        string
	Start           time.Time
	StartUTC        time.Time
	End             time.Time
	DurationSeconds int
	Title           string
	Kind            string
	Language        string
	Groups          []string
	Content         string
	ContentVersion  int
	Script          string
	ReadSeconds     int
	ContentHash     string // SHA-256 of the script
	// Attachment is the recording or image of the content version, which the
	// station downloads by the airing's ID; nil when there is none.
	Attachment *FeedAttachment
	Status     string
}

// FeedAttachment says what a station downloads with an airing.
type FeedAttachment struct {
	SHA256 string
	Bytes  int64
}

// onAir are the statuses a station's feed shows: airings with approved content that
// were not cancelled.
var onAir = []string{StatusPlanned, StatusDelivered, StatusAired, StatusMissed, StatusUnconfirmed}

// scriptKey names a rendered script: the same version read at the same station on
// the same day always reads the same.
type scriptKey struct {
	item    string
	version int
	station string
	name    string   // the station's name is in the script
	unit    string   // and its org unit's, named on
	named   loa.Date // this day, in
	units   int64    // this version of the org units
	day     loa.Date
}

type script struct {
	text    string
	seconds int
	hash    string
}

// feeds keeps each station's last feed with the key of what it was built from, so
// an unchanged window is answered without rendering or hashing again; and each
// station's feed of the default window with what it rests on, so that while none
// of that moved a pull of the next 7 days looks at no airing at all.
type feeds struct {
	mu    sync.Mutex
	m     map[string]cachedFeed
	ready map[string]readyFeed
}

type cachedFeed struct {
	key  string
	feed Feed
}

// readyFeed is a station's feed of the default window (from now, 7 days) and what
// it rests on: the versions of the stations, the org units and the library, and
// the station's list of airings in the calendar, which a write of any of them
// replaces (the calendar is copy-on-write per station: a change at another station
// leaves this list be). The window moves with the clock, so it holds from the
// pull that built it until the first end of an airing in it (which then leaves) or
// the next midnight (the org units' names are today's), whichever comes first, and
// while the next start after it stays out (it enters 7 days before).
type readyFeed struct {
	feed                     Feed
	stations, units, library int64
	airings                  []Airing // compared by identity, never read
	from, until              time.Time
	nextStart                time.Time // zero: none
}

// feedInputs are the versions a pull of the default window checks its ready feed
// against, read before anything the feed is built from.
type feedInputs struct {
	stations, units, library int64
	airings                  []Airing
}

// holds says whether a pull of the default window at now, over in, shows what f
// shows.
func (f *readyFeed) holds(in feedInputs, now time.Time) bool {
	return f.stations == in.stations && f.units == in.units && f.library == in.library && sameList(f.airings, in.airings) &&
		!now.Before(f.from) && now.Before(f.until) &&
		(f.nextStart.IsZero() || !defaultTo(now).After(f.nextStart))
}

// sameList says whether a and b are one list of the calendar, not equal copies:
// the calendar never changes a list, it replaces it.
func sameList(a, b []Airing) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (c *feeds) get(station, key string) (Feed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[station]
	return e.feed, ok && e.key == key
}

func (c *feeds) put(station, key string, f Feed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedFeed{}
	}
	c.m[station] = cachedFeed{key, f}
}

// readyAt returns the station's feed of the default window if it holds at now.
func (c *feeds) readyAt(station string, in feedInputs, now time.Time) (Feed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.ready[station]
	return r.feed, ok && r.holds(in, now)
}

func (c *feeds) keepReady(station string, r readyFeed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ready == nil {
		c.ready = map[string]readyFeed{}
	}
	c.ready[station] = r
}

// defaultTo is the end of the default window starting at from.
func defaultTo(from time.Time) time.Time { return from.AddDate(0, 0, defaultWindowDays) }

// window checks a window [from, to) of at most max days, defaulting to the next 7
// days from now.
func (s *Service) window(from, to time.Time, max int) (time.Time, time.Time, error) {
	if from.IsZero() {
		from = s.now()
	}
	if to.IsZero() {
		to = defaultTo(from)
	}
	switch {
	case !from.Before(to):
		return from, to, loa.Invalid("to", "to must be after from")
	case to.Sub(from) > time.Duration(max)*24*time.Hour:
		return from, to, loa.Invalid("to", fmt.Sprintf("a window of at most %d days", max))
	}
	return from.In(s.opts.Zone), to.In(s.opts.Zone), nil
}

// StationFeed returns a station's feed over [from, to) (default the next 7 days, at
// most 31): the airings on air in it (one in progress at from too) that carry
// approved content and were not cancelled. The first pull of an airing records its
// delivery.
func (s *Service) StationFeed(ctx context.Context, code string, from, to time.Time) (Feed, error) {
	if from.IsZero() && to.IsZero() {
		return s.defaultFeed(ctx, code)
	}
	from, to, err := s.window(from, to, maxFeedDays)
	if err != nil {
		return Feed{}, err
	}
	return s.feed(ctx, code, from, to, true, nil)
}

// defaultFeed is the station's feed of the next 7 days: the one kept ready while
// it holds, else a new one, kept ready in its turn.
func (s *Service) defaultFeed(ctx context.Context, code string) (Feed, error) {
	in, err := s.feedInputs(ctx, code)
	if err != nil {
		return Feed{}, err
	}
	now := s.now()
	if f, ok := s.feeds.readyAt(code, in, now); ok {
		return f, nil
	}
	from, to, err := s.window(now, time.Time{}, maxFeedDays)
	if err != nil {
		return Feed{}, err
	}
	// The versions were read before what the feed is built from: if one moved
	// meanwhile, the next pull finds them changed and builds again.
	r := &readyFeed{stations: in.stations, units: in.units, library: in.library, from: now, until: s.nextMidnight(now)}
	f, err := s.feed(ctx, code, from, to, true, r)
	if err == nil && r.airings != nil {
		r.feed = f
		s.feeds.keepReady(code, *r)
	}
	return f, err
}

// feedInputs reads the versions a ready feed of station code rests on.
func (s *Service) feedInputs(ctx context.Context, code string) (feedInputs, error) {
	var in feedInputs
	var err error
	if in.stations, err = s.store.StationsVersion(ctx); err != nil {
		return in, err
	}
	if in.units, err = s.units.OrgUnitsVersion(ctx); err != nil {
		return in, err
	}
	airable, err := s.library.Airable(ctx)
	if err != nil {
		return in, err
	}
	in.library = airable.LibraryVersion
	cal, err := s.airings(ctx)
	if err != nil {
		return in, err
	}
	in.airings = cal.byStation[code]
	return in, nil
}

// nextMidnight is the start of the day after t's, in the service's zone.
func (s *Service) nextMidnight(t time.Time) time.Time {
	y, m, d := t.In(s.opts.Zone).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, s.opts.Zone)
}

// feed builds a station's feed over [from, to); cached, it is kept as the station's
// last feed and served again while nothing in it changes. Given ready, it fills in
// the station's list of airings it read, brings its until forward to the first end
// of an airing in the window and sets the next start after it; it leaves the list
// nil when the feed may not be kept ready (an airing in it is still to be
// delivered).
func (s *Service) feed(ctx context.Context, code string, from, to time.Time, cached bool, ready *readyFeed) (Feed, error) {
	st, err := s.activeStation(ctx, code)
	if err != nil {
		return Feed{}, err
	}
	airable, err := s.library.Airable(ctx)
	if err != nil {
		return Feed{}, err
	}
	if err := s.deliver(ctx, code, from, to, airable); err != nil {
		return Feed{}, err
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return Feed{}, err
	}
	units, err := s.units.OrgUnitsVersion(ctx)
	if err != nil {
		return Feed{}, err
	}
	// What the feed is made of: what it shows of the station (its name is in the
	// scripts too; not its last save's time, which two saves in one millisecond
	// share), the org units as named today (names in scripts), the library and
	// each airing shown. Built without formatting: an unchanged feed costs little
	// more than this.
	today := s.today()
	key := fnv.New128a()
	var buf [96]byte
	b := buf[:0]
	for _, field := range append([]string{st.Code, st.Name, st.Channel, st.OrgUnit, string(today)}, st.Languages...) {
		b = append(strconv.AppendInt(b[:0], int64(len(field)), 10), ':')
		_, _ = key.Write(append(b, field...))
	}
	for _, n := range []int64{units, airable.LibraryVersion} {
		_, _ = key.Write(strconv.AppendInt(append(b[:0], '|'), n, 10))
	}
	var shown []*Airing
	pending := false
	var firstEnd time.Time // of the airings in the window
	for a := range cal.during(code, from, to) {
		if firstEnd.IsZero() || a.End.Before(firstEnd) {
			firstEnd = a.End
		}
		pending = pending || undelivered(a, airable)
		// Only words approved and in force: the version in force now, which the next
		// materialisation also records on the airing.
		if v, ok := airable.Version(a.Content); ok && slices.Contains(onAir, a.Status) {
			shown = append(shown, a)
			b = append(append(buf[:0], '|'), a.ID...)
			b = strconv.AppendInt(append(b, '|'), a.Rev, 10)
			b = strconv.AppendInt(append(b, '|'), int64(v.Number), 10)
			_, _ = key.Write(b)
		}
	}
	if ready != nil && !pending {
		list := cal.byStation[code]
		ready.airings = list
		if list == nil {
			ready.airings = []Airing{} // no airings yet: kept ready all the same
		}
		if !firstEnd.IsZero() && firstEnd.Before(ready.until) {
			ready.until = firstEnd
		}
		if i := cal.countBefore(code, to); i < len(list) {
			ready.nextStart = list[i].Start
		}
	}
	var sum [16]byte
	k := string(key.Sum(sum[:0]))
	if f, ok := s.feeds.get(code, k); ok && cached {
		return f, nil
	}
	unit, err := s.units.Named(ctx, st.OrgUnit, today)
	if err != nil {
		return Feed{}, err
	}
	f := Feed{Station: FeedStation{Code: st.Code, Name: st.Name, Channel: st.Channel, OrgUnit: st.OrgUnit, Languages: st.Languages},
		GeneratedAt: s.stamp().In(s.opts.Zone), Items: []FeedItem{}}
	for _, a := range shown {
		v, _ := airable.Version(a.Content)
		item, err := s.feedItem(a, v, st, unit, today, units)
		if err != nil {
			return Feed{}, err
		}
		f.Items = append(f.Items, item)
	}
	if f.Version, err = feedVersion(f); err != nil {
		return Feed{}, err
	}
	if cached {
		s.feeds.put(code, k, f)
	}
	return f, nil
}

// feedItem is airing a with version v of its content, the script read at station
// st of unit (named on named, the org units at version units).
func (s *Service) feedItem(a *Airing, v content.Version, st Station, unit campaigns.OrgUnitDetail, named loa.Date, units int64) (FeedItem, error) {
	sk := scriptKey{a.Content, v.Number, st.Code, st.Name, st.OrgUnit, named, units, loa.DateOf(a.Start.In(s.opts.Zone))}
	sc, err := s.scripts.get(sk, func() (script, error) {
		text, secs, err := s.library.Script(v, s.library.FieldsAt(unit, st.Name, a.Start))
		sum := sha256.Sum256([]byte(text))
		return script{text, secs, hex.EncodeToString(sum[:])}, err
	})
	if err != nil {
		return FeedItem{}, fmt.Errorf("script of airing %s: %w", a.ID, err)
	}
	item := FeedItem{AiringID: a.ID, Start: a.Start, StartUTC: a.Start.UTC(), End: a.End, DurationSeconds: int(a.End.Sub(a.Start) / time.Second),
		Title: v.Title, Kind: v.Kind, Language: v.Language, Groups: v.Groups, Content: a.Content, ContentVersion: v.Number,
		Script: sc.text, ReadSeconds: sc.seconds, ContentHash: sc.hash, Status: a.Status}
	if v.Attachment != nil {
		item.Attachment = &FeedAttachment{SHA256: v.Attachment.SHA256, Bytes: v.Attachment.Bytes}
	}
	return item, nil
}

// TokenStation returns the station a token is about to be issued to: an inactive
// one gets none.
func (s *Service) TokenStation(ctx context.Context, code string) (Station, error) {
	st, err := s.Station(ctx, code)
	if err == nil && !st.Active {
		err = fmt.Errorf("%w: station %s is inactive; activate it first", loa.ErrConflict, code)
	}
	return st, err
}

// activeStation returns a station that may pull and confirm: an inactive one's
// token reads nothing.
func (s *Service) activeStation(ctx context.Context, code string) (Station, error) {
	st, err := s.Station(ctx, code)
	if err == nil && !st.Active {
		err = fmt.Errorf("%w: station %s is inactive", loa.ErrForbidden, code)
	}
	return st, err
}

// feedVersion is a hash of what a feed says: its station and items, leaving out when
// it was made and the bounds asked for.
func feedVersion(f Feed) (string, error) {
	b, err := json.Marshal(struct {
		Station FeedStation
		Items   []FeedItem
	}{f.Station, f.Items})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// undelivered says whether a pull is the first of airing a, which its delivery
// then records.
func undelivered(a *Airing, airable content.Airable) bool {
	_, inForce := airable.Version(a.Content)
	return a.Status == StatusPlanned && a.DeliveredAt == nil && inForce
}

// deliver records the first pull of the station's planned airings in the window,
// and the version in force each of them was sent with.
func (s *Service) deliver(ctx context.Context, code string, from, to time.Time, airable content.Airable) error {
	cal, err := s.airings(ctx)
	if err != nil {
		return err
	}
	pending := false
	for a := range cal.during(code, from, to) {
		if pending = undelivered(a, airable); pending {
			break
		}
	}
	if !pending {
		return nil
	}
	return s.store.WriteAirings(ctx, func(ctx context.Context) error {
		if cal, err = s.airings(ctx); err != nil {
			return err
		}
		now := s.stamp()
		var updates []Airing
		for a := range cal.during(code, from, to) {
			if undelivered(a, airable) {
				v, _ := airable.Version(a.Content)
				next := *a
				next.Status, next.DeliveredAt, next.ContentVersion = StatusDelivered, &now, v.Number
				updates = append(updates, next)
			}
		}
		_, err = s.write(ctx, nil, updates)
		return err
	})
}
