package access

import (
	"context"
	"errors"
	"fmt"
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

// IssueStationToken gives station code (of org unit unit, named name) a new token
// and revokes the one it had. by must cover the unit. The secret is shown only in
// the answer.
func (s *Service) IssueStationToken(ctx context.Context, by User, code, unit, name string) (NewToken, error) {
	if ok, err := s.units.Within(ctx, unit, by.Scope); err != nil {
		return NewToken{}, err
	} else if !ok {
		return NewToken{}, fmt.Errorf("%w: station %s lies outside your scope %s", loa.ErrOutsideScope, code, by.Scope)
	}
	username := StationAccount(code)
	now := loa.Stamp(s.now())
	fresh := User{Username: username, DisplayName: name, Roles: []string{RoleStation}, Scope: unit, Active: true, Station: code,
		CreatedAt: now, UpdatedAt: now}
	err := s.store.InsertUser(ctx, fresh)
	inserted := err == nil
	switch {
	case inserted:
		if err := s.record(ctx, by.Username, unit, loa.Change{Action: "create", Entity: "user", EntityID: username, After: fresh}); err != nil {
			return NewToken{}, err
		}
	case !errors.Is(err, loa.ErrConflict): // a station account already there is given a new token
		return NewToken{}, err
	}
	var before User
	var created NewToken
	u, err := s.store.UpdateUser(ctx, username, func(ctx context.Context, u *User) error {
		if u.Station != code {
			return fmt.Errorf("%w: account %s exists and is not station %s's", loa.ErrConflict, username, code)
		}
		before = *u
		if !inserted {
			if err := s.revokeTokens(ctx, by.Username, *u, ""); err != nil {
				return err
			}
		}
		secret, t, err := s.issue(ctx, *u, KindStation, "station "+code, now.Add(stationTokenTTL))
		if err != nil {
			return err
		}
		u.DisplayName, u.Scope, u.Active, u.APITokens, u.UpdatedAt = name, unit, true, []TokenInfo{t.info()}, now
		created = NewToken{TokenInfo: t.info(), Secret: secret}
		return nil
	})
	if err != nil {
		return NewToken{}, err
	}
	if err := s.record(ctx, by.Username, unit, loa.Change{Action: "update", Entity: "user", EntityID: username, Before: before, After: u}); err != nil {
		return NewToken{}, err
	}
	return created, nil
}
