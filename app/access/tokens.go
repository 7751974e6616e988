package access

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"loa"
)

// Kinds of token.
const (
	KindLogin = "login"
	KindAPI   = "api"
)

const (
	defaultAPITokenTTL = 90 * 24 * time.Hour
	maxAPITokenTTL     = 366 * 24 * time.Hour
	maxAPITokens       = 20
)

// Token is a bearer credential as stored: only the hash of its secret is kept.
type Token struct {
	Hash      string
	ID        string
	Username  string
	Kind      string
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TokenInfo is what an account sees of its tokens: never the secret nor its hash.
type TokenInfo struct {
	ID        string    `json:"id"`
	Hash      string    `json:"-"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	// LastUsedAt is when an operator link was last used (to the hour); zero for
	// other tokens.
	LastUsedAt time.Time `json:"lastUsedAt,omitzero"`
}

func (t Token) info() TokenInfo {
	return TokenInfo{ID: t.ID, Hash: t.Hash, Kind: t.Kind, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
}

// Session is the answer to a successful login; Token is shown only here.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      User      `json:"user"`
}

// NewToken is the answer to creating an API token; Secret is shown only here.
type NewToken struct {
	TokenInfo
	Secret string `json:"secret"`
}

// Login checks a username and password and issues a login token. addr is the
// client's address, for the per-address limit of failed logins.
//
// Attempts for one username, and from one address, are taken one at a time within
// the process, so parallel guesses are counted before any is checked.
func (s *Service) Login(ctx context.Context, username, password, addr string) (Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	keys := []limitKey{{userKey(username), s.limits.PerUser}, {addrKey(addr), s.limits.PerAddress}}
	var session Session
	err := s.store.Attempt(ctx, names(keys), func(ctx context.Context) error {
		var err error
		session, err = s.login(ctx, keys, username, password)
		return err
	})
	return session, err
}

// login is one attempt to sign in, counted under keys.
func (s *Service) login(ctx context.Context, keys []limitKey, username, password string) (Session, error) {
	if err := s.checkLimits(ctx, keys); err != nil {
		return Session{}, err
	}
	u, err := s.store.User(ctx, username)
	switch {
	case errors.Is(err, loa.ErrNotFound):
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return Session{}, s.failed(ctx, keys)
	case err != nil:
		return Session{}, err
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil || !u.Active {
		return Session{}, s.failed(ctx, keys)
	}
	if err := s.store.ClearFailures(ctx, keys[0].key); err != nil {
		return Session{}, err
	}
	secret, t, err := s.issue(ctx, u, KindLogin, "login", loa.Stamp(s.now()).Add(s.tokenTTL))
	if err != nil {
		return Session{}, err
	}
	// A password change or deactivation during the checks above must not leave a
	// token behind: look again now that the token exists.
	now, err := s.store.User(ctx, u.Username)
	if err != nil || !now.Active || !bytes.Equal(now.PasswordHash, u.PasswordHash) {
		_ = s.store.DeleteToken(ctx, t.Hash)
		return Session{}, cmp.Or(err, ErrBadCredentials)
	}
	return Session{Token: secret, ExpiresAt: t.ExpiresAt, User: u}, nil
}

// userKey is the limit key of a username: a hash, so that whatever is typed as a
// username (a password, by mistake) is never stored, and its size is bounded.
func userKey(username string) string {
	return "user|" + hashSecret(username)[:32]
}

// addrKey is the limit key of a client's address.
func addrKey(addr string) string { return "addr|" + addr }

// failed records a failed login against every key, which slows down the keys' next
// attempts, and answers like any failure.
func (s *Service) failed(ctx context.Context, keys []limitKey) error {
	for _, k := range keys {
		if err := s.store.AddFailure(ctx, k.key, loa.Stamp(s.now()), s.limits.Forget, k.throttle.Delay); err != nil {
			return err
		}
	}
	return ErrBadCredentials
}

// Authenticate returns the active account a token belongs to, and the token. A
// sign-in already checked is served from memory until the auth version moves (any
// revocation or account change) or the token expires.
func (s *Service) Authenticate(ctx context.Context, secret string) (User, Token, error) {
	if secret == "" {
		return User{}, Token{}, loa.ErrUnauthorized
	}
	version, err := s.store.AuthVersion(ctx)
	if err != nil {
		return User{}, Token{}, err
	}
	sum := secretSum(secret)
	if e, ok := s.signIns.get(sum, version); ok && s.now().Before(e.token.ExpiresAt) {
		return e.user, e.token, nil
	}
	t, err := s.store.Token(ctx, hex.EncodeToString(sum[:]))
	switch {
	case errors.Is(err, loa.ErrNotFound):
		return User{}, Token{}, loa.ErrUnauthorized
	case err != nil:
		return User{}, Token{}, err
	}
	if !s.now().Before(t.ExpiresAt) {
		return User{}, Token{}, loa.ErrUnauthorized
	}
	u, err := s.store.User(ctx, t.Username)
	switch {
	case errors.Is(err, loa.ErrNotFound):
		return User{}, Token{}, loa.ErrUnauthorized
	case err != nil:
		return User{}, Token{}, err
	}
	if !u.Active {
		return User{}, Token{}, loa.ErrUnauthorized
	}
	s.signIns.put(sum, signIn{user: u, token: t, version: version})
	return u, t, nil
}

// Logout revokes t, the token u is signed in with.
func (s *Service) Logout(ctx context.Context, u User, t Token) error {
	if t.Kind == KindAPI {
		return s.RevokeAPIToken(ctx, u, t.ID)
	}
	if err := s.store.DeleteToken(ctx, t.Hash); err != nil {
		return err
	}
	return s.record(ctx, u.Username, u.Scope, loa.Change{Action: "delete", Entity: "token", EntityID: t.ID, Before: t.info()})
}

// APITokens lists u's personal API tokens.
func (s *Service) APITokens(ctx context.Context, u User) ([]TokenInfo, error) {
	fresh, err := s.store.User(ctx, u.Username)
	if err != nil {
		return nil, err
	}
	return fresh.APITokens, nil
}

// CreateAPIToken issues a personal API token named name, valid until expiresAt
// (zero: 90 days; at most a year).
func (s *Service) CreateAPIToken(ctx context.Context, u User, name string, expiresAt time.Time) (NewToken, error) {
	name, expiresAt, err := s.tokenTerms(name, expiresAt, defaultAPITokenTTL, maxAPITokenTTL, "an API token")
	if err != nil {
		return NewToken{}, err
	}
	var created NewToken
	_, err = s.store.UpdateUser(ctx, u.Username, func(ctx context.Context, fresh *User) error {
		if len(fresh.APITokens) >= maxAPITokens {
			return fmt.Errorf("%w: an account has at most %d API tokens; revoke one first", loa.ErrConflict, maxAPITokens)
		}
		secret, t, err := s.issue(ctx, u, KindAPI, name, loa.Stamp(expiresAt))
		if err != nil {
			return err
		}
		fresh.APITokens = append(fresh.APITokens, t.info())
		created = NewToken{TokenInfo: t.info(), Secret: secret}
		return nil
	})
	if err != nil {
		return NewToken{}, err
	}
	return created, nil
}

// tokenTerms checks a token's name (1 to 100 characters) and expiry (zero: now plus
// byDefault; in the future, at most longest ahead), and returns them as kept.
func (s *Service) tokenTerms(name string, expiresAt time.Time, byDefault, longest time.Duration, what string) (string, time.Time, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", time.Time{}, loa.Invalid("name", "a name of 1 to 100 characters, to recognise the token by")
	}
	now := loa.Stamp(s.now())
	switch {
	case expiresAt.IsZero():
		return name, now.Add(byDefault), nil
	case !expiresAt.After(now):
		return "", time.Time{}, loa.Invalid("expiresAt", "the expiry must be in the future")
	case expiresAt.Sub(now) > longest:
		return "", time.Time{}, loa.Invalid("expiresAt", what+" lives at most one year")
	}
	return name, expiresAt, nil
}

// RevokeAPIToken deletes one of u's API tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, u User, id string) error {
	var revoked TokenInfo
	_, err := s.store.UpdateUser(ctx, u.Username, func(ctx context.Context, fresh *User) error {
		i := slices.IndexFunc(fresh.APITokens, func(t TokenInfo) bool { return t.ID == id })
		if i < 0 {
			return fmt.Errorf("%w: no API token %s", loa.ErrNotFound, id)
		}
		revoked = fresh.APITokens[i]
		if err := s.store.DeleteToken(ctx, revoked.Hash); err != nil && !errors.Is(err, loa.ErrNotFound) {
			return err
		}
		fresh.APITokens = slices.Delete(fresh.APITokens, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	return s.record(ctx, u.Username, u.Scope, loa.Change{Action: "delete", Entity: "token", EntityID: id, Before: revoked})
}

// issue stores a new token for u and returns its secret.
func (s *Service) issue(ctx context.Context, u User, kind, name string, expiresAt time.Time) (string, Token, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", Token{}, err
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return "", Token{}, err
	}
	t := Token{Hash: hash, ID: hex.EncodeToString(id), Username: u.Username, Kind: kind, Name: name,
		CreatedAt: loa.Stamp(s.now()), ExpiresAt: expiresAt}
	if err := s.store.InsertToken(ctx, t); err != nil {
		return "", Token{}, err
	}
	return secret, t, s.record(ctx, u.Username, u.Scope, loa.Change{Action: "create", Entity: "token", EntityID: t.ID, After: t.info()})
}

// PurgeExpired deletes tokens past their expiry, which no request can use any more,
// and says how many; it also forgets failed logins older than the limits keep them.
// API tokens stay listed on their account, marked by their expiry, until revoked.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	if _, err := s.store.DeleteStaleStrikes(ctx, s.now().Add(-s.limits.Forget)); err != nil {
		return 0, err
	}
	return s.store.DeleteExpiredTokens(ctx, s.now())
}
