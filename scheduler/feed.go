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
	saved   int64 // the station's last save: its name is in the script
	units   int64 // the org units' version: their names are too
	day     loa.Date
}

type script struct {
	text    string
	seconds int
	hash    string
}

// feeds keeps each station's last feed with the key of what it was built from, so
// an unchanged window is answered without rendering or hashing again.
type feeds struct {
	mu sync.Mutex
	m  map[string]cachedFeed
}

type cachedFeed struct {
	key  string
	feed Feed
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

// window checks a window [from, to) of at most max days, defaulting to the next 7
// days from now.
func (s *Service) window(from, to time.Time, max int) (time.Time, time.Time, error) {
	if from.IsZero() {
		from = s.now()
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, defaultWindowDays)
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
	from, to, err := s.window(from, to, maxFeedDays)
	if err != nil {
		return Feed{}, err
	}
	return s.feed(ctx, code, from, to, true)
}

// feed builds a station's feed over [from, to); cached, it is kept as the station's
// last feed and served again while nothing in it changes.
func (s *Service) feed(ctx context.Context, code string, from, to time.Time, cached bool) (Feed, error) {
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
	// What the feed is made of: the station as last saved, the org units (names in
	// scripts), the library and each airing shown. Built without formatting: an
	// unchanged feed costs little more than this.
	var buf [96]byte
	b := append(buf[:0], code...)
	for _, n := range []int64{st.UpdatedAt.UnixMilli(), units, airable.LibraryVersion} {
		b = strconv.AppendInt(append(b, '|'), n, 10)
	}
	key := fnv.New128a()
	_, _ = key.Write(b)
	var shown []*Airing
	for a := range cal.during(code, from, to) {
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
	var sum [16]byte
	k := string(key.Sum(sum[:0]))
	if f, ok := s.feeds.get(code, k); ok && cached {
		return f, nil
	}
	unit, err := s.units.Named(ctx, st.OrgUnit, s.today())
	if err != nil {
		return Feed{}, err
	}
	f := Feed{Station: FeedStation{Code: st.Code, Name: st.Name, Channel: st.Channel, OrgUnit: st.OrgUnit, Languages: st.Languages},
		GeneratedAt: s.stamp().In(s.opts.Zone), Items: []FeedItem{}}
	for _, a := range shown {
		v, _ := airable.Version(a.Content)
		item, err := s.feedItem(a, v, st, unit, units)
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
// st of unit (the org units at version units).
func (s *Service) feedItem(a *Airing, v content.Version, st Station, unit campaigns.OrgUnitDetail, units int64) (FeedItem, error) {
	sk := scriptKey{a.Content, v.Number, st.Code, st.UpdatedAt.UnixMilli(), units, loa.DateOf(a.Start.In(s.opts.Zone))}
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

// deliver records the first pull of the station's planned airings in the window,
// and the version in force each of them was sent with.
func (s *Service) deliver(ctx context.Context, code string, from, to time.Time, airable content.Airable) error {
	undelivered := func(a *Airing) bool {
		_, inForce := airable.Version(a.Content)
		return a.Status == StatusPlanned && a.DeliveredAt == nil && inForce
	}
	cal, err := s.airings(ctx)
	if err != nil {
		return err
	}
	pending := false
	for a := range cal.during(code, from, to) {
		if pending = undelivered(a); pending {
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
			if undelivered(a) {
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
