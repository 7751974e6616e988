package campaigns

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The indicator engine: a pure function from an evaluation to a Report (DESIGN §5).
// The cells are summed once per unit, group and part into prefix sums, so every
// indicator, unit and month reads sums instead of rescanning the cells.

const (
	// tolerance absorbs floating-point noise when a value is compared with a target.
	tolerance = 1e-9
	// daysPerMonth turns the days left in a window into months for the pace needed.
	daysPerMonth = 365.25 / 12
	// atRiskShare is how close to the expected value an indicator is at risk rather
	// than off track.
	atRiskShare = 0.75
)

// What reports say, in Vietnamese.
const (
	noteNoDenominator   = "Chưa có mẫu số (số người của nhóm) cho phạm vi này"
	noteZeroDenominator = "Mẫu số bằng 0: không tính được tỷ lệ"
	notePersonTimesOnly = "Chỉ có số lượt người: không tính được tỷ lệ bao phủ"
	noteNoUnits         = "Phạm vi này không có đơn vị nào của cấp được đếm"
	noteNoMonthEnded    = "Chưa hết tháng nào trong kỳ"
	noteNoEntry         = "Chưa nhập số liệu"
	noteUnplannedMonths = "Tháng chưa có bài dự kiến: "
	reasonNoActivity    = "Chưa có hoạt động nào"
	reasonMissed        = "Không có hoạt động trong "
	provenanceUnits     = "Danh mục đơn vị hành chính (mã GSO), đơn vị còn hiệu lực trong kỳ"
	provenancePress     = "Lịch báo chí của Loa (bài đã đăng có đường dẫn)"
	forecastRunRate     = "run_rate"
	forecastPlanned     = "planned"
)

// levelUnits name what an orgunit_activity indicator counts at each level.
var levelUnits = map[string]string{"commune": "xã", "district": "huyện", "province": "tỉnh"}

// report evaluates every indicator of the campaign at the scope (a unit of e.tree)
// and the as-of date, with the breakdown by child unit, the target groups, the
// monthly trend, the lagging units and the long-format data, whose measures of the
// records are per child unit (the scope itself when it has none), group and month.
func (e evaluation) report() Report {
	x := newEngine(e)
	s := x.tree.byCode[e.scope.Code]
	now := x.at(x.asOfDay)
	r := Report{
		Campaign: ReportCampaign{Code: e.campaign.Code, Title: e.campaign.Title, LegalBasis: e.campaign.LegalBasis,
			OwnerAgency: e.campaign.OwnerAgency, Secretariat: e.campaign.Secretariat},
		Scope:                unitRef(e.scope),
		Window:               e.window,
		AsOf:                 e.asOf,
		Elapsed:              now.elapsed,
		DataThrough:          x.dataThrough(),
		SmallCellsSuppressed: e.suppress,
		Indicators:           make([]Result, 0, len(e.campaign.Indicators)),
		Lagging:              []Lagging{},
		Provenance:           []string{},
	}
	var rows []DataRow
	for _, in := range e.campaign.Indicators {
		res := x.evaluate(in, s, now)
		res.Lagging = x.lagging(in, s, now)
		r.Indicators = append(r.Indicators, res)
		r.Lagging = append(r.Lagging, res.Lagging...)
		if res.Provenance != "" && !slices.Contains(r.Provenance, res.Provenance) {
			r.Provenance = append(r.Provenance, res.Provenance)
		}
		rows = append(rows, dataRow(in, r.Scope, "", res))
	}
	children := x.validChildren(s)
	districts, childRows := x.breakdowns(children, now)
	trend, trendRows := x.trend(s)
	r.Districts, r.Trend, r.Groups = districts, trend, x.groupRows(s, now)
	if len(children) == 0 {
		children = []int{s} // a commune's records are its own
	}
	r.Data = slices.Concat(rows, childRows, trendRows, x.measures(children))
	return r
}

