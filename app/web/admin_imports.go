package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/app/api"
	"loa/campaigns"
)

// importKind is a kind of file the imports page takes.
type importKind struct {
	Name, Label, Columns string
	action               access.Action
	run                  func(*campaigns.Service) func(context.Context, loa.Actor, io.Reader, bool) (loa.ImportSummary, error)
}

var importKinds = []importKind{
	{"orgunits", "Đơn vị hành chính (tỉnh, huyện, xã)", "code, name, type, level, parent_code (tuỳ chọn: valid_from, valid_to, successor_codes)",
		access.WriteOrgUnits, func(s *campaigns.Service) func(context.Context, loa.Actor, io.Reader, bool) (loa.ImportSummary, error) {
			return s.ImportOrgUnits
		}},
	{"populations", "Mẫu số: số người theo nhóm đối tượng", "org_unit_code, group, year, count, source",
		access.WritePopulations, func(s *campaigns.Service) func(context.Context, loa.Actor, io.Reader, bool) (loa.ImportSummary, error) {
			return s.ImportPopulations
		}},
}

func kindNamed(name string) (importKind, bool) {
	i := slices.IndexFunc(importKinds, func(k importKind) bool { return k.Name == name })
	if i < 0 {
		return importKind{}, false
	}
	return importKinds[i], true
}

// maxShownConflicts bounds the table of a dry run's conflicts; the rest are counted.
const maxShownConflicts = 200

// importsPage is the data of the imports page.
type importsPage struct {
	Kinds    []importKind
	MaxBytes string
	// Checked is the dry run just made, if any.
	Checked *checkedImport
}

// importCounts are a summary's counts, as the page shows numbers.
type importCounts struct{ Read, Imported, Updated, Unchanged, Ignored, More int64 }

// importResult is an import's summary as the pages show it (the "import-result"
// partial): its counts and its first conflicts in Vietnamese.
type importResult struct {
	Summary loa.ImportSummary
	Counts  importCounts
	// Conflicts are the first maxShownConflicts (in Vietnamese); Counts.More
	// counts the others.
	Conflicts []loa.Conflict
}

func newImportResult(sum loa.ImportSummary) importResult {
	r := importResult{Summary: sum, Conflicts: sum.Conflicts[:min(len(sum.Conflicts), maxShownConflicts)]}
	r.Counts = importCounts{Read: int64(sum.Read), Imported: int64(sum.Imported), Updated: int64(sum.Updated),
		Unchanged: int64(sum.Unchanged), Ignored: int64(sum.Ignored),
		More: int64(len(sum.Conflicts) - len(r.Conflicts) + sum.ConflictsOmitted)}
	for i := range r.Conflicts {
		r.Conflicts[i].Message = vietnamese(r.Conflicts[i].Message)
	}
	return r
}

// checkedImport is a dry run's answer and what is needed to apply the same file.
type checkedImport struct {
	Kind     importKind
	FileName string
	importResult
	// Held is the id of the file kept for "Áp dụng" until Expires.
	Held    string
	Expires time.Time
}

func (p *Pages) imports(c *gin.Context) {
	p.renderImports(c, http.StatusOK, view{Form: url.Values{"kind": {c.DefaultQuery("kind", "orgunits")}}}, nil)
}

func (p *Pages) renderImports(c *gin.Context, status int, v view, checked *checkedImport) {
	u := current(c).User
	data := importsPage{MaxBytes: p.Campaigns.ImportLimits().FileSize(), Checked: checked}
	for _, k := range importKinds {
		if u.Can(k.action) {
			data.Kinds = append(data.Kinds, k)
		}
	}
	v.Title, v.Data = "Nhập đơn vị hành chính và mẫu số", data
	p.render(c, status, "admin_imports.html", v)
}

// uploadKey holds the upload readUpload found for the handler.
const uploadKey = "loa.web.upload"

// upload is a multipart form read up to its file: the fields before it and the
// file's part, still unread.
type upload struct {
	form url.Values
	file *multipart.Part
}

