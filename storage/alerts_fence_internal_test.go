package storage

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// withdrawnAlert keeps an alert every chat took, then takes its reporters'
// tips out: it is claimed withdrawn from the first chat.
func withdrawnAlert(t *testing.T, s *Store, now time.Time, chats []string) PendingAlert {
	t.Helper()
	ctx := context.Background()
	first := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, first); err != nil {
		t.Fatal(err)
	}
	s.rdb.Del(ctx, s.k.indexEntity(first.mac))
	if err := s.checkAlerts(ctx, []string{first.mac}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) == 0 || due[0].Took[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert withdrawn from the first chat", due, err)
	}
	return due[0]
}

// countAgain indexes the alert's tips again: it stands again.
func countAgain(t *testing.T, s *Store, now time.Time) {
	t.Helper()
	for _, id := range []string{"1", "2", "3"} {
		if _, err := s.index(context.Background(), id, "p"+id, now, "llaman del 55 1234 5678 para cobrar piso", false); err != nil {
			t.Fatal(err)
		}
	}
}

// The script recording a chat as being told of a withdrawal runs twice
// (go-redis again after a connection dropped before its reply): the
// second run finds the lease the first wrote, and must not take it for
// another process's, which would hold the chat's notice back two minutes.
// Mutation: tellingAlert without its own-lease check → AlertRetracting
// answers false (the notice not sent).
func TestAlertRetractingRunTwiceStillTells(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	h := &scriptRunTwice{sha: tellingAlert.Hash()}
	s.rdb.AddHook(h)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	if err := tellingAlert.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	h.armed.Store(true)
	tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if h.armed.Load() {
		t.Fatal("the script never ran")
	}
	if err != nil || !tell {
		t.Fatalf("retracting run twice: %v %v, want the chat told now", tell, err)
	}
	// Another process, within the lease, still keeps off.
	now = now.Add(time.Second)
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || tell {
		t.Fatalf("retracting again within the lease: %v %v, want no", tell, err)
	}
}

// A process tells a chat an alert was withdrawn and stalls past its lease
// mid-notice; meanwhile the alert stands again (new reporters) and
// another process sends it there again. The late notice may reach the
// chat after the alert: its settling (AlertRetracted, AlertWithdrawn)
// must not leave the chat believing it withdrawn: the alert is kept, and
// sent there once more. Mutations: retractedAlert not making the alert
// due again → nothing due for the chat; AlertWithdrawn dropping a record
// standing again → nothing due (the record gone).
func TestLateWithdrawalNoticeDoesNotOverrideAnAlertStandingAgain(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	tell, lease, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	// The process stalls; the tips count again; another process sends
	// the alert again.
	countAgain(t, s, now)
	now = now.Add(3 * time.Minute)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing again, for the first chat", due, err)
	}
	if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "43"); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	// The stalled process's notice goes out; it settles it.
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], lease); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
		t.Fatal(err)
	}
	due, err = s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing, sent to the first chat again after the late notice", due, err)
	}
}

// A process claims an alert withdrawn and stalls before telling its
// chats; meanwhile it stands again and another process sends it where
// again (none: every chat still has it). The stalled process must not
// record the chat as being told (and send the notice): the alert no
// longer is withdrawn, and the chat would believe it was. Mutation:
// tellingAlert without its "w" check → AlertRetracting answers true.
func TestStalledWithdrawalIsNotToldOfAnAlertStandingAgain(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	countAgain(t, s, now)
	now = now.Add(3 * time.Minute)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v, want the alert standing again, every chat having it", due, err)
	}
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || tell {
		t.Fatalf("retracting an alert standing again: %v %v, want no notice", tell, err)
	}
}

// afterScript, once armed, runs then after the next call of script.
type afterScript struct {
	sha   string
	armed atomic.Bool
	then  func()
}

func (h *afterScript) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *afterScript) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *afterScript) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if len(cmd.Args()) > 1 && cmd.Args()[1] == h.sha && h.armed.CompareAndSwap(true, false) {
			h.then()
		}
		return err
	}
}

// The alert stands again (another process found it so) just after a
// late withdrawal's AlertWithdrawn read it still withdrawn, before it
// drops the record: the record stays, to be sent again where it was
// withdrawn. Mutation: dropAlertScript without its "w" check -> the
// record is dropped.
func TestAlertStandingAgainAsItsWithdrawalIsDroppedIsKept(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	key := s.k.alertPending(w.Signal.mac)
	h := &afterScript{sha: releaseSentMark.Hash(), then: func() {
		if err := markWithdrawn.Run(ctx, s.rdb, []string{key}, w.Signal.alert, "0").Err(); err != nil {
			t.Error(err)
		}
	}}
	if err := releaseSentMark.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	s.rdb.AddHook(h)
	h.armed.Store(true)
	if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
		t.Fatal(err)
	}
	if h.armed.Load() {
		t.Fatal("the mark's script never ran")
	}
	if n := s.rdb.Exists(ctx, key).Val(); n != 1 {
		t.Fatal("the record of an alert standing again was dropped")
	}
}

