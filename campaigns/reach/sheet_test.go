package reach_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// heapCeiling is the most heap an import may add to the process, whatever its file
// (README, "Import limits"): the upload itself (20 MiB), a workbook's parts kept in
// memory and the batch of rows being written (a full batch of 100,000 rows peaked at
// 153–194 MiB in BenchmarkImportReach), the embedded engine's work included.
const heapCeiling = 256 << 20

// heapWatch samples the heap in use every few milliseconds until stop, which
// answers the peak.
func heapWatch() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var top uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			top = max(top, read())
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-peak }
}

// heapNow is the heap in use after a collection.
func heapNow() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// records counts the demo campaign's stored reach records.
func (f reachFixture) records(t *testing.T) int {
	t.Helper()
	n := 0
	if err := reach.NewStore(f.db).EachReach(f.ctx, campaigns.DemoCampaignCode, func(reach.Reach) { n++ }); err != nil {
		t.Fatal(err)
	}
	return n
}

const sheetHeader = "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số hiệu báo cáo"

// goodRow is row i of a reach file of the reporter's commune, distinct by its
// source reference.
func goodRow(i int) []string {
	return []string{dienBanCommune, "students", "06/05/2024", "school_session", "1", "30", fmt.Sprintf("S-%d", i)}
}

// csvFile is a reach CSV of rows good rows.
func csvFile(rows int) string {
	var b strings.Builder
	b.WriteString(sheetHeader + "\n")
	for i := range rows {
		b.WriteString(strings.Join(goodRow(i), ",") + "\n")
	}
	return b.String()
}

