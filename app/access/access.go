// Package access owns accounts and what they may do: passwords (bcrypt), login, API
// and station tokens (stored only as SHA-256 hashes), web sessions with CSRF tokens,
// login rate limits, and the permission table of roles × actions. Scopes are org-unit
// subtrees; the domain services check them.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"loa"
	"loa/campaigns"
)

// ErrBadCredentials answers every failed login alike, whether the account is
// unknown, inactive or the password wrong, so it cannot be used to discover
// accounts. It matches ErrUnauthorized.
var ErrBadCredentials error = badCredentials{}

type badCredentials struct{}

func (badCredentials) Error() string        { return "wrong username or password" }
func (badCredentials) Is(target error) bool { return target == loa.ErrUnauthorized }

// ErrForbidden means the account's roles do not allow the action.
var ErrForbidden = loa.ErrForbidden

// TooManyAttempts is the answer to a login while the limit of failures is reached.
type TooManyAttempts struct {
	RetryAfter time.Duration
}

// Seconds is the wait in whole seconds, rounded up, for a Retry-After header.
func (e *TooManyAttempts) Seconds() int {
	return int(math.Ceil(e.RetryAfter.Seconds()))
}

func (e *TooManyAttempts) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %s", e.RetryAfter.Round(time.Second))
}

// Service manages accounts, tokens and sign-in.
type Service struct {
	store    Store
	audit    loa.Auditor
	units    UnitChecker
	now      func() time.Time
	tokenTTL time.Duration
	limits   Limits
	// dummyHash is compared against when the user does not exist, so an unknown
	// username costs the same bcrypt work as a wrong password.
	dummyHash []byte
	signIns   signInCache
}

// UnitChecker answers whether an org unit lies within an actor's scope, its path
// from the root, and what became of an ended unit; campaigns.Service is one.
type UnitChecker interface {
	Covers(ctx context.Context, actor loa.Actor, unit string, at loa.Date) (bool, error)
	Path(ctx context.Context, unit string, at loa.Date) ([]string, error)
	Succession(ctx context.Context, code string, at loa.Date) (campaigns.Succession, error)
	Today() loa.Date
}

// Options are the service's settings.
type Options struct {
	TokenTTL time.Duration // lifetime of a login token
	Limits   Limits
}

// NewService returns the service.
func NewService(store Store, audit loa.Auditor, units UnitChecker, now func() time.Time, opts Options) *Service {
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits
	}
	return &Service{store: store, audit: audit, units: units, now: now, tokenTTL: opts.TokenTTL,
		limits: opts.Limits, dummyHash: mustHash("not the password of anyone")}
}

// Actor is the account as the domain services see it: who, and on which subtree.
func (u User) Actor() loa.Actor {
	return loa.Actor{Username: u.Username, Scope: u.Scope, Extra: u.ExtraScopes}
}

// newSecret returns a new token secret and the hash that is stored in its place.
func newSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = "loa_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret), nil
}

func hashSecret(secret string) string {
	sum := secretSum(secret)
	return hex.EncodeToString(sum[:])
}

// secretSum is the SHA-256 of a secret, which hashSecret spells in hex.
func secretSum(secret string) [sha256.Size]byte { return sha256.Sum256([]byte(secret)) }

// CSRFToken is the token a form or a cookie-authenticated request must send back:
// derived from the session secret, which scripts of other sites cannot read.
func CSRFToken(session string) string {
	sum := sha256.Sum256([]byte("loa-csrf|" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
