package loa

import (
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Snapshot holds a value built from stored data for one version of it (the
// storage kit keeps the versions): readers share it while the version stands, and
// when the version moves one reload replaces it, however many readers ask at once.
type Snapshot[T any] struct {
	mu      sync.Mutex
	version int64
	value   T
	valid   bool
	loads   singleflight.Group
}

// Get returns the value for version, building it with load when the held one is of
// another version.
func (s *Snapshot[T]) Get(version int64, load func() (T, error)) (T, error) {
	s.mu.Lock()
	if s.valid && s.version == version {
		v := s.value
		s.mu.Unlock()
		return v, nil
	}
	s.mu.Unlock()
	v, err, _ := s.loads.Do(strconv.FormatInt(version, 10), func() (any, error) {
		v, err := load()
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.version, s.value, s.valid = version, v, true
		s.mu.Unlock()
		return v, nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// Advance follows a write of this process that moved the version to version: when
// the held value is of the version just before, step turns it into the new one
// (under the lock, so the last write's step is the last applied); otherwise, or
// when step fails, the value is dropped and the next Get reloads it.
func (s *Snapshot[T]) Advance(version int64, step func(T) (T, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.valid || s.version != version-1 {
		s.valid = false
		return
	}
	v, err := step(s.value)
	if err != nil {
		s.valid = false
		return
	}
	s.version, s.value = version, v
}

// Invalidate drops the value, so the next Get reloads it: after a write that may
// have landed in part.
func (s *Snapshot[T]) Invalidate() {
	s.mu.Lock()
	s.valid = false
	s.mu.Unlock()
}
