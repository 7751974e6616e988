package scheduler

import (
	"errors"
	"testing"
	"time"

	"loa"
)

func ptr[T any](v T) *T { return &v }

// One occurrence moved, cancelled or given other content keeps that through
// re-materialisation, and never lands on an occupied slot.
func TestChangeAiring(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	items := f.scripts(3, "x")
	draft := f.draft(message("radio_script", "Bản nháp", "x"))
	f.rule(ruleInput(tuFr, "LOA-20551"))
	f.materialize()
	as := f.stored() // 5, 8, 12, 15, 19 … March at 06:30
	if len(as) != 10 {
		t.Fatalf("%d airings, want 10", len(as))
	}

	// Move 8 March to Saturday 9 March 09:00.
	moved, err := f.s.ChangeAiring(f.ctx, planner, as[1].ID, AiringChange{Start: ptr(local("2024-03-09 09:00"))})
	if err != nil {
		t.Fatal(err)
	}
	if !moved.Moved || !moved.Start.Equal(local("2024-03-09 09:00")) || !moved.End.Equal(local("2024-03-09 09:15")) || !moved.Slot.Equal(as[1].Slot) {
		t.Errorf("moved airing = %s-%s slot %s moved %v; want 09:00-09:15 on 9 March, slot kept", moved.Start, moved.End, moved.Slot, moved.Moved)
	}

	// Onto an occupied slot: refused, nothing changed.
	for _, start := range []time.Time{local("2024-03-15 06:35"), local("2024-03-09 09:10"), local("2024-03-15 06:20")} {
		_, err := f.s.ChangeAiring(f.ctx, planner, as[2].ID, AiringChange{Start: ptr(start)})
		if !errors.Is(err, loa.ErrConflict) {
			t.Errorf("moving 12 March onto %s: %v, want ErrConflict", start.Format(time.DateTime), err)
		}
	}
	if got := f.airing(as[2].ID); !got.Start.Equal(as[2].Start) || got.Rev != as[2].Rev || got.Moved {
		t.Errorf("a refused move changed the airing: %s rev %d", got.Start.In(hcm), got.Rev)
	}
	// Right after the next one ends is free.
	if _, err := f.s.ChangeAiring(f.ctx, planner, as[2].ID, AiringChange{Start: ptr(local("2024-03-15 06:45"))}); err != nil {
		t.Errorf("moving 12 March to 06:45 on 15 March, when the 06:30 airing ends: %v", err)
	}

	// Cancel 19 March by hand.
	cancelled, err := f.s.ChangeAiring(f.ctx, planner, as[4].ID, AiringChange{Status: ptr(StatusCancelled), Note: ptr("  lễ hội  ")})
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.Status != StatusCancelled || cancelled.Reason != ReasonManual || cancelled.Note != "lễ hội" {
		t.Errorf("cancelled airing = %s (%s) note %q", cancelled.Status, cancelled.Reason, cancelled.Note)
	}

	// Pin an approved item other than the rotation's choice on 22 March.
	other := items[0]
	if as[5].Content == other {
		other = items[1]
	}
	pinned, err := f.s.ChangeAiring(f.ctx, planner, as[5].ID, AiringChange{Content: ptr(other)})
	if err != nil {
		t.Fatal(err)
	}
	if !pinned.ContentPinned || pinned.Content != other || pinned.ContentVersion != 1 {
		t.Errorf("pinned airing carries %s v%d pinned %v, want %s v1 pinned", pinned.Content, pinned.ContentVersion, pinned.ContentPinned, other)
	}
	// A draft cannot be pinned.
	_, err = f.s.ChangeAiring(f.ctx, planner, as[6].ID, AiringChange{Content: ptr(draft)})
	if _, ok := detail(fieldErr(t, err), "content"); !ok {
		t.Errorf("pinning a draft: %v, want a detail on content", err)
	}
	if got := f.airing(as[6].ID); got.Content != as[6].Content || got.Rev != as[6].Rev {
		t.Errorf("a refused pin changed the airing: %s rev %d", got.Content, got.Rev)
	}

	// Re-materialising keeps all of it and writes nothing.
	n, v := f.count(), f.airingsVersion()
	if res := f.materialize(); res.Created+res.Updated+res.Cancelled != 0 {
		t.Errorf("re-materialising after the changes: %+v, want nothing written", res)
	}
	if f.count() != n || f.airingsVersion() != v {
		t.Errorf("re-materialising wrote: %d → %d airings, version %d → %d", n, f.count(), v, f.airingsVersion())
	}
	if got := f.airing(as[1].ID); !got.Moved || !got.Start.Equal(local("2024-03-09 09:00")) || got.Status != StatusPlanned {
		t.Errorf("after re-materialising the moved airing is %s at %s (moved %v)", got.Status, got.Start.In(hcm), got.Moved)
	}
	if got := f.airing(as[4].ID); got.Status != StatusCancelled || got.Reason != ReasonManual {
		t.Errorf("after re-materialising the cancelled airing is %s (%s)", got.Status, got.Reason)
	}
	if got := f.airing(as[5].ID); got.Content != other || !got.ContentPinned {
		t.Errorf("after re-materialising the pinned airing carries %s", got.Content)
	}
	// Even when the rule is edited (a longer slot), the planner's choices stay.
	in := ruleInput(tuFr, "LOA-20551")
	in.DurationSeconds = 1200
	rules, _ := f.s.Rules(f.ctx, RuleFilter{})
	if _, err := f.s.UpdateRule(f.ctx, loa.System, rules[0].ID, in); err != nil {
		t.Fatal(err)
	}
	f.materialize()
	if got := f.airing(as[1].ID); !got.Start.Equal(local("2024-03-09 09:00")) || got.End.Sub(got.Start) != 20*time.Minute {
		t.Errorf("after editing the rule the moved airing runs %s-%s", got.Start.In(hcm), got.End.In(hcm))
	}
	if got := f.airing(as[4].ID); got.Status != StatusCancelled || got.Reason != ReasonManual {
		t.Errorf("after editing the rule the cancelled airing is %s (%s)", got.Status, got.Reason)
	}

	// A cancelled airing can be planned again.
	restored, err := f.s.ChangeAiring(f.ctx, planner, as[4].ID, AiringChange{Status: ptr(StatusPlanned)})
	if err != nil || restored.Status != StatusPlanned || restored.Reason != "" {
		t.Errorf("restoring the cancelled airing: %s (%s), %v", restored.Status, restored.Reason, err)
	}
}

