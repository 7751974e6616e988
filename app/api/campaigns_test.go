package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const campaignJSON = `{
  "code": "PCMBN-2025",
  "title": "Kế hoạch phòng, chống mua bán người 2025",
  "period": {"start": "2025-01-01", "end": "2025-12-31"},
  "legalBasis": "Kế hoạch số 1/KH-UBND",
  "ownerAgency": "UBND tỉnh Quảng Nam",
  "secretariat": "Công an tỉnh",
  "description": "# Mục đích\n\nTuyên truyền.",
  "indicators": [
    {"code": "communes", "title": "Xã có tuyên truyền", "rule": "orgunit_activity", "level": "commune", "comparator": "gt", "threshold": 0.7, "source": "Trên 70% số xã"},
    {"code": "students", "title": "Học sinh", "rule": "coverage", "group": "students", "comparator": "gte", "threshold": 0.5, "source": "50% học sinh"},
    {"code": "press", "title": "Báo chí", "rule": "monthly_frequency", "channel": "provincial_press", "comparator": "gte", "threshold": 1, "source": "mỗi tháng"}
  ]
}`

// withCampaign returns campaignJSON with one change applied to its decoded form.
func withCampaign(t *testing.T, change func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(campaignJSON), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func indicator(m map[string]any, i int) map[string]any {
	return m["indicators"].([]any)[i].(map[string]any)
}

func TestCampaignCRUD(t *testing.T) {
	s := newServer(t)
	var created struct {
		Code       string
		Indicators []struct{ Code string }
		CreatedAt  string
	}
	rec := s.do("POST", "/api/v1/campaigns", campaignJSON)
	s.decode(rec, http.StatusCreated, &created)
	if created.Code != "PCMBN-2025" || len(created.Indicators) != 3 || created.CreatedAt == "" {
		t.Errorf("created = %+v", created)
	}
	if loc := rec.Header().Get("Location"); loc != "/api/v1/campaigns/PCMBN-2025" {
		t.Errorf("Location = %q", loc)
	}

	var list struct {
		Items []struct{ Code string }
		Total int
	}
	s.decode(s.do("GET", "/api/v1/campaigns", ""), http.StatusOK, &list)
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].Code != "PCMBN-2025" {
		t.Errorf("list = %+v", list)
	}

	updated := withCampaign(t, func(m map[string]any) {
		m["secretariat"] = "Sở Y tế"
		m["indicators"] = m["indicators"].([]any)[:1]
	})
	var got struct {
		Secretariat string
		Indicators  []any
	}
	s.decode(s.do("PUT", "/api/v1/campaigns/PCMBN-2025", updated), http.StatusOK, &got)
	s.decode(s.do("GET", "/api/v1/campaigns/PCMBN-2025", ""), http.StatusOK, &got)
	if got.Secretariat != "Sở Y tế" || len(got.Indicators) != 1 {
		t.Errorf("after PUT: %+v", got)
	}

	s.wantError(s.do("PUT", "/api/v1/campaigns/OTHER", updated), http.StatusBadRequest, "invalid", "code")
	var missing errorBody
	s.decode(s.do("GET", "/api/v1/campaigns/NOPE", ""), http.StatusNotFound, &missing)
	if missing.Error.Code != "not_found" || missing.Error.Message != "no campaign with code NOPE" {
		t.Errorf("missing campaign answered %+v", missing.Error)
	}
	if rec := s.do("DELETE", "/api/v1/campaigns/PCMBN-2025", ""); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE status %d, want 204", rec.Code)
	}
	s.wantError(s.do("DELETE", "/api/v1/campaigns/PCMBN-2025", ""), http.StatusNotFound, "not_found", "")
}

// Every bad input of the foundation issue: the right status and code, a field-level
// detail, and nothing written.
func TestCampaignBadInput(t *testing.T) {
	s := newServer(t)
	s.decode(s.do("POST", "/api/v1/campaigns", withCampaign(t, func(m map[string]any) { m["code"] = "EXISTING" })), http.StatusCreated, nil)

	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		code        string
		field       string
	}{
		{"threshold zero", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 0)["threshold"] = 0 }), 400, "invalid", "indicators[0].threshold"},
		{"threshold above one", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 1)["threshold"] = 1.5 }), 400, "invalid", "indicators[1].threshold"},
		{"threshold as percent", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 0)["threshold"] = 70 }), 400, "invalid", "indicators[0].threshold"},
		{"comparator", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 0)["comparator"] = "lt" }), 400, "invalid", "indicators[0].comparator"},
		{"start after end", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["period"] = map[string]any{"start": "2025-12-31", "end": "2025-01-01"} }), 400, "invalid", "period.end"},
		{"start equals end", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["period"] = map[string]any{"start": "2025-01-01", "end": "2025-01-01"} }), 400, "invalid", "period.end"},
		{"unknown group", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 1)["group"] = "tourists" }), 400, "invalid", "indicators[1].group"},
		{"unknown level", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 0)["level"] = "hamlet" }), 400, "invalid", "indicators[0].level"},
		{"unknown channel", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 2)["channel"] = "tiktok" }), 400, "invalid", "indicators[2].channel"},
		{"duplicate indicator code", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 2)["code"] = "communes" }), 400, "invalid", "indicators[2].code"},
		{"duplicate campaign code", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["code"] = "EXISTING" }), 409, "conflict", "code"},
		{"unknown field", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["budget"] = 1000 }), 400, "invalid", "budget"},
		{"unknown indicator field", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { indicator(m, 0)["weight"] = 2 }), 400, "invalid", "weight"},
		{"wrong type", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["title"] = 12 }), 400, "invalid", "title"},
		{"malformed JSON", "POST", "/api/v1/campaigns", "application/json", `{"code": "X",`, 400, "invalid", "body"},
		{"array instead of object", "POST", "/api/v1/campaigns", "application/json", `[]`, 400, "invalid", "body"},
		{"period as a string", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["period"] = "2024" }), 400, "invalid", "period"},
		{"two values", "POST", "/api/v1/campaigns", "application/json", campaignJSON + `{}`, 400, "invalid", "body"},
		{"body over 1 MiB", "POST", "/api/v1/campaigns", "application/json",
			withCampaign(t, func(m map[string]any) { m["description"] = strings.Repeat("x", 1<<20) }), 413, "too_large", "body"},
		{"form content type", "POST", "/api/v1/campaigns", "application/x-www-form-urlencoded", "code=X", 415, "unsupported_media_type", "Content-Type"},
		{"no content type", "POST", "/api/v1/campaigns", "", campaignJSON, 415, "unsupported_media_type", "Content-Type"},
		{"PUT malformed", "PUT", "/api/v1/campaigns/EXISTING", "application/json", `[`, 400, "invalid", "body"},
		{"PUT bad threshold", "PUT", "/api/v1/campaigns/EXISTING", "application/json",
			withCampaign(t, func(m map[string]any) { m["code"] = "EXISTING"; indicator(m, 0)["threshold"] = -1 }), 400, "invalid", "indicators[0].threshold"},
		{"PUT text/plain", "PUT", "/api/v1/campaigns/EXISTING", "text/plain", campaignJSON, 415, "unsupported_media_type", "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			before := s.snapshot()
			s.wantError(s.call(tt.method, tt.path, tt.contentType, tt.body, s.token), tt.status, tt.code, tt.field)
			s.unchangedSince(before)
		})
	}
}
