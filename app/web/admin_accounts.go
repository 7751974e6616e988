package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/campaigns"
)

// accountsPerPage is the length of a page of the accounts list.
const accountsPerPage = 50

// accountsPage is the data of the accounts list and its form for a new account.
type accountsPage struct {
	Users []access.User
	// Unmapped are the accounts whose scope has ended with units offered that
	// an admin has not confirmed.
	Unmapped map[string]bool
	Pager    pager
	// Role and Active are the list's filter as chosen ("" for all).
	Role, Active string
	accountForm
}

// accountForm is what the forms of an account offer: its roles as checkboxes and
// the org units it may be scoped to.
type accountForm struct {
	Roles  []roleChoice
	Scopes scopeChoices
	// Units name the org units by code ("Huyện Tây Giang").
	Units map[string]string
}

// roleChoice is one role's checkbox.
type roleChoice struct {
	Value   string
	Checked bool
}

// scopeChoices are the units an admin may scope an account to: each of its own
// units, then each unit below it with the units below that, as a select grouped
// by district.
type scopeChoices struct {
	Roots []scopeRoot
	// Other is the scope the form holds when no choice is it (a unit deeper than
	// the groups reach, or a code that names none), kept selectable.
	Other *scopeOther
}

// scopeRoot is one of the actor's units with the units below it.
type scopeRoot struct {
	Unit   campaigns.OrgUnit
	Groups []scopeGroup
}

// scopeOther is a scope outside the choices.
type scopeOther struct{ Code, Label string }

// scopeGroup is a unit (a district) and the units under it (its communes).
type scopeGroup struct {
	Unit  campaigns.OrgUnit
	Units []campaigns.OrgUnit
}

// accountPage is the data of one account's page.
type accountPage struct {
	User access.User
	// Throttle is the account's failed logins in a row, not yet forgotten.
	Throttle access.Strikes
	// Waiting says the account's next login is not checked yet.
	Waiting bool
	// Mapping is what the account is offered when its scope has ended; Chosen
	// are the units its form ticks (those confirmed, or all offered at first).
	Mapping access.ScopeMapping
	Chosen  map[string]bool
	accountForm
}

func (p *Pages) adminHome(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, "/admin/accounts")
}

func (p *Pages) accounts(c *gin.Context) {
	p.renderAccounts(c, http.StatusOK, view{})
}

// renderAccounts shows the filtered list and the form of a new account, with that
// form's values and errors when it was refused.
func (p *Pages) renderAccounts(c *gin.Context, status int, v view) {
	ctx := c.Request.Context()
	by := current(c).User
	data := accountsPage{Role: c.Query("role"), Active: c.Query("active")}
	f := access.UserFilter{Role: data.Role}
	if active, err := strconv.ParseBool(data.Active); err == nil {
		f.Active = &active
	}
	users, err := p.Access.Users(ctx, by, f)
	if err != nil {
		p.fail(c, err)
		return
	}
	data.Users, data.Pager = paged(c, users, accountsPerPage)
	data.Unmapped = map[string]bool{}
	for _, u := range data.Users {
		m, err := p.Access.MappingOf(ctx, u)
		if err != nil {
			p.fail(c, err)
			return
		}
		data.Unmapped[u.Username] = m.Pending
	}
	if data.accountForm, err = p.accountForm(ctx, by, v.Form); err != nil {
		p.fail(c, err)
		return
	}
	v.Title, v.Data = "Tài khoản người dùng", data
	p.render(c, status, "admin_accounts.html", v)
}

