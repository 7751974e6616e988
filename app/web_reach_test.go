package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// reachCommune is a commune of Tam Kỳ (district 502), where the tests' reporter
// works; reachElsewhere is another district.
const (
	reachCommune   = "20341" // Phường An Mỹ
	reachElsewhere = "503"   // Thành phố Hội An
)

// goodActivity is a good form of one activity in reachCommune.
func goodActivity() url.Values {
	return url.Values{"campaign": {"PCMD-2024"}, "orgUnit": {reachCommune}, "group": {"students"}, "date": {"2024-03-15"},
		"activity": {"school_session"}, "activities": {"2"}, "personTimes": {"120"}, "uniquePersons": {"100"},
		"firstTimePersons": {"80"}, "sourceRef": {"TK-7/BC"}, "evidence": {"Biên bản buổi nói chuyện"}}
}

// reachRecords lists the records of reachCommune on 15 and 16/03/2024 through the
// API, as the admin.
func reachRecords(t *testing.T, s *site) []map[string]any {
	t.Helper()
	token := login(t, s.base, "admin", testPassword)
	var page struct{ Items []map[string]any }
	q := url.Values{"campaign": {"PCMD-2024"}, "orgUnit": {reachCommune}, "from": {"2024-03-15"}, "to": {"2024-03-16"}, "limit": {"200"}}
	if status := get(t, s.base+"/api/v1/reach?"+q.Encode(), token, &page); status != http.StatusOK {
		t.Fatalf("listing reach records: %d", status)
	}
	return page.Items
}

// withRef counts the records whose report number is ref.
func withRef(records []map[string]any, ref string) int {
	n := 0
	for _, r := range records {
		if r["sourceRef"] == ref {
			n++
		}
	}
	return n
}

