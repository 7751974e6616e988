package api_test

import (
	"context"
	"net/http"
	"testing"
)

// suggestionsJSON is the part of the suggestions the tests read.
type suggestionsJSON struct {
	Campaign             string
	SmallCellsSuppressed bool
	Suggestions          []struct {
		Indicator, Rule, Status, Method string
		CanMeet                         bool
		Units                           []struct {
			Unit     struct{ Code string }
			Persons  any
			Sessions *int64
			Stations []string
		}
		Communes []struct{ Unit struct{ Code string } }
	}
}

// TestSuggestions: the suggestions of the demo campaign as of 30 June 2024 say how
// each was computed, per unit with sessions for coverage; viewers get small counts
// hidden; bad choices are 400, another district 403, another campaign 404.
func TestSuggestions(t *testing.T) {
	s := newReachScene(t)
	if err := s.reach.LoadDemoReach(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/campaigns/" + demoCampaign + "/suggestions"
	var got suggestionsJSON
	s.decode(s.call("GET", path+"?asOf=2024-06-30", "", "", s.planner), http.StatusOK, &got)
	if got.Campaign != demoCampaign || got.SmallCellsSuppressed || len(got.Suggestions) == 0 {
		t.Fatalf("suggestions: %+v", got)
	}
	var coverage int
	for _, sg := range got.Suggestions {
		if sg.Method == "" || sg.Status == "met" || sg.Status == "not_measurable" || sg.Rule == "manual" {
			t.Errorf("suggestion %s: %s, status %s, method %q", sg.Indicator, sg.Rule, sg.Status, sg.Method)
		}
		if sg.Rule == "coverage" && len(sg.Units) > 0 {
			coverage++
			// The test server has no scheduler behind the reports: no stations.
			if u := sg.Units[0]; u.Sessions == nil || u.Stations == nil {
				t.Errorf("%s: first unit %+v has no sessions, or null stations", sg.Indicator, u)
			}
		}
	}
	if coverage == 0 {
		t.Errorf("no coverage suggestion splits its gap over units")
	}
	var seen suggestionsJSON
	s.decode(s.call("GET", path+"?asOf=2024-06-30", "", "", s.viewer), http.StatusOK, &seen)
	if !seen.SmallCellsSuppressed {
		t.Errorf("a viewer's suggestions do not hide small counts")
	}
	s.wantError(s.call("GET", path+"?asOf=2999-01-01", "", "", s.planner), http.StatusBadRequest, "invalid", "asOf")
	s.wantError(s.call("GET", path+"?period=2024-Q9", "", "", s.planner), http.StatusBadRequest, "invalid", "period")
	s.wantError(s.call("GET", path+"?scope=503", "", "", s.reporter), http.StatusForbidden, "outside_scope", "")
	s.wantError(s.call("GET", "/api/v1/campaigns/NOPE/suggestions", "", "", s.planner), http.StatusNotFound, "not_found", "")
}
