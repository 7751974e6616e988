package campaigns

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"loa"
)

// Link is one edge of the crosswalk between unit versions: on On the unit Code
// took over the land and people of another — all of them, or the Share of a
// split (0 < Share < 1).
type Link struct {
	Code  string   `json:"code"`
	Name  string   `json:"name,omitempty"`
	On    loa.Date `json:"on"`
	Share float64  `json:"share,omitempty"`
}

// part is the fraction of the old unit the link carries.
func (l Link) part() float64 {
	if l.Share > 0 {
		return l.Share
	}
	return 1
}

// Place is where a reference lands on a map: the unit Code at that date, with the
// Share of the reference's unit it holds (1 unless a split divided it).
type Place struct {
	Code  string
	Share float64
}

// ID names a version of a unit: its code, and its start date when it has one
// ("20341@2025-07-01"), so that the same code names different units at different
// dates and every version keeps a natural, unique `_id`.
func (u OrgUnit) ID() string {
	if u.ValidFrom == nil {
		return u.Code
	}
	return u.Code + "@" + string(*u.ValidFrom)
}

// ValidOn reports whether the version stands on d.
func (u OrgUnit) ValidOn(d loa.Date) bool {
	return (u.ValidFrom == nil || *u.ValidFrom <= d) && (u.ValidTo == nil || d <= *u.ValidTo)
}

// overlaps reports whether the version stands at some time in [from, to].
func (u OrgUnit) overlaps(from, to loa.Date) bool {
	return (u.ValidFrom == nil || *u.ValidFrom <= to) && (u.ValidTo == nil || from <= *u.ValidTo)
}

// UnitHistory is every version of every unit, with the crosswalk between them:
// an immutable snapshot that answers the tree at any date from memory. The dates
// on which a version starts or ends cut time into epochs; the tree of each epoch
// is built once, on first use.
type UnitHistory struct {
	version int64
	byCode  map[string][]OrgUnit // versions of a code, oldest first
	bounds  []loa.Date           // the epochs' first days, ascending; epoch 0 runs before bounds[0]
	trees   []*UnitTree
	built   []sync.Once
	last    sync.Once
	newest  *UnitTree
}

// NewUnitHistory builds the snapshot of the versions at version. Predecessors are
// derived from the successors the versions name.
func NewUnitHistory(version int64, units []OrgUnit) *UnitHistory {
	h := &UnitHistory{version: version, byCode: map[string][]OrgUnit{}}
	cuts := map[loa.Date]bool{}
	for _, u := range units {
		// Both lists are read-only copies of this snapshot, empty rather than nil.
		u.Predecessors, u.Successors = []Link{}, append([]Link{}, u.Successors...)
		h.byCode[u.Code] = append(h.byCode[u.Code], u)
		if u.ValidFrom != nil {
			cuts[*u.ValidFrom] = true
		}
		if u.ValidTo != nil {
			cuts[u.ValidTo.AddDays(1)] = true
		}
	}
	for _, vs := range h.byCode {
		slices.SortFunc(vs, compareStarts)
	}
	for code, vs := range h.byCode {
		for i, u := range vs {
			if u.ValidTo == nil {
				continue
			}
			on := u.ValidTo.AddDays(1)
			for j, s := range u.Successors {
				next, ok := h.versionAt(s.Code, on)
				if !ok {
					continue
				}
				vs[i].Successors[j].Name, vs[i].Successors[j].On = next.Name, on
				k := h.index(next)
				h.byCode[s.Code][k].Predecessors = append(h.byCode[s.Code][k].Predecessors,
					Link{Code: code, Name: u.Name, On: on, Share: s.Share})
			}
		}
	}
	for d := range cuts {
		h.bounds = append(h.bounds, d)
	}
	slices.Sort(h.bounds)
	h.trees, h.built = make([]*UnitTree, len(h.bounds)+1), make([]sync.Once, len(h.bounds)+1)
	return h
}

func compareStarts(a, b OrgUnit) int {
	switch {
	case a.ValidFrom == nil && b.ValidFrom == nil:
		return 0
	case a.ValidFrom == nil:
		return -1
	case b.ValidFrom == nil:
		return 1
	}
	return strings.Compare(string(*a.ValidFrom), string(*b.ValidFrom))
}

// Version is the counter that changes whenever the units change.
func (h *UnitHistory) Version() int64 { return h.version }

// versionAt is the version of code standing on d.
func (h *UnitHistory) versionAt(code string, d loa.Date) (OrgUnit, bool) {
	for _, u := range h.byCode[code] {
		if u.ValidOn(d) {
			return u, true
		}
	}
	return OrgUnit{}, false
}

