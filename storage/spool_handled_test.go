package storage_test

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A message that went out in a tip sent from its draft, or as the answer
// to a question, delivered again by the platform and spooled in an
// outage, replayed once the marks on its reporter's state are gone (two
// days; deleted here, as their expiry would): it is still known by its
// own mark, kept as long as the tip, and makes no second tip; its receipt
// says what it was. The mark is a field named by a keyed hash alone (no
// pseudonym, no event), in a bucket shared with other marks, and holds
// no text.
// Mutation: handledAs not reading the message's own mark → this fails
// (replay {Replayed:2}).
// Mutation: saveTip not writing the sent messages' marks, or
// RememberAnswer not writing an answer's → this fails (one mark of two).
func TestHandledMessageSpooledAfterItsStateExpiredMakesNoSecondTip(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "64")
	const text, answer = "cobran piso en la tienda de la esquina", "el lunes a las nueve"
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 90501, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RememberAnswer(ctx, p, 90502); err != nil {
		t.Fatal(err)
	}
	// The marks: one per message, a field of 8 bytes in a bucket shared
	// with other messages' marks, living at least as long as the tip and
	// at most a week more, named and valued with nothing of the
	// reporter's.
	buckets, err := rdb.Keys(ctx, "t:{tips}:handled:*").Result()
	if err != nil || len(buckets) == 0 {
		t.Fatalf("buckets %q %v", buckets, err)
	}
	tipLife := rdb.PTTL(ctx, "t:{tips}:tip:"+sub.TipID).Val()
	marks := 0
	for _, k := range buckets {
		if strings.Contains(k, p) || strings.Contains(k, "9050") {
			t.Fatalf("a bucket names the reporter or the message: %s", k)
		}
		for f, v := range rdb.HGetAll(ctx, k).Val() {
			marks++
			if len(f) != 8 || strings.Contains(f, "9050") {
				t.Fatalf("a mark is named %q", f)
			}
			if v != "s" && v != "a" {
				t.Fatalf("a mark holds %q", v)
			}
		}
		if life := rdb.PTTL(ctx, k).Val(); life < tipLife-time.Minute || life > tipLife+7*24*time.Hour+time.Minute {
			t.Fatalf("a bucket lives %v, its tip %v", life, tipLife)
		}
	}
	if marks != 2 {
		t.Fatalf("%d marks, want 2", marks)
	}
	// Two days on: the state's marks are gone.
	if n := rdb.Del(ctx, "t:{"+p+"}:st").Val(); n != 1 {
		t.Fatalf("the reporter's state: %d", n)
	}
	sent := spoolAppend(t, sp, p, 90501, text)
	answered := spoolAppend(t, sp, p, 90502, answer)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Skipped: 2}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
		t.Fatalf("%d tips, want the one sent: %v", len(list), err)
	}
	for code, want := range map[string]storage.NoTip{sent: storage.NoTipSent, answered: storage.NoTipAnswer} {
		if why, err := st.ReceiptNoTip(ctx, code); err != nil || why != want {
			t.Fatalf("the receipt of a message spooled again: %q %v, want %q", why, err, want)
		}
	}
	// A message never handled still replays as a tip.
	other := spoolAppend(t, sp, p, 90503, "y traen armas")
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay of another message: %+v %v", c, err)
	}
	wantTips(t, st, map[string]string{other: "y traen armas", sub.Receipt: text})
	if n := handledMarks(t, rdb); n != 2 {
		t.Fatalf("%d marks after a spooled tip's replay, want 2 (it is found by its receipt)", n)
	}
}

// handledMarks counts the handled marks under prefix "t".
func handledMarks(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	for _, k := range rdb.Keys(ctx, "t:{tips}:handled:*").Val() {
		n += int(rdb.HLen(ctx, k).Val())
	}
	return n
}

