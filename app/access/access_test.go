package access_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"loa"
	"loa/app/access"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable now for tests at fixed instants.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	svc   *access.Service
	store *access.MongoStore
	clock *clock
	trail *audit.Log
	units *campaigns.Service
	admin access.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := dbtest.New(t, slices.Concat(database.Schema, campaigns.Schema, access.Schema, audit.Schema))
	ctx := context.Background()
	c := &clock{t: time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)}
	trail := audit.New(audit.NewStore(db), c.now)
	units := campaigns.NewService(campaigns.NewStore(db), trail, c.now)
	if err := units.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	store := access.NewStore(db)
	svc := access.NewService(store, trail, units, c.now, access.Options{TokenTTL: 12 * time.Hour})
	if err := svc.EnsureAdmin(ctx, "admin password", "49", dbtest.Logger()); err != nil {
		t.Fatal(err)
	}
	admin, err := svc.User(ctx, access.User{Scope: loa.AllUnits}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, store: store, clock: c, trail: trail, units: units, admin: admin}
}

func (f *fixture) user(t *testing.T, name, scope string, roles ...string) access.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), f.admin, access.UserInput{
		Username: name, DisplayName: name, Roles: roles, Scope: scope, Password: "password of " + name})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginTokenExpires(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s, err := f.svc.Login(ctx, "admin", "admin password", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.now().Add(12 * time.Hour); !s.ExpiresAt.Equal(want) {
		t.Errorf("expiresAt = %v, want %v", s.ExpiresAt, want)
	}
	f.clock.advance(12*time.Hour - time.Second)
	if _, _, err := f.svc.Authenticate(ctx, s.Token); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	f.clock.advance(time.Second)
	if _, _, err := f.svc.Authenticate(ctx, s.Token); !errors.Is(err, loa.ErrUnauthorized) {
		t.Errorf("at expiry: error = %v, want ErrUnauthorized", err)
	}
	if n, err := f.svc.PurgeExpired(ctx); err != nil || n != 0 {
		t.Errorf("PurgeExpired at the instant of expiry = %d, %v; want 0", n, err)
	}
	f.clock.advance(time.Millisecond)
	if n, err := f.svc.PurgeExpired(ctx); err != nil || n != 1 {
		t.Errorf("PurgeExpired after expiry = %d, %v; want the one login token", n, err)
	}
}

func TestRevocation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "reporter1", "502", "reporter")
	login, err := f.svc.Login(ctx, "reporter1", "password of reporter1", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	api, err := f.svc.CreateAPIToken(ctx, u, "laptop", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.now().Add(90 * 24 * time.Hour); !api.ExpiresAt.Equal(want) {
		t.Errorf("API token expires %v, want %v (90 days)", api.ExpiresAt, want)
	}
	list, _ := f.svc.APITokens(ctx, u)
	if len(list) != 1 || list[0].Name != "laptop" || list[0].ID != api.ID {
		t.Errorf("API tokens = %+v", list)
	}

	// Logging out revokes the token used, and only it.
	_, tok, err := f.svc.Authenticate(ctx, login.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Logout(ctx, u, tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, login.Token); !errors.Is(err, loa.ErrUnauthorized) {
		t.Errorf("after logout: %v, want ErrUnauthorized", err)
	}
	if _, _, err := f.svc.Authenticate(ctx, api.Secret); err != nil {
		t.Errorf("the API token died with the login token: %v", err)
	}

	// Revoking the API token ends it at once, even though it was cached.
	if err := f.svc.RevokeAPIToken(ctx, u, api.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, api.Secret); !errors.Is(err, loa.ErrUnauthorized) {
		t.Errorf("after revoking: %v, want ErrUnauthorized", err)
	}
	if err := f.svc.RevokeAPIToken(ctx, u, api.ID); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("revoking twice: %v, want ErrNotFound", err)
	}

	// Bad token requests.
	for _, tt := range []struct {
		name      string
		tokenName string
		expires   time.Time
		field     string
	}{
		{"no name", " ", time.Time{}, "name"},
		{"past expiry", "x", f.clock.now().Add(-time.Hour), "expiresAt"},
		{"over a year", "x", f.clock.now().Add(400 * 24 * time.Hour), "expiresAt"},
	} {
		_, err := f.svc.CreateAPIToken(ctx, u, tt.tokenName, tt.expires)
		var ve *loa.ValidationError
		if !errors.As(err, &ve) || ve.Details[0].Field != tt.field {
			t.Errorf("CreateAPIToken with %s: %v, want a problem with %s", tt.name, err, tt.field)
		}
	}
}

func TestDeactivationRevokesAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "viewer1", "502", "viewer")
	login, err := f.svc.Login(ctx, "viewer1", "password of viewer1", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	api, err := f.svc.CreateAPIToken(ctx, u, "script", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{login.Token, api.Secret} {
		if _, _, err := f.svc.Authenticate(ctx, secret); err != nil { // now cached
			t.Fatal(err)
		}
	}
	inactive := false
	if _, err := f.svc.UpdateUser(ctx, f.admin, "viewer1", access.UserInput{DisplayName: "v", Roles: []string{"viewer"}, Scope: "502", Active: &inactive}); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{login.Token, api.Secret} {
		if _, _, err := f.svc.Authenticate(ctx, secret); !errors.Is(err, loa.ErrUnauthorized) {
			t.Errorf("token of a deactivated account: %v, want ErrUnauthorized", err)
		}
	}
	if _, err := f.svc.Login(ctx, "viewer1", "password of viewer1", "10.0.0.1"); !errors.Is(err, access.ErrBadCredentials) {
		t.Errorf("login of a deactivated account: %v, want ErrBadCredentials", err)
	}
	// Reactivating does not bring the old tokens back.
	active := true
	if _, err := f.svc.UpdateUser(ctx, f.admin, "viewer1", access.UserInput{DisplayName: "v", Roles: []string{"viewer"}, Scope: "502", Active: &active}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, api.Secret); !errors.Is(err, loa.ErrUnauthorized) {
		t.Errorf("old API token after reactivation: %v, want ErrUnauthorized", err)
	}
	if _, err := f.svc.UpdateUser(ctx, f.admin, "admin", access.UserInput{DisplayName: "a", Roles: []string{"admin"}, Scope: "49", Active: &inactive}); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("admin deactivating itself: %v, want ErrConflict", err)
	}
}

