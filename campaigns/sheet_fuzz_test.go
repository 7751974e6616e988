package campaigns

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"loa/campaigns/importtest"
)

// FuzzSheet: any bytes read as an import's table, without a database: the
// reader refuses with a kind a client is told about, or hands out rows in
// order, each within the columns and characters the limits allow, trailing
// blanks dropped, and no more rows than they allow.
func FuzzSheet(f *testing.F) {
	lim := DefaultImportLimits()
	lim.Rows, lim.Columns, lim.CellChars = 20, minColumns, 100
	f.Add([]byte("code,name,type,level,parent_code\n1001,Xã Con,xã,commune,100\n\n\"a\"\"b\",\"c\nd\",,,\n"))
	f.Add([]byte("\ufeffa;b\r\n1;2\r\n" + strings.Repeat(",", 20) + "x\n"))
	f.Add([]byte("a,b\n\"unclosed\n"))
	book := excelize.NewFile()
	for i, row := range [][]any{{"Mã đơn vị", "Nhóm"}, {20575, "students"}, {nil, nil, "  "}, {"=1+1", 1.5, true}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow("Sheet1", cell, &row); err != nil {
			f.Fatal(err)
		}
	}
	if err := book.SetCellFormula("Sheet1", "E2", "SUM(A2:B2)"); err != nil {
		f.Fatal(err)
	}
	xlsx, err := book.WriteToBuffer()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(xlsx.Bytes())
	f.Fuzz(func(t *testing.T, file []byte) {
		s, err := openSheet(bytes.NewReader(file), int64(len(file)), lim)
		if err != nil {
			if err := importtest.CheckError(err); err != nil {
				t.Fatalf("openSheet(%q): %v", file, err)
			}
			return
		}
		defer s.close()
		last, rows := 0, 0
		for {
			n, row, err := s.next(context.Background())
			if err == io.EOF {
				return
			}
			if err != nil {
				if err := importtest.CheckError(err); err != nil {
					t.Fatalf("row after %d of %q: %v", last, file, err)
				}
				return
			}
			if rows++; n <= last || rows > lim.Rows || len(row) == 0 || len(row) > lim.Columns || strings.TrimSpace(row[len(row)-1]) == "" {
				t.Fatalf("row %d (after %d, %d rows) of %q: %q breaks the limits %+v", n, last, rows, file, row, lim)
			}
			for _, c := range row {
				if utf8.RuneCountInString(c) > lim.CellChars {
					t.Fatalf("row %d of %q: a cell of %d characters", n, file, utf8.RuneCountInString(c))
				}
			}
			last = n
		}
	})
}
