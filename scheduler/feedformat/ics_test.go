package feedformat

// The calendar is written with github.com/arran4/golang-ical rather than
// github.com/emersion/go-ical: arran4 folds long lines at 75 octets without
// splitting a UTF-8 sequence and escapes TEXT values itself, while emersion's
// encoder writes every property on one line, however long (a Vietnamese script is
// hundreds of octets), so we would fold by hand. arran4's one trap, a platform
// line ending by default, is closed by asking for CRLF. The tests read the result
// back with arran4 and, independently of both libraries, with a small strict
// reader of RFC 5545 lines (unfold, unescape, 75 octets, CRLF); emersion is not
// added as a test-only second dependency.

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh wherever the tests run
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"loa/scheduler"
)

var hcm = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local reads "2006-01-02 15:04" as a time in Asia/Ho_Chi_Minh.
func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, hcm)
	if err != nil {
		panic(err)
	}
	return t
}

const icsProdID = "-//loa//Lịch phát thanh//VI"

// longLine is one paragraph of about 400 octets, so DESCRIPTION has to fold.
var longLine = strings.Repeat("Người dân chủ động diệt lăng quăng, bọ gậy; ", 8)

// icsScript has what a script can hold: Vietnamese, commas, semicolons, a
// backslash, CRLF and LF line breaks, a blank line and a long line.
var icsScript = "Kính thưa bà con, cô bác; hôm nay 14/3.\r\n" +
	"Đường dây nóng: 0235 111 222 \\ Trạm y tế xã.\n\n" + longLine

func icsFeed() Feed {
	return Feed{
		Station:     scheduler.FeedStation{Code: "TTX-TH", Name: "Đài Truyền thanh xã Tam Hải, Núi Thành; Quảng Nam", Channel: "loudspeaker"},
		GeneratedAt: local("2024-03-13 21:00"),
		Items: []Item{{
			AiringID: "air-0630", Start: local("2024-03-14 06:30"), StartUTC: local("2024-03-14 06:30").UTC(),
			End: local("2024-03-14 06:45"), DurationSeconds: 900, Title: "Phòng, chống sốt xuất huyết",
			Kind: "spot", Script: icsScript, ReadSeconds: 130,
			Attachment: &Attachment{URL: "https://loa.example.vn/api/v1/station/airings/air-0630/attachment"},
		}, {
			// Given as a UTC instant: the calendar still writes Ho Chi Minh City time.
			AiringID: "air-1700", Start: local("2024-03-14 17:00").UTC(), End: local("2024-03-14 17:10").UTC(),
			DurationSeconds: 600, Title: "Tiêm chủng mở rộng", Kind: "news", Script: "Thông báo.",
			Attachment: &Attachment{URL: "/api/v1/station/airings/air-1700/attachment"}, // relative: not linked
		}},
	}
}

func renderICS(t *testing.T, f Feed, zone *time.Location) []byte {
	t.Helper()
	b, err := ICS(f, zone, icsProdID)
	if err != nil {
		t.Fatalf("ICS: %v", err)
	}
	return b
}

func parseICS(t *testing.T, b []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, b)
	}
	return cal
}

