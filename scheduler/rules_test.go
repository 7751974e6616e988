package scheduler

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"loa"
)

const tuFr = "FREQ=WEEKLY;BYDAY=TU,FR;BYHOUR=6;BYMINUTE=30"

// Every bad rule named in the issue is refused with ErrInvalid and a detail on the
// field, and nothing is written.
func TestCreateRuleInvalid(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	tests := []struct {
		name    string
		change  func(in *RuleInput)
		field   string
		message string // a part of the detail's message
	}{
		{"invalid RRULE frequency", func(in *RuleInput) { in.RRule = "FREQ=FORTNIGHTLY;BYDAY=TU" }, "rrule", "FORTNIGHTLY"},
		{"invalid RRULE day", func(in *RuleInput) { in.RRule = "FREQ=WEEKLY;BYDAY=TX" }, "rrule", "TX"},
		{"RRULE more often than hourly", func(in *RuleInput) { in.RRule = "FREQ=MINUTELY;INTERVAL=30" }, "rrule", "hourly"},
		{"invalid cron", func(in *RuleInput) { in.RRule, in.Cron = "", "61 6 * * 2,5" }, "cron", "61"},
		{"cron with too few fields", func(in *RuleInput) { in.RRule, in.Cron = "", "30 6 *" }, "cron", "five fields"},
		{"both rrule and cron", func(in *RuleInput) { in.Cron = "30 6 * * 2,5" }, "rrule", "not both"},
		{"neither rrule nor cron", func(in *RuleInput) { in.RRule = "" }, "rrule", "RRULE"},
		{"until before startDate", func(in *RuleInput) { in.Until = date("2023-12-31") }, "until", "before startDate"},
		{"duration 0", func(in *RuleInput) { in.DurationSeconds = 0 }, "durationSeconds", "14400"},
		{"negative duration", func(in *RuleInput) { in.DurationSeconds = -60 }, "durationSeconds", "14400"},
		{"duration over 4 hours", func(in *RuleInput) { in.DurationSeconds = 4*3600 + 1 }, "durationSeconds", "4 hours"},
		{"occurrences overlapping themselves", func(in *RuleInput) { in.RRule = "FREQ=HOURLY;BYHOUR=6,7"; in.DurationSeconds = 2 * 3600 }, "durationSeconds", "overlap"},
		{"unknown station", func(in *RuleInput) { in.Stations.Codes = []string{"LOA-99999"} }, "stations[0]", "LOA-99999"},
		{"unknown channel", func(in *RuleInput) {
			in.Stations = StationSelector{Channel: "carrier_pigeon", Under: "49"}
		}, "stations.channel", "commune_loudspeaker"},
		{"unknown org unit", func(in *RuleInput) {
			in.Stations = StationSelector{Channel: "commune_loudspeaker", Under: "99999"}
		}, "stations.under", "99999"},
		{"codes and a channel", func(in *RuleInput) { in.Stations.Channel = "commune_loudspeaker" }, "stations", "not both"},
		{"unknown content", func(in *RuleInput) { in.Pool.Items = []string{"c-nope"} }, "pool.items[0]", "c-nope"},
		{"unknown campaign", func(in *RuleInput) { in.Campaign = "NOPE-2024" }, "campaign", "NOPE-2024"},
		{"unknown group", func(in *RuleInput) { in.Groups = []string{"tourists"} }, "groups[0]", "tourists"},
		{"unknown pool kind", func(in *RuleInput) { in.Pool.Kinds = []string{"podcast"} }, "pool.kinds[0]", "radio_script"},
		{"no title", func(in *RuleInput) { in.Title = " " }, "title", "title"},
		{"priority out of range", func(in *RuleInput) { in.Priority = 1001 }, "priority", "1000"},
		{"cron @every", func(in *RuleInput) { in.RRule, in.Cron = "", "@every 2h" }, "cron", "@every"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ruleInput(tuFr, "LOA-20551")
			tt.change(&in)
			_, err := f.s.CreateRule(f.ctx, loa.System, in)
			details := fieldErr(t, err)
			msg, ok := detail(details, tt.field)
			if !ok {
				t.Fatalf("CreateRule with %s: details %+v, want one on %s", tt.name, details, tt.field)
			}
			if !strings.Contains(msg, tt.message) {
				t.Errorf("CreateRule with %s: %s: %q, want it to mention %q", tt.name, tt.field, msg, tt.message)
			}
		})
	}
	if rules, err := f.s.Rules(f.ctx, RuleFilter{}); err != nil || len(rules) != 0 {
		t.Errorf("after refused rules: Rules() = %d rules, %v; want none", len(rules), err)
	}
	if stored, err := f.store.Rules(f.ctx); err != nil || len(stored) != 0 {
		t.Errorf("after refused rules: %d rules in the database, %v; want none", len(stored), err)
	}
	// The base input itself is fine: the failures above come from the changes.
	if _, err := f.s.CreateRule(f.ctx, loa.System, ruleInput(tuFr, "LOA-20551")); err != nil {
		t.Errorf("the valid base rule: %v", err)
	}
	// Four hours exactly is allowed.
	in := ruleInput("FREQ=WEEKLY;BYDAY=SU;BYHOUR=6", "LOA-20551")
	in.DurationSeconds = 4 * 3600
	if _, err := f.s.CreateRule(f.ctx, loa.System, in); err != nil {
		t.Errorf("a 4-hour rule: %v", err)
	}
}