// Failed logins slow down the next attempts, by 1 s, 2 s, 4 s … after the second,
// up to a minute; an early attempt is refused whatever its password and does not
// make the wait longer; the right password after the wait signs in.
func TestLoginThrottle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var limited *access.TooManyAttempts
	wantWaits := []time.Duration{0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i, want := range wantWaits {
		if _, err := f.svc.Login(ctx, "admin", "wrong password", "10.0.0.1"); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
		_, err := f.svc.Login(ctx, "admin", "admin password", "10.0.0.2")
		switch {
		case want == 0 && err != nil:
			t.Fatalf("right password after %d failure(s): %v, want a session", i+1, err)
		case want == 0:
			// a success clears the count: fail again to go on
			for range i + 1 {
				_, _ = f.svc.Login(ctx, "admin", "wrong password", "10.0.0.1")
			}
		case !errors.As(err, &limited) || limited.RetryAfter != want*time.Second:
			t.Fatalf("right password at once after %d failures: %v, want a wait of %ds", i+1, err, want)
		}
		// Early attempts, even with the right password, change nothing.
		f.clock.advance(want * time.Second / 2)
		if want > 0 {
			if _, err := f.svc.Login(ctx, "admin", "admin password", "10.0.0.3"); !errors.As(err, &limited) || limited.RetryAfter != want*time.Second/2 {
				t.Fatalf("halfway through a wait of %ds: %v, want the rest of the same wait", want, err)
			}
		}
		f.clock.advance(want*time.Second - want*time.Second/2)
	}
	if _, err := f.svc.Login(ctx, "admin", "admin password", "10.0.0.2"); err != nil {
		t.Fatalf("right password after the last wait: %v", err)
	}
	if st, err := f.svc.LoginThrottle(ctx, f.admin, "admin"); err != nil || st.Failures != 0 {
		t.Errorf("throttle after a success = %+v, %v; want cleared", st, err)
	}
}

