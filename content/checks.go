package content

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/gomarkdown/markdown/ast"
	"golang.org/x/text/unicode/norm"
)

// Term is a stigmatising wording to avoid and the respectful wording to use
// instead.
type Term struct {
	Term       string `json:"term"`
	Suggestion string `json:"suggestion"`
}

// DefaultTerms is the seed list of discouraged wordings about people who sell
// sex, people living with HIV and people who use drugs, with the wording used
// in Vietnamese law and public-health guidance (Pháp lệnh Phòng, chống mại dâm
// speaks of "người bán dâm"; the HIV programme of "người nhiễm HIV" or "người
// sống chung với HIV"). A deployment can replace it.
var DefaultTerms = []Term{
	{Term: "gái mại dâm", Suggestion: "người bán dâm"},
	{Term: "gái bán dâm", Suggestion: "người bán dâm"},
	{Term: "gái điếm", Suggestion: "người bán dâm"},
	{Term: "gái làng chơi", Suggestion: "người bán dâm"},
	{Term: "gái bán hoa", Suggestion: "người bán dâm"},
	{Term: "cave", Suggestion: "người bán dâm"},
	{Term: "ca-ve", Suggestion: "người bán dâm"},
	{Term: "đối tượng mại dâm", Suggestion: "người bán dâm"},
	{Term: "sa ngã", Suggestion: "tham gia bán dâm (nói rõ hành vi, không phán xét)"},
	{Term: "con nghiện", Suggestion: "người sử dụng ma túy"},
	{Term: "dân nghiện", Suggestion: "người sử dụng ma túy"},
	{Term: "bệnh nhân AIDS", Suggestion: "người sống chung với HIV"},
	{Term: "người bị AIDS", Suggestion: "người sống chung với HIV"},
	{Term: "nhiễm AIDS", Suggestion: "nhiễm HIV"},
}

// Warning is something the approver should look at before approving; it does
// not block submission. Line is the body line it is about, when there is one.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
}

// Warning codes.
const (
	WarnDiscouragedTerm = "discouraged_term"
	WarnOverSlot        = "over_slot"
	WarnNoGroup         = "no_group"
	WarnEmptySection    = "empty_section"
)

// CheckInput is what the submit checks look at: a content item's kind, body,
// target groups and slot, and the speech rate reading times are estimated at.
type CheckInput struct {
	Kind               string
	Body               string
	Groups             []string
	SlotSeconds        int
	SyllablesPerMinute int
}

