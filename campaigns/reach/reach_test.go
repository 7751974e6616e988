package reach_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"loa"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/report"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// reachNow is the clock of the reach tests: mid-way through the demo campaign.
var reachNow = func() time.Time { return time.Date(2024, 7, 20, 3, 0, 0, 0, time.UTC) }

// reachFixture is a service with the reference data and the demo campaign (no
// sample reach), and the audit log it writes to.
type reachFixture struct {
	ctx     context.Context
	cs      *campaigns.Service
	s       *reach.Service
	reports *report.Service
	db      *database.DB
	audit   *audit.Log
}

func newReachFixture(t testing.TB) reachFixture {
	return newReachFixtureAt(t, reachNow)
}

func newReachFixtureAt(t testing.TB, now func() time.Time, opts ...campaigns.Option) reachFixture {
	t.Helper()
	return newReachFixtureWith(t, now, opts, nil)
}

func newReachFixtureWith(t testing.TB, now func() time.Time, opts []campaigns.Option, reachOpts []reach.Option) reachFixture {
	t.Helper()
	db := dbtest.New(t, slices.Concat(database.Schema, campaigns.Schema, reach.Schema, report.Schema, audit.Schema))
	log := audit.New(audit.NewStore(db), now)
	cs := campaigns.NewService(campaigns.NewStore(db), log, now, opts...)
	ctx := context.Background()
	if err := cs.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cs.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	s := reach.NewService(cs, reach.NewStore(db), log, now, reachOpts...)
	return reachFixture{ctx: ctx, cs: cs, s: s, reports: report.NewService(cs, s, nil, report.NewStore(db), now), db: db, audit: log}
}

// district is a reporter's scope: Điện Bàn (507) and one of its communes.
var reporter = loa.Actor{Username: "reporter-dienban", Scope: "507"}

const dienBanCommune = "20575" // a commune of Điện Bàn

func (f reachFixture) count(t *testing.T) int {
	t.Helper()
	n, err := f.db.Collection("reach").CountDocuments(f.ctx, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (f reachFixture) consistent(t *testing.T) {
	t.Helper()
	diffs, err := f.s.CheckRollups(f.ctx, campaigns.DemoCampaignCode)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs[:min(len(diffs), 5)] {
		t.Errorf("rollups differ from the records: %s", d)
	}
}

// restart is a new service on f's database whose start must recompute the demo
// campaign's rollups; they then agree with the records.
func (f reachFixture) restart(t *testing.T) *reach.Service {
	t.Helper()
	restarted := reach.NewService(f.cs, reach.NewStore(f.db), f.audit, reachNow)
	rebuilt, err := restarted.RepairRollups(f.ctx)
	if err != nil || !slices.Contains(rebuilt, campaigns.DemoCampaignCode) {
		t.Fatalf("repair: %v, %v", rebuilt, err)
	}
	f.consistent(t)
	return restarted
}

func TestImportVietnameseHeadersAndIdempotence(t *testing.T) {
	f := newReachFixture(t)
	file := "\ufeffMã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số hiệu báo cáo\n" +
		dienBanCommune + ",students,15/03/2024,school_session,2,180,150,BC-01\n" +
		dienBanCommune + ",Học sinh, sinh viên,2024-04-02,Tuyên truyền trong trường học,1,90,,BC-02\n"
	// The second row names the group and the activity in Vietnamese; its group has a
	// comma, so it must be quoted to be one cell.
	file = strings.Replace(file, "Học sinh, sinh viên", `"Học sinh, sinh viên"`, 1)
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file), false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != "success" || sum.Read != 2 || sum.Imported != 2 || len(sum.Conflicts) != 0 {
		t.Fatalf("first import: %+v", sum)
	}
	r, err := f.s.ReachRecord(f.ctx, reporter, "PCMD-2024|"+dienBanCommune+"|students|2024-03-15|school_session|BC-01")
	if err != nil || r.PersonTimes != 180 || *r.UniquePersons != 150 || r.Activities != 2 {
		t.Fatalf("record of row 2: %+v, %v", r, err)
	}
	// The same file again changes nothing.
	sum, err = f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file), false)
	if err != nil || sum.Unchanged != 2 || sum.Imported+sum.Updated != 0 {
		t.Fatalf("re-import: %+v, %v", sum, err)
	}
	// A corrected file updates the corrected row only.
	corrected := strings.Replace(file, ",180,150,BC-01", ",200,160,BC-01", 1)
	sum, err = f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(corrected), false)
	if err != nil || sum.Updated != 1 || sum.Unchanged != 1 || sum.Imported != 0 {
		t.Fatalf("corrected import: %+v, %v", sum, err)
	}
	if r, _ = f.s.ReachRecord(f.ctx, reporter, r.ID); r.PersonTimes != 200 || *r.UniquePersons != 160 {
		t.Errorf("after the correction: %+v", r)
	}
	if n := f.count(t); n != 2 {
		t.Errorf("%d records stored, want 2", n)
	}
	f.consistent(t)
	// The update is audited with the fields it changed, before and after.
	entries, err := f.audit.List(f.ctx, audit.Query{Entity: "reach", Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].Action != "update" || entries[0].EntityID != r.ID || entries[0].Actor != reporter.Username {
		t.Fatalf("audit of the correction: %+v, %v", entries, err)
	}
	before, _ := json.Marshal(entries[0].Before)
	after, _ := json.Marshal(entries[0].After)
	if string(before) != `{"personTimes":180,"uniquePersons":150}` || string(after) != `{"personTimes":200,"uniquePersons":160}` {
		t.Errorf("the correction audited as %s → %s, want person-times 180 → 200 and persons 150 → 160", before, after)
	}
}

