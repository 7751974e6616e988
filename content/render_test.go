package content

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files")

// renderCases are the Markdown inputs under testdata/render, each with its
// golden .html and .txt next to it.
func renderCases(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "render", "*.md"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no render cases: %v", err)
	}
	cases := map[string]string{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cases[strings.TrimSuffix(p, ".md")] = string(src)
	}
	return cases
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRenderHTMLGolden(t *testing.T) {
	for base, src := range renderCases(t) {
		t.Run(filepath.Base(base), func(t *testing.T) {
			got := RenderHTML(src)
			if err := inertHTML(got); err != nil {
				t.Errorf("RenderHTML(%s) is not inert: %v", base+".md", err)
			}
			checkGolden(t, base+".html", got)
		})
	}
}

func TestRenderHTML(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		contains []string
		excludes []string
	}{
		{"heading and emphasis", "## Lời dẫn\n\nKính *thưa* **quý vị**",
			[]string{"<h2>Lời dẫn</h2>", "<em>thưa</em>", "<strong>quý vị</strong>"}, nil},
		{"external link gets rel", "[cổng](https://quangnam.gov.vn)",
			[]string{`<a href="https://quangnam.gov.vn" rel="nofollow noopener">cổng</a>`}, nil},
		{"tel and mailto links", "[gọi](tel:+84235111) [thư](mailto:a@b.vn)",
			[]string{`href="tel:+84235111"`, `href="mailto:a@b.vn"`}, nil},
		{"relative link kept", "[mục](/api/v1/contents/1)", []string{`<a href="/api/v1/contents/1" rel="nofollow">mục</a>`}, nil},
		{"raw html link gets nofollow", `<a href="https://x.vn/">x</a>`, []string{`<a href="https://x.vn/" rel="nofollow">x</a>`}, nil},
		{"https image kept", "![áp phích](https://x.vn/a.png)", []string{`<img src="https://x.vn/a.png" alt="áp phích"/>`}, nil},
		{"relative image becomes alt text", "![logo](logo.png)", []string{"<p>logo</p>"}, []string{"<img"}},
		{"data image becomes alt text", "![d](data:image/png;base64,AAAA)", []string{"<p>d</p>"}, []string{"<img", "data:"}},
		{"javascript link becomes text", "[bấm](javascript:alert(1))", []string{"<p>bấm</p>"}, []string{"<a", "javascript"}},
		{"table", "| a | b |\n|---|--:|\n| 1 | 2 |", []string{"<table>", `<td align="right">2</td>`}, nil},
		{"code block", "```go\nx := 1 < 2\n```", []string{`<pre><code class="language-go">x := 1 &lt; 2`}, nil},
		{"vietnamese date is not a fraction", "ngày 1/2 -- 3/4", []string{"ngày 1/2 -- 3/4"}, []string{"frac", "½"}},
		{"dollars are not math", "giá $5 và $6", []string{"giá $5 và $6"}, []string{"math"}},
		{"script dropped with content", "a <script>alert(1)</script> b", []string{"<p>a  b</p>"}, []string{"script", "alert"}},
		{"event handler dropped", `<img src="https://x.vn/a.png" onerror="alert(1)">`, []string{`<img src="https://x.vn/a.png"`}, []string{"onerror"}},
		{"style attribute dropped", `<p style="color:red">đỏ</p>`, []string{"<p>đỏ</p>"}, []string{"style"}},
		{"iframe dropped", `<iframe src="https://x.vn"></iframe>`, nil, []string{"iframe"}},
		{"entity-encoded javascript dropped", `<a href="&#x6A;avascript:alert(1)">x</a>`, []string{"x"}, []string{"href", "avascript"}},
		{"empty", "", nil, []string{"<"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderHTML(tt.in)
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("RenderHTML(%q) = %q, want it to contain %q", tt.in, got, s)
				}
			}
			for _, s := range tt.excludes {
				if strings.Contains(strings.ToLower(got), strings.ToLower(s)) {
					t.Errorf("RenderHTML(%q) = %q, want no %q", tt.in, got, s)
				}
			}
			if err := inertHTML(got); err != nil {
				t.Errorf("RenderHTML(%q) = %q is not inert: %v", tt.in, got, err)
			}
		})
	}
}

// TestRenderHTMLInertChecker makes sure the checker the XSS tests rely on
// catches what it is meant to catch.
func TestRenderHTMLInertChecker(t *testing.T) {
	tests := []struct {
		in    string
		inert bool
	}{
		{`<p>ok <a href="https://x.vn" rel="nofollow">x</a> <img src="http://x.vn/a.png" alt="a"></p>`, true},
		{`<a href="/relative/path?q=1#f">x</a> <a href="mailto:a@b.vn">m</a> <a href="tel:+84">t</a>`, true},
		{`<script>alert(1)</script>`, false},
		{`<p onclick="x">x</p>`, false},
		{`<p style="color:red">x</p>`, false},
		{`<a href="javascript:alert(1)">x</a>`, false},
		{`<a href="JAVA&#x09;SCRIPT:alert(1)">x</a>`, false},
		{`<a href=" &#14;javascript:alert(1)">x</a>`, false},
		{`<img src="data:image/png;base64,AAAA">`, false},
		{`<svg></svg>`, false},
		{`<a href="x" target="_blank">x</a>`, false},
		{`<!-- comment -->`, false},
	}
	for _, tt := range tests {
		if err := inertHTML(tt.in); (err == nil) != tt.inert {
			t.Errorf("inertHTML(%q) = %v, want inert %v", tt.in, err, tt.inert)
		}
	}
}