// workbook writes an XLSX file part by part, as a hostile or careless program
// could: sheet writes the first sheet's rows (inside <sheetData>), after a
// <dimension> of dim; sst, when not nil, writes the shared strings' items.
func workbook(t testing.TB, dim string, sheet, sst func(w io.Writer)) []byte {
	t.Helper()
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	part := func(name string, write func(w io.Writer)) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriterSize(w, 1<<16)
		write(bw)
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	text := func(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }
	const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	types := `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != nil {
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	part("[Content_Types].xml", text(head+`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+types+`</Types>`))
	part("_rels/.rels", text(head+`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`))
	part("xl/workbook.xml", text(head+`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`))
	part("xl/_rels/workbook.xml.rels", text(head+`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels+`</Relationships>`))
	part("xl/worksheets/sheet1.xml", func(w io.Writer) {
		io.WriteString(w, head+`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="`+dim+`"/><sheetData>`)
		sheet(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	if sst != nil {
		part("xl/sharedStrings.xml", func(w io.Writer) {
			io.WriteString(w, head+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			sst(w)
			io.WriteString(w, `</sst>`)
		})
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// workbookWith is workbook with one more part, name, written by extra.
func workbookWith(t testing.TB, sheet func(io.Writer), name string, extra func(io.Writer)) []byte {
	t.Helper()
	base := workbook(t, "A1:G2", sheet, nil)
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := z.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	extra(w)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// sheetRow writes row n of inline-string cells from column A, then extra (raw cells).
func sheetRow(w io.Writer, n int, cells []string, extra string) {
	fmt.Fprintf(w, `<row r="%d">`, n)
	for i, c := range cells {
		name, _ := excelize.CoordinatesToCellName(i+1, n)
		fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, name, c)
	}
	io.WriteString(w, extra)
	io.WriteString(w, `</row>`)
}

// goodSheet writes the header and rows good rows, each followed by extra(n).
func goodSheet(rows int, extra func(n int) string) func(io.Writer) {
	return func(w io.Writer) {
		sheetRow(w, 1, strings.Split(sheetHeader, ","), "")
		for i := range rows {
			sheetRow(w, i+2, goodRow(i), extra(i+2))
		}
	}
}

func noExtra(int) string { return "" }

// repeat writes s n times.
func repeat(w io.Writer, s string, n int) {
	for range n {
		io.WriteString(w, s)
	}
}

// noise is a megabyte of letters, and digits a megabyte of digits, that do not
// compress much.
var noise, digits = func() (string, string) {
	rng := rand.New(rand.NewPCG(1, 2))
	mega := strings.Repeat("A", 1<<20)
	return strings.Map(func(rune) rune { return rune('a' + rng.IntN(26)) }, mega),
		strings.Map(func(rune) rune { return rune('0' + rng.IntN(10)) }, mega)
}()

// TestMarkupTheReaderWouldHoldWholeIsRefused: comments and CDATA sections are
// read by the XML reader as one token, whatever their size, so a workbook holding
// them is refused before the reader sees it.
func TestMarkupTheReaderWouldHoldWholeIsRefused(t *testing.T) {
	f := newReachFixture(t)
	for name, markup := range map[string]string{
		"CDATA":   `<c r="H2" t="inlineStr"><is><t><![CDATA[` + noise[:100000] + `<` + noise[:100000] + `]]></t></is></c>`,
		"comment": `<!--` + strings.Repeat(noise[:999]+"<", 200) + `-->`,
	} {
		file := workbook(t, "A1:H2", goodSheet(1, func(int) string { return markup }), nil)
		_, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(file), false)
		if !errors.Is(err, loa.ErrUnsupportedFile) {
			t.Errorf("a sheet with a %s: %v; want it refused as unsupported", name, err)
		}
	}
	if n := f.records(t); n != 0 {
		t.Errorf("%d records stored", n)
	}
}

// TestHostileFilesAreRefusedWithinBounds sends each file an account could use to
// exhaust the service: each is answered quickly with its limit's code, writes
// nothing, and the heap stays under the ceiling during and after.
func TestHostileFilesAreRefusedWithinBounds(t *testing.T) {
	f := newReachFixture(t)
	xfd := func(n int) string { return fmt.Sprintf(`<c r="XFD%d" t="inlineStr"><is><t>x</t></is></c>`, n) }
	mega := strings.Repeat("A", 1<<20)
	tests := []struct {
		name string
		file func(t *testing.T) []byte
		code string
	}{
		{"XFD in every row, 1,000 rows", func(t *testing.T) []byte { return workbook(t, "A1:XFD1001", goodSheet(1000, xfd), nil) }, "too_many_columns"},
		{"XFD in every row, 10,000 rows", func(t *testing.T) []byte { return workbook(t, "A1:XFD10001", goodSheet(10000, xfd), nil) }, "too_many_columns"},
		{"XFD in every row, 100,000 rows", func(t *testing.T) []byte { return workbook(t, "A1:XFD100001", goodSheet(100000, xfd), nil) }, "too_many_columns"},
		{"a space in column XFD of every row, 100,000 rows", func(t *testing.T) []byte {
			return workbook(t, "A1:XFD100001", goodSheet(100000, func(n int) string {
				return fmt.Sprintf(`<c r="XFD%d" t="inlineStr"><is><t xml:space="preserve"> </t></is></c>`, n)
			}), nil)
		}, "too_many_columns"},
		{"a formula with no value in column XFD of every row, 100,000 rows", func(t *testing.T) []byte {
			return workbook(t, "A1:XFD100001", goodSheet(100000, func(n int) string { return fmt.Sprintf(`<c r="XFD%d"><f>""</f></c>`, n) }), nil)
		}, "too_many_columns"},
		{"a space in column XFD of 100,000 blank rows", func(t *testing.T) []byte {
			return workbook(t, "A1:XFD100001", func(w io.Writer) {
				sheetRow(w, 1, strings.Split(sheetHeader, ","), "")
				for n := 2; n <= 100001; n++ {
					fmt.Fprintf(w, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>`, n, n)
				}
			}, nil)
		}, "too_many_columns"},
		{"33 MiB of parts held in memory", func(t *testing.T) []byte {
			return workbookWith(t, goodSheet(1, noExtra), "xl/worksheets/_rels/junk.xml", func(w io.Writer) {
				for range 33 {
					io.WriteString(w, digits)
				}
			})
		}, "unzipped_too_large"},
		{"one 150 MB shared string in 1,000 cells", func(t *testing.T) []byte {
			return workbook(t, "A1:A1001", func(w io.Writer) {
				sheetRow(w, 1, strings.Split(sheetHeader, ","), "")
				for n := 2; n <= 1001; n++ {
					fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>`, n, n)
				}
			}, func(w io.Writer) { io.WriteString(w, `<si><t>`); repeat(w, mega, 150); io.WriteString(w, `</t></si>`) })
		}, "shared_strings_too_large"},
		{"one 10 MB shared string", func(t *testing.T) []byte {
			return workbook(t, "A1:A2", goodSheet(1, func(n int) string { return fmt.Sprintf(`<c r="H%d" t="s"><v>0</v></c>`, n) }),
				func(w io.Writer) { io.WriteString(w, `<si><t>`); repeat(w, noise, 10); io.WriteString(w, `</t></si>`) })
		}, "cell_too_long"},
		{"one 10 MB inline cell", func(t *testing.T) []byte {
			return workbook(t, "A1:H2", goodSheet(1, func(n int) string {
				return fmt.Sprintf(`<c r="H%d" t="inlineStr"><is><t>%s</t></is></c>`, n, strings.Repeat(noise, 10))
			}), nil)
		}, "cell_too_long"},
		{"a sheet of 300 MB unzipped", func(t *testing.T) []byte {
			return workbook(t, "A1:G2", func(w io.Writer) {
				goodSheet(1, noExtra)(w)
				repeat(w, `<row><c t="inlineStr"><is><t>`+strings.Repeat(" ", 1000)+`</t></is></c></row>`, 300_000)
			}, nil)
		}, "unzipped_too_large"},
		{"a sheet compressed a thousand times", func(t *testing.T) []byte {
			return workbook(t, "A1:G2", func(w io.Writer) {
				goodSheet(1, noExtra)(w)
				repeat(w, `<row><c t="inlineStr"><is><t>`+strings.Repeat(" ", 1000)+`</t></is></c></row>`, 50_000)
			}, nil)
		}, "compression_ratio"},
		{"17,000 cells in a row without references", func(t *testing.T) []byte {
			return workbook(t, "A1:A2", goodSheet(1, func(int) string { return strings.Repeat(`<c><v>1</v></c>`, 17000) }), nil)
		}, "too_many_columns"},
		{"a CSV header of 1,000,000 columns", func(t *testing.T) []byte {
			var b bytes.Buffer
			b.WriteString(sheetHeader)
			for i := range 1_000_000 {
				fmt.Fprintf(&b, ",c%d", i)
			}
			b.WriteString("\n" + strings.Join(goodRow(0), ",") + "\n")
			return b.Bytes()
		}, "too_many_columns"},
		{"a CSV row of 1,000,000 columns", func(t *testing.T) []byte {
			return []byte(sheetHeader + "\n" + strings.Join(goodRow(0), ",") + strings.Repeat(",1", 1_000_000) + "\n")
		}, "too_many_columns"},
		{"a CSV row of 65 columns", func(t *testing.T) []byte {
			return []byte(sheetHeader + "\n" + strings.Join(goodRow(0), ",") + strings.Repeat(",1", 58) + "\n")
		}, "too_many_columns"},
		{"a CSV cell of 4,001 characters", func(t *testing.T) []byte {
			return []byte(sheetHeader + ",Minh chứng\n" + strings.Join(goodRow(0), ",") + "," + strings.Repeat("ệ", 4001) + "\n")
		}, "cell_too_long"},
		{"a CSV row of 8 MB in quotes", func(t *testing.T) []byte {
			return []byte(sheetHeader + ",Minh chứng\n" + strings.Join(goodRow(0), ",") + `,"` + strings.Repeat("a\n", 4<<20) + "\"\n")
		}, "row_too_long"},
		{"over 20 MiB", func(t *testing.T) []byte { return []byte(csvFile(400_000)) }, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file(t)
			idle := heapNow()
			stop := heapWatch()
			start := time.Now()
			sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(file), false)
			took := time.Since(start)
			peak := stop()
			var limit *loa.LimitError
			if !errors.As(err, &limit) || limit.Code != tt.code || !errors.Is(err, loa.ErrTooLarge) {
				t.Fatalf("import of %d bytes = %+v, %v; want a LimitError %s", len(file), sum, err, tt.code)
			}
			if limit.Message == "" || limit.Summary != nil && limit.Summary.Imported+limit.Summary.Updated > 0 {
				t.Errorf("refusal %+v: want a message and nothing written", limit)
			}
			if took > 20*time.Second {
				t.Errorf("refused after %v; the bounds should answer within seconds", took)
			}
			if grew := int64(peak) - int64(idle); grew > heapCeiling {
				t.Errorf("the heap grew by %d MiB during the import; the ceiling is %d MiB", grew>>20, heapCeiling>>20)
			}
			t.Logf("%s: %d bytes refused in %v, heap peak +%d MiB", tt.code, len(file), took.Round(time.Millisecond), (int64(peak)-int64(idle))>>20)
			if after := heapNow(); int64(after)-int64(idle) > 16<<20 {
				t.Errorf("the heap is %d MiB above idle after the import", (int64(after)-int64(idle))>>20)
			}
		})
	}
	if n := f.records(t); n != 0 {
		t.Errorf("%d records stored by refused files", n)
	}
	f.consistent(t)
}

