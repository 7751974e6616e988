package content_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"loa"
	"loa/content"
)

// BenchmarkSearch10000 searches a library of 10,000 items (budget: under 100 ms).
// The items are written straight into the collection; the first List loads them.
func BenchmarkSearch10000(b *testing.B) {
	s, db := newServiceDB(b)
	ctx := context.Background()
	words := strings.Fields("phòng chống mại dâm tuyên truyền pháp luật người lao động khu công nghiệp học sinh sinh viên sức khỏe HIV xét nghiệm")
	docs := make([]any, 0, 10_000)
	for i := range 10_000 {
		var body strings.Builder
		for j := range 400 {
			body.WriteString(words[(i*7+j)%len(words)] + " ")
		}
		m := content.Message{Kind: "article", Title: fmt.Sprintf("Tin số %d", i), Body: body.String(), Language: "vi",
			Groups: []string{"general_public"}, Tags: []string{}, Campaigns: []string{"PCMD-2024"}}
		it := content.Item{ID: fmt.Sprintf("c%06d", i), Message: m, Status: content.StatusApproved, Version: 1,
			ApprovedVersion: 1, Variants: []string{}, Comments: []content.Comment{}, SearchKey: loa.Fold(m.Title + "\n\n" + m.Body)}
		docs = append(docs, it)
	}
	if _, err := db.Collection("contents").InsertMany(ctx, docs); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Versions().Bump(ctx, "contents"); err != nil {
		b.Fatal(err)
	}
	if _, err := s.List(ctx, content.Filter{}); err != nil { // load the library once
		b.Fatal(err)
	}
	search := func(b *testing.B) {
		items, err := s.List(ctx, content.Filter{Q: "Xét nghiệm", Status: content.StatusApproved})
		if err != nil || len(items) == 0 {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			search(b)
		}
	})
	// After each write (a comment) the library follows the change in place.
	b.Run("after-a-write", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.AddComment(ctx, loa.Actor{Username: "bench"}, fmt.Sprintf("c%06d", i%10_000), "ý kiến"); err != nil {
				b.Fatal(err)
			}
			search(b)
		}
	})
}
