package web

import (
	"cmp"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"loa"
	"loa/app/access"
	"loa/app/api"
	"loa/scheduler"
)

// A station operator's phone signs in by an operator link (access.IssueOperatorLink):
// opening /o/<secret> puts the secret in an HttpOnly cookie sent only to the
// operator pages (/station…) and the station's feed (/api/v1/station…), then goes to
// /station, so the secret leaves the address bar. The pages work offline: a service
// worker keeps them, the week's scripts and recordings; confirmations made offline
// wait in the phone and go to the feed's batch route when the connection returns.

// operatorPaths are the paths the operator cookie is sent to.
var operatorPaths = []string{"/station", "/api/v1/station"}

// operatorWeekDays is how many days the page shows from today; operatorPastDays how
// many days before today it keeps for airings still to confirm.
const (
	operatorWeekDays = 7
	operatorPastDays = 6
)

const operatorKey = "loa.web.operator"

// operator is the station a phone is signed in to.
type operator struct {
	User  access.User
	Token access.Token
	CSRF  string
}

// setOperatorCookie sets (or, with maxAge < 0, removes) the operator cookie on each
// of its paths: HttpOnly, SameSite=Lax (the link is opened from a camera app),
// Secure over TLS.
func setOperatorCookie(c *gin.Context, secret string, maxAge int) {
	c.SetSameSite(http.SameSiteLaxMode)
	for _, path := range operatorPaths {
		c.SetCookie(api.OperatorCookie, secret, maxAge, path, "", c.Request.TLS != nil, true)
	}
}

// openOperatorLink signs a phone in with the link's secret and sends it to /station.
func (p *Pages) openOperatorLink(c *gin.Context) {
	secret := c.Param("secret")
	_, t, err := p.Access.Authenticate(c.Request.Context(), secret)
	if err != nil || t.Kind != access.KindOperator {
		p.operatorSignedOut(c)
		return
	}
	setOperatorCookie(c, secret, int(time.Until(t.ExpiresAt).Seconds()))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, "/station")
}

// operatorSignedIn lets through a phone signed in by a valid operator link, and
// checks the CSRF token of a form it posts.
func (p *Pages) operatorSignedIn(c *gin.Context) {
	secret, _ := c.Cookie(api.OperatorCookie)
	u, t, err := p.Access.Authenticate(c.Request.Context(), secret)
	if err != nil || t.Kind != access.KindOperator || u.Station == "" {
		p.operatorSignedOut(c)
		c.Abort()
		return
	}
	o := &operator{User: u, Token: t, CSRF: access.CSRFToken(secret)}
	if c.Request.Method == http.MethodPost &&
		subtle.ConstantTimeCompare([]byte(c.PostForm(csrfField)), []byte(o.CSRF)) != 1 {
		p.problem(c, http.StatusForbidden, "Phiên làm việc không hợp lệ",
			"Biểu mẫu đã cũ. Hãy tải lại trang rồi bấm lại; chưa có gì được lưu.")
		c.Abort()
		return
	}
	if err := p.Access.OperatorLinkUsed(c.Request.Context(), u, t); err != nil {
		p.fail(c, err)
		return
	}
	c.Set(operatorKey, o)
	c.Next()
}

// operatorSignedOut answers a phone whose link is unknown, revoked or expired.
func (p *Pages) operatorSignedOut(c *gin.Context) {
	setOperatorCookie(c, "", -1)
	p.render(c, http.StatusUnauthorized, "operator.html#signed-out", view{Title: "Liên kết không còn hiệu lực"})
}

func currentOperator(c *gin.Context) *operator {
	o, _ := c.Get(operatorKey)
	return o.(*operator)
}

// operatorWeek is the data of /station.
type operatorWeek struct {
	Station scheduler.FeedStation
	CSRF    string
	// Feed is the feed's address for the same window, which the page's script
	// pulls with the feed's ETag to learn whether the week changed.
	Feed string
	// Next is the next airing to read; Today, Coming and Earlier the rest.
	Next    *operatorAiring
	Today   []operatorAiring
	Coming  []operatorDay
	Earlier []operatorAiring
}

// operatorDay is one coming day's airings.
type operatorDay struct {
	Day     time.Time
	Label   string
	Airings []operatorAiring
}

// operatorAiring is one airing as the operator sees it.
type operatorAiring struct {
	scheduler.FeedItem
	// Day is its day in words ("Thứ Hai 07/12/2026").
	Day string
	// Started says the airing may be confirmed; Open that it still waits for a word.
	Started, Open bool
	// CSRF is the token its confirmation form sends.
	CSRF string
}

func (p *Pages) operatorAiring(it scheduler.FeedItem, now time.Time, csrf string) operatorAiring {
	return operatorAiring{FeedItem: it, Day: dayLabel(it.Start.In(p.Zone)), Started: !now.Before(it.Start), CSRF: csrf,
		Open: slices.Contains([]string{scheduler.StatusPlanned, scheduler.StatusDelivered, scheduler.StatusUnconfirmed}, it.Status)}
}

// ReadTime is how long the script takes to read aloud, in words.
func (a operatorAiring) ReadTime() string { return seconds(a.ReadSeconds) }