// TestDimensionClaimingTheWholeSheetImports: a sheet whose dimension claims
// A1:XFD1048576 but holds three rows is read as its three rows.
func TestDimensionClaimingTheWholeSheetImports(t *testing.T) {
	f := newReachFixture(t)
	file := workbook(t, "A1:XFD1048576", goodSheet(3, noExtra), nil)
	stop := heapWatch()
	idle := heapNow()
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(file), false)
	if grew := int64(stop()) - int64(idle); grew > heapCeiling {
		t.Errorf("the heap grew by %d MiB", grew>>20)
	}
	if err != nil || sum.Status != "success" || sum.Imported != 3 || sum.Read != 3 {
		t.Fatalf("import = %+v, %v; want 3 rows imported", sum, err)
	}
	if n := f.records(t); n != 3 {
		t.Errorf("%d records stored, want 3", n)
	}
}

// TestRealWorldWorkbookImports reads a workbook shaped as offices make them: a
// merged title above a two-row header of merged cells, whole rows and columns
// formatted (out to column XFD), a hidden second sheet, dates as date cells and as
// text, and formatted empty rows after the data.
func TestRealWorldWorkbookImports(t *testing.T) {
	f := newReachFixture(t)
	x := excelize.NewFile()
	const s = "Số liệu"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.SetSheetName("Sheet1", s))
	style, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 12}})
	must(err)
	must(x.SetColStyle(s, "A:XFD", style))
	must(x.SetRowStyle(s, 1, 300, style))
	must(x.SetCellValue(s, "A1", "BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN THÁNG 5/2024"))
	must(x.MergeCell(s, "A1", "H1"))
	header := strings.Split(sheetHeader+",Ước tính", ",")
	for i, h := range header {
		top, _ := excelize.CoordinatesToCellName(i+1, 2)
		bottom, _ := excelize.CoordinatesToCellName(i+1, 3)
		must(x.SetCellValue(s, top, h))
		must(x.MergeCell(s, top, bottom))
	}
	dateStyle, err := x.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	for i := range 40 {
		n := i + 4
		row := []any{dienBanCommune, "students", "06/05/2024", "school_session", 1, 30 + i, fmt.Sprintf("S-%d", i), ""}
		if i%2 == 0 {
			row[2] = time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
		}
		must(x.SetSheetRow(s, fmt.Sprintf("A%d", n), &row))
		if i%2 == 0 {
			must(x.SetCellStyle(s, fmt.Sprintf("C%d", n), fmt.Sprintf("C%d", n), dateStyle))
		}
		must(x.SetCellStyle(s, fmt.Sprintf("XFD%d", n), fmt.Sprintf("XFD%d", n), style))
	}
	_, err = x.NewSheet("Danh mục")
	must(err)
	must(x.SetCellValue("Danh mục", "A1", "không phải số liệu"))
	must(x.SetSheetVisible("Danh mục", false))
	var b bytes.Buffer
	must(x.Write(&b))

	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(b.Bytes()), false)
	if err != nil || sum.Status != "success" || sum.Read != 40 || sum.Imported != 40 {
		t.Fatalf("import of a real-world workbook = %+v, %v; want 40 rows imported", sum, err)
	}
	r, err := f.s.ReachRecord(f.ctx, reporter, "PCMD-2024|"+dienBanCommune+"|students|2024-05-06|school_session|S-39")
	if err != nil || r.PersonTimes != 69 {
		t.Errorf("the last row (a date as text): %+v, %v", r, err)
	}
	r, err = f.s.ReachRecord(f.ctx, reporter, "PCMD-2024|"+dienBanCommune+"|students|2024-05-06|school_session|S-0")
	if err != nil || r.PersonTimes != 30 {
		t.Errorf("the first row (a date cell): %+v, %v", r, err)
	}
	// A bad row is reported with the row number the sheet shows.
	must(x.SetCellValue(s, "F10", "ba mươi"))
	b.Reset()
	must(x.Write(&b))
	sum, err = f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(b.Bytes()), true)
	if err != nil || sum.Ignored != 1 || sum.Conflicts[0].Row != 10 || sum.Conflicts[0].Field != "Số lượt người" {
		t.Errorf("dry run with a bad cell in F10 = %+v, %v", sum, err)
	}
}