// A mark lives in its week's bucket: a replay weeks later (within the
// retention) looks in each week's whose marks may still live, and finds
// it there, as the answer or the tip it was.
// Mutation: handledKeys naming the current week's bucket alone → this
// fails (replay {Replayed:2}).
func TestHandledMessageReplayedWeeksLaterMakesNoSecondTip(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	clk := &clock{t: time.Now()}
	st := clockedStore(t, rdb, kr, clk, 30*24*time.Hour, 10*time.Minute)
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "65")
	const text, answer = "venden armas detrás del mercado", "los martes"
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 91501, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	if err := st.RememberAnswer(ctx, p, 91502); err != nil {
		t.Fatal(err)
	}
	// Three weeks on: the state's marks long gone, the tip still kept.
	clk.Add(21 * 24 * time.Hour)
	rdb.Del(ctx, "t:{"+p+"}:st")
	sent := spoolAppend(t, sp, p, 91501, text)
	answered := spoolAppend(t, sp, p, 91502, answer)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Skipped: 2}) {
		t.Fatalf("replay three weeks on: %+v %v", c, err)
	}
	for code, want := range map[string]storage.NoTip{sent: storage.NoTipSent, answered: storage.NoTipAnswer} {
		if why, err := st.ReceiptNoTip(ctx, code); err != nil || why != want {
			t.Fatalf("the receipt of a message spooled again: %q %v, want %q", why, err, want)
		}
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
		t.Fatalf("%d tips, want the one sent: %v", len(list), err)
	}
}

// mostHandledKeys records the most handled buckets one script was given.
type mostHandledKeys struct{ n *atomic.Int64 }

func (h mostHandledKeys) see(cmd redis.Cmder) {
	args := cmd.Args()
	if name := cmd.Name(); (name != "evalsha" && name != "eval") || len(args) < 4 {
		return
	}
	if s, _ := args[3].(string); !strings.Contains(s, ":handled:") {
		return
	}
	n := int64(0)
	switch v := args[2].(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	}
	for {
		old := h.n.Load()
		if n <= old || h.n.CompareAndSwap(old, n) {
			return
		}
	}
}
func (h mostHandledKeys) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h mostHandledKeys) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.see(cmd); return next(ctx, cmd) }
}
func (h mostHandledKeys) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.see(c)
		}
		return next(ctx, cmds)
	}
}

// The replay looks for a spooled message's own mark only in the weeks it
// can have been marked in: before the platform delivered it again and it
// was spooled, by no more than the platform keeps a message (two days
// allowed), or a day after (clocks). A message marked in the last hour
// of a week and spooled in the next, replayed three weeks on, is found;
// and with a retention of 20,000 days a replay reads the buckets of the
// weeks from two days before the spooling to a day after the replay
// (five here: a message can go out after it was spooled, up to the
// replay, TestMessageSpooledFromADraftSentDaysLaterMakesNoSecondTip), not
// one a week of the retention. Before, it read every week's since the
// retention began: some 2,860 keys a message replayed here, 2,600 with
// the longest the configuration allows (18,250 days, 50 years).
// Mutations: handledKeys not bounded by the spooling time → fails (2,860
// buckets); bounded from the spooling time, not two days before → fails
// (replay {Replayed:1}).
func TestReplayReadsTheMarksOfTheWeeksBeforeItsSpoolingOnly(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	days := time.Now().Unix() / 86400
	weekEnd := time.Unix((days-days%7+7)*86400, 0)
	clk := &clock{t: weekEnd.Add(-time.Hour)} // the last hour of a week
	st := clockedStore(t, rdb, kr, clk, 20000*24*time.Hour, 10*time.Minute)
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "66")
	const text = "el taller de la esquina guarda los carros robados"
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 91601, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	// Delivered again two hours on, in the next week, and spooled; the
	// outage lasts three weeks (the state's marks gone).
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 91601, Part: tips.Part{Text: text}, At: clk.Now().Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	clk.Add(21 * 24 * time.Hour)
	rdb.Del(ctx, "t:{"+p+"}:st")
	var most atomic.Int64
	rdb.AddHook(mostHandledKeys{&most})
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay three weeks on: %+v %v, want it skipped", c, err)
	}
	if n := most.Load(); n < 1 || n > 5 {
		t.Fatalf("%d handled buckets read for a message, want five at most (its weeks from two days before its spooling to a day after the replay)", n)
	}
}

