package campaigns

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"loa"
)

// Heir is a unit standing on a date that took over land of a unit that has ended
// (or of the units under it): what an account scoped on the ended unit is offered
// to act on instead.
type Heir struct {
	Code      string    `json:"code"`
	Title     string    `json:"title"`
	Level     string    `json:"level"`
	ValidFrom *loa.Date `json:"validFrom"`
	// Whole says all of the heir's land came from the ended unit's subtree; when
	// false, the heir also took in land from elsewhere.
	Whole bool `json:"whole"`
	// Split says some of that land reached the heir only as a share of a split.
	Split bool `json:"split"`
}

// Heirs are the units standing on at that the land of code passed to, in code
// order: its own successors when it has some (Quảng Nam 49 → Đà Nẵng 48), or else
// — a level abolished, like the districts on 01/07/2025 — the units the units
// under it passed to, followed through every step (Tam Kỳ 502 → phường Tam Kỳ,
// Bàn Thạch, Hương Trà, Quảng Phú). Nothing while code stands on at, or when it
// names no unit on or before at.
func (h *UnitHistory) Heirs(code string, at loa.Date) []Heir {
	last, ok := h.Last(code, at)
	if !ok || last.ValidOn(at) {
		return nil
	}
	sources := map[string]bool{last.ID(): true}
	places := h.Resolve(code, *last.ValidTo, at)
	if len(places) == 0 {
		for _, d := range h.epochDays(*last.ValidTo) {
			t := h.At(d)
			if _, ok := t.Get(code); !ok {
				continue
			}
			for _, u := range t.Units() {
				if u.Code != code && slices.Contains(u.Path, code) {
					sources[u.ID()] = true
					places = append(places, h.Resolve(u.Code, d, at)...)
				}
			}
		}
	}
	now := h.At(at)
	var out []Heir
	for _, p := range places {
		i := slices.IndexFunc(out, func(o Heir) bool { return o.Code == p.Code })
		if i < 0 {
			u, ok := now.Get(p.Code)
			if !ok {
				continue
			}
			out = append(out, Heir{Code: u.Code, Title: u.Title(), Level: u.Level, ValidFrom: u.ValidFrom, Whole: h.inherited(u, sources)})
			i = len(out) - 1
		}
		out[i].Split = out[i].Split || p.Share < 1
	}
	slices.SortFunc(out, func(a, b Heir) int { return CompareCodes(a.Code, b.Code) })
	return out
}

// inherited says every version that ended into u is one of sources.
func (h *UnitHistory) inherited(u OrgUnit, sources map[string]bool) bool {
	for _, l := range u.Predecessors {
		prev, ok := h.versionAt(l.Code, l.On.AddDays(-1))
		if !ok || !sources[prev.ID()] {
			return false
		}
	}
	return true
}

// epochDays are one day of each epoch that begins on or before end: the trees
// that together show every arrangement of the units up to end.
func (h *UnitHistory) epochDays(end loa.Date) []loa.Date {
	if len(h.bounds) == 0 {
		return []loa.Date{end}
	}
	out := []loa.Date{h.bounds[0].AddDays(-1)}
	for _, b := range h.bounds {
		if b <= end {
			out = append(out, b)
		}
	}
	return out
}

// Succession is what became of a unit by a date: the unit as it was last, and
// the heirs of its land when it has ended.
type Succession struct {
	Unit  OrgUnit `json:"unit"`
	Heirs []Heir  `json:"heirs"`
}

// Succession says what became of code by at (today when empty): its version
// standing then, or its last one with the units its land passed to
// (UnitHistory.Heirs). Not found when code names no unit on or before at.
func (s *Service) Succession(ctx context.Context, code string, at loa.Date) (Succession, error) {
	h, err := s.History(ctx)
	if err != nil {
		return Succession{}, err
	}
	at = cmp.Or(at, s.Today())
	u, ok := h.Last(code, at)
	if !ok {
		return Succession{}, fmt.Errorf("%w: no org unit with code %s", loa.ErrNotFound, code)
	}
	return Succession{Unit: u, Heirs: h.Heirs(code, at)}, nil
}
