package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh wherever the tests run

	"go.mongodb.org/mongo-driver/v2/bson"

	"loa"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/content"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var hcm = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local reads "2006-01-02 15:04" as a time in Asia/Ho_Chi_Minh.
func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, hcm)
	if err != nil {
		panic(err)
	}
	return t
}

// clock is a settable clock shared by the services of a fixture.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

const demo = campaigns.DemoCampaignCode

var (
	writer   = loa.Actor{Username: "writer", Scope: "49"}
	editor   = loa.Actor{Username: "editor", Scope: "49"}
	approver = content.Reviewer{Actor: loa.Actor{Username: "approver", Scope: "49"}, Approver: true}
	planner  = loa.Actor{Username: "planner", Scope: "49"}
)

// fixture is a scheduler on a fresh database with the reference data, the demo
// campaign (PCMD-2024) and a content library, at a clock the test moves.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    *database.DB
	clock *clock
	cs    *campaigns.Service
	rs    *reach.Service
	lib   *content.Service
	trail *audit.Log
	store *MongoStore
	s     *Service
}

// newFixture starts at start (a time in Asia/Ho_Chi_Minh).
func newFixture(t testing.TB, start time.Time) *fixture {
	t.Helper()
	db := dbtest.New(t, slices.Concat(database.Schema, campaigns.Schema, reach.Schema, content.Schema, audit.Schema, Schema))
	ctx := context.Background()
	c := &clock{now: start}
	trail := audit.New(audit.NewStore(db), c.Now)
	cs := campaigns.NewService(campaigns.NewStore(db), trail, c.Now)
	if err := cs.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	// The demo campaign PCMD-2024 alone: its sample denominators are not needed.
	plan, err := campaigns.DemoCampaign()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CreateCampaign(ctx, loa.System, plan); err != nil {
		t.Fatal(err)
	}
	lib := content.NewService(content.NewStore(db), cs, trail, c.Now, content.Options{Zone: hcm, Hotline: "0235 111 222"})
	rs := reach.NewService(cs, reach.NewStore(db), trail, c.Now)
	f := &fixture{t: t, ctx: ctx, db: db, clock: c, cs: cs, rs: rs, lib: lib, trail: trail, store: NewStore(db)}
	f.s = f.service()
	return f
}

// service returns another scheduler on the fixture's database.
func (f *fixture) service() *Service {
	return NewService(NewStore(f.db), f.cs, f.rs, f.lib, f.trail, f.clock.Now, Options{Zone: hcm})
}

// process returns a scheduler as a new process has it on the fixture's database:
// its own client (without this one's locks or versions) and new services under
// it, with nothing in memory.
func (f *fixture) process() *Service {
	db := dbtest.Another(f.t, f.db)
	trail := audit.New(audit.NewStore(db), f.clock.Now)
	cs := campaigns.NewService(campaigns.NewStore(db), trail, f.clock.Now)
	lib := content.NewService(content.NewStore(db), cs, trail, f.clock.Now, content.Options{Zone: hcm, Hotline: "0235 111 222"})
	return NewService(NewStore(db), cs, reach.NewService(cs, reach.NewStore(db), trail, f.clock.Now), lib, trail, f.clock.Now, Options{Zone: hcm})
}

// station creates an active station broadcasting in vi.
func (f *fixture) station(code, channel, unit string) Station {
	f.t.Helper()
	st, err := f.s.CreateStation(f.ctx, loa.System, StationInput{Code: code, Name: "Trạm " + code, Channel: channel,
		OrgUnit: unit, Languages: []string{"vi"}, Audience: Audience{People: 1000, Source: "ước tính mẫu"}})
	if err != nil {
		f.t.Fatalf("CreateStation %s: %v", code, err)
	}
	return st
}

// message is a vi radio script for the general public of the demo campaign.
func message(kind, title string, tags ...string) content.Input {
	return content.Input{Message: content.Message{Kind: kind, Title: title, Body: "Nội dung " + title + ".",
		Groups: []string{"general_public"}, Campaigns: []string{demo}, Tags: tags, SlotSeconds: 120}}
}

// draft creates an item and leaves it a draft.
func (f *fixture) draft(in content.Input) string {
	f.t.Helper()
	it, err := f.lib.Create(f.ctx, writer, in)
	if err != nil {
		f.t.Fatalf("create content %q: %v", in.Title, err)
	}
	return it.ID
}

