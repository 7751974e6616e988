package report

// Reports on a map: a report counts on the units standing on one date (its map:
// the window's end unless another is asked), and every reference to a unit — a
// rollup cell, a denominator, an airing planned, an entered value — lands on the
// map's units through the crosswalk of the units' history.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"loa"
	"loa/campaigns"
	"loa/campaigns/reach"
)

// What a report on a map says, in Vietnamese.
const (
	noteMap       = "Số liệu trình bày trên danh mục đơn vị hành chính ngày "
	noteMoved     = "số liệu của %d đơn vị cũ được cộng vào đơn vị kế thừa"
	noteAbolished = "Số liệu của %d đơn vị đã bãi bỏ không có đơn vị kế thừa (như cấp huyện) được tính vào đơn vị cấp trên kế thừa: %s"
	noteSummedCap = "Mẫu số của đơn vị cũ được cộng vào đơn vị kế thừa: tỷ lệ bao phủ được giới hạn ở mẫu số của đơn vị trên danh mục này, không theo từng đơn vị cũ"
	noteOwnFigure = "Mẫu số riêng của đơn vị mới được dùng thay cho tổng mẫu số của các đơn vị cũ, tỷ lệ bao phủ không vượt quá 100%% mẫu số này: %s"
	noteShares    = "Có đơn vị cũ bị chia tách: số liệu được chia theo tỷ lệ đã khai báo, là số ước tính"
	noteMapShort  = "Trên danh mục đơn vị ngày %s: số liệu đơn vị cũ cộng vào đơn vị kế thừa"
)

// place is where a reference lands: a unit of the map (its index in the tree),
// with the share of the referenced unit it holds (1 unless a split divided it).
type place struct {
	unit  int
	share float64
}

// landed is the landing of the references to a code made from from to to (a
// version of the unit, and the days after it until the next: "" is open).
type landed struct {
	from, to loa.Date
	landing
}

// covers reports whether the landing holds for a reference made on d.
func (l landed) covers(d loa.Date) bool {
	return (l.from == "" || l.from <= d) && (l.to == "" || d <= l.to)
}

// landing is where a reference lands and how: moved when it lands on another
// unit (or another version of its code), abolished when its unit ended without
// successors and it lands where its parent's land went.
type landing struct {
	places    []place
	from      string // the version referred to, for the notes
	moved     bool
	abolished bool
}

// crosswalk memoises the landings of one evaluation and remembers, for the
// report's note, what its numbers relied on.
type crosswalk struct {
	landed    map[string][]landed // per code, by the versions referred to
	moved     map[string]bool     // versions whose numbers were counted on other units
	abolished map[string][]int    // abolished units, and the map's units they were counted on
	owned     map[int]bool        // map units whose own denominator replaced their predecessors' sum
	summed    bool                // a denominator of the map is a sum of old units' figures
	shares    bool                // numbers were divided by the shares of a split
}

// mapOn is the date of the units the report counts on.
func (x *engine) mapOn() loa.Date {
	if x.mapDate != "" {
		return x.mapDate
	}
	return x.window.To
}

// land is where a reference to code made on on lies on the map, memoised: the
// version standing on on (or the last one before it, for a unit that ended
// inside a half-month), followed through its successors to the map's date. A
// unit that ended without successors (a district of 2024) lands where its parent
// went (as does one whose successors ended so). Without a history (a hand-made
// tree) a code is its unit of the tree.
func (x *engine) land(code string, on loa.Date) landing {
	for _, l := range x.walked.landed[code] {
		if l.covers(on) {
			return l.landing
		}
	}
	var l landed
	if x.history == nil {
		if u, ok := x.tree.Index(code); ok {
			l.places = []place{{u, 1}}
		}
	} else {
		l = x.crossOver(code, on)
	}
	x.walked.landed[code] = append(x.walked.landed[code], l)
	return l.landing
}

// crossOver lands a reference to code made on on, with the days its landing
// holds for: those of the version referred to, up to the next version.
func (x *engine) crossOver(code string, on loa.Date) landed {
	at := x.mapOn()
	v, ok := x.history.Last(code, on)
	if !ok {
		vs := x.history.Versions(code)
		if len(vs) == 0 {
			return landed{}
		}
		// Before the first version (which has a start, or Last would have found it).
		return landed{to: vs[0].ValidFrom.AddDays(-1)}
	}
	l := landed{landing: landing{from: v.ID()}}
	if v.ValidFrom != nil {
		l.from = *v.ValidFrom
	}
	vs := x.history.Versions(code)
	if i := slices.IndexFunc(vs, func(u campaigns.OrgUnit) bool { return u.ID() == v.ID() }); i+1 < len(vs) && vs[i+1].ValidFrom != nil {
		l.to = vs[i+1].ValidFrom.AddDays(-1)
	}
	from := on
	if v.ValidTo != nil && *v.ValidTo < on {
		from = *v.ValidTo
	}
	for _, p := range x.history.Resolve(code, from, at) {
		if u, ok := x.tree.Index(p.Code); ok {
			l.places = append(l.places, place{u, p.Share})
		}
	}
	if len(l.places) == 0 && v.ValidTo != nil && *v.ValidTo < at && v.Parent != "" {
		up := x.land(v.Parent, *v.ValidTo)
		l.places, l.abolished = up.places, len(up.places) > 0
	}
	l.moved = len(l.places) > 1 || len(l.places) == 1 && x.tree.Units()[l.places[0].unit].ID() != v.ID()
	return l
}

