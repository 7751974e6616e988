package scheduler

import (
	"slices"
	"testing"

	"loa"
	"loa/campaigns"
)

func TestGaps(t *testing.T) {
	f, _ := pressFixture(t) // press items in March, April (rule) and June (one-off); clock 10 March
	// Two loudspeakers materialised since 20 February: LOA-20557 never confirms,
	// LOA-20560 confirmed on 8 March.
	f.clock.Set(local("2024-02-20 08:00"))
	f.station("LOA-20557", "commune_loudspeaker", "20557")
	f.station("LOA-20560", "commune_loudspeaker", "20560")
	f.scripts(2, "x")
	f.rule(ruleInput(tuFr, "LOA-20557", "LOA-20560"))
	f.materialize()
	f.clock.Set(local("2024-03-10 08:00"))
	confirmed := of(f.stored(), "", "LOA-20560")[4] // 8 March
	if !confirmed.Start.Equal(local("2024-03-08 06:30")) {
		t.Fatalf("fixture: airing %s starts %s, want 8 March", confirmed.ID, confirmed.Start.In(hcm))
	}
	f.overwrite(confirmed, func(a *Airing) {
		at := local("2024-03-08 07:00").UTC()
		a.Status, a.ConfirmedAt = StatusAired, &at
	})
	// LOA-20551 plans broadcasts with content; LOA-20554 only slots without any.
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20554", "commune_loudspeaker", "20554")
	f.rule(ruleInput("FREQ=WEEKLY;BYDAY=WE;BYHOUR=18", "LOA-20551"))
	empty := ruleInput("FREQ=WEEKLY;BYDAY=WE;BYHOUR=18", "LOA-20554")
	empty.Pool = Pool{Tags: []string{"nothing"}}
	emptyRule := f.rule(empty)
	f.materialize()

	g, err := f.s.Gaps(f.ctx, loa.System, demo, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if g.AsOf != "2024-03-10" || g.Level != "commune" || g.HalfYear != (campaigns.Period{Start: "2024-01-01", End: "2024-06-30"}) {
		t.Errorf("Gaps as of %s, level %s, half-year %+v", g.AsOf, g.Level, g.HalfYear)
	}
	// Press: March and April have the rule's items, June the placement; the months
	// beyond the horizon are planned by the rule's occurrences (issue 16).
	if want := []string{}; !slices.Equal(g.PressMonths, want) {
		t.Errorf("PressMonths = %v, want %v", g.PressMonths, want)
	}
	// Communes: those with planned broadcasts are active; LOA-20554 has only
	// slots without content, so its commune is idle.
	communes, err := f.cs.OrgUnits(f.ctx, campaigns.OrgUnitFilter{Level: "commune"})
	if err != nil {
		t.Fatal(err)
	}
	if g.UnitsTotal != len(communes) || len(g.IdleUnits) != len(communes)-3 {
		t.Errorf("%d of %d communes idle, want %d of %d", len(g.IdleUnits), g.UnitsTotal, len(communes)-3, len(communes))
	}
	idle := map[string]bool{}
	for _, u := range g.IdleUnits {
		idle[u.Code] = true
	}
	for code, want := range map[string]bool{"20551": false, "20557": false, "20560": false, "20554": true, "20437": true} {
		if idle[code] != want {
			t.Errorf("commune %s idle = %v, want %v", code, idle[code], want)
		}
	}
	// The slots without content, from today to the horizon: Wednesdays 13 March
	// to 10 April.
	if g.NoContentTotal != 5 || len(g.NoContent) != 5 {
		t.Errorf("NoContent = %d listed of %d, want 5", len(g.NoContent), g.NoContentTotal)
	}
	for _, a := range g.NoContent {
		if a.Rule != emptyRule.ID || a.Status != StatusNoContent {
			t.Errorf("NoContent lists %s (%s)", a.ID, a.Status)
		}
	}
	// Silent: LOA-20557 has airings of 23, 27 February and 1 March ended over a
	// week ago and nothing confirmed; LOA-20560 confirmed on 8 March.
	if len(g.Silent) != 1 || g.Silent[0].Station != "LOA-20557" || g.Silent[0].Unconfirmed != 3 || g.Silent[0].LastConfirmedAt != nil {
		t.Errorf("Silent = %+v, want LOA-20557 with 3 unconfirmed airings and no confirmation", g.Silent)
	}

	// A week on, LOA-20560's last confirmation is over 7 days old: silent too.
	g, err = f.s.Gaps(f.ctx, loa.System, demo, local("2024-03-16 08:00"))
	if err != nil {
		t.Fatal(err)
	}
	silent := map[string]SilentStation{}
	for _, s := range g.Silent {
		silent[s.Station] = s
	}
	if s, ok := silent["LOA-20560"]; !ok || s.LastConfirmedAt == nil || !s.LastConfirmedAt.Equal(local("2024-03-08 07:00")) {
		t.Errorf("as of 16 March, LOA-20560 = %+v (%v), want silent since its confirmation on 8 March", s, ok)
	}
	if _, ok := silent["LOA-20557"]; !ok {
		t.Errorf("as of 16 March, LOA-20557 is no longer silent: %+v", g.Silent)
	}
	if _, ok := silent["BQN"]; ok {
		t.Errorf("the newspaper, which publishes rather than confirms, is listed silent")
	}

	// Scoped to Tây Giang: only its communes, all idle, and none of the stations.
	g, err = f.s.Gaps(f.ctx, loa.Actor{Scope: "504"}, demo, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	tayGiang, _ := f.cs.OrgUnits(f.ctx, campaigns.OrgUnitFilter{Level: "commune", Parent: "504"})
	if len(tayGiang) == 0 || g.UnitsTotal != len(tayGiang) || len(g.IdleUnits) != len(tayGiang) || len(g.Silent) != 0 || g.NoContentTotal != 0 {
		t.Errorf("Gaps in 504: %d of %d idle (want all %d), %d silent, %d without content", len(g.IdleUnits), g.UnitsTotal,
			len(tayGiang), len(g.Silent), g.NoContentTotal)
	}
	if _, err := f.s.Gaps(f.ctx, loa.System, "NOPE-2024", f.clock.Now()); err == nil {
		t.Errorf("Gaps of an unknown campaign: no error")
	}
}

// Planned or delivered broadcasts whose end plus the grace period passed without
// a confirmation become unconfirmed; press items and confirmed airings do not.
func TestMarkUnconfirmed(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20554", "commune_loudspeaker", "20554")
	f.station("LOA-20557", "commune_loudspeaker", "20557")
	f.station("BQN", ChannelPress, "49")
	f.scripts(2, "x")
	f.approved(message("article", "Bài báo"))
	f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20554", "LOA-20557", "BQN"))
	f.materialize()
	on5 := func(code string) Airing {
		for _, a := range of(f.stored(), "", code) {
			if a.Start.Equal(local("2024-03-05 06:30")) {
				return a
			}
		}
		t.Fatalf("no airing of %s on 5 March", code)
		return Airing{}
	}
	f.overwrite(on5("LOA-20554"), func(a *Airing) { a.Status = StatusDelivered })
	f.overwrite(on5("LOA-20557"), func(a *Airing) {
		at := local("2024-03-05 06:50").UTC()
		a.Status, a.ConfirmedAt = StatusAired, &at
	})

	// 06:30-06:45 with 2 hours' grace: not yet at 08:44.
	if n, err := f.s.MarkUnconfirmed(f.ctx, local("2024-03-05 08:44")); err != nil || n != 0 {
		t.Errorf("MarkUnconfirmed at 08:44 = %d, %v; want 0 (grace until 08:45)", n, err)
	}
	n, err := f.s.MarkUnconfirmed(f.ctx, local("2024-03-05 09:00"))
	if err != nil || n != 2 {
		t.Errorf("MarkUnconfirmed at 09:00 = %d, %v; want 2 (the planned and the delivered broadcast)", n, err)
	}
	want := map[string]string{"LOA-20551": StatusUnconfirmed, "LOA-20554": StatusUnconfirmed, "LOA-20557": StatusAired, "BQN": StatusPlanned}
	for code, status := range want {
		if a := on5(code); a.Status != status {
			t.Errorf("%s on 5 March: %s, want %s", code, a.Status, status)
		}
	}
	if later := withStatus(f.stored(), StatusUnconfirmed); len(later) != 2 {
		t.Errorf("%d airings unconfirmed, want only the two of 5 March", len(later))
	}
	// Again: nothing more.
	v := f.airingsVersion()
	if n, err := f.s.MarkUnconfirmed(f.ctx, local("2024-03-05 09:15")); err != nil || n != 0 || f.airingsVersion() != v {
		t.Errorf("MarkUnconfirmed again = %d, %v; want 0 and nothing written", n, err)
	}
	// Materialising later leaves them as they are.
	f.clock.Set(local("2024-03-05 10:00"))
	f.materialize()
	if a := on5("LOA-20551"); a.Status != StatusUnconfirmed {
		t.Errorf("after materialising, 5 March at LOA-20551 is %s", a.Status)
	}
}

func TestRunningGaps(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	running, err := f.s.RunningGaps(f.ctx, f.clock.Now())
	if err != nil || len(running) != 1 || running[0].Campaign != demo || running[0].Empty() {
		t.Errorf("gaps of the campaigns running in March 2024: %+v, %v; want PCMD-2024's, with gaps", running, err)
	}
	after, err := f.s.RunningGaps(f.ctx, local("2025-02-01 08:00"))
	if err != nil || len(after) != 0 {
		t.Errorf("after the campaign ended: %d reports, %v; want none", len(after), err)
	}
}
