package reach_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"loa/campaigns"
	"loa/campaigns/importtest"
)

// fuzzReachImport runs a reporter's dry-run import of each file on one fixture
// and checks its answer and that nothing was stored: as many records, rollups,
// journal and audit entries as before.
func fuzzReachImport(f *testing.F, file func(t *testing.T, args ...string) []byte) func(t *testing.T, args ...string) {
	fx := newReachFixture(f)
	counts := func(t *testing.T) (n [4]int64) {
		for i, c := range []string{"reach", "rollups", "reach_journal", "audit"} {
			var err error
			if n[i], err = fx.db.Collection(c).CountDocuments(fx.ctx, bson.M{}); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	return func(t *testing.T, args ...string) {
		data := file(t, args...)
		before := counts(t)
		sum, err := fx.s.ImportReach(fx.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(data), true)
		if err := importtest.CheckOutcome(sum, err); err != nil {
			t.Fatalf("import of %q: %v", data, err)
		}
		if after := counts(t); after != before {
			t.Fatalf("a dry run of %q changed the records, rollups, journal and audit counts from %v to %v", data, before, after)
		}
	}
}

// FuzzImportReachCSV: any bytes sent as a reach file.
func FuzzImportReachCSV(f *testing.F) {
	for _, seed := range []string{
		csvFile(3),
		sheetHeader + ",Minh chứng\n" + strings.Join(goodRow(0), ",") + ",=HYPERLINK(\"http://evil.example\")\n",
		"Báo cáo xã\n\n" + sheetHeader + "\n20575,Học sinh,2024-05-06,school_session,1,30,S-1\n",
		sheetHeader + "\n" + dienBanCommune + ",students,31/02/2024,school_session,-1,1e9,S-1\n",
	} {
		f.Add([]byte(seed))
	}
	check := fuzzReachImport(f, func(_ *testing.T, args ...string) []byte { return []byte(args[0]) })
	f.Fuzz(func(t *testing.T, file []byte) { check(t, string(file)) })
}

// FuzzImportReachXLSX: a workbook of any sheet rows and shared strings.
func FuzzImportReachXLSX(f *testing.F) {
	var rows bytes.Buffer
	goodSheet(2, noExtra)(&rows)
	f.Add(rows.String(), "")
	f.Add(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>7</v></c></row>`,
		`<si><t>Mã đơn vị</t></si><si><t>Nhóm đối tượng</t></si>`)
	f.Add(`<row r="1048576"><c r="XFD1048576"><f>SUM(A1:A2)</f><v>1</v></c></row>`, `<si><r><t>a</t></r></si>`)
	check := fuzzReachImport(f, func(t *testing.T, args ...string) []byte {
		var sst func(io.Writer)
		if args[1] != "" {
			sst = func(w io.Writer) { io.WriteString(w, args[1]) }
		}
		return workbook(t, "A1:H3", func(w io.Writer) { io.WriteString(w, args[0]) }, sst)
	})
	f.Fuzz(func(t *testing.T, sheet, sharedStrings string) { check(t, sheet, sharedStrings) })
}
