package report

// The year-on-year view: two campaigns, or two periods of one, reported on one
// map and set side by side, indicator by indicator and unit by unit.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"loa"
	"loa/campaigns"
)

// CompareQuery asks for a comparison of a campaign's report (Period) with that
// of another campaign (With, the same one when empty) over WithPeriod, on one
// map (Map; by default the later window's end) and scope.
type CompareQuery struct {
	With, Period, WithPeriod, Map, Scope string
	// Suppress hides counts of people below SmallCell (the viewer role).
	Suppress bool
}

// Comparison sets two reports on one map side by side: Before is the one whose
// window ends first, After the other; every change is After less Before.
type Comparison struct {
	Map                  MapBasis         `json:"map"`
	Scope                UnitRef          `json:"scope"`
	Before               ComparedReport   `json:"before"`
	After                ComparedReport   `json:"after"`
	Indicators           []IndicatorPair  `json:"indicators"`
	Units                []UnitComparison `json:"units"`
	Notes                []string         `json:"notes"` // in Vietnamese
	SmallCellsSuppressed bool             `json:"smallCellsSuppressed"`
}

// ComparedReport names one side of a comparison.
type ComparedReport struct {
	Campaign ReportCampaign `json:"campaign"`
	Window   Window         `json:"period"`
	AsOf     loa.Date       `json:"asOf"`
}

// IndicatorPair is an indicator in both reports (matched by code, else by what it
// counts), or in one of them only.
type IndicatorPair struct {
	Indicator string    `json:"indicator"`
	Title     string    `json:"title"`
	Rule      string    `json:"rule"`
	CountUnit string    `json:"countUnit"`
	Before    *Figures  `json:"before"`
	After     *Figures  `json:"after"`
	Change    *Change   `json:"change"`
	codes     [2]string // the indicator's codes in each report
}

// Change is how a figure moved: the numerator's difference and the value's in
// percentage points; each nil when a side lacks it or hides a small count.
type Change struct {
	Numerator *int64   `json:"numerator"`
	Points    *float64 `json:"points"`
}

// UnitComparison is one unit of the map under the scope: each compared indicator
// there, in the order of Indicators (coverage and regular activity only).
type UnitComparison struct {
	Unit       UnitRef         `json:"unit"`
	Indicators []UnitValuePair `json:"indicators"`
}

// UnitValuePair is one indicator in one unit, before and after.
type UnitValuePair struct {
	Indicator string   `json:"indicator"`
	Before    *Figures `json:"before"`
	After     *Figures `json:"after"`
	Change    *Change  `json:"change"`
}

// Compare reports a campaign and the one it is compared with on one map, and
// sets their figures side by side.
func (s *Service) Compare(ctx context.Context, actor loa.Actor, code string, q CompareQuery) (Comparison, error) {
	c, err := s.core.Campaign(ctx, code)
	if err != nil {
		return Comparison{}, err
	}
	w, err := ParseWindow(q.Period, c, s.core.Cutoff())
	if err != nil {
		return Comparison{}, err
	}
	with := q.With
	if with == "" {
		with = code
	}
	c2, err := s.core.Campaign(ctx, with)
	if errors.Is(err, loa.ErrNotFound) {
		return Comparison{}, loa.Invalid("with", fmt.Sprintf("no campaign with code %q", with))
	}
	if err != nil {
		return Comparison{}, err
	}
	w2, err := ParseWindow(q.WithPeriod, c2, s.core.Cutoff())
	if err != nil {
		var ve *loa.ValidationError
		if errors.As(err, &ve) {
			return Comparison{}, loa.Invalid("withPeriod", ve.Details[0].Message)
		}
		return Comparison{}, err
	}
	on := q.Map
	if on == "" {
		on = string(max(w.To, w2.To))
	}
	a, err := s.Report(ctx, actor, code, ReportQuery{Period: q.Period, Map: on, Scope: q.Scope, Suppress: q.Suppress})
	if err != nil {
		return Comparison{}, err
	}
	b, err := s.Report(ctx, actor, with, ReportQuery{Period: q.WithPeriod, Map: on, Scope: q.Scope, Suppress: q.Suppress})
	if err != nil {
		return Comparison{}, err
	}
	if b.Window.To < a.Window.To {
		a, b = b, a
	}
	return compare(a, b), nil
}

