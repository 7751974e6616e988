package report

import (
	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// evaluation is everything the indicator engine reads. It does no I/O, so every
// counting rule is tested on hand-made inputs.
type evaluation struct {
	campaign campaigns.Campaign
	tree     *campaigns.UnitTree
	// history places references to units on the tree of mapDate (nil: a
	// hand-made tree whose codes are the references); otherMap says the map was
	// asked for, not the window's end.
	history  *campaigns.UnitHistory
	mapDate  loa.Date
	otherMap bool
	groups   []campaigns.TargetGroup
	scope    campaigns.OrgUnit
	window   Window
	asOf     loa.Date
	today    loa.Date // records are never dated after it
	cutoff   int      // the cut-off day the cells are split at (1 to 28; 1 means part 1 is empty)
	// cells are all the campaign's rollup cells; the engine keeps those of the parts
	// that start within the window on or before asOf.
	cells reach.CellSet
	// populations are every stored denominator; the engine uses, per unit and group,
	// the latest year not after the window's end year.
	populations []campaigns.Population
	// press is, per channel kind, the campaign's calendar by month (YYYY-MM).
	press map[string]map[string]campaigns.MonthPlan
	// planned counts, per org unit, the campaign's airings planned after asOf and up
	// to the window's end.
	planned map[string]int
	manual  []reach.ManualValue
	// suppress hides counts of people below SmallCell (exports for the viewer role).
	suppress bool
}
