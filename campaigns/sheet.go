package campaigns

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"loa"
)

// ImportLimits bound what one import may cost, whatever file it is sent: every
// upload is read one row at a time, and a file past a bound is refused with a
// LimitError naming it.
type ImportLimits struct {
	FileBytes     int64         // the file as uploaded
	Rows          int           // rows of data (blank rows are not counted)
	Columns       int           // columns a row uses, up to its last non-empty cell
	CellChars     int           // characters in one cell
	Unzipped      int64         // the parts of an XLSX workbook unzipped, together
	SharedStrings int64         // the shared-strings part of an XLSX workbook, unzipped
	Ratio         int64         // unzipped to compressed size of one part of a workbook
	Time          time.Duration // one import, reading and writing
	Slots         int           // imports running at once in this process
}

// DefaultImportLimits are the bounds a deployment starts with.
func DefaultImportLimits() ImportLimits {
	return ImportLimits{
		FileBytes:     20 << 20,
		Rows:          1_000_000,
		Columns:       64,
		CellChars:     4000,
		Unzipped:      256 << 20,
		SharedStrings: 16 << 20,
		Ratio:         100,
		Time:          5 * time.Minute,
		Slots:         2,
	}
}

// FileSize says the largest file an import takes as people read it: "20 MiB".
func (l ImportLimits) FileSize() string { return bytesVi(l.FileBytes) }

// minColumns is the fewest columns the limits may allow: those of the reach
// import template.
const minColumns = 12

// Check says what is wrong with the limits, or nil.
func (l ImportLimits) Check() error {
	switch {
	case l.FileBytes < 1<<10, l.Unzipped < 1<<20, l.SharedStrings < 1<<10:
		return errors.New("file sizes must be at least 1 KiB (unzipped at least 1 MiB)")
	case l.Rows < 1, l.Columns < minColumns, l.Columns > xlsxColumns, l.CellChars < 100:
		return fmt.Errorf("rows must be at least 1, columns from %d to %d, characters per cell at least 100", minColumns, xlsxColumns)
	case l.Ratio < 10, l.Time < time.Second, l.Slots < 1:
		return errors.New("the compression ratio must be at least 10, the time at least 1s and the slots at least 1")
	}
	return nil
}

// xlsxColumns is the most columns a spreadsheet row can have (A to XFD).
const xlsxColumns = 16384

// referenceRows bounds the rows of an org-unit or denominator import, which are
// checked whole before anything is written: ten times the communes of the country.
const referenceRows = 100_000

// sheet is an uploaded table, a CSV file or the first sheet of an XLSX workbook,
// read one row at a time within its limits: no more than one row's cells are held.
type sheet struct {
	lim  ImportLimits
	xlsx bool
	// read returns the next row as stored (nil for a blank one) and its number as
	// a spreadsheet shows it; io.EOF after the last.
	read  func() ([]string, int, error)
	close func()
	// share says how much of the file has been read (0 to 1), where the format
	// tells; nil where it does not (a workbook's rows are unzipped as they come).
	share func() float64
	reads int // rows read, blank ones included
	rows  int // rows of data read so far
}

// openSheet opens the file of size bytes in f, refusing what the limits do not
// allow before reading rows.
func openSheet(f io.ReaderAt, size int64, lim ImportLimits) (*sheet, error) {
	magic := make([]byte, 4)
	n, _ := f.ReadAt(magic, 0)
	if bytes.Equal(magic[:n], []byte("PK\x03\x04")) {
		return openXLSX(f, size, lim)
	}
	if ok, err := isText(io.NewSectionReader(f, 0, size)); err != nil || !ok {
		return nil, fmt.Errorf("%w: send a CSV file (UTF-8 text) or an Excel workbook (.xlsx)", loa.ErrUnsupportedFile)
	}
	guard := &recordGuard{r: io.NewSectionReader(f, 0, size), maxBytes: maxRecordBytes(lim), maxColumns: lim.Columns}
	cr := csv.NewReader(guard)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	share := func() float64 { return float64(guard.consumed) / float64(max(size, 1)) }
	return &sheet{lim: lim, close: func() {}, share: share, read: func() ([]string, int, error) {
		record, err := cr.Read()
		var limit *loa.LimitError
		switch {
		case err == io.EOF:
			return nil, 0, io.EOF
		case errors.As(err, &limit):
			return nil, 0, limit
		case err != nil:
			return nil, 0, csvError(err)
		}
		guard.records++
		return record, guard.records, nil
	}}, nil
}