// engine is an evaluation prepared for counting.
type engine struct {
	evaluation
	from, to, asOfDay time.Time
	windowDays        int
	parts             []part      // the parts included at asOf, in order
	months            []monthSpan // the calendar months the window intersects
	// slots hold, per month of the window and part (two a month), 1 + the part's
	// index in parts, or 0 when it is not included.
	slots      []int
	firstMonth int     // the window's first month, as 12×year + month − 1
	children   [][]int // per unit (index in tree.units), its children
	up         [][]int // per unit, the units of its path, root first, itself last
	// direct and subtree are, per unit and group (index in groups), prefix sums
	// over parts of the unit's own cells and of its subtree's: element k sums parts
	// [0, k); nil without cells. total is subtree summed over the groups.
	direct, subtree [][][]Cell
	total           [][]Cell
	planned         []int // per unit, airings planned in its subtree
	dens            map[string]map[int]Population
	windows         map[string][]subWindow
}

// part is one half of a month: part 1 runs from the 1st to the day before the
// cut-off day, part 2 from the cut-off day to the month's end.
type part struct {
	month      string // YYYY-MM
	part       int
	start, end time.Time
}

// monthSpan is a calendar month of the window and its included parts [a, b).
type monthSpan struct {
	month       string
	first, last time.Time
	a, b        int
}

// newEngine parses the evaluation's dates and sums its cells.
func newEngine(e evaluation) *engine {
	x := &engine{evaluation: e, from: e.window.From.time(time.UTC), to: e.window.To.time(time.UTC),
		asOfDay: e.asOf.time(time.UTC), dens: map[string]map[int]Population{}, windows: map[string][]subWindow{}}
	x.windowDays = daysFrom(x.from, x.to) + 1
	x.firstMonth = monthNumber(x.from)
	x.parts = x.includedParts()
	x.months = x.calendarMonths()
	x.slots = make([]int, 2*len(x.months))
	for i, p := range x.parts {
		x.slots[2*(monthNumber(p.start)-x.firstMonth)+p.part-1] = i + 1
	}
	n := len(x.tree.units)
	x.children, x.up, x.planned = make([][]int, n), make([][]int, n), make([]int, n)
	for i, u := range x.tree.units {
		if p, ok := x.tree.byCode[u.Parent]; ok {
			x.children[p] = append(x.children[p], i)
		}
		for _, c := range u.Path {
			if a, ok := x.tree.byCode[c]; ok {
				x.up[i] = append(x.up[i], a)
			}
		}
	}
	for code, n := range e.planned {
		if u, ok := x.tree.byCode[code]; ok {
			for _, a := range x.up[u] {
				x.planned[a] += n
			}
		}
	}
	x.sumCells()
	return x
}

// includedParts lists the parts that start within the window, on or before asOf.
func (x *engine) includedParts() []part {
	limit := earlier(x.asOfDay, x.to)
	var out []part
	for m := monthStart(x.from); !m.After(limit); m = m.AddDate(0, 1, 0) {
		month, cut := m.Format("2006-01"), m.AddDate(0, 0, x.cutoff-1)
		for _, p := range []part{
			{month, 1, m, cut.AddDate(0, 0, -1)},
			{month, 2, cut, m.AddDate(0, 1, -1)},
		} {
			if !p.end.Before(p.start) && !p.start.Before(x.from) && !p.start.After(limit) {
				out = append(out, p)
			}
		}
	}
	return out
}

// calendarMonths lists the months the window intersects with their included parts.
func (x *engine) calendarMonths() []monthSpan {
	var out []monthSpan
	i := 0
	for m := monthStart(x.from); !m.After(x.to); m = m.AddDate(0, 1, 0) {
		s := monthSpan{month: m.Format("2006-01"), first: m, last: m.AddDate(0, 1, -1), a: i}
		for i < len(x.parts) && x.parts[i].month == s.month {
			i++
		}
		s.b = i
		out = append(out, s)
	}
	return out
}

// sumCells adds the included cells up per unit and group, and per subtree. Cells of
// units outside the tree or of groups that are not target groups count nowhere.
func (x *engine) sumCells() {
	units, n := len(x.tree.units), len(x.parts)+1
	x.direct, x.subtree, x.total = make([][][]Cell, units), make([][][]Cell, units), make([][]Cell, units)
	for k, c := range x.cells {
		p := x.slot(k.Month, k.Part)
		u, ok := x.tree.byCode[k.OrgUnit]
		g := x.groupIndex(k.Group)
		if p == 0 || !ok || g < 0 {
			continue
		}
		if x.direct[u] == nil {
			x.direct[u] = make([][]Cell, len(x.groups))
		}
		if x.direct[u][g] == nil {
			x.direct[u][g] = make([]Cell, n)
		}
		x.direct[u][g][p].add(c, 1)
	}
	for _, groups := range x.direct {
		for _, s := range groups {
			for k := 1; k < len(s); k++ {
				s[k].add(s[k-1], 1)
			}
		}
	}
	for u, unit := range x.tree.units {
		if _, ok := x.tree.byCode[unit.Parent]; !ok {
			x.sumSubtree(u)
		}
	}
}

