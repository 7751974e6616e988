package campaigns_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"loa"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var fixedNow = func() time.Time { return time.Date(2024, 3, 15, 9, 0, 0, 0, time.UTC) }

// newService returns a service on a fresh database, with the province loaded when
// reference is true.
func newService(t *testing.T, reference bool) *campaigns.Service {
	t.Helper()
	s, _ := newServiceDB(t, reference)
	return s
}

// newServiceDB is newService and its database.
func newServiceDB(tb testing.TB, reference bool) (*campaigns.Service, *database.DB) {
	tb.Helper()
	db := dbtest.New(tb, slices.Concat(database.Schema, campaigns.Schema, audit.Schema))
	s := campaigns.NewService(campaigns.NewStore(db), audit.New(audit.NewStore(db), fixedNow), fixedNow)
	if reference {
		if err := s.LoadReference(context.Background()); err != nil {
			tb.Fatal(err)
		}
	}
	return s, db
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Điện Bàn", "dien ban"},
		{"Tam Kỳ", "tam ky"},
		{"TAM KỲ", "tam ky"},
		{"Đại Lộc", "dai loc"},
		{"Phước Hòa", "phuoc hoa"},
		{"Nông Sơn", "nong son"},
		{"abc 123", "abc 123"},
	}
	for _, tt := range tests {
		if got := loa.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOrgUnitTitle(t *testing.T) {
	for _, tt := range []struct {
		unit campaigns.OrgUnit
		want string
	}{
		{campaigns.OrgUnit{Name: "Tây Giang", Type: "huyện"}, "Huyện Tây Giang"},
		{campaigns.OrgUnit{Name: "Điện Bàn", Type: "thị xã"}, "Thị xã Điện Bàn"},
		{campaigns.OrgUnit{Name: "Quảng Nam", Type: "tỉnh"}, "Tỉnh Quảng Nam"},
		{campaigns.OrgUnit{Name: "Khu A"}, "Khu A"},
	} {
		if got := tt.unit.Title(); got != tt.want {
			t.Errorf("%+v.Title() = %q, want %q", tt.unit, got, tt.want)
		}
	}
}

func TestImportFileSize(t *testing.T) {
	for n, want := range map[int64]string{20 << 20: "20 MiB", 16 << 10: "16 KiB", 1500: "1.500 byte"} {
		if got := (campaigns.ImportLimits{FileBytes: n}).FileSize(); got != want {
			t.Errorf("FileSize of %d bytes = %q, want %q", n, got, want)
		}
	}
}

func TestCompareCodesIsATotalOrder(t *testing.T) {
	codes := []string{"1x", "20335", "A", "2", "049", "502", "100", "49", "9a"}
	slices.SortFunc(codes, campaigns.CompareCodes)
	want := []string{"2", "49", "049", "100", "502", "20335", "1x", "9a", "A"}
	if !slices.Equal(codes, want) {
		t.Errorf("sorted codes = %v, want %v", codes, want)
	}
}

func TestReferenceDataIsTheProvince(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	for level, want := range map[string]int{"province": 1, "district": 18, "commune": 241} {
		units, err := s.OrgUnits(ctx, campaigns.OrgUnitFilter{Level: level})
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != want {
			t.Errorf("%d units of level %s, want %d", len(units), level, want)
		}
	}
	tree, err := s.Tree(ctx, "2024-03-15")
	if err != nil {
		t.Fatal(err)
	}
	if got := tree.Levels(); !slices.Equal(got, []string{"province", "district", "commune"}) {
		t.Errorf("Levels() = %v, want province, district, commune (top down)", got)
	}
	groups, err := s.TargetGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, g := range groups {
		codes = append(codes, g.Code)
		if g.NameVi == "" || g.NameEn == "" {
			t.Errorf("group %s lacks a Vietnamese or English name: %+v", g.Code, g)
		}
	}
	want := []string{"students", "iz_workers", "service_workers", "ethnic_minorities", "women_girls", "officials", "general_public"}
	if !slices.Equal(codes, want) {
		t.Errorf("target groups %v, want %v", codes, want)
	}
}

func TestOrgUnitSearchAndParents(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	tests := []struct {
		filter campaigns.OrgUnitFilter
		want   []string
	}{
		{campaigns.OrgUnitFilter{Q: "dien ban"}, []string{"507"}},
		{campaigns.OrgUnitFilter{Q: "TAM KY"}, []string{"502"}},
		{campaigns.OrgUnitFilter{Q: "  Tam Kỳ "}, []string{"502"}},
		{campaigns.OrgUnitFilter{Q: "xa tam thanh"}, []string{"20359", "20365", "20980"}},
		{campaigns.OrgUnitFilter{Q: "Tâm Thành"}, []string{"20359", "20365", "20980"}},
		{campaigns.OrgUnitFilter{Q: "Điện ban"}, []string{"507"}},
		{campaigns.OrgUnitFilter{Q: "Tam Thanh", Level: "district"}, nil},
		{campaigns.OrgUnitFilter{Q: "5", Level: "district"}, []string{"502", "503", "504", "505", "506", "507", "508", "509",
			"510", "511", "512", "513", "514", "515", "516", "517", "518", "519"}},
		{campaigns.OrgUnitFilter{Level: "province"}, []string{"49"}},
	}
	for _, tt := range tests {
		units, err := s.OrgUnits(ctx, tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range units {
			got = append(got, u.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("OrgUnits(%+v) = %v, want %v", tt.filter, got, tt.want)
		}
	}

	u, err := s.OrgUnit(ctx, "20359", "")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Tam Thanh" || u.Parent != "502" || !slices.Equal(u.Path, []string{"49", "502", "20359"}) {
		t.Errorf("OrgUnit(20359) = %+v, want Tam Thanh under 502 with path 49/502/20359", u.OrgUnit)
	}
	if len(u.Parents) != 2 || u.Parents[0].Code != "49" || u.Parents[1].Code != "502" {
		t.Errorf("parents of 20359 = %+v, want 49 then 502", u.Parents)
	}
	children, err := s.OrgUnits(ctx, campaigns.OrgUnitFilter{Parent: "502"})
	if err != nil {
		t.Fatal(err)
	}
	if len(children) != 13 {
		t.Errorf("Tam Kỳ has %d communes, want 13", len(children))
	}
	if _, err := s.OrgUnit(ctx, "99999", ""); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("OrgUnit(99999) error = %v, want ErrNotFound", err)
	}
}

func importUnits(t *testing.T, s *campaigns.Service, csv string, dryRun bool) loa.ImportSummary {
	t.Helper()
	sum, err := s.ImportOrgUnits(context.Background(), loa.System, strings.NewReader(csv), dryRun)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestImportOrgUnits(t *testing.T) {
	s := newService(t, false)
	ctx := context.Background()
	file := "code,name,type,level,parent_code,valid_from,valid_to\n" +
		"1001,Xã Con,xã,commune,100,2020-01-01,2024-12-31\n" + // parent comes later in the file
		"100,Huyện Mẹ,huyện,district,1,2020-01-01,2024-12-31\n" +
		"1,Tỉnh Gốc,tỉnh,province,,,\n" +
		"1002,,xã,commune,100,,\n" + // no name
		"1003,Xã Mồ Côi,xã,commune,999,,\n" + // unknown parent
		"1004,Xã Lạ,xã,Commune Level,100,,\n" + // bad level
		"1005,Xã Ngày Sai,xã,commune,100,2024-02-30,\n" + // not a date
		"1001,Xã Trùng,xã,commune,100,2020-01-01,\n" + // the same version again
		"1006,Xã Vòng,xã,commune,1006,,\n" // its own parent

	dry := importUnits(t, s, file, true)
	if dry.Imported != 3 || dry.Ignored != 6 || !dry.DryRun || dry.Status != "warning" || dry.Read != 9 {
		t.Errorf("dry run summary = %+v, want 3 imported, 6 ignored, status warning, 9 read", dry)
	}
	if units, _ := s.OrgUnits(ctx, campaigns.OrgUnitFilter{}); len(units) != 0 {
		t.Fatalf("dry run wrote %d units", len(units))
	}

	sum := importUnits(t, s, file, false)
	wantConflicts := map[int]string{5: "name", 6: "parent_code", 7: "level", 8: "valid_from", 9: "code", 10: "parent_code"}
	got := map[int]string{}
	for _, c := range sum.Conflicts {
		got[c.Row] = c.Field
		if c.Message == "" {
			t.Errorf("conflict without a message: %+v", c)
		}
	}
	for row, field := range wantConflicts {
		if got[row] != field {
			t.Errorf("row %d: conflict on %q, want %q (all: %+v)", row, got[row], field, sum.Conflicts)
		}
	}
	if sum.Imported != 3 || sum.Updated != 0 || sum.Ignored != 6 {
		t.Errorf("summary = %+v, want 3 imported, 6 ignored", sum)
	}
	u, err := s.OrgUnit(ctx, "1001", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Path, []string{"1", "100", "1001"}) {
		t.Errorf("path of 1001 = %v, want [1 100 1001]", u.Path)
	}
	d, _ := s.OrgUnit(ctx, "100", "")
	if d.ValidFrom == nil || *d.ValidFrom != "2020-01-01" || d.ValidTo == nil || *d.ValidTo != "2024-12-31" {
		t.Errorf("validity of 100 = %v..%v, want 2020-01-01..2024-12-31", d.ValidFrom, d.ValidTo)
	}

	again := importUnits(t, s, file, false)
	if again.Imported != 0 || again.Updated != 0 || again.Unchanged != 3 {
		t.Errorf("re-import summary = %+v, want 0 imported, 0 updated, 3 unchanged", again)
	}

	// Moving a district moves its communes.
	move := "code,name,type,level,parent_code,valid_from,valid_to\n2,Tỉnh Mới,tỉnh,province,,,\n100,Huyện Mẹ,huyện,district,2,2020-01-01,2024-12-31\n"
	moved := importUnits(t, s, move, false)
	if moved.Imported != 1 || moved.Updated != 1 || moved.Status != "success" {
		t.Errorf("move summary = %+v, want 1 imported, 1 updated", moved)
	}
	u, _ = s.OrgUnit(ctx, "1001", "")
	if !slices.Equal(u.Path, []string{"2", "100", "1001"}) {
		t.Errorf("path of 1001 after moving 100 = %v, want [2 100 1001]", u.Path)
	}

	// A cycle through stored units is refused and leaves them as they were.
	cycle := importUnits(t, s, "code,name,type,level,parent_code\n2,Tỉnh Mới,tỉnh,province,1001\n", false)
	if cycle.Ignored != 1 || cycle.Status != "error" {
		t.Errorf("cycle summary = %+v, want 1 ignored, status error", cycle)
	}
	p, _ := s.OrgUnit(ctx, "2", "")
	if p.Parent != "" {
		t.Errorf("unit 2 got parent %q from a refused row", p.Parent)
	}
}

func TestImportOrgUnitsFileErrors(t *testing.T) {
	s := newService(t, false)
	tests := []struct{ name, file, want string }{
		{"empty", "", "empty"},
		{"missing columns", "code,name\n1,A\n", "level, parent_code"},
		{"not csv", "code,name,type,level,parent_code\n\"1,A", "not a readable CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ImportOrgUnits(context.Background(), loa.System, strings.NewReader(tt.file), false)
			var ve *loa.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ImportOrgUnits(%q) error = %v, want a validation error mentioning %q", tt.file, err, tt.want)
			}
		})
	}
}

// TestOrgUnitFilterBounds: a search longer than any name, or a level or parent
// longer than any code, is refused with the field it names.
func TestOrgUnitFilterBounds(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	if _, err := s.OrgUnits(ctx, campaigns.OrgUnitFilter{Q: strings.Repeat("ệ", 100)}); err != nil {
		t.Errorf("a search of 100 characters: %v", err)
	}
	for _, f := range []struct {
		filter campaigns.OrgUnitFilter
		field  string
	}{
		{campaigns.OrgUnitFilter{Q: strings.Repeat("ệ", 101)}, "q"},
		{campaigns.OrgUnitFilter{Level: strings.Repeat("x", 65)}, "level"},
		{campaigns.OrgUnitFilter{Parent: strings.Repeat("4", 65)}, "parent"},
	} {
		_, err := s.OrgUnits(ctx, f.filter)
		var v *loa.ValidationError
		if !errors.As(err, &v) || len(v.Details) != 1 || v.Details[0].Field != f.field {
			t.Errorf("OrgUnits(%.40v…) = %v, want invalid %s", f.filter, err, f.field)
		}
	}
}