func TestChangeAiringRefused(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20437", "commune_loudspeaker", "20437")
	f.scripts(2, "x")
	f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20437"))
	f.materialize()
	as := of(f.stored(), "", "LOA-20551")
	f.clock.Set(local("2024-03-06 08:00")) // 5 March is past
	aired := f.overwrite(as[0], func(a *Airing) { a.Status = StatusAired })

	tests := []struct {
		name   string
		id     string
		actor  loa.Actor
		change AiringChange
		want   error
	}{
		{"a past airing", as[0].ID, planner, AiringChange{Status: ptr(StatusCancelled)}, loa.ErrConflict},
		{"an aired airing", aired.ID, planner, AiringChange{Status: ptr(StatusCancelled)}, loa.ErrConflict},
		{"a move into the past", as[2].ID, planner, AiringChange{Start: ptr(local("2024-03-06 07:00"))}, loa.ErrInvalid},
		{"an unknown status", as[2].ID, planner, AiringChange{Status: ptr(StatusAired)}, loa.ErrInvalid},
		{"planning an airing not cancelled", as[2].ID, planner, AiringChange{Status: ptr(StatusPlanned)}, loa.ErrInvalid},
		{"unknown content", as[2].ID, planner, AiringChange{Content: ptr("c-nope")}, loa.ErrInvalid},
		{"an unknown airing", "r1.LOA-20551.20240312T000000Z", planner, AiringChange{Status: ptr(StatusCancelled)}, loa.ErrNotFound},
		{"outside the actor's scope", as[2].ID, loa.Actor{Username: "tay-giang", Scope: "504"}, AiringChange{Status: ptr(StatusCancelled)}, loa.ErrOutsideScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := f.airingsVersion()
			if _, err := f.s.ChangeAiring(f.ctx, tt.actor, tt.id, tt.change); !errors.Is(err, tt.want) {
				t.Errorf("ChangeAiring(%s): %v, want %v", tt.name, err, tt.want)
			}
			if f.airingsVersion() != v {
				t.Errorf("ChangeAiring(%s) wrote airings", tt.name)
			}
		})
	}
}

func TestAiringsFilter(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20554", "commune_loudspeaker", "20554")
	f.scripts(2, "x")
	f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20554"))
	f.materialize()
	// The default window is the next 7 days: 5 and 8 March at both stations.
	got, err := f.s.Airings(f.ctx, AiringFilter{})
	if err != nil || len(got) != 4 {
		t.Fatalf("Airings() = %d, %v; want 4", len(got), err)
	}
	for i := 1; i < len(got); i++ {
		if compareAirings(got[i-1], got[i]) > 0 {
			t.Errorf("Airings() not ordered by start: %s after %s", got[i].ID, got[i-1].ID)
		}
	}
	if got[0].Start.Location().String() != hcm.String() {
		t.Errorf("airings shown in %s, want the deployment's zone", got[0].Start.Location())
	}
	got, err = f.s.Airings(f.ctx, AiringFilter{Station: "LOA-20554", From: local("2024-03-01 00:00"), To: local("2024-04-01 00:00")})
	if err != nil || len(got) != 8 {
		t.Errorf("Airings(LOA-20554, March) = %d, %v; want 8", len(got), err)
	}
	for _, bad := range []AiringFilter{
		{From: local("2024-03-05 00:00"), To: local("2024-03-04 00:00")},
		{From: local("2024-03-01 00:00"), To: local("2024-07-01 00:00")},
		{Status: "lost"},
	} {
		if _, err := f.s.Airings(f.ctx, bad); !errors.Is(err, loa.ErrInvalid) {
			t.Errorf("Airings(%+v): %v, want ErrInvalid", bad, err)
		}
	}
	f.station("LOA-20335", "commune_loudspeaker", "20335")
	f.rule(ruleInput(tuFr, "LOA-20335"))
	f.materialize()
	for _, tc := range []struct {
		under string
		want  int
	}{{"", 6}, {loa.AllUnits, 6}, {"49", 6}, {"507", 4}, {"20554", 2}, {"502", 2}, {"503", 0}} {
		got, err := f.s.Airings(f.ctx, AiringFilter{Under: tc.under})
		if err != nil || len(got) != tc.want {
			t.Errorf("Airings(under %q) = %d, %v; want %d", tc.under, len(got), err, tc.want)
		}
	}
	if _, err := f.s.Airings(f.ctx, AiringFilter{Station: "LOA-99999"}); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("Airings of an unknown station: %v, want ErrNotFound", err)
	}
}