// approve takes a draft through submit and approval by another person.
func (f *fixture) approve(id string) {
	f.t.Helper()
	for _, step := range []string{content.ActionSubmit, content.ActionApprove} {
		if _, err := f.lib.Step(f.ctx, approver, id, step, ""); err != nil {
			f.t.Fatalf("%s %s: %v", step, id, err)
		}
	}
}

// approved creates an item and approves it.
func (f *fixture) approved(in content.Input) string {
	f.t.Helper()
	id := f.draft(in)
	f.approve(id)
	return id
}

// scripts creates n approved radio scripts tagged tag.
func (f *fixture) scripts(n int, tag string) []string {
	f.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = f.approved(message("radio_script", fmt.Sprintf("Tin %s %d", tag, i+1), tag))
	}
	return ids
}

// ruleInput is a rule of the demo campaign on explicit stations, 15 minutes long,
// starting 2024-01-01, with no end.
func ruleInput(rrule string, stations ...string) RuleInput {
	return RuleInput{Campaign: demo, Title: "Phát thanh " + rrule, Stations: StationSelector{Codes: stations},
		RRule: rrule, StartDate: "2024-01-01", DurationSeconds: 900}
}

// rule creates a rule as the system and fails the test on an error.
func (f *fixture) rule(in RuleInput) Saved {
	f.t.Helper()
	r, err := f.s.CreateRule(f.ctx, loa.System, in)
	if err != nil {
		f.t.Fatalf("CreateRule %q: %v", in.Title, err)
	}
	return r
}

// materialize runs Materialize at the clock's time.
func (f *fixture) materialize() Result {
	f.t.Helper()
	res, err := f.s.Materialize(f.ctx, f.clock.Now())
	if err != nil {
		f.t.Fatalf("Materialize at %s: %v", f.clock.Now(), err)
	}
	return res
}

// stored reads every airing from the database, by start then ID.
func (f *fixture) stored() []Airing {
	f.t.Helper()
	as, err := f.store.Airings(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	slices.SortFunc(as, compareAirings)
	return as
}

// count is how many airings the database holds, as its packs count them; each
// pack must hold as many distinct airings as it says.
func (f *fixture) count() int64 {
	f.t.Helper()
	packs, err := database.All[packDoc](f.ctx, f.db.Collection(packsColl), bson.D{}, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	var n int64
	for _, p := range packs {
		docs, err := p.unpack()
		if err != nil {
			f.t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, d := range docs {
			ids[d.ID] = true
		}
		if len(ids) != p.Count || len(docs) != p.Count {
			f.t.Errorf("pack %s counts %d airings and holds %d (%d distinct)", p.ID, p.Count, len(docs), len(ids))
		}
		n += int64(p.Count)
	}
	return n
}

// airingsVersion is the stored version of the airings.
func (f *fixture) airingsVersion() int64 {
	f.t.Helper()
	v, err := f.store.AiringsVersion(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// of keeps the airings of rule (all rules when empty) at station (all when empty).
func of(as []Airing, rule, station string) []Airing {
	return slices.DeleteFunc(slices.Clone(as), func(a Airing) bool {
		return (rule != "" && a.Rule != rule) || (station != "" && a.Station != station)
	})
}

// withStatus keeps the airings of status.
func withStatus(as []Airing, status string) []Airing {
	return slices.DeleteFunc(slices.Clone(as), func(a Airing) bool { return a.Status != status })
}

// overwrite stores a changed airing as a fixture (a station's pull or
// confirmation, which this package does not do itself).
func (f *fixture) overwrite(a Airing, change func(a *Airing)) Airing {
	f.t.Helper()
	change(&a)
	a.Rev++
	done, _, err := f.store.ReplaceAirings(f.ctx, []Airing{a})
	if err != nil || len(done) != 1 {
		f.t.Fatalf("overwrite airing %s: %d stored, %v", a.ID, len(done), err)
	}
	return a
}

// airing reads one airing through the service.
func (f *fixture) airing(id string) Airing {
	f.t.Helper()
	a, err := f.s.Airing(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// fieldErr returns the validation details of err, failing when it is not one.
func fieldErr(t *testing.T, err error) []loa.FieldError {
	t.Helper()
	var ve *loa.ValidationError
	if !errors.Is(err, loa.ErrInvalid) || !errors.As(err, &ve) {
		t.Fatalf("error %v, want a *campaigns.ValidationError matching ErrInvalid", err)
	}
	return ve.Details
}

// detail returns the message on field in details, and whether there is one.
func detail(details []loa.FieldError, field string) (string, bool) {
	i := slices.IndexFunc(details, func(d loa.FieldError) bool { return d.Field == field })
	if i < 0 {
		return "", false
	}
	return details[i].Message, true
}
