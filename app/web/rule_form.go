package web

import (
	"context"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/campaigns"
	"loa/content"
	"loa/scheduler"
)

// freqAdvanced is the form's choice of typing an RRULE or a cron spec instead of
// the simple fields.
const freqAdvanced = "advanced"

// ruleFields are the fields of the rule form, as posted and as kept when it is
// shown again.
var ruleFields = []string{"campaign", "title", "stations", "channel", "under", "freq", "days", "nth", "weekday",
	"interval", "time", "rrule", "cron", "startDate", "until", "exdates", "duration", "groups", "priority",
	"items", "kinds", "poolGroups", "tags", "poolCampaign"}

// ruleErrorFields put the service's fields beside the form's (a list's index
// "[n]" is dropped first).
var ruleErrorFields = map[string]string{
	"stations.channel": "channel", "stations.under": "under", "durationSeconds": "duration", "pool": "items",
	"pool.items": "items", "pool.kinds": "kinds", "pool.groups": "poolGroups", "pool.campaign": "poolCampaign",
}

var (
	listIndex = regexp.MustCompile(`\[\d+\]$`)
	isoDate   = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
)

// ruleFormPage is the data of the rule form, for a new rule or a change.
type ruleFormPage struct {
	clock
	// Action is where the form saves: /rules for a new rule, /rules/{id} for a
	// change; its preview posts to Action + "/preview".
	Action    string
	Values    url.Values
	Campaigns []campaigns.Campaign
	Channels  []scheduler.Channel
	Units     []option
	Groups    []campaigns.TargetGroup
	Kinds     []option
	Weekdays  []option
	Freqs     []option
	Nths      []option
	Preview   *rulePreview
}

// The choices of how a rule repeats, and of a monthly weekday's place.
var (
	freqOptions = []option{{Value: scheduler.RepeatWeekly, Label: "Hằng tuần"}, {Value: scheduler.RepeatMonthly, Label: "Hằng tháng"},
		{Value: scheduler.RepeatDaily, Label: "Hằng ngày"}, {Value: freqAdvanced, Label: "Nâng cao (RRULE, cron)"}}
	nthOptions = []option{{Value: "1", Label: "đầu tiên"}, {Value: "2", Label: "lần thứ 2"}, {Value: "3", Label: "lần thứ 3"}, {Value: "4", Label: "lần thứ 4"}, {Value: "-1", Label: "cuối cùng"}}
)

// PreviewAction is where the form's preview posts.
func (f ruleFormPage) PreviewAction() string { return f.Action + "/preview" }

// Extras says whether the form has target groups or a content pool, which are
// folded away when it has none.
func (f ruleFormPage) Extras() bool {
	for _, k := range []string{"groups", "kinds", "poolGroups", "tags", "poolCampaign", "items"} {
		if strings.Join(f.Values[k], "") != "" {
			return true
		}
	}
	return false
}

// Checked says whether value is among the values of a field with several.
func (f ruleFormPage) Checked(field, value string) bool {
	return slices.Contains(f.Values[field], value)
}

// rulePreview is what saving the form would do, or why it cannot be shown yet.
type rulePreview struct {
	scheduler.Preview
	// Warnings are the preview's warnings in Vietnamese; Problems the refusals of
	// the form, when it cannot be previewed.
	Warnings []string
	Problems []string
}

// Picked counts the stations the rule picks.
func (p rulePreview) Picked() int64 { return int64(p.StationCount) }

// More counts the stations picked but not listed.
func (p rulePreview) More() int64 { return int64(p.StationCount - len(p.Stations)) }

// shownConflicts bounds the overlaps the preview lists; it counts them all.
const shownConflicts = 10

// ConflictCount counts the overlaps with other rules in the year ahead.
func (p rulePreview) ConflictCount() int64 { return int64(p.Conflicts.Total) }

// FirstConflicts are the overlaps the preview lists.
func (p rulePreview) FirstConflicts() []scheduler.Conflict {
	return p.Conflicts.List[:min(len(p.Conflicts.List), shownConflicts)]
}

