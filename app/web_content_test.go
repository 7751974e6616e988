package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"loa/content"
)

// itemForm is a valid editor form; change copies it with some fields replaced.
func itemForm(title, body string, change ...string) url.Values {
	f := url.Values{"kind": {"radio_script"}, "title": {title}, "body": {body}, "language": {"vi"},
		"groups": {"general_public"}, "campaigns": {"PCMD-2024"}, "slotSeconds": {"120"}, "tags": {"thử nghiệm"}}
	for i := 0; i+1 < len(change); i += 2 {
		f.Set(change[i], change[i+1])
	}
	return f
}

// create saves an item through the editor and returns its ID.
func (p *person) create(form url.Values) string {
	p.site.t.Helper()
	status, page, loc := p.postLocation("/contents", form)
	id, ok := strings.CutPrefix(loc, "/contents/")
	if status != http.StatusSeeOther || !ok {
		p.site.t.Fatalf("creating %q: %d to %q\n%s", form.Get("title"), status, loc, page)
	}
	return id
}

// found is the number of items the library's page finds for a query.
func (p *person) found(q string) string {
	_, page := p.get("/contents?q=" + url.QueryEscape(q))
	return between(page, "Tìm thấy ", " bài")
}

// TestContentEditorForm: each bad input is refused beside its field with the
// values kept and nothing saved; a form without the CSRF token is refused; the
// preview (live and without JavaScript) renders what is written.
func TestContentEditorForm(t *testing.T) {
	s := newSite(t)
	ed := s.account("bien.tap", []string{"planner"}, "49")
	const title = "Tin thử nghiệm Zơrabêta"
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"empty title", itemForm(" ", "Nội dung."), 422, "Nhập tiêu đề, từ 1 đến 300 ký tự."},
		{"unknown placeholder", itemForm(title, "Chào bà con\n{{.Ten}}"), 422, "Dòng 2: không có ô thay thế {{.Ten}}"},
		{"broken placeholder", itemForm(title, "Chào {{.Commune"), 422, "Dòng 1: ô thay thế viết sai"},
		{"body too long", itemForm(title, strings.Repeat("a", 200<<10+1)), 422, "quá giới hạn 200 KB"},
		{"slot not a number", itemForm(title, "Nội dung.", "slotSeconds", "hai phút"), 422, "Nhập số giây"},
		{"slot too long", itemForm(title, "Nội dung.", "slotSeconds", "99999"), 422, "Khung phát từ 0 đến 3600 giây."},
		{"bad date", itemForm(title, "Nội dung.", "validFrom", "31/02/2024"), 422, "Chọn một ngày hợp lệ"},
		{"dates reversed", itemForm(title, "Nội dung.", "validFrom", "2024-05-01", "validTo", "2024-04-01"), 422, "Ngày kết thúc trước ngày bắt đầu."},
		{"no CSRF token", itemForm(title, "Nội dung.", "csrf_token", ""), 403, "Phiên làm việc không hợp lệ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, page := ed.post("/contents", tt.form)
			if status != tt.status || !strings.Contains(page, tt.want) {
				t.Fatalf("%d, want %d with %q\n%s", status, tt.status, tt.want, page)
			}
			if status == 422 {
				if !strings.Contains(page, `class="field-error"`) {
					t.Error("the message is not beside a field")
				}
				if tt.name != "empty title" && !strings.Contains(page, `value="`+title+`"`) {
					t.Error("the title entered is not kept")
				}
				if !strings.Contains(page, `value="general_public" checked`) {
					t.Error("the target group chosen is not kept")
				}
			}
		})
	}
	if n := ed.found("zorabeta"); n != "0" {
		t.Fatalf("refused forms saved %s items", n)
	}

	t.Run("live preview", func(t *testing.T) {
		form := itemForm(title, "## Mở đầu\n\n{{.Station}} kính chào bà con. Gọi {{.Hotline}}.", "csrf_token", "")
		req, _ := http.NewRequest(http.MethodPost, s.base+"/contents/preview", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", ed.csrf)
		req.Header.Set("HX-Request", "true")
		resp, err := ed.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		if resp.StatusCode != http.StatusOK || strings.Contains(page, "<html") || !strings.Contains(page, "<h3>Mở đầu</h3>") ||
			!strings.Contains(page, "Đài truyền thanh xã [tên xã] kính chào bà con. Gọi 111.") || !strings.Contains(page, "Đọc khoảng") {
			t.Errorf("preview fragment: %d\n%s", resp.StatusCode, page)
		}
		form.Set("body", "{{.Ten}}")
		req, _ = http.NewRequest(http.MethodPost, s.base+"/contents/preview", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", ed.csrf)
		resp, err = ed.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "không có ô thay thế {{.Ten}}") {
			t.Errorf("preview of a bad placeholder:\n%s", b)
		}
	})
	t.Run("preview without JavaScript", func(t *testing.T) {
		form := itemForm(title, "Gái mại dâm là cách gọi cần tránh.", "preview", "1", "slotSeconds", "1")
		status, page := ed.post("/contents", form)
		for _, want := range []string{"Nên tránh cách gọi «gái mại dâm»; nên dùng «người bán dâm».", "dài hơn khung", `value="` + title + `"`} {
			if status != http.StatusOK || !strings.Contains(page, want) {
				t.Errorf("preview button: %d, want %q", status, want)
			}
		}
		if n := ed.found("zorabeta"); n != "0" {
			t.Errorf("the preview saved %s items", n)
		}
	})
	t.Run("saved", func(t *testing.T) {
		id := ed.create(itemForm(title, "Nội dung."))
		_, page := ed.get("/contents/" + id)
		if !strings.Contains(page, "<h1>"+title+"</h1>") || !strings.Contains(page, "Bản nháp") {
			t.Errorf("the item's page:\n%s", page)
		}
		_, page = ed.get("/contents/" + id + "/edit")
		if !strings.Contains(page, `value="`+title+`"`) || !strings.Contains(page, `value="120"`) {
			t.Error("the editor does not hold the item's values")
		}
	})
}

