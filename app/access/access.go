// Package access owns accounts, their credentials and sign-in: passwords (bcrypt),
// login and API tokens (stored only as SHA-256 hashes) and the bearer check every API
// route goes through. Roles and scopes are carried on the account so that
// authorization can be enforced on them.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// ErrUnauthorized means the token is missing, wrong, expired or revoked.
var ErrUnauthorized = errors.New("sign in first: a valid bearer token is required")

// ErrBadCredentials answers every failed login alike, whether the account is
// unknown, inactive or the password wrong, so it cannot be used to discover
// accounts. It matches ErrUnauthorized.
var ErrBadCredentials error = badCredentials{}

type badCredentials struct{}

func (badCredentials) Error() string        { return "wrong username or password" }
func (badCredentials) Is(target error) bool { return target == ErrUnauthorized }

// errNotFound is the store's answer for a missing user or token.
var errNotFound = errors.New("not found")

// Roles of DESIGN §9.
const (
	RoleAdmin    = "admin"
	RolePlanner  = "planner"
	RoleApprover = "approver"
	RoleStation  = "station"
	RoleReporter = "reporter"
	RoleViewer   = "viewer"
)

// User is an account. Scope is the org-unit code whose subtree it acts on.
type User struct {
	Username     string    `json:"username" bson:"_id"`
	DisplayName  string    `json:"displayName" bson:"displayName"`
	Roles        []string  `json:"roles" bson:"roles"`
	Scope        string    `json:"scope" bson:"scope"`
	Active       bool      `json:"active" bson:"active"`
	PasswordHash []byte    `json:"-" bson:"passwordHash"`
	CreatedAt    time.Time `json:"createdAt" bson:"createdAt"`
}

// Token is a bearer credential as stored: only the hash of its secret is kept.
type Token struct {
	Hash      string    `bson:"_id"`
	Username  string    `bson:"username"`
	Kind      string    `bson:"kind"` // "login" for now; API and station tokens later
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// Session is the answer to a successful login; Token is shown only here.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      User      `json:"user"`
}

// Store is the persistence the service needs; store.go implements it.
type Store interface {
	User(ctx context.Context, username string) (User, error)
	InsertUser(ctx context.Context, u User) error
	Token(ctx context.Context, hash string) (Token, error)
	InsertToken(ctx context.Context, t Token) error
}

// Service signs accounts in and checks tokens.
type Service struct {
	store    Store
	now      func() time.Time
	tokenTTL time.Duration
	// dummyHash is compared against when the user does not exist, so an unknown
	// username costs the same bcrypt work as a wrong password.
	dummyHash []byte
}

// NewService returns a service whose login tokens live for tokenTTL.
func NewService(store Store, now func() time.Time, tokenTTL time.Duration) *Service {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)
	return &Service{store: store, now: now, tokenTTL: tokenTTL, dummyHash: dummy}
}

// Login checks a username and password and issues a login token.
func (s *Service) Login(ctx context.Context, username, password string) (Session, error) {
	u, err := s.store.User(ctx, username)
	switch {
	case errors.Is(err, errNotFound):
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return Session{}, ErrBadCredentials
	case err != nil:
		return Session{}, err
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil || !u.Active {
		return Session{}, ErrBadCredentials
	}
	secret, hash, err := newSecret()
	if err != nil {
		return Session{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	t := Token{Hash: hash, Username: u.Username, Kind: "login", CreatedAt: now, ExpiresAt: now.Add(s.tokenTTL)}
	if err := s.store.InsertToken(ctx, t); err != nil {
		return Session{}, err
	}
	return Session{Token: secret, ExpiresAt: t.ExpiresAt, User: u}, nil
}

// Authenticate returns the active account a bearer token belongs to.
func (s *Service) Authenticate(ctx context.Context, secret string) (User, error) {
	if secret == "" {
		return User{}, ErrUnauthorized
	}
	t, err := s.store.Token(ctx, hashSecret(secret))
	switch {
	case errors.Is(err, errNotFound):
		return User{}, ErrUnauthorized
	case err != nil:
		return User{}, err
	}
	if !s.now().Before(t.ExpiresAt) {
		return User{}, ErrUnauthorized
	}
	u, err := s.store.User(ctx, t.Username)
	switch {
	case errors.Is(err, errNotFound):
		return User{}, ErrUnauthorized
	case err != nil:
		return User{}, err
	}
	if !u.Active {
		return User{}, ErrUnauthorized
	}
	return u, nil
}

// EnsureAdmin creates the account "admin" (all roles of an administrator over the
// whole of root) on the first start. Without a password it generates one and logs it
// once; an existing account is left as it is.
func (s *Service) EnsureAdmin(ctx context.Context, password, root string, log *slog.Logger) error {
	_, err := s.store.User(ctx, "admin")
	if err == nil {
		return nil
	}
	if !errors.Is(err, errNotFound) {
		return err
	}
	generated := password == ""
	if generated {
		b := make([]byte, 15)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		password = base64.RawURLEncoding.EncodeToString(b)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash admin password: %w", err)
	}
	u := User{Username: "admin", DisplayName: "Quản trị hệ thống", Roles: []string{RoleAdmin}, Scope: root,
		Active: true, PasswordHash: hash, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.store.InsertUser(ctx, u); err != nil {
		return err
	}
	if generated {
		log.Warn("created account admin with a generated password; it is shown only this once, change it",
			"username", "admin", "password", password)
	} else {
		log.Info("created account admin with the password from LOA_ADMIN_PASSWORD")
	}
	return nil
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
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