// count notes that a landing carried numbers into the report.
func (x *engine) count(l landing) {
	if !l.moved {
		return
	}
	x.walked.moved[l.from] = true
	if l.abolished {
		for _, p := range l.places {
			x.walked.abolished[l.from] = append(x.walked.abolished[l.from], p.unit)
		}
	}
	if len(l.places) > 1 || len(l.places) == 1 && l.places[0].share < 1 {
		x.walked.shares = true
	}
}

// cellPlaces are the places of a rollup cell's unit in part p (1-based in
// x.parts): the unit as named on the part's last day.
func (x *engine) cellPlaces(code string, p int) []place {
	on := min(loa.DateOf(x.parts[p-1].end), x.mapOn())
	l := x.land(code, on)
	x.count(l)
	return l.places
}

// scaled is the share of a cell a split successor holds: its people rounded, its
// activities rounded up (an activity held in the old unit shows in each part of
// it); the counts of records that qualify the people (unique persons known,
// first-time persons known) are kept, so each part reads them as the whole did.
func scaled(c reach.Cell, share float64) reach.Cell {
	if share == 1 {
		return c
	}
	r := func(n int64) int64 { return int64(math.Round(float64(n) * share)) }
	c.Activities = int64(math.Ceil(float64(c.Activities) * share))
	c.PersonTimes, c.UniquePersons, c.Estimated, c.Repeated = r(c.PersonTimes), r(c.UniquePersons), r(c.Estimated), r(c.Repeated)
	return c
}

// mapPlanned counts the airings planned per unit of the map.
func (x *engine) mapPlanned() map[int]int {
	out := map[int]int{}
	for code, n := range x.evaluation.planned {
		for _, p := range x.land(code, x.asOf).places {
			out[p.unit] += int(math.Round(float64(n) * p.share))
		}
	}
	return out
}

// mapManual names each entered value by the unit of the map it lies in: the one
// unit that took over the whole of its unit. A value of a unit split or
// abolished since has no unit of its own on the map and is left out.
func (x *engine) mapManual() []reach.ManualValue {
	out := make([]reach.ManualValue, 0, len(x.manual))
	for _, mv := range x.manual {
		l := x.land(mv.OrgUnit, mv.AsOf)
		if len(l.places) != 1 || l.places[0].share != 1 || l.abolished {
			continue
		}
		x.count(l)
		mv.OrgUnit = x.tree.Units()[l.places[0].unit].Code
		out = append(out, mv)
	}
	return out
}

