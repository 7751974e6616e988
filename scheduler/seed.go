package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"loa"
	"loa/campaigns"
)

// Demo data: the outlets of Quảng Nam with sample audience estimates, and the 2024
// plan's broadcast and press rules.

const (
	demoSource  = "ước tính mẫu, không phải số liệu chính thức"
	demoCommune = 0.9 // share of a district's people a commune system reaches, spread over its communes
)

// demoLanguages are the ethnic-minority languages broadcast in the mountain
// districts besides Vietnamese.
var demoLanguages = map[string][]string{
	"504": {"cotu"},              // Tây Giang
	"505": {"cotu"},              // Đông Giang
	"510": {"cotu", "gietrieng"}, // Nam Giang
	"511": {"gietrieng"},         // Phước Sơn (Bh'noong)
	"515": {"co", "xodang"},      // Bắc Trà My (Ca Dong)
	"516": {"xodang"},            // Nam Trà My
}

// Populations reads denominators; campaigns.Service is one.
type Populations interface {
	Populations(ctx context.Context, actor loa.Actor, f campaigns.PopulationFilter) ([]campaigns.Population, error)
}

// demoStations builds the demo outlets: the provincial newspaper, radio-TV and
// portal, one station per district and a loudspeaker system per commune, as the
// units stood when the demo campaign began.
func (s *Service) demoStations(ctx context.Context, province string, pops Populations) ([]StationInput, error) {
	c, err := s.units.Campaign(ctx, campaigns.DemoCampaignCode)
	if err != nil {
		return nil, err
	}
	units, err := s.units.OrgUnits(ctx, campaigns.OrgUnitFilter{At: c.Period.Start})
	if err != nil {
		return nil, err
	}
	people := map[string]int64{}
	ps, err := pops.Populations(ctx, loa.System, campaigns.PopulationFilter{Group: "general_public"})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		people[p.OrgUnit] = p.Count
	}
	communes := map[string]int{}
	for _, u := range units {
		if len(u.Path) == 3 && u.Path[0] == province {
			communes[u.Parent]++
		}
	}
	audience := func(n int64) Audience { return Audience{People: int(n), Source: demoSource} }
	out := []StationInput{
		{Code: "BQN", Name: "Báo Quảng Nam", Channel: "provincial_press", OrgUnit: province, Languages: []string{"vi"}, Audience: audience(36_000)},
		{Code: "PTTH-QN", Name: "Đài Phát thanh - Truyền hình Quảng Nam", Channel: "provincial_tv_radio", OrgUnit: province, Languages: []string{"vi"}, Audience: audience(600_000)},
		{Code: "CTT-QN", Name: "Cổng thông tin điện tử tỉnh Quảng Nam", Channel: "portal", OrgUnit: province, Languages: []string{"vi"}, Audience: audience(50_000)},
	}
	for _, u := range units {
		if len(u.Path) < 2 || u.Path[0] != province {
			continue
		}
		district := u.Path[1]
		langs := append([]string{"vi"}, demoLanguages[district]...)
		if len(u.Path) == 2 {
			out = append(out, StationInput{Code: "DTT-" + u.Code, Name: "Đài truyền thanh " + u.Type + " " + u.Name,
				Channel: "district_station", OrgUnit: u.Code, Languages: langs, Audience: audience(people[u.Code])})
			continue
		}
		reach := int64(0)
		if n := communes[district]; n > 0 {
			reach = int64(float64(people[district]) * demoCommune / float64(n))
		}
		out = append(out, StationInput{Code: "LOA-" + u.Code, Name: "Hệ thống loa truyền thanh " + u.Type + " " + u.Name,
			Channel: "commune_loudspeaker", OrgUnit: u.Code, Languages: langs, Audience: audience(reach)})
	}
	return out, nil
}

