package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// Every storage flow on a real three-master Redis Cluster: scripts and
// transactions must stay within one hash tag, or Redis refuses them
// (CROSSSLOT).
func TestFlowsOnRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	st, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.Init(ctx))
	must(st.InitInbox(ctx, "telegram"))

	// Drafts, follow-up, submission, receipts, index.
	var receipts []string
	for i, user := range []string{"1", "2", "3"} {
		p := st.Pseudonym("telegram", user)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(10 + i), Route: "telegram:" + user, Language: "es",
			Part: tips.Part{Text: "cobran piso, llaman del 55 1234 5678"}})
		must(err)
		must(st.SetDraftCategory(ctx, p, d.ID, tips.Extortion))
		must(st.SetDraftFollowUp(ctx, p, d.ID, true))
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		must(err)
		receipts = append(receipts, sub.Receipt)
		if alerts := indexAll(t, st); (i == 2) != (len(alerts) == 1) {
			t.Fatalf("reporter %d raised alerts %+v; the third should raise one", i+1, alerts)
		}
	}
	// A message sent in a tip (reporter 1's, event 10) and an answer,
	// delivered again and spooled, replayed once their reporter's state
	// is gone: known by their marks, in buckets of the tips' hash tag.
	p1 := st.Pseudonym("telegram", "1")
	must(st.RememberAnswer(ctx, p1, 77))
	must(cl.Client().Del(ctx, "c:{"+p1+"}:st").Err())
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	must(err)
	spoolAppend(t, sp, p1, 10, "cobran piso, llaman del 55 1234 5678")
	spoolAppend(t, sp, p1, 77, "los lunes")
	if c, err := sp.ReplayCounts(ctx, st); err != nil || c != (storage.ReplayCount{Skipped: 2}) {
		t.Fatalf("replay of a sent message and an answer: %+v %v", c, err)
	}
	if tip, err := st.TipByReceipt(ctx, receipts[0]); err != nil || tip.Category != tips.Extortion {
		t.Fatalf("receipt: %+v %v", tip, err)
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 3 {
		t.Fatalf("recent: %d %v", len(list), err)
	}
	if got, _, err := st.Search(ctx, "cobran piso", time.Now().Add(-time.Hour), "", 10); err != nil || len(got) != 3 {
		t.Fatalf("search: %d %v", len(got), err)
	}
	if sigs, err := st.Signals(ctx, 7*24*time.Hour, 5); err != nil || len(sigs) == 0 {
		t.Fatalf("signals: %v %v", sigs, err)
	}

	// Scheduled deletions: scheduled, taken, given back, taken again, done.
	must(st.ScheduleWipe(ctx, storage.Wipe{Route: "telegram:1", MessageID: "9", Chat: true}, time.Now()))
	wj, err := st.TakeWipe(ctx, time.Now(), []string{"discord", "telegram"}, time.Minute)
	must(err)
	must(st.RetryWipe(ctx, wj, time.Now()))
	wj, err = st.TakeWipe(ctx, time.Now().Add(time.Second), []string{"telegram"}, time.Minute)
	must(err)
	must(st.WipeDone(ctx, wj))

	// Team, triage, follow-up, audit.
	code, err := st.Invite(ctx, "investigator", "admin", time.Hour)
	must(err)
	m, err := st.Redeem(ctx, code, storage.Member{Platform: "telegram", UserID: "9", Name: "Ana"}, nil)
	must(err)
	c := storage.Claimer{Key: m.Key, Name: "Ana", Route: "telegram:9"}
	id, err := st.Next(ctx, c, tips.Extortion, time.Hour, 3)
	must(err)
	must(st.Note(ctx, id, c, "nota"))
	n, err := st.QuestionNumber(ctx, id, 7*24*time.Hour)
	must(err)
	must(st.Ask(ctx, id, n, c, "¿cuándo?"))
	must(st.TouchClaim(ctx, id, c.Key))
	_, err = st.Answer(ctx, id, n, "los lunes")
	must(err)
	must(st.Decide(ctx, id, c, storage.Decision{Status: tips.StatusVerified, Priority: tips.High, Labels: []string{"x"}}))
	must(st.Decide(ctx, id, c, storage.Decision{Status: tips.StatusNew}))
	if q, err := st.Queue(ctx, time.Hour); err != nil || q.Unclaimed != 3 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	must(st.Forget(ctx, id))
	must(st.Audit(ctx, storage.AuditEntry{Who: "telegram:9 Ana", Action: "next"}, time.Hour))
	if d, err := st.QueueDepth(ctx); err != nil || d.Open != 3 {
		t.Fatalf("depth: %+v %v", d, err)
	}

	// Community warnings.
	must(st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-1", Language: "es"}))
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "4"), "cuidado en la carretera", "es", 99, "")
	must(err)
	// A tip marked its duplicate: the approval walks the warning's list
	// of duplicates, keys of its own hash slot.
	must(st.Decide(ctx, id, c, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: w.TipID}))
	// The opposite mark, refused, takes its entry back (dropVeto); the
	// mark made as before the lists is listed by the backfill, which
	// SCANs the node of the tips' slot.
	var cycle *storage.DuplicateChainError
	if err := st.Decide(ctx, w.TipID, c, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: id}); !errors.As(err, &cycle) {
		t.Fatalf("opposite mark: %v; want a cycle refused", err)
	}
	rdb := cl.Client()
	if rdb.SIsMember(ctx, "c:{bc}:dups:"+id, w.TipID).Val() {
		t.Fatal("the refused mark left its entry")
	}
	must(rdb.SRem(ctx, "c:{bc}:dups:"+w.TipID, id).Err())
	if n, err := st.BackfillDuplicates(ctx); err != nil || n != 1 || !rdb.SIsMember(ctx, "c:{bc}:dups:"+w.TipID, id).Val() {
		t.Fatalf("backfill: %d %v; want the mark listed", n, err)
	}
	if a, err := st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: c.Key, Route: "telegram:9"}, Needed: 1}); err != nil || !a.Started {
		t.Fatalf("approve: %+v %v", a, err)
	}
	ds, err := st.PendingDeliveries(ctx, 5)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %d %v", len(ds), err)
	}
	if ok, err := st.ClaimDelivery(ctx, ds[0]); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	must(st.Delivered(ctx, w.TipID, ds[0].Sub, []string{"1"}))

	// Webhook inbox.
	must(st.InboxAdd(ctx, "telegram", []byte(`{"update_id":1}`)))
	entries, err := st.InboxRead(ctx, "telegram", "host", 10, 10*time.Millisecond, time.Minute)
	if err != nil || len(entries) != 1 {
		t.Fatalf("inbox: %d %v", len(entries), err)
	}
	must(st.InboxDone(ctx, "telegram", entries[0].ID))

	// Draft expiry.
	p := st.Pseudonym("telegram", "5")
	_, err = st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:5", Part: tips.Part{Text: "x"}})
	must(err)
	_, err = st.ExpireDrafts(ctx, 10)
	must(err)

	// Purge: the entity's set is watched while its other tips are opened.
	first, err := st.TipByReceipt(ctx, receipts[0])
	must(err)
	must(st.Purge(ctx, first.ID))
	if sigs, err := st.Signals(ctx, 7*24*time.Hour, 5); err != nil || len(sigs) != 1 || sigs[0].Reporters != 2 {
		t.Fatalf("signals after a purge: %+v %v", sigs, err)
	}
}

