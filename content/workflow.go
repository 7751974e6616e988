package content

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// Workflow steps.
const (
	ActionSubmit  = "submit"
	ActionApprove = "approve"
	ActionReject  = "reject"
	ActionArchive = "archive"
)

// Reviewer says what the actor may do in the review: approvers approve and reject,
// writers submit and archive. The HTTP layer fills it from the account's roles.
type Reviewer struct {
	loa.Actor
	Approver bool
}

// transitions: from which statuses each step may be taken, and to which it leads.
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActionSubmit:  {[]string{StatusDraft}, StatusInReview},
	ActionApprove: {[]string{StatusInReview}, StatusApproved},
	ActionReject:  {[]string{StatusInReview}, StatusDraft},
	ActionArchive: {[]string{StatusDraft, StatusInReview, StatusApproved}, StatusArchived},
}

// Outcome is an item after a step, with the checks an approver should read.
type Outcome struct {
	Item     Item      `json:"item"`
	Warnings []Warning `json:"warnings"`
}

// Step takes a workflow step on an item. Only an approver approves or rejects, and
// never words it wrote itself (four eyes); a rejection needs a comment. Submitting
// answers the checks of the text (warnings, which do not block).
func (s *Service) Step(ctx context.Context, r Reviewer, id, action, comment string) (Outcome, error) {
	t, ok := transitions[action]
	if !ok {
		return Outcome{}, fmt.Errorf("%w: unknown step %q", loa.ErrNotFound, action)
	}
	comment = strings.TrimSpace(norm.NFC.String(comment))
	if action == ActionReject && comment == "" {
		return Outcome{}, loa.Invalid("comment", "say why the item is rejected, so its author can mend it")
	}
	var old Item
	it, v, err := s.store.UpdateItem(ctx, id, func(ctx context.Context, it *Item) error {
		old = *it
		if !slices.Contains(t.from, old.Status) {
			return fmt.Errorf("%w: cannot %s item %s: it is %s (allowed from %s)",
				loa.ErrConflict, action, id, old.Status, strings.Join(t.from, ", "))
		}
		working, err := s.store.ContentVersion(ctx, id, old.Version)
		if err != nil {
			return err
		}
		if action == ActionApprove || action == ActionReject {
			if !r.Approver {
				return fmt.Errorf("%w: only an approver may %s", ErrForbidden, action)
			}
			if wrote(r.Username, old, working) {
				return fmt.Errorf("%w: you wrote this version; another approver must review it (four eyes)", ErrForbidden)
			}
		}
		it.Status, it.UpdatedAt = t.to, loa.Stamp(s.now())
		if action == ActionSubmit {
			it.Warnings = s.Check(it.Message) // kept on the item for the approver
		}
		if action == ActionApprove {
			it.ApprovedVersion = old.Version
			at := it.UpdatedAt
			working.ApprovedBy, working.ApprovedAt = r.Username, &at
			if err := s.store.SaveVersion(ctx, working); err != nil {
				return err
			}
		}
		if comment != "" {
			it.Comments = append(slices.Clone(old.Comments), Comment{Author: r.Username, Text: comment, Version: it.Version, At: it.UpdatedAt})
		}
		return nil
	})
	if err != nil {
		return Outcome{}, err
	}
	s.follow(ctx, v, id)
	if s.opts.InForceChanged != nil && (action == ActionApprove || action == ActionArchive) {
		s.opts.InForceChanged(id)
	}
	if err := s.audit.Record(ctx, r.Username, loa.Change{Action: action, Entity: "content", EntityID: id, Before: old, After: it}); err != nil {
		return Outcome{}, err
	}
	return Outcome{Item: it, Warnings: it.Warnings}, nil
}

// wrote says whether username helped write version v of item it: its author or
// one of the version's editors, who may not approve it.
func wrote(username string, it Item, v Version) bool {
	return username == it.Author || slices.Contains(v.Editors, username)
}

// ToReview lists the items waiting for reviewer's decision, oldest first: in
// review, with a working version reviewer did not help write (four eyes).
func (s *Service) ToReview(ctx context.Context, reviewer string) ([]Item, error) {
	waiting, err := s.List(ctx, Filter{Status: StatusInReview})
	if err != nil {
		return nil, err
	}
	out := []Item{}
	for _, it := range waiting {
		own, err := s.Wrote(ctx, reviewer, it)
		if err != nil {
			return nil, err
		}
		if !own {
			out = append(out, it)
		}
	}
	return out, nil
}

// Wrote says whether username wrote item it or helped write its working
// version: four eyes leave its review to another approver.
func (s *Service) Wrote(ctx context.Context, username string, it Item) (bool, error) {
	if it.Author == username {
		return true, nil
	}
	v, err := s.store.ContentVersion(ctx, it.ID, it.Version)
	if err != nil {
		return false, err
	}
	return wrote(username, it, v), nil
}

// Check runs the submit checks on fields.
func (s *Service) Check(f Message) []Warning {
	w := CheckContent(CheckInput{Kind: f.Kind, Body: f.Body, Groups: f.Groups, SlotSeconds: f.SlotSeconds,
		SyllablesPerMinute: s.opts.SyllablesPerMinute}, s.opts.Terms)
	if w == nil {
		w = []Warning{}
	}
	return w
}
