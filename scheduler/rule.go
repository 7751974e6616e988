package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
	"loa/content"
)

// Rule is a slot rule: a recurring placement of content from a pool on a set of
// stations.
type Rule struct {
	ID       string `json:"id"`
	Campaign string `json:"campaign"`
	Title    string `json:"title"`
	// Stations are explicit station codes, or every active station of a channel
	// in an org unit's subtree, resolved each time airings are materialised.
	Stations StationSelector `json:"stations"`
	// RRule (RFC 5545) or Cron (robfig/cron) says when; exactly one is set.
	RRule     string    `json:"rrule,omitempty"`
	Cron      string    `json:"cron,omitempty"`
	StartDate loa.Date  `json:"startDate"`
	Until     *loa.Date `json:"until"`
	// ExDates are days (YYYY-MM-DD) or single occurrences (RFC 3339) left out.
	ExDates         []string `json:"exdates"`
	DurationSeconds int      `json:"durationSeconds"`
	Groups          []string `json:"groups"`
	Pool            Pool     `json:"pool"`
	// Priority settles overlaps: the higher rule keeps the slot.
	Priority int  `json:"priority"`
	Active   bool `json:"active"`
	// Version counts the rule's saves.
	Version   int    `json:"version"`
	CreatedBy string `json:"createdBy"`
	Timestamps
}

// StationSelector picks a rule's stations. In JSON it is either an array of codes
// or an object {"channel", "under"}.
type StationSelector struct {
	Codes   []string `json:"codes,omitempty"`
	Channel string   `json:"channel,omitempty"`
	Under   string   `json:"under,omitempty"`
}

// UnmarshalJSON takes an array of codes as the short form of {"codes": [...]}.
func (s *StationSelector) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, &s.Codes)
	}
	type plain StationSelector
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(s))
}

