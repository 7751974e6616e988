package campaigns

import (
	"cmp"
	"slices"
	"strings"

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
	// SearchKey is the folded "type name" that q searches match.
	SearchKey string `json:"-"`
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

// unitTree is an immutable snapshot of all org units, ordered by code.
type unitTree struct {
	version int64
	units   []OrgUnit
	byCode  map[string]int
	levels  map[string]bool
}

func newUnitTree(version int64, units []OrgUnit) *unitTree {
	slices.SortFunc(units, func(a, b OrgUnit) int { return CompareCodes(a.Code, b.Code) })
	t := &unitTree{version: version, units: units, byCode: make(map[string]int, len(units)), levels: map[string]bool{}}
	for i, u := range units {
		t.byCode[u.Code] = i
		t.levels[u.Level] = true
	}
	return t
}

func (t *unitTree) get(code string) (OrgUnit, bool) {
	i, ok := t.byCode[code]
	if !ok {
		return OrgUnit{}, false
	}
	return t.units[i], true
}

func (t *unitTree) filter(f OrgUnitFilter) []OrgUnit {
	q := loa.Fold(strings.TrimSpace(f.Q))
	var out []OrgUnit
	for _, u := range t.units {
		if f.match(u, q) {
			out = append(out, u)
		}
	}
	return out
}

func (t *unitTree) parents(u OrgUnit) []OrgUnit {
	out := make([]OrgUnit, 0, len(u.Path))
	for _, code := range u.Path[:max(len(u.Path)-1, 0)] {
		if p, ok := t.get(code); ok {
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
