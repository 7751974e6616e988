package scheduler

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"loa"
	"loa/app/audit"
	"loa/campaigns/reach"
)

// feedFixture is two commune stations with a Tuesday/Friday rule from Monday 4 March
// 2024 and three approved scripts, materialised at 08:00 that Monday.
func feedFixture(t *testing.T) *fixture {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20437", "commune_loudspeaker", "20437")
	f.scripts(3, "x")
	f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20437"))
	f.materialize()
	return f
}

// stationActor is the account a station confirms as.
var stationActor = loa.Actor{Username: "station-loa-20551", Scope: "20551"}

func (f *fixture) feed(station string) Feed {
	f.t.Helper()
	feed, err := f.s.StationFeed(f.ctx, station, time.Time{}, time.Time{})
	if err != nil {
		f.t.Fatal(err)
	}
	return feed
}

func TestStationFeed(t *testing.T) {
	f := feedFixture(t)
	first := f.feed("LOA-20551")
	// The next 7 days from Monday 4 March 08:00 hold Tuesday 5 and Friday 8 at 06:30.
	if len(first.Items) != 2 {
		t.Fatalf("feed has %d items, want 2 (5 and 8 March)", len(first.Items))
	}
	for _, it := range first.Items {
		if !strings.Contains(it.AiringID, ".LOA-20551.") || it.Status != StatusDelivered || it.Script == "" || it.ReadSeconds <= 0 ||
			len(it.ContentHash) != 64 || !it.StartUTC.Equal(it.Start) || it.Start.Location().String() != "Asia/Ho_Chi_Minh" {
			t.Errorf("item %+v", it)
		}
	}
	// The first pull recorded the deliveries; an identical pull has the same version.
	if a := f.airing(first.Items[0].AiringID); a.Status != StatusDelivered || a.DeliveredAt == nil {
		t.Errorf("after the first pull the airing is %s, delivered at %v", a.Status, a.DeliveredAt)
	}
	again := f.feed("LOA-20551")
	if again.Version != first.Version {
		t.Errorf("version moved between identical pulls: %s, %s", first.Version, again.Version)
	}
	// A change at another station leaves this one's version alone.
	f.feed("LOA-20437")
	if f.feed("LOA-20551").Version != first.Version {
		t.Error("another station's pull changed this station's version")
	}

	// A new approved version of an item reaches the next pull after materialising.
	item := first.Items[0].Content
	edited := message("radio_script", "Tin x sửa", "x")
	edited.Body = "Nội dung mới cho {{.Station}}."
	if _, err := f.lib.Update(f.ctx, writer, item, edited); err != nil {
		t.Fatal(err)
	}
	if f.feed("LOA-20551").Version != first.Version {
		t.Error("a draft changed the feed: only approved words go on air")
	}
	f.approve(item)
	f.materialize()
	changed := f.feed("LOA-20551")
	if changed.Version == first.Version || changed.Items[0].ContentVersion != 2 || changed.Items[0].Script != "Nội dung mới cho Trạm LOA-20551." {
		t.Errorf("after approving version 2: %+v", changed.Items[0])
	}

	// A pulled airing cancelled by hand leaves the next pull.
	cancelled, err := f.s.ChangeAiring(f.ctx, planner, changed.Items[1].AiringID, AiringChange{Status: ptr(StatusCancelled)})
	if err != nil || cancelled.Status != StatusCancelled || cancelled.DeliveredAt != nil {
		t.Fatalf("cancelling a pulled airing = %+v, %v", cancelled, err)
	}
	after := f.feed("LOA-20551")
	if after.Version == changed.Version || len(after.Items) != 1 || after.Items[0].AiringID == cancelled.ID {
		t.Errorf("after cancelling: %d items, version moved %v", len(after.Items), after.Version != changed.Version)
	}
	// A moved one goes back to planned and the next pull delivers it again.
	moved, err := f.s.ChangeAiring(f.ctx, planner, after.Items[0].AiringID, AiringChange{Start: ptr(local("2024-03-05 09:00"))})
	if err != nil || moved.Status != StatusPlanned || moved.DeliveredAt != nil {
		t.Fatalf("moving a pulled airing = %+v, %v", moved, err)
	}
	if again := f.feed("LOA-20551"); again.Version == after.Version || !again.Items[0].Start.Equal(local("2024-03-05 09:00")) || again.Items[0].Status != StatusDelivered {
		t.Errorf("after moving: %+v", again.Items)
	}
}

