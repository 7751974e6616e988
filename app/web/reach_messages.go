package web

import "regexp"

// reachMessages are the messages of reach records and manual values. The checks of
// a reach record already speak Vietnamese (import files show them): they are said
// as they are.
var reachMessages = []message{
	{regexp.MustCompile(`^((?:Thiếu|Không có|Hình thức|Ngày|Số|Báo chí|Tối đa|Đơn vị|Cột|Trùng) .*?)\.?$`), "$1."},
	{regexp.MustCompile(`^this record counts airing (\S+) and follows its confirmation: .*$`),
		"Số liệu này tính từ buổi phát sóng $1 và theo xác nhận của buổi đó: hãy sửa buổi phát sóng (không phát, huỷ) thay vì xoá."},
	{regexp.MustCompile(`^campaign (\S+) has no indicator "(.*)"$`), "Kế hoạch $1 không có chỉ tiêu «$2»."},
	{regexp.MustCompile(`^indicator (\S+) is counted by Loa .*$`), "Chỉ tiêu $1 do Loa tự tính; chỉ nhập giá trị cho chỉ tiêu nhập tay."},
	{regexp.MustCompile(`^asOf must be a date of the form YYYY-MM-DD$`), "Nhập ngày dạng dd/mm/yyyy."},
	{regexp.MustCompile(`^\S+ is in the future: enter values as they stand$`), "Ngày ở tương lai: hãy nhập số liệu đến hôm nay."},
	{regexp.MustCompile(`^\S+ is before the campaign starts \((\d{4})-(\d\d)-(\d\d)\)$`), "Ngày trước khi kế hoạch bắt đầu ($3/$2/$1)."},
	{regexp.MustCompile(`^denominator must be at least 1$`), "Mẫu số phải ít nhất là 1."},
	{regexp.MustCompile(`^numerator must be from 0 to the denominator \((\d+)\)$`), "Tử số phải từ 0 đến mẫu số ($1)."},
	{regexp.MustCompile(`^at most (\d+) bytes$`), "Tối đa $1 byte."},
}
