package campaigns_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"loa"
	"loa/campaigns"
)

func validCampaign() campaigns.Campaign {
	return campaigns.Campaign{
		Code:   "TEST-2025",
		Title:  "Chương trình thử",
		Period: campaigns.Period{Start: "2025-01-01", End: "2025-12-31"},
		Indicators: []campaigns.Indicator{
			{Code: "a", Title: "Xã có hoạt động", Rule: campaigns.RuleOrgUnitActivity, Level: "commune", Comparator: "gt", Threshold: 0.7},
			{Code: "b", Title: "Học sinh", Rule: campaigns.RuleCoverage, Group: "students", Comparator: "gte", Threshold: 0.5},
			{Code: "c", Title: "Báo chí hằng tháng", Rule: campaigns.RuleMonthlyFrequency, Channel: "provincial_press", Comparator: "gte", Threshold: 1},
			{Code: "d", Title: "Thủ công", Rule: campaigns.RuleManual, Comparator: "gte", Threshold: 1},
		},
	}
}

func TestCampaignValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *campaigns.Campaign)
		field  string
	}{
		{"no code", func(c *campaigns.Campaign) { c.Code = "" }, "code"},
		{"code with a space", func(c *campaigns.Campaign) { c.Code = "A B" }, "code"},
		{"no title", func(c *campaigns.Campaign) { c.Title = "  " }, "title"},
		{"start after end", func(c *campaigns.Campaign) { c.Period.Start = "2026-01-01" }, "period.end"},
		{"start equals end", func(c *campaigns.Campaign) { c.Period.End = c.Period.Start }, "period.end"},
		{"not a date", func(c *campaigns.Campaign) { c.Period.Start = "2025-13-01" }, "period.start"},
		{"threshold zero", func(c *campaigns.Campaign) { c.Indicators[0].Threshold = 0 }, "indicators[0].threshold"},
		{"threshold above one", func(c *campaigns.Campaign) { c.Indicators[0].Threshold = 70 }, "indicators[0].threshold"},
		{"negative threshold", func(c *campaigns.Campaign) { c.Indicators[1].Threshold = -0.5 }, "indicators[1].threshold"},
		{"comparator", func(c *campaigns.Campaign) { c.Indicators[0].Comparator = "gt=" }, "indicators[0].comparator"},
		{"rule", func(c *campaigns.Campaign) { c.Indicators[3].Rule = "average" }, "indicators[3].rule"},
		{"unknown group", func(c *campaigns.Campaign) { c.Indicators[1].Group = "tourists" }, "indicators[1].group"},
		{"coverage without group", func(c *campaigns.Campaign) { c.Indicators[1].Group = "" }, "indicators[1].group"},
		{"unknown level", func(c *campaigns.Campaign) { c.Indicators[0].Level = "village" }, "indicators[0].level"},
		{"activity without level", func(c *campaigns.Campaign) { c.Indicators[0].Level = "" }, "indicators[0].level"},
		{"unknown channel", func(c *campaigns.Campaign) { c.Indicators[2].Channel = "carrier_pigeon" }, "indicators[2].channel"},
		{"frequency without channel", func(c *campaigns.Campaign) { c.Indicators[2].Channel = "" }, "indicators[2].channel"},
		{"more than 100 percent", func(c *campaigns.Campaign) { c.Indicators[2].Comparator = "gt" }, "indicators[2].threshold"},
		{"group on a manual indicator", func(c *campaigns.Campaign) { c.Indicators[3].Group = "students" }, "indicators[3].group"},
		{"channel on a coverage indicator", func(c *campaigns.Campaign) { c.Indicators[1].Channel = "portal" }, "indicators[1].channel"},
		{"level on a frequency indicator", func(c *campaigns.Campaign) { c.Indicators[2].Level = "commune" }, "indicators[2].level"},
		{"duplicate indicator code", func(c *campaigns.Campaign) { c.Indicators[2].Code = "a" }, "indicators[2].code"},
		{"indicator without code", func(c *campaigns.Campaign) { c.Indicators[3].Code = "" }, "indicators[3].code"},
	}
	s := newService(t, true)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCampaign()
			tt.change(&c)
			_, err := s.CreateCampaign(ctx, loa.System, c)
			var ve *loa.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, loa.ErrInvalid) {
				t.Fatalf("CreateCampaign with %s: error = %v, want a validation error", tt.name, err)
			}
			found := false
			for _, d := range ve.Details {
				found = found || d.Field == tt.field
			}
			if !found {
				t.Errorf("CreateCampaign with %s: details %+v, want one for %s", tt.name, ve.Details, tt.field)
			}
		})
	}
	if cs, _ := s.Campaigns(ctx); len(cs) != 0 {
		t.Errorf("invalid campaigns were stored: %d", len(cs))
	}
}

