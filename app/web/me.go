package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
)

// mePage is the data of the account page.
type mePage struct {
	Tokens []access.TokenInfo
	// Scope names the org unit the account acts on ("Huyện Tây Giang").
	Scope string
	// Created is a token just issued, shown this once.
	Created *access.NewToken
}

func (p *Pages) me(c *gin.Context) {
	p.renderMe(c, http.StatusOK, view{}, nil)
}

// renderMe shows the account page, with a form's errors or a new token.
func (p *Pages) renderMe(c *gin.Context, status int, v view, created *access.NewToken) {
	ctx, u := c.Request.Context(), current(c).User
	ts, err := p.Access.APITokens(ctx, u)
	if err != nil {
		p.fail(c, err)
		return
	}
	scope, err := p.Campaigns.Named(ctx, u.Scope, "")
	if err != nil && !errors.Is(err, loa.ErrNotFound) {
		p.fail(c, err)
		return
	}
	v.Title = "Tài khoản của tôi"
	v.Data = mePage{Tokens: ts, Scope: cmp.Or(scope.Title(), u.Scope), Created: created}
	p.render(c, status, "me.html", v)
}

func (p *Pages) changePassword(c *gin.Context) {
	s := current(c)
	oldPassword, newPassword := c.PostForm("oldPassword"), c.PostForm("newPassword")
	errs := map[string]string{}
	switch {
	case oldPassword == "":
		errs["oldPassword"] = "Nhập mật khẩu hiện tại."
	case newPassword != c.PostForm("confirmPassword"):
		errs["confirmPassword"] = "Hai lần nhập mật khẩu mới không khớp."
	}
	if len(errs) == 0 {
		err := p.Access.ChangePassword(c.Request.Context(), s.User, s.Token, oldPassword, newPassword)
		if err == nil {
			redirect(c, "/me", "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.")
			return
		}
		var ok bool
		if errs, ok = formErrors(err); !ok {
			p.fail(c, err)
			return
		}
	}
	p.renderMe(c, http.StatusUnprocessableEntity, view{Errors: errs}, nil)
}

// createToken issues a personal API token and shows its secret this once.
func (p *Pages) createToken(c *gin.Context) {
	form := url.Values{"name": {c.PostForm("name")}, "expires": {c.PostForm("expires")}}
	var expires time.Time
	if raw := c.PostForm("expires"); raw != "" {
		d, ok := parseDate(raw)
		if !ok {
			p.renderMe(c, http.StatusUnprocessableEntity, view{Form: form,
				Errors: map[string]string{"expiresAt": "Chọn một ngày hết hạn hợp lệ."}}, nil)
			return
		}
		expires = d.In(p.Zone).AddDate(0, 0, 1) // valid through the chosen day
	}
	t, err := p.Access.CreateAPIToken(c.Request.Context(), current(c).User, c.PostForm("name"), expires)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		p.renderMe(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs}, nil)
		return
	}
	p.renderMe(c, http.StatusCreated, view{Flash: "Đã tạo mã API. Hãy sao chép ngay: mã chỉ hiện một lần."}, &t)
}

func (p *Pages) revokeToken(c *gin.Context) {
	if err := p.Access.RevokeAPIToken(c.Request.Context(), current(c).User, c.Param("id")); err != nil {
		p.fail(c, err)
		return
	}
	redirect(c, "/me", "Đã thu hồi mã API.")
}
