package reach

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"loa"
	"loa/campaigns"
)

// The demo year of reach is generated from a fixed seed, so every fresh database
// gets the same numbers, and every record says it is a sample.
const (
	demoSeed     = 2024
	demoEvidence = "Số liệu mẫu do Loa sinh ra để minh hoạ, không phải số liệu thật (sample)"
	seedReach    = "demo-reach-2024-v1"
)

type demoTarget struct {
	group, activity string
	share           float64 // of the group's denominator, before district variation
	perSession      int     // people per session, about
	districtLevel   bool    // sessions held by the district (training), not its communes
}

// demoCoverage is how far the sample takes each coverage group in the province,
// chosen to give the report a mix: met, above 100 % in one district, and behind.
var demoCoverage = []demoTarget{
	{"students", "school_session", 0.57, 120, false},
	{"service_workers", "direct_session", 0.78, 25, false},
	{"iz_workers", "workplace_session", 0.36, 150, false},
	{"officials", "training", 0.62, 40, true},
}

// demoLagging are the districts whose communes the sample leaves behind: far
// mountain districts, where most communes miss a half-year.
var demoLagging = []string{"510", "511", "515", "516"}

// LoadDemoReach loads, once per database, a plausible year of sample reach records
// for the demo campaign, and sample values of its manual indicators.
func (s *Service) LoadDemoReach(ctx context.Context) error {
	return s.core.Once(ctx, seedReach, func() error {
		c, err := s.store.Campaign(ctx, campaigns.DemoCampaignCode)
		if err != nil {
			return err
		}
		tree, err := s.core.Tree(ctx, c.Period.End)
		if err != nil {
			return err
		}
		pops, err := s.store.Populations(ctx, campaigns.PopulationFilter{Year: 2024})
		if err != nil {
			return err
		}
		records := demoReach(c, tree, pops)
		sum := loa.ImportSummary{}
		if err := s.saveReachRows(ctx, loa.System, "demo-reach", &sum, records, false); err != nil {
			return err
		}
		for _, v := range demoManualValues(tree) {
			if err := s.store.SaveManualValue(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// demoReach generates the sample records: sessions in most communes in both
// half-years (fewer in the lagging districts), the coverage groups' sessions up to
// their sample shares, and estimated leaflet reach.
func demoReach(c campaigns.Campaign, tree *campaigns.UnitTree, pops []campaigns.Population) []Reach {
	rng := rand.New(rand.NewPCG(demoSeed, 7))
	var out []Reach
	seq := 0
	add := func(unit campaigns.OrgUnit, group, activity string, day time.Time, activities int, times int64, unique *int64, estimated bool) {
		seq++
		r := Reach{Campaign: c.Code, OrgUnit: unit.Code, Group: group, Date: loa.DateOf(day), Activity: activity,
			Activities: activities, PersonTimes: times, UniquePersons: unique, Estimated: estimated,
			SourceRef: fmt.Sprintf("MAU-2024-%05d", seq), Evidence: demoEvidence}
		r.ID = ReachKey(r)
		out = append(out, r)
	}
	day := func(firstMonth, months int) time.Time {
		return time.Date(2024, time.Month(firstMonth+rng.IntN(months)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	}
	communes := map[string][]campaigns.OrgUnit{}
	for _, u := range tree.Units() {
		if u.Level == "commune" {
			communes[u.Parent] = append(communes[u.Parent], u)
		}
	}
	for _, u := range tree.Units() {
		if u.Level != "commune" {
			continue
		}
		active := [2]bool{rng.Float64() < 0.93, rng.Float64() < 0.9}
		if slices.Contains(demoLagging, u.Parent) {
			active = [2]bool{rng.Float64() < 0.5, rng.Float64() < 0.45}
		}
		for half, on := range active {
			if !on {
				continue
			}
			for range 1 + rng.IntN(3) {
				times := int64(40 + rng.IntN(120))
				unique := times * int64(80+rng.IntN(20)) / 100
				add(u, "general_public", "direct_session", day(1+6*half, 6), 1, times, &unique, false)
			}
			if slices.Contains(demoLagging, u.Parent) || rng.Float64() < 0.15 {
				// Sessions in minority languages are counted in person-times only.
				add(u, "ethnic_minorities", "direct_session", day(1+6*half, 6), 1, int64(30+rng.IntN(90)), nil, false)
			}
			add(u, "general_public", "leaflet", day(1+6*half, 6), 1, int64(200+rng.IntN(600)), nil, true)
		}
	}
	for _, p := range pops {
		i := slices.IndexFunc(demoCoverage, func(d demoTarget) bool { return d.group == p.Group })
		district, ok := tree.Get(p.OrgUnit)
		if i < 0 || !ok || len(communes[p.OrgUnit]) == 0 {
			continue
		}
		d := demoCoverage[i]
		share := d.share * (0.8 + 0.4*rng.Float64())
		if p.Group == "service_workers" && p.OrgUnit == "503" {
			share = 1.15 // Hội An: more staff reached than the sample estimate counts
		}
		left := int64(float64(p.Count) * share)
		for left > 0 {
			n := min(left, int64(d.perSession/2+rng.IntN(d.perSession)))
			left -= n
			unit := district
			if !d.districtLevel {
				cs := communes[p.OrgUnit]
				unit = cs[rng.IntN(len(cs))]
			}
			times := n + int64(rng.IntN(int(n)/5+1))
			add(unit, d.group, d.activity, day(1, 12), 1, times, &n, false)
		}
	}
	return out
}

// demoManualValues are sample values of the demo campaign's manual indicators, as
// of the half-year and mid-December 2024; support-services is left without one, as
// a secretariat might, so the report shows what is missing.
func demoManualValues(tree *campaigns.UnitTree) []ManualValue {
	root, _ := tree.Scope(loa.System, "scope", "")
	values := []ManualValue{
		{Indicator: "reports-handled", AsOf: "2024-06-30", Numerator: 21, Denominator: 23, CountUnit: "tin báo"},
		{Indicator: "establishments-inspected", AsOf: "2024-06-30", Numerator: 301, Denominator: 780, CountUnit: "cơ sở"},
		{Indicator: "crimes-handled", AsOf: "2024-06-30", Numerator: 5, Denominator: 5, CountUnit: "vụ"},
		{Indicator: "reports-handled", AsOf: "2024-12-15", Numerator: 46, Denominator: 46, CountUnit: "tin báo"},
		{Indicator: "establishments-inspected", AsOf: "2024-12-15", Numerator: 612, Denominator: 780, CountUnit: "cơ sở"},
		{Indicator: "crimes-handled", AsOf: "2024-12-15", Numerator: 12, Denominator: 12, CountUnit: "vụ"},
	}
	for i := range values {
		v := &values[i]
		v.Campaign, v.OrgUnit = campaigns.DemoCampaignCode, root.Code
		v.Source, v.EnteredBy = "Số liệu mẫu (sample), không phải báo cáo thật", loa.System.Username
		v.ID, v.UpdatedAt = manualID(*v), time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	}
	return values
}
