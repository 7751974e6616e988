package content

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
	"loa/campaigns"
)

// ErrForbidden means the actor may not take this step, e.g. approve its own words.
var ErrForbidden = loa.ErrForbidden

// Store is the persistence the service needs; store.go implements it on MongoDB.
type Store interface {
	// Version is bumped by every write of items; the writes return the version they
	// made, so the library can follow its own changes without reloading.
	Version(ctx context.Context) (int64, error)
	Items(ctx context.Context) ([]Item, error)
	Item(ctx context.Context, id string) (Item, error)
	InsertItem(ctx context.Context, it Item) (int64, error)
	// UpdateItem reads an item, lets change edit it and writes it back, all under
	// the item's lock; a change that fails writes nothing.
	UpdateItem(ctx context.Context, id string, change func(ctx context.Context, it *Item) error) (Item, int64, error)
	// DeleteItem removes an item that check allows, under the item's lock, and
	// returns it as it was.
	DeleteItem(ctx context.Context, id string, check func(old Item) error) (Item, int64, error)
	AddVariant(ctx context.Context, master, variant string) (int64, error)
	RemoveVariant(ctx context.Context, master, variant string) (int64, error)
	// AddComment appends a comment atomically; it takes the item's lock itself.
	AddComment(ctx context.Context, id string, c Comment) (int64, error)

	ContentVersion(ctx context.Context, item string, n int) (Version, error)
	SaveVersion(ctx context.Context, v Version) error
	DeleteVersions(ctx context.Context, item string, n int) error

	SaveFile(ctx context.Context, f File, data []byte) error
	File(ctx context.Context, sha string) (File, []byte, error)
}

// Reference is what items are checked against; campaigns.Service is one.
type Reference interface {
	TargetGroups(ctx context.Context) ([]campaigns.TargetGroup, error)
	Campaigns(ctx context.Context) ([]campaigns.Campaign, error)
}

// Options are the deployment's content settings.
type Options struct {
	Languages []Language
	// SyllablesPerMinute is the speech rate read-aloud times are estimated at.
	SyllablesPerMinute int
	// Terms are the discouraged wordings flagged at submit.
	Terms []Term
	// Hotline fills {{.Hotline}}.
	Hotline string
	// Zone is the deployment's time zone, for the dates placeholders show.
	Zone *time.Location
	// InForceChanged, when set, hears that the version of an item in force changed
	// (it was approved or archived), so that what carries the item follows: the
	// scheduler's ContentChanged, which is built on this service.
	InForceChanged func(id string)
}

// Service owns content items and their review.
type Service struct {
	store Store
	ref   Reference
	audit loa.Auditor
	now   func() time.Time
	opts  Options

	// library is every item, in memory for listing and search.
	library loa.Snapshot[[]Item]
	// airable is the approved versions in force, for the scheduler.
	airable loa.Snapshot[Airable]
	// uploads holds the slots of the attachments being received.
	uploads chan struct{}
}

// NewService returns the service.
func NewService(store Store, ref Reference, audit loa.Auditor, now func() time.Time, opts Options) *Service {
	if len(opts.Languages) == 0 {
		opts.Languages = DefaultLanguages
	}
	if opts.SyllablesPerMinute <= 0 {
		opts.SyllablesPerMinute = DefaultSyllablesPerMinute
	}
	if opts.Terms == nil {
		opts.Terms = DefaultTerms
	}
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	return &Service{store: store, ref: ref, audit: audit, now: now, opts: opts, uploads: make(chan struct{}, AttachmentUploads)}
}

// Languages lists the configured languages.
func (s *Service) Languages() []Language { return s.opts.Languages }

func (s *Service) reference(ctx context.Context) (reference, error) {
	groups, err := s.ref.TargetGroups(ctx)
	if err != nil {
		return reference{}, err
	}
	cs, err := s.ref.Campaigns(ctx)
	if err != nil {
		return reference{}, err
	}
	r := reference{groups: map[string]bool{}, campaigns: map[string]bool{}, languages: s.opts.Languages}
	for _, g := range groups {
		r.groups[g.Code] = true
	}
	for _, c := range cs {
		r.campaigns[c.Code] = true
	}
	return r, nil
}

