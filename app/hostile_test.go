package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// rssCeiling is the most the service's resident memory may grow while it refuses
// one hostile request (README, "Import limits": the upload, the parts of a
// workbook held in memory and a batch of rows; the embedded engine included).
const rssCeiling = 256 << 20

// TestHostileInputs sends the service, running in-process with the demo province,
// what a hostile or careless client could: each request is answered with its 4xx
// and error code, writes nothing (the newest audit entry, the reach records and the
// accounts are as before), keeps the process's resident memory within rssCeiling
// of where it was, and leaves /readyz answering 200.
func TestHostileInputs(t *testing.T) {
	base, _, stop := startApp(t, t.TempDir(), map[string]string{"LOA_ADMIN_PASSWORD": testPassword})
	defer stop()
	admin := login(t, base, "admin", testPassword)
	call := func(method, path, contentType string, body []byte, token string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %.80s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	userBody := func(username string) []byte {
		return []byte(`{"username":"` + username + `","displayName":"Cán bộ","roles":["reporter"],"scope":"507","active":true,"password":"` + testPassword + `"}`)
	}
	if status, b := call("POST", "/api/v1/users", "application/json", userBody("reporter-507"), admin); status != http.StatusCreated {
		t.Fatalf("creating the reporter: %d %s", status, b)
	}
	reporter := login(t, base, "reporter-507", testPassword)

	// written is what the requests could have written: the newest audit entry
	// (every change is audited), the reach records and the accounts.
	written := func() string {
		t.Helper()
		var page struct {
			Items []struct{ ID string }
			Total int
		}
		var parts []string
		for _, path := range []string{"/api/v1/audit?limit=1", "/api/v1/reach?campaign=PCMD-2024&limit=1", "/api/v1/users?limit=1"} {
			status, b := call("GET", path, "", nil, admin)
			if status != http.StatusOK || json.Unmarshal(b, &page) != nil {
				t.Fatalf("GET %s: %d %s", path, status, b)
			}
			parts = append(parts, fmt.Sprintf("%s: %d %v", path, page.Total, page.Items))
		}
		return strings.Join(parts, "; ")
	}

	const reachHeader = "Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số hiệu báo cáo"
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	tests := []struct {
		name, method, path, contentType string
		body                            func(t *testing.T) []byte
		token                           string
		status                          int
		code                            string
	}{
		{"JSON nested 100,000 levels", "POST", "/api/v1/campaigns", "application/json",
			text(`{"code":"X","title":` + deep + `}`), admin, 400, "invalid"},
		{"JSON nested 100,000 levels at the top", "POST", "/api/v1/reach", "application/json", text(deep), reporter, 400, "invalid"},
		{"a 10 MB JSON body", "POST", "/api/v1/campaigns", "application/json",
			text(`{"code":"X","title":"` + strings.Repeat("a", 10<<20) + `"}`), admin, 413, "too_large"},
		{"a 10 MB body on the sign-in", "POST", "/api/v1/auth/login", "application/json",
			text(`{"username":"admin","password":"` + strings.Repeat("a", 10<<20) + `"}`), "", 413, "too_large"},
		{"invalid UTF-8 in a string", "POST", "/api/v1/campaigns", "application/json",
			text("{\"code\":\"X\",\"title\":\"K\xe1\xbf\xff ho\xc3\x28ch\"}"), admin, 400, "invalid"},
		{"invalid UTF-8 in a reach file", "POST", "/api/v1/reach/import?campaign=PCMD-2024", "text/csv",
			text(reachHeader + "\n20575,students,06/05/2024,school_session,1,30,S-\xff\xfe\n"), reporter, 415, "unsupported_media_type"},
		{"an XLSX whose sheet unzips to 2 GiB", "POST", "/api/v1/reach/import?campaign=PCMD-2024", xlsxType,
			func(t *testing.T) []byte { return zipBomb(t, 2<<30, false) }, reporter, 413, "unzipped_too_large"},
		// Go's zip reader stops a part at the size it declares.
		{"an XLSX whose sheet unzips to 2 GiB and says 1 KiB", "POST", "/api/v1/reach/import?campaign=PCMD-2024", xlsxType,
			func(t *testing.T) []byte { return zipBomb(t, 2<<30, true) }, reporter, 415, "unsupported_media_type"},
		{"an XLSX with 300 MB of shared strings", "POST", "/api/v1/reach/import?campaign=PCMD-2024", xlsxType,
			func(t *testing.T) []byte { return sharedStringsBomb(t, 300<<20) }, reporter, 413, "unzipped_too_large"},
		{"a million columns in one row", "POST", "/api/v1/reach/import?campaign=PCMD-2024", "text/csv",
			text(reachHeader + "\n20575,students,06/05/2024,school_session,1,30,S-1" + strings.Repeat(",1", 1_000_000) + "\n"), reporter, 413, "too_many_columns"},
		{"a million columns as multipart", "POST", "/api/v1/reach/import?campaign=PCMD-2024", "",
			nil, reporter, 413, "too_many_columns"}, // the body and its type are made below
		{"a query operator in a JSON field", "POST", "/api/v1/reach", "application/json",
			text(`{"campaign":"PCMD-2024","orgUnit":{"$gt":""},"group":"students","date":"2024-05-06","activity":"school_session","activities":1,"personTimes":3}`), reporter, 400, "invalid"},
		{"a query operator as the username", "POST", "/api/v1/auth/login", "application/json",
			text(`{"username":{"$ne":null},"password":{"$ne":null}}`), "", 400, "invalid"},
		{"a query operator as a query parameter's value", "GET", "/api/v1/campaigns/PCMD-2024/report?scope=" + url.QueryEscape(`{"$gt":""}`), "",
			nil, admin, 400, "invalid"},
		{"a query operator as a bracketed parameter", "GET", "/api/v1/reach?campaign[$ne]=x&campaign=" + url.QueryEscape(`{"$gt":""}`), "",
			nil, admin, 404, "not_found"},
		{"a query operator as an id", "GET", "/api/v1/contents/" + url.PathEscape(`{"$gt":""}`), "", nil, admin, 404, "not_found"},
		{"path traversal in an id", "GET", "/api/v1/orgunits/..%2F..%2Fetc%2Fpasswd", "", nil, admin, 404, "not_found"},
		{"dot segments encoded in an id", "GET", "/api/v1/stations/%2e%2e", "", nil, admin, 404, "not_found"},
		{"path traversal in a reach record's id", "DELETE", "/api/v1/reach/" + url.PathEscape("../../etc/passwd"), "", nil, reporter, 404, "not_found"},
		{"path traversal in a campaign to delete", "DELETE", "/api/v1/campaigns/..%2F..%2FPCMD-2024", "", nil, admin, 404, "not_found"},
		{"path traversal in a static file", "GET", "/static/..%2f..%2fgo.mod", "", nil, "", 404, ""},
		// The server refuses a request line and headers past 64 KiB before any
		// handler runs: its 431 has no body of Loa's.
		{"a 1 MB query parameter", "GET", "/api/v1/orgunits?q=" + strings.Repeat("a", 1<<20), "", nil, admin, 431, ""},
		{"a 10 kB search", "GET", "/api/v1/orgunits?q=" + strings.Repeat("x", 10<<10), "", nil, admin, 400, "invalid"},
		{"a 10 kB parent", "GET", "/api/v1/orgunits?parent=" + strings.Repeat("4", 10<<10), "", nil, admin, 400, "invalid"},
		{"a Cyrillic а in admin, as a new account", "POST", "/api/v1/users", "application/json", text(string(userBody("\u0430dmin"))), admin, 400, "invalid"},
		{"a fullwidth ＡＤＭＩＮ, as a new account", "POST", "/api/v1/users", "application/json", text(string(userBody("ａｄｍｉｎ"))), admin, 400, "invalid"},
		{"admin with a zero-width space, as a new account", "POST", "/api/v1/users", "application/json", text(string(userBody("admin\u200b"))), admin, 400, "invalid"},
		{"a Cyrillic а in admin, signing in", "POST", "/api/v1/auth/login", "application/json",
			text(`{"username":"\u0430dmin","password":"` + testPassword + `"}`), "", 401, "unauthorized"},
		{"a fullwidth ａｄｍｉｎ, signing in", "POST", "/api/v1/auth/login", "application/json",
			text(`{"username":"ａｄｍｉｎ","password":"` + testPassword + `"}`), "", 401, "unauthorized"},
		{"a dotless ı in admin, signing in", "POST", "/api/v1/auth/login", "application/json",
			text(`{"username":"admın","password":"` + testPassword + `"}`), "", 401, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			contentType := tt.contentType
			switch {
			case tt.body != nil:
				body = tt.body(t)
			case strings.HasSuffix(tt.name, "as multipart"):
				body, contentType = multipartFile(t, reachHeader+"\n"+strings.Repeat("1,", 1_000_000)+"1\n")
			}
			before := written()
			idle := rssNow(t)
			resetPeakRSS(t)
			status, b := call(tt.method, tt.path, contentType, body, tt.token)
			peak := peakRSS(t)
			var e struct {
				Error struct{ Code, Message string }
			}
			_ = json.Unmarshal(b, &e)
			if status != tt.status || e.Error.Code != tt.code || tt.code != "" && e.Error.Message == "" {
				t.Errorf("%s %.60s (%d bytes) = %d %.300s; want %d %q", tt.method, tt.path, len(body), status, b, tt.status, tt.code)
			}
			if after := written(); after != before {
				t.Errorf("refused, but something was written:\nbefore %s\nafter  %s", before, after)
			}
			if grew := int64(peak) - int64(idle); grew > rssCeiling {
				t.Errorf("the resident memory grew by %d MiB while refusing (ceiling %d MiB)", grew>>20, rssCeiling>>20)
			}
			if status, _ := call("GET", "/readyz", "", nil, ""); status != http.StatusOK {
				t.Errorf("/readyz answers %d after the request", status)
			}
			t.Logf("%d bytes: %d %s; resident memory %d MiB, peak +%d MiB", len(body), status, e.Error.Code, idle>>20, (int64(peak)-int64(idle))>>20)
		})
	}
	// Formula text an admin's files put in the names and sources a report prints
	// comes out of its CSV with a leading apostrophe and out of its XLSX as text.
	t.Run("formula text exported", func(t *testing.T) {
		for _, f := range []struct{ path, csv string }{
			// Communes of Điện Bàn (507), which ended on 30/06/2025 as they do.
			{"/api/v1/orgunits/import", "code,name,type,level,parent_code,valid_to\n99901,@SUM(1+1),xã,commune,507,2025-06-30\n" +
				"99902,+cmd|' /C calc'!A0,xã,commune,507,2025-06-30\n"},
			{"/api/v1/populations/import", "org_unit_code,group,year,count,source\n507,students,2024,13000,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n"},
		} {
			if status, b := call("POST", f.path, "text/csv", []byte(f.csv), admin); status != http.StatusOK {
				t.Fatalf("POST %s: %d %s", f.path, status, b)
			}
		}
		const report = "/api/v1/campaigns/PCMD-2024/report?scope=507&asOf=2024-06-30&format="
		status, b := call("GET", report+"csv", "", nil, admin)
		if status != http.StatusOK {
			t.Fatalf("CSV report: %d %s", status, b)
		}
		records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, rec := range records {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("CSV cell %q would be read as a formula", cell)
				}
				for _, bad := range []string{"'@SUM(1+1)", "'+cmd", "'=HYPERLINK("} {
					found[bad] = found[bad] || strings.HasPrefix(cell, bad)
				}
			}
		}
		if len(found) != 3 || !found["'@SUM(1+1)"] || !found["'+cmd"] || !found["'=HYPERLINK("] {
			t.Errorf("the CSV report does not carry the three texts made inert: %v", found)
		}
		status, b = call("GET", report+"xlsx", "", nil, admin)
		if status != http.StatusOK {
			t.Fatalf("XLSX report: %d %.200s", status, b)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, part := range zr.File {
			if !strings.HasPrefix(part.Name, "xl/") || !strings.HasSuffix(part.Name, ".xml") {
				continue
			}
			rc, err := part.Open()
			if err != nil {
				t.Fatal(err)
			}
			x, _ := io.ReadAll(rc)
			rc.Close()
			if strings.Contains(string(x), "<f>") || strings.Contains(string(x), "<f ") {
				t.Errorf("the XLSX part %s holds a formula", part.Name)
			}
			all.Write(x)
		}
		for _, want := range []string{"@SUM(1+1)", "+cmd|", "=HYPERLINK("} {
			if !strings.Contains(html.UnescapeString(all.String()), want) {
				t.Errorf("the XLSX report does not carry %q as text", want)
			}
		}
	})

	// Pages of org units are kept by the parameters that make them, so parameters
	// the list does not read (here 60 kB each) do not fill the cache.
	t.Run("300 org-unit lists with 60 kB of unknown parameters", func(t *testing.T) {
		heap := func() uint64 {
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			return m.HeapAlloc
		}
		before := heap()
		for i := range 300 {
			if status, b := call("GET", fmt.Sprintf("/api/v1/orgunits?level=district&junk%d=%s", i, strings.Repeat("j", 60<<10)), "", nil, admin); status != http.StatusOK {
				t.Fatalf("%d %.200s", status, b)
			}
		}
		if grew := int64(heap()) - int64(before); grew > 8<<20 {
			t.Errorf("the heap kept %d MiB after 300 lists with unknown parameters", grew>>20)
		}
	})
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func text(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }

