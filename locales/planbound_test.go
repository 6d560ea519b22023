package locales

import (
	"sync"
	"testing"
)

// Counts rendered at once by several goroutines, more distinct ones than
// maxPlans, keep at most maxPlans plans, each rendering as go-i18n does:
// the bound was checked under the read lock and the plan kept under the
// write lock, so goroutines that all saw maxPlans-1 each kept theirs
// (4,102 seen). Mutation: the plan kept without checking the bound again
// under the write lock → this test fails (more than 4,096 plans; it
// needs goroutines to race there, which 8 of them at 8,000 counts did in
// every run tried).
func TestPlansStayWithinTheBoundUnderConcurrentUse(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := g * 1000; n < g*1000+1000; n++ {
				for _, lang := range Supported {
					want, _ := fresh.localize(lang, "age_days", nil, n)
					if got := b.Localize(lang, "age_days", nil, n); got != want {
						t.Errorf("%s %d: %q, go-i18n renders %q", lang, n, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	b.mu.RLock()
	defer b.mu.RUnlock()
	if len(b.plans) > maxPlans {
		t.Errorf("%d plans kept, more than maxPlans (%d)", len(b.plans), maxPlans)
	}
}
