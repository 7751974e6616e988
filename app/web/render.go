package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns/report"
	"loa/content"
	"loa/scheduler"
)

// view is what every page template receives: the layout's parts and the page's own
// data.
type view struct {
	Title   string
	Session *session
	Nav     []navItem
	Flash   string
	// Data is the page's own data.
	Data any
	// Form holds the values entered, shown again with Errors beside their fields when
	// a form is refused.
	Form   url.Values
	Errors map[string]string
}

// Value is what was entered in field, for a form shown again.
func (v view) Value(field string) string { return v.Form.Get(field) }

// navItem is one link of the navigation bar.
type navItem struct {
	Label, Href string
	Current     bool
}

// navigation lists the sections an account may use, in the order of its work.
var navigation = []struct {
	label, href string
	action      access.Action
}{
	{"Việc cần làm", "/", ""},
	{"Chương trình", "/campaigns", access.ReadCampaigns},
	{"Báo cáo", "/reports", access.ReadReports},
	{"Lịch phát", "/calendar", access.ReadSchedule},
	{"Lịch khung", "/rules", access.ReadSchedule},
	{"Đài", "/stations", access.ReadSchedule},
	{"Nội dung", "/contents", access.ReadContent},
	{"Số liệu", "/reach", access.ReadReach},
	{"Chỉ tiêu nhập tay", "/reach/manual", access.ReadReports},
	{"Duyệt bài", "/review", access.ReviewContent},
	{"Quản trị", "/admin", access.ManageUsers},
	{"Tác vụ", "/admin/jobs", access.ReadJobs},
	{"Tài khoản", "/me", access.ManageOwnAccount},
}

func (p *Pages) nav(s *session, current string) []navItem {
	var items []navItem
	for _, n := range navigation {
		if n.action != "" && !s.User.Can(n.action) {
			continue
		}
		// A section inside one already listed is reached from there (an admin's
		// jobs are under "Quản trị"; a planner's have their own entry).
		if slices.ContainsFunc(items, func(i navItem) bool { return strings.HasPrefix(n.href, i.Href+"/") }) {
			continue
		}
		here := current == n.href || n.href != "/" && strings.HasPrefix(current, n.href+"/")
		items = append(items, navItem{Label: n.label, Href: n.href, Current: here})
	}
	return items
}

// roleNames are the roles as the pages name them.
var roleNames = map[string]string{
	access.RoleAdmin: "Quản trị", access.RolePlanner: "Lập kế hoạch", access.RoleApprover: "Duyệt nội dung",
	access.RoleStation: "Đài truyền thanh", access.RoleReporter: "Báo cáo số liệu", access.RoleViewer: "Theo dõi",
}

// statuses name every status a page shows (airings, content items, indicators), in
// Vietnamese with a symbol, so that colour is never the only sign.
var statuses = map[string]struct{ label, class string }{
	scheduler.StatusPlanned:     {"◷ Đã lên lịch", "info"},
	scheduler.StatusDelivered:   {"↓ Đài đã nhận", "info"},
	scheduler.StatusAired:       {"✓ Đã phát", "ok"},
	scheduler.StatusMissed:      {"✗ Không phát", "bad"},
	scheduler.StatusUnconfirmed: {"? Chưa xác nhận", "warn"},
	scheduler.StatusCancelled:   {"— Đã huỷ", "bad"},
	scheduler.StatusNoContent:   {"! Chưa có nội dung", "warn"},
	scheduler.StatusPublished:   {"✓ Đã đăng", "ok"},
	content.StatusDraft:         {"✎ Bản nháp", "info"},
	content.StatusInReview:      {"◷ Chờ duyệt", "warn"},
	content.StatusApproved:      {"✓ Đã duyệt", "ok"},
	content.StatusArchived:      {"— Lưu trữ", "info"},
	report.StatusMet:            {"✓ Đạt", "ok"},
	report.StatusOnTrack:        {"↗ Đúng tiến độ", "ok"},
	report.StatusAtRisk:         {"! Có nguy cơ", "warn"},
	report.StatusOffTrack:       {"✗ Chậm tiến độ", "bad"},
	report.StatusCannotMeet:     {"✗ Không thể đạt", "bad"},
	report.StatusNotMeasurable:  {"– Chưa đo được", "info"},
}

// statusBadge is a status as a badge: its word and symbol in the colour of its kind.
func statusBadge(status string) template.HTML {
	s, ok := statuses[status]
	if !ok {
		s = struct{ label, class string }{status, "info"}
	}
	return template.HTML(`<span class="status ` + s.class + `">` + template.HTMLEscapeString(s.label) + `</span>`)
}

// views are the parsed pages, each on its own copy of the layout.
type views struct {
	pages map[string]*template.Template
}

