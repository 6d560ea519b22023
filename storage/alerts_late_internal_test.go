package storage

import (
	"context"
	"slices"
	"testing"
	"time"
)

// A late withdrawal notice (its process stalled past the claim's wait) is
// settled while another process, having found the alert standing again,
// is still sending it: after that process recorded the chat's copy but
// before it recorded the alert sent (its other chats still being sent
// to), or before it recorded even the chat's copy. Which of the two
// messages the chat got last is unknown: the alert must still be sent
// there once more, not taken as done by the other process's AlertSent.
// Mutations: retractedAlert not keeping the alert due through a
// concurrent AlertSent ("rc") → nothing due; DueAlerts not taking a chat
// told late as missing once every chat took the alert ("ok") → nothing
// due; tookAlert forgetting the late notice on the other process's
// delivery (claimed before it) → nothing due in the second case.
func TestLateWithdrawalNoticeSettledWhileTheAlertIsSentAgain(t *testing.T) {
	for _, tc := range []struct {
		name          string
		deliveredLate bool // the other process records the chat's copy after the notice is settled
	}{
		{"copy recorded before the notice is settled", false},
		{"copy recorded after the notice is settled", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
			// The process stalls; the tips count again; another process
			// claims the alert, standing again, to send it to the chat.
			countAgain(t, s, now)
			now = now.Add(3 * time.Minute)
			due, err := s.DueAlerts(ctx, chats, 10)
			if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
				t.Fatalf("due %+v %v, want the alert standing again, for the first chat", due, err)
			}
			if !tc.deliveredLate {
				if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "43"); err != nil {
					t.Fatal(err)
				}
			}
			// The stalled process's notice goes out; it settles it.
			if err := s.AlertRetracted(ctx, w.Signal, chats[0], lease); err != nil {
				t.Fatal(err)
			}
			if tc.deliveredLate {
				if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "43"); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.AlertSent(ctx, due[0].Signal); err != nil {
				t.Fatal(err)
			}
			if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
				t.Fatal(err)
			}
			due, err = s.DueAlerts(ctx, chats, 10)
			if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
				t.Fatalf("due %+v %v, want the alert standing, sent to the first chat again after the late notice", due, err)
			}
			// Sent there again: done, and not sent again after.
			if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "44"); err != nil {
				t.Fatal(err)
			}
			if err := s.AlertSent(ctx, due[0].Signal); err != nil {
				t.Fatal(err)
			}
			now = now.Add(10 * time.Minute)
			if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
				t.Fatalf("due %+v %v after the alert was sent again, want none", due, err)
			}
		})
	}
}

// A late withdrawal notice makes the alert due at once: another process
// claims it (a later claim) while the one that claimed it before the
// notice still sends it to its other chats. The later claim fails to
// send it to the chat told late (a network error: no copy recorded, no
// AlertSent), and leaves it to its retry; the earlier process then records
// the alert sent. That AlertSent, from a claim made before the notice was
// settled, must not take the alert out of the due ones: the chat told
// late would never get it again, left believing it withdrawn.
// Mutation: doneAlert not keeping due an alert with a chat told late
// after a claim of that notice's attempts or before -> nothing due after
// the later claim's wait.
func TestLateWithdrawalNoticeEarlierClaimsAlertSentDoesNotEndTheResend(t *testing.T) {
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
	countAgain(t, s, now)
	now = now.Add(3 * time.Minute)
	early, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(early) != 1 || early[0].Withdrawn || len(early[0].Missing) != 1 || early[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing again, for the first chat", early, err)
	}
	if err := s.AlertDelivered(ctx, early[0].Signal, chats[0], "43"); err != nil {
		t.Fatal(err)
	}
	// The stalled process's notice goes out; it settles it.
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], lease); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
		t.Fatal(err)
	}
	// Due at once: a later claim, whose send to the chat fails.
	later, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(later) != 1 || len(later[0].Missing) != 1 || later[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert due again at once for the first chat", later, err)
	}
	// The earlier claim's process is done with its other chats.
	if err := s.AlertSent(ctx, early[0].Signal); err != nil {
		t.Fatal(err)
	}
	now = now.Add(alertRetryMax + time.Second)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v after the later claim's wait, want the alert sent to the first chat again", due, err)
	}
	// Sent there: done, not sent again after.
	if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "44"); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v after the alert was sent again, want none", due, err)
	}
}

