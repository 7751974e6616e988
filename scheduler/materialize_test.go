package scheduler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"loa"
	"loa/content"
)

// A rule on explicit stations and one on {channel, under} materialise one airing
// per occurrence and station up to the horizon, and no further.
func TestMaterializeCounts(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))          // a Monday
	f.station("LOA-20551", "commune_loudspeaker", "20551") // Điện Bàn
	f.station("LOA-20554", "commune_loudspeaker", "20554") // Điện Bàn
	f.station("LOA-20437", "commune_loudspeaker", "20437") // Tây Giang
	off := false
	if _, err := f.s.CreateStation(f.ctx, loa.System, StationInput{Code: "LOA-20557", Name: "Loa Điện Hòa", Channel: "commune_loudspeaker",
		OrgUnit: "20557", Languages: []string{"vi"}, Active: &off}); err != nil {
		t.Fatal(err)
	}
	f.station("DT-507", "district_station", "507")
	f.scripts(2, "x")

	explicit := f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20554", "LOA-20437"))
	under := ruleInput("FREQ=WEEKLY;BYDAY=SA;BYHOUR=19", "")
	under.Stations = StationSelector{Channel: "commune_loudspeaker", Under: "507"}
	subtree := f.rule(under)

	if h := f.s.Horizon(f.clock.Now()); !h.Equal(local("2024-04-09 00:00")) {
		t.Fatalf("Horizon(2024-03-04 08:00) = %s, want 2024-04-09 00:00 +07 (35 days after today)", h)
	}
	res := f.materialize()
	// Tuesdays 5, 12, 19, 26 March and 2 April; Fridays 8, 15, 22, 29 March and 5
	// April: 10 occurrences at 3 stations. Saturdays 9 March to 6 April: 5 at the 2
	// active Điện Bàn loudspeakers.
	const wantExplicit, wantSubtree = 10 * 3, 5 * 2
	all := f.stored()
	if got := len(of(all, explicit.ID, "")); got != wantExplicit {
		t.Errorf("explicit rule: %d airings, want %d", got, wantExplicit)
	}
	if got := len(of(all, subtree.ID, "")); got != wantSubtree {
		t.Errorf("{channel, under} rule: %d airings, want %d", got, wantSubtree)
	}
	for _, code := range []string{"LOA-20557", "DT-507"} {
		if n := len(of(all, "", code)); n != 0 {
			t.Errorf("station %s (inactive, or of another channel) got %d airings", code, n)
		}
	}
	if res.Created != wantExplicit+wantSubtree || res.Updated != 0 || res.Cancelled != 0 || res.NoContent != 0 {
		t.Errorf("Materialize = %+v, want %d created and nothing else", res, wantExplicit+wantSubtree)
	}
	if n := f.count(); n != int64(len(all)) || n != wantExplicit+wantSubtree {
		t.Errorf("%d airings documents, want %d", n, wantExplicit+wantSubtree)
	}
	for _, a := range all {
		if a.Start.Before(f.clock.Now()) || !a.Start.Before(local("2024-04-09 00:00")) {
			t.Errorf("airing %s starts %s, outside [now, horizon)", a.ID, a.Start.In(hcm))
		}
		if a.Status != StatusPlanned || a.Content == "" || a.ContentVersion != 1 || a.Campaign != demo || a.Channel != "commune_loudspeaker" {
			t.Errorf("airing %+v, want planned with content v1 of %s on commune_loudspeaker", a, demo)
		}
		if d := a.End.Sub(a.Start); d != 15*time.Minute {
			t.Errorf("airing %s lasts %s, want 15m", a.ID, d)
		}
	}
	first := of(all, explicit.ID, "LOA-20551")[0]
	if first.Start.UTC().Format(time.RFC3339) != "2024-03-04T23:30:00Z" || first.OrgUnit != "20551" {
		t.Errorf("first airing at LOA-20551 starts %s (unit %s), want 2024-03-04T23:30:00Z (06:30 local on 5 March)", first.Start.UTC(), first.OrgUnit)
	}
}