// TestImportStoppedByALimitSaysWhatItWrote: rows are written in batches; a limit
// met after a batch was written stops the import there, and the refusal carries
// the summary of what is stored. The corrected file then converges.
func TestImportStoppedByALimitSaysWhatItWrote(t *testing.T) {
	f := newReachFixtureWith(t, reachNow, nil, []reach.Option{reach.WithReachBatch(10)})
	file := csvFile(25) + strings.Join(goodRow(99), ",") + "," + strings.Repeat("x", 4001) + "\n"
	_, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file), false)
	var limit *loa.LimitError
	if !errors.As(err, &limit) || limit.Code != "cell_too_long" || limit.Summary == nil {
		t.Fatalf("import = %v; want cell_too_long with a summary", err)
	}
	if s := limit.Summary; s.Status != loa.StatusPartial || s.Read != 20 || s.Imported != 20 || s.Ignored != 0 {
		t.Errorf("summary of the stopped import = %+v; want partial, the two batches of 10 read and written", s)
	}
	if n := f.records(t); n != 20 {
		t.Errorf("%d records stored, want the 20 the summary reports", n)
	}
	f.consistent(t)
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(25)), false)
	if err != nil || sum.Imported != 5 || sum.Unchanged != 20 {
		t.Errorf("the corrected file = %+v, %v; want 5 imported, 20 unchanged", sum, err)
	}
	if n := f.records(t); n != 25 {
		t.Errorf("%d records stored, want 25", n)
	}
	f.consistent(t)
}

