package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
	"loa/campaigns/report"
	"loa/campaigns/report/export"
)

// reportsPage is the data of the periodic report page: the campaign and period
// chosen, the report's verdicts, its downloads and the narrative the
// secretariat writes for it.
type reportsPage struct {
	Campaigns []campaigns.Campaign
	Campaign  string
	Windows   []report.Window
	Window    report.Window
	Report    report.Report
	Draft     report.Draft
	// Sections pair each heading of the form with its field and text.
	Sections []draftSection
	CanWrite bool
	// Downloads are the report's formats, linked with the period.
	Downloads []download
	// Map is the map of units asked, as entered (empty: the window's end).
	Map string
}

type draftSection struct {
	Heading, Field, Help, Text string
}

type download struct {
	Label, Href, Help string
}

// draftFields are the form's fields of the four sections, in order, with their help.
var draftFields = []struct{ field, help string }{
	{"results", "Phần nhận xét chung về kết quả; Loa tự chèn số liệu và bảng chỉ tiêu ngay sau đoạn này."},
	{"shortcomings", "Những việc chưa làm được và vì sao."},
	{"tasks", "Việc sẽ làm trong kỳ tới."},
	{"proposals", "Đề xuất, kiến nghị với cấp trên."},
}

func (p *Pages) reports(c *gin.Context) {
	d, ok := p.reportsData(c, c.Query("campaign"), c.Query("period"))
	if !ok {
		return
	}
	p.renderReports(c, http.StatusOK, d, view{})
}

// reportsData reads what the page shows for a campaign and period (defaults: the
// first campaign, the latest period that has not ended), or answers the error.
func (p *Pages) reportsData(c *gin.Context, code, period string) (reportsPage, bool) {
	ctx, u := c.Request.Context(), current(c).User
	all, err := p.Campaigns.Campaigns(ctx)
	if err != nil {
		p.fail(c, err)
		return reportsPage{}, false
	}
	d := reportsPage{Campaigns: all, CanWrite: u.Can(access.WriteDrafts)}
	if len(all) == 0 {
		return d, true
	}
	d.Campaign = code
	if code == "" {
		d.Campaign = all[0].Code
	}
	if d.Windows, err = p.Reports.Windows(ctx, d.Campaign); err != nil {
		p.fail(c, err)
		return reportsPage{}, false
	}
	if period == "" {
		period = defaultWindow(d.Windows, loa.DateOf(p.Now().In(p.Zone))).Period
	}
	i := slices.IndexFunc(d.Windows, func(w report.Window) bool { return w.Period == period })
	if i < 0 {
		p.problem(c, http.StatusBadRequest, "Yêu cầu không hợp lệ", fmt.Sprintf("Kỳ báo cáo %s nằm ngoài thời gian của chương trình %s.", period, d.Campaign))
		return reportsPage{}, false
	}
	d.Window = d.Windows[i]
	d.Map = strings.TrimSpace(c.Query("map"))
	var on loa.Date
	if d.Map != "" {
		var ok bool
		if on, ok = parseDate(d.Map); !ok {
			p.problem(c, http.StatusBadRequest, "Yêu cầu không hợp lệ", "Ngày của danh mục đơn vị không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025.")
			return reportsPage{}, false
		}
	}
	if d.Report, err = p.Reports.Report(ctx, u.Actor(), d.Campaign, report.ReportQuery{Period: period, Map: string(on),
		Suppress: !u.Can(access.ReadSmallCells)}); err != nil {
		p.fail(c, err)
		return reportsPage{}, false
	}
	if d.Draft, err = p.Reports.Draft(ctx, d.Campaign, period); err != nil {
		p.fail(c, err)
		return reportsPage{}, false
	}
	q := url.Values{"period": {period}}
	if on != "" {
		q.Set("map", string(on))
	}
	base := "/api/v1/campaigns/" + url.PathEscape(d.Campaign) + "/report?"
	for _, f := range []struct{ format, label, help string }{
		{"docx", "Báo cáo (Word, mẫu Nghị định 30)", "Thể thức văn bản hành chính, có phần viết dưới đây; in ra để ký."},
		{"html", "Bản in", "Cùng thể thức, mở trong trình duyệt để in, kèm phụ lục số liệu."},
		{"xlsx", "Bảng tính Excel", "Các chỉ tiêu, số liệu theo huyện và dữ liệu chi tiết."},
		{"csv", "Dữ liệu CSV", "Một dòng cho mỗi số liệu, để xử lý thêm."},
	} {
		q.Set("format", f.format)
		d.Downloads = append(d.Downloads, download{Label: f.label, Href: base + q.Encode(), Help: f.help})
	}
	return d, true
}

