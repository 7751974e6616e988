// Package importtest checks, for tests and fuzz targets, what any bulk import
// promises whatever its file: an answer the HTTP layer can map to a 4xx with a
// code, or a summary whose counts add up.
package importtest

import (
	"errors"
	"fmt"

	"loa"
)

// CheckOutcome says what is wrong with the answer of a dry-run import: a refusal
// CheckError finds wrong, or a summary that is not a dry run, whose counts do not
// add up, or whose conflicts lack a row, field or message.
func CheckOutcome(sum loa.ImportSummary, err error) error {
	if err != nil {
		return CheckError(err)
	}
	if !sum.DryRun {
		return fmt.Errorf("summary %+v of a dry run is not marked dryRun", sum)
	}
	if sum.Read != sum.Imported+sum.Updated+sum.Unchanged+sum.Ignored || sum.Read < 0 {
		return fmt.Errorf("summary counts do not add up: %+v", sum)
	}
	switch sum.Status {
	case "success", "warning", "error":
	default:
		return fmt.Errorf("summary status %q", sum.Status)
	}
	if len(sum.Conflicts) > 1000 {
		return fmt.Errorf("%d conflicts listed, more than the thousand a summary lists", len(sum.Conflicts))
	}
	for _, c := range sum.Conflicts {
		if c.Row < 2 || c.Field == "" || c.Message == "" {
			return fmt.Errorf("conflict %+v lacks a data row, a field or a message", c)
		}
	}
	return nil
}

// CheckError says what is wrong with an import's refusal: an error that is none of
// the kinds a client is told about (a 500), a limit without a code or message or
// carrying written rows (imports here are dry runs), an invalid file without
// details.
func CheckError(err error) error {
	var limit *loa.LimitError
	var invalid *loa.ValidationError
	switch {
	case errors.As(err, &limit):
		if limit.Code == "" || limit.Message == "" {
			return fmt.Errorf("limit %+v without a code or message", limit)
		}
		if s := limit.Summary; s != nil && s.Imported+s.Updated > 0 {
			return fmt.Errorf("a dry run stopped by %s says it wrote %+v", limit.Code, s)
		}
	case errors.As(err, &invalid):
		if len(invalid.Details) == 0 {
			return fmt.Errorf("invalid without details: %v", err)
		}
	case !errors.Is(err, loa.ErrUnsupportedFile):
		return fmt.Errorf("an error no client is told about (a 500): %v", err)
	}
	return nil
}
