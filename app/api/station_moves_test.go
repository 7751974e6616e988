package api_test

import (
	"context"
	"net/http"
	"testing"

	"loa"
	"loa/scheduler"
)

// A planner moves Phước Hòa's loudspeaker (20338, merged away) to phường Tam Kỳ
// from 01/07/2025; every bad move is refused with its status and code and writes
// nothing.
func TestMoveStationAPI(t *testing.T) {
	s := newServer(t)
	if _, err := s.scheduler.CreateStation(context.Background(), loa.System, scheduler.StationInput{Code: "LOA-20338",
		Name: "Loa Phước Hòa", Channel: "commune_loudspeaker", OrgUnit: "20338", Languages: []string{"vi"},
		Audience: scheduler.Audience{People: 900, Source: "ước tính"}}); err != nil {
		t.Fatal(err)
	}
	planner := s.account("tamky-planner", "502", "planner")
	other := s.account("hoian-planner", "503", "planner")
	reporter := s.account("tamky-reporter", "502", "reporter")
	const path = "/api/v1/stations/LOA-20338/moves"

	before := s.snapshot()
	for _, tt := range []struct {
		name, body, token string
		status            int
		code, field       string
	}{
		{"not a date", `{"orgUnit":"20341","from":"01/07/2025"}`, planner, 400, "invalid", "from"},
		{"ahead of today", `{"orgUnit":"20341","from":"2999-07-01"}`, planner, 400, "invalid", "from"},
		{"a unit ended then", `{"orgUnit":"502","from":"2025-07-01"}`, planner, 400, "invalid", "orgUnit"},
		{"its unit already", `{"orgUnit":"20338","from":"2025-07-01"}`, planner, 400, "invalid", "orgUnit"},
		{"unknown field", `{"orgUnit":"20341","from":"2025-07-01","until":"x"}`, planner, 400, "invalid", ""},
		{"outside the scope", `{"orgUnit":"20341","from":"2025-07-01"}`, other, 403, "outside_scope", ""},
		{"a reporter", `{"orgUnit":"20341","from":"2025-07-01"}`, reporter, 403, "forbidden", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.sub(t).wantError(s.call("POST", path, "application/json", tt.body, tt.token), tt.status, tt.code, tt.field)
		})
	}
	s.wantError(s.call("POST", "/api/v1/stations/LOA-0/moves", "application/json", `{"orgUnit":"20341","from":"2025-07-01"}`, planner),
		http.StatusNotFound, "not_found", "")
	s.unchangedSince(before)

	// The planner of 502 has no scope on the new map until it is mapped.
	s.wantError(s.call("POST", path, "application/json", `{"orgUnit":"20341","from":"2025-07-01"}`, planner), http.StatusForbidden, "outside_scope", "")
	s.decode(s.do("POST", "/api/v1/users/tamky-planner/scope-mapping", `{"units":["20341"]}`), http.StatusOK, nil)
	var st struct {
		OrgUnit string
		Earlier []struct{ OrgUnit, Until string }
	}
	s.decode(s.call("POST", path, "application/json", `{"orgUnit":"20341","from":"2025-07-01"}`, planner), http.StatusOK, &st)
	if st.OrgUnit != "20341" || len(st.Earlier) != 1 || st.Earlier[0].OrgUnit != "20338" || st.Earlier[0].Until != "2025-06-30" {
		t.Errorf("moved station = %+v, want 20341 with 20338 until 2025-06-30", st)
	}
	s.decode(s.call("GET", "/api/v1/stations/LOA-20338", "", "", planner), http.StatusOK, &st)
	if st.OrgUnit != "20341" || len(st.Earlier) != 1 {
		t.Errorf("GET the moved station = %+v", st)
	}
}