// multipartFile is a form with the file as its part "file".
func multipartFile(t *testing.T, content string) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", "bao-cao.csv")
	if err == nil {
		_, err = io.WriteString(part, content)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// deflated compresses prefix, then unit repeated times, then suffix, without
// compressing all of it: each piece is deflated once and the repeated piece's
// blocks are written times over (pieces ending on a sync flush join into one
// stream). It answers the stream, the CRC-32 and the size of what it unzips to.
func deflated(t *testing.T, prefix, unit []byte, times int, suffix []byte) ([]byte, uint32, uint64) {
	t.Helper()
	piece := func(p []byte, last bool) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		w.Write(p)
		if last {
			w.Close()
		} else {
			w.Flush()
		}
		return b.Bytes()
	}
	var out bytes.Buffer
	out.Write(piece(prefix, false))
	repeated := piece(unit, false)
	crc := crc32.Update(0, crc32.IEEETable, prefix)
	for range times {
		out.Write(repeated)
		crc = crc32.Update(crc, crc32.IEEETable, unit)
	}
	out.Write(piece(suffix, true))
	crc = crc32.Update(crc, crc32.IEEETable, suffix)
	return out.Bytes(), crc, uint64(len(prefix)+len(suffix)) + uint64(len(unit))*uint64(times)
}

