package campaigns

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"loa"
)

var (
	unitCodePattern  = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)
	unitLevelPattern = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
)

// ImportOrgUnits reads a CSV with the columns code, name, type, level, parent_code
// and optionally valid_from, valid_to (ISO dates) and successor_codes. A row is a
// version of a unit, named by its code and valid_from: the row of a stored
// version changes it (keeping its valid_to and successors when the file has no
// such column), any other adds a version. successor_codes lists, separated
// by ";", the units that take the version over the day after valid_to, each with
// its share when the unit is split ("20341=0.4"). Good rows are saved, bad rows
// reported: a parent unknown or in a loop on some day, two versions of a code
// that overlap or leave a gap between them, a successor that does not exist the
// day after, a unit outside the actor's scope. A parent may come later in the
// file; moving a unit moves its subtree.
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
		h, err := s.History(ctx)
		if err != nil {
			return err
		}
		stored := map[string]OrgUnit{} // by version ID
		for _, vs := range h.byCode {
			for _, u := range vs {
				stored[u.ID()] = u
			}
		}
		merged := maps.Clone(stored)
		rowOf := map[string]int{} // version ID → row of the file that defines it
		err = t.Each(ctx, func(n int, row []string) error {
			sum.Read++
			u, ok := parseOrgUnit(t, row, n, &sum)
			if !ok {
				return nil
			}
			if first, dup := rowOf[u.ID()]; dup {
				sum.Conflictf(n, "code", "code %s is already defined in row %d", describe(u), first)
				return nil
			}
			// A column the file does not have leaves the stored version's value: a
			// list without dates renames units without undoing their history.
			if old, was := stored[u.ID()]; was {
				if !t.Has("valid_to") {
					u.ValidTo = old.ValidTo
				}
				if !t.Has("successor_codes") {
					u.Successors = old.Successors
				}
			}
			rowOf[u.ID()] = n
			merged[u.ID()] = u
			return nil
		})
		if err != nil {
			return err
		}

		// Reject the rows at fault until the rest is consistent. A rejected row
		// leaves its version as stored, which may mend the rows below it.
		var candidate *UnitHistory
		for {
			candidate = NewUnitHistory(0, slices.Collect(maps.Values(merged)))
			faults := candidate.faults(rowOf)
			for id, n := range rowOf {
				if _, bad := faults[id]; bad {
					continue
				}
				u := merged[id]
				old, was := stored[id]
				if !candidate.covered(actor, u) || (was && !h.covered(actor, old)) {
					faults[id] = loa.Conflict{Row: n, Field: "code", Code: "outside_scope",
						Message: fmt.Sprintf("unit %s is outside your scope %s", u.Code, actor.Scope)}
				}
			}
			if len(faults) == 0 {
				break
			}
			for _, c := range slices.SortedFunc(maps.Values(faults), func(a, b loa.Conflict) int { return cmp.Compare(a.Row, b.Row) }) {
				sum.AddConflict(c.Row, c.Field, c.Code, c.Message)
			}
			for id := range faults {
				delete(rowOf, id)
				if old, was := stored[id]; was {
					merged[id] = old
				} else {
					delete(merged, id)
				}
			}
		}

		var changed []OrgUnit
		var changes []loa.Change
		for _, id := range slices.Sorted(maps.Keys(merged)) {
			u := merged[id]
			old, was := stored[id]
			_, fromFile := rowOf[id]
			path := candidate.withPath(u, lastDay(u)).Path
			switch {
			case was && sameUnit(old, u):
				if fromFile {
					sum.Unchanged++
				}
				continue
			case was:
				changes = append(changes, loa.Change{Action: "update", Entity: "orgunit", EntityID: id, Path: path, Before: old, After: u})
				sum.Updated++
			default:
				changes = append(changes, loa.Change{Action: "create", Entity: "orgunit", EntityID: id, Path: path, After: u})
				sum.Imported++
			}
			changed = append(changed, u)
		}
		out, err = s.saveImport(ctx, actor, &sum, dryRun, changes, func(ctx context.Context) error { return s.store.SaveOrgUnits(ctx, changed) })
		return err
	})
	return out, err
}

// beginning stands for the days before the first change of any unit.
const beginning loa.Date = "0001-01-01"

