package campaigns

import (
	"fmt"
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

// valid reports whether d parses.
func (d Date) valid() bool {
	_, err := ParseDate(string(d))
	return err == nil
}
