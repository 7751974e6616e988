package content

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// Kinds of content item.
var Kinds = []string{"article", "radio_script", "tv_script", "social_post", "leaflet", "talk_outline"}

// Statuses of an item's working version.
const (
	StatusDraft    = "draft"
	StatusInReview = "in_review"
	StatusApproved = "approved"
	StatusArchived = "archived"
)

const (
	maxTitleRunes = 300
	maxBodyBytes  = 200 << 10
	maxTags       = 20
	maxTagRunes   = 50
	maxSlot       = 3600
	maxComment    = 4000
	maxComments   = 500 // per item
)

// Item is a message: the working version's text and settings, which version is in
// force (approved), and its place among variants.
type Item struct {
	ID string `json:"id"`
	Message
	VariantOf string   `json:"variantOf,omitempty"`
	Variants  []string `json:"variants"`
	// Status is that of the working version Version.
	Status  string `json:"status"`
	Version int    `json:"version"`
	// ApprovedVersion is the version in force, the only one stations ever get; 0
	// while none has been approved.
	ApprovedVersion int    `json:"approvedVersion"`
	Author          string `json:"author"`
	// Warnings are the checks found when the working version was submitted, for the
	// approver; an edit clears them.
	Warnings  []Warning `json:"warnings"`
	Comments  []Comment `json:"-"`
	SearchKey string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Message is what a version of an item says, to whom, and where it may be used.
type Message struct {
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"` // Markdown, possibly with placeholders
	Groups    []string  `json:"groups"`
	Language  string    `json:"language"`
	Tags      []string  `json:"tags"`
	Campaigns []string  `json:"campaigns"`
	ValidFrom *loa.Date `json:"validFrom"`
	ValidTo   *loa.Date `json:"validTo"`
	// SlotSeconds is the intended length of a script on air; 0 when not set.
	SlotSeconds int `json:"slotSeconds"`
	// Attachment is the version's recording or image; it is set through its own
	// route (Attach), never from an item's JSON.
	Attachment *Attachment `json:"attachment"`
}

// Version is one kept version of an item.
type Version struct {
	ID     string `json:"-"` // item|number
	Item   string `json:"item"`
	Number int    `json:"number"`
	Message
	// Editors are everyone who wrote this version: none of them may approve it.
	Editors    []string   `json:"editors"`
	CreatedAt  time.Time  `json:"createdAt"`
	ApprovedBy string     `json:"approvedBy,omitempty"`
	ApprovedAt *time.Time `json:"approvedAt,omitempty"`
}

func versionID(item string, n int) string { return fmt.Sprintf("%s|%d", item, n) }

// Comment is a remark on an item, e.g. the reason of a rejection.
type Comment struct {
	Author  string    `json:"author"`
	Text    string    `json:"text"`
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// Input is what a client sends to create or change an item.
type Input struct {
	Message
	VariantOf string `json:"variantOf"`
}

// Language is one the deployment's content may be written in.
type Language struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// DefaultLanguages are Vietnamese and the ethnic-minority languages of Quảng Nam.
var DefaultLanguages = []Language{
	{"vi", "Tiếng Việt"}, {"cotu", "Cơ Tu"}, {"xodang", "Xơ Đăng"}, {"gietrieng", "Giẻ Triêng"},
	{"co", "Co"}, {"mnong", "M'nông"},
}

var languageCode = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,15}$`)

// ParseLanguages reads a deployment's languages as "code:name" pairs separated by
// commas; Vietnamese (vi) must be among them.
func ParseLanguages(s string) ([]Language, error) {
	var out []Language
	for _, pair := range strings.Split(s, ",") {
		code, name, ok := strings.Cut(strings.TrimSpace(pair), ":")
		code, name = strings.TrimSpace(code), strings.TrimSpace(norm.NFC.String(name))
		if !ok || !languageCode.MatchString(code) || name == "" {
			return nil, fmt.Errorf("languages: %q is not code:name (e.g. cotu:Cơ Tu)", pair)
		}
		out = append(out, Language{Code: code, Name: name})
	}
	if !slices.ContainsFunc(out, func(l Language) bool { return l.Code == "vi" }) {
		return nil, fmt.Errorf("languages %q: vi (Tiếng Việt) must be one of them", s)
	}
	return out, nil
}

// FormatLanguages writes languages as ParseLanguages reads them.
func FormatLanguages(ls []Language) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Code + ":" + l.Name
	}
	return strings.Join(parts, ",")
}

// reference is what fields are checked against.
type reference struct {
	groups    map[string]bool
	campaigns map[string]bool
	languages []Language
}

// normalize trims text, puts it in NFC and defaults the language.
func (f *Message) normalize() {
	f.Title = strings.TrimSpace(norm.NFC.String(f.Title))
	f.Body = norm.NFC.String(f.Body)
	f.Language = strings.TrimSpace(f.Language)
	if f.Language == "" {
		f.Language = "vi"
	}
	for _, list := range []*[]string{&f.Groups, &f.Tags, &f.Campaigns} {
		out := []string{}
		for _, v := range *list {
			if v = strings.TrimSpace(norm.NFC.String(v)); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		*list = out
	}
}

// validate reports every problem of f at once.
func (f *Message) validate(ref reference, v *loa.ValidationError) {
	add := v.Add
	if !slices.Contains(Kinds, f.Kind) {
		add("kind", "kind must be one of "+strings.Join(Kinds, ", "))
	}
	if n := utf8.RuneCountInString(f.Title); n == 0 || n > maxTitleRunes {
		add("title", fmt.Sprintf("a title of 1 to %d characters is required", maxTitleRunes))
	}
	if msg := bodyProblem(f.Body); msg != "" {
		add("body", msg)
	}
	for _, g := range f.Groups {
		if !ref.groups[g] {
			add("groups", fmt.Sprintf("unknown target group %q", g))
		}
	}
	if !slices.ContainsFunc(ref.languages, func(l Language) bool { return l.Code == f.Language }) {
		codes := make([]string, len(ref.languages))
		for i, l := range ref.languages {
			codes[i] = l.Code + " (" + l.Name + ")"
		}
		add("language", fmt.Sprintf("unknown language %q; configured: %s", f.Language, strings.Join(codes, ", ")))
	}
	for _, c := range f.Campaigns {
		if !ref.campaigns[c] {
			add("campaigns", fmt.Sprintf("unknown campaign %q", c))
		}
	}
	if len(f.Tags) > maxTags {
		add("tags", fmt.Sprintf("at most %d tags", maxTags))
	}
	for _, t := range f.Tags {
		if utf8.RuneCountInString(t) > maxTagRunes {
			add("tags", fmt.Sprintf("tag %q is longer than %d characters", t, maxTagRunes))
		}
	}
	for _, d := range []struct {
		name string
		date *loa.Date
	}{{"validFrom", f.ValidFrom}, {"validTo", f.ValidTo}} {
		if d.date != nil {
			if _, err := loa.ParseDate(string(*d.date)); err != nil {
				add(d.name, err.Error())
			}
		}
	}
	if f.ValidFrom != nil && f.ValidTo != nil && *f.ValidTo < *f.ValidFrom {
		add("validTo", "validTo is before validFrom")
	}
	if f.SlotSeconds < 0 || f.SlotSeconds > maxSlot {
		add("slotSeconds", fmt.Sprintf("slotSeconds must be from 0 to %d", maxSlot))
	}
}

// bodyProblem says what is wrong with a body (its encoding, its size or its
// placeholders), or "" when nothing is.
func bodyProblem(body string) string {
	switch {
	case !utf8.ValidString(body):
		return "the body is not valid UTF-8"
	case len(body) > maxBodyBytes:
		return fmt.Sprintf("the body has %d bytes; at most %d (200 KB)", len(body), maxBodyBytes)
	}
	if err := CheckTemplate(body); err != nil {
		return err.Error()
	}
	return ""
}

func sameMessage(a, b Message) bool {
	return a.Kind == b.Kind && a.Title == b.Title && a.Body == b.Body && slices.Equal(a.Groups, b.Groups) &&
		a.Language == b.Language && slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Campaigns, b.Campaigns) &&
		datePtrEqual(a.ValidFrom, b.ValidFrom) && datePtrEqual(a.ValidTo, b.ValidTo) && a.SlotSeconds == b.SlotSeconds &&
		(a.Attachment == nil) == (b.Attachment == nil) && (a.Attachment == nil || *a.Attachment == *b.Attachment)
}

func datePtrEqual(a, b *loa.Date) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func dateText(d *loa.Date) string {
	if d == nil {
		return ""
	}
	return string(*d)
}
