package content

import (
	"io"
	"regexp"
	"strings"

	"github.com/gomarkdown/markdown"
	"github.com/gomarkdown/markdown/ast"
	"github.com/gomarkdown/markdown/html"
	"github.com/gomarkdown/markdown/parser"
	"github.com/microcosm-cc/bluemonday"
)

// markdownExtensions are gomarkdown's common extensions without MathJax (a
// script that mentions two prices in dollars must not turn into a formula, and
// the policy would drop the formula markup anyway), and with lists, quotes and
// code allowed right after a paragraph line, as editors used to GitHub or
// CommonMark write them.
const markdownExtensions = parser.CommonExtensions&^parser.MathJax | parser.NoEmptyLineBeforeBlock

// parseMarkdown parses body with a fresh parser (a gomarkdown parser can be
// used once only). RenderHTML and ReadAloud share it so both read the same
// tree. The body is given a final newline, without which gomarkdown misses a
// setext heading or an HTML block on the last line. Bytes that are not UTF-8
// read as U+FFFD, so what is rendered is text a page can carry.
func parseMarkdown(body string) ast.Node {
	body = strings.ToValidUTF8(body, "\uFFFD")
	src := make([]byte, len(body), len(body)+1)
	copy(src, body)
	if !strings.HasSuffix(body, "\n") {
		src = append(src, '\n')
	}
	return parser.NewWithExtensions(markdownExtensions).Parse(src)
}

// RenderHTML renders Markdown to HTML that is safe to show in a page: it is
// rendered by gomarkdown and then cleaned by an allow-list (htmlPolicy), so
// raw HTML in the body keeps only harmless formatting. Links keep http, https,
// mailto and tel destinations (or relative ones) and carry rel="nofollow";
// images load only over http or https.
func RenderHTML(body string) string {
	r := html.NewRenderer(html.RendererOptions{
		// No smartypants: "1/2" is the first of February in a Vietnamese
		// date, not a fraction. Safelink is a first filter only; the policy
		// below decides.
		Flags:          html.Safelink | html.NofollowLinks | html.NoopenerLinks,
		RenderNodeHook: imageAltWithoutSource,
	})
	r.IsSafeURLOverride = linkableURL.Match
	return htmlPolicy.Sanitize(string(markdown.Render(parseMarkdown(body), r)))
}

// linkableURL matches the link destinations the policy keeps (http, https,
// mailto, tel, or no scheme), so that gomarkdown turns any other Markdown link
// into its plain text rather than into an <a> the policy would empty.
var linkableURL = regexp.MustCompile(`^(?i:https?://|mailto:|tel:|[^:/?#]*(?:[/?#]|$))`)

// imageURL matches the image sources the policy keeps.
var imageURL = regexp.MustCompile(`^(?i)https?://`)

// imageAltWithoutSource renders a Markdown image whose source the policy would
// drop (data:, a relative path, javascript:…) as its alt text, instead of an
// <img> without a source.
func imageAltWithoutSource(_ io.Writer, node ast.Node, _ bool) (ast.WalkStatus, bool) {
	img, ok := node.(*ast.Image)
	if !ok || imageURL.Match(img.Destination) {
		return ast.GoToNext, false
	}
	return ast.GoToNext, true
}

// htmlPolicy is the allow-list every rendered body passes through. A policy is
// safe for concurrent use once built and is never changed after this.
var htmlPolicy = newHTMLPolicy()

func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(
		"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
		"em", "strong", "b", "i", "del", "s",
		"ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code",
		"table", "thead", "tbody", "tfoot", "tr", "th", "td",
	)
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	p.AllowAttrs("src").Matching(imageURL).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.AllowRelativeURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}