// An attacker guessing as fast as they like never keeps the real user out for
// longer than the cap: at any moment the user's wait is at most a minute, and
// trying after it (the attacker idle meanwhile) signs in. Unknown usernames get
// exactly the same answers, so the throttle reveals no account.
func TestAttackerCannotLockOut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	answers := map[string][]string{}
	for _, target := range []string{"admin", "no-such-user"} {
		for i := range 400 { // one guess every 0.75 s for 5 minutes, from 400 addresses
			_, err := f.svc.Login(ctx, target, "guess", fmt.Sprintf("10.66.%d.%d", i/200, i%200))
			answers[target] = append(answers[target], answer(err))
			f.clock.advance(750 * time.Millisecond)
		}
		_, err := f.svc.Login(ctx, target, "admin password", "10.0.0.9")
		var limited *access.TooManyAttempts
		if !errors.As(err, &limited) || limited.RetryAfter > time.Minute {
			t.Fatalf("%s: the real user during the attack: %v, want a wait of at most a minute", target, err)
		}
		if target == "admin" {
			f.clock.advance(limited.RetryAfter)
			if _, err := f.svc.Login(ctx, target, "admin password", "10.0.0.9"); err != nil {
				t.Errorf("the real user after waiting %v: %v", limited.RetryAfter, err)
			}
		}
		f.clock.advance(time.Hour)
	}
	if !slices.Equal(answers["admin"], answers["no-such-user"]) {
		t.Errorf("answers to guesses differ between a real and an unknown account:\n%v\n%v", answers["admin"], answers["no-such-user"])
	}
	checked := 0
	for _, a := range answers["admin"] {
		if a == "checked" {
			checked++
		}
	}
	if checked < 5 || checked > 12 {
		t.Errorf("%d of 400 guesses in 5 minutes had their password checked, want a handful", checked)
	}
}

// answer names the kind of a login's answer.
func answer(err error) string {
	var limited *access.TooManyAttempts
	switch {
	case errors.As(err, &limited):
		return fmt.Sprintf("wait %v", limited.RetryAfter)
	case errors.Is(err, access.ErrBadCredentials):
		return "checked"
	}
	return fmt.Sprint(err)
}

// An address's failures slow down every login from it, after ten free ones: the
// same throttle, so it never locks an address out either.
func TestAddressThrottle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 11 {
		if _, err := f.svc.Login(ctx, fmt.Sprintf("nobody%d", i), "x", "10.9.9.9"); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatalf("address failure %d: %v", i+1, err)
		}
	}
	var limited *access.TooManyAttempts
	if _, err := f.svc.Login(ctx, "admin", "admin password", "10.9.9.9"); !errors.As(err, &limited) || limited.RetryAfter != time.Second {
		t.Errorf("after 11 failures from one address: %v, want a wait of 1 s", err)
	}
	if _, err := f.svc.Login(ctx, "admin", "admin password", "10.0.0.3"); err != nil {
		t.Errorf("another address: %v", err)
	}
	f.clock.advance(time.Second)
	if _, err := f.svc.Login(ctx, "admin", "admin password", "10.9.9.9"); err != nil {
		t.Errorf("after the wait: %v", err)
	}
}

// An admin clears an account's throttle (audited): its next attempt is checked at
// once. Only within the admin's scope.
func TestClearLoginThrottle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.user(t, "viewer1", "502", "viewer")
	district := f.user(t, "district-admin", "503", "admin")
	for range 6 {
		_, _ = f.svc.Login(ctx, "viewer1", "wrong password", "10.0.0.1")
		f.clock.advance(100 * time.Millisecond)
	}
	st, err := f.svc.LoginThrottle(ctx, f.admin, "viewer1")
	if err != nil || st.Failures != 3 || !st.Next.After(f.clock.now()) {
		t.Fatalf("throttle = %+v, %v; want 3 failures (the others came too early) and a wait", st, err)
	}
	if err := f.svc.ClearLoginThrottle(ctx, district, "viewer1"); !errors.Is(err, loa.ErrOutsideScope) {
		t.Errorf("clear by a district admin of another district: %v, want ErrOutsideScope", err)
	}
	if err := f.svc.ClearLoginThrottle(ctx, f.admin, "ghost"); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("clear of an unknown account: %v, want ErrNotFound", err)
	}
	if st, _ := f.svc.LoginThrottle(ctx, f.admin, "viewer1"); st.Failures != 3 {
		t.Errorf("refused clears changed the throttle: %+v", st)
	}
	if err := f.svc.ClearLoginThrottle(ctx, f.admin, "viewer1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "viewer1", "password of viewer1", "10.0.0.1"); err != nil {
		t.Errorf("login right after the clear: %v", err)
	}
	entries, err := f.trail.List(ctx, audit.Query{Entity: "user", EntityID: "viewer1", Scope: "49"})
	if err != nil || len(entries) == 0 || entries[0].Actor != "admin" || entries[0].Action != "update" {
		t.Errorf("audit of the clear = %+v, %v; want an update by admin", entries, err)
	}
}

