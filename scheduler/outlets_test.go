package scheduler

import (
	"slices"
	"testing"

	"loa"
)

// TestOutlets: each active station comes with the demo campaign's rules in force
// that pick it, by code or by channel and subtree; an ended or paused rule reaches
// nothing, and an inactive station is not an outlet.
func TestOutlets(t *testing.T) {
	f := newFixture(t, local("2024-03-01 08:00"))
	f.station("LOA-20335", "commune_loudspeaker", "20335")
	f.station("LOA-20338", "commune_loudspeaker", "20338")
	f.station("DTT-502", "district_station", "502")
	off := false
	if _, err := f.s.CreateStation(f.ctx, loa.System, StationInput{Code: "LOA-20341", Name: "Trạm tắt", Channel: "commune_loudspeaker",
		OrgUnit: "20341", Languages: []string{"vi"}, Audience: Audience{People: 10, Source: "ước tính mẫu"}, Active: &off}); err != nil {
		t.Fatal(err)
	}
	byCode := f.rule(ruleInput("FREQ=WEEKLY;BYDAY=MO", "LOA-20335"))
	district := ruleInput("FREQ=WEEKLY;BYDAY=TU")
	district.Stations = StationSelector{Channel: "district_station", Under: "502"}
	byChannel := f.rule(district)
	ended := ruleInput("FREQ=WEEKLY;BYDAY=WE", "LOA-20338")
	ended.Until = new(loa.Date("2024-02-29"))
	f.rule(ended)
	paused := ruleInput("FREQ=WEEKLY;BYDAY=TH", "LOA-20338")
	paused.Active = &off
	f.rule(paused)

	outlets, err := f.s.Outlets(f.ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, o := range outlets {
		got[o.Station] = []string{}
		for _, r := range o.Rules {
			got[o.Station] = append(got[o.Station], r.ID)
		}
	}
	want := map[string][]string{"LOA-20335": {byCode.ID}, "LOA-20338": {}, "DTT-502": {byChannel.ID}}
	if len(got) != len(want) {
		t.Fatalf("outlets %v, want %v", got, want)
	}
	for code, ids := range want {
		if !slices.Equal(got[code], ids) {
			t.Errorf("outlet %s: rules %v, want %v", code, got[code], ids)
		}
	}
}