// TestContentSearchPage: the library's search ignores case, diacritics and
// punctuation, wants every word and lists title matches first.
func TestContentSearchPage(t *testing.T) {
	s := newSite(t)
	ed := s.account("bien.tap", []string{"planner"}, "49")
	inBody := ed.create(itemForm("Tin về pháp luật", "Công tác phòng-chống (xâm hại) Zơrabêta ở thôn Ngọc Khuê."))
	inTitle := ed.create(itemForm("Phòng, chống xâm hại Zơrabêta", "Nội dung."))
	_, page := ed.get("/contents?q=" + url.QueryEscape("phong chong zorabeta"))
	first, second := strings.Index(page, "/contents/"+inTitle+`"`), strings.Index(page, "/contents/"+inBody+`"`)
	if first < 0 || second < 0 || first > second {
		t.Errorf("phong chong zorabeta: the title match (at %d) should come before the body match (at %d)", first, second)
	}
	if n := ed.found("ZƠRABÊTA, khuê"); n != "1" {
		t.Errorf("ZƠRABÊTA, khuê found %s, want 1", n)
	}
	if n := ed.found("zorabeta karaoke"); n != "0" {
		t.Errorf("a word found nowhere still found %s items", n)
	}
	_, page = ed.get("/contents?status=draft&kind=radio_script&q=zorabeta")
	if !strings.Contains(page, "Tìm thấy 2 bài") || !strings.Contains(page, `<option value="draft" selected>`) {
		t.Error("filters by status and kind do not keep their choice or their results")
	}
	viewer := s.account("xem", []string{"viewer"}, "49")
	if status, _ := viewer.get("/contents/" + inTitle); status != http.StatusOK {
		t.Errorf("a viewer reads an item: %d", status)
	}
	if status, page := viewer.get("/contents/new"); status != http.StatusForbidden || !strings.Contains(page, "Không có quyền") {
		t.Errorf("a viewer opens the editor: %d", status)
	}
}