// Pool is where a rule's content comes from: explicit items, or a query over the
// approved library. Empty query fields match everything; with no kinds, the
// channel's usual kinds are taken.
type Pool struct {
	Items    []string `json:"items,omitempty"`
	Kinds    []string `json:"kinds,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Campaign string   `json:"campaign,omitempty"`
}

// RuleInput is what a client sends to create, change or preview a rule; Active
// defaults to true.
type RuleInput struct {
	Campaign        string          `json:"campaign"`
	Title           string          `json:"title"`
	Stations        StationSelector `json:"stations"`
	RRule           string          `json:"rrule"`
	Cron            string          `json:"cron"`
	StartDate       loa.Date        `json:"startDate"`
	Until           *loa.Date       `json:"until"`
	ExDates         []string        `json:"exdates"`
	DurationSeconds int             `json:"durationSeconds"`
	Groups          []string        `json:"groups"`
	Pool            Pool            `json:"pool"`
	Priority        int             `json:"priority"`
	Active          *bool           `json:"active"`
}

const (
	maxRuleTitle    = 200
	maxRuleStations = 1000
	maxExDates      = 366
	maxPriority     = 1000
	maxPoolItems    = 200
)

// Input is what changes r into itself, to change a part of it.
func (r Rule) Input() RuleInput {
	active := r.Active
	return RuleInput{Campaign: r.Campaign, Title: r.Title, Stations: r.Stations, RRule: r.RRule, Cron: r.Cron,
		StartDate: r.StartDate, Until: r.Until, ExDates: r.ExDates, DurationSeconds: r.DurationSeconds,
		Groups: r.Groups, Pool: r.Pool, Priority: r.Priority, Active: &active}
}

func (in RuleInput) rule() Rule {
	r := Rule{Campaign: in.Campaign, Title: in.Title, Stations: in.Stations, RRule: in.RRule, Cron: in.Cron,
		StartDate: in.StartDate, Until: in.Until, ExDates: in.ExDates, DurationSeconds: in.DurationSeconds,
		Groups: in.Groups, Pool: in.Pool, Priority: in.Priority, Active: in.Active == nil || *in.Active}
	r.normalize()
	return r
}

func (r *Rule) normalize() {
	trim := func(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }
	r.Campaign, r.Title, r.RRule, r.Cron = trim(r.Campaign), trim(r.Title), strings.TrimSpace(r.RRule), strings.TrimSpace(r.Cron)
	r.Stations.Channel, r.Stations.Under = trim(r.Stations.Channel), trim(r.Stations.Under)
	r.Pool.Campaign = trim(r.Pool.Campaign)
	for _, list := range []*[]string{&r.Stations.Codes, &r.ExDates, &r.Groups, &r.Pool.Items, &r.Pool.Kinds, &r.Pool.Groups, &r.Pool.Tags} {
		if *list == nil {
			*list = []string{}
		}
		for i := range *list {
			(*list)[i] = trim((*list)[i])
		}
	}
}

// ruleRefs is the reference data a rule is checked against.
type ruleRefs struct {
	campaigns map[string]bool
	groups    map[string]bool
	stations  map[string]Station
	items     map[string]content.Item
}

func (s *Service) ruleRefs(ctx context.Context) (ruleRefs, error) {
	refs := ruleRefs{campaigns: map[string]bool{}, groups: map[string]bool{}, stations: map[string]Station{}, items: map[string]content.Item{}}
	cs, err := s.units.Campaigns(ctx)
	if err != nil {
		return refs, err
	}
	for _, c := range cs {
		refs.campaigns[c.Code] = true
	}
	gs, err := s.units.TargetGroups(ctx)
	if err != nil {
		return refs, err
	}
	for _, g := range gs {
		refs.groups[g.Code] = true
	}
	sts, err := s.stations(ctx)
	if err != nil {
		return refs, err
	}
	for _, st := range sts {
		refs.stations[st.Code] = st
	}
	items, err := s.library.List(ctx, content.Filter{})
	if err != nil {
		return refs, err
	}
	for _, it := range items {
		refs.items[it.ID] = it
	}
	return refs, nil
}

// validateRule checks r against refs and returns its parsed recurrence.
func (s *Service) validateRule(ctx context.Context, r Rule, refs ruleRefs) (*recurrence, error) {
	v := &loa.ValidationError{}
	if !refs.campaigns[r.Campaign] {
		v.Add("campaign", fmt.Sprintf("unknown campaign %q", r.Campaign))
	}
	if r.Title == "" || utf8.RuneCountInString(r.Title) > maxRuleTitle {
		v.Add("title", fmt.Sprintf("a title of 1 to %d characters", maxRuleTitle))
	}
	s.validateSelector(ctx, r.Stations, refs, v)
	if len(r.ExDates) > maxExDates {
		v.Add("exdates", fmt.Sprintf("at most %d", maxExDates))
	}
	rc := parseRecurrence(r, s.opts.Zone, v)
	if checkDuration(r.DurationSeconds, v) && rc != nil {
		rc.checkFrequency(time.Duration(r.DurationSeconds)*time.Second, v)
	}
	checkGroups("groups", r.Groups, refs, v)
	validatePool(r.Pool, refs, v)
	if r.Priority < -maxPriority || r.Priority > maxPriority {
		v.Add("priority", fmt.Sprintf("a whole number from %d to %d", -maxPriority, maxPriority))
	}
	return rc, v.Err()
}

// checkDuration says whether an airing's length, in seconds, is 1 s to 4 h.
func checkDuration(seconds int, v *loa.ValidationError) bool {
	if seconds <= 0 || seconds > maxDurationHours*3600 {
		v.Add("durationSeconds", fmt.Sprintf("a duration of 1 to %d seconds (%d hours)", maxDurationHours*3600, maxDurationHours))
		return false
	}
	return true
}

// checkGroups checks target groups given at field.
func checkGroups(field string, groups []string, refs ruleRefs, v *loa.ValidationError) {
	for i, g := range groups {
		if !refs.groups[g] {
			v.Add(fmt.Sprintf("%s[%d]", field, i), "unknown target group "+g)
		}
	}
}

func (s *Service) validateSelector(ctx context.Context, sel StationSelector, refs ruleRefs, v *loa.ValidationError) {
	switch {
	case len(sel.Codes) > 0 && (sel.Channel != "" || sel.Under != ""):
		v.Add("stations", "give either station codes or {channel, under}, not both")
	case len(sel.Codes) > maxRuleStations:
		v.Add("stations", fmt.Sprintf("at most %d station codes; use {channel, under} for more", maxRuleStations))
	case len(sel.Codes) > 0:
		for i, c := range sel.Codes {
			if _, ok := refs.stations[c]; !ok {
				v.Add(fmt.Sprintf("stations[%d]", i), "unknown station "+c)
			} else if slices.Index(sel.Codes, c) != i {
				v.Add(fmt.Sprintf("stations[%d]", i), "station "+c+" is listed twice")
			}
		}
	default:
		if _, ok := channel(sel.Channel); !ok {
			v.Add("stations.channel", "give station codes, or a channel (one of "+strings.Join(channelCodes(), ", ")+") and an org unit")
		}
		if sel.Under == "" {
			v.Add("stations.under", "the org unit whose stations of the channel the rule covers")
		} else if _, err := s.units.Path(ctx, sel.Under, s.today()); err != nil {
			v.Add("stations.under", "unknown org unit "+sel.Under)
		}
	}
}

func validatePool(p Pool, refs ruleRefs, v *loa.ValidationError) {
	if len(p.Items) > 0 && (len(p.Kinds) > 0 || len(p.Groups) > 0 || len(p.Tags) > 0 || p.Campaign != "") {
		v.Add("pool", "give either content items or a query (kinds, groups, tags, campaign), not both")
	}
	if len(p.Items) > maxPoolItems {
		v.Add("pool.items", fmt.Sprintf("at most %d items", maxPoolItems))
	}
	for i, id := range p.Items {
		if _, ok := refs.items[id]; !ok {
			v.Add(fmt.Sprintf("pool.items[%d]", i), "unknown content item "+id)
		}
	}
	for i, k := range p.Kinds {
		if !slices.Contains(content.Kinds, k) {
			v.Add(fmt.Sprintf("pool.kinds[%d]", i), "kind must be one of "+strings.Join(content.Kinds, ", "))
		}
	}
	checkGroups("pool.groups", p.Groups, refs, v)
	if p.Campaign != "" && !refs.campaigns[p.Campaign] {
		v.Add("pool.campaign", fmt.Sprintf("unknown campaign %q", p.Campaign))
	}
}

// resolve returns the active stations a selector picks, ordered by code: those
// named, or those of the channel whose unit lies under the selector's on at (the
// rule's start: a rule keeps its stations across a reorganisation of the units).
func (s *Service) resolve(ctx context.Context, sel StationSelector, all []Station, at loa.Date) ([]Station, error) {
	out := []Station{}
	for _, st := range all {
		if !st.Active {
			continue
		}
		if len(sel.Codes) > 0 {
			if slices.Contains(sel.Codes, st.Code) {
				out = append(out, st)
			}
			continue
		}
		if st.Channel != sel.Channel {
			continue
		}
		in, err := s.units.Within(ctx, st.UnitOn(at), sel.Under, at)
		if err != nil {
			return nil, err
		}
		if in {
			out = append(out, st)
		}
	}
	return out, nil
}

// requireSelector says whether everything a selector can pick lies in the actor's
// scope: each named station's unit, or the subtree it names.
func (s *Service) requireSelector(ctx context.Context, actor loa.Actor, sel StationSelector, refs ruleRefs) error {
	if len(sel.Codes) == 0 {
		return s.requireUnit(ctx, actor, sel.Under)
	}
	for _, c := range sel.Codes {
		if err := s.requireUnit(ctx, actor, refs.stations[c].OrgUnit); err != nil {
			return err
		}
	}
	return nil
}