// CheckContent returns the warnings for a content item: no target group, a
// script that takes longer to read than its slot, then, by line, headings with
// nothing under them and each discouraged term (once per term and line).
func CheckContent(in CheckInput, terms []Term) []Warning {
	var out []Warning
	if !slices.ContainsFunc(in.Groups, func(g string) bool { return strings.TrimSpace(g) != "" }) {
		out = append(out, Warning{Code: WarnNoGroup, Message: "no target group: choose who this message is for"})
	}
	if (in.Kind == "radio_script" || in.Kind == "tv_script") && in.SlotSeconds > 0 {
		if s := ReadSeconds(ReadAloud(in.Body), in.SyllablesPerMinute); s > in.SlotSeconds {
			out = append(out, Warning{Code: WarnOverSlot,
				Message: fmt.Sprintf("reading takes about %d s, longer than the %d s slot", s, in.SlotSeconds)})
		}
	}
	byLine := append(emptySections(in.Body), discouragedTerms(in.Body, terms)...)
	slices.SortStableFunc(byLine, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
	return append(out, byLine...)
}

// discouragedTerms finds terms in body, ignoring case and emphasis marks, as
// whole words: "cave" is not found in "caves".
func discouragedTerms(body string, terms []Term) []Warning {
	if len(terms) == 0 {
		return nil
	}
	type needle struct {
		term Term
		text string
	}
	needles := make([]needle, 0, len(terms))
	for _, t := range terms {
		if text := matchForm(t.Term); text != "" {
			needles = append(needles, needle{t, text})
		}
	}
	var out []Warning
	for i, line := range strings.Split(body, "\n") {
		line = matchForm(line)
		for _, n := range needles {
			if containsWord(line, n.text) {
				out = append(out, Warning{Code: WarnDiscouragedTerm, Line: i + 1,
					Message: fmt.Sprintf("discouraged term %q; suggested wording: %q", n.term.Term, n.term.Suggestion)})
			}
		}
	}
	return out
}

// matchForm is s as terms are compared: NFC, lower case, Markdown emphasis
// marks read as spaces, and runs of spaces as one.
func matchForm(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	s = strings.Map(func(r rune) rune {
		if r == '*' || r == '_' || r == '`' || r == '~' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// containsWord reports whether word occurs in s with no letter or digit
// directly before or after it.
func containsWord(s, word string) bool {
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(word)
		if !isWordRune(lastRune(s[:start])) && !isWordRune(firstRune(s[end:])) {
			return true
		}
		from = start + len(firstRuneString(s[start:]))
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return ' '
}

func lastRune(s string) rune {
	if s == "" {
		return ' '
	}
	r := []rune(s[max(0, len(s)-4):])
	return r[len(r)-1]
}

func firstRuneString(s string) string {
	for i := range s {
		if i > 0 {
			return s[:i]
		}
	}
	return s
}

// emptySections finds top-level headings with no content before the next
// heading of the same or a higher level (or the end): nothing to read there.
// A heading whose only content is empty subsections is empty too.
func emptySections(body string) []Warning {
	blocks := parseMarkdown(body).GetChildren()
	var headings []*ast.Heading
	var empty []int // indexes in headings
	for i, node := range blocks {
		if h, ok := node.(*ast.Heading); ok {
			if !sectionHasContent(blocks[i+1:], h.Level) {
				empty = append(empty, len(headings))
			}
			headings = append(headings, h)
		}
	}
	if len(empty) == 0 {
		return nil
	}
	lines := headingLines(body, headings)
	out := make([]Warning, len(empty))
	for i, k := range empty {
		out[i] = Warning{Code: WarnEmptySection, Line: lines[k],
			Message: fmt.Sprintf("section %q has no content", headingText(headings[k]))}
	}
	return out
}

// sectionHasContent reports whether blocks, up to the next heading of level
// or higher, hold something to read or see.
func sectionHasContent(blocks []ast.Node, level int) bool {
	for _, node := range blocks {
		if h, ok := node.(*ast.Heading); ok {
			if h.Level <= level {
				return false
			}
			continue
		}
		var a aloud
		if len(a.blocks(node, nil)) > 0 || hasImage(node) {
			return true
		}
	}
	return false
}

func hasImage(node ast.Node) bool {
	found := false
	ast.WalkFunc(node, func(n ast.Node, entering bool) ast.WalkStatus {
		if _, ok := n.(*ast.Image); ok {
			found = true
			return ast.Terminate
		}
		return ast.GoToNext
	})
	return found
}

func headingText(h *ast.Heading) string {
	var a aloud
	return a.inline(h)
}

// headingLines returns the 1-based body line of each top-level heading, or 0
// where it cannot be told. The Markdown tree has no positions, so the lines
// that look like headings (outside fenced code) are parsed one by one and
// matched in order with the headings by their text.
func headingLines(body string, headings []*ast.Heading) []int {
	type candidate struct {
		line int
		text string
	}
	var candidates []candidate
	lines := strings.Split(body, "\n")
	fence := ""
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		switch {
		case len(line)-len(trimmed) < 4 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed[:3]
		case strings.HasPrefix(line, "#"):
			candidates = append(candidates, candidate{i + 1, parsedHeadingText(line)})
		case i > 0 && strings.TrimSpace(lines[i-1]) != "" && isSetextUnderline(line):
			candidates = append(candidates, candidate{i, parsedHeadingText(lines[i-1] + "\n" + line)})
		}
	}
	out := make([]int, len(headings))
	next := 0
	for i, h := range headings {
		text := headingText(h)
		for j := next; j < len(candidates); j++ {
			if candidates[j].text == text {
				out[i], next = candidates[j].line, j+1
				break
			}
		}
	}
	return out
}

func isSetextUnderline(line string) bool {
	line = strings.TrimRight(line, " \t")
	return line != "" && (strings.Trim(line, "=") == "" || strings.Trim(line, "-") == "")
}

// parsedHeadingText returns the text of the heading src parses to, if any.
func parsedHeadingText(src string) string {
	for _, node := range parseMarkdown(src + "\n").GetChildren() {
		if h, ok := node.(*ast.Heading); ok {
			return headingText(h)
		}
	}
	return "\x00"
}
