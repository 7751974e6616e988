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

// Display writes d the Vietnamese way, dd/mm/yyyy.
func (d Date) Display() string {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return string(d)
	}
	return t.Format("02/01/2006")
}

// vietnam is the default zone dates are evaluated in (UTC+7 all year).
var vietnam = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*60*60)
}()