// accountForm fills the choices of an account's form, checking what form holds.
// A unit of by's that has ended offers the units under it on its last day, so
// accounts of the old map stay reachable.
func (p *Pages) accountForm(ctx context.Context, by access.User, form url.Values) (accountForm, error) {
	h, err := p.Campaigns.History(ctx)
	if err != nil {
		return accountForm{}, err
	}
	today := p.Campaigns.Today()
	f := accountForm{Units: map[string]string{}}
	for _, r := range access.Roles {
		f.Roles = append(f.Roles, roleChoice{Value: r, Checked: slices.Contains(form["roles"], r)})
	}
	offered := map[string]bool{}
	for _, root := range by.Actor().Units() {
		tree := h.At(today)
		if u, ok := h.Last(root, today); ok && u.ValidTo != nil && *u.ValidTo < today {
			tree = h.At(*u.ValidTo)
		}
		for _, u := range tree.Units() {
			if _, named := f.Units[u.Code]; !named {
				f.Units[u.Code] = u.Title()
			}
		}
		ch, codes := unitChoices(tree, []string{root})
		f.Scopes.Roots = append(f.Scopes.Roots, ch.Roots...)
		maps.Copy(offered, codes)
	}
	if len(offered) == 0 {
		return f, nil
	}
	if code := form.Get("scope"); code != "" && !offered[code] {
		label, known := f.Units[code]
		if !known {
			label = "Mã " + code + " (không có đơn vị này)"
		}
		f.Scopes.Other = &scopeOther{Code: code, Label: label}
	}
	return f, nil
}

// unitChoices are the units of the tree from each of roots down two levels (a
// district and its communes), and the codes they offer; none when no root
// stands in the tree.
func unitChoices(tree *campaigns.UnitTree, roots []string) (scopeChoices, map[string]bool) {
	var ch scopeChoices
	offered := map[string]bool{}
	for _, code := range roots {
		top, ok := tree.Get(code)
		if !ok || offered[code] {
			continue
		}
		root := scopeRoot{Unit: top}
		offered[top.Code] = true
		depth := len(top.Path)
		for _, u := range tree.Units() {
			if len(u.Path) <= depth || u.Path[depth-1] != top.Code {
				continue
			}
			switch len(u.Path) - depth {
			case 1:
				root.Groups = append(root.Groups, scopeGroup{Unit: u})
				offered[u.Code] = true
			case 2:
				if i := slices.IndexFunc(root.Groups, func(g scopeGroup) bool { return g.Unit.Code == u.Parent }); i >= 0 {
					root.Groups[i].Units = append(root.Groups[i].Units, u)
					offered[u.Code] = true
				}
			}
		}
		ch.Roots = append(ch.Roots, root)
	}
	if len(ch.Roots) == 0 {
		return scopeChoices{}, nil
	}
	return ch, offered
}

// accountInput reads an account's form.
func accountInput(c *gin.Context) (access.UserInput, url.Values) {
	active := c.PostForm("active") == "on"
	in := access.UserInput{Username: c.PostForm("username"), DisplayName: c.PostForm("displayName"),
		Roles: c.PostFormArray("roles"), Scope: c.PostForm("scope"), Active: &active, Password: c.PostForm("password")}
	form := url.Values{"username": {in.Username}, "displayName": {in.DisplayName}, "roles": in.Roles,
		"scope": {in.Scope}, "active": {c.PostForm("active")}}
	return in, form
}

func (p *Pages) createAccount(c *gin.Context) {
	in, form := accountInput(c)
	in.Active = nil // a new account is active
	u, err := p.Access.CreateUser(c.Request.Context(), current(c).User, in)
	if err == nil {
		redirect(c, "/admin/accounts/"+url.PathEscape(u.Username), "Đã tạo tài khoản "+u.Username+".")
		return
	}
	errs, ok := formErrors(err)
	if !ok {
		p.fail(c, err)
		return
	}
	p.renderAccounts(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs})
}

func (p *Pages) account(c *gin.Context) {
	p.renderAccount(c, http.StatusOK, view{})
}

// renderAccount shows an account's page: its form holds the account as stored, or
// the values of a refused form.
func (p *Pages) renderAccount(c *gin.Context, status int, v view) {
	ctx := c.Request.Context()
	by := current(c).User
	u, err := p.Access.User(ctx, by, c.Param("username"))
	if err != nil {
		p.fail(c, err)
		return
	}
	if v.Form == nil {
		v.Form = url.Values{"displayName": {u.DisplayName}, "roles": u.Roles, "scope": {u.Scope}}
		if u.Active {
			v.Form.Set("active", "on")
		}
	}
	data := accountPage{User: u}
	if data.Throttle, err = p.Access.LoginThrottle(ctx, by, u.Username); err != nil {
		p.fail(c, err)
		return
	}
	data.Waiting = data.Throttle.Next.After(p.Now())
	if data.Mapping, err = p.Access.MappingOf(ctx, u); err != nil {
		p.fail(c, err)
		return
	}
	data.Chosen = map[string]bool{}
	for _, h := range data.Mapping.Offered {
		data.Chosen[h.Code] = len(data.Mapping.Confirmed) == 0 || slices.Contains(data.Mapping.Confirmed, h.Code)
	}
	if data.accountForm, err = p.accountForm(ctx, by, v.Form); err != nil {
		p.fail(c, err)
		return
	}
	v.Title, v.Data = "Tài khoản "+u.Username, data
	p.render(c, status, "admin_account.html", v)
}