// A key's failures are forgotten 15 minutes after the last one: the count starts
// again, and the nightly purge deletes the forgotten ones.
func TestLoginFailuresExpire(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 4 {
		_, _ = f.svc.Login(ctx, "admin", "wrong password", "10.0.0.1")
		f.clock.advance(5 * time.Second)
	}
	if st, _ := f.svc.LoginThrottle(ctx, f.admin, "admin"); st.Failures != 4 {
		t.Fatalf("throttle = %+v, want 4 failures", st)
	}
	f.clock.advance(15 * time.Minute)
	if st, _ := f.svc.LoginThrottle(ctx, f.admin, "admin"); st.Failures != 0 {
		t.Errorf("15 minutes after the last failure: %+v, want forgotten", st)
	}
	_, _ = f.svc.Login(ctx, "admin", "wrong password", "10.0.0.1")
	if _, err := f.svc.Login(ctx, "admin", "admin password", "10.0.0.1"); err != nil {
		t.Errorf("one failure after the old ones were forgotten: %v, want no wait", err)
	}
	_, _ = f.svc.Login(ctx, "ghost", "wrong password", "10.0.0.2")
	f.clock.advance(15 * time.Minute)
	if _, err := f.svc.PurgeExpired(ctx); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"addr|10.0.0.1", "addr|10.0.0.2"} {
		if st, err := f.store.Strikes(ctx, key); err != nil || st.Failures != 0 {
			t.Errorf("%s after the purge: %+v, %v; want deleted", key, st, err)
		}
	}
}

