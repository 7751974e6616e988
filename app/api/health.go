package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type health struct {
	Status string `json:"status"`
}

// healthz says the process is up.
func (h *handler) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, health{Status: "ok"})
}

// readyz says the database answers within two seconds.
func (h *handler) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.DB.Ping(ctx); err != nil {
		h.Log.WarnContext(ctx, "database not reachable", "error", err)
		c.JSON(http.StatusServiceUnavailable, health{Status: "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, health{Status: "ok"})
}

func (h *handler) metrics(c *gin.Context) {
	promhttp.HandlerFor(h.Registry, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}