// sumSubtree sums the prefix series of u's subtree, children first, so each
// series is added once, to its parent.
func (x *engine) sumSubtree(u int) {
	if len(x.children[u]) == 0 {
		x.subtree[u] = x.direct[u] // a leaf's subtree is itself, and is never added to
	} else {
		for _, c := range x.children[u] {
			x.sumSubtree(c)
			x.subtree[u] = addGroups(x.subtree[u], x.subtree[c])
		}
		x.subtree[u] = addGroups(x.subtree[u], x.direct[u])
	}
	for _, s := range x.subtree[u] {
		if s != nil {
			x.total[u] = addSeries(x.total[u], s)
		}
	}
}

// addGroups adds the series of src to those of dst, group by group, allocating
// what dst lacks.
func addGroups(dst, src [][]Cell) [][]Cell {
	if src == nil {
		return dst
	}
	if dst == nil {
		dst = make([][]Cell, len(src))
	}
	for g, s := range src {
		if s != nil {
			dst[g] = addSeries(dst[g], s)
		}
	}
	return dst
}

// slot is 1 + the index in x.parts of a cell's part, or 0 when it is not included.
func (x *engine) slot(month string, part int) int {
	if len(month) != 7 || part < 1 || part > 2 {
		return 0
	}
	y, errY := strconv.Atoi(month[:4])
	m, errM := strconv.Atoi(month[5:])
	if errY != nil || errM != nil || m < 1 || m > 12 {
		return 0
	}
	i := 2*(12*y+m-1-x.firstMonth) + part - 1
	if i < 0 || i >= len(x.slots) {
		return 0
	}
	return x.slots[i]
}

// groupIndex is the index of a target group in x.groups, -1 for none; a scan is
// quicker than a map for a handful of groups.
func (x *engine) groupIndex(code string) int {
	for i, g := range x.groups {
		if g.Code == code {
			return i
		}
	}
	return -1
}

// series is the prefix series of unit u and group g in table t, nil when empty.
func series(t [][][]Cell, u, g int) []Cell {
	if g < 0 || t[u] == nil {
		return nil
	}
	return t[u][g]
}

// monthNumber numbers t's month as 12×year + month − 1.
func monthNumber(t time.Time) int { return 12*t.Year() + int(t.Month()) - 1 }

// addSeries adds src to dst element by element, allocating dst when nil.
func addSeries(dst, src []Cell) []Cell {
	if dst == nil {
		dst = make([]Cell, len(src))
	}
	for i := range src {
		dst[i].add(src[i], 1)
	}
	return dst
}

// sumParts sums a prefix series over parts [a, b).
func sumParts(s []Cell, a, b int) Cell {
	if s == nil || b <= a {
		return Cell{}
	}
	c := s[b]
	c.add(s[a], -1)
	return c
}

// dataThrough is the last day counted: the end of the last included part, never
// past today or the window; the day before the window when nothing is included.
func (x *engine) dataThrough() Date {
	if len(x.parts) == 0 {
		return dateOf(x.from.AddDate(0, 0, -1))
	}
	return min(dateOf(earlier(x.parts[len(x.parts)-1].end, x.to)), x.today)
}

// inWindow reports whether a unit exists at some time in the window.
func (x *engine) inWindow(u OrgUnit) bool {
	return (u.ValidFrom == nil || *u.ValidFrom <= x.window.To) && (u.ValidTo == nil || *u.ValidTo >= x.window.From)
}

// validChildren are the children of unit s that exist in the window, in code order.
func (x *engine) validChildren(s int) []int {
	var out []int
	for _, c := range x.children[s] {
		if x.inWindow(x.tree.units[c]) {
			out = append(out, c)
		}
	}
	return out
}

