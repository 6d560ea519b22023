package storage

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Processes whose clocks agree (the same millisecond: their leases end
// at the same millisecond too) record a chat as being told an alert was
// withdrawn at once: one alone is answered to tell it, or the chat gets
// the notice twice. Mutation: the lease's value its end alone, as before
// tokens (alertLease without its token) → every process is answered to
// tell it (each takes the other's lease for its own).
func TestAlertRetractingAtTheSameMillisecondTellsOnce(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	const processes = 4
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		told int
	)
	for range processes {
		wg.Go(func() {
			tell, err := s.AlertRetracting(ctx, w.Signal, chats[0])
			if err != nil {
				t.Error(err)
				return
			}
			if tell {
				mu.Lock()
				told++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if told != 1 {
		t.Fatalf("%d processes told the chat the alert was withdrawn, want 1", told)
	}
	// Once the lease is over (its process died), the chat is told: once.
	now = now.Add(alertTellingLease + time.Millisecond)
	if tell, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || !tell {
		t.Fatalf("retracting past the lease: %v %v, want the chat told", tell, err)
	}
	if tell, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || tell {
		t.Fatalf("retracting again at the same millisecond: %v %v, want no", tell, err)
	}
}