func TestStationFeedWindow(t *testing.T) {
	f := feedFixture(t)
	for _, tc := range []struct {
		name     string
		from, to time.Time
	}{
		{"from after to", local("2024-03-10 00:00"), local("2024-03-09 00:00")},
		{"over 31 days", local("2024-03-01 00:00"), local("2024-04-02 00:00")},
	} {
		if _, err := f.s.StationFeed(f.ctx, "LOA-20551", tc.from, tc.to); !errors.Is(err, loa.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
		}
	}
	if got := withStatus(f.stored(), StatusDelivered); len(got) != 0 {
		t.Errorf("refused windows delivered %d airings", len(got))
	}
}

func TestConfirm(t *testing.T) {
	f := feedFixture(t)
	f.feed("LOA-20551")
	tue := of(f.stored(), "", "LOA-20551")[0]
	c := Confirmation{AiringID: tue.ID, Status: StatusAired, At: local("2024-03-05 06:31")}

	// Before it starts: refused.
	early := c
	early.At = f.clock.Now()
	if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", early); !errors.Is(err, loa.ErrNotStarted) {
		t.Errorf("confirming before the start: %v, want ErrNotStarted", err)
	}
	f.clock.Set(local("2024-03-05 07:00"))
	// Another station's airing: forbidden.
	if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20437", c); !errors.Is(err, loa.ErrForbidden) {
		t.Errorf("another station confirming: %v, want ErrForbidden", err)
	}
	for _, bad := range []Confirmation{
		{AiringID: tue.ID, Status: StatusPlanned, At: c.At},
		{AiringID: tue.ID, Status: StatusAired, At: local("2024-03-05 08:00")},
		{AiringID: tue.ID, Status: StatusAired},
	} {
		if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", bad); !errors.Is(err, loa.ErrInvalid) {
			t.Errorf("confirmation %+v: %v, want ErrInvalid", bad, err)
		}
	}
	if got := f.airing(tue.ID); got.Status != StatusDelivered {
		t.Fatalf("refused confirmations changed the airing to %s", got.Status)
	}

	a, changed, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", c)
	if err != nil || !changed || a.Status != StatusAired || a.Late || !a.ConfirmedAt.Equal(c.At) {
		t.Fatalf("Confirm = %+v, %v, %v", a, changed, err)
	}
	v := f.airingsVersion()
	if _, changed, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", c); err != nil || changed || f.airingsVersion() != v {
		t.Errorf("the same confirmation again: changed %v, %v, version %d → %d; want nothing written", changed, err, v, f.airingsVersion())
	}
	key := reach.ReachKey(f.s.reachOf(a, f.stationOf("LOA-20551")))
	rec, err := f.rs.ReachRecord(f.ctx, loa.System, key)
	if err != nil || rec.Activities != 1 || rec.PersonTimes != 1000 || !rec.Estimated || rec.Group != "general_public" ||
		rec.OrgUnit != "20551" || rec.Date != "2024-03-05" || rec.Activity != reach.ActivityBroadcast || rec.UniquePersons != nil {
		t.Errorf("reach of the aired broadcast = %+v, %v", rec, err)
	}
	// Changed to missed: the reach is taken back.
	if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", Confirmation{AiringID: tue.ID, Status: StatusMissed, At: c.At, Note: "mất điện"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rs.ReachRecord(f.ctx, loa.System, key); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("after missed, the reach record: %v, want none", err)
	}

	// Days late: accepted and marked late.
	f.clock.Set(local("2024-03-11 09:00"))
	fri := of(f.stored(), "", "LOA-20551")[1]
	a, _, err = f.s.Confirm(f.ctx, stationActor, "LOA-20551", Confirmation{AiringID: fri.ID, Status: StatusAired, At: local("2024-03-08 06:30")})
	if err != nil || !a.Late {
		t.Errorf("a confirmation three days late = %+v, %v; want accepted and late", a, err)
	}
}

