package reach

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa"
	"loa/campaigns"
)

// Activities a reach record counts.
const (
	ActivityPress     = "press"
	ActivityBroadcast = "broadcast"
)

// ActivityKinds are the kinds of activity a reach record counts, with their
// Vietnamese names (as import files and reports write them).
var ActivityKinds = []struct{ Code, Label string }{
	{ActivityPress, "Báo chí"},
	{ActivityBroadcast, "Phát thanh, truyền hình"},
	{"direct_session", "Tuyên truyền trực tiếp"},
	{"school_session", "Tuyên truyền trong trường học"},
	{"workplace_session", "Tuyên truyền tại nơi làm việc"},
	{"social_media", "Mạng xã hội"},
	{"leaflet", "Tờ rơi, tài liệu"},
	{"training", "Tập huấn"},
	{"other", "Khác"},
}

// massMedia are the activities whose reach is an audience estimate: they never
// count unique persons of a group (DESIGN §5).
var massMedia = []string{ActivityPress, ActivityBroadcast}

// airingRefPrefix starts the source reference of the records airings count as;
// people may not write such records themselves.
const airingRefPrefix = "airing:"

const (
	maxRefLength      = 200
	maxEvidenceLength = 2000
	maxCount          = 1_000_000_000 // no single record counts a billion people
)

// Reach is an aggregate count of an activity in an org unit for a target group on a
// date: how many activities, person-times (lượt người) and, where known, unique
// persons (người). It never names or identifies anyone reached.
type Reach struct {
	ID          string   `json:"id"`
	Campaign    string   `json:"campaign"`
	OrgUnit     string   `json:"orgUnit"`
	Group       string   `json:"group"`
	Date        loa.Date `json:"date"`
	Activity    string   `json:"activity"`
	Activities  int      `json:"activities"`
	PersonTimes int64    `json:"personTimes"`
	// UniquePersons is set only where it is known; estimates never set it.
	UniquePersons *int64 `json:"uniquePersons"`
	Estimated     bool   `json:"estimated"`
	SourceRef     string `json:"sourceRef"`
	Evidence      string `json:"evidence"`
	// Airing is the airing the record comes from, when it does.
	Airing string `json:"airing,omitempty"`
	// FirstTimePersons are those of UniquePersons reached for the first time
	// (người lần đầu được tiếp cận), where the reporter knows them: coverage counts
	// them instead of UniquePersons, which may repeat persons of earlier records.
	FirstTimePersons *int64 `json:"firstTimePersons,omitempty"`
}

// ReachKey is a record's natural key: the same activity reported twice is one
// record.
func ReachKey(r Reach) string {
	return strings.Join([]string{r.Campaign, r.OrgUnit, r.Group, string(r.Date), r.Activity, r.SourceRef}, "|")
}

// sameCounts reports whether two records of one key count the same.
func sameCounts(a, b Reach) bool {
	return a.Activities == b.Activities && a.PersonTimes == b.PersonTimes && a.Estimated == b.Estimated &&
		a.Evidence == b.Evidence && a.Airing == b.Airing &&
		sameCount(a.UniquePersons, b.UniquePersons) && sameCount(a.FirstTimePersons, b.FirstTimePersons)
}

