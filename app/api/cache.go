package api

import "sync"

// maxCachedPages bounds a pageCache; past it, answers are computed but not kept.
const maxCachedPages = 256

// pageCache keeps encoded answers of a read-mostly list by request query, valid for
// one version of the data behind them: a new version empties it.
type pageCache struct {
	mu      sync.Mutex
	version int64
	pages   map[string][]byte
}

func (c *pageCache) get(version int64, query string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, false
	}
	b, ok := c.pages[query]
	return b, ok
}

func (c *pageCache) put(version int64, query string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.pages == nil {
		c.version, c.pages = version, map[string][]byte{}
	}
	if len(c.pages) < maxCachedPages {
		c.pages[query] = body
	}
}