func (f *fixture) stationOf(code string) Station {
	f.t.Helper()
	st, err := f.s.Station(f.ctx, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func TestConfirmBatch(t *testing.T) {
	f := feedFixture(t)
	f.clock.Set(local("2024-03-09 12:00"))
	mine := of(f.stored(), "", "LOA-20551")
	theirs := of(f.stored(), "", "LOA-20437")
	batch := []Confirmation{
		{ClientID: "q1", AiringID: mine[0].ID, Status: StatusAired, At: local("2024-03-05 06:30")},
		{ClientID: "q1", AiringID: mine[1].ID, Status: StatusAired, At: local("2024-03-08 06:30")}, // repeated clientId
		{ClientID: "q2", AiringID: theirs[0].ID, Status: StatusAired, At: local("2024-03-05 06:30")},
		{ClientID: "q3", AiringID: "nope", Status: StatusAired, At: local("2024-03-05 06:30")},
		{ClientID: "q4", AiringID: mine[1].ID, Status: "played", At: local("2024-03-08 06:30")},
		{ClientID: "q5", AiringID: mine[2].ID, Status: StatusAired, At: local("2024-03-09 12:00")}, // 12 March: not started
		{ClientID: "q6", AiringID: mine[1].ID, Status: StatusMissed, At: local("2024-03-08 06:30")},
		{ClientID: "", AiringID: mine[1].ID, Status: StatusMissed, At: local("2024-03-08 06:30")},
	}
	sum, err := f.s.ConfirmBatch(f.ctx, stationActor, "LOA-20551", batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"recorded:", "duplicate:", "rejected:forbidden", "rejected:not_found", "rejected:invalid", "rejected:not_started", "recorded:", "rejected:invalid"}
	for i, r := range sum.Results {
		if got := r.Outcome + ":" + r.Code; got != want[i] {
			t.Errorf("entry %d: %s (%s), want %s", i, got, r.Message, want[i])
		}
	}
	if sum.Received != 8 || sum.Recorded != 2 || sum.Duplicates != 1 || sum.Rejected != 5 {
		t.Errorf("summary %+v", sum)
	}
	// The same queue uploaded again: every accepted entry is a duplicate.
	v := f.airingsVersion()
	again, err := f.s.ConfirmBatch(f.ctx, stationActor, "LOA-20551", batch[:2])
	if err != nil || again.Duplicates != 2 || f.airingsVersion() != v {
		t.Errorf("re-upload: %+v, %v; version %d → %d", again, err, v, f.airingsVersion())
	}
	// A rejected entry is not spent: sent again once the airing has started, it counts.
	f.clock.Set(local("2024-03-12 07:00"))
	retry, err := f.s.ConfirmBatch(f.ctx, stationActor, "LOA-20551", []Confirmation{{ClientID: "q5", AiringID: mine[2].ID, Status: StatusAired, At: local("2024-03-12 06:30")}})
	if err != nil || retry.Recorded != 1 {
		t.Errorf("q5 sent again after the start: %+v, %v; want recorded", retry, err)
	}
	if _, err := f.s.ConfirmBatch(f.ctx, stationActor, "LOA-20551", make([]Confirmation, MaxBatch+1)); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("a batch of %d: %v, want ErrInvalid", MaxBatch+1, err)
	}
}

func TestAsRun(t *testing.T) {
	f := feedFixture(t)
	f.feed("LOA-20551") // delivers 5 and 8 March at LOA-20551
	f.clock.Set(local("2024-03-20 12:00"))
	mine := of(f.stored(), "", "LOA-20551")
	for i, status := range []string{StatusAired, StatusMissed} {
		if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", Confirmation{AiringID: mine[i].ID, Status: status, At: mine[i].Start}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.MarkUnconfirmed(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	month, _ := f.s.ParseMonth("2024-03")
	// March from 5 March: 5, 8, 12, 15, 19, 22, 26, 29 at each station; by the 20th
	// 12, 15 and 19 ended unconfirmed at LOA-20551, and 5–19 at LOA-20437.
	r, err := f.s.CampaignAsRun(f.ctx, planner, demo, "", month)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Tally{
		"LOA-20551": {Planned: 8, Delivered: 2, Aired: 1, Missed: 1, Unconfirmed: 3, Late: 2}, // confirmed on the 20th
		"LOA-20437": {Planned: 8, Unconfirmed: 5},
	}
	if len(r.Stations) != 2 {
		t.Fatalf("stations %+v", r.Stations)
	}
	for _, s := range r.Stations {
		if s.Tally != want[s.Station] {
			t.Errorf("%s: %+v, want %+v", s.Station, s.Tally, want[s.Station])
		}
	}
	total := Tally{Planned: 16, Delivered: 2, Aired: 1, Missed: 1, Unconfirmed: 8, Late: 2}
	if r.Province.Tally != total || r.Province.OrgUnit != "49" {
		t.Errorf("province %+v, want %+v", r.Province, total)
	}
	// 20551 (Vĩnh Điện) is in Điện Bàn (507), 20437 (Ch'ơm) in Tây Giang (504).
	if len(r.Districts) != 2 || r.Districts[0].OrgUnit != "504" || r.Districts[0].Tally != want["LOA-20437"] ||
		r.Districts[1].OrgUnit != "507" || r.Districts[1].Tally != want["LOA-20551"] {
		t.Errorf("districts %+v", r.Districts)
	}
	st, err := f.s.StationAsRun(f.ctx, planner, "LOA-20551", month)
	if err != nil || st.Tally != want["LOA-20551"] {
		t.Errorf("station as-run %+v, %v", st, err)
	}
	// A district reader sees its district only.
	tayGiang := loa.Actor{Username: "tay-giang", Scope: "504"}
	if r, err := f.s.CampaignAsRun(f.ctx, tayGiang, demo, "", month); err != nil || len(r.Stations) != 1 || r.Stations[0].Station != "LOA-20437" {
		t.Errorf("as-run for Tây Giang's reader: %+v, %v", r.Stations, err)
	}
	for _, err := range []error{
		func() error { _, err := f.s.CampaignAsRun(f.ctx, tayGiang, demo, "507", month); return err }(),
		func() error { _, err := f.s.StationAsRun(f.ctx, tayGiang, "LOA-20551", month); return err }(),
	} {
		if !errors.Is(err, loa.ErrOutsideScope) {
			t.Errorf("reading another district's as-run: %v, want ErrOutsideScope", err)
		}
	}
}

func TestInactiveStationReadsNothing(t *testing.T) {
	f := feedFixture(t)
	if _, err := f.s.UpdateStation(f.ctx, loa.System, "LOA-20551", StationInput{Name: "Trạm LOA-20551", Channel: "commune_loudspeaker",
		OrgUnit: "20551", Languages: []string{"vi"}, Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.StationFeed(f.ctx, "LOA-20551", time.Time{}, time.Time{}); !errors.Is(err, loa.ErrForbidden) {
		t.Errorf("feed of an inactive station: %v, want ErrForbidden", err)
	}
	f.clock.Set(local("2024-03-05 07:00"))
	a := of(f.stored(), "", "LOA-20551")[0]
	if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", Confirmation{AiringID: a.ID, Status: StatusAired, At: a.Start}); !errors.Is(err, loa.ErrForbidden) {
		t.Errorf("confirmation by an inactive station: %v, want ErrForbidden", err)
	}
}

func TestStationFeedHoldsTheAiringInProgress(t *testing.T) {
	f := feedFixture(t)
	f.clock.Set(local("2024-03-05 06:35")) // 5 March 06:30–06:45 is on air
	feed := f.feed("LOA-20551")
	if len(feed.Items) == 0 || !feed.Items[0].Start.Equal(local("2024-03-05 06:30")) {
		t.Errorf("pulled during the 06:30 airing: %+v, want it first", feed.Items)
	}
	f.clock.Set(local("2024-03-05 06:45")) // it has ended
	if feed := f.feed("LOA-20551"); len(feed.Items) > 0 && feed.Items[0].Start.Equal(local("2024-03-05 06:30")) {
		t.Error("an airing that ended is still in the pull")
	}
}

// TestReconcileReach: the daily check finds an aired airing whose reach record was
// lost and a record derived from an airing that does not count (a missed one whose
// record stayed), writes the first and removes the second, audited as the system,
// with the rollups in step; a second run finds nothing.
func TestReconcileReach(t *testing.T) {
	f := feedFixture(t)
	f.clock.Set(local("2024-03-09 12:00"))
	mine := of(f.stored(), "", "LOA-20551")
	aired, missed := mine[0], mine[1]
	for _, c := range []Confirmation{
		{AiringID: aired.ID, Status: StatusAired, At: local("2024-03-05 06:31")},
		{AiringID: missed.ID, Status: StatusMissed, At: local("2024-03-08 06:31"), Note: "mất điện"},
	} {
		if _, _, err := f.s.Confirm(f.ctx, stationActor, "LOA-20551", c); err != nil {
			t.Fatal(err)
		}
	}
	st := f.stationOf("LOA-20551")
	lost := f.s.reachOf(f.airing(aired.ID), st)
	orphan := f.s.reachOf(f.airing(missed.ID), st)
	lostKey, orphanKey := reach.ReachKey(lost), reach.ReachKey(orphan)
	if _, _, err := f.rs.SyncReach(f.ctx, loa.System, lostKey, nil); err != nil { // the reach write that never happened
		t.Fatal(err)
	}
	if _, _, err := f.rs.SyncReach(f.ctx, loa.System, orphanKey, &orphan); err != nil { // the removal that never happened
		t.Fatal(err)
	}

	got, err := f.s.ReconcileReach(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Written, []string{lostKey}) || !slices.Equal(got.Removed, []string{orphanKey}) {
		t.Errorf("ReconcileReach = %+v, want %s written and %s removed", got, lostKey, orphanKey)
	}
	if rec, err := f.rs.ReachRecord(f.ctx, loa.System, lostKey); err != nil || rec.Airing != aired.ID || rec.Activities != 1 || rec.PersonTimes != 1000 {
		t.Errorf("the aired airing's record after the check = %+v, %v", rec, err)
	}
	if _, err := f.rs.ReachRecord(f.ctx, loa.System, orphanKey); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("the missed airing's record after the check: %v, want none", err)
	}
	for key, action := range map[string]string{lostKey: "create", orphanKey: "delete"} {
		// The fixed clock gives every entry the same instant, so their order is not
		// the order they were written in: look for the repair's entry.
		entries, err := f.trail.List(f.ctx, audit.Query{Entity: "reach", EntityID: key})
		if err != nil || !slices.ContainsFunc(entries, func(e audit.Entry) bool { return e.Action == action && e.Actor == loa.System.Username }) {
			t.Errorf("audit of %s = %+v, %v; want a %s by %s", key, entries, err, action, loa.System.Username)
		}
	}
	if diffs, err := f.rs.CheckRollups(f.ctx, demo); err != nil || len(diffs) > 0 {
		t.Errorf("rollups after the repair: %v, %v; want none differing", diffs, err)
	}
	trail, _ := f.trail.List(f.ctx, audit.Query{Entity: "reach"})
	if again, err := f.s.ReconcileReach(f.ctx); err != nil || len(again.Written)+len(again.Removed) > 0 {
		t.Errorf("a second check = %+v, %v; want nothing to repair", again, err)
	}
	if after, _ := f.trail.List(f.ctx, audit.Query{Entity: "reach"}); len(after) != len(trail) {
		t.Errorf("a second check audited %d more changes", len(after)-len(trail))
	}
}
