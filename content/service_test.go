package content_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"loa"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
	"loa/content"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var fixedNow = func() time.Time { return time.Date(2024, 3, 15, 9, 0, 0, 0, time.UTC) }

var (
	author   = loa.Actor{Username: "writer", Scope: "49"}
	editor   = loa.Actor{Username: "editor", Scope: "49"}
	approver = content.Reviewer{Actor: loa.Actor{Username: "approver", Scope: "49"}, Approver: true}
)

func newService(t testing.TB) *content.Service {
	t.Helper()
	s, _ := newServiceDB(t)
	return s
}

func newServiceDB(t testing.TB) (*content.Service, *database.DB) {
	t.Helper()
	db := dbtest.New(t, slices.Concat(database.Schema, campaigns.Schema, audit.Schema, content.Schema))
	ctx := context.Background()
	trail := audit.New(audit.NewStore(db), fixedNow)
	cs := campaigns.NewService(campaigns.NewStore(db), trail, fixedNow)
	if err := cs.LoadReference(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cs.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	return content.NewService(content.NewStore(db), cs, trail, fixedNow, content.Options{Hotline: "0235 111 222"}), db
}

func script(title, body string) content.Input {
	return content.Input{Message: content.Message{Kind: "radio_script", Title: title, Body: body,
		Groups: []string{"general_public"}, Campaigns: []string{"PCMD-2024"}, SlotSeconds: 120}}
}

func TestCreateValidation(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(in *content.Input)
		field  string
	}{
		{"unknown kind", func(in *content.Input) { in.Kind = "podcast" }, "kind"},
		{"empty title", func(in *content.Input) { in.Title = "  " }, "title"},
		{"title over 300", func(in *content.Input) { in.Title = strings.Repeat("â", 301) }, "title"},
		{"body over 200 KB", func(in *content.Input) { in.Body = strings.Repeat("x", 200<<10+1) }, "body"},
		{"invalid UTF-8", func(in *content.Input) { in.Body = "chào \xff\xfe" }, "body"},
		{"unknown group", func(in *content.Input) { in.Groups = []string{"tourists"} }, "groups"},
		{"unknown language", func(in *content.Input) { in.Language = "fr" }, "language"},
		{"unknown campaign", func(in *content.Input) { in.Campaigns = []string{"NOPE-2024"} }, "campaigns"},
		{"unknown placeholder", func(in *content.Input) { in.Body = "Xin chào\n{{.Village}}" }, "body"},
		{"template function", func(in *content.Input) { in.Body = `{{printf "%s" .Commune}}` }, "body"},
		{"validity reversed", func(in *content.Input) {
			from, to := loa.Date("2024-06-01"), loa.Date("2024-01-01")
			in.ValidFrom, in.ValidTo = &from, &to
		}, "validTo"},
		{"negative slot", func(in *content.Input) { in.SlotSeconds = -1 }, "slotSeconds"},
		{"unknown master", func(in *content.Input) { in.VariantOf = "c-nope" }, "variantOf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := script("Tin phát thanh", "Nội dung {{.Commune}}")
			tt.change(&in)
			_, err := s.Create(ctx, author, in)
			var ve *loa.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Create with %s: %v, want a validation error", tt.name, err)
			}
			if !slices.ContainsFunc(ve.Details, func(d loa.FieldError) bool { return d.Field == tt.field }) {
				t.Errorf("Create with %s: details %+v, want one on %s", tt.name, ve.Details, tt.field)
			}
		})
	}
	if items, _ := s.List(ctx, content.Filter{}); len(items) != 0 {
		t.Errorf("%d items stored by invalid creations", len(items))
	}
	_, err := s.Create(ctx, author, func() content.Input {
		in := script("x", "line one\nline two {{.Nope}}")
		return in
	}())
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("an unknown placeholder on line 2: %v, want the line named", err)
	}
}