// check normalises and validates in.
func (s *Service) check(ctx context.Context, in *Input) error {
	in.normalize()
	ref, err := s.reference(ctx)
	if err != nil {
		return err
	}
	v := &loa.ValidationError{}
	in.validate(ref, v)
	return v.Err()
}

// Get returns one item.
func (s *Service) Get(ctx context.Context, id string) (Item, error) {
	return s.store.Item(ctx, id)
}

// Create stores a new item as a draft written by actor.
func (s *Service) Create(ctx context.Context, actor loa.Actor, in Input) (Item, error) {
	if err := s.check(ctx, &in); err != nil {
		return Item{}, err
	}
	if in.VariantOf != "" {
		master, err := s.store.Item(ctx, in.VariantOf)
		if errors.Is(err, loa.ErrNotFound) {
			return Item{}, loa.Invalid("variantOf", fmt.Sprintf("no item %s to be a variant of", in.VariantOf))
		} else if err != nil {
			return Item{}, err
		}
		if master.VariantOf != "" {
			return Item{}, loa.Invalid("variantOf", fmt.Sprintf("%s is itself a variant of %s; name the master", master.ID, master.VariantOf))
		}
	}
	now := loa.Stamp(s.now())
	in.Attachment = nil // set through Attach only
	it := Item{ID: loa.NewID("c", s.now()), Message: in.Message, VariantOf: in.VariantOf, Variants: []string{}, Warnings: []Warning{}, Status: StatusDraft,
		Version: 1, Author: actor.Username, Comments: []Comment{}, CreatedAt: now, UpdatedAt: now}
	it.SearchKey = it.searchKey()
	if err := s.store.SaveVersion(ctx, Version{ID: versionID(it.ID, 1), Item: it.ID, Number: 1, Message: it.Message,
		Editors: []string{actor.Username}, CreatedAt: now}); err != nil {
		return Item{}, err
	}
	v, err := s.store.InsertItem(ctx, it)
	if err != nil {
		return Item{}, err
	}
	s.follow(ctx, v, it.ID)
	if it.VariantOf != "" {
		v, err := s.store.AddVariant(ctx, it.VariantOf, it.ID)
		if err != nil {
			return Item{}, err
		}
		s.follow(ctx, v, it.VariantOf)
	}
	return it, s.audit.Record(ctx, actor.Username, loa.Change{Action: "create", Entity: "content", EntityID: it.ID, After: it})
}

// Update changes an item's working version. A draft is edited in place; editing an
// approved item starts a new draft version while the approved one stays in force.
// An item in review or archived cannot be edited. The attachment is kept: it changes
// through Attach.
func (s *Service) Update(ctx context.Context, actor loa.Actor, id string, in Input) (Item, error) {
	if err := s.check(ctx, &in); err != nil {
		return Item{}, err
	}
	return s.edit(ctx, actor, id, "update", func(old Item) (Message, error) {
		if in.VariantOf != "" && in.VariantOf != old.VariantOf {
			return Message{}, loa.Invalid("variantOf", "an item's master cannot change")
		}
		in.Attachment = old.Attachment
		return in.Message, nil
	})
}

// errUnchanged stops an edit that would not change the item: nothing is written.
var errUnchanged = errors.New("unchanged")