// Materialising again, at the same instant or later the same day, writes nothing.
func TestMaterializeIdempotent(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20554", "commune_loudspeaker", "20554")
	f.scripts(3, "x")
	f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20554"))
	cronRule := ruleInput("", "LOA-20551", "LOA-20554")
	cronRule.RRule, cronRule.Cron = "", "0 18 * * 0,3"
	f.rule(cronRule)
	// An empty pool too: its no_content airings must be stable as well.
	empty := ruleInput("FREQ=WEEKLY;BYDAY=MO;BYHOUR=12", "LOA-20551")
	empty.Pool = Pool{Tags: []string{"nothing"}}
	f.rule(empty)

	first := f.materialize()
	if first.Created == 0 || first.NoContent == 0 {
		t.Fatalf("first run %+v: want airings, some without content", first)
	}
	n, v := f.count(), f.airingsVersion()
	before := f.stored()
	for _, at := range []time.Time{f.clock.Now(), f.clock.Now(), local("2024-03-04 08:20"), local("2024-03-04 23:59")} {
		f.clock.Set(at)
		res := f.materialize()
		if res.Created != 0 || res.Updated != 0 || res.Cancelled != 0 {
			t.Errorf("Materialize again at %s = %+v, want nothing written", at, res)
		}
		ahead := 0
		for _, a := range f.stored() {
			if a.Status == StatusNoContent && !a.Start.Before(at) {
				ahead++
			}
		}
		if res.NoContent != ahead || ahead == 0 {
			t.Errorf("Materialize again at %s: %d without content, want %d", at, res.NoContent, ahead)
		}
		if got := f.count(); got != n {
			t.Errorf("Materialize again at %s: %d airings, want %d", at, got, n)
		}
		if got := f.airingsVersion(); got != v {
			t.Errorf("Materialize again at %s moved the airings version %d → %d", at, v, got)
		}
	}
	after := f.stored()
	for i := range before {
		if before[i].Rev != after[i].Rev || !sameAiring(before[i], after[i]) {
			t.Errorf("airing %s changed: %+v → %+v", before[i].ID, before[i], after[i])
		}
	}
}

// Two schedulers on one database materialising at once write each airing once.
func TestMaterializeConcurrentRunners(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	codes := []string{"LOA-20551", "LOA-20554", "LOA-20557", "LOA-20560"}
	for _, c := range codes {
		f.station(c, "commune_loudspeaker", c[4:])
	}
	f.scripts(3, "x")
	f.rule(ruleInput(tuFr, codes...))
	const want = 10 * 4

	// The third runs as another replica would: without this process's lock, and
	// with a view of the airings that never sees the others' writes, so it tries
	// to insert every airing and only the database's keys stop the duplicates.
	replica := NewService(replicaStore{NewStore(f.db)}, f.cs, f.rs, f.lib, f.trail, f.clock.Now, Options{Zone: hcm})
	runners := []*Service{f.s, f.service(), replica}
	results := make([]Result, len(runners))
	errs := make([]error, len(runners))
	var wg sync.WaitGroup
	for i, s := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Materialize(f.ctx, f.clock.Now())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("runner %d: %v", i, err)
		}
	}
	if n := f.count(); n != want {
		t.Errorf("two runners made %d airings documents, want %d", n, want)
	}
	if got := results[0].Created + results[1].Created + results[2].Created; got != want {
		t.Errorf("runners created %d + %d + %d, want %d in all", results[0].Created, results[1].Created, results[2].Created, want)
	}
	seen := map[string]bool{}
	for _, a := range f.stored() {
		key := fmt.Sprintf("%s|%s|%s", a.Rule, a.Station, a.Slot.UTC())
		if seen[key] {
			t.Errorf("duplicate airing %s", key)
		}
		seen[key] = true
	}
	// Each runner sees the other's work: running either again writes nothing.
	for i, s := range runners {
		res, err := s.Materialize(f.ctx, f.clock.Now())
		if err != nil || res.Created+res.Updated+res.Cancelled != 0 {
			t.Errorf("runner %d again: %+v, %v; want nothing written", i, res, err)
		}
	}
}

