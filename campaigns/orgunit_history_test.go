package campaigns_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"loa"
	"loa/campaigns"
)

// The same code names different units at different dates: 20341 is phường An
// Mỹ of Tam Kỳ (502) until 30/06/2025, then the larger phường Tam Kỳ directly
// under Đà Nẵng (48), formed from 20338, 20341, 20347 and 20353.
func TestUnitAtADate(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()

	before, err := s.OrgUnit(ctx, "20341", "2025-03-15")
	if err != nil {
		t.Fatal(err)
	}
	if before.Name != "An Mỹ" || before.Parent != "502" || !slices.Equal(before.Path, []string{"49", "502", "20341"}) {
		t.Errorf("20341 on 15/03/2025 = %s under %s (path %v), want An Mỹ under 502", before.Name, before.Parent, before.Path)
	}
	if before.ValidTo == nil || *before.ValidTo != "2025-06-30" || len(before.Successors) != 1 || before.Successors[0].Code != "20341" ||
		before.Successors[0].On != "2025-07-01" {
		t.Errorf("An Mỹ ends %v with successors %+v, want 2025-06-30 and 20341 on 2025-07-01", before.ValidTo, before.Successors)
	}

	after, err := s.OrgUnit(ctx, "20341", "2025-08-15")
	if err != nil {
		t.Fatal(err)
	}
	if after.Title() != "Phường Tam Kỳ" || after.Parent != "48" || !slices.Equal(after.Path, []string{"48", "20341"}) ||
		after.ValidFrom == nil || *after.ValidFrom != "2025-07-01" {
		t.Errorf("20341 on 15/08/2025 = %s under %s (path %v, from %v), want phường Tam Kỳ under 48 from 2025-07-01",
			after.Title(), after.Parent, after.Path, after.ValidFrom)
	}
	if len(after.Parents) != 1 || after.Parents[0].Name != "Đà Nẵng" {
		t.Errorf("parents of Tam Kỳ = %+v, want Đà Nẵng alone", after.Parents)
	}
	var direct []string
	for _, p := range after.Predecessors {
		direct = append(direct, p.Code+" "+p.Name+" "+string(p.On))
	}
	if want := []string{"20341 An Mỹ 2025-07-01", "20347 An Xuân 2025-07-01", "20353 Trường Xuân 2025-07-01"}; !slices.Equal(sorted(direct), want) {
		t.Errorf("predecessors of Tam Kỳ = %v, want %v", direct, want)
	}

	h, err := s.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var formed []string
	for _, u := range h.At("2024-06-01").Units() {
		places := h.Resolve(u.Code, "2024-06-01", "2025-08-15")
		if len(places) == 1 && places[0].Code == "20341" && places[0].Share == 1 {
			formed = append(formed, u.Code)
		}
	}
	if want := []string{"20338", "20341", "20347", "20353"}; !slices.Equal(formed, want) {
		t.Errorf("the 2024 units that make up Tam Kỳ on 15/08/2025 = %v, want %v", formed, want)
	}
}

