package content

import (
	"context"
	"slices"
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
}

func (f Filter) match(it Item, q string) bool {
	return (f.Kind == "" || it.Kind == f.Kind) &&
		(f.Group == "" || slices.Contains(it.Groups, f.Group)) &&
		(f.Language == "" || it.Language == f.Language) &&
		(f.Status == "" || it.Status == f.Status) &&
		(f.Campaign == "" || slices.Contains(it.Campaigns, f.Campaign)) &&
		(q == "" || strings.Contains(it.SearchKey, q))
}

// library returns the current copy, reloading it when the store has moved on.
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
	items, err := s.store.Items(ctx)
	if err != nil {
		return nil, err
	}
	l := &library{version: version, items: items}
	s.mu.Lock()
	s.cache = l
	s.mu.Unlock()
	return l, nil
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
