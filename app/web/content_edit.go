package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/content"
)

// contentEditPage is the data of the editor.
type contentEditPage struct {
	// ID is the item edited; empty for a new one.
	ID    string
	Names contentNames
	// Placeholders are those a body may use, with the example each preview fills in.
	Placeholders []placeholder
	Preview      *contentPreview
}

// placeholder is one a body may use, what it stands for and its example.
type placeholder struct {
	Code, Meaning, Example string
}

// placeholderMeanings say what each placeholder stands for, in the service's order.
var placeholderMeanings = []string{"tên xã của đài phát", "tên huyện của đài phát", "tên đài phát", "ngày phát", "số đường dây nóng"}

// Action is where the form posts.
func (d contentEditPage) Action() string {
	if d.ID == "" {
		return "/contents"
	}
	return "/contents/" + d.ID + "/edit"
}

func (p *Pages) contentEditor(c *gin.Context, id string, form url.Values) (contentEditPage, error) {
	names, err := p.contentNames(c.Request.Context())
	if err != nil {
		return contentEditPage{}, err
	}
	names.Kinds = selected(names.Kinds, form.Get("kind"))
	names.Languages = selected(names.Languages, form.Get("language"))
	names.Groups = selected(names.Groups, form["groups"]...)
	names.Campaigns = selected(names.Campaigns, form["campaigns"]...)
	f := p.exampleFields()
	examples := []string{f.Commune, f.District, f.Station, f.Date, f.Hotline}
	data := contentEditPage{ID: id, Names: names}
	for i, code := range content.Placeholders() {
		data.Placeholders = append(data.Placeholders, placeholder{Code: code, Meaning: placeholderMeanings[i], Example: examples[i]})
	}
	return data, nil
}

// renderEditor shows the editor with the values of v.Form, and a preview when
// given.
func (p *Pages) renderEditor(c *gin.Context, status int, id string, v view, pr *contentPreview) {
	data, err := p.contentEditor(c, id, v.Form)
	if err != nil {
		p.fail(c, err)
		return
	}
	data.Preview = pr
	v.Title, v.Data = "Soạn nội dung mới", data
	if id != "" {
		v.Title = "Sửa nội dung"
	}
	p.render(c, status, "content_edit.html", v)
}

// newContent shows an empty editor; ?variantOf= starts a variant of that item with
// its words to translate or adapt.
func (p *Pages) newContent(c *gin.Context) {
	form := url.Values{"kind": {"radio_script"}, "language": {"vi"}}
	if master := c.Query("variantOf"); master != "" {
		it, err := p.Content.Get(c.Request.Context(), master)
		if err != nil {
			p.fail(c, err)
			return
		}
		form = messageForm(it.Message)
		form.Set("variantOf", it.ID)
	}
	p.renderEditor(c, http.StatusOK, "", view{Form: form}, nil)
}

// editContent shows the editor on an item's working version.
func (p *Pages) editContent(c *gin.Context) {
	it, err := p.Content.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.renderEditor(c, http.StatusOK, it.ID, view{Form: messageForm(it.Message)}, nil)
}

// messageForm is a message as the editor's fields hold it.
func messageForm(m content.Message) url.Values {
	f := url.Values{"kind": {m.Kind}, "title": {m.Title}, "body": {m.Body}, "language": {m.Language},
		"groups": m.Groups, "campaigns": m.Campaigns, "tags": {strings.Join(m.Tags, ", ")}}
	if m.SlotSeconds > 0 {
		f.Set("slotSeconds", strconv.Itoa(m.SlotSeconds))
	}
	if m.ValidFrom != nil {
		f.Set("validFrom", string(*m.ValidFrom))
	}
	if m.ValidTo != nil {
		f.Set("validTo", string(*m.ValidTo))
	}
	return f
}

// contentInput reads the editor's form; errs are the fields it could not read.
func contentInput(form url.Values) (content.Input, map[string]string) {
	errs := map[string]string{}
	in := content.Input{VariantOf: form.Get("variantOf"), Message: content.Message{Kind: form.Get("kind"),
		Title: form.Get("title"), Body: strings.ReplaceAll(form.Get("body"), "\r\n", "\n"), Language: form.Get("language"),
		Groups: form["groups"], Campaigns: form["campaigns"], Tags: strings.Split(form.Get("tags"), ",")}}
	if raw := strings.TrimSpace(form.Get("slotSeconds")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			errs["slotSeconds"] = "Nhập số giây, ví dụ 120 cho 2 phút."
		}
		in.SlotSeconds = n
	}
	for _, d := range []struct {
		field string
		to    **loa.Date
	}{{"validFrom", &in.ValidFrom}, {"validTo", &in.ValidTo}} {
		if raw := strings.TrimSpace(form.Get(d.field)); raw != "" {
			date, ok := parseDate(raw)
			if !ok {
				errs[d.field] = "Chọn một ngày hợp lệ (ngày/tháng/năm)."
			}
			*d.to = &date
		}
	}
	return in, errs
}

// saveContent creates an item (id "") or changes one from the editor. The button
// "preview" shows the preview without saving, for browsers without JavaScript.
func (p *Pages) saveContent(c *gin.Context, id string) {
	form := formValues(c)
	in, errs := contentInput(form)
	if c.PostForm("preview") != "" {
		p.editorPreview(c, id, form, in)
		return
	}
	if len(errs) == 0 {
		var it content.Item
		var err error
		if id == "" {
			it, err = p.Content.Create(c.Request.Context(), current(c).User.Actor(), in)
		} else {
			it, err = p.Content.Update(c.Request.Context(), current(c).User.Actor(), id, in)
		}
		if err == nil {
			redirect(c, "/contents/"+it.ID, "Đã lưu. Khi xong, bấm «Gửi duyệt» để người duyệt xem.")
			return
		}
		var ok bool
		if errs, ok = formErrors(err); !ok {
			p.fail(c, err)
			return
		}
	}
	p.renderEditor(c, http.StatusUnprocessableEntity, id, view{Form: form, Errors: errs}, nil)
}

func (p *Pages) createContent(c *gin.Context) { p.saveContent(c, "") }

func (p *Pages) updateContent(c *gin.Context) { p.saveContent(c, c.Param("id")) }

// editorPreview shows the editor with the preview of what was entered, saving
// nothing.
func (p *Pages) editorPreview(c *gin.Context, id string, form url.Values, in content.Input) {
	pr, err := p.preview(in.Message)
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		p.renderEditor(c, http.StatusUnprocessableEntity, id, view{Form: form, Errors: errs}, nil)
		return
	}
	p.renderEditor(c, http.StatusOK, id, view{Form: form}, &pr)
}

// previewContent answers the editor's live preview (an htmx fragment): the
// rendered text, reading time and checks of what is being written, or what is
// wrong with its placeholders.
func (p *Pages) previewContent(c *gin.Context) {
	in, _ := contentInput(formValues(c))
	pr, err := p.preview(in.Message)
	v := view{Data: contentEditPage{Preview: &pr}}
	if err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		v = view{Data: contentEditPage{}, Errors: errs}
	}
	p.render(c, http.StatusOK, "content_edit.html#preview", v)
}