// people is a count of people, hidden when small if the report suppresses them.
func (x *engine) people(n int64) *Count {
	c := People(n)
	if x.suppress {
		c.hide()
	}
	return c
}

// moment is a date an indicator is evaluated at.
type moment struct {
	date        time.Time
	day         Date
	parts       int     // the parts included then are x.parts[:parts]
	elapsedDays int     // days of the window elapsed at the end of date
	elapsed     float64 // elapsedDays as a share of the window
	remaining   float64 // months of the window left after date
	over        bool    // the window has ended
}

// at is the moment of date d.
func (x *engine) at(d time.Time) moment {
	end := earlier(d, x.to)
	m := moment{date: d, day: dateOf(d), over: !d.Before(x.to)}
	m.elapsedDays = min(max(daysFrom(x.from, end)+1, 0), x.windowDays)
	m.elapsed = float64(m.elapsedDays) / float64(x.windowDays)
	if !m.over {
		m.remaining = float64(min(daysFrom(d, x.to), x.windowDays)) / daysPerMonth
	}
	m.parts = sort.Search(len(x.parts), func(i int) bool { return x.parts[i].start.After(end) })
	return m
}

// evaluate counts an indicator at unit s and moment m.
func (x *engine) evaluate(in Indicator, s int, m moment) Result {
	var r Result
	switch in.Rule {
	case RuleCoverage:
		r = x.coverage(in, s, m)
	case RuleOrgUnitActivity:
		r = x.activity(in, s, m)
	case RuleMonthlyFrequency:
		r = x.frequency(in, m)
	case RuleManual:
		r = x.manualResult(in, s, m)
	default:
		r = x.newResult(in, m)
		judge(in, &r, m, 0)
	}
	protect(&r)
	return r
}

// lagging lists the units behind on an indicator at unit s.
func (x *engine) lagging(in Indicator, s int, m moment) []Lagging {
	out := []Lagging{}
	switch in.Rule {
	case RuleCoverage:
		out = x.coverageLagging(in, s, m, out)
	case RuleOrgUnitActivity:
		out = x.activityLagging(in, s, m, out)
	}
	return out
}

// newResult starts an indicator's result with what does not depend on the counts.
func (x *engine) newResult(in Indicator, m moment) Result {
	return Result{Indicator: in.Code, Title: in.Title, Rule: in.Rule, Group: in.Group, Level: in.Level,
		Channel: in.Channel, Target: in.Threshold, Comparator: in.Comparator,
		ExpectedToDate: new(x.expected(in, m))}
}

// expected is the value expected at m: the target times the elapsed share of the
// window for coverage, of the first sub-window for regular activity, the target
// itself for rates.
func (x *engine) expected(in Indicator, m moment) float64 {
	switch in.Rule {
	case RuleCoverage:
		return in.Threshold * m.elapsed
	case RuleOrgUnitActivity:
		w := x.subWindows(in.Regularity)[0]
		return in.Threshold * min(1, float64(m.elapsedDays)/float64(daysFrom(w.from, w.to)+1))
	}
	return in.Threshold
}

// judge sets the status and the pace needed; base is the denominator the target
// count is taken of.
func judge(in Indicator, r *Result, m moment, base int64) {
	r.Status = status(in, r.Value, *r.ExpectedToDate, r.Forecast, m.over)
	r.StatusLabel = StatusLabels[r.Status]
	if r.Status != StatusMet && r.Status != StatusNotMeasurable && m.remaining > 0 {
		r.PaceNeeded = new(float64(targetCount(in, base)-r.Numerator.N) / m.remaining)
	}
}

// status is the common status rule of every indicator.
func status(in Indicator, value *float64, expected float64, f *Forecast, over bool) string {
	switch {
	case value == nil:
		return StatusNotMeasurable
	case meets(in, *value):
		return StatusMet
	case over:
		return StatusOffTrack
	case *value >= expected-tolerance:
		return StatusOnTrack
	case f != nil && f.Meets || *value >= atRiskShare*expected-tolerance:
		return StatusAtRisk
	}
	return StatusOffTrack
}