func TestICS(t *testing.T) {
	f := icsFeed()
	cal := parseICS(t, renderICS(t, f, hcm))

	props := map[string]string{}
	for _, p := range cal.CalendarProperties {
		props[p.IANAToken] = p.Value
	}
	for name, want := range map[string]string{
		"VERSION": "2.0", "PRODID": icsProdID, "CALSCALE": "GREGORIAN", "METHOD": "PUBLISH",
		"X-WR-CALNAME": f.Station.Name, "X-WR-TIMEZONE": "Asia/Ho_Chi_Minh",
	} {
		if props[name] != want {
			t.Errorf("calendar %s = %q, want %q", name, props[name], want)
		}
	}

	events := cal.Events()
	if len(events) != len(f.Items) {
		t.Fatalf("%d VEVENTs, want %d", len(events), len(f.Items))
	}
	for i, ev := range events {
		it := f.Items[i]
		if got, want := ev.Id(), it.AiringID+"@loa"; got != want {
			t.Errorf("event %d UID = %q, want %q", i, got, want)
		}
		if got := icsValue(ev, ics.ComponentPropertyDtstamp); got != "20240313T140000Z" {
			t.Errorf("event %d DTSTAMP = %q, want the feed's GeneratedAt in UTC, 20240313T140000Z", i, got)
		}
		for _, p := range []struct {
			prop ics.ComponentProperty
			want time.Time
			get  func() (time.Time, error)
		}{{ics.ComponentPropertyDtStart, it.Start, ev.GetStartAt}, {ics.ComponentPropertyDtEnd, it.End, ev.GetEndAt}} {
			prop := ev.GetProperty(p.prop)
			if prop == nil {
				t.Fatalf("event %d has no %s", i, p.prop)
			}
			if tzid := prop.ICalParameters["TZID"]; !slices.Equal(tzid, []string{"Asia/Ho_Chi_Minh"}) {
				t.Errorf("event %d %s TZID = %q, want Asia/Ho_Chi_Minh", i, p.prop, tzid)
			}
			if want := p.want.In(hcm).Format("20060102T150405"); prop.Value != want {
				t.Errorf("event %d %s = %q, want local wall time %q", i, p.prop, prop.Value, want)
			}
			if got, err := p.get(); err != nil || !got.Equal(p.want) {
				t.Errorf("event %d %s resolves to %v (%v), want %v", i, p.prop, got, err, p.want)
			}
		}
		for prop, want := range map[ics.ComponentProperty]string{
			ics.ComponentPropertySummary: it.Title, ics.ComponentPropertyCategories: it.Kind, ics.ComponentPropertyStatus: "CONFIRMED",
		} {
			if got := icsValue(ev, prop); got != want {
				t.Errorf("event %d %s = %q, want %q", i, prop, got, want)
			}
		}
	}
	// 06:30 in Ho Chi Minh City is 23:30 UTC the day before.
	if start, err := events[0].GetStartAt(); err != nil || !start.Equal(time.Date(2024, 3, 13, 23, 30, 0, 0, time.UTC)) {
		t.Errorf("first DTSTART = %v (%v), want 2024-03-13 23:30 UTC", start.UTC(), err)
	}
	if got, want := icsValue(events[0], ics.ComponentPropertyDescription), strings.ReplaceAll(icsScript, "\r\n", "\n"); got != want {
		t.Errorf("DESCRIPTION = %q, want the script %q", got, want)
	}
	if got := icsValue(events[0], ics.ComponentPropertyAttach); got != f.Items[0].Attachment.URL {
		t.Errorf("ATTACH = %q, want %q", got, f.Items[0].Attachment.URL)
	}
	if p := events[1].GetProperty(ics.ComponentPropertyAttach); p != nil {
		t.Errorf("ATTACH = %q for a relative URL, want none (RFC 5545 wants a URI)", p.Value)
	}
}

// icsValue is the (unescaped) value of a component's first prop, or "".
func icsValue(ev *ics.VEvent, prop ics.ComponentProperty) string {
	if p := ev.GetProperty(prop); p != nil {
		return p.Value
	}
	return ""
}

func TestICSStableUIDs(t *testing.T) {
	f := icsFeed()
	first := renderICS(t, f, hcm)
	again := renderICS(t, f, hcm)
	if !bytes.Equal(first, again) {
		t.Errorf("two renderings of the same feed differ:\n%s\n---\n%s", first, again)
	}
	f.GeneratedAt = f.GeneratedAt.Add(time.Hour) // a later pull
	later := renderICS(t, f, hcm)
	uids := func(b []byte) []string {
		var ids []string
		for _, ev := range parseICS(t, b).Events() {
			ids = append(ids, ev.Id())
		}
		return ids
	}
	want := []string{"air-0630@loa", "air-1700@loa"}
	if got := uids(first); !slices.Equal(got, want) {
		t.Errorf("UIDs = %q, want %q", got, want)
	}
	if got := uids(later); !slices.Equal(got, want) {
		t.Errorf("UIDs of a later pull = %q, want %q", got, want)
	}
}

// TestICSWireFormat reads the bytes as RFC 5545 lines without either library.
func TestICSWireFormat(t *testing.T) {
	b := renderICS(t, icsFeed(), hcm)
	lines := unfoldICS(t, b)
	if !bytes.HasPrefix(b, []byte("BEGIN:VCALENDAR\r\n")) || !bytes.HasSuffix(b, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("calendar does not start with BEGIN:VCALENDAR and end with END:VCALENDAR CRLF")
	}
	if !bytes.Contains(b, []byte("\r\n ")) {
		t.Errorf("no folded line, though the script has a %d-octet line", len(longLine))
	}
	var descriptions []string
	depth, tzAt, eventAt := 0, -1, -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "BEGIN:"):
			depth++
		case strings.HasPrefix(l, "END:"):
			depth--
		case strings.HasPrefix(l, "DESCRIPTION:"):
			descriptions = append(descriptions, unescapeICS(t, strings.TrimPrefix(l, "DESCRIPTION:")))
		}
		if l == "BEGIN:VTIMEZONE" && tzAt < 0 {
			tzAt = i
		}
		if l == "BEGIN:VEVENT" && eventAt < 0 {
			eventAt = i
		}
	}
	if depth != 0 {
		t.Errorf("BEGIN/END unbalanced by %d", depth)
	}
	if tzAt < 0 || eventAt < tzAt {
		t.Errorf("VTIMEZONE at line %d, first VEVENT at %d: want the zone defined first", tzAt, eventAt)
	}
	if want := strings.ReplaceAll(icsScript, "\r\n", "\n"); len(descriptions) != 2 || descriptions[0] != want {
		t.Errorf("DESCRIPTIONs read by hand = %q, want the script %q first", descriptions, want)
	}
	if !slices.Contains(lines, "DTSTART;TZID=Asia/Ho_Chi_Minh:20240314T063000") {
		t.Errorf("no line DTSTART;TZID=Asia/Ho_Chi_Minh:20240314T063000 in\n%s", b)
	}
	if !slices.Contains(lines, `X-WR-CALNAME:Đài Truyền thanh xã Tam Hải\, Núi Thành\; Quảng Nam`) {
		t.Errorf("station name not escaped as TEXT in\n%s", b)
	}
}

