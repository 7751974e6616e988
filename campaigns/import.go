package campaigns

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// table is an imported file read one row at a time, its columns found by their
// header names.
type table struct {
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
func newTable(ctx context.Context, src *sheet, column func(header string) string, required []string, missing func([]string) string) (*table, error) {
	var absentFirst []string
	for range headerRows {
		_, row, err := src.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		t := &table{src: src, columns: map[string]int{}, headers: map[string]string{}}
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

// each calls f for every row of data with its spreadsheet row number, until the
// end of the file, a limit, the end of ctx or an error from f.
func (t *table) each(ctx context.Context, f func(n int, row []string) error) error {
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

// cell is the trimmed value of column in row, or "" where the row is short or the
// column absent.
func (t *table) cell(row []string, column string) string {
	i, ok := t.columns[column]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// header is the column's header as the file writes it, or the field's name.
func (t *table) header(field string) string {
	if h, ok := t.headers[field]; ok {
		return h
	}
	return field
}

// beginImport takes one of the service's import slots (or refuses with a
// BusyError), reads the upload within the file-size limit and opens it as a
// sheet. The context it returns ends at the time limit; end releases everything.
func (s *Service) beginImport(ctx context.Context, r io.Reader, lim ImportLimits) (context.Context, *sheet, func(), error) {
	select {
	case s.importSlots <- struct{}{}:
	default:
		return nil, nil, nil, &loa.BusyError{RetryAfter: 30 * time.Second, Message: fmt.Sprintf(
			"Đang có %d lần nhập tệp chạy cùng lúc (tối đa); hãy thử lại sau ít phút.", cap(s.importSlots))}
	}
	release := func() { <-s.importSlots }
	data, err := io.ReadAll(io.LimitReader(r, lim.FileBytes+1))
	var limit *loa.LimitError
	switch {
	case errors.As(err, &limit):
		release()
		return nil, nil, nil, limit
	case err != nil:
		release()
		return nil, nil, nil, fmt.Errorf("read the upload: %w", err)
	}
	src, err := openSheet(data, lim)
	if err != nil {
		release()
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, lim.Time, errImportTime)
	return ctx, src, func() { cancel(); src.close(); release() }, nil
}

// readTable opens an org-unit or denominator file (CSV or XLSX), whose header must
// name every required column; header names are matched without regard to case or
// surrounding space. Such files are checked whole before anything is written, so
// they are held to referenceRows rows.
func (s *Service) readTable(ctx context.Context, r io.Reader, required ...string) (context.Context, *table, func(), error) {
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
