package web

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/campaigns/reach"
)

// reachKind is the kind of the held files of reach imports.
const reachKind = "reach"

// importJob is an import run in the background on a held file: a file of 100,000
// rows takes longer than a browser waits, so the upload answers at once and a
// page follows the import's progress until it ends.
type importJob struct {
	campaign string
	fileName string
	dryRun   bool
	// total is the rows the dry run read, which an apply reads again (0 for a
	// dry run, which does not know them yet).
	total int
	rows  atomic.Int64
	share atomic.Uint64 // math.Float64bits of the share of the file read

	mu     sync.Mutex
	done   bool
	result importResult
	err    error
}

// running says whether the import is still reading its file (false for none).
func (j *importJob) running() bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return !j.done
}

// progress records how far the import has come; it is called after each row.
func (j *importJob) progress(p reach.ImportProgress) {
	j.rows.Store(int64(p.Rows))
	j.share.Store(math.Float64bits(p.Share))
}

// finish records the import's answer.
func (j *importJob) finish(sum loa.ImportSummary, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.done, j.err = true, err
	if err == nil {
		j.result = newImportResult(sum)
	}
}

// jobProgress is how far a running import has come, as its page shows it.
type jobProgress struct {
	Rows int64
	// Permille is how much is done, in thousandths; Known is false when the
	// import cannot tell (a workbook's dry run), and the bar only says it works.
	Permille int64
	Known    bool
	// Saving says the whole file is read and its rows are being written.
	Saving bool
}

// Percent is the share done in whole per cent.
func (p jobProgress) Percent() int64 { return p.Permille / 10 }

func (j *importJob) now() jobProgress {
	p := jobProgress{Rows: j.rows.Load()}
	share := math.Float64frombits(j.share.Load())
	if j.total > 0 {
		share = float64(p.Rows) / float64(j.total)
	}
	if share > 0 {
		p.Known, p.Permille = true, int64(min(share, 1)*1000)
	}
	p.Saving = !j.dryRun && p.Permille == 1000
	return p
}

// start runs an import of the held file id of owner in the background, unless one
// runs on it already or slots imports run in all (a BusyError).
func (h *heldFiles) start(id, owner string, now time.Time, slots int, job *importJob,
	run func(ctx context.Context, r io.Reader, job *importJob) (loa.ImportSummary, error)) error {
	h.mu.Lock()
	f, ok := h.files[id]
	if !ok || f.owner != owner || !now.Before(f.expires) {
		h.mu.Unlock()
		return errHeldGone
	}
	busy := 0
	for _, other := range h.files {
		if other.job.running() {
			busy++
		}
	}
	if f.job.running() || busy >= slots {
		h.mu.Unlock()
		return &loa.BusyError{RetryAfter: 30 * time.Second, Message: fmt.Sprintf(
			"Đang có %d lần nhập tệp chạy cùng lúc (tối đa); hãy thử lại sau ít phút.", slots)}
	}
	f.job, f.expires = job, now.Add(heldFor)
	h.mu.Unlock()
	go func() {
		defer func() { // a failure the status page reports (and logs), not a crash
			if r := recover(); r != nil {
				job.finish(loa.ImportSummary{}, fmt.Errorf("import of held file %s panicked: %v", id, r))
			}
		}()
		job.finish(run(context.Background(), io.NewSectionReader(f.file, 0, f.size), job))
	}()
	return nil
}

// reachImportPage is the data of the reach import page: the upload form, or the
// progress and answer of an import.
type reachImportPage struct {
	reachChoices
	MaxBytes string
	// Held is the id of the file an import runs on ("" on the upload form).
	Held     string
	FileName string
	Expires  time.Time
	DryRun   bool
	Running  bool
	Progress jobProgress
	// Result is the finished import's answer; Problem why it failed.
	Result  *importResult
	Problem string
}

func (p *Pages) reachImport(c *gin.Context) {
	p.renderReachImport(c, http.StatusOK, view{Form: url.Values{"campaign": {c.Query("campaign")}}}, reachImportPage{})
}

func (p *Pages) renderReachImport(c *gin.Context, status int, v view, data reachImportPage) {
	ch, err := p.reachChoicesFor(c.Request.Context(), current(c).User, v.Value("campaign"), "")
	if err != nil {
		p.fail(c, err)
		return
	}
	ch.Nav.Page = "import"
	data.reachChoices, data.MaxBytes = ch, p.Campaigns.ImportLimits().FileSize()
	v.Title, v.Data = "Nhập số liệu từ tệp Excel, CSV", data
	if data.Held != "" {
		v.Title = "Kết quả nhập tệp «" + data.FileName + "»"
	}
	p.render(c, status, "reach_import.html", v)
}

