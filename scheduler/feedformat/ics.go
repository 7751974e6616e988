package feedformat

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// icsLocal is an RFC 5545 local date-time ("form #3" with a TZID parameter).
const icsLocal = "20060102T150405"

// ICS renders a station's feed as an RFC 5545 calendar for calendar apps: one
// VEVENT per airing, its UID the airing ID + "@loa" so a re-pull updates rather
// than duplicates, times as local wall times in zone with a VTIMEZONE for it, and
// the script as the DESCRIPTION. An attachment is linked (ATTACH) only when its URL
// is absolute; the API's paths are relative, so the caller resolves them against
// the service's public address first.
func ICS(f Feed, zone *time.Location, prodID string) ([]byte, error) {
	switch {
	case zone == nil:
		return nil, errors.New("feed calendar: no time zone")
	case strings.TrimSpace(prodID) == "":
		return nil, errors.New("feed calendar: no PRODID")
	case f.GeneratedAt.IsZero():
		return nil, errors.New("feed calendar: no generation time for DTSTAMP")
	}
	tzid := zone.String()
	cal := ics.NewCalendar()
	cal.SetProductId(icsText(prodID))
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(icsText(f.Station.Name))
	cal.SetXWRTimezone(tzid)
	from, to := feedSpan(f)
	cal.AddVTimezone(vtimezone(zone, from, to))
	for i, it := range f.Items {
		if it.AiringID == "" {
			return nil, fmt.Errorf("feed calendar: item %d has no airing ID", i)
		}
		end := it.End
		if end.IsZero() {
			end = it.Start.Add(time.Duration(it.DurationSeconds) * time.Second)
		}
		ev := cal.AddEvent(it.AiringID + "@loa")
		ev.SetDtStampTime(f.GeneratedAt)
		ev.SetProperty(ics.ComponentPropertyDtStart, it.Start.In(zone).Format(icsLocal), ics.WithTZID(tzid))
		ev.SetProperty(ics.ComponentPropertyDtEnd, end.In(zone).Format(icsLocal), ics.WithTZID(tzid))
		ev.SetSummary(icsText(it.Title))
		ev.SetDescription(icsText(it.Script))
		ev.SetStatus(ics.ObjectStatusConfirmed) // the feed only carries airings in force
		if it.Kind != "" {
			ev.AddCategory(icsText(it.Kind))
		}
		if it.Attachment != nil {
			if u, err := url.Parse(it.Attachment.URL); err == nil && u.IsAbs() {
				ev.AddAttachment(u.String())
			}
		}
	}
	var b bytes.Buffer
	// The library folds at 75 octets and escapes TEXT values; its default line
	// ending is the platform's, RFC 5545 wants CRLF.
	if err := cal.SerializeTo(&b, ics.WithNewLineWindows); err != nil {
		return nil, fmt.Errorf("feed calendar: %w", err)
	}
	return b.Bytes(), nil
}

// feedSpan is the stretch of time the feed's items cover, or the moment it was
// made when it has none.
func feedSpan(f Feed) (from, to time.Time) {
	from, to = f.GeneratedAt, f.GeneratedAt
	for i, it := range f.Items {
		end := it.End
		if end.Before(it.Start) {
			end = it.Start
		}
		if i == 0 || it.Start.Before(from) {
			from = it.Start
		}
		if i == 0 || end.After(to) {
			to = end
		}
	}
	return from, to
}

// vtimezone describes zone from Go's zone data over [from, to]: the observance in
// force at from, written as starting in 1970 (it need only be right from there on),
// then one observance per transition up to to. It is exact for the span and says
// nothing of times outside it, which the calendar does not use.
func vtimezone(zone *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(zone.String())
	t := from.In(zone)
	_, off := t.Zone()
	tz.Components = append(tz.Components, icsObservance(t, "19700101T000000", off))
	for {
		_, next := t.ZoneBounds()
		if next.IsZero() || next.After(to) || !next.After(t) {
			return tz
		}
		_, before := t.Zone()
		t = next.In(zone)
		// DTSTART is the onset in the wall time of the offset being left.
		onset := t.In(time.FixedZone("", before)).Format(icsLocal)
		tz.Components = append(tz.Components, icsObservance(t, onset, before))
	}
}

// icsObservance is the STANDARD or DAYLIGHT block for the offset in force at t.
func icsObservance(t time.Time, onset string, fromOffset int) ics.Component {
	name, off := t.Zone()
	b := ics.ComponentBase{}
	b.SetProperty(ics.ComponentPropertyDtStart, onset)
	b.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), icsUTCOffset(fromOffset))
	b.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), icsUTCOffset(off))
	if name != "" {
		b.AddProperty(ics.ComponentProperty(ics.PropertyTzname), icsText(name))
	}
	if t.IsDST() {
		return &ics.Daylight{ComponentBase: b}
	}
	return &ics.Standard{ComponentBase: b}
}

// icsUTCOffset writes seconds east of UTC as an RFC 5545 UTC offset: +0700, -0330.
func icsUTCOffset(secs int) string {
	sign := '+'
	if secs < 0 {
		sign, secs = '-', -secs
	}
	s := fmt.Sprintf("%c%02d%02d", sign, secs/3600, secs/60%60)
	if secs%60 != 0 {
		s += fmt.Sprintf("%02d", secs%60)
	}
	return s
}

// icsText makes s fit an iCalendar TEXT value before the library escapes it: line
// breaks become LF (escaped as \n) and other control characters, which TEXT may
// not carry, are dropped.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}
