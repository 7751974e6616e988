package content

import (
	"context"
	"errors"
	"slices"
	"strings"

	"loa"
)

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

// items returns every item, from memory while the store's version stands: a search
// over thousands of items reads no document.
func (s *Service) items(ctx context.Context) ([]Item, error) {
	version, err := s.store.Version(ctx)
	if err != nil {
		return nil, err
	}
	return s.library.Get(version, func() ([]Item, error) { return s.store.Items(ctx) })
}

// follow brings the library up to version after a write of this process that
// touched the items ids: the items are read again by ID and replaced in place (the
// library is sorted by ID, i.e. by creation).
func (s *Service) follow(ctx context.Context, version int64, ids ...string) {
	s.library.Advance(version, func(old []Item) ([]Item, error) {
		items := slices.Clone(old)
		for _, id := range ids {
			i, found := slices.BinarySearchFunc(items, id, func(it Item, id string) int { return strings.Compare(it.ID, id) })
			it, err := s.store.Item(ctx, id)
			switch {
			case err == nil && found:
				items[i] = it
			case err == nil:
				items = slices.Insert(items, i, it)
			case errors.Is(err, loa.ErrNotFound) && found:
				items = slices.Delete(items, i, i+1)
			case !errors.Is(err, loa.ErrNotFound):
				return nil, err
			}
		}
		return items, nil
	})
}

// List returns the items f selects, oldest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Item, error) {
	all, err := s.items(ctx)
	if err != nil {
		return nil, err
	}
	q := loa.Fold(strings.TrimSpace(f.Q))
	out := []Item{}
	for _, it := range all {
		if f.match(it, q) {
			out = append(out, it)
		}
	}
	return out, nil
}