// The workflow as a table of (state, action, who) → result.
func TestWorkflow(t *testing.T) {
	writerAsReviewer := content.Reviewer{Actor: author}
	authorWithApproverRole := content.Reviewer{Actor: author, Approver: true}
	plainEditor := content.Reviewer{Actor: editor}
	tests := []struct {
		from    string // status before the step
		action  string
		who     content.Reviewer
		comment string
		want    string // status after, or an error code: conflict, forbidden, invalid
	}{
		{content.StatusDraft, content.ActionSubmit, writerAsReviewer, "", content.StatusInReview},
		{content.StatusDraft, content.ActionApprove, approver, "", "conflict"},
		{content.StatusDraft, content.ActionReject, approver, "no", "conflict"},
		{content.StatusDraft, content.ActionArchive, plainEditor, "", content.StatusArchived},
		{content.StatusInReview, content.ActionApprove, approver, "", content.StatusApproved},
		{content.StatusInReview, content.ActionApprove, authorWithApproverRole, "", "forbidden"},
		{content.StatusInReview, content.ActionApprove, plainEditor, "", "forbidden"},
		{content.StatusInReview, content.ActionReject, approver, "thiếu số đường dây nóng", content.StatusDraft},
		{content.StatusInReview, content.ActionReject, approver, "", "invalid"},
		{content.StatusInReview, content.ActionReject, authorWithApproverRole, "tự từ chối", "forbidden"},
		{content.StatusInReview, content.ActionSubmit, writerAsReviewer, "", "conflict"},
		{content.StatusApproved, content.ActionApprove, approver, "", "conflict"},
		{content.StatusApproved, content.ActionSubmit, writerAsReviewer, "", "conflict"},
		{content.StatusApproved, content.ActionArchive, plainEditor, "", content.StatusArchived},
		{content.StatusArchived, content.ActionSubmit, writerAsReviewer, "", "conflict"},
		{content.StatusArchived, content.ActionArchive, plainEditor, "", "conflict"},
	}
	s := newService(t)
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s %s by %s", tt.from, tt.action, tt.who.Username), func(t *testing.T) {
			it, err := s.Create(ctx, author, script(fmt.Sprintf("Tin %d", i), "Nội dung."))
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range map[string][]string{
				content.StatusInReview: {content.ActionSubmit},
				content.StatusApproved: {content.ActionSubmit, content.ActionApprove},
				content.StatusArchived: {content.ActionArchive},
			}[tt.from] {
				if _, err := s.Step(ctx, approver, it.ID, step, ""); err != nil {
					t.Fatalf("reaching %s: %v", tt.from, err)
				}
			}
			before, _ := s.Get(ctx, it.ID)
			out, err := s.Step(ctx, tt.who, it.ID, tt.action, tt.comment)
			var got string
			switch {
			case errors.Is(err, loa.ErrConflict):
				got = "conflict"
			case errors.Is(err, content.ErrForbidden):
				got = "forbidden"
			case errors.Is(err, loa.ErrInvalid):
				got = "invalid"
			case err != nil:
				t.Fatal(err)
			default:
				got = out.Item.Status
			}
			if got != tt.want {
				t.Errorf("%s on a %s item by %s = %s, want %s", tt.action, tt.from, tt.who.Username, got, tt.want)
			}
			after, _ := s.Get(ctx, it.ID)
			if err != nil && (after.Status != before.Status || after.ApprovedVersion != before.ApprovedVersion) {
				t.Errorf("a refused %s changed the item: %s → %s", tt.action, before.Status, after.Status)
			}
			if tt.comment != "" && err == nil {
				cs, _ := s.Comments(ctx, it.ID)
				if len(cs) != 1 || cs[0].Text != tt.comment || cs[0].Author != tt.who.Username {
					t.Errorf("comments after %s = %+v", tt.action, cs)
				}
			}
		})
	}
}

