package content

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomarkdown/markdown/ast"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// DefaultSyllablesPerMinute is the speech rate read-aloud times are estimated
// at when none is configured: an unhurried announcer's pace in Vietnamese.
const DefaultSyllablesPerMinute = 160

// ReadAloud renders Markdown to the plain text an operator reads on air:
// headings and list items become sentences on their own lines, links become
// their text, images are dropped, code is plain text, a table row becomes one
// sentence with its cells joined by ", ", and blocks are separated by one
// blank line. No Markdown syntax is left (what the author escaped or wrote as
// code stays as written); raw HTML gives the text the rendered page shows; a
// "<" that could open a tag is followed by a space. The result is NFC.
func ReadAloud(body string) string {
	var a aloud
	blocks := a.blocks(parseMarkdown(body), nil)
	return tidyText(strings.Join(blocks, "\n\n"))
}

// ReadSeconds estimates how long text takes to read aloud at
// syllablesPerMinute (DefaultSyllablesPerMinute when not positive), rounded up
// to whole seconds. A Vietnamese syllable is written as one space-separated
// word, so syllables are counted as words.
func ReadSeconds(text string, syllablesPerMinute int) int {
	if syllablesPerMinute <= 0 {
		syllablesPerMinute = DefaultSyllablesPerMinute
	}
	words := len(strings.Fields(text))
	return (words*60 + syllablesPerMinute - 1) / syllablesPerMinute
}

// aloud walks a Markdown tree into read-aloud text. skip is the raw HTML
// element whose content the page would not show (<script>, <style>…) while the
// walk is inside it.
type aloud struct {
	skip string
}

// Sentence endings: a heading keeps only what ends a sentence; a list item
// also keeps a colon or semicolon that introduces or continues a list.
const (
	headingEnds  = ".!?…"
	listItemEnds = ".!?…:;"
)

// blocks appends the text of node's blocks to out, one string per block.
func (a *aloud) blocks(node ast.Node, out []string) []string {
	switch n := node.(type) {
	case *ast.Paragraph:
		return appendNonEmpty(out, a.inline(n))
	case *ast.Heading:
		return appendNonEmpty(out, sentence(a.inline(n), headingEnds))
	case *ast.List:
		var lines []string
		for _, item := range n.Children {
			lines = a.listItem(item, lines)
		}
		return appendNonEmpty(out, strings.Join(lines, "\n"))
	case *ast.Table:
		var rows []string
		ast.WalkFunc(n, func(node ast.Node, entering bool) ast.WalkStatus {
			if row, ok := node.(*ast.TableRow); ok && entering {
				rows = appendNonEmpty(rows, a.tableRow(row))
				return ast.SkipChildren
			}
			return ast.GoToNext
		})
		return appendNonEmpty(out, strings.Join(rows, "\n"))
	case *ast.CodeBlock:
		return appendNonEmpty(out, string(n.Literal))
	case *ast.HTMLBlock:
		return appendNonEmpty(out, htmlText(n.Literal))
	case *ast.HorizontalRule, *ast.MathBlock, *ast.Footnotes, *ast.ReferenceDefinition:
		return out
	}
	if node.AsLeaf() != nil {
		return appendNonEmpty(out, a.inline(node))
	}
	for _, child := range node.GetChildren() {
		out = a.blocks(child, out)
	}
	return out
}

// listItem appends the lines of a list item: each paragraph a sentence, nested
// blocks as they come.
func (a *aloud) listItem(item ast.Node, lines []string) []string {
	for _, child := range item.GetChildren() {
		switch c := child.(type) {
		case *ast.Paragraph:
			lines = appendNonEmpty(lines, sentence(a.inline(c), listItemEnds))
		case *ast.List:
			for _, nested := range c.Children {
				lines = a.listItem(nested, lines)
			}
		default:
			lines = append(lines, a.blocks(child, nil)...)
		}
	}
	return lines
}

func (a *aloud) tableRow(row *ast.TableRow) string {
	var cells []string
	for _, cell := range row.Children {
		text := strings.Join(strings.Fields(a.inline(cell)), " ")
		cells = appendNonEmpty(cells, text)
	}
	return sentence(strings.Join(cells, ", "), headingEnds)
}

// inline returns the text of node's inline content on one line, except where
// the author broke the line.
func (a *aloud) inline(node ast.Node) string {
	var b strings.Builder
	ast.WalkFunc(node, func(node ast.Node, entering bool) ast.WalkStatus {
		if !entering {
			return ast.GoToNext
		}
		switch n := node.(type) {
		case *ast.HTMLSpan:
			a.htmlSpan(&b, n.Literal)
		case *ast.Image:
			// The listener cannot see it.
			return ast.SkipChildren
		case *ast.Hardbreak:
			b.WriteByte('\n')
		case *ast.Softbreak, *ast.NonBlockingSpace:
			b.WriteByte(' ')
		case *ast.Text, *ast.Code, *ast.Math, *ast.Subscript, *ast.Superscript:
			if a.skip == "" {
				b.WriteString(strings.ReplaceAll(string(node.AsLeaf().Literal), "\n", " "))
			}
		}
		return ast.GoToNext
	})
	return strings.TrimSpace(b.String())
}

