package storage

import (
	"context"
	"testing"
	"time"
)

// Two tips of the same millisecond count their reporters from the same
// moment (since): the second one raising the entity's next alert (the
// first alert's mark gone, its record every chat took still kept) is
// still a new alert, for every chat, not taken for the first.
// Mutation: AlertMissing telling alerts apart by since alone (as before
// instances) → the next alert is missing from no chat, and sent nowhere.
func TestNextAlertOfATipOfTheSameMillisecondGoesToEveryChat(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	at := time.Now()
	text := "llaman del 55 1234 5678 para cobrar piso"
	var first []Signal
	for _, id := range []string{"1", "2", "3", "4"} {
		s.rdb.HSet(ctx, s.k.tip(id), "k", "wrapped") // stored
	}
	for _, id := range []string{"1", "2", "3"} {
		alerts, err := s.index(ctx, id, "p"+id, at, text, false)
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, alerts...)
	}
	if len(first) != 1 {
		t.Fatalf("alerts %+v, want one", first)
	}
	chats := []string{"telegram:-100777", "telegram:-100778"}
	if err := s.KeepAlert(ctx, first[0], chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, first[0]); err != nil {
		t.Fatal(err)
	}
	// The first alert's mark is gone (expired: indexed a window late).
	s.rdb.Del(ctx, s.k.indexAlert(first[0].mac))
	next, err := s.index(ctx, "4", "p4", at, text, false)
	if err != nil || len(next) != 1 || next[0].since != first[0].since {
		t.Fatalf("next alerts %+v %v, want one counting from the same moment", next, err)
	}
	missing, err := s.AlertMissing(ctx, next[0], chats)
	if err != nil || len(missing) != 2 {
		t.Fatalf("the next alert is missing from %v (%v), want every chat", missing, err)
	}
}