// Editing an approved item makes a new draft version; the approved one stays in
// force until the new one is approved.
func TestVersioning(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	it, err := s.Create(ctx, author, script("Tin", "Bản **một**."))
	if err != nil {
		t.Fatal(err)
	}
	// A draft is edited in place.
	in := script("Tin", "Bản **một**, sửa.")
	if it, err = s.Update(ctx, author, it.ID, in); err != nil || it.Version != 1 {
		t.Fatalf("editing a draft: version %d, %v; want 1", it.Version, err)
	}
	for _, step := range []string{content.ActionSubmit, content.ActionApprove} {
		if _, err := s.Step(ctx, approver, it.ID, step, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Update(ctx, editor, it.ID, script("Tin", "Bản hai.")); err != nil {
		t.Fatal(err)
	}
	it, _ = s.Get(ctx, it.ID)
	if it.Status != content.StatusDraft || it.Version != 2 || it.ApprovedVersion != 1 {
		t.Errorf("after editing the approved item: %s v%d, approved v%d; want draft v2, approved v1", it.Status, it.Version, it.ApprovedVersion)
	}
	if items, _ := s.List(ctx, content.Filter{InForce: true}); len(items) != 1 {
		t.Errorf("the approved item with a new draft is not listed as in force")
	}
	if items, _ := s.List(ctx, content.Filter{Status: content.StatusApproved}); len(items) != 0 {
		t.Errorf("status=approved lists an item whose working version is a draft")
	}
	inForce, err := s.Render(ctx, it.ID, content.RenderRequest{Format: "text"})
	if err != nil {
		t.Fatal(err)
	}
	if inForce.Version != 1 || !strings.Contains(inForce.Content, "Bản một, sửa.") {
		t.Errorf("the version in force = v%d %q, want v1", inForce.Version, inForce.Content)
	}
	// The editor of version 2 may not approve it, even with the approver role.
	if _, err := s.Step(ctx, approver, it.ID, content.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Step(ctx, content.Reviewer{Actor: editor, Approver: true}, it.ID, content.ActionApprove, ""); !errors.Is(err, content.ErrForbidden) {
		t.Errorf("the editor approving its own version: %v, want ErrForbidden", err)
	}
	if _, err := s.Step(ctx, approver, it.ID, content.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	inForce, _ = s.Render(ctx, it.ID, content.RenderRequest{Format: "text"})
	if inForce.Version != 2 {
		t.Errorf("after approving v2 the version in force is v%d", inForce.Version)
	}
	vs, err := s.Versions(ctx, it.ID)
	if err != nil || len(vs) != 2 || vs[0].ApprovedBy != "approver" || !slices.Equal(vs[1].Editors, []string{"editor"}) {
		t.Errorf("versions = %+v, %v", vs, err)
	}
	d, err := s.DiffVersions(ctx, it.ID, 1, 2)
	if err != nil || !strings.Contains(d.Body, "-Bản **một**, sửa.") || !strings.Contains(d.Body, "+Bản hai.") {
		t.Errorf("diff = %+v, %v", d, err)
	}
	if err := s.Delete(ctx, author, it.ID); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("deleting approved words: %v, want ErrConflict", err)
	}
}

func TestSearch(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	mk := func(title, body string, tags ...string) string {
		in := script(title, body)
		in.Tags = tags
		it, err := s.Create(ctx, author, in)
		if err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	a := mk("Phòng, chống mại dâm", "Nội dung về pháp luật.")
	b := mk("Sức khỏe", "Xét nghiệm HIV miễn phí.", "y tế")
	c := mk("Học đường", "Kỹ năng sống cho học sinh.", "Mại Dâm")
	tests := []struct {
		q    string
		want []string
	}{
		{"mai dam", []string{a, c}},
		{"MẠI DÂM", []string{a, c}},
		{"hiv", []string{b}},
		{"HIV", []string{b}},
		{"y te", []string{b}},
		{"khong co", nil},
	}
	for _, tt := range tests {
		items, err := s.List(ctx, content.Filter{Q: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ID)
		}
		slices.Sort(got)
		slices.Sort(tt.want) // created at one fixed instant, the items have no order among them
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
		}
	}
	if items, _ := s.List(ctx, content.Filter{Q: "mai dam", Status: content.StatusApproved}); len(items) != 0 {
		t.Errorf("status filter let through %d drafts", len(items))
	}
}

func TestVariants(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	master, _ := s.Create(ctx, author, script("Gốc", "Nội dung."))
	in := script("Bản Cơ Tu", "Nội dung (bản dịch giữ chỗ).")
	in.Language, in.VariantOf, in.Groups = "cotu", master.ID, []string{"ethnic_minorities"}
	variant, err := s.Create(ctx, author, in)
	if err != nil {
		t.Fatal(err)
	}
	master, _ = s.Get(ctx, master.ID)
	if !slices.Equal(master.Variants, []string{variant.ID}) {
		t.Errorf("master lists %v, want [%s]", master.Variants, variant.ID)
	}
	in.VariantOf = variant.ID
	if _, err := s.Create(ctx, author, in); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("a variant of a variant: %v, want ErrInvalid", err)
	}
	if err := s.Delete(ctx, author, master.ID); !errors.Is(err, loa.ErrConflict) {
		t.Errorf("deleting a master with variants: %v, want ErrConflict", err)
	}
	if err := s.Delete(ctx, author, variant.ID); err != nil {
		t.Fatal(err)
	}
	master, _ = s.Get(ctx, master.ID)
	if len(master.Variants) != 0 {
		t.Errorf("master still lists %v after the variant was deleted", master.Variants)
	}
}

func TestRenderFillsPlaceholdersAndWarnsOverSlot(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	in := script("Tin", "# Thông báo\n\n{{.Station}} kính chào bà con {{.Commune}}, {{.District}}. Gọi {{.Hotline}}.")
	in.SlotSeconds = 2
	it, err := s.Create(ctx, author, in)
	if err != nil {
		t.Fatal(err)
	}
	fill := s.PreviewFields("xã Tam Thanh", "thành phố Tam Kỳ", fixedNow())
	out, err := s.Render(ctx, it.ID, content.RenderRequest{Format: "text", Fill: &fill})
	if err != nil {
		t.Fatal(err)
	}
	want := "Đài truyền thanh xã Tam Thanh kính chào bà con xã Tam Thanh, thành phố Tam Kỳ. Gọi 0235 111 222."
	if !strings.Contains(out.Content, want) || strings.Contains(out.Content, "#") {
		t.Errorf("filled read-aloud text = %q, want it to contain %q and no Markdown", out.Content, want)
	}
	if out.ReadSeconds <= 2 || len(out.Warnings) != 1 || out.Warnings[0].Code != "over_slot" {
		t.Errorf("reading %d s in a 2 s slot: warnings %+v, want over_slot", out.ReadSeconds, out.Warnings)
	}
	if _, err := s.Render(ctx, it.ID, content.RenderRequest{Format: "pdf"}); !errors.Is(err, loa.ErrInvalid) {
		t.Errorf("format pdf: %v, want ErrInvalid", err)
	}
}

func TestSubmitWarns(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	in := script("Tin", "## Mở đầu\n\n## Nội dung\n\nKhông kỳ thị gái mại dâm.")
	in.Groups = nil
	it, err := s.Create(ctx, author, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Step(ctx, approver, it.ID, content.ActionSubmit, "")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, w := range out.Warnings {
		codes = append(codes, w.Code)
	}
	slices.Sort(codes)
	if !slices.Equal(slices.Compact(codes), []string{"discouraged_term", "empty_section", "no_group"}) {
		t.Errorf("submit warnings = %+v", out.Warnings)
	}
}

func TestAttachments(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	it, _ := s.Create(ctx, author, script("Tin", "Nội dung."))
	wav := append([]byte("RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00\x88\x58\x01\x00\x02\x00\x10\x00data\x00\x08\x00\x00"), make([]byte, 3<<20)...)
	got, err := s.Attach(ctx, author, it.ID, "tin.wav", wav)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attachment == nil || got.Attachment.ContentType != "audio/wav" || got.Attachment.Bytes != int64(len(wav)) {
		t.Fatalf("attachment = %+v", got.Attachment)
	}
	a, data, err := s.AttachmentOf(ctx, it.ID, 0)
	if err != nil || string(data) != string(wav) || a.SHA256 != got.Attachment.SHA256 {
		t.Errorf("read back %d bytes (%v), want the %d stored", len(data), err, len(wav))
	}
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"a script named .mp3", []byte("<script>alert(1)</script>")},
		{"a PDF", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n")},
		{"too large", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00"), make([]byte, 20<<20)...)},
		{"empty", nil},
	} {
		_, err := s.Attach(ctx, author, it.ID, "x.mp3", tt.data)
		if !errors.Is(err, loa.ErrInvalid) {
			t.Errorf("attaching %s: %v, want ErrInvalid", tt.name, err)
		}
	}
	after, _ := s.Get(ctx, it.ID)
	if after.Attachment.SHA256 != got.Attachment.SHA256 {
		t.Errorf("a refused attachment replaced the stored one")
	}
}

// Anyone who wrote a version may not approve it, even when another account edited
// it last.
func TestFourEyesCountsEveryEditor(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	it, _ := s.Create(ctx, author, script("Tin", "Bản của người viết."))
	if _, err := s.Update(ctx, approver.Actor, it.ID, script("Tin", "Bản người duyệt viết lại.")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, editor, it.ID, script("Tin", "Bản người duyệt viết lại, sửa một chữ.")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Step(ctx, approver, it.ID, content.ActionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Step(ctx, approver, it.ID, content.ActionApprove, ""); !errors.Is(err, content.ErrForbidden) {
		t.Errorf("approving a version one helped write: %v, want ErrForbidden", err)
	}
	other := content.Reviewer{Actor: loa.Actor{Username: "second-approver", Scope: "49"}, Approver: true}
	if _, err := s.Step(ctx, other, it.ID, content.ActionApprove, ""); err != nil {
		t.Errorf("an approver who wrote none of it: %v", err)
	}
}

// A new recording on an approved item is a new version: it reaches stations only
// once approved.
func TestAttachingToApprovedItemNeedsReview(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	it, _ := s.Create(ctx, author, script("Tin", "Nội dung."))
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	for _, step := range []string{content.ActionSubmit, content.ActionApprove} {
		if _, err := s.Step(ctx, approver, it.ID, step, ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Attach(ctx, author, it.ID, "anh.png", png)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != content.StatusDraft || got.Version != 2 || got.ApprovedVersion != 1 {
		t.Errorf("after attaching to an approved item: %s v%d (approved v%d), want a draft v2", got.Status, got.Version, got.ApprovedVersion)
	}
	if _, _, err := s.AttachmentOf(ctx, it.ID, 0); !errors.Is(err, loa.ErrNotFound) {
		t.Errorf("the version in force has an attachment before review: %v", err)
	}
	if a, _, err := s.AttachmentOf(ctx, it.ID, 2); err != nil || a.Name != "anh.png" {
		t.Errorf("the draft's attachment: %+v, %v", a, err)
	}
}

// The cached library follows this process's writes: what a search finds is always
// what is stored.
func TestSearchFollowsWrites(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	find := func(q string) []string {
		items, err := s.List(ctx, content.Filter{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	a, _ := s.Create(ctx, author, script("Tin thường", "Nội dung."))
	if got := find("dac biet"); len(got) != 0 {
		t.Fatalf("found %v before any item mentions it", got)
	}
	if _, err := s.Update(ctx, author, a.ID, script("Tin đặc biệt", "Nội dung.")); err != nil {
		t.Fatal(err)
	}
	if got := find("dac biet"); !slices.Equal(got, []string{a.ID}) {
		t.Errorf("after renaming: %v, want [%s]", got, a.ID)
	}
	b, _ := s.Create(ctx, author, script("Một tin đặc biệt khác", "Nội dung."))
	if got := find("dac biet"); len(got) != 2 || !slices.Contains(got, b.ID) {
		t.Errorf("after creating another: %v", got)
	}
	if err := s.Delete(ctx, author, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := find("dac biet"); !slices.Equal(got, []string{b.ID}) {
		t.Errorf("after deleting the first: %v, want [%s]", got, b.ID)
	}
}

// An approver's review list holds the items in review that someone else wrote:
// not drafts, not items it wrote or helped edit.
func TestToReview(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	ids := map[string]string{}
	for _, tc := range []struct {
		name   string
		by     loa.Actor
		edit   *loa.Actor
		submit bool
	}{
		{"theirs", author, nil, true},
		{"draft", author, nil, false},
		{"mine", approver.Actor, nil, true},
		{"edited by me", author, &approver.Actor, true},
	} {
		it, err := s.Create(ctx, tc.by, script(tc.name, "Bản "+tc.name+"."))
		if err != nil {
			t.Fatal(err)
		}
		if tc.edit != nil {
			if _, err := s.Update(ctx, *tc.edit, it.ID, script(tc.name, "Bản sửa "+tc.name+".")); err != nil {
				t.Fatal(err)
			}
		}
		if tc.submit {
			if _, err := s.Step(ctx, content.Reviewer{Actor: tc.by}, it.ID, content.ActionSubmit, ""); err != nil {
				t.Fatal(err)
			}
		}
		ids[tc.name] = it.ID
	}
	got, err := s.ToReview(ctx, approver.Username)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, it := range got {
		titles = append(titles, it.Title)
	}
	if !slices.Equal(titles, []string{"theirs"}) {
		t.Errorf("ToReview(approver) = %v, want [theirs]", titles)
	}
	other, err := s.ToReview(ctx, "second-approver")
	if err != nil || len(other) != 3 {
		t.Errorf("ToReview(second-approver) = %d items, %v; want 3 (every item in review)", len(other), err)
	}
}
