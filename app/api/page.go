package api

import (
	"encoding/base64"
	"sort"

	"github.com/gin-gonic/gin"
)

const (
	defaultLimit = 500
	maxLimit     = 1000
	// contentLimit is the default page of content items, which carry whole bodies.
	contentLimit = 50
)

// page is a list answer: the items, how many match in all, and the cursor of the
// next page when there is one.
type page[T any] struct {
	Items      []T    `json:"items"`
	Total      int    `json:"total"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// paginate cuts all at ?cursor= and ?limit=. all is sorted by key in the order of
// compare; the cursor is the opaque key of the last item of the previous page, so a
// page starts after it even if that item has since gone.
func paginate[T any](c *gin.Context, all []T, key func(T) string, compare func(a, b string) int) (page[T], error) {
	return paginateBy(c, all, key, compare, defaultLimit)
}

// paginateBy is paginate with another default page size.
func paginateBy[T any](c *gin.Context, all []T, key func(T) string, compare func(a, b string) int, def int) (page[T], error) {
	limit, err := intQuery(c, "limit", def, 1, maxLimit)
	if err != nil {
		return page[T]{}, err
	}
	start := 0
	if cur := c.Query("cursor"); cur != "" {
		last, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil || len(last) == 0 {
			return page[T]{}, badRequest("cursor", "malformed cursor; use the nextCursor of the previous page")
		}
		start = sort.Search(len(all), func(i int) bool { return compare(key(all[i]), string(last)) > 0 })
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