// On a Redis Cluster every primary holds a share of the tips, and each is
// asked for its persistence: a CONFIG GET without a key went to one node
// drawn at random, so a primary without an append-only file passed, or
// not, by chance at each start.
func TestPersistenceOnRedisClusterAsksEveryPrimary(t *testing.T) {
	cl := redistest.StartCluster(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	st, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := st.Persistence(ctx); err != nil || !p.AppendOnly {
		t.Fatalf("every primary with an append-only file: %+v, %v", p, err)
	}
	node := redis.NewClient(&redis.Options{Addr: cl.Addrs[1]})
	defer node.Close()
	if err := node.ConfigSet(ctx, "appendonly", "no").Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if p, err := st.Persistence(ctx); err != nil || p.AppendOnly {
			t.Fatalf("start %d, one primary of three without an append-only file: %+v, %v", i+1, p, err)
		}
	}
}

// On a Redis Cluster the index keys left without an expiry are looked
// for on every primary, each holding a share of them, and a purged tip's
// sketch on the tips' one: all are given one.
// Mutation: one SCAN through the cluster client (which asks one node) ->
// fails.
func TestIndexExpiryRepairOnRedisCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	st, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c"})
	if err != nil {
		t.Fatal(err)
	}
	rdb := cl.Client()
	var keys []string
	for i := range 30 {
		k := fmt.Sprint("c:ix:e:m", i)
		keys = append(keys, k)
		if err := rdb.ZAdd(ctx, k, redis.Z{Score: float64(time.Now().UnixMilli()), Member: "7"}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// A purged tip's sketch, left alone by an earlier version: on the
	// primary of the tips' slot.
	if err := rdb.HSet(ctx, "c:{tips}:tip:9", "sk", "sketch").Err(); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, "c:{tips}:tip:9")
	if n, err := st.RepairIndexExpiry(ctx); err != nil || n != len(keys) {
		t.Fatalf("repaired %d keys (%v), want %d", n, err, len(keys))
	}
	for _, k := range keys {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 {
			t.Errorf("%s left without expiry (%v)", k, ttl)
		}
	}
}