// mapDenominators are, per unit of the map, a group's population: of the latest
// year not after the window's end year, for each unit the figures name; a unit
// of the map with a figure of its own keeps it, and one without gets the sum of
// the figures of the units it took over (their shares of a split).
func (x *engine) mapDenominators(group string) map[int]campaigns.Population {
	year := x.window.To.Year()
	type figure struct {
		p  campaigns.Population
		on loa.Date
	}
	latest := map[string]figure{} // per version named
	for _, p := range x.populations {
		if p.Group != group || p.Year > year {
			continue
		}
		id, on, ok := x.figureVersion(p)
		if old, seen := latest[id]; ok && (!seen || p.Year > old.p.Year) {
			latest[id] = figure{p, on}
		}
	}
	ids := make([]string, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	own, summed := map[int]campaigns.Population{}, map[int]campaigns.Population{}
	var landings []landing
	for _, id := range ids {
		f := latest[id]
		l := x.land(f.p.OrgUnit, f.on)
		if len(l.places) == 0 {
			continue
		}
		if !l.moved {
			own[l.places[0].unit] = f.p
			continue
		}
		landings = append(landings, l)
		for _, pl := range l.places {
			s, seen := summed[pl.unit]
			if !seen {
				s = campaigns.Population{OrgUnit: x.tree.Units()[pl.unit].Code, Group: group, Source: f.p.Source}
			} else if !slices.Contains(strings.Split(s.Source, "; "), f.p.Source) {
				s.Source += "; " + f.p.Source
			}
			s.Year = max(s.Year, f.p.Year)
			s.Count += int64(math.Round(float64(f.p.Count) * pl.share))
			summed[pl.unit] = s
		}
	}
	for u, s := range summed {
		if _, ok := own[u]; ok {
			x.walked.owned[u] = true
			continue
		}
		own[u], x.walked.summed = s, true
	}
	for _, l := range landings {
		if slices.ContainsFunc(l.places, func(p place) bool { return !x.walked.owned[p.unit] }) {
			x.count(l)
		}
	}
	return own
}

// figureVersion is the version of its unit a population figure names (the
// latest standing in its year) and the last day of that year it stood; false
// when its code names no unit that year.
func (x *engine) figureVersion(p campaigns.Population) (string, loa.Date, bool) {
	end := loa.Date(fmt.Sprintf("%04d-12-31", p.Year))
	if x.history == nil {
		return p.OrgUnit, end, true
	}
	v, ok := x.history.Within(p.OrgUnit, campaigns.Period{Start: loa.Date(fmt.Sprintf("%04d-01-01", p.Year)), End: end})
	if !ok {
		return "", "", false
	}
	if v.ValidTo != nil && *v.ValidTo < end {
		end = *v.ValidTo
	}
	return v.ID(), end, true
}

// MapBasis says which units a report counts on and what it relied on to put
// other units' numbers on them.
type MapBasis struct {
	Date loa.Date `json:"date"`
	// Other is set when the map was asked for, not the window's end.
	Other bool `json:"other"`
	// Moved counts the unit versions whose numbers were summed into their
	// successors; Shares says a split's shares were relied on.
	Moved  int      `json:"moved"`
	Shares bool     `json:"shares"`
	Notes  []string `json:"notes"` // in Vietnamese
}

// mapBasis is the map of the engine's report with its notes.
func (x *engine) mapBasis() MapBasis {
	b := MapBasis{Date: x.mapOn(), Other: x.otherMap, Moved: len(x.walked.moved),
		Shares: x.walked.shares, Notes: []string{}}
	if !b.Other && b.Moved == 0 {
		return b
	}
	first := noteMap + b.Date.Display()
	if b.Moved > 0 {
		first += ": " + fmt.Sprintf(noteMoved, b.Moved)
	}
	b.Notes = append(b.Notes, first)
	if len(x.walked.abolished) > 0 {
		var to []string
		for _, units := range x.walked.abolished {
			for _, u := range units {
				if t := x.tree.Units()[u].Title(); !slices.Contains(to, t) {
					to = append(to, t)
				}
			}
		}
		slices.Sort(to)
		b.Notes = append(b.Notes, fmt.Sprintf(noteAbolished, len(x.walked.abolished), strings.Join(to, ", ")))
	}
	if x.walked.summed {
		b.Notes = append(b.Notes, noteSummedCap)
	}
	if len(x.walked.owned) > 0 {
		var units []string
		for u := range x.walked.owned {
			units = append(units, x.tree.Units()[u].Title())
		}
		slices.Sort(units)
		b.Notes = append(b.Notes, fmt.Sprintf(noteOwnFigure, strings.Join(units, ", ")))
	}
	if b.Shares {
		b.Notes = append(b.Notes, noteShares)
	}
	return b
}

// parseMap reads the map a report is asked on: a date on or after the day the
// report is about (about: its as-of date or the window's end, whichever is
// first; the crosswalk runs forward only: a merged unit cannot be taken apart),
// that day when empty.
func parseMap(s string, about loa.Date) (loa.Date, error) {
	if s == "" {
		return about, nil
	}
	d, err := loa.ParseDate(s)
	if err != nil {
		return "", loa.Invalid("map", err.Error())
	}
	if d < about {
		return "", loa.Invalid("map", fmt.Sprintf("map %s is before the day the report is about (%s): units merged since cannot be taken apart", d, about))
	}
	return d, nil
}

// withMapNote adds, to every indicator of a report whose numbers were put on
// other units, a short note saying so (exports print each indicator's note).
func withMapNote(r *Report) {
	if r.Map.Moved == 0 {
		return
	}
	note := fmt.Sprintf(noteMapShort, r.Map.Date.Display())
	for i := range r.Indicators {
		if r.Indicators[i].Note != "" {
			r.Indicators[i].Note += ". " + note
		} else {
			r.Indicators[i].Note = note
		}
	}
}

// scopeOnMap is the unit a report on the map of on is for: the scope asked (or
// the actor's) standing on the map; or else the scope as it stood on the day the
// report is about, carried to the one unit of the map it passed to whole — and
// only when no unit outside it passed there too, so the map never shows an actor
// more land than its scope held.
func scopeOnMap(h *campaigns.UnitHistory, actor loa.Actor, code string, about, on loa.Date) (campaigns.OrgUnit, error) {
	tree := h.At(on)
	scope, err := tree.Scope(actor, "scope", code)
	if err == nil || on == about {
		return scope, err
	}
	own := h.At(about)
	old, oldErr := own.Scope(actor, "scope", code)
	if oldErr != nil {
		return scope, err
	}
	places := h.Resolve(old.Code, about, on)
	if len(places) != 1 || places[0].Share != 1 {
		return campaigns.OrgUnit{}, loa.Invalid("scope", fmt.Sprintf("org unit %s did not pass whole to one unit by %s", old.Code, on))
	}
	target, _ := tree.Get(places[0].Code)
	for _, u := range own.Units() {
		if slices.Contains(u.Path, old.Code) {
			continue
		}
		for _, p := range h.Resolve(u.Code, about, on) {
			if m, ok := tree.Get(p.Code); ok && slices.Contains(m.Path, target.Code) {
				return campaigns.OrgUnit{}, fmt.Errorf("%w: on %s org unit %s also holds %s, outside your scope %s",
					loa.ErrOutsideScope, on, target.Code, u.Code, actor.Scope)
			}
		}
	}
	return target, nil
}
