package scheduler

import (
	"strings"
	"testing"
	"time"

	"loa"
)

// readyFixture is feedFixture whose scripts name their commune and their station.
func readyFixture(t *testing.T) *fixture {
	f := feedFixture(t)
	items, err := f.lib.Airable(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range items.Versions {
		in := message("radio_script", v.Title, "x")
		in.Body = "Kính gửi bà con {{.Commune}}, đây là {{.Station}}."
		if _, err := f.lib.Update(f.ctx, writer, v.Item, in); err != nil {
			t.Fatal(err)
		}
		f.approve(v.Item)
	}
	f.materialize()
	return f
}

// ready says whether the station's next pull of the default window would be
// answered by the feed kept ready, without looking at an airing.
func (f *fixture) ready(code string) bool {
	f.t.Helper()
	in, err := f.s.feedInputs(f.ctx, code)
	if err != nil {
		f.t.Fatal(err)
	}
	_, ok := f.s.feeds.readyAt(code, in, f.clock.Now())
	return ok
}

// TestReadyFeedFollowsEachInput changes, one at a time, each thing a station's feed
// of the next 7 days is made of, after a pull that left the feed ready: the next
// pull must show the change, and say the same as a service without any cache.
func TestReadyFeedFollowsEachInput(t *testing.T) {
	const code = "LOA-20551"
	for _, tc := range []struct {
		name   string
		pullAt time.Time // the first pull; zero: the fixture's Monday 4 March 08:00
		change func(t *testing.T, f *fixture, first Feed)
		want   func(first, next Feed) bool
	}{
		{"a rule changes", time.Time{}, func(t *testing.T, f *fixture, first Feed) {
			rules, err := f.s.Rules(f.ctx, RuleFilter{})
			if err != nil || len(rules) != 1 {
				t.Fatalf("rules %v, %v", rules, err)
			}
			if _, err := f.s.UpdateRule(f.ctx, loa.System, rules[0].ID, ruleInput("FREQ=WEEKLY;BYDAY=TU,WE,FR;BYHOUR=6;BYMINUTE=30", code, "LOA-20437")); err != nil {
				t.Fatal(err)
			}
			f.materialize()
		}, func(first, next Feed) bool { return len(next.Items) == 3 }}, // Wednesday 6 March too
		{"an airing is cancelled", time.Time{}, func(t *testing.T, f *fixture, first Feed) {
			if _, err := f.s.ChangeAiring(f.ctx, planner, first.Items[0].AiringID, AiringChange{Status: ptr(StatusCancelled)}); err != nil {
				t.Fatal(err)
			}
		}, func(first, next Feed) bool {
			return len(next.Items) == 1 && next.Items[0].AiringID == first.Items[1].AiringID
		}},
		{"an airing is confirmed", local("2024-03-05 06:40"), func(t *testing.T, f *fixture, first Feed) {
			if _, _, err := f.s.Confirm(f.ctx, stationActor, code, Confirmation{AiringID: first.Items[0].AiringID, Status: StatusAired,
				At: first.Items[0].Start}); err != nil {
				t.Fatal(err)
			}
		}, func(first, next Feed) bool { return len(next.Items) > 0 && next.Items[0].Status == StatusAired }},
		{"a new version of its content is approved", time.Time{}, func(t *testing.T, f *fixture, first Feed) {
			in := message("radio_script", first.Items[0].Title, "x")
			in.Body = "Lời mới cho {{.Station}}."
			if _, err := f.lib.Update(f.ctx, writer, first.Items[0].Content, in); err != nil {
				t.Fatal(err)
			}
			f.approve(first.Items[0].Content)
		}, func(first, next Feed) bool { return next.Items[0].Script == "Lời mới cho Trạm LOA-20551." }},
		{"the station is renamed", time.Time{}, func(t *testing.T, f *fixture, first Feed) {
			if _, err := f.s.UpdateStation(f.ctx, loa.System, code, StationInput{Name: "Đài Vĩnh Điện", Channel: "commune_loudspeaker",
				OrgUnit: "20551", Languages: []string{"vi"}}); err != nil {
				t.Fatal(err)
			}
		}, func(first, next Feed) bool {
			return next.Station.Name == "Đài Vĩnh Điện" && strings.HasSuffix(next.Items[0].Script, "đây là Đài Vĩnh Điện.")
		}},
		{"its org unit is renamed", time.Time{}, func(t *testing.T, f *fixture, first Feed) {
			csv := "code,name,type,level,parent_code,valid_from,valid_to,successor_codes\n" +
				"20551,Vĩnh Điện Mới,phường,commune,507,,2025-06-30,20551\n" // until the 2025 reorganisation, as seeded
			if sum, err := f.cs.ImportOrgUnits(f.ctx, loa.System, strings.NewReader(csv), false); err != nil || sum.Imported+sum.Updated != 1 {
				t.Fatalf("renaming 20551: %+v, %v", sum, err)
			}
		}, func(first, next Feed) bool {
			return strings.Contains(next.Items[0].Script, "phường Vĩnh Điện Mới")
		}},
		{"the next airing enters the window's end", time.Time{}, func(t *testing.T, f *fixture, first Feed) {
			f.clock.Set(local("2024-03-05 06:31")) // Tuesday 12 March 06:30 is within 7 days
		}, func(first, next Feed) bool { return len(next.Items) == 3 }},
		{"an airing ends", local("2024-03-05 06:35"), func(t *testing.T, f *fixture, first Feed) {
			f.clock.Set(local("2024-03-05 06:45")) // 06:30–06:45 is over; Friday 15 is not yet within 7 days
		}, func(first, next Feed) bool { return len(next.Items) == len(first.Items)-1 }},
		{"the day rolls over", local("2024-03-07 23:59"), func(t *testing.T, f *fixture, first Feed) {
			f.clock.Set(local("2024-03-08 06:31")) // Friday 15 March enters
		}, func(first, next Feed) bool { return len(next.Items) == len(first.Items)+1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := readyFixture(t)
			if !tc.pullAt.IsZero() {
				f.clock.Set(tc.pullAt)
			}
			f.feed(code) // the first pull delivers
			first := f.feed(code)
			if !f.ready(code) {
				t.Fatal("after two pulls the feed is not kept ready")
			}
			tc.change(t, f, first)
			if f.ready(code) {
				t.Error("the feed kept ready still holds after the change")
			}
			next := f.feed(code)
			if next.Version == first.Version || !tc.want(first, next) {
				t.Errorf("after the change the pull shows %+v (version moved: %v)", next.Items, next.Version != first.Version)
			}
			uncached, err := f.service().StationFeed(f.ctx, code, time.Time{}, time.Time{})
			if err != nil || uncached.Version != next.Version || len(uncached.Items) != len(next.Items) {
				t.Errorf("a service without caches pulls version %s with %d items (%v), want %s with %d",
					uncached.Version, len(uncached.Items), err, next.Version, len(next.Items))
			}
			if f.feed(code); !f.ready(code) {
				t.Error("after a pull of the changed feed it is not kept ready")
			}
		})
	}
}

// TestReadyFeedIsPerStation: changes at another station leave this station's feed
// ready and unchanged.
func TestReadyFeedIsPerStation(t *testing.T) {
	f := readyFixture(t)
	f.feed("LOA-20551")
	first := f.feed("LOA-20551")
	other := f.feed("LOA-20437") // its first pull writes its deliveries
	if _, err := f.s.ChangeAiring(f.ctx, planner, other.Items[0].AiringID, AiringChange{Status: ptr(StatusCancelled)}); err != nil {
		t.Fatal(err)
	}
	if !f.ready("LOA-20551") {
		t.Error("another station's deliveries and a cancelled airing there undid this station's ready feed")
	}
	if next := f.feed("LOA-20551"); next.Version != first.Version || len(next.Items) != len(first.Items) {
		t.Errorf("the pull changed: %s with %d items, want %s with %d", next.Version, len(next.Items), first.Version, len(first.Items))
	}
}

// TestReadyFeedWaitsForDelivery: a feed whose airings were delivered by another
// path meanwhile is not kept ready while an airing in it is still undelivered, so
// the next pull records the delivery.
func TestReadyFeedWaitsForDelivery(t *testing.T) {
	f := readyFixture(t)
	f.feed("LOA-20551")
	first := f.feed("LOA-20551")
	// A move puts the airing back to planned: the next pull delivers it again.
	moved, err := f.s.ChangeAiring(f.ctx, planner, first.Items[0].AiringID, AiringChange{Start: ptr(local("2024-03-05 09:00"))})
	if err != nil || moved.DeliveredAt != nil {
		t.Fatalf("moving = %+v, %v", moved, err)
	}
	if next := f.feed("LOA-20551"); next.Items[0].Status != StatusDelivered {
		t.Errorf("after the move the pull shows %s", next.Items[0].Status)
	}
	if a := f.airing(moved.ID); a.Status != StatusDelivered || a.DeliveredAt == nil {
		t.Errorf("the moved airing is %s, delivered at %v, after a pull", a.Status, a.DeliveredAt)
	}
	if !f.ready("LOA-20551") {
		t.Error("after the delivery the feed is not kept ready")
	}
}

// TestReadyFeedFollowsTheDay: the org units' names in scripts are today's, so a
// feed kept ready on the last day of a unit's version is not served the next
// morning. On 1 July 2025 the ward 20551 (Vĩnh Điện, in the town of Điện Bàn, 507)
// became the ward Điện Bàn of Đà Nẵng (48).
func TestReadyFeedFollowsTheDay(t *testing.T) {
	const code = "LOA-20551"
	f := newFixture(t, local("2025-06-30 08:00"))
	f.station(code, "commune_loudspeaker", "20551")
	in := message("radio_script", "Tin phường", "x")
	in.Body = "Kính gửi bà con {{.Commune}}, {{.District}}."
	item := f.approved(in)
	if _, err := f.s.Place(f.ctx, planner, Placement{Station: code, Campaign: demo, Start: local("2025-07-02 06:30"),
		DurationSeconds: 300, Groups: []string{"general_public"}, Content: item}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(local("2025-06-30 23:59"))
	f.feed(code) // delivers
	before := f.feed(code)
	if !f.ready(code) || len(before.Items) != 1 || !strings.Contains(before.Items[0].Script, "phường Vĩnh Điện") {
		t.Fatalf("on 30 June: ready %v, items %+v", f.ready(code), before.Items)
	}
	f.clock.Set(local("2025-07-01 00:01"))
	if f.ready(code) {
		t.Error("the feed kept ready on 30 June still holds on 1 July")
	}
	after := f.feed(code)
	if after.Version == before.Version || len(after.Items) != 1 || !strings.Contains(after.Items[0].Script, "phường Điện Bàn") {
		t.Errorf("on 1 July the pull shows %+v (version moved: %v)", after.Items, after.Version != before.Version)
	}
}
