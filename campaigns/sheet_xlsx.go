package campaigns

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"loa"
)

const (
	// maxParts bounds the files inside a workbook (a real one has a few dozen).
	maxParts = 1000
	// partInMemory is the size from which the spreadsheet library reads a
	// worksheet from a temporary file instead of memory; it holds every other
	// part whole.
	partInMemory = 4 << 20
	// maxInMemory bounds the parts the library holds whole, together (the shared
	// strings are bounded on their own).
	maxInMemory = 32 << 20
	// ratioFrom is the size from which a part's compression ratio is checked:
	// small parts of repeated markup compress well and cost nothing.
	ratioFrom = 1 << 20
)

// openXLSX opens the first sheet of a workbook. Before the spreadsheet library
// reads anything, the archive's declared sizes are checked against the limits
// (Go's zip reader refuses a part that unzips to more than it declares), and the
// worksheets and shared strings are scanned once as a stream so that no text, tag
// or row of the file can make the library hold more than a bounded amount.
func openXLSX(file io.ReaderAt, size int64, lim ImportLimits) (*sheet, error) {
	zr, err := zip.NewReader(file, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable XLSX file: %v", loa.ErrUnsupportedFile, err)
	}
	if err := checkParts(zr, lim); err != nil {
		return nil, err
	}
	maxToken := 6*lim.CellChars + 1024 // a full cell of escaped characters, and its markup
	for _, part := range zr.File {
		if name := partName(part); strings.HasPrefix(name, "xl/worksheets/") || name == sharedStrings {
			if err := scanPart(part, maxToken, lim); err != nil {
				return nil, err
			}
		}
	}
	f, err := excelize.OpenReader(io.NewSectionReader(file, 0, size), excelize.Options{
		UnzipSizeLimit: lim.Unzipped, UnzipXMLSizeLimit: min(partInMemory, lim.Unzipped)})
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable XLSX file: %v", loa.ErrUnsupportedFile, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, loa.Invalid("file", "the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, loa.Invalid("file", "the first sheet cannot be read: "+err.Error())
	}
	n := 0
	return &sheet{lim: lim, xlsx: true,
		close: func() { rows.Close(); f.Close() },
		read: func() ([]string, int, error) {
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return nil, 0, loa.Invalid("file", "the first sheet cannot be read: "+err.Error())
				}
				return nil, 0, io.EOF
			}
			n++
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, 0, loa.Invalid("file", fmt.Sprintf("row %d of the first sheet cannot be read: %v", n, err))
			}
			return cells, n, nil
		}}, nil
}

// sharedStrings is the part of the shared strings, as partName writes it.
const sharedStrings = "xl/sharedstrings.xml"