// ruleForm is the data of the form with values, saving to action, and the choices
// of its selects and checkboxes.
func (p *Pages) ruleForm(ctx context.Context, values url.Values, action string, preview *rulePreview) (ruleFormPage, error) {
	f := ruleFormPage{clock: clock{p.Zone}, Action: action, Values: values, Channels: scheduler.Channels,
		Freqs: freqOptions, Nths: nthOptions, Preview: preview}
	var err error
	if f.Campaigns, err = p.Campaigns.Campaigns(ctx); err != nil {
		return f, err
	}
	if f.Groups, err = p.Campaigns.TargetGroups(ctx); err != nil {
		return f, err
	}
	// Every unit as it was last: a station keeps its unit until it is moved, so a
	// rule may pick the stations of a district abolished in 2025.
	units, err := p.Campaigns.LatestUnits(ctx, campaigns.OrgUnitFilter{})
	if err != nil {
		return f, err
	}
	// The province and its districts; a smaller unit only when the rule names one.
	for _, u := range units {
		if len(u.Path) <= 2 || u.Code == values.Get("under") {
			f.Units = append(f.Units, option{Value: u.Code, Label: strings.Repeat("— ", len(u.Path)-1) + u.Type + " " + u.Name})
		}
	}
	for _, k := range content.Kinds {
		f.Kinds = append(f.Kinds, option{Value: k, Label: kindNames[k]})
	}
	for _, d := range scheduler.Weekdays {
		f.Weekdays = append(f.Weekdays, option{Value: d, Label: weekdayNames[d]})
	}
	return f, nil
}

// newRuleValues are the form's first values: a weekly slot of five minutes from
// today.
func (p *Pages) newRuleValues(ctx context.Context) (url.Values, error) {
	v := url.Values{"freq": {scheduler.RepeatWeekly}, "interval": {"1"}, "nth": {"1"}, "time": {"06:30"},
		"duration": {"5"}, "priority": {"0"}, "startDate": {p.Now().In(p.Zone).Format("2006-01-02")}}
	cs, err := p.Campaigns.Campaigns(ctx)
	if err == nil && len(cs) > 0 {
		v.Set("campaign", cs[len(cs)-1].Code)
	}
	return v, err
}

// ruleValues are the form's values of a saved rule.
func ruleValues(r scheduler.Rule) url.Values {
	v := url.Values{
		"campaign": {r.Campaign}, "title": {r.Title}, "startDate": {string(r.StartDate)},
		"stations": {strings.Join(r.Stations.Codes, ", ")}, "channel": {r.Stations.Channel}, "under": {r.Stations.Under},
		"duration": {strings.Replace(strconv.FormatFloat(float64(r.DurationSeconds)/60, 'f', -1, 64), ".", ",", 1)},
		"priority": {strconv.Itoa(r.Priority)}, "interval": {"1"}, "nth": {"1"},
		"groups": r.Groups, "kinds": r.Pool.Kinds, "poolGroups": r.Pool.Groups, "poolCampaign": {r.Pool.Campaign},
		"items": {strings.Join(r.Pool.Items, ", ")}, "tags": {strings.Join(r.Pool.Tags, ", ")},
	}
	if r.Until != nil {
		v.Set("until", string(*r.Until))
	}
	var ex []string
	for _, x := range r.ExDates {
		if d, err := loa.ParseDate(x); err == nil {
			x = d.Display()
		}
		ex = append(ex, x)
	}
	v.Set("exdates", strings.Join(ex, "\n"))
	rp, ok := scheduler.RepeatOf(r.RRule)
	if !ok || r.Cron != "" {
		v.Set("freq", freqAdvanced)
		v.Set("rrule", r.RRule)
		v.Set("cron", r.Cron)
		return v
	}
	v.Set("freq", rp.Freq)
	v.Set("interval", strconv.Itoa(rp.Interval))
	v.Set("time", rp.Time)
	if rp.Freq == scheduler.RepeatMonthly {
		v.Set("nth", strconv.Itoa(rp.Nth))
		v.Set("weekday", rp.Days[0])
	} else {
		v["days"] = rp.Days
	}
	return v
}

