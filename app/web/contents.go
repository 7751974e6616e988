package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/content"
)

// contentsPerPage is how many items a page of the library lists.
const contentsPerPage = 25

// kindNames are the kinds of content item as the pages name them.
var kindNames = map[string]string{
	"article": "Bài viết", "radio_script": "Kịch bản phát thanh", "tv_script": "Kịch bản truyền hình",
	"social_post": "Bài mạng xã hội", "leaflet": "Tờ rơi", "talk_outline": "Đề cương nói chuyện",
}

// contentNames are the words of the library's lists: kinds, target groups,
// languages and campaigns by their codes, in the order the pages offer them.
type contentNames struct {
	Kinds, Groups, Languages, Campaigns []option
}

// names reads the target groups and campaigns to name and offer them.
func (p *Pages) contentNames(ctx context.Context) (contentNames, error) {
	var n contentNames
	for _, k := range content.Kinds {
		n.Kinds = append(n.Kinds, option{Value: k, Label: kindNames[k]})
	}
	gs, err := p.Campaigns.TargetGroups(ctx)
	if err != nil {
		return n, err
	}
	for _, g := range gs {
		n.Groups = append(n.Groups, option{Value: g.Code, Label: g.NameVi})
	}
	for _, l := range p.Content.Languages() {
		n.Languages = append(n.Languages, option{Value: l.Code, Label: l.Name})
	}
	cs, err := p.Campaigns.Campaigns(ctx)
	if err != nil {
		return n, err
	}
	for _, c := range cs {
		n.Campaigns = append(n.Campaigns, option{Value: c.Code, Label: c.Code + " — " + c.Title})
	}
	return n, nil
}

// label names a code from a list of options (the code itself when unknown).
func label(list []option, code string) string {
	for _, o := range list {
		if o.Value == code {
			return o.Label
		}
	}
	return code
}

// labels names codes, joined by commas.
func labels(list []option, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = label(list, c)
	}
	return strings.Join(out, ", ")
}

// selected marks the options whose values are among chosen.
func selected(list []option, chosen ...string) []option {
	out := make([]option, len(list))
	for i, o := range list {
		o.Selected = false
		for _, c := range chosen {
			o.Selected = o.Selected || o.Value == c
		}
		out[i] = o
	}
	return out
}

// contentRow is an item as a list shows it.
type contentRow struct {
	content.Item
	KindName, LanguageName, GroupNames string
}

func (n contentNames) row(it content.Item) contentRow {
	return contentRow{Item: it, KindName: label(n.Kinds, it.Kind), LanguageName: label(n.Languages, it.Language),
		GroupNames: labels(n.Groups, it.Groups)}
}

// contentsPage is the data of the library's list.
type contentsPage struct {
	Rows  []contentRow
	Total int64
	// Next is the address of the next page, First that of the first when this is
	// not it.
	Next, First string
	Names       contentNames
	Write       bool
}

// pageOf cuts the items after the key after (in the order of f.Key) to one page,
// and says the key the next page starts after ("" on the last page).
func pageOf(items []content.Item, f content.Filter, after string) ([]content.Item, string) {
	start := 0
	if after != "" {
		start = sort.Search(len(items), func(i int) bool { return f.Key(items[i]) > after })
	}
	end := min(start+contentsPerPage, len(items))
	if end < len(items) {
		return items[start:end], f.Key(items[end-1])
	}
	return items[start:end], ""
}

// contents lists the library with its filters and search.
func (p *Pages) contents(c *gin.Context) {
	ctx := c.Request.Context()
	f := content.Filter{Q: c.Query("q"), Kind: c.Query("kind"), Group: c.Query("group"), Language: c.Query("language"),
		Status: c.Query("status"), Campaign: c.Query("campaign"), InForce: c.Query("inForce") == "1"}
	items, err := p.Content.List(ctx, f)
	if err != nil {
		p.fail(c, err)
		return
	}
	names, err := p.contentNames(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	shown, next := pageOf(items, f, c.Query("after"))
	data := contentsPage{Total: int64(len(items)), Names: names, Write: current(c).User.Can(access.WriteContent)}
	for _, it := range shown {
		data.Rows = append(data.Rows, names.row(it))
	}
	query := c.Request.URL.Query()
	if next != "" {
		query.Set("after", next)
		data.Next = "/contents?" + query.Encode()
	}
	if c.Query("after") != "" {
		query.Del("after")
		data.First = "/contents?" + query.Encode()
	}
	data.Names.Kinds = selected(names.Kinds, f.Kind)
	data.Names.Groups = selected(names.Groups, f.Group)
	data.Names.Languages = selected(names.Languages, f.Language)
	data.Names.Campaigns = selected(names.Campaigns, f.Campaign)
	p.render(c, http.StatusOK, "contents.html", view{Title: "Thư viện nội dung", Data: data, Form: c.Request.URL.Query()})
}

// statusNames are the statuses of an item a list filters by.
var statusNames = []option{
	{Value: content.StatusDraft, Label: "Bản nháp"}, {Value: content.StatusInReview, Label: "Chờ duyệt"},
	{Value: content.StatusApproved, Label: "Đã duyệt"}, {Value: content.StatusArchived, Label: "Lưu trữ"},
}

// Statuses offers the statuses to filter by, the chosen one selected.
func (d contentsPage) Statuses(chosen string) []option { return selected(statusNames, chosen) }

// seconds says a duration in minutes and seconds, in Vietnamese.
func seconds(s int) string {
	switch {
	case s < 60:
		return strconv.Itoa(s) + " giây"
	case s%60 == 0:
		return strconv.Itoa(s/60) + " phút"
	}
	return fmt.Sprintf("%d phút %d giây", s/60, s%60)
}
