package reach

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"loa"
	"loa/campaigns"
)

// ManualValue is an entered value of a manual indicator (DESIGN §5: targets outside
// communication, such as inspections or cases handled, so the report is complete):
// the numerator and denominator as of a date, for an org unit, with their source.
type ManualValue struct {
	ID          string    `json:"id"` // campaign|indicator|orgUnit|asOf
	Campaign    string    `json:"campaign"`
	Indicator   string    `json:"indicator"`
	OrgUnit     string    `json:"orgUnit"`
	AsOf        loa.Date  `json:"asOf"`
	Numerator   int64     `json:"numerator"`
	Denominator int64     `json:"denominator"`
	CountUnit   string    `json:"countUnit"` // e.g. "cơ sở", "vụ"
	Source      string    `json:"source"`
	Note        string    `json:"note"`
	EnteredBy   string    `json:"enteredBy"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func manualID(v ManualValue) string {
	return v.Campaign + "|" + v.Indicator + "|" + v.OrgUnit + "|" + string(v.AsOf)
}

// ManualValues lists a campaign's entered values within the actor's scope.
func (s *Service) ManualValues(ctx context.Context, actor loa.Actor, campaign string) ([]ManualValue, error) {
	if _, err := s.store.Campaign(ctx, campaign); err != nil {
		return nil, err
	}
	all, err := s.store.ManualValues(ctx, campaign)
	if err != nil {
		return nil, err
	}
	h, err := s.core.History(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, v := range all {
		if u, ok := h.Locate(v.OrgUnit, v.AsOf); ok && actor.Covers(u.Path) {
			out = append(out, v)
		}
	}
	return out, nil
}

// PutManualValue validates and stores an entered value of a manual indicator under
// its natural key (campaign, indicator, unit, as-of date), replacing an earlier
// entry for the same date. The unit defaults to the actor's scope.
func (s *Service) PutManualValue(ctx context.Context, actor loa.Actor, campaign string, v ManualValue) (ManualValue, error) {
	c, err := s.store.Campaign(ctx, campaign)
	if err != nil {
		return ManualValue{}, err
	}
	v.Campaign = campaign
	for _, p := range []*string{&v.Indicator, &v.OrgUnit, &v.CountUnit, &v.Source, &v.Note} {
		*p = strings.TrimSpace(norm.NFC.String(*p))
	}
	today := s.core.Today()
	h, err := s.core.History(ctx)
	if err != nil {
		return ManualValue{}, err
	}
	// The unit is the one standing on the value's date; a value without a date
	// it may have (refused for that) names the unit as it was last.
	at := today
	unitOf := func(code string) (campaigns.OrgUnit, bool) { return h.Last(code, today) }
	if v.AsOf.Valid() && v.AsOf <= today {
		at = v.AsOf
		unitOf = h.At(at).Get
	}
	if v.OrgUnit == "" {
		v.OrgUnit = actor.Scope
		if actor.Scope == loa.AllUnits {
			root, err := h.At(at).Scope(actor, "orgUnit", "")
			if err != nil {
				return ManualValue{}, err
			}
			v.OrgUnit = root.Code
		}
	}
	u, known := unitOf(v.OrgUnit)
	problems := &loa.ValidationError{}
	if i := slices.IndexFunc(c.Indicators, func(in campaigns.Indicator) bool { return in.Code == v.Indicator }); i < 0 {
		problems.Add("indicator", fmt.Sprintf("campaign %s has no indicator %q", campaign, v.Indicator))
	} else if c.Indicators[i].Rule != campaigns.RuleManual {
		problems.Add("indicator", fmt.Sprintf("indicator %s is counted by Loa (%s); only manual indicators take entered values", v.Indicator, c.Indicators[i].Rule))
	}
	if !known {
		problems.Add("orgUnit", fmt.Sprintf("no org unit with code %s on %s", v.OrgUnit, at))
	}
	switch {
	case !v.AsOf.Valid():
		problems.Add("asOf", "asOf must be a date of the form YYYY-MM-DD")
	case v.AsOf > today:
		problems.Add("asOf", fmt.Sprintf("%s is in the future: enter values as they stand", v.AsOf))
	case v.AsOf < c.Period.Start:
		problems.Add("asOf", fmt.Sprintf("%s is before the campaign starts (%s)", v.AsOf, c.Period.Start))
	}
	switch {
	case v.Denominator <= 0:
		problems.Add("denominator", "denominator must be at least 1")
	case v.Numerator < 0 || v.Numerator > v.Denominator:
		problems.Add("numerator", fmt.Sprintf("numerator must be from 0 to the denominator (%d)", v.Denominator))
	}
	if v.Source == "" {
		problems.Add("source", "say where the figure comes from (e.g. \"Báo cáo số 12/BC-CA của Công an tỉnh\")")
	}
	for _, f := range []struct{ name, text string }{{"countUnit", v.CountUnit}, {"source", v.Source}, {"note", v.Note}} {
		if len(f.text) > campaigns.MaxTextLength {
			problems.Add(f.name, fmt.Sprintf("at most %d bytes", campaigns.MaxTextLength))
		}
	}
	if err := problems.Err(); err != nil {
		return ManualValue{}, err
	}
	if !actor.Covers(u.Path) {
		return ManualValue{}, fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, v.OrgUnit, actor.Scope)
	}
	v.ID, v.EnteredBy, v.UpdatedAt = manualID(v), actor.Username, loa.Stamp(s.now())
	old, err := s.manualValue(ctx, campaign, v.ID)
	if err != nil {
		return ManualValue{}, err
	}
	if err := s.store.SaveManualValue(ctx, v); err != nil {
		return ManualValue{}, err
	}
	change := loa.Change{Action: "create", Entity: "manual_value", EntityID: v.ID, Path: u.Path, After: v}
	if old != nil {
		change.Action, change.Before = "update", *old
	}
	return v, s.audit.Record(ctx, actor.Username, change)
}

// DeleteManualValue removes an entered value.
func (s *Service) DeleteManualValue(ctx context.Context, actor loa.Actor, campaign, id string) error {
	old, err := s.manualValue(ctx, campaign, id)
	if err != nil {
		return err
	}
	if old == nil {
		return fmt.Errorf("%w: campaign %s has no manual value %s", loa.ErrNotFound, campaign, id)
	}
	path, err := s.core.Path(ctx, old.OrgUnit, old.AsOf)
	if err != nil {
		return err
	}
	if !actor.Covers(path) {
		return fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, old.OrgUnit, actor.Scope)
	}
	if err := s.store.DeleteManualValue(ctx, id); err != nil {
		return err
	}
	return s.audit.Record(ctx, actor.Username, loa.Change{Action: "delete", Entity: "manual_value", EntityID: id, Path: path, Before: *old})
}

// manualValue finds one of a campaign's entered values, or nil.
func (s *Service) manualValue(ctx context.Context, campaign, id string) (*ManualValue, error) {
	all, err := s.store.ManualValues(ctx, campaign)
	if err != nil {
		return nil, err
	}
	for _, v := range all {
		if v.ID == id {
			return &v, nil
		}
	}
	return nil, nil
}