// replicaStore is the store as another process sees it: no shared lock, and no
// airings visible.
type replicaStore struct{ *MongoStore }

func (replicaStore) AiringsVersion(context.Context) (int64, error) { return 0, nil }
func (replicaStore) Airings(context.Context) ([]Airing, error)     { return nil, nil }
func (replicaStore) WriteAirings(ctx context.Context, write func(context.Context) error) error {
	return write(ctx)
}

// A rule with no end is materialised up to the horizon only; as the clock moves
// the horizon follows and only the new days are added.
func TestMaterializeHorizonBoundsEndlessRule(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(2, "x")
	f.rule(ruleInput("FREQ=DAILY;BYHOUR=6;BYMINUTE=30", "LOA-20551")) // from 2024-01-01, no until
	res := f.materialize()
	// 5 March to 8 April: 35 mornings (4 March 06:30 has passed).
	if res.Created != 35 {
		t.Errorf("first run created %d, want 35", res.Created)
	}
	as := f.stored()
	if last := as[len(as)-1].Start; !last.Equal(local("2024-04-08 06:30")) {
		t.Errorf("last airing %s, want 2024-04-08 06:30", last.In(hcm))
	}
	f.clock.Set(local("2024-03-11 08:00"))
	res = f.materialize()
	if res.Created != 7 || res.Updated != 0 || res.Cancelled != 0 {
		t.Errorf("a week later: %+v, want 7 created", res)
	}
	if n := f.count(); n != 42 {
		t.Errorf("%d airings, want 42", n)
	}
	// A window of a given end bounds it the same way.
	if _, err := f.s.MaterializeUntil(f.ctx, f.clock.Now(), local("2024-04-20 00:00")); err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n != 42+(20-16) {
		t.Errorf("through 19 April: %d airings, want %d", n, 42+4)
	}
}

// Four approved scripts over a month of 12 airings at one station: each is used
// three times and never twice in any four airings in a row; a draft never airs.
func TestRotationFairness(t *testing.T) {
	f := newFixture(t, local("2024-03-03 08:00")) // a Sunday
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	draft := f.draft(message("radio_script", "Bản nháp", "r"))
	items := f.scripts(4, "r")
	f.scripts(2, "other") // approved, but not in the pool
	in := ruleInput("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=6;BYMINUTE=30", "LOA-20551")
	in.StartDate, in.Until = "2024-03-01", date("2024-03-31")
	in.Pool = Pool{Tags: []string{"r"}}
	f.rule(in)
	f.materialize()
	as := f.stored()
	if len(as) != 12 {
		t.Fatalf("%d airings, want 12 (Mon, Wed, Fri from 4 to 29 March)", len(as))
	}
	uses := map[string]int{}
	for i, a := range as {
		uses[a.Content]++
		if a.Content == draft {
			t.Errorf("airing %s carries the draft %s", a.ID, draft)
		}
		for j := max(0, i-3); j < i; j++ {
			if as[j].Content == a.Content {
				t.Errorf("airings %d and %d (within 4 in a row) both carry %s", j, i, a.Content)
			}
		}
	}
	for _, id := range items {
		if uses[id] != 3 {
			t.Errorf("item %s used %d times, want 3 (uses %v)", id, uses[id], uses)
		}
	}
	if len(uses) != 4 {
		t.Errorf("items used: %v, want exactly the 4 approved of the pool", uses)
	}
}

