package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"loa/app/access"
	"loa/scheduler/jobs"
)

// jobsPage is the data of the jobs page.
type jobsPage struct {
	Jobs []jobView
	// Admin says whether the account sees the other admin pages; Run, whether it
	// may run a job now.
	Admin, Run bool
}

// jobView is a job as the page shows it.
type jobView struct {
	jobs.Status
	Schedule string
	Runs     []runView
}

// runView is one run of a job: how long it took and its result in Vietnamese.
type runView struct {
	jobs.Run
	Took, Result, Trigger string
}

func (p *Pages) jobs(c *gin.Context) {
	list, err := p.Jobs.List(c.Request.Context())
	if err != nil {
		p.fail(c, err)
		return
	}
	u := current(c).User
	data := jobsPage{Admin: u.Can(access.ManageUsers), Run: u.Can(access.RunJobs)}
	for _, st := range list {
		j := jobView{Status: st, Schedule: schedule(st.Spec)}
		for _, r := range st.Runs {
			j.Runs = append(j.Runs, runView{Run: r, Took: took(r.End.Sub(r.Start)), Result: jobResult(r.Result), Trigger: triggers[r.Trigger]})
		}
		data.Jobs = append(data.Jobs, j)
	}
	p.render(c, http.StatusOK, "admin_jobs.html", view{Title: "Tác vụ định kỳ", Data: data})
}

// runJob runs a job now and comes back to the list with its outcome.
func (p *Pages) runJob(c *gin.Context) {
	run, err := p.Jobs.RunNow(c.Request.Context(), c.Param("name"))
	if err != nil {
		p.fail(c, err)
		return
	}
	title := run.Job
	if list, err := p.Jobs.List(c.Request.Context()); err == nil {
		for _, st := range list {
			if st.Name == run.Job {
				title = st.Title
			}
		}
	}
	msg := "Đã chạy xong «" + title + "» sau " + took(run.End.Sub(run.Start)) + ": " + jobResult(run.Result) + "."
	if run.Error != "" {
		msg = "«" + title + "» gặp lỗi: " + run.Error
	}
	if len(msg) > maxFlash {
		msg = strings.ToValidUTF8(msg[:maxFlash-3], "") + "…"
	}
	redirect(c, "/admin/jobs#job-"+run.Job, msg)
}

// maxFlash is the longest message (in bytes) a redirect carries to the next page.
const maxFlash = 300

// triggers name how a run was started.
var triggers = map[string]string{"schedule": "Theo lịch", "manual": "Chạy tay", "trigger": "Tự động"}

// took says a run's duration: "0,4 giây", "12 giây", "3 phút 5 giây".
func took(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return strings.Replace(strconv.FormatFloat(d.Seconds(), 'f', 1, 64), ".", ",", 1) + " giây"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " giây"
	}
	return fmt.Sprintf("%d phút %d giây", int(d.Minutes()), int(d.Seconds())%60)
}

var (
	dailySpec  = regexp.MustCompile(`^(\d+) (\d+) \* \* \*$`)
	hourlySpec = regexp.MustCompile(`^(\d+) \* \* \* \*$`)
	everySpec  = regexp.MustCompile(`^\*/(\d+) \* \* \* \*$`)
)

// schedule says a job's cron spec in words where it is one of the usual forms,
// and shows it as it is otherwise.
func schedule(spec string) string {
	if m := dailySpec.FindStringSubmatch(spec); m != nil {
		h, _ := strconv.Atoi(m[2])
		min, _ := strconv.Atoi(m[1])
		return fmt.Sprintf("Hằng ngày lúc %02d:%02d", h, min)
	}
	if m := hourlySpec.FindStringSubmatch(spec); m != nil {
		min, _ := strconv.Atoi(m[1])
		return fmt.Sprintf("Mỗi giờ, vào phút %02d", min)
	}
	if m := everySpec.FindStringSubmatch(spec); m != nil {
		return m[1] + " phút một lần"
	}
	return "Theo lịch cron «" + spec + "»"
}

// jobResults say the jobs' results (app/jobs.go) in Vietnamese.
var jobResults = []message{
	{regexp.MustCompile(`^(\d+) created, (\d+) updated, (\d+) cancelled, (\d+) without content, through (\d{4})-(\d\d)-(\d\d)$`),
		"$1 buổi phát mới, $2 cập nhật, $3 huỷ, $4 chưa có nội dung; lịch đến hết $7/$6/$5"},
	{regexp.MustCompile(`^(\d+) airing\(s\) marked unconfirmed$`), "$1 buổi phát được đánh dấu chưa xác nhận"},
	{regexp.MustCompile(`^(\d+) expired token\(s\) deleted$`), "Đã xoá $1 phiên/mã hết hạn"},
	{regexp.MustCompile(`: (\d+) month\(s\) without press, (\d+) of (\d+) (\S+) units idle, (\d+) airing\(s\) without content, (\d+) silent station\(s\)`),
		": $1 tháng chưa có bài báo, $2/$3 đơn vị ($4) chưa có hoạt động, $5 buổi phát chưa có nội dung, $6 đài ngừng xác nhận"},
	{regexp.MustCompile(`^no campaign is running$`), "Không có chương trình nào đang chạy"},
	{regexp.MustCompile(`: consistent\b`), ": khớp"},
	{regexp.MustCompile(`: (\d+) cell\(s\) differed, rebuilt\b`), ": $1 ô lệch, đã tính lại"},
}

// jobResult is a job's result in Vietnamese where it is known, else as it is.
func jobResult(s string) string {
	for _, m := range jobResults {
		s = m.en.ReplaceAllString(s, m.vi)
	}
	return s
}
