package report

// Plan suggestions (gợi ý kế hoạch): for every indicator not yet met, what would
// close its gap, computed from the plan's own figures.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// Suggestions are what would close the gap of each indicator of a campaign not
// yet met, at a scope and an as-of date.
type Suggestions struct {
	Campaign             string       `json:"campaign"`
	Scope                UnitRef      `json:"scope"`
	Window               Window       `json:"period"`
	AsOf                 loa.Date     `json:"asOf"`
	SmallCellsSuppressed bool         `json:"smallCellsSuppressed"`
	Items                []Suggestion `json:"suggestions"`
}

// Suggestion is what would close one indicator's gap. Coverage indicators list
// units (Units), regular activity the communes that need an activity (Communes),
// press frequency the months with nothing planned (Months).
type Suggestion struct {
	Indicator   string `json:"indicator"`
	Title       string `json:"title"`
	Rule        string `json:"rule"`
	Group       string `json:"group,omitempty"`
	Status      string `json:"status"`
	StatusLabel string `json:"statusLabel"`
	// CanMeet is false when even the best case for the rest of the period falls
	// short.
	CanMeet bool `json:"canMeet"`
	// Method says, in Vietnamese, how the suggestion was computed.
	Method string `json:"method"`
	// Needed is what is still missing: persons (coverage), units that must still
	// hold an activity (regular activity), months that must still be published
	// (press); nil when it would give a hidden count away.
	Needed *Count `json:"needed"`
	// Sessions counts the sessions of Units, in order, up to the one that closes
	// the gap (nil when no unit has a persons-per-session figure).
	Sessions *int64     `json:"sessions,omitempty"`
	Units    []UnitGap  `json:"units,omitempty"`
	Communes []UnitNeed `json:"communes,omitempty"`
	Months   []string   `json:"monthsNothingPlanned,omitempty"` // YYYY-MM
}

// UnitGap is a unit's share of a coverage gap: the persons it still needs to meet
// the target itself (never beyond its denominator), and the sessions that takes at
// the persons per session it has achieved so far.
type UnitGap struct {
	Unit        UnitRef `json:"unit"`
	Reached     *Count  `json:"reached"`
	Denominator *Count  `json:"denominator"`
	// Persons is nil when it would give a hidden count of persons reached away.
	Persons *Count `json:"persons"`
	// PerSession is the persons reached per session so far; Average says it is the
	// scope's average, the unit having held no session.
	PerSession float64 `json:"perSession"`
	Average    bool    `json:"average"`
	Sessions   *int64  `json:"sessions"`
	// Closes marks the unit with which, taken in order, the gap of the scope is
	// closed.
	Closes bool `json:"closes"`
	// Stations are the unit's commune loudspeaker stations.
	Stations []string `json:"stations"`
}

// UnitNeed is a commune that needs an activity in the current sub-window to stay
// regular, with the stations there and the rules that already reach them.
type UnitNeed struct {
	Unit    UnitRef      `json:"unit"`
	Outlets []OutletNeed `json:"outlets"`
	// Reached says whether a rule in force already places airings in the commune.
	Reached bool `json:"reached"`
}

// OutletNeed is a station of a unit and the rules that reach it.
type OutletNeed struct {
	Station string              `json:"station"`
	Name    string              `json:"name"`
	Channel string              `json:"channel"`
	Rules   []campaigns.RuleRef `json:"rules"`
}

// loudspeaker is the channel a suggested rule places airings on.
const loudspeaker = "commune_loudspeaker"

// Suggestions computes what would close the gap of every indicator not met.
func (s *Service) Suggestions(ctx context.Context, actor loa.Actor, code string, q ReportQuery) (Suggestions, error) {
	e, _, err := s.evaluation(ctx, actor, code, q)
	if err != nil {
		return Suggestions{}, err
	}
	outlets, err := s.plans.Outlets(ctx, code)
	if err != nil {
		return Suggestions{}, err
	}
	return e.suggestions(outlets), nil
}

