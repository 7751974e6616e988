package content

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// warned is a warning reduced to what the tests compare: code and line.
type warned struct {
	Code string
	Line int
}

func warnings(ws []Warning) []warned {
	out := []warned{}
	for _, w := range ws {
		out = append(out, warned{w.Code, w.Line})
	}
	return out
}

func TestCheckContent(t *testing.T) {
	groups := []string{"students"}
	tests := []struct {
		name string
		in   CheckInput
		want []warned
	}{
		{"clean", CheckInput{Kind: "article", Body: "# Tin\n\nNội dung.", Groups: groups}, nil},
		{"no group", CheckInput{Kind: "article", Body: "Nội dung."}, []warned{{WarnNoGroup, 0}}},
		{"blank group only", CheckInput{Kind: "article", Body: "Nội dung.", Groups: []string{" "}}, []warned{{WarnNoGroup, 0}}},

		{"radio script over its slot", CheckInput{Kind: "radio_script", Body: strings.Repeat("tiếng ", 161), Groups: groups, SlotSeconds: 60}, []warned{{WarnOverSlot, 0}}},
		{"radio script fills its slot exactly", CheckInput{Kind: "radio_script", Body: strings.Repeat("tiếng ", 160), Groups: groups, SlotSeconds: 60}, nil},
		{"tv script over its slot", CheckInput{Kind: "tv_script", Body: strings.Repeat("tiếng ", 50), Groups: groups, SlotSeconds: 10}, []warned{{WarnOverSlot, 0}}},
		{"configured rate", CheckInput{Kind: "radio_script", Body: strings.Repeat("tiếng ", 100), Groups: groups, SlotSeconds: 60, SyllablesPerMinute: 90}, []warned{{WarnOverSlot, 0}}},
		{"markdown symbols are not read", CheckInput{Kind: "radio_script", Body: "# a\n\n- b\n- c\n\n| d | e |\n|---|---|\n| f | g |", Groups: groups, SlotSeconds: 3}, nil},
		{"article has no slot check", CheckInput{Kind: "article", Body: strings.Repeat("tiếng ", 500), Groups: groups, SlotSeconds: 10}, nil},
		{"script without slot", CheckInput{Kind: "radio_script", Body: strings.Repeat("tiếng ", 500), Groups: groups}, nil},

		{"empty section before same level", CheckInput{Body: "# Tin\n\n## Mở đầu\n\n## Nội dung\n\nCó chữ.", Groups: groups}, []warned{{WarnEmptySection, 3}}},
		{"empty section at the end", CheckInput{Body: "## Một\n\nCó chữ.\n\n## Hai\n", Groups: groups}, []warned{{WarnEmptySection, 5}}},
		{"subsection content fills the section", CheckInput{Body: "## Một\n### Một một\nCó chữ.\n## Hai\nCó.", Groups: groups}, nil},
		{"section of empty subsections", CheckInput{Body: "## Một\n\n### Một một\n\n## Hai\n\nCó.", Groups: groups}, []warned{{WarnEmptySection, 1}, {WarnEmptySection, 3}}},
		{"higher heading ends the section", CheckInput{Body: "### Ba\n\n# Một\n\nCó.", Groups: groups}, []warned{{WarnEmptySection, 1}}},
		{"only a rule is empty", CheckInput{Body: "## Một\n\n---\n\n## Hai\n\nCó.", Groups: groups}, []warned{{WarnEmptySection, 1}}},
		{"an image is content", CheckInput{Body: "## Một\n\n![áp phích](https://x.vn/a.png)\n\n## Hai\n\nCó.", Groups: groups}, nil},
		{"a table is content", CheckInput{Body: "## Một\n\n| a |\n|---|\n| b |\n\n## Hai\n\nCó.", Groups: groups}, nil},
		{"setext headings", CheckInput{Body: "Một\n---\n\nHai\n---\n\nCó chữ.", Groups: groups}, []warned{{WarnEmptySection, 1}}},
		{"heading line found past code and look-alikes", CheckInput{
			Body:   "Mở đầu\n\n```\n## Hai\n```\n\nXem phần Hai bên dưới.\n\n## Một\nCó.\n\n## Hai\n",
			Groups: groups}, []warned{{WarnEmptySection, 12}}},
		{"same title twice", CheckInput{Body: "## A\n\nCó.\n\n## A\n\n## B\n\nCó.", Groups: groups}, []warned{{WarnEmptySection, 5}}},

		{"discouraged term", CheckInput{Body: "Dòng một.\nKhông kỳ thị gái mại dâm.", Groups: groups}, []warned{{WarnDiscouragedTerm, 2}}},
		{"term in upper case and decomposed", CheckInput{Body: norm.NFD.String("GÁI MẠI DÂM"), Groups: groups}, []warned{{WarnDiscouragedTerm, 1}}},
		{"term across emphasis and spaces", CheckInput{Body: "**gái**   mại _dâm_", Groups: groups}, []warned{{WarnDiscouragedTerm, 1}}},
		{"term at word boundaries only", CheckInput{Body: "Caves, cavern, macave và cave-in.", Groups: groups}, []warned{{WarnDiscouragedTerm, 1}}},
		{"term inside a longer word is not flagged", CheckInput{Body: "Hang động caves và cavet.", Groups: groups}, nil},
		{"term next to punctuation", CheckInput{Body: "(cave), «con nghiện»!", Groups: groups}, []warned{{WarnDiscouragedTerm, 1}, {WarnDiscouragedTerm, 1}}},
		{"one warning per term and line", CheckInput{Body: "cave cave cave\ncave", Groups: groups}, []warned{{WarnDiscouragedTerm, 1}, {WarnDiscouragedTerm, 2}}},
		{"respectful wording is fine", CheckInput{Body: "Hỗ trợ người bán dâm và người sống chung với HIV.", Groups: groups}, nil},
		{"terms broken over lines are not matched", CheckInput{Body: "gái\nmại dâm", Groups: groups}, nil},

		{"everything, metadata first then by line", CheckInput{Kind: "radio_script", Body: "## Mở đầu\n\n## Nội dung\n\nKhông kỳ thị con nghiện, " + strings.Repeat("tiếng ", 20),
			SlotSeconds: 1}, []warned{{WarnNoGroup, 0}, {WarnOverSlot, 0}, {WarnEmptySection, 1}, {WarnDiscouragedTerm, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := warnings(CheckContent(tt.in, DefaultTerms))
			want := tt.want
			if want == nil {
				want = []warned{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("CheckContent(%+v) = %v, want %v", tt.in, got, want)
			}
		})
	}
}

func TestCheckContentMessages(t *testing.T) {
	// 209 words at 160 a minute: 78.4 s.
	in := CheckInput{Kind: "radio_script", Body: "## Mở đầu\n\n## Nội dung\n\nKhông kỳ thị gái điếm " + strings.Repeat("tiếng ", 200), SlotSeconds: 30}
	got := CheckContent(in, DefaultTerms)
	var all []string
	for _, w := range got {
		all = append(all, w.Message)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"no target group",
		"reading takes about 79 s, longer than the 30 s slot",
		`section "Mở đầu" has no content`,
		`discouraged term "gái điếm"; suggested wording: "người bán dâm"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("CheckContent messages:\n%s\nwant one containing %q", text, want)
		}
	}
}

func TestCheckContentTerms(t *testing.T) {
	body := "Không dùng từ ngữ miệt thị."
	if got := CheckContent(CheckInput{Body: body + " cave", Groups: []string{"students"}}, nil); len(got) != 0 {
		t.Errorf("CheckContent with no terms = %v, want none", got)
	}
	custom := []Term{{Term: "Miệt Thị", Suggestion: "tôn trọng"}}
	got := CheckContent(CheckInput{Body: body, Groups: []string{"students"}}, custom)
	if len(got) != 1 || got[0].Code != WarnDiscouragedTerm || !strings.Contains(got[0].Message, "tôn trọng") {
		t.Errorf("CheckContent with a custom term = %v, want one discouraged_term suggesting %q", got, "tôn trọng")
	}
}

// TestCheckDefaultTerms keeps the seed list usable: NFC, not empty, no
// duplicate, and no suggestion that is itself discouraged.
func TestCheckDefaultTerms(t *testing.T) {
	if n := len(DefaultTerms); n < 8 || n > 16 {
		t.Errorf("DefaultTerms has %d entries, want a short list", n)
	}
	seen := map[string]bool{}
	for _, term := range DefaultTerms {
		key := matchForm(term.Term)
		switch {
		case term.Term == "" || term.Suggestion == "":
			t.Errorf("DefaultTerms entry %+v is incomplete", term)
		case !norm.NFC.IsNormalString(term.Term) || !norm.NFC.IsNormalString(term.Suggestion):
			t.Errorf("DefaultTerms entry %+v is not NFC", term)
		case seen[key]:
			t.Errorf("DefaultTerms lists %q twice", term.Term)
		}
		seen[key] = true
		if w := discouragedTerms(term.Suggestion, DefaultTerms); len(w) > 0 {
			t.Errorf("suggestion %q is itself discouraged: %v", term.Suggestion, w)
		}
	}
}

func TestCheckWarningJSON(t *testing.T) {
	tests := []struct {
		w    Warning
		want string
	}{
		{Warning{Code: WarnNoGroup, Message: "m"}, `{"code":"no_group","message":"m"}`},
		{Warning{Code: WarnEmptySection, Message: "m", Line: 3}, `{"code":"empty_section","message":"m","line":3}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.w)
		if err != nil || string(b) != tt.want {
			t.Errorf("json.Marshal(%+v) = %s, %v, want %s", tt.w, b, err, tt.want)
		}
	}
}

func ExampleCheckContent() {
	in := CheckInput{Kind: "radio_script", Body: "# Bản tin\n\n## Lời dẫn\n\nGiúp đỡ con nghiện tái hòa nhập.", Groups: []string{"general_public"}}
	for _, w := range CheckContent(in, DefaultTerms) {
		fmt.Println(w.Line, w.Code, w.Message)
	}
	// Output:
	// 5 discouraged_term discouraged term "con nghiện"; suggested wording: "người sử dụng ma túy"
}
