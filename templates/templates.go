// Package templates holds the web UI's page templates and static assets, embedded in
// the binary and parsed once at start-up.
package templates

import (
	"embed"
	"html/template"
)

//go:embed *.html
var pages embed.FS

// Parse parses every page; an error stops start-up.
func Parse() (*template.Template, error) {
	return template.ParseFS(pages, "*.html")
}
