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
	defer s.store.Lock(username)()
	now := loa.Stamp(s.now())
	u, err := s.store.User(ctx, username)
	switch {
	case errors.Is(err, loa.ErrNotFound):
		u = User{Username: username, DisplayName: name, Roles: []string{RoleStation}, Scope: unit, Active: true, Station: code,
			CreatedAt: now, UpdatedAt: now}
		if err := s.store.InsertUser(ctx, u); err != nil {
			return NewToken{}, err
		}
		if err := s.record(ctx, by.Username, unit, loa.Change{Action: "create", Entity: "user", EntityID: username, After: u}); err != nil {
			return NewToken{}, err
		}
	case err != nil:
		return NewToken{}, err
	case u.Station != code:
		return NewToken{}, fmt.Errorf("%w: account %s exists and is not station %s's", loa.ErrConflict, username, code)
	default:
		if err := s.revokeTokens(ctx, by.Username, u, ""); err != nil {
			return NewToken{}, err
		}
	}
	secret, t, err := s.issue(ctx, u, KindStation, "station "+code, now.Add(stationTokenTTL))
	if err != nil {
		return NewToken{}, err
	}
	before := u
	u.DisplayName, u.Scope, u.Active, u.APITokens, u.UpdatedAt = name, unit, true, []TokenInfo{t.info()}, now
	if err := s.store.ReplaceUser(ctx, u); err != nil {
		return NewToken{}, err
	}
	if err := s.record(ctx, by.Username, unit, loa.Change{Action: "update", Entity: "user", EntityID: username, Before: before, After: u}); err != nil {
		return NewToken{}, err
	}
	return NewToken{TokenInfo: t.info(), Secret: secret}, nil
}
