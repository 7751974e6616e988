package web

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/campaigns"
	"loa/scheduler"
)

// choices are the options of the indicator editor, also used to name an
// indicator's rule, group, level and channel on the campaign's page.
type choices struct {
	Rules, Groups, Levels, Regularities, Channels, Comparators []option
}

// Label is the Vietnamese name of value in the options of kind (rule, group,
// level, regularity, channel, comparator), or the value itself.
func (ch choices) Label(kind, value string) string {
	list := map[string][]option{"rule": ch.Rules, "group": ch.Groups, "level": ch.Levels,
		"regularity": ch.Regularities, "channel": ch.Channels, "comparator": ch.Comparators}[kind]
	if i := slices.IndexFunc(list, func(o option) bool { return o.Value == value }); i >= 0 {
		return list[i].Label
	}
	return value
}

// levelNames name the org-unit levels of the default list; other levels show as
// they are stored.
var levelNames = map[string]string{
	"province": "Tỉnh", "district": "Huyện, thị xã, thành phố", "commune": "Xã, phường, thị trấn",
}

// choices reads the target groups and levels the editor offers for a campaign
// of period: the levels of the units standing then.
func (p *Pages) choices(ctx context.Context, period campaigns.Period) (choices, error) {
	ch := choices{
		Rules: []option{
			{Value: campaigns.RuleCoverage, Label: "Độ bao phủ một nhóm đối tượng (số người được tiếp cận / dân số của nhóm)"},
			{Value: campaigns.RuleOrgUnitActivity, Label: "Tỉ lệ đơn vị có hoạt động truyền thông"},
			{Value: campaigns.RuleMonthlyFrequency, Label: "Tỉ lệ số tháng có tin bài trên một kênh"},
			{Value: campaigns.RuleManual, Label: "Nhập giá trị tay (chỉ tiêu ngoài truyền thông)"},
		},
		Regularities: []option{
			{Value: "", Label: "Mặc định: mỗi 6 tháng"}, {Value: campaigns.RegularityHalfYear, Label: "Mỗi 6 tháng"},
			{Value: campaigns.RegularityQuarter, Label: "Mỗi quý"}, {Value: campaigns.RegularityNone, Label: "Một lần trong kỳ là đủ"},
		},
		Comparators: []option{{Value: campaigns.ComparatorGT, Label: "trên"}, {Value: campaigns.ComparatorGTE, Label: "ít nhất"}},
	}
	groups, err := p.Campaigns.TargetGroups(ctx)
	if err != nil {
		return choices{}, err
	}
	for _, g := range groups {
		ch.Groups = append(ch.Groups, option{Value: g.Code, Label: g.NameVi})
	}
	levels, err := p.Campaigns.Levels(ctx, period)
	if err != nil {
		return choices{}, err
	}
	for _, l := range levels {
		ch.Levels = append(ch.Levels, option{Value: l, Label: cmp.Or(levelNames[l], l)})
	}
	for _, c := range scheduler.Channels {
		ch.Channels = append(ch.Channels, option{Value: c.Code, Label: c.Label})
	}
	return ch, nil
}

// indicatorFields are the fields of one row of the indicator editor, named
// indicators[i].field as the service names them in its errors.
var indicatorFields = []string{"code", "title", "rule", "group", "level", "regularity", "channel", "comparator", "threshold", "source"}

// indicatorRow is one row of the editor, as entered.
type indicatorRow struct {
	Index  int
	Fields map[string]string
}

// Number is the row's number as people count, from 1.
func (r indicatorRow) Number() int { return r.Index + 1 }

// Name is the form name of a field of the row.
func (r indicatorRow) Name(field string) string {
	return fmt.Sprintf("indicators[%d].%s", r.Index, field)
}

// campaignForm is the data of the create and edit form.
type campaignForm struct {
	// Code is the campaign edited; empty for a new one.
	Code    string
	Rows    []indicatorRow
	Choices choices
	Full    bool // no more rows may be added
}

// maxRows bounds the rows of the editor (the service takes at most 100 indicators).
const maxRows = 100

// rowsOf reads the editor's rows from a form.
func rowsOf(f url.Values) []indicatorRow {
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, 0), maxRows)
	rows := make([]indicatorRow, n)
	for i := range rows {
		rows[i] = indicatorRow{Index: i, Fields: map[string]string{}}
		for _, field := range indicatorFields {
			rows[i].Fields[field] = f.Get(rows[i].Name(field))
		}
	}
	return rows
}

// withRows writes rows back into f, numbered from 0.
func withRows(f url.Values, rows []indicatorRow) url.Values {
	out := url.Values{}
	for k, v := range f {
		if !strings.HasPrefix(k, "indicators[") {
			out[k] = v
		}
	}
	out.Set("rows", strconv.Itoa(len(rows)))
	for i, r := range rows {
		r.Index = i
		for _, field := range indicatorFields {
			out.Set(r.Name(field), r.Fields[field])
		}
	}
	return out
}

