package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"
	qr "github.com/piglig/go-qr"

	"loa/app/access"
	"loa/app/api"
	"loa/scheduler"
)

// The operator links of a station, a section the station's page includes or links
// to: a planner gives each phone of the station's operator its own link, shown once
// with a QR code to scan, sees when each was last used, and revokes one.

// operatorLinksPage is the data of /stations/{code}/operator-links.
type operatorLinksPage struct {
	Station scheduler.Station
	Links   []access.TokenInfo
	// New is the link just created, shown once: its address and QR code.
	New *newOperatorLink
}

type newOperatorLink struct {
	Name string
	URL  string
	// QR is the address as a QR code, a PNG data: URI.
	QR template.URL
}

func (p *Pages) operatorLinks(c *gin.Context) {
	p.showOperatorLinks(c, http.StatusOK, nil, view{})
}

// showOperatorLinks renders the station's links with v's form, errors and title.
func (p *Pages) showOperatorLinks(c *gin.Context, status int, created *newOperatorLink, v view) {
	st, err := p.Scheduler.Station(c.Request.Context(), c.Param("code"))
	if err != nil {
		p.fail(c, err)
		return
	}
	links, err := p.Access.OperatorLinks(c.Request.Context(), current(c).User, st.Code, st.OrgUnit)
	if err != nil {
		p.fail(c, err)
		return
	}
	v.Title = "Điện thoại của người phát thanh — " + st.Name
	v.Data = operatorLinksPage{Station: st, Links: links, New: created}
	p.render(c, status, "operator_links.html", v)
}

// createOperatorLink issues a link and shows it once, with its QR code.
func (p *Pages) createOperatorLink(c *gin.Context) {
	form := url.Values{"name": {c.PostForm("name")}, "expires": {c.PostForm("expires")}}
	var expires time.Time
	if raw := form.Get("expires"); raw != "" {
		d, ok := parseDate(raw)
		if !ok {
			p.showOperatorLinks(c, http.StatusUnprocessableEntity, nil, view{Form: form,
				Errors: map[string]string{"expiresAt": "Chọn một ngày hết hạn hợp lệ."}})
			return
		}
		expires = d.In(p.Zone).AddDate(0, 0, 1) // valid through the chosen day
	}
	var t access.NewToken
	st, err := p.Scheduler.TokenStation(c.Request.Context(), c.Param("code"))
	if err == nil {
		t, err = p.Access.IssueOperatorLink(c.Request.Context(), current(c).User, st.Code, st.OrgUnit, st.Name, form.Get("name"), expires)
	}
	if errs, ok := formErrors(err); ok {
		p.showOperatorLinks(c, http.StatusUnprocessableEntity, nil, view{Form: form, Errors: errs})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	link := &newOperatorLink{Name: t.Name, URL: origin(c) + api.OperatorPath(t.Secret)}
	if link.QR, err = qrPNG(link.URL); err != nil {
		p.fail(c, err)
		return
	}
	p.showOperatorLinks(c, http.StatusCreated, link, view{Flash: "Đã tạo liên kết cho " + t.Name + "."})
}

func (p *Pages) revokeOperatorLink(c *gin.Context) {
	st, err := p.Scheduler.Station(c.Request.Context(), c.Param("code"))
	if err != nil {
		p.fail(c, err)
		return
	}
	if err := p.Access.RevokeOperatorLink(c.Request.Context(), current(c).User, st.Code, st.OrgUnit, c.Param("id")); err != nil {
		p.fail(c, err)
		return
	}
	redirect(c, "/stations/"+st.Code+"/operator-links", "Đã thu hồi liên kết: điện thoại đó không mở được lịch phát nữa.")
}

// origin is the address the person reached this service at, for a link to give to
// someone else: https when served over TLS or behind a trusted proxy that says so.
func origin(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" && c.ClientIP() != c.RemoteIP() {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// qrPNG draws text as a QR code (medium error correction, so a worn print still
// scans), as a PNG data: URI the page's policy allows.
func qrPNG(text string) (template.URL, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", err
	}
	png, err := code.ToPNGBytes(qr.NewQrCodeImgConfig(6, 4))
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	b.WriteString("data:image/png;base64,")
	b.WriteString(base64.StdEncoding.EncodeToString(png))
	return template.URL(b.String()), nil
}

// operatorMessages are the messages of operator links and confirmations.
var operatorMessages = []message{
	{regexp.MustCompile(`^an operator link lives at most one year$`), "Liên kết có hạn tối đa một năm."},
	{regexp.MustCompile(`^conflict: a station has at most (\d+) operator links; revoke one first$`), "Mỗi đài có tối đa $1 liên kết; hãy thu hồi bớt một liên kết."},
	{regexp.MustCompile(`^status must be aired or missed$`), "Hãy bấm «Đã phát» hoặc «Không phát»."},
}
