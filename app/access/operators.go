package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"loa"
)

// KindOperator is the kind of an operator link's token: the phone of a station's
// operator signs in with it to that station's operator pages and feed, nothing else.
const KindOperator = "operator"

const (
	operatorLinkTTL  = 366 * 24 * time.Hour
	maxOperatorLinks = 20
	// lastUseStep is how finely a link's last use is recorded: at most one write an
	// hour per phone.
	lastUseStep = time.Hour
)

// IssueOperatorLink gives a phone of station code's operator (the station of org
// unit unit, named name) a link of its own, named label, valid until expiresAt
// (zero: a year; at most a year). The station's other links and its box's token
// stay. by must cover the unit. The secret is shown only in the answer.
func (s *Service) IssueOperatorLink(ctx context.Context, by User, code, unit, name, label string, expiresAt time.Time) (NewToken, error) {
	label, expiresAt, err := s.tokenTerms(label, expiresAt, operatorLinkTTL, operatorLinkTTL, "an operator link")
	if err != nil {
		return NewToken{}, err
	}
	var created NewToken
	err = s.changeStation(ctx, by, code, unit, name, func(ctx context.Context, u *User) error {
		if len(operatorLinks(*u)) >= maxOperatorLinks {
			return fmt.Errorf("%w: a station has at most %d operator links; revoke one first", loa.ErrConflict, maxOperatorLinks)
		}
		secret, t, err := s.issue(ctx, *u, KindOperator, label, loa.Stamp(expiresAt))
		if err != nil {
			return err
		}
		u.APITokens = append(slices.Clone(u.APITokens), t.info())
		created = NewToken{TokenInfo: t.info(), Secret: secret}
		return nil
	})
	return created, err
}

// OperatorLinks lists station code's operator links, oldest first. by must cover
// unit, the station's.
func (s *Service) OperatorLinks(ctx context.Context, by User, code, unit string) ([]TokenInfo, error) {
	if err := s.stationScope(ctx, by, code, unit); err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, StationAccount(code))
	switch {
	case errors.Is(err, loa.ErrNotFound):
		return []TokenInfo{}, nil // a station never linked has no links
	case err != nil:
		return nil, err
	}
	return operatorLinks(u), nil
}

// RevokeOperatorLink ends operator link id of station code (of unit unit): the
// phone holding it is signed out at its next request.
func (s *Service) RevokeOperatorLink(ctx context.Context, by User, code, unit, id string) error {
	if err := s.stationScope(ctx, by, code, unit); err != nil {
		return err
	}
	username := StationAccount(code)
	var link TokenInfo
	var before User
	u, err := s.store.UpdateUser(ctx, username, func(ctx context.Context, u *User) error {
		i := slices.IndexFunc(u.APITokens, func(t TokenInfo) bool { return t.Kind == KindOperator && t.ID == id })
		if i < 0 {
			return loa.ErrNotFound
		}
		before, link = *u, u.APITokens[i]
		if err := s.store.DeleteToken(ctx, link.Hash); err != nil && !errors.Is(err, loa.ErrNotFound) {
			return err
		}
		u.APITokens = slices.Delete(slices.Clone(u.APITokens), i, i+1)
		u.UpdatedAt = loa.Stamp(s.now())
		return nil
	})
	switch {
	case errors.Is(err, loa.ErrNotFound): // no such link, or a station never linked
		return fmt.Errorf("%w: no operator link %s", loa.ErrNotFound, id)
	case err != nil:
		return err
	}
	return s.record(ctx, by.Username, unit, loa.Change{Action: "delete", Entity: "token", EntityID: id, Before: link},
		loa.Change{Action: "update", Entity: "user", EntityID: username, Before: before, After: u})
}

// OperatorLinkUsed records that t, an operator link of station account u, was just
// used, to the hour, for the list of links on the station's page.
func (s *Service) OperatorLinkUsed(ctx context.Context, u User, t Token) error {
	now := loa.Stamp(s.now())
	if t.Kind != KindOperator || !slices.ContainsFunc(u.APITokens, func(info TokenInfo) bool {
		return info.ID == t.ID && now.Sub(info.LastUsedAt) >= lastUseStep
	}) {
		return nil // recorded within the hour, as the signed-in account says
	}
	_, err := s.store.TouchUser(ctx, u.Username, func(ctx context.Context, fresh *User) error {
		i := slices.IndexFunc(fresh.APITokens, func(info TokenInfo) bool { return info.ID == t.ID })
		if i < 0 || now.Sub(fresh.APITokens[i].LastUsedAt) < lastUseStep {
			return errUnchanged
		}
		fresh.APITokens = slices.Clone(fresh.APITokens)
		fresh.APITokens[i].LastUsedAt = now
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// errUnchanged stops a change that has nothing to write.
var errUnchanged = errors.New("nothing to change")

func operatorLinks(u User) []TokenInfo {
	links := []TokenInfo{}
	for _, t := range u.APITokens {
		if t.Kind == KindOperator {
			links = append(links, t)
		}
	}
	return links
}
