package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"loa"
)

const (
	maxJSONBody   = 1 << 20  // 1 MiB
	maxUploadBody = 20 << 20 // 20 MiB, for files
	// multipartSlack is room for a multipart form's headers around a file.
	multipartSlack = 64 << 10
)

// decodeJSON reads the request body into dst: JSON only, at most 1 MiB, no unknown
// fields, nothing after the value.
func decodeJSON(c *gin.Context, dst any) error {
	if mt := mediaType(c); mt != "application/json" {
		return unsupportedType(fmt.Sprintf("send JSON with Content-Type: application/json (got %q)", mt))
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return tooLarge(fmt.Sprintf("the body is larger than %d bytes", maxJSONBody))
	}
	if err != nil {
		return badRequest("body", "could not read the body: "+err.Error())
	}
	if !utf8.Valid(data) {
		return badRequest("body", "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			err = errors.Join(errors.New("unexpected data after the JSON value"), next)
		}
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
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

// upload says which files a route takes.
type upload struct {
	// types are the media types accepted as a raw body; "audio/*" accepts a family.
	types []string
	// describe tells the client what to send.
	describe string
}

var (
	csvUpload        = upload{[]string{"text/csv", "application/csv", "text/plain"}, "a CSV file as text/csv"}
	attachmentUpload = upload{[]string{"audio/*", "image/*", "application/octet-stream"}, "a recording or an image (audio/*, image/*)"}
)

func (u upload) accepts(mt string) bool {
	return slices.ContainsFunc(u.types, func(t string) bool {
		family, ok := strings.CutSuffix(t, "*")
		return t == mt || (ok && strings.HasPrefix(mt, family))
	})
}

// readUpload returns an uploaded file and its name (see openUpload); at most 20 MiB.
func readUpload(c *gin.Context, u upload) ([]byte, string, error) {
	body, name, err := openUpload(c, u, maxUploadBody)
	if err != nil {
		return nil, "", err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, "", err
	}
	return data, name, nil
}

// AllowImport lets an import's request (of the API or a page) run for the import's
// time limit: the server's read and write timeouts (2 minutes) would otherwise cut
// a long upload, or the answer of a long import, while the import goes on.
func AllowImport(c *gin.Context, limit time.Duration) {
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(limit))                // not supported by test recorders
	_ = rc.SetWriteDeadline(time.Now().Add(limit + time.Minute)) // the same
}

// openUpload returns an uploaded file as a stream and its name: the raw body of an
// accepted type, or the part "file" of a multipart form, read as it arrives (the
// form is never held whole). Reading past max bytes fails with a 413 too_large.
func openUpload(c *gin.Context, u upload, max int64) (io.Reader, string, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max+multipartSlack)
	switch mt := mediaType(c); {
	case u.accepts(mt):
		return &uploadReader{r: c.Request.Body, max: max, left: max}, "", nil
	case mt == "multipart/form-data":
		form, err := c.Request.MultipartReader()
		for err == nil {
			var part *multipart.Part
			if part, err = form.NextPart(); err == nil && part.FormName() == "file" {
				return &uploadReader{r: part, max: max, left: max}, part.FileName(), nil
			}
		}
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, "", tooLargeUpload(max)
		}
		return nil, "", badRequest("file", "send the file in the form field \"file\"")
	default:
		return nil, "", unsupportedType(fmt.Sprintf("send %s or multipart/form-data (got %q)", u.describe, mt))
	}
}

// uploadReader reads an upload, failing with a 413 past its size and a 400 when the
// client's body cannot be read.
type uploadReader struct {
	r         io.Reader
	max, left int64
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if u.left -= int64(n); u.left < 0 || errors.As(err, new(*http.MaxBytesError)) {
		return 0, tooLargeUpload(u.max)
	}
	if err != nil && err != io.EOF {
		return n, badRequest("file", "could not read the upload: "+err.Error())
	}
	return n, err
}

// tooLargeUpload refuses a file of more than max bytes, naming the limit.
func tooLargeUpload(max int64) *requestError {
	return tooLarge(fmt.Sprintf("Tệp lớn hơn giới hạn %d MiB (%d byte).", max>>20, max))
}

func tooLarge(message string) *requestError {
	return &requestError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: message,
		details: []loa.FieldError{{Field: "body", Message: message}}}
}

func unsupportedType(message string) *requestError {
	return &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: message,
		details: []loa.FieldError{{Field: "Content-Type", Message: message}}}
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

// optionalBool reads a true/false query parameter that may be absent (nil).
func optionalBool(c *gin.Context, name string) (*bool, error) {
	if c.Query(name) == "" {
		return nil, nil
	}
	b, err := boolQuery(c, name)
	return &b, err
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

// dateQuery reads an optional date query parameter of the form YYYY-MM-DD.
func dateQuery(c *gin.Context, name string) (loa.Date, error) {
	v := c.Query(name)
	if v == "" {
		return "", nil
	}
	d, err := loa.ParseDate(v)
	if err != nil {
		return "", badRequest(name, fmt.Sprintf("%s must be a date of the form YYYY-MM-DD", name))
	}
	return d, nil
}
