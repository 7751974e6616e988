package web

import (
	"context"
	"errors"
	"html/template"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/content"
)

// contentPage is the data of an item's page.
type contentPage struct {
	Item    contentRow
	Shown   content.Version
	Preview contentPreview
	// Versions are every version, newest first; Diff compares two of them when asked.
	Versions []content.Version
	Diff     *contentDiff
	// Variants are the other items of the same message (its master and the master's
	// other variants, or its own variants).
	Variants []contentRow
	// Master is the item new variants are made of: this one, or its master.
	Master string
	Names  contentNames
	// Write and Review say what the account may do; Editable whether the item can
	// be changed now (a draft or an approved item).
	Write, Review, Editable bool
	// MaxUpload is the attachment size limit, in MB.
	MaxUpload int
}

// CampaignNames names the campaigns of the version shown.
func (d contentPage) CampaignNames() string { return labels(d.Names.Campaigns, d.Shown.Campaigns) }

// GroupNames names the target groups of the version shown.
func (d contentPage) GroupNames() string { return labels(d.Names.Groups, d.Shown.Groups) }

// Validity says when the item may be used, "" when always.
func (d contentPage) Validity() string {
	var parts []string
	if f := d.Item.ValidFrom; f != nil {
		parts = append(parts, "từ "+f.Display())
	}
	if t := d.Item.ValidTo; t != nil {
		parts = append(parts, "đến "+t.Display())
	}
	return strings.Join(parts, " ")
}

// Audio says whether the attachment shown is a recording (else an image).
func (d contentPage) Audio() bool {
	return d.Shown.Attachment != nil && strings.HasPrefix(d.Shown.Attachment.ContentType, "audio/")
}

// contentPreview is a version rendered as a page shows it: its HTML and read-aloud
// text with the placeholders filled with example values, reading time against
// the slot, and the submit checks in Vietnamese.
type contentPreview struct {
	HTML     template.HTML
	Text     string
	Reading  string
	Slot     string
	OverSlot bool
	Warnings []string
}

// exampleFields fill the placeholders of a preview with words that say what goes
// there.
func (p *Pages) exampleFields() content.Fields {
	return p.Content.PreviewFields("xã [tên xã]", "huyện [tên huyện]", time.Time{})
}

// preview renders a message for a page.
func (p *Pages) preview(m content.Message) (contentPreview, error) {
	r, err := p.Content.PreviewMessage(m, p.exampleFields())
	if err != nil {
		return contentPreview{}, err
	}
	out := contentPreview{HTML: demoteHeadings(r.HTML), Text: r.Text, Reading: seconds(r.ReadSeconds)}
	if r.SlotSeconds > 0 {
		out.Slot, out.OverSlot = seconds(r.SlotSeconds), r.ReadSeconds > r.SlotSeconds
	}
	out.Warnings = warningsVi(r.Warnings)
	return out, nil
}

// warningsVi says the submit checks in Vietnamese, with their lines.
func warningsVi(ws []content.Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = vietnamese(w.Message)
		if w.Line > 0 {
			out[i] = "Dòng " + strconv.Itoa(w.Line) + ": " + out[i]
		}
	}
	return out
}

// contentDiff is what changed between two versions, as a page shows it.
type contentDiff struct {
	From, To int
	Changed  []content.FieldChange
	Lines    []diffLine
}

// diffLine is a line of a unified diff and how it is marked: added, removed or
// the same.
type diffLine struct {
	Text, Class string
}

// fieldNames are the settings a diff names.
var fieldNames = map[string]string{
	"kind": "Loại", "title": "Tiêu đề", "language": "Ngôn ngữ", "groups": "Nhóm đối tượng", "tags": "Thẻ",
	"campaigns": "Chương trình", "validFrom": "Dùng từ ngày", "validTo": "Dùng đến ngày", "slotSeconds": "Khung phát (giây)",
}

// FieldName names a setting of a diff.
func (contentDiff) FieldName(f string) string { return fieldNames[f] }

