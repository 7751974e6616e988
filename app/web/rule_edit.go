package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/scheduler"
)

// checkRule decodes the form and asks the service what saving it would do:
// preview of the next occurrences, or every refusal beside its field.
func (p *Pages) checkRule(c *gin.Context, id string) (url.Values, scheduler.RuleInput, *rulePreview, map[string]string, error) {
	form, in, errs := decodeRule(c)
	ctx, actor := c.Request.Context(), current(c).User.Actor()
	var pv scheduler.Preview
	var err error
	if id == "" {
		pv, err = p.Scheduler.PreviewRule(ctx, actor, in, scheduler.DefaultPreview)
	} else {
		pv, err = p.Scheduler.PreviewRuleChange(ctx, actor, id, in, scheduler.DefaultPreview)
	}
	if err != nil {
		service, ok := ruleErrors(err, form.Get("freq") != freqAdvanced)
		if !ok {
			return form, in, nil, nil, err
		}
		repeatRefused := errs["freq"]+errs["days"]+errs["weekday"]+errs["nth"]+errs["interval"]+errs["time"] != ""
		for k, msg := range service {
			if _, dup := errs[k]; !dup && !(k == "repeat" && repeatRefused) {
				errs[k] = msg
			}
		}
	}
	if len(errs) > 0 {
		problems := slices.Collect(maps.Values(errs))
		slices.Sort(problems)
		return form, in, &rulePreview{Problems: problems}, errs, nil
	}
	out := &rulePreview{Preview: pv}
	for _, w := range pv.Warnings {
		out.Warnings = append(out.Warnings, isoDate.ReplaceAllStringFunc(vietnamese(w.Message), func(d string) string { return loa.Date(d).Display() }))
	}
	return form, in, out, nil, nil
}

func (p *Pages) newRule(c *gin.Context) {
	values, err := p.newRuleValues(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	// A link may fill fields in (a plan suggestion names its stations).
	for _, k := range ruleFields {
		if q, ok := c.GetQueryArray(k); ok {
			values[k] = q
		}
	}
	p.renderNewRule(c, http.StatusOK, view{Form: values}, nil)
}

func (p *Pages) renderNewRule(c *gin.Context, status int, v view, preview *rulePreview) {
	f, err := p.ruleForm(c.Request.Context(), v.Form, "/rules", preview)
	if err != nil {
		p.fail(c, err)
		return
	}
	v.Title, v.Data = "Quy tắc lịch khung mới", f
	p.render(c, status, "rule_new.html", v)
}

// previewRule shows what saving the form would do: the preview panel alone for
// htmx, or the whole form again (the "Xem trước" button without JavaScript).
func (p *Pages) previewRule(c *gin.Context) {
	id := c.Param("id")
	form, _, preview, errs, err := p.checkRule(c, id)
	if err != nil {
		p.fail(c, err)
		return
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	if c.GetHeader("HX-Request") == "true" {
		p.render(c, http.StatusOK, "rule_new.html#rule-preview", view{Data: ruleFormPage{clock: clock{p.Zone}, Preview: preview}})
		return
	}
	p.showRuleForm(c, id, status, view{Form: form, Errors: errs}, preview)
}

// showRuleForm shows the form again on the page of the new rule or of rule id.
func (p *Pages) showRuleForm(c *gin.Context, id string, status int, v view, preview *rulePreview) {
	if id == "" {
		p.renderNewRule(c, status, v, preview)
		return
	}
	p.renderRule(c, status, v, preview)
}

// saveRule saves the form through save, or shows it again with the refusals
// beside their fields and the preview (which lists a refused overlap's
// occurrences).
func (p *Pages) saveRule(c *gin.Context, id string, save func(scheduler.RuleInput) (scheduler.Saved, error)) {
	form, in, preview, errs, err := p.checkRule(c, id)
	if err != nil {
		p.fail(c, err)
		return
	}
	if len(errs) == 0 {
		saved, err := save(in)
		if err == nil {
			redirect(c, "/rules/"+saved.ID, "Đã lưu quy tắc. Lịch phát của các đài sẽ được cập nhật trong giây lát.")
			return
		}
		var ok bool
		if errs, ok = ruleErrors(err, form.Get("freq") != freqAdvanced); !ok {
			p.fail(c, err)
			return
		}
	}
	p.showRuleForm(c, id, http.StatusUnprocessableEntity, view{Form: form, Errors: errs}, preview)
}

func (p *Pages) createRule(c *gin.Context) {
	p.saveRule(c, "", func(in scheduler.RuleInput) (scheduler.Saved, error) {
		return p.Scheduler.CreateRule(c.Request.Context(), current(c).User.Actor(), in)
	})
}

func (p *Pages) updateRule(c *gin.Context) {
	id := c.Param("id")
	p.saveRule(c, id, func(in scheduler.RuleInput) (scheduler.Saved, error) {
		return p.Scheduler.UpdateRule(c.Request.Context(), current(c).User.Actor(), id, in)
	})
}

// setRuleActive switches a rule on or off; switching it off cancels its future
// airings (the service does), history stays.
func (p *Pages) setRuleActive(c *gin.Context) {
	ctx := c.Request.Context()
	r, err := p.Scheduler.Rule(ctx, c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	in := r.Input()
	active := c.PostForm("active") == "true"
	in.Active = &active
	if _, err := p.Scheduler.UpdateRule(ctx, current(c).User.Actor(), r.ID, in); err != nil {
		if errs, ok := formErrors(err); ok {
			p.renderRule(c, http.StatusUnprocessableEntity, view{Errors: map[string]string{"": firstMessage(errs)}}, nil)
			return
		}
		p.fail(c, err)
		return
	}
	flash := "Đã tắt quy tắc; các lần phát sắp tới của nó sẽ được huỷ."
	if active {
		flash = "Đã bật lại quy tắc; lịch phát sẽ được cập nhật trong giây lát."
	}
	redirect(c, "/rules/"+r.ID, flash)
}

// firstMessage is one of errs' messages, for a form that has no field of its own.
func firstMessage(errs map[string]string) string {
	keys := slices.Sorted(maps.Keys(errs))
	if len(keys) == 0 {
		return ""
	}
	return errs[keys[0]]
}