// suggestions are the evaluation's suggestions, with the stations of outlets.
// A periodic window is judged cumulatively, every indicator: unlike the report,
// which judges a regularity target defined per window in the window
// (judgedInWindow).
func (e evaluation) suggestions(outlets []campaigns.Outlet) Suggestions {
	out := Suggestions{Campaign: e.campaign.Code, Scope: unitRef(e.scope), Window: e.window, AsOf: e.asOf,
		SmallCellsSuppressed: e.suppress, Items: []Suggestion{}}
	if c, ok := e.cumulative(); ok {
		e = c
	}
	x := newEngine(e)
	s, _ := x.tree.Index(e.scope.Code)
	now := x.at(x.asOfDay)
	byUnit := map[string][]campaigns.Outlet{}
	for _, o := range outlets {
		byUnit[o.OrgUnit] = append(byUnit[o.OrgUnit], o)
	}
	for _, in := range e.campaign.Indicators {
		r := x.evaluate(in, s, now)
		if r.Status == StatusMet || r.Status == StatusNotMeasurable {
			continue
		}
		sg := Suggestion{Indicator: in.Code, Title: in.Title, Rule: in.Rule, Group: in.Group, Status: r.Status,
			StatusLabel: r.StatusLabel, CanMeet: r.Status != StatusCannotMeet}
		switch in.Rule {
		case campaigns.RuleCoverage:
			x.suggestCoverage(&sg, in, s, now, byUnit)
		case campaigns.RuleOrgUnitActivity:
			x.suggestActivity(&sg, in, s, now, byUnit)
		case campaigns.RuleMonthlyFrequency:
			x.suggestPress(&sg, in, now)
		default:
			continue // a manual value: nothing Loa plans can close it
		}
		if !sg.CanMeet {
			sg.Method = "Không thể đạt chỉ tiêu này nữa: kể cả khi mọi việc còn lại đều làm được, kết quả cuối kỳ vẫn thấp hơn mục tiêu. " + sg.Method
		}
		out.Items = append(out.Items, sg)
	}
	return out
}

// suggestCoverage splits the persons still needed at unit s over the units whose
// denominators make its own, each up to its own remaining gap, ordered by the
// persons per session each has achieved (most first), so the fewest sessions close
// the gap.
func (x *engine) suggestCoverage(sg *Suggestion, in campaigns.Indicator, s int, m moment, byUnit map[string][]campaigns.Outlet) {
	c := x.countCoverage(in.Group, s, m)
	g := x.groupIndex(in.Group)
	scope := sumParts(series(x.subtree, s, g), 0, m.parts)
	average := perSession(scope)
	needed := max(targetCount(in, c.denominator)-c.numerator, 0)
	sg.Needed = x.people(needed)
	w := x.walk(in.Group, m)
	var room int64
	for _, u := range c.units {
		n, d := w.contribution(u), w.dens[u].Count
		room += d - n
		gap := min(targetCount(in, d)-n, d-n)
		if gap <= 0 {
			continue // met there, or at its denominator already
		}
		ug := UnitGap{Unit: unitRef(x.tree.Units()[u]), Reached: x.people(n), Denominator: x.people(d), Persons: x.people(gap),
			PerSession: perSession(sumParts(series(x.subtree, u, g), 0, m.parts)), Stations: []string{}}
		if ug.PerSession == 0 {
			ug.PerSession, ug.Average = average, true
		}
		if ug.PerSession > 0 {
			ug.Sessions = new(int64(math.Ceil(float64(gap)/ug.PerSession - tolerance)))
		}
		for _, o := range x.outletsUnder(u, byUnit) {
			if o.Channel == loudspeaker {
				ug.Stations = append(ug.Stations, o.Station)
			}
		}
		sg.Units = append(sg.Units, ug)
	}
	slices.SortStableFunc(sg.Units, func(a, b UnitGap) int {
		return cmp.Or(cmp.Compare(b.PerSession, a.PerSession), strings.Compare(a.Unit.Code, b.Unit.Code))
	})
	var covered, sessions int64
	for i := range sg.Units {
		if covered >= needed {
			break
		}
		covered += sg.Units[i].Persons.N
		if sg.Units[i].Sessions != nil {
			sessions += *sg.Units[i].Sessions
		}
		sg.Units[i].Closes = covered >= needed
	}
	if average > 0 && needed > 0 {
		sg.Sessions = &sessions
	}
	// For a reader of suppressed counts, a gap to the target (and the pace behind
	// it) would give away a hidden count of persons reached: it is withheld.
	for i, u := range sg.Units {
		if u.Reached.Hidden {
			sg.Units[i].Persons, sg.Units[i].Sessions, sg.Units[i].PerSession, sg.Units[i].Average = nil, nil, average, true
		}
	}
	if x.people(c.numerator).Hidden {
		sg.Needed, sg.Sessions = nil, nil
	}
	if needed > room {
		sg.CanMeet = false
	}
	scopeName := x.tree.Units()[s].Name
	sg.Method = fmt.Sprintf("Số người còn thiếu = số người cần đạt mục tiêu đến cuối kỳ (%s của %s người trong %s) trừ %s người đã tiếp cận. "+
		"Mỗi đơn vị có mẫu số được giao phần còn thiếu để chính đơn vị đạt mục tiêu, không vượt quá mẫu số của đơn vị; đơn vị đã đạt hoặc đã đủ mẫu số không được giao. "+
		"Số buổi = số người ÷ số người mỗi buổi đơn vị đã đạt được đến nay (đơn vị chưa có buổi nào lấy bình quân của %s); "+
		"các đơn vị xếp theo số người mỗi buổi giảm dần, nên làm theo thứ tự này thì ít buổi nhất mà đủ.",
		percentVi(in.Threshold), countVi(x.people(c.denominator)), scopeName, countVi(x.people(c.numerator)), scopeName)
}