func TestImportBadRows(t *testing.T) {
	f := newReachFixture(t)
	header := "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số hiệu báo cáo\n"
	rows := []struct {
		row, field, code string
	}{
		{"99999,students,15/03/2024,school_session,1,10,,x", "Mã đơn vị", reach.CodeUnknownUnit},
		{"20335,students,15/03/2024,school_session,1,10,,x", "Mã đơn vị", reach.CodeOutsideScope}, // Tam Kỳ, not Điện Bàn
		{dienBanCommune + ",tourists,15/03/2024,school_session,1,10,,x", "Nhóm đối tượng", reach.CodeUnknownGroup},
		{dienBanCommune + ",students,15/03/2024,juggling,1,10,,x", "Hình thức", reach.CodeUnknownActivity},
		{dienBanCommune + ",students,31/02/2024,school_session,1,10,,x", "Ngày", reach.CodeBadDate},
		{dienBanCommune + ",students,15/03/2023,school_session,1,10,,x", "Ngày", reach.CodeOutsidePeriod},
		{dienBanCommune + ",students,15/08/2024,school_session,1,10,,x", "Ngày", reach.CodeFutureDate},
		{dienBanCommune + ",students,15/03/2024,school_session,1,-4,,x", "Số lượt người", reach.CodeNegative},
		{dienBanCommune + ",students,15/03/2024,school_session,1,12.5,,x", "Số lượt người", reach.CodeNotInteger},
		{dienBanCommune + ",students,15/03/2024,school_session,0,10,,x", "Số buổi", reach.CodeNoActivity},
		{dienBanCommune + ",students,15/03/2024,school_session,1,10,11,x", "Số người", reach.CodeUniqueOverTimes},
		{dienBanCommune + ",students,15/03/2024,school_session,1,=1+2,,x", "Số lượt người", reach.CodeNotInteger},
		{dienBanCommune + ",students,15/03/2024,school_session,1,1.000,,x", "Số lượt người", reach.CodeNotInteger},
		{dienBanCommune + ",students,15/03/2024,school_session,1,10,,good", "", ""},
		{dienBanCommune + ",students,15/03/2024,school_session,1,12,,good", "Mã đơn vị", reach.CodeDuplicateRow},
	}
	var b strings.Builder
	b.WriteString(header)
	for _, r := range rows {
		b.WriteString(r.row + "\n")
	}
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(b.String()), false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != "warning" || sum.Read != len(rows) || sum.Imported != 1 || sum.Ignored != len(rows)-1 {
		t.Errorf("summary: %+v", sum)
	}
	for i, r := range rows {
		n := i + 2
		var got []loa.Conflict
		for _, c := range sum.Conflicts {
			if c.Row == n {
				got = append(got, c)
			}
		}
		if r.code == "" {
			if len(got) != 0 {
				t.Errorf("row %d: conflicts %+v, want none", n, got)
			}
			continue
		}
		if !slices.ContainsFunc(got, func(c loa.Conflict) bool { return c.Field == r.field && c.Code == r.code && c.Message != "" }) {
			t.Errorf("row %d (%s): conflicts %+v, want %s on %q", n, r.row, got, r.code, r.field)
		}
	}
	if n := f.count(t); n != 1 {
		t.Errorf("%d records stored, want only the good row", n)
	}
	f.consistent(t)
}

func TestImportRefusesFiles(t *testing.T) {
	f := newReachFixture(t)
	tests := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"binary", []byte{0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe}, loa.ErrUnsupportedFile, "CSV"},
		{"missing columns", []byte("Mã đơn vị,Ngày\n20575,15/03/2024\n"), loa.ErrInvalid, `"Nhóm đối tượng" (group)`},
		{"empty", nil, loa.ErrInvalid, "empty"},
		{"broken zip", []byte("PK\x03\x04garbage"), loa.ErrUnsupportedFile, "XLSX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(tt.data), false)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %v, want %v mentioning %q", err, tt.want, tt.text)
			}
		})
	}
	if n := f.count(t); n != 0 {
		t.Errorf("%d records stored after refused files", n)
	}
}

func TestImportXLSXReadsFormulasAsValuesAndDateCells(t *testing.T) {
	f := newReachFixture(t)
	x := excelize.NewFile()
	for i, v := range []any{"Mã đơn vị", "Nhóm đối tượng", "Ngày", "Hình thức", "Số buổi", "Số lượt người", "Số hiệu báo cáo"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue("Sheet1", cell, v)
	}
	rows := [][]any{
		{dienBanCommune, "students", "2024-05-06", "school_session", 1, nil, "X-1"},
		{dienBanCommune, "students", time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), "school_session", 1, 7, "X-2"},
	}
	for i, row := range rows {
		if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	// Formulas are never evaluated: one with no stored result is an empty cell, so
	// its row is refused; one whose stored result is 7 counts 7, not 1+2.
	for _, cell := range []string{"F2", "F3"} {
		if err := x.SetCellFormula("Sheet1", cell, "1+2"); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(b.Bytes()), true)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.DryRun || sum.Imported != 1 || sum.Ignored != 1 || sum.Conflicts[0].Row != 2 || sum.Conflicts[0].Field != "Số lượt người" {
		t.Errorf("dry run of the workbook: %+v", sum)
	}
	if n := f.count(t); n != 0 {
		t.Errorf("a dry run stored %d records", n)
	}
	sum, err = f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, bytes.NewReader(b.Bytes()), false)
	if err != nil || sum.Imported != 1 {
		t.Fatalf("import: %+v, %v", sum, err)
	}
	// The date cell (a serial number in the file) reads as 6 May 2024.
	r, err := f.s.ReachRecord(f.ctx, reporter, "PCMD-2024|"+dienBanCommune+"|students|2024-05-06|school_session|X-2")
	if err != nil || r.PersonTimes != 7 {
		t.Errorf("the row with the date cell: %+v, %v", r, err)
	}
}

