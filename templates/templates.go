// Package templates holds the web UI's page templates and static assets, embedded in
// the binary. layout.html and the partials whose names start with "_" are shared by
// every page; each other *.html file is one page.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed *.html static
var files embed.FS

// Pages is the file system of the page templates.
func Pages() fs.FS { return files }

// Static is the file system of the static assets (style sheet, scripts, icons).
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // "static" is embedded above: a build without it does not compile
	}
	return sub
}
