package feedformat

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"

	"loa/scheduler"
)

// ScriptHTML renders one airing's script as a self-contained printable page for
// the reader at the microphone: large type, the station, when it airs in zone
// (dd/mm/yyyy HH:MM), its length and reading time, the title, and the script in
// paragraphs. The print styles are inline: serve the page with ScriptStyleSource
// in its Content-Security-Policy, or they are dropped (the page still reads).
func ScriptHTML(st scheduler.FeedStation, it scheduler.FeedItem, zone *time.Location) ([]byte, error) {
	if zone == nil {
		zone = it.Start.Location()
	}
	start := it.Start.In(zone)
	page := scriptPageData{
		CSS:        scriptCSS,
		Station:    st.Name,
		When:       start.Format("02/01/2006 15:04"),
		Duration:   vnDuration(it.DurationSeconds),
		Reading:    vnDuration(it.ReadSeconds),
		Title:      it.Title,
		Paragraphs: scriptParagraphs(it.Script),
	}
	var b bytes.Buffer
	if err := scriptPage.Execute(&b, page); err != nil {
		return nil, fmt.Errorf("script page: %w", err)
	}
	return b.Bytes(), nil
}

type scriptPageData struct {
	CSS                                     template.CSS
	Station, When, Duration, Reading, Title string
	Paragraphs                              [][]string // lines of each paragraph
}

var scriptBlankLines = regexp.MustCompile(`\n[ \t]*\n\s*`)

// scriptParagraphs splits a script on blank lines, keeping single line breaks within a
// paragraph.
func scriptParagraphs(script string) [][]string {
	script = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(script, "\r\n", "\n"), "\r", "\n"))
	var out [][]string
	for _, p := range scriptBlankLines.Split(script, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

// vnDuration says a number of seconds in Vietnamese: "1 giờ 5 phút", "2 phút 10 giây".
func vnDuration(secs int) string {
	if secs <= 0 {
		return "0 giây"
	}
	var parts []string
	for _, u := range []struct {
		secs int
		name string
	}{{3600, "giờ"}, {60, "phút"}, {1, "giây"}} {
		if n := secs / u.secs; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, u.name))
			secs -= n * u.secs
		}
	}
	return strings.Join(parts, " ")
}

// scriptCSS is the page's style sheet, inline so a saved page keeps it.
const scriptCSS = `@page { size: A4; margin: 18mm 16mm; }
html { font-family: "Noto Serif", "Times New Roman", serif; font-size: 24pt; line-height: 1.6; color: #000; background: #fff; }
body { max-width: 36em; margin: 1em auto; padding: 0 0.5em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0 0 0.5em; padding-bottom: 0.4em; border-bottom: 2px solid #000; font-size: 0.75em; }
dt { font-weight: bold; }
dd { margin: 0; }
h1 { font-size: 1.35em; line-height: 1.25; margin: 0.5em 0 0.8em; }
main p { margin: 0 0 1em; orphans: 3; widows: 3; }
@media print { body { max-width: none; margin: 0; padding: 0; } h1 { break-after: avoid; } }`

// ScriptStyleSource is the CSP source that allows the script page's inline style
// and nothing else: its SHA-256.
var ScriptStyleSource = func() string {
	sum := sha256.Sum256([]byte(scriptCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var scriptPage = template.Must(template.New("script").Parse(`<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · {{.Station}} · {{.When}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header>
<dl>
<dt>Đài</dt><dd>{{.Station}}</dd>
<dt>Thời gian phát</dt><dd>{{.When}}</dd>
<dt>Thời lượng</dt><dd>{{.Duration}}</dd>
<dt>Thời gian đọc ước tính</dt><dd>{{.Reading}}</dd>
</dl>
<h1>{{.Title}}</h1>
</header>
<main>
{{range .Paragraphs}}<p>{{range $i, $line := .}}{{if $i}}<br>
{{end}}{{$line}}{{end}}</p>
{{end}}</main>
</body>
</html>
`))