// A chat told of an alert's withdrawal late (its notice settled while the
// alert stood again) then gets the alert from a first send (its tip
// indexed again: the indexer's send, not a claim). A send begun after the
// notice was settled reaches the chat after it: the chat has the alert,
// and is not sent it once more. One begun before may reach it before the
// notice: the chat is still sent it again. Mutations: AlertMissing not
// noting the attempts in the signal (a first send counting none, as
// before) -> the first subtest fails (the alert due for the chat again: a
// duplicate); retractedAlert not counting the notice as an attempt (the
// mark valued with the attempts as they were) -> the second fails
// (nothing due: the chat left believing it withdrawn).
func TestLateWithdrawalNoticeThenAFirstSend(t *testing.T) {
	for _, tc := range []struct {
		name        string
		beganBefore bool // the first send read the record before the notice was settled
		wantResent  int
	}{
		{"send begun after the notice was settled", false, 0},
		{"send begun before the notice was settled", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
			// The process telling the chat stalls; the tips count again;
			// another process claims the alert, standing again, for the
			// chat (its send fails: nothing recorded).
			countAgain(t, s, now)
			now = now.Add(3 * time.Minute)
			due, err := s.DueAlerts(ctx, chats, 10)
			if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
				t.Fatalf("due %+v %v, want the alert standing again, for the first chat", due, err)
			}
			// The alert's tip is indexed again: its first send.
			first := w.Signal
			first.attempt = 0
			settle := func() {
				if err := s.AlertRetracted(ctx, w.Signal, chats[0], lease); err != nil {
					t.Fatal(err)
				}
				if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
					t.Fatal(err)
				}
			}
			if !tc.beganBefore {
				settle()
			}
			missing, err := s.AlertMissing(ctx, &first, chats)
			if err != nil || len(missing) != 1 || missing[0] != chats[0] {
				t.Fatalf("first send: missing %q %v, want the first chat", missing, err)
			}
			if err := s.KeepAlert(ctx, first, nil); err != nil {
				t.Fatal(err)
			}
			if tc.beganBefore {
				settle()
			}
			if err := s.AlertDelivered(ctx, first, chats[0], "45"); err != nil {
				t.Fatal(err)
			}
			if err := s.KeepSentAlert(ctx, first, chats[:1]); err != nil {
				t.Fatal(err)
			}
			if err := s.AlertSent(ctx, first); err != nil {
				t.Fatal(err)
			}
			resent := 0
			for range 3 {
				now = now.Add(alertRetryMax + time.Second)
				due, err := s.DueAlerts(ctx, chats, 10)
				if err != nil {
					t.Fatal(err)
				}
				if len(due) > 0 {
					if due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
						t.Fatalf("due %+v, want the alert standing, for the first chat", due)
					}
					resent++
					if err := s.AlertDelivered(ctx, due[0].Signal, chats[0], "46"); err != nil {
						t.Fatal(err)
					}
					if err := s.AlertSent(ctx, due[0].Signal); err != nil {
						t.Fatal(err)
					}
				}
			}
			if resent != tc.wantResent {
				t.Fatalf("after the first send, the first chat was sent the alert again %d times, want %d", resent, tc.wantResent)
			}
		})
	}
}

// A chat told of an alert's withdrawal late gets a copy from a claim made
// before that notice (recorded after it: the chat may have got it before
// the notice), so it counts as having the alert, but is still to be sent
// it again; a later claim's send there fails. A first send (its tip
// indexed again) finds every chat having the alert, sends nothing, and
// records the alert sent: that must not end the resend the chat told late
// still waits for. Mutation: AlertSent of a first send passing the
// attempts it read (as a claim's) to doneAlert -> nothing due after the
// later claim's wait (the chat left believing it withdrawn).
func TestLateWithdrawalNoticeFirstSendSendingNothingDoesNotEndTheResend(t *testing.T) {
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
	countAgain(t, s, now)
	now = now.Add(3 * time.Minute)
	early, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(early) != 1 || early[0].Withdrawn || len(early[0].Missing) != 1 || early[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert standing again, for the first chat", early, err)
	}
	// The stalled process's notice goes out; it settles it; then the
	// earlier claim's copy is recorded.
	if err := s.AlertRetracted(ctx, w.Signal, chats[0], lease); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertWithdrawn(ctx, w.Signal); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, early[0].Signal, chats[0], "43"); err != nil {
		t.Fatal(err)
	}
	// A later claim, whose send to the chat fails.
	later, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(later) != 1 || len(later[0].Missing) != 1 || later[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v, want the alert due again at once for the first chat", later, err)
	}
	// The alert's tip is indexed again: every chat has it, nothing is
	// sent, the alert is recorded sent (Mux.alert).
	first := w.Signal
	first.attempt = 0
	missing, err := s.AlertMissing(ctx, &first, chats)
	if err != nil || len(missing) != 0 {
		t.Fatalf("first send: missing %q %v, want none", missing, err)
	}
	if err := s.AlertSent(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, early[0].Signal); err != nil {
		t.Fatal(err)
	}
	now = now.Add(alertRetryMax + time.Second)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[0] {
		t.Fatalf("due %+v %v after the later claim's wait, want the alert sent to the first chat again", due, err)
	}
}

