package campaigns

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// Campaign is a plan for a period (chương trình / kế hoạch) with its legal basis and
// the targets it promises. Its code is its identity and cannot change.
type Campaign struct {
	Code        string      `json:"code"`
	Title       string      `json:"title"`
	Period      Period      `json:"period"`
	LegalBasis  string      `json:"legalBasis"`
	OwnerAgency string      `json:"ownerAgency"`
	Secretariat string      `json:"secretariat"`
	Description string      `json:"description"` // Markdown
	Indicators  []Indicator `json:"indicators"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

// Period is a campaign's span, both dates inclusive.
type Period struct {
	Start loa.Date `json:"start"`
	End   loa.Date `json:"end"`
}

// Contains says whether day d falls in the period: a campaign running that day.
func (p Period) Contains(d loa.Date) bool { return p.Start <= d && d <= p.End }

// Indicator is one target of a campaign and how it is counted (DESIGN §5).
type Indicator struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Rule  string `json:"rule"`
	// Group is the target group a coverage indicator counts.
	Group string `json:"group,omitempty"`
	// Level is the org-unit level an orgunit_activity indicator counts.
	Level string `json:"level,omitempty"`
	// Regularity is what "maintained regularly" means for an orgunit_activity
	// indicator: at least one activity in each elapsed half_year (the default when
	// empty), quarter, or none (one activity in the period is enough).
	Regularity string `json:"regularity,omitempty"`
	// Channel is the channel a monthly_frequency indicator counts.
	Channel    string  `json:"channel,omitempty"`
	Comparator string  `json:"comparator"`
	Threshold  float64 `json:"threshold"` // a fraction in (0, 1]
	// Source is the sentence of the plan the target comes from.
	Source string `json:"source"`
}

// Counting rules of DESIGN §5.
const (
	RuleCoverage         = "coverage"
	RuleOrgUnitActivity  = "orgunit_activity"
	RuleMonthlyFrequency = "monthly_frequency"
	RuleManual           = "manual"
)

// Regularities of an orgunit_activity indicator.
const (
	RegularityHalfYear = "half_year"
	RegularityQuarter  = "quarter"
	RegularityNone     = "none"
)

// Comparators: "trên 70 %" is strictly greater, "50 %" and "100 %" are at least.
const (
	ComparatorGT  = "gt"
	ComparatorGTE = "gte"
)

// MaxTextLength is the most bytes a short text (a title, a source, a note) may hold.
const MaxTextLength = 2000

// ChannelKinds are the kinds of channel of DESIGN §2.
var ChannelKinds = []string{
	"provincial_press", "provincial_tv_radio", "portal", "district_station",
	"commune_loudspeaker", "social_media", "direct_session", "school_session", "leaflet",
}

var (
	rules          = []string{RuleCoverage, RuleOrgUnitActivity, RuleMonthlyFrequency, RuleManual}
	codePattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) // campaign and indicator codes
	maxDescription = 100_000
	maxIndicators  = 100
)

// reference is what a campaign is validated against.
type reference struct {
	groups map[string]bool
	levels map[string]bool
}

// normalize puts every text in NFC and trims it, so that stored text compares and
// searches consistently.
func (c *Campaign) normalize() {
	for _, p := range []*string{&c.Code, &c.Title, &c.LegalBasis, &c.OwnerAgency, &c.Secretariat} {
		*p = strings.TrimSpace(norm.NFC.String(*p))
	}
	c.Description = norm.NFC.String(c.Description)
	for i := range c.Indicators {
		in := &c.Indicators[i]
		for _, p := range []*string{&in.Code, &in.Title, &in.Rule, &in.Group, &in.Level, &in.Regularity, &in.Channel, &in.Comparator, &in.Source} {
			*p = strings.TrimSpace(norm.NFC.String(*p))
		}
	}
}

// validate reports every problem of c at once.
func (c *Campaign) validate(ref reference) error {
	v := &loa.ValidationError{}
	if !codePattern.MatchString(c.Code) {
		v.Add("code", "code is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if c.Title == "" {
		v.Add("title", "title is required")
	}
	for _, f := range []struct{ name, text string }{
		{"title", c.Title}, {"legalBasis", c.LegalBasis}, {"ownerAgency", c.OwnerAgency}, {"secretariat", c.Secretariat},
	} {
		if len(f.text) > MaxTextLength {
			v.Add(f.name, fmt.Sprintf("at most %d bytes", MaxTextLength))
		}
	}
	if len(c.Description) > maxDescription {
		v.Add("description", fmt.Sprintf("at most %d bytes", maxDescription))
	}
	startOK, endOK := c.Period.Start.Valid(), c.Period.End.Valid()
	if !startOK {
		v.Add("period.start", "start must be a date of the form YYYY-MM-DD")
	}
	if !endOK {
		v.Add("period.end", "end must be a date of the form YYYY-MM-DD")
	}
	if startOK && endOK && c.Period.Start >= c.Period.End {
		v.Add("period.end", fmt.Sprintf("end %s must be after start %s", c.Period.End, c.Period.Start))
	}
	if len(c.Indicators) > maxIndicators {
		v.Add("indicators", fmt.Sprintf("at most %d indicators", maxIndicators))
	}
	seen := map[string]int{}
	for i, in := range c.Indicators {
		at := fmt.Sprintf("indicators[%d].", i)
		if first, dup := seen[in.Code]; dup && in.Code != "" {
			v.Add(at+"code", fmt.Sprintf("indicator code %q is already used by indicators[%d]", in.Code, first))
		}
		seen[in.Code] = i
		in.validate(at, ref, v)
	}
	return v.Err()
}

func (in Indicator) validate(at string, ref reference, v *loa.ValidationError) {
	if !codePattern.MatchString(in.Code) {
		v.Add(at+"code", "code is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if in.Title == "" {
		v.Add(at+"title", "title is required")
	}
	if len(in.Title) > MaxTextLength {
		v.Add(at+"title", fmt.Sprintf("at most %d bytes", MaxTextLength))
	}
	if len(in.Source) > MaxTextLength {
		v.Add(at+"source", fmt.Sprintf("at most %d bytes", MaxTextLength))
	}
	if !slices.Contains(rules, in.Rule) {
		v.Add(at+"rule", "rule must be one of "+strings.Join(rules, ", "))
	}
	if in.Comparator != ComparatorGT && in.Comparator != ComparatorGTE {
		v.Add(at+"comparator", "comparator must be gt (strictly above) or gte (at least)")
	}
	switch {
	case math.IsNaN(in.Threshold) || in.Threshold <= 0 || in.Threshold > 1:
		v.Add(at+"threshold", "threshold must be a fraction above 0 and at most 1 (70 % is 0.7)")
	case in.Comparator == ComparatorGT && in.Threshold == 1:
		v.Add(at+"threshold", "more than 100 % can never be met; use gte with 1 for \"100 %\"")
	}
	switch {
	case in.Regularity == "" || in.Rule == RuleOrgUnitActivity && slices.Contains([]string{RegularityHalfYear, RegularityQuarter, RegularityNone}, in.Regularity):
	case in.Rule != RuleOrgUnitActivity:
		v.Add(at+"regularity", "only an orgunit_activity indicator has a regularity")
	default:
		v.Add(at+"regularity", "regularity must be half_year (the default), quarter or none")
	}
	for _, f := range []struct {
		name, value, rule, needs string
		known                    func(string) bool
	}{
		{"group", in.Group, RuleCoverage, "the target group it counts", func(g string) bool { return ref.groups[g] }},
		{"level", in.Level, RuleOrgUnitActivity, "the org-unit level it counts", func(l string) bool { return ref.levels[l] }},
		{"channel", in.Channel, RuleMonthlyFrequency, "the channel it counts", func(c string) bool { return slices.Contains(ChannelKinds, c) }},
	} {
		switch {
		case in.Rule == f.rule && f.value == "":
			v.Add(at+f.name, fmt.Sprintf("a %s indicator needs %s", f.rule, f.needs))
		case in.Rule == f.rule && !f.known(f.value):
			v.Add(at+f.name, fmt.Sprintf("unknown %s %q", f.name, f.value))
		case in.Rule != f.rule && f.value != "" && slices.Contains(rules, in.Rule):
			v.Add(at+f.name, fmt.Sprintf("a %s indicator does not use a %s; only %s does", in.Rule, f.name, f.rule))
		}
	}
}

// Campaigns lists every campaign by code.
func (s *Service) Campaigns(ctx context.Context) ([]Campaign, error) {
	return s.store.Campaigns(ctx)
}

// Campaign returns one campaign.
func (s *Service) Campaign(ctx context.Context, code string) (Campaign, error) {
	return s.store.Campaign(ctx, code)
}

// CreateCampaign validates and stores a new campaign; its code must be unused.
func (s *Service) CreateCampaign(ctx context.Context, actor loa.Actor, c Campaign) (Campaign, error) {
	if err := s.RequireProvince(ctx, actor); err != nil {
		return Campaign{}, err
	}
	if err := s.check(ctx, &c); err != nil {
		return Campaign{}, err
	}
	c.CreatedAt = loa.Stamp(s.now())
	c.UpdatedAt = c.CreatedAt
	if err := s.store.InsertCampaign(ctx, c); err != nil {
		return Campaign{}, err
	}
	return c, s.audit.Record(ctx, actor.Username, campaignChanges(nil, &c)...)
}

// UpdateCampaign replaces campaign code with c; c.Code must be empty or the same.
func (s *Service) UpdateCampaign(ctx context.Context, actor loa.Actor, code string, c Campaign) (Campaign, error) {
	if c.Code == "" {
		c.Code = code
	}
	if err := s.RequireProvince(ctx, actor); err != nil {
		return Campaign{}, err
	}
	if c.Code != code {
		return Campaign{}, loa.Invalid("code", "a campaign's code cannot change")
	}
	if err := s.check(ctx, &c); err != nil {
		return Campaign{}, err
	}
	old, err := s.store.Campaign(ctx, code)
	if err != nil {
		return Campaign{}, err
	}
	c.CreatedAt = old.CreatedAt
	c.UpdatedAt = loa.Stamp(s.now())
	if err := s.store.ReplaceCampaign(ctx, c); err != nil {
		return Campaign{}, err
	}
	return c, s.audit.Record(ctx, actor.Username, campaignChanges(&old, &c)...)
}

// DeleteCampaign removes a campaign.
func (s *Service) DeleteCampaign(ctx context.Context, actor loa.Actor, code string) error {
	if err := s.RequireProvince(ctx, actor); err != nil {
		return err
	}
	old, err := s.store.Campaign(ctx, code)
	if err != nil {
		return err
	}
	if err := s.store.DeleteCampaign(ctx, code); err != nil {
		return err
	}
	return s.audit.Record(ctx, actor.Username, campaignChanges(&old, nil)...)
}

// campaignChanges describes a campaign's change for the audit trail: the campaign
// itself, and each indicator added, changed or removed.
func campaignChanges(before, after *Campaign) []loa.Change {
	action := "update"
	var code string
	var oldInd, newInd []Indicator
	switch {
	case before == nil:
		action, code, newInd = "create", after.Code, after.Indicators
	case after == nil:
		action, code, oldInd = "delete", before.Code, before.Indicators
	default:
		code, oldInd, newInd = after.Code, before.Indicators, after.Indicators
	}
	changes := []loa.Change{{Action: action, Entity: "campaign", EntityID: code, Before: campaignOrNil(before), After: campaignOrNil(after)}}
	find := func(list []Indicator, c string) *Indicator {
		for i := range list {
			if list[i].Code == c {
				return &list[i]
			}
		}
		return nil
	}
	for _, in := range oldInd {
		if n := find(newInd, in.Code); n == nil {
			changes = append(changes, loa.Change{Action: "delete", Entity: "indicator", EntityID: code + "/" + in.Code, Before: in})
		} else if *n != in {
			changes = append(changes, loa.Change{Action: "update", Entity: "indicator", EntityID: code + "/" + in.Code, Before: in, After: *n})
		}
	}
	for _, in := range newInd {
		if find(oldInd, in.Code) == nil {
			changes = append(changes, loa.Change{Action: "create", Entity: "indicator", EntityID: code + "/" + in.Code, After: in})
		}
	}
	return changes
}

// campaignOrNil keeps a missing side of a change a JSON null.
func campaignOrNil(c *Campaign) any {
	if c == nil {
		return nil
	}
	return *c
}

// check normalises and validates c against the stored groups and levels.
func (s *Service) check(ctx context.Context, c *Campaign) error {
	c.normalize()
	if c.Indicators == nil {
		c.Indicators = []Indicator{}
	}
	h, err := s.History(ctx)
	if err != nil {
		return err
	}
	groups, err := s.GroupSet(ctx)
	if err != nil {
		return err
	}
	return c.validate(reference{groups: groups, levels: h.levels(c.Period)})
}

// MonthPlan is one month of a channel's calendar: items planned (not cancelled,
// with content) and published.
type MonthPlan struct {
	Planned   int
	Published int
}

// Outlet is an active station as plans see it: where it is, and the campaign's
// rules in force that place airings on it (none: no rule reaches it).
type Outlet struct {
	Station string
	Name    string
	Channel string
	OrgUnit string
	Rules   []RuleRef
}

// RuleRef names a slot rule.
type RuleRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}