// A pool that can never match is saved with a warning, not refused; one that only
// waits for an approval says so.
func TestRulePoolWarnings(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.draft(message("radio_script", "Bản nháp", "draft"))
	tests := []struct {
		name string
		pool Pool
		want string // warning code; "" for none about the pool
	}{
		{"no leaflet in the library", Pool{Kinds: []string{"leaflet"}}, "pool_never_matches"},
		{"a tag nothing has", Pool{Tags: []string{"no-such-tag"}}, "pool_never_matches"},
		{"only a draft fits", Pool{Tags: []string{"draft"}}, "pool_empty_now"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ruleInput([]string{"FREQ=WEEKLY;BYDAY=MO;BYHOUR=6", "FREQ=WEEKLY;BYDAY=WE;BYHOUR=6", "FREQ=WEEKLY;BYDAY=SA;BYHOUR=6"}[i], "LOA-20551")
			in.Pool = tt.pool
			saved, err := f.s.CreateRule(f.ctx, loa.System, in)
			if err != nil {
				t.Fatalf("CreateRule with pool %+v: %v, want it saved with a warning", tt.pool, err)
			}
			codes := []string{}
			for _, w := range saved.Warnings {
				codes = append(codes, w.Code)
			}
			if !slices.Contains(codes, tt.want) {
				t.Errorf("CreateRule with pool %+v: warnings %v, want %s", tt.pool, codes, tt.want)
			}
			if _, err := f.s.Rule(f.ctx, saved.ID); err != nil {
				t.Errorf("the rule with a warning was not stored: %v", err)
			}
		})
	}
	// Once an item fits and is approved, no pool warning.
	f.approved(message("radio_script", "Tin", "ok"))
	in := ruleInput("FREQ=WEEKLY;BYDAY=SU;BYHOUR=6", "LOA-20551")
	in.Pool = Pool{Tags: []string{"ok"}}
	saved := f.rule(in)
	for _, w := range saved.Warnings {
		if strings.HasPrefix(w.Code, "pool_") {
			t.Errorf("a pool with an approved item: warning %+v", w)
		}
	}
}

