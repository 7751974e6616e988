package content

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckTemplate(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantLine int    // 0: the body is a valid template
		wantMsg  string // part of the message
	}{
		{"no placeholders", "# Bản tin\n\nKính thưa bà con.", 0, ""},
		{"empty", "", 0, ""},
		{"all placeholders", "{{.Commune}} {{.District}} {{.Station}} {{.Date}} {{.Hotline}}", 0, ""},
		{"trim markers and spaces", "Xã {{- .Commune -}} ,\n{{ .Date }}", 0, ""},
		{"braces that are not actions", "Dùng { và } hoặc {.Commune}", 0, ""},
		{"unknown field", "Dòng một\nDòng hai\nThôn {{.Village}}", 3, "unknown placeholder {{.Village}}; allowed: {{.Commune}}, {{.District}}, {{.Station}}, {{.Date}}, {{.Hotline}}"},
		{"field in wrong case", "{{.commune}}", 1, "unknown placeholder {{.commune}}"},
		{"function call", "a\n{{printf \"%s\" .Commune}}", 2, "not allowed"},
		{"pipeline", "\n\n\n{{.Commune | printf \"%q\"}}", 4, "not allowed"},
		{"function on its own", "{{html}}", 1, "not allowed"},
		{"range", "a\n{{range .Commune}}x{{end}}", 2, "not allowed"},
		{"if", "{{if .Commune}}x{{end}}", 1, "not allowed"},
		{"with", "a\nb\n{{with .Date}}{{.}}{{end}}", 3, "not allowed"},
		{"variable", "{{$x := .Commune}}{{$x}}", 1, "not allowed"},
		{"variable use", "{{$}}", 1, "not allowed"},
		{"dot", "{{.}}", 1, "not allowed"},
		{"nested field", "a\n{{.Commune.Foo}}", 2, "{{.Commune.Foo}} is not allowed"},
		{"method-like call", "{{.Commune.Len}}", 1, "not allowed"},
		{"constant", "{{\"chữ\"}}", 1, "not allowed"},
		{"template call", "a\n\n{{template \"x\"}}", 3, "not allowed"},
		{"define", "a\n{{define \"x\"}}y{{end}}", 2, "define \"x\""},
		{"define named body", "{{define \"body\"}}y{{end}}", 1, "define \"body\""},
		{"block", "a\n{{block \"x\" .}}y{{end}}", 2, "not allowed"},
		{"comment", "{{/* ghi chú */}}", 1, "not allowed"},
		{"first problem reported", "{{.Commune}}\n{{.Bad}}\n{{define \"x\"}}{{end}}", 2, "{{.Bad}}"},
		{"unclosed action", "Dòng một\nXã {{.Commune\nDòng ba", 2, "unclosed action"},
		{"unexpected end", "a\n{{end}}", 2, "unexpected {{end}}"},
		{"empty action", "a\n\n{{}}", 3, "missing value"},
		{"unterminated string", "{{\"abc}}", 1, "unterminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTemplate(tt.body)
			if tt.wantLine == 0 {
				if err != nil {
					t.Errorf("CheckTemplate(%q) = %v, want nil", tt.body, err)
				}
				return
			}
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("CheckTemplate(%q) = %v (%T), want a *TemplateError", tt.body, err, err)
			}
			if te.Line != tt.wantLine || !strings.Contains(te.Message, tt.wantMsg) {
				t.Errorf("CheckTemplate(%q) = line %d %q, want line %d containing %q", tt.body, te.Line, te.Message, tt.wantLine, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("CheckTemplate(%q).Error() = %q, want it to start with the line", tt.body, err)
			}
		})
	}
}

func TestFillTemplate(t *testing.T) {
	f := Fields{Commune: "xã Tam Thanh", District: "thành phố Tam Kỳ", Station: "Đài truyền thanh xã Tam Thanh",
		Date: "15/03/2024", Hotline: "111"}
	tests := []struct {
		name string
		body string
		f    Fields
		want string
	}{
		{"all fields", "{{.Station}} – {{.Commune}}, {{.District}}, ngày {{.Date}}. Gọi {{.Hotline}}.", f,
			"Đài truyền thanh xã Tam Thanh – xã Tam Thanh, thành phố Tam Kỳ, ngày 15/03/2024. Gọi 111."},
		{"no placeholders", "# Tin\n\nNội dung.", f, "# Tin\n\nNội dung."},
		{"trim markers", "Xã\n{{- .Hotline -}}\n!", f, "Xã111!"},
		{"repeated", "{{.Hotline}} {{.Hotline}}", f, "111 111"},
		{"empty fields", "[{{.Commune}}]", Fields{}, "[]"},
		{"values inserted verbatim", "{{.Commune}}", Fields{Commune: "<b>x</b> & {{.Date}} *y*"}, "<b>x</b> & {{.Date}} *y*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FillTemplate(tt.body, tt.f)
			if err != nil || got != tt.want {
				t.Errorf("FillTemplate(%q, %+v) = %q, %v, want %q", tt.body, tt.f, got, err, tt.want)
			}
		})
	}
}

