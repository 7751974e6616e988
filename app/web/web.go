// Package web serves the pages of the web UI from the embedded templates, with
// sign-in by session cookie and CSRF tokens on every form.
package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/app/api"
	"loa/campaigns"
)

type pages struct {
	tmpl      *template.Template
	campaigns *campaigns.Service
	access    *access.Service
	log       *slog.Logger
}

// Register adds the pages to r.
func Register(r *gin.Engine, tmpl *template.Template, cs *campaigns.Service, acc *access.Service, log *slog.Logger) {
	p := &pages{tmpl: tmpl, campaigns: cs, access: acc, log: log}
	r.GET("/", p.index)
	r.GET("/login", p.loginForm)
	r.POST("/login", p.login)
	r.POST("/logout", p.logout)
}

// session is the signed-in account of a page request, if any.
type session struct {
	User  access.User
	Token access.Token
	CSRF  string
}

// indexPage is the data of the start page.
type indexPage struct {
	Session   *session
	Campaigns []campaigns.Campaign
	// Reports says whether the account may read the campaigns' reports.
	Reports bool
}

// loginPage is the data of the sign-in page.
type loginPage struct {
	Username string
	Error    string
	CSRF     string
}

// loginCookie carries the sign-in form's CSRF token (double submit): a form posted
// from another site cannot know it, so nobody can be signed in as someone else.
const loginCookie = "loa_login"

func (p *pages) session(c *gin.Context) *session {
	secret, err := c.Cookie(api.SessionCookie)
	if err != nil || secret == "" {
		return nil
	}
	u, t, err := p.access.Authenticate(c.Request.Context(), secret)
	if err != nil {
		return nil
	}
	return &session{User: u, Token: t, CSRF: access.CSRFToken(secret)}
}

func (p *pages) index(c *gin.Context) {
	s := p.session(c)
	data := indexPage{Session: s}
	if s != nil && s.User.Can(access.ReadCampaigns) {
		cs, err := p.campaigns.Campaigns(c.Request.Context())
		if err != nil {
			p.fail(c, err)
			return
		}
		data.Campaigns, data.Reports = cs, s.User.Can(access.ReadReports)
	}
	p.render(c, http.StatusOK, "index.html", data)
}

func (p *pages) loginForm(c *gin.Context) {
	p.render(c, http.StatusOK, "login.html", loginPage{CSRF: p.loginToken(c)})
}

// loginToken sets a new sign-in CSRF cookie and returns its value for the form.
func (p *pages) loginToken(c *gin.Context) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(loginCookie, token, 3600, "/login", "", c.Request.TLS != nil, true)
	return token
}

// login signs in from the form and sets the session cookie: HttpOnly, SameSite=Lax,
// Secure when served over TLS.
func (p *pages) login(c *gin.Context) {
	username, password := c.PostForm("username"), c.PostForm("password")
	want, err := c.Cookie(loginCookie)
	if err != nil || want == "" || subtle.ConstantTimeCompare([]byte(c.PostForm("csrf_token")), []byte(want)) != 1 {
		p.render(c, http.StatusForbidden, "login.html", loginPage{Username: username, CSRF: p.loginToken(c),
			Error: "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."})
		return
	}
	s, err := p.access.Login(c.Request.Context(), username, password, c.ClientIP())
	var limited *access.TooManyAttempts
	switch {
	case errors.As(err, &limited):
		c.Header("Retry-After", strconv.Itoa(limited.Seconds()))
		p.render(c, http.StatusTooManyRequests, "login.html", loginPage{Username: username, CSRF: p.loginToken(c),
			Error: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau " + limited.RetryAfter.Round(time.Minute).String() + "."})
		return
	case errors.Is(err, loa.ErrUnauthorized):
		p.render(c, http.StatusUnauthorized, "login.html", loginPage{Username: username, CSRF: p.loginToken(c),
			Error: "Tên đăng nhập hoặc mật khẩu không đúng."})
		return
	case err != nil:
		p.fail(c, err)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(api.SessionCookie, s.Token, int(time.Until(s.ExpiresAt).Seconds()), "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/")
}

// logout ends the session; the form must carry the session's CSRF token.
func (p *pages) logout(c *gin.Context) {
	s := p.session(c)
	if s == nil {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	if subtle.ConstantTimeCompare([]byte(c.PostForm("csrf_token")), []byte(s.CSRF)) != 1 {
		c.Data(http.StatusForbidden, "text/plain; charset=utf-8", []byte("Phiên làm việc không hợp lệ (CSRF). Hãy tải lại trang."))
		return
	}
	if err := p.access.Logout(c.Request.Context(), s.User, s.Token); err != nil {
		p.fail(c, err)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(api.SessionCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/login")
}

// render writes a page through a buffer, so a template error becomes a clean 500.
func (p *pages) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		p.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (p *pages) fail(c *gin.Context, err error) {
	p.log.ErrorContext(c.Request.Context(), "page failed", "path", c.Request.URL.Path, "error", err)
	c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Lỗi hệ thống (internal error)"))
}