// A pool with nothing approved leaves its airings no_content; an approval fills
// them at the next run.
func TestEmptyPoolThenApproval(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(2, "elsewhere")
	later := f.draft(message("radio_script", "Tin sắp duyệt", "later"))
	in := ruleInput(tuFr, "LOA-20551")
	in.Pool = Pool{Tags: []string{"later"}}
	saved := f.rule(in)
	res := f.materialize()
	as := f.stored()
	if len(as) != 10 || res.NoContent != 10 {
		t.Fatalf("%d airings, %d without content; want 10 and 10", len(as), res.NoContent)
	}
	for _, a := range as {
		if a.Status != StatusNoContent || a.Content != "" || a.ContentVersion != 0 {
			t.Errorf("airing %s: %s with %q v%d, want no_content and nothing", a.ID, a.Status, a.Content, a.ContentVersion)
		}
	}
	f.approve(later)
	res = f.materialize()
	if res.Updated != 10 || res.NoContent != 0 || res.Created != 0 {
		t.Errorf("after the approval: %+v, want 10 updated, none left without content", res)
	}
	for _, a := range of(f.stored(), saved.ID, "") {
		if a.Status != StatusPlanned || a.Content != later || a.ContentVersion != 1 {
			t.Errorf("airing %s: %s with %q v%d, want planned with %s v1", a.ID, a.Status, a.Content, a.ContentVersion, later)
		}
	}
}

// When a new version of an item is approved, the future airings not yet delivered
// carry it after the next run; past and delivered ones keep theirs.
func TestNewVersionReachesFutureAirings(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	item := f.approved(message("radio_script", "Tin duy nhất", "one"))
	in := ruleInput(tuFr, "LOA-20551")
	in.Pool = Pool{Items: []string{item}}
	f.rule(in)
	f.materialize()
	as := f.stored()
	if len(as) != 10 {
		t.Fatalf("%d airings, want 10", len(as))
	}
	// 20 March: 5, 8, 12, 15 and 19 March are past; the 22nd is pulled.
	f.clock.Set(local("2024-03-20 08:00"))
	delivered := f.overwrite(as[5], func(a *Airing) { a.Status = StatusDelivered })
	if _, err := f.lib.Update(f.ctx, editor, item, message("radio_script", "Tin duy nhất, bản hai", "one")); err != nil {
		t.Fatal(err)
	}
	// A new draft changes nothing on air.
	if res := f.materialize(); res.Updated != 0 {
		t.Errorf("a draft of version 2 updated %d airings", res.Updated)
	}
	f.approve(item)
	// The horizon moved with the clock: 22 March (pulled: its station's next pull
	// carries the new words), 26, 29 March, 2, 5 April and 5 more to 23 April are
	// ahead.
	res := f.materialize()
	if res.Updated != 10 || res.Created != 0 {
		t.Errorf("after approving version 2: %+v, want the 10 future airings updated", res)
	}
	for _, a := range f.stored() {
		want := 2
		if a.Start.Before(f.clock.Now()) {
			want = 1
		}
		if a.Content != item || a.ContentVersion != want {
			t.Errorf("airing %s on %s (%s): %s v%d, want v%d", a.ID, a.Start.In(hcm).Format(time.DateOnly), a.Status, a.Content, a.ContentVersion, want)
		}
	}
	// The pool's only item archived: the future airings are left without content.
	if _, err := f.lib.Step(f.ctx, content.Reviewer{Actor: editor}, item, content.ActionArchive, ""); err != nil {
		t.Fatal(err)
	}
	res = f.materialize()
	if res.NoContent != 9 || res.Updated != 9 {
		t.Errorf("after archiving the only item: %+v, want 9 left without content", res)
	}
	if a := f.airing(delivered.ID); a.Status != StatusDelivered || a.Content != item {
		t.Errorf("the delivered airing changed: %+v", a)
	}
}

