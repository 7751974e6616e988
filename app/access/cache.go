package access

import (
	"crypto/sha256"
	"sync"
)

// maxSignIns bounds the sign-in cache; when full it starts again empty.
const maxSignIns = 10_000

// signIn is a checked token with its account, valid while the auth version stays.
type signIn struct {
	user    User
	token   Token
	version int64
}

// signInCache keeps checked tokens by their secret's SHA-256 so a request costs no
// database read.
type signInCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]signIn
}

func (c *signInCache) get(hash [sha256.Size]byte, version int64) (signIn, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	return e, ok && e.version == version
}

func (c *signInCache) put(hash [sha256.Size]byte, e signIn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxSignIns {
		c.entries = make(map[[sha256.Size]byte]signIn)
	}
	c.entries[hash] = e
}
