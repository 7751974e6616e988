package feedformat

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"loa/scheduler"
)

func TestScriptHTML(t *testing.T) {
	st := scheduler.FeedStation{Code: "TTX-TH", Name: "Đài Truyền thanh xã Tam Hải & Tam Quang"}
	it := scheduler.FeedItem{
		AiringID: "air-0630", Start: local("2024-03-14 06:30").UTC(), DurationSeconds: 900, ReadSeconds: 130,
		Title: "Phòng chống <b>sốt xuất huyết</b> & muỗi",
		Script: "Kính thưa bà con,\r\nhôm nay trạm y tế phun thuốc.\r\n\r\n" +
			"<script>alert('x')</script> & nước sạch; đậy kín\n  \n\n" +
			"Xin cảm ơn bà con đã lắng nghe.\n",
	}
	b, err := ScriptHTML(st, it, hcm)
	if err != nil {
		t.Fatal(err)
	}

	if bytes.Contains(b, []byte("<script>")) || !bytes.Contains(b, []byte("&lt;script&gt;")) {
		t.Errorf("script text not escaped:\n%s", b)
	}
	if bytes.Contains(b, []byte("<b>")) || !bytes.Contains(b, []byte("&amp; muỗi")) {
		t.Errorf("title not escaped:\n%s", b)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(htmlElements(doc, "script")); n != 0 {
		t.Errorf("%d <script> elements, want 0", n)
	}
	if root := htmlElements(doc, "html"); len(root) != 1 || htmlAttr(root[0], "lang") != "vi" {
		t.Errorf(`want <html lang="vi">`)
	}
	if metas := htmlElements(doc, "meta"); !slices.ContainsFunc(metas, func(n *html.Node) bool { return htmlAttr(n, "charset") == "utf-8" }) {
		t.Errorf(`no <meta charset="utf-8">`)
	}
	if titles := htmlElements(doc, "title"); len(titles) != 1 || !strings.Contains(htmlText(titles[0]), it.Title) ||
		!strings.Contains(htmlText(titles[0]), st.Name) {
		t.Errorf("<title> should name %q and %q", it.Title, st.Name)
	}
	if h1 := htmlElements(doc, "h1"); len(h1) != 1 || htmlText(h1[0]) != it.Title {
		t.Errorf("<h1> should read %q", it.Title)
	}

	labels := map[string]string{}
	dts, dds := htmlElements(doc, "dt"), htmlElements(doc, "dd")
	for i := range min(len(dts), len(dds)) {
		labels[htmlText(dts[i])] = htmlText(dds[i])
	}
	for label, want := range map[string]string{
		"Đài": st.Name, "Thời gian phát": "14/03/2024 06:30", "Thời lượng": "15 phút", "Thời gian đọc ước tính": "2 phút 10 giây",
	} {
		if labels[label] != want {
			t.Errorf("%s = %q, want %q", label, labels[label], want)
		}
	}

	var paras []string
	for _, p := range htmlElements(doc, "p") {
		paras = append(paras, htmlText(p))
	}
	want := []string{
		"Kính thưa bà con,\nhôm nay trạm y tế phun thuốc.",
		"<script>alert('x')</script> & nước sạch; đậy kín",
		"Xin cảm ơn bà con đã lắng nghe.",
	}
	if !slices.Equal(paras, want) {
		t.Errorf("paragraphs = %q, want %q", paras, want)
	}

	styles := htmlElements(doc, "style")
	if len(styles) != 1 {
		t.Fatalf("%d <style> elements, want 1", len(styles))
	}
	m := regexp.MustCompile(`html \{[^}]*font-size: (\d+)pt`).FindStringSubmatch(htmlText(styles[0]))
	if m == nil {
		t.Fatalf("no base font size in pt in the style")
	}
	if pt, _ := strconv.Atoi(m[1]); pt < 22 || pt > 28 {
		t.Errorf("base font size %dpt, want 22–28pt", pt)
	}
	if !strings.Contains(htmlText(styles[0]), "@media print") {
		t.Errorf("no print styles")
	}
}

// htmlElements are the nodes of a tag under n, in document order.
func htmlElements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// htmlText is n's text with <br> as a line break and the page's own newlines dropped.
func htmlText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		switch {
		case d.Type == html.TextNode:
			b.WriteString(strings.ReplaceAll(d.Data, "\n", ""))
		case d.Type == html.ElementNode && d.Data == "br":
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestScriptHTMLDuration(t *testing.T) {
	tests := []struct {
		secs int
		want string
	}{
		{0, "0 giây"}, {45, "45 giây"}, {60, "1 phút"}, {130, "2 phút 10 giây"}, {900, "15 phút"},
		{3600, "1 giờ"}, {3725, "1 giờ 2 phút 5 giây"},
	}
	for _, tt := range tests {
		if got := vnDuration(tt.secs); got != tt.want {
			t.Errorf("vnDuration(%d) = %q, want %q", tt.secs, got, tt.want)
		}
	}
}

func TestScriptStyleSourceMatchesThePage(t *testing.T) {
	b, err := ScriptHTML(scheduler.FeedStation{Name: "Đài"}, scheduler.FeedItem{Title: "T", Script: "x"}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	start, end := strings.Index(page, "<style>"), strings.Index(page, "</style>")
	if start < 0 || end < start {
		t.Fatal("no style element")
	}
	sum := sha256.Sum256([]byte(page[start+len("<style>") : end]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; ScriptStyleSource != want {
		t.Errorf("ScriptStyleSource = %s, the page's style hashes to %s", ScriptStyleSource, want)
	}
}