// TestReachForm: a district reporter records an activity, corrects it and deletes
// it after a question; every bad input is refused beside its field with the values
// kept and nothing written, and a unit outside the scope answers the 403 page.
func TestReachForm(t *testing.T) {
	s := newSite(t)
	reporter := s.account("reporter.tamky", []string{"reporter"}, "502")

	status, page := reporter.get("/reach/new")
	if status != http.StatusOK || !strings.Contains(page, `value="`+reachCommune+`"`) || strings.Contains(page, `value="`+reachElsewhere+`"`) {
		t.Fatalf("the form: %d; want the communes of Tam Kỳ and no other district", status)
	}
	if !strings.Contains(page, "để trống thì số người được tính là mức tối đa, có thể trùng lặp") {
		t.Error("the form does not explain first-time persons")
	}

	for _, tt := range []struct {
		name, field, value, want string
	}{
		{"missing group", "group", "", "Thiếu nhóm đối tượng."},
		{"negative count", "personTimes", "-5", "Số lượt người không được âm."},
		{"first-time over unique", "firstTimePersons", "150", "Số người lần đầu (150) không được lớn hơn số người (100)."},
		{"bad date", "date", "31/02/2024", "Ngày &#34;31/02/2024&#34; không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)."},
		{"date outside the plan", "date", "2023-12-31", "Ngày 31/12/2023 nằm ngoài thời gian của kế hoạch (01/01/2024 – 31/12/2024)."},
		{"not a number", "activities", "hai", "Nhập một số nguyên, không dùng dấu chấm hay dấu phẩy."},
		{"no activity", "activities", "0", "Số buổi phải ít nhất là 1."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, page := reporter.post("/reach", withField(goodActivity(), tt.field, tt.value))
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", status)
			}
			assertBeside(t, page, tt.field, tt.want)
			for _, kept := range []string{`value="TK-7/BC"`, "Biên bản buổi nói chuyện", `value="` + tt.value + `"`} {
				if tt.value != "" && !strings.Contains(page, kept) {
					t.Errorf("the form lost %s", kept)
				}
			}
		})
	}
	t.Run("unit outside the scope", func(t *testing.T) {
		status, page := reporter.post("/reach", withField(goodActivity(), "orgUnit", reachElsewhere))
		if status != http.StatusForbidden || !strings.Contains(page, "Ngoài phạm vi") {
			t.Errorf("status %d, want the 403 page", status)
		}
	})
	if n := withRef(reachRecords(t, s), "TK-7/BC"); n != 0 {
		t.Fatalf("%d records written by refused forms", n)
	}

	status, _, loc := reporter.postLocation("/reach", goodActivity())
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/reach?") {
		t.Fatalf("a good activity: %d to %q; want 303 to the list", status, loc)
	}
	records := reachRecords(t, s)
	if withRef(records, "TK-7/BC") != 1 {
		t.Fatalf("the activity is not stored once: %v", records)
	}
	_, list := reporter.get("/reach?" + url.Values{"orgUnit": {reachCommune}, "group": {"students"}, "month": {"2024-03"}}.Encode())
	if !strings.Contains(list, "TK-7/BC") || !strings.Contains(list, "Đã ghi hoạt động.") {
		t.Error("the filtered list does not show the new activity and its message")
	}
	_, other := reporter.get("/reach?" + url.Values{"orgUnit": {reachCommune}, "month": {"2024-04"}}.Encode())
	if strings.Contains(other, "TK-7/BC") {
		t.Error("the list of April shows an activity of March")
	}

	id := ""
	for _, r := range records {
		if r["sourceRef"] == "TK-7/BC" {
			id = r["id"].(string)
		}
	}
	status, edit := reporter.get("/reach/edit?id=" + url.QueryEscape(id))
	if status != http.StatusOK || !strings.Contains(edit, `name="personTimes" type="number" inputmode="numeric" min="0" step="1" value="120"`) {
		t.Fatalf("the edit form: %d, without the stored person-times", status)
	}
	corrected := withField(withField(goodActivity(), "personTimes", "130"), "edit", "1")
	if status, _ := reporter.post("/reach", corrected); status != http.StatusSeeOther {
		t.Fatalf("the correction: %d", status)
	}
	if rs := reachRecords(t, s); withRef(rs, "TK-7/BC") != 1 {
		t.Errorf("the correction made %d records, want the one corrected", withRef(rs, "TK-7/BC"))
	}

	status, question := reporter.get("/reach/delete?id=" + url.QueryEscape(id))
	if status != http.StatusOK || !strings.Contains(question, `<form method="post" action="/reach/delete">`) || !strings.Contains(question, "130") {
		t.Fatalf("the question before deleting: %d", status)
	}
	if status, _ := reporter.post("/reach/delete", url.Values{"id": {id}, "campaign": {"PCMD-2024"}}); status != http.StatusSeeOther {
		t.Fatalf("deleting: %d", status)
	}
	if n := withRef(reachRecords(t, s), "TK-7/BC"); n != 0 {
		t.Errorf("%d records left after deleting", n)
	}

	// Readers without reach records, and writers without them, get the 403 page.
	viewer := s.account("viewer.reach", []string{"viewer"}, "49")
	if status, page := viewer.get("/reach"); status != http.StatusForbidden || !strings.Contains(page, "Không có quyền truy cập") {
		t.Errorf("a viewer on /reach: %d, want the 403 page", status)
	}
	if status, _ := s.admin().post("/reach", goodActivity()); status != http.StatusForbidden {
		t.Errorf("the admin (who reads but does not write reach) posting an activity: %d, want 403", status)
	}
}

// TestReachManualValues: a planner enters a manual indicator's value; a bad one is
// refused beside its field with the values kept and nothing written; a reporter
// may read but not enter them.
func TestReachManualValues(t *testing.T) {
	s := newSite(t)
	planner := s.account("planner.manual", []string{"planner"}, "49")
	form := func() url.Values {
		return url.Values{"campaign": {"PCMD-2024"}, "indicator": {"establishments-inspected"}, "orgUnit": {"49"},
			"asOf": {"2024-06-30"}, "numerator": {"41"}, "denominator": {"0"}, "countUnit": {"cơ sở"}, "source": {"Báo cáo 15/BC-CA"}}
	}
	status, page := planner.post("/reach/manual", form())
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("denominator 0: %d, want 422", status)
	}
	assertBeside(t, page, "denominator", "Mẫu số phải ít nhất là 1.")
	if !strings.Contains(page, "Báo cáo 15/BC-CA") || !strings.Contains(page, `value="41"`) {
		t.Error("the refused form lost its values")
	}
	status, page = planner.post("/reach/manual", withField(withField(url.Values{}, "campaign", "PCMD-2024"), "indicator", "students-reached"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Bắt buộc nhập (0 nếu không có).") {
		t.Errorf("an empty form: %d", status)
	}
	_, page = planner.get("/reach/manual?campaign=PCMD-2024")
	if strings.Contains(page, "Báo cáo 15/BC-CA") {
		t.Fatal("a refused value was written")
	}
	if status, _ := planner.post("/reach/manual", withField(form(), "denominator", "50")); status != http.StatusSeeOther {
		t.Fatalf("a good value: %d", status)
	}
	_, page = planner.get("/reach/manual?campaign=PCMD-2024")
	if !strings.Contains(page, "Báo cáo 15/BC-CA") || !strings.Contains(page, "30/06/2024") {
		t.Error("the value entered is not listed")
	}

	reporter := s.account("reporter.manual", []string{"reporter"}, "502")
	if status, _ := reporter.get("/reach/manual"); status != http.StatusOK {
		t.Errorf("a reporter reading manual values: %d", status)
	}
	if status, page := reporter.post("/reach/manual", withField(form(), "denominator", "60")); status != http.StatusForbidden || !strings.Contains(page, "Không có quyền") {
		t.Errorf("a reporter entering a value: %d, want the 403 page", status)
	}
	id := "PCMD-2024|establishments-inspected|49|2024-06-30"
	if _, question := planner.get("/reach/manual?" + url.Values{"campaign": {"PCMD-2024"}, "delete": {id}}.Encode()); !strings.Contains(question, "Xoá giá trị «Trên 80% cơ sở") ||
		!strings.Contains(question, `<form method="post" action="/reach/manual/delete">`) {
		t.Error("the page does not ask before deleting the value")
	}
	if status, _ := planner.post("/reach/manual/delete", url.Values{"campaign": {"PCMD-2024"}, "id": {id}}); status != http.StatusSeeOther {
		t.Errorf("deleting the value: %d", status)
	}
	if _, page = planner.get("/reach/manual?campaign=PCMD-2024"); strings.Contains(page, "Báo cáo 15/BC-CA") {
		t.Error("the value deleted is still listed")
	}
}

