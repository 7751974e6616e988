// Package api is Loa's JSON API under /api/v1 and the service endpoints (/healthz,
// /readyz, /metrics). Handlers are thin: parse, call a domain service, render.
package api

import (
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"loa/app/access"
	"loa/campaigns"
)

// Pinger says whether the database answers; /readyz reports it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is what the API serves.
type Deps struct {
	Campaigns *campaigns.Service
	Access    *access.Service
	DB        Pinger
	Log       *slog.Logger
	Registry  *prometheus.Registry
}

type handler struct {
	Deps
}

// Register adds the API's routes and middleware to r. It reads like a sitemap.
func Register(r *gin.Engine, d Deps) {
	h := &handler{Deps: d}
	r.Use(h.recover(), h.observe(newMetrics(d.Registry)))
	r.HandleMethodNotAllowed = true
	r.NoRoute(h.notFound)
	r.NoMethod(h.methodNotAllowed)

	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	r.GET("/metrics", h.metrics)

	api := r.Group("/api/v1")
	api.GET("/openapi.json", h.openAPI)
	api.POST("/auth/login", h.login)

	api.Use(h.requireToken)
	api.GET("/orgunits", h.listOrgUnits)
	api.GET("/orgunits/:code", h.showOrgUnit)
	api.POST("/orgunits/import", h.importOrgUnits)

	api.GET("/targetgroups", h.listTargetGroups)

	api.GET("/populations", h.listPopulations)
	api.POST("/populations/import", h.importPopulations)

	api.GET("/campaigns", h.listCampaigns)
	api.POST("/campaigns", h.createCampaign)
	api.GET("/campaigns/:id", h.showCampaign)
	api.PUT("/campaigns/:id", h.updateCampaign)
	api.DELETE("/campaigns/:id", h.deleteCampaign)
}
