package report

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
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
	noteUpperBound      = "Số người là tối đa, có thể trùng lặp: cộng số người của từng hoạt động, nơi chưa có số người lần đầu"
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
// A periodic window judges the campaign's targets cumulatively (see cumulative).
func (e evaluation) report() Report {
	x := newEngine(e)
	r := x.report()
	c, ok := e.cumulative()
	if !ok {
		return r
	}
	y := newEngine(c)
	cum := y.report()
	r.Cumulative = &Span{From: c.window.From, To: c.asOf,
		Label: "Lũy kế từ " + c.window.From.Display() + " đến " + c.asOf.Display()}
	own := r.Indicators
	r.Indicators, r.Lagging, r.Provenance, r.Map = cum.Indicators, []Lagging{}, cum.Provenance, cum.Map
	for i, in := range e.campaign.Indicators {
		if judgedInWindow(in, e.window) {
			r.Indicators[i] = own[i] // a target defined per window: judged in it
		} else {
			r.Indicators[i].Window = &Figures{Numerator: own[i].Numerator, Denominator: own[i].Denominator,
				Value: own[i].Value, Note: own[i].Note}
		}
		r.Lagging = append(r.Lagging, r.Indicators[i].Lagging...)
	}
	for i := range r.Districts {
		for j, v := range cum.Districts[i].Indicators {
			if !judgedInWindow(e.campaign.Indicators[j], e.window) {
				r.Districts[i].Indicators[j] = v
			}
		}
	}
	return r
}

// cumulative is the evaluation a periodic report judges the campaign's targets
// by (DESIGN §5): counted from the campaign's start to the window's end (or the
// as-of date before it), against the value expected then; false for a window that
// covers the campaign's period or ends before it starts.
func (e evaluation) cumulative() (evaluation, bool) {
	p := e.campaign.Period
	if e.window.From <= p.Start && e.window.To >= p.End || e.window.To < p.Start {
		return e, false
	}
	c := e
	c.window, _ = ParseWindow("", e.campaign, e.cutoff) // the whole campaign: never an error
	c.asOf = min(e.asOf, e.window.To)
	return c, true
}

// judgedInWindow reports whether an indicator's target is defined per window of
// the report's kind: regular activity per quarter in a quarter, per half-year in
// a half-year.
func judgedInWindow(in campaigns.Indicator, w Window) bool {
	if in.Rule != campaigns.RuleOrgUnitActivity {
		return false
	}
	switch in.Regularity {
	case campaigns.RegularityQuarter:
		return w.Kind == "quarter"
	case "", campaigns.RegularityHalfYear:
		return w.Kind == "half"
	}
	return false
}

