package campaigns

// TargetGroup is a group of people a message is tailored to (nhóm đối tượng).
type TargetGroup struct {
	Code   string `json:"code"`
	NameVi string `json:"nameVi"`
	NameEn string `json:"nameEn"`
	Order  int    `json:"order"`
}

// DefaultTargetGroups are the groups of DESIGN §2, loaded on the first start.
var DefaultTargetGroups = []TargetGroup{
	{"students", "Học sinh, sinh viên", "Students", 1},
	{"iz_workers", "Người lao động tại các khu, cụm công nghiệp", "Industrial-zone and cluster workers", 2},
	{"service_workers", "Nhân viên cơ sở kinh doanh dịch vụ dễ phát sinh tệ nạn mại dâm", "Employees of service establishments prone to prostitution", 3},
	{"ethnic_minorities", "Đồng bào dân tộc thiểu số", "Ethnic minorities", 4},
	{"women_girls", "Phụ nữ, trẻ em gái", "Women and girls", 5},
	{"officials", "Cán bộ, công chức, viên chức, chiến sĩ làm công tác phòng, chống mại dâm", "Officials and staff working on prevention", 6},
	{"general_public", "Người dân", "General public", 7},
}
