package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"loa/campaigns/reach"
	"loa/campaigns/report"
)

// gapsPage is the data of a campaign's gap map: the units below the scope ×
// months, for a target group or an activity kind.
type gapsPage struct {
	Choice             reportChoice
	Map                *report.GapMap
	Groups, Activities []option
}

// Tab is the page's tab among the report pages.
func (gapsPage) Tab() string { return "gaps" }

// cellMarks are the symbols and words of the map's cell states: colour is never
// the only sign.
var cellMarks = map[string]struct{ symbol, label string }{
	report.CellNothing:  {"○", "Không có hoạt động"},
	report.CellActivity: {"●", "Có hoạt động"},
	report.CellBehind:   {"▼", "Có hoạt động, bao phủ dưới 75 % mức cần đạt"},
	report.CellClose:    {"◆", "Có hoạt động, bao phủ gần mức cần đạt"},
	report.CellOnPace:   {"▲", "Có hoạt động, bao phủ đạt mức cần đạt"},
	report.CellFuture:   {"·", "Chưa tới"},
}

// legendOrder lists the states in the legend.
var legendOrder = []string{report.CellNothing, report.CellActivity, report.CellBehind, report.CellClose, report.CellOnPace, report.CellFuture}

// legendItem is one state in the map's legend.
type legendItem struct{ State, Symbol, Label string }

// Legend are the states the map shows, with their symbols and words.
func (g gapsPage) Legend() []legendItem {
	shown := map[string]bool{}
	for _, r := range g.Map.Rows {
		shown[r.Total.State] = true
		for _, c := range r.Cells {
			shown[c.State] = true
		}
	}
	out := make([]legendItem, 0, len(legendOrder))
	for _, s := range legendOrder {
		if shown[s] {
			out = append(out, legendItem{s, cellMarks[s].symbol, cellMarks[s].label})
		}
	}
	return out
}

// Symbol is a cell state's symbol.
func (gapsPage) Symbol(state string) string { return cellMarks[state].symbol }

// Words is a cell state's words.
func (gapsPage) Words(state string) string { return cellMarks[state].label }

// Month writes YYYY-MM as people do: 03/2024.
func (gapsPage) Month(m string) string {
	if len(m) != 7 {
		return m
	}
	return m[5:] + "/" + m[:4]
}

// Records is the address of the reach records behind a cell (month "" for the
// whole window).
func (g gapsPage) Records(unit, month string) string {
	v := url.Values{"campaign": {g.Map.Campaign}, "unit": {unit}}
	for k, s := range map[string]string{"group": g.Map.Group, "activity": g.Map.Activity, "month": month} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return "/reach?" + v.Encode()
}

// Drill is the map of the units below unit.
func (g gapsPage) Drill(unit string) string {
	return g.Choice.Link("/campaigns/"+url.PathEscape(g.Choice.Code)+"/gaps", "scope", unit, "group", g.Map.Group, "activity", g.Map.Activity)
}

func (p *Pages) gaps(c *gin.Context) {
	ctx := c.Request.Context()
	cp, ch, errs, ok := p.campaignChoice(c)
	if !ok {
		return
	}
	group, activity := strings.TrimSpace(c.Query("group")), strings.TrimSpace(c.Query("activity"))
	ch.Values.Set("group", group)
	ch.Values.Set("activity", activity)
	data := gapsPage{Choice: ch}
	groups, err := p.Campaigns.TargetGroups(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	status := http.StatusOK
	if len(errs) == 0 {
		m, err := p.Reports.GapMap(ctx, current(c).User.Actor(), cp.Code, report.GapQuery{ReportQuery: ch.Query, Group: group, Activity: activity})
		if fe, ok := formErrors(err); ok {
			errs = fe
		} else if err != nil {
			p.fail(c, err)
			return
		} else {
			data.Map = &m
			group = m.Group
		}
	}
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	for _, g := range groups {
		data.Groups = append(data.Groups, option{Value: g.Code, Label: g.NameVi, Selected: g.Code == group})
	}
	data.Activities = []option{{Value: "", Label: "Không: bản đồ theo nhóm đối tượng"}}
	for _, k := range reach.ActivityKinds {
		data.Activities = append(data.Activities, option{Value: k.Code, Label: k.Label, Selected: k.Code == activity})
	}
	p.render(c, status, "gapmap.html", view{Title: "Bản đồ khoảng trống — " + cp.Code, Data: data, Form: ch.Values, Errors: errs})
}
