package web

import (
	"strings"
	"time"

	"loa"
)

// uploadSlack is room for a form's fields and headers around its file.
const uploadSlack = 64 << 10

// option is one choice of a select or a list of checkboxes: the stored value, its
// Vietnamese name, and whether it is chosen.
type option struct {
	Value, Label string
	Selected     bool
}

// parseDate reads a date field as browsers send it (2024-03-31 from a date picker)
// or as people type it (31/03/2024).
func parseDate(s string) (loa.Date, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2/1/2006", s); err == nil {
		return loa.DateOf(t), true
	}
	d, err := loa.ParseDate(s)
	return d, err == nil
}