// defaultWindow is the half-year or year (in that order) of today's year that
// has not ended, else the whole campaign.
func defaultWindow(ws []report.Window, today loa.Date) report.Window {
	year := strconv.Itoa(today.Year())
	for _, p := range []string{year + "-H1", year} {
		for _, w := range ws {
			if w.Period == p && w.To >= today {
				return w
			}
		}
	}
	return ws[0]
}

// renderReports shows the page; v carries a refused form's values and errors.
func (p *Pages) renderReports(c *gin.Context, status int, d reportsPage, v view) {
	for i, h := range export.Sections {
		text := d.Draft.Sections()[i]
		if v.Form != nil {
			text = v.Value(draftFields[i].field)
		}
		d.Sections = append(d.Sections, draftSection{Heading: h, Field: draftFields[i].field, Help: draftFields[i].help, Text: text})
	}
	v.Title = "Báo cáo định kỳ"
	v.Data = d
	p.render(c, status, "reports.html", v)
}

// saveDraft stores the four sections of the narrative for the chosen period.
func (p *Pages) saveDraft(c *gin.Context) {
	code, period := c.PostForm("campaign"), c.PostForm("period")
	version, err := strconv.ParseInt(cmp.Or(c.PostForm("version"), "0"), 10, 64)
	if err != nil {
		version = -1 // refused by the service as a stale version
	}
	in := report.Draft{Results: c.PostForm("results"), Shortcomings: c.PostForm("shortcomings"),
		Tasks: c.PostForm("tasks"), Proposals: c.PostForm("proposals"), Version: version}
	_, err = p.Reports.PutDraft(c.Request.Context(), current(c).User.Actor(), code, period, in)
	if err == nil {
		redirect(c, "/reports?"+url.Values{"campaign": {code}, "period": {period}}.Encode(), "Đã lưu phần viết của báo cáo.")
		return
	}
	errs, ok := formErrors(err)
	if !ok || errs["period"] != "" {
		p.fail(c, err)
		return
	}
	d, ok := p.reportsData(c, code, period)
	if !ok {
		return
	}
	form := url.Values{}
	for _, f := range draftFields {
		form.Set(f.field, c.PostForm(f.field))
	}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, loa.ErrConflict) {
		// The text saved meanwhile is shown beside the form; saving again replaces it.
		status = http.StatusConflict
	}
	p.renderReports(c, status, d, view{Form: form, Errors: errs})
}

// draftMessages are the messages of report drafts.
var draftMessages = []message{
	{regexp.MustCompile(`^a section holds at most (\d+) characters, this one has (\d+)$`), "Mỗi mục viết tối đa $1 ký tự; mục này có $2 ký tự."},
	{regexp.MustCompile(`^text is not valid UTF-8$`), "Văn bản có ký tự không đọc được; hãy gõ lại hoặc dán dạng văn bản thuần."},
	{regexp.MustCompile(`^the draft was saved by (\S*) since \(version (\d+), yours is \d+\): reload it and apply your changes again$`),
		"$1 đã lưu bản khác (lần lưu thứ $2) sau khi bạn mở trang. Bản đó đang hiện bên dưới; phần bạn viết vẫn giữ trong ô. Bấm «Lưu» lần nữa sẽ thay bản của $1 bằng bản của bạn."},
}