// 20338 (Phước Hòa) is under Tam Kỳ (502) of Quảng Nam (49) in 2024; on
// 15/03/2025 it no longer exists and its land is An Xuân's (20347); on
// 15/08/2025 it is phường Tam Kỳ's (20341), directly under 48. Scope checks
// follow the date.
func TestUnitThatEnded(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()

	u, err := s.OrgUnit(ctx, "20338", "2024-03-15")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Phước Hòa" || !slices.Equal(u.Path, []string{"49", "502", "20338"}) {
		t.Errorf("20338 on 15/03/2024 = %s, path %v; want Phước Hòa, [49 502 20338]", u.Name, u.Path)
	}

	_, err = s.OrgUnit(ctx, "20338", "2025-03-15")
	if !errors.Is(err, loa.ErrNotFound) || !strings.Contains(err.Error(), "20347 (Phường An Xuân)") {
		t.Errorf("20338 on 15/03/2025: %v, want not found naming its successor 20347 (Phường An Xuân)", err)
	}
	h, err := s.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   loa.Date
		want string
		path []string
	}{
		{"2025-03-15", "20347", []string{"49", "502", "20347"}},
		{"2025-08-15", "20341", []string{"48", "20341"}},
	} {
		got, ok := h.Locate("20338", tt.at)
		if !ok || got.Code != tt.want || !slices.Equal(got.Path, tt.path) {
			t.Errorf("the land of 20338 on %s is in %s %v, want %s %v", tt.at, got.Code, got.Path, tt.want, tt.path)
		}
	}
	// A reference keeps the unit it names, as it was on its last day, until moved.
	named, err := s.Named(ctx, "20338", "2025-08-15")
	if err != nil || named.Name != "Phước Hòa" || !slices.Equal(named.Path, []string{"49", "502", "20338"}) {
		t.Errorf("20338 named on 15/08/2025 = %+v, %v; want Phước Hòa as it was, under 502", named.OrgUnit, err)
	}

	// Scope checks follow the date: the same code lies under Tam Kỳ district
	// (502) until 30/06/2025 and under Đà Nẵng (48) from 01/07/2025.
	for _, tt := range []struct {
		unit, scope string
		at          loa.Date
		want        bool
	}{
		{"20338", "502", "2024-03-15", true},
		{"20338", "49", "2024-03-15", true},
		{"20338", "48", "2024-03-15", false},
		{"20341", "502", "2025-03-15", true},
		{"20341", "48", "2025-03-15", false},
		{"20341", "502", "2025-08-15", false},
		{"20341", "48", "2025-08-15", true},
		{"20347", "502", "2025-08-15", true}, // ended: where it was on its last day
	} {
		in, err := s.Within(ctx, tt.unit, tt.scope, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if in != tt.want {
			t.Errorf("%s within %s on %s = %v, want %v", tt.unit, tt.scope, tt.at, in, tt.want)
		}
	}
}

// The lists answer at a date: 260 units in 2024, 17 districts and 233 communes
// after the step of 01/01/2025, and Đà Nẵng with 78 communes (no districts)
// after 01/07/2025.
func TestUnitsAtDates(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	for _, tt := range []struct {
		at                             loa.Date
		provinces, districts, communes int
	}{
		{"2024-03-15", 1, 18, 241},
		{"2024-12-31", 1, 18, 241},
		{"2025-01-01", 1, 17, 233},
		{"2025-06-30", 1, 17, 233},
		{"2025-07-01", 1, 0, 78},
		{"2026-12-07", 1, 0, 78},
	} {
		count := map[string]int{}
		units, err := s.OrgUnits(ctx, campaigns.OrgUnitFilter{At: tt.at})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			count[u.Level]++
		}
		if count["province"] != tt.provinces || count["district"] != tt.districts || count["commune"] != tt.communes {
			t.Errorf("units on %s = %v, want %d provinces, %d districts, %d communes", tt.at, count, tt.provinces, tt.districts, tt.communes)
		}
	}
	qt, err := s.OrgUnit(ctx, "20758", "2025-03-15")
	if err != nil {
		t.Fatal(err)
	}
	if qt.Name != "Quế Tân" || len(qt.Predecessors) != 2 {
		t.Errorf("20758 on 15/03/2025 = %s from %+v, want Quế Tân from Hiệp Hòa and Hiệp Thuận", qt.Name, qt.Predecessors)
	}
	ns, err := s.OrgUnit(ctx, "20656", "2025-03-15")
	if err != nil {
		t.Fatal(err)
	}
	if ns.Parent != "509" {
		t.Errorf("Trung Phước on 15/03/2025 is under %s, want Quế Sơn (509), which took in Nông Sơn", ns.Parent)
	}
}

