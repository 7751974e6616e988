package scheduler

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/teambition/rrule-go"

	"loa"
)

// Limits on how often a rule may repeat.
const (
	maxPerDay        = 24      // occurrences in any one day
	maxOccurrences   = 200_000 // in any one expansion, a guard
	frequencyProbe   = 14      // days examined for maxPerDay
	maxDurationHours = 4
)

// cronProbe is a moment a cron spec must have a time after: any spec that fires
// at all fires within the five years the parser looks ahead.
var cronProbe = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// cronParser reads standard five-field specs and descriptors such as @daily.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// recurrence is a rule's "when", parsed: it yields the start times of its
// occurrences in any window, in the deployment's zone.
type recurrence struct {
	rrule *rrule.RRule
	cron  cron.Schedule
	// first is the start date at 00:00; end, when not zero, the day after the
	// until date at 00:00 (exclusive).
	first, end time.Time
	exDays     map[loa.Date]bool
	exTimes    map[int64]bool // Unix seconds
}

// parseRecurrence reads the recurrence of r, adding what is wrong with it to v.
func parseRecurrence(r Rule, zone *time.Location, v *loa.ValidationError) *recurrence {
	rc := &recurrence{exDays: map[loa.Date]bool{}, exTimes: map[int64]bool{}}
	start, err := time.ParseInLocation(time.DateOnly, string(r.StartDate), zone)
	if err != nil {
		v.Add("startDate", "the first day of the rule, a date of the form YYYY-MM-DD")
	}
	rc.first = start
	if r.Until != nil {
		until, err := time.ParseInLocation(time.DateOnly, string(*r.Until), zone)
		switch {
		case err != nil:
			v.Add("until", "the last day of the rule, a date of the form YYYY-MM-DD")
		case !start.IsZero() && until.Before(start):
			v.Add("until", fmt.Sprintf("until %s is before startDate %s", *r.Until, r.StartDate))
		default:
			rc.end = until.AddDate(0, 0, 1)
		}
	}
	for i, x := range r.ExDates {
		if d, err := loa.ParseDate(x); err == nil {
			rc.exDays[d] = true
		} else if t, err := time.Parse(time.RFC3339, x); err == nil {
			rc.exTimes[t.Unix()] = true
		} else {
			v.Add(fmt.Sprintf("exdates[%d]", i), fmt.Sprintf("%q is neither a date (YYYY-MM-DD, the whole day) nor an RFC 3339 time (one occurrence)", x))
		}
	}
	switch {
	case r.RRule != "" && r.Cron != "":
		v.Add("rrule", "give either rrule or cron, not both")
	case r.RRule == "" && r.Cron == "":
		v.Add("rrule", "give when the rule repeats: an RRULE (e.g. FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30) or a cron spec")
	case r.RRule != "":
		rc.rrule = parseRRule(r.RRule, start, zone, v)
	default:
		rc.cron = parseCron(r.Cron, v)
	}
	if rc.rrule == nil && rc.cron == nil || start.IsZero() {
		return nil
	}
	return rc
}

func parseRRule(spec string, start time.Time, zone *time.Location, v *loa.ValidationError) *rrule.RRule {
	spec = strings.TrimPrefix(strings.TrimSpace(spec), "RRULE:")
	upper := strings.ToUpper(spec)
	if strings.Contains(upper, "DTSTART") {
		v.Add("rrule", "leave DTSTART out of the RRULE: startDate says when the rule begins")
		return nil
	}
	opt, err := rrule.StrToROptionInLocation(spec, zone)
	if err != nil {
		v.Add("rrule", fmt.Sprintf("not a valid RFC 5545 RRULE (%v); e.g. FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", err))
		return nil
	}
	if opt.Freq == rrule.SECONDLY || opt.Freq == rrule.MINUTELY {
		v.Add("rrule", "a slot rule repeats at most hourly: use FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY")
		return nil
	}
	if start.IsZero() {
		return nil
	}
	opt.Dtstart = start
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		v.Add("rrule", fmt.Sprintf("not a valid RFC 5545 RRULE: %v", err))
		return nil
	}
	return r
}

func parseCron(spec string, v *loa.ValidationError) cron.Schedule {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		v.Add("cron", "leave the time zone out: rules are evaluated in the deployment's zone")
		return nil
	}
	// @every counts from whenever it is read: each materialisation would place
	// other times, cancelling the last run's airings and creating new ones.
	if strings.HasPrefix(spec, "@every") {
		v.Add("cron", "@every has no fixed times (it counts from each run); give fixed times, e.g. \"0 */2 * * *\" or FREQ=HOURLY;INTERVAL=2")
		return nil
	}
	sched, err := cronParser.Parse(spec)
	if err != nil {
		v.Add("cron", fmt.Sprintf("not a valid cron spec (%v); five fields: minute hour day-of-month month day-of-week, e.g. \"30 6 * * 2,5\"", err))
		return nil
	}
	// The parser looks five years ahead for a time and answers the zero time when
	// none exists (31 February): such a spec would never place an airing.
	if sched.Next(cronProbe).IsZero() {
		v.Add("cron", "the cron spec names no time that exists (e.g. day 31 of February)")
		return nil
	}
	return sched
}

// between returns the occurrence starts in [from, to), in order, at most
// maxOccurrences.
func (rc *recurrence) between(from, to time.Time) []time.Time {
	return slices.Collect(rc.occurrences(from, to))
}

// occurrences yields the occurrence starts in [from, to), in order, at most
// maxOccurrences, computing each only when asked for: a caller that has seen
// enough stops the expansion (an RRULE of thousands a day costs what it reads).
func (rc *recurrence) occurrences(from, to time.Time) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		if from.Before(rc.first) {
			from = rc.first
		}
		if !rc.end.IsZero() && rc.end.Before(to) {
			to = rc.end
		}
		if !from.Before(to) {
			return
		}
		var next func() (time.Time, bool)
		if rc.rrule != nil {
			next = rc.rrule.Iterator()
		} else {
			t := from.Add(-time.Second)
			next = func() (time.Time, bool) {
				// Next answers the zero time when it finds nothing within five years.
				t = rc.cron.Next(t)
				return t, !t.IsZero()
			}
		}
		for n := 0; n < maxOccurrences; {
			t, ok := next()
			if !ok || !t.Before(to) {
				return
			}
			if t.Before(from) || rc.exTimes[t.Unix()] || rc.exDays[loa.DateOf(t.In(from.Location()))] {
				continue
			}
			if n++; !yield(t) {
				return
			}
		}
	}
}

// checkFrequency adds to v when occurrences of duration d overlap each other or
// come more than maxPerDay times a day, judged on the first weeks of the rule.
func (rc *recurrence) checkFrequency(d time.Duration, v *loa.ValidationError) {
	field := "rrule"
	if rc.cron != nil {
		field = "cron"
	}
	perDay := map[loa.Date]int{}
	var last time.Time
	for t := range rc.occurrences(rc.first, rc.first.AddDate(0, 0, frequencyProbe)) {
		if perDay[loa.DateOf(t)]++; perDay[loa.DateOf(t)] > maxPerDay {
			v.Add(field, fmt.Sprintf("the rule repeats more than %d times on %s; a slot rule places at most %d a day", maxPerDay, loa.DateOf(t), maxPerDay))
			return
		}
		if !last.IsZero() && t.Sub(last) < d {
			v.Add("durationSeconds", fmt.Sprintf("occurrences at %s and %s overlap: the duration is longer than the gap between them",
				last.Format(time.DateTime), t.Format(time.DateTime)))
			return
		}
		last = t
	}
}