// meets reports whether a value satisfies the comparator: exactly 70 % is not
// "trên 70 %" (gt), exactly 50 % is "50 %" (gte).
func meets(in Indicator, v float64) bool {
	if in.Comparator == ComparatorGT {
		return v > in.Threshold+tolerance
	}
	return v >= in.Threshold-tolerance
}

// targetCount is the smallest numerator that meets the target over denominator d.
func targetCount(in Indicator, d int64) int64 {
	t := in.Threshold * float64(d)
	if in.Comparator == ComparatorGT {
		return int64(math.Floor(t+tolerance)) + 1
	}
	return int64(math.Ceil(t - tolerance))
}

// protect drops what would let a hidden count of people be recovered.
func protect(r *Result) {
	if r.Numerator != nil && r.Numerator.Hidden {
		r.Value, r.Uncapped, r.Forecast, r.PaceNeeded = nil, nil, nil, nil
	}
	if r.UncappedNumerator != nil && r.UncappedNumerator.Hidden || r.Denominator != nil && r.Denominator.Hidden {
		r.Uncapped = nil
	}
}

// ratio is n/d, nil when d is 0.
func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	return new(float64(n) / float64(d))
}

// newForecast is a forecast of numerator n and value v.
func newForecast(in Indicator, basis string, n, v float64) *Forecast {
	return &Forecast{Numerator: n, Value: &v, Basis: basis, Meets: meets(in, v)}
}

// behind is a unit below the value expected by now; hidden leaves out a value that
// would reveal a small count of people.
func behind(in Indicator, u OrgUnit, v, expected float64, hidden bool) Lagging {
	l := Lagging{Unit: unitRef(u), Indicator: in.Code}
	if hidden {
		l.Reason = "Dưới tiến độ: chưa đạt " + percentVi(expected) + " cần có đến nay"
		return l
	}
	l.Reason = "Dưới tiến độ: đạt " + percentVi(v) + " so với " + percentVi(expected) + " cần có đến nay"
	l.Value = &v
	return l
}

// percentVi writes a fraction as a percentage with one decimal and a decimal comma.
func percentVi(v float64) string {
	return strings.Replace(strconv.FormatFloat(100*v, 'f', 1, 64), ".", ",", 1) + "%"
}

// coverage counts the unique persons of the indicator's group reached in unit s,
// capped at the denominator of each unit that has one (DESIGN §5).
func (x *engine) coverage(in Indicator, s int, m moment) Result {
	c := x.countCoverage(in.Group, s, m)
	r := x.newResult(in, m)
	r.CountUnit, r.Provenance = "người", c.provenance()
	r.PersonTimes = x.people(c.reached.PersonTimes)
	r.UncappedNumerator = x.people(c.reached.UniquePersons)
	if len(c.units) > 0 {
		r.Denominator = x.people(c.denominator)
	}
	switch {
	case len(c.units) == 0:
		r.Note = noteNoDenominator
	case c.reached.UniqueKnown == 0 && c.reached.PersonTimes > 0:
		r.Note = notePersonTimesOnly
	case c.denominator == 0:
		r.Note = noteZeroDenominator
	default:
		r.Numerator, r.Value = x.people(c.numerator), ratio(c.numerator, c.denominator)
		r.Uncapped = ratio(c.reached.UniquePersons, c.denominator)
		r.OverHundred = len(c.over) > 0
		for _, u := range c.over {
			r.OverUnits = append(r.OverUnits, unitRef(x.tree.units[u]))
		}
		r.Forecast = runRate(in, c.numerator, c.denominator, m.elapsed)
	}
	judge(in, &r, m, c.denominator)
	return r
}

// runRate continues the pace so far to the window's end, capped at the denominator.
func runRate(in Indicator, n, d int64, elapsed float64) *Forecast {
	if elapsed == 0 {
		return &Forecast{Numerator: float64(n), Basis: forecastRunRate}
	}
	f := min(float64(n)/elapsed, float64(d))
	return newForecast(in, forecastRunRate, f, f/float64(d))
}

// coverageCount is a coverage indicator counted at one unit and moment.
type coverageCount struct {
	dens map[int]Population
	// units are those whose denominators make the scope's: the scope itself, or the
	// maximal units with a denominator inside it; none when it has no denominator.
	units                  []int
	numerator, denominator int64
	over                   []int // units with a denominator reached beyond it, in code order
	reached                Cell  // the group's cells in the scope's subtree
}

