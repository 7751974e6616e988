// Package web serves Loa's pages: server-rendered HTML in Vietnamese for planners,
// editors, approvers, reporters, the secretariat and admins. Pages call the same
// services as the JSON API, so no rule lives here; a handler reads the form, calls
// a service and renders the answer (or the form again with the errors beside its
// fields). Every form works without JavaScript (POST, then redirect) and carries the
// session's CSRF token; htmx, vendored and embedded, adds live previews.
package web

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/report"
	"loa/content"
	"loa/scheduler"
	"loa/scheduler/jobs"
	"loa/templates"
)

// Deps are the services the pages call.
type Deps struct {
	Campaigns *campaigns.Service
	Reach     *reach.Service
	Reports   *report.Service
	Access    *access.Service
	Content   *content.Service
	Scheduler *scheduler.Service
	Jobs      *jobs.Runner
	Log       *slog.Logger
	// Zone is where dates and times are shown (the deployment's zone).
	Zone *time.Location
	// Now is the clock of "today" on the pages.
	Now func() time.Time
}

// Pages is the web UI.
type Pages struct {
	Deps
	views  *views
	static *assets
}

// New parses the templates and reads the static assets; an error stops start-up.
func New(d Deps) (*Pages, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	v, err := parseViews(templates.Pages(), d.Zone)
	if err != nil {
		return nil, err
	}
	a, err := readAssets(templates.Static())
	if err != nil {
		return nil, err
	}
	return &Pages{Deps: d, views: v, static: a}, nil
}

// Register adds the pages to r. It reads like a sitemap: each group of pages names
// the action of the permission table it needs (access.Permissions).
func (p *Pages) Register(r *gin.Engine) {
	r.GET("/static/:name", p.asset)
	r.GET("/login", p.loginForm)
	r.POST("/login", p.login)

	in := r.Group("/", p.signedIn, p.checkCSRF)
	in.GET("/", p.home)
	in.POST("/logout", p.logout)

	me := in.Group("/me", p.need(access.ManageOwnAccount))
	me.GET("", p.me)
	me.POST("/password", p.changePassword)
	me.POST("/tokens", p.createToken)
	me.POST("/tokens/:id/revoke", p.revokeToken)

	// A station operator's phone: signed in by its link, not by a password.
	r.GET("/o/:secret", p.openOperatorLink)
	r.GET("/station/sw.js", p.serviceWorker)
	op := r.Group("/station", p.operatorSignedIn)
	op.GET("", p.station)
	op.GET("/airings/:id", p.script)
	op.POST("/airings/:id/confirm", p.confirm)
	links := in.Group("/stations/:code/operator-links", p.need(access.WriteStations))
	links.GET("", p.operatorLinks)
	links.POST("", p.createOperatorLink)
	links.POST("/:id/revoke", p.revokeOperatorLink)
}