// Two rules at the same time on a shared station: equal priorities are refused
// with both occurrences; with different priorities the higher one keeps the slot
// and the check says which occurrences are displaced.
func TestRuleConflictsAndPriorities(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00")) // a Monday
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20554", "commune_loudspeaker", "20554")
	f.scripts(2, "x")
	a := f.rule(ruleInput(tuFr, "LOA-20551")) // 06:30-06:45 Tue, Fri

	// B on Fridays 06:40 at a shared station, same priority: refused.
	b := ruleInput("FREQ=WEEKLY;BYDAY=FR;BYHOUR=6;BYMINUTE=40", "LOA-20551", "LOA-20554")
	_, err := f.s.CreateRule(f.ctx, loa.System, b)
	var ce *ConflictError
	if !errors.Is(err, loa.ErrConflict) || !errors.As(err, &ce) {
		t.Fatalf("an overlapping rule of equal priority: %v, want a *ConflictError matching ErrConflict", err)
	}
	if ce.Total < 50 || len(ce.Conflicts) == 0 {
		t.Fatalf("ConflictError lists %d of %d overlaps, want a year of Fridays", len(ce.Conflicts), ce.Total)
	}
	c := ce.Conflicts[0]
	if c.Rule != a.ID || c.Displaced != "" || !slices.Equal(c.Stations, []string{"LOA-20551"}) || c.StationCount != 1 {
		t.Errorf("first conflict = %+v, want rule %s on LOA-20551, nobody displaced", c, a.ID)
	}
	if c.Occurrence.Start.Format(timeLayout) != "2024-03-08T06:40:00+07:00" || c.Other.Start.Format(timeLayout) != "2024-03-08T06:30:00+07:00" ||
		c.Other.End.Format(timeLayout) != "2024-03-08T06:45:00+07:00" {
		t.Errorf("first conflict: this %s, other %s-%s; want 06:40 against 06:30-06:45 on 2024-03-08",
			c.Occurrence.Start.Format(timeLayout), c.Other.Start.Format(timeLayout), c.Other.End.Format(timeLayout))
	}
	if rules, _ := f.s.Rules(f.ctx, RuleFilter{}); len(rules) != 1 {
		t.Errorf("after the refused rule: %d rules, want 1", len(rules))
	}

	// The preview shows the same conflicts without refusing or saving.
	p, err := f.s.PreviewRule(f.ctx, loa.System, b, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.Conflicts.Total != ce.Total || p.Conflicts.Refused != ce.Total || len(p.Conflicts.List) == 0 || !sameConflict(p.Conflicts.List[0], ce.Conflicts[0]) {
		t.Errorf("preview conflicts = total %d refused %d first %+v; want those of the refusal (%d, %+v)",
			p.Conflicts.Total, p.Conflicts.Refused, p.Conflicts.List, ce.Total, ce.Conflicts[0])
	}
	if p.StationCount != 2 || !slices.Equal(p.Stations, []string{"LOA-20551", "LOA-20554"}) {
		t.Errorf("preview stations = %v (%d)", p.Stations, p.StationCount)
	}
	raw, err := json.Marshal(p.Occurrences)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"start":"2024-03-08T06:40:00+07:00","end":"2024-03-08T06:55:00+07:00","startUtc":"2024-03-07T23:40:00Z","endUtc":"2024-03-07T23:55:00Z"`,
		`"start":"2024-03-22T06:40:00+07:00"`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("preview occurrences %s, want %s", raw, want)
		}
	}
	if len(p.Occurrences) != 3 {
		t.Errorf("preview of 3: %d occurrences", len(p.Occurrences))
	}
	if rules, _ := f.s.Rules(f.ctx, RuleFilter{}); len(rules) != 1 {
		t.Errorf("after a preview: %d rules, want 1", len(rules))
	}

	// With a higher priority B is saved and says A's occurrences are displaced.
	b.Priority = 5
	savedB, err := f.s.CreateRule(f.ctx, loa.System, b)
	if err != nil {
		t.Fatalf("the higher-priority rule: %v", err)
	}
	if savedB.Conflicts.Total != ce.Total || savedB.Conflicts.Displaced != 0 || savedB.Conflicts.Refused != 0 {
		t.Errorf("B's conflicts: total %d displaced %d refused %d; want %d, 0, 0", savedB.Conflicts.Total, savedB.Conflicts.Displaced,
			savedB.Conflicts.Refused, ce.Total)
	}
	for _, c := range savedB.Conflicts.List {
		if c.Displaced != "other" || c.Rule != a.ID {
			t.Errorf("B's conflict %+v, want A's occurrence displaced (other)", c)
			break
		}
	}

	// C on Tuesdays 06:35 with a lower priority than A: saved, its own occurrences
	// displaced.
	cIn := ruleInput("FREQ=WEEKLY;BYDAY=TU;BYHOUR=6;BYMINUTE=35", "LOA-20551")
	cIn.Priority = -1
	savedC, err := f.s.CreateRule(f.ctx, loa.System, cIn)
	if err != nil {
		t.Fatalf("the lower-priority rule: %v", err)
	}
	if savedC.Conflicts.Displaced != savedC.Conflicts.Total || savedC.Conflicts.Total < 50 {
		t.Errorf("C's conflicts: total %d displaced %d; want a year of Tuesdays, all displaced", savedC.Conflicts.Total, savedC.Conflicts.Displaced)
	}
	if len(savedC.Conflicts.List) == 0 || savedC.Conflicts.List[0].Displaced != "this" || savedC.Conflicts.List[0].Rule != a.ID {
		t.Errorf("C's first conflict %+v, want its own occurrence displaced by %s", savedC.Conflicts.List, a.ID)
	}

	// Materialised: the lower rule's overlapping airings are cancelled as displaced
	// by the higher one; the others stand.
	f.materialize()
	all := f.stored()
	if len(all) == 0 {
		t.Fatal("nothing materialised")
	}
	for _, x := range all {
		isFriday := x.Slot.In(hcm).Weekday() == 5
		var wantStatus, wantBy string
		switch {
		case x.Rule == a.ID && isFriday:
			wantStatus, wantBy = StatusCancelled, savedB.ID
		case x.Rule == savedC.ID:
			wantStatus, wantBy = StatusCancelled, a.ID
		default:
			wantStatus = StatusPlanned
		}
		if x.Status != wantStatus || x.DisplacedBy != wantBy || (wantBy != "" && x.Reason != ReasonDisplaced) {
			t.Errorf("airing %s: %s reason %q by %q; want %s by %q", x.ID, x.Status, x.Reason, x.DisplacedBy, wantStatus, wantBy)
		}
	}
	if n := len(of(all, savedB.ID, "LOA-20554")); n == 0 {
		t.Errorf("B placed nothing on its unshared station")
	}
	// Updating A to overlap B at equal priority is refused too, and A stays.
	up := ruleInput(tuFr, "LOA-20551")
	up.Priority = 5
	if _, err := f.s.UpdateRule(f.ctx, loa.System, a.ID, up); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("raising A to B's priority: %v, want ErrConflict", err)
	}
	if r, _ := f.s.Rule(f.ctx, a.ID); r.Priority != 0 || r.Version != 1 {
		t.Errorf("after a refused update A is priority %d version %d", r.Priority, r.Version)
	}
}

const timeLayout = "2006-01-02T15:04:05Z07:00"

func sameConflict(a, b Conflict) bool {
	return a.Rule == b.Rule && a.Occurrence.Start.Equal(b.Occurrence.Start) && a.Other.Start.Equal(b.Other.Start) &&
		slices.Equal(a.Stations, b.Stations) && a.Displaced == b.Displaced
}

func TestPreviewRule(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	p, err := f.s.PreviewRule(f.ctx, loa.System, ruleInput(tuFr, "LOA-20551"), 4)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range p.Occurrences {
		got = append(got, o.Start.Format(timeLayout)+" "+o.Start.UTC().Format(timeLayout)+" "+o.End.Format("15:04"))
	}
	want := []string{
		"2024-03-05T06:30:00+07:00 2024-03-04T23:30:00Z 06:45",
		"2024-03-08T06:30:00+07:00 2024-03-07T23:30:00Z 06:45",
		"2024-03-12T06:30:00+07:00 2024-03-11T23:30:00Z 06:45",
		"2024-03-15T06:30:00+07:00 2024-03-14T23:30:00Z 06:45",
	}
	if !slices.Equal(got, want) {
		t.Errorf("PreviewRule(4) =\n%v, want\n%v", got, want)
	}
	if p.Conflicts.Total != 0 {
		t.Errorf("a rule alone has conflicts %+v", p.Conflicts)
	}
	for _, n := range []int{0, -1, MaxPreview + 1} {
		if _, err := f.s.PreviewRule(f.ctx, loa.System, ruleInput(tuFr, "LOA-20551"), n); !errors.Is(err, loa.ErrInvalid) {
			t.Errorf("PreviewRule(%d): %v, want ErrInvalid", n, err)
		}
	}
	// A bad rule previews as a bad rule.
	in := ruleInput("FREQ=NEVER", "LOA-20551")
	if _, err := f.s.PreviewRule(f.ctx, loa.System, in, 3); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("PreviewRule of an invalid RRULE: %v, want ErrInvalid", err)
	}
	// A rule that ended previews no occurrence rather than looping.
	in = ruleInput(tuFr, "LOA-20551")
	in.Until = date("2024-02-01")
	if p, err := f.s.PreviewRule(f.ctx, loa.System, in, 5); err != nil || len(p.Occurrences) != 0 {
		t.Errorf("PreviewRule of an ended rule = %d occurrences, %v; want none", len(p.Occurrences), err)
	}
	if rules, _ := f.s.Rules(f.ctx, RuleFilter{}); len(rules) != 0 {
		t.Errorf("previews stored %d rules", len(rules))
	}
}

// Planners act within their scope: stations and rules outside it are refused.
func TestRuleAndStationScope(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	dienBan := loa.Actor{Username: "planner-507", Scope: "507"}
	if _, err := f.s.CreateStation(f.ctx, dienBan, StationInput{Code: "LOA-20437", Name: "Loa Ch'ơm", Channel: "commune_loudspeaker",
		OrgUnit: "20437", Languages: []string{"vi"}}); !errors.Is(err, loa.ErrOutsideScope) {
		t.Errorf("a Điện Bàn planner creating a Tây Giang station: %v, want ErrOutsideScope", err)
	}
	if _, err := f.s.CreateStation(f.ctx, dienBan, StationInput{Code: "LOA-20551", Name: "Loa Vĩnh Điện", Channel: "commune_loudspeaker",
		OrgUnit: "20551", Languages: []string{"vi"}}); err != nil {
		t.Fatalf("a Điện Bàn planner creating a Điện Bàn station: %v", err)
	}
	f.station("LOA-20437", "commune_loudspeaker", "20437")
	tests := []struct {
		name string
		sel  StationSelector
		ok   bool
	}{
		{"own station", StationSelector{Codes: []string{"LOA-20551"}}, true},
		{"a station of another district", StationSelector{Codes: []string{"LOA-20551", "LOA-20437"}}, false},
		{"own subtree", StationSelector{Channel: "commune_loudspeaker", Under: "507"}, true},
		{"the whole province", StationSelector{Channel: "commune_loudspeaker", Under: "49"}, false},
	}
	for i, tt := range tests {
		in := ruleInput([]string{"FREQ=WEEKLY;BYDAY=MO;BYHOUR=6", "FREQ=WEEKLY;BYDAY=TU;BYHOUR=6",
			"FREQ=WEEKLY;BYDAY=WE;BYHOUR=6", "FREQ=WEEKLY;BYDAY=TH;BYHOUR=6"}[i])
		in.Stations = tt.sel
		_, err := f.s.CreateRule(f.ctx, dienBan, in)
		if tt.ok && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, loa.ErrOutsideScope) {
			t.Errorf("%s: %v, want ErrOutsideScope", tt.name, err)
		}
	}
	if rules, _ := f.s.Rules(f.ctx, RuleFilter{}); len(rules) != 2 {
		t.Errorf("%d rules stored, want the 2 in scope", len(rules))
	}
}

func TestPoolEmptyOnTheRulesDays(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	in := message("radio_script", "Tin tháng Ba", "x")
	to := loa.Date("2024-03-31")
	in.ValidTo = &to
	f.approved(in)
	for _, tc := range []struct {
		start string
		want  bool
	}{{"2024-03-05", false}, {"2024-04-01", true}} {
		r := ruleInput(tuFr, "LOA-20551")
		r.Title, r.StartDate, r.Active = "Từ "+tc.start, loa.Date(tc.start), ptr(false) // inactive: no overlap between the two
		until := loa.Date("2024-12-31")
		r.Until = &until
		saved := f.rule(r)
		got := slices.ContainsFunc(saved.Warnings, func(w Warning) bool { return w.Code == "pool_empty_now" })
		if got != tc.want {
			t.Errorf("a rule from %s: pool_empty_now %v, want %v (warnings %+v)", tc.start, got, tc.want, saved.Warnings)
		}
	}
}

// A change of a saved rule is previewed against the others, not against itself;
// a new rule at the same time is an overlap. Airings list by rule.
func TestPreviewRuleChange(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	saved := f.rule(ruleInput(tuFr, "LOA-20551"))
	in := ruleInput(tuFr, "LOA-20551")
	in.Title = "Đổi tên"
	p, err := f.s.PreviewRuleChange(f.ctx, loa.System, saved.ID, in, 3)
	if err != nil || p.Conflicts.Total != 0 || len(p.Occurrences) != 3 {
		t.Errorf("PreviewRuleChange of the rule itself = %d conflicts, %d occurrences, %v; want none, 3", p.Conflicts.Total, len(p.Occurrences), err)
	}
	if p, err := f.s.PreviewRule(f.ctx, loa.System, in, 3); err != nil || p.Conflicts.Refused == 0 {
		t.Errorf("PreviewRule of a copy = %+v, %v; want refused overlaps", p.Conflicts, err)
	}
	if _, err := f.s.PreviewRuleChange(f.ctx, loa.System, "r-nope", in, 3); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("PreviewRuleChange of an unknown rule: %v, want ErrNotFound", err)
	}
	other := f.rule(ruleInput("FREQ=WEEKLY;BYDAY=WE;BYHOUR=9", "LOA-20551"))
	if _, err := f.s.Materialize(f.ctx, local("2024-03-04 08:00")); err != nil {
		t.Fatal(err)
	}
	for _, r := range []Saved{saved, other} {
		as, err := f.s.Airings(f.ctx, AiringFilter{Rule: r.ID, From: local("2024-03-04 00:00"), To: local("2024-03-18 00:00")})
		if err != nil || len(as) != map[string]int{saved.ID: 4, other.ID: 2}[r.ID] {
			t.Errorf("Airings of rule %s: %d, %v", r.Title, len(as), err)
		}
		for _, a := range as {
			if a.Rule != r.ID {
				t.Errorf("Airings of rule %s lists one of %s", r.ID, a.Rule)
			}
		}
	}
}
