package scheduler

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"loa/app/database"
	"loa/app/database/dbtest"
)

// storedAiring is an airing as a run stores it (Rev 1), in UTC as the database
// returns it.
func storedAiring(station string, slot time.Time) Airing {
	slot = slot.UTC()
	return Airing{ID: airingID("r-test", station, slot), Rule: "r-test", Campaign: demo, Station: station, Channel: "commune_loudspeaker",
		OrgUnit: "20551", Slot: slot, Start: slot, End: slot.Add(15 * time.Minute), Groups: []string{"general_public"},
		Status: StatusPlanned, Rev: 1, UpdatedAt: slot.Add(-time.Hour)}
}

// sameStored fails t unless got and want hold the same airings, field by field.
func sameStored(t *testing.T, got, want []Airing) {
	t.Helper()
	enc := func(as []Airing) []string {
		out := make([]string, len(as))
		for i, a := range as {
			a.Slot, a.Start, a.End, a.UpdatedAt = a.Slot.UTC(), a.Start.UTC(), a.End.UTC(), a.UpdatedAt.UTC()
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = string(b)
		}
		slices.Sort(out)
		return out
	}
	g, w := enc(got), enc(want)
	if !slices.Equal(g, w) {
		t.Errorf("stored airings differ:\ngot  %d %v\nwant %d %v", len(g), g, len(w), w)
	}
}

// Airings stored in packs by station and UTC year read back exactly; a second
// insert of the same IDs and a replacement over a stale Rev write nothing.
func TestAiringPacks(t *testing.T) {
	f := newFixture(t, local("2024-12-01 08:00"))
	var as []Airing
	for _, station := range []string{"LOA-20551", "LOA-20554"} {
		// 05:00 and 07:00 local on 1 January 2025 fall in two UTC years.
		for _, slot := range []time.Time{local("2024-12-31 06:00"), local("2025-01-01 05:00"), local("2025-01-01 07:00"), local("2025-02-03 18:30")} {
			as = append(as, storedAiring(station, slot))
		}
	}
	as[0].Note, as[0].ContentPinned, as[0].Content, as[0].ContentVersion = "ghi chú", true, "c-1", 2
	done, v, err := f.store.InsertAirings(f.ctx, as)
	if err != nil || len(done) != len(as) || v == 0 {
		t.Fatalf("InsertAirings = %d stored, version %d, %v; want %d", len(done), v, err, len(as))
	}
	sameStored(t, f.stored(), as)
	if n, err := f.db.Collection(packsColl).CountDocuments(f.ctx, bson.D{}); err != nil || n != 4 {
		t.Errorf("%d packs (%v), want 4: two stations, two years", n, err)
	}

	again, v2, err := f.store.InsertAirings(f.ctx, as[:3])
	if err != nil || len(again) != 0 || v2 != v {
		t.Errorf("InsertAirings of stored IDs = %d stored, version %d → %d, %v; want none", len(again), v, v2, err)
	}

	changed := as[1]
	changed.Status, changed.Rev = StatusDelivered, 2
	done, v3, err := f.store.ReplaceAirings(f.ctx, []Airing{changed})
	if err != nil || len(done) != 1 || v3 == v {
		t.Fatalf("ReplaceAirings = %d stored, version %d → %d, %v; want 1", len(done), v, v3, err)
	}
	stale := as[1]
	stale.Status, stale.Rev = StatusCancelled, 2 // read at Rev 1, which is no longer stored
	missing := storedAiring("LOA-20551", local("2025-03-01 06:00"))
	missing.Rev = 2
	done, v4, err := f.store.ReplaceAirings(f.ctx, []Airing{stale, missing})
	if err != nil || len(done) != 0 || v4 != v3 {
		t.Errorf("ReplaceAirings over a stale Rev and of an unknown airing = %d stored, version %d → %d, %v; want none", len(done), v3, v4, err)
	}
	want := slices.Clone(as)
	want[1] = changed
	sameStored(t, f.stored(), want)
	if n := f.count(); n != int64(len(as)) {
		t.Errorf("%d airings stored, want %d", n, len(as))
	}
}

