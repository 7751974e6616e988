package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"
)

// asset is one static file, read once at start-up, with its ETag.
type asset struct {
	body []byte
	etag string
	kind string
}

// assets are the static files by name.
type assets map[string]asset

func readAssets(files fs.FS) (*assets, error) {
	a := assets{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		kind := mime.TypeByExtension(path.Ext(name))
		if kind == "" {
			kind = "application/octet-stream"
		}
		a[name] = asset{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, kind: kind}
		return nil
	})
	return &a, err
}

// asset serves a static file: cached by browsers for a day, then revalidated by
// its ETag (a 304 costs a few bytes on a phone's connection).
func (p *Pages) asset(c *gin.Context) {
	f, ok := (*p.static)[c.Param("name")]
	if !ok {
		p.NotFound(c)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("ETag", f.etag)
	c.Header("Content-Type", f.kind)
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(f.body))
}