// TestImportMemoryFollowsTheBatchNotTheFile: a file of five batches raises the heap
// no more than the ceiling and leaves it where it was.
func TestImportMemoryFollowsTheBatchNotTheFile(t *testing.T) {
	f := newReachFixtureWith(t, reachNow, nil, []reach.Option{reach.WithReachBatch(5000)})
	file := csvFile(25_000)
	idle := heapNow()
	stop := heapWatch()
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file), false)
	peak := stop()
	if err != nil || sum.Imported != 25_000 {
		t.Fatalf("import = %+v, %v", sum, err)
	}
	if grew := int64(peak) - int64(idle); grew > heapCeiling {
		t.Errorf("the heap grew by %d MiB during the import; the ceiling is %d MiB", grew>>20, heapCeiling>>20)
	}
	if after := heapNow(); int64(after)-int64(idle) > 16<<20 {
		t.Errorf("the heap is %d MiB above idle after the import", (int64(after)-int64(idle))>>20)
	}
	t.Logf("25,000 rows in batches of 5,000: heap peak +%d MiB", (int64(peak)-int64(idle))>>20)
}

func TestImportRowsAndTimeLimits(t *testing.T) {
	lim := campaigns.DefaultImportLimits()
	lim.Rows = 100
	f := newReachFixtureAt(t, reachNow, campaigns.WithImportLimits(lim))
	_, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(101)), false)
	var limit *loa.LimitError
	if !errors.As(err, &limit) || limit.Code != "too_many_rows" || !strings.Contains(limit.Message, "100") {
		t.Errorf("101 rows with a limit of 100: %v; want too_many_rows naming 100", err)
	}
	if sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(100)+"\n,,,\n"), false); err != nil || sum.Imported != 100 {
		t.Errorf("100 rows and a blank one with a limit of 100: %+v, %v", sum, err)
	}

	// The time limit: a service on the same database whose imports end at once.
	lim = campaigns.DefaultImportLimits()
	lim.Time = time.Nanosecond
	f = newReachFixture(t)
	hastyCore := campaigns.NewService(campaigns.NewStore(f.db), f.audit, reachNow, campaigns.WithImportLimits(lim))
	hasty := reach.NewService(hastyCore, reach.NewStore(f.db), f.audit, reachNow)
	for _, run := range []func() error{
		func() error {
			_, err := hasty.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(3000)), false)
			return err
		},
		func() error {
			_, err := hastyCore.ImportPopulations(f.ctx, loa.System, strings.NewReader("org_unit_code,group,year,count,source\n20575,students,2030,1,x\n"), false)
			return err
		},
	} {
		if err := run(); !errors.As(err, &limit) || limit.Code != "import_timeout" {
			t.Errorf("an import past its time: %v; want import_timeout", err)
		}
	}
	if n := f.records(t); n != 0 {
		t.Errorf("%d records stored by an import stopped before its first batch", n)
	}
	if ps, err := f.cs.Populations(f.ctx, loa.System, campaigns.PopulationFilter{Year: 2030}); err != nil || len(ps) != 0 {
		t.Errorf("denominators stored by an import past its time: %v, %v", ps, err)
	}
}