// A late withdrawal notice's settling (AlertRetracted: the alert stood
// again meanwhile) runs in Redis, its reply is lost, and go-redis runs it
// again; meanwhile another process, finding the alert due for the chat
// told late, sends it there again, after the notice. The run again must
// not count as a second settling: the chat has the alert, sent after the
// notice, and is not sent it a third time; the attempts count the one
// settling once. Mutation: retractedAlert without its settled-by-this-
// lease check → the alert is due for the chat again, attempts counted
// twice.
func TestLateWithdrawalSettledTwiceAfterALostReplyCountsOnce(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	tell, lease, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	// The process stalls past its lease; the tips count again; another
	// process sends the alert to the first chat again.
	countAgain(t, s, now)
	now = now.Add(3 * time.Minute)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing again, for the first chat", due, err)
	}
	if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "43"); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	key := s.k.alertPending(w.Signal.mac)
	before, err := s.rdb.HGet(ctx, key, "n").Int()
	if err != nil {
		t.Fatal(err)
	}
	// The stalled process's notice goes out and is settled: late, so the
	// alert is due for the chat again, and a third process sends it
	// there, before go-redis runs the settling again.
	var claimed int
	h := &scriptRunTwice{sha: retractedAlert.Hash(), between: func() {
		due, err := s.DueAlerts(ctx, chats, 10)
		if err != nil || len(due) != 1 || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
			t.Errorf("due after the late notice %+v %v, want the first chat", due, err)
			return
		}
		claimed = 1
		if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "44"); err != nil {
			t.Error(err)
		}
		if err := s.AlertSent(ctx, due[0].Signal); err != nil {
			t.Error(err)
		}
	}}
	if err := retractedAlert.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	s.rdb.AddHook(h)
	h.armed.Store(true)
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], lease); err != nil {
		t.Fatal(err)
	}
	if h.armed.Load() {
		t.Fatal("the settling script never ran")
	}
	if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
		t.Fatal(err)
	}
	if after, err := s.rdb.HGet(ctx, key, "n").Int(); err != nil || after != before+1+claimed {
		t.Fatalf("attempts %d → %d (%v), want the settling and the claim counted once each", before, after, err)
	}
	now = now.Add(10 * time.Minute)
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v, want nothing: the first chat has the alert, sent after the notice", due, err)
	}
}

// A chat told an alert was withdrawn keeps, in the record, the token of
// the lease that notice was settled under (alertSettledOf). The alert
// stands again, is sent there again, and is withdrawn again: the chat's
// second notice, under a lease of its own, is settled late (its process
// stalled while the alert stood once more and was sent there again). It
// must count as any late notice: the first notice's token is not its
// own, and must not pass it for a run again. Else the chat, whose last
// word may be the notice, is never sent the alert again, left believing
// it withdrawn. Mutation: retractedAlert's run-again check matching any
// token recorded for the chat, not its own lease → nothing due after the
// second notice.
func TestLateNoticeOfASecondWithdrawalIsCountedThoughTheChatWasToldBefore(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	w := withdrawnAlert(t, s, now, chats)
	// The first chat is told, in time.
	tell, first, err := s.AlertRetracting(ctx, w.Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], first); err != nil {
		t.Fatal(err)
	}
	// It stands again: sent to the first chat again.
	countAgain(t, s, now)
	now = now.Add(alertRetryMax + time.Minute)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing again, for the first chat", due, err)
	}
	if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "43"); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	// Withdrawn again: the first chat is to be told again.
	s.rdb.Del(ctx, s.k.indexEntity(w.Signal.mac))
	if err := s.checkAlerts(ctx, []string{w.Signal.mac}); err != nil {
		t.Fatal(err)
	}
	due, err = s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) == 0 || due[0].Took[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert withdrawn again from the first chat", due, err)
	}
	tell, second, err := s.AlertRetracting(ctx, due[0].Signal, chats[0])
	if err != nil || !tell || second == first {
		t.Fatalf("retracting again: %v %q %v, want the chat told under a lease of its own", tell, second, err)
	}
	// Its process stalls; the alert stands again, and another process
	// sends it to the first chat, maybe before the notice.
	countAgain(t, s, now)
	now = now.Add(alertRetryMax + time.Minute)
	again, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(again) != 1 || again[0].Withdrawn || len(again[0].Missing) != 1 || again[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing again, for the first chat", again, err)
	}
	if err := s.AlertDelivered(ctx, again[0].Signal, chats[0], "44"); err != nil {
		t.Fatal(err)
	}
	// The stalled notice goes out, and is settled: late.
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0], second); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, again[0].Signal); err != nil {
		t.Fatal(err)
	}
	last, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(last) != 1 || last[0].Withdrawn || len(last[0].Missing) != 1 || last[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert sent to the first chat again, after the late notice", last, err)
	}
	if err := s.AlertDelivered(ctx, last[0].Signal, chats[0], "45"); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, last[0].Signal); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v after the alert was sent again, want none", due, err)
	}
}