// htmlSpan reads an inline piece of raw HTML, usually one tag.
func (a *aloud) htmlSpan(b *strings.Builder, raw []byte) {
	a.skip = readHTML(b, raw, a.skip)
}

// hiddenElements are the raw HTML elements whose content the rendered page
// drops with the element (bluemonday's default list); it is not read either.
var hiddenElements = map[string]bool{
	"frame": true, "frameset": true, "iframe": true, "noembed": true, "noframes": true,
	"noscript": true, "nostyle": true, "object": true, "script": true, "style": true, "title": true,
}

// breakingElements start a new line in the text of a raw HTML block.
var breakingElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true, "dd": true,
	"div": true, "dl": true, "dt": true, "figcaption": true, "figure": true, "footer": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true,
	"hr": true, "li": true, "main": true, "nav": true, "ol": true, "p": true, "pre": true,
	"section": true, "table": true, "td": true, "th": true, "tr": true, "ul": true,
}

// htmlText returns the text a raw HTML block shows.
func htmlText(raw []byte) string {
	var b strings.Builder
	readHTML(&b, raw, "")
	return b.String()
}

// readHTML writes the text of raw HTML that a page shows, with a line break
// at block elements and <br>. skip is the hidden element the HTML starts
// inside ("" for none); readHTML returns the one it ends inside.
func readHTML(b *strings.Builder, raw []byte, skip string) string {
	z := html.NewTokenizer(bytes.NewReader(raw))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return skip
		case html.TextToken:
			if skip == "" {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if skip == "" && hiddenElements[string(name)] {
				skip = string(name)
			}
			if breakingElements[string(name)] {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == skip {
				skip = ""
			}
			if breakingElements[string(name)] {
				b.WriteByte('\n')
			}
		}
	}
}

// sentence ends text (its last line) as a sentence: kept as it is when it
// ends with one of ends (also just inside closing quotes or brackets), its
// trailing comma, colon or semicolon replaced by a period, or a period added.
func sentence(text, ends string) string {
	text = strings.TrimRightFunc(text, unicode.IsSpace)
	inside := strings.TrimRightFunc(text, isCloser)
	if inside == "" {
		return text
	}
	last, size := utf8.DecodeLastRuneInString(inside)
	switch {
	case strings.ContainsRune(ends, last):
		return text
	case len(inside) == len(text) && strings.ContainsRune(",:;", last):
		return text[:len(text)-size] + "."
	default:
		return text + "."
	}
}

// appendNonEmpty appends s to list unless it has no visible text.
func appendNonEmpty(list []string, s string) []string {
	if strings.TrimSpace(s) == "" {
		return list
	}
	return append(list, s)
}

// tidyText finishes read-aloud text: valid UTF-8 in NFC, spaces and control
// characters collapsed to one space within a line and dropped before
// punctuation (where a dropped image or tag leaves a gap), at most one blank
// line in a row, trimmed, and a space after each "<" that a browser could
// read as the start of a tag, a comment or a declaration, so the text stays
// inert even if someone pastes it into a page unescaped.
func tidyText(s string) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	breaks, space := 0, false // pending line breaks and space
	for i := 0; i < len(s); {
		c, size := s[i], 1
		blank := c <= ' ' || c == 0x7f
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			blank = unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF'
		}
		switch {
		case c == '\n':
			if b.Len() > 0 {
				breaks++
			}
			space = false
		case blank:
			space = true
		default:
			if breaks > 0 {
				b.WriteString("\n\n"[:min(breaks, 2)])
			} else if space && b.Len() > 0 && !isClosingPunct(c) {
				b.WriteByte(' ')
			}
			breaks, space = 0, false
			b.WriteString(s[i : i+size])
			if c == '<' && i+1 < len(s) && opensTag(s[i+1]) {
				b.WriteByte(' ')
			}
		}
		i += size
	}
	return b.String()
}

// isClosingPunct reports whether c is punctuation that follows a word with no
// space before it.
func isClosingPunct(c byte) bool {
	switch c {
	case '.', ',', ';', ':', '!', '?':
		return true
	}
	return false
}

// opensTag reports whether c after "<" starts a tag, a comment or a
// declaration for an HTML parser.
func opensTag(c byte) bool {
	return c == '/' || c == '!' || c == '?' || 'a' <= c|0x20 && c|0x20 <= 'z'
}

// isCloser reports whether r closes a quotation or a bracket.
func isCloser(r rune) bool {
	return strings.ContainsRune(`"'”’»)]`, r)
}