// countVi writes a count as the pages do: 1.234, or "<5" when hidden.
func countVi(c *Count) string {
	if c.Hidden {
		return c.String()
	}
	return loa.Number(c.N)
}

// perSession is the persons reached per session of a sum, 0 without sessions.
func perSession(c reach.Cell) float64 {
	if c.Activities == 0 {
		return 0
	}
	return float64(c.Persons()) / float64(c.Activities)
}

// suggestActivity lists the communes (units of the indicator's level) in unit s
// that missed no ended sub-window but have no activity yet in the current one:
// each needs one to stay regular.
func (x *engine) suggestActivity(sg *Suggestion, in campaigns.Indicator, s int, m moment, byUnit map[string][]campaigns.Outlet) {
	windows := x.subWindows(in.Regularity)
	cur := slices.IndexFunc(windows, func(w subWindow) bool { return w.to.After(m.date) })
	var safe, den int64
	for _, st := range x.activityStates(in, s, m) {
		den++
		if len(st.missed) > 0 {
			continue
		}
		if st.current || cur < 0 {
			safe++
			continue
		}
		need := UnitNeed{Unit: unitRef(x.tree.Units()[st.unit]), Outlets: []OutletNeed{}}
		for _, o := range x.outletsUnder(st.unit, byUnit) {
			need.Outlets = append(need.Outlets, OutletNeed{Station: o.Station, Name: o.Name, Channel: o.Channel,
				Rules: append([]campaigns.RuleRef{}, o.Rules...)})
			need.Reached = need.Reached || len(o.Rules) > 0
		}
		sg.Communes = append(sg.Communes, need)
	}
	sg.Needed = Things(max(targetCount(in, den)-safe, 0))
	if int64(len(sg.Communes)) < sg.Needed.N {
		sg.CanMeet = false
	}
	label := "kỳ hiện tại"
	if cur >= 0 {
		label = windows[cur].label
	}
	sg.Method = fmt.Sprintf("Một đơn vị được tính là duy trì thường xuyên khi có hoạt động trong mỗi kỳ (%s). "+
		"Danh sách là các đơn vị chưa bỏ lỡ kỳ nào nhưng chưa có hoạt động nào trong %s tính đến %s; "+
		"cần ít nhất %d đơn vị trong số đó có hoạt động để đạt mục tiêu (%d trên %d đơn vị đã có hoạt động trong mọi kỳ, kể cả kỳ này). "+
		"Đài và lịch khung còn hiệu lực đến hôm nay lấy từ lịch phát của Loa.",
		regularityLabel(in.Regularity), label, m.day.Display(), sg.Needed.N, safe, den)
}

// regularityLabel names how often a unit must be active.
func regularityLabel(r string) string {
	switch r {
	case campaigns.RegularityQuarter:
		return "mỗi quý"
	case campaigns.RegularityNone:
		return "một lần trong cả kỳ"
	}
	return "mỗi 6 tháng"
}

// suggestPress lists the months ahead with nothing planned on the indicator's
// channel and says how many of the months left must still be published.
func (x *engine) suggestPress(sg *Suggestion, in campaigns.Indicator, m moment) {
	plan := x.press[in.Channel]
	var total, published, ahead int64
	for _, mo := range x.months {
		if mo.first.Before(x.from) {
			continue
		}
		total++
		p := plan[mo.month]
		switch {
		case !mo.last.After(m.date) || !mo.first.After(m.date) && p.Published > 0:
			if p.Published > 0 {
				published++
			}
		default:
			ahead++
			if p.Planned == 0 {
				sg.Months = append(sg.Months, mo.month)
			}
		}
	}
	need := max(targetCount(in, total)-published, 0)
	sg.Needed = Things(need)
	if need > ahead {
		sg.CanMeet = false
	}
	sg.Method = fmt.Sprintf("Đã có %d trên %d tháng của kỳ có bài đăng; mục tiêu cần %d tháng", published, total, targetCount(in, total))
	if ahead == 0 {
		sg.Method += "; kỳ đã hết, không còn tháng nào để bù."
		return
	}
	sg.Method += fmt.Sprintf(", nên còn phải đăng bài trong ít nhất %d trên %d tháng còn lại. "+
		"Danh sách là các tháng còn lại chưa có bài nào dự kiến trên lịch báo chí.", need, ahead)
}

// outletsUnder are the outlets of unit u's subtree.
func (x *engine) outletsUnder(u int, byUnit map[string][]campaigns.Outlet) []campaigns.Outlet {
	var out []campaigns.Outlet
	code := x.tree.Units()[u].Code
	for unit, os := range byUnit {
		if i, ok := x.tree.Index(unit); ok && slices.Contains(x.tree.Units()[i].Path, code) {
			out = append(out, os...)
		}
	}
	slices.SortFunc(out, func(a, b campaigns.Outlet) int { return strings.Compare(a.Station, b.Station) })
	return out
}