// Editing a rule changes only its future airings not yet delivered; deactivating
// cancels them (rule_inactive) and reactivating restores them; history stays.
func TestEditDeactivateReactivateRule(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(2, "x")
	in := ruleInput(tuFr, "LOA-20551")
	r := f.rule(in)
	f.materialize()
	as := f.stored()
	if len(as) != 10 {
		t.Fatalf("%d airings, want 10", len(as))
	}
	f.clock.Set(local("2024-03-13 08:00")) // 5, 8 and 12 March are past
	past := as[:3]
	delivered := f.overwrite(as[3], func(a *Airing) { a.Status = StatusDelivered }) // 15 March
	future := as[4:]                                                                // 19 March on

	// Move the broadcast to 07:00.
	in.RRule = "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=7"
	if _, err := f.s.UpdateRule(f.ctx, loa.System, r.ID, in); err != nil {
		t.Fatal(err)
	}
	res := f.materialize()
	// From 13 March to the horizon (18 April): Tuesdays 19, 26 March, 2, 9, 16
	// April; Fridays 15, 22, 29 March, 5, 12 April: 10 at 07:00.
	if res.Cancelled != len(future) || res.Created != 10 {
		t.Errorf("after the edit: %+v, want %d cancelled, 10 created", res, len(future))
	}
	for _, a := range past {
		if got := f.airing(a.ID); got.Status != StatusPlanned || !got.Start.Equal(a.Start) || got.Rev != a.Rev {
			t.Errorf("past airing %s changed: %s %s rev %d", a.ID, got.Status, got.Start.In(hcm), got.Rev)
		}
	}
	if got := f.airing(delivered.ID); got.Status != StatusDelivered || !got.Start.Equal(delivered.Start) {
		t.Errorf("delivered airing changed: %s at %s", got.Status, got.Start.In(hcm))
	}
	for _, a := range future {
		if got := f.airing(a.ID); got.Status != StatusCancelled || got.Reason != ReasonUnscheduled {
			t.Errorf("future airing %s at the old time: %s (%s), want cancelled (unscheduled)", a.ID, got.Status, got.Reason)
		}
	}
	sevens := 0
	for _, a := range f.stored() {
		if a.Start.In(hcm).Hour() == 7 {
			sevens++
			if a.Status != StatusPlanned || a.Start.Before(f.clock.Now()) {
				t.Errorf("new airing %s: %s at %s", a.ID, a.Status, a.Start.In(hcm))
			}
		}
	}
	if sevens != 10 {
		t.Errorf("%d airings at 07:00, want 10", sevens)
	}

	// Deactivate: every open airing of the rule is cancelled as rule_inactive.
	off, on := false, true
	in.Active = &off
	if _, err := f.s.UpdateRule(f.ctx, loa.System, r.ID, in); err != nil {
		t.Fatal(err)
	}
	res = f.materialize()
	if res.Cancelled != 10 || res.Created != 0 {
		t.Errorf("after deactivating: %+v, want the 10 planned cancelled", res)
	}
	for _, a := range f.stored() {
		switch {
		case a.ID == delivered.ID:
			if a.Status != StatusDelivered {
				t.Errorf("deactivating changed the delivered airing: %s", a.Status)
			}
		case a.Start.Before(f.clock.Now()):
			if a.Status != StatusPlanned {
				t.Errorf("deactivating changed past airing %s: %s", a.ID, a.Status)
			}
		case a.Start.In(hcm).Hour() == 7:
			if a.Status != StatusCancelled || a.Reason != ReasonRuleInactive {
				t.Errorf("airing %s of the inactive rule: %s (%s), want cancelled (rule_inactive)", a.ID, a.Status, a.Reason)
			}
		}
	}

	// Reactivate: the same airings are planned again, none is added.
	n := f.count()
	in.Active = &on
	if _, err := f.s.UpdateRule(f.ctx, loa.System, r.ID, in); err != nil {
		t.Fatal(err)
	}
	res = f.materialize()
	if res.Updated != 10 || res.Created != 0 || res.Cancelled != 0 {
		t.Errorf("after reactivating: %+v, want the 10 restored", res)
	}
	if got := f.count(); got != n {
		t.Errorf("reactivating changed the number of airings %d → %d", n, got)
	}
	planned := 0
	for _, a := range f.stored() {
		if a.Start.In(hcm).Hour() == 7 && a.Status == StatusPlanned && a.Reason == "" {
			planned++
		}
	}
	if planned != 10 {
		t.Errorf("%d airings at 07:00 planned again, want 10", planned)
	}
}