func TestFillTemplateRefuses(t *testing.T) {
	big := strings.Repeat("x", 100<<10)
	tests := []struct {
		name    string
		body    string
		f       Fields
		wantErr error // nil: any *TemplateError
	}{
		{"unknown placeholder", "{{.Village}}", Fields{}, nil},
		{"function", "{{printf \"%v\" .Commune}}", Fields{}, nil},
		{"loop", "{{range .Commune}}{{end}}", Fields{}, nil},
		{"output over the limit", strings.Repeat("{{.Commune}}", 11), Fields{Commune: big}, errFilledTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A deadline far away: on a loaded machine the size check, not the
			// clock, must stop the output over the limit.
			got, err := fillTemplate(tt.body, tt.f, time.Minute)
			var te *TemplateError
			switch {
			case tt.wantErr == nil && !errors.As(err, &te):
				t.Errorf("FillTemplate(%q) = %.20q, %v, want a *TemplateError", tt.body, got, err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("FillTemplate(%q) = %.20q, %v, want %v", tt.body, got, err, tt.wantErr)
			case got != "":
				t.Errorf("FillTemplate(%q) returned %d bytes with an error", tt.body, len(got))
			}
		})
	}
}

// TestFillTemplateAtTheLimit checks the size limit alone: the fill may take as
// long as a busy machine needs (the deadline has its own test below).
func TestFillTemplateAtTheLimit(t *testing.T) {
	body := "{{.Commune}}{{.District}}"
	f := Fields{Commune: strings.Repeat("x", maxFilledBytes-1), District: "y"}
	got, err := fillTemplate(body, f, time.Minute)
	if err != nil || len(got) != maxFilledBytes {
		t.Errorf("FillTemplate of exactly %d bytes = %d bytes, %v, want it filled", maxFilledBytes, len(got), err)
	}
	f.District = "yz"
	if _, err := fillTemplate(body, f, time.Minute); !errors.Is(err, errFilledTooLarge) {
		t.Errorf("FillTemplate of %d bytes: %v, want %v", maxFilledBytes+1, err, errFilledTooLarge)
	}
}

func TestFillTemplateDeadline(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	if _, err := within(10*time.Millisecond, func() (string, error) {
		<-release
		return "late", nil
	}); !errors.Is(err, errFillTimeout) {
		t.Errorf("within(10ms) of a fill that hangs = %v, want %v", err, errFillTimeout)
	}
	if _, err := within(time.Second, func() (string, error) { panic("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("within of a fill that panics = %v, want the panic as an error", err)
	}
	if got, err := within(time.Second, func() (string, error) { return "ok", nil }); got != "ok" || err != nil {
		t.Errorf("within of a quick fill = %q, %v, want ok", got, err)
	}
}

// FuzzCheckTemplate: checking never panics, errors name a line of the body,
// and whatever passes the check fills.
func FuzzCheckTemplate(f *testing.F) {
	for _, seed := range []string{"", "Xã {{.Commune}}", "{{.Village}}", "{{printf \"%s\" 1}}", "a\n{{define \"x\"}}{{end}}",
		"{{- .Date -}}", "{{.Commune", "{{/* c */}}", "{{range .}}{{break}}{{end}}", "{{block \"b\" .}}x{{end}}"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		err := CheckTemplate(body)
		var te *TemplateError
		if err != nil && (!errors.As(err, &te) || te.Line < 1 || te.Line > 1+strings.Count(body, "\n")) {
			t.Fatalf("CheckTemplate(%q) = %v, want a *TemplateError naming a line of the body", body, err)
		}
		if err == nil {
			got, err := FillTemplate(body, Fields{Commune: "xã Tam Thanh"})
			if err != nil && !errors.Is(err, errFilledTooLarge) {
				t.Fatalf("FillTemplate(%q) of a checked template = %v", body, err)
			}
			if len(got) > maxFilledBytes {
				t.Fatalf("FillTemplate of %d bytes = %d bytes, over the bound %d", len(body), len(got), maxFilledBytes)
			}
		}
	})
}
