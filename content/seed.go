package content

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"loa"
)

// demoFiles are the demo messages of the 2024 campaign: Markdown with a front matter
// of "key: value" lines between two "---" lines.
//
//go:embed seed/*.md
var demoFiles embed.FS

// Demo actors: the demo's words are written by one account and approved by another,
// as the four-eyes rule requires.
var (
	demoEditor   = loa.Actor{Username: "demo-editor", Scope: loa.AllUnits}
	demoApprover = Reviewer{Actor: loa.Actor{Username: "demo-approver", Scope: loa.AllUnits}, Approver: true}
)

// demoItem is one parsed demo file.
type demoItem struct {
	name      string
	input     Input
	status    string
	variantOf string
}

// LoadDemo adds the demo messages, taking each through the workflow to the status
// its file names. Call it once per database (campaigns.Service.Once).
func (s *Service) LoadDemo(ctx context.Context) error {
	entries, err := demoFiles.ReadDir("seed")
	if err != nil {
		return err
	}
	var items []demoItem
	for _, e := range entries {
		data, err := demoFiles.ReadFile(path.Join("seed", e.Name()))
		if err != nil {
			return err
		}
		it, err := parseDemo(strings.TrimSuffix(e.Name(), ".md"), string(data))
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	// Masters before their variants.
	rank := func(d demoItem) int {
		if d.variantOf == "" {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(items, func(a, b demoItem) int { return rank(a) - rank(b) })
	ids := map[string]string{}
	for _, d := range items {
		if d.variantOf != "" {
			if d.input.VariantOf = ids[d.variantOf]; d.input.VariantOf == "" {
				return fmt.Errorf("demo %s: no master %s", d.name, d.variantOf)
			}
		}
		it, err := s.Create(ctx, demoEditor, d.input)
		if err != nil {
			return fmt.Errorf("demo %s: %w", d.name, err)
		}
		ids[d.name] = it.ID
		var steps []string
		switch d.status {
		case StatusInReview:
			steps = []string{ActionSubmit}
		case StatusApproved:
			steps = []string{ActionSubmit, ActionApprove}
		}
		for _, step := range steps {
			if _, err := s.Step(ctx, demoApprover, it.ID, step, ""); err != nil {
				return fmt.Errorf("demo %s: %s: %w", d.name, step, err)
			}
		}
	}
	return nil
}

// parseDemo reads a demo file's front matter and body.
func parseDemo(name, text string) (demoItem, error) {
	front, body, ok := strings.Cut(strings.TrimPrefix(text, "---\n"), "\n---\n")
	if !ok || !strings.HasPrefix(text, "---\n") {
		return demoItem{}, fmt.Errorf("demo %s: no front matter", name)
	}
	d := demoItem{name: name, status: StatusDraft}
	m := &d.input.Message
	m.Body = strings.TrimLeft(body, "\n")
	list := func(v string) []string {
		var out []string
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	sc := bufio.NewScanner(strings.NewReader(front))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			return demoItem{}, fmt.Errorf("demo %s: bad front-matter line %q", name, sc.Text())
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "kind":
			m.Kind = value
		case "title":
			m.Title = value
		case "groups":
			m.Groups = list(value)
		case "language":
			m.Language = value
		case "tags":
			m.Tags = list(value)
		case "campaigns":
			m.Campaigns = list(value)
		case "slotSeconds":
			n, err := strconv.Atoi(value)
			if err != nil {
				return demoItem{}, fmt.Errorf("demo %s: slotSeconds: %w", name, err)
			}
			m.SlotSeconds = n
		case "status":
			d.status = value
		case "validFrom", "validTo":
			date := loa.Date(value)
			if key == "validFrom" {
				m.ValidFrom = &date
			} else {
				m.ValidTo = &date
			}
		case "variantOf":
			d.variantOf = value
		default:
			return demoItem{}, fmt.Errorf("demo %s: unknown front-matter key %q", name, key)
		}
	}
	return d, nil
}
