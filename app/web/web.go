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
	// held keeps the files of import dry runs until they are applied.
	held heldFiles
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

	cs := in.Group("/campaigns", p.need(access.ReadCampaigns))
	cs.GET("", p.listCampaigns)
	cs.GET("/:code", p.showCampaign)
	reports := cs.Group("/:code", p.need(access.ReadReports))
	reports.GET("/gaps", p.gaps)
	reports.GET("/suggestions", p.suggestions)
	reports.GET("/compare", p.compare)
	csw := cs.Group("", p.need(access.WriteCampaigns))
	csw.GET("/new", p.newCampaign)
	csw.POST("", p.createCampaign)
	csw.GET("/:code/edit", p.editCampaign)
	csw.POST("/:code", p.updateCampaign)

	periodic := in.Group("/reports", p.need(access.ReadReports))
	periodic.GET("", p.reports)
	periodic.POST("/draft", p.need(access.WriteDrafts), p.saveDraft)

	rules := in.Group("/rules", p.need(access.ReadSchedule))
	rules.GET("", p.rules)
	rules.GET("/new", p.need(access.WriteSchedule), p.newRule)
	rules.POST("", p.need(access.WriteSchedule), p.createRule)
	rules.POST("/preview", p.need(access.WriteSchedule), p.previewRule)
	rules.GET("/:id", p.rule)
	rules.POST("/:id", p.need(access.WriteSchedule), p.updateRule)
	rules.POST("/:id/preview", p.need(access.WriteSchedule), p.previewRule)
	rules.POST("/:id/active", p.need(access.WriteSchedule), p.setRuleActive)

	me := in.Group("/me", p.need(access.ManageOwnAccount))
	me.GET("", p.me)
	me.POST("/password", p.changePassword)
	me.POST("/tokens", p.createToken)
	me.POST("/tokens/:id/revoke", p.revokeToken)

	calendar := in.Group("/calendar", p.need(access.ReadSchedule))
	calendar.GET("", p.calendar)
	calendar.GET("/press", p.pressCalendar)
	calendar.GET("/airings/:id", p.airing)
	airing := calendar.Group("/airings/:id", p.need(access.WriteSchedule))
	airing.POST("/move", p.moveAiring)
	airing.POST("/content", p.refillAiring)
	airing.POST("/cancel", p.cancelAiring)
	airing.POST("/restore", p.restoreAiring)
	stations := in.Group("/stations", p.need(access.ReadSchedule))
	stations.GET("", p.stations)
	stations.GET("/:code", p.station)
	stations.POST("/:code/token", p.need(access.WriteStations), p.issueStationToken)
	stations.POST("/:code/move", p.need(access.WriteStations), p.moveStation)

	contents := in.Group("/contents", p.need(access.ReadContent))
	contents.GET("", p.contents)
	contents.GET("/:id", p.contentItem)
	writing := contents.Group("", p.need(access.WriteContent))
	writing.GET("/new", p.newContent)
	writing.POST("", p.createContent)
	writing.POST("/preview", p.previewContent)
	writing.GET("/:id/edit", p.editContent)
	writing.POST("/:id/edit", p.updateContent)
	writing.POST("/:id/comments", p.addContentComment)
	writing.POST("/:id/submit", p.stepContent(content.ActionSubmit, "Đã gửi duyệt."))
	writing.POST("/:id/archive", p.stepContent(content.ActionArchive, "Đã lưu trữ; bài không còn được phát."))
	// The attachment's form is bounded to 20 MB before the CSRF check reads it.
	r.POST("/contents/:id/attachment", p.signedIn, p.need(access.WriteContent), p.boundUpload, p.checkCSRF, p.attachContent)
	review := in.Group("/review", p.need(access.ReviewContent))
	review.GET("", p.review)
	review.POST("/:id/approve", p.reviewStep(content.ActionApprove, "Đã duyệt"))
	review.POST("/:id/reject", p.reviewStep(content.ActionReject, "Đã trả lại để sửa"))

	reachPages := in.Group("/reach", p.need(access.ReadReach))
	reachPages.GET("", p.reachList)
	reachWrite := reachPages.Group("", p.need(access.WriteReach))
	reachWrite.GET("/new", p.newReach)
	reachWrite.POST("", p.saveReach)
	reachWrite.GET("/edit", p.editReach)
	reachWrite.GET("/delete", p.confirmDeleteReach)
	reachWrite.POST("/delete", p.deleteReach)
	reachWrite.GET("/template", p.reachTemplate)
	reachWrite.GET("/import", p.reachImport)
	reachWrite.GET("/import/:id", p.reachImportStatus)
	reachWrite.POST("/import/:id/apply", p.applyReachImport)
	// As the admin's imports: the token is read from the fields before the file.
	r.POST("/reach/import", p.signedIn, p.need(access.WriteReach), p.readUpload, p.checkCSRF, p.checkReachImport)
	manual := in.Group("/reach/manual", p.need(access.ReadReports))
	manual.GET("", p.manualValues)
	manual.POST("", p.need(access.WriteManual), p.putManualValue)
	manual.POST("/delete", p.need(access.WriteManual), p.deleteManualValue)

	admin := in.Group("/admin")
	admin.GET("", p.need(access.ManageUsers), p.adminHome)
	accounts := admin.Group("/accounts", p.need(access.ManageUsers))
	accounts.GET("", p.accounts)
	accounts.POST("", p.createAccount)
	accounts.GET("/:username", p.account)
	accounts.POST("/:username", p.updateAccount)
	accounts.POST("/:username/password", p.resetPassword)
	accounts.POST("/:username/throttle", p.clearThrottle)
	accounts.POST("/:username/scope-mapping", p.mapScope)
	accounts.POST("/:username/delete", p.deleteAccount)
	imports := admin.Group("/imports", p.need(access.WriteOrgUnits))
	imports.GET("", p.imports)
	imports.POST("/apply", p.applyImport)
	// The upload of a dry run is a multipart form: its CSRF token is read from the
	// fields before the file, not by parsing the whole form.
	r.POST("/admin/imports", p.signedIn, p.need(access.WriteOrgUnits), p.readUpload, p.checkCSRF, p.checkImport)
	jobs := admin.Group("/jobs", p.need(access.ReadJobs))
	jobs.GET("", p.jobs)
	jobs.POST("/:name/run", p.need(access.RunJobs), p.runJob)

	// A station operator's phone: signed in by its link, not by a password.
	r.GET("/o/:secret", p.openOperatorLink)
	r.GET("/station/sw.js", p.serviceWorker)
	op := r.Group("/station", p.operatorSignedIn)
	op.GET("", p.operatorWeek)
	op.GET("/airings/:id", p.script)
	op.POST("/airings/:id/confirm", p.confirm)
	links := in.Group("/stations/:code/operator-links", p.need(access.WriteStations))
	links.GET("", p.operatorLinks)
	links.POST("", p.createOperatorLink)
	links.POST("/:id/revoke", p.revokeOperatorLink)
}