// demoRules are the 2024 plan's placements: the provincial newspaper monthly, the
// provincial radio-TV weekly, every district station weekly, every commune system
// twice a week, and a Sunday slot in the mountain districts' languages.
func demoRules(province string) []RuleInput {
	until := loa.Date("2024-12-31")
	rule := func(title, rrule string, sel StationSelector, seconds, priority int, groups []string, pool Pool) RuleInput {
		return RuleInput{Campaign: campaigns.DemoCampaignCode, Title: title, Stations: sel, RRule: rrule, StartDate: "2024-01-01",
			Until: &until, DurationSeconds: seconds, Groups: groups, Pool: pool, Priority: priority}
	}
	under := func(channel, unit string) StationSelector { return StationSelector{Channel: channel, Under: unit} }
	out := []RuleInput{
		rule("Tin bài trên Báo Quảng Nam, thứ Hai đầu tháng", "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=6", StationSelector{Codes: []string{"BQN"}}, 3600, 0, nil, Pool{}),
		rule("Chuyên mục trên Đài PT-TH tỉnh, tối thứ Bảy", "FREQ=WEEKLY;BYDAY=SA;BYHOUR=19;BYMINUTE=45", StationSelector{Codes: []string{"PTTH-QN"}}, 600, 0, nil, Pool{}),
		rule("Đài truyền thanh cấp huyện, chiều thứ Tư", "FREQ=WEEKLY;BYDAY=WE;BYHOUR=17;BYMINUTE=30", under("district_station", province), 300, 0, nil, Pool{}),
		rule("Loa truyền thanh xã, sáng thứ Ba và thứ Sáu", "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30", under("commune_loudspeaker", province), 300, 0, nil, Pool{}),
	}
	for _, d := range slices.Sorted(maps.Keys(demoLanguages)) {
		out = append(out, rule(fmt.Sprintf("Loa truyền thanh xã bằng tiếng dân tộc (huyện %s), sáng Chủ nhật", d), "FREQ=WEEKLY;BYDAY=SU;BYHOUR=7",
			under("commune_loudspeaker", d), 300, 0, []string{"ethnic_minorities"}, Pool{}))
	}
	return out
}

// LoadDemo adds the demo stations and rules that are not there yet, so a load cut
// short is completed by the next one. Callers run it once per database
// (campaigns.Service.Once).
func (s *Service) LoadDemo(ctx context.Context, province string, pops Populations) error {
	stations, err := s.demoStations(ctx, province, pops)
	if err != nil {
		return err
	}
	for _, in := range stations {
		if _, err := s.CreateStation(ctx, loa.System, in); err != nil && !errors.Is(err, loa.ErrConflict) {
			return fmt.Errorf("demo station %s: %w", in.Code, err)
		}
	}
	existing, err := s.Rules(ctx, RuleFilter{Campaign: campaigns.DemoCampaignCode})
	if err != nil {
		return err
	}
	for _, in := range demoRules(province) {
		if slices.ContainsFunc(existing, func(r Rule) bool { return r.Title == in.Title }) {
			continue
		}
		if _, err := s.CreateRule(ctx, loa.System, in); err != nil {
			return fmt.Errorf("demo rule %q: %w", in.Title, err)
		}
	}
	return nil
}

// demoPressMissed is the month of 2024 in which the demo's newspaper published
// nothing: the press indicator's one missed month.
const demoPressMissed = time.August

// LoadDemoPress records the demo newspaper's 2024 items as published, with their
// (sample) links, in every month but demoPressMissed: on the first Monday at 06:00,
// where the demo's press rule places them, each counted as reach. Re-running it
// adds nothing (the airings have their natural ids; reach is synchronised).
func (s *Service) LoadDemoPress(ctx context.Context) error {
	rules, err := s.Rules(ctx, RuleFilter{Campaign: campaigns.DemoCampaignCode})
	if err != nil {
		return err
	}
	title := demoRules("")[0].Title
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.Title == title })
	if i < 0 {
		return fmt.Errorf("demo press: no rule %q", title)
	}
	st, err := s.Station(ctx, "BQN")
	if err != nil {
		return err
	}
	var items []Airing
	for m := time.January; m <= time.December; m++ {
		if m == demoPressMissed {
			continue
		}
		start := time.Date(2024, m, 1, 6, 0, 0, 0, s.opts.Zone)
		for start.Weekday() != time.Monday {
			start = start.AddDate(0, 0, 1)
		}
		at := loa.Stamp(start.Add(time.Hour))
		items = append(items, Airing{ID: airingID(rules[i].ID, st.Code, start), Rule: rules[i].ID, Campaign: campaigns.DemoCampaignCode,
			Station: st.Code, Channel: st.Channel, OrgUnit: st.OrgUnit, Slot: start, Start: start, End: start.Add(time.Hour),
			Groups: []string{}, Status: StatusPublished, PublishedAt: &at, Note: "mẫu (sample)",
			PublishedURL: fmt.Sprintf("https://baoquangnam.vn/mau-pcmd-2024-%02d.html", int(m))})
	}
	if _, err := writeAirings(ctx, s, func(ctx context.Context) ([]Airing, error) { return s.write(ctx, items, nil) }); err != nil {
		return err
	}
	for _, a := range items {
		if err := s.countReach(ctx, loa.System, a); err != nil {
			return err
		}
	}
	return nil
}
