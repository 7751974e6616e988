package loa_test

import (
	"sync"
	"testing"

	"loa"
)

// TestFoldConcurrently folds from many goroutines at once, as requests do: every
// answer is the one a lone call gives (a shared transformer once panicked here).
func TestFoldConcurrently(t *testing.T) {
	words := map[string]string{"Điện Bàn": "dien ban", "TAM KỲ": "tam ky", "Phòng, chống mại dâm": "phong, chong mai dam",
		"Hệ thống loa truyền thanh xã Bình Dương": "he thong loa truyen thanh xa binh duong"}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				for in, want := range words {
					if got := loa.Fold(in); got != want {
						errs <- in + " → " + got
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("Fold under concurrency: %s", e)
	}
}