// reachTemplate sends the import template: a workbook with the lists of groups
// and activities, or a CSV file.
func (p *Pages) reachTemplate(c *gin.Context) {
	format := c.DefaultQuery("format", "xlsx")
	data, err := p.Reach.ReachTemplate(c.Request.Context(), format)
	if err != nil {
		p.fail(c, err)
		return
	}
	kind := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if format == "csv" {
		kind = "text/csv; charset=utf-8"
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="mau-nhap-so-lieu.%s"`, format))
	c.Data(http.StatusOK, kind, data)
}

// checkReachImport keeps the uploaded file and starts its dry run in the
// background, then sends the browser to the page that follows it.
func (p *Pages) checkReachImport(c *gin.Context) {
	up := c.MustGet(uploadKey).(upload)
	form := url.Values{"campaign": {up.form.Get("campaign")}}
	if up.file == nil || up.file.FileName() == "" {
		p.renderReachImport(c, http.StatusUnprocessableEntity, view{Form: form,
			Errors: map[string]string{"file": "Chọn một tệp CSV hoặc Excel (.xlsx)."}}, reachImportPage{})
		return
	}
	owner, lim := current(c).User.Username, p.Campaigns.ImportLimits()
	id, err := p.held.keep(owner, reachKind, up.file, lim.FileBytes, p.Now())
	if err == nil {
		job := &importJob{campaign: form.Get("campaign"), fileName: up.file.FileName(), dryRun: true}
		if err = p.startReachImport(c, id, job); err == nil {
			c.Redirect(http.StatusSeeOther, "/reach/import/"+id)
			return
		}
		p.held.drop(id)
	}
	status, msg, ok := importProblem(c, err)
	if !ok {
		p.fail(c, err)
		return
	}
	p.renderReachImport(c, status, view{Form: form, Errors: map[string]string{"file": msg}}, reachImportPage{})
}

// startReachImport runs the import job on the held file id, as the account.
func (p *Pages) startReachImport(c *gin.Context, id string, job *importJob) error {
	u := current(c).User
	return p.held.start(id, u.Username, p.Now(), p.Campaigns.ImportLimits().Slots, job,
		func(ctx context.Context, r io.Reader, job *importJob) (loa.ImportSummary, error) {
			return p.Reach.ImportReachWatched(ctx, u.Actor(), job.campaign, r, job.dryRun, job.progress)
		})
}

// reachImportStatus shows an import: its progress while it runs (polled by htmx
// every second, or reloaded by hand without JavaScript), then its answer.
func (p *Pages) reachImportStatus(c *gin.Context) {
	u := current(c).User
	id := c.Param("id")
	h, ok := p.held.get(id, u.Username, p.Now())
	if !ok || h.kind != reachKind || h.job == nil {
		_, msg, _ := importProblem(c, errHeldGone)
		p.problem(c, http.StatusGone, "Tệp không còn được giữ", msg)
		return
	}
	j := h.job
	data := reachImportPage{Held: id, FileName: j.fileName, Expires: h.expires, DryRun: j.dryRun,
		Running: j.running(), Progress: j.now()}
	if c.GetHeader("HX-Request") != "" {
		if !data.Running {
			c.Header("HX-Refresh", "true") // the answer is a whole page
			c.Status(http.StatusOK)
			return
		}
		p.render(c, http.StatusOK, "reach_import.html#progress", view{Data: data})
		return
	}
	if !data.Running {
		j.mu.Lock()
		result, err := j.result, j.err
		j.mu.Unlock()
		if err != nil {
			var known bool
			if _, data.Problem, known = importProblem(c, err); !known {
				p.fail(c, err)
				return
			}
		} else {
			data.Result = &result
		}
	}
	p.renderReachImport(c, http.StatusOK, view{Form: url.Values{"campaign": {j.campaign}}}, data)
}

// applyReachImport imports the checked file for real, in the background.
func (p *Pages) applyReachImport(c *gin.Context) {
	id := c.Param("id")
	h, ok := p.held.get(id, current(c).User.Username, p.Now())
	if !ok || h.kind != reachKind || h.job == nil || !h.job.dryRun || h.job.running() {
		redirect(c, "/reach/import/"+id, "")
		return
	}
	checked := h.job
	checked.mu.Lock()
	read := checked.result.Summary.Read
	checked.mu.Unlock()
	err := p.startReachImport(c, id, &importJob{campaign: checked.campaign, fileName: checked.fileName, total: read})
	if err != nil {
		_, msg, _ := importProblem(c, err)
		redirect(c, "/reach/import/"+id, msg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/reach/import/"+id)
}
