package content

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"loa"
)

// Filter selects items; empty fields select everything.
type Filter struct {
	// Q selects the items whose title, tags or body have every word of it, ignoring
	// case, diacritics and punctuation: "phong chong" finds "Phòng, chống". A word of
	// the query matches the words it begins ("xet ngh" finds "xét nghiệm"), so a
	// search works while the last word is still being typed. Items with more of the
	// words in their title come first.
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

func (f Filter) match(it Item, q []string) bool {
	return (f.Kind == "" || it.Kind == f.Kind) &&
		(f.Group == "" || slices.Contains(it.Groups, f.Group)) &&
		(f.Language == "" || it.Language == f.Language) &&
		(f.Status == "" || it.Status == f.Status) &&
		(f.Campaign == "" || slices.Contains(it.Campaigns, f.Campaign)) &&
		(!f.InForce || (it.ApprovedVersion > 0 && it.Status != StatusArchived)) &&
		hasWords(it.SearchKey, q)
}

// words splits text into its folded words: runs of letters and digits, lower-case
// and without diacritics; anything else (spaces, punctuation, Markdown marks)
// separates words.
func words(text string) []string {
	return strings.FieldsFunc(loa.Fold(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// searchKey is the text a search matches: the words of the title, then on a line
// each those of the tags and of the body, every word behind a space, so that a
// query word matches the start of a word as " "+word.
func (f *Message) searchKey() string {
	return " " + strings.Join(words(f.Title), " ") + "\n " + strings.Join(words(strings.Join(f.Tags, " ")), " ") +
		"\n " + strings.Join(words(f.Body), " ")
}

// hasWords reports whether key has a word beginning with each of q.
func hasWords(key string, q []string) bool {
	for _, w := range q {
		if !strings.Contains(key, " "+w) {
			return false
		}
	}
	return true
}

// rank is how well an item matches q: the number of words of q missing from its
// title, so 0 is best.
func rank(it Item, q []string) int {
	title, _, _ := strings.Cut(it.SearchKey, "\n")
	n := 0
	for _, w := range q {
		if !strings.Contains(title, " "+w) {
			n++
		}
	}
	return n
}

// Key is an item's place in the order of List, for paging: the items f selects
// sort by it. Without a query it is the item's ID; with one, its rank and then
// its ID.
func (f Filter) Key(it Item) string {
	q := words(f.Q)
	if len(q) == 0 {
		return it.ID
	}
	return fmt.Sprintf("%03d|%s", min(rank(it, q), 999), it.ID)
}

// items returns every item, from memory while the store's version stands: a search
// over thousands of items reads no document.
func (s *Service) items(ctx context.Context) ([]Item, error) {
	version, err := s.store.Version(ctx)
	if err != nil {
		return nil, err
	}
	return s.library.Get(version, func() ([]Item, error) {
		items, err := s.store.Items(ctx)
		for i := range items {
			items[i].SearchKey = items[i].searchKey() // items stored by an older Loa have another key
		}
		return items, err
	})
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
			it.SearchKey = it.searchKey()
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

// List returns the items f selects, oldest first; with a query, the best matches
// first (most query words in the title), oldest first among equals. Filter.Key
// gives this order for paging.
func (s *Service) List(ctx context.Context, f Filter) ([]Item, error) {
	all, err := s.items(ctx)
	if err != nil {
		return nil, err
	}
	q := words(f.Q)
	out := []Item{}
	for _, it := range all {
		if f.match(it, q) {
			out = append(out, it)
		}
	}
	if len(q) > 0 {
		// The library is sorted by ID, so a stable sort keeps the oldest first.
		slices.SortStableFunc(out, func(a, b Item) int { return cmp.Compare(rank(a, q), rank(b, q)) })
	}
	return out, nil
}
