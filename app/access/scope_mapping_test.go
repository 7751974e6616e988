package access_test

import (
	"context"
	"encoding/csv"
	"errors"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"loa"
	"loa/app/access"
	"loa/app/audit"
	"loa/campaigns"
)

// crosswalk reads the statistics office's table of where each 2024 commune went:
// the new communes that took in communes of district, each with whether all its
// 2024 communes lay in district.
func crosswalk(t *testing.T, district string) map[string]bool {
	t.Helper()
	f, err := os.Open("../../campaigns/testdata/quangnam-communes-2024-to-2025.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	whole := map[string]bool{}
	for _, r := range rows[1:] {
		if r[3] == district {
			if _, seen := whole[r[4]]; !seen {
				whole[r[4]] = true
			}
		}
	}
	for _, r := range rows[1:] {
		if _, ok := whole[r[4]]; ok && r[3] != district {
			whole[r[4]] = false
		}
	}
	return whole
}

// A district-scoped account on 502 after 01/07/2025 is offered the successor
// communes and, once confirmed, sees exactly them.
func TestScopeMappingAcrossTheReorganisation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.t = time.Date(2025, 8, 15, 8, 0, 0, 0, time.UTC)
	f.user(t, "tamky", "502", "reporter")

	m, err := f.svc.ScopeMapping(ctx, f.admin, "tamky")
	if err != nil {
		t.Fatal(err)
	}
	want := crosswalk(t, "Tam Kỳ")
	got := map[string]bool{}
	var codes []string
	for _, h := range m.Offered {
		got[h.Code] = h.Whole
		codes = append(codes, h.Code)
		if h.Split || h.Level != "commune" || h.ValidFrom == nil || *h.ValidFrom != "2025-07-01" {
			t.Errorf("offered %+v, want a whole commune of 01/07/2025", h)
		}
	}
	if len(want) != 4 || !maps.Equal(got, want) {
		t.Errorf("ScopeMapping(tamky).Offered = %v, want the crosswalk's %v", got, want)
	}
	if m.Ended == nil || *m.Ended != "2025-06-30" || !m.Pending || len(m.Confirmed) != 0 {
		t.Errorf("ScopeMapping(tamky) = ended %v, pending %v, confirmed %v; want 2025-06-30, true, none", m.Ended, m.Pending, m.Confirmed)
	}

	// Bad choices write nothing.
	entries := func() int {
		es, err := f.trail.List(ctx, audit.Query{Entity: "user", EntityID: "tamky"})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := entries()
	for _, units := range [][]string{nil, {"20992"}, {"20335", "20335"}, {"502"}} {
		_, err := f.svc.MapScope(ctx, f.admin, "tamky", units)
		var v *loa.ValidationError
		if !errors.As(err, &v) || v.Details[0].Field != "units" {
			t.Errorf("MapScope(%v) = %v, want invalid units", units, err)
		}
	}
	if u, err := f.svc.User(ctx, f.admin, "tamky"); err != nil || len(u.ExtraScopes) != 0 || entries() != before {
		t.Errorf("after refused mappings: extra scopes %v (err %v), %d audit entries (was %d)", u.ExtraScopes, err, entries(), before)
	}

	// The province's admin is offered Đà Nẵng (48), the successor of Quảng Nam
	// (49); once mapped it manages the new units' accounts, and an account on a
	// unit that stands has nothing to map.
	am, err := f.svc.ScopeMapping(ctx, f.admin, "admin")
	if err != nil || len(am.Offered) != 1 || am.Offered[0].Code != "48" || !am.Offered[0].Whole {
		t.Fatalf("ScopeMapping(admin) = %+v, %v; want 48", am, err)
	}
	if _, err := f.svc.CreateUser(ctx, f.admin, access.UserInput{Username: "tamhai", DisplayName: "Tam Hải",
		Roles: []string{"reporter"}, Scope: "20992", Password: "password of tamhai"}); !errors.Is(err, loa.ErrOutsideScope) {
		t.Errorf("an unmapped admin of 49 creates an account on 20992 of 2025: %v, want outside_scope", err)
	}
	admin, err := f.svc.MapScope(ctx, f.admin, "admin", []string{"48"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateUser(ctx, admin, access.UserInput{Username: "tamhai", DisplayName: "Tam Hải",
		Roles: []string{"reporter"}, Scope: "20992", Password: "password of tamhai"}); err != nil {
		t.Fatalf("the mapped admin creates an account on 20992: %v", err)
	}
	if _, err := f.svc.MapScope(ctx, admin, "tamhai", []string{"20992"}); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("MapScope of an account on a standing unit = %v, want a conflict", err)
	}

	u, err := f.svc.MapScope(ctx, admin, "tamky", codes)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.ExtraScopes, codes) || entries() != before+1 {
		t.Errorf("MapScope = extra scopes %v, %d audit entries; want %v and one more than %d", u.ExtraScopes, entries(), codes, before)
	}
	m, _ = f.svc.ScopeMapping(ctx, admin, "tamky")
	if m.Pending || !slices.Equal(m.Confirmed, codes) {
		t.Errorf("after confirming: pending %v, confirmed %v", m.Pending, m.Confirmed)
	}

	// It sees exactly those communes on the new map, and Tam Kỳ's on the old.
	actor := u.Actor()
	for _, tt := range []struct {
		at   loa.Date
		want func(campaigns.OrgUnit) bool
	}{
		{"2025-08-15", func(o campaigns.OrgUnit) bool { _, ok := want[o.Code]; return ok }},
		{"2024-03-15", func(o campaigns.OrgUnit) bool { return slices.Contains(o.Path, "502") }},
	} {
		tree, err := f.units.Tree(ctx, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range tree.Units() {
			if actor.Covers(o.Path) != tt.want(o) {
				t.Errorf("on %s the mapped account covers %s (path %v): %v", tt.at, o.Code, o.Path, actor.Covers(o.Path))
			}
			if actor.Covers(o.Path) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("on %s the mapped account covers nothing", tt.at)
		}
	}
	// Changing its scope drops the mapping.
	u, err = f.svc.UpdateUser(ctx, admin, "tamky", access.UserInput{DisplayName: "tamky", Roles: []string{"reporter"}, Scope: "20341"})
	if err != nil || len(u.ExtraScopes) != 0 {
		t.Errorf("UpdateUser(scope 20341) = extra scopes %v, %v; want none", u.ExtraScopes, err)
	}
}