func diffOf(d content.Diff) *contentDiff {
	out := &contentDiff{From: d.From, To: d.To, Changed: slices.Clone(d.Changed)}
	for i, ch := range out.Changed {
		if ch.Field == "validFrom" || ch.Field == "validTo" { // dd/mm/yyyy on the page
			out.Changed[i].From, out.Changed[i].To = dateShown(ch.From), dateShown(ch.To)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(d.Body, "\n"), "\n") {
		class := ""
		switch {
		case l == "" || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "+++"):
			continue
		case strings.HasPrefix(l, "+"):
			class = "added"
		case strings.HasPrefix(l, "-"):
			class = "removed"
		case strings.HasPrefix(l, "@@"):
			class = "hunk"
		}
		out.Lines = append(out.Lines, diffLine{Text: l, Class: class})
	}
	return out
}

// dateShown is a date of a diff (YYYY-MM-DD, or empty) as pages write it.
func dateShown(s string) string {
	if s == "" {
		return ""
	}
	return loa.Date(s).Display()
}

// contentItem shows an item: a version rendered (the working one, or ?version=),
// its versions and their differences (?from=&to=), comments, attachment and
// variants, with the steps the account may take.
func (p *Pages) contentItem(c *gin.Context) {
	p.renderContentItem(c, http.StatusOK, view{})
}

// renderContentItem shows an item's page, with a form's errors when given.
func (p *Pages) renderContentItem(c *gin.Context, status int, v view) {
	ctx := c.Request.Context()
	id := c.Param("id")
	it, err := p.Content.Get(ctx, id)
	if err != nil {
		p.fail(c, err)
		return
	}
	data, err := p.contentPageOf(ctx, it, c.Query("version"))
	if err != nil {
		p.fail(c, err)
		return
	}
	if from, to := atoi(c.Query("from")), atoi(c.Query("to")); from > 0 && to > 0 {
		d, err := p.Content.DiffVersions(ctx, id, from, to)
		if errs, ok := formErrors(err); ok {
			v.Errors = errs
		} else if err != nil {
			p.fail(c, err)
			return
		} else {
			data.Diff = diffOf(d)
		}
	}
	u := current(c).User
	data.Write, data.Review = u.Can(access.WriteContent), u.Can(access.ReviewContent)
	v.Title, v.Data = it.Title, data
	p.render(c, status, "content.html", v)
}

// contentPageOf gathers an item's page: the version asked for (the working one by
// default), rendered, and the item's versions and variants.
func (p *Pages) contentPageOf(ctx context.Context, it content.Item, version string) (contentPage, error) {
	names, err := p.contentNames(ctx)
	if err != nil {
		return contentPage{}, err
	}
	data := contentPage{Item: names.row(it), Names: names, MaxUpload: 20,
		Editable: it.Status == content.StatusDraft || it.Status == content.StatusApproved}
	n := atoi(version)
	if n < 1 || n > it.Version {
		n = it.Version
	}
	if data.Versions, err = p.Content.Versions(ctx, it.ID); err != nil {
		return data, err
	}
	data.Shown = data.Versions[n-1]
	for i, j := 0, len(data.Versions)-1; i < j; i, j = i+1, j-1 {
		data.Versions[i], data.Versions[j] = data.Versions[j], data.Versions[i]
	}
	if data.Preview, err = p.preview(data.Shown.Message); err != nil {
		return data, err
	}
	master, others := it.ID, it.Variants
	if it.VariantOf != "" {
		m, err := p.Content.Get(ctx, it.VariantOf)
		if err != nil {
			return data, err
		}
		master, others = m.ID, append([]string{m.ID}, m.Variants...)
	}
	for _, vid := range others {
		if vid == it.ID {
			continue
		}
		v, err := p.Content.Get(ctx, vid)
		if errors.Is(err, loa.ErrNotFound) {
			continue // deleted meanwhile
		} else if err != nil {
			return data, err
		}
		data.Variants = append(data.Variants, names.row(v))
	}
	data.Master = master
	return data, nil
}

