package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

const (
	maxJSONBody   = 1 << 20  // 1 MiB
	maxUploadBody = 20 << 20 // 20 MiB, for CSV imports
)

// decodeJSON reads the request body into dst: JSON only, at most 1 MiB, no unknown
// fields, nothing after the value.
func decodeJSON(c *gin.Context, dst any) error {
	if mt := mediaType(c); mt != "application/json" {
		return &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			message: fmt.Sprintf("send JSON with Content-Type: application/json (got %q)", mt)}
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
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return &requestError{status: http.StatusRequestEntityTooLarge, code: "too_large",
			message: fmt.Sprintf("the body is larger than %d bytes", maxJSONBody)}
	case errors.As(err, &typeErr):
		return badRequest(typeErr.Field, fmt.Sprintf("%s must be a JSON %s", typeErr.Field, typeErr.Type))
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
	tooLarge := &requestError{status: http.StatusRequestEntityTooLarge, code: "too_large",
		message: fmt.Sprintf("the file is larger than %d bytes", maxUploadBody)}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
	var body io.Reader = c.Request.Body
	switch mt := mediaType(c); mt {
	case "text/csv", "application/csv", "text/plain":
	case "multipart/form-data":
		f, _, err := c.Request.FormFile("file")
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		if err != nil {
			return nil, badRequest("file", "send the file in the form field \"file\"")
		}
		defer f.Close()
		body = f
	default:
		return nil, &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			message: fmt.Sprintf("send a CSV file as text/csv or multipart/form-data (got %q)", mt)}
	}
	data, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, badRequest("file", "could not read the upload: "+err.Error())
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil
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
