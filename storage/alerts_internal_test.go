package storage

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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
	missing, err := s.AlertMissing(ctx, &next[0], chats)
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
	raise := func(at time.Time, ids ...string) Signal { return raiseOne(t, s, at, ids...) }
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
	missing, err := s.AlertMissing(ctx, &next, chats)
	if err != nil || len(missing) != 2 {
		t.Fatalf("the next alert is missing from %v (%v), want every chat", missing, err)
	}
	if err := s.KeepAlert(ctx, next, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, next, chats[0], "41"); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, next, "6"); err != nil {
		t.Fatal(err)
	}
	// The first process tells its chat, and drops what it withdrew.
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0], ""); err != nil {
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
	if mark := s.rdb.Get(ctx, s.k.indexAlert(next.mac)).Val(); mark != sentMark(next.alert) {
		t.Fatalf("the next alert's mark is %q, want it held", mark)
	}
	if missing, err := s.AlertMissing(ctx, &next, chats); err != nil || len(missing) != 1 || missing[0] != chats[1] {
		t.Fatalf("the next alert is missing from %v (%v), want the chat that refused it", missing, err)
	}
}

// raiseOne indexes tips ids, stored, of reporters "p"+id at at, naming
// one phone number, and returns the one alert they raise.
func raiseOne(t *testing.T, s *Store, at time.Time, ids ...string) Signal {
	t.Helper()
	ctx := context.Background()
	var alerts []Signal
	for _, id := range ids {
		s.rdb.HSet(ctx, s.k.tip(id), "k", "wrapped") // stored
		a, err := s.index(ctx, id, "p"+id, at, "llaman del 55 1234 5678 para cobrar piso", false)
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

// An alert withdrawn mid-send (its tips forgotten), while another process
// raises the entity's next alert and every chat takes it: the first
// alert's sends end (one chat took it, one refused) and it is kept, but
// over the next alert's record it is not: the chat that refused the first
// is not sent it on top of the next, and the next can still be withdrawn
// from both chats.
// Mutation: KeepSentAlert replacing another instance's record (as
// KeepAlert does) → the first alert's record replaces the next's, and it
// is sent again to the chat that took the next.
func TestOlderAlertKeptAfterItsSendsLeavesTheNextAlone(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	first := raiseOne(t, s, now, "1", "2", "3")
	if missing, err := s.AlertMissing(ctx, &first, chats); err != nil || len(missing) != 2 {
		t.Fatalf("the first alert is missing from %v (%v), want every chat", missing, err)
	}
	if err := s.KeepAlert(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, first, chats[0], "40"); err != nil {
		t.Fatal(err)
	}
	// Its tips are forgotten mid-send (their mark let go), and the next
	// alert is raised by other tips, sent, and taken by every chat.
	s.rdb.Del(ctx, s.k.indexEntity(first.mac), s.k.indexAlert(first.mac))
	next := raiseOne(t, s, now.Add(time.Hour), "4", "5", "6")
	if missing, err := s.AlertMissing(ctx, &next, chats); err != nil || len(missing) != 2 {
		t.Fatalf("the next alert is missing from %v (%v), want every chat", missing, err)
	}
	if err := s.KeepAlert(ctx, next, nil); err != nil {
		t.Fatal(err)
	}
	for i, chat := range chats {
		if err := s.AlertDelivered(ctx, next, chat, strconv.Itoa(50+i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AlertSent(ctx, next); err != nil {
		t.Fatal(err)
	}
	// The first alert's sends end: the second chat refused it.
	if err := s.KeepSentAlert(ctx, first, chats[:1]); err != nil {
		t.Fatal(err)
	}
	key := s.k.alertPending(next.mac)
	if inst := s.rdb.HGet(ctx, key, "i").Val(); inst != next.alert {
		t.Fatalf("the next alert's record was replaced (instance %q)", inst)
	}
	now = now.Add(2 * time.Minute)
	if due, err := s.DueAlerts(ctx, chats, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v, want nothing sent again", due, err)
	}
	if took := s.rdb.HMGet(ctx, key, s.alertChatMAC(next.mac, chats[0]), s.alertChatMAC(next.mac, chats[1])).Val(); took[0] == nil || took[1] == nil {
		t.Fatalf("the chats that took the next alert are forgotten: %v", took)
	}
}

// crashHook, once armed, lets one script write through, then fails every
// command: the process died just after it.
type crashHook struct {
	armed, crashed atomic.Bool
}

func (h *crashHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *crashHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *crashHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.crashed.Load() {
			return errors.New("crashed")
		}
		err := next(ctx, cmd)
		if name := cmd.Name(); err == nil && (name == "eval" || name == "evalsha") && h.armed.Load() {
			h.crashed.Store(true)
		}
		return err
	}
}

// A process withdrawing an alert (every chat that took it told) dies
// between letting its mark go and dropping its record, which are in two
// slots: the next attempt drops the record, telling no chat anything,
// and new reporters naming the entity raise its next alert at once.
// Mutation: the record dropped before the mark is let go (the order
// before) → the mark, left saying the alert went out, holds back the
// next alert.
func TestWithdrawalCutOffBetweenMarkAndRecordIsFinished(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	h := &crashHook{}
	s.rdb.AddHook(h)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777"}
	first := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, first, "3"); err != nil {
		t.Fatal(err)
	}
	// Its tips are forgotten: withdrawn at the recount, its chat told.
	s.rdb.Del(ctx, s.k.indexEntity(first.mac))
	if err := s.checkAlerts(ctx, []string{first.mac}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v, want the alert withdrawn from its chat", due, err)
	}
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0], ""); err != nil {
		t.Fatal(err)
	}
	h.armed.Store(true)
	if err := s.AlertWithdrawn(ctx, due[0].Signal); err == nil || !h.crashed.Load() {
		t.Fatalf("withdrawal %v, want it cut off after one write", err)
	}
	h.armed.Store(false)
	h.crashed.Store(false)
	// Its next attempt tells no chat, and drops it.
	now = now.Add(2 * time.Minute)
	due, err = s.DueAlerts(ctx, chats, 10)
	for _, a := range due {
		if len(a.Missing) > 0 || len(a.Took) > 0 {
			t.Fatalf("due %+v, want no chat sent or told anything", a)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.Exists(ctx, s.k.alertPending(first.mac)).Val(); n != 0 {
		t.Fatal("the withdrawn alert is still kept")
	}
	// New reporters name the entity: its next alert is raised.
	raiseOne(t, s, now, "4", "5", "6")
}

// An alert kept before instances were recorded (no "i"), one chat of two
// having taken it, is claimed again by one process (holding no instance)
// as its tip, indexed again after a crash, raises it again in another:
// the chat the claimant's send reached is recorded as having taken it
// (the other process's send there failed), and is not sent it once more.
// Mutation: keepAlert writing its instance into a record kept before
// instances → the claimant's delivery is refused as another alert's, and
// the chat is sent the alert again.
func TestAlertKeptBeforeInstancesRaisedAgainIsNotSentTwice(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	sig := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, sig, chats[:1]); err != nil {
		t.Fatal(err)
	}
	s.rdb.HDel(ctx, s.k.alertPending(sig.mac), "i") // kept by the binary before instances
	now = now.Add(2 * time.Minute)
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || len(due[0].Missing) != 1 || due[0].Missing[0] != chats[1] {
		t.Fatalf("due %+v %v, want the alert due for the second chat", due, err)
	}
	// Its tip, indexed again, raises it again: missing from the second
	// chat, whose send fails there.
	if missing, err := s.AlertMissing(ctx, &sig, chats); err != nil || len(missing) != 1 || missing[0] != chats[1] {
		t.Fatalf("the alert raised again is missing from %v (%v), want the second chat", missing, err)
	}
	if err := s.KeepAlert(ctx, sig, nil); err != nil {
		t.Fatal(err)
	}
	// The claimant's send there succeeds.
	if err := s.AlertDelivered(ctx, due[0].Signal, chats[1], "42"); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepSentAlert(ctx, sig, nil); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	due, err = s.DueAlerts(ctx, chats, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range due {
		if len(a.Missing) > 0 {
			t.Fatalf("due again for %v, which took it", a.Missing)
		}
	}
}

// raceHook runs race once, just before the first script on key runs: what
// another process did between two steps of this one.
type raceHook struct {
	key  string
	race func()
	done atomic.Bool
}

func (h *raceHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *raceHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *raceHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		args := cmd.Args()
		if name := cmd.Name(); (name == "eval" || name == "evalsha") && len(args) > 3 && args[3] == h.key && h.done.CompareAndSwap(false, true) {
			h.race()
		}
		return next(ctx, cmd)
	}
}

// An alert withdrawn (every chat that took it told) as its mark expires:
// between the withdrawal reading its record and letting its mark go, new
// reporters raise the entity's next alert, which every chat takes and
// whose mark says it went out. The withdrawal lets go of its own mark
// only, not the next alert's: a further tip naming the entity raises no
// third alert.
// Mutation: releaseSentMark deleting any sent mark (the mark not naming
// its instance, as before) → the next alert's mark is let go, and the
// further tip raises the alert again.
func TestWithdrawalRacingItsMarksExpiryLeavesTheNextMark(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777"}
	first := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, first, "3"); err != nil {
		t.Fatal(err)
	}
	// Its tips are forgotten: withdrawn at the recount, its chat told.
	s.rdb.Del(ctx, s.k.indexEntity(first.mac))
	if err := s.checkAlerts(ctx, []string{first.mac}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v, want the alert withdrawn from its chat", due, err)
	}
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0], ""); err != nil {
		t.Fatal(err)
	}
	var next Signal
	mark := s.k.indexAlert(first.mac)
	s.rdb.AddHook(&raceHook{key: mark, race: func() {
		// The first alert's mark expires; new reporters raise the next
		// alert, every chat takes it, and it is handed over.
		s.rdb.Del(ctx, mark)
		next = raiseOne(t, s, now, "4", "5", "6")
		if missing, err := s.AlertMissing(ctx, &next, chats); err != nil || len(missing) != 1 {
			t.Errorf("the next alert is missing from %v (%v), want every chat", missing, err)
		}
		if err := s.KeepAlert(ctx, next, chats); err != nil {
			t.Error(err)
		}
		if err := s.AlertSent(ctx, next); err != nil {
			t.Error(err)
		}
		if err := s.alertHanded(ctx, next, "6"); err != nil {
			t.Error(err)
		}
	}})
	if err := s.AlertWithdrawn(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	if next.alert == "" {
		t.Fatal("the race did not run")
	}
	if got := s.rdb.Get(ctx, mark).Val(); got == "" {
		t.Fatal("the next alert's mark was let go by the first alert's withdrawal")
	}
	if inst := s.rdb.HGet(ctx, s.k.alertPending(next.mac), "i").Val(); inst != next.alert {
		t.Fatalf("the next alert's record is gone (instance %q)", inst)
	}
	s.rdb.HSet(ctx, s.k.tip("7"), "k", "wrapped") // stored
	again, err := s.index(ctx, "7", "p7", now, "llaman del 55 1234 5678 para cobrar piso", false)
	if err != nil || len(again) != 0 {
		t.Fatalf("a further tip raised %+v (%v), want no third alert", again, err)
	}
}

