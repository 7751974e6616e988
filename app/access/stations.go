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
	var created NewToken
	err := s.changeStation(ctx, by, code, unit, name, func(ctx context.Context, u *User) error {
		for _, old := range u.APITokens {
			if old.Kind != KindStation {
				continue
			}
			if err := s.store.DeleteToken(ctx, old.Hash); err != nil && !errors.Is(err, loa.ErrNotFound) {
				return err
			}
			if err := s.record(ctx, by.Username, unit, loa.Change{Action: "delete", Entity: "token", EntityID: old.ID, Before: old}); err != nil {
				return err
			}
		}
		secret, t, err := s.issue(ctx, *u, KindStation, "station "+code, loa.Stamp(s.now()).Add(stationTokenTTL))
		if err != nil {
			return err
		}
		u.APITokens = append(slices.DeleteFunc(slices.Clone(u.APITokens), func(t TokenInfo) bool { return t.Kind == KindStation }), t.info())
		created = NewToken{TokenInfo: t.info(), Secret: secret}
		return nil
	})
	return created, err
}

// changeStation changes the tokens of station code's account (the station of org
// unit unit, named name) under the account's lock, creating the account on first
// use; by must cover the unit. The account takes the station's current name and
// unit, and the change is audited.
func (s *Service) changeStation(ctx context.Context, by User, code, unit, name string, change func(ctx context.Context, u *User) error) error {
	if err := s.stationScope(ctx, by, code, unit); err != nil {
		return err
	}
	username := StationAccount(code)
	now := loa.Stamp(s.now())
	fresh := User{Username: username, DisplayName: name, Roles: []string{RoleStation}, Scope: unit, Active: true, Station: code,
		APITokens: []TokenInfo{}, CreatedAt: now, UpdatedAt: now}
	switch err := s.store.InsertUser(ctx, fresh); {
	case err == nil:
		if err := s.record(ctx, by.Username, unit, loa.Change{Action: "create", Entity: "user", EntityID: username, After: fresh}); err != nil {
			return err
		}
	case !errors.Is(err, loa.ErrConflict): // an account already there is changed below
		return err
	}
	var before User
	u, err := s.store.UpdateUser(ctx, username, func(ctx context.Context, u *User) error {
		if u.Station != code {
			return fmt.Errorf("%w: account %s exists and is not station %s's", loa.ErrConflict, username, code)
		}
		before = *u
		if err := change(ctx, u); err != nil {
			return err
		}
		u.DisplayName, u.Scope, u.Active, u.UpdatedAt = name, unit, true, now
		return nil
	})
	if err != nil {
		return err
	}
	return s.record(ctx, by.Username, unit, loa.Change{Action: "update", Entity: "user", EntityID: username, Before: before, After: u})
}

// stationScope refuses by a station (code, of org unit unit) outside its scope.
func (s *Service) stationScope(ctx context.Context, by User, code, unit string) error {
	if ok, err := s.units.Covers(ctx, by.Actor(), unit, s.units.Today()); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: station %s lies outside your scope %s", loa.ErrOutsideScope, code, by.Scope)
	}
	return nil
}
