package api

import (
	"encoding/base64"

	"github.com/gin-gonic/gin"
)

const (
	defaultLimit = 500
	maxLimit     = 1000
)

// page is a list answer: the items, how many match in all, and the cursor of the
// next page when there is one.
type page[T any] struct {
	Items      []T    `json:"items"`
	Total      int    `json:"total"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// paginate cuts all (already in its stable order) at ?cursor= and ?limit=. The
// cursor is the opaque key of the last item of the previous page.
func paginate[T any](c *gin.Context, all []T, key func(T) string) (page[T], error) {
	limit, err := intQuery(c, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return page[T]{}, err
	}
	start := 0
	if cur := c.Query("cursor"); cur != "" {
		last, err := base64.RawURLEncoding.DecodeString(cur)
		start = -1
		for i, it := range all {
			if err == nil && key(it) == string(last) {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return page[T]{}, badRequest("cursor", "unknown cursor; start again without one")
		}
	}
	end := min(start+limit, len(all))
	p := page[T]{Items: all[start:end], Total: len(all)}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(all) {
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(all[end-1])))
	}
	return p, nil
}
