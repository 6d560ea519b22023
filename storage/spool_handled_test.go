package storage_test

import (
	"bytes"
	"context"
	"strings"
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
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", Retention: 30 * 24 * time.Hour, DraftIdle: 10 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
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
