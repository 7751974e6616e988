package campaigns

import (
	"errors"
	"strings"
)

// Sentinel errors of every domain package; the HTTP layer maps them to statuses in
// one table.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden") // the actor may not take this step
)

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