func TestPutReachRefusesBadInputAndWritesNothing(t *testing.T) {
	f := newReachFixture(t)
	valid := func() reach.Reach {
		return reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: dienBanCommune, Group: "students",
			Date: "2024-03-15", Activity: "school_session", Activities: 1, PersonTimes: 30}
	}
	five := int64(5)
	tests := []struct {
		name   string
		change func(r *reach.Reach)
		want   error
		field  string
	}{
		{"unknown campaign", func(r *reach.Reach) { r.Campaign = "NOPE" }, loa.ErrInvalid, "campaign"},
		{"unknown unit", func(r *reach.Reach) { r.OrgUnit = "1" }, loa.ErrInvalid, "orgUnit"},
		{"outside scope", func(r *reach.Reach) { r.OrgUnit = "20335" }, loa.ErrOutsideScope, ""},
		{"unknown group", func(r *reach.Reach) { r.Group = "x" }, loa.ErrInvalid, "group"},
		{"unknown activity", func(r *reach.Reach) { r.Activity = "x" }, loa.ErrInvalid, "activity"},
		{"future", func(r *reach.Reach) { r.Date = "2024-07-21" }, loa.ErrInvalid, "date"},
		{"before the campaign", func(r *reach.Reach) { r.Date = "2023-12-31" }, loa.ErrInvalid, "date"},
		{"no activity", func(r *reach.Reach) { r.Activities = 0 }, loa.ErrInvalid, "activities"},
		{"negative", func(r *reach.Reach) { r.PersonTimes = -1 }, loa.ErrInvalid, "personTimes"},
		{"unique over times", func(r *reach.Reach) { r.PersonTimes = 4; r.UniquePersons = &five }, loa.ErrInvalid, "uniquePersons"},
		{"unique on a broadcast", func(r *reach.Reach) { r.Activity = "broadcast"; r.UniquePersons = &five }, loa.ErrInvalid, "uniquePersons"},
		{"reserved reference", func(r *reach.Reach) { r.SourceRef = "airing:x" }, loa.ErrInvalid, "sourceRef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(&r)
			_, _, err := f.s.PutReach(f.ctx, reporter, r)
			var v *loa.ValidationError
			if !errors.Is(err, tt.want) || (tt.field != "" && (!errors.As(err, &v) || v.Details[0].Field != tt.field)) {
				t.Errorf("error %v, want %v on %q", err, tt.want, tt.field)
			}
		})
	}
	if n := f.count(t); n != 0 {
		t.Errorf("%d records stored after refused writes", n)
	}
	if _, created, err := f.s.PutReach(f.ctx, reporter, valid()); err != nil || !created {
		t.Errorf("the valid record: created %v, %v", created, err)
	}
}

// TestRollupsFollowEveryWrite writes, rewrites and deletes records in a random
// order, then compares the rollups with a recomputation from the records.
func TestRollupsFollowEveryWrite(t *testing.T) {
	f := newReachFixture(t)
	rng := rand.New(rand.NewPCG(1, 2))
	units := []string{dienBanCommune, "20578", "20581", "507"}
	groups := []string{"students", "general_public", "women_girls"}
	var ids []string
	for i := range 150 {
		if i == 75 {
			// From here on the rollups are in memory and follow the writes there.
			if _, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{}); err != nil {
				t.Fatal(err)
			}
		}
		switch op := rng.IntN(10); {
		case op < 6 || len(ids) == 0:
			r := reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: units[rng.IntN(len(units))],
				Group: groups[rng.IntN(len(groups))], Date: loa.Date(fmt.Sprintf("2024-%02d-%02d", 1+rng.IntN(6), 1+rng.IntN(28))),
				Activity: "direct_session", Activities: 1 + rng.IntN(3), PersonTimes: int64(rng.IntN(200)),
				Estimated: rng.IntN(4) == 0, SourceRef: fmt.Sprintf("R%d", rng.IntN(40))}
			if !r.Estimated && rng.IntN(2) == 0 {
				u := r.PersonTimes / 2
				r.UniquePersons = &u
			}
			out, _, err := f.s.PutReach(f.ctx, reporter, r)
			if err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
			ids = append(ids, out.ID)
		case op < 8:
			id := ids[rng.IntN(len(ids))]
			r, err := f.s.ReachRecord(f.ctx, reporter, id)
			if errors.Is(err, loa.ErrNotFound) {
				continue
			}
			r.PersonTimes += int64(rng.IntN(50))
			if _, _, err := f.s.PutReach(f.ctx, reporter, r); err != nil {
				t.Fatalf("rewrite %d: %v", i, err)
			}
		default:
			id := ids[rng.IntN(len(ids))]
			if err := f.s.DeleteReach(f.ctx, reporter, id); err != nil && !errors.Is(err, loa.ErrNotFound) {
				t.Fatalf("delete %d: %v", i, err)
			}
		}
	}
	f.consistent(t)
	// The report from the rollups in memory equals the one after a rebuild from the
	// records.
	before, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RebuildRollups(f.ctx, campaigns.DemoCampaignCode); err != nil {
		t.Fatal(err)
	}
	after, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{})
	if err != nil {
		t.Fatal(err)
	}
	before.GeneratedAt, after.GeneratedAt = time.Time{}, time.Time{}
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Errorf("the report from the rollups in memory\n%s\ndiffers from the one after a rebuild\n%s", b1, b2)
	}
	if len(before.Groups) == 0 || before.Groups[0].Activities == 0 {
		t.Errorf("the report counts nothing: %+v", before.Groups)
	}
}

