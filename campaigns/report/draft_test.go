package report_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"loa"
	"loa/app/database"
	"loa/app/database/dbtest"
	"loa/campaigns"
	"loa/campaigns/report"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var draftNow = func() time.Time { return time.Date(2024, 6, 20, 3, 0, 0, 0, time.UTC) }

// draftService is the reports of the demo campaign on a fresh database.
func draftService(t *testing.T) (*report.Service, *database.DB) {
	t.Helper()
	s, _, db := demoReportsAt(t, draftNow, false)
	return s, db
}

func draftCount(t *testing.T, db *database.DB) int64 {
	t.Helper()
	n, err := db.Collection("report_drafts").CountDocuments(context.Background(), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var secretariat = loa.Actor{Username: "thu-ky", Scope: "49"}

// TestDraftSavedAndVersioned: a draft starts empty at version 0, is saved per
// campaign and period, and a save from a stale version is refused and writes
// nothing.
func TestDraftSavedAndVersioned(t *testing.T) {
	s, db := draftService(t)
	ctx := context.Background()
	code := campaigns.DemoCampaignCode

	d, err := s.Draft(ctx, code, "2024-H1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 0 || d.Results != "" || d.Period != "2024-H1" || d.Campaign != code {
		t.Fatalf("unwritten draft = %+v, want empty at version 0", d)
	}

	saved, err := s.PutDraft(ctx, secretariat, code, "2024-H1", report.Draft{
		Results: "  Các huyện đã tổ chức tuyên truyền.\r\nNhiều xã làm tốt.  ", Tasks: "Tăng cường ở xã.", Version: 0})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 1 || saved.UpdatedBy != "thu-ky" || saved.UpdatedAt == nil ||
		saved.Results != "Các huyện đã tổ chức tuyên truyền.\nNhiều xã làm tốt." {
		t.Errorf("saved = %+v", saved)
	}
	got, err := s.Draft(ctx, code, "2024-H1")
	if err != nil || got.Results != saved.Results || got.Tasks != "Tăng cường ở xã." || got.Version != 1 {
		t.Errorf("read back = %+v, %v", got, err)
	}
	if other, err := s.Draft(ctx, code, "2024-H2"); err != nil || other.Version != 0 || other.Results != "" {
		t.Errorf("the other half-year = %+v, %v; want its own empty draft", other, err)
	}
	if whole, err := s.Draft(ctx, code, ""); err != nil || whole.Period != "campaign" {
		t.Errorf("the campaign's draft = %+v, %v; want period campaign", whole, err)
	}

	// Someone saved version 1 -> 2; a writer still on version 1 is refused.
	if _, err := s.PutDraft(ctx, secretariat, code, "2024-H1", report.Draft{Results: "Bản mới.", Version: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = s.PutDraft(ctx, loa.Actor{Username: "khac", Scope: "49"}, code, "2024-H1", report.Draft{Results: "Bản cũ.", Version: 1})
	var fc *loa.FieldConflict
	if !errors.As(err, &fc) || fc.Field != "version" {
		t.Fatalf("stale save: %v, want a conflict on version", err)
	}
	if got, _ := s.Draft(ctx, code, "2024-H1"); got.Results != "Bản mới." || got.Version != 2 {
		t.Errorf("after the refused save: %+v", got)
	}
	if n := draftCount(t, db); n != 1 {
		t.Errorf("%d drafts stored, want 1", n)
	}
}

// TestDraftBadInput: each bad input is refused with its error, and nothing is
// written.
func TestDraftBadInput(t *testing.T) {
	s, db := draftService(t)
	ctx := context.Background()
	code := campaigns.DemoCampaignCode
	tests := []struct {
		name   string
		actor  loa.Actor
		code   string
		period string
		d      report.Draft
		want   error
		field  string
	}{
		{"too long", secretariat, code, "2024-H1", report.Draft{Proposals: strings.Repeat("ê", report.MaxDraftSection+1)}, loa.ErrInvalid, "proposals"},
		{"not UTF-8", secretariat, code, "2024-H1", report.Draft{Shortcomings: "a\xffb"}, loa.ErrInvalid, "shortcomings"},
		{"bad period", secretariat, code, "2024-H3", report.Draft{Results: "x"}, loa.ErrInvalid, "period"},
		{"no such campaign", secretariat, "KHONG-CO", "2024-H1", report.Draft{Results: "x"}, loa.ErrNotFound, ""},
		{"district account", loa.Actor{Username: "huyen", Scope: "502"}, code, "2024-H1", report.Draft{Results: "x"}, loa.ErrOutsideScope, ""},
		{"new draft from a version", secretariat, code, "2024-H1", report.Draft{Results: "x", Version: 3}, loa.ErrConflict, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutDraft(ctx, tt.actor, tt.code, tt.period, tt.d)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var ve *loa.ValidationError
			var fc *loa.FieldConflict
			switch {
			case errors.As(err, &ve):
				if ve.Details[0].Field != tt.field {
					t.Errorf("field = %s, want %s", ve.Details[0].Field, tt.field)
				}
			case errors.As(err, &fc):
				if fc.Field != tt.field {
					t.Errorf("field = %s, want %s", fc.Field, tt.field)
				}
			case tt.field != "":
				t.Errorf("no field named, want %s", tt.field)
			}
			if n := draftCount(t, db); n != 0 {
				t.Errorf("%d drafts stored, want none", n)
			}
		})
	}
}
