package report

// What a report shows beside the indicators: the breakdown by child unit, the
// monthly trend, the target groups and the long format.

import (
	"time"

	"loa/campaigns"
)

// breakdowns evaluate the coverage and activity indicators at each child unit, with
// what the child's records add up to, and their rows of the long format.
func (x *engine) breakdowns(children []int, m moment) ([]Breakdown, []DataRow) {
	out := make([]Breakdown, 0, len(children))
	var rows []DataRow
	for _, c := range children {
		sum := sumParts(x.total[c], 0, m.parts)
		b := Breakdown{Unit: unitRef(x.tree.Units()[c]), Indicators: []UnitValue{}, Activities: sum.Activities,
			PersonTimes: x.people(sum.PersonTimes), UniquePersons: x.people(sum.UniquePersons)}
		for _, in := range x.campaign.Indicators {
			if in.Rule != campaigns.RuleCoverage && in.Rule != campaigns.RuleOrgUnitActivity {
				continue
			}
			res := x.evaluate(in, c, m)
			b.Indicators = append(b.Indicators, UnitValue{Indicator: in.Code, Numerator: res.Numerator,
				Denominator: res.Denominator, Value: res.Value, Status: res.Status})
			rows = append(rows, dataRow(in, b.Unit, "", res))
		}
		out = append(out, b)
	}
	return out, rows
}

// trend is one point per month of the window at unit s: what was done in the month
// and each indicator's value at its end (at asOf in asOf's month, none after it)
// beside the value expected at the month's end; with the rows of the long format.
func (x *engine) trend(s int) ([]TrendPoint, []DataRow) {
	ref := unitRef(x.tree.Units()[s])
	out := make([]TrendPoint, 0, len(x.months))
	var rows []DataRow
	for _, mo := range x.months {
		sum := sumParts(x.total[s], mo.a, mo.b)
		p := TrendPoint{Month: mo.month, Activities: sum.Activities, PersonTimes: x.people(sum.PersonTimes),
			UniquePersons: x.people(sum.UniquePersons), Indicators: make([]TrendValue, 0, len(x.campaign.Indicators))}
		end := earlier(mo.last, x.to)
		line, then := x.at(end), x.at(earlier(end, x.asOfDay))
		for _, in := range x.campaign.Indicators {
			v := TrendValue{Indicator: in.Code, Expected: x.expected(in, line)}
			if !mo.first.After(x.asOfDay) {
				res := x.evaluate(in, s, then)
				v.Value = res.Value
				rows = append(rows, dataRow(in, ref, mo.month, res))
			}
			p.Indicators = append(p.Indicators, v)
		}
		out = append(out, p)
	}
	return out, rows
}

// groupRows are what the records of each target group add up to in unit s.
func (x *engine) groupRows(s int, m moment) []GroupRow {
	out := make([]GroupRow, 0, len(x.groups))
	for i, g := range x.groups {
		sum := sumParts(series(x.subtree, s, i), 0, m.parts)
		row := GroupRow{Group: g.Code, Label: g.NameVi, Activities: sum.Activities,
			PersonTimes: x.people(sum.PersonTimes), UniquePersons: x.people(sum.UniquePersons)}
		// The share would give away a hidden count: of all person-times, of the
		// estimated ones or of the others.
		if !row.PersonTimes.Hidden && !x.people(sum.Estimated).Hidden && !x.people(sum.PersonTimes-sum.Estimated).Hidden {
			row.Estimated = ratio(sum.Estimated, sum.PersonTimes)
		}
		out = append(out, row)
	}
	return out
}

// measures are the long-format rows of the records: activities, person-times and
// unique persons per unit, group and month, non-zero only.
func (x *engine) measures(units []int) []DataRow {
	var rows []DataRow
	for _, u := range units {
		ref := unitRef(x.tree.Units()[u])
		for g, group := range x.groups {
			s := series(x.subtree, u, g)
			if s == nil {
				continue
			}
			for _, mo := range x.months {
				sum := sumParts(s, mo.a, mo.b)
				for _, c := range []struct {
					name  string
					count *Count
				}{
					{"activities", Things(sum.Activities)},
					{"person_times", x.people(sum.PersonTimes)},
					{"unique_persons", x.people(sum.UniquePersons)},
				} {
					if c.count.N != 0 {
						rows = append(rows, DataRow{Indicator: c.name, Unit: ref, Group: group.Code, Month: mo.month, Numerator: c.count})
					}
				}
			}
		}
	}
	return rows
}

// dataRow is an indicator's result as a row of the long format.
func dataRow(in campaigns.Indicator, u UnitRef, month string, r Result) DataRow {
	return DataRow{Indicator: in.Code, Unit: u, Group: in.Group, Month: month, Numerator: r.Numerator,
		Denominator: r.Denominator, Value: r.Value, Provenance: r.Provenance}
}

// unitRef names a unit in a report.
func unitRef(u campaigns.OrgUnit) UnitRef { return UnitRef{Code: u.Code, Name: u.Name, Level: u.Level} }

// monthStart is the first day of t's month.
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// daysFrom counts the days from a to b, negative when b is before a.
func daysFrom(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// earlier is the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