// lastDay is the last day a version stands (far in the future when it is open).
func lastDay(u OrgUnit) loa.Date {
	if u.ValidTo != nil {
		return *u.ValidTo
	}
	return "9999-12-31"
}

// covered reports whether actor's scope holds version u on its first and its
// last day.
func (h *UnitHistory) covered(actor loa.Actor, u OrgUnit) bool {
	first := lastDay(u)
	if u.ValidFrom != nil {
		first = *u.ValidFrom
	}
	return actor.Covers(h.withPath(u, first).Path) && actor.Covers(h.withPath(u, lastDay(u)).Path)
}

// faults are the conflicts of the rows (version ID → row) whose versions do not
// fit with the others: two versions of a code that overlap or leave a gap, a
// successor missing the day after a version ends, a parent unknown or in a loop
// on some day. A fault between a row and a stored version is the row's; a child
// left without its parent is blamed on the row that ended the parent.
func (h *UnitHistory) faults(rowOf map[string]int) map[string]loa.Conflict {
	faults := map[string]loa.Conflict{}
	blame := func(u OrgUnit, field, code, format string, args ...any) bool {
		n, ok := rowOf[u.ID()]
		if ok {
			if _, seen := faults[u.ID()]; !seen {
				faults[u.ID()] = loa.Conflict{Row: n, Field: field, Code: code, Message: fmt.Sprintf(format, args...)}
			}
		}
		return ok
	}
	for code, vs := range h.byCode {
		for i := 1; i < len(vs); i++ {
			a, b := vs[i-1], vs[i]
			switch {
			case a.ValidTo == nil || *a.ValidTo >= *b.ValidFrom:
				if !blame(b, "valid_from", "overlap", "%s overlaps %s", describe(b), describe(a)) {
					blame(a, "valid_to", "overlap", "%s overlaps %s", describe(a), describe(b))
				}
			case a.ValidTo.AddDays(1) < *b.ValidFrom:
				if !blame(b, "valid_from", "gap", "code %s names no unit from %s to %s, between %s and %s",
					code, a.ValidTo.AddDays(1), b.ValidFrom.AddDays(-1), describe(a), describe(b)) {
					blame(a, "valid_to", "gap", "code %s names no unit from %s to %s, between %s and %s",
						code, a.ValidTo.AddDays(1), b.ValidFrom.AddDays(-1), describe(a), describe(b))
				}
			}
		}
		for _, u := range vs {
			if len(u.Successors) > 0 && u.ValidTo == nil {
				blame(u, "successor_codes", "unknown_successor", "%s has successors but no valid_to: they take over the day after it", describe(u))
				continue
			}
			for _, l := range u.Successors {
				if _, ok := h.versionAt(l.Code, u.ValidTo.AddDays(1)); !ok {
					blame(u, "successor_codes", "unknown_successor", "successor %s of %s does not exist on %s", l.Code, describe(u), u.ValidTo.AddDays(1))
				}
			}
		}
	}
	days := append([]loa.Date{beginning}, h.bounds...)
	for _, d := range days {
		standing := map[string]OrgUnit{}
		for _, vs := range h.byCode {
			for _, u := range vs {
				if u.ValidOn(d) {
					standing[u.Code] = u
				}
			}
		}
		_, broken := unitPaths(standing)
		for code, why := range broken {
			u := standing[code]
			fault := "unknown_parent"
			if strings.Contains(why, "loops") {
				fault = "cycle"
			}
			if d != beginning {
				why += " on " + string(d)
			}
			if blame(u, "parent_code", fault, "%s", why) {
				continue
			}
			// A stored unit lost its parent: the rows that end the parent are at fault.
			for _, p := range h.byCode[u.Parent] {
				blame(p, "valid_to", "unknown_parent", "unit %s still stands on %s under %s", u.Code, d, u.Parent)
			}
		}
	}
	return faults
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
	links, err := parseLinks(t.Cell(row, "successor_codes"))
	if err != nil {
		sum.Conflictf(n, "successor_codes", "%v", err)
	}
	u.Successors = links
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
		a.Parent == b.Parent && a.SearchKey == b.SearchKey &&
		sameDate(a.ValidFrom, b.ValidFrom) && sameDate(a.ValidTo, b.ValidTo) &&
		slices.EqualFunc(a.Successors, b.Successors, func(x, y Link) bool { return x.Code == y.Code && x.Share == y.Share })
}

func sameDate(a, b *loa.Date) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