// TestRepairAfterAnInterruptedWrite leaves a journal entry open, as a crash between
// the records and the rollups would, and checks the next start recomputes.
func TestRepairAfterAnInterruptedWrite(t *testing.T) {
	f := newReachFixture(t)
	if _, _, err := f.s.PutReach(f.ctx, reporter, reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: dienBanCommune,
		Group: "students", Date: "2024-03-15", Activity: "school_session", Activities: 1, PersonTimes: 30}); err != nil {
		t.Fatal(err)
	}
	// The crash: the rollups lost their cells, and the journal says a write was on.
	if _, err := f.db.Collection("rollups").DeleteMany(f.ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("reach_journal").InsertOne(f.ctx, map[string]any{"_id": "crash", "campaigns": []string{campaigns.DemoCampaignCode}}); err != nil {
		t.Fatal(err)
	}
	restarted := f.restart(t)
	if rebuilt, _ := restarted.RepairRollups(f.ctx); len(rebuilt) != 0 {
		t.Errorf("a second start recomputed %v again", rebuilt)
	}
}

// crashingStore stops a write of records after they are stored, as a kill would:
// the rollups and the audit trail never hear of it. The first `after` writes go
// through.
type crashingStore struct {
	*reach.MongoStore
	after, writes int
}

func (s *crashingStore) IncRollups(ctx context.Context, campaign string, cutoff int, cells map[reach.CellKey]reach.Cell) error {
	if s.writes++; s.writes > s.after {
		return errors.New("killed")
	}
	return s.MongoStore.IncRollups(ctx, campaign, cutoff, cells)
}

// halfWrittenRollups stops a write of rollups part-way, as a kill would: the
// first half-month documents of the write are stored, the others never are.
type halfWrittenRollups struct {
	*reach.MongoStore
	crashed bool
}

func (s *halfWrittenRollups) IncRollups(ctx context.Context, campaign string, cutoff int, cells map[reach.CellKey]reach.Cell) error {
	var months []string
	for k := range cells {
		if !slices.Contains(months, k.Month) {
			months = append(months, k.Month)
		}
	}
	slices.Sort(months)
	some := map[reach.CellKey]reach.Cell{}
	for k, c := range cells {
		if k.Month <= months[len(months)/2] {
			some[k] = c
		}
	}
	if err := s.MongoStore.IncRollups(ctx, campaign, cutoff, some); err != nil {
		return err
	}
	s.crashed = true
	return errors.New("killed")
}

// TestRollupsHalfWrittenAreRecomputed: an import killed while its rollups were
// being written (some half-months stored, the others not) leaves them differing
// from the records; the next start recomputes them, and the packed rollups then
// read back exactly as the records add up, in the store and in a new process's
// report.
func TestRollupsHalfWrittenAreRecomputed(t *testing.T) {
	f := newReachFixture(t)
	crash := &halfWrittenRollups{MongoStore: reach.NewStore(f.db)}
	s := reach.NewService(f.cs, crash, f.audit, reachNow)
	var file strings.Builder
	file.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số hiệu báo cáo\n")
	for i := range 300 {
		fmt.Fprintf(&file, "%s,%s,%02d/%02d/2024,school_session,1,%d,%d,%d/BC-UBND\n", []string{dienBanCommune, "20578", "507"}[i%3],
			[]string{"students", "women_girls"}[i%2], 1+i%28, 1+i%6, 20+i, 10+i%7, i)
	}
	if _, err := s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file.String()), false); err == nil || !crash.crashed {
		t.Fatalf("the import went through the crash: %v", err)
	}
	if diffs, err := f.s.CheckRollups(f.ctx, campaigns.DemoCampaignCode); err != nil || len(diffs) == 0 {
		t.Fatalf("after the crash the rollups agree with the records (%v): the crash is not real", err)
	}
	restarted := f.restart(t)
	fresh := func() report.Report {
		r, err := report.NewService(f.cs, reach.NewService(f.cs, reach.NewStore(f.db), f.audit, reachNow), nil, report.NewStore(f.db), reachNow).
			Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{})
		if err != nil {
			t.Fatal(err)
		}
		r.GeneratedAt = time.Time{}
		return r
	}
	before := fresh()
	// A second import of the same file finds everything stored and changes nothing.
	if sum, err := restarted.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file.String()), false); err != nil || sum.Unchanged != 300 {
		t.Fatalf("re-import: %+v, %v", sum, err)
	}
	if err := restarted.RebuildRollups(f.ctx, campaigns.DemoCampaignCode); err != nil {
		t.Fatal(err)
	}
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(fresh())
	if string(b1) != string(b2) {
		t.Errorf("the report from the repaired rollups\n%s\ndiffers from the one after a rebuild\n%s", b1, b2)
	}
	if before.Groups[0].PersonTimes.N == 0 {
		t.Errorf("the report counts nothing: %+v", before.Groups)
	}
}

