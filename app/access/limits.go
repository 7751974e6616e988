package access

import (
	"context"
	"time"
)

// Limits bound failed logins: after PerUser failures for one username, or PerAddress
// from one address, within Window, logins are refused until the oldest failure ages out.
type Limits struct {
	PerUser    int
	PerAddress int
	Window     time.Duration
}

// DefaultLimits are those of the access issue: 5 per user, 20 per address, 15 minutes.
var DefaultLimits = Limits{PerUser: 5, PerAddress: 20, Window: 15 * time.Minute}

type limitKey struct {
	key   string
	limit int
}

// names are the keys' names.
func names(keys []limitKey) []string {
	n := make([]string, len(keys))
	for i, k := range keys {
		n[i] = k.key
	}
	return n
}

// checkLimits refuses a login while any key has reached its limit, saying when to
// retry. It runs before the password is checked, so a locked account answers alike
// whatever the password.
func (s *Service) checkLimits(ctx context.Context, keys []limitKey) error {
	now := s.now()
	var wait time.Duration
	for _, k := range keys {
		failures, err := s.store.Failures(ctx, k.key)
		if err != nil {
			return err
		}
		var recent []time.Time
		for _, f := range failures {
			if now.Sub(f) < s.limits.Window {
				recent = append(recent, f)
			}
		}
		if len(recent) >= k.limit {
			// The oldest failure that keeps the count at the limit must age out.
			w := recent[len(recent)-k.limit].Add(s.limits.Window).Sub(now)
			wait = max(wait, w)
		}
	}
	if wait > 0 {
		return &TooManyAttempts{RetryAfter: wait}
	}
	return nil
}
