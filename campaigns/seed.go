package campaigns

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"

	"loa"
)

// seedFiles are copies of shared/data and shared/seed: the real org units of Quảng
// Nam (2024), the sample denominators and the 2024 plan.
//
//go:embed seed/*
var seedFiles embed.FS

const (
	unitsFile = "seed/quangnam-units.csv"
	// reorganisationFile dates the 2024 units and adds those of 2025: the ten
	// communes merged on 01/01/2025 (NQ 1241/NQ-UBTVQH15) with the units that took
	// them in, and Đà Nẵng city (48) with the 78 communes formed on 01/07/2025 from
	// Quảng Nam's 241 (NQ 1659/NQ-UBTVQH15), each old unit naming its successor.
	reorganisationFile = "seed/quangnam-danang-2025-units.csv"
	populationsFile    = "seed/quangnam-populations-2024-sample.csv"
	planFile           = "seed/ke-hoach-2024-phong-chong-mai-dam-quang-nam.txt"

	seedReference      = "reference-v1"
	seedReorganisation = "reference-2025-reorganisation-v1"
	seedDemo           = "demo-pcmd-2024-v1"

	// DemoCampaignCode is the code of the 2024 plan loaded by LoadDemo.
	DemoCampaignCode = "PCMD-2024"
)

// LoadReference loads, once per database, the province's org units and the default
// target groups, then the 2025 reorganisation of its units (a database of an
// earlier Loa gets it on its next start). Each step is idempotent and the step is
// recorded only when done, so a crash half-way is completed by the next start.
func (s *Service) LoadReference(ctx context.Context) error {
	err := s.Once(ctx, seedReference, func() error {
		if err := s.importSeed(ctx, unitsFile, s.ImportOrgUnits); err != nil {
			return err
		}
		return s.store.AddTargetGroups(ctx, DefaultTargetGroups)
	})
	if err != nil {
		return err
	}
	return s.Once(ctx, seedReorganisation, func() error { return s.importSeed(ctx, reorganisationFile, s.ImportOrgUnits) })
}

// LoadDemo loads, once per database, the 2024 prostitution-prevention plan of Quảng
// Nam as campaign PCMD-2024 and the sample denominators.
func (s *Service) LoadDemo(ctx context.Context) error {
	return s.Once(ctx, seedDemo, func() error {
		c, err := DemoCampaign()
		if err != nil {
			return err
		}
		if _, err := s.CreateCampaign(ctx, loa.System, c); err != nil && !errors.Is(err, loa.ErrConflict) {
			return fmt.Errorf("demo campaign: %w", err)
		}
		return s.importSeed(ctx, populationsFile, s.ImportPopulations)
	})
}

// Once runs load unless step is recorded as done, and records it when load
// succeeds: a one-time load that a crash half-way leaves to the next start.
func (s *Service) Once(ctx context.Context, step string, load func() error) error {
	done, err := s.store.Seeded(ctx, step)
	if err != nil || done {
		return err
	}
	if err := load(); err != nil {
		return fmt.Errorf("load %s: %w", step, err)
	}
	return s.store.MarkSeeded(ctx, step)
}

func (s *Service) importSeed(ctx context.Context, name string,
	load func(context.Context, loa.Actor, io.Reader, bool) (loa.ImportSummary, error)) error {
	data, err := seedFiles.ReadFile(name)
	if err != nil {
		return err
	}
	sum, err := load(ctx, loa.System, bytes.NewReader(data), false)
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	if sum.Ignored > 0 {
		return fmt.Errorf("import %s: %d rows rejected, first: %+v", name, sum.Ignored, sum.Conflicts[0])
	}
	return nil
}