// countCoverage counts a group's coverage at unit s and moment m.
func (x *engine) countCoverage(group string, s int, m moment) coverageCount {
	w := x.walk(group, m)
	c := coverageCount{dens: w.dens, reached: sumParts(series(x.subtree, s, x.groupIndex(group)), 0, m.parts)}
	switch {
	case w.has(s):
		c.units = []int{s}
	case !w.under(s):
		c.units = w.maximal(s, nil)
	}
	for _, u := range c.units {
		c.numerator += w.contribution(u)
		c.denominator += w.dens[u].Count
	}
	slices.Sort(w.over)
	c.over = w.over
	return c
}

// provenance names the sources of the denominators used, with their years.
func (c coverageCount) provenance() string {
	var sources []string
	for _, u := range c.units {
		p := c.dens[u]
		if s := fmt.Sprintf("%s (%d)", p.Source, p.Year); !slices.Contains(sources, s) {
			sources = append(sources, s)
		}
	}
	return strings.Join(sources, "; ")
}

// coverageLagging lists the maximal units with a denominator inside unit s whose
// capped coverage is below the value expected by now.
func (x *engine) coverageLagging(in Indicator, s int, m moment, out []Lagging) []Lagging {
	w := x.walk(in.Group, m)
	expected := x.expected(in, m)
	for _, u := range w.maximal(s, nil) {
		den := w.dens[u].Count
		if den == 0 {
			continue
		}
		n := w.contribution(u)
		if v := float64(n) / float64(den); v < expected-tolerance {
			out = append(out, behind(in, x.tree.units[u], v, expected, x.people(n).Hidden))
		}
	}
	return out
}

// coverageWalk caps the unique persons of a group at each unit with a denominator.
type coverageWalk struct {
	x     *engine
	group int // index in x.groups
	parts int
	dens  map[int]Population
	over  []int
}

// walk starts a capping walk of a group at moment m.
func (x *engine) walk(group string, m moment) *coverageWalk {
	return &coverageWalk{x: x, group: x.groupIndex(group), parts: m.parts, dens: x.denominators(group)}
}

// denominators are, per unit, the group's population of the latest year not after
// the window's end year.
func (x *engine) denominators(group string) map[int]Population {
	if d, ok := x.dens[group]; ok {
		return d
	}
	year := x.window.To.year()
	d := map[int]Population{}
	for _, p := range x.populations {
		u, ok := x.tree.byCode[p.OrgUnit]
		if !ok || p.Group != group || p.Year > year {
			continue
		}
		if old, seen := d[u]; !seen || p.Year > old.Year {
			d[u] = p
		}
	}
	x.dens[group] = d
	return d
}

// has reports whether unit u has a denominator.
func (w *coverageWalk) has(u int) bool {
	_, ok := w.dens[u]
	return ok
}

// under reports whether a unit above u has a denominator.
func (w *coverageWalk) under(u int) bool {
	up := w.x.up[u]
	return slices.ContainsFunc(up[:max(len(up)-1, 0)], w.has)
}

// contribution is what unit u adds to the unit above it: its own unique persons
// and its children's contributions, capped at its denominator when it has one.
func (w *coverageWalk) contribution(u int) int64 {
	n := sumParts(series(w.x.direct, u, w.group), 0, w.parts).UniquePersons
	for _, c := range w.x.children[u] {
		n += w.contribution(c)
	}
	if p, ok := w.dens[u]; ok && n > p.Count {
		w.over = append(w.over, u)
		n = p.Count
	}
	return n
}

// maximal appends the units with a denominator below u with none between them and u.
func (w *coverageWalk) maximal(u int, out []int) []int {
	for _, c := range w.x.children[u] {
		if w.has(c) {
			out = append(out, c)
		} else {
			out = w.maximal(c, out)
		}
	}
	return out
}

// subWindow is a span of the window in which every counted unit must be active.
type subWindow struct {
	from, to time.Time
	a, b     int // its included parts [a, b)
	label    string
}

