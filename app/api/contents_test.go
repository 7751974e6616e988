package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"loa/content"
)

const contentJSON = `{
  "kind": "radio_script",
  "title": "Phát thanh: phòng, chống mại dâm",
  "body": "## Thông báo\n\n{{.Station}} kính chào bà con {{.Commune}}. Gọi {{.Hotline}}.",
  "groups": ["general_public"],
  "campaigns": ["PCMBN-2025"],
  "slotSeconds": 120
}`

func (s *testServer) withContentCampaign() {
	s.t.Helper()
	s.decode(s.do("POST", "/api/v1/campaigns", campaignJSON), http.StatusCreated, nil)
}

func TestContentLifecycleAPI(t *testing.T) {
	s := newServer(t)
	s.withContentCampaign()
	approver := s.account("reviewer", "49", "approver")
	var it struct {
		ID, Status string
		Version    int
	}
	s.decode(s.do("POST", "/api/v1/contents", contentJSON), http.StatusCreated, &it)
	if it.Status != "draft" || it.Version != 1 {
		t.Errorf("created %+v, want a draft v1", it)
	}
	var submitted struct {
		Item     struct{ Status string }
		Warnings []struct{ Code string }
	}
	s.decode(s.do("POST", "/api/v1/contents/"+it.ID+"/submit", ""), http.StatusOK, &submitted)
	if submitted.Item.Status != "in_review" {
		t.Errorf("after submit: %+v", submitted)
	}
	s.decode(s.call("POST", "/api/v1/contents/"+it.ID+"/approve", "", "", approver), http.StatusOK, nil)

	var rendered struct {
		Version     int
		Content     string
		ReadSeconds int
	}
	s.decode(s.do("GET", "/api/v1/contents/"+it.ID+"/render?format=text&orgUnit=20359&date=2024-03-01", ""), http.StatusOK, &rendered)
	if !strings.Contains(rendered.Content, "Đài truyền thanh xã Tam Thanh kính chào bà con xã Tam Thanh. Gọi 111.") || rendered.ReadSeconds == 0 {
		t.Errorf("preview in Tam Thanh = %+v", rendered)
	}
	var html struct{ Content string }
	s.decode(s.do("GET", "/api/v1/contents/"+it.ID+"/render", ""), http.StatusOK, &html)
	if !strings.Contains(html.Content, "<h2>") {
		t.Errorf("HTML render = %q", html.Content)
	}

	var list struct {
		Items []struct{ ID string }
		Total int
	}
	s.decode(s.do("GET", "/api/v1/contents?q=MAI+DAM&status=approved", ""), http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ID != it.ID {
		t.Errorf("search = %+v", list)
	}

	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
	var attached struct {
		Status          string
		Version         int
		ApprovedVersion int
	}
	s.decode(s.call("PUT", "/api/v1/contents/"+it.ID+"/attachment", "image/png", png, s.token), http.StatusOK, &attached)
	if attached.Status != "draft" || attached.Version != 2 || attached.ApprovedVersion != 1 {
		t.Errorf("attaching to the approved item: %+v, want a draft v2 awaiting review", attached)
	}
	s.wantError(s.do("GET", "/api/v1/contents/"+it.ID+"/attachment", ""), http.StatusNotFound, "not_found", "")
	var trail struct{ Items []struct{ Action string } }
	s.decode(s.do("GET", "/api/v1/audit?entity=content&entityId="+it.ID, ""), http.StatusOK, &trail)
	var actions []string
	for _, e := range trail.Items {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "attach,approve,submit,create" {
		t.Errorf("audit of the item = %v, want attach, approve, submit, create (newest first)", actions)
	}
	rec := s.do("GET", "/api/v1/contents/"+it.ID+"/attachment?version=2", "")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), []byte(png)) || rec.Header().Get("X-Content-SHA256") == "" ||
		rec.Header().Get("Content-Type") != "image/png" {
		t.Errorf("download: %d %q %v", rec.Code, rec.Body.Bytes(), rec.Header())
	}
}

// TestAttachmentUploadsAreBounded: while as many attachments as the service holds
// at once are arriving, one more is answered 429 with Retry-After.
func TestAttachmentUploadsAreBounded(t *testing.T) {
	s := newServer(t)
	s.withContentCampaign()
	var item struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", contentJSON), http.StatusCreated, &item)
	path := "/api/v1/contents/" + item.ID + "/attachment"
	release := s.stall(content.AttachmentUploads, "PUT", path, "audio/mpeg", s.token)
	s.wantBusy(s.call("PUT", path, "audio/mpeg", "ID3", s.token))
	release()
	var got struct{ Attachment *struct{ Bytes int64 } }
	s.decode(s.call("PUT", path, "image/png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", s.token), http.StatusOK, &got)
	if got.Attachment == nil {
		t.Errorf("an attachment once the uploads ended: %+v", got)
	}
}

