package access

import (
	"context"
	"time"
)

// Throttle slows down the logins of one key (an account, an address) after failures:
// the first Free failures cost nothing, each further one makes the next attempt wait
// Base, then twice as long after every failure, never longer than Cap. A key is never
// locked: the right password after the wait signs in.
type Throttle struct {
	Free      int
	Base, Cap time.Duration
}

// Delay is the wait imposed after the n-th failure in a row.
func (t Throttle) Delay(n int) time.Duration {
	if n <= t.Free {
		return 0
	}
	d := t.Base
	for i := t.Free + 1; i < n && d < t.Cap; i++ {
		d *= 2
	}
	return min(d, t.Cap)
}

// Limits are the throttles of failed logins per username and per address; a key's
// failures are forgotten Forget after the last one.
type Limits struct {
	PerUser    Throttle
	PerAddress Throttle
	Forget     time.Duration
}

// DefaultLimits: two free failures per username and ten per address, then 1 s, 2 s,
// 4 s … up to a minute; forgotten after 15 minutes without a failure.
var DefaultLimits = Limits{
	PerUser:    Throttle{Free: 2, Base: time.Second, Cap: time.Minute},
	PerAddress: Throttle{Free: 10, Base: time.Second, Cap: time.Minute},
	Forget:     15 * time.Minute,
}

// Strikes are the failed logins of one key: how many in a row, the last one, and
// when the next attempt is allowed.
type Strikes struct {
	Failures int       `json:"failures"`
	Last     time.Time `json:"lastFailureAt,omitzero"`
	Next     time.Time `json:"nextAttemptAt,omitzero"`
}

// current is s as of now: empty once forget has passed since the last failure.
func (s Strikes) current(now time.Time, forget time.Duration) Strikes {
	if s.Failures == 0 || now.Sub(s.Last) >= forget {
		return Strikes{}
	}
	return s
}

type limitKey struct {
	key      string
	throttle Throttle
}

// names are the keys' names.
func names(keys []limitKey) []string {
	n := make([]string, len(keys))
	for i, k := range keys {
		n[i] = k.key
	}
	return n
}

// checkLimits refuses an attempt made before any key's next allowed attempt, saying
// how long to wait. It runs before the password is checked, so an early attempt
// learns nothing whatever the password, and it changes nothing: an early attempt
// does not make the wait longer.
func (s *Service) checkLimits(ctx context.Context, keys []limitKey) error {
	now := s.now()
	var wait time.Duration
	for _, k := range keys {
		st, err := s.store.Strikes(ctx, k.key)
		if err != nil {
			return err
		}
		if st = st.current(now, s.limits.Forget); st.Next.After(now) {
			wait = max(wait, st.Next.Sub(now))
		}
	}
	if wait > 0 {
		return &TooManyAttempts{RetryAfter: wait}
	}
	return nil
}
