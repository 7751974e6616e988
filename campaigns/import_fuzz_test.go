package campaigns_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"loa"
	"loa/campaigns"
	"loa/campaigns/importtest"
)

// fuzzImport runs a dry-run import of each file on one service of the province
// and checks its answer and that nothing was stored: the units, denominators,
// and versions are the same documents as before, and no audit entry was added
// (entries are only ever inserted).
func fuzzImport(f *testing.F, seeds []string, run func(s *campaigns.Service, file string) (loa.ImportSummary, error)) {
	s, db := newServiceDB(f, true)
	ctx := context.Background()
	stored := func(t *testing.T) string {
		audited, err := db.Collection("audit").CountDocuments(ctx, bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		docs := []string{fmt.Sprint("audit entries: ", audited)}
		for _, c := range []string{"orgunits", "populations", "campaigns_meta"} {
			cur, err := db.Collection(c).Find(ctx, bson.M{})
			if err != nil {
				t.Fatal(err)
			}
			for cur.Next(ctx) {
				docs = append(docs, c+string(cur.Current))
			}
			if err := cur.Close(ctx); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(docs)
		return strings.Join(docs, "\n")
	}
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file string) {
		before := stored(t)
		sum, err := run(s, file)
		if err := importtest.CheckOutcome(sum, err); err != nil {
			t.Fatalf("import of %q: %v", file, err)
		}
		if stored(t) != before {
			t.Fatalf("a dry run of %q changed what is stored", file)
		}
	})
}

// FuzzImportOrgUnits: any org-unit file, CSV or not.
func FuzzImportOrgUnits(f *testing.F) {
	fuzzImport(f, []string{
		"code,name,type,level,parent_code,valid_from,valid_to\n1001,Xã Con,xã,commune,100,,\n100,Huyện Mẹ,huyện,district,1,2020-01-01,2024-12-31\n1,Tỉnh,tỉnh,province,,,\n",
		"code,name,type,level,parent_code\n1006,Xã Vòng,xã,commune,1006\n1007,\"Xã \"\"Trích\"\"\",xã,commune,49\n",
		"code,name,type,level,parent_code" + strings.Repeat(",x", 70) + "\n",
	}, func(s *campaigns.Service, file string) (loa.ImportSummary, error) {
		return s.ImportOrgUnits(context.Background(), loa.System, strings.NewReader(file), true)
	})
}

// FuzzImportPopulations: any denominator file, CSV or not.
func FuzzImportPopulations(f *testing.F) {
	fuzzImport(f, []string{
		"org_unit_code,group,year,count,source\n502,students,2024,13625,Sở GD&ĐT 2024\n99999,students,2024,10,x\n502,iz_workers,2024,-5,x\n",
		"org_unit_code,group,year,count,source\n502,officials,2024,12.5,x\n502,officials,24,1e308,x\n502,students,2024,1,x\n502,students,2024,1,x\n",
		"\ufefforg_unit_code;group;year;count;source\n",
	}, func(s *campaigns.Service, file string) (loa.ImportSummary, error) {
		return s.ImportPopulations(context.Background(), loa.System, strings.NewReader(file), true)
	})
}
