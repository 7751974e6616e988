package loa

import (
	"fmt"
	"slices"
)

// ImportSummary answers a bulk import in the DHIS2 style of DESIGN §8. Rows are
// counted once each: imported (new), updated (changed), unchanged (identical to what
// is stored, so nothing was written) or ignored (rejected, with its conflicts).
type ImportSummary struct {
	Status    string     `json:"status"` // success, warning, error, or StatusPartial
	DryRun    bool       `json:"dryRun"`
	Read      int        `json:"read"`
	Imported  int        `json:"imported"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Ignored   int        `json:"ignored"`
	Conflicts []Conflict `json:"conflicts"`
	// ConflictsOmitted counts the conflicts past the first thousand, not listed.
	ConflictsOmitted int `json:"conflictsOmitted,omitempty"`

	lastRejected int // the row of the last conflict added
}

// StatusPartial is the status of the summary a refusal carries when the import
// stopped at a limit after writing some of its rows: the counts say what was
// written.
const StatusPartial = "partial"

// maxConflicts bounds the conflicts an import summary lists; the rest are counted.
const maxConflicts = 1000

// Conflict is one problem with one row of an imported file. Row numbers count the
// header as row 1, as a spreadsheet shows them.
type Conflict struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// Conflictf records a problem with a row's field, its message formatted.
func (s *ImportSummary) Conflictf(row int, field, format string, args ...any) {
	s.add(Conflict{Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// AddConflict records a problem with a row's field, with a code.
func (s *ImportSummary) AddConflict(row int, field, code, message string) {
	s.add(Conflict{Row: row, Field: field, Message: message, Code: code})
}

// add records a conflict: the first thousand are listed, the rest counted. A row's
// conflicts are added one after another, so a row is ignored once however many it has.
func (s *ImportSummary) add(c Conflict) {
	if c.Row != s.lastRejected {
		s.Ignored++
		s.lastRejected = c.Row
	}
	if len(s.Conflicts) < maxConflicts {
		s.Conflicts = append(s.Conflicts, c)
	} else {
		s.ConflictsOmitted++
	}
}

// Rejected reports whether row has a conflict; rows are checked one after another.
func (s *ImportSummary) Rejected(row int) bool { return s.lastRejected == row }

// Finish sorts the conflicts and sets the status, and answers the summary.
func (s *ImportSummary) Finish(dryRun bool) ImportSummary {
	s.DryRun = dryRun
	if s.Conflicts == nil {
		s.Conflicts = []Conflict{}
	}
	slices.SortStableFunc(s.Conflicts, func(a, b Conflict) int { return a.Row - b.Row })
	switch {
	case s.Ignored == 0:
		s.Status = "success"
	case s.Imported+s.Updated+s.Unchanged > 0:
		s.Status = "warning"
	default:
		s.Status = "error"
	}
	return *s
}
