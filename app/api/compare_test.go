package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
)

// compareJSON is a comparison as the API answers it.
type compareJSON struct {
	Map struct {
		Date  string
		Other bool
		Notes []string
	}
	Scope                struct{ Code string }
	Before, After        struct{ Period struct{ Period, To string } }
	Indicators           []comparedJSON
	Units                []struct{ Unit struct{ Code string } }
	Notes                []string
	SmallCellsSuppressed bool
}

type comparedJSON struct {
	Indicator     string
	Before, After *struct {
		Numerator json.RawMessage
		Value     *float64
	}
	Change *struct {
		Numerator *int64
		Points    *float64
	}
}

// TestCompareOnTheMapOf2025: the demo's two half-years side by side on the
// units of 01/07/2025 — 78 communes under Đà Nẵng, each change the second less
// the first as the two reports on that map give them.
func TestCompareOnTheMapOf2025(t *testing.T) {
	s := newReachScene(t)
	if err := s.reach.LoadDemoReach(context.Background()); err != nil {
		t.Fatal(err)
	}
	var c compareJSON
	s.decode(s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/compare?period=2024-H2&withPeriod=2024-H1&map=2025-07-01", "", "", s.planner), http.StatusOK, &c)
	if c.Scope.Code != "48" || c.Map.Date != "2025-07-01" || !c.Map.Other || len(c.Units) != 78 || len(c.Notes) == 0 {
		t.Fatalf("comparison on scope %s, map %+v, %d units, notes %q; want 48 on 2025-07-01 with 78 communes and notes",
			c.Scope.Code, c.Map, len(c.Units), c.Notes)
	}
	if c.Before.Period.Period != "2024-H1" || c.After.Period.Period != "2024-H2" {
		t.Errorf("before %s, after %s; want the earlier window first", c.Before.Period.Period, c.After.Period.Period)
	}
	h1 := s.report(s.planner, "period=2024-H1&map=2025-07-01")
	h2 := s.report(s.planner, "period=2024-H2&map=2025-07-01")
	for _, code := range []string{"communes-activity", "students-reached"} {
		var got comparedJSON
		for _, in := range c.Indicators {
			if in.Indicator == code {
				got = in
			}
		}
		a, b := h1.indicator(t, code), h2.indicator(t, code)
		var na, nb int64
		if json.Unmarshal(a.Numerator, &na) != nil || json.Unmarshal(b.Numerator, &nb) != nil || a.Value == nil || b.Value == nil {
			t.Fatalf("%s: reports %s and %s without numbers", code, a.Numerator, b.Numerator)
		}
		if got.Change == nil || got.Change.Numerator == nil || *got.Change.Numerator != nb-na ||
			got.Change.Points == nil || math.Abs(*got.Change.Points-100*(*b.Value-*a.Value)) > 1e-9 {
			t.Errorf("%s: change %+v, want %d and %.4f points", code, got.Change, nb-na, 100*(*b.Value-*a.Value))
		}
	}
	// The viewer's comparison hides small cells.
	var v compareJSON
	s.decode(s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/compare?period=2024-H2&withPeriod=2024-H1&map=2025-07-01", "", "", s.viewer), http.StatusOK, &v)
	if !v.SmallCellsSuppressed {
		t.Errorf("the viewer's comparison does not suppress small cells")
	}
}

// TestCompareRefusals: a bad map, another campaign that does not exist, a bad
// period of it, a map before a window's end — each 400 on its field, nothing
// written.
func TestCompareRefusals(t *testing.T) {
	s := newReachScene(t)
	base := "/api/v1/campaigns/" + demoCampaign + "/compare?"
	for _, tt := range []struct{ query, field string }{
		{"map=2025-02-30", "map"},
		{"map=tomorrow", "map"},
		{"map=2024-12-30", "map"},
		{"period=2024-H1&withPeriod=2024-H2&map=2024-07-01", "map"},
		{"with=NO-SUCH-PLAN", "with"},
		{"withPeriod=2024-H3", "withPeriod"},
		{"period=2024-Q5", "period"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			s := s.sub(t)
			before := s.snapshot()
			s.wantError(s.call("GET", base+tt.query, "", "", s.planner), http.StatusBadRequest, "invalid", tt.field)
			s.unchangedSince(before)
		})
	}
	// The report refuses a bad map the same way.
	before := s.snapshot()
	s.wantError(s.call("GET", "/api/v1/campaigns/"+demoCampaign+"/report?map=2024-06-30", "", "", s.planner), http.StatusBadRequest, "invalid", "map")
	s.unchangedSince(before)
	if rec := s.call("GET", base+"map=2025-07-01", "", "", s.planner); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"date":"2025-07-01"`) {
		t.Errorf("a good map answers %d %.200s", rec.Code, rec.Body)
	}
}
