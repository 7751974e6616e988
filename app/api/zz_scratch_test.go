package api_test

import (
	"context"
	"testing"
	"time"
)

func TestScratchDemoTiming(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	start := time.Now()
	if err := s.campaigns.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadDemo %v", time.Since(start))
	start = time.Now()
	if err := s.campaigns.LoadDemoReach(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadDemoReach %v", time.Since(start))
	start = time.Now()
	rec := s.do("GET", "/api/v1/campaigns/PCMD-2024/report?asOf=2024-06-30", "")
	t.Logf("report %v %d %d bytes", time.Since(start), rec.Code, rec.Body.Len())
	t.Log(rec.Body.String()[:3000])
}
