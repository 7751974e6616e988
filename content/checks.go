package content

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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

// containsWord reports whether word occurs in s with no letter, digit or
// combining mark directly before or after it.
func containsWord(s, word string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(word)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		from = start + size
	}
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// emptySections finds top-level headings with no content before the next
// heading of the same or a higher level (or the end): nothing to read there.
// A heading whose only content is empty subsections is empty too.
func emptySections(body string) []Warning {
	type open struct {
		index   int // in headings
		level   int
		content bool
	}
	var headings []*ast.Heading
	var stack []open // levels strictly increasing, so at most six
	var empty []int
	closeTo := func(level int) {
		for len(stack) > 0 && stack[len(stack)-1].level >= level {
			if top := stack[len(stack)-1]; !top.content {
				empty = append(empty, top.index)
			}
			stack = stack[:len(stack)-1]
		}
	}
	for _, node := range parseMarkdown(body).GetChildren() {
		if h, ok := node.(*ast.Heading); ok {
			closeTo(h.Level)
			stack = append(stack, open{index: len(headings), level: h.Level})
			headings = append(headings, h)
			continue
		}
		if len(stack) > 0 && !stack[len(stack)-1].content && hasContent(node) {
			for i := range stack {
				stack[i].content = true
			}
		}
	}
	closeTo(0)
	if len(empty) == 0 {
		return nil
	}
	slices.Sort(empty)
	lines := headingLines(body, headings)
	out := make([]Warning, len(empty))
	for i, k := range empty {
		out[i] = Warning{Code: WarnEmptySection, Line: lines[k],
			Message: fmt.Sprintf("section %q has no content", headingText(headings[k]))}
	}
	return out
}

// hasContent reports whether a block holds something to read or see.
func hasContent(node ast.Node) bool {
	var a aloud
	return len(a.blocks(node, nil)) > 0 || hasImage(node)
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