func TestCampaignLifecycle(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	in := validCampaign()
	in.Title = "Cho\u0302ng trình" // decomposed ô: stored in NFC
	created, err := s.CreateCampaign(ctx, loa.System, in)
	if err != nil {
		t.Fatal(err)
	}
	if created.Title != "Chông trình" || !created.CreatedAt.Equal(fixedNow()) {
		t.Errorf("created = %q at %v, want NFC title at the injected now", created.Title, created.CreatedAt)
	}
	if _, err := s.CreateCampaign(ctx, loa.System, validCampaign()); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("second CreateCampaign with the same code: error = %v, want ErrConflict", err)
	}
	got, err := s.Campaign(ctx, "TEST-2025")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, created) {
		t.Errorf("Campaign() = %+v, want what was created %+v", got, created)
	}

	upd := validCampaign()
	upd.Code = ""
	upd.Secretariat = "Sở Y tế"
	updated, err := s.UpdateCampaign(ctx, loa.System, "TEST-2025", upd)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Secretariat != "Sở Y tế" || updated.Code != "TEST-2025" || !updated.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("updated = %+v", updated)
	}
	upd.Code = "OTHER"
	if _, err := s.UpdateCampaign(ctx, loa.System, "TEST-2025", upd); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("changing the code: error = %v, want ErrInvalid", err)
	}
	if _, err := s.UpdateCampaign(ctx, loa.System, "NOPE", validCampaign()); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("update with a body code differing from the path: error = %v, want ErrInvalid", err)
	}
	upd.Code = "NOPE"
	if _, err := s.UpdateCampaign(ctx, loa.System, "NOPE", upd); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("update of a missing campaign: error = %v, want ErrNotFound", err)
	}
	if err := s.DeleteCampaign(ctx, loa.System, "TEST-2025"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCampaign(ctx, loa.System, "TEST-2025"); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("second delete: error = %v, want ErrNotFound", err)
	}
}

// Every indicator of the demo quotes a target of section II of the plan, and every
// target is measured.
func TestDemoCampaignQuotesThePlan(t *testing.T) {
	c, err := campaigns.DemoCampaign()
	if err != nil {
		t.Fatal(err)
	}
	if c.Code != "PCMD-2024" || c.Period.Start != "2024-01-01" || c.Period.End != "2024-12-31" {
		t.Errorf("demo campaign %s %v, want PCMD-2024 over 2024", c.Code, c.Period)
	}
	if c.LegalBasis == "" || c.OwnerAgency == "" || c.Secretariat == "" {
		t.Errorf("demo campaign lacks legal basis, owner or secretariat: %+v", c)
	}
	sources := map[string]bool{}
	for _, in := range c.Indicators {
		sources[in.Source] = true
		if !strings.HasPrefix(in.Source, "Trên ") && !strings.HasPrefix(in.Source, "100%") && !strings.HasPrefix(in.Source, "Thông tin") {
			t.Errorf("indicator %s source %q is not a target sentence", in.Code, in.Source)
		}
		strict := strings.HasPrefix(in.Title, "Trên ")
		if strict != (in.Comparator == campaigns.ComparatorGT) {
			t.Errorf("indicator %s (%q) has comparator %s", in.Code, in.Title, in.Comparator)
		}
	}
	if len(c.Indicators) != 10 || len(sources) != 8 {
		t.Errorf("%d indicators from %d sentences, want 10 from the 8 targets of section II", len(c.Indicators), len(sources))
	}
	want := map[string]struct {
		rule, comparator string
		threshold        float64
	}{
		"communes-activity":        {campaigns.RuleOrgUnitActivity, "gt", 0.7},
		"press-monthly":            {campaigns.RuleMonthlyFrequency, "gte", 1},
		"service-workers-reached":  {campaigns.RuleCoverage, "gt", 0.7},
		"iz-workers-reached":       {campaigns.RuleCoverage, "gte", 0.5},
		"students-reached":         {campaigns.RuleCoverage, "gte", 0.5},
		"establishments-inspected": {campaigns.RuleManual, "gt", 0.8},
		"officials-trained":        {campaigns.RuleCoverage, "gt", 0.7},
	}
	for _, in := range c.Indicators {
		if w, ok := want[in.Code]; ok && (w.rule != in.Rule || w.comparator != in.Comparator || w.threshold != in.Threshold) {
			t.Errorf("indicator %s = %s %s %v, want %s %s %v", in.Code, in.Rule, in.Comparator, in.Threshold, w.rule, w.comparator, w.threshold)
		}
	}
}

