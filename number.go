package loa

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var vietnamese = message.NewPrinter(language.Vietnamese)

// Number writes n the Vietnamese way, with dots between thousands: 13.625.
func Number(n int64) string { return vietnamese.Sprint(n) }
