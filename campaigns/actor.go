package campaigns

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// ErrOutsideScope means the account may act, but not on that org unit.
var ErrOutsideScope = errors.New("outside scope")

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

// covers reports whether a unit with path lies in the actor's subtree.
func (a Actor) covers(path []string) bool {
	return a.Scope == AllUnits || (a.Scope != "" && slices.Contains(path, a.Scope))
}

// Within reports whether unit lies in the subtree of scope (itself included).
func (s *Service) Within(ctx context.Context, unit, scope string) (bool, error) {
	path, err := s.Path(ctx, unit)
	if err != nil {
		return false, err
	}
	return Actor{Scope: scope}.covers(path), nil
}

// RequireProvince says whether actor acts on a whole province (a root unit), as
// province-wide plans such as campaigns need: a district's account may not change
// them.
func (s *Service) RequireProvince(ctx context.Context, actor Actor) error {
	if actor.Scope == AllUnits {
		return nil
	}
	path, err := s.Path(ctx, actor.Scope)
	if err != nil {
		return err
	}
	if len(path) != 1 {
		return fmt.Errorf("%w: campaigns are province-wide; your scope %s is a part of the province", ErrOutsideScope, actor.Scope)
	}
	return nil
}

// Path returns a unit's codes from the root down to it.
func (s *Service) Path(ctx context.Context, unit string) ([]string, error) {
	t, err := s.tree(ctx)
	if err != nil {
		return nil, err
	}
	u, ok := t.get(unit)
	if !ok {
		return nil, fmt.Errorf("%w: no org unit with code %s", ErrNotFound, unit)
	}
	return u.Path, nil
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