// subWindows split the window from its start into consecutive half-years (the
// default) or quarters; with regularity none the window is one sub-window.
func (x *engine) subWindows(regularity string) []subWindow {
	if w, ok := x.windows[regularity]; ok {
		return w
	}
	months := map[string]int{"": 6, RegularityHalfYear: 6, RegularityQuarter: 3}[regularity]
	var out []subWindow
	for from := x.from; !from.After(x.to); {
		nominal := x.to
		if months > 0 {
			nominal = x.from.AddDate(0, (len(out)+1)*months, -1)
		}
		to := earlier(nominal, x.to)
		out = append(out, subWindow{from: from, to: to, a: x.partsBefore(from), b: x.partsBefore(to.AddDate(0, 0, 1)),
			label: subWindowLabel(months, from, nominal)})
		from = to.AddDate(0, 0, 1)
	}
	x.windows[regularity] = out
	return out
}

// partsBefore counts the included parts that start before t.
func (x *engine) partsBefore(t time.Time) int {
	return sort.Search(len(x.parts), func(i int) bool { return !x.parts[i].start.Before(t) })
}

// subWindowLabel names a sub-window the way plans do: "6 tháng đầu năm 2024",
// "quý 2/2024", or by its first day when it does not end with a half-year or a
// quarter.
func subWindowLabel(months int, from, nominal time.Time) string {
	end := int(nominal.Month())
	switch {
	case months == 6 && end == 6:
		return fmt.Sprintf("6 tháng đầu năm %d", nominal.Year())
	case months == 6 && end == 12:
		return fmt.Sprintf("6 tháng cuối năm %d", nominal.Year())
	case months == 3 && end%3 == 0:
		return fmt.Sprintf("quý %d/%d", end/3, nominal.Year())
	case months > 0:
		return fmt.Sprintf("%d tháng từ %s", months, dateOf(from).Display())
	}
	return "cả kỳ"
}

// unitActivity is how a unit of an orgunit_activity indicator's level stands.
type unitActivity struct {
	unit    int
	active  bool     // at least one activity in the included data
	missed  []string // the ended sub-windows without activity
	current bool     // an activity in the current sub-window
}

// counted reports whether the unit counts in the numerator.
func (a unitActivity) counted() bool { return a.active && len(a.missed) == 0 }

// activityStates are the units of the indicator's level in unit s that exist in
// the window, as they stand at m.
func (x *engine) activityStates(in Indicator, s int, m moment) []unitActivity {
	windows := x.subWindows(in.Regularity)
	cur := len(windows) - 1
	for k, w := range windows {
		if w.to.After(m.date) {
			cur = k
			break
		}
	}
	scope := x.tree.units[s].Code
	var out []unitActivity
	for i, u := range x.tree.units {
		if u.Level != in.Level || !x.inWindow(u) || !slices.Contains(u.Path, scope) {
			continue
		}
		st := unitActivity{unit: i, active: x.active(i, 0, m.parts)}
		for _, w := range windows {
			if !w.to.After(m.date) && !x.active(i, w.a, min(w.b, m.parts)) {
				st.missed = append(st.missed, w.label)
			}
		}
		st.current = x.active(i, windows[cur].a, min(windows[cur].b, m.parts))
		out = append(out, st)
	}
	return out
}

// active reports whether unit u's subtree has an activity in parts [a, b).
func (x *engine) active(u, a, b int) bool {
	return sumParts(x.total[u], a, b).Activities > 0
}

// activity counts the units of the indicator's level in unit s that were active,
// and active in every sub-window that has ended.
func (x *engine) activity(in Indicator, s int, m moment) Result {
	states := x.activityStates(in, s, m)
	r := x.newResult(in, m)
	r.CountUnit, r.Provenance = levelUnits[in.Level], provenanceUnits
	if r.CountUnit == "" {
		r.CountUnit = in.Level
	}
	den := int64(len(states))
	if den == 0 {
		r.Note = noteNoUnits
	} else {
		var counted, heading int64
		for _, st := range states {
			if st.counted() {
				counted++
			}
			if len(st.missed) == 0 && (st.current || x.planned[st.unit] > 0) {
				heading++
			}
		}
		r.Numerator, r.Denominator, r.Value = Things(counted), Things(den), ratio(counted, den)
		r.Forecast = newForecast(in, forecastPlanned, float64(heading), float64(heading)/float64(den))
	}
	judge(in, &r, m, den)
	return r
}