// workbookParts writes an XLSX package of the given parts, the deflated ones
// (name → stream, CRC, size) written raw; lie declares 1 KiB for them.
func workbookParts(t *testing.T, sheet string, raw map[string]func() ([]byte, uint32, uint64), lie bool) []byte {
	t.Helper()
	const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
	parts := map[string]string{
		"[Content_Types].xml": head + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
		"_rels/.rels": head + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": head + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": head + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
	}
	if sheet != "" {
		parts["xl/worksheets/sheet1.xml"] = sheet
	}
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	for name, content := range parts {
		w, err := z.Create(name)
		if err == nil {
			_, err = io.WriteString(w, content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, part := range raw {
		stream, crc, size := part()
		if lie {
			size = 1 << 10
		}
		w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(stream)), UncompressedSize64: size})
		if err == nil {
			_, err = w.Write(stream)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// zipBomb is a workbook whose sheet unzips to size bytes of blank rows; lie
// declares the sheet 1 KiB.
func zipBomb(t *testing.T, size int, lie bool) []byte {
	row := []byte(`<row><c t="inlineStr"><is><t>` + strings.Repeat(" ", 1<<20) + `</t></is></c></row>`)
	return workbookParts(t, "", map[string]func() ([]byte, uint32, uint64){
		"xl/worksheets/sheet1.xml": func() ([]byte, uint32, uint64) {
			return deflated(t, []byte(sheetHead), row, size/len(row), []byte(`</sheetData></worksheet>`))
		},
		"xl/sharedStrings.xml": func() ([]byte, uint32, uint64) {
			return deflated(t, []byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`), nil, 0, []byte(`</sst>`))
		},
	}, lie)
}

// sharedStringsBomb is a workbook whose one shared string is size bytes, used in
// a thousand cells.
func sharedStringsBomb(t *testing.T, size int) []byte {
	var sheet strings.Builder
	sheet.WriteString(sheetHead)
	for n := 1; n <= 1000; n++ {
		sheet.WriteString(`<row r="` + strconv.Itoa(n) + `"><c r="A` + strconv.Itoa(n) + `" t="s"><v>0</v></c></row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	return workbookParts(t, sheet.String(), map[string]func() ([]byte, uint32, uint64){
		"xl/sharedStrings.xml": func() ([]byte, uint32, uint64) {
			return deflated(t, []byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>`), chunk, size>>20, []byte(`</t></si></sst>`))
		},
	}, false)
}

// rssNow is the process's resident memory, in bytes.
func rssNow(t *testing.T) uint64 { return procStatus(t, "VmRSS:") }

// peakRSS is the most resident memory the process has held since resetPeakRSS.
func peakRSS(t *testing.T) uint64 { return procStatus(t, "VmHWM:") }

// resetPeakRSS starts a new peak of resident memory (Linux's clear_refs).
func resetPeakRSS(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("resident memory cannot be measured here: %v", err)
	}
}

// procStatus reads a size in kB from /proc/self/status.
func procStatus(t *testing.T, field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("resident memory cannot be measured here: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
