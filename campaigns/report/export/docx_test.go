package export

import (
	"archive/zip"
	"bytes"
	"io"
	"loa/campaigns/report"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testForm = Form{
	GoverningBody: "UBND tỉnh Quảng Nam",
	Agency:        "Sở Lao động - Thương binh và Xã hội",
	Abbreviation:  "SLĐTBXH",
	Place:         "Quảng Nam",
	Addressees:    []string{"UBND tỉnh Quảng Nam"},
	Recipients:    []string{"Bộ Lao động - Thương binh và Xã hội", "Công an tỉnh"},
	Authority:     []string{"KT. Giám đốc", "Phó Giám đốc"},
	Signer:        "Nguyễn Văn A",
}

// documentXML renders the fixture as a DOCX and returns word/document.xml.
func documentXML(t *testing.T, form Form) (string, []byte) {
	t.Helper()
	data, err := DOCX(fixture(), form, report.Draft{Results: "Các huyện đã tổ chức tuyên truyền.", Proposals: "Đề nghị bổ sung kinh phí."},
		time.Date(2024, 2, 5, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the DOCX is not a zip: %v", err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b), data
		}
	}
	t.Fatal("no word/document.xml")
	return "", nil
}

// TestDOCXOrder: the parts of the form appear in the order of Decree 30's layout.
func TestDOCXOrder(t *testing.T) {
	doc, _ := documentXML(t, testForm)
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(doc, "")
	order := []string{
		"UBND TỈNH QUẢNG NAM", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Số:       /BC-SLĐTBXH",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quảng Nam, ngày 05 tháng 02 năm 2024",
		"BÁO CÁO", "Kết quả thực hiện Kế hoạch phòng, chống mại dâm năm 2024", "Năm 2024",
		"Kính gửi: UBND tỉnh Quảng Nam.",
		"I. KẾT QUẢ THỰC HIỆN", "Các huyện đã tổ chức tuyên truyền.", "Tính đến ngày 31/03/2024",
		"STT", "Chỉ tiêu", "Kết quả", "Đánh giá",
		"Tỷ lệ học sinh được tiếp cận thông tin phòng, chống mại dâm", "9.878/13.625 người", "72,5%", "&gt; 70%", "17,5%", "Đạt",
		"II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", "……", "III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI",
		"IV. ĐỀ XUẤT, KIẾN NGHỊ", "Đề nghị bổ sung kinh phí.",
		"Nơi nhận:", "- Như trên;", "- Bộ Lao động - Thương binh và Xã hội;", "- Công an tỉnh;", "- Lưu: VT, SLĐTBXH.",
		"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(text[at:], want)
		if i < 0 {
			t.Fatalf("%q missing after position %d; the text from there:\n%s", want, at, text[at:min(len(text), at+600)])
		}
		at += i + len(want)
	}
	// A4, margins top and bottom 20 mm, left 30 mm, right 15 mm.
	if !strings.Contains(doc, `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="851" w:bottom="1134" w:left="1701"`) {
		t.Errorf("sectPr: %s", doc[strings.Index(doc, "<w:sectPr>"):])
	}
	if !strings.Contains(doc, `w:ascii="Times New Roman"`) || !strings.Contains(doc, `<w:sz w:val="28"/>`) {
		t.Error("the body is not in Times New Roman 14 pt")
	}
}

// TestDOCXWithoutAddressees: no "Kính gửi" and no "Như trên" without an addressee.
func TestDOCXWithoutAddressees(t *testing.T) {
	f := testForm
	f.Addressees = nil
	doc, _ := documentXML(t, f)
	if strings.Contains(doc, "Kính gửi") || strings.Contains(doc, "Như trên") {
		t.Error("Kính gửi or Như trên without an addressee")
	}
}

// TestDOCXOpensInPythonDocx reads the DOCX with python-docx (Debian's
// python3-docx, installed in CI), an independent reader.
func TestDOCXOpensInPythonDocx(t *testing.T) {
	python := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import docx").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("python3-docx is not installed (apt-get install -y python3-docx)")
	}
	_, data := documentXML(t, testForm)
	path := filepath.Join(t.TempDir(), "bao-cao.docx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `import sys, docx
d = docx.Document(sys.argv[1])
s = d.sections[0]
print(len(d.tables), s.page_width.mm.__round__(), s.left_margin.mm.__round__(), s.right_margin.mm.__round__())
print(d.tables[1].cell(1, 6).text)`
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python-docx cannot read the DOCX: %v\n%s", err, out)
	}
	if got := string(out); got != "3 210 30 15\nĐạt\n" {
		t.Errorf("python-docx reads %q, want 3 tables, A4, margins 30 and 15 mm, the first status Đạt", got)
	}
}
