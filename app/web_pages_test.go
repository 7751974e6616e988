package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// maxPageWeight bounds what a page costs a phone: its HTML, style sheets and
// scripts together, uncompressed.
const maxPageWeight = 150 << 10

var (
	linkPattern  = regexp.MustCompile(`(?i)<a\b[^>]*\bhref="([^"#]*)"`)
	assetPattern = regexp.MustCompile(`(?i)<(?:script|link|img|audio|source)\b[^>]*\b(?:src|href)="([^"]+)"`)
	// Links a person follows may lead elsewhere (a legal text); what a page loads
	// or posts to may not.
	anyURLPattern = regexp.MustCompile(`(?i)(?:\b(?:src|action|poster|data|srcset)="|<link\b[^>]*\bhref="|url\()\s*((?:https?:)?//[^"')]*)`)
	h1Pattern     = regexp.MustCompile(`(?i)<h1\b`)
)

// TestEveryPageIsLightAndStaysHome follows every link of the pages from the start
// page, as the admin, a planner and a viewer: each page names itself in <title>
// and one <h1>, weighs under 150 KB with its style sheets and scripts, and loads
// nothing from another origin.
func TestEveryPageIsLightAndStaysHome(t *testing.T) {
	s := newSite(t)
	for _, who := range []*person{s.admin(), s.account("planner.crawl", []string{"planner"}, "49"),
		s.account("viewer.crawl", []string{"viewer"}, "49")} {
		seen := map[string]bool{}
		queue := []string{"/"}
		assetBytes := map[string]int{}
		for len(queue) > 0 && len(seen) < 80 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			resp, err := who.client.Get(s.base + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			status, page := resp.StatusCode, string(b)
			if status == http.StatusSeeOther || status == http.StatusFound {
				queue = append(queue, resp.Header.Get("Location")) // a section's own start page
				continue
			}
			if status != http.StatusOK {
				t.Errorf("%s: %d", path, status)
				continue
			}
			if !strings.Contains(page, "<title>") || len(h1Pattern.FindAllString(page, -1)) != 1 {
				t.Errorf("%s: no <title> or not exactly one <h1>", path)
			}
			if m := anyURLPattern.FindStringSubmatch(page); m != nil {
				t.Errorf("%s refers to another origin: %s", path, m[1])
			}
			weight := len(page)
			for _, m := range assetPattern.FindAllStringSubmatch(page, -1) {
				a := m[1]
				if _, ok := assetBytes[a]; !ok {
					_, body := who.get(a)
					assetBytes[a] = len(body)
				}
				weight += assetBytes[a]
			}
			if weight > maxPageWeight {
				t.Errorf("%s weighs %d bytes with its assets, over %d", path, weight, maxPageWeight)
			}
			for _, m := range linkPattern.FindAllStringSubmatch(page, -1) {
				u, err := url.Parse(m[1])
				if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "/api/") ||
					strings.HasPrefix(u.Path, "/static/") {
					continue
				}
				queue = append(queue, u.RequestURI())
			}
		}
		if len(seen) < 2 {
			t.Errorf("only %d pages reached from the start page", len(seen))
		}
	}
}