// TestContentItemForms: comments, attachments and workflow steps refused on the
// item's page, with nothing written.
func TestContentItemForms(t *testing.T) {
	s := newSite(t)
	ed := s.account("bien.tap", []string{"planner"}, "49")
	id := ed.create(itemForm("Tin có ý kiến", "Nội dung."))

	status, page := ed.post("/contents/"+id+"/comments", url.Values{"text": {"  "}})
	if status != 422 || !strings.Contains(page, "Nhập ý kiến, từ 1 đến 4000 ký tự.") {
		t.Errorf("empty comment: %d", status)
	}
	if status, _, _ := ed.postLocation("/contents/"+id+"/comments", url.Values{"text": {"Nên thêm số điện thoại."}}); status != http.StatusSeeOther {
		t.Errorf("comment: %d", status)
	}
	if _, page := ed.get("/contents/" + id); !strings.Contains(page, "Nên thêm số điện thoại.") || strings.Count(page, "bien.tap") < 2 {
		t.Error("the comment is not on the item's page")
	}

	upload := func(name string, data []byte) (int, string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("csrf_token", ed.csrf)
		fw, _ := w.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = w.Close()
		resp, err := ed.client.Post(s.base+"/contents/"+id+"/attachment", w.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, page := upload("ghi-chu.txt", []byte("không phải ảnh")); status != 422 || !strings.Contains(page, "chỉ nhận bản ghi âm MP3") {
		t.Errorf("a text file: %d", status)
	}
	if status, page := upload("lon.mp3", bytes.Repeat([]byte{0}, 21<<20)); status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "Tệp lớn hơn 20 MB") {
		t.Errorf("a file over 20 MB: %d", status)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	// While the API receives as many attachments as the service holds at once, the
	// page's upload is refused (429) and stores nothing: one bound for both.
	release := holdAttachmentSlots(t, s.base, login(t, s.base, "bien.tap", testPassword), id, content.AttachmentUploads)
	status, page = upload("anh.png", png)
	release()
	if status != http.StatusTooManyRequests || !strings.Contains(page, "Đang nhận 4 tệp đính kèm cùng lúc") {
		t.Errorf("an upload while every slot is taken: %d", status)
	}
	if _, page := ed.get("/contents/" + id); strings.Contains(page, `<img class="attached"`) {
		t.Error("a refused upload stored its image")
	}
	if status, _ := upload("anh.png", png); status != http.StatusSeeOther {
		t.Errorf("a PNG: %d", status)
	}
	_, page = ed.get("/contents/" + id)
	if !strings.Contains(page, `<img class="attached" src="/api/v1/contents/`+id+`/attachment?version=1"`) {
		t.Error("the image is not shown on the item's page")
	}

	if status, _, _ := ed.postLocation("/contents/"+id+"/submit", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}
	status, page = ed.post("/contents/"+id+"/edit", itemForm("Tin đổi tên", "Nội dung."))
	if status != 422 || !strings.Contains(page, "Bài đang chờ duyệt nên chưa sửa được") || !strings.Contains(page, `value="Tin đổi tên"`) {
		t.Errorf("editing an item in review: %d", status)
	}
	status, page = ed.post("/contents/"+id+"/submit", url.Values{})
	if status != http.StatusConflict || !strings.Contains(page, "trạng thái của bài đã đổi") {
		t.Errorf("submitting twice: %d", status)
	}
	if status, _, _ := ed.postLocation("/contents/"+id+"/submit", url.Values{"csrf_token": {""}}); status != http.StatusForbidden {
		t.Errorf("a step without the CSRF token: %d", status)
	}
	if _, page := ed.get("/contents/" + id); !strings.Contains(page, "<h1>Tin có ý kiến</h1>") || !strings.Contains(page, "Chờ duyệt") {
		t.Error("a refused edit changed the item")
	}
}

// TestReviewForms: an approver rejects only with a reason, never approves their own
// item; others may not open the queue.
func TestReviewForms(t *testing.T) {
	s := newSite(t)
	ed := s.account("bien.tap", []string{"planner"}, "49")
	ap := s.account("duyet", []string{"approver"}, "49")
	id := ed.create(itemForm("Tin chờ duyệt", "Nội dung."))
	own := ap.create(itemForm("Tin của người duyệt", "Nội dung."))
	for _, i := range []string{id, own} {
		if status, _, _ := ed.postLocation("/contents/"+i+"/submit", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("submit %s: %d", i, status)
		}
	}
	status, page := ap.post("/review/"+id+"/reject", url.Values{"comment": {"  "}})
	if status != 422 || !strings.Contains(page, "Ghi lý do trả lại để tác giả sửa.") || !strings.Contains(page, `class="field-error"`) {
		t.Errorf("reject without a reason: %d", status)
	}
	status, page = ap.post("/review/"+own+"/approve", url.Values{})
	if status != http.StatusForbidden || !strings.Contains(page, "không tự duyệt được") || !strings.Contains(page, "Bài của bạn") {
		t.Errorf("approving one's own item: %d", status)
	}
	if status, _ := ap.post("/review/"+id+"/approve", url.Values{"csrf_token": {""}}); status != http.StatusForbidden {
		t.Errorf("approve without the CSRF token: %d", status)
	}
	_, page = ap.get("/review")
	if !strings.Contains(page, "Tin chờ duyệt") || !strings.Contains(page, "Tin của người duyệt") {
		t.Error("a refused step changed the queue")
	}
	if status, page := ed.get("/review"); status != http.StatusForbidden || !strings.Contains(page, "Không có quyền") {
		t.Errorf("a planner opens the queue: %d", status)
	}
	if status, _, _ := ap.postLocation("/review/"+id+"/reject", url.Values{"comment": {"Thiếu số đường dây nóng."}}); status != http.StatusSeeOther {
		t.Errorf("reject: %d", status)
	}
	if _, page := ed.get("/contents/" + id); !strings.Contains(page, "Bản nháp") || !strings.Contains(page, "Thiếu số đường dây nóng.") {
		t.Error("the rejection and its reason are not on the item's page")
	}
}

// TestContentJourneyInBrowser: an editor writes an item with the live preview and
// submits it; an approver approves it; its page then says it is approved, and once
// a rule takes it, it shows in that station's week.
func TestContentJourneyInBrowser(t *testing.T) {
	s := newSite(t)
	s.account("bien.tap", []string{"planner"}, "49")
	s.account("duyet", []string{"approver"}, "49")
	ctx := s.browser(360)
	s.browserSignIn(ctx, "bien.tap", testPassword)
	err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/contents/new"), chromedp.WaitVisible("#title"),
		chromedp.SendKeys("#title", "Phát thanh: đêm hội an toàn"),
		chromedp.Click(`input[value="general_public"]`),
		chromedp.SendKeys("#body", "## Mở đầu\n\n{{.Station}} xin chào bà con."),
		chromedp.WaitVisible(`#preview .rendered h3`)) // "##" one level under the page's own headings
	if err != nil {
		t.Fatal(err)
	}
	preview, err := chromedp.Run(ctx, chromedp.Text("#preview"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(preview, "Đài truyền thanh xã [tên xã] xin chào bà con.") || !strings.Contains(preview, "Đọc khoảng") {
		t.Errorf("live preview: %q", preview)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`form.editor button[type=submit]:not([name])`), chromedp.WaitVisible(`form[action$="/submit"] button`)); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`form[action$="/submit"] button`), chromedp.WaitVisible(`p.flash`)); err != nil {
		t.Fatal(err)
	}

	ctx = s.browser(1280)
	s.browserSignIn(ctx, "duyet", testPassword)
	id := strings.TrimPrefix(loc, s.base+"/contents/")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/review"), chromedp.WaitVisible(`form[action="/review/`+id+`/approve"] button`),
		chromedp.Click(`form[action="/review/`+id+`/approve"] button`), chromedp.WaitVisible(`p.flash`),
		chromedp.Navigate(loc), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text("dl.facts dd"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status, "Đã duyệt") || !strings.Contains(status, "đang dùng phiên bản 1") {
		t.Errorf("after approval the item's page says %q", status)
	}

	// The approved item goes on air: a rule of a running campaign takes it alone on
	// one station, and its title shows in that station's week.
	admin, planner := login(t, s.base, "admin", testPassword), login(t, s.base, "bien.tap", testPassword)
	tomorrow := time.Now().AddDate(0, 0, 1)
	callAPI(t, s.base, "POST", "/api/v1/campaigns", admin, map[string]any{"code": "NAM-NAY", "title": "Tuyên truyền năm nay",
		"period": map[string]string{"start": time.Now().AddDate(0, 0, -1).Format(time.DateOnly), "end": tomorrow.AddDate(0, 3, 0).Format(time.DateOnly)}},
		http.StatusCreated, nil)
	callAPI(t, s.base, "POST", "/api/v1/rules", planner, map[string]any{"campaign": "NAM-NAY", "title": "Đêm hội an toàn, 06:30 mỗi ngày",
		"stations": map[string]any{"codes": []string{"DTT-502"}}, "rrule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=30",
		"startDate": tomorrow.Format(time.DateOnly), "until": tomorrow.AddDate(0, 0, 13).Format(time.DateOnly), "durationSeconds": 300,
		"pool": map[string]any{"items": []string{id}}}, http.StatusCreated, nil)
	callAPI(t, s.base, "POST", "/api/v1/jobs/materialize/run", admin, nil, http.StatusOK, nil)
	week := "/calendar?by=station&station=DTT-502&view=week&date=" + tomorrow.Format(time.DateOnly)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+week), chromedp.WaitVisible(".calendar")); err != nil {
		t.Fatal(err)
	}
	days, err := chromedp.Run(ctx, chromedp.Text(".calendar"))
	if err != nil || !strings.Contains(days, "Phát thanh: đêm hội an toàn") || !strings.Contains(days, "06:30") {
		t.Errorf("the station's week does not show the approved item at 06:30 (%v):\n%s", err, days)
	}
}