// splitList reads a field of codes or dates separated by commas, spaces or lines.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// decodeRule reads the rule form into the service's input. errs holds what the
// form itself refuses (numbers, dates, the simple recurrence fields); the service
// checks the rest.
func decodeRule(c *gin.Context) (url.Values, scheduler.RuleInput, map[string]string) {
	_ = c.Request.ParseForm() // a body that does not parse leaves the fields empty: refused below
	form := url.Values{}
	for _, k := range ruleFields {
		if vs, ok := c.Request.PostForm[k]; ok {
			form[k] = vs
		}
	}
	errs := map[string]string{}
	in := scheduler.RuleInput{Campaign: form.Get("campaign"), Title: form.Get("title"),
		Stations: scheduler.StationSelector{Codes: splitList(form.Get("stations")), Channel: form.Get("channel"), Under: form.Get("under")},
		Groups:   form["groups"], Pool: scheduler.Pool{Items: splitList(form.Get("items")), Kinds: form["kinds"],
			Groups: form["poolGroups"], Tags: splitList(form.Get("tags")), Campaign: form.Get("poolCampaign")}}
	if len(in.Stations.Codes) > 0 {
		// The codes are chosen; the channel and the unit stay in the form only.
		in.Stations.Channel, in.Stations.Under = "", ""
	}
	if d, ok := parseDate(form.Get("startDate")); ok {
		in.StartDate = d
	} else {
		errs["startDate"] = "Chọn ngày bắt đầu hợp lệ (dd/mm/yyyy)."
	}
	if raw := strings.TrimSpace(form.Get("until")); raw != "" {
		if d, ok := parseDate(raw); ok {
			in.Until = &d
		} else {
			errs["until"] = "Chọn ngày kết thúc hợp lệ (dd/mm/yyyy), hoặc để trống."
		}
	}
	for _, x := range splitList(form.Get("exdates")) {
		if d, ok := parseDate(x); ok {
			x = string(d)
		}
		in.ExDates = append(in.ExDates, x) // the service says what is wrong with the others
	}
	minutes, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(form.Get("duration")), ",", ".", 1), 64)
	if err != nil || math.IsNaN(minutes) || math.IsInf(minutes, 0) {
		errs["duration"] = "Nhập số phút, ví dụ 5 hoặc 2,5."
	} else {
		in.DurationSeconds = int(math.Round(math.Max(-1, math.Min(minutes, 1e6)) * 60))
	}
	if in.Priority, err = strconv.Atoi(strings.TrimSpace(form.Get("priority"))); err != nil {
		errs["priority"] = "Nhập một số nguyên, ví dụ 0."
	}
	if form.Get("freq") == freqAdvanced {
		in.RRule, in.Cron = form.Get("rrule"), form.Get("cron")
		return form, in, errs
	}
	rp := scheduler.Repeat{Freq: form.Get("freq"), Days: form["days"], Time: form.Get("time")}
	rp.Interval, _ = strconv.Atoi(strings.TrimSpace(form.Get("interval")))
	if rp.Freq == scheduler.RepeatMonthly {
		rp.Days = []string{form.Get("weekday")}
		rp.Nth, _ = strconv.Atoi(form.Get("nth"))
	}
	if in.RRule, err = rp.RRule(); err != nil {
		repeatErrs, _ := formErrors(err)
		for k, msg := range repeatErrs {
			if k == "days" && rp.Freq == scheduler.RepeatMonthly {
				k = "weekday"
			}
			errs[k] = msg
		}
	}
	return form, in, errs
}

// ruleErrors puts a service's refusal of the form beside the form's fields; ok is
// false for an error that is not about the input.
func ruleErrors(err error, simple bool) (map[string]string, bool) {
	errs, ok := formErrors(err)
	out := make(map[string]string, len(errs))
	for k, msg := range errs {
		k = listIndex.ReplaceAllString(k, "")
		if f, ok := ruleErrorFields[k]; ok {
			k = f
		}
		if k == "rrule" && simple {
			k = "repeat"
		}
		if _, dup := out[k]; !dup {
			out[k] = msg
		}
	}
	return out, ok
}
