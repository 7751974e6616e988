package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"loa"
	"loa/campaigns"
)

// ScopeMapping is what an account whose home unit has ended (a district
// abolished on 01/07/2025) is offered: the units its land passed to, which an
// admin confirms as the account's extra scopes.
type ScopeMapping struct {
	Username string `json:"username"`
	Scope    string `json:"scope"`
	// Ended is the home unit's last day; absent while it stands.
	Ended   *loa.Date        `json:"ended,omitempty"`
	Offered []campaigns.Heir `json:"offered"`
	// Confirmed are the account's extra scopes now.
	Confirmed []string `json:"confirmed"`
	// Pending says some units offered are not confirmed.
	Pending bool `json:"pending"`
}

// ScopeMapping is the mapping offered to an account in by's scope, today.
func (s *Service) ScopeMapping(ctx context.Context, by User, username string) (ScopeMapping, error) {
	u, err := s.User(ctx, by, username)
	if err != nil {
		return ScopeMapping{}, err
	}
	return s.MappingOf(ctx, u)
}

// MappingOf is the mapping offered to u, an account already read in the
// caller's scope (a page of the accounts list).
func (s *Service) MappingOf(ctx context.Context, u User) (ScopeMapping, error) {
	m := ScopeMapping{Username: u.Username, Scope: u.Scope, Offered: []campaigns.Heir{},
		Confirmed: append([]string{}, u.ExtraScopes...)}
	succ, err := s.units.Succession(ctx, u.Scope, s.units.Today())
	if errors.Is(err, loa.ErrNotFound) {
		return m, nil
	}
	if err != nil {
		return ScopeMapping{}, err
	}
	if len(succ.Heirs) > 0 {
		m.Ended, m.Offered = succ.Unit.ValidTo, succ.Heirs
	}
	m.Pending = slices.ContainsFunc(m.Offered, func(h campaigns.Heir) bool { return !slices.Contains(m.Confirmed, h.Code) })
	return m, nil
}

// MapScope confirms units, some or all of those offered to the account, as its
// extra scopes (replacing those confirmed before); audited as an update of the
// user. The account then acts on the subtrees of its home unit (for the days it
// stood) and of these units.
func (s *Service) MapScope(ctx context.Context, by User, username string, units []string) (User, error) {
	u, err := s.User(ctx, by, username)
	if err != nil {
		return User{}, err
	}
	m, err := s.MappingOf(ctx, u)
	if err != nil {
		return User{}, err
	}
	if m.Ended == nil {
		return User{}, fmt.Errorf("%w: the scope %s of %s still stands; there is nothing to map", loa.ErrConflict, u.Scope, username)
	}
	if err := checkMapping(m, units); err != nil {
		return User{}, err
	}
	units = slices.Clone(units)
	slices.SortFunc(units, campaigns.CompareCodes)
	var old User
	fresh, err := s.store.UpdateUser(ctx, username, func(_ context.Context, cur *User) error {
		old = *cur
		if cur.Scope != u.Scope {
			return fmt.Errorf("%w: the scope of %s changed meanwhile; look at the offer again", loa.ErrConflict, username)
		}
		cur.ExtraScopes, cur.UpdatedAt = units, loa.Stamp(s.now())
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return fresh, s.record(ctx, by.Username, fresh.Scope, loa.Change{Action: "update", Entity: "user", EntityID: username,
		Before: old, After: fresh})
}

// checkMapping refuses a choice of units that is empty, repeats a unit or names
// one the mapping does not offer.
func checkMapping(m ScopeMapping, units []string) error {
	v := &loa.ValidationError{}
	if len(units) == 0 {
		v.Add("units", "choose at least one of the units offered")
	}
	offered := make([]string, len(m.Offered))
	for i, h := range m.Offered {
		offered[i] = h.Code
	}
	for i, code := range units {
		switch {
		case slices.Contains(units[:i], code):
			v.Add("units", fmt.Sprintf("%s is listed twice", code))
		case !slices.Contains(offered, code):
			v.Add("units", fmt.Sprintf("%s is not among the units the land of %s passed to (%s)", code, m.Scope, strings.Join(offered, ", ")))
		}
	}
	return v.Err()
}