// report is the report of the engine's window and as-of date.
func (x *engine) report() Report {
	e := x.evaluation
	s, _ := x.tree.Index(e.scope.Code)
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
	r.Map = x.mapBasis()
	if x.suppress {
		shieldReport(&r)
	}
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
	children   [][]int // per unit (index in tree.Units()), its children
	up         [][]int // per unit, the units of its path, root first, itself last
	// direct and subtree are, per unit and group (index in groups), prefix sums
	// over parts of the unit's own cells and of its subtree's: element k sums parts
	// [0, k); nil without cells. total is subtree summed over the groups.
	direct, subtree [][][]reach.Cell
	total           [][]reach.Cell
	planned         []int // per unit, airings planned in its subtree
	walked          crosswalk
	dens            map[string]map[int]campaigns.Population
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
	x := &engine{evaluation: e, from: e.window.From.In(time.UTC), to: e.window.To.In(time.UTC),
		asOfDay: e.asOf.In(time.UTC), dens: map[string]map[int]campaigns.Population{}, windows: map[string][]subWindow{},
		walked: crosswalk{landed: map[string][]landed{}, moved: map[string]bool{}, abolished: map[string][]int{}, owned: map[int]bool{}}}
	x.windowDays = daysFrom(x.from, x.to) + 1
	x.firstMonth = monthNumber(x.from)
	x.parts = x.includedParts()
	x.months = x.calendarMonths()
	x.slots = make([]int, 2*len(x.months))
	for i, p := range x.parts {
		x.slots[2*(monthNumber(p.start)-x.firstMonth)+p.part-1] = i + 1
	}
	n := len(x.tree.Units())
	x.children, x.up, x.planned = make([][]int, n), make([][]int, n), make([]int, n)
	for i, u := range x.tree.Units() {
		if p, ok := x.tree.Index(u.Parent); ok {
			x.children[p] = append(x.children[p], i)
		}
		for _, c := range u.Path {
			if a, ok := x.tree.Index(c); ok {
				x.up[i] = append(x.up[i], a)
			}
		}
	}
	for u, n := range x.mapPlanned() {
		for _, a := range x.up[u] {
			x.planned[a] += n
		}
	}
	x.manual = x.mapManual()
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

// sumCells adds the included cells up per unit and group, and per subtree, from
// each half-month's totals per unit and group. Cells of units outside the tree or
// of groups that are not target groups count nowhere.
func (x *engine) sumCells() {
	units, n := len(x.tree.Units()), len(x.parts)+1
	x.direct, x.subtree, x.total = make([][][]reach.Cell, units), make([][][]reach.Cell, units), make([][]reach.Cell, units)
	for pk, h := range x.cells {
		p := x.slot(pk.Month, pk.Part)
		if p == 0 {
			continue
		}
		unit := ""
		var places []place
		for _, t := range h.Totals() { // by unit: one lookup per unit
			if t.OrgUnit != unit || unit == "" {
				unit = t.OrgUnit
				places = x.cellPlaces(unit, p)
			}
			g := x.groupIndex(t.Group)
			if g < 0 {
				continue
			}
			for _, pl := range places {
				u := pl.unit
				if x.direct[u] == nil {
					x.direct[u] = make([][]reach.Cell, len(x.groups))
				}
				if x.direct[u][g] == nil {
					x.direct[u][g] = make([]reach.Cell, n)
				}
				x.direct[u][g][p].Add(scaled(t.Cell, pl.share), 1)
			}
		}
	}
	for _, groups := range x.direct {
		for _, s := range groups {
			for k := 1; k < len(s); k++ {
				s[k].Add(s[k-1], 1)
			}
		}
	}
	for u, unit := range x.tree.Units() {
		if _, ok := x.tree.Index(unit.Parent); !ok {
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
func addGroups(dst, src [][]reach.Cell) [][]reach.Cell {
	if src == nil {
		return dst
	}
	if dst == nil {
		dst = make([][]reach.Cell, len(src))
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
func series(t [][][]reach.Cell, u, g int) []reach.Cell {
	if g < 0 || t[u] == nil {
		return nil
	}
	return t[u][g]
}

// monthNumber numbers t's month as 12×year + month − 1.
func monthNumber(t time.Time) int { return 12*t.Year() + int(t.Month()) - 1 }

// addSeries adds src to dst element by element, allocating dst when nil.
func addSeries(dst, src []reach.Cell) []reach.Cell {
	if dst == nil {
		dst = make([]reach.Cell, len(src))
	}
	for i := range src {
		dst[i].Add(src[i], 1)
	}
	return dst
}

// sumParts sums a prefix series over parts [a, b).
func sumParts(s []reach.Cell, a, b int) reach.Cell {
	if s == nil || b <= a {
		return reach.Cell{}
	}
	c := s[b]
	c.Add(s[a], -1)
	return c
}

// dataThrough is the last day counted: the end of the last included part, never
// past today or the window; the day before the window when nothing is included.
func (x *engine) dataThrough() loa.Date {
	if len(x.parts) == 0 {
		return loa.DateOf(x.from.AddDate(0, 0, -1))
	}
	return min(loa.DateOf(earlier(x.parts[len(x.parts)-1].end, x.to)), x.today)
}

// inWindow reports whether a unit counts in the report: every unit of a dated
// map (they all stand on its date); of a hand-made tree, a unit that exists at
// some time in the window.
func (x *engine) inWindow(u campaigns.OrgUnit) bool {
	if x.history != nil {
		return true
	}
	return (u.ValidFrom == nil || *u.ValidFrom <= x.window.To) && (u.ValidTo == nil || *u.ValidTo >= x.window.From)
}

// validChildren are the children of unit s that exist in the window, in code order.
func (x *engine) validChildren(s int) []int {
	var out []int
	for _, c := range x.children[s] {
		if x.inWindow(x.tree.Units()[c]) {
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
	day         loa.Date
	parts       int     // the parts included then are x.parts[:parts]
	elapsedDays int     // days of the window elapsed at the end of date
	elapsed     float64 // elapsedDays as a share of the window
	remaining   float64 // months of the window left after date
	over        bool    // the window has ended
}

// at is the moment of date d.
func (x *engine) at(d time.Time) moment {
	end := earlier(d, x.to)
	m := moment{date: d, day: loa.DateOf(d), over: !d.Before(x.to)}
	m.elapsedDays = min(max(daysFrom(x.from, end)+1, 0), x.windowDays)
	m.elapsed = float64(m.elapsedDays) / float64(x.windowDays)
	if !m.over {
		m.remaining = float64(min(daysFrom(d, x.to), x.windowDays)) / daysPerMonth
	}
	m.parts = sort.Search(len(x.parts), func(i int) bool { return x.parts[i].start.After(end) })
	return m
}

// evaluate counts an indicator at unit s and moment m.
func (x *engine) evaluate(in campaigns.Indicator, s int, m moment) Result {
	var r Result
	switch in.Rule {
	case campaigns.RuleCoverage:
		r = x.coverage(in, s, m)
	case campaigns.RuleOrgUnitActivity:
		r = x.activity(in, s, m)
	case campaigns.RuleMonthlyFrequency:
		r = x.frequency(in, m)
	case campaigns.RuleManual:
		r = x.manualResult(in, s, m)
	default:
		r = x.newResult(in, m)
		judge(in, &r, m, 0, outlook{})
	}
	protect(&r)
	return r
}

// lagging lists the units behind on an indicator at unit s.
func (x *engine) lagging(in campaigns.Indicator, s int, m moment) []Lagging {
	out := []Lagging{}
	switch in.Rule {
	case campaigns.RuleCoverage:
		out = x.coverageLagging(in, s, m, out)
	case campaigns.RuleOrgUnitActivity:
		out = x.activityLagging(in, s, m, out)
	}
	return out
}

// newResult starts an indicator's result with what does not depend on the counts.
func (x *engine) newResult(in campaigns.Indicator, m moment) Result {
	return Result{Indicator: in.Code, Title: in.Title, Rule: in.Rule, Group: in.Group, Level: in.Level,
		Channel: in.Channel, Target: in.Threshold, Comparator: in.Comparator,
		ExpectedToDate: new(x.expected(in, m))}
}

// expected is the value expected at m: the target times the elapsed share of the
// window for coverage, of the first sub-window for regular activity, the target
// itself for rates.
func (x *engine) expected(in campaigns.Indicator, m moment) float64 {
	switch in.Rule {
	case campaigns.RuleCoverage:
		return in.Threshold * m.elapsed
	case campaigns.RuleOrgUnitActivity:
		w := x.subWindows(in.Regularity)[0]
		return in.Threshold * min(1, float64(m.elapsedDays)/float64(daysFrom(w.from, w.to)+1))
	}
	return in.Threshold
}

// outlook is what the rest of the period can still do to an indicator's value:
// worst is the value it keeps whatever happens (met when that meets the target),
// best the value it reaches at most (cannot_meet when that falls short).
type outlook struct{ worst, best float64 }

// open is the outlook of a value that later data can raise up to 1 (a share) but
// never lower: a cumulative count.
func open(v *float64, m moment) outlook {
	if v == nil {
		return outlook{}
	}
	if m.over {
		return outlook{*v, *v}
	}
	return outlook{*v, math.Inf(1)}
}

// judge sets the status and, where the target is still reachable and not yet
// reached, the pace needed; base is the denominator the target count is taken of.
func judge(in campaigns.Indicator, r *Result, m moment, base int64, o outlook) {
	r.Status = status(in, r.Value, *r.ExpectedToDate, r.Forecast, o)
	r.StatusLabel = StatusLabels[r.Status]
	switch r.Status {
	case StatusMet, StatusCannotMeet, StatusNotMeasurable:
		return
	}
	if need := targetCount(in, base) - r.Numerator.N; need > 0 && m.remaining > 0 {
		r.PaceNeeded = new(float64(need) / m.remaining)
	}
}

// status is the common status rule of every indicator: met only when the worst
// case meets the target, cannot_meet when the best case does not.
func status(in campaigns.Indicator, value *float64, expected float64, f *Forecast, o outlook) string {
	switch {
	case value == nil:
		return StatusNotMeasurable
	case meets(in, o.worst):
		return StatusMet
	case !meets(in, o.best):
		return StatusCannotMeet
	case *value >= expected-tolerance:
		return StatusOnTrack
	case f != nil && f.Meets || *value >= atRiskShare*expected-tolerance:
		return StatusAtRisk
	}
	return StatusOffTrack
}

// meets reports whether a value satisfies the comparator: exactly 70 % is not
// "trên 70 %" (gt), exactly 50 % is "50 %" (gte).
func meets(in campaigns.Indicator, v float64) bool {
	if in.Comparator == campaigns.ComparatorGT {
		return v > in.Threshold+tolerance
	}
	return v >= in.Threshold-tolerance
}

// targetCount is the smallest numerator that meets the target over denominator d.
func targetCount(in campaigns.Indicator, d int64) int64 {
	t := in.Threshold * float64(d)
	if in.Comparator == campaigns.ComparatorGT {
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
	if r.Denominator != nil && r.Denominator.Hidden {
		// The pace (target count less numerator, over the months left) and the
		// forecast (capped at the denominator) would give the denominator away.
		r.PaceNeeded, r.Forecast = nil, nil
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
func newForecast(in campaigns.Indicator, basis string, n, v float64) *Forecast {
	return &Forecast{Numerator: n, Value: &v, Basis: basis, Meets: meets(in, v)}
}

// behind is a unit below the value expected by now; hidden leaves out a value that
// would reveal a small count of people.
func behind(in campaigns.Indicator, u campaigns.OrgUnit, v, expected float64, hidden bool) Lagging {
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
