package campaigns_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loa"
	"loa/campaigns"
)

// seedFile opens the package's copy of a file of shared/data.
func seedFile(t *testing.T, name string) io.Reader {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("seed", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func TestImportPopulations(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	file := "org_unit_code,group,year,count,source\n" +
		"502,students,2024,13625,Sở GD&ĐT 2024\n" +
		"503,students,2024,5200,Sở GD&ĐT 2024\n" +
		"99999,students,2024,10,x\n" + // unknown unit
		"502,tourists,2024,10,x\n" + // unknown group
		"502,iz_workers,2024,-5,x\n" + // negative
		"502,officials,2024,12.5,x\n" + // not whole
		"502,officials,24,12,x\n" + // not a year
		"502,students,2024,1,x\n" + // duplicate key in the file
		"504,students,2024,10,\n" // no source
	sum, err := s.ImportPopulations(ctx, loa.System, strings.NewReader(file), false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{4: "org_unit_code", 5: "group", 6: "count", 7: "count", 8: "year", 9: "org_unit_code", 10: "source"}
	if len(sum.Conflicts) != len(want) {
		t.Errorf("conflicts %+v, want rows %v", sum.Conflicts, want)
	}
	for _, c := range sum.Conflicts {
		if want[c.Row] != c.Field {
			t.Errorf("conflict %+v, want field %q on row %d", c, want[c.Row], c.Row)
		}
	}
	if sum.Imported != 2 || sum.Ignored != 7 || sum.Status != "warning" {
		t.Errorf("summary %+v, want 2 imported, 7 ignored, warning", sum)
	}
	pops, err := s.Populations(ctx, loa.System, campaigns.PopulationFilter{OrgUnit: "502"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pops) != 1 || pops[0].Count != 13625 || pops[0].Source != "Sở GD&ĐT 2024" {
		t.Errorf("denominators of 502 = %+v, want students 13625 from Sở GD&ĐT 2024", pops)
	}

	corrected := "org_unit_code,group,year,count,source\n502,students,2024,14000,Sở GD&ĐT 2024\n503,students,2024,5200,Sở GD&ĐT 2024\n"
	sum, err = s.ImportPopulations(ctx, loa.System, strings.NewReader(corrected), false)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated != 1 || sum.Unchanged != 1 || sum.Imported != 0 || sum.Status != "success" {
		t.Errorf("corrected import %+v, want 1 updated and 1 unchanged", sum)
	}
	pops, _ = s.Populations(ctx, loa.System, campaigns.PopulationFilter{OrgUnit: "502", Group: "students", Year: 2024})
	if len(pops) != 1 || pops[0].Count != 14000 {
		t.Errorf("after correction: %+v, want 14000", pops)
	}
}
