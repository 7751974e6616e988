package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"loa/app/access"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (h *handler) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	for _, f := range []struct{ name, value string }{{"username", req.Username}, {"password", req.Password}} {
		if f.value == "" || len(f.value) > 200 {
			h.fail(c, badRequest(f.name, f.name+" is required (at most 200 bytes)"))
			return
		}
	}
	s, err := h.Access.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, s)
}

func (h *handler) logout(c *gin.Context) {
	if err := h.Access.Logout(c.Request.Context(), currentUser(c), currentToken(c)); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) showMe(c *gin.Context) {
	c.JSON(http.StatusOK, currentUser(c))
}

type passwordRequest struct {
	OldPassword string `json:"oldPassword"`
	NewPassword string `json:"newPassword"`
}

func (h *handler) changePassword(c *gin.Context) {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Access.ChangePassword(c.Request.Context(), currentUser(c), currentToken(c), req.OldPassword, req.NewPassword); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) listTokens(c *gin.Context) {
	ts, err := h.Access.APITokens(c.Request.Context(), currentUser(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page[access.TokenInfo]{Items: ts, Total: len(ts)})
}

type tokenRequest struct {
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (h *handler) createToken(c *gin.Context) {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	t, err := h.Access.CreateAPIToken(c.Request.Context(), currentUser(c), req.Name, req.ExpiresAt)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, t)
}

func (h *handler) deleteToken(c *gin.Context) {
	if err := h.Access.RevokeAPIToken(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