// Every bad input of the content issue: the status, the code, the field, and nothing
// written.
func TestContentBadInput(t *testing.T) {
	s := newServer(t)
	s.withContentCampaign()
	var own struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", contentJSON), http.StatusCreated, &own)
	var inReview struct{ ID string }
	s.decode(s.do("POST", "/api/v1/contents", contentJSON), http.StatusCreated, &inReview)
	s.decode(s.do("POST", "/api/v1/contents/"+inReview.ID+"/submit", ""), http.StatusOK, nil)
	approverToken := s.account("approver-admin", "49", "approver", "admin")
	var byApprover struct{ ID string }
	s.decode(s.call("POST", "/api/v1/contents", "application/json", contentJSON, approverToken), http.StatusCreated, &byApprover)
	s.decode(s.call("POST", "/api/v1/contents/"+byApprover.ID+"/submit", "", "", approverToken), http.StatusOK, nil)

	with := func(field, value string) string {
		return strings.Replace(contentJSON, `"kind": "radio_script"`, `"kind": "radio_script", `+field+`: `+value, 1)
	}
	tests := []struct {
		name, method, path, contentType, body string
		token                                 string
		status                                int
		code, field                           string
	}{
		{"unknown kind", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "radio_script", "podcast", 1), "", 400, "invalid", "kind"},
		{"unknown group", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "general_public", "tourists", 1), "", 400, "invalid", "groups"},
		{"unknown language", "POST", "/api/v1/contents", "application/json", with(`"language"`, `"fr"`), "", 400, "invalid", "language"},
		{"unknown campaign", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "PCMBN-2025", "NOPE", 1), "", 400, "invalid", "campaigns"},
		{"body over 200 KB", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "## Thông báo", strings.Repeat("a", 205000), 1), "", 400, "invalid", "body"},
		{"invalid UTF-8", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "Thông báo", "Th\xffng", 1), "", 400, "invalid", "body"},
		{"empty title", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "Phát thanh: phòng, chống mại dâm", " ", 1), "", 400, "invalid", "title"},
		{"title over 300", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "Phát thanh: phòng, chống mại dâm", strings.Repeat("ă", 301), 1), "", 400, "invalid", "title"},
		{"placeholder outside the set", "POST", "/api/v1/contents", "application/json", strings.Replace(contentJSON, "{{.Hotline}}", "{{.Village}}", 1), "", 400, "invalid", "body"},
		{"approving one's own item", "POST", "/api/v1/contents/" + byApprover.ID + "/approve", "", "", approverToken, 403, "forbidden", ""},
		{"approving an item not in review", "POST", "/api/v1/contents/" + own.ID + "/approve", "", "", approverToken, 409, "conflict", ""},
		{"rejecting without a comment", "POST", "/api/v1/contents/" + inReview.ID + "/reject", "", "", approverToken, 400, "invalid", "comment"},
		{"editing an item in review", "PUT", "/api/v1/contents/" + inReview.ID, "application/json", contentJSON, "", 409, "conflict", ""},
		{"attachment of the wrong type", "PUT", "/api/v1/contents/" + own.ID + "/attachment", "audio/mpeg", "<html><script>alert(1)</script></html>", "", 400, "invalid", "file"},
		{"attachment as text", "PUT", "/api/v1/contents/" + own.ID + "/attachment", "text/plain", "hello", "", 415, "unsupported_media_type", "Content-Type"},
		{"attachment too large", "PUT", "/api/v1/contents/" + own.ID + "/attachment", "audio/mpeg", "ID3" + strings.Repeat("\x00", 20<<20), "", 413, "too_large", "body"},
		{"unknown item", "GET", "/api/v1/contents/c-nope", "", "", "", 404, "not_found", ""},
		{"render format", "GET", "/api/v1/contents/" + own.ID + "/render?format=pdf", "", "", "", 400, "invalid", "format"},
		{"diff without versions", "GET", "/api/v1/contents/" + own.ID + "/diff", "", "", "", 400, "invalid", "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s.sub(t)
			token := tt.token
			if token == "" {
				token = s.token
			}
			before := s.snapshot()
			s.wantError(s.call(tt.method, tt.path, tt.contentType, tt.body, token), tt.status, tt.code, tt.field)
			s.unchangedSince(before)
		})
	}
}
