// Package loa holds the words every package of Loa shares: the kinds of error and
// their details, the actor of a request, an audited change, calendar dates, the
// folding of Vietnamese text for search, and the summary of an import. Nothing
// here does I/O; the HTTP layer maps the errors to statuses in one table.
package loa

import (
	"errors"
	"strings"
	"time"
)

// Sentinel errors of every package; the HTTP layer maps them to statuses in one
// table.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden") // the actor may not take this step
	// ErrOutsideScope means the account may act, but not on that org unit.
	ErrOutsideScope = errors.New("outside scope")
	// ErrUnauthorized means the token is missing, wrong, expired or revoked.
	ErrUnauthorized = errors.New("sign in first: a valid bearer token is required")
	// ErrUnsupportedFile means an uploaded file is neither CSV nor XLSX.
	ErrUnsupportedFile = errors.New("unsupported file")
	// ErrNotStarted refuses a confirmation of an airing that has not started yet.
	ErrNotStarted = errors.New("not started")
	ErrTooLarge   = errors.New("too large") // an input passes a bound the service keeps
	ErrBusy       = errors.New("busy")      // no room for the work now; try again later
)

// LimitError says which bound an input passed: Code names it (too_many_columns,
// cell_too_long…) and Message, in Vietnamese, says what the bound is. An import
// stopped part-way carries the summary of what it had written. It matches
// ErrTooLarge with errors.Is.
type LimitError struct {
	Code    string
	Message string
	Summary *ImportSummary
}

func (e *LimitError) Error() string { return e.Message }

func (e *LimitError) Unwrap() error { return ErrTooLarge }

// BusyError says the work cannot start now and when to ask again. It matches
// ErrBusy with errors.Is.
type BusyError struct {
	Message    string
	RetryAfter time.Duration
}

func (e *BusyError) Error() string { return e.Message }

func (e *BusyError) Unwrap() error { return ErrBusy }

// FieldError says what is wrong with one field of the input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError carries every field-level problem found in an input. It matches
// ErrInvalid with errors.Is.
type ValidationError struct {
	Details []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Details))
	for i, d := range e.Details {
		msgs[i] = d.Field + ": " + d.Message
	}
	return "invalid input: " + strings.Join(msgs, "; ")
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid is a validation error about one field.
func Invalid(field, message string) error {
	return &ValidationError{Details: []FieldError{{Field: field, Message: message}}}
}

// Add records a problem with field.
func (e *ValidationError) Add(field, message string) {
	e.Details = append(e.Details, FieldError{Field: field, Message: message})
}

// FieldConflict is a conflict caused by one field's value, such as a code already in
// use. It matches ErrConflict with errors.Is.
type FieldConflict struct {
	Field   string
	Message string
}

func (e *FieldConflict) Error() string { return e.Message }

func (e *FieldConflict) Unwrap() error { return ErrConflict }

// Err returns the error, or nil when nothing was recorded.
func (e *ValidationError) Err() error {
	if len(e.Details) == 0 {
		return nil
	}
	return e
}
