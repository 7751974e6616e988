package loa

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// Stamp is t as it is stored and shown: in UTC, to the millisecond the database
// keeps, so a record reads back equal to what was written.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// NewID makes an ID that sorts by its creation time at: prefix, which says what it
// names, the milliseconds since 1970 in base 36 and six random hex digits.
func NewID(prefix string, at time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + strconv.FormatInt(at.UnixMilli(), 36) + hex.EncodeToString(b)
}