// The import refuses, each with its row and code, and writes nothing of: two
// versions of a code that overlap, a successor that does not exist the day
// after, a parent cycle, a gap between two versions of a code.
func TestImportVersionConflicts(t *testing.T) {
	s := newService(t, false)
	ctx := context.Background()
	base := "code,name,type,level,parent_code,valid_from,valid_to,successor_codes\n" +
		"1,Tỉnh,tỉnh,province,,,,\n" +
		"10,Xã A,xã,commune,1,,2024-12-31,11\n" +
		"11,Xã B,xã,commune,1,2025-01-01,,\n"
	if sum := importUnits(t, s, base, false); sum.Imported != 3 || sum.Status != "success" {
		t.Fatalf("base import = %+v", sum)
	}
	h, _ := s.History(ctx)
	version := h.Version()

	header := "code,name,type,level,parent_code,valid_from,valid_to,successor_codes\n"
	for _, tt := range []struct {
		name, rows  string
		row         int
		field, code string
	}{
		{"overlap", "10,Xã A mới,xã,commune,1,2024-06-01,,\n", 2, "valid_from", "overlap"},
		{"unknown successor", "20,Xã C,xã,commune,1,,2024-12-31,99\n", 2, "successor_codes", "unknown_successor"},
		{"successor not yet standing", "21,Xã D,xã,commune,1,,2024-06-30,11\n", 2, "successor_codes", "unknown_successor"},
		{"cycle", "30,Huyện X,huyện,district,31,2026-01-01,,\n31,Huyện Y,huyện,district,30,2026-01-01,,\n", 2, "parent_code", "cycle"},
		{"gap", "10,Xã A lại,xã,commune,1,2025-03-01,,\n", 2, "valid_from", "gap"},
		{"a parent ended under its children", "1,Tỉnh,tỉnh,province,,,2024-12-31,\n", 2, "valid_to", "unknown_parent"},
		{"split shares not adding up", "50,Xã F,xã,commune,1,,2024-12-31,11=0.5;10=0.2\n", 2, "successor_codes", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sum := importUnits(t, s, header+tt.rows, false)
			i := slices.IndexFunc(sum.Conflicts, func(c loa.Conflict) bool { return c.Row == tt.row })
			if i < 0 || sum.Conflicts[i].Field != tt.field || sum.Conflicts[i].Code != tt.code || sum.Conflicts[i].Message == "" {
				t.Fatalf("conflicts = %+v, want row %d on %s with code %q", sum.Conflicts, tt.row, tt.field, tt.code)
			}
			if sum.Status != "error" || sum.Imported+sum.Updated > 0 {
				t.Errorf("summary = %+v, want status error, nothing imported", sum)
			}
			if h, _ := s.History(ctx); h.Version() != version {
				t.Errorf("the units' version moved from %d to %d on a refused import", version, h.Version())
			}
		})
	}
	if h, _ := s.History(ctx); h.Version() != version || len(h.Versions("10")) != 1 || len(h.Versions("30")) != 0 {
		t.Errorf("refused rows were written: version %d (was %d), versions of 10: %d, of 30: %d",
			h.Version(), version, len(h.Versions("10")), len(h.Versions("30")))
	}
}

// A split divides a unit between successors by the shares the import gives.
func TestSplitShares(t *testing.T) {
	s := newService(t, false)
	file := "code,name,type,level,parent_code,valid_from,valid_to,successor_codes\n" +
		"1,Tỉnh,tỉnh,province,,,,\n" +
		"10,Xã Cũ,xã,commune,1,,2024-12-31,11=0.7;12=0.3\n" +
		"11,Xã Bắc,xã,commune,1,2025-01-01,,\n" +
		"12,Xã Nam,xã,commune,1,2025-01-01,,\n"
	if sum := importUnits(t, s, file, false); sum.Imported != 4 {
		t.Fatalf("import = %+v", sum)
	}
	h, _ := s.History(context.Background())
	places := h.Resolve("10", "2024-05-01", "2025-05-01")
	if len(places) != 2 || places[0] != (campaigns.Place{Code: "11", Share: 0.7}) || places[1] != (campaigns.Place{Code: "12", Share: 0.3}) {
		t.Errorf("10 on the 2025 map = %+v, want 11 (0.7) and 12 (0.3)", places)
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