// A message spooled while it waited in its reporter's draft (the
// platform delivered it again after a restart, Redis down for this
// replica), the draft sent more than a day later in the next week (a
// draft lives as long as its reporter keeps writing, VIGIA_DRAFT_IDLE up
// to a week), and the spool replayed days after that (a replica cut off
// from Redis, a record quarantined until VIGIA_SECRET_PREVIOUS is set
// back): the message went out in that tip, marked in the week it was
// sent, after it was spooled. The replay looks for its mark up to its
// own time, not only up to a day after the spooling: no second tip.
// Mutation: handledKeys bounded at a day after the spooling (as
// 0fde34f had it) → this fails (replay {Replayed:1}).
func TestMessageSpooledFromADraftSentDaysLaterMakesNoSecondTip(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	days := time.Now().Unix() / 86400
	weekEnd := time.Unix((days-days%7+7)*86400, 0)
	clk := &clock{t: weekEnd.Add(-30 * time.Hour)}
	st := clockedStore(t, rdb, kr, clk, 365*24*time.Hour, 7*24*time.Hour)
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "67")
	const text = "guardan armas en la bodega del puerto"
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 91701, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 91701, Part: tips.Part{Text: text}, At: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	clk.Add(31 * time.Hour) // the next week, more than a day after the spooling
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	clk.Add(3 * 24 * time.Hour)
	rdb.Del(ctx, "t:{"+p+"}:st") // the state's marks gone (two days)
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v, want it skipped (gone out in the draft's tip)", c, err)
	}
}

// A message spooled by a replica whose clock runs days ahead of the
// replaying one's (its record's time days in the replay's future): the
// replay still finds its mark, whether a replica with the replay's clock
// marked it (a tip sent from the draft, before it was spooled again) or
// the replica ahead did (an answer, marked in a week the replay's clock
// has not reached). Before, a record spooled more than three days ahead
// read no bucket at all (from two days before its time, to a day after
// the replay's) and made a second tip of each. A record from a clock
// decades ahead reads a bounded number of buckets (the weeks of the
// retention, back and forth), not one a week up to its time.
// Mutations: handledKeys reading from two days before the record's time
// however far ahead it is (as before) → this fails (replay
// {Replayed:2}); reading the replay's weeks but not up to the record's
// time → fails (replay {Skipped:1 Replayed:1}); not bounding a time
// decades ahead → fails (the bucket count).
func TestMessageSpooledByAReplicaWhoseClockIsAheadMakesNoSecondTip(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	days := time.Now().Unix() / 86400
	weekStart := time.Unix((days-days%7)*86400, 0)
	here := &clock{t: weekStart.Add(5 * 24 * time.Hour)} // a day after is still this week, three days after the next
	ahead := &clock{t: here.Now().Add(5 * 24 * time.Hour)}
	open := func(clk *clock) *storage.Store { return clockedStore(t, rdb, kr, clk, 90*24*time.Hour, 10*time.Minute) }
	st, ahst := open(here), open(ahead)
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "68")
	const text, answer = "cobran piso a los taxistas de la terminal", "los viernes en la noche"
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 91801, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	if err := ahst.RememberAnswer(ctx, p, 91802); err != nil {
		t.Fatal(err)
	}
	// Both delivered again to the replica ahead, which spools them: Redis
	// down for it. The state's marks gone (two days) by the replay.
	for ev, txt := range map[int64]string{91801: text, 91802: answer} {
		if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: ev, Part: tips.Part{Text: txt}, At: ahead.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	rdb.Del(ctx, "t:{"+p+"}:st")
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Skipped: 2}) {
		t.Fatalf("replay on a clock five days behind the spooling one: %+v %v, want both skipped", c, err)
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
		t.Fatalf("%d tips, want the one sent: %v", len(list), err)
	}
	// A clock thirty years ahead: bounded.
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 91803, Part: tips.Part{Text: "y guardan armas"}, At: here.Now().AddDate(30, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	var most atomic.Int64
	rdb.AddHook(mostHandledKeys{&most})
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay of a message never handled: %+v %v", c, err)
	}
	// The weeks from the retention and a week back to as far ahead, and
	// a day: 29 or 30 (where the days fall in their weeks), against some
	// 1,580 up to thirty years ahead.
	if n := most.Load(); n < 1 || n > 30 {
		t.Fatalf("%d handled buckets read for a message spooled thirty years ahead, want at most 30", n)
	}
}

// clockedStore is a store on rdb under kr, on clk's time, keeping tips
// for retention and drafts for draftIdle.
func clockedStore(t *testing.T, rdb redis.UniversalClient, kr *storage.Keyring, clk *clock, retention, draftIdle time.Duration) *storage.Store {
	t.Helper()
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", Retention: retention, DraftIdle: draftIdle, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}
