package scheduler

import (
	"slices"
	"strings"
	"testing"
	"time"

	"loa"
)

// fuzzWindow is the window a fuzzed rule is expanded in: a year, as the horizon's
// longest look ahead.
var fuzzFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, hcm)

// checkRecurrence asserts what a parsed "when" promises, whatever its text: the
// problems found name a field of the rule; a recurrence comes back only without a
// problem in its own fields; its occurrences in a year are in order, inside the
// window, off the left-out days, and at most maxOccurrences; and the frequency
// check of the first weeks either passes or names its field (a rule it refuses is
// never expanded).
func checkRecurrence(t *testing.T, r Rule) {
	v := &loa.ValidationError{}
	rc := parseRecurrence(r, hcm, v)
	fields := []string{"rrule", "cron", "startDate", "until"}
	for _, d := range v.Details {
		if !slices.Contains(fields, d.Field) && !strings.HasPrefix(d.Field, "exdates[") || d.Message == "" {
			t.Fatalf("parseRecurrence(%+v): problem %+v names no field of the when", r, d)
		}
	}
	if rc == nil {
		if len(v.Details) == 0 {
			t.Fatalf("parseRecurrence(%+v) = nil without a problem", r)
		}
		return
	}
	if slices.ContainsFunc(v.Details, func(d loa.FieldError) bool { return d.Field == "rrule" || d.Field == "cron" || d.Field == "startDate" }) {
		t.Fatalf("parseRecurrence(%+v) returned a recurrence despite %+v", r, v.Details)
	}
	freq := &loa.ValidationError{}
	rc.checkFrequency(time.Minute, freq)
	for _, d := range freq.Details {
		if d.Field != "rrule" && d.Field != "cron" && d.Field != "durationSeconds" {
			t.Fatalf("checkFrequency of %+v: problem %+v on no field of the rule", r, d)
		}
	}
	if len(freq.Details) > 0 {
		return // refused: never expanded
	}
	to := fuzzFrom.AddDate(1, 0, 0)
	ts := rc.between(fuzzFrom, to)
	if len(ts) > maxOccurrences {
		t.Fatalf("%+v: %d occurrences in a year, more than the guard %d", r, len(ts), maxOccurrences)
	}
	for i, at := range ts {
		if at.Before(fuzzFrom) || !at.Before(to) || at.Before(rc.first) || !rc.end.IsZero() && !at.Before(rc.end) {
			t.Fatalf("%+v: occurrence %v outside [%v, %v) or the rule's days", r, at, fuzzFrom, to)
		}
		if i > 0 && !ts[i-1].Before(at) {
			t.Fatalf("%+v: occurrences out of order: %v then %v", r, ts[i-1], at)
		}
		if rc.exDays[loa.DateOf(at.In(hcm))] || rc.exTimes[at.Unix()] {
			t.Fatalf("%+v: occurrence %v on a left-out day or time", r, at)
		}
	}
}

// FuzzRRule: any RRULE text, with any start, until and left-out days.
func FuzzRRule(f *testing.F) {
	f.Add("FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", "2024-01-01", "", "2024-01-05")
	f.Add("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=19", "2024-02-29", "2024-12-31", "")
	f.Add("FREQ=HOURLY;INTERVAL=2", "2024-01-01", "2024-01-02", "2024-01-01T02:00:00+07:00")
	f.Add("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=23;BYMINUTE=59;BYSECOND=59", "2024-02-29", "", "")
	f.Add("RRULE:FREQ=DAILY;COUNT=3", "2024-01-01", "2023-12-31", "")
	f.Add("FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,30", "2024-01-01", "", "")
	f.Add("FREQ=HOURLY;BYMINUTE=0,1,2,3,4,5,6,7,8,9;BYSECOND=0,1,2,3,4,5,6,7,8,9", "2024-01-01", "", "")
	f.Add("DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY", "2024-01-01", "", "")
	f.Add("FREQ=SECONDLY", "9999-12-31", "", "x")
	f.Fuzz(func(t *testing.T, spec, start, until, exdate string) {
		r := Rule{RRule: spec, StartDate: loa.Date(start)}
		if until != "" {
			r.Until = (*loa.Date)(&until)
		}
		if exdate != "" {
			r.ExDates = []string{exdate}
		}
		checkRecurrence(t, r)
	})
}

// FuzzCron: any cron text, with any start.
func FuzzCron(f *testing.F) {
	f.Add("30 6 * * 2,5", "2024-01-01")
	f.Add("@daily", "2024-01-01")
	f.Add("0 */2 * * *", "2024-02-29")
	f.Add("* * * * *", "2024-01-01")
	f.Add("0 0 31 2 *", "2024-01-01")
	f.Add("@every 5h", "2024-01-01")
	f.Add("CRON_TZ=UTC 30 6 * * *", "2024-01-01")
	f.Add("0 30 6 * * 2,5", "2024-01-01")
	f.Add("59 23 29 2 *", "2024-02-29")
	f.Fuzz(func(t *testing.T, spec, start string) {
		checkRecurrence(t, Rule{Cron: spec, StartDate: loa.Date(start)})
	})
}
