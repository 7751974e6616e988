package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa/campaigns"
)

const (
	maxJSONBody   = 1 << 20  // 1 MiB
	maxUploadBody = 20 << 20 // 20 MiB, for CSV imports
)

// decodeJSON reads the request body into dst: JSON only, at most 1 MiB, no unknown
// fields, nothing after the value.
func decodeJSON(c *gin.Context, dst any) error {
	if mt := mediaType(c); mt != "application/json" {
		return unsupportedType(fmt.Sprintf("send JSON with Content-Type: application/json (got %q)", mt))
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			err = errors.Join(errors.New("unexpected data after the JSON value"), next)
		}
	}
	if err == nil {
		return nil
	}
	var maxBytes *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxBytes):
		return tooLarge(fmt.Sprintf("the body is larger than %d bytes", maxJSONBody))
	case errors.As(err, &typeErr):
		field := cmp.Or(typeErr.Field, "body")
		return badRequest(field, fmt.Sprintf("%s must be %s, not %s", field, jsonKind(typeErr.Type), typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest(field, fmt.Sprintf("unknown field %q", field))
	default:
		msg := strings.SplitN(err.Error(), "\n", 2)[0]
		return badRequest("body", "malformed JSON: "+strings.TrimPrefix(msg, "json: "))
	}
}

// readUpload returns an uploaded file: the raw body (text/csv, application/csv or
// text/plain) or the part "file" of a multipart form, at most 20 MiB.
func readUpload(c *gin.Context) ([]byte, error) {
	tooBig := tooLarge(fmt.Sprintf("the file is larger than %d bytes", maxUploadBody))
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
	var body io.Reader = c.Request.Body
	switch mt := mediaType(c); mt {
	case "text/csv", "application/csv", "text/plain":
	case "multipart/form-data":
		f, _, err := c.Request.FormFile("file")
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooBig
		}
		if err != nil {
			return nil, badRequest("file", "send the file in the form field \"file\"")
		}
		defer f.Close()
		body = f
	default:
		return nil, unsupportedType(fmt.Sprintf("send a CSV file as text/csv or multipart/form-data (got %q)", mt))
	}
	data, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooBig
	}
	if err != nil {
		return nil, badRequest("file", "could not read the upload: "+err.Error())
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil
}

func tooLarge(message string) *requestError {
	return &requestError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: message,
		details: []campaigns.FieldError{{Field: "body", Message: message}}}
}

func unsupportedType(message string) *requestError {
	return &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: message,
		details: []campaigns.FieldError{{Field: "Content-Type", Message: message}}}
}

// jsonKind names a Go type the way a JSON author thinks of it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		if t == reflect.TypeFor[time.Time]() {
			return "an RFC 3339 time"
		}
		return "an object"
	}
}

func mediaType(c *gin.Context) string {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	return mt
}

// boolQuery reads an optional true/false query parameter.
func boolQuery(c *gin.Context, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest(name, fmt.Sprintf("%s must be true or false", name))
	}
	return b, nil
}

// intQuery reads an optional whole-number query parameter within [lo, hi].
func intQuery(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, fmt.Sprintf("%s must be a whole number from %d to %d", name, lo, hi))
	}
	return n, nil
}
