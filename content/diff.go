package content

import (
	"context"
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"loa"
)

// maxDiffLines bounds the lines of two bodies compared, keeping a diff well under a
// second of work.
const maxDiffLines = 4000

// Diff is what changed between two versions of an item: the settings that differ
// and a unified diff of the body.
type Diff struct {
	Item    string        `json:"item"`
	From    int           `json:"from"`
	To      int           `json:"to"`
	Changed []FieldChange `json:"changed"`
	Body    string        `json:"body"` // unified diff, empty when the bodies are equal
}

// FieldChange is one setting that differs between two versions.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// DiffVersions compares versions from and to of an item.
func (s *Service) DiffVersions(ctx context.Context, id string, from, to int) (Diff, error) {
	a, err := s.store.ContentVersion(ctx, id, from)
	if err != nil {
		return Diff{}, err
	}
	b, err := s.store.ContentVersion(ctx, id, to)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{Item: id, From: from, To: to, Changed: []FieldChange{}}
	for _, f := range []struct {
		name     string
		from, to string
	}{
		{"kind", a.Kind, b.Kind}, {"title", a.Title, b.Title}, {"language", a.Language, b.Language},
		{"groups", strings.Join(a.Groups, ", "), strings.Join(b.Groups, ", ")},
		{"tags", strings.Join(a.Tags, ", "), strings.Join(b.Tags, ", ")},
		{"campaigns", strings.Join(a.Campaigns, ", "), strings.Join(b.Campaigns, ", ")},
		{"validFrom", dateText(a.ValidFrom), dateText(b.ValidFrom)}, {"validTo", dateText(a.ValidTo), dateText(b.ValidTo)},
		{"slotSeconds", fmt.Sprint(a.SlotSeconds), fmt.Sprint(b.SlotSeconds)},
	} {
		if f.from != f.to {
			d.Changed = append(d.Changed, FieldChange{Field: f.name, From: f.from, To: f.to})
		}
	}
	if a.Body != b.Body {
		la, lb := difflib.SplitLines(a.Body), difflib.SplitLines(b.Body)
		// The line matcher takes time that grows with the square of the lines.
		if len(la)+len(lb) > maxDiffLines {
			return Diff{}, loa.Invalid("to", fmt.Sprintf("the bodies have %d lines together; at most %d can be compared line by line", len(la)+len(lb), maxDiffLines))
		}
		d.Body, err = difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: la, B: lb,
			FromFile: fmt.Sprintf("version %d", from), ToFile: fmt.Sprintf("version %d", to), Context: 2,
		})
		if err != nil {
			return Diff{}, err
		}
	}
	return d, nil
}