// partName is a part's name as the spreadsheet library matches it: '/' for '\\'
// and lower case.
func partName(part *zip.File) string {
	return strings.ToLower(strings.ReplaceAll(part.Name, `\`, "/"))
}

// checkParts refuses a workbook whose parts, as the archive declares them, pass
// the limits: too many parts, too much unzipped in all or held in memory,
// shared strings too large, or a part compressed like a zip bomb.
func checkParts(zr *zip.Reader, lim ImportLimits) error {
	if len(zr.File) > maxParts {
		return tooLarge("too_many_parts", "Tệp Excel có %s phần bên trong; tối đa %s.", loa.Number(int64(len(zr.File))), loa.Number(maxParts))
	}
	var total, inMemory uint64
	for _, part := range zr.File {
		size := part.UncompressedSize64
		total += size
		name := partName(part)
		switch {
		case name == sharedStrings:
		case strings.HasPrefix(name, "xl/worksheets/sheet") && size > partInMemory:
			// read as a stream from a temporary file
		default:
			inMemory += size
		}
		switch {
		case total > uint64(lim.Unzipped):
			return tooLarge("unzipped_too_large", "Tệp Excel giải nén ra hơn %s; tối đa %s.", bytesVi(lim.Unzipped), bytesVi(lim.Unzipped))
		case inMemory > maxInMemory:
			return tooLarge("unzipped_too_large", "Các phần nhỏ của tệp Excel giải nén ra hơn %s; tối đa %s.", bytesVi(maxInMemory), bytesVi(maxInMemory))
		case name == sharedStrings && size > uint64(lim.SharedStrings):
			return tooLarge("shared_strings_too_large", "Bảng chuỗi dùng chung của tệp Excel giải nén ra %s; tối đa %s.",
				bytesVi(int64(size)), bytesVi(lim.SharedStrings))
		case size >= ratioFrom && size > uint64(lim.Ratio)*max(part.CompressedSize64, 1):
			return tooLarge("compression_ratio", "Phần %q của tệp Excel nén %s lần; tối đa %s lần (tệp có thể là bom nén).",
				part.Name, loa.Number(int64(size/max(part.CompressedSize64, 1))), loa.Number(lim.Ratio))
		}
	}
	return nil
}

// scanPart reads a part's XML once as bytes, refusing a text or a tag longer than
// maxToken bytes (so no cell holds more than a bounded text), a row with more
// cells than a spreadsheet has columns (so no row expands past that), and
// comments, CDATA sections, declarations and processing instructions after the
// XML declaration, which the XML reader takes whole whatever they hold and which
// spreadsheets never write there. Markup is not validated here: the spreadsheet
// library reads it next.
func scanPart(part *zip.File, maxToken int, lim ImportLimits) error {
	rc, err := part.Open()
	if err != nil {
		return fmt.Errorf("%w: not a readable XLSX file: %v", loa.ErrUnsupportedFile, err)
	}
	defer rc.Close()
	s := xmlScan{maxToken: maxToken, lim: lim}
	buf := make([]byte, 64<<10)
	for {
		n, err := rc.Read(buf)
		if serr := s.scan(buf[:n]); serr != nil {
			return serr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: not a readable XLSX file: %v", loa.ErrUnsupportedFile, err)
		}
	}
}

// xmlScan is scanPart's state between two chunks of a part.
type xmlScan struct {
	maxToken int
	lim      ImportLimits

	inTag, naming bool
	name          []byte // the start of the current tag's name
	token         int    // bytes of the current text or tag so far
	row, cells    int    // the rows begun, and the cells of the current one
	tags          int    // tags begun
}

// scan goes through one chunk: texts and the rest of tags are skipped to the next
// '<' or '>', and only the first bytes of each tag are looked at.
func (s *xmlScan) scan(chunk []byte) error {
	for len(chunk) > 0 {
		var end byte = '<'
		switch {
		case s.naming:
			b := chunk[0]
			chunk = chunk[1:]
			s.token++
			switch {
			case b == '>':
				s.inTag, s.token = false, 0
				fallthrough
			case b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '/' && len(s.name) > 0:
				if err := s.element(); err != nil {
					return err
				}
			case len(s.name) < 16:
				s.name = append(s.name, b)
			}
			continue
		case s.inTag:
			end = '>'
		}
		i := bytes.IndexByte(chunk, end)
		if i < 0 {
			i = len(chunk)
		}
		if s.token += i; s.token > s.maxToken {
			return tooLarge("cell_too_long", "Tệp Excel có một ô hoặc một thẻ dài hơn %s byte (gần dòng %d); tối đa %s ký tự một ô.",
				loa.Number(int64(s.maxToken)), s.row, loa.Number(int64(s.lim.CellChars)))
		}
		if i == len(chunk) {
			return nil
		}
		chunk = chunk[i+1:]
		s.token = 0
		if end == '<' {
			s.inTag, s.naming, s.name = true, true, s.name[:0]
		} else {
			s.inTag = false
		}
	}
	return nil
}

// element counts a start tag by its local name.
func (s *xmlScan) element() error {
	s.naming = false
	if s.tags++; len(s.name) > 0 && (s.name[0] == '!' || s.name[0] == '?' && s.tags > 1) {
		return fmt.Errorf("%w: the workbook's XML holds comments, CDATA sections or instructions, which spreadsheets do not write; save it again from Excel",
			loa.ErrUnsupportedFile)
	}
	name := s.name
	if _, local, ok := bytes.Cut(name, []byte(":")); ok {
		name = local
	}
	switch string(name) {
	case "row":
		s.row, s.cells = s.row+1, 0
	case "c":
		if s.cells++; s.cells > xlsxColumns {
			return tooLarge("too_many_columns", "Dòng %d của tệp Excel có hơn %s ô; tối đa %s cột.",
				s.row, loa.Number(xlsxColumns), loa.Number(int64(s.lim.Columns)))
		}
	}
	return nil
}