// campaignValues is a stored campaign as the form shows it.
func campaignValues(cp campaigns.Campaign) url.Values {
	f := url.Values{"code": {cp.Code}, "title": {cp.Title}, "start": {string(cp.Period.Start)}, "end": {string(cp.Period.End)},
		"legalBasis": {cp.LegalBasis}, "ownerAgency": {cp.OwnerAgency}, "secretariat": {cp.Secretariat}, "description": {cp.Description}}
	rows := make([]indicatorRow, len(cp.Indicators))
	for i, in := range cp.Indicators {
		rows[i] = indicatorRow{Fields: map[string]string{"code": in.Code, "title": in.Title, "rule": in.Rule, "group": in.Group,
			"level": in.Level, "regularity": in.Regularity, "channel": in.Channel, "comparator": in.Comparator,
			"threshold": percentText(in.Threshold), "source": in.Source}}
	}
	return withRows(f, rows)
}

// campaignOf reads a campaign from the form. A threshold that is no number gets its
// message here and NaN, which the service refuses, so that every other field is
// checked by the service at the same time.
func campaignOf(f url.Values) (campaigns.Campaign, map[string]string) {
	errs := map[string]string{}
	cp := campaigns.Campaign{Code: f.Get("code"), Title: f.Get("title"), LegalBasis: f.Get("legalBasis"),
		OwnerAgency: f.Get("ownerAgency"), Secretariat: f.Get("secretariat"), Description: f.Get("description"),
		Period: campaigns.Period{Start: formDate(f.Get("start")), End: formDate(f.Get("end"))}, Indicators: []campaigns.Indicator{}}
	for _, r := range rowsOf(f) {
		v := r.Fields
		threshold, ok := parsePercent(v["threshold"])
		if !ok {
			errs[r.Name("threshold")] = "Nhập ngưỡng bằng số phần trăm, ví dụ 70 hoặc 70,5."
			threshold = math.NaN()
		}
		cp.Indicators = append(cp.Indicators, campaigns.Indicator{Code: v["code"], Title: v["title"], Rule: v["rule"],
			Group: v["group"], Level: v["level"], Regularity: v["regularity"], Channel: v["channel"],
			Comparator: v["comparator"], Threshold: threshold, Source: v["source"]})
	}
	return cp, errs
}

// formDate reads a date field; what is not a date is passed on as typed, for the
// service to refuse.
func formDate(s string) loa.Date {
	if d, ok := parseDate(s); ok {
		return d
	}
	return loa.Date(strings.TrimSpace(s))
}

// parsePercent reads a threshold as people type it, in % ("70", "70,5", "70 %"),
// as the fraction the service stores (0.7).
func parsePercent(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), ",", ".")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v / 100, true
}

// percentText is a stored fraction as people write it in %: 0.7 → "70", 0.705 →
// "70,5".
func percentText(f float64) string {
	return strings.Replace(strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64), ".", ",", 1)
}

func (p *Pages) newCampaign(c *gin.Context) {
	f := withRows(url.Values{}, []indicatorRow{{Fields: map[string]string{"comparator": campaigns.ComparatorGT}}})
	p.renderCampaignForm(c, http.StatusOK, "", view{Form: f})
}

func (p *Pages) editCampaign(c *gin.Context) {
	cp, err := p.Campaigns.Campaign(c.Request.Context(), c.Param("code"))
	if err != nil {
		p.fail(c, err)
		return
	}
	p.renderCampaignForm(c, http.StatusOK, cp.Code, view{Form: campaignValues(cp)})
}

func (p *Pages) createCampaign(c *gin.Context) { p.saveCampaign(c, "") }

func (p *Pages) updateCampaign(c *gin.Context) { p.saveCampaign(c, c.Param("code")) }

// saveCampaign answers the form: "Thêm chỉ tiêu" and "Bỏ chỉ tiêu" show it again
// with a row more or less; "Lưu" creates the campaign (code empty) or updates it.
func (p *Pages) saveCampaign(c *gin.Context, code string) {
	action := c.PostForm("action")
	f := url.Values{}
	for k, v := range c.Request.PostForm {
		if k != csrfField && k != "action" {
			f[k] = v
		}
	}
	if code != "" {
		f.Set("code", code)
	}
	rows := rowsOf(f)
	if action == "add" || strings.HasPrefix(action, "remove:") {
		if action == "add" && len(rows) < maxRows {
			rows = append(rows, indicatorRow{Fields: map[string]string{"comparator": campaigns.ComparatorGT}})
		}
		if i, err := strconv.Atoi(strings.TrimPrefix(action, "remove:")); err == nil && i >= 0 && i < len(rows) {
			rows = slices.Delete(rows, i, i+1)
		}
		p.renderCampaignForm(c, http.StatusOK, code, view{Form: withRows(f, rows)})
		return
	}
	cp, entered := campaignOf(f)
	var err error
	if code == "" {
		cp, err = p.Campaigns.CreateCampaign(c.Request.Context(), current(c).User.Actor(), cp)
	} else {
		cp, err = p.Campaigns.UpdateCampaign(c.Request.Context(), current(c).User.Actor(), code, cp)
	}
	if err == nil {
		redirect(c, "/campaigns/"+url.PathEscape(cp.Code), "Đã lưu chương trình "+cp.Code+".")
		return
	}
	errs, ok := formErrors(err)
	if !ok {
		p.fail(c, err)
		return
	}
	for k, v := range entered {
		errs[k] = v
	}
	p.renderCampaignForm(c, http.StatusUnprocessableEntity, code, view{Form: f, Errors: errs})
}

