package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// Draft is the narrative of a campaign's report for one period, written by the
// secretariat: the four sections of a báo cáo (Decree 30/2020/NĐ-CP). Loa adds
// the numbers and the table of indicators to the first when it prints the report.
type Draft struct {
	Campaign     string `json:"campaign"`
	Period       string `json:"period"`       // a Window's Period: campaign, 2024-H1, 2024-Q3, 2024-03 or 2024
	Results      string `json:"results"`      // I. Kết quả thực hiện
	Shortcomings string `json:"shortcomings"` // II. Tồn tại, hạn chế và nguyên nhân
	Tasks        string `json:"tasks"`        // III. Nhiệm vụ, giải pháp thời gian tới
	Proposals    string `json:"proposals"`    // IV. Đề xuất, kiến nghị
	// Version counts the saves: 0 for a draft never saved. A save names the
	// version it edits, so that two people editing at once do not overwrite each
	// other unknowingly.
	Version   int64      `json:"version"`
	UpdatedBy string     `json:"updatedBy,omitempty"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// Sections are the draft's texts in the order of the form.
func (d Draft) Sections() []string {
	return []string{d.Results, d.Shortcomings, d.Tasks, d.Proposals}
}

// MaxDraftSection bounds one section of a draft, in characters: about 25 printed
// pages, far more than a section of a báo cáo takes.
const MaxDraftSection = 50_000

// DraftStore keeps the drafts, one per campaign and period.
type DraftStore interface {
	// Draft returns the draft stored under id, or loa.ErrNotFound.
	Draft(ctx context.Context, id string) (Draft, error)
	// UpdateDraft lets change edit the draft stored under id (the zero Draft when
	// there is none) and stores it, under the draft's lock; a failing change
	// stores nothing.
	UpdateDraft(ctx context.Context, id string, change func(*Draft) error) (Draft, error)
}

func draftID(campaign, period string) string { return campaign + "|" + period }

// Draft returns the draft of a campaign's report for a period (see ParseWindow),
// empty (version 0) when nobody has written one yet.
func (s *Service) Draft(ctx context.Context, code, period string) (Draft, error) {
	w, err := s.window(ctx, code, period)
	if err != nil {
		return Draft{}, err
	}
	d, err := s.drafts.Draft(ctx, draftID(code, w.Period))
	if errors.Is(err, loa.ErrNotFound) {
		return Draft{Campaign: code, Period: w.Period}, nil
	}
	return d, err
}

// PutDraft saves the four sections of d as the draft of a campaign's report for a
// period. d.Version must be the version the writer started from (0 for a new
// draft): a draft saved by someone else since is refused with a FieldConflict on
// "version", and nothing is written.
// The draft speaks for the whole campaign: only a province-wide account writes it.
func (s *Service) PutDraft(ctx context.Context, actor loa.Actor, code, period string, d Draft) (Draft, error) {
	if err := s.core.RequireProvince(ctx, actor); err != nil {
		return Draft{}, err
	}
	w, err := s.window(ctx, code, period)
	if err != nil {
		return Draft{}, err
	}
	fields := []struct {
		name string
		text *string
	}{{"results", &d.Results}, {"shortcomings", &d.Shortcomings}, {"tasks", &d.Tasks}, {"proposals", &d.Proposals}}
	var bad loa.ValidationError
	for _, f := range fields {
		if !utf8.ValidString(*f.text) {
			bad.Add(f.name, "text is not valid UTF-8")
			continue
		}
		*f.text = strings.TrimSpace(strings.ReplaceAll(norm.NFC.String(*f.text), "\r\n", "\n"))
		if n := utf8.RuneCountInString(*f.text); n > MaxDraftSection {
			bad.Add(f.name, fmt.Sprintf("a section holds at most %d characters, this one has %d", MaxDraftSection, n))
		}
	}
	if err := bad.Err(); err != nil {
		return Draft{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	return s.drafts.UpdateDraft(ctx, draftID(code, w.Period), func(stored *Draft) error {
		if stored.Version != d.Version {
			return &loa.FieldConflict{Field: "version", Message: fmt.Sprintf(
				"the draft was saved by %s since (version %d, yours is %d): reload it and apply your changes again",
				stored.UpdatedBy, stored.Version, d.Version)}
		}
		*stored = Draft{Campaign: code, Period: w.Period, Results: d.Results, Shortcomings: d.Shortcomings,
			Tasks: d.Tasks, Proposals: d.Proposals, Version: stored.Version + 1, UpdatedBy: actor.Username, UpdatedAt: &now}
		return nil
	})
}

// window reads a campaign's reporting period.
func (s *Service) window(ctx context.Context, code, period string) (Window, error) {
	c, err := s.core.Campaign(ctx, code)
	if err != nil {
		return Window{}, err
	}
	return ParseWindow(period, c, s.core.Cutoff())
}
