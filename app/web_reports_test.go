package main

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// draftForm is the narrative form of the demo campaign's six-month report.
func draftForm(version string, fields ...string) url.Values {
	f := url.Values{"campaign": {"PCMD-2024"}, "period": {"2024-H1"}, "version": {version}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	return f
}

// TestReportsPage: the secretariat chooses a period, reads its verdicts and
// downloads, and writes the narrative the DOCX prints; every bad input is refused
// beside its field with the text kept and nothing written; a viewer reads the
// narrative and cannot write it.
func TestReportsPage(t *testing.T) {
	s := newSite(t)
	admin := s.admin()
	viewer := s.account("theo.doi", []string{"viewer"}, "49")
	token := login(t, s.base, "admin", testPassword)
	stored := func(t *testing.T) (d struct {
		Results string
		Version int64
	}) {
		t.Helper()
		if status := get(t, s.base+"/api/v1/campaigns/PCMD-2024/report-drafts/2024-H1", token, &d); status != http.StatusOK {
			t.Fatalf("reading the draft: %d", status)
		}
		return d
	}

	status, page := admin.get("/reports?campaign=PCMD-2024&period=2024-H1")
	if status != http.StatusOK {
		t.Fatalf("/reports: %d", status)
	}
	for _, want := range []string{"6 tháng đầu năm 2024", "Báo cáo (Word, mẫu Nghị định 30)",
		html.EscapeString("/api/v1/campaigns/PCMD-2024/report?format=docx&period=2024-H1"), "I. KẾT QUẢ THỰC HIỆN",
		"IV. ĐỀ XUẤT, KIẾN NGHỊ", "Chưa ai viết phần này", `<option value="2024-Q3"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the reports page lacks %q", want)
		}
	}

	long := strings.Repeat("ê", 50_001)
	tests := []struct {
		name, field, want string
		form              url.Values
		status            int
	}{
		{"section too long", "shortcomings", "Mỗi mục viết tối đa 50000 ký tự; mục này có 50001 ký tự.",
			draftForm("0", "results", "Giữ lại phần này.", "shortcomings", long), http.StatusUnprocessableEntity},
		{"not UTF-8", "tasks", "Văn bản có ký tự không đọc được",
			draftForm("0", "results", "Giữ lại phần này.", "tasks", "a\xffb"), http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, page := admin.post("/reports/draft", tt.form)
			if status != tt.status {
				t.Fatalf("%d, want %d", status, tt.status)
			}
			assertBeside(t, page, tt.field, tt.want)
			if !strings.Contains(page, ">Giữ lại phần này.</textarea>") {
				t.Error("the text entered is not kept")
			}
			if d := stored(t); d.Version != 0 {
				t.Errorf("a refused form wrote the draft: %+v", d)
			}
		})
	}
	if status, _ := admin.post("/reports/draft", draftForm("0", "results", "x", "period", "2024-H7")); status != http.StatusBadRequest {
		t.Errorf("a bad period: %d, want 400", status)
	}
	if status, page := viewer.post("/reports/draft", draftForm("0", "results", "Của người xem.")); status != http.StatusForbidden ||
		!strings.Contains(page, "Không có quyền truy cập") {
		t.Errorf("a viewer writing the draft: %d, want the 403 page", status)
	}
	if d := stored(t); d.Version != 0 {
		t.Fatalf("refused forms wrote the draft: %+v", d)
	}

	status, _, loc := admin.postLocation("/reports/draft", draftForm("0", "results", "Các huyện đã tổ chức tuyên truyền.", "proposals", "Đề nghị bổ sung kinh phí."))
	if status != http.StatusSeeOther || loc != "/reports?campaign=PCMD-2024&period=2024-H1" {
		t.Fatalf("saving the draft: %d to %q", status, loc)
	}
	if d := stored(t); d.Version != 1 || d.Results != "Các huyện đã tổ chức tuyên truyền." {
		t.Errorf("stored draft = %+v", d)
	}
	if _, page := viewer.get("/reports?campaign=PCMD-2024&period=2024-H1"); !strings.Contains(page, "Đề nghị bổ sung kinh phí.") ||
		strings.Contains(page, `action="/reports/draft"`) {
		t.Error("a viewer does not read the narrative, or is offered its form")
	}

	// Someone else's save since the form was opened: 409, both texts on the page,
	// and the next save (from the version shown) replaces it knowingly.
	status, page = admin.post("/reports/draft", draftForm("0", "results", "Bản của tôi."))
	if status != http.StatusConflict || !strings.Contains(page, "admin đã lưu bản khác (lần lưu thứ 1)") ||
		!strings.Contains(page, ">Bản của tôi.</textarea>") || !strings.Contains(page, "Các huyện đã tổ chức tuyên truyền.</p>") ||
		!strings.Contains(page, `name="version" value="1"`) {
		t.Errorf("a stale save: %d\n%s", status, page)
	}
	if d := stored(t); d.Version != 1 || d.Results != "Các huyện đã tổ chức tuyên truyền." {
		t.Errorf("a stale save wrote the draft: %+v", d)
	}
	if status, _, _ := admin.postLocation("/reports/draft", draftForm("1", "results", "Bản của tôi.")); status != http.StatusSeeOther {
		t.Errorf("saving again from the version shown: %d", status)
	}
	if d := stored(t); d.Version != 2 || d.Results != "Bản của tôi." {
		t.Errorf("after saving again: %+v", d)
	}
}
