package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"loa/scheduler"
)

func (h *handler) moveStation(c *gin.Context) {
	var m scheduler.StationMove
	if err := decodeJSON(c, &m); err != nil {
		h.fail(c, err)
		return
	}
	st, err := h.Scheduler.MoveStation(c.Request.Context(), currentUser(c).Actor(), c.Param("code"), m)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}