// A run over a shorter window than an earlier one (a year materialised ahead, then
// the hourly horizon) leaves the airings beyond its window alone: the rule still
// places them.
func TestMaterializeShorterWindowKeepsLaterAirings(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(2, "x")
	f.rule(ruleInput(tuFr, "LOA-20551"))
	if _, err := f.s.MaterializeUntil(f.ctx, f.clock.Now(), local("2024-07-01 00:00")); err != nil {
		t.Fatal(err)
	}
	n, v := f.count(), f.airingsVersion()
	res := f.materialize()
	if res.Created+res.Updated+res.Cancelled != 0 || f.airingsVersion() != v {
		t.Errorf("the horizon run after a longer one: %+v, want nothing written", res)
	}
	if got := len(withStatus(f.stored(), StatusPlanned)); int64(got) != n {
		t.Errorf("%d of %d airings still planned", got, n)
	}
}

// Only items in one of the station's languages, for the rule's groups and valid on
// the airing's date are chosen.
func TestRotationEligibility(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	if _, err := f.s.CreateStation(f.ctx, loa.System, StationInput{Code: "LOA-20437", Name: "Loa Ch'ơm", Channel: "commune_loudspeaker",
		OrgUnit: "20437", Languages: []string{"cotu"}}); err != nil {
		t.Fatal(err)
	}
	in := func(title, language, group string, validTo *loa.Date) content.Input {
		m := message("radio_script", title, "e")
		m.Language, m.Groups, m.ValidTo = language, []string{group}, validTo
		return m
	}
	vi := f.approved(in("Tiếng Việt", "vi", "ethnic_minorities", nil))
	public := f.approved(in("Cơ Tu, mọi người", "cotu", "general_public", nil))
	until15 := f.approved(in("Cơ Tu, đến 15/3", "cotu", "ethnic_minorities", date("2024-03-15")))
	always := f.approved(in("Cơ Tu", "cotu", "ethnic_minorities", nil))
	r := ruleInput(tuFr, "LOA-20437")
	r.Groups, r.Pool = []string{"ethnic_minorities"}, Pool{Tags: []string{"e"}}
	f.rule(r)
	f.materialize()
	as := f.stored()
	if len(as) != 10 {
		t.Fatalf("%d airings, want 10", len(as))
	}
	uses := map[string]int{}
	for _, a := range as {
		uses[a.Content]++
		switch a.Content {
		case vi, public:
			t.Errorf("airing %s carries %s: wrong language or group", a.ID, a.Content)
		case until15:
			if loa.DateOf(a.Start.In(hcm)) > "2024-03-15" {
				t.Errorf("airing on %s carries an item valid to 15 March", loa.DateOf(a.Start.In(hcm)))
			}
		case always:
		default:
			t.Errorf("airing %s carries %q", a.ID, a.Content)
		}
	}
	// 5, 8, 12 and 15 March alternate between the two; later only one fits.
	if uses[until15] != 2 || uses[always] != 8 {
		t.Errorf("uses %v, want %s twice and %s 8 times", uses, until15, always)
	}
}