// readUpload reads the small fields of a multipart form up to its file, within the
// import's size limit, and hands the CSRF token it carries to checkCSRF: the file
// is then spooled once, by the handler, and never parsed whole into memory. The
// form puts its csrf_token field first.
func (p *Pages) readUpload(c *gin.Context) {
	lim := p.Campaigns.ImportLimits()
	api.AllowImport(c, lim.Time)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, lim.FileBytes+uploadSlack)
	up := upload{form: url.Values{}}
	mr, err := c.Request.MultipartReader()
	for err == nil && up.file == nil && len(up.form) < 8 {
		var part *multipart.Part
		if part, err = mr.NextPart(); err != nil {
			break
		}
		if part.FormName() == "file" {
			up.file = part
			break
		}
		value, _ := io.ReadAll(io.LimitReader(part, 1<<10))
		up.form.Add(part.FormName(), string(value))
	}
	if token := up.form.Get(csrfField); token != "" {
		c.Request.Header.Set("X-CSRF-Token", token)
	}
	c.Set(uploadKey, up)
	c.Next()
}

// checkImport keeps the uploaded file and imports it as a dry run: the page shows
// what applying it would do, row by row, and a button to apply that same file.
func (p *Pages) checkImport(c *gin.Context) {
	up := c.MustGet(uploadKey).(upload)
	form := url.Values{"kind": {up.form.Get("kind")}}
	kind, ok := kindNamed(up.form.Get("kind"))
	switch {
	case !ok:
		p.renderImports(c, http.StatusUnprocessableEntity, view{Form: form, Errors: map[string]string{"kind": "Chọn loại dữ liệu cần nhập."}}, nil)
		return
	case !current(c).User.Can(kind.action):
		p.forbidden(c)
		return
	case up.file == nil || up.file.FileName() == "":
		p.renderImports(c, http.StatusUnprocessableEntity, view{Form: form, Errors: map[string]string{"file": "Chọn một tệp CSV hoặc Excel (.xlsx)."}}, nil)
		return
	}
	owner := current(c).User.Username
	id, err := p.held.keep(owner, kind.Name, up.file, p.Campaigns.ImportLimits().FileBytes, p.Now())
	if err == nil {
		var checked *checkedImport
		if checked, err = p.runHeld(c.Request.Context(), current(c).User, id, true); err == nil {
			checked.FileName = up.file.FileName()
			p.renderImports(c, http.StatusOK, view{Form: form}, checked)
			return
		}
		p.held.drop(id)
	}
	p.importFailed(c, form, err)
}

// applyImport imports the file a dry run kept, for real.
func (p *Pages) applyImport(c *gin.Context) {
	id := c.PostForm("held")
	sum, err := p.runHeld(c.Request.Context(), current(c).User, id, false)
	if err != nil {
		if !errors.Is(err, loa.ErrBusy) { // a busy import may be applied again
			p.held.drop(id)
		}
		p.importFailed(c, url.Values{"kind": {c.PostForm("kind")}}, err)
		return
	}
	p.held.drop(id)
	n := sum.Counts
	redirect(c, "/admin/imports?kind="+url.QueryEscape(sum.Kind.Name), fmt.Sprintf(
		"Đã nhập %s: %s mới, %s cập nhật, %s không đổi, %s dòng bị bỏ qua.", sum.Kind.Label,
		loa.Number(n.Imported), loa.Number(n.Updated), loa.Number(n.Unchanged), loa.Number(n.Ignored)))
}

// runHeld imports the held file id of u, as a dry run or not.
func (p *Pages) runHeld(ctx context.Context, u access.User, id string, dryRun bool) (*checkedImport, error) {
	h, ok := p.held.get(id, u.Username, p.Now())
	if !ok {
		return nil, errHeldGone
	}
	kind, _ := kindNamed(h.kind)
	if !u.Can(kind.action) {
		return nil, access.ErrForbidden
	}
	sum, err := kind.run(p.Campaigns)(ctx, u.Actor(), io.NewSectionReader(h.file, 0, h.size), dryRun)
	if err != nil {
		return nil, err
	}
	return &checkedImport{Kind: kind, importResult: newImportResult(sum), Held: id, Expires: h.expires}, nil
}

var errHeldGone = errors.New("the checked file is no longer held")