// edit applies change to an item's working version under the item's lock: in place
// on a draft (adding the actor to the version's editors), as a new draft version on
// an approved item.
func (s *Service) edit(ctx context.Context, actor loa.Actor, id, action string, change func(old Item) (Message, error)) (Item, error) {
	var old Item
	it, version, err := s.store.UpdateItem(ctx, id, func(ctx context.Context, it *Item) error {
		old = *it
		switch old.Status {
		case StatusInReview:
			return fmt.Errorf("%w: item %s is in review; it can be edited after it is approved or rejected", loa.ErrConflict, id)
		case StatusArchived:
			return fmt.Errorf("%w: item %s is archived", loa.ErrConflict, id)
		}
		m, err := change(old)
		if err != nil {
			return err
		}
		if sameMessage(old.Message, m) {
			return errUnchanged
		}
		it.Message, it.UpdatedAt, it.Warnings = m, loa.Stamp(s.now()), []Warning{}
		it.SearchKey = it.searchKey()
		v := Version{ID: versionID(id, old.Version), Item: id, Number: old.Version, Editors: []string{}, CreatedAt: it.UpdatedAt}
		if old.Status == StatusApproved {
			it.Version, it.Status = old.Version+1, StatusDraft
			v.ID, v.Number = versionID(id, it.Version), it.Version
		} else if v, err = s.store.ContentVersion(ctx, id, old.Version); err != nil {
			return err
		}
		v.Message = m
		if !slices.Contains(v.Editors, actor.Username) {
			v.Editors = append(v.Editors, actor.Username)
		}
		return s.store.SaveVersion(ctx, v)
	})
	if errors.Is(err, errUnchanged) {
		return old, nil
	}
	if err != nil {
		return Item{}, err
	}
	s.follow(ctx, version, id)
	return it, s.audit.Record(ctx, actor.Username, loa.Change{Action: action, Entity: "content", EntityID: id, Before: old, After: it})
}

// Delete removes an item that was never approved; approved words are archived
// instead, so that what was aired stays on record.
func (s *Service) Delete(ctx context.Context, actor loa.Actor, id string) error {
	old, v, err := s.store.DeleteItem(ctx, id, func(old Item) error {
		if old.ApprovedVersion > 0 {
			return fmt.Errorf("%w: item %s has an approved version; archive it instead", loa.ErrConflict, id)
		}
		if len(old.Variants) > 0 {
			return fmt.Errorf("%w: item %s is the master of %s; delete the variants first", loa.ErrConflict, id, strings.Join(old.Variants, ", "))
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.follow(ctx, v, id)
	if err := s.store.DeleteVersions(ctx, id, old.Version); err != nil {
		return err
	}
	if old.VariantOf != "" {
		v, err := s.store.RemoveVariant(ctx, old.VariantOf, id)
		if err != nil && !errors.Is(err, loa.ErrNotFound) {
			return err
		}
		s.follow(ctx, v, old.VariantOf)
	}
	return s.audit.Record(ctx, actor.Username, loa.Change{Action: "delete", Entity: "content", EntityID: id, Before: old})
}

// Versions lists an item's versions, oldest first.
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Version, 0, it.Version)
	for n := 1; n <= it.Version; n++ {
		v, err := s.store.ContentVersion(ctx, id, n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// VersionOf returns version n of an item; n = 0 is the approved version, or the
// working one when none is approved.
func (s *Service) VersionOf(ctx context.Context, id string, n int) (Version, error) {
	if n == 0 {
		it, err := s.store.Item(ctx, id)
		if err != nil {
			return Version{}, err
		}
		n = it.ApprovedVersion
		if n == 0 {
			n = it.Version
		}
	}
	return s.store.ContentVersion(ctx, id, n)
}

// Comments lists an item's comments, oldest first.
func (s *Service) Comments(ctx context.Context, id string) ([]Comment, error) {
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	return it.Comments, nil
}

// AddComment records a remark on an item's working version.
func (s *Service) AddComment(ctx context.Context, actor loa.Actor, id, text string) (Comment, error) {
	text = strings.TrimSpace(norm.NFC.String(text))
	if text == "" || utf8.RuneCountInString(text) > maxComment {
		return Comment{}, loa.Invalid("text", fmt.Sprintf("a comment of 1 to %d characters", maxComment))
	}
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return Comment{}, err
	}
	if len(it.Comments) >= maxComments {
		return Comment{}, fmt.Errorf("%w: item %s has %d comments, the most it keeps", loa.ErrConflict, id, maxComments)
	}
	c := Comment{Author: actor.Username, Text: text, Version: it.Version, At: loa.Stamp(s.now())}
	v, err := s.store.AddComment(ctx, id, c)
	if err != nil {
		return Comment{}, err
	}
	s.follow(ctx, v, id)
	return c, s.audit.Record(ctx, actor.Username, loa.Change{Action: "comment", Entity: "content", EntityID: id, After: c})
}
