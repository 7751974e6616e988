package access

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"

	"loa"
)

// Roles of DESIGN §9.
const (
	RoleAdmin    = "admin"
	RolePlanner  = "planner"
	RoleApprover = "approver"
	RoleStation  = "station"
	RoleReporter = "reporter"
	RoleViewer   = "viewer"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RolePlanner, RoleApprover, RoleStation, RoleReporter, RoleViewer}

const minPasswordLength = 10

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// User is an account. Scope is the org-unit code whose subtree it acts on.
type User struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	Roles       []string `json:"roles"`
	Scope       string   `json:"scope"`
	// ExtraScopes are the units Scope's land passed to in a reorganisation, as an
	// admin confirmed them (see ScopeMapping): the account acts on them too.
	ExtraScopes  []string    `json:"extraScopes,omitempty"`
	Active       bool        `json:"active"`
	PasswordHash []byte      `json:"-"`
	APITokens    []TokenInfo `json:"-"`
	// Station is the station a station account speaks for (see StationAccount).
	Station   string    `json:"station,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// UserInput is what an admin sends to create or change an account. Password is
// required on creation and, on an update, replaces the password when set.
type UserInput struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	Roles       []string `json:"roles"`
	Scope       string   `json:"scope"`
	Active      *bool    `json:"active"`
	Password    string   `json:"password"`
}

// UserFilter selects accounts; empty fields select everything.
type UserFilter struct {
	Role   string
	Active *bool
}

func (f UserFilter) match(u User) bool {
	return (f.Role == "" || slices.Contains(u.Roles, f.Role)) && (f.Active == nil || u.Active == *f.Active)
}

// Users lists the accounts f selects scoped within by's scope, by username.
func (s *Service) Users(ctx context.Context, by User, f UserFilter) ([]User, error) {
	all, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, u := range all {
		if !f.match(u) {
			continue
		}
		if ok, err := s.units.Covers(ctx, by.Actor(), u.Scope, s.units.Today()); err == nil && ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// User returns one account scoped within by's scope.
func (s *Service) User(ctx context.Context, by User, username string) (User, error) {
	u, err := s.store.User(ctx, username)
	if err != nil {
		return User{}, err
	}
	return u, s.checkScope(ctx, by, u.Scope)
}

// CreateUser adds an account inside the admin's scope.
func (s *Service) CreateUser(ctx context.Context, by User, in UserInput) (User, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if err := s.checkUser(ctx, by, &in, true); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, err
	}
	now := loa.Stamp(s.now())
	u := User{Username: in.Username, DisplayName: in.DisplayName, Roles: in.Roles, Scope: in.Scope,
		Active: in.Active == nil || *in.Active, PasswordHash: hash, APITokens: []TokenInfo{}, CreatedAt: now, UpdatedAt: now}
	if err := s.store.InsertUser(ctx, u); err != nil {
		return User{}, err
	}
	return u, s.record(ctx, by.Username, u.Scope, loa.Change{Action: "create", Entity: "user", EntityID: u.Username, After: u})
}

// UpdateUser changes an account. Deactivating it revokes all its tokens at once.
func (s *Service) UpdateUser(ctx context.Context, by User, username string, in UserInput) (User, error) {
	if in.Username != "" && strings.ToLower(in.Username) != username {
		return User{}, loa.Invalid("username", "a username cannot change")
	}
	in.Username = username
	if err := s.checkUser(ctx, by, &in, false); err != nil {
		return User{}, err
	}
	var old User
	u, err := s.store.UpdateUser(ctx, username, func(ctx context.Context, u *User) error {
		old = *u
		if err := s.checkScope(ctx, by, old.Scope); err != nil {
			return err
		}
		if in.Scope != old.Scope {
			u.ExtraScopes = nil // the mapping belonged to the old home unit
		}
		u.DisplayName, u.Roles, u.Scope = in.DisplayName, in.Roles, in.Scope
		if in.Active != nil {
			u.Active = *in.Active
		}
		if username == by.Username && (!u.Active || !slices.Contains(u.Roles, RoleAdmin)) {
			return fmt.Errorf("%w: you cannot deactivate your own account or take away your own admin role", loa.ErrConflict)
		}
		if in.Password != "" {
			var err error
			if u.PasswordHash, err = bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost); err != nil {
				return err
			}
		}
		u.UpdatedAt = loa.Stamp(s.now())
		if !u.Active {
			u.APITokens = []TokenInfo{}
		}
		if !u.Active || in.Password != "" {
			return s.revokeTokens(ctx, by.Username, *u, "")
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, s.record(ctx, by.Username, u.Scope, loa.Change{Action: "update", Entity: "user", EntityID: username, Before: old, After: u})
}

// DeleteUser removes an account and its tokens.
func (s *Service) DeleteUser(ctx context.Context, by User, username string) error {
	if username == by.Username {
		return fmt.Errorf("%w: you cannot delete your own account", loa.ErrConflict)
	}
	old, err := s.store.User(ctx, username)
	if err != nil {
		return err
	}
	if err := s.checkScope(ctx, by, old.Scope); err != nil {
		return err
	}
	if err := s.store.DeleteUser(ctx, username); err != nil {
		return err
	}
	if err := s.revokeTokens(ctx, by.Username, old, ""); err != nil {
		return err
	}
	return s.record(ctx, by.Username, old.Scope, loa.Change{Action: "delete", Entity: "user", EntityID: username, Before: old})
}

// ChangePassword replaces u's password after checking the old one, and revokes every
// token of the account but current, the one the change is made with. Wrong old
// passwords count as failed logins of the account.
func (s *Service) ChangePassword(ctx context.Context, u User, current Token, oldPassword, newPassword string) error {
	key := []limitKey{{userKey(u.Username), s.limits.PerUser}}
	return s.store.Attempt(ctx, names(key), func(ctx context.Context) error {
		if err := s.checkLimits(ctx, key); err != nil {
			return err
		}
		if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(oldPassword)) != nil {
			if err := s.failed(ctx, key); !errors.Is(err, ErrBadCredentials) {
				return err
			}
			return loa.Invalid("oldPassword", "the current password is wrong")
		}
		return s.setPassword(ctx, u, current, newPassword)
	})
}

// setPassword replaces u's checked password with newPassword and revokes every
// token of the account but current.
func (s *Service) setPassword(ctx context.Context, u User, current Token, newPassword string) error {
	if err := checkPassword("newPassword", newPassword); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(newPassword), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	var old User
	fresh, err := s.store.UpdateUser(ctx, u.Username, func(ctx context.Context, fresh *User) error {
		old = *fresh
		fresh.PasswordHash, fresh.UpdatedAt = hash, loa.Stamp(s.now())
		fresh.APITokens = slices.DeleteFunc(slices.Clone(old.APITokens), func(t TokenInfo) bool { return t.Hash != current.Hash })
		return s.revokeTokens(ctx, u.Username, u, current.Hash)
	})
	if err != nil {
		return err
	}
	return s.record(ctx, u.Username, u.Scope, loa.Change{Action: "update", Entity: "user", EntityID: u.Username,
		Before: old, After: fresh})
}

// EnsureAdmin creates the account "admin" (role admin over the whole of root) on the
// first start. Without a password it generates one and logs it once; an existing
// account is left as it is.
func (s *Service) EnsureAdmin(ctx context.Context, password, root string, log *slog.Logger) error {
	_, err := s.store.User(ctx, "admin")
	if err == nil {
		return nil
	}
	if !errors.Is(err, loa.ErrNotFound) {
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
	if err := checkPassword("LOA_ADMIN_PASSWORD", password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash admin password: %w", err)
	}
	now := loa.Stamp(s.now())
	u := User{Username: "admin", DisplayName: "Quản trị hệ thống", Roles: []string{RoleAdmin}, Scope: root,
		Active: true, PasswordHash: hash, APITokens: []TokenInfo{}, CreatedAt: now, UpdatedAt: now}
	// Loa creates this account, so Loa confirms its scope mapping: when the
	// province has ended (Quảng Nam on 30/06/2025), the first admin also acts on
	// the units its land passed to (Đà Nẵng), as an admin would confirm.
	succ, err := s.units.Succession(ctx, root, s.units.Today())
	if err != nil && !errors.Is(err, loa.ErrNotFound) {
		return err
	}
	for _, h := range succ.Heirs {
		u.ExtraScopes = append(u.ExtraScopes, h.Code)
	}
	if err := s.store.InsertUser(ctx, u); errors.Is(err, loa.ErrConflict) {
		return nil // another replica created it first
	} else if err != nil {
		return err
	}
	if generated {
		log.Warn("created account admin with a generated password; it is shown only this once, change it",
			"username", "admin", "password", password)
	} else {
		log.Info("created account admin with the password from LOA_ADMIN_PASSWORD")
	}
	return s.record(ctx, loa.System.Username, root, loa.Change{Action: "create", Entity: "user", EntityID: "admin", After: u})
}

// record audits changes of accounts and tokens under the org-unit path of scope,
// the account's, so that admins of a district see only their district's accounts.
func (s *Service) record(ctx context.Context, actor, scope string, changes ...loa.Change) error {
	path, err := s.units.Path(ctx, scope, s.units.Today())
	if err != nil && !errors.Is(err, loa.ErrNotFound) {
		return err
	}
	for i := range changes {
		changes[i].Path = path
	}
	return s.audit.Record(ctx, actor, changes...)
}

// revokeTokens ends every token of u but keep, and audits it.
func (s *Service) revokeTokens(ctx context.Context, actor string, u User, keep string) error {
	if err := s.store.DeleteTokens(ctx, u.Username, keep); err != nil {
		return err
	}
	kept := "none"
	if keep != "" {
		kept = "the token in use"
	}
	return s.record(ctx, actor, u.Scope, loa.Change{Action: "delete", Entity: "token", EntityID: u.Username + "/*",
		Before: map[string]string{"tokensOf": u.Username, "kept": kept}})
}

// checkUser validates an account as an admin (by) would save it.
func (s *Service) checkUser(ctx context.Context, by User, in *UserInput, creating bool) error {
	v := &loa.ValidationError{}
	add := func(field, msg string) {
		v.Details = append(v.Details, loa.FieldError{Field: field, Message: msg})
	}
	if !usernamePattern.MatchString(in.Username) {
		add("username", "2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	in.DisplayName = strings.TrimSpace(norm.NFC.String(in.DisplayName))
	if in.DisplayName == "" || utf8.RuneCountInString(in.DisplayName) > 200 {
		add("displayName", "a display name of 1 to 200 characters is required")
	}
	if len(in.Roles) == 0 {
		add("roles", "at least one role: "+strings.Join(Roles, ", "))
	}
	for _, r := range in.Roles {
		if !slices.Contains(Roles, r) {
			add("roles", fmt.Sprintf("unknown role %q; roles are %s", r, strings.Join(Roles, ", ")))
		}
	}
	if creating || in.Password != "" {
		if err := checkPassword("password", in.Password); err != nil {
			var ve *loa.ValidationError
			errors.As(err, &ve)
			v.Details = append(v.Details, ve.Details...)
		}
	}
	if in.Scope == "" {
		add("scope", "the org unit whose subtree the account acts on (e.g. 49 for the whole province)")
	}
	if len(v.Details) > 0 {
		return v
	}
	return s.checkScope(ctx, by, in.Scope)
}

// checkScope says whether unit exists and lies within by's scope.
func (s *Service) checkScope(ctx context.Context, by User, unit string) error {
	ok, err := s.units.Covers(ctx, by.Actor(), unit, s.units.Today())
	if errors.Is(err, loa.ErrNotFound) {
		return loa.Invalid("scope", fmt.Sprintf("unknown org unit %q", unit))
	}
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, unit, by.Scope)
	}
	return nil
}

func checkPassword(field, password string) error {
	if utf8.RuneCountInString(password) < minPasswordLength {
		return loa.Invalid(field, fmt.Sprintf("a password needs at least %d characters", minPasswordLength))
	}
	if len(password) > 72 {
		return loa.Invalid(field, "a password may have at most 72 bytes")
	}
	return nil
}

func mustHash(password string) []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		panic(err)
	}
	return h
}

// LoginThrottle is the state of an account's failed logins, for its admins; the
// zero Strikes once they are forgotten.
func (s *Service) LoginThrottle(ctx context.Context, by User, username string) (Strikes, error) {
	if _, err := s.User(ctx, by, username); err != nil {
		return Strikes{}, err
	}
	st, err := s.store.Strikes(ctx, userKey(username))
	return st.current(s.now(), s.limits.Forget), err
}

// ClearLoginThrottle forgets an account's failed logins, so that its next attempt is
// checked at once (an address's own throttle still applies); audited.
func (s *Service) ClearLoginThrottle(ctx context.Context, by User, username string) error {
	u, err := s.User(ctx, by, username)
	if err != nil {
		return err
	}
	key := userKey(username)
	return s.store.Attempt(ctx, []string{key}, func(ctx context.Context) error {
		before, err := s.store.Strikes(ctx, key)
		if err != nil {
			return err
		}
		if err := s.store.ClearFailures(ctx, key); err != nil {
			return err
		}
		return s.record(ctx, by.Username, u.Scope, loa.Change{Action: "update", Entity: "user", EntityID: username,
			Before: map[string]Strikes{"loginThrottle": before.current(s.now(), s.limits.Forget)},
			After:  map[string]Strikes{"loginThrottle": {}}})
	})
}