// An alert whose mark was written before marks named their alert (it
// says alertSent alone), withdrawn from its chat: its mark is let go, and
// new reporters naming the entity raise its next alert at once.
// Mutation: releaseSentMark taking the alert's own mark only → the old
// mark holds back the next alert all window.
func TestWithdrawalLetsGoOfAMarkWrittenBeforeMarksNamedTheirAlert(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777"}
	first := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, first); err != nil {
		t.Fatal(err)
	}
	s.rdb.Set(ctx, s.k.indexAlert(first.mac), alertSent, time.Hour) // handed over by the binary before
	s.rdb.Del(ctx, s.k.indexEntity(first.mac))
	if err := s.checkAlerts(ctx, []string{first.mac}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 1 {
		t.Fatalf("due %+v %v, want the alert withdrawn from its chat", due, err)
	}
	if err := s.AlertRetracted(ctx, due[0].Signal, chats[0], ""); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertWithdrawn(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	raiseOne(t, s, now, "4", "5", "6")
}

// An alert kept before instances were recorded (no "i"), whose process
// died before its mark said it was handed over (the mark still names its
// tip); after the upgrade its tip, indexed again, raises it again and
// hands it over (the mark names its instance now). Its tips forgotten,
// it is withdrawn from the chats that took it: its mark is let go, and
// new reporters naming the entity raise its next alert at once.
// Mutation: withdrawAlert not letting go of the mark the raise-again
// wrote (alertHandedField ignored) → the mark holds back the next alert
// all window (no alert raised).
func TestWithdrawalOfAnAlertKeptBeforeInstancesRaisedAgainLetsGoOfItsMark(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	sig := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, sig, chats[:1]); err != nil {
		t.Fatal(err)
	}
	s.rdb.HDel(ctx, s.k.alertPending(sig.mac), "i") // kept by the binary before instances
	mark := s.k.indexAlert(sig.mac)
	if got := s.rdb.Get(ctx, mark).Val(); got != "3" {
		t.Fatalf("mark %q, want it naming its tip (not handed over: the process died)", got)
	}
	// Upgraded: its tip is indexed again, and raises it again.
	again, err := s.index(ctx, "3", "p3", now, "llaman del 55 1234 5678 para cobrar piso", true)
	if err != nil || len(again) != 1 {
		t.Fatalf("indexed again: alerts %+v (%v), want it raised again", again, err)
	}
	missing, err := s.AlertMissing(ctx, &again[0], chats)
	if err != nil || len(missing) != 1 || missing[0] != chats[1] {
		t.Fatalf("the alert raised again is missing from %v (%v), want the second chat", missing, err)
	}
	if err := s.KeepAlert(ctx, again[0], nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, again[0], chats[1], "42"); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepSentAlert(ctx, again[0], chats[1:]); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, again[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.alertHanded(ctx, again[0], "3"); err != nil {
		t.Fatal(err)
	}
	if got := s.rdb.Get(ctx, mark).Val(); got != sentMark(again[0].alert) {
		t.Fatalf("mark %q, want it handed over", got)
	}
	// Its tips are forgotten: withdrawn at the recount, both chats told.
	s.rdb.Del(ctx, s.k.indexEntity(sig.mac))
	if err := s.checkAlerts(ctx, []string{sig.mac}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 2 {
		t.Fatalf("due %+v %v, want the alert withdrawn from both chats", due, err)
	}
	for _, chat := range chats {
		if err := s.AlertRetracted(ctx, due[0].Signal, chat, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AlertWithdrawn(ctx, due[0].Signal); err != nil {
		t.Fatal(err)
	}
	if got := s.rdb.Get(ctx, mark).Val(); got != "" {
		t.Fatalf("the withdrawn alert's mark %q is held", got)
	}
	// New reporters name the entity: its next alert is raised.
	raiseOne(t, s, now, "4", "5", "6")
}

// A process dies while telling a chat that an alert it took was withdrawn
// (recorded as being told, not settled); new reporters then make the
// alert stand again. That chat counts as told: it is sent the alert
// again, and told again when the alert is withdrawn once more.
// Mutation: markWithdrawn standing an alert again without settling the
// chats being told (as f4f7253 left it) → the chat is not sent the alert
// again, and never told of its second withdrawal.
func TestAlertStandingAgainAfterACrashMidNoticeGoesBackToThatChat(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	text := "llaman del 55 1234 5678 para cobrar piso"
	first := raiseOne(t, s, now, "1", "2", "3")
	if err := s.KeepAlert(ctx, first, chats); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertSent(ctx, first); err != nil {
		t.Fatal(err)
	}
	withdraw := func() PendingAlert {
		t.Helper()
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
	w := withdraw()
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	// The process dies; the reporters' tips count again.
	for _, id := range []string{"1", "2", "3"} {
		if _, err := s.index(ctx, id, "p"+id, now, text, false); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute)
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
	w = withdraw()
	if tell, _, err := s.AlertRetracting(ctx, w.Signal, chats[0]); err != nil || !tell {
		t.Fatalf("the second withdrawal is not told to the first chat: %v %v", tell, err)
	}
}

// scriptRunTwice, once armed, runs the next call of script again, as
// go-redis does after a connection dropped before its reply: the caller
// reads the second run's answer. between, if set, runs between the two
// runs: what other processes did while the retry was on its way.
type scriptRunTwice struct {
	sha     string
	armed   atomic.Bool
	between func()
}

func (h *scriptRunTwice) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *scriptRunTwice) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *scriptRunTwice) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err != nil || cmd.Name() != "evalsha" || len(cmd.Args()) < 2 || cmd.Args()[1] != h.sha || !h.armed.CompareAndSwap(true, false) {
			return err
		}
		if h.between != nil {
			h.between()
		}
		return next(ctx, cmd)
	}
}

// A withdrawn alert stands again (new reporters) while a chat is recorded
// as being told of its withdrawal (a process died mid-notice), and the
// script that forgets that chat as having taken it runs twice (go-redis
// again after a dropped connection: the second answers no chat): the
// chat is still sent the alert again, not counted as having it.
// Mutation: DueAlerts taking the chats to send it again to from the
// script's answer alone (as be4e88a) → the alert is due for no chat, and
// marked sent.
func TestAlertStandingAgainGoesBackToAChatBeingToldWhenItsScriptRunsTwice(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	h := &scriptRunTwice{sha: markWithdrawn.Hash()}
	s.rdb.AddHook(h)
	now := time.Now()
	s.now = func() time.Time { return now }
	chats := []string{"telegram:-100777", "telegram:-100778"}
	text := "llaman del 55 1234 5678 para cobrar piso"
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
	if err != nil || len(due) != 1 || !due[0].Withdrawn {
		t.Fatalf("due %+v %v, want the alert withdrawn", due, err)
	}
	if tell, _, err := s.AlertRetracting(ctx, due[0].Signal, chats[0]); err != nil || !tell {
		t.Fatalf("retracting: %v %v", tell, err)
	}
	// The process dies; the reporters' tips count again.
	for _, id := range []string{"1", "2", "3"} {
		if _, err := s.index(ctx, id, "p"+id, now, text, false); err != nil {
			t.Fatal(err)
		}
	}
	h.armed.Store(true)
	var missing []string
	for range 3 {
		now = now.Add(5 * time.Minute)
		due, err := s.DueAlerts(ctx, chats, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range due {
			if a.Withdrawn {
				t.Fatalf("due %+v, want the alert standing", a)
			}
			missing = append(missing, a.Missing...)
		}
	}
	if h.armed.Load() {
		t.Fatal("the script never ran")
	}
	if len(missing) == 0 || missing[0] != chats[0] || slices.Contains(missing, chats[1]) {
		t.Fatalf("the alert standing again is due for %v, want the first chat", missing)
	}
}
