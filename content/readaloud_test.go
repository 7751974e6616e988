package content

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestReadAloudGolden(t *testing.T) {
	for base, src := range renderCases(t) {
		t.Run(filepath.Base(base), func(t *testing.T) {
			got := ReadAloud(src)
			if err := plainText(got); err != nil {
				t.Errorf("ReadAloud(%s): %v", base+".md", err)
			}
			checkGolden(t, base+".txt", got)
		})
	}
}

func TestReadAloud(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"heading becomes a sentence", "# Lời dẫn", "Lời dẫn."},
		{"heading keeps its question mark", "## Bạn có biết?", "Bạn có biết?"},
		{"heading colon becomes a period", "## Lưu ý:", "Lưu ý."},
		{"heading period inside closing bracket", "## Ghi chú (bắt buộc)", "Ghi chú (bắt buộc)."},
		{"setext heading", "Bản tin\n=======", "Bản tin."},
		{"paragraphs separated by one blank line", "Một.\n\n\n\nHai.", "Một.\n\nHai."},
		{"soft break is a space", "một\nhai", "một hai"},
		{"hard break is a new line", "một\\\nhai", "một\nhai"},
		{"emphasis marks dropped", "*nghiêng* **đậm** ~~gạch~~ _gạch dưới_", "nghiêng đậm gạch gạch dưới"},
		{"list items are sentences on their own lines", "- một\n- hai!\n- ba.", "một.\nhai!\nba."},
		{"list item keeps a colon", "1. Các dấu hiệu:\n   - lương cao\n   - đi xa", "Các dấu hiệu:\nlương cao.\nđi xa."},
		{"list item trailing comma becomes a period", "- một,\n- hai", "một.\nhai."},
		{"list after a paragraph line", "Ba điều:\n- một\n- hai", "Ba điều:\n\nmột.\nhai."},
		{"link becomes its text", "Xem [cổng thông tin](https://quangnam.gov.vn \"tiêu đề\") nhé", "Xem cổng thông tin nhé"},
		{"autolink is read as written", "<https://quangnam.gov.vn>", "https://quangnam.gov.vn"},
		{"reference link", "[cổng][q]\n\n[q]: https://quangnam.gov.vn", "cổng"},
		{"image dropped", "Trước ![áp phích](https://x.vn/a.png) sau", "Trước sau"},
		{"inline code is plain text", "Gọi số `111`", "Gọi số 111"},
		{"code block is plain text", "```\nbước một\nbước hai\n```", "bước một\nbước hai"},
		{"table rows are sentences", "| Thôn | Ngày |\n|---|---|\n| Thôn 1 | 01/02 |\n| Thôn 2 | |", "Thôn, Ngày.\nThôn 1, 01/02.\nThôn 2."},
		{"blockquote marks dropped", "> Trích dẫn\n> dòng hai", "Trích dẫn dòng hai"},
		{"horizontal rule dropped", "Một\n\n---\n\nHai", "Một\n\nHai"},
		{"escaped symbols kept as text", `\*sao\* và \# thăng`, "*sao* và # thăng"},
		{"entities decoded", "a &amp; b &copy;", "a & b ©"},
		{"raw inline html keeps its text", "chữ <b>đậm</b> và<br>xuống dòng", "chữ đậm và\nxuống dòng"},
		{"raw html block keeps its text", "<div>\n<p>Một</p><p>Hai<br>Ba</p>\n</div>", "Một\n\nHai\nBa"},
		{"script content not read", "a <script>alert(1)</script> b\n\n<style>p{}</style>\n\nc", "a b\n\nc"},
		{"html comment not read", "<!-- ghi chú -->\n\nNội dung", "Nội dung"},
		{"tag openers made inert", "`<script>` và `</b>` và <ấy> và 1 < 2", "< script> và < /b> và <ấy> và 1 < 2"},
		{"unknown tag dropped as on the page", "a <không> b", "a b"},
		{"spaces collapsed", "một   hai\t ba", "một hai ba"},
		{"NFC output", "Lo\u0302\u0300i", "Lồi"},
		{"placeholders kept", "Xã {{.Commune}}", "Xã {{.Commune}}"},
		{"empty", "", ""},
		{"only symbols", "# \n\n---\n\n* \n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadAloud(tt.in); got != tt.want {
				t.Errorf("ReadAloud(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// plainText reports what makes s unfit as read-aloud text.
func plainText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return errors.New("invalid UTF-8")
	case !norm.NFC.IsNormalString(s):
		return errors.New("not NFC")
	case s != strings.TrimSpace(s):
		return errors.New("not trimmed")
	case strings.Contains(s, "\n\n\n"):
		return errors.New("more than one blank line in a row")
	case tagOpener(s):
		return errors.New("an HTML tag opener")
	}
	return nil
}

// tagOpener reports whether s has a "<" a browser would start a tag,
// comment or declaration with.
func tagOpener(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if c := s[i+1]; s[i] == '<' && (c == '/' || c == '!' || c == '?' || 'a' <= c|32 && c|32 <= 'z') {
			return true
		}
	}
	return false
}

func FuzzReadAloud(f *testing.F) {
	for _, src := range renderCases(f) {
		f.Add(src)
	}
	for _, v := range xssVectors(f) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := ReadAloud(in)
		if strings.Contains(strings.ToLower(got), "<script") {
			t.Errorf("ReadAloud(%q) = %q contains <script", in, got)
		}
		if err := plainText(got); err != nil {
			t.Errorf("ReadAloud(%q) = %q: %v", in, got, err)
		}
		if !utf8.ValidString(got) {
			t.Errorf("ReadAloud(%q) = %q is not valid UTF-8", in, got)
		}
		if len(got) > renderBound(in) {
			t.Errorf("ReadAloud of %d bytes = %d bytes, more than the bound %d", len(in), len(got), renderBound(in))
		}
	})
}

func TestReadSeconds(t *testing.T) {
	tests := []struct {
		text string
		rate int
		want int
	}{
		{"", 160, 0},
		{"  \n\t ", 160, 0},
		{"một", 160, 1}, // 0.375 s rounds up
		{strings.Repeat("tiếng ", 160), 160, 60}, // exactly a minute
		{strings.Repeat("tiếng ", 161), 160, 61}, // 60.375 s
		{strings.Repeat("tiếng ", 160), 0, 60},   // default rate
		{strings.Repeat("tiếng ", 160), -5, 60},  // default rate
		{strings.Repeat("tiếng ", 120), 120, 60},
		{"Kính thưa quý vị\nvà các bạn", 60, 7},
	}
	for _, tt := range tests {
		if got := ReadSeconds(tt.text, tt.rate); got != tt.want {
			t.Errorf("ReadSeconds(%q, %d) = %d, want %d", tt.text, tt.rate, got, tt.want)
		}
	}
}