// DemoCampaign builds campaign PCMD-2024 from the embedded plan: one indicator per
// target of its section II, each quoting the sentence it comes from.
func DemoCampaign() (Campaign, error) {
	data, err := seedFiles.ReadFile(planFile)
	if err != nil {
		return Campaign{}, err
	}
	text := norm.NFC.String(string(data))
	targets := bullets(text, "II. MỘT SỐ MỤC TIÊU CỤ THỂ", "III. ")
	purposes := bullets(text, "I. MỤC ĐÍCH, YÊU CẦU", "II. ")
	if len(targets) != 8 || len(purposes) == 0 {
		return Campaign{}, fmt.Errorf("plan %s: found %d targets in section II, want 8", planFile, len(targets))
	}
	ind := func(code, title, rule, group, level, channel, comparator string, threshold float64, bullet int) Indicator {
		return Indicator{Code: code, Title: title, Rule: rule, Group: group, Level: level, Channel: channel,
			Comparator: comparator, Threshold: threshold, Source: targets[bullet]}
	}
	var desc strings.Builder
	desc.WriteString("Kế hoạch thực hiện Chương trình phòng, chống mại dâm trên địa bàn tỉnh Quảng Nam năm 2024.\n\n## Mục đích, yêu cầu\n\n")
	for _, p := range purposes {
		desc.WriteString("- " + p + "\n")
	}
	return Campaign{
		Code:   DemoCampaignCode,
		Title:  "Kế hoạch thực hiện Chương trình phòng, chống mại dâm trên địa bàn tỉnh Quảng Nam năm 2024",
		Period: Period{Start: "2024-01-01", End: "2024-12-31"},
		LegalBasis: "Kế hoạch số …/KH-UBND (tháng 3/2024) của UBND tỉnh Quảng Nam, thực hiện Kế hoạch số " +
			"9373/KH-UBND ngày 28/12/2021 của UBND tỉnh về thực hiện Chương trình phòng, chống mại dâm giai đoạn 2021-2025",
		OwnerAgency: "Ủy ban nhân dân tỉnh Quảng Nam",
		Secretariat: "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam",
		Description: desc.String(),
		Indicators: []Indicator{
			ind("communes-activity", "Trên 70% số xã, phường, thị trấn tổ chức tuyên truyền, duy trì thường xuyên",
				RuleOrgUnitActivity, "", "commune", "", ComparatorGT, 0.7, 0),
			ind("press-monthly", "Báo chí cấp tỉnh đăng tải thông tin ít nhất một tháng một lần",
				RuleMonthlyFrequency, "", "", "provincial_press", ComparatorGTE, 1, 1),
			ind("service-workers-reached", "Trên 70% nhân viên cơ sở kinh doanh dịch vụ dễ phát sinh tệ nạn mại dâm được tuyên truyền",
				RuleCoverage, "service_workers", "", "", ComparatorGT, 0.7, 2),
			ind("iz-workers-reached", "50% người lao động trong các khu, cụm công nghiệp được tuyên truyền",
				RuleCoverage, "iz_workers", "", "", ComparatorGTE, 0.5, 2),
			ind("students-reached", "50% học sinh, sinh viên THPT, đại học, giáo dục nghề nghiệp được tuyên truyền",
				RuleCoverage, "students", "", "", ComparatorGTE, 0.5, 2),
			ind("reports-handled", "100% tố giác, tin báo, khiếu nại được tiếp nhận, xác minh, xử lý kịp thời",
				RuleManual, "", "", "", ComparatorGTE, 1, 3),
			ind("establishments-inspected", "Trên 80% cơ sở kinh doanh dịch vụ dễ phát sinh tệ nạn mại dâm được kiểm tra",
				RuleManual, "", "", "", ComparatorGT, 0.8, 4),
			ind("crimes-handled", "100% tội phạm liên quan đến mại dâm được xử lý theo pháp luật",
				RuleManual, "", "", "", ComparatorGTE, 1, 5),
			ind("support-services", "100% người bán dâm có nhu cầu, đủ điều kiện được tiếp cận dịch vụ hỗ trợ",
				RuleManual, "", "", "", ComparatorGTE, 1, 6),
			ind("officials-trained", "Trên 70% cán bộ, công chức, viên chức, chiến sĩ được đào tạo, tập huấn",
				RuleCoverage, "officials", "", "", ComparatorGT, 0.7, 7),
		},
	}, nil
}

// bullets returns the "- " items of the section that starts with the heading from
// and ends at the next line starting with to.
func bullets(text, from, to string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, from):
			in = true
		case in && strings.HasPrefix(line, to):
			return out
		case in && strings.HasPrefix(line, "- "):
			out = append(out, strings.TrimPrefix(line, "- "))
		}
	}
	return out
}