// TestImportSlots: while the gate's only slot is taken, an import is refused with
// a BusyError and writes nothing, whichever service imports; once it is free,
// imports run.
func TestImportSlots(t *testing.T) {
	gate := campaigns.NewImportGate(1)
	f := newReachFixtureAt(t, reachNow, campaigns.WithImportGate(gate))
	leave, err := gate.Enter()
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(2)), false)
	var busy *loa.BusyError
	if !errors.As(err, &busy) || !errors.Is(err, loa.ErrBusy) || busy.RetryAfter <= 0 {
		t.Errorf("an import while the only slot is taken: %v; want a BusyError with a delay", err)
	}
	_, err = f.cs.ImportOrgUnits(f.ctx, loa.System, strings.NewReader("code,name,type,level,parent_code\n"), false)
	if !errors.As(err, &busy) {
		t.Errorf("an org-unit import while the only slot is taken: %v; want a BusyError", err)
	}
	if n := f.records(t); n != 0 {
		t.Errorf("%d records stored by a refused import", n)
	}
	leave()
	if sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(2)), false); err != nil || sum.Imported != 2 {
		t.Errorf("an import once the slot is free: %+v, %v", sum, err)
	}
}

// TestReferenceImportsAreBounded: org-unit and denominator files are read by the
// same reader, with their own row bound.
func TestReferenceImportsAreBounded(t *testing.T) {
	f := newReachFixture(t)
	wide := "code,name,type,level,parent_code" + strings.Repeat(",x", 1_000_000) + "\n"
	_, err := f.cs.ImportOrgUnits(f.ctx, loa.System, strings.NewReader(wide), false)
	var limit *loa.LimitError
	if !errors.As(err, &limit) || limit.Code != "too_many_columns" {
		t.Errorf("an org-unit header of 1,000,000 columns: %v; want too_many_columns", err)
	}
	// Nothing of a reference file is written before all of it is read: a refusal
	// carries no summary.
	_, err = f.cs.ImportPopulations(f.ctx, loa.System, strings.NewReader("org_unit_code,group,year,count,source\n"+
		"20575,students,2031,1,x\n20575,officials,2031,1,x\n20575"+strings.Repeat(",1", 64)+"\n"), false)
	if !errors.As(err, &limit) || limit.Code != "too_many_columns" || limit.Summary != nil {
		t.Errorf("a denominator file refused at its third row: %v (summary %+v); want too_many_columns and no summary", err, limit)
	}
	if ps, err := f.cs.Populations(f.ctx, loa.System, campaigns.PopulationFilter{Year: 2031}); err != nil || len(ps) != 0 {
		t.Errorf("denominators stored by a refused file: %v, %v", ps, err)
	}
	var many strings.Builder
	many.WriteString("org_unit_code,group,year,count,source\n")
	for range 100_001 {
		many.WriteString("20575,students,2024,1,x\n")
	}
	_, err = f.cs.ImportPopulations(f.ctx, loa.System, strings.NewReader(many.String()), false)
	if !errors.As(err, &limit) || limit.Code != "too_many_rows" {
		t.Errorf("a denominator file of 100,001 rows: %v; want too_many_rows", err)
	}
}

// TestImportTellsItsProgress: the watched import tells, row after row, how many
// rows it has read and how much of a CSV file, ending at the file's rows and all
// of it.
func TestImportTellsItsProgress(t *testing.T) {
	f := newReachFixture(t)
	var seen []reach.ImportProgress
	sum, err := f.s.ImportReachWatched(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(csvFile(2500)), true,
		func(p reach.ImportProgress) { seen = append(seen, p) })
	if err != nil || sum.Read != 2500 {
		t.Fatalf("dry run = %+v, %v", sum, err)
	}
	if len(seen) != 2500 {
		t.Fatalf("progress told %d times, want once a row (2500)", len(seen))
	}
	for i, p := range seen {
		if p.Rows != i+1 {
			t.Fatalf("progress %d says %d rows read, want %d", i, p.Rows, i+1)
		}
		if i > 0 && p.Share < seen[i-1].Share {
			t.Fatalf("the share read went back from %v to %v at row %d", seen[i-1].Share, p.Share, i+1)
		}
	}
	if first, last := seen[0].Share, seen[len(seen)-1].Share; first <= 0 || first >= 0.5 || last != 1 {
		t.Errorf("share read from %v to %v; want from a little above 0 to 1", first, last)
	}
	if n := f.records(t); n != 0 {
		t.Errorf("%d records stored by a dry run", n)
	}
}