func TestLoadDemoIsIdempotent(t *testing.T) {
	s := newService(t, true)
	ctx := context.Background()
	if err := s.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := s.Campaign(ctx, campaigns.DemoCampaignCode)
	if err != nil {
		t.Fatal(err)
	}
	pops, err := s.Populations(ctx, loa.System, campaigns.PopulationFilter{Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	if len(pops) != 126 || pops[0].Source != "ước tính mẫu, không phải số liệu chính thức" {
		t.Fatalf("%d denominators (%+v), want 126 sample estimates", len(pops), pops)
	}
	for range 2 {
		if err := s.LoadReference(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.LoadDemo(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Loading the files again, bypassing the once-only record, changes nothing either.
	units, _ := s.OrgUnits(ctx, campaigns.OrgUnitFilter{})
	for _, load := range []struct {
		name string
		run  func() (loa.ImportSummary, error)
	}{
		{"units", func() (loa.ImportSummary, error) {
			return s.ImportOrgUnits(ctx, loa.System, seedFile(t, "quangnam-danang-2025-units.csv"), false)
		}},
		// A list without dates leaves the versions' validity and successors as they are.
		{"2024 units", func() (loa.ImportSummary, error) {
			return s.ImportOrgUnits(ctx, loa.System, seedFile(t, "quangnam-units.csv"), false)
		}},
		{"populations", func() (loa.ImportSummary, error) {
			return s.ImportPopulations(ctx, loa.System, seedFile(t, "quangnam-populations-2024-sample.csv"), false)
		}},
	} {
		sum, err := load.run()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Imported != 0 || sum.Updated != 0 || sum.Ignored != 0 || sum.Unchanged != sum.Read {
			t.Errorf("re-import of the %s seed = %+v, want every row unchanged", load.name, sum)
		}
	}
	again, _ := s.Campaign(ctx, campaigns.DemoCampaignCode)
	pops2, _ := s.Populations(ctx, loa.System, campaigns.PopulationFilter{})
	units2, _ := s.OrgUnits(ctx, campaigns.OrgUnitFilter{})
	if !reflect.DeepEqual(again, c) || len(pops2) != len(pops) || len(units2) != len(units) || len(units) != 260 {
		t.Errorf("reloading changed the data: campaign equal %v, %d→%d denominators, %d→%d units",
			reflect.DeepEqual(again, c), len(pops), len(pops2), len(units), len(units2))
	}
}

func TestPeriodContains(t *testing.T) {
	p := campaigns.Period{Start: "2024-01-01", End: "2024-12-31"}
	for d, want := range map[loa.Date]bool{"2023-12-31": false, "2024-01-01": true, "2024-06-15": true, "2024-12-31": true, "2025-01-01": false} {
		if got := p.Contains(d); got != want {
			t.Errorf("Period%v.Contains(%s) = %v, want %v", p, d, got, want)
		}
	}
}
