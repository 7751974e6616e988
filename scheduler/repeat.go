package scheduler

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"loa"
)

// How often a Repeat comes back.
const (
	RepeatDaily   = "daily"
	RepeatWeekly  = "weekly"
	RepeatMonthly = "monthly"
)

// Weekdays are the RRULE days of the week, Monday first.
var Weekdays = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// maxInterval bounds "every n days, weeks or months" of a Repeat.
const maxInterval = 52

// Repeat is a rule's "when" in the few terms a person picks on the rule form: the
// days of the week and a time, every n days, weeks or months, or the nth weekday
// of a month. RRule builds the RRULE a rule stores; RepeatOf reads one back.
type Repeat struct {
	Freq string // RepeatDaily, RepeatWeekly or RepeatMonthly
	// Days are Weekdays: one or more for a weekly rule, exactly one for a monthly
	// one, none for a daily one.
	Days []string
	// Nth is the monthly weekday's place in the month: 1 to 4, or -1 for the last.
	Nth      int
	Interval int    // every Interval days, weeks or months
	Time     string // HH:MM in the deployment's zone
}

// RRule is the RFC 5545 rule of r, e.g. FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=6;BYMINUTE=30,
// or a loa.ValidationError on the fields freq, days, nth, interval and time.
func (r Repeat) RRule() (string, error) {
	v := &loa.ValidationError{}
	hour, minute, err := clockOf(r.Time)
	if err != nil {
		v.Add("time", "a time of day from 00:00 to 23:59, e.g. 06:30")
	}
	if r.Interval < 1 || r.Interval > maxInterval {
		v.Add("interval", fmt.Sprintf("every 1 to %d days, weeks or months", maxInterval))
	}
	days := slices.Clone(r.Days)
	for _, d := range days {
		if !slices.Contains(Weekdays, d) {
			v.Add("days", "unknown day of the week "+d+"; one of "+strings.Join(Weekdays, ", "))
		}
	}
	slices.SortFunc(days, func(a, b string) int { return slices.Index(Weekdays, a) - slices.Index(Weekdays, b) })
	days = slices.Compact(days)
	parts := []string{"FREQ=" + strings.ToUpper(r.Freq)}
	if r.Interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(r.Interval))
	}
	switch r.Freq {
	case RepeatDaily:
	case RepeatWeekly:
		if len(days) == 0 {
			v.Add("days", "choose at least one day of the week")
		}
		parts = append(parts, "BYDAY="+strings.Join(days, ","))
	case RepeatMonthly:
		if len(days) != 1 {
			v.Add("days", "choose one day of the week")
		}
		if r.Nth != -1 && (r.Nth < 1 || r.Nth > 4) {
			v.Add("nth", "which of the month's weekdays: 1 to 4, or -1 for the last")
		}
		parts = append(parts, "BYDAY="+strconv.Itoa(r.Nth)+strings.Join(days, ""))
	default:
		v.Add("freq", "repeat daily, weekly or monthly")
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	parts = append(parts, "BYHOUR="+strconv.Itoa(hour), "BYMINUTE="+strconv.Itoa(minute))
	return strings.Join(parts, ";"), nil
}

// clockOf reads a time of day HH:MM.
func clockOf(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	return t.Hour(), t.Minute(), err
}

// RepeatOf reads an RRULE back into a Repeat; ok is false for one a Repeat cannot
// say (other parts, several times a day, no time), which is then edited as text.
func RepeatOf(rrule string) (r Repeat, ok bool) {
	r.Interval = 1
	hour, minute := -1, 0
	for part := range strings.SplitSeq(strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(rrule), "RRULE:")), ";") {
		key, value, _ := strings.Cut(part, "=")
		n, err := strconv.Atoi(value)
		switch {
		case key == "FREQ" && slices.Contains([]string{"DAILY", "WEEKLY", "MONTHLY"}, value):
			r.Freq = strings.ToLower(value)
		case key == "INTERVAL" && err == nil && n >= 1 && n <= maxInterval:
			r.Interval = n
		case key == "BYHOUR" && err == nil && n >= 0 && n < 24:
			hour = n
		case key == "BYMINUTE" && err == nil && n >= 0 && n < 60:
			minute = n
		case key == "BYDAY" && value != "":
			r.Days = strings.Split(value, ",")
		default:
			return Repeat{}, false
		}
	}
	if hour < 0 {
		return Repeat{}, false
	}
	r.Time = fmt.Sprintf("%02d:%02d", hour, minute)
	if r.Freq == RepeatMonthly && len(r.Days) == 1 {
		day := r.Days[0]
		nth, err := strconv.Atoi(strings.TrimRight(day, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		if err != nil {
			return Repeat{}, false
		}
		r.Nth, r.Days = nth, []string{day[len(day)-2:]}
	}
	// What it says must build the same rule again.
	again, err := r.RRule()
	if err != nil || !sameRRule(again, rrule) {
		return Repeat{}, false
	}
	return r, true
}

// sameRRule says whether two RRULEs have the same parts, in any order.
func sameRRule(a, b string) bool {
	split := func(s string) []string {
		parts := strings.Split(strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")), ";")
		parts = slices.DeleteFunc(parts, func(p string) bool { return p == "BYMINUTE=0" || p == "INTERVAL=1" })
		slices.Sort(parts)
		return parts
	}
	return slices.Equal(split(a), split(b))
}
