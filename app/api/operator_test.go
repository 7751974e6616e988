package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loa/app/access"
	"loa/app/api"
)

// TestOperatorLinks: a planner gives each phone of a station's operator its own
// link, shown once; the link reads the station's feed through its cookie (a POST
// needs the CSRF token), survives the rotation of the station's token, and stops at
// once when revoked.
func TestOperatorLinks(t *testing.T) {
	s := newFeedScene(t, 0)
	w := s.window(0, 2)

	var link struct{ ID, Kind, Name, Secret, Path, ExpiresAt string }
	rec := s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":"Điện thoại anh Ba"}`)
	s.decode(rec, http.StatusCreated, &link)
	expires, err := time.Parse(time.RFC3339, link.ExpiresAt)
	if link.Kind != "operator" || link.Secret == "" || link.Path != "/o/"+link.Secret || err != nil ||
		expires.Before(time.Now().Add(365*24*time.Hour)) || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("created %+v (Cache-Control %q), want an operator link for a year, shown once", link, rec.Header().Get("Cache-Control"))
	}
	var second struct{ Secret string }
	s.decode(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":"Điện thoại chị Tư"}`), http.StatusCreated, &second)

	// Refusals write nothing.
	before := s.snapshot()
	s.wantError(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":" "}`), http.StatusBadRequest, "invalid", "name")
	s.wantError(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":"x","expiresAt":"2020-01-01T00:00:00Z"}`),
		http.StatusBadRequest, "invalid", "expiresAt")
	s.wantError(s.plan("POST", "/api/v1/stations/KHONG-CO/operator-link", `{"name":"x"}`), http.StatusNotFound, "not_found", "")
	s.wantError(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":"x","expiresAt":"`+time.Now().AddDate(0, 0, 400).Format(time.RFC3339)+`"}`),
		http.StatusBadRequest, "invalid", "expiresAt")
	s.unchangedSince(before)

	// Its cookie reads the station's feed; a POST without the CSRF token is refused.
	cookie := func(method, path, body, csrf string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.AddCookie(&http.Cookie{Name: api.OperatorCookie, Value: link.Secret})
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return s.send(req)
	}
	var f stationFeed
	s.decode(cookie("GET", "/api/v1/station/schedule?"+w, "", ""), http.StatusOK, &f)
	if f.Station.Code != "DT-TK" || len(f.Items) != 2 {
		t.Fatalf("the operator's feed: %+v, %d items", f.Station, len(f.Items))
	}
	s.wantError(cookie("POST", "/api/v1/station/confirmations", "[]", ""), http.StatusForbidden, "csrf", "")
	s.decode(cookie("POST", "/api/v1/station/confirmations", "[]", access.CSRFToken(link.Secret)), http.StatusOK, nil)
	// Nothing else opens with it.
	for _, path := range []string{"/api/v1/me", "/api/v1/stations/DT-TK"} {
		s.wantError(s.call("GET", path, "", "", link.Secret), http.StatusForbidden, "forbidden", "")
	}

	// Rotating the station's token keeps the links.
	s.decode(s.plan("POST", "/api/v1/stations/DT-TK/token", ""), http.StatusCreated, nil)
	var list struct {
		Items []struct{ ID, Name, Kind string }
		Total int
	}
	s.decode(s.plan("GET", "/api/v1/stations/DT-TK/operator-links", ""), http.StatusOK, &list)
	if list.Total != 2 || list.Items[0].ID != link.ID || list.Items[0].Name != "Điện thoại anh Ba" {
		t.Fatalf("links after the token's rotation: %+v", list)
	}
	s.decode(cookie("GET", "/api/v1/station/schedule?"+w, "", ""), http.StatusOK, nil)

	// Revoked: the phone is out at once, the other phone stays in.
	if rec := s.plan("DELETE", "/api/v1/stations/DT-TK/operator-links/"+link.ID, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	s.wantError(cookie("GET", "/api/v1/station/schedule?"+w, "", ""), http.StatusUnauthorized, "unauthorized", "")
	s.decode(s.pull(second.Secret, w), http.StatusOK, nil)
	s.wantError(s.plan("DELETE", "/api/v1/stations/DT-TK/operator-links/"+link.ID, ""), http.StatusNotFound, "not_found", "")
	s.decode(s.plan("GET", "/api/v1/stations/DT-TK/operator-links", ""), http.StatusOK, &list)
	if list.Total != 1 {
		t.Errorf("links after revoking one: %+v", list)
	}

	// A station has at most 20 links, and an inactive one gets none; nothing is written.
	for i := range 19 {
		s.decode(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", fmt.Sprintf(`{"name":"Máy %d"}`, i)), http.StatusCreated, nil)
	}
	before = s.snapshot()
	s.wantError(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":"Máy thứ 21"}`), http.StatusConflict, "conflict", "")
	s.unchangedSince(before)
	s.decode(s.plan("DELETE", "/api/v1/stations/DT-TK/operator-links/"+list.Items[0].ID, ""), http.StatusNoContent, nil)
	s.decode(s.plan("PUT", "/api/v1/stations/DT-TK", strings.Replace(stationJSON("DT-TK", "502", "district_station"),
		`"languages"`, `"active":false,"languages"`, 1)), http.StatusOK, nil)
	before = s.snapshot()
	s.wantError(s.plan("POST", "/api/v1/stations/DT-TK/operator-link", `{"name":"Máy của đài ngừng"}`), http.StatusConflict, "conflict", "")
	s.unchangedSince(before)
}
