package content

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// ReadTerms reads a deployment's list of discouraged terms: CSV rows of term and
// suggested wording, an optional header "term,suggestion" first.
func ReadTerms(r io.Reader) ([]Term, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	var out []Term
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("terms: %w", err)
		}
		term, suggestion := strings.TrimSpace(norm.NFC.String(rec[0])), strings.TrimSpace(norm.NFC.String(rec[1]))
		if line == 1 && strings.EqualFold(term, "term") {
			continue
		}
		if term == "" || suggestion == "" {
			return nil, fmt.Errorf("terms: line %d needs a term and a suggested wording", line)
		}
		out = append(out, Term{Term: term, Suggestion: suggestion})
	}
	if len(out) == 0 {
		return nil, errors.New("terms: the file lists no term")
	}
	return out, nil
}
