package loa

import (
	"context"
	"slices"
)

// AllUnits is the scope of Loa itself (start-up loads): no subtree limit.
const AllUnits = "*"

// Actor is who makes a change or a request: the account's username and the org unit
// whose subtree it acts on, with the further units it also acts on.
type Actor struct {
	Username string
	// Scope is the home unit; on a date it no longer stands (a district abolished
	// in 2025) it still covers the records of its days.
	Scope string
	// Extra are the units the home unit's land passed to in a reorganisation, once
	// an admin confirmed them: the account acts on their subtrees too.
	Extra []string
}

// System is the actor of loads Loa performs itself.
var System = Actor{Username: "system", Scope: AllUnits}

// Covers reports whether a unit with path lies in the subtree of the actor's home
// unit or of one of its extra units.
func (a Actor) Covers(path []string) bool {
	return a.Scope == AllUnits || (a.Scope != "" && slices.Contains(path, a.Scope)) ||
		slices.ContainsFunc(a.Extra, func(u string) bool { return slices.Contains(path, u) })
}

// Units are the home unit and the extra units, the roots of the actor's subtrees.
func (a Actor) Units() []string {
	return append([]string{a.Scope}, a.Extra...)
}

// Change is one audited write: what happened to which entity, with its state before
// and after (nil where it did not exist). Path is the org-unit path the entity
// belongs to, empty for province-wide entities such as campaigns.
type Change struct {
	Action   string // create, update or delete
	Entity   string
	EntityID string
	Path     []string
	Before   any
	After    any
}

// Auditor records changes made by an actor. Values are recorded as their JSON form,
// so fields hidden from JSON (secrets) never reach the trail.
type Auditor interface {
	Record(ctx context.Context, actor string, changes ...Change) error
}
