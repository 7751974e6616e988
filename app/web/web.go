// Package web serves the pages of the web UI from the embedded templates.
package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"loa/campaigns"
)

// indexPage is the data of the start page.
type indexPage struct {
	Campaigns []campaigns.Campaign
}

type pages struct {
	tmpl      *template.Template
	campaigns *campaigns.Service
	log       *slog.Logger
}

// Register adds the pages to r.
func Register(r *gin.Engine, tmpl *template.Template, cs *campaigns.Service, log *slog.Logger) {
	p := &pages{tmpl: tmpl, campaigns: cs, log: log}
	r.GET("/", p.index)
}

func (p *pages) index(c *gin.Context) {
	cs, err := p.campaigns.Campaigns(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, "index.html", indexPage{Campaigns: cs})
}

// render writes a page through a buffer, so a template error becomes a clean 500.
func (p *pages) render(c *gin.Context, name string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		p.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

func (p *pages) fail(c *gin.Context, err error) {
	p.log.ErrorContext(c.Request.Context(), "page failed", "path", c.Request.URL.Path, "error", err)
	c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Lỗi hệ thống (internal error)"))
}