// inertAttrs are the attributes RenderHTML may leave on each element.
var inertAttrs = map[string][]string{
	"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil, "p": nil, "br": nil, "hr": nil,
	"em": nil, "strong": nil, "b": nil, "i": nil, "del": nil, "s": nil,
	"ul": nil, "ol": {"start"}, "li": nil, "dl": nil, "dt": nil, "dd": nil, "blockquote": nil,
	"pre": nil, "code": {"class"}, "table": nil, "thead": nil, "tbody": nil, "tfoot": nil, "tr": nil,
	"th": {"align"}, "td": {"align"}, "a": {"href", "rel", "title"}, "img": {"src", "alt", "title"},
}

// inertHTML reports why s could run script, load something unexpected or
// restyle the page: an element outside the allow-list, an attribute outside
// it (on*, style…), or a URL whose scheme, as a browser reads it, is not
// http, https, mailto or tel.
func inertHTML(s string) error {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			return z.Err()
		case html.CommentToken, html.DoctypeToken:
			return fmt.Errorf("markup %q", z.Raw())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			allowed, ok := inertAttrs[tok.Data]
			if !ok {
				return fmt.Errorf("element <%s>", tok.Data)
			}
			for _, a := range tok.Attr {
				if !slices.Contains(allowed, a.Key) || a.Namespace != "" {
					return fmt.Errorf("attribute %s on <%s>", a.Key, tok.Data)
				}
				if a.Key == "href" || a.Key == "src" {
					if scheme := urlScheme(a.Val); scheme != "" && !slices.Contains([]string{"http", "https", "mailto", "tel"}, scheme) {
						return fmt.Errorf("%s=%q on <%s> has scheme %q", a.Key, a.Val, tok.Data, scheme)
					}
				}
			}
		}
	}
}

// urlScheme returns the lower-case scheme of an attribute value as the WHATWG
// URL parser finds it: leading and trailing C0 controls and spaces trimmed,
// tabs and newlines anywhere removed, then letters, digits, "+", "-" and "."
// up to a colon. It returns "" for a relative URL.
func urlScheme(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c|32 && c|32 <= 'z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(v[:i])
		default:
			return ""
		}
	}
	return ""
}

// xssVectors are the corpus file's blocks, one attack each.
func xssVectors(t testing.TB) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "render", "xss.md"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(src), "\n\n")
}

func TestRenderHTMLXSSVectors(t *testing.T) {
	for _, v := range xssVectors(t) {
		got := RenderHTML(v)
		if err := inertHTML(got); err != nil {
			t.Errorf("RenderHTML(%q) = %q is not inert: %v", v, got, err)
		}
		// The corpus loads from evil.example only with elements that must go.
		if strings.Contains(got, "evil.example") {
			t.Errorf("RenderHTML(%q) = %q still refers to evil.example", v, got)
		}
	}
}

func FuzzRenderHTML(f *testing.F) {
	for _, src := range renderCases(f) {
		f.Add(src)
	}
	for _, v := range xssVectors(f) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := RenderHTML(in)
		if err := inertHTML(got); err != nil {
			t.Errorf("RenderHTML(%q) = %q is not inert: %v", in, got, err)
		}
		if len(got) > renderBound(in) {
			t.Errorf("RenderHTML of %d bytes = %d bytes, more than the bound %d", len(in), len(got), renderBound(in))
		}
		if !utf8.ValidString(got) {
			t.Errorf("RenderHTML(%q) = %q is not valid UTF-8", in, got)
		}
	})
}

// renderBound is the most output a Markdown body of in may render to: markup
// around every byte (a blockquote of ">" signs, escaped entities) stays linear.
func renderBound(in string) int { return 64*len(in) + 4096 }

// script2000 is a realistic radio script of about 2,000 words, made of the
// golden scripts.
func script2000(b *testing.B) string {
	b.Helper()
	var parts []string
	for _, name := range []string{"radio-script", "commune-loudspeaker"} {
		src, err := os.ReadFile(filepath.Join("testdata", "render", name+".md"))
		if err != nil {
			b.Fatal(err)
		}
		parts = append(parts, string(src))
	}
	var sb strings.Builder
	for i := 0; len(strings.Fields(sb.String())) < 2000; i++ {
		sb.WriteString(parts[i%len(parts)])
		sb.WriteString("\n\n")
	}
	return sb.String()
}

func BenchmarkRender2000Words(b *testing.B) {
	src := script2000(b)
	b.Logf("%d words, %d bytes", len(strings.Fields(src)), len(src))
	b.Run("RenderHTML", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			RenderHTML(src)
		}
	})
	b.Run("ReadAloud", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			ReadAloud(src)
		}
	})
}
