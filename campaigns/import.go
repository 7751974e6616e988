package campaigns

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ImportSummary answers a bulk import in the DHIS2 style of DESIGN §8. Rows are
// counted once each: imported (new), updated (changed), unchanged (identical to what
// is stored, so nothing was written) or ignored (rejected, with its conflicts).
type ImportSummary struct {
	Status    string     `json:"status"` // success, warning or error
	DryRun    bool       `json:"dryRun"`
	Read      int        `json:"read"`
	Imported  int        `json:"imported"`
	Updated   int        `json:"updated"`
	Unchanged int        `json:"unchanged"`
	Ignored   int        `json:"ignored"`
	Conflicts []Conflict `json:"conflicts"`
	// ConflictsOmitted counts the conflicts past the first thousand, not listed.
	ConflictsOmitted int `json:"conflictsOmitted,omitempty"`
}

// Conflict is one problem with one row of an imported file. Row numbers count the
// header as row 1, as a spreadsheet shows them.
type Conflict struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

func (s *ImportSummary) conflict(row int, field, format string, args ...any) {
	s.Conflicts = append(s.Conflicts, Conflict{Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// rejected reports whether row already has a conflict.
func (s *ImportSummary) rejected(row int) bool {
	return slices.ContainsFunc(s.Conflicts, func(c Conflict) bool { return c.Row == row })
}

// finish counts the rejected rows and sets the status.
func (s *ImportSummary) finish(dryRun bool) ImportSummary {
	s.DryRun = dryRun
	rows := map[int]bool{}
	for _, c := range s.Conflicts {
		rows[c.Row] = true
	}
	s.Ignored = len(rows)
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

// saveImport writes an import's changes with save and audits them, unless it is a
// dry run or nothing changed, then answers the summary.
func (s *Service) saveImport(ctx context.Context, actor Actor, sum *ImportSummary, dryRun bool, changes []Change, save func() error) (ImportSummary, error) {
	if !dryRun && len(changes) > 0 {
		if err := save(); err != nil {
			return ImportSummary{}, err
		}
		if err := s.audit.Record(ctx, actor.Username, changes...); err != nil {
			return ImportSummary{}, err
		}
	}
	return sum.finish(dryRun), nil
}

// table is a CSV file read whole, with its columns found by header name.
type table struct {
	columns map[string]int
	headers map[string]string // the header each column has in the file
	rows    [][]string
}

// readTable reads a CSV file whose header must name every required column. Header
// names are matched without regard to case or surrounding space.
func readTable(r io.Reader, required ...string) (*table, error) {
	records, err := readCSV(r)
	if err != nil {
		return nil, err
	}
	return newTable(records, func(h string) string { return strings.ToLower(h) }, required,
		func(missing []string) string { return "missing required columns: " + strings.Join(missing, ", ") })
}

// readCSV reads every record of a CSV file.
func readCSV(r io.Reader) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		return nil, csvError(err)
	}
	return records, nil
}

// newTable finds the columns of records by their header, the first record: column
// gives the name a header stands for ("" for a column to ignore), and missing says
// which required columns are absent.
func newTable(records [][]string, column func(header string) string, required []string, missing func([]string) string) (*table, error) {
	if len(records) == 0 {
		return nil, &ValidationError{Details: []FieldError{{Field: "file", Message: "the file is empty"}}}
	}
	t := &table{columns: map[string]int{}, headers: map[string]string{}, rows: records[1:]}
	for i, h := range records[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if name := column(h); name != "" {
			if _, dup := t.columns[name]; !dup {
				t.columns[name], t.headers[name] = i, h
			}
		}
	}
	var absent []string
	for _, c := range required {
		if _, ok := t.columns[c]; !ok {
			absent = append(absent, c)
		}
	}
	if absent != nil {
		return nil, &ValidationError{Details: []FieldError{{Field: "file", Message: missing(absent)}}}
	}
	return t, nil
}

func csvError(err error) error {
	return &ValidationError{Details: []FieldError{{Field: "file", Message: "not a readable CSV file: " + err.Error()}}}
}

// cell is the trimmed value of column in row, or "" where the row is short or the
// column absent.
func (t *table) cell(row []string, column string) string {
	i, ok := t.columns[column]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// each calls f for every row that is not blank, with its spreadsheet row number.
func (t *table) each(f func(n int, row []string)) {
	for i, row := range t.rows {
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		f(i+2, row)
	}
}

// dataRows counts the rows that are not blank.
func (t *table) dataRows() int {
	n := 0
	t.each(func(int, []string) { n++ })
	return n
}
