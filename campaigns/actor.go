package campaigns

import (
	"context"
	"fmt"

	"loa"
)

// Within reports whether unit lies in the subtree of scope (itself included) on
// at; a unit that has ended by then lies where it was on its last day.
func (s *Service) Within(ctx context.Context, unit, scope string, at loa.Date) (bool, error) {
	return s.Covers(ctx, loa.Actor{Scope: scope}, unit, at)
}

// Covers reports whether unit lies, on at (or on its last day when it has ended
// by then), in the subtree of one of actor's units: its home unit or the extra
// units its home's land passed to.
func (s *Service) Covers(ctx context.Context, actor loa.Actor, unit string, at loa.Date) (bool, error) {
	path, err := s.Path(ctx, unit, at)
	if err != nil {
		return false, err
	}
	return actor.Covers(path), nil
}

// RequireProvince says whether actor acts on a whole province (a root unit), as
// province-wide plans such as campaigns need: a district's account may not change
// them.
func (s *Service) RequireProvince(ctx context.Context, actor loa.Actor) error {
	if actor.Scope == loa.AllUnits {
		return nil
	}
	path, err := s.Path(ctx, actor.Scope, s.Today())
	if err != nil {
		return err
	}
	if len(path) != 1 {
		return fmt.Errorf("%w: campaigns are province-wide; your scope %s is a part of the province", loa.ErrOutsideScope, actor.Scope)
	}
	return nil
}

// Path returns the codes from the root down to unit on at, or on its last day
// when it has ended by then: a station or an account keeps the unit it was given
// until it is moved (the crosswalk says where to, UnitHistory.Locate; reports
// re-state records on a later map with UnitHistory.Resolve).
func (s *Service) Path(ctx context.Context, unit string, at loa.Date) ([]string, error) {
	h, err := s.History(ctx)
	if err != nil {
		return nil, err
	}
	u, ok := h.Last(unit, at)
	if !ok {
		return nil, fmt.Errorf("%w: no org unit with code %s", loa.ErrNotFound, unit)
	}
	return u.Path, nil
}
