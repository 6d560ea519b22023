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

// A kept alert from before instances were recorded (no "i"), claimed and
// found withdrawn by one process, while another raises the entity's next
// alert (the earlier one's mark gone) that one chat took and one did not:
// the first process's withdrawal leaves the next alert, and its mark,
// alone. Mutation: dropAlert taking an empty instance (an alert kept
// before instances) for any → the next alert is dropped, never reaching
// the chat that refused it, and its mark released.
func TestWithdrawalOfAnAlertKeptBeforeInstancesLeavesTheNextAlone(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	text := "llaman del 55 1234 5678 para cobrar piso"
	raise := func(at time.Time, ids ...string) Signal {
		t.Helper()
		var alerts []Signal
		for _, id := range ids {
			s.rdb.HSet(ctx, s.k.tip(id), "k", "wrapped") // stored
			a, err := s.index(ctx, id, "p"+id, at, text, false)
			if err != nil {
				t.Fatal(err)
			}
			alerts = append(alerts, a...)
		}
		if len(alerts) != 1 {
			t.Fatalf("alerts %+v, want one", alerts)
		}
		return alerts[0]
	}
	chats := []string{"telegram:-100777", "telegram:-100778"}
	first := raise(now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, chats[:1]); err != nil {
		t.Fatal(err)
	}
	key := s.k.alertPending(first.mac)
	s.rdb.HDel(ctx, key, "i") // kept by the binary before instances
	// Its reporters' tips are gone: found withdrawn at its next attempt.
	s.rdb.Del(ctx, s.k.indexEntity(first.mac), s.k.indexAlert(first.mac))
	now = now.Add(2 * time.Minute)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v, want the alert withdrawn from one chat", due, err)
	}
	// Meanwhile another process raises the next alert: one chat takes it.
	next := raise(now.Add(2*time.Hour), "4", "5", "6")
	missing, err := s.AlertMissing(ctx, next, chats)
	if err != nil || len(missing) != 2 {
		t.Fatalf("the next alert is missing from %v (%v), want every chat", missing, err)
	}
	if err := s.KeepAlert(ctx, next, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, next, chats[0], "41"); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, next.mac, "6"); err != nil {
		t.Fatal(err)
	}
	// The first process tells its chat, and drops what it withdrew.
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertWithdrawn(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	if inst := s.rdb.HGet(ctx, key, "i").Val(); inst != next.alert {
		t.Fatalf("the next alert's record is gone (instance %q)", inst)
	}
	if err := s.rdb.ZScore(ctx, s.k.alertsDue(), next.mac).Err(); err != nil {
		t.Fatalf("the next alert is no longer due: %v", err)
	}
	if mark := s.rdb.Get(ctx, s.k.indexAlert(next.mac)).Val(); mark != alertSent {
		t.Fatalf("the next alert's mark is %q, want it held", mark)
	}
	if missing, err := s.AlertMissing(ctx, next, chats); err != nil || len(missing) != 1 || missing[0] != chats[1] {
		t.Fatalf("the next alert is missing from %v (%v), want the chat that refused it", missing, err)
	}
}