// unfoldICS checks the physical lines (CRLF, at most 75 octets, no UTF-8 sequence
// split) and returns the unfolded content lines.
func unfoldICS(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Errorf("calendar does not end with CRLF")
	}
	var lines []string
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets, over 75: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// unescapeICS reads an RFC 5545 TEXT value (§3.3.11).
func unescapeICS(t *testing.T, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ',' || c == ';':
			t.Errorf("unescaped %q in TEXT %q", c, v)
		case c == '\\' && i+1 < len(v):
			i++
			switch v[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			case '\\', ',', ';':
				b.WriteByte(v[i])
			default:
				t.Errorf("bad escape \\%c in TEXT %q", v[i], v)
			}
		case c == '\\':
			t.Errorf("dangling backslash in TEXT %q", v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestICSDescription(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"plain", "Thông báo.", "Thông báo."},
		{"punctuation", "Bà con, cô bác; chú ý: \"tiêm\" \\ uống", "Bà con, cô bác; chú ý: \"tiêm\" \\ uống"},
		{"line breaks", "Dòng một\r\nDòng hai\rDòng ba\n\nĐoạn hai", "Dòng một\nDòng hai\nDòng ba\n\nĐoạn hai"},
		{"long line", longLine + longLine, longLine + longLine},
		{"control characters", "Chuông\a báo\x00 hết\tgiờ", "Chuông báo hết\tgiờ"},
		{"escape-like text", `\n is not a newline, \, nor \;`, `\n is not a newline, \, nor \;`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := icsFeed()
			f.Items = f.Items[:1]
			f.Items[0].Script = tt.script
			b := renderICS(t, f, hcm)
			events := parseICS(t, b).Events()
			if len(events) != 1 {
				t.Fatalf("%d VEVENTs, want 1", len(events))
			}
			if got := icsValue(events[0], ics.ComponentPropertyDescription); got != tt.want {
				t.Errorf("DESCRIPTION of %q read by arran4 = %q, want %q", tt.script, got, tt.want)
			}
			var byHand []string
			for _, l := range unfoldICS(t, b) {
				if d, ok := strings.CutPrefix(l, "DESCRIPTION:"); ok {
					byHand = append(byHand, unescapeICS(t, d))
				}
			}
			if !slices.Equal(byHand, []string{tt.want}) {
				t.Errorf("DESCRIPTION of %q read by hand = %q, want %q", tt.script, byHand, tt.want)
			}
		})
	}
}

type tzObservance struct{ kind, onset, from, to, name string }

