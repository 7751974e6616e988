package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa/scheduler"
)

func (h *handler) listChannels(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": scheduler.Channels, "total": len(scheduler.Channels)})
}

func (h *handler) listStations(c *gin.Context) {
	f := scheduler.StationFilter{Channel: c.Query("channel"), Under: c.Query("under"), Q: c.Query("q")}
	var err error
	if f.Active, err = optionalBool(c, "active"); err != nil {
		h.fail(c, err)
		return
	}
	sts, err := h.Scheduler.Stations(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, sts, func(st scheduler.Station) string { return st.Code }, strings.Compare)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showStation(c *gin.Context) {
	st, err := h.Scheduler.Station(c.Request.Context(), c.Param("code"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *handler) createStation(c *gin.Context) {
	var in scheduler.StationInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	st, err := h.Scheduler.CreateStation(c.Request.Context(), currentUser(c).Actor(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/stations/"+st.Code)
	c.JSON(http.StatusCreated, st)
}

func (h *handler) updateStation(c *gin.Context) {
	var in scheduler.StationInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	st, err := h.Scheduler.UpdateStation(c.Request.Context(), currentUser(c).Actor(), c.Param("code"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *handler) listRules(c *gin.Context) {
	f := scheduler.RuleFilter{Campaign: c.Query("campaign"), Station: c.Query("station")}
	var err error
	if f.Active, err = optionalBool(c, "active"); err != nil {
		h.fail(c, err)
		return
	}
	rules, err := h.Scheduler.Rules(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, rules, func(r scheduler.Rule) string { return r.ID }, strings.Compare)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showRule(c *gin.Context) {
	r, err := h.Scheduler.Rule(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *handler) previewRule(c *gin.Context) {
	n, err := intQuery(c, "count", scheduler.DefaultPreview, 1, scheduler.MaxPreview)
	if err != nil {
		h.fail(c, err)
		return
	}
	var in scheduler.RuleInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	p, err := h.Scheduler.PreviewRule(c.Request.Context(), currentUser(c).Actor(), in, n)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) createRule(c *gin.Context) {
	var in scheduler.RuleInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	saved, err := h.Scheduler.CreateRule(c.Request.Context(), currentUser(c).Actor(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/rules/"+saved.ID)
	c.JSON(http.StatusCreated, saved)
}

func (h *handler) updateRule(c *gin.Context) {
	var in scheduler.RuleInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	saved, err := h.Scheduler.UpdateRule(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

// airingKey orders airings by start, then ID, as text.
func airingKey(a scheduler.Airing) string {
	return a.Start.UTC().Format("20060102T150405.000Z") + "|" + a.ID
}

func (h *handler) listAirings(c *gin.Context) {
	zone := h.Scheduler.Zone()
	f := scheduler.AiringFilter{Station: c.Query("station"), Campaign: c.Query("campaign"), Status: c.Query("status")}
	var err error
	if f.From, err = timeQuery(c, "from", zone); err != nil {
		h.fail(c, err)
		return
	}
	if f.To, err = timeQuery(c, "to", zone); err != nil {
		h.fail(c, err)
		return
	}
	as, err := h.Scheduler.Airings(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, as, airingKey, strings.Compare)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showAiring(c *gin.Context) {
	a, err := h.Scheduler.Airing(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *handler) placeAiring(c *gin.Context) {
	var p scheduler.Placement
	if err := decodeJSON(c, &p); err != nil {
		h.fail(c, err)
		return
	}
	a, err := h.Scheduler.Place(c.Request.Context(), currentUser(c).Actor(), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/airings/"+a.ID)
	c.JSON(http.StatusCreated, a)
}

func (h *handler) changeAiring(c *gin.Context) {
	var ch scheduler.AiringChange
	if err := decodeJSON(c, &ch); err != nil {
		h.fail(c, err)
		return
	}
	a, err := h.Scheduler.ChangeAiring(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), ch)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *handler) publishAiring(c *gin.Context) {
	var p scheduler.Publication
	if err := decodeJSON(c, &p); err != nil {
		h.fail(c, err)
		return
	}
	a, err := h.Scheduler.Publish(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *handler) pressCalendar(c *gin.Context) {
	year, err := intQuery(c, "year", h.Scheduler.CurrentYear(), 2000, 2100)
	if err != nil {
		h.fail(c, err)
		return
	}
	pc, err := h.Scheduler.PressCalendar(c.Request.Context(), c.Param("id"), year)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pc)
}

func (h *handler) campaignGaps(c *gin.Context) {
	var asOf time.Time // zero: now
	if v := c.Query("asOf"); v != "" {
		var err error
		if asOf, err = h.Scheduler.ParseDay("asOf", v); err != nil {
			h.fail(c, err)
			return
		}
	}
	g, err := h.Scheduler.Gaps(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), asOf)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (h *handler) listJobs(c *gin.Context) {
	list, err := h.Jobs.List(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "total": len(list)})
}

func (h *handler) runJob(c *gin.Context) {
	run, err := h.Jobs.RunNow(c.Request.Context(), c.Param("name"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, run)
}
