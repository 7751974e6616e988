package web

import "regexp"

// contentMessages are the messages of the content library: its fields, its
// placeholders, attachments, the review steps and the submit checks.
var contentMessages = []message{
	{regexp.MustCompile(`^kind must be one of .*$`), "Chọn loại nội dung."},
	{regexp.MustCompile(`^a title of 1 to (\d+) characters is required$`), "Nhập tiêu đề, từ 1 đến $1 ký tự."},
	{regexp.MustCompile(`^the body is not valid UTF-8$`), "Nội dung có ký tự không đọc được; hãy dán lại văn bản."},
	{regexp.MustCompile(`^the body has (\d+) bytes; at most \d+ \(200 KB\)$`), "Nội dung dài $1 byte, quá giới hạn 200 KB; hãy tách thành nhiều bài."},
	{regexp.MustCompile(`^line (\d+): unknown placeholder (\{\{\.\w+\}\}); allowed: (.*)$`), "Dòng $1: không có ô thay thế $2; chỉ dùng được $3."},
	{regexp.MustCompile(`^line (\d+): (.*) is not allowed: a template may only use the placeholders (.*)$`), "Dòng $1: không được dùng $2; chỉ dùng được các ô thay thế $3."},
	{regexp.MustCompile(`^line (\d+): template syntax: (.*)$`), "Dòng $1: ô thay thế viết sai (cần dạng {{.Commune}}): $2."},
	{regexp.MustCompile(`^unknown language "(.*)"; configured: .*$`), "Không có ngôn ngữ $1."},
	{regexp.MustCompile(`^unknown campaign "(.*)"$`), "Không có chương trình $1."},
	{regexp.MustCompile(`^at most (\d+) tags$`), "Tối đa $1 thẻ."},
	{regexp.MustCompile(`^tag "(.*)" is longer than (\d+) characters$`), "Thẻ «$1» dài quá $2 ký tự."},
	{regexp.MustCompile(`^validTo is before validFrom$`), "Ngày kết thúc trước ngày bắt đầu."},
	{regexp.MustCompile(`^slotSeconds must be from 0 to (\d+)$`), "Khung phát từ 0 đến $1 giây."},
	{regexp.MustCompile(`^no item (\S+) to be a variant of$`), "Không có bài $1 để làm bản khác."},
	{regexp.MustCompile(`^(\S+) is itself a variant of (\S+); name the master$`), "Bài $1 cũng là bản khác của $2; hãy chọn bài gốc."},
	{regexp.MustCompile(`^an item's master cannot change$`), "Không đổi được bài gốc của một bản khác."},
	{regexp.MustCompile(`^a comment of 1 to (\d+) characters$`), "Nhập ý kiến, từ 1 đến $1 ký tự."},
	{regexp.MustCompile(`^conflict: item (\S+) has (\d+) comments, the most it keeps$`), "Bài này đã có $2 ý kiến, mức tối đa."},
	{regexp.MustCompile(`^say why the item is rejected, so its author can mend it$`), "Ghi lý do trả lại để tác giả sửa."},
	{regexp.MustCompile(`^you wrote this version; another approver must review it \(four eyes\)$`), "Bạn đã viết phiên bản này nên không tự duyệt được; một người duyệt khác phải xem (nguyên tắc bốn mắt)."},
	{regexp.MustCompile(`^only an approver may (\w+)$`), "Chỉ người duyệt mới được duyệt hoặc trả lại bài."},
	{regexp.MustCompile(`^conflict: item (\S+) is in review; .*$`), "Bài đang chờ duyệt nên chưa sửa được; chờ người duyệt xong."},
	{regexp.MustCompile(`^conflict: item (\S+) is archived$`), "Bài đã lưu trữ nên không sửa được."},
	{regexp.MustCompile(`^conflict: cannot (\w+) item (\S+): it is (\w+) \(allowed from .*\)$`), "Không làm được bước này: trạng thái của bài đã đổi. Hãy tải lại trang."},
	{regexp.MustCompile(`^the file has (\d+) bytes; at most \d+ \(20 MB\)$`), "Tệp lớn hơn 20 MB."},
	{regexp.MustCompile(`^the file is (.+); attach an MP3, OGG or WAV recording or a PNG, JPEG or WebP image$`), "Tệp này là $1; chỉ nhận bản ghi âm MP3, OGG, WAV hoặc ảnh PNG, JPEG, WebP."},
	{regexp.MustCompile(`^the bodies have (\d+) lines together; .*$`), "Hai phiên bản quá dài ($1 dòng) để so sánh từng dòng."},
	{regexp.MustCompile(`^no target group: choose who this message is for$`), "Chưa chọn nhóm đối tượng: bài này dành cho ai?"},
	{regexp.MustCompile(`^reading takes about (\d+) s, longer than the (\d+) s slot$`), "Đọc mất khoảng $1 giây, dài hơn khung phát $2 giây."},
	{regexp.MustCompile(`^section "(.*)" has no content$`), "Mục «$1» chưa có nội dung."},
	{regexp.MustCompile(`^discouraged term "(.*)"; suggested wording: "(.*)"$`), "Nên tránh cách gọi «$1»; nên dùng «$2»."},
}