// SlotTime is the length of the airing's slot, in words.
func (a operatorAiring) SlotTime() string { return seconds(a.DurationSeconds) }

// dayLabel names a day as a calendar on the wall does: "Thứ Hai 07/12/2026".
func dayLabel(t time.Time) string { return weekdays[t.Weekday()] + " " + t.Format("02/01/2006") }

// operatorWeek shows today's and the week's airings, the next one first.
func (p *Pages) operatorWeek(c *gin.Context) {
	o := currentOperator(c)
	now := p.Now().In(p.Zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, p.Zone)
	from, to := today.AddDate(0, 0, -operatorPastDays), today.AddDate(0, 0, operatorWeekDays)
	f, err := p.Scheduler.StationFeed(c.Request.Context(), o.User.Station, from, to)
	if err != nil {
		p.fail(c, err)
		return
	}
	w := operatorWeek{Station: f.Station, CSRF: o.CSRF,
		Feed: "/api/v1/station/schedule?" + url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}.Encode()}
	for _, it := range f.Items {
		a := p.operatorAiring(it, now, o.CSRF)
		start := it.Start.In(p.Zone)
		switch {
		case start.Before(today):
			if a.Open {
				w.Earlier = append(w.Earlier, a)
			}
		case w.Next == nil && it.End.After(now):
			w.Next = &a
		case start.Before(today.AddDate(0, 0, 1)):
			w.Today = append(w.Today, a)
		default:
			day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, p.Zone)
			if n := len(w.Coming); n == 0 || !w.Coming[n-1].Day.Equal(day) {
				w.Coming = append(w.Coming, operatorDay{Day: day, Label: dayLabel(day)})
			}
			w.Coming[len(w.Coming)-1].Airings = append(w.Coming[len(w.Coming)-1].Airings, a)
		}
	}
	p.render(c, http.StatusOK, "operator.html#page", view{Title: f.Station.Name, Data: w})
}

// operatorScript is the data of a script's page.
type operatorScript struct {
	Station scheduler.FeedStation
	CSRF    string
	Airing  operatorAiring
	// Recording is where the airing's recording is played from; empty without one.
	Recording string
	// Error says why a confirmation was refused.
	Error string
}

// script shows one airing's script in large type, its reading time against the
// slot, and its recording.
func (p *Pages) script(c *gin.Context) {
	p.showScript(c, http.StatusOK, "")
}

func (p *Pages) showScript(c *gin.Context, status int, problem string) {
	o := currentOperator(c)
	st, it, err := p.Scheduler.StationItem(c.Request.Context(), o.User.Station, c.Param("id"))
	if errors.Is(err, loa.ErrForbidden) {
		p.problem(c, http.StatusForbidden, "Không phải buổi phát của đài này",
			"Buổi phát này thuộc đài khác; điện thoại này chỉ xem và xác nhận các buổi phát của đài mình. Chưa có gì được lưu.")
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	s := operatorScript{Station: st, CSRF: o.CSRF, Airing: p.operatorAiring(it, p.Now(), o.CSRF), Error: problem}
	if it.Attachment != nil {
		s.Recording = "/api/v1/station/airings/" + it.AiringID + "/attachment"
	}
	p.render(c, status, "operator.html#script", view{Title: it.Title, Data: s})
}

// confirm records the operator's word on an airing from the form (the page's
// script sends the same through the feed's batch route, and queues it offline).
func (p *Pages) confirm(c *gin.Context) {
	o := currentOperator(c)
	_, it, err := p.Scheduler.StationItem(c.Request.Context(), o.User.Station, c.Param("id"))
	if err != nil {
		p.showScript(c, http.StatusNotFound, "")
		return
	}
	// It aired (or should have) at its start; an airing not started yet is the
	// service's to refuse, so its time is never sent from the future.
	at := it.Start
	if now := p.Now(); now.Before(at) {
		at = now
	}
	in := scheduler.Confirmation{AiringID: it.AiringID, Status: c.PostForm("status"), At: at, Note: c.PostForm("note")}
	_, _, err = p.Scheduler.Confirm(c.Request.Context(), o.User.Actor(), o.User.Station, in)
	var invalid *loa.ValidationError
	switch {
	case err == nil:
		redirect(c, "/station/airings/"+it.AiringID, "Đã ghi nhận: "+statuses[in.Status].label+".")
	case errors.Is(err, loa.ErrNotStarted):
		p.showScript(c, http.StatusUnprocessableEntity, "Buổi phát này chưa đến giờ: chỉ xác nhận được sau giờ bắt đầu. Chưa có gì được lưu.")
	case errors.As(err, &invalid):
		fields, _ := formErrors(err)
		p.showScript(c, http.StatusUnprocessableEntity, cmp.Or(fields["status"], fields["note"], fields["at"])+" Chưa có gì được lưu.")
	default:
		p.fail(c, err)
	}
}

// serviceWorker serves the operator pages' service worker at a path whose scope
// covers /station.
func (p *Pages) serviceWorker(c *gin.Context) {
	f := (*p.static)["operator-sw.js"]
	c.Header("Service-Worker-Allowed", "/station")
	c.Header("Cache-Control", "no-cache")
	c.Header("ETag", f.etag)
	c.Data(http.StatusOK, f.kind, f.body)
}
