package loa

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a calendar date written "2006-01-02". Stored as that string, dates sort and
// compare correctly as strings and never shift with a time zone.
type Date string

const dateLayout = "2006-01-02"

// ParseDate checks s is a real calendar date in the ISO form.
func ParseDate(s string) (Date, error) {
	if _, err := time.Parse(dateLayout, s); err != nil {
		return "", fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return Date(s), nil
}

// Valid reports whether d parses.
func (d Date) Valid() bool {
	_, err := ParseDate(string(d))
	return err == nil
}

// Display writes d the Vietnamese way, dd/mm/yyyy.
func (d Date) Display() string {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return string(d)
	}
	return t.Format("02/01/2006")
}

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date { return Date(t.Format(dateLayout)) }

// In is the start of d in zone.
func (d Date) In(zone *time.Location) time.Time {
	t, _ := time.ParseInLocation(dateLayout, string(d), zone)
	return t
}

// Year is d's year.
func (d Date) Year() int {
	y, _ := strconv.Atoi(string(d[:min(4, len(d))]))
	return y
}

// AddDays is the date n days after d (before it when n < 0).
func (d Date) AddDays(n int) Date {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return d
	}
	return DateOf(t.AddDate(0, 0, n))
}
