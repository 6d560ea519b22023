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
			tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0])
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
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || !tell {
		t.Fatalf("retracting past the lease: %v %v, want the chat told", tell, err)
	}
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || tell {
		t.Fatalf("retracting again at the same millisecond: %v %v, want no", tell, err)
	}
}

// A process records a chat as being told an alert was withdrawn, and
// stalls past its lease; another takes the lease, and is telling the
// chat. The stalled one's notice fails: settling it (AlertNotRetracted)
// must not end the other's lease, or a third process tells the chat at
// the same time. The holder's settling still ends it. Mutation:
// notTellingAlert without its holder check → the third process is
// answered to tell the chat.
func TestStalledRetractionDoesNotSettleTheLeaseAnotherTook(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	tell, stalled, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	now = now.Add(alertTellingLease + time.Second)
	tell, held, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting past the first lease: %v %v, want the chat told", tell, err)
	}
	// The stalled process's notice was refused; it settles it.
	if err := s.AlertNotRetracted(ctx, w.Signal, chats[0], stalled); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || tell {
		t.Fatalf("a third process, while the second tells the chat: %v %v, want no", tell, err)
	}
	// The second's notice was refused too: the chat is told at the next
	// attempt.
	if err := s.AlertNotRetracted(ctx, w.Signal, chats[0], held); err != nil {
		t.Fatal(err)
	}
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || !tell {
		t.Fatalf("retracting after the holder's notice failed: %v %v, want the chat told", tell, err)
	}
}

// A stalled process whose notice did go out records the chat as told
// (it is not told again), leaving the lease another process took since to
// that process, which settles it. Mutation: retractedAlert without its
// holder check → the other's lease is ended by the stalled process.
func TestStalledRetractionToldLeavesTheLeaseAnotherTook(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	_, stalled, _ := s.AlertRetracting(ctx, w.Signal, chats[0])
	now = now.Add(alertTellingLease + time.Second)
	tell, held, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting past the first lease: %v %v, want the chat told", tell, err)
	}
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], stalled); err != nil {
		t.Fatal(err)
	}
	field := alertTellingOf(s.alertChatMAC(w.Signal.mac, chats[0]))
	if v := s.rdb.HGet(ctx, s.k.alertPending(w.Signal.mac), field).Val(); v != held {
		t.Fatalf("the second process's lease is %q after the stalled one settled, want it kept", v)
	}
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || tell {
		t.Fatalf("retracting a chat told: %v %v, want no", tell, err)
	}
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], held); err != nil {
		t.Fatal(err)
	}
	if v := s.rdb.HGet(ctx, s.k.alertPending(w.Signal.mac), field).Val(); v != "" {
		t.Fatalf("the holder's lease is %q after it settled, want it ended", v)
	}
}
