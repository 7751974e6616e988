package report

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// Plans is what the scheduler knows that reports need: the press calendar, the
// airings planned ahead (for forecasts) and the stations the rules reach (for
// suggestions).
type Plans interface {
	// ChannelMonths counts a campaign's items planned and published on a channel
	// kind in a year, by month (YYYY-MM).
	ChannelMonths(ctx context.Context, campaign, channel string, year int) (map[string]campaigns.MonthPlan, error)
	// PlannedUnits counts, per org unit, a campaign's airings planned in [from, to).
	PlannedUnits(ctx context.Context, campaign string, from, to time.Time) (map[string]int, error)
	// Outlets lists the active stations with the campaign's rules in force that
	// pick each.
	Outlets(ctx context.Context, campaign string) ([]campaigns.Outlet, error)
}

// noPlans is the Plans of a service built without the scheduler: nothing planned.
type noPlans struct{}

func (noPlans) ChannelMonths(context.Context, string, string, int) (map[string]campaigns.MonthPlan, error) {
	return nil, nil
}

func (noPlans) PlannedUnits(context.Context, string, time.Time, time.Time) (map[string]int, error) {
	return nil, nil
}

func (noPlans) Outlets(context.Context, string) ([]campaigns.Outlet, error) { return nil, nil }

// Service evaluates the campaigns' indicators into reports, from the campaigns
// and denominators of core, the rollups and manual values of reach and the
// scheduler's plans.
type Service struct {
	core   *campaigns.Service
	reach  *reach.Service
	plans  Plans
	drafts DraftStore
	now    func() time.Time
}

// NewService returns the reports of core's campaigns with their reach and plans
// (nil: nothing planned) and the drafts of their narrative; now is the clock.
// Dates are evaluated in core's zone and periods cut at its cut-off day.
func NewService(core *campaigns.Service, reach *reach.Service, plans Plans, drafts DraftStore, now func() time.Time) *Service {
	if plans == nil {
		plans = noPlans{}
	}
	return &Service{core: core, reach: reach, plans: plans, drafts: drafts, now: now}
}

// ReportQuery asks for a report. Empty fields take their defaults: as of today, for
// the actor's scope, over the whole campaign period.
type ReportQuery struct {
	AsOf   string
	Scope  string
	Period string
	// Suppress hides counts of people below SmallCell (exports for outside readers).
	Suppress bool
}

// Report evaluates every indicator of a campaign at an as-of date, for a scope and a
// reporting period, from the rollups (never the records).
func (s *Service) Report(ctx context.Context, actor loa.Actor, code string, q ReportQuery) (Report, error) {
	e, now, err := s.evaluation(ctx, actor, code, q)
	if err != nil {
		return Report{}, err
	}
	r := e.report()
	r.GeneratedAt = now.Truncate(time.Second)
	return r, nil
}

// evaluation reads everything a report of the query needs, and the time it was
// read at.
func (s *Service) evaluation(ctx context.Context, actor loa.Actor, code string, q ReportQuery) (evaluation, time.Time, error) {
	e, now, err := s.basis(ctx, actor, code, q)
	if err != nil {
		return e, now, err
	}
	if e.manual, err = s.reach.ManualValues(ctx, loa.System, code); err != nil {
		return e, now, err
	}
	if e.press, err = s.press(ctx, e.campaign, e.window); err != nil {
		return e, now, err
	}
	if e.asOf < e.window.To { // forecasts rest on what is planned after the as-of date
		from := e.asOf.In(s.core.Zone()).AddDate(0, 0, 1)
		if e.planned, err = s.plans.PlannedUnits(ctx, code, from, e.window.To.In(s.core.Zone()).AddDate(0, 0, 1)); err != nil {
			return e, now, err
		}
	}
	return e, now, nil
}

// basis reads the campaign, the units, the window, the target groups, the
// denominators and the rollup cells of a query: what the gap map needs, and the
// start of every evaluation.
func (s *Service) basis(ctx context.Context, actor loa.Actor, code string, q ReportQuery) (evaluation, time.Time, error) {
	now := s.now().In(s.core.Zone())
	c, err := s.core.Campaign(ctx, code)
	if err != nil {
		return evaluation{}, now, err
	}
	window, err := ParseWindow(q.Period, c, s.core.Cutoff())
	if err != nil {
		return evaluation{}, now, err
	}
	today := loa.DateOf(now)
	asOf := min(today, window.To)
	if q.AsOf != "" {
		if asOf, err = loa.ParseDate(q.AsOf); err != nil {
			return evaluation{}, now, loa.Invalid("asOf", err.Error())
		}
		if asOf > today {
			return evaluation{}, now, loa.Invalid("asOf", fmt.Sprintf("as of %s is in the future; a report counts what has happened", asOf))
		}
	}
	// A campaign is reported on the units standing on the day the report is
	// about: its as-of date, or the window's end when that comes first.
	tree, err := s.core.Tree(ctx, min(asOf, window.To))
	if err != nil {
		return evaluation{}, now, err
	}
	scope, err := tree.Scope(actor, "scope", q.Scope)
	if err != nil {
		return evaluation{}, now, err
	}
	e := evaluation{campaign: c, tree: tree, scope: scope, window: window, asOf: asOf, today: today,
		cutoff: s.core.Cutoff(), suppress: q.Suppress}
	if e.groups, err = s.core.TargetGroups(ctx); err != nil {
		return e, now, err
	}
	if e.populations, err = s.core.Populations(ctx, loa.System, campaigns.PopulationFilter{}); err != nil {
		return e, now, err
	}
	if e.cells, err = s.reach.Cells(ctx, code); err != nil {
		return e, now, err
	}
	return e, now, nil
}

