package scheduler

import "sync"

// memo keeps values computed for keys that name everything they rest on, so a
// value never goes stale; at most max of them, all dropped when it is full.
type memo[K comparable, V any] struct {
	max int
	mu  sync.Mutex
	m   map[K]V
}

// get returns the value kept for k, or computes and keeps it.
func (c *memo[K, V]) get(k K, compute func() (V, error)) (V, error) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = map[K]V{}
	}
	c.m[k] = v
	c.mu.Unlock()
	return v, nil
}