// TestRollupsOfAnEarlierFormatAreRecomputed: rollups stored as versions before the
// packed form stored them (a sub-document per cell) are recomputed at the next
// start, and read back as the records add up.
func TestRollupsOfAnEarlierFormatAreRecomputed(t *testing.T) {
	f := newReachFixture(t)
	if _, err := f.s.RepairRollups(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.PutReach(f.ctx, reporter, reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: dienBanCommune,
		Group: "students", Date: "2024-03-15", Activity: "school_session", Activities: 1, PersonTimes: 30}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("rollups").DeleteMany(f.ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	old := map[string]any{"_id": "PCMD-2024|2024-03|2", "campaign": "PCMD-2024", "month": "2024-03", "part": 2, "cutoff": 15,
		"cells": map[string]any{dienBanCommune + "|students|school_session": map[string]any{"n": int64(1), "a": int64(1), "p": int64(30)}}}
	if _, err := f.db.Collection("rollups").InsertOne(f.ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("campaigns_meta").ReplaceOne(f.ctx, map[string]any{"_id": "rollups|cutoff"},
		map[string]any{"_id": "rollups|cutoff", "day": 15}); err != nil {
		t.Fatal(err)
	}
	restarted := f.restart(t)
	cells, err := restarted.Cells(f.ctx, campaigns.DemoCampaignCode)
	if err != nil || cells.Len() != 1 {
		t.Fatalf("%d cells after the repair, want 1: %v", cells.Len(), err)
	}
	if rebuilt, _ := restarted.RepairRollups(f.ctx); len(rebuilt) != 0 {
		t.Errorf("a second start recomputed %v again", rebuilt)
	}
}

// TestCrashedImportIsAttributed kills an import in its second batch, after that
// batch's records are stored and before its rollups and audit entry: at the next
// start every record of the file that is stored is attributed to the reporter who
// imported it, under the import's name, and the rollups agree with the records.
func TestCrashedImportIsAttributed(t *testing.T) {
	f := newReachFixture(t)
	crash := &crashingStore{MongoStore: reach.NewStore(f.db), after: 1}
	s := reach.NewService(f.cs, crash, f.audit, reachNow, reach.WithReachBatch(40))
	var file strings.Builder
	file.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số hiệu báo cáo\n")
	for i := range 100 {
		fmt.Fprintf(&file, "%s,students,%02d/%02d/2024,school_session,1,30,%d/BC-UBND\n", dienBanCommune, 1+i%28, 1+i%6, i)
	}
	if _, err := s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file.String()), false); err == nil {
		t.Fatal("the import went through the crash")
	}
	var stored []string
	if err := reach.NewStore(f.db).EachReach(f.ctx, campaigns.DemoCampaignCode, func(r reach.Reach) { stored = append(stored, r.ID) }); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 80 {
		t.Fatalf("%d records stored at the crash, want the two batches of 40 written", len(stored))
	}
	type importAfter struct {
		Import                     string
		Created, Stored, NotStored []string
	}
	attributed := func() (map[string]string, []audit.Entry, []importAfter) {
		entries, err := f.audit.List(f.ctx, audit.Query{Entity: "reach_import"})
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]string{}
		afters := make([]importAfter, len(entries))
		for i, e := range entries {
			b, _ := json.Marshal(e.After)
			if err := json.Unmarshal(b, &afters[i]); err != nil {
				t.Fatal(err)
			}
			for _, k := range slices.Concat(afters[i].Created, afters[i].Stored) {
				by[k] = e.Actor
			}
		}
		return by, entries, afters
	}
	if by, _, _ := attributed(); len(by) != 40 {
		t.Fatalf("before the restart %d records are attributed, want the first batch's 40 (the crash is real)", len(by))
	}

	restarted := reach.NewService(f.cs, reach.NewStore(f.db), f.audit, reachNow)
	if _, err := restarted.RepairRollups(f.ctx); err != nil {
		t.Fatal(err)
	}
	by, entries, afters := attributed()
	for _, id := range stored {
		if by[id] != reporter.Username {
			t.Errorf("record %s is attributed to %q, want %s", id, by[id], reporter.Username)
		}
	}
	// One clock instant for both entries: their order in the trail is not fixed.
	i := slices.IndexFunc(entries, func(e audit.Entry) bool { return e.Action == "interrupted" })
	if len(entries) != 2 || i < 0 || entries[1-i].Action != "create" || entries[i].EntityID != afters[1-i].Import ||
		afters[i].Import != afters[1-i].Import {
		t.Fatalf("import entries = %+v, want the first batch's and the interrupted one, naming one import", entries)
	}
	if len(afters[i].Stored) != 40 || len(afters[i].NotStored) != 0 {
		t.Errorf("the interrupted batch lists %d records stored and %d not, want 40 and none (the crash came after they were)",
			len(afters[i].Stored), len(afters[i].NotStored))
	}
	f.consistent(t)
	if _, err := restarted.RepairRollups(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, again, _ := attributed(); len(again) != 2 {
		t.Errorf("a second start attributed the records again: %d entries", len(again))
	}
}

func TestReachTemplate(t *testing.T) {
	f := newReachFixture(t)
	csv, err := f.s.ReachTemplate(f.ctx, "csv")
	if err != nil || !strings.HasPrefix(string(csv), "\ufeffMã kế hoạch,Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người") {
		t.Errorf("CSV template %q, %v", csv, err)
	}
	data, err := f.s.ReachTemplate(f.ctx, "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := x.GetSheetList(); !slices.Equal(got, []string{"Số liệu", "Hướng dẫn"}) {
		t.Errorf("sheets %v", got)
	}
	if v, _ := x.GetCellValue("Số liệu", "B1"); v != "Mã đơn vị" {
		t.Errorf("B1 = %q", v)
	}
	// The template imports as it is (no rows) and a filled copy imports.
	if err := x.SetSheetRow("Số liệu", "A2", &[]any{"PCMD-2024", dienBanCommune, "students", "01/03/2024", "school_session", 1, 25}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	if sum, err := f.s.ImportReach(f.ctx, reporter, "", bytes.NewReader(b.Bytes()), false); err != nil || sum.Imported != 1 {
		t.Errorf("the filled template: %+v, %v", sum, err)
	}
	if _, err := f.s.ReachTemplate(f.ctx, "pdf"); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("a pdf template: %v", err)
	}
}

// TestDemoReach loads the sample year twice (the second load adds nothing) and
// checks the report shows a mix of statuses, from consistent rollups.
func TestDemoReach(t *testing.T) {
	f := newReachFixtureAt(t, func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) })
	for range 2 {
		if err := f.s.LoadDemoReach(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	n, err := f.db.Collection("reach").CountDocuments(f.ctx, map[string]any{})
	if err != nil || n < 1000 {
		t.Fatalf("%d reach buckets after the demo, %v", n, err)
	}
	f.consistent(t)
	page, err := f.s.ListReach(f.ctx, loa.System, reach.ReachFilter{Campaign: campaigns.DemoCampaignCode}, "", 20)
	if err != nil || len(page) != 20 {
		t.Fatalf("first page of the sample: %d records, %v", len(page), err)
	}
	for _, r := range page {
		if !strings.Contains(r.Evidence, "sample") || !strings.HasPrefix(r.SourceRef, "MAU-2024-") {
			t.Errorf("record %s is not labelled as a sample: %q %q", r.ID, r.SourceRef, r.Evidence)
		}
	}
	r, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{AsOf: "2024-09-30"})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]bool{}
	for _, in := range r.Indicators {
		statuses[in.Status] = true
	}
	// Mid-year nothing of the demo is settled yet (issue 16: met only when later
	// data cannot undo it); the missed press month cannot be made up.
	for _, want := range []string{report.StatusOnTrack, report.StatusAtRisk, report.StatusCannotMeet} {
		if !statuses[want] {
			t.Errorf("the demo report at 30/09/2024 has no %s indicator: %v", want, statuses)
		}
	}
	end, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{AsOf: "2024-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(end.Indicators, func(r report.Result) bool { return r.Status == report.StatusMet }) {
		t.Error("the demo report at 31/12/2024 has no met indicator")
	}
	if len(r.Lagging) == 0 {
		t.Error("the demo report names no lagging unit")
	}
}