// A station-year whose pack would pass the size bound is refused whole, with the
// station and year named, and nothing of the write is stored.
func TestAiringPackBound(t *testing.T) {
	f := newFixture(t, local("2024-12-01 08:00"))
	store := NewStore(f.db)
	store.packLimit = 2000
	var as []Airing
	for d := range 200 {
		as = append(as, storedAiring("LOA-20551", local("2024-01-01 06:00").AddDate(0, 0, d)))
	}
	as = append(as, storedAiring("LOA-20554", local("2024-01-01 06:00")))
	done, _, err := store.InsertAirings(f.ctx, as)
	if err == nil || !strings.Contains(err.Error(), "LOA-20551 in 2024") || len(done) != 0 {
		t.Fatalf("InsertAirings over the bound = %d stored, %v; want an error naming LOA-20551 in 2024", len(done), err)
	}
	if n := f.count(); n != 0 {
		t.Errorf("%d airings stored after the refusal, want 0", n)
	}
	if v := f.airingsVersion(); v != 0 {
		t.Errorf("airings version %d after the refusal, want 0", v)
	}
	if done, _, err := store.InsertAirings(f.ctx, as[:10]); err != nil || len(done) != 10 {
		t.Errorf("InsertAirings within the bound = %d stored, %v; want 10", len(done), err)
	}
}

