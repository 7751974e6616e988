package campaigns

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"loa"
)

// OrgUnit is an administrative unit (province, district, commune…) identified by its
// official GSO code. Levels are data: whatever the imported list says.
type OrgUnit struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Level  string `json:"level"`
	Parent string `json:"parent,omitempty"`
	// Path lists the codes from the root down to this unit: the subtree test of
	// access scopes is a prefix test on it.
	Path []string `json:"path"`
	// ValidFrom and ValidTo bound the unit's existence (inclusive); nil is open.
	ValidFrom *loa.Date `json:"validFrom"`
	ValidTo   *loa.Date `json:"validTo"`
	// Successors are the units that took over this one the day after ValidTo (a
	// merger names one, a split several with their shares); Predecessors are the
	// versions that ended into this one, derived from their successors.
	Successors   []Link `json:"successors"`
	Predecessors []Link `json:"predecessors"`
	// SearchKey is the folded "type name" that q searches match.
	SearchKey string `json:"-"`
}

// Title names the unit as people write it, its type first: "Huyện Tây Giang".
func (u OrgUnit) Title() string {
	if u.Type == "" {
		return u.Name
	}
	r, n := utf8.DecodeRuneInString(u.Type)
	return string(unicode.ToUpper(r)) + u.Type[n:] + " " + u.Name
}

// OrgUnitDetail is a unit with its chain of parents, root first.
type OrgUnitDetail struct {
	OrgUnit
	Parents []OrgUnit `json:"parents"`
}

// OrgUnitFilter selects units; empty fields select everything.
type OrgUnitFilter struct {
	Level  string
	Parent string
	// Q matches the unit's name (with or without its type) or a code prefix,
	// ignoring case and diacritics: "tam thanh" and "Tâm Thành" both find Tam
	// Thanh, Tam Thành and Tam Thạnh.
	Q string
	// At is the date the units stand on; empty is today.
	At loa.Date
}

// Bounds of a filter: a search longer than any unit's name, or a level or parent
// longer than any code, is refused rather than compared with every unit.
const (
	maxSearchRunes  = 100
	maxFilterLength = 64
)

// check refuses a filter past its bounds.
func (f OrgUnitFilter) check() error {
	v := &loa.ValidationError{}
	if utf8.RuneCountInString(f.Q) > maxSearchRunes {
		v.Add("q", fmt.Sprintf("search for at most %d characters", maxSearchRunes))
	}
	if len(f.Level) > maxFilterLength {
		v.Add("level", fmt.Sprintf("a level of at most %d bytes", maxFilterLength))
	}
	if len(f.Parent) > maxFilterLength {
		v.Add("parent", fmt.Sprintf("an org unit code of at most %d bytes", maxFilterLength))
	}
	return v.Err()
}

func (f OrgUnitFilter) match(u OrgUnit, q string) bool {
	if f.Level != "" && u.Level != f.Level {
		return false
	}
	if f.Parent != "" && u.Parent != f.Parent {
		return false
	}
	return q == "" || strings.HasPrefix(u.Code, q) || strings.Contains(u.SearchKey, q)
}

// UnitTree is an immutable snapshot of all org units, ordered by code.
type UnitTree struct {
	version int64
	units   []OrgUnit
	byCode  map[string]int
	levels  map[string]bool
}

// NewUnitTree builds the snapshot of units (sorted in place) at version.
func NewUnitTree(version int64, units []OrgUnit) *UnitTree {
	slices.SortFunc(units, func(a, b OrgUnit) int { return CompareCodes(a.Code, b.Code) })
	t := &UnitTree{version: version, units: units, byCode: make(map[string]int, len(units)), levels: map[string]bool{}}
	for i, u := range units {
		t.byCode[u.Code] = i
		t.levels[u.Level] = true
	}
	return t
}

// Levels are the levels the units have, from the top down (by the depth of their
// units: province, district, commune), for a choice of level.
func (t *UnitTree) Levels() []string {
	depth := map[string]int{}
	for _, u := range t.units {
		if d, seen := depth[u.Level]; !seen || len(u.Path) < d {
			depth[u.Level] = len(u.Path)
		}
	}
	levels := make([]string, 0, len(depth))
	for l := range depth {
		levels = append(levels, l)
	}
	slices.SortFunc(levels, func(a, b string) int { return cmp.Or(cmp.Compare(depth[a], depth[b]), strings.Compare(a, b)) })
	return levels
}

// Units are all the units ordered by code, shared and read-only.
func (t *UnitTree) Units() []OrgUnit { return t.units }

// Index is the position of the unit with code in Units.
func (t *UnitTree) Index(code string) (int, bool) {
	i, ok := t.byCode[code]
	return i, ok
}

// Get returns the unit with code.
func (t *UnitTree) Get(code string) (OrgUnit, bool) {
	i, ok := t.byCode[code]
	if !ok {
		return OrgUnit{}, false
	}
	return t.units[i], true
}

func (t *UnitTree) filter(f OrgUnitFilter) []OrgUnit {
	q := loa.Fold(strings.TrimSpace(f.Q))
	var out []OrgUnit
	for _, u := range t.units {
		if f.match(u, q) {
			out = append(out, u)
		}
	}
	return out
}

func (t *UnitTree) parents(u OrgUnit) []OrgUnit {
	out := make([]OrgUnit, 0, len(u.Path))
	for _, code := range u.Path[:max(len(u.Path)-1, 0)] {
		if p, ok := t.Get(code); ok {
			out = append(out, p)
		}
	}
	return out
}

// CompareCodes orders codes: numeric codes first, by value ("49" < "502" <
// "20335"), then any others byte by byte.
func CompareCodes(a, b string) int {
	da, db := isDigits(a), isDigits(b)
	switch {
	case da && db:
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	case da != db:
		if da {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// Scope is the unit a report or a list is for: the one asked (in field), or
// the actor's own (the province for Loa's own scope; its home unit, or when that
// does not stand in the tree, the first of its extra units that does); it must
// lie in the actor's scope.
func (tree *UnitTree) Scope(actor loa.Actor, field, code string) (OrgUnit, error) {
	if code == "" && actor.Scope != loa.AllUnits {
		units := actor.Units()
		code = units[max(0, slices.IndexFunc(units, func(c string) bool { _, ok := tree.Get(c); return ok }))]
	}
	if code == "" {
		for _, u := range tree.units {
			if len(u.Path) == 1 {
				return u, nil
			}
		}
		return OrgUnit{}, loa.Invalid(field, "no org units are loaded")
	}
	u, ok := tree.Get(code)
	if !ok {
		return OrgUnit{}, loa.Invalid(field, fmt.Sprintf("no org unit with code %s", code))
	}
	if !actor.Covers(u.Path) {
		return OrgUnit{}, fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, code, actor.Scope)
	}
	return u, nil
}
