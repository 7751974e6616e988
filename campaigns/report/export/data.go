package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"loa/campaigns/report"
)

// dataHeader is the header of the long format, in the CSV and the XLSX data sheet.
var dataHeader = []string{"indicator", "unit_code", "unit_name", "group", "month", "numerator", "denominator", "value", "provenance"}

// dataRecord is one row of the long format as typed cells: a string, an int64 (a
// count), a float64 (a value, a fraction) or nil (empty). A hidden count is the
// string "<5". The CSV writes the cells as text, the data sheet as typed cells.
func dataRecord(d report.DataRow) []any {
	return []any{
		d.Indicator, d.Unit.Code, d.Unit.Name, d.Group, d.Month,
		countCell(d.Numerator), countCell(d.Denominator), fractionCell(d.Value),
		d.Provenance,
	}
}

// countCell is a count as a typed cell: empty, "<5" or the number.
func countCell(c *report.Count) any {
	switch {
	case c == nil:
		return nil
	case c.Hidden:
		return c.String()
	}
	return c.N
}

// fractionCell is a value as a typed cell: empty or the number.
func fractionCell(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// cellText writes a typed cell for the CSV: numbers in the C locale (a dot decimal,
// as many digits as needed), nil as empty.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return inert(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// inert keeps a text from being read as a formula by a spreadsheet that opens the
// CSV: one starting with =, +, -, @ or a tab gets a leading apostrophe (OWASP's
// advice against CSV injection). Counts and values are written as numbers apart.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// utf8BOM lets Excel open the CSV as UTF-8, so Vietnamese reads correctly.
const utf8BOM = "\uFEFF"

// CSV writes the report's long format (Report.Data) as RFC 4180 CSV in UTF-8 with a
// byte-order mark: the header, then one row per number; values are fractions with
// a dot decimal, empty when not measurable, and hidden counts read "<5".
func CSV(w io.Writer, r report.Report) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180 ends records with CRLF
	if err := cw.Write(dataHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	row := make([]string, len(dataHeader))
	for _, d := range r.Data {
		for i, c := range dataRecord(d) {
			row[i] = cellText(c)
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
