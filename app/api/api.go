// Package api is Loa's JSON API under /api/v1 and the service endpoints (/healthz,
// /readyz, /metrics). Handlers are thin: parse, call a domain service, render.
package api

import (
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"loa/app/access"
	"loa/app/audit"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/report"
	"loa/campaigns/report/export"
	"loa/content"
	"loa/scheduler"
	"loa/scheduler/jobs"
)

// Pinger says whether the database answers; /readyz reports it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is what the API serves.
type Deps struct {
	Campaigns *campaigns.Service
	Reach     *reach.Service
	Reports   *report.Service
	Access    *access.Service
	Audit     *audit.Log
	Content   *content.Service
	Scheduler *scheduler.Service
	Jobs      *jobs.Runner
	DB        Pinger
	Log       *slog.Logger
	Registry  *prometheus.Registry
	// PageNotFound answers an unknown path outside /api/ (the web UI's 404 page);
	// without it every unknown path gets the JSON error.
	PageNotFound gin.HandlerFunc
	// ReportForm is who reports in the official form (format=docx).
	ReportForm export.Form
}

type handler struct {
	Deps
	orgUnitPages pageCache
	feedBodies   feedBodies
}

const jsonType = "application/json; charset=utf-8"

// Register adds the API's routes and middleware to r. It reads like a sitemap: each
// route names the action of the permission table it needs (access.Permissions).
func Register(r *gin.Engine, d Deps) {
	h := &handler{Deps: d}
	r.Use(SecurityHeaders, h.observe(newMetrics(d.Registry)), h.recover())
	r.HandleMethodNotAllowed = true
	// Route on the path as sent, so that an escaped '/' inside an id (a report
	// number such as "12/BC-UBND" in a reach record's key) stays in its parameter.
	r.UseRawPath, r.UnescapePathValues = true, true
	r.NoRoute(h.notFound)
	r.NoMethod(h.methodNotAllowed)

	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	r.GET("/metrics", h.metrics)

	public := r.Group("/api/v1")
	public.GET("/openapi.json", h.openAPI)
	public.POST("/auth/login", h.login)

	station := r.Group("/api/v1/station", h.requireStation, h.allow(access.PullSchedule))
	station.GET("/schedule", h.pullSchedule)
	station.GET("/schedule.ics", h.pullCalendar)
	station.GET("/airings/:id/script.txt", h.scriptText)
	station.GET("/airings/:id/script.html", h.scriptHTML)
	station.GET("/airings/:id/attachment", h.stationAttachment)
	station.POST("/airings/:id/confirm", h.confirmAiring)
	station.POST("/confirmations", h.confirmBatch)

	api := r.Group("/api/v1", h.requireToken)
	api.POST("/auth/logout", h.logout)
	api.GET("/me", h.showMe)
	api.PUT("/me/password", h.allow(access.ManageOwnAccount), h.changePassword)
	api.GET("/me/tokens", h.allow(access.ManageOwnAccount), h.listTokens)
	api.POST("/me/tokens", h.allow(access.ManageOwnAccount), h.createToken)
	api.DELETE("/me/tokens/:id", h.allow(access.ManageOwnAccount), h.deleteToken)

	api.GET("/users", h.allow(access.ManageUsers), h.listUsers)
	api.POST("/users", h.allow(access.ManageUsers), h.createUser)
	api.GET("/users/:username", h.allow(access.ManageUsers), h.showUser)
	api.PUT("/users/:username", h.allow(access.ManageUsers), h.updateUser)
	api.DELETE("/users/:username", h.allow(access.ManageUsers), h.deleteUser)
	api.GET("/users/:username/throttle", h.allow(access.ManageUsers), h.showThrottle)
	api.DELETE("/users/:username/throttle", h.allow(access.ManageUsers), h.clearThrottle)
	api.GET("/users/:username/scope-mapping", h.allow(access.ManageUsers), h.showScopeMapping)
	api.POST("/users/:username/scope-mapping", h.allow(access.ManageUsers), h.confirmScopeMapping)

	api.GET("/audit", h.allow(access.ReadAudit), h.listAudit)

	api.GET("/orgunits", h.allow(access.ReadReference), h.listOrgUnits)
	api.GET("/orgunits/:code", h.allow(access.ReadReference), h.showOrgUnit)
	api.POST("/orgunits/import", h.allow(access.WriteOrgUnits), h.importOrgUnits)

	api.GET("/targetgroups", h.allow(access.ReadReference), h.listTargetGroups)

	api.GET("/populations", h.allow(access.ReadPopulations), h.listPopulations)
	api.POST("/populations/import", h.allow(access.WritePopulations), h.importPopulations)

	api.GET("/campaigns", h.allow(access.ReadCampaigns), h.listCampaigns)
	api.POST("/campaigns", h.allow(access.WriteCampaigns), h.createCampaign)
	api.GET("/campaigns/:id", h.allow(access.ReadCampaigns), h.showCampaign)
	api.PUT("/campaigns/:id", h.allow(access.WriteCampaigns), h.updateCampaign)
	api.DELETE("/campaigns/:id", h.allow(access.WriteCampaigns), h.deleteCampaign)

	api.GET("/languages", h.allow(access.ReadReference), h.listLanguages)
	api.GET("/contents", h.allow(access.ReadContent), h.listContents)
	api.POST("/contents", h.allow(access.WriteContent), h.createContent)
	api.GET("/contents/:id", h.allow(access.ReadContent), h.showContent)
	api.PUT("/contents/:id", h.allow(access.WriteContent), h.updateContent)
	api.DELETE("/contents/:id", h.allow(access.WriteContent), h.deleteContent)
	api.POST("/contents/:id/submit", h.allow(access.WriteContent), h.step(content.ActionSubmit))
	api.POST("/contents/:id/approve", h.allow(access.ReviewContent), h.step(content.ActionApprove))
	api.POST("/contents/:id/reject", h.allow(access.ReviewContent), h.step(content.ActionReject))
	api.POST("/contents/:id/archive", h.allow(access.WriteContent), h.step(content.ActionArchive))
	api.GET("/contents/:id/versions", h.allow(access.ReadContent), h.listVersions)
	api.GET("/contents/:id/diff", h.allow(access.ReadContent), h.diffVersions)
	api.GET("/contents/:id/comments", h.allow(access.ReadContent), h.listComments)
	api.POST("/contents/:id/comments", h.allow(access.WriteContent), h.addComment)
	api.GET("/contents/:id/render", h.allow(access.ReadContent), h.renderContent)
	api.GET("/contents/:id/attachment", h.allow(access.ReadContent), h.downloadAttachment)
	api.PUT("/contents/:id/attachment", h.allow(access.WriteContent), h.uploadAttachment)

	api.GET("/channels", h.allow(access.ReadSchedule), h.listChannels)
	api.GET("/stations", h.allow(access.ReadSchedule), h.listStations)
	api.POST("/stations", h.allow(access.WriteStations), h.createStation)
	api.GET("/stations/:code", h.allow(access.ReadSchedule), h.showStation)
	api.PUT("/stations/:code", h.allow(access.WriteStations), h.updateStation)
	api.POST("/stations/:code/moves", h.allow(access.WriteStations), h.moveStation)
	api.POST("/stations/:code/token", h.allow(access.WriteStations), h.issueStationToken)
	api.POST("/stations/:code/operator-link", h.allow(access.WriteStations), h.createOperatorLink)
	api.GET("/stations/:code/operator-links", h.allow(access.WriteStations), h.listOperatorLinks)
	api.DELETE("/stations/:code/operator-links/:id", h.allow(access.WriteStations), h.revokeOperatorLink)
	api.GET("/stations/:code/asrun", h.allow(access.ReadAsRun), h.stationAsRun)
	api.GET("/rules", h.allow(access.ReadSchedule), h.listRules)
	api.POST("/rules", h.allow(access.WriteSchedule), h.createRule)
	api.POST("/rules/preview", h.allow(access.WriteSchedule), h.previewRule)
	api.GET("/rules/:id", h.allow(access.ReadSchedule), h.showRule)
	api.PUT("/rules/:id", h.allow(access.WriteSchedule), h.updateRule)
	api.GET("/airings", h.allow(access.ReadSchedule), h.listAirings)
	api.POST("/airings", h.allow(access.WriteSchedule), h.placeAiring)
	api.GET("/airings/:id", h.allow(access.ReadSchedule), h.showAiring)
	api.PATCH("/airings/:id", h.allow(access.WriteSchedule), h.changeAiring)
	api.POST("/airings/:id/publish", h.allow(access.WriteSchedule), h.publishAiring)
	api.GET("/campaigns/:id/press-calendar", h.allow(access.ReadSchedule), h.pressCalendar)
	api.GET("/campaigns/:id/gaps", h.allow(access.ReadSchedule), h.campaignGaps)
	api.GET("/campaigns/:id/asrun", h.allow(access.ReadAsRun), h.campaignAsRun)

	api.GET("/reach", h.allow(access.ReadReach), h.listReach)
	api.POST("/reach", h.allow(access.WriteReach), h.putReach)
	api.GET("/reach/import-template", h.allow(access.ReadReach), h.reachTemplate)
	api.POST("/reach/import", h.allow(access.WriteReach), h.importReach)
	api.GET("/reach/:id", h.allow(access.ReadReach), h.showReach)
	api.DELETE("/reach/:id", h.allow(access.WriteReach), h.deleteReach)
	api.GET("/campaigns/:id/manual-values", h.allow(access.ReadReports), h.listManualValues)
	api.POST("/campaigns/:id/manual-values", h.allow(access.WriteManual), h.putManualValue)
	api.DELETE("/campaigns/:id/manual-values/:value", h.allow(access.WriteManual), h.deleteManualValue)
	api.GET("/campaigns/:id/report", h.allow(access.ReadReports), h.report)
	api.GET("/campaigns/:id/compare", h.allow(access.ReadReports), h.compare)
	api.GET("/campaigns/:id/report-drafts/:period", h.allow(access.ReadReports), h.reportDraft)
	api.PUT("/campaigns/:id/report-drafts/:period", h.allow(access.WriteDrafts), h.putReportDraft)
	api.GET("/campaigns/:id/suggestions", h.allow(access.ReadReports), h.suggestions)

	api.GET("/jobs", h.allow(access.ReadJobs), h.listJobs)
	api.POST("/jobs/:name/run", h.allow(access.RunJobs), h.runJob)
}