// BenchmarkContentLibrary measures the library's page (DESIGN §10: under 100 ms on
// the server) on the demo's library, one request at a time as the admin, after one
// request to warm the caches: its first page, and a search ("phong chong"), each
// beside a bare gin handler answering the same bytes.
func BenchmarkContentLibrary(b *testing.B) {
	l := startLoa(b, b.TempDir())
	b.Cleanup(func() { l.stop(b) })
	l.waitReady(b)
	session := http.Header{"Cookie": {"loa_session=" + login(b, l.URL, "admin", benchPassword)}}
	for _, path := range []string{"/contents", "/contents?q=phong+chong"} {
		req, err := http.NewRequest(http.MethodGet, l.URL+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header = session.Clone()
		resp, err := l.Client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		page, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d, %v", path, resp.StatusCode, err)
		}
		bare, stopBare := startBareHandler(b, "/contents", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", page) })
		b.Cleanup(stopBare)
		bareClient := loadClient()
		b.Run("loa"+path, func(b *testing.B) {
			sequentialRequests(b, l.Client, l.URL+path, session, http.StatusOK, -1)
		})
		b.Run("bare-gin"+path, func(b *testing.B) {
			sequentialRequests(b, bareClient, bare+path, http.Header{}, http.StatusOK, len(page))
		})
		bareClient.CloseIdleConnections()
	}
}

// holdAttachmentSlots starts n uploads of an attachment to item id through the API
// and keeps their bodies open, so that they hold the service's slots until release.
func holdAttachmentSlots(t *testing.T, base, token, id string, n int) (release func()) {
	t.Helper()
	var writers []*io.PipeWriter
	done := make(chan struct{}, n)
	for range n {
		r, w := io.Pipe()
		writers = append(writers, w)
		req, _ := http.NewRequest(http.MethodPut, base+"/api/v1/contents/"+id+"/attachment", r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "audio/mpeg")
		go func() {
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			done <- struct{}{}
		}()
		if _, err := w.Write([]byte("ID3")); err != nil {
			t.Fatal(err)
		}
	}
	// The slots are all taken once an empty upload is answered busy rather than
	// refused as empty (which writes nothing either way).
	for i := 0; ; i++ {
		req, _ := http.NewRequest(http.MethodPut, base+"/api/v1/contents/"+id+"/attachment", strings.NewReader(""))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "audio/mpeg")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
		if i == 200 {
			t.Fatalf("the held uploads do not take the slots: an empty upload is answered %d", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return func() {
		for _, w := range writers {
			w.CloseWithError(io.ErrUnexpectedEOF)
		}
		for range n {
			<-done
		}
	}
}