// TestListReachPages walks a scope's records page by page: every record once, in
// order, and nothing outside the scope.
func TestListReachPages(t *testing.T) {
	f := newReachFixture(t)
	file := "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số hiệu báo cáo\n"
	for i, unit := range []string{dienBanCommune, "20578", "507", "20335"} {
		for d := range 5 {
			file += fmt.Sprintf("%s,students,%02d/0%d/2024,school_session,1,%d,P%d\n", unit, 1+d, 1+d%3, 10+i, d)
		}
	}
	admin := loa.Actor{Username: "admin", Scope: "49"}
	if sum, err := f.s.ImportReach(f.ctx, admin, campaigns.DemoCampaignCode, strings.NewReader(file), false); err != nil || sum.Imported != 20 {
		t.Fatalf("import: %+v, %v", sum, err)
	}
	var seen []string
	after := ""
	for range 10 {
		page, err := f.s.ListReach(f.ctx, reporter, reach.ReachFilter{Campaign: campaigns.DemoCampaignCode}, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			seen = append(seen, r.ID)
		}
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	distinct := map[string]bool{}
	for _, id := range seen {
		distinct[id] = true
	}
	if len(seen) != 15 || len(distinct) != 15 {
		t.Errorf("reporter of 507 paged through %d records (%v), want the 15 of Điện Bàn once each", len(seen), seen)
	}
	for _, id := range seen {
		if strings.Contains(id, "|20335|") {
			t.Errorf("record %s of Tam Kỳ listed for a reporter of Điện Bàn", id)
		}
	}
	if _, err := f.s.ListReach(f.ctx, reporter, reach.ReachFilter{Campaign: campaigns.DemoCampaignCode, Scope: "502"}, "", 4); !errors.Is(err, loa.ErrOutsideScope) {
		t.Errorf("listing Tam Kỳ as a reporter of Điện Bàn: %v", err)
	}
}

// TestRecordsOfAnEarlierVersionMoveIntoBuckets stores a record as the previous
// version did (a document of its own) and checks the next start moves it.
func TestRecordsOfAnEarlierVersionMoveIntoBuckets(t *testing.T) {
	f := newReachFixture(t)
	id := "PCMD-2024|" + dienBanCommune + "|general_public|2024-02-03|broadcast|airing:R1.LOA-20575.20240203T000000Z"
	old := map[string]any{"_id": id, "campaign": "PCMD-2024", "orgUnit": dienBanCommune, "group": "general_public",
		"date": "2024-02-03", "activity": "broadcast", "activities": 1, "personTimes": int64(900), "uniquePersons": nil,
		"estimated": true, "sourceRef": "airing:R1.LOA-20575.20240203T000000Z", "evidence": "xác nhận của đài",
		"airing": "R1.LOA-20575.20240203T000000Z", "updatedAt": time.Date(2024, 2, 3, 1, 0, 0, 0, time.UTC)}
	if _, err := f.db.Collection("reach").InsertOne(f.ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RepairRollups(f.ctx); err != nil {
		t.Fatal(err)
	}
	r, err := f.s.ReachRecord(f.ctx, loa.System, id)
	if err != nil || r.PersonTimes != 900 || !r.Estimated || r.Airing != "R1.LOA-20575.20240203T000000Z" {
		t.Fatalf("the moved record: %+v, %v", r, err)
	}
	if n := f.count(t); n != 1 {
		t.Errorf("%d documents in reach, want the one bucket", n)
	}
	f.consistent(t)
}

// TestBucketsOfAnEarlierFormatAreRead: a bucket stored as versions before the
// packed form stored it (one string a record) is read, listed and counted as it
// was, and written back packed when one of its records changes.
func TestBucketsOfAnEarlierFormatAreRead(t *testing.T) {
	f := newReachFixture(t)
	old := map[string]any{"_id": "PCMD-2024|" + dienBanCommune + "|2024-03", "campaign": "PCMD-2024", "orgUnit": dienBanCommune,
		"month": "2024-03", "rev": int64(3), "records": []string{
			`["students","2024-03-15","school_session","BC-1",1,30,20,false,"",""]`,
			`["women_girls","2024-03-20","direct_session","BC-2",2,45,null,true,"ảnh",""]`,
		}}
	if _, err := f.db.Collection("reach").InsertOne(f.ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Collection("reach_buckets").InsertOne(f.ctx, map[string]any{"_id": "PCMD-2024", "buckets": []string{old["_id"].(string)}}); err != nil {
		t.Fatal(err)
	}
	if rebuilt, err := f.s.RepairRollups(f.ctx); err != nil || len(rebuilt) != 1 {
		t.Fatalf("first start: rebuilt %v, %v", rebuilt, err)
	}
	f.consistent(t)
	list, err := f.s.ListReach(f.ctx, reporter, reach.ReachFilter{Campaign: campaigns.DemoCampaignCode}, "", 10)
	if err != nil || len(list) != 2 || list[0].PersonTimes != 30 || *list[0].UniquePersons != 20 || list[1].UniquePersons != nil ||
		!list[1].Estimated || list[1].Evidence != "ảnh" {
		t.Fatalf("the records of the earlier bucket: %+v, %v", list, err)
	}
	r := list[1]
	r.PersonTimes = 50
	if _, created, err := f.s.PutReach(f.ctx, reporter, r); err != nil || created {
		t.Fatalf("correct a record: created %v, %v", created, err)
	}
	var stored struct {
		Rev     int64    `bson:"rev"`
		Packed  []byte   `bson:"packed"`
		Records []string `bson:"records"`
	}
	if err := f.db.Collection("reach").FindOne(f.ctx, map[string]any{"_id": old["_id"]}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	if stored.Rev != 4 || len(stored.Records) != 0 || strings.Count(string(stored.Packed), "\n") != 1 || !strings.Contains(string(stored.Packed), `"BC-2",2,50,`) {
		t.Errorf("the bucket written back: rev %d, records %q, packed %q; want rev 4, the two records packed", stored.Rev, stored.Records, stored.Packed)
	}
	f.consistent(t)
	if n := f.count(t); n != 1 {
		t.Errorf("%d documents in reach, want the one bucket", n)
	}
}

// TestAiringRecordsFollowTheirAiring: a record Loa derived from an airing cannot be
// deleted by hand (only the airing's confirmation changes it).
func TestAiringRecordsFollowTheirAiring(t *testing.T) {
	f := newReachFixture(t)
	r := reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: dienBanCommune, Group: "general_public", Date: "2024-02-03",
		Activity: reach.ActivityBroadcast, Activities: 1, PersonTimes: 900, Estimated: true,
		SourceRef: "airing:R1.LOA-20575.20240203T000000Z", Airing: "R1.LOA-20575.20240203T000000Z"}
	id := reach.ReachKey(r)
	if _, _, err := f.s.SyncReach(f.ctx, loa.System, id, &r); err != nil {
		t.Fatal(err)
	}
	if err := f.s.DeleteReach(f.ctx, reporter, id); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("deleting the record of an airing: %v, want a conflict", err)
	}
	if _, err := f.s.ReachRecord(f.ctx, reporter, id); err != nil {
		t.Errorf("the record of the airing after a refused delete: %v", err)
	}
}

// TestBucketIndexRebuilt: lists read the campaign's index of buckets; a rebuild
// recomputes it when a crash left it behind the records.
func TestBucketIndexRebuilt(t *testing.T) {
	f := newReachFixture(t)
	if _, _, err := f.s.PutReach(f.ctx, reporter, reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: dienBanCommune,
		Group: "students", Date: "2024-03-15", Activity: "school_session", Activities: 1, PersonTimes: 30}); err != nil {
		t.Fatal(err)
	}
	list := func() int {
		page, err := f.s.ListReach(f.ctx, reporter, reach.ReachFilter{Campaign: campaigns.DemoCampaignCode}, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(page)
	}
	if n := list(); n != 1 {
		t.Fatalf("%d records listed, want 1", n)
	}
	if _, err := f.db.Collection("reach_buckets").DeleteMany(f.ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if n := list(); n != 0 {
		t.Fatalf("%d records listed without the index, want 0 (lists read the index)", n)
	}
	if err := f.s.RebuildRollups(f.ctx, campaigns.DemoCampaignCode); err != nil {
		t.Fatal(err)
	}
	if n := list(); n != 1 {
		t.Errorf("%d records listed after the rebuild, want 1", n)
	}
}

// reportDuringBump is the store of a service whose rollup version bumps wait until
// a report has started in another goroutine: the report reads the rollups while a
// write is between adding its cells and bumping the version.
type reportDuringBump struct {
	*reach.MongoStore
	during func()
}

func (s reportDuringBump) BumpRollups(ctx context.Context, campaign string) (int64, error) {
	if s.during != nil {
		s.during()
	}
	return s.MongoStore.BumpRollups(ctx, campaign)
}

// TestReportDuringAWriteCountsItOnce: a report that reads the rollups while a write
// is adding to them must not leave the copy in memory counting the write twice.
func TestReportDuringAWriteCountsItOnce(t *testing.T) {
	f := newReachFixture(t)
	store := reportDuringBump{MongoStore: reach.NewStore(f.db)}
	s := reach.NewService(f.cs, store, f.audit, reachNow)
	if _, err := s.RepairRollups(f.ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	store.during = func() {
		go func() {
			_, err := report.NewService(f.cs, s, nil, report.NewStore(f.db), reachNow).Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{})
			done <- err
		}()
		time.Sleep(100 * time.Millisecond) // let the report read the version and wait for the rollups
	}
	s = reach.NewService(f.cs, store, f.audit, reachNow)
	if _, _, err := s.PutReach(f.ctx, reporter, reach.Reach{Campaign: campaigns.DemoCampaignCode, OrgUnit: dienBanCommune,
		Group: "students", Date: "2024-03-15", Activity: "school_session", Activities: 1, PersonTimes: 30}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	students := func(s *reach.Service) int64 {
		r, err := report.NewService(f.cs, s, nil, report.NewStore(f.db), reachNow).Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range r.Groups {
			if g.Group == "students" {
				return g.PersonTimes.N
			}
		}
		return -1
	}
	if got, fresh := students(s), students(reach.NewService(f.cs, reach.NewStore(f.db), f.audit, reachNow)); got != 30 || fresh != 30 {
		t.Errorf("students' person-times: %d from the service that wrote, %d from a fresh one; want 30", got, fresh)
	}
}

// TestImportFirstTimePersons: the column "Số người lần đầu" is read, kept with the
// record and its rollup, refused above "Số người" or without it; and coverage
// counts first-time persons where they are given (issue 16).
func TestImportFirstTimePersons(t *testing.T) {
	f := newReachFixture(t)
	file := "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số người lần đầu,Số hiệu báo cáo\n" +
		dienBanCommune + ",service_workers,15/03/2024,workplace_session,1,40,40,40,LD-01\n" +
		dienBanCommune + ",service_workers,15/04/2024,workplace_session,1,40,40,10,LD-02\n" +
		dienBanCommune + ",service_workers,16/04/2024,workplace_session,1,40,30,31,LD-03\n" +
		dienBanCommune + ",service_workers,17/04/2024,workplace_session,1,40,,5,LD-04\n"
	sum, err := f.s.ImportReach(f.ctx, reporter, campaigns.DemoCampaignCode, strings.NewReader(file), false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 2 || len(sum.Conflicts) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	for i, c := range sum.Conflicts {
		if c.Row != i+4 || c.Field != "Số người lần đầu" || c.Code != reach.CodeFirstTimeOver {
			t.Errorf("conflict %+v, want row %d on Số người lần đầu, %s", c, i+4, reach.CodeFirstTimeOver)
		}
	}
	r, err := f.s.ReachRecord(f.ctx, reporter, "PCMD-2024|"+dienBanCommune+"|service_workers|2024-04-15|workplace_session|LD-02")
	if err != nil || r.FirstTimePersons == nil || *r.FirstTimePersons != 10 {
		t.Fatalf("record LD-02: %+v, %v", r, err)
	}
	f.consistent(t)
	rep, err := f.reports.Report(f.ctx, loa.System, campaigns.DemoCampaignCode, report.ReportQuery{AsOf: "2024-06-30", Scope: dienBanCommune})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range rep.Indicators {
		if in.Indicator == "service-workers-reached" && (in.UncappedNumerator == nil || in.UncappedNumerator.N != 50 || in.UpperBound) {
			t.Errorf("service workers reached in the commune: %+v (upper bound %v), want 40 + 10 first-time persons", in.UncappedNumerator, in.UpperBound)
		}
	}
}