func (p *Pages) updateAccount(c *gin.Context) {
	in, form := accountInput(c)
	in.Username, in.Password = "", "" // neither changes here
	username := c.Param("username")
	if _, err := p.Access.UpdateUser(c.Request.Context(), current(c).User, username, in); err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		p.renderAccount(c, http.StatusUnprocessableEntity, view{Form: form, Errors: errs})
		return
	}
	redirect(c, "/admin/accounts/"+url.PathEscape(username), "Đã lưu tài khoản "+username+".")
}

// resetPassword gives an account a new password; its sessions and tokens end.
func (p *Pages) resetPassword(c *gin.Context) {
	ctx := c.Request.Context()
	by, username := current(c).User, c.Param("username")
	password := c.PostForm("password")
	var err error
	if password != c.PostForm("confirmPassword") {
		err = loa.Invalid("confirmPassword", "the passwords differ")
	} else {
		var u access.User
		if u, err = p.Access.User(ctx, by, username); err == nil {
			_, err = p.Access.UpdateUser(ctx, by, username, access.UserInput{DisplayName: u.DisplayName,
				Roles: u.Roles, Scope: u.Scope, Active: &u.Active, Password: password})
		}
	}
	if err != nil {
		p.refuseAccount(c, err)
		return
	}
	redirect(c, "/admin/accounts/"+url.PathEscape(username),
		"Đã đặt mật khẩu mới cho "+username+". Các phiên đăng nhập và mã API của tài khoản đã bị thu hồi.")
}

// refuseAccount shows an account's page again with err beside its fields, or
// fails when err is not a refusal of the form.
func (p *Pages) refuseAccount(c *gin.Context, err error) {
	errs, ok := formErrors(err)
	if !ok {
		p.fail(c, err)
		return
	}
	p.renderAccount(c, http.StatusUnprocessableEntity, view{Errors: errs})
}

// mapScope confirms the units an account's ended scope passed to, chosen among
// those offered, as its extra scopes.
func (p *Pages) mapScope(c *gin.Context) {
	username := c.Param("username")
	u, err := p.Access.MapScope(c.Request.Context(), current(c).User, username, c.PostFormArray("units"))
	if err != nil {
		p.refuseAccount(c, err)
		return
	}
	redirect(c, "/admin/accounts/"+url.PathEscape(username),
		fmt.Sprintf("Đã xác nhận phạm vi mới của %s: %d đơn vị.", username, len(u.ExtraScopes)))
}

// clearThrottle forgets an account's failed logins, so it can sign in at once.
func (p *Pages) clearThrottle(c *gin.Context) {
	username := c.Param("username")
	if err := p.Access.ClearLoginThrottle(c.Request.Context(), current(c).User, username); err != nil {
		p.fail(c, err)
		return
	}
	redirect(c, "/admin/accounts/"+url.PathEscape(username), "Đã xoá các lần đăng nhập sai của "+username+": tài khoản đăng nhập được ngay.")
}

func (p *Pages) deleteAccount(c *gin.Context) {
	username := c.Param("username")
	if err := p.Access.DeleteUser(c.Request.Context(), current(c).User, username); err != nil {
		errs, ok := formErrors(err)
		if !ok {
			p.fail(c, err)
			return
		}
		p.renderAccount(c, http.StatusConflict, view{Errors: errs})
		return
	}
	redirect(c, "/admin/accounts", "Đã xoá tài khoản "+username+".")
}

