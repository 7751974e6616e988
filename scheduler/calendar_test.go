package scheduler

import (
	"slices"
	"testing"
)

// A calendar with changes replaces each changed airing by its last change, keeps
// every station's airings in order, and leaves the stations not touched as they
// were.
func TestCalendarWith(t *testing.T) {
	a := storedAiring("LOA-20551", local("2024-03-05 06:30"))
	b := storedAiring("LOA-20551", local("2024-03-08 06:30"))
	other := storedAiring("LOA-20554", local("2024-03-05 06:30"))
	cal := newCalendar([]Airing{b, a, other}, hcm)

	moved, movedAgain := b, b
	moved.Start, moved.Rev = local("2024-03-04 18:00"), 2
	movedAgain.Start, movedAgain.Rev = local("2024-03-09 18:00"), 3
	added := storedAiring("LOA-20551", local("2024-03-06 06:30"))
	next := cal.with([]Airing{moved, added, movedAgain}, hcm)

	ids := func(as []Airing) []string {
		out := make([]string, len(as))
		for i, x := range as {
			out[i] = x.ID
		}
		return out
	}
	if got, want := ids(next.byStation["LOA-20551"]), []string{a.ID, added.ID, b.ID}; !slices.Equal(got, want) {
		t.Errorf("LOA-20551 after the changes: %v, want %v", got, want)
	}
	if got, _ := next.get(b.ID); got.Rev != 3 || !got.Start.Equal(movedAgain.Start) || got.Start.Location() != hcm {
		t.Errorf("the airing changed twice: %+v, want its last change, in the zone", got)
	}
	if got := ids(cal.byStation["LOA-20551"]); !slices.Equal(got, []string{a.ID, b.ID}) {
		t.Errorf("the calendar changed under the new one: %v", got)
	}
	if &next.byStation["LOA-20554"][0] != &cal.byStation["LOA-20554"][0] {
		t.Error("a station not touched was copied, not shared")
	}
}
