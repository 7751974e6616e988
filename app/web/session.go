package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/app/api"
)

// session is the signed-in account of a page request.
type session struct {
	User  access.User
	Token access.Token
	CSRF  string
}

const sessionKey = "loa.web.session"

// loginCookie carries the sign-in form's CSRF token (double submit): a form posted
// from another site cannot know it, so nobody can be signed in as someone else.
const loginCookie = "loa_login"

// csrfField is the name of the CSRF token in every form; htmx sends it as the
// header api uses, X-CSRF-Token.
const csrfField = "csrf_token"

// signedIn lets a request through with a valid session cookie of a person's
// account; without one, a page asks to sign in and comes back afterwards.
func (p *Pages) signedIn(c *gin.Context) {
	if s := p.session(c); s != nil {
		c.Set(sessionKey, s)
		c.Next()
		return
	}
	target := "/login"
	if c.Request.Method == http.MethodGet && c.Request.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	c.Redirect(http.StatusSeeOther, target)
	c.Abort()
}

// session reads the session cookie; station tokens have their own pages.
func (p *Pages) session(c *gin.Context) *session {
	secret, err := c.Cookie(api.SessionCookie)
	if err != nil || secret == "" {
		return nil
	}
	u, t, err := p.Access.Authenticate(c.Request.Context(), secret)
	if err != nil || t.ForStation() {
		return nil
	}
	return &session{User: u, Token: t, CSRF: access.CSRFToken(secret)}
}

// current is the session signedIn let through.
func current(c *gin.Context) *session {
	s, _ := c.Get(sessionKey)
	return s.(*session)
}

// checkCSRF refuses a state-changing request without the session's CSRF token,
// from the form field or, for htmx, the header.
func (p *Pages) checkCSRF(c *gin.Context) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		c.Next()
		return
	}
	got := c.GetHeader("X-CSRF-Token")
	if got == "" {
		got = c.PostForm(csrfField)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(current(c).CSRF)) != 1 {
		p.problem(c, http.StatusForbidden, "Phiên làm việc không hợp lệ",
			"Biểu mẫu đã cũ hoặc không được gửi từ trang của Loa (thiếu mã CSRF). Hãy tải lại trang rồi làm lại; chưa có gì được lưu.")
		c.Abort()
		return
	}
	c.Next()
}

// need lets the request through only if the account's roles permit action; others
// get the Vietnamese 403 page.
func (p *Pages) need(action access.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !current(c).User.Can(action) {
			p.forbidden(c)
			c.Abort()
			return
		}
		c.Next()
	}
}

// loginPage is the data of the sign-in page.
type loginPage struct {
	Username string
	Error    string
	CSRF     string
	Next     string
}

func (p *Pages) loginForm(c *gin.Context) {
	p.renderLogin(c, http.StatusOK, loginPage{Next: safeNext(c.Query("next"))})
}

func (p *Pages) renderLogin(c *gin.Context, status int, lp loginPage) {
	lp.CSRF = p.loginToken(c)
	p.render(c, status, "login.html", view{Title: "Đăng nhập", Data: lp})
}

// loginToken sets a new sign-in CSRF cookie and returns its value for the form.
func (p *Pages) loginToken(c *gin.Context) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(loginCookie, token, 3600, "/login", "", c.Request.TLS != nil, true)
	return token
}

// login signs in from the form and sets the session cookie: HttpOnly, SameSite=Lax,
// Secure when served over TLS.
func (p *Pages) login(c *gin.Context) {
	lp := loginPage{Username: c.PostForm("username"), Next: safeNext(c.PostForm("next"))}
	want, err := c.Cookie(loginCookie)
	if err != nil || want == "" || subtle.ConstantTimeCompare([]byte(c.PostForm(csrfField)), []byte(want)) != 1 {
		lp.Error = "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
		p.renderLogin(c, http.StatusForbidden, lp)
		return
	}
	s, err := p.Access.Login(c.Request.Context(), lp.Username, c.PostForm("password"), c.ClientIP())
	var limited *access.TooManyAttempts
	switch {
	case errors.As(err, &limited):
		c.Header("Retry-After", strconv.Itoa(limited.Seconds()))
		lp.Error = "Đăng nhập sai nhiều lần liên tiếp. Vui lòng thử lại sau " + seconds(limited.Seconds()) + "."
		p.renderLogin(c, http.StatusTooManyRequests, lp)
		return
	case errors.Is(err, loa.ErrUnauthorized):
		lp.Error = "Tên đăng nhập hoặc mật khẩu không đúng."
		p.renderLogin(c, http.StatusUnauthorized, lp)
		return
	case err != nil:
		p.fail(c, err)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(api.SessionCookie, s.Token, int(time.Until(s.ExpiresAt).Seconds()), "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, lp.Next)
}

// safeNext keeps a page to come back to after signing in only if it is a path of
// this site, never another origin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// logout ends the session.
func (p *Pages) logout(c *gin.Context) {
	s := current(c)
	if err := p.Access.Logout(c.Request.Context(), s.User, s.Token); err != nil {
		p.fail(c, err)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(api.SessionCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/login")
}