// A kept alert is claimed five times (its chats refusing it) and the
// fifth claim's process stalls mid-send. Its tip is indexed again: a first
// send reads the record; meanwhile the alert is found withdrawn with no
// chat having it, and its record dropped; the first send reaches a chat
// and keeps the alert anew (KeepSentAlert). Found withdrawn there, its
// chat is told so late (the alert stands again meanwhile). Then the
// stalled claim's copy is recorded: sent before that notice, it must not
// count as the chat's last word, or the chat is left believing the alert
// withdrawn. Mutation: keepAlert making the record anew with no attempts
// (as before) → the late mark (3) is below the stalled claim's attempt
// (5), its copy counts as after the notice, and the chat is not sent the
// alert again.
func TestAlertKeptAnewCarriesItsAttempts(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	first := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	var stalled PendingAlert
	for claim := range 5 {
		now = now.Add(alertRetryMax + time.Second)
		due, err := s.DueAlerts(ctx, chats, 10)
		if err != nil || len(due) != 1 || due[0].Withdrawn || len(due[0].Missing) != 2 {
			t.Fatalf("claim %d: due %+v %v, want the alert for both chats", claim+1, due, err)
		}
		stalled = due[0] // every send refused; the last one stalls
	}
	// Its tip is indexed again: a first send reads the record.
	again := first
	again.attempt = 0
	if missing, err := s.AlertMissing(ctx, &again, chats); err != nil || len(missing) != 2 {
		t.Fatalf("first send: missing %q %v, want both chats", missing, err)
	}
	// Its tips are forgotten: another process finds it withdrawn from no
	// chat, and drops it.
	s.rdb.Del(ctx, s.k.indexEntity(first.mac))
	if err := s.checkAlerts(ctx, []string{first.mac}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(alertRetryMax + time.Second)
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 0 {
		t.Fatalf("due %+v %v, want the alert withdrawn from no chat", due, err)
	}
	// The first send reached the first chat: the alert is kept anew.
	if err := s.AlertDelivered(ctx, again, chats[0], "44"); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepSentAlert(ctx, again, chats[:1]); err != nil {
		t.Fatal(err)
	}
	// Found withdrawn there: the first chat is told, by a process that
	// stalls; the tips count again, and another process claims the alert
	// standing again (its send fails).
	now = now.Add(alertRetryFirst + time.Second)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v, want the kept-anew alert withdrawn from the first chat", due, err)
	}
	tell, lease, err := s.AlertRetracting(ctx, due[0].Signal, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	countAgain(t, s, now)
	now = now.Add(alertRetryMax + time.Second)
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 1 || due[0].Withdrawn {
		t.Fatalf("due %+v %v, want the alert standing again", due, err)
	}
	// The notice goes out, late; then the stalled claim's copy, sent
	// before it, is recorded.
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0], lease); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, stalled.Signal, chats[0], "43"); err != nil {
		t.Fatal(err)
	}
	resent := false
	for range 3 {
		now = now.Add(alertRetryMax + time.Second)
		due, err := s.DueAlerts(ctx, chats, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 1 && slices.Contains(due[0].Missing, chats[0]) {
			resent = true
			break
		}
	}
	if !resent {
		t.Fatal("the first chat, told late the alert was withdrawn, is not sent it again: it believes it withdrawn")
	}
}
