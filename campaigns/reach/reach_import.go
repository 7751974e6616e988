package reach

import (
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"loa"
	"loa/campaigns"
)

// reachBatch is how many good rows an import holds before writing them: the
// memory an import takes is this batch, not its file.
const reachBatch = 100_000

// reachColumn is a column of a reach import file: its field, its Vietnamese header
// (the template's) and the other headers it is known by.
type reachColumn struct {
	field, header, help string
	aliases             []string
	required            bool
}

var reachColumns = []reachColumn{
	{"campaign", "Mã kế hoạch", "mã chương trình, kế hoạch (bỏ trống nếu chọn khi nhập)", []string{"chuong trinh", "ke hoach", "campaign"}, false},
	{"orgUnit", "Mã đơn vị", "mã đơn vị hành chính (GSO) nơi tổ chức hoạt động", []string{"ma dvhc", "orgunit", "org_unit", "org_unit_code"}, true},
	{"group", "Nhóm đối tượng", "mã hoặc tên nhóm đối tượng (xem bảng dưới)", []string{"doi tuong", "group"}, true},
	{"date", "Ngày", "ngày tổ chức: dd/mm/yyyy hoặc yyyy-mm-dd", []string{"ngay thuc hien", "ngay to chuc", "date"}, true},
	{"activity", "Hình thức", "mã hoặc tên hình thức (xem bảng dưới)", []string{"hinh thuc tuyen truyen", "activity"}, true},
	{"activities", "Số buổi", "số buổi, cuộc, tin bài: số nguyên từ 1", []string{"so cuoc", "so hoat dong", "activities"}, true},
	{"personTimes", "Số lượt người", "số lượt người tham dự, được tiếp cận: số nguyên từ 0", []string{"luot nguoi", "persontimes", "person_times"}, true},
	{"uniquePersons", "Số người", "số người (không trùng), nếu biết; không lớn hơn số lượt người", []string{"uniquepersons", "unique_persons"}, false},
	{"firstTimePersons", "Số người lần đầu", "số người lần đầu được tiếp cận trong kế hoạch, nếu biết; không lớn hơn số người", []string{"nguoi lan dau", "firsttimepersons", "first_time_persons"}, false},
	{"estimated", "Ước tính", "\"x\" hoặc \"có\" nếu số liệu là ước tính", []string{"uoc luong", "estimated"}, false},
	{"sourceRef", "Số hiệu báo cáo", "số hiệu báo cáo của đơn vị, để nhập lại không bị trùng", []string{"so bao cao", "sourceref", "source_ref"}, false},
	{"evidence", "Minh chứng", "đường dẫn hoặc ghi chú minh chứng", []string{"ghi chu", "evidence"}, false},
}

// reachHeader maps a header as written in a file to its field: Vietnamese or
// English, with or without diacritics, case or a hint in parentheses.
func reachHeader(h string) string {
	name := strings.Join(strings.Fields(loa.Fold(h)), " ")
	candidates := []string{name}
	if before, inside, ok := strings.Cut(name, "("); ok {
		candidates = []string{strings.TrimSpace(before), strings.Trim(strings.TrimSpace(inside), ")")}
	}
	for _, n := range candidates {
		for _, c := range reachColumns {
			if n == loa.Fold(c.header) || n == strings.ToLower(c.field) || slices.Contains(c.aliases, n) {
				return c.field
			}
		}
	}
	return ""
}

func missingReachColumns(fields []string) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		for _, c := range reachColumns {
			if c.field == f {
				names[i] = fmt.Sprintf("%q (%s)", c.header, c.field)
			}
		}
	}
	return "Thiếu cột bắt buộc: " + strings.Join(names, ", ")
}

// ImportReach reads reach records from a CSV or XLSX file (the first sheet), with
// Vietnamese or English headers, one row at a time within the service's
// ImportLimits. Good rows are written, in batches of 100,000, and bad rows
// reported, each problem with its row, column, a Vietnamese message and a code.
// Rows are keyed by their natural key, so importing the same file twice changes
// nothing and a corrected file updates what it corrects. campaign is used where
// the file has no campaign column (or leaves it empty). An import stopped by a
// limit part-way answers a LimitError carrying the summary of what it wrote.
func (s *Service) ImportReach(ctx context.Context, actor loa.Actor, campaign string, r io.Reader, dryRun bool) (loa.ImportSummary, error) {
	return s.ImportReachWatched(ctx, actor, campaign, r, dryRun, nil)
}

// ImportProgress is how far an import has come: the rows of data read so far and
// the share of the file read (0 to 1; 0 where the format does not tell, as in a
// workbook).
type ImportProgress struct {
	Rows  int
	Share float64
}