// atoi reads a positive number from a query, 0 when it is not one.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// addContentComment records a comment on an item.
func (p *Pages) addContentComment(c *gin.Context) {
	id := c.Param("id")
	_, err := p.Content.AddComment(c.Request.Context(), current(c).User.Actor(), id, c.PostForm("text"))
	if err == nil {
		redirect(c, "/contents/"+id+"#comments", "Đã ghi ý kiến.")
		return
	}
	p.refuseOnItem(c, err)
}

// refuseOnItem shows an item's page again with a refused form's errors and values,
// or the error page when the error is not about the input.
func (p *Pages) refuseOnItem(c *gin.Context, err error) {
	errs, ok := formErrors(err)
	if !ok {
		p.fail(c, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if errors.Is(err, loa.ErrConflict) {
		status = http.StatusConflict
	}
	p.renderContentItem(c, status, view{Errors: errs, Form: formValues(c)})
}

// formValues are the values of a posted form, without its CSRF token.
func formValues(c *gin.Context) map[string][]string {
	_ = c.Request.ParseForm()
	form := c.Request.PostForm
	delete(form, csrfField)
	return form
}

// stepContent submits or archives an item from its page.
func (p *Pages) stepContent(action, done string) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := current(c).User
		id := c.Param("id")
		r := content.Reviewer{Actor: u.Actor(), Approver: u.Can(access.ReviewContent)}
		out, err := p.Content.Step(c.Request.Context(), r, id, action, "")
		if err != nil {
			p.refuseOnItem(c, err)
			return
		}
		if n := len(out.Warnings); n > 0 && action == content.ActionSubmit {
			done += " Người duyệt sẽ xem " + strconv.Itoa(n) + " điểm cần lưu ý bên dưới."
		}
		redirect(c, "/contents/"+id, done)
	}
}

// maxAttachment is the size of the largest attachment (the service's limit).
const maxAttachment = 20 << 20

// boundUpload bounds the body of an attachment's form before anything reads it
// (the CSRF check reads the form): a larger file is answered on the item's page.
func (p *Pages) boundUpload(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxAttachment+uploadSlack)
	if err := c.Request.ParseMultipartForm(1 << 20); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			p.renderContentItem(c, http.StatusRequestEntityTooLarge, view{Errors: map[string]string{"file": "Tệp lớn hơn 20 MB; hãy nén hoặc cắt ngắn rồi gửi lại."}})
		} else {
			p.problem(c, http.StatusBadRequest, "Không đọc được tệp gửi lên", "Hãy chọn lại tệp rồi gửi lại.")
		}
		c.Abort()
		return
	}
	c.Next()
}

// attachContent stores the recording or image of an item's working version.
func (p *Pages) attachContent(c *gin.Context) {
	id := c.Param("id")
	release, err := p.Content.AttachmentSlot()
	if err != nil {
		p.refuseOnItem(c, err)
		return
	}
	defer release()
	f, h, err := c.Request.FormFile("file")
	if err != nil {
		p.renderContentItem(c, http.StatusUnprocessableEntity, view{Errors: map[string]string{"file": "Chọn một tệp ghi âm hoặc hình ảnh."}})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		p.fail(c, err)
		return
	}
	if _, err := p.Content.Attach(c.Request.Context(), current(c).User.Actor(), id, h.Filename, data); err != nil {
		p.refuseOnItem(c, err)
		return
	}
	redirect(c, "/contents/"+id+"#attachment", "Đã đính kèm tệp "+h.Filename+".")
}

// headingTag matches the tags of headings h1 to h5 in HTML.
var headingTag = regexp.MustCompile(`<(/?)h([1-5])\b`)

// demoteHeadings shows an item's HTML, sanitised by the service, inside a page
// whose own <h1> names it: each heading of the item goes one level down.
func demoteHeadings(html string) template.HTML {
	return template.HTML(headingTag.ReplaceAllStringFunc(html, func(tag string) string {
		m := headingTag.FindStringSubmatch(tag)
		return "<" + m[1] + "h" + string(rune(m[2][0]+1))
	}))
}