// An unknown user costs the same bcrypt work as a wrong password, so timing does not
// tell which accounts exist. (A loose bound: without the dummy comparison the
// unknown user answers about a hundred times faster.)
func TestLoginTimingDoesNotRevealAccounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	measure := func(username string, addr string) time.Duration {
		var ds []time.Duration
		for i := range 4 {
			start := time.Now()
			_, _ = f.svc.Login(ctx, username, "wrong password", addr+string(rune('0'+i)))
			ds = append(ds, time.Since(start))
			f.clock.advance(time.Hour) // stay under the limits
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	known, unknown := measure("admin", "10.1.1."), measure("no-such-user", "10.2.2.")
	if unknown < known/4 {
		t.Errorf("unknown user answered in %v, wrong password in %v: the difference reveals accounts", unknown, known)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "planner1", "49", "planner")
	other, _ := f.svc.Login(ctx, "planner1", "password of planner1", "10.0.0.1")
	current, _ := f.svc.CreateAPIToken(ctx, u, "current", time.Time{})
	_, tok, err := f.svc.Authenticate(ctx, current.Secret)
	if err != nil {
		t.Fatal(err)
	}
	var ve *loa.ValidationError
	if err := f.svc.ChangePassword(ctx, u, tok, "not it at all", "a new long password"); !errors.As(err, &ve) || ve.Details[0].Field != "oldPassword" {
		t.Errorf("wrong old password: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, u, tok, "password of planner1", "short"); !errors.As(err, &ve) || ve.Details[0].Field != "newPassword" {
		t.Errorf("short new password: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, u, tok, "password of planner1", "a new long password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, other.Token); !errors.Is(err, loa.ErrUnauthorized) {
		t.Errorf("another session after a password change: %v, want ErrUnauthorized", err)
	}
	if _, _, err := f.svc.Authenticate(ctx, current.Secret); err != nil {
		t.Errorf("the token the change was made with: %v", err)
	}
	if list, _ := f.svc.APITokens(ctx, u); len(list) != 1 || list[0].ID != current.ID {
		t.Errorf("API tokens after the change = %+v, want the current one", list)
	}
	if _, err := f.svc.Login(ctx, "planner1", "a new long password", "10.0.0.1"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
}

func TestAccountValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	district := f.user(t, "district-admin", "502", "admin")
	tests := []struct {
		name  string
		by    access.User
		in    access.UserInput
		field string
		err   error
	}{
		{"short password", f.admin, access.UserInput{Username: "a1", DisplayName: "A", Roles: []string{"viewer"}, Scope: "49", Password: "123456789"}, "password", loa.ErrInvalid},
		{"unknown role", f.admin, access.UserInput{Username: "a2", DisplayName: "A", Roles: []string{"boss"}, Scope: "49", Password: "0123456789"}, "roles", loa.ErrInvalid},
		{"no role", f.admin, access.UserInput{Username: "a3", DisplayName: "A", Scope: "49", Password: "0123456789"}, "roles", loa.ErrInvalid},
		{"bad username", f.admin, access.UserInput{Username: "A B", DisplayName: "A", Roles: []string{"viewer"}, Scope: "49", Password: "0123456789"}, "username", loa.ErrInvalid},
		{"unknown scope", f.admin, access.UserInput{Username: "a4", DisplayName: "A", Roles: []string{"viewer"}, Scope: "999", Password: "0123456789"}, "scope", loa.ErrInvalid},
		{"taken", f.admin, access.UserInput{Username: "district-admin", DisplayName: "A", Roles: []string{"viewer"}, Scope: "49", Password: "0123456789"}, "", loa.ErrConflict},
		{"outside the admin's scope", district, access.UserInput{Username: "a5", DisplayName: "A", Roles: []string{"viewer"}, Scope: "503", Password: "0123456789"}, "", loa.ErrOutsideScope},
	}
	for _, tt := range tests {
		_, err := f.svc.CreateUser(ctx, tt.by, tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
			continue
		}
		var ve *loa.ValidationError
		if tt.field != "" && (!errors.As(err, &ve) || !slices.ContainsFunc(ve.Details, func(d loa.FieldError) bool { return d.Field == tt.field })) {
			t.Errorf("%s: %v, want a problem with %s", tt.name, err, tt.field)
		}
	}
	users, err := f.svc.Users(ctx, district, access.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Username != "district-admin" {
		t.Errorf("a district admin sees %+v, want only the accounts of its district", users)
	}
	inactive := false
	for _, tt := range []struct {
		f    access.UserFilter
		want int
	}{{access.UserFilter{Role: access.RoleAdmin}, 1}, {access.UserFilter{Role: access.RoleViewer}, 0}, {access.UserFilter{Active: &inactive}, 0}} {
		if users, err := f.svc.Users(ctx, district, tt.f); err != nil || len(users) != tt.want {
			t.Errorf("Users(%+v) = %d accounts, %v; want %d", tt.f, len(users), err, tt.want)
		}
	}
}

// Parallel guesses are counted before any is checked: no more than the limit get
// through to the password check.
func TestParallelGuessesAreLimited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Login(ctx, "admin", "wrong password", fmt.Sprintf("10.7.0.%d", i))
			var limited *access.TooManyAttempts
			key := "other"
			switch {
			case errors.As(err, &limited):
				key = "limited"
			case errors.Is(err, access.ErrBadCredentials):
				key = "checked"
			}
			mu.Lock()
			answers[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if answers["checked"] != 3 || answers["limited"] != 9 {
		t.Errorf("12 parallel guesses: %v, want 3 checked (the third one sets a wait) and 9 limited", answers)
	}
}

// Nothing typed as a username is stored as such: the limit key is a hash.
func TestFailedUsernamesAreNotStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Login(ctx, "my secret password", "x", "10.8.0.1"); !errors.Is(err, access.ErrBadCredentials) {
		t.Fatal(err)
	}
	if got, _ := f.store.Strikes(ctx, "user|my secret password"); got.Failures != 0 {
		t.Errorf("a failure is stored under the typed username")
	}
}