// reachFile is an import file of Tam Kỳ: rows 2 and 4 are good, row 3 counts
// negative person-times and row 5 is in another district.
const reachFile = "Mã kế hoạch,Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Số hiệu báo cáo\n" +
	"PCMD-2024," + reachCommune + ",\"Học sinh, sinh viên\",16/03/2024,Tuyên truyền trong trường học,1,90,90,IMP-1\n" +
	"PCMD-2024," + reachCommune + ",students,16/03/2024,school_session,1,-3,,IMP-2\n" +
	"PCMD-2024," + reachCommune + ",general_public,16/03/2024,direct_session,2,300,250,IMP-3\n" +
	"PCMD-2024," + reachElsewhere + ",general_public,16/03/2024,direct_session,1,40,,IMP-4\n"

// TestReachImportInTheBackground: an upload answers at once with its status page;
// the dry run's answer lists the conflicts by row and writes nothing; applying
// writes the good rows. An htmx poll of a finished import reloads the page, and a
// form without a file, with a file past the limit or with a file that is no table
// is refused beside the field.
func TestReachImportInTheBackground(t *testing.T) {
	s := newSite(t)
	reporter := s.account("reporter.import", []string{"reporter"}, "502")
	for format, magic := range map[string]string{"xlsx": "PK\x03\x04", "csv": "\ufeffMã kế hoạch,"} {
		if status, body := reporter.get("/reach/template?format=" + format); status != http.StatusOK || !strings.HasPrefix(body, magic) {
			t.Errorf("the %s template: %d %.20q", format, status, body)
		}
	}
	status, _, loc := reporter.upload("/reach/import", "", "so-lieu.csv", []byte(reachFile))
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/reach/import/") {
		t.Fatalf("the upload: %d to %q; want 303 to its status page", status, loc)
	}
	page := waitForImport(t, reporter, loc)
	for _, want := range []string{`<td class="num">3</td><td>Số lượt người</td><td>Số lượt người không được âm.</td>`,
		`<td class="num">5</td><td>Mã đơn vị</td><td>Đơn vị 503 (Hội An) nằm ngoài phạm vi`, "Áp dụng: thêm 2, cập nhật 0"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dry run's page does not show %s", want)
		}
	}
	if n := withRef(reachRecords(t, s), "IMP-1"); n != 0 {
		t.Fatal("the dry run wrote records")
	}
	req, _ := http.NewRequest(http.MethodGet, s.base+loc, nil)
	req.Header.Set("HX-Request", "true")
	resp, err := reporter.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("HX-Refresh") != "true" {
		t.Error("a poll of a finished import does not reload the page")
	}

	if status, _ := reporter.post(loc+"/apply", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("applying: %d", status)
	}
	if page := waitForImport(t, reporter, loc); !strings.Contains(page, "Đã nhập xong") {
		t.Error("the applied import does not say so")
	}
	rs := reachRecords(t, s)
	if withRef(rs, "IMP-1")+withRef(rs, "IMP-3") != 2 || withRef(rs, "IMP-2") != 0 {
		t.Errorf("after applying: %v; want the two good rows", rs)
	}

	other := s.account("reporter.other", []string{"reporter"}, "502")
	if status, _ := other.get(loc); status != http.StatusGone {
		t.Errorf("another account opening the import: %d, want 410", status)
	}
	status, page, _ = reporter.upload("/reach/import", "", "", nil)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d, want 422", status)
	}
	assertBeside(t, page, "file", "Chọn một tệp CSV hoặc Excel (.xlsx).")
	over := []byte(reachFile + strings.Repeat("#", 20<<20+1-len(reachFile))) // one byte past the default 20 MiB
	status, page, _ = reporter.upload("/reach/import", "", "qua-lon.csv", over)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("a file past the limit: %d, want 413", status)
	}
	assertBeside(t, page, "file", "Tệp lớn hơn giới hạn 20 MiB.")
	status, _, loc = reporter.upload("/reach/import", "", "anh.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"))
	if status != http.StatusSeeOther {
		t.Fatalf("an image: %d", status)
	}
	if page := waitForImport(t, reporter, loc); !strings.Contains(page, "Tệp không phải CSV") {
		t.Error("an image is not refused as no table")
	}

	// A poll right after the upload of 60,000 rows finds the dry run reading (or,
	// on a fast machine, done): the fragment says how many rows it has read.
	var big strings.Builder
	big.WriteString("Mã kế hoạch,Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số hiệu báo cáo\n")
	for i := range 60_000 {
		fmt.Fprintf(&big, "PCMD-2024,%s,general_public,%02d/04/2024,direct_session,1,%d,BIG-%d\n", reachCommune, 1+i%28, 10+i%50, i)
	}
	status, _, loc = reporter.upload("/reach/import", "", "lon.csv", []byte(big.String()))
	if status != http.StatusSeeOther {
		t.Fatalf("the large file: %d", status)
	}
	req, _ = http.NewRequest(http.MethodGet, s.base+loc, nil)
	req.Header.Set("HX-Request", "true")
	resp, err = reporter.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	fragment, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("HX-Refresh") == "" &&
		(!strings.Contains(string(fragment), `<div id="progress"`) || !strings.Contains(string(fragment), "đã đọc") || strings.Contains(string(fragment), "<html")) {
		t.Errorf("a poll of a running import: %d %q", resp.StatusCode, fragment)
	}
	if page := waitForImport(t, reporter, loc); !strings.Contains(page, "Áp dụng: thêm 60.000") {
		t.Error("the large file's dry run does not offer its 60,000 rows")
	}
}