// press reads the calendar of each channel a monthly_frequency indicator counts,
// over the years of the window.
func (s *Service) press(ctx context.Context, c campaigns.Campaign, w Window) (map[string]map[string]campaigns.MonthPlan, error) {
	out := map[string]map[string]campaigns.MonthPlan{}
	for _, in := range c.Indicators {
		if in.Rule != campaigns.RuleMonthlyFrequency || out[in.Channel] != nil {
			continue
		}
		months := map[string]campaigns.MonthPlan{}
		for year := w.From.Year(); year <= w.To.Year(); year++ {
			m, err := s.plans.ChannelMonths(ctx, c.Code, in.Channel, year)
			if err != nil {
				return nil, err
			}
			for k, v := range m {
				months[k] = v
			}
		}
		out[in.Channel] = months
	}
	return out, nil
}

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4])|-H([12]))?$`)

var romanQuarters = []string{"I", "II", "III", "IV"}

// ParseWindow reads a reporting period: "" or "campaign" (the campaign's period),
// "YYYY-MM" (a calendar month), or a periodic report window cut at the cut-off day:
// "YYYY-Q1".."YYYY-Q4", "YYYY-H1", "YYYY-H2" or "YYYY". With a cut-off day of 15 the
// window "2024-H1" runs from 15 December 2023 to 14 June 2024; with 1 it is the
// calendar half-year.
func ParseWindow(period string, c campaigns.Campaign, cutoff int) (Window, error) {
	if period == "" || period == "campaign" {
		return Window{Kind: "campaign", Period: "campaign", From: c.Period.Start, To: c.Period.End,
			Label: "Cả kỳ kế hoạch " + span(c.Period.Start, c.Period.End)}, nil
	}
	m := periodPattern.FindStringSubmatch(period)
	if m == nil {
		return Window{}, loa.Invalid("period", fmt.Sprintf("period %q is not one of: campaign, YYYY-MM, YYYY-Q1..Q4, YYYY-H1, YYYY-H2, YYYY", period))
	}
	year, _ := strconv.Atoi(m[1])
	if year < 2000 || year > 2100 {
		return Window{}, loa.Invalid("period", "a year from 2000 to 2100")
	}
	if m[2] != "" {
		month, _ := strconv.Atoi(m[2])
		from := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		return Window{Kind: "month", Period: period, From: loa.DateOf(from), To: loa.DateOf(from.AddDate(0, 1, -1)),
			Label: fmt.Sprintf("Tháng %d/%d", month, year)}, nil
	}
	first, last, kind, label := 1, 12, "year", fmt.Sprintf("Năm %d", year)
	switch {
	case m[3] != "":
		q, _ := strconv.Atoi(m[3])
		first, last, kind, label = 3*q-2, 3*q, "quarter", fmt.Sprintf("Quý %s năm %d", romanQuarters[q-1], year)
	case m[4] == "1":
		first, last, kind, label = 1, 6, "half", fmt.Sprintf("6 tháng đầu năm %d", year)
	case m[4] == "2":
		first, last, kind, label = 7, 12, "half", fmt.Sprintf("6 tháng cuối năm %d", year)
	}
	from := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(year, time.Month(last)+1, 0, 0, 0, 0, 0, time.UTC)
	if cutoff > 1 {
		from = time.Date(year, time.Month(first)-1, cutoff, 0, 0, 0, 0, time.UTC)
		to = time.Date(year, time.Month(last), cutoff-1, 0, 0, 0, 0, time.UTC)
	}
	w := Window{Kind: kind, Period: period, From: loa.DateOf(from), To: loa.DateOf(to)}
	w.Label = label + " " + span(w.From, w.To)
	return w, nil
}

func span(from, to loa.Date) string { return "(" + from.Display() + " – " + to.Display() + ")" }

// Windows lists the reporting periods of a campaign a report may be asked for:
// the whole campaign, then for each of its years the half-years, the year and the
// quarters (cut at the cut-off day), those that overlap the campaign.
func (s *Service) Windows(ctx context.Context, code string) ([]Window, error) {
	c, err := s.core.Campaign(ctx, code)
	if err != nil {
		return nil, err
	}
	whole, err := ParseWindow("", c, s.core.Cutoff())
	if err != nil {
		return nil, err
	}
	out := []Window{whole}
	for y := c.Period.Start.Year(); y <= c.Period.End.Year(); y++ {
		for _, p := range []string{"-H1", "-H2", "", "-Q1", "-Q2", "-Q3", "-Q4"} {
			w, err := ParseWindow(fmt.Sprintf("%d%s", y, p), c, s.core.Cutoff())
			if err != nil {
				return nil, err
			}
			if w.To >= c.Period.Start && w.From <= c.Period.End {
				out = append(out, w)
			}
		}
	}
	return out, nil
}
