package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"loa/campaigns"
)

// campaignInput is what a client may send: the stored fields minus timestamps.
type campaignInput struct {
	Code        string                `json:"code"`
	Title       string                `json:"title"`
	Period      campaigns.Period      `json:"period"`
	LegalBasis  string                `json:"legalBasis"`
	OwnerAgency string                `json:"ownerAgency"`
	Secretariat string                `json:"secretariat"`
	Description string                `json:"description"`
	Indicators  []campaigns.Indicator `json:"indicators"`
}

func (in campaignInput) campaign() campaigns.Campaign {
	return campaigns.Campaign{Code: in.Code, Title: in.Title, Period: in.Period, LegalBasis: in.LegalBasis,
		OwnerAgency: in.OwnerAgency, Secretariat: in.Secretariat, Description: in.Description, Indicators: in.Indicators}
}

func (h *handler) listCampaigns(c *gin.Context) {
	cs, err := h.Campaigns.Campaigns(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, cs, func(c campaigns.Campaign) string { return c.Code }, strings.Compare)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showCampaign(c *gin.Context) {
	cp, err := h.Campaigns.Campaign(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cp)
}

func (h *handler) createCampaign(c *gin.Context) {
	var in campaignInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	cp, err := h.Campaigns.CreateCampaign(c.Request.Context(), currentUser(c).Actor(), in.campaign())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/campaigns/"+cp.Code)
	c.JSON(http.StatusCreated, cp)
}

func (h *handler) updateCampaign(c *gin.Context) {
	var in campaignInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	cp, err := h.Campaigns.UpdateCampaign(c.Request.Context(), currentUser(c).Actor(), c.Param("id"), in.campaign())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cp)
}

func (h *handler) deleteCampaign(c *gin.Context) {
	if err := h.Campaigns.DeleteCampaign(c.Request.Context(), currentUser(c).Actor(), c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