// activityLagging lists the units with no activity, those that missed an ended
// sub-window, and the children of s whose share of counted units is below the
// value expected by now.
func (x *engine) activityLagging(in Indicator, s int, m moment, out []Lagging) []Lagging {
	states := x.activityStates(in, s, m)
	for _, st := range states {
		l := Lagging{Unit: unitRef(x.tree.units[st.unit]), Indicator: in.Code}
		switch {
		case !st.active:
			l.Reason = reasonNoActivity
		case len(st.missed) > 0:
			l.Reason = reasonMissed + strings.Join(st.missed, ", ")
		default:
			continue
		}
		out = append(out, l)
	}
	expected := x.expected(in, m)
	for _, c := range x.validChildren(s) {
		child := x.tree.units[c]
		if child.Level == in.Level {
			continue // a counted unit itself, listed above when behind
		}
		var n, counted int
		for _, st := range states {
			if slices.Contains(x.tree.units[st.unit].Path, child.Code) {
				n++
				if st.counted() {
					counted++
				}
			}
		}
		if n == 0 {
			continue
		}
		if v := float64(counted) / float64(n); v < expected-tolerance {
			out = append(out, behind(in, child, v, expected, false))
		}
	}
	return out
}

// frequency counts the months of the window with an item published on the
// indicator's channel, out of the months elapsed; the press is province-wide.
func (x *engine) frequency(in Indicator, m moment) Result {
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
	if elapsed > 0 {
		r.Numerator, r.Denominator, r.Value = Things(published), Things(elapsed), ratio(published, elapsed)
		r.Forecast = newForecast(in, forecastPlanned, float64(published+planned), float64(published+planned)/float64(total))
	}
	judge(in, &r, m, total)
	return r
}

// manualResult is the latest value entered for the indicator at unit s on or
// before m.
func (x *engine) manualResult(in Indicator, s int, m moment) Result {
	r := x.newResult(in, m)
	code := x.tree.units[s].Code
	var v *ManualValue
	for i, mv := range x.manual {
		if mv.Indicator == in.Code && mv.OrgUnit == code && mv.AsOf <= m.day && (v == nil || mv.AsOf > v.AsOf) {
			v = &x.manual[i]
		}
	}
	if v == nil {
		r.Note = noteNoEntry
		judge(in, &r, m, 0)
		return r
	}
	r.CountUnit, r.Note = v.CountUnit, v.Note
	r.Provenance = v.Source + " (số liệu đến " + v.AsOf.Display() + ")"
	r.Numerator, r.Denominator, r.Value = Things(v.Numerator), Things(v.Denominator), ratio(v.Numerator, v.Denominator)
	if r.Value == nil {
		r.Note = noteZeroDenominator
	}
	judge(in, &r, m, v.Denominator)
	return r
}

// breakdowns evaluate the coverage and activity indicators at each child unit, with
// what the child's records add up to, and their rows of the long format.
func (x *engine) breakdowns(children []int, m moment) ([]Breakdown, []DataRow) {
	out := make([]Breakdown, 0, len(children))
	var rows []DataRow
	for _, c := range children {
		sum := sumParts(x.total[c], 0, m.parts)
		b := Breakdown{Unit: unitRef(x.tree.units[c]), Indicators: []UnitValue{}, Activities: sum.Activities,
			PersonTimes: x.people(sum.PersonTimes), UniquePersons: x.people(sum.UniquePersons)}
		for _, in := range x.campaign.Indicators {
			if in.Rule != RuleCoverage && in.Rule != RuleOrgUnitActivity {
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
	ref := unitRef(x.tree.units[s])
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
		if sum.PersonTimes > 0 {
			row.Estimated = float64(sum.Estimated) / float64(sum.PersonTimes)
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
		ref := unitRef(x.tree.units[u])
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
func dataRow(in Indicator, u UnitRef, month string, r Result) DataRow {
	return DataRow{Indicator: in.Code, Unit: u, Group: in.Group, Month: month, Numerator: r.Numerator,
		Denominator: r.Denominator, Value: r.Value, Provenance: r.Provenance}
}

// unitRef names a unit in a report.
func unitRef(u OrgUnit) UnitRef { return UnitRef{Code: u.Code, Name: u.Name, Level: u.Level} }

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
