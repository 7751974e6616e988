package content

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"
)

// Fields are the values a message template's placeholders are filled with for
// one station and airing: {{.Commune}}, {{.District}}, {{.Station}},
// {{.Date}} and {{.Hotline}}. Only string fields and no methods, so a template
// cannot call anything on its data.
type Fields struct {
	Commune, District, Station, Date, Hotline string
}

// placeholderNames are the fields of Fields, in the order error messages list them.
var placeholderNames = []string{"Commune", "District", "Station", "Date", "Hotline"}

// TemplateError says what is wrong with a message template and on which line
// (1-based), so the editor can find it.
type TemplateError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// Limits of FillTemplate. A checked template has no loops, so it cannot run
// long and its output is the body plus one field value per placeholder; the
// limits bound what very long values (or a later, looser check) could do.
const (
	maxFilledBytes = 1 << 20
	fillTimeout    = 100 * time.Millisecond
)

var (
	errFilledTooLarge = fmt.Errorf("filled template is larger than %d bytes", maxFilledBytes)
	errFillTimeout    = fmt.Errorf("filling the template took longer than %v", fillTimeout)
)

// CheckTemplate checks body as a message template: valid text/template syntax
// where every action is exactly one of the placeholders ({{.Commune}} …, trim
// markers allowed). Anything else (another field, a function, a pipeline,
// a variable, if/range/with, template/define/block, a comment) is a
// *TemplateError naming its line. A body without actions is fine.
func CheckTemplate(body string) error {
	_, err := checkTemplate(body)
	return err
}

// checkTemplate parses and checks body and returns its tree for execution.
func checkTemplate(body string) (*parse.Tree, error) {
	tree := parse.New("body")
	// Functions are not looked up at parse time, so that a function call is
	// reported below as not allowed, with its line, instead of "not defined".
	tree.Mode = parse.SkipFuncCheck | parse.ParseComments
	trees := map[string]*parse.Tree{}
	if _, err := tree.Parse(body, "", "", trees); err != nil {
		return nil, parseError(body, err)
	}
	var first *TemplateError
	for _, node := range tree.Root.Nodes {
		if first = checkNode(body, node); first != nil {
			break
		}
	}
	// A {{define}} or {{block}} puts a named tree in the set (even one named
	// "body") and leaves only the text around it in the main tree.
	for _, name := range slices.Sorted(maps.Keys(trees)) {
		t := trees[name]
		if t == tree {
			continue
		}
		line := lineAt(body, t.Root.Position())
		if first == nil || line < first.Line {
			first = &TemplateError{Line: line,
				Message: fmt.Sprintf("{{define %q}} is not allowed: %s", name, allowedMessage())}
		}
	}
	if first != nil {
		return nil, first
	}
	return tree, nil
}

// checkNode accepts text and the placeholder actions.
func checkNode(body string, node parse.Node) *TemplateError {
	switch n := node.(type) {
	case *parse.TextNode:
		return nil
	case *parse.ActionNode:
		field, ok := placeholderField(n)
		if ok && slices.Contains(placeholderNames, field) {
			return nil
		}
		if ok {
			return &TemplateError{Line: lineAt(body, n.Position()),
				Message: fmt.Sprintf("unknown placeholder {{.%s}}; allowed: %s", field, placeholderList())}
		}
	}
	return &TemplateError{Line: lineAt(body, node.Position()),
		Message: fmt.Sprintf("%s is not allowed: %s", shorten(node.String()), allowedMessage())}
}

// placeholderField returns the field name of an action that is exactly one
// field reference on dot, such as {{.Commune}}.
func placeholderField(a *parse.ActionNode) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", false
	}
	return f.Ident[0], true
}

// Placeholders lists the placeholders a body may use, as they are written in it:
// {{.Commune}}, {{.District}}, {{.Station}}, {{.Date}}, {{.Hotline}}.
func Placeholders() []string {
	list := make([]string, len(placeholderNames))
	for i, name := range placeholderNames {
		list[i] = "{{." + name + "}}"
	}
	return list
}

func placeholderList() string {
	return strings.Join(Placeholders(), ", ")
}

func allowedMessage() string {
	return "a template may only use the placeholders " + placeholderList()
}

// shorten keeps an action short enough to quote in a message.
func shorten(s string) string {
	const limit = 60
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// lineAt returns the 1-based line of byte offset pos in body.
func lineAt(body string, pos parse.Pos) int {
	p := min(max(int(pos), 0), len(body))
	return 1 + strings.Count(body[:p], "\n")
}

// parseError turns a text/template parse error, which reads
// "template: body:3: unexpected …", into a *TemplateError for line 3. An
// unclosed action is reported where it starts, which Go's message gives as
// "unclosed action started at body:2".
func parseError(body string, err error) *TemplateError {
	msg := strings.TrimPrefix(err.Error(), "template: body:")
	line := 0
	if n, rest, ok := leadingLine(msg); ok {
		line, msg = n, strings.TrimPrefix(rest, ": ")
	}
	if before, after, ok := strings.Cut(msg, " started at body:"); ok {
		if n, rest, ok := leadingLine(after); ok && rest == "" {
			line, msg = n, before
		}
	}
	line = min(max(line, 1), 1+strings.Count(body, "\n"))
	return &TemplateError{Line: line, Message: "template syntax: " + msg}
}

// leadingLine splits s into the line number it starts with and the rest.
func leadingLine(s string) (int, string, bool) {
	end := 0
	for end < len(s) && '0' <= s[end] && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	return n, s[end:], err == nil
}

// FillTemplate fills the placeholders of body with f. It checks body again
// and executes it with no functions, on data that has no methods, stopping
// with an error when the result would exceed 1 MiB or take over 100 ms. The
// values are inserted as they are: the result is Markdown, escaped later by
// RenderHTML.
func FillTemplate(body string, f Fields) (string, error) { return fillTemplate(body, f, fillTimeout) }

// fillTemplate is FillTemplate stopping after timeout.
func fillTemplate(body string, f Fields, timeout time.Duration) (string, error) {
	tree, err := checkTemplate(body)
	if err != nil {
		return "", err
	}
	t, err := template.New(tree.Name).AddParseTree(tree.Name, tree)
	if err != nil {
		return "", fmt.Errorf("fill template: %w", err)
	}
	return within(timeout, func() (string, error) {
		out := limitedBuffer{max: maxFilledBytes}
		if err := t.Execute(&out, f); err != nil {
			if errors.Is(err, errFilledTooLarge) {
				return "", errFilledTooLarge
			}
			return "", fmt.Errorf("fill template: %w", err)
		}
		return out.String(), nil
	})
}

// within runs fill in its own goroutine and stops waiting for it after d. A
// panic in fill becomes an error.
func within(d time.Duration, fill func() (string, error)) (string, error) {
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("fill template: %v", p)}
			}
		}()
		text, err := fill()
		done <- result{text, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.text, r.err
	case <-timer.C:
		return "", errFillTimeout
	}
}

// limitedBuffer is a bytes.Buffer that refuses to grow past max bytes.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errFilledTooLarge
	}
	return b.Buffer.Write(p)
}