func TestHandPlacedAiringKeepsItsSlot(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(2, "x")
	// A one-off placement on Friday 8 March at 06:35, before the rule exists.
	placed, err := f.s.Place(f.ctx, planner, Placement{Station: "LOA-20551", Campaign: demo, Start: local("2024-03-08 06:35"), DurationSeconds: 600})
	if err != nil {
		t.Fatal(err)
	}
	r := f.rule(ruleInput(tuFr, "LOA-20551"))
	f.materialize()
	friday := f.airing(airingID(r.ID, "LOA-20551", local("2024-03-08 06:30")))
	if friday.Status != StatusCancelled || friday.Reason != ReasonDisplaced || friday.DisplacedBy != placed.ID {
		t.Errorf("the rule's 8 March occurrence under the placement = %s (%s, by %q); want cancelled, displaced by %s",
			friday.Status, friday.Reason, friday.DisplacedBy, placed.ID)
	}
	if got := f.airing(placed.ID); got.Status == StatusCancelled {
		t.Errorf("the placement was cancelled: %+v", got)
	}
	// Cancelling the placement gives the slot back to the rule.
	if _, err := f.s.ChangeAiring(f.ctx, planner, placed.ID, AiringChange{Status: ptr(StatusCancelled)}); err != nil {
		t.Fatal(err)
	}
	f.materialize()
	if got := f.airing(friday.ID); got.Status != StatusPlanned || got.DisplacedBy != "" {
		t.Errorf("after the placement was cancelled, 8 March = %s (by %q); want planned", got.Status, got.DisplacedBy)
	}
}

