package report

// The monthly_frequency and manual rules.

import (
	"math"
	"strings"

	"loa/campaigns"
	"loa/campaigns/reach"
)

// frequency counts the months of the window with an item published on the
// indicator's channel, out of the months elapsed; the press is province-wide.
func (x *engine) frequency(in campaigns.Indicator, m moment) Result {
	r := x.newResult(in, m)
	r.CountUnit, r.Provenance = "tháng", provenancePress
	plan := x.press[in.Channel]
	var elapsed, published, planned int64
	var unplanned []string
	for _, mo := range x.months {
		if mo.first.Before(x.from) {
			continue
		}
		p := plan[mo.month]
		switch {
		case !mo.last.After(m.date) || !mo.first.After(m.date) && p.Published > 0:
			elapsed++
			if p.Published > 0 {
				published++
			}
		case p.Planned > 0:
			planned++
		default:
			unplanned = append(unplanned, mo.month[5:]+"/"+mo.month[:4])
		}
	}
	var notes []string
	if elapsed == 0 {
		notes = append(notes, noteNoMonthEnded)
	}
	if len(unplanned) > 0 {
		notes = append(notes, noteUnplannedMonths+strings.Join(unplanned, ", "))
	}
	r.Note = strings.Join(notes, ". ")
	total := elapsed + planned + int64(len(unplanned))
	var o outlook
	if elapsed > 0 {
		r.Numerator, r.Denominator, r.Value = Things(published), Things(elapsed), ratio(published, elapsed)
		r.Forecast = newForecast(in, forecastPlanned, float64(published+planned), float64(published+planned)/float64(total))
		// The months missed stay missed; the months ahead may all be published.
		o = outlook{float64(published) / float64(total), float64(total-elapsed+published) / float64(total)}
	}
	judge(in, &r, m, total, o)
	return r
}

// manualResult is the latest value entered for the indicator at unit s on or
// before m.
func (x *engine) manualResult(in campaigns.Indicator, s int, m moment) Result {
	r := x.newResult(in, m)
	code := x.tree.Units()[s].Code
	var v *reach.ManualValue
	for i, mv := range x.manual {
		if mv.Indicator == in.Code && mv.OrgUnit == code && mv.AsOf <= m.day && (v == nil || mv.AsOf > v.AsOf) {
			v = &x.manual[i]
		}
	}
	if v == nil {
		r.Note = noteNoEntry
		judge(in, &r, m, 0, outlook{})
		return r
	}
	r.CountUnit, r.Note = v.CountUnit, v.Note
	r.Provenance = v.Source + " (số liệu đến " + v.AsOf.Display() + ")"
	r.Numerator, r.Denominator, r.Value = Things(v.Numerator), Things(v.Denominator), ratio(v.Numerator, v.Denominator)
	if r.Value == nil {
		r.Note = noteZeroDenominator
	}
	// A later entry may replace this one, up or down, until the period ends.
	o := outlook{math.Inf(-1), math.Inf(1)}
	if r.Value != nil && m.over {
		o = outlook{*r.Value, *r.Value}
	}
	judge(in, &r, m, v.Denominator, o)
	return r
}
