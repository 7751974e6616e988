package web

import (
	"regexp"
	"slices"
	"strings"
)

// The services explain a refused input in English, for the API; the pages say the
// same in Vietnamese. Each entry matches one message of a service (its numbers and
// names captured) and says it again; a message not listed here is shown as it is,
// after a Vietnamese lead, so nothing a person must fix is hidden.
var messages = slices.Concat(adminMessages, reachMessages, contentMessages, campaignMessages, calendarMessages, accountMessages, ruleMessages,
	operatorMessages, reportMessages, compareMessages, draftMessages, stationMoveMessages, genericMessages)

// message is one message of a service and how the pages say it.
type message struct {
	en *regexp.Regexp
	vi string
}

// accountMessages are the messages of accounts and tokens.
var accountMessages = []message{
	{regexp.MustCompile(`^the current password is wrong$`), "Mật khẩu hiện tại không đúng."},
	{regexp.MustCompile(`^a password needs at least (\d+) characters$`), "Mật khẩu cần ít nhất $1 ký tự."},
	{regexp.MustCompile(`^a password may have at most 72 bytes$`), "Mật khẩu dài quá (tối đa 72 byte)."},
	{regexp.MustCompile(`^a name of 1 to 100 characters, to recognise the token by$`), "Đặt tên từ 1 đến 100 ký tự để nhận ra mã này."},
	{regexp.MustCompile(`^the expiry must be in the future$`), "Ngày hết hạn phải ở tương lai."},
	{regexp.MustCompile(`^an API token lives at most one year$`), "Mã API có hạn tối đa một năm."},
	{regexp.MustCompile(`^conflict: an account has at most (\d+) API tokens; revoke one first$`), "Mỗi tài khoản có tối đa $1 mã API; hãy thu hồi bớt một mã."},
	{regexp.MustCompile(`^the username (\S+) is taken$`), "Tên đăng nhập $1 đã có người dùng."},
	{regexp.MustCompile(`^unknown org unit "(.*)"$`), "Không có đơn vị hành chính mã $1."},
	{regexp.MustCompile(`^no org unit with code (\S+)$`), "Không có đơn vị hành chính mã $1."},
}

// genericMessages come last: they say any message of their form alike.
var genericMessages = []message{
	{regexp.MustCompile(`^.*\bis required\b.*$`), "Bắt buộc nhập."},
}

// vietnamese says a service's message in Vietnamese.
func vietnamese(msg string) string {
	for _, m := range messages {
		if m.en.MatchString(msg) {
			return m.en.ReplaceAllString(msg, m.vi)
		}
	}
	if strings.TrimSpace(msg) == "" {
		return "Giá trị không hợp lệ."
	}
	return "Giá trị không hợp lệ: " + msg
}
