package loa

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// Fold lower-cases s and strips Vietnamese tone and vowel marks (đ → d), so that
// "dien ban" and "TAM KY" match "Điện Bàn" and "Tam Kỳ".
func Fold(s string) string {
	folded, _, err := transform.String(stripMarks, s)
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
