package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"loa/app/access"
)

func (h *handler) listUsers(c *gin.Context) {
	us, err := h.Access.Users(c.Request.Context(), currentUser(c), access.UserFilter{})
	if err != nil {
		h.fail(c, err)
		return
	}
	p, err := paginate(c, us, func(u access.User) string { return u.Username }, strings.Compare)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *handler) showUser(c *gin.Context) {
	u, err := h.Access.User(c.Request.Context(), currentUser(c), c.Param("username"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *handler) createUser(c *gin.Context) {
	var in access.UserInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.Access.CreateUser(c.Request.Context(), currentUser(c), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/users/"+u.Username)
	c.JSON(http.StatusCreated, u)
}

func (h *handler) updateUser(c *gin.Context) {
	var in access.UserInput
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.Access.UpdateUser(c.Request.Context(), currentUser(c), c.Param("username"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (h *handler) deleteUser(c *gin.Context) {
	if err := h.Access.DeleteUser(c.Request.Context(), currentUser(c), c.Param("username")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) showThrottle(c *gin.Context) {
	st, err := h.Access.LoginThrottle(c.Request.Context(), currentUser(c), c.Param("username"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *handler) clearThrottle(c *gin.Context) {
	if err := h.Access.ClearLoginThrottle(c.Request.Context(), currentUser(c), c.Param("username")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) showScopeMapping(c *gin.Context) {
	m, err := h.Access.ScopeMapping(c.Request.Context(), currentUser(c), c.Param("username"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (h *handler) confirmScopeMapping(c *gin.Context) {
	var in struct {
		Units []string `json:"units"`
	}
	if err := decodeJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.Access.MapScope(c.Request.Context(), currentUser(c), c.Param("username"), in.Units)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}