// ImportReachWatched is ImportReach telling progress (when not nil) how far it has
// come after each row read, from the goroutine of the import: a page shows the
// progress of a large file with it.
func (s *Service) ImportReachWatched(ctx context.Context, actor loa.Actor, campaign string, r io.Reader, dryRun bool,
	progress func(ImportProgress)) (_ loa.ImportSummary, err error) {
	if campaign != "" {
		if _, err := s.store.Campaign(ctx, campaign); err != nil {
			return loa.ImportSummary{}, err
		}
	}
	var required []string
	for _, c := range reachColumns {
		if c.required || c.field == "campaign" && campaign == "" {
			required = append(required, c.field)
		}
	}
	ctx, t, end, err := s.core.OpenTable(ctx, r, reachHeader, required, missingReachColumns)
	if err != nil {
		return loa.ImportSummary{}, err
	}
	defer end()
	var sum loa.ImportSummary
	var written *loa.ImportSummary // what the batches written so far did
	defer func() { err = campaigns.Stopped(ctx, err, written) }()
	check, err := s.reachCheck(ctx, actor)
	if err != nil {
		return loa.ImportSummary{}, err
	}
	groups, err := s.store.TargetGroups(ctx)
	if err != nil {
		return loa.ImportSummary{}, err
	}
	p := rowParser{t: t, xlsx: t.XLSX(), campaign: campaign, groups: map[string]string{}}
	for _, g := range groups {
		for _, name := range []string{g.Code, loa.Fold(g.NameVi), loa.Fold(g.NameEn)} {
			p.groups[name] = g.Code
		}
	}
	// The rows seen, by a hash of their key: a few bytes a row, not the row.
	seed := maphash.MakeSeed()
	rowOf := map[uint64]int32{}
	batch := make([]Reach, 0, min(s.opts.batch, 1024))
	importID := loa.NewID("import-", s.now())
	write := func() error {
		// A batch begun is written whole, whatever happens to the request.
		err := s.saveReachRows(context.WithoutCancel(ctx), actor, importID, &sum, batch, dryRun)
		batch = batch[:0]
		if err == nil && !dryRun {
			done := sum
			done.Conflicts = slices.Clone(sum.Conflicts)
			done = done.Finish(dryRun)
			done.Status = loa.StatusPartial
			written = &done
		}
		return err
	}
	err = t.Each(ctx, func(n int, row []string) error {
		sum.Read++
		if progress != nil {
			progress(ImportProgress{Rows: sum.Read, Share: t.Share()})
		}
		r, problems := p.parse(row)
		r.normalize() // NFC, as records written one by one are
		if problems == nil {
			problems = check.problems(r)
		}
		for _, pr := range problems {
			sum.AddConflict(n, t.Header(pr.field), pr.code, pr.message)
		}
		if problems != nil {
			return nil
		}
		r.ID = ReachKey(r)
		key := maphash.String(seed, r.ID)
		if first, dup := rowOf[key]; dup {
			sum.AddConflict(n, t.Header("orgUnit"), CodeDuplicateRow,
				fmt.Sprintf("Trùng với dòng %d (cùng đơn vị, nhóm, ngày, hình thức và số hiệu báo cáo)", first))
			return nil
		}
		rowOf[key] = int32(n)
		if batch = append(batch, r); len(batch) == s.opts.batch {
			return write()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = write()
	}
	if err != nil {
		return loa.ImportSummary{}, err
	}
	return sum.Finish(dryRun), nil
}

// saveReachRows counts and (unless a dry run) writes good rows, a batch of import
// importID: new keys are created, stored ones compared and replaced where they
// changed.
func (s *Service) saveReachRows(ctx context.Context, actor loa.Actor, importID string, sum *loa.ImportSummary, good []Reach, dryRun bool) error {
	changes := make(map[string]*Reach, len(good))
	var campaigns []string
	for i := range good {
		changes[good[i].ID] = &good[i]
		if !slices.Contains(campaigns, good[i].Campaign) {
			campaigns = append(campaigns, good[i].Campaign)
		}
	}
	// One entry for the records a batch of an import creates (their state is the
	// record itself); each update keeps the fields it changed, before and after.
	audit := func(ctx context.Context, writes []reachWrite) []loa.Change {
		var created []string
		var changes []loa.Change
		for _, w := range writes {
			if w.before == nil {
				created = append(created, w.after.ID)
				continue
			}
			changes = append(changes, w.correction(s.pathOf(ctx, w.after.OrgUnit, w.after.Date)))
		}
		if created != nil {
			slices.Sort(created)
			changes = append(changes, loa.Change{Action: "create", Entity: "reach_import", EntityID: created[0],
				Path: s.pathOf(ctx, actor.Scope, s.core.Today()), After: map[string]any{"import": importID, "campaigns": campaigns, "created": created}})
		}
		return changes
	}
	writes, err := s.changeReach(ctx, changes, dryRun, writer{actor: actor, importID: importID, audit: audit})
	if err != nil {
		return err
	}
	for _, w := range writes {
		if w.before == nil {
			sum.Imported++
		} else {
			sum.Updated++
		}
	}
	sum.Unchanged += len(good) - len(writes)
	return nil
}

// rowParser turns a row's cells into a record.
type rowParser struct {
	t        *campaigns.Table
	xlsx     bool
	campaign string
	groups   map[string]string // group code by code and by folded name
}

var (
	dmyDate = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$`)
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
)

// parse reads a row; problems lists cells that cannot be read at all (the record's
// own checks come after).
func (p rowParser) parse(row []string) (Reach, []reachProblem) {
	var problems []reachProblem
	bad := func(field, code, format string, args ...any) {
		problems = append(problems, reachProblem{field, code, fmt.Sprintf(format, args...)})
	}
	r := Reach{
		Campaign:  p.t.Cell(row, "campaign"),
		OrgUnit:   p.t.Cell(row, "orgUnit"),
		Group:     lookup(p.groups, p.t.Cell(row, "group")),
		Activity:  lookup(activityNames(), p.t.Cell(row, "activity")),
		SourceRef: p.t.Cell(row, "sourceRef"),
		Evidence:  p.t.Cell(row, "evidence"),
	}
	if r.Campaign == "" {
		r.Campaign = p.campaign
	}
	date, ok := p.date(p.t.Cell(row, "date"))
	if !ok {
		bad("date", CodeBadDate, "Ngày %q không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)", p.t.Cell(row, "date"))
	}
	r.Date = date
	count := func(field, label string, required bool) (int64, bool) {
		v := strings.ReplaceAll(p.t.Cell(row, field), " ", "")
		if v == "" {
			if required {
				bad(field, CodeRequired, "Thiếu %s", label)
			}
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			// A workbook's number cell may read "25.0"; in a CSV "1.000" is a
			// thousands separator, refused rather than read as 1.
			f, ferr := strconv.ParseFloat(v, 64)
			if !p.xlsx || ferr != nil || f != math.Trunc(f) || math.Abs(f) > maxCount {
				bad(field, CodeNotInteger, "%s phải là số nguyên (không dùng dấu phân cách hàng nghìn), không phải %q", upperFirst(label), v)
				return 0, false
			}
			n = int64(f)
		}
		if n < 0 {
			bad(field, CodeNegative, "%s không được âm", upperFirst(label))
			return 0, false
		}
		return n, true
	}
	if n, ok := count("activities", "số buổi", true); ok {
		r.Activities = int(min(n, maxCount+1))
	}
	if n, ok := count("personTimes", "số lượt người", true); ok {
		r.PersonTimes = n
	}
	if n, ok := count("uniquePersons", "số người", false); ok {
		r.UniquePersons = &n
	}
	if n, ok := count("firstTimePersons", "số người lần đầu", false); ok {
		r.FirstTimePersons = &n
	}
	switch v := loa.Fold(p.t.Cell(row, "estimated")); v {
	case "", "0", "khong", "false", "no", "k":
	case "1", "x", "co", "true", "yes", "c":
		r.Estimated = true
	default:
		bad("estimated", CodeNotBoolean, "Cột ước tính chỉ nhận \"x\"/\"có\" hoặc để trống, không phải %q", v)
	}
	return r, problems
}

// date reads dd/mm/yyyy, yyyy-mm-dd or, in a workbook, a date cell's serial number.
func (p rowParser) date(v string) (loa.Date, bool) {
	if v == "" {
		return "", true // reported as missing by the record's checks
	}
	var y, m, d string
	switch {
	case isoDate.MatchString(v):
		parts := isoDate.FindStringSubmatch(v)
		y, m, d = parts[1], parts[2], parts[3]
	case dmyDate.MatchString(v):
		parts := dmyDate.FindStringSubmatch(v)
		d, m, y = parts[1], parts[2], parts[3]
	default:
		serial, err := strconv.ParseFloat(v, 64)
		if !p.xlsx || err != nil || serial < 1 || serial > 2958465 {
			return "", false
		}
		t, err := excelize.ExcelDateToTime(serial, false)
		return loa.DateOf(t), err == nil
	}
	yn, _ := strconv.Atoi(y)
	mn, _ := strconv.Atoi(m)
	dn, _ := strconv.Atoi(d)
	date, err := loa.ParseDate(fmt.Sprintf("%04d-%02d-%02d", yn, mn, dn))
	return date, err == nil
}

// lookup reads a code given as itself or by a name (folded in names).
func lookup(names map[string]string, v string) string {
	if code, ok := names[v]; ok {
		return code
	}
	if code, ok := names[loa.Fold(v)]; ok {
		return code
	}
	return v
}

// activityNames are the activities' codes by code and by folded Vietnamese name.
var activityNames = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
	for _, k := range ActivityKinds {
		names[k.Code], names[loa.Fold(k.Label)] = k.Code, k.Code
	}
	return names
})

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