func parseViews(files fs.FS, zone *time.Location) (*views, error) {
	if zone == nil {
		zone = time.UTC
	}
	base, err := template.New("layout.html").Funcs(funcs(zone)).ParseFS(files, "layout.html", "_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, name := range names {
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// funcs are the template functions: Vietnamese dates (dd/mm/yyyy), times (06:30) and
// numbers (1.234) in the deployment's zone.
func funcs(zone *time.Location) template.FuncMap {
	return template.FuncMap{
		"date": func(v any) string {
			switch d := v.(type) {
			case loa.Date:
				return d.Display()
			case time.Time:
				if d.IsZero() {
					return ""
				}
				return d.In(zone).Format("02/01/2006")
			}
			return fmt.Sprint(v)
		},
		"clock":    func(t time.Time) string { return t.In(zone).Format("15:04") },
		"datetime": func(t time.Time) string { return t.In(zone).Format("02/01/2006 15:04") },
		"num":      func(n int64) string { return loa.Number(n) },
		"role":     func(r string) string { return roleNames[r] },
		"status":   statusBadge,
		"percent":  percent,
	}
}

// percent writes a fraction as a percentage with one decimal: 0.705 → "70,5 %".
func percent(f float64) string {
	return strings.Replace(fmt.Sprintf("%.1f", f*100), ".", ",", 1) + " %"
}

// render writes a page through a buffer, so a template error becomes a clean 500.
// The name is a page's file, or "page.html#block" for one block of it (an htmx
// fragment).
func (p *Pages) render(c *gin.Context, status int, name string, v view) {
	file, block, _ := strings.Cut(name, "#")
	t, ok := p.views.pages[file]
	if !ok {
		p.fail(c, fmt.Errorf("no page template %s", file))
		return
	}
	if block == "" {
		block = "layout"
	}
	if s, ok := c.Get(sessionKey); ok {
		v.Session = s.(*session)
		v.Nav = p.nav(v.Session, c.Request.URL.Path)
	}
	if v.Flash == "" {
		v.Flash = takeFlash(c)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		p.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// problemPage is the data of an error page.
type problemPage struct {
	Message string
}

// problem answers an error page with a title and a message in Vietnamese.
func (p *Pages) problem(c *gin.Context, status int, title, message string) {
	p.render(c, status, "problem.html", view{Title: title, Data: problemPage{Message: message}})
}

func (p *Pages) forbidden(c *gin.Context) {
	p.problem(c, http.StatusForbidden, "Không có quyền truy cập",
		"Vai trò của tài khoản này không cho phép mở trang này. Nếu cần, hãy đề nghị quản trị viên cấp quyền.")
}

// NotFound is the Vietnamese 404 page for paths outside the API.
func (p *Pages) NotFound(c *gin.Context) {
	if s := p.session(c); s != nil {
		c.Set(sessionKey, s)
	}
	p.problem(c, http.StatusNotFound, "Không tìm thấy trang",
		"Địa chỉ này không có trong Loa, hoặc mục đã bị xoá. Hãy quay lại trang chủ.")
}

// fail answers an error a service returned: the kinds a person can act on get their
// page; anything else is logged and answered with a 500 page that says nothing of
// its cause.
func (p *Pages) fail(c *gin.Context, err error) {
	var busy *loa.BusyError
	var limit *loa.LimitError
	switch {
	case errors.As(err, &busy):
		c.Header("Retry-After", strconv.Itoa(int(busy.RetryAfter.Seconds())))
		p.problem(c, http.StatusTooManyRequests, "Hệ thống đang bận", busy.Message)
	case errors.As(err, &limit):
		p.problem(c, http.StatusRequestEntityTooLarge, "Vượt giới hạn", limit.Message)
	case errors.Is(err, loa.ErrNotFound):
		p.problem(c, http.StatusNotFound, "Không tìm thấy", "Mục này không tồn tại hoặc đã bị xoá.")
	case errors.Is(err, access.ErrForbidden), errors.Is(err, loa.ErrForbidden):
		p.forbidden(c)
	case errors.Is(err, loa.ErrOutsideScope):
		p.problem(c, http.StatusForbidden, "Ngoài phạm vi", "Mục này thuộc đơn vị ngoài phạm vi của tài khoản.")
	case errors.Is(err, loa.ErrInvalid):
		// A bad parameter in a link (a form's bad input is shown beside its field).
		errs, _ := formErrors(err)
		p.problem(c, http.StatusBadRequest, "Yêu cầu không hợp lệ", strings.Join(slices.Sorted(maps.Values(errs)), " "))
	default:
		p.Log.ErrorContext(c.Request.Context(), "page failed", "path", c.Request.URL.Path, "error", err)
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Lỗi hệ thống. Hãy thử lại sau ít phút."))
	}
	c.Abort()
}

// flashCookie carries a one-line message to the page a form redirects to.
const flashCookie = "loa_flash"

// redirect ends a form's POST: it goes to target (303) with a message for the next
// page.
func redirect(c *gin.Context, target, flash string) {
	if flash != "" {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie(flashCookie, url.QueryEscape(flash), 60, "/", "", c.Request.TLS != nil, true)
	}
	c.Redirect(http.StatusSeeOther, target)
}

func takeFlash(c *gin.Context) string {
	raw, err := c.Cookie(flashCookie)
	if err != nil || raw == "" {
		return ""
	}
	c.SetCookie(flashCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	msg, err := url.QueryUnescape(raw)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

// formErrors turns a service's refusal of a form into messages beside the fields, in
// Vietnamese; ok is false for an error that is not about the input.
func formErrors(err error) (map[string]string, bool) {
	var ve *loa.ValidationError
	var fc *loa.FieldConflict
	switch {
	case errors.As(err, &ve):
		m := make(map[string]string, len(ve.Details))
		for _, d := range ve.Details {
			if _, dup := m[d.Field]; !dup {
				m[d.Field] = vietnamese(d.Message)
			}
		}
		return m, true
	case errors.As(err, &fc):
		return map[string]string{fc.Field: vietnamese(fc.Message)}, true
	case errors.Is(err, loa.ErrConflict), errors.Is(err, loa.ErrInvalid):
		return map[string]string{"": vietnamese(err.Error())}, true
	}
	return nil, false
}