func TestICSTimezone(t *testing.T) {
	berlin, stJohns := mustZone("Europe/Berlin"), mustZone("America/St_Johns")
	at := func(zone *time.Location, s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name   string
		zone   *time.Location
		starts []time.Time
		want   []tzObservance
	}{
		{"Ho Chi Minh City, no DST", hcm, []time.Time{local("2024-03-14 06:30"), local("2024-07-01 17:00")},
			[]tzObservance{{"STANDARD", "19700101T000000", "+0700", "+0700", "+07"}}},
		{"Berlin across the end of summer time", berlin, []time.Time{at(berlin, "2024-10-26 12:00"), at(berlin, "2024-10-27 12:00")},
			[]tzObservance{{"DAYLIGHT", "19700101T000000", "+0200", "+0200", "CEST"}, {"STANDARD", "20241027T030000", "+0200", "+0100", "CET"}}},
		{"St John's across the start of summer time", stJohns, []time.Time{at(stJohns, "2024-03-09 12:00"), at(stJohns, "2024-03-10 12:00")},
			[]tzObservance{{"STANDARD", "19700101T000000", "-0330", "-0330", "NST"}, {"DAYLIGHT", "20240310T020000", "-0330", "-0230", "NDT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Feed{Station: scheduler.FeedStation{Name: "Đài"}, GeneratedAt: tt.starts[0].Add(-time.Hour)}
			for i, s := range tt.starts {
				f.Items = append(f.Items, Item{AiringID: "a" + strconv.Itoa(i), Start: s, End: s.Add(15 * time.Minute), Title: "Tin"})
			}
			cal := parseICS(t, renderICS(t, f, tt.zone))
			zones := cal.Timezones()
			if len(zones) != 1 || zones[0].GetProperty(ics.ComponentPropertyTzid) == nil ||
				zones[0].GetProperty(ics.ComponentPropertyTzid).Value != tt.zone.String() {
				t.Fatalf("want one VTIMEZONE with TZID %s, got %d", tt.zone, len(zones))
			}
			got := tzObservances(zones[0])
			if !slices.Equal(got, tt.want) {
				t.Errorf("VTIMEZONE observances = %+v, want %+v", got, tt.want)
			}
			// Resolving each DTSTART through the VTIMEZONE, as a calendar app
			// would, gives back the airing's instant.
			for i, ev := range cal.Events() {
				start := ev.GetProperty(ics.ComponentPropertyDtStart).Value
				if utc, ok := tzResolve(got, start); !ok || !utc.Equal(tt.starts[i]) {
					t.Errorf("DTSTART %s resolves through the VTIMEZONE to %v, want %v", start, utc, tt.starts[i].UTC())
				}
			}
		})
	}
}

func tzObservances(tz *ics.VTimezone) []tzObservance {
	var out []tzObservance
	for _, c := range tz.Components {
		var kind string
		var props []ics.IANAProperty
		switch c := c.(type) {
		case *ics.Standard:
			kind, props = "STANDARD", c.Properties
		case *ics.Daylight:
			kind, props = "DAYLIGHT", c.Properties
		default:
			kind = "?"
		}
		o := tzObservance{kind: kind}
		for _, p := range props {
			switch p.IANAToken {
			case "DTSTART":
				o.onset = p.Value
			case "TZOFFSETFROM":
				o.from = p.Value
			case "TZOFFSETTO":
				o.to = p.Value
			case "TZNAME":
				o.name = p.Value
			}
		}
		out = append(out, o)
	}
	return out
}

// tzResolve turns a local wall time into an instant with the observance in force,
// the one with the latest onset not after it.
func tzResolve(obs []tzObservance, wall string) (time.Time, bool) {
	w, err := time.Parse("20060102T150405", wall)
	if err != nil {
		return time.Time{}, false
	}
	var in *tzObservance
	for i, o := range obs {
		if onset, err := time.Parse("20060102T150405", o.onset); err == nil && !onset.After(w) &&
			(in == nil || onset.After(mustTime(time.Parse("20060102T150405", in.onset)))) {
			in = &obs[i]
		}
	}
	if in == nil {
		return time.Time{}, false
	}
	off, err := time.Parse("-0700", in.to)
	if err != nil {
		return time.Time{}, false
	}
	_, secs := off.Zone()
	return w.Add(-time.Duration(secs) * time.Second), true
}

func mustTime(v time.Time, err error) time.Time {
	if err != nil {
		panic(err)
	}
	return v
}

func TestICSEmpty(t *testing.T) {
	for _, items := range [][]Item{nil, {}} {
		f := icsFeed()
		f.Items = items
		b := renderICS(t, f, hcm)
		unfoldICS(t, b)
		cal := parseICS(t, b)
		if n := len(cal.Events()); n != 0 {
			t.Errorf("empty feed (%#v): %d VEVENTs, want 0", items, n)
		}
		zones := cal.Timezones()
		if len(zones) != 1 {
			t.Fatalf("empty feed: %d VTIMEZONEs, want 1 (a calendar needs a component)", len(zones))
		}
		if got, want := tzObservances(zones[0]), []tzObservance{{"STANDARD", "19700101T000000", "+0700", "+0700", "+07"}}; !slices.Equal(got, want) {
			t.Errorf("empty feed VTIMEZONE = %+v, want %+v", got, want)
		}
	}
}

func TestICSInvalid(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Feed)
		zone   *time.Location
		prodID string
	}{
		{"no zone", func(*Feed) {}, nil, icsProdID},
		{"no PRODID", func(*Feed) {}, hcm, " "},
		{"no generation time", func(f *Feed) { f.GeneratedAt = time.Time{} }, hcm, icsProdID},
		{"an item without airing ID", func(f *Feed) { f.Items[1].AiringID = "" }, hcm, icsProdID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := icsFeed()
			tt.edit(&f)
			if b, err := ICS(f, tt.zone, tt.prodID); err == nil {
				t.Errorf("ICS = %d bytes, nil error; want an error", len(b))
			}
		})
	}
}