// sameCount reports whether two optional counts are equal.
func sameCount(a, b *int64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// Conflict codes of reach records, in import summaries.
const (
	CodeRequired        = "required"
	CodeUnknownCampaign = "unknown_campaign"
	CodeUnknownUnit     = "unknown_org_unit"
	CodeOutsideScope    = "outside_scope"
	CodeUnknownGroup    = "unknown_group"
	CodeUnknownActivity = "unknown_activity"
	CodeBadDate         = "bad_date"
	CodeOutsidePeriod   = "date_outside_campaign"
	CodeFutureDate      = "date_in_future"
	CodeNotInteger      = "not_integer"
	CodeNegative        = "negative"
	CodeNoActivity      = "zero_activities"
	CodeUniqueOverTimes = "unique_exceeds_person_times"
	CodeUniqueEstimate  = "unique_on_estimate"
	CodeFirstTimeOver   = "first_time_exceeds_unique"
	CodeReserved        = "reserved"
	CodeTooLong         = "too_long"
	CodeDuplicateRow    = "duplicate_row"
	CodeNotBoolean      = "not_boolean"
)

// reachProblem is one thing wrong with a reach record.
type reachProblem struct {
	field, code, message string
}

// reachCheck validates records against what they refer to, read once for a
// request or a whole import.
type reachCheck struct {
	actor     loa.Actor
	units     *campaigns.UnitHistory
	groups    map[string]bool
	campaigns map[string]campaigns.Campaign
	today     loa.Date
}

func (s *Service) reachCheck(ctx context.Context, actor loa.Actor) (*reachCheck, error) {
	units, err := s.core.History(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := s.core.GroupSet(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]campaigns.Campaign, len(list))
	for _, c := range list {
		byCode[c.Code] = c
	}
	return &reachCheck{actor: actor, units: units, groups: groups, campaigns: byCode, today: s.core.Today()}, nil
}

// normalize trims and NFC-normalises the record's texts and drops what the
// caller may not set.
func (r *Reach) normalize() {
	for _, p := range []*string{&r.Campaign, &r.OrgUnit, &r.Group, &r.Activity, &r.SourceRef, &r.Evidence} {
		*p = strings.TrimSpace(norm.NFC.String(*p))
	}
	r.Date = loa.Date(strings.TrimSpace(string(r.Date)))
	r.ID, r.Airing = "", ""
}

// problems lists everything wrong with r; an empty list means r may be written by
// the check's actor.
func (c *reachCheck) problems(r Reach) []reachProblem {
	var out []reachProblem
	add := func(field, code, format string, args ...any) {
		out = append(out, reachProblem{field, code, fmt.Sprintf(format, args...)})
	}
	camp, knownCampaign := c.campaigns[r.Campaign]
	switch {
	case r.Campaign == "":
		add("campaign", CodeRequired, "Thiếu mã chương trình, kế hoạch")
	case !knownCampaign:
		add("campaign", CodeUnknownCampaign, "Không có chương trình, kế hoạch mã %q", r.Campaign)
	}
	// The unit is the one the code names on the record's date. A record without
	// a date it may have is refused for that: its unit is only looked up.
	at, dated := c.today, r.Date.Valid() && r.Date <= c.today
	u, knownUnit := c.units.Last(r.OrgUnit, at)
	if dated {
		at = r.Date
		u, knownUnit = c.units.At(at).Get(r.OrgUnit)
	}
	switch {
	case r.OrgUnit == "":
		add("orgUnit", CodeRequired, "Thiếu mã đơn vị")
	case !knownUnit && len(c.units.Versions(r.OrgUnit)) > 0:
		add("orgUnit", CodeUnknownUnit, "Đơn vị hành chính mã %s không tồn tại vào ngày %s", r.OrgUnit, at.Display())
	case !knownUnit:
		add("orgUnit", CodeUnknownUnit, "Không có đơn vị hành chính mã %q", r.OrgUnit)
	case dated && !c.actor.Covers(u.Path):
		add("orgUnit", CodeOutsideScope, "Đơn vị %s (%s) nằm ngoài phạm vi của tài khoản (%s)", r.OrgUnit, u.Name, c.actor.Scope)
	}
	switch {
	case r.Group == "":
		add("group", CodeRequired, "Thiếu nhóm đối tượng")
	case !c.groups[r.Group]:
		add("group", CodeUnknownGroup, "Không có nhóm đối tượng %q", r.Group)
	}
	if !KnownActivity(r.Activity) {
		add("activity", CodeUnknownActivity, "Hình thức %q không có trong danh mục (%s)", r.Activity, activityCodes())
	}
	switch {
	case r.Date == "":
		add("date", CodeRequired, "Thiếu ngày")
	case !r.Date.Valid():
		add("date", CodeBadDate, "Ngày %q không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)", r.Date)
	case r.Date > c.today:
		add("date", CodeFutureDate, "Ngày %s ở tương lai: chỉ ghi nhận hoạt động đã diễn ra", r.Date.Display())
	case knownCampaign && (r.Date < camp.Period.Start || r.Date > camp.Period.End):
		add("date", CodeOutsidePeriod, "Ngày %s nằm ngoài thời gian của kế hoạch (%s – %s)",
			r.Date.Display(), camp.Period.Start.Display(), camp.Period.End.Display())
	}
	switch {
	case r.Activities < 1:
		add("activities", CodeNoActivity, "Số buổi phải ít nhất là 1")
	case r.Activities > maxCount:
		add("activities", CodeNotInteger, "Số buổi quá lớn")
	}
	switch {
	case r.PersonTimes < 0:
		add("personTimes", CodeNegative, "Số lượt người không được âm")
	case r.PersonTimes > maxCount:
		add("personTimes", CodeNotInteger, "Số lượt người quá lớn")
	}
	if up := r.UniquePersons; up != nil {
		switch {
		case *up < 0:
			add("uniquePersons", CodeNegative, "Số người không được âm")
		case *up > r.PersonTimes:
			add("uniquePersons", CodeUniqueOverTimes, "Số người (%d) không được lớn hơn số lượt người (%d)", *up, r.PersonTimes)
		case slices.Contains(massMedia, r.Activity):
			add("uniquePersons", CodeUniqueEstimate, "Báo chí, phát thanh chỉ có số lượt người ước tính, không có số người của nhóm")
		}
	}
	if ft := r.FirstTimePersons; ft != nil {
		switch {
		case *ft < 0:
			add("firstTimePersons", CodeNegative, "Số người lần đầu không được âm")
		case r.UniquePersons == nil || *ft > *r.UniquePersons:
			add("firstTimePersons", CodeFirstTimeOver, "Số người lần đầu (%d) không được lớn hơn số người (%s)", *ft, countOrNone(r.UniquePersons))
		}
	}
	if strings.HasPrefix(r.SourceRef, airingRefPrefix) {
		add("sourceRef", CodeReserved, "Số hiệu báo cáo bắt đầu bằng %q dành cho các buổi phát sóng đã xác nhận", airingRefPrefix)
	}
	for _, f := range []struct {
		field, value string
		max          int
	}{{"sourceRef", r.SourceRef, maxRefLength}, {"evidence", r.Evidence, maxEvidenceLength}} {
		if utf8.RuneCountInString(f.value) > f.max {
			add(f.field, CodeTooLong, "Tối đa %d ký tự", f.max)
		}
	}
	return out
}

// countOrNone writes an optional count, "chưa có" when absent.
func countOrNone(n *int64) string {
	if n == nil {
		return "chưa có"
	}
	return strconv.FormatInt(*n, 10)
}

func activityCodes() string {
	codes := make([]string, len(ActivityKinds))
	for i, k := range ActivityKinds {
		codes[i] = k.Code
	}
	return strings.Join(codes, ", ")
}

// invalid turns problems into the error of a single-record write: an org unit
// outside the actor's scope is a refusal, anything else invalid input.
func invalid(problems []reachProblem) error {
	v := &loa.ValidationError{}
	for _, p := range problems {
		if p.code == CodeOutsideScope {
			return fmt.Errorf("%w: %s", loa.ErrOutsideScope, p.message)
		}
		v.Add(p.field, p.message)
	}
	return v.Err()
}

// ReachFilter selects reach records. Campaign is required; Scope limits them to an
// org unit's subtree; From and To bound the dates (inclusive).
type ReachFilter struct {
	Campaign string
	Scope    string
	Group    string
	Activity string
	From, To loa.Date
}

// ListReach returns up to limit records f selects within the actor's scope, by org
// unit, month and key, after the record after.
func (s *Service) ListReach(ctx context.Context, actor loa.Actor, f ReachFilter, after string, limit int) ([]Reach, error) {
	if f.Campaign == "" {
		return nil, loa.Invalid("campaign", "campaign is required: reach records are listed per campaign")
	}
	c, err := s.store.Campaign(ctx, f.Campaign)
	if err != nil {
		return nil, err
	}
	h, err := s.core.History(ctx)
	if err != nil {
		return nil, err
	}
	units, err := h.Subtree(actor, "orgUnit", f.Scope, c.Period)
	if err != nil {
		return nil, err
	}
	for _, d := range []struct {
		field string
		date  *loa.Date
		def   loa.Date
	}{{"from", &f.From, c.Period.Start}, {"to", &f.To, c.Period.End}} {
		if *d.date == "" {
			*d.date = d.def
		}
		if !d.date.Valid() {
			return nil, loa.Invalid(d.field, fmt.Sprintf("%q is not a date of the form YYYY-MM-DD", *d.date))
		}
	}
	return s.listReach(ctx, c, units, f, after, limit)
}

// ReachRecord returns the record with natural key id, if the actor's scope covers it.
func (s *Service) ReachRecord(ctx context.Context, actor loa.Actor, id string) (Reach, error) {
	r, err := s.reach(ctx, id)
	if err != nil {
		return Reach{}, err
	}
	return r, s.requireCovers(ctx, actor, r.OrgUnit, r.Date)
}

func (s *Service) requireCovers(ctx context.Context, actor loa.Actor, unit string, at loa.Date) error {
	path, err := s.core.Path(ctx, unit, at)
	if err != nil {
		return err
	}
	if !actor.Covers(path) {
		return fmt.Errorf("%w: org unit %s is outside your scope %s", loa.ErrOutsideScope, unit, actor.Scope)
	}
	return nil
}

// PutReach validates r and stores it under its natural key, replacing an earlier
// report of the same activity; created says whether it is new.
func (s *Service) PutReach(ctx context.Context, actor loa.Actor, r Reach) (out Reach, created bool, err error) {
	r.normalize()
	check, err := s.reachCheck(ctx, actor)
	if err != nil {
		return Reach{}, false, err
	}
	if err := invalid(check.problems(r)); err != nil {
		return Reach{}, false, err
	}
	r.ID = ReachKey(r)
	return s.SyncReach(ctx, actor, r.ID, &r)
}

// DeleteReach removes the record with natural key id.
func (s *Service) DeleteReach(ctx context.Context, actor loa.Actor, id string) error {
	old, err := s.reach(ctx, id)
	if err != nil {
		return err
	}
	if err := s.requireCovers(ctx, actor, old.OrgUnit, old.Date); err != nil {
		return err
	}
	if old.Airing != "" {
		return &loa.FieldConflict{Field: "id", Message: fmt.Sprintf("this record counts airing %s and follows its confirmation: "+
			"change the airing (missed, cancelled) instead", old.Airing)}
	}
	_, _, err = s.SyncReach(ctx, actor, id, nil)
	return err
}

// SyncReach brings the record with natural key id to want, or removes it when want
// is nil, keeping the rollups in step: it writes (and audits) only what differs, so
// a repeated report or confirmation is never counted twice. The record is taken as
// valid: Loa derives it (from an airing) or PutReach checked it.
func (s *Service) SyncReach(ctx context.Context, actor loa.Actor, id string, want *Reach) (out Reach, created bool, err error) {
	if want != nil {
		r := *want
		r.ID = id
		want = &r
	}
	writes, err := s.changeReach(ctx, map[string]*Reach{id: want}, false, writer{actor: actor, audit: s.changesOf})
	if err != nil || len(writes) == 0 {
		if want != nil && err == nil {
			return *want, false, nil
		}
		return Reach{}, false, err
	}
	w := writes[0]
	if w.after != nil {
		out = *w.after
	}
	return out, w.before == nil, nil
}

// changesOf is the trail's account of writes: a change each, under its unit's path.
func (s *Service) changesOf(ctx context.Context, writes []reachWrite) []loa.Change {
	changes := make([]loa.Change, len(writes))
	for i, w := range writes {
		unit := w.before
		if w.after != nil {
			unit = w.after
		}
		changes[i] = w.change(s.pathOf(ctx, unit.OrgUnit, unit.Date))
	}
	return changes
}

// Reconciled says what ReconcileDerived repaired: the keys of the records written
// (missing or different) and of those removed (derived from no airing that counts).
type Reconciled struct {
	Written, Removed []string
}

// ReconcileDerived makes the records derived from airings (those naming their
// Airing) exactly want, which the scheduler computes from the airings aired or
// published: a wanted record missing or counting differently is written, a derived
// record not wanted is removed. It reads every campaign's records (a background
// job's scan), writes only the differences, with their rollups, and audits each as
// actor's change.
func (s *Service) ReconcileDerived(ctx context.Context, actor loa.Actor, want []Reach) (Reconciled, error) {
	all, err := s.store.Campaigns(ctx)
	if err != nil {
		return Reconciled{}, err
	}
	stored := map[string]Reach{}
	for _, c := range all {
		err := s.store.EachReach(ctx, c.Code, func(r Reach) {
			if r.Airing != "" {
				stored[r.ID] = r
			}
		})
		if err != nil {
			return Reconciled{}, err
		}
	}
	changes := map[string]*Reach{}
	for _, w := range want {
		w.ID = ReachKey(w)
		if old, ok := stored[w.ID]; !ok || !sameCounts(old, w) {
			changes[w.ID] = &w
		}
		delete(stored, w.ID)
	}
	for id := range stored {
		changes[id] = nil
	}
	if len(changes) == 0 {
		return Reconciled{}, nil
	}
	writes, err := s.changeReach(ctx, changes, false, writer{actor: actor, audit: s.changesOf})
	if err != nil {
		return Reconciled{}, err
	}
	var out Reconciled
	for _, w := range writes {
		if w.after != nil {
			out.Written = append(out.Written, w.after.ID)
		} else {
			out.Removed = append(out.Removed, w.before.ID)
		}
	}
	slices.Sort(out.Written)
	slices.Sort(out.Removed)
	return out, nil
}

// pathOf is the unit's path on at for the audit trail (empty for an unknown unit).
func (s *Service) pathOf(ctx context.Context, unit string, at loa.Date) []string {
	path, err := s.core.Path(ctx, unit, at)
	if err != nil {
		return nil
	}
	return path
}

// reachWrite is one record changing: created (no before), updated or deleted (no
// after).
type reachWrite struct {
	before, after *Reach
}

func (w reachWrite) change(path []string) loa.Change {
	c := loa.Change{Entity: "reach", Path: path}
	switch {
	case w.before == nil:
		c.Action, c.EntityID, c.After = "create", w.after.ID, *w.after
	case w.after == nil:
		c.Action, c.EntityID, c.Before = "delete", w.before.ID, *w.before
	default:
		c.Action, c.EntityID, c.Before, c.After = "update", w.after.ID, *w.before, *w.after
	}
	return c
}

// correction is the audit change of a record an import corrected: only the
// fields it changed, before and after (the entry's id names the record). An import
// of 10,000 corrections stores 10,000 entries, and the embedded engine's cost is
// per stored value: two whole records in each made the audit about a third of a
// corrected import's time (BENCHMARKS.md §20).
func (w reachWrite) correction(path []string) loa.Change {
	before, after := map[string]any{}, map[string]any{}
	field := func(name string, changed bool, b, a any) {
		if changed {
			before[name], after[name] = b, a
		}
	}
	b, a := w.before, w.after
	field("activities", b.Activities != a.Activities, b.Activities, a.Activities)
	field("personTimes", b.PersonTimes != a.PersonTimes, b.PersonTimes, a.PersonTimes)
	field("uniquePersons", !sameCount(b.UniquePersons, a.UniquePersons), b.UniquePersons, a.UniquePersons)
	field("firstTimePersons", !sameCount(b.FirstTimePersons, a.FirstTimePersons), b.FirstTimePersons, a.FirstTimePersons)
	field("estimated", b.Estimated != a.Estimated, b.Estimated, a.Estimated)
	field("evidence", b.Evidence != a.Evidence, b.Evidence, a.Evidence)
	field("airing", b.Airing != a.Airing, b.Airing, a.Airing)
	return loa.Change{Action: "update", Entity: "reach", EntityID: a.ID, Path: path, Before: before, After: after}
}

// KnownActivity says whether code is one of ActivityKinds.
func KnownActivity(code string) bool {
	return slices.ContainsFunc(ActivityKinds, func(k struct{ Code, Label string }) bool { return k.Code == code })
}
