package campaigns

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"loa"
)

// saveImport writes an import's changes with save and audits them, unless it is a
// dry run or nothing changed, then answers the summary. Once begun within the
// import's time, the write is finished whatever happens to ctx.
func (s *Service) saveImport(ctx context.Context, actor loa.Actor, sum *loa.ImportSummary, dryRun bool, changes []loa.Change, save func(context.Context) error) (loa.ImportSummary, error) {
	if err := importStopped(ctx); err != nil {
		return loa.ImportSummary{}, err
	}
	ctx = context.WithoutCancel(ctx)
	if !dryRun && len(changes) > 0 {
		if err := save(ctx); err != nil {
			return loa.ImportSummary{}, err
		}
		if err := s.audit.Record(ctx, actor.Username, changes...); err != nil {
			return loa.ImportSummary{}, err
		}
	}
	return sum.Finish(dryRun), nil
}

// Table is an imported file read one row at a time, its columns found by their
// header names.
type Table struct {
	src     *sheet
	columns map[string]int
	headers map[string]string // the header each column has in the file
}

// headerRows is how many rows may come before the header (a title, an agency's
// name): the header is the first of them that names every required column.
const headerRows = 10

// newTable finds the columns of src by their header: column gives the name a
// header stands for ("" for a column to ignore), and missing says which required
// columns are absent (from the first row, when no row names them all).
func newTable(ctx context.Context, src *sheet, column func(header string) string, required []string, missing func([]string) string) (*Table, error) {
	var absentFirst []string
	for range headerRows {
		_, row, err := src.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		t := &Table{src: src, columns: map[string]int{}, headers: map[string]string{}}
		for i, h := range row {
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
		if absent == nil {
			src.rows = 0 // the header and what comes before it are not data
			return t, nil
		}
		if absentFirst == nil {
			absentFirst = absent
		}
	}
	if absentFirst == nil {
		return nil, loa.Invalid("file", "the file is empty")
	}
	return nil, loa.Invalid("file", missing(absentFirst))
}

// Each calls f for every row of data with its spreadsheet row number, until the
// end of the file, a limit, the end of ctx or an error from f.
func (t *Table) Each(ctx context.Context, f func(n int, row []string) error) error {
	for {
		n, row, err := t.src.next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := f(n, row); err != nil {
			return err
		}
	}
}

func csvError(err error) error {
	return loa.Invalid("file", "not a readable CSV file: "+err.Error())
}

// Cell is the trimmed value of column in row, or "" where the row is short or the
// column absent.
func (t *Table) Cell(row []string, column string) string {
	i, ok := t.columns[column]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// Has reports whether the file has column.
func (t *Table) Has(column string) bool {
	_, ok := t.columns[column]
	return ok
}

// Header is the column's header as the file writes it, or the field's name.
func (t *Table) Header(field string) string {
	if h, ok := t.headers[field]; ok {
		return h
	}
	return field
}

// ImportGate admits a bounded number of imports at once, across the services
// that import files: one more is refused, so that reporters together cannot do
// what one cannot.
type ImportGate struct{ slots chan struct{} }

// NewImportGate admits slots imports at once (at least one).
func NewImportGate(slots int) *ImportGate {
	return &ImportGate{slots: make(chan struct{}, max(1, slots))}
}

// Enter takes a slot, or answers a BusyError when none is free; leave gives the
// slot back.
func (g *ImportGate) Enter() (leave func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
		return nil, &loa.BusyError{RetryAfter: 30 * time.Second, Message: fmt.Sprintf(
			"Đang có %d lần nhập tệp chạy cùng lúc (tối đa); hãy thử lại sau ít phút.", cap(g.slots))}
	}
}

// beginImport receives the upload into a temporary file within the file-size
// limit (a slow sender holds a connection, not a slot), then takes an import slot
// (or refuses with a BusyError) and opens the file as a sheet. The context it
// returns ends at the time limit; end releases everything.
func (s *Service) beginImport(ctx context.Context, r io.Reader, lim ImportLimits) (context.Context, *sheet, func(), error) {
	file, size, err := Spool(r, lim.FileBytes)
	if err != nil {
		return nil, nil, nil, err
	}
	leave, err := s.gate.Enter()
	if err != nil {
		file.Close()
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, lim.Time, errImportTime)
	src, err := openSheet(file, size, lim)
	if err != nil {
		cancel()
		leave()
		file.Close()
		return nil, nil, nil, err
	}
	return ctx, src, func() { cancel(); src.close(); file.Close(); leave() }, nil
}

// OpenTable receives an upload within the import limits, takes an import slot (or
// refuses with a BusyError) and finds the columns of its table by their header:
// column gives the name a header stands for ("" for a column to ignore), and
// missing says which required columns are absent. The context it returns ends at
// the time limit; end releases everything.
func (s *Service) OpenTable(ctx context.Context, r io.Reader, column func(header string) string, required []string, missing func([]string) string) (_ context.Context, _ *Table, end func(), _ error) {
	ctx, src, end, err := s.beginImport(ctx, r, s.opts.imports)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := newTable(ctx, src, column, required, missing)
	if err != nil {
		err = Stopped(ctx, err, nil)
		end()
		return nil, nil, nil, err
	}
	return ctx, t, end, nil
}

// XLSX says whether the table is a workbook's sheet rather than a CSV file.
func (t *Table) XLSX() bool { return t.src.xlsx }

// Share says how much of the file has been read, from 0 to 1, or 0 where the
// format does not tell (a workbook).
func (t *Table) Share() float64 {
	if t.src.share == nil {
		return 0
	}
	return min(t.src.share(), 1)
}

// Spool copies an upload of at most max bytes to a temporary file, removed from
// the directory at once so that nothing is left behind even by a crash; a larger
// upload is refused with a LimitError. The pages keep a checked file this way
// until it is applied.
func Spool(r io.Reader, max int64) (*os.File, int64, error) {
	file, err := os.CreateTemp("", "loa-import-")
	if err != nil {
		return nil, 0, err
	}
	_ = os.Remove(file.Name()) // the open file stays readable
	n, err := io.Copy(file, io.LimitReader(r, max+1))
	switch {
	case err != nil:
		file.Close()
		return nil, 0, fmt.Errorf("read the upload: %w", err)
	case n > max:
		file.Close()
		return nil, 0, tooLarge("too_large", "Tệp lớn hơn giới hạn %s.", bytesVi(max))
	}
	return file, n, nil
}

// readTable opens an org-unit or denominator file (CSV or XLSX), whose header must
// name every required column; header names are matched without regard to case or
// surrounding space. Such files are checked whole before anything is written, so
// they are held to referenceRows rows.
func (s *Service) readTable(ctx context.Context, r io.Reader, required ...string) (context.Context, *Table, func(), error) {
	lim := s.opts.imports
	lim.Rows = referenceRows
	ctx, src, end, err := s.beginImport(ctx, r, lim)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := newTable(ctx, src, func(h string) string { return strings.ToLower(h) }, required,
		func(missing []string) string { return "missing required columns: " + strings.Join(missing, ", ") })
	if err != nil {
		end()
		return nil, nil, nil, err
	}
	return ctx, t, end, nil
}
