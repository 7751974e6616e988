package web

import "regexp"

// calendarMessages are the scheduler's messages about changing airings and issuing
// station tokens.
var calendarMessages = []message{
	{regexp.MustCompile(`^the new start must be in the future$`), "Giờ phát mới phải ở tương lai."},
	{regexp.MustCompile(`^content (\S+) has no approved version in force: only approved content goes on air$`),
		"Nội dung $1 chưa có bản đã duyệt còn hiệu lực: chỉ nội dung đã duyệt mới được phát."},
	{regexp.MustCompile(`^content (\S+) is in (\S+), which station (\S+) does not broadcast in$`),
		"Nội dung $1 viết bằng tiếng $2, đài $3 không phát thứ tiếng này."},
	{regexp.MustCompile(`^only a cancelled airing can be planned again$`), "Chỉ buổi phát đã huỷ mới lên lịch lại được."},
	{regexp.MustCompile(`^at most (\d+) characters$`), "Tối đa $1 ký tự."},
	{regexp.MustCompile(`^conflict: airing \S+ is \S+ and starts \S+: only a future airing not yet aired can change$`),
		"Buổi phát này đã diễn ra hoặc đã qua giờ: chỉ thay đổi được buổi phát chưa tới giờ."},
	{regexp.MustCompile(`^conflict: station (\S+) is taken from \S+ to \S+ by airing \S+$`),
		"Giờ này đài $1 đã có một buổi phát khác. Hãy chọn giờ khác."},
	{regexp.MustCompile(`^conflict: airing \S+ changed meanwhile; read it again$`),
		"Buổi phát vừa được người khác thay đổi. Hãy tải lại trang rồi làm lại."},
	{regexp.MustCompile(`^conflict: station (\S+) is inactive; activate it first$`),
		"Đài $1 đang ngừng hoạt động: hãy cho đài hoạt động lại trước khi cấp mã."},
}
