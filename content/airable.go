package content

import (
	"context"

	"loa"
)

// Airable is what may go on air: the approved version of every item in force, as of
// a version of the library (it changes with every write of items).
type Airable struct {
	LibraryVersion int64
	Versions       []Version
	byItem         map[string]int // index in Versions
}

// NewAirable indexes versions (one per item) by item.
func NewAirable(libraryVersion int64, versions []Version) Airable {
	a := Airable{LibraryVersion: libraryVersion, Versions: versions, byItem: make(map[string]int, len(versions))}
	for i, v := range versions {
		a.byItem[v.Item] = i
	}
	return a
}

// Version returns the approved version in force of item, if there is one.
func (a Airable) Version(item string) (Version, bool) {
	i, ok := a.byItem[item]
	if !ok {
		return Version{}, false
	}
	return a.Versions[i], true
}

// Airable returns the approved version of every item in force, oldest item first.
// It is rebuilt only when the library changes.
func (s *Service) Airable(ctx context.Context) (Airable, error) {
	version, err := s.store.Version(ctx)
	if err != nil {
		return Airable{}, err
	}
	return s.airable.Get(version, func() (Airable, error) {
		items, err := s.List(ctx, Filter{InForce: true})
		if err != nil {
			return Airable{}, err
		}
		versions := make([]Version, 0, len(items))
		for _, it := range items {
			v, err := s.store.ContentVersion(ctx, it.ID, it.ApprovedVersion)
			if err != nil {
				return Airable{}, err
			}
			versions = append(versions, v)
		}
		return NewAirable(version, versions), nil
	})
}

// ValidOn reports whether a version may be used on date d.
func (m Message) ValidOn(d loa.Date) bool {
	return (m.ValidFrom == nil || *m.ValidFrom <= d) && (m.ValidTo == nil || d <= *m.ValidTo)
}
