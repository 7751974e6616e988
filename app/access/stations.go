package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"loa"
)

// KindStation is the kind of a station's token: it reads only that station's feed.
const KindStation = "station"

// stationTokenTTL is how long a station token lives: boxes run for months
// unattended, and a rotation revokes the old token at once.
const stationTokenTTL = 366 * 24 * time.Hour

// StationAccount is the account a station's token belongs to: "station-<code>",
// with the role station, scoped to the station's unit, without a password (it
// never signs in).
func StationAccount(code string) string { return "station-" + strings.ToLower(code) }

// ForStation says whether t speaks for a station: its box's token or one of its
// operators' links. Such a token reads only that station's feed and pages.
func (t Token) ForStation() bool { return t.Kind == KindStation || t.Kind == KindOperator }

// IssueStationToken gives station code (of org unit unit, named name) a new token
// and revokes the one it had; its operators' links stay. by must cover the unit.
// The secret is shown only in the answer.
func (s *Service) IssueStationToken(ctx context.Context, by User, code, unit, name string) (NewToken, error) {
	username := StationAccount(code)
	defer s.store.Lock(username)()
	u, err := s.stationUser(ctx, by, code, unit, name)
	if err != nil {
		return NewToken{}, err
	}
	before := u
	for _, old := range u.APITokens {
		if old.Kind != KindStation {
			continue
		}
		if err := s.store.DeleteToken(ctx, old.Hash); err != nil && !errors.Is(err, loa.ErrNotFound) {
			return NewToken{}, err
		}
		if err := s.record(ctx, by.Username, unit, loa.Change{Action: "delete", Entity: "token", EntityID: old.ID, Before: old}); err != nil {
			return NewToken{}, err
		}
	}
	secret, t, err := s.issue(ctx, u, KindStation, "station "+code, loa.Stamp(s.now()).Add(stationTokenTTL))
	if err != nil {
		return NewToken{}, err
	}
	u.APITokens = append(slices.DeleteFunc(slices.Clone(u.APITokens), func(t TokenInfo) bool { return t.Kind == KindStation }), t.info())
	if err := s.saveStationUser(ctx, by, before, u, name, unit); err != nil {
		return NewToken{}, err
	}
	return NewToken{TokenInfo: t.info(), Secret: secret}, nil
}

// stationUser reads station code's account, created on first use, as by may change
// it: by must cover the station's unit. The caller holds the account's lock.
func (s *Service) stationUser(ctx context.Context, by User, code, unit, name string) (User, error) {
	if err := s.stationScope(ctx, by, code, unit); err != nil {
		return User{}, err
	}
	username := StationAccount(code)
	u, err := s.store.User(ctx, username)
	switch {
	case errors.Is(err, loa.ErrNotFound):
		now := loa.Stamp(s.now())
		u = User{Username: username, DisplayName: name, Roles: []string{RoleStation}, Scope: unit, Active: true, Station: code,
			APITokens: []TokenInfo{}, CreatedAt: now, UpdatedAt: now}
		if err := s.store.InsertUser(ctx, u); err != nil {
			return User{}, err
		}
		return u, s.record(ctx, by.Username, unit, loa.Change{Action: "create", Entity: "user", EntityID: username, After: u})
	case err != nil:
		return User{}, err
	case u.Station != code:
		return User{}, fmt.Errorf("%w: account %s exists and is not station %s's", loa.ErrConflict, username, code)
	}
	return u, nil
}

// saveStationUser stores a station's account after its tokens changed, with the
// station's current name and unit, active, and audits the change.
func (s *Service) saveStationUser(ctx context.Context, by User, before, u User, name, unit string) error {
	u.DisplayName, u.Scope, u.Active, u.UpdatedAt = name, unit, true, loa.Stamp(s.now())
	if err := s.store.ReplaceUser(ctx, u); err != nil {
		return err
	}
	return s.record(ctx, by.Username, u.Scope, loa.Change{Action: "update", Entity: "user", EntityID: u.Username, Before: before, After: u})
}

// stationScope refuses by a station (code, of org unit unit) outside its scope.
func (s *Service) stationScope(ctx context.Context, by User, code, unit string) error {
	if ok, err := s.units.Within(ctx, unit, by.Scope); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: station %s lies outside your scope %s", loa.ErrOutsideScope, code, by.Scope)
	}
	return nil
}
