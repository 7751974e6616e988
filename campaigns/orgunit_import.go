package campaigns

import (
	"context"
	"io"
	"regexp"
	"slices"

	"golang.org/x/text/unicode/norm"

	"loa"
)

var (
	unitCodePattern  = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)
	unitLevelPattern = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
)

// ImportOrgUnits reads a CSV with the columns code, name, type, level, parent_code
// and optionally valid_from, valid_to (ISO dates). Good rows are saved, bad rows
// reported; a parent may come later in the file. Moving a unit moves its subtree.
// The actor may only create or change units inside its scope.
func (s *Service) ImportOrgUnits(ctx context.Context, actor loa.Actor, r io.Reader, dryRun bool) (_ loa.ImportSummary, err error) {
	ctx, t, end, err := s.readTable(ctx, r, "code", "name", "type", "level", "parent_code")
	if err != nil {
		return loa.ImportSummary{}, err
	}
	defer end()
	// Nothing is written before every row is read: a refusal has no summary.
	defer func() { err = Stopped(ctx, err, nil) }()
	var sum loa.ImportSummary
	var out loa.ImportSummary
	err = s.store.ApplyOrgUnits(ctx, func(ctx context.Context) error {
		tree, err := s.Tree(ctx)
		if err != nil {
			return err
		}

		rowOf := map[string]int{} // code → row of the file that defines it
		merged := make(map[string]OrgUnit, len(tree.units))
		for _, u := range tree.units {
			merged[u.Code] = u
		}
		err = t.Each(ctx, func(n int, row []string) error {
			sum.Read++
			u, ok := parseOrgUnit(t, row, n, &sum)
			if !ok {
				return nil
			}
			if first, dup := rowOf[u.Code]; dup {
				sum.Conflictf(n, "code", "code %s is already defined in row %d", u.Code, first)
				return nil
			}
			rowOf[u.Code] = n
			merged[u.Code] = u
			return nil
		})
		if err != nil {
			return err
		}

		// Reject rows whose parent is unknown, that lead into a cycle or that would put
		// a unit outside the actor's scope, until the rest is consistent. A rejected row
		// leaves its unit as stored, which may mend the rows below it.
		for {
			paths, broken := unitPaths(merged)
			rejected := false
			for code, n := range rowOf {
				old, stored := tree.Get(code)
				if msg, bad := broken[code]; bad {
					sum.Conflictf(n, "parent_code", "%s", msg)
				} else if !actor.Covers(paths[code]) || (stored && !actor.Covers(old.Path)) {
					sum.Conflictf(n, "code", "unit %s is outside your scope %s", code, actor.Scope)
				} else {
					continue
				}
				rejected = true
				delete(rowOf, code)
				if stored {
					merged[code] = old
				} else {
					delete(merged, code)
				}
			}
			if !rejected {
				for code, u := range merged {
					if p, ok := paths[code]; ok {
						u.Path = p
						merged[code] = u
					}
				}
				break
			}
		}

		var changed []OrgUnit
		var changes []loa.Change
		for code, u := range merged {
			old, stored := tree.Get(code)
			_, fromFile := rowOf[code]
			switch {
			case stored && sameUnit(old, u):
				if fromFile {
					sum.Unchanged++
				}
				continue
			case stored:
				changes = append(changes, loa.Change{Action: "update", Entity: "orgunit", EntityID: code, Path: u.Path, Before: old, After: u})
				if fromFile {
					sum.Updated++
				}
			default:
				changes = append(changes, loa.Change{Action: "create", Entity: "orgunit", EntityID: code, Path: u.Path, After: u})
				sum.Imported++
			}
			changed = append(changed, u)
		}
		out, err = s.saveImport(ctx, actor, &sum, dryRun, changes, func(ctx context.Context) error { return s.store.SaveOrgUnits(ctx, changed) })
		return err
	})
	return out, err
}

// parseOrgUnit reads one row, reporting each bad field as a conflict.
func parseOrgUnit(t *Table, row []string, n int, sum *loa.ImportSummary) (OrgUnit, bool) {
	u := OrgUnit{
		Code:   t.Cell(row, "code"),
		Name:   norm.NFC.String(t.Cell(row, "name")),
		Type:   norm.NFC.String(t.Cell(row, "type")),
		Level:  t.Cell(row, "level"),
		Parent: t.Cell(row, "parent_code"),
	}
	before := len(sum.Conflicts)
	if !unitCodePattern.MatchString(u.Code) {
		sum.Conflictf(n, "code", "code must be 1 to 16 letters or digits, got %q", u.Code)
	}
	if u.Name == "" {
		sum.Conflictf(n, "name", "name is required")
	}
	if u.Type == "" {
		sum.Conflictf(n, "type", "type is required (e.g. tỉnh, huyện, xã)")
	}
	if !unitLevelPattern.MatchString(u.Level) {
		sum.Conflictf(n, "level", "level must be a lower-case word such as province, district or commune, got %q", u.Level)
	}
	if u.Parent != "" && u.Parent == u.Code {
		sum.Conflictf(n, "parent_code", "a unit cannot be its own parent")
	}
	for _, col := range []struct {
		name string
		dst  **loa.Date
	}{{"valid_from", &u.ValidFrom}, {"valid_to", &u.ValidTo}} {
		v := t.Cell(row, col.name)
		if v == "" {
			continue
		}
		d, err := loa.ParseDate(v)
		if err != nil {
			sum.Conflictf(n, col.name, "%v", err)
			continue
		}
		*col.dst = &d
	}
	if u.ValidFrom != nil && u.ValidTo != nil && *u.ValidTo < *u.ValidFrom {
		sum.Conflictf(n, "valid_to", "valid_to %s is before valid_from %s", *u.ValidTo, *u.ValidFrom)
	}
	u.SearchKey = loa.Fold(u.Type + " " + u.Name)
	return u, len(sum.Conflicts) == before
}

// unitPaths computes each unit's path from its root, and says why for each unit
// that has none (an unknown parent or a cycle).
func unitPaths(units map[string]OrgUnit) (map[string][]string, map[string]string) {
	paths := make(map[string][]string, len(units))
	broken := map[string]string{}
	for code := range units {
		var chain []string
		seen := map[string]bool{}
		for c := code; c != ""; c = units[c].Parent {
			if seen[c] {
				broken[code] = "parent chain of " + code + " loops back to " + c
				break
			}
			if _, ok := units[c]; !ok {
				broken[code] = "unknown parent unit " + c
				break
			}
			seen[c] = true
			chain = append(chain, c)
		}
		if _, bad := broken[code]; !bad {
			slices.Reverse(chain)
			paths[code] = chain
		}
	}
	return paths, broken
}

func sameUnit(a, b OrgUnit) bool {
	return a.Code == b.Code && a.Name == b.Name && a.Type == b.Type && a.Level == b.Level &&
		a.Parent == b.Parent && slices.Equal(a.Path, b.Path) && a.SearchKey == b.SearchKey &&
		sameDate(a.ValidFrom, b.ValidFrom) && sameDate(a.ValidTo, b.ValidTo)
}

func sameDate(a, b *loa.Date) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
