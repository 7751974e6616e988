package scheduler

import (
	"errors"
	"strings"
	"testing"

	"loa"
	"loa/app/audit"
	"loa/campaigns"
	"loa/content"
)

// The loudspeakers of Phước Hòa (20338), merged away, are moved to phường Tam Kỳ
// (20341) from 01/07/2025: a rule under Đà Nẵng (48) in 2026 picks them and their
// 2026 scripts name the new commune, while their 2024 airings keep the old one and
// stay in Tam Kỳ district's (502) as-run. Bad moves are refused writing nothing.
func TestStationMovesFromADate(t *testing.T) {
	f := newFixture(t, local("2024-03-04 08:00"))
	f.station("LOA-20338", "commune_loudspeaker", "20338")
	script := func(title string, campaign string) content.Input {
		in := message("radio_script", title)
		in.Body, in.Campaigns = "Loa phường {{.Commune}} xin thông báo.", []string{campaign}
		return in
	}
	f.approved(script("Thông báo 2024", demo))
	in2024 := ruleInput(tuFr, "LOA-20338")
	in2024.Until = date("2024-12-31")
	f.rule(in2024)
	f.materialize()
	old := f.stored()
	if len(old) == 0 || old[0].OrgUnit != "20338" {
		t.Fatalf("2024 airings: %+v", old)
	}

	f.clock.Set(local("2026-01-05 08:00"))
	entries := func() int {
		es, err := f.trail.List(f.ctx, audit.Query{Entity: "station", EntityID: "LOA-20338"})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := entries()
	for _, tt := range []struct {
		name  string
		actor loa.Actor
		move  StationMove
		field string
		err   error
	}{
		{"not a date", loa.System, StationMove{OrgUnit: "20341", From: "2025-13-01"}, "from", loa.ErrInvalid},
		{"ahead of today", loa.System, StationMove{OrgUnit: "20341", From: "2026-02-01"}, "from", loa.ErrInvalid},
		{"its unit already", loa.System, StationMove{OrgUnit: "20338", From: "2025-07-01"}, "orgUnit", loa.ErrInvalid},
		{"a unit ended by then", loa.System, StationMove{OrgUnit: "502", From: "2025-07-01"}, "orgUnit", loa.ErrInvalid},
		{"unknown unit", loa.System, StationMove{OrgUnit: "99999", From: "2025-07-01"}, "orgUnit", loa.ErrInvalid},
		{"outside the scope", loa.Actor{Username: "hoi-an", Scope: "503"}, StationMove{OrgUnit: "20341", From: "2025-07-01"}, "", loa.ErrOutsideScope},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.MoveStation(f.ctx, tt.actor, "LOA-20338", tt.move)
			var v *loa.ValidationError
			switch {
			case tt.err == loa.ErrOutsideScope && !errors.Is(err, loa.ErrOutsideScope):
				t.Errorf("MoveStation = %v, want outside_scope", err)
			case tt.err == loa.ErrInvalid && (!errors.As(err, &v) || v.Details[0].Field != tt.field):
				t.Errorf("MoveStation = %v, want invalid %s", err, tt.field)
			}
		})
	}
	st, err := f.s.Station(f.ctx, "LOA-20338")
	if err != nil || st.OrgUnit != "20338" || len(st.Earlier) != 0 || entries() != before {
		t.Fatalf("after refused moves: %+v (%v), %d audit entries (was %d)", st, err, entries(), before)
	}

	st, err = f.s.MoveStation(f.ctx, loa.System, "LOA-20338", StationMove{OrgUnit: "20341", From: "2025-07-01"})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[loa.Date]string{"2024-03-15": "20338", "2025-06-30": "20338", "2025-07-01": "20341", "2026-01-05": "20341"} {
		if got := st.UnitOn(d); got != want {
			t.Errorf("UnitOn(%s) = %s, want %s", d, got, want)
		}
	}
	if entries() != before+1 {
		t.Errorf("the move was not audited")
	}
	if _, err := f.s.MoveStation(f.ctx, loa.System, "LOA-20338", StationMove{OrgUnit: "20335", From: "2025-07-01"}); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("a second move on the first one's day = %v, want invalid", err)
	}

	// A 2026 plan of Đà Nẵng picks the station under 48 and names phường Tam Kỳ.
	plan := campaigns.Campaign{Code: "PCMD-2026", Title: "Kế hoạch 2026", Period: campaigns.Period{Start: "2026-01-01", End: "2026-12-31"},
		LegalBasis: "Kế hoạch số 2/KH-UBND", OwnerAgency: "UBND thành phố Đà Nẵng", Secretariat: "Sở Y tế",
		Indicators: []campaigns.Indicator{{Code: "communes", Title: "Xã có tuyên truyền", Rule: "orgunit_activity", Level: "commune",
			Comparator: "gt", Threshold: 0.7, Source: "Trên 70% số xã"}}}
	if _, err := f.cs.CreateCampaign(f.ctx, loa.System, plan); err != nil {
		t.Fatal(err)
	}
	f.approved(script("Thông báo 2026", "PCMD-2026"))
	in := RuleInput{Campaign: "PCMD-2026", Title: "Loa Đà Nẵng", Stations: StationSelector{Channel: "commune_loudspeaker", Under: "48"},
		RRule: tuFr, StartDate: "2026-01-05", DurationSeconds: 900}
	p, err := f.s.PreviewRule(f.ctx, loa.System, in, 2)
	if err != nil || p.StationCount != 1 || p.Stations[0] != "LOA-20338" {
		t.Fatalf("PreviewRule under 48 in 2026 picks %v, %v; want the moved station", p.Stations, err)
	}
	f.rule(in)
	f.materialize()
	var named2024, named2026 string
	for _, a := range f.stored() {
		item, err := f.s.AiringScript(f.ctx, a.ID)
		if err != nil {
			continue
		}
		switch {
		case a.Start.Year() == 2024 && named2024 == "":
			named2024 = item.Script
			if a.OrgUnit != "20338" {
				t.Errorf("a 2024 airing is now of %s", a.OrgUnit)
			}
		case a.Start.Year() == 2026 && named2026 == "":
			named2026 = item.Script
			if a.OrgUnit != "20341" {
				t.Errorf("a 2026 airing is of %s, want 20341", a.OrgUnit)
			}
		}
	}
	if !strings.Contains(named2024, "Phước Hòa") || !strings.Contains(named2026, "Tam Kỳ") {
		t.Errorf("scripts name %q in 2024 and %q in 2026, want Phước Hòa and Tam Kỳ", named2024, named2026)
	}

	// The 2024 as-run of Tam Kỳ district still counts the station.
	run, err := f.s.CampaignAsRun(f.ctx, loa.System, demo, "502", local("2024-03-01 00:00"))
	if err != nil || len(run.Stations) != 1 || run.Stations[0].Station != "LOA-20338" || len(run.Districts) != 1 || run.Districts[0].OrgUnit != "502" {
		t.Errorf("as-run of 502 in March 2024 = %+v, %v; want LOA-20338 under 502", run, err)
	}
}
