package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/content"
)

// reviewPage is the data of the approvers' queue.
type reviewPage struct {
	Items []reviewRow
	Total int64
	// Next is the address of the next page, First that of the first when this is
	// not it.
	Next, First string
}

// reviewRow is an item waiting for review, with the checks found at its
// submission.
type reviewRow struct {
	contentRow
	Warnings []string
	// Own says the account wrote the item or its working version: another
	// approver must review it.
	Own bool
}

// review lists the items in review, oldest first, each with approve and reject.
func (p *Pages) review(c *gin.Context) {
	p.renderReview(c, http.StatusOK, view{})
}

func (p *Pages) renderReview(c *gin.Context, status int, v view) {
	ctx := c.Request.Context()
	f := content.Filter{Status: content.StatusInReview}
	items, err := p.Content.List(ctx, f)
	if err != nil {
		p.fail(c, err)
		return
	}
	names, err := p.contentNames(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	after := c.Query("after")
	shown, next := pageOf(items, f, after)
	data := reviewPage{Total: int64(len(items))}
	for _, it := range shown {
		own, err := p.Content.Wrote(ctx, current(c).User.Username, it)
		if err != nil {
			p.fail(c, err)
			return
		}
		data.Items = append(data.Items, reviewRow{contentRow: names.row(it), Warnings: warningsVi(it.Warnings), Own: own})
	}
	if next != "" {
		data.Next = "/review?" + url.Values{"after": {next}}.Encode()
	}
	if after != "" {
		data.First = "/review"
	}
	v.Title, v.Data = "Duyệt nội dung", data
	p.render(c, status, "review.html", v)
}

// reviewStep approves or rejects an item from the queue; a refusal (no reason
// given to reject, or one's own words) is shown on the queue beside the item.
func (p *Pages) reviewStep(action, done string) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := current(c).User
		id := c.Param("id")
		r := content.Reviewer{Actor: u.Actor(), Approver: u.Can(access.ReviewContent)}
		out, err := p.Content.Step(c.Request.Context(), r, id, action, c.PostForm("comment"))
		if err == nil {
			redirect(c, "/review", done+" «"+out.Item.Title+"».")
			return
		}
		form := url.Values{"item": {id}, "comment": {c.PostForm("comment")}}
		errs, ok := formErrors(err)
		status := http.StatusUnprocessableEntity
		switch {
		case errors.Is(err, loa.ErrForbidden):
			status, errs = http.StatusForbidden, map[string]string{"item": vietnamese(refusal(err))}
		case errors.Is(err, loa.ErrConflict):
			status = http.StatusConflict
		case !ok:
			p.fail(c, err)
			return
		}
		p.renderReview(c, status, view{Form: form, Errors: errs})
	}
}

// refusal is the service's reason for refusing a step, without the kind of error
// in front of it.
func refusal(err error) string {
	msg := err.Error()
	rest, _ := strings.CutPrefix(msg, loa.ErrForbidden.Error()+": ")
	return rest
}
