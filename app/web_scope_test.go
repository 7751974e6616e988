package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAdminConfirmsScopeMapping: the account of Tam Kỳ (502), abolished on
// 01/07/2025, is flagged on the list; its page offers the four new communes its
// land passed to, a choice outside them is refused beside the field writing
// nothing, and the confirmed ones become its scope.
func TestAdminConfirmsScopeMapping(t *testing.T) {
	s := newSite(t)
	s.account("tamky", []string{"reporter"}, "502")
	admin := s.admin()

	// The imports page explains the dated columns and offers a sample.
	if _, page := admin.get("/admin/imports"); !strings.Contains(between(page, `id="units-help"`, "</section>"), `href="/static/mau-don-vi-hanh-chinh.csv"`) {
		t.Errorf("the imports page offers no sample of dated org units")
	}
	if status, sample := admin.get("/static/mau-don-vi-hanh-chinh.csv"); status != http.StatusOK || !strings.Contains(sample, "valid_from,valid_to,successor_codes") {
		t.Errorf("the sample: %d %q", status, sample)
	}

	if _, page := admin.get("/admin/accounts"); !strings.Contains(between(page, `href="/admin/accounts/tamky"`, "</tr>"), "Cần xác nhận phạm vi mới") {
		t.Errorf("the list does not flag tamky's ended scope")
	}
	if _, page := admin.get("/admin/accounts/admin"); !strings.Contains(page, `value="48" checked`) {
		t.Errorf("the admin of Quảng Nam is not offered Đà Nẵng (48)")
	}
	_, page := admin.get("/admin/accounts/tamky")
	offer := between(page, `id="mapping"`, "</section>")
	for _, want := range []string{"30/06/2025", `value="20335" checked`, `value="20341" checked`, `value="20350" checked`,
		`value="20356" checked`, "Phường Tam Kỳ (mã 20341, từ 01/07/2025)"} {
		if !strings.Contains(offer, want) {
			t.Errorf("the offer lacks %q:\n%s", want, offer)
		}
	}
	if strings.Count(offer, `name="units"`) != 4 {
		t.Errorf("the offer has %d units, want 4", strings.Count(offer, `name="units"`))
	}

	status, page := admin.post("/admin/accounts/tamky/scope-mapping", url.Values{"units": {"20341", "20992"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Đơn vị 20992 không nhận địa bàn nào của đơn vị 502.") {
		t.Fatalf("confirming 20992: %d, want 422 with the message", status)
	}
	assertBeside(t, page, "units", "Đơn vị 20992 không nhận địa bàn nào của đơn vị 502.")
	if _, page := admin.get("/admin/accounts/tamky"); !strings.Contains(page, "Chưa xác nhận") {
		t.Errorf("a refused choice was written")
	}

	status, _, loc := admin.postLocation("/admin/accounts/tamky/scope-mapping", url.Values{"units": {"20341", "20335"}})
	if status != http.StatusSeeOther || loc != "/admin/accounts/tamky" {
		t.Fatalf("confirming: %d to %q", status, loc)
	}
	_, page = admin.get("/admin/accounts/tamky")
	offer = between(page, `id="mapping"`, "</section>")
	if !strings.Contains(offer, `value="20341" checked`) || strings.Contains(offer, `value="20350" checked`) ||
		!strings.Contains(offer, "Đã xác nhận: 20335, 20341") {
		t.Errorf("after confirming 20335 and 20341 the page shows:\n%s", offer)
	}
}

// TestStationPageMovesAStation: Tam Thanh's loudspeaker (20359, merged into
// phường Quảng Phú 20356 on 01/07/2025) shows its unit's end and offers the move
// the crosswalk suggests; a bad date is refused beside its field, and once moved
// the page keeps the earlier unit.
func TestStationPageMovesAStation(t *testing.T) {
	s := newSite(t)
	admin := s.admin()
	if status, _ := admin.post("/admin/accounts/admin/scope-mapping", url.Values{"units": {"48"}}); status != http.StatusSeeOther {
		t.Fatalf("mapping the admin to 48: %d", status)
	}
	_, page := admin.get("/stations/LOA-20359")
	move := between(page, `id="move"`, "</section>")
	for _, want := range []string{"30/06/2025", "Phường Quảng Phú", `name="orgUnit" required maxlength="16" value="20356"`, `value="2025-07-01"`} {
		if !strings.Contains(move, want) {
			t.Errorf("the move form lacks %q:\n%s", want, move)
		}
	}
	status, page := admin.post("/stations/LOA-20359/move", url.Values{"orgUnit": {"20356"}, "from": {"2999-01-01"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("a move ahead of today: %d, want 422", status)
	}
	assertBeside(t, page, "from", "Ngày chuyển không được sau hôm nay.")
	if _, page := admin.get("/stations/LOA-20359"); strings.Contains(page, "Trước đó") {
		t.Errorf("a refused move was written")
	}
	status, _, loc := admin.postLocation("/stations/LOA-20359/move", url.Values{"orgUnit": {"20356"}, "from": {"2025-07-01"}})
	if status != http.StatusSeeOther || loc != "/stations/LOA-20359" {
		t.Fatalf("moving: %d to %q", status, loc)
	}
	_, page = admin.get("/stations/LOA-20359")
	if !strings.Contains(page, "Trước đó</dt><dd>Xã Tam Thanh (đến 30/06/2025)") || strings.Contains(page, `id="move"`) {
		t.Errorf("the moved station's page:\n%s", between(page, `class="facts"`, "</dl>"))
	}
	// The admin of Quảng Nam, mapped to Đà Nẵng, still lists the moved station,
	// and a planner of Tam Kỳ (502) not mapped yet no longer does.
	if _, page := admin.get("/stations?q=tam+thanh"); !strings.Contains(page, `href="/stations/LOA-20359"`) {
		t.Errorf("the admin's list lacks the moved station")
	}
	planner := s.account("tamky-planner", []string{"planner"}, "502")
	if _, page := planner.get("/stations?q=tam+thanh"); strings.Contains(page, `href="/stations/LOA-20359"`) {
		t.Errorf("an unmapped planner of 502 lists the station moved to 20356")
	}
}