// isText reports whether r is UTF-8 text without NUL bytes, reading it once in
// chunks.
func isText(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0 // bytes of a character cut at the end of the last chunk
	for {
		n, err := r.Read(buf[carry:])
		chunk := buf[:carry+n]
		if bytes.IndexByte(chunk, 0) >= 0 {
			return false, nil
		}
		end := len(chunk)
		for i := 1; i <= utf8.UTFMax && i <= end; i++ {
			if utf8.RuneStart(chunk[end-i]) {
				if !utf8.FullRune(chunk[end-i:]) {
					end -= i
				}
				break
			}
		}
		if !utf8.Valid(chunk[:end]) {
			return false, nil
		}
		carry = copy(buf, chunk[end:])
		if err == io.EOF {
			return carry == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// maxRecordBytes bounds one CSV record: every column full of 4-byte characters,
// quoted, and the separators of a row as wide as a spreadsheet's.
func maxRecordBytes(lim ImportLimits) int {
	return lim.Columns*(4*lim.CellChars+3) + xlsxColumns
}

// next returns the next row of data (blank rows are skipped) with its trailing
// empty cells dropped, and its row number; io.EOF after the last row. A row past
// a limit, or a cancelled or timed-out ctx, stops the reading with an error. In a
// workbook a row is as wide as its last cell holding anything, even a space or a
// formula with no value: the spreadsheet library spells out every cell up to it.
func (s *sheet) next(ctx context.Context) (int, []string, error) {
	for {
		if s.reads++; s.reads%1024 == 0 {
			if err := importStopped(ctx); err != nil {
				return 0, nil, err
			}
		}
		row, n, err := s.read()
		if err != nil {
			return 0, nil, err
		}
		if s.xlsx && len(row) > s.lim.Columns {
			return 0, nil, tooManyColumns(n, len(row), s.lim)
		}
		for len(row) > 0 && strings.TrimSpace(row[len(row)-1]) == "" {
			row = row[:len(row)-1]
		}
		if len(row) == 0 {
			continue
		}
		if len(row) > s.lim.Columns {
			return 0, nil, tooManyColumns(n, len(row), s.lim)
		}
		for i, c := range row {
			if len(c) > s.lim.CellChars && utf8.RuneCountInString(c) > s.lim.CellChars {
				return 0, nil, tooLarge("cell_too_long", "Ô %s%d dài %s ký tự; tối đa %s ký tự một ô.",
					columnName(i+1), n, loa.Number(int64(utf8.RuneCountInString(c))), loa.Number(int64(s.lim.CellChars)))
			}
		}
		if s.rows++; s.rows > s.lim.Rows {
			return 0, nil, tooLarge("too_many_rows", "Tệp có hơn %s dòng số liệu; tối đa %s dòng một lần nhập, hãy chia thành nhiều tệp.",
				loa.Number(int64(s.lim.Rows)), loa.Number(int64(s.lim.Rows)))
		}
		return n, row, nil
	}
}

func tooManyColumns(row, width int, lim ImportLimits) *loa.LimitError {
	return tooLarge("too_many_columns", "Dòng %d dùng %s cột (đến cột %s); tối đa %s cột. Xoá nội dung (kể cả dấu cách, công thức) ở các cột thừa.",
		row, loa.Number(int64(width)), columnName(width), loa.Number(int64(lim.Columns)))
}

// recordGuard passes a CSV file to the CSV reader, refusing a record (a line, or
// several inside quotes) longer than maxBytes or with more separators than a
// spreadsheet has columns before the reader holds it whole. It counts records as
// the CSV reader does (empty lines are not records).
type recordGuard struct {
	r          io.Reader
	maxBytes   int
	maxColumns int

	quoted       bool
	size, fields int
	records      int   // records the CSV reader has returned
	ended        int   // records ended in what was read so far
	consumed     int64 // bytes read from r
}

func (g *recordGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.consumed += int64(n)
	for _, b := range p[:n] {
		switch b {
		case '"':
			g.quoted = !g.quoted
		case ',':
			if !g.quoted {
				g.fields++
			}
		case '\n':
			if !g.quoted {
				if g.size > 0 {
					g.ended++
				}
				g.size, g.fields = 0, 0
				continue
			}
		case '\r':
			continue
		}
		g.size++
		if g.fields >= xlsxColumns {
			return 0, tooLarge("too_many_columns", "Dòng %d có hơn %s cột; tối đa %s cột.",
				g.ended+1, loa.Number(xlsxColumns), loa.Number(int64(g.maxColumns)))
		}
		if g.size > g.maxBytes {
			return 0, tooLarge("row_too_long", "Dòng %d dài hơn %s; một dòng tối đa %s.",
				g.ended+1, bytesVi(int64(g.maxBytes)), bytesVi(int64(g.maxBytes)))
		}
	}
	return n, err
}

// errImportTime is the cause of an import's context ending at its time limit.
var errImportTime = errors.New("import time limit")

// importStopped says why an import must stop now, or nil: its time is up, or its
// request was cancelled.
func importStopped(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	if errors.Is(context.Cause(ctx), errImportTime) {
		return timeUp()
	}
	return ctx.Err()
}

func timeUp() *loa.LimitError {
	return tooLarge("import_timeout", "Quá thời gian cho phép của một lần nhập; hãy chia tệp thành nhiều tệp nhỏ hơn.")
}

// Stopped is the error an import ends with: whatever failed once its time was up
// (a read of the database, say) is the time limit's refusal, and a limit's refusal
// carries written, the summary of what the import had written before it stopped
// (nil when it wrote nothing).
func Stopped(ctx context.Context, err error, written *loa.ImportSummary) error {
	if err == nil {
		return nil
	}
	var limit *loa.LimitError
	if !errors.As(err, &limit) && errors.Is(context.Cause(ctx), errImportTime) {
		limit = timeUp()
		err = limit
	}
	if limit != nil {
		limit.Summary = written
	}
	return err
}

// tooLarge is a LimitError with a Vietnamese message.
func tooLarge(code, format string, args ...any) *loa.LimitError {
	return &loa.LimitError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// columnName is a column's letters as a spreadsheet shows them (1 → A, 16384 → XFD).
func columnName(n int) string {
	name, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return loa.Number(int64(n))
	}
	return name
}

// bytesVi writes a size in MiB, KiB or bytes.
func bytesVi(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return loa.Number(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return loa.Number(n>>10) + " KiB"
	default:
		return loa.Number(n) + " byte"
	}
}