// index is the position of version u among its code's versions.
func (h *UnitHistory) index(u OrgUnit) int {
	return slices.IndexFunc(h.byCode[u.Code], func(v OrgUnit) bool { return v.ID() == u.ID() })
}

// Versions are the versions of code, oldest first, shared and read-only.
func (h *UnitHistory) Versions(code string) []OrgUnit { return h.byCode[code] }

// At is the tree of the units standing on d, each with its path on that day.
func (h *UnitHistory) At(d loa.Date) *UnitTree {
	e := sort.Search(len(h.bounds), func(i int) bool { return h.bounds[i] > d })
	h.built[e].Do(func() {
		var units []OrgUnit
		for _, vs := range h.byCode {
			for _, u := range vs {
				if u.ValidOn(d) {
					units = append(units, u)
				}
			}
		}
		h.trees[e] = NewUnitTree(h.version, withPaths(units))
	})
	return h.trees[e]
}

// withPaths sets each unit's path from its parents; a unit whose parent is
// missing, or in a loop, roots its path at itself (the import refuses both).
func withPaths(units []OrgUnit) []OrgUnit {
	byCode := make(map[string]OrgUnit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	paths, _ := unitPaths(byCode)
	for i, u := range units {
		if p, ok := paths[u.Code]; ok {
			units[i].Path = p
		} else {
			units[i].Path = []string{u.Code}
		}
	}
	return units
}

// Resolve says where a reference to code made on from (a record's date, a
// station's assignment) lands on the map of at: the version standing on from,
// followed through its successors to the units standing on at. Nothing when code
// names no unit on from, when the unit ended without successors, or when at is
// before the version began (the crosswalk runs forward only).
func (h *UnitHistory) Resolve(code string, from, at loa.Date) []Place {
	u, ok := h.versionAt(code, from)
	if !ok {
		return nil
	}
	var out []Place
	h.follow(u, at, 1, &out)
	return out
}

func (h *UnitHistory) follow(u OrgUnit, at loa.Date, share float64, out *[]Place) {
	switch {
	case u.ValidOn(at):
		if i := slices.IndexFunc(*out, func(p Place) bool { return p.Code == u.Code }); i >= 0 {
			(*out)[i].Share += share
		} else {
			*out = append(*out, Place{Code: u.Code, Share: share})
		}
		return
	case u.ValidTo == nil || at < *u.ValidTo:
		return
	}
	on := u.ValidTo.AddDays(1)
	for _, s := range u.Successors {
		if next, ok := h.versionAt(s.Code, on); ok {
			h.follow(next, at, share*s.part(), out)
		}
	}
}

// Last is the version of code standing on d or, when none does, the last one
// before d — the unit a reference made on d names even after it ended.
func (h *UnitHistory) Last(code string, d loa.Date) (OrgUnit, bool) {
	vs := h.byCode[code]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].ValidFrom == nil || *vs[i].ValidFrom <= d {
			return h.withPath(vs[i], d), true
		}
	}
	return OrgUnit{}, false
}

// Locate is where a reference to code made on or before at lies on at: the
// version standing then; when the unit has ended, the one unit its land passed
// to; or else, when it ended without successors or was split, its last version
// as it was on its last day. Nothing when code names no unit on or before at.
func (h *UnitHistory) Locate(code string, at loa.Date) (OrgUnit, bool) {
	u, ok := h.Last(code, at)
	if !ok || u.ValidOn(at) {
		return u, ok
	}
	if places := h.Resolve(code, *u.ValidTo, at); len(places) == 1 {
		if next, ok := h.At(at).Get(places[0].Code); ok {
			return next, true
		}
	}
	return u, true
}

// levels are the levels of the units standing at some time in p (of every unit
// when p is not a valid period): what a campaign's indicators may count.
func (h *UnitHistory) levels(p Period) map[string]bool {
	whole := !p.Start.Valid() || !p.End.Valid()
	out := map[string]bool{}
	for _, vs := range h.byCode {
		for _, u := range vs {
			if whole || u.overlaps(p.Start, p.End) {
				out[u.Level] = true
			}
		}
	}
	return out
}

// latest is the tree of the last version of every code, each with its path on
// its last day, built once.
func (h *UnitHistory) latest() *UnitTree {
	h.last.Do(func() {
		units := make([]OrgUnit, 0, len(h.byCode))
		for _, vs := range h.byCode {
			u := vs[len(vs)-1]
			units = append(units, h.withPath(u, lastDay(u)))
		}
		h.newest = NewUnitTree(h.version, units)
	})
	return h.newest
}

