package loa

import (
	"context"
	"slices"
)

// AllUnits is the scope of Loa itself (start-up loads): no subtree limit.
const AllUnits = "*"

// Actor is who makes a change or a request: the account's username and the org unit
// whose subtree it acts on.
type Actor struct {
	Username string
	Scope    string
}

// System is the actor of loads Loa performs itself.
var System = Actor{Username: "system", Scope: AllUnits}

// Covers reports whether a unit with path lies in the actor's subtree.
func (a Actor) Covers(path []string) bool {
	return a.Scope == AllUnits || (a.Scope != "" && slices.Contains(path, a.Scope))
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