func (p *Pages) renderCampaignForm(c *gin.Context, status int, code string, v view) {
	ch, err := p.choices(c.Request.Context(), campaigns.Period{Start: loa.Date(v.Form.Get("start")), End: loa.Date(v.Form.Get("end"))})
	if err != nil {
		p.fail(c, err)
		return
	}
	rows := rowsOf(v.Form)
	v.Data = campaignForm{Code: code, Rows: rows, Choices: ch, Full: len(rows) >= maxRows}
	v.Title = "Tạo chương trình"
	if code != "" {
		v.Title = "Sửa chương trình " + code
	}
	p.render(c, status, "campaigns_form.html", v)
}

// campaignMessages are the messages of campaigns and their indicators.
var campaignMessages = []message{
	{regexp.MustCompile(`^code is required: 1 to 64 letters, digits, '\.', '_' or '-', starting with a letter or digit$`),
		"Bắt buộc nhập: 1 đến 64 chữ cái không dấu, chữ số, dấu '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số."},
	{regexp.MustCompile(`^campaign code (\S+) is already used$`), "Mã $1 đã có chương trình khác dùng; hãy chọn mã khác."},
	{regexp.MustCompile(`^a campaign's code cannot change$`), "Không thể đổi mã của chương trình."},
	{regexp.MustCompile(`^title is required$`), "Bắt buộc nhập tên."},
	{regexp.MustCompile(`^at most (\d+) bytes$`), "Dài quá: tối đa $1 byte."},
	{regexp.MustCompile(`^(start|end) must be a date of the form YYYY-MM-DD$`), "Chọn một ngày hợp lệ (ngày/tháng/năm)."},
	{regexp.MustCompile(`^end \S+ must be after start \S+$`), "Ngày kết thúc phải sau ngày bắt đầu."},
	{regexp.MustCompile(`^at most (\d+) indicators$`), "Tối đa $1 chỉ tiêu."},
	{regexp.MustCompile(`^indicator code "(.*)" is already used by indicators\[(\d+)\]$`), "Mã chỉ tiêu «$1» đã dùng cho một chỉ tiêu khác ở trên."},
	{regexp.MustCompile(`^rule must be one of .*$`), "Chọn một cách tính."},
	{regexp.MustCompile(`^comparator must be gt \(strictly above\) or gte \(at least\)$`), "Chọn «trên» hoặc «ít nhất»."},
	{regexp.MustCompile(`^threshold must be a fraction above 0 and at most 1 \(70 % is 0\.7\)$`), "Ngưỡng phải lớn hơn 0 % và không quá 100 %."},
	{regexp.MustCompile(`^more than 100 % can never be met; use gte with 1 for "100 %"$`), "Không thể đạt «trên 100 %»; hãy chọn «ít nhất» 100 %."},
	{regexp.MustCompile(`^only an orgunit_activity indicator has a regularity$`), "Chỉ cách tính «tỉ lệ đơn vị có hoạt động» mới có mức duy trì; hãy để mặc định."},
	{regexp.MustCompile(`^regularity must be half_year \(the default\), quarter or none$`), "Chọn mức duy trì trong danh sách."},
	{regexp.MustCompile(`^a \S+ indicator needs the target group it counts$`), "Chọn nhóm đối tượng mà chỉ tiêu này đếm."},
	{regexp.MustCompile(`^a \S+ indicator needs the org-unit level it counts$`), "Chọn cấp đơn vị mà chỉ tiêu này đếm."},
	{regexp.MustCompile(`^a \S+ indicator needs the channel it counts$`), "Chọn kênh mà chỉ tiêu này đếm."},
	{regexp.MustCompile(`^unknown group "(.*)"$`), "Không có nhóm đối tượng «$1»."},
	{regexp.MustCompile(`^unknown level "(.*)"$`), "Không có cấp đơn vị «$1»."},
	{regexp.MustCompile(`^unknown channel "(.*)"$`), "Không có kênh «$1»."},
	{regexp.MustCompile(`^a \S+ indicator does not use a (group|level|channel); only \S+ does$`), "Cách tính đã chọn không dùng mục này; hãy để trống."},
}