func TestEqualPriorityOverlapArisingLaterGoesToTheOlderRule(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(2, "x")
	older := f.rule(ruleInput(tuFr, "LOA-20551"))
	// The second rule covers the district's loudspeakers; the station is inactive
	// when it is saved, so no overlap is found then.
	if _, err := f.s.UpdateStation(f.ctx, loa.System, "LOA-20551", StationInput{Name: "Trạm LOA-20551", Channel: "commune_loudspeaker",
		OrgUnit: "20551", Languages: []string{"vi"}, Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(local("2024-03-04 08:05"))
	in := ruleInput(tuFr)
	in.Title, in.Stations = "Cả huyện", StationSelector{Channel: "commune_loudspeaker", Under: "507"}
	newer := f.rule(in)
	if _, err := f.s.UpdateStation(f.ctx, loa.System, "LOA-20551", StationInput{Name: "Trạm LOA-20551", Channel: "commune_loudspeaker",
		OrgUnit: "20551", Languages: []string{"vi"}, Active: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.materialize()
	as := f.stored()
	planned := withStatus(as, StatusPlanned)
	if len(of(planned, older.ID, "")) != 10 || len(of(planned, newer.ID, "")) != 0 {
		t.Errorf("planned: older rule %d, newer %d; want 10 and 0", len(of(planned, older.ID, "")), len(of(planned, newer.ID, "")))
	}
	for _, a := range of(as, newer.ID, "") {
		if a.Status != StatusCancelled || a.DisplacedBy != older.ID {
			t.Errorf("newer rule's airing %s = %s (by %q); want displaced by the older rule", a.ID, a.Status, a.DisplacedBy)
		}
	}
}

func TestOnlyKeptOccurrencesDisplaceOthers(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.scripts(1, "x")
	rule := func(title, rrule string, seconds, priority int) Saved {
		in := ruleInput(rrule, "LOA-20551")
		in.Title, in.DurationSeconds, in.Priority = title, seconds, priority
		return f.rule(in)
	}
	// A 06:30-06:45 (0) loses to B 06:40-06:50 (5); C 06:35-06:40 (-1) overlaps
	// only A, which is off the air, so C airs.
	a := rule("A", "FREQ=DAILY;BYHOUR=6;BYMINUTE=30", 900, 0)
	b := rule("B", "FREQ=DAILY;BYHOUR=6;BYMINUTE=40", 600, 5)
	c := rule("C", "FREQ=DAILY;BYHOUR=6;BYMINUTE=35", 300, -1)
	f.materialize()
	day := "2024-03-05 06:"
	for _, want := range []struct {
		rule   Saved
		start  string
		status string
		by     string
	}{{a, "30", StatusCancelled, b.ID}, {b, "40", StatusPlanned, ""}, {c, "35", StatusPlanned, ""}} {
		got := f.airing(airingID(want.rule.ID, "LOA-20551", local(day+want.start)))
		if got.Status != want.status || got.DisplacedBy != want.by {
			t.Errorf("rule %s on 5 March = %s (by %q), want %s (by %q)", want.rule.Title, got.Status, got.DisplacedBy, want.status, want.by)
		}
	}
}

// The airings follow the service's own changes of stations and rules and the
// library's approvals and archives, with no call from outside: here the ask
// materialises at once, where the app runs its job in the background.
func TestAiringsFollowChanges(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	asks := 0
	f.lib = content.NewService(content.NewStore(f.db), f.cs, f.trail, f.clock.Now, content.Options{Zone: hcm, Hotline: "0235 111 222",
		InForceChanged: func(id string) { f.s.ContentChanged(id) }})
	f.s = NewService(NewStore(f.db), f.cs, f.rs, f.lib, f.trail, f.clock.Now, Options{Zone: hcm, Rematerialize: func() {
		asks++
		f.materialize()
	}})
	st := f.station("LOA-20551", "commune_loudspeaker", "20551")
	item := f.approved(message("radio_script", "Tin duy nhất", "one"))
	in := ruleInput(tuFr, "LOA-20551")
	in.Pool = Pool{Items: []string{item}}
	saved := f.rule(in)
	carry := func(what, status string, version int) {
		t.Helper()
		as := f.stored()
		if len(as) != 10 {
			t.Fatalf("after %s: %d airings, want 10", what, len(as))
		}
		for _, a := range as {
			if a.Status != status || (version > 0 && (a.Content != item || a.ContentVersion != version)) {
				t.Errorf("after %s: airing %s is %s with %q v%d, want %s with %s v%d", what, a.ID, a.Status, a.Content, a.ContentVersion,
					status, item, version)
			}
		}
	}
	carry("creating the rule", StatusPlanned, 1)

	if _, err := f.lib.Update(f.ctx, editor, item, message("radio_script", "Tin duy nhất, bản hai", "one")); err != nil {
		t.Fatal(err)
	}
	f.approve(item)
	carry("approving version 2", StatusPlanned, 2)

	if _, err := f.lib.Step(f.ctx, content.Reviewer{Actor: editor}, item, content.ActionArchive, ""); err != nil {
		t.Fatal(err)
	}
	carry("archiving the only item", StatusNoContent, 0)

	inactive := false
	in.Active = &inactive
	if _, err := f.s.UpdateRule(f.ctx, loa.System, saved.ID, in); err != nil {
		t.Fatal(err)
	}
	carry("deactivating the rule", StatusCancelled, 0)

	active := true
	in.Active = &active
	if _, err := f.s.UpdateRule(f.ctx, loa.System, saved.ID, in); err != nil {
		t.Fatal(err)
	}
	carry("reactivating the rule", StatusNoContent, 0)

	// The station leaves the loudspeakers' channel: the rule names it still, so its
	// airings stay, now on the new channel.
	if _, err := f.s.UpdateStation(f.ctx, loa.System, st.Code, StationInput{Name: st.Name, Channel: "district_station",
		OrgUnit: st.OrgUnit, Languages: st.Languages, Audience: st.Audience}); err != nil {
		t.Fatal(err)
	}
	for _, a := range f.stored() {
		if a.Channel != "district_station" {
			t.Errorf("after changing the station's channel: airing %s on %s, want district_station", a.ID, a.Channel)
		}
	}
	// Asked for: the station twice, the rule three times, the approvals of
	// versions 1 and 2 and the archive.
	if asks != 8 {
		t.Errorf("%d asks to materialise, want 8", asks)
	}
}