// compare sets two reports of one map and scope side by side.
func compare(a, b Report) Comparison {
	out := Comparison{Map: b.Map, Scope: b.Scope, Notes: []string{}, SmallCellsSuppressed: a.SmallCellsSuppressed || b.SmallCellsSuppressed,
		Before: ComparedReport{a.Campaign, a.Window, a.AsOf}, After: ComparedReport{b.Campaign, b.Window, b.AsOf}}
	// A note both reports carry is said once; one of a single report names it.
	for i, r := range []Report{a, b} {
		other := []Report{b, a}[i]
		for _, n := range r.Map.Notes {
			if !slices.Contains(other.Map.Notes, n) {
				n = r.Campaign.Code + ", " + r.Window.Label + ": " + n
			}
			if !slices.Contains(out.Notes, n) {
				out.Notes = append(out.Notes, n)
			}
		}
	}
	out.Indicators = pairIndicators(a.Indicators, b.Indicators)
	units := map[string]*UnitComparison{}
	var order []string
	for side, r := range []Report{a, b} {
		for _, d := range r.Districts {
			u, ok := units[d.Unit.Code]
			if !ok {
				u = &UnitComparison{Unit: d.Unit}
				for _, p := range out.Indicators {
					if p.Rule == campaigns.RuleCoverage || p.Rule == campaigns.RuleOrgUnitActivity {
						u.Indicators = append(u.Indicators, UnitValuePair{Indicator: p.Indicator})
					}
				}
				units[d.Unit.Code] = u
				order = append(order, d.Unit.Code)
			}
			for i := range u.Indicators {
				p := out.Indicators[slices.IndexFunc(out.Indicators, func(p IndicatorPair) bool { return p.Indicator == u.Indicators[i].Indicator })]
				k := slices.IndexFunc(d.Indicators, func(v UnitValue) bool { return v.Indicator == p.codes[side] })
				if k < 0 {
					continue
				}
				v := d.Indicators[k]
				f := &Figures{Numerator: v.Numerator, Denominator: v.Denominator, Value: v.Value}
				if side == 0 {
					u.Indicators[i].Before = f
				} else {
					u.Indicators[i].After = f
				}
			}
		}
	}
	slices.SortFunc(order, campaigns.CompareCodes)
	out.Units = make([]UnitComparison, 0, len(order))
	for _, code := range order {
		u := units[code]
		for i := range u.Indicators {
			u.Indicators[i].Change = changeOf(u.Indicators[i].Before, u.Indicators[i].After)
		}
		out.Units = append(out.Units, *u)
	}
	return out
}

// pairIndicators matches the indicators of two reports: by code, then the rest
// by what they count (rule, group, level, channel); the unmatched stand alone.
func pairIndicators(a, b []Result) []IndicatorPair {
	measure := func(r Result) string { return r.Rule + "|" + r.Group + "|" + r.Level + "|" + r.Channel }
	used := make([]bool, len(b))
	match := func(r Result) int {
		if k := slices.IndexFunc(b, func(o Result) bool { return o.Indicator == r.Indicator }); k >= 0 && !used[k] {
			return k
		}
		for k, o := range b {
			if !used[k] && measure(o) == measure(r) && !slices.ContainsFunc(a, func(x Result) bool { return x.Indicator == o.Indicator }) {
				return k
			}
		}
		return -1
	}
	var out []IndicatorPair
	for _, r := range a {
		p := IndicatorPair{Indicator: r.Indicator, Title: r.Title, Rule: r.Rule, CountUnit: r.CountUnit, Before: figuresOf(r)}
		p.codes[0] = r.Indicator
		if k := match(r); k >= 0 {
			used[k] = true
			p.After, p.codes[1] = figuresOf(b[k]), b[k].Indicator
		}
		out = append(out, p)
	}
	for k, r := range b {
		if !used[k] {
			p := IndicatorPair{Indicator: r.Indicator, Title: r.Title, Rule: r.Rule, CountUnit: r.CountUnit, After: figuresOf(r)}
			p.codes[1] = r.Indicator
			out = append(out, p)
		}
	}
	for i := range out {
		out[i].Change = changeOf(out[i].Before, out[i].After)
	}
	return out
}

// figuresOf are an indicator's figures in a report.
func figuresOf(r Result) *Figures {
	return &Figures{Numerator: r.Numerator, Denominator: r.Denominator, Value: r.Value, Note: r.Note}
}

// changeOf is After less Before; nil without both sides.
func changeOf(a, b *Figures) *Change {
	if a == nil || b == nil {
		return nil
	}
	var c Change
	if a.Numerator != nil && b.Numerator != nil && !a.Numerator.Hidden && !b.Numerator.Hidden &&
		!a.Numerator.Shielded && !b.Numerator.Shielded {
		c.Numerator = new(b.Numerator.N - a.Numerator.N)
	}
	if a.Value != nil && b.Value != nil {
		c.Points = new(100 * (*b.Value - *a.Value))
	}
	return &c
}
