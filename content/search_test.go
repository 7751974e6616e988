package content_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"loa/content"
)

// TestSearchWords: a search ignores case, diacritics and punctuation, wants every
// word of the query (each matching the start of a word), and lists the items with
// the words in their title before those with them only in the tags or body.
func TestSearchWords(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	mk := func(title, body string, tags ...string) string {
		in := script(title, body)
		in.Tags = tags
		it, err := s.Create(ctx, author, in)
		if err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	titled := mk("Phòng, chống mại dâm", "Nội dung về pháp luật.")
	inBody := mk("Tuyên truyền pháp luật", "Công tác phòng-chống (mại dâm) ở xã.")
	halfTitled := mk("Phòng ngừa HIV", "Chống kỳ thị; xét nghiệm miễn phí.")
	tagged := mk("Sức khỏe", "Đi khám định kỳ.", "phòng chống dịch")
	mk("Học đường", "Kỹ năng sống cho học sinh.")

	tests := []struct {
		q    string
		want []string // in this order; nil: nothing found
	}{
		{"phong chong", []string{titled, halfTitled, inBody, tagged}},
		{"PHÒNG, CHỐNG", []string{titled, halfTitled, inBody, tagged}},
		{"phong-chong mai dam", []string{titled, inBody}},
		{"phòng chống mại dâm karaoke", nil}, // every word must be present
		{"xet ngh", []string{halfTitled}},    // a word matches the words it begins
		{"hiv, ky thi", []string{halfTitled}},
		{"ong", nil}, // …but not the middle of a word ("phòng")
	}
	for _, tt := range tests {
		items, err := s.List(ctx, content.Filter{Q: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ID)
		}
		if !sameRanks(got, tt.want, titled, halfTitled) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
		}
	}
	if items, _ := s.List(ctx, content.Filter{Q: " ,; "}); len(items) != 5 {
		t.Errorf("a query of punctuation found %d items, want all 5", len(items))
	}
}

// sameRanks compares a search's answer with the order wanted, where the items
// with the same number of query words in their title (all but first and second
// here) have no order among them but that of their IDs.
func sameRanks(got, want []string, first, second string) bool {
	if len(got) != len(want) {
		return false
	}
	i := 0
	for ; i < len(want) && (want[i] == first || want[i] == second); i++ {
		if got[i] != want[i] {
			return false
		}
	}
	rest := slices.Clone(want[i:])
	slices.Sort(rest)
	return slices.Equal(got[i:], rest)
}

// TestSearchPages: the order of a search is that of Filter.Key, so pages cut by
// the key of their last item follow each other without a gap or a repeat.
func TestSearchPages(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	for _, title := range []string{"Tin thường", "Phòng chống mại dâm", "Tin khác", "Chống mại dâm", "Tin nữa"} {
		if _, err := s.Create(ctx, author, script(title, "Phòng, chống mại dâm trong cộng đồng.")); err != nil {
			t.Fatal(err)
		}
	}
	f := content.Filter{Q: "chong mai dam"}
	items, err := s.List(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 5 {
		t.Fatalf("found %d items, want 5", len(items))
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = f.Key(it)
	}
	if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Errorf("the keys are not strictly in the order of the list: %v", keys)
	}
	for _, it := range items[:2] {
		if !strings.Contains(it.Title, "hống mại dâm") {
			t.Errorf("first come %q, want the titles with every word", it.Title)
		}
	}
}