// Airings an earlier Loa stored one document each move into packs once, at
// start-up, with a move cut short completed; the calendar is the same after, and
// materialising again writes nothing.
func TestPackLegacyAirings(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20551", "commune_loudspeaker", "20551")
	f.station("LOA-20554", "commune_loudspeaker", "20554")
	f.scripts(3, "x")
	f.rule(ruleInput(tuFr, "LOA-20551", "LOA-20554"))
	f.materialize()
	as := f.stored()
	if len(as) < 10 {
		t.Fatalf("%d airings materialised, want at least 10", len(as))
	}
	// The database as an earlier Loa left it: one document per airing, no packs;
	// and a move cut short: the first half already in packs.
	if _, err := f.db.Collection(packsColl).DeleteMany(f.ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	legacy := make([]any, len(as))
	for i, a := range as {
		legacy[i] = airingDoc(a)
	}
	if _, err := f.db.Collection(legacyAiringsColl).InsertMany(f.ctx, legacy, options.InsertMany().SetOrdered(false)); err != nil {
		t.Fatal(err)
	}
	half := len(as) / 2
	if _, _, err := f.store.InsertAirings(f.ctx, as[:half]); err != nil {
		t.Fatal(err)
	}

	s := f.service() // a new process
	moved, err := s.PackLegacyAirings(f.ctx)
	if err != nil || moved != len(as)-half {
		t.Fatalf("PackLegacyAirings = %d, %v; want %d (the half not packed yet)", moved, err, len(as)-half)
	}
	sameStored(t, f.stored(), as)
	names, err := f.db.ListCollectionNames(f.ctx, bson.D{})
	if err != nil || slices.Contains(names, legacyAiringsColl) {
		t.Errorf("collections after the move: %v (%v); want no %s", names, err, legacyAiringsColl)
	}
	if moved, err := s.PackLegacyAirings(f.ctx); err != nil || moved != 0 {
		t.Errorf("PackLegacyAirings again = %d, %v; want 0", moved, err)
	}
	list, err := s.Airings(f.ctx, AiringFilter{From: local("2024-03-04 00:00"), To: local("2024-04-09 00:00")})
	if err != nil || len(list) != len(as) {
		t.Errorf("Airings after the move = %d, %v; want %d", len(list), err, len(as))
	}
	if res, err := s.Materialize(f.ctx, f.clock.Now()); err != nil || res.Created+res.Updated+res.Cancelled != 0 {
		t.Errorf("Materialize after the move = %+v, %v; want nothing written", res, err)
	}
}

// filled is an airing with every field set (none at its zero value), so a field
// a pack would drop shows.
func filled(t *testing.T) Airing {
	t.Helper()
	var a Airing
	v := reflect.ValueOf(&a).Elem()
	base := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for i := range v.NumField() {
		f := v.Field(i)
		switch x := f.Addr().Interface().(type) {
		case *string:
			*x = fmt.Sprintf("%s-%d", v.Type().Field(i).Name, i)
		case *int:
			*x = i + 1
		case *int64:
			*x = int64(i + 1)
		case *bool:
			*x = true
		case *[]string:
			*x = []string{"students", fmt.Sprint(i)}
		case *time.Time:
			*x = base.Add(time.Duration(i) * time.Millisecond)
		case **time.Time:
			at := base.Add(time.Duration(i) * time.Hour)
			*x = &at
		default:
			t.Fatalf("filled: field %s of type %s not filled", v.Type().Field(i).Name, f.Type())
		}
	}
	return a
}

// A pack keeps every field of an airing, times in UTC to the millisecond.
func TestPackKeepsEveryField(t *testing.T) {
	a := filled(t)
	in := a
	in.Start = in.Start.In(hcm).Add(400 * time.Microsecond) // a pack keeps milliseconds, in UTC
	blob, err := packAirings(map[string]airingDoc{a.ID: packed(in)}, maxPackBytes)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := packDoc{ID: "x", Airings: blob}.unpack()
	if err != nil || len(docs) != 1 {
		t.Fatalf("unpack = %d airings, %v", len(docs), err)
	}
	if got := docs[0].airing(); !reflect.DeepEqual(got, a) {
		t.Errorf("packed and unpacked:\n%+v\nwant\n%+v", got, a)
	}
}

// packV1 is filled's airing as packs store it (gob of []airingDoc, deflated):
// packs written before a change of airingDoc must still read the same.
const packV1 = "ZJLNbtNMFIbP6zg/btL007dAwB2ANFKdFgE7IEGoUoAqIWwqhEw9pIOcceQZRwEJUaCwY8MVcCms2wXrLrgVBh3biQpkdfLY57xnnvGm++TBc58J7pjoF56/qwFBpDKlp4P0kCmuwtsboEPwR3kiuWj1o9k8UlPNf5pjG1mVlnX/KNJaJgV/nE0nWlmu/XGSWrgPhPrYRllZ1u7ruGCNB1mazw3cCaHZT7WVuujqVvVTmRkO8AkNDssNz2yMZGTK2PZAmXkSHcr43mt+VH+YLmQMj7BZjdhXWpfEf5Ta4hCd/fxFosyRjCejIXe11+BuuWB7IBO1kJlcg36qX6ps9g9YzfSHkZWcWxvJBe8bTOZxZFfvE/3n3tcB/4maST460SX30QNaB8+MZeeFgw7fxHW+FPh7A7GNBosXITZW3kUPAZtQqRY7CCrrYhdBJV3cwBaIqPvzdHlOB1+OnbsIXv34/id48z85B69lbB5LbQ1uY6NSJ8JtXC7jciPCHoJSvAh30L0gXoS74F+TZYjwJrbWPiejoQhvrRY4OwmIiPOqFc++XvkLfLtWAf4E2Hgxs9cD0Ft1nS7P8XZ5xzn6HQAA//8="

func TestPackReadsEarlierPacks(t *testing.T) {
	blob, err := base64.StdEncoding.DecodeString(packV1)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := packDoc{ID: "v1", Airings: blob}.unpack()
	if err != nil || len(docs) != 1 {
		t.Fatalf("unpack = %d airings, %v", len(docs), err)
	}
	if got, want := docs[0].airing(), filled(t); !reflect.DeepEqual(got, want) {
		t.Errorf("an earlier pack reads\n%+v\nwant\n%+v", got, want)
	}
}

// On a shared MongoDB a pack is written over the Rev read: a write that read the
// pack before another replica wrote it reads it again and keeps both changes.
// (A second client on the embedded engine is such a replica: not Embedded, so the
// store filters on the Rev.)
func TestAiringPackCompareAndSwap(t *testing.T) {
	f := newFixture(t, local("2024-03-01 08:00"))
	shared := NewStore(dbtest.Another(t, f.db))
	first := storedAiring("LOA-20551", local("2024-03-05 06:30"))
	if done, _, err := shared.InsertAirings(f.ctx, []Airing{first}); err != nil || len(done) != 1 {
		t.Fatalf("InsertAirings = %d, %v", len(done), err)
	}
	id, station, year := packOf(first)
	stale, found, err := database.ByID[packDoc](f.ctx, f.db.Collection(packsColl), id)
	if err != nil || !found {
		t.Fatalf("read pack %s: %v, %v", id, found, err)
	}
	// Another replica adds an airing to the pack after ours read it.
	other := storedAiring("LOA-20551", local("2024-03-08 06:30"))
	if done, _, err := NewStore(dbtest.Another(t, f.db)).InsertAirings(f.ctx, []Airing{other}); err != nil || len(done) != 1 {
		t.Fatalf("the other replica's InsertAirings = %d, %v", len(done), err)
	}
	ours := storedAiring("LOA-20551", local("2024-03-12 06:30"))
	applied, err := shared.updatePack(f.ctx, []Airing{ours}, &pending{id: id, station: station, year: year, idx: []int{0}, read: &stale},
		func(stored map[string]airingDoc, a Airing) bool { _, taken := stored[a.ID]; return !taken })
	if err != nil || !slices.Equal(applied, []int{0}) {
		t.Fatalf("updatePack over a stale read = %v, %v; want ours applied", applied, err)
	}
	sameStored(t, f.stored(), []Airing{first, other, ours})
	if now, _, _ := database.ByID[packDoc](f.ctx, f.db.Collection(packsColl), id); now.Rev != stale.Rev+2 {
		t.Errorf("pack Rev %d, want %d: one write each", now.Rev, stale.Rev+2)
	}
}
