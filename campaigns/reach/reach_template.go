package reach

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"loa"
	"loa/campaigns"
)

// ReachTemplate is the file reporters fill in to import reach records: "csv" (the
// header row) or "xlsx" (the header row with lists to pick groups and activities
// from, and a sheet explaining each column with the codes of groups, activities and
// org units).
func (s *Service) ReachTemplate(ctx context.Context, format string) ([]byte, error) {
	headers := make([]string, len(reachColumns))
	for i, c := range reachColumns {
		headers[i] = c.header
	}
	switch format {
	case "", "xlsx":
	case "csv":
		var b bytes.Buffer
		b.WriteString("\ufeff") // so that Excel reads the Vietnamese headers as UTF-8
		w := csv.NewWriter(&b)
		if err := w.Write(headers); err != nil {
			return nil, err
		}
		w.Flush()
		return b.Bytes(), w.Error()
	default:
		return nil, loa.Invalid("format", "format must be xlsx or csv")
	}
	groups, err := s.store.TargetGroups(ctx)
	if err != nil {
		return nil, err
	}
	tree, err := s.core.Tree(ctx, s.core.Today())
	if err != nil {
		return nil, err
	}
	return reachWorkbook(headers, groups, tree.Units())
}

// reachWorkbook builds the XLSX template.
func reachWorkbook(headers []string, groups []campaigns.TargetGroup, units []campaigns.OrgUnit) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const data, help = "Số liệu", "Hướng dẫn"
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(help); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes stay text ("0502" keeps its zero)
	if err != nil {
		return nil, err
	}
	last, _ := excelize.ColumnNumberToName(len(headers))
	header := anyRow(headers...)
	if err := f.SetSheetRow(data, "A1", &header); err != nil {
		return nil, err
	}
	for _, step := range []error{
		f.SetCellStyle(data, "A1", last+"1", bold),
		f.SetColWidth(data, "A", last, 18),
		f.SetColStyle(data, "A:C", text),
		f.SetColStyle(data, "J:K", text),
		f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}),
	} {
		if step != nil {
			return nil, step
		}
	}
	groupCodes := make([]string, len(groups))
	for i, g := range groups {
		groupCodes[i] = g.Code
	}
	activityList := strings.Split(activityCodes(), ", ")
	for _, list := range []struct {
		column string
		values []string
	}{{"C", groupCodes}, {"E", activityList}} {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(list.column + "2:" + list.column + "200000")
		if err := dv.SetDropList(list.values); err != nil {
			return nil, err
		}
		if err := f.AddDataValidation(data, dv); err != nil {
			return nil, err
		}
	}

	lines := [][]any{anyRow("Cột", "Nội dung", "Bắt buộc")}
	for _, c := range reachColumns {
		required := ""
		if c.required {
			required = "có"
		}
		lines = append(lines, anyRow(c.header, c.help, required))
	}
	lines = append(lines, nil, anyRow("Mỗi dòng là số liệu tổng hợp của một hoạt động: không ghi tên hay thông tin cá nhân của người được tuyên truyền."),
		anyRow("Nhập lại cùng một tệp không làm trùng số liệu; tệp đã sửa sẽ cập nhật các dòng có cùng đơn vị, nhóm, ngày, hình thức và số hiệu báo cáo."),
		nil, anyRow("Nhóm đối tượng", "Tên"))
	for _, g := range groups {
		lines = append(lines, anyRow(g.Code, g.NameVi))
	}
	lines = append(lines, nil, anyRow("Hình thức", "Tên"))
	for _, k := range ActivityKinds {
		lines = append(lines, anyRow(k.Code, k.Label))
	}
	lines = append(lines, nil, anyRow("Mã đơn vị", "Tên", "Cấp"))
	for _, u := range units {
		lines = append(lines, anyRow(u.Code, u.Type+" "+u.Name, u.Level))
	}
	for i, line := range lines {
		if line == nil {
			continue
		}
		if err := f.SetSheetRow(help, fmt.Sprintf("A%d", i+1), &line); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(help, "A", "A", 22); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(help, "B", "B", 70); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func anyRow(cells ...string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = c
	}
	return out
}
