package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/campaigns/report"
)

// suggestionsPage is the data of a campaign's plan suggestions (gợi ý kế hoạch):
// what would close the gap of each indicator not met.
type suggestionsPage struct {
	Choice      reportChoice
	Suggestions *report.Suggestions
	Choices     choices
	// CanPlan says whether the account may turn a suggestion into a slot rule.
	CanPlan bool
}

// Tab is the page's tab among the report pages.
func (suggestionsPage) Tab() string { return "suggestions" }

// Month writes YYYY-MM as people do: 03/2024.
func (suggestionsPage) Month(m string) string { return gapsPage{}.Month(m) }

// ruleLink is the new-rule form prefilled to place airings on stations for a
// suggestion.
func (s suggestionsPage) ruleLink(sg report.Suggestion, stations []string) string {
	v := url.Values{"campaign": {s.Suggestions.Campaign}, "title": {"Bù khoảng trống: " + sg.Title},
		"stations": {strings.Join(stations, ", ")}}
	if sg.Group != "" {
		v.Set("groups", sg.Group)
	}
	return "/rules/new?" + v.Encode()
}

// CoverageRule is the new-rule form for the loudspeakers of the units that close
// a coverage gap, "" when they have none.
func (s suggestionsPage) CoverageRule(sg report.Suggestion) string {
	var stations []string
	for _, u := range sg.Units {
		stations = append(stations, u.Stations...)
		if u.Closes {
			break
		}
	}
	if len(stations) == 0 {
		return ""
	}
	return s.ruleLink(sg, stations)
}

// CommuneRule is the new-rule form for the loudspeakers of the communes listed
// (only those no rule reaches yet), "" when they have none.
func (s suggestionsPage) CommuneRule(sg report.Suggestion, unreachedOnly bool) string {
	var stations []string
	for _, c := range sg.Communes {
		if unreachedOnly && c.Reached {
			continue
		}
		for _, o := range c.Outlets {
			if o.Channel == "commune_loudspeaker" {
				stations = append(stations, o.Station)
			}
		}
	}
	if len(stations) == 0 {
		return ""
	}
	return s.ruleLink(sg, stations)
}

// Unreached counts the communes of a suggestion no rule reaches.
func (suggestionsPage) Unreached(sg report.Suggestion) int64 {
	var n int64
	for _, c := range sg.Communes {
		if !c.Reached {
			n++
		}
	}
	return n
}

func (p *Pages) suggestions(c *gin.Context) {
	ctx := c.Request.Context()
	cp, ch, errs, ok := p.campaignChoice(c)
	if !ok {
		return
	}
	data := suggestionsPage{Choice: ch, CanPlan: current(c).User.Can(access.WriteSchedule)}
	var err error
	if data.Choices, err = p.choices(ctx, cp.Period); err != nil {
		p.fail(c, err)
		return
	}
	status := http.StatusOK
	if len(errs) == 0 {
		s, err := p.Reports.Suggestions(ctx, current(c).User.Actor(), cp.Code, ch.Query)
		if fe, ok := formErrors(err); ok {
			errs = fe
		} else if err != nil {
			p.fail(c, err)
			return
		} else {
			data.Suggestions = &s
		}
	}
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	p.render(c, status, "suggest.html", view{Title: "Gợi ý kế hoạch — " + cp.Code, Data: data, Form: ch.Values, Errors: errs})
}