// waitForImport reads the status page of an import until the import has ended.
func waitForImport(t *testing.T, p *person, path string) string {
	t.Helper()
	for range 600 {
		status, page := p.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		if !strings.Contains(page, `id="progress"`) {
			return page
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the import at %s did not end", path)
	return ""
}

// TestReachImportOnAPhone: a district reporter, on a phone, uploads a CSV file
// with good and bad rows, reads the conflicts of the dry run, applies it and finds
// the new records in the list.
func TestReachImportOnAPhone(t *testing.T) {
	s := newSite(t)
	s.account("reporter.phone", []string{"reporter"}, "502")
	file := filepath.Join(t.TempDir(), "so-lieu-tam-ky.csv")
	if err := os.WriteFile(file, []byte(reachFile), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := s.browser(360)
	s.browserSignIn(ctx, "reporter.phone", testPassword)
	// The district's dashboard: the commune's activities, in its table of units.
	activities := func() int {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/campaigns/PCMD-2024?scope=502"), chromedp.WaitVisible("table.units")); err != nil {
			t.Fatal(err)
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("table.units tbody tr")].find(r => r.querySelector('a[href*="scope=`+reachCommune+`"]'))?.cells[1].textContent ?? ""`))
		n, perr := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(v), ".", ""))
		if err != nil || perr != nil {
			t.Fatalf("the commune's activities on the district's dashboard: %q, %v, %v", v, err, perr)
		}
		return n
	}
	before := activities()
	err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(`header.top nav a[href="/reach"]`),
		chromedp.Click(`header.top nav a[href="/reach"]`), chromedp.WaitVisible(`nav.sub a[href="/reach/import"]`),
		chromedp.Click(`nav.sub a[href="/reach/import"]`), chromedp.WaitVisible("#file"),
		chromedp.SetUploadFiles("#file", []string{file}), chromedp.Click(`form[action="/reach/import"] button[type=submit]`),
		chromedp.WaitVisible("#checked"))
	if err != nil {
		t.Fatalf("uploading the file: %v", err)
	}
	conflicts, err := chromedp.Run(ctx, chromedp.Text("table tbody"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(conflicts, "3") || !strings.Contains(conflicts, "Số lượt người không được âm.") ||
		!strings.Contains(conflicts, "nằm ngoài phạm vi") {
		t.Errorf("the conflicts read: %q", conflicts)
	}
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("table tbody tr")].map(r => r.cells[0].textContent + ":" + r.cells[2].textContent).join("|")`))
	if err != nil || !strings.Contains(row, "3:Số lượt người không được âm.") {
		t.Errorf("row 3's conflict: %q, %v", row, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`form[action$="/apply"] button`), chromedp.WaitVisible("#applied"),
		chromedp.Click(`a.button[href^="/reach?"]`), chromedp.WaitVisible("table.reach")); err != nil {
		t.Fatalf("applying: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/reach?"+url.Values{"orgUnit": {reachCommune}, "month": {"2024-03"}}.Encode()),
		chromedp.WaitVisible("table.reach")); err != nil {
		t.Fatal(err)
	}
	list, err := chromedp.Run(ctx, chromedp.Text("table.reach"))
	if err != nil || !strings.Contains(list, "IMP-1") || !strings.Contains(list, "IMP-3") || strings.Contains(list, "IMP-2") {
		t.Errorf("the list after the import: %q, %v", list, err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || wide {
		t.Errorf("the list is wider than the phone: %v, %v", wide, err)
	}
	// The good rows hold 1 + 2 sessions: the district's dashboard counts them.
	if after := activities(); after != before+3 {
		t.Errorf("the commune's activities on the dashboard: %d before the import, %d after; want 3 more", before, after)
	}
}

// TestReachOfAnAiringIsReadOnly: the record an aired broadcast counts is listed
// with a link to its airing, not to a form; its form and its question lead to the
// airing, and deleting it is refused.
func TestReachOfAnAiringIsReadOnly(t *testing.T) {
	s := newOperatorScene(t, 1)
	_, path := s.link("Máy đọc Tam Kỳ")
	phone := s.phone(path)
	if status, _ := phone.post("/station/airings/"+s.started[0]+"/confirm", url.Values{"status": {"aired"}}); status != http.StatusSeeOther {
		t.Fatalf("confirming the airing: %d", status)
	}
	var page struct{ Items []struct{ ID, Airing string } }
	zone, err := time.LoadLocation("Asia/Ho_Chi_Minh") // the deployment's zone: the airing's date
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(zone)
	today := now.Format("2006-01-02")
	s.as(s.admin, "GET", "/api/v1/reach?"+url.Values{"campaign": {"PCMD-2024"}, "orgUnit": {"502"}, "activity": {"broadcast"},
		"from": {today}, "to": {today}}.Encode(), "", http.StatusOK, &page)
	if len(page.Items) != 1 || page.Items[0].Airing != s.started[0] {
		t.Fatalf("the airing's record: %+v", page.Items)
	}
	id := page.Items[0].ID
	reporter := s.account("reporter.airing", []string{"reporter"}, "502")
	_, list := reporter.get("/reach?" + url.Values{"campaign": {"PCMD-2024"}, "activity": {"broadcast"}, "month": {now.Format("2006-01")}}.Encode())
	if !strings.Contains(list, `<a href="/calendar/airings/`+s.started[0]+`">Từ buổi phát sóng</a>`) || strings.Contains(list, "/reach/edit?id=") {
		t.Error("the list does not show the airing's record read-only with a link to the airing")
	}
	for _, p := range []string{"/reach/edit?id=", "/reach/delete?id="} {
		if status, _, loc := reporter.getLocation(p + url.QueryEscape(id)); status != http.StatusSeeOther || loc != "/calendar/airings/"+s.started[0] {
			t.Errorf("%s: %d to %q; want the airing's page", p, status, loc)
		}
	}
	status, refusal := reporter.post("/reach/delete", url.Values{"id": {id}, "campaign": {"PCMD-2024"}})
	if status != http.StatusConflict || !strings.Contains(refusal, "tính từ buổi phát sóng") {
		t.Errorf("deleting the airing's record: %d", status)
	}
	s.as(s.admin, "GET", "/api/v1/reach/"+url.PathEscape(id), "", http.StatusOK, nil)
}