// adminMessages are the messages of the admin pages' services: accounts, the
// org-unit and denominator imports.
var adminMessages = []message{
	{regexp.MustCompile(`^2 to 64 lower-case letters, digits, '\.', '_' or '-', starting with a letter or digit$`),
		"Tên đăng nhập gồm 2 đến 64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang; bắt đầu bằng chữ hoặc số."},
	{regexp.MustCompile(`^a display name of 1 to 200 characters is required$`), "Nhập họ tên (1 đến 200 ký tự)."},
	{regexp.MustCompile(`^at least one role: .*$`), "Chọn ít nhất một vai trò."},
	{regexp.MustCompile(`^unknown role "(.*)"; roles are .*$`), "Không có vai trò $1."},
	{regexp.MustCompile(`^the org unit whose subtree the account acts on .*$`), "Chọn đơn vị mà tài khoản làm việc trong phạm vi."},
	{regexp.MustCompile(`^the passwords differ$`), "Hai lần nhập mật khẩu không khớp."},
	{regexp.MustCompile(`^choose at least one of the units offered$`), "Chọn ít nhất một đơn vị được đề xuất."},
	{regexp.MustCompile(`^(\S+) is listed twice$`), "Đơn vị $1 được chọn hai lần."},
	{regexp.MustCompile(`^(\S+) is not among the units the land of (\S+) passed to .*$`), "Đơn vị $1 không nhận địa bàn nào của đơn vị $2."},
	{regexp.MustCompile(`^conflict: the scope (\S+) of (\S+) still stands; there is nothing to map$`),
		"Đơn vị $1 của tài khoản $2 vẫn còn; không có phạm vi nào cần chuyển."},
	{regexp.MustCompile(`^conflict: the scope of (\S+) changed meanwhile; look at the offer again$`),
		"Phạm vi của $1 vừa được đổi; hãy xem lại đề xuất."},
	{regexp.MustCompile(`^conflict: you cannot deactivate your own account or take away your own admin role$`),
		"Không thể tự khoá tài khoản của mình hay bỏ vai trò Quản trị của chính mình."},
	{regexp.MustCompile(`^conflict: you cannot delete your own account$`), "Không thể tự xoá tài khoản của mình."},
	// The imports' rows and files.
	{regexp.MustCompile(`^code must be 1 to 16 letters or digits, got "(.*)"$`), `Mã phải gồm 1 đến 16 chữ cái hoặc chữ số (tệp ghi "$1").`},
	{regexp.MustCompile(`^code (.+) is already defined in row (\d+)$`), "Mã $1 đã có ở dòng $2."},
	{regexp.MustCompile(`^name is required$`), "Thiếu tên đơn vị."},
	{regexp.MustCompile(`^type is required .*$`), "Thiếu loại đơn vị (VD: tỉnh, huyện, xã)."},
	{regexp.MustCompile(`^level must be a lower-case word .*, got "(.*)"$`), `Cấp phải là một từ viết thường như province, district, commune (tệp ghi "$1").`},
	{regexp.MustCompile(`^a unit cannot be its own parent$`), "Đơn vị không thể là cấp trên của chính nó."},
	{regexp.MustCompile(`^valid_to (\S+) is before valid_from (\S+)$`), "Ngày hết hiệu lực $1 trước ngày có hiệu lực $2."},
	{regexp.MustCompile(`^unknown parent unit (\S+)$`), "Không có đơn vị cấp trên mã $1."},
	{regexp.MustCompile(`^unknown parent unit (\S+) on (\S+)$`), "Không có đơn vị cấp trên mã $1 vào ngày $2."},
	{regexp.MustCompile(`^parent chain of (\S+) loops back to (\S+)$`), "Chuỗi cấp trên của $1 quay vòng lại $2."},
	{regexp.MustCompile(`^parent chain of (\S+) loops back to (\S+) on (\S+)$`), "Chuỗi cấp trên của $1 quay vòng lại $2 vào ngày $3."},
	{regexp.MustCompile(`^(\S+(?: \([^)]*\))?) overlaps (\S+(?: \([^)]*\))?)$`), "Thời gian hiệu lực của $1 trùng với $2."},
	{regexp.MustCompile(`^code (\S+) names no unit from (\S+) to (\S+), between .*$`), "Mã $1 bị bỏ trống từ $2 đến $3: các phiên bản của một mã phải nối liền nhau."},
	{regexp.MustCompile(`^successor (\S+) of (.+) does not exist on (\S+)$`), "Đơn vị kế thừa $1 của $2 không tồn tại vào ngày $3."},
	{regexp.MustCompile(`^(.+) has successors but no valid_to.*$`), "$1 có đơn vị kế thừa nhưng thiếu ngày hết hiệu lực (valid_to)."},
	{regexp.MustCompile(`^unit (\S+) still stands on (\S+) under (\S+)$`), "Đơn vị $1 vẫn còn vào ngày $2 và thuộc $3: $3 chưa thể hết hiệu lực."},
	{regexp.MustCompile(`^successor code must be 1 to 16 letters or digits, got "(.*)"$`), `Mã đơn vị kế thừa phải gồm 1 đến 16 chữ cái hoặc chữ số (tệp ghi "$1").`},
	{regexp.MustCompile(`^successor (\S+) is listed twice$`), "Đơn vị kế thừa $1 được ghi hai lần."},
	{regexp.MustCompile(`^the share of successor (\S+) must be .*$`), "Tỉ lệ của đơn vị kế thừa $1 phải lớn hơn 0 và không quá 1."},
	{regexp.MustCompile(`^a unit split between (\d+) successors needs the share of each.*$`), "Đơn vị chia cho $1 đơn vị kế thừa: ghi tỉ lệ của từng đơn vị (mã=tỉ lệ)."},
	{regexp.MustCompile(`^the shares of the successors add up to (\S+), not 1$`), "Tổng tỉ lệ của các đơn vị kế thừa là $1, phải bằng 1."},
	{regexp.MustCompile(`^org unit (\S+) does not exist in (\d+)$`), "Đơn vị $1 không tồn tại trong năm $2."},
	{regexp.MustCompile(`^(?:org )?unit (\S+) is outside your scope (\S+)$`), "Đơn vị $1 nằm ngoài phạm vi $2 của tài khoản."},
	{regexp.MustCompile(`^unknown target group "(.*)"$`), "Không có nhóm đối tượng «$1»."},
	{regexp.MustCompile(`^year must be a four-digit year, got "(.*)"$`), `Năm phải có bốn chữ số (tệp ghi "$1").`},
	{regexp.MustCompile(`^say where the figure comes from .*$`), "Ghi nguồn của số liệu (VD: «Cục Thống kê 2023»)."},
	{regexp.MustCompile(`^count must be a whole number, got "(.*)"$`), `Số lượng phải là số nguyên (tệp ghi "$1").`},
	{regexp.MustCompile(`^count must not be negative, got (-?\d+)$`), "Số lượng không được âm (tệp ghi $1)."},
	{regexp.MustCompile(`^row (\d+) already gives (\S+) (\S+) (\d+)$`), "Dòng $1 đã có số của đơn vị $2, nhóm $3, năm $4."},
	{regexp.MustCompile(`^missing required columns: (.*)$`), "Tệp thiếu cột bắt buộc: $1."},
	{regexp.MustCompile(`^the file is empty$`), "Tệp không có dữ liệu."},
	{regexp.MustCompile(`^not a readable CSV file: .*$`), "Không đọc được tệp CSV (kiểm tra dấu ngoặc kép và dấu phẩy)."},
}

// pager is where a page of a list lies: its number (from 1), how many pages and
// items there are, and the links to the pages around it.
type pager struct {
	Page, Pages int
	Total       int64
	Prev, Next  string
}

// paged cuts the page ?page= of all (size items a page) and links its neighbours,
// keeping the other parameters of the request (a list's filter).
func paged[T any](c *gin.Context, all []T, size int) ([]T, pager) {
	pg := pager{Total: int64(len(all)), Pages: max(1, (len(all)+size-1)/size)}
	pg.Page, _ = strconv.Atoi(c.Query("page"))
	pg.Page = min(max(pg.Page, 1), pg.Pages)
	link := func(n int) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return c.Request.URL.Path + "?" + q.Encode()
	}
	if pg.Page > 1 {
		pg.Prev = link(pg.Page - 1)
	}
	if pg.Page < pg.Pages {
		pg.Next = link(pg.Page + 1)
	}
	return all[(pg.Page-1)*size : min(pg.Page*size, len(all))], pg
}