// withPath is u with its path on d, or on its last day when it ended before d.
func (h *UnitHistory) withPath(u OrgUnit, d loa.Date) OrgUnit {
	if u.ValidTo != nil && *u.ValidTo < d {
		d = *u.ValidTo
	}
	if t, ok := h.At(d).Get(u.Code); ok {
		return t
	}
	return u
}

// Within is the latest version of code standing at some time in p, with its path
// then: the unit a yearly figure or a period's plan refers to.
func (h *UnitHistory) Within(code string, p Period) (OrgUnit, bool) {
	vs := h.byCode[code]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].overlaps(p.Start, p.End) {
			return h.withPath(vs[i], p.End), true
		}
	}
	return OrgUnit{}, false
}

// describe writes a unit version for a message: "20341 (từ 2025-07-01)".
func describe(u OrgUnit) string {
	switch {
	case u.ValidFrom != nil && u.ValidTo != nil:
		return fmt.Sprintf("%s (%s – %s)", u.Code, *u.ValidFrom, *u.ValidTo)
	case u.ValidFrom != nil:
		return fmt.Sprintf("%s (from %s)", u.Code, *u.ValidFrom)
	case u.ValidTo != nil:
		return fmt.Sprintf("%s (until %s)", u.Code, *u.ValidTo)
	}
	return u.Code
}

// parseLinks reads a successor_codes cell: codes separated by ";", each
// optionally with its share of a split, "20341" or "20341=0.4".
func parseLinks(cell string) ([]Link, error) {
	var out []Link
	total := 0.0
	for _, f := range strings.Split(cell, ";") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		code, share, split := strings.Cut(f, "=")
		l := Link{Code: strings.TrimSpace(code)}
		if !unitCodePattern.MatchString(l.Code) {
			return nil, fmt.Errorf("successor code must be 1 to 16 letters or digits, got %q", l.Code)
		}
		if slices.ContainsFunc(out, func(o Link) bool { return o.Code == l.Code }) {
			return nil, fmt.Errorf("successor %s is listed twice", l.Code)
		}
		if split {
			v, err := strconv.ParseFloat(strings.TrimSpace(share), 64)
			if err != nil || v <= 0 || v > 1 {
				return nil, fmt.Errorf("the share of successor %s must be a number above 0 and at most 1, got %q", l.Code, share)
			}
			l.Share = v
		}
		total += l.part()
		out = append(out, l)
	}
	if len(out) > 1 && slices.ContainsFunc(out, func(l Link) bool { return l.Share == 0 }) {
		return nil, fmt.Errorf("a unit split between %d successors needs the share of each (code=share)", len(out))
	}
	if len(out) > 1 && (total < 0.999 || total > 1.001) {
		return nil, fmt.Errorf("the shares of the successors add up to %.3g, not 1", total)
	}
	return out, nil
}

// During are the trees of the days in p on which units change, and of its first
// day: every arrangement of the units p sees, latest first.
func (h *UnitHistory) During(p Period) []*UnitTree {
	out := []*UnitTree{h.At(p.End)}
	for i := len(h.bounds) - 1; i >= 0; i-- {
		if d := h.bounds[i]; p.Start < d && d <= p.End {
			out = append(out, h.At(d.AddDays(-1)))
		}
	}
	return out
}

// Subtree is the scope asked (code, or when empty the actor's own units: its home
// unit and its extra ones) and every unit that lay under it at some time in p,
// each as it was last then, in code order. A scope is checked against the
// actor's on the last day of p it stands.
func (h *UnitHistory) Subtree(actor loa.Actor, field, code string, p Period) ([]OrgUnit, error) {
	trees := h.During(p)
	asked := []string{code}
	if code == "" && len(actor.Extra) > 0 {
		asked = actor.Units()
	}
	var roots []string
	var err error
	for _, c := range asked {
		for _, t := range trees {
			var scope OrgUnit
			if scope, err = t.Scope(actor, field, c); err == nil {
				roots = append(roots, scope.Code)
				break
			}
		}
	}
	if len(roots) == 0 {
		return nil, err
	}
	seen := map[string]bool{}
	var out []OrgUnit
	for _, t := range trees {
		for _, u := range t.Units() {
			if !seen[u.Code] && slices.ContainsFunc(roots, func(r string) bool { return slices.Contains(u.Path, r) }) {
				seen[u.Code] = true
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b OrgUnit) int { return CompareCodes(a.Code, b.Code) })
	return out, nil
}
