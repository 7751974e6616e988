package loa

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// stripMarks hands out transformers that strip combining marks: a chain keeps state
// while it runs, so each call takes its own.
var stripMarks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold lower-cases s and strips Vietnamese tone and vowel marks (đ → d), so that
// "dien ban" and "TAM KY" match "Điện Bàn" and "Tam Kỳ". It is safe for concurrent
// use.
func Fold(s string) string {
	t := stripMarks.Get().(transform.Transformer)
	defer stripMarks.Put(t)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	return strings.Map(func(r rune) rune {
		if r == 'đ' || r == 'Đ' {
			return 'd'
		}
		return unicode.ToLower(r)
	}, folded)
}