// importFailed shows why a file was not imported, beside the file field: a file
// past a limit (413), no free import slot (429), a file that is neither CSV nor
// XLSX (415), a file whose columns are wrong (422), a checked file no longer kept
// (410).
func (p *Pages) importFailed(c *gin.Context, form url.Values, err error) {
	status, msg, ok := importProblem(c, err)
	if !ok {
		p.fail(c, err)
		return
	}
	p.renderImports(c, status, view{Form: form, Errors: map[string]string{"file": msg}}, nil)
}

// importProblem says why a file was not imported, in Vietnamese, with its status;
// ok is false for an error that is not about the file.
func importProblem(c *gin.Context, err error) (status int, msg string, ok bool) {
	var limit *loa.LimitError
	var busy *loa.BusyError
	switch {
	case errors.As(err, &limit):
		return http.StatusRequestEntityTooLarge, limit.Message, true
	case errors.As(err, &busy):
		c.Header("Retry-After", strconv.Itoa(int(busy.RetryAfter.Seconds())))
		return http.StatusTooManyRequests, busy.Message, true
	case errors.Is(err, loa.ErrUnsupportedFile):
		return http.StatusUnsupportedMediaType, "Tệp không phải CSV (văn bản UTF-8) hay sổ Excel (.xlsx). Hãy lưu lại đúng định dạng rồi chọn lại.", true
	case errors.Is(err, errHeldGone):
		return http.StatusGone, "Tệp đã kiểm tra không còn được giữ (quá 15 phút, đã áp dụng, hoặc có tệp kiểm tra mới hơn). Hãy chọn tệp và kiểm tra lại.", true
	}
	errs, ok := formErrors(err)
	for _, m := range errs {
		msg = m
	}
	return http.StatusUnprocessableEntity, msg, ok
}

// heldFiles keeps the files of dry runs, so that "Áp dụng" imports the very file
// checked without a second upload (a phone on 3G pays for an upload once). Each is
// an unlinked temporary file (nothing is left behind, even by a crash), kept for
// heldFor and only for the account that uploaded it, one per account and at most
// maxHeld in all: the oldest goes first, but never one a background import
// (importJob) is reading.
type heldFiles struct {
	mu    sync.Mutex
	files map[string]*heldFile
}

type heldFile struct {
	file    *os.File
	size    int64
	kind    string
	owner   string
	expires time.Time
	// job is the import run on the file in the background, if any (reach imports).
	job *importJob
}

const (
	heldFor = 15 * time.Minute
	maxHeld = 8
)

// keep spools r (at most max bytes) and holds it for owner.
func (h *heldFiles) keep(owner, kind string, r io.Reader, max int64, now time.Time) (string, error) {
	file, size, err := campaigns.Spool(r, max)
	if err != nil {
		return "", err
	}
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.files == nil {
		h.files = map[string]*heldFile{}
	}
	var oldest string
	for k, f := range h.files {
		switch {
		case f.job.running():
		case f.owner == owner || !now.Before(f.expires):
			h.close(k)
		case oldest == "" || f.expires.Before(h.files[oldest].expires):
			oldest = k
		}
	}
	if len(h.files) >= maxHeld {
		if oldest == "" {
			file.Close()
			return "", &loa.BusyError{RetryAfter: time.Minute, Message: "Các lần nhập tệp khác đang chạy; hãy thử lại sau ít phút."}
		}
		h.close(oldest)
	}
	h.files[id] = &heldFile{file: file, size: size, kind: kind, owner: owner, expires: now.Add(heldFor)}
	return id, nil
}

// get returns the file id held for owner as it is now, unless it expired.
func (h *heldFiles) get(id, owner string, now time.Time) (heldFile, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.files[id]
	if !ok || f.owner != owner {
		return heldFile{}, false
	}
	if !now.Before(f.expires) {
		h.close(id)
		return heldFile{}, false
	}
	return *f, true
}

// drop lets the file id go.
func (h *heldFiles) drop(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.close(id)
}

// close removes the file id, unless an import is reading it; the caller holds mu.
func (h *heldFiles) close(id string) {
	if f, ok := h.files[id]; ok && !f.job.running() {
		f.file.Close()
		delete(h.files, id)
	}
}
