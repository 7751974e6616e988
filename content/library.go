package content

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"loa/campaigns"
)

// library is an in-memory copy of all items for listing and search, valid for one
// store version: a search over thousands of items reads no document.
type library struct {
	version int64
	items   []Item // by ID, i.e. by creation
}

// Filter selects items; empty fields select everything.
type Filter struct {
	// Q matches title, tags and body, ignoring case and diacritics ("mai dam" finds
	// "mại dâm").
	Q        string
	Kind     string
	Group    string
	Language string
	Status   string
	Campaign string
	// InForce keeps items with an approved version that is not archived, whatever
	// their working version: what can be aired.
	InForce bool
}

func (f Filter) match(it Item, q string) bool {
	return (f.Kind == "" || it.Kind == f.Kind) &&
		(f.Group == "" || slices.Contains(it.Groups, f.Group)) &&
		(f.Language == "" || it.Language == f.Language) &&
		(f.Status == "" || it.Status == f.Status) &&
		(f.Campaign == "" || slices.Contains(it.Campaigns, f.Campaign)) &&
		(!f.InForce || (it.ApprovedVersion > 0 && it.Status != StatusArchived)) &&
		(q == "" || strings.Contains(it.SearchKey, q))
}

// library returns the current copy, reloading it when the store has moved on
// (once, however many requests ask at the same time).
func (s *Service) library(ctx context.Context) (*library, error) {
	version, err := s.store.Version(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	cached := s.cache
	s.mu.Unlock()
	if cached != nil && cached.version == version {
		return cached, nil
	}
	l, err, _ := s.loads.Do(strconv.FormatInt(version, 10), func() (any, error) {
		items, err := s.store.Items(ctx)
		if err != nil {
			return nil, err
		}
		l := &library{version: version, items: items}
		s.mu.Lock()
		s.cache = l
		s.mu.Unlock()
		return l, nil
	})
	if err != nil {
		return nil, err
	}
	return l.(*library), nil
}

// follow brings the cached library up to version after a write of this process
// that touched the items ids: when the write is the only change since the cache
// was built, the items are read again by ID and replaced in place; otherwise the
// library is dropped and the next search reloads it. Holding the lock while
// reading keeps the last write's state the one cached.
func (s *Service) follow(ctx context.Context, version int64, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache == nil {
		return
	}
	if s.cache.version != version-1 {
		s.cache = nil
		return
	}
	items := slices.Clone(s.cache.items)
	for _, id := range ids {
		i, found := slices.BinarySearchFunc(items, id, func(it Item, id string) int { return strings.Compare(it.ID, id) })
		it, err := s.store.Item(ctx, id)
		switch {
		case err == nil && found:
			items[i] = it
		case err == nil:
			items = slices.Insert(items, i, it)
		case errors.Is(err, campaigns.ErrNotFound) && found:
			items = slices.Delete(items, i, i+1)
		case !errors.Is(err, campaigns.ErrNotFound):
			s.cache = nil
			return
		}
	}
	s.cache = &library{version: version, items: items}
}

// List returns the items f selects, oldest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Item, error) {
	l, err := s.library(ctx)
	if err != nil {
		return nil, err
	}
	q := campaigns.Fold(strings.TrimSpace(f.Q))
	out := []Item{}
	for _, it := range l.items {
		if f.match(it, q) {
			out = append(out, it)
		}
	}
	return out, nil
}
