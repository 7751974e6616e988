package scheduler

import (
	"slices"
	"testing"
	"time"

	"loa"
)

func date(s string) *loa.Date {
	d := loa.Date(s)
	return &d
}

// starts formats occurrence starts as local "2006-01-02 15:04".
func starts(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(hcm).Format("2006-01-02 15:04")
	}
	return out
}

func mustRecurrence(t *testing.T, r Rule) *recurrence {
	t.Helper()
	v := &loa.ValidationError{}
	rc := parseRecurrence(r, hcm, v)
	if err := v.Err(); err != nil || rc == nil {
		t.Fatalf("parseRecurrence(%+v) = %v, %v", r, rc, err)
	}
	return rc
}

func TestRecurrence(t *testing.T) {
	tests := []struct {
		name     string
		rule     Rule
		from, to string // local
		want     []string
	}{
		{
			name: "weekly on Tuesday and Friday at 06:30",
			rule: Rule{RRule: "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", StartDate: "2024-03-01"},
			from: "2024-02-01 00:00", to: "2024-03-16 00:00",
			want: []string{"2024-03-01 06:30", "2024-03-05 06:30", "2024-03-08 06:30", "2024-03-12 06:30", "2024-03-15 06:30"},
		},
		{
			name: "the same as a cron spec",
			rule: Rule{Cron: "30 6 * * 2,5", StartDate: "2024-03-01"},
			from: "2024-02-01 00:00", to: "2024-03-16 00:00",
			want: []string{"2024-03-01 06:30", "2024-03-05 06:30", "2024-03-08 06:30", "2024-03-12 06:30", "2024-03-15 06:30"},
		},
		{
			name: "every two weeks",
			rule: Rule{RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=19", StartDate: "2024-03-04"},
			from: "2024-03-01 00:00", to: "2024-04-10 00:00",
			want: []string{"2024-03-05 19:00", "2024-03-19 19:00", "2024-04-02 19:00"},
		},
		{
			name: "first Monday of the month",
			rule: Rule{RRule: "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", StartDate: "2024-01-01"},
			from: "2024-01-01 00:00", to: "2024-06-01 00:00",
			want: []string{"2024-01-01 09:00", "2024-02-05 09:00", "2024-03-04 09:00", "2024-04-01 09:00", "2024-05-06 09:00"},
		},
		{
			name: "last Friday of the month",
			rule: Rule{RRule: "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17", StartDate: "2024-01-01"},
			from: "2024-01-01 00:00", to: "2024-06-01 00:00",
			want: []string{"2024-01-26 17:00", "2024-02-23 17:00", "2024-03-29 17:00", "2024-04-26 17:00", "2024-05-31 17:00"},
		},
		{
			name: "monthly on day 31 skips the months without one",
			rule: Rule{RRule: "FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=6", StartDate: "2024-01-01"},
			from: "2024-01-01 00:00", to: "2024-09-01 00:00",
			want: []string{"2024-01-31 06:00", "2024-03-31 06:00", "2024-05-31 06:00", "2024-07-31 06:00", "2024-08-31 06:00"},
		},
		{
			name: "an EXDATE day leaves out the whole day",
			rule: Rule{RRule: "FREQ=DAILY;BYHOUR=6,18", StartDate: "2024-03-01", ExDates: []string{"2024-03-02"}},
			from: "2024-03-01 00:00", to: "2024-03-04 00:00",
			want: []string{"2024-03-01 06:00", "2024-03-01 18:00", "2024-03-03 06:00", "2024-03-03 18:00"},
		},
		{
			name: "an RFC 3339 EXDATE leaves out one occurrence",
			rule: Rule{RRule: "FREQ=DAILY;BYHOUR=6,18", StartDate: "2024-03-01", ExDates: []string{"2024-03-02T18:00:00+07:00"}},
			from: "2024-03-01 00:00", to: "2024-03-04 00:00",
			want: []string{"2024-03-01 06:00", "2024-03-01 18:00", "2024-03-02 06:00", "2024-03-03 06:00", "2024-03-03 18:00"},
		},
		{
			name: "an RFC 3339 EXDATE in UTC is the same instant",
			rule: Rule{RRule: "FREQ=DAILY;BYHOUR=6,18", StartDate: "2024-03-01", ExDates: []string{"2024-03-01T23:00:00Z"}},
			from: "2024-03-01 00:00", to: "2024-03-03 00:00",
			want: []string{"2024-03-01 06:00", "2024-03-01 18:00", "2024-03-02 18:00"},
		},
		{
			name: "an EXDATE on a cron rule",
			rule: Rule{Cron: "30 6 * * 2,5", StartDate: "2024-03-01", ExDates: []string{"2024-03-05"}},
			from: "2024-03-01 00:00", to: "2024-03-09 00:00",
			want: []string{"2024-03-01 06:30", "2024-03-08 06:30"},
		},
		{
			name: "until is the last day, included",
			rule: Rule{RRule: "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", StartDate: "2024-03-01", Until: date("2024-03-12")},
			from: "2024-03-01 00:00", to: "2024-06-01 00:00",
			want: []string{"2024-03-01 06:30", "2024-03-05 06:30", "2024-03-08 06:30", "2024-03-12 06:30"},
		},
		{
			name: "until bounds a cron rule",
			rule: Rule{Cron: "30 6 * * 2,5", StartDate: "2024-03-01", Until: date("2024-03-08")},
			from: "2024-03-01 00:00", to: "2024-06-01 00:00",
			want: []string{"2024-03-01 06:30", "2024-03-05 06:30", "2024-03-08 06:30"},
		},
		{
			name: "COUNT",
			rule: Rule{RRule: "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30;COUNT=3", StartDate: "2024-03-01"},
			from: "2024-01-01 00:00", to: "2025-01-01 00:00",
			want: []string{"2024-03-01 06:30", "2024-03-05 06:30", "2024-03-08 06:30"},
		},
		{
			name: "COUNT counts from the start, not from the window",
			rule: Rule{RRule: "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30;COUNT=3", StartDate: "2024-03-01"},
			from: "2024-03-06 00:00", to: "2025-01-01 00:00",
			want: []string{"2024-03-08 06:30"},
		},
		{
			name: "the window cuts a rule with no end",
			rule: Rule{RRule: "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", StartDate: "2024-01-01"},
			from: "2024-03-05 06:30", to: "2024-03-12 06:30",
			want: []string{"2024-03-05 06:30", "2024-03-08 06:30"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := mustRecurrence(t, tt.rule)
			got := starts(rc.between(local(tt.from), local(tt.to)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("between(%s, %s) of %+v =\n%v, want\n%v", tt.from, tt.to, tt.rule, got, tt.want)
			}
		})
	}
}

// Local 06:30 in Asia/Ho_Chi_Minh (UTC+7) is 23:30 UTC the day before, for RRULE
// and cron rules alike.
func TestRecurrenceZone(t *testing.T) {
	for _, r := range []Rule{
		{RRule: "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", StartDate: "2024-03-05"},
		{Cron: "30 6 * * 2,5", StartDate: "2024-03-05"},
	} {
		rc := mustRecurrence(t, r)
		got := rc.between(local("2024-03-01 00:00"), local("2024-03-06 00:00"))
		if len(got) != 1 {
			t.Fatalf("%+v: %v, want one occurrence", r, starts(got))
		}
		if utc := got[0].UTC().Format(time.RFC3339); utc != "2024-03-04T23:30:00Z" {
			t.Errorf("%+v: first occurrence %s in UTC, want 2024-03-04T23:30:00Z", r, utc)
		}
		if l := got[0].In(hcm).Format(time.RFC3339); l != "2024-03-05T06:30:00+07:00" {
			t.Errorf("%+v: first occurrence %s locally, want 2024-03-05T06:30:00+07:00", r, l)
		}
		// The EXDATE day is the local day: 2024-03-05 removes it, 2024-03-04 (its UTC
		// date) does not.
		r.ExDates = []string{"2024-03-04"}
		if got := mustRecurrence(t, r).between(local("2024-03-01 00:00"), local("2024-03-06 00:00")); len(got) != 1 {
			t.Errorf("%+v: EXDATE of the UTC date removed the local occurrence", r)
		}
		r.ExDates = []string{"2024-03-05"}
		if got := mustRecurrence(t, r).between(local("2024-03-01 00:00"), local("2024-03-06 00:00")); len(got) != 0 {
			t.Errorf("%+v: EXDATE of the local date kept %v", r, starts(got))
		}
	}
}

// A rule with no end yields only what the window holds, however long it runs.
func TestRecurrenceNoEndBoundedByWindow(t *testing.T) {
	rc := mustRecurrence(t, Rule{RRule: "FREQ=DAILY;BYHOUR=6", StartDate: "2024-01-01"})
	tests := []struct {
		from, to string
		want     int
	}{
		{"2024-03-01 00:00", "2024-03-11 00:00", 10},
		{"2024-01-01 00:00", "2025-01-01 00:00", 366},
		{"2030-06-01 00:00", "2030-06-08 00:00", 7},
		{"2023-01-01 00:00", "2024-01-01 00:00", 0}, // before the start
	}
	for _, tt := range tests {
		got := rc.between(local(tt.from), local(tt.to))
		if len(got) != tt.want {
			t.Errorf("between(%s, %s) = %d occurrences, want %d", tt.from, tt.to, len(got), tt.want)
		}
		if len(got) > 0 && (got[0].Before(local(tt.from)) || !got[len(got)-1].Before(local(tt.to))) {
			t.Errorf("between(%s, %s) runs from %s to %s, outside the window", tt.from, tt.to, got[0], got[len(got)-1])
		}
	}
}

func TestParseRecurrenceErrors(t *testing.T) {
	tests := []struct {
		name  string
		rule  Rule
		field string
	}{
		{"no rrule nor cron", Rule{StartDate: "2024-01-01"}, "rrule"},
		{"both", Rule{RRule: "FREQ=DAILY", Cron: "0 6 * * *", StartDate: "2024-01-01"}, "rrule"},
		{"unknown frequency", Rule{RRule: "FREQ=FORTNIGHTLY;BYDAY=TU", StartDate: "2024-01-01"}, "rrule"},
		{"DTSTART inside", Rule{RRule: "DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY", StartDate: "2024-01-01"}, "rrule"},
		{"every minute", Rule{RRule: "FREQ=MINUTELY", StartDate: "2024-01-01"}, "rrule"},
		{"cron with six fields", Rule{Cron: "0 30 6 * * 2,5", StartDate: "2024-01-01"}, "cron"},
		{"cron @every, whose times move with each run", Rule{Cron: "@every 5h", StartDate: "2024-01-01"}, "cron"},
		{"cron with a zone", Rule{Cron: "CRON_TZ=UTC 30 6 * * *", StartDate: "2024-01-01"}, "cron"},
		{"cron on 31 February, which never comes", Rule{Cron: "0 0 31 2 *", StartDate: "2024-01-01"}, "cron"},
		{"no start date", Rule{RRule: "FREQ=DAILY"}, "startDate"},
		{"until before the start", Rule{RRule: "FREQ=DAILY", StartDate: "2024-03-01", Until: date("2024-02-28")}, "until"},
		{"bad exdate", Rule{RRule: "FREQ=DAILY", StartDate: "2024-03-01", ExDates: []string{"tomorrow"}}, "exdates[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &loa.ValidationError{}
			rc := parseRecurrence(tt.rule, hcm, v)
			if _, ok := detail(v.Details, tt.field); !ok {
				t.Errorf("parseRecurrence(%+v) details %+v, want one on %s", tt.rule, v.Details, tt.field)
			}
			if tt.field != "until" && tt.field != "exdates[0]" && rc != nil {
				t.Errorf("parseRecurrence(%+v) returned a recurrence despite %+v", tt.rule, v.Details)
			}
		})
	}
}
