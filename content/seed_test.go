package content_test

import (
	"context"
	"strings"
	"testing"

	"loa/content"
)

// The demo library: a dozen messages of the 2024 campaign, taken through the
// workflow to the status their files name, with variants linked to their masters.
func TestLoadDemo(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	if err := s.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	items, err := s.List(ctx, content.Filter{Campaign: "PCMD-2024"})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]int{}
	kinds := map[string]bool{}
	languages := map[string]bool{}
	variants := 0
	for _, it := range items {
		status[it.Status]++
		kinds[it.Kind] = true
		languages[it.Language] = true
		if it.VariantOf != "" {
			variants++
			master, err := s.Get(ctx, it.VariantOf)
			if err != nil || !strings.Contains(strings.Join(master.Variants, ","), it.ID) {
				t.Errorf("variant %s is not listed on its master %s", it.ID, it.VariantOf)
			}
		}
		if it.Status == content.StatusApproved && (it.ApprovedVersion != 1 || it.Author != "demo-editor") {
			t.Errorf("approved demo item %s: %+v", it.ID, it)
		}
	}
	if len(items) != 12 || status[content.StatusApproved] < 8 || status[content.StatusInReview] != 2 || status[content.StatusDraft] != 2 {
		t.Errorf("%d demo items by status %v, want 12 with ≥ 8 approved, 2 in review, 2 drafts", len(items), status)
	}
	if len(kinds) != len(content.Kinds) || !languages["cotu"] || variants < 2 {
		t.Errorf("kinds %v, languages %v, %d variants: want every kind, a Cơ Tu item and two variants", kinds, languages, variants)
	}
	over := 0
	for _, it := range items {
		if it.Kind != "radio_script" {
			continue
		}
		r, err := s.Render(ctx, it.ID, content.RenderRequest{Format: "text"})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Warnings) > 0 {
			over++
		}
	}
	if over != 1 {
		t.Errorf("%d radio scripts read longer than their slot, want the one made so", over)
	}
}
