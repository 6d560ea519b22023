package storage_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

var (
	secretA = bytes.Repeat([]byte{0xA}, 32)
	secretB = bytes.Repeat([]byte{0xB}, 32)
)

func rekeyStore(t testing.TB, rdb redis.UniversalClient, secret []byte, previous ...[]byte) *storage.Store {
	t.Helper()
	kr, err := storage.NewKeyring(secret, previous...)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// dumpValues returns, byte for byte, every value in Redis by key: strings,
// hash fields and values, list, set and sorted-set members, stream fields
// and values.
func dumpValues(t *testing.T, rdb *redis.Client) map[string][]string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, k := range keys {
		var vals []string
		switch rdb.Type(ctx, k).Val() {
		case "string":
			vals = []string{rdb.Get(ctx, k).Val()}
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				vals = append(vals, f, v)
			}
		case "list":
			vals = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			vals = rdb.SMembers(ctx, k).Val()
		case "zset":
			vals = rdb.ZRange(ctx, k, 0, -1).Val()
		case "stream":
			for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					vals = append(vals, f, fmt.Sprint(v))
				}
			}
		}
		out[k] = vals
	}
	return out
}

// sealedUnder counts the values of a dump that open under secret alone,
// by context family. It does not rely on Rekey's own list of records: it
// tries every context family with every segment of the key's name and every
// short value next to it (hash fields).
func sealedUnder(dump map[string][]string, secret []byte) map[string]int {
	fixed := []string{"audit", "invite", "claimer", "keyset", "inbox:telegram"}
	prefixed := []string{"tipkey:", "part:", "route:", "answering:", "member:", "sub:", "pubby:", "entity:", "totp:", "wipe:", "teamchat:", "alert:", "alertmsg:", "wipediscard:"}
	found := map[string]int{}
	for key, pieces := range dump {
		args := map[string]bool{}
		for _, seg := range strings.FieldsFunc(key, func(r rune) bool { return r == ':' || r == '{' || r == '}' }) {
			args[seg] = true
		}
		if i, j := strings.Index(key, "{"), strings.Index(key, "}"); i >= 0 && j > i {
			args[key[i+1:j]] = true
		}
		for _, p := range pieces {
			if len(p) < 100 {
				args[p] = true
			}
		}
		for _, p := range pieces {
			cands := [][]byte{[]byte(p)}
			if _, enc, ok := strings.Cut(p, "|"); ok {
				if b, err := base64.StdEncoding.DecodeString(enc); err == nil {
					cands = append(cands, b)
				}
			}
			for _, c := range cands {
				if len(c) < 29 || c[0] != 1 {
					continue
				}
				var ctxs []string
				ctxs = append(ctxs, fixed...)
				for a := range args {
					for _, pre := range prefixed {
						ctxs = append(ctxs, pre+a)
					}
				}
				for _, ctx := range ctxs {
					if storage.OpenUnder(secret, c, ctx) == nil {
						fam, _, _ := strings.Cut(ctx, ":")
						found[fam]++
						break
					}
				}
			}
		}
	}
	return found
}

// Every kind of sealed record is re-sealed under the new secret while a
// second store keeps serving; afterwards the new secret alone reads
// everything, pseudonyms are unchanged, and the old secret opens nothing.
func TestRekeyReSealsEverythingWhileServing(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("its scripts use stream commands the embedded Redis does not run from Lua")
	}
	rdb := srv.Client()
	old := rekeyStore(t, rdb, secretA)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Seed every kind of sealed record under A.
	type sent struct {
		id, receipt, file, user, draft string
	}
	var tipsSent []sent
	for i, user := range []string{"101", "102", "103"} {
		p := old.Pseudonym("telegram", user)
		ref, err := old.PutFile(ctx, []byte("photo of "+user))
		must(err)
		d, err := old.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(10 + i), Route: "telegram:" + user, Language: "es",
			Part: tips.Part{Text: "cobran piso en el mercado, llaman del 55 1234 5678"}})
		must(err)
		_, err = old.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(20 + i), Route: "telegram:" + user, Language: "es",
			Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Photo, FileRef: ref}}})
		must(err)
		must(old.SetDraftFollowUp(ctx, p, d.ID, true))
		sub, err := old.SubmitDraft(ctx, p, d.ID, "es")
		must(err)
		tipsSent = append(tipsSent, sent{sub.TipID, sub.Receipt, ref, user, d.ID})
	}
	alerts := indexAll(t, old)
	if len(alerts) != 1 {
		t.Fatalf("three reporters raised %d alerts, want 1", len(alerts))
	}
	must(old.KeepAlert(ctx, alerts[0], nil))
	must(old.AlertDelivered(ctx, alerts[0], "telegram:-100777", "4242")) // as when one investigators' chat of two takes it
	unsent := old.Pseudonym("telegram", "104")
	_, err := old.AddToDraft(ctx, unsent, storage.DraftPart{EventID: 40, Route: "telegram:104", Language: "pt-BR", Part: tips.Part{Text: "borrador sin enviar"}})
	must(err)
	answeringKey := old.Pseudonym("telegram", "101")
	must(old.SetAnswering(ctx, answeringKey, "q:"+tipsSent[0].id, time.Hour))
	must(old.SetLanguage(ctx, answeringKey, "pt-BR"))
	wiped := time.UnixMilli(1_796_000_000_000)
	must(old.OweDiscard(ctx, unsent, storage.OwedDiscard{Wiped: wiped, UpTo: 41}))
	code, err := old.Invite(ctx, "investigator", "telegram:1", time.Hour)
	must(err)
	pending, err := old.Invite(ctx, "investigator", "telegram:1", time.Hour)
	must(err)
	ana, err := old.Redeem(ctx, code, storage.Member{Platform: "telegram", UserID: "900", Name: "Ana"}, nil)
	must(err)
	must(old.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-100200", Language: "es"}))
	must(old.MoveTeamChat(ctx, "telegram:-100777", "telegram:-100888"))
	for _, a := range []string{"next", "tip"} {
		must(old.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: a}, 365*24*time.Hour))
	}
	claimed, err := old.Next(ctx, storage.Claimer{Key: ana.Key, Name: "Ana", Route: "telegram:900"}, "", time.Hour, 3)
	must(err)
	warn, err := old.SubmitWarning(ctx, old.Pseudonym("telegram", "105"), "retén falso en la carretera", "es", 50, "telegram:-100300")
	must(err)
	if _, err := old.ApprovePublication(ctx, warn.TipID, storage.PublishApproval{By: storage.Claimer{Key: ana.Key, Route: "telegram:900"}, Needed: 2}); err != nil {
		t.Fatal(err)
	}
	must(old.InitInbox(ctx, "telegram"))
	must(old.InboxAdd(ctx, "telegram", []byte(`{"update_id":1}`)))
	if got, err := old.InboxRead(ctx, "telegram", "w1", 10, time.Millisecond, time.Hour); err != nil || len(got) != 1 {
		t.Fatalf("inbox read: %d %v", len(got), err) // now pending for w1
	}
	// Stored with its key: rotate-key meets the marker that remembers it.
	must(old.InboxAddOnce(ctx, "telegram", storage.InboxUpdate{Key: "2", Raw: []byte(`{"update_id":2}`)}))

	underA := sealedUnder(dumpValues(t, rdb), secretA)
	for _, fam := range []string{"tipkey", "claimer", "part", "route", "answering", "invite", "member", "sub", "pubby", "entity", "audit", "inbox", "keyset", "teamchat", "alert", "alertmsg", "wipediscard"} {
		if underA[fam] == 0 {
			t.Errorf("seeding made no %s record (the checker would not notice one left under A): %v", fam, underA)
		}
	}

	// Rotate while a replica on (B, previous A) keeps taking tips, audit
	// entries and inbox updates.
	serving := rekeyStore(t, rdb, secretB, secretA)
	rotating := rekeyStore(t, rdb, secretB, secretA)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		live     []sent
		stop     = make(chan struct{})
		started  = make(chan struct{})
		liveErrs []error
	)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			user := fmt.Sprint(2000 + i)
			p := serving.Pseudonym("telegram", user)
			d, err := serving.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(1000 + i), Route: "telegram:" + user, Language: "es", Part: tips.Part{Text: "nuevo aviso " + user}})
			if err == nil {
				var sub storage.Submission
				if sub, err = serving.SubmitDraft(ctx, p, d.ID, "es"); err == nil {
					mu.Lock()
					live = append(live, sent{id: sub.TipID, receipt: sub.Receipt, user: user})
					mu.Unlock()
				}
			}
			if err == nil {
				err = serving.Audit(ctx, storage.AuditEntry{Who: "telegram:900 Ana", Action: "live"}, 365*24*time.Hour)
			}
			if err == nil {
				err = serving.InboxAdd(ctx, "telegram", []byte(fmt.Sprintf(`{"update_id":%d}`, 100+i)))
			}
			if err != nil {
				mu.Lock()
				liveErrs = append(liveErrs, err)
				mu.Unlock()
				return
			}
			if i == 0 {
				close(started)
			}
		}
	})
	<-started
	rep, err := rotating.Rekey(ctx, nil)
	close(stop)
	wg.Wait()
	must(err)
	if len(liveErrs) > 0 {
		t.Fatalf("serving during rotation: %v", liveErrs)
	}
	if rep.Resealed == 0 || rep.Unreadable != 0 {
		t.Fatalf("report: %+v", rep)
	}
	t.Logf("rekey: %+v, %d tips taken meanwhile", rep, len(live))

	// The new secret alone reads everything.
	st := rekeyStore(t, rdb, secretB)
	if st.Pseudonym("telegram", "101") != old.Pseudonym("telegram", "101") {
		t.Fatal("pseudonym changed with the secret")
	}
	for _, s := range append(tipsSent, live...) {
		tip, err := st.TipByReceipt(ctx, s.receipt)
		if err != nil || tip.ID != s.id {
			t.Fatalf("tip %s by receipt: %v", s.id, err)
		}
		if s.file != "" {
			if b, err := st.File(ctx, s.file); err != nil || string(b) != "photo of "+s.user {
				t.Fatalf("file of tip %s: %v", s.id, err)
			}
			if _, _, err := st.ReporterRoute(ctx, s.id); err != nil {
				t.Fatalf("route of tip %s: %v", s.id, err)
			}
		}
		if r, err := st.Reporter(ctx, s.id); err != nil || r != st.Pseudonym("telegram", s.user) {
			t.Fatalf("reporter of tip %s: %v", s.id, err)
		}
	}
	// A retried Send still returns the same receipt.
	first := tipsSent[0]
	if again, err := st.SubmitDraft(ctx, st.Pseudonym("telegram", first.user), first.draft, "es"); err != nil || !again.Repeat || again.Receipt != first.receipt {
		t.Fatalf("retried send: %+v %v", again, err)
	}
	if c, err := st.ClaimerOf(ctx, claimed); err != nil || c.Name != "Ana" {
		t.Fatalf("claimer: %+v %v", c, err)
	}
	if role, err := st.Role(ctx, st.Pseudonym("telegram", "900")); err != nil || role != "investigator" {
		t.Fatalf("role: %q %v", role, err)
	}
	if prof, err := st.Profile(ctx, st.Pseudonym("telegram", "101"), nil, false); err != nil || prof.Language != "pt-BR" {
		t.Fatalf("language: %q %v", prof.Language, err)
	}
	if v, err := st.Answering(ctx, answeringKey); err != nil || v != "q:"+tipsSent[0].id {
		t.Fatalf("answering: %q %v", v, err)
	}
	if owed, err := st.DiscardsOwed(ctx); err != nil || len(owed) != 1 || owed[unsent] != (storage.OwedDiscard{Wiped: wiped, UpTo: 41}) {
		t.Fatalf("discards owed: %v %v", owed, err)
	}
	audit, err := st.AuditLog(ctx, 10000)
	n := 0
	for _, e := range audit {
		if e.Action == "live" {
			n++
		}
	}
	if err != nil || n != len(live) || len(audit)-n != 2 {
		t.Fatalf("audit: %d entries (%d live, %d taken meanwhile) %v", len(audit), n, len(live), err)
	}
	if subs, err := st.Subscriptions(ctx); err != nil || len(subs) != 1 || subs[0].Chat != "-100200" {
		t.Fatalf("subscriptions: %+v %v", subs, err)
	}
	if sigs, err := st.Signals(ctx, 7*24*time.Hour, 10); err != nil || len(sigs) == 0 {
		t.Fatalf("signals (entity display values): %+v %v", sigs, err)
	}
	// The kept alert still knows which chat took it: sent to the other only.
	if missing, err := st.AlertMissing(ctx, &alerts[0], []string{"telegram:-100777", "telegram:-100888"}); err != nil || len(missing) != 1 || missing[0] != "telegram:-100888" {
		t.Fatalf("kept alert's chats after rotation: %v %v", missing, err)
	}
	if d, err := st.Draft(ctx, unsent); err != nil || d.Parts != 1 {
		t.Fatalf("unsent draft: %+v %v", d, err)
	}
	if _, err := st.Redeem(ctx, pending, storage.Member{Platform: "telegram", UserID: "901", Name: "Beto"}, nil); err != nil {
		t.Fatalf("pending invitation: %v", err)
	}
	if a, err := st.ApprovePublication(ctx, warn.TipID, storage.PublishApproval{By: storage.Claimer{Key: st.Pseudonym("telegram", "901"), Route: "telegram:901"}, Needed: 2}); err != nil || !a.Started {
		t.Fatalf("publication: %+v %v", a, err)
	}
	if ds, err := st.PendingDeliveries(ctx, 10); err != nil || len(ds) != 1 || ds[0].By != "telegram:901" { // who started it hears how it goes
		t.Fatalf("publication progress chat: %+v %v", ds, err)
	}
	// The inbox kept its consumer group and w1's pending update.
	got, err := st.InboxPending(ctx, "telegram", "w1", "0", 1000)
	if err != nil || len(got) != 1 || string(got[0].Raw) != `{"update_id":1}` {
		t.Fatalf("w1's pending update: %d %v", len(got), err)
	}
	must(st.InboxDone(ctx, "telegram", got[0].ID))
	got, err = st.InboxRead(ctx, "telegram", "w1", 1000, time.Millisecond, time.Hour)
	if err != nil || len(got) != 1+len(live) {
		t.Fatalf("new updates after rotation: %d, want %d: %v", len(got), 1+len(live), err)
	}
	if n, _ := rdb.XLen(ctx, "t:{inbox}:telegram:dead").Result(); n != 0 {
		t.Fatalf("%d inbox updates could not be opened", n)
	}

	if moves, err := st.TeamChatMoves(ctx, []string{"telegram:-100777"}); err != nil || moves["telegram:-100777"] != "telegram:-100888" {
		t.Fatalf("the moved investigators' chat after rotation: %v %v", moves, err)
	}

	// A copy of Redis taken now opens nothing under the old secret.
	if left := sealedUnder(dumpValues(t, rdb), secretA); len(left) > 0 {
		t.Fatalf("still under the old secret after rotation: %v", left)
	}
	if err := rekeyStoreErr(rdb, secretA); !errors.Is(err, storage.ErrWrongSecret) {
		t.Fatalf("a store on the old secret alone started: %v", err)
	}

	// Again: nothing left to do.
	again, err := rotating.Rekey(ctx, nil)
	if err != nil || again.Resealed != 0 || again.Unreadable != 0 || again.Current == 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}
}

func mustKeyring(t *testing.T, secret []byte, previous ...[]byte) *storage.Keyring {
	t.Helper()
	kr, err := storage.NewKeyring(secret, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func rekeyStoreErr(rdb redis.UniversalClient, secret []byte) error {
	kr, _ := storage.NewKeyring(secret)
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t"})
	if err != nil {
		return err
	}
	return st.Init(context.Background())
}

// A value under neither secret is counted, left alone, and reported.
func TestRekeyReportsUnreadable(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	old := rekeyStore(t, rdb, secretA)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(old.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-1", Language: "es"}))
	// A record sealed under a third secret (a misconfigured replica).
	other, err := storage.New(rdb, mustKeyring(t, bytes.Repeat([]byte{0xC}, 32)), storage.Options{Prefix: "u"})
	must(err)
	must(other.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-1", Language: "es"}))
	stray, err := rdb.HGetAll(ctx, "u:{bc}:subs").Result()
	must(err)
	var field, value string
	for f, v := range stray {
		field, value = f+"x", v
	}
	must(rdb.HSet(ctx, "t:{bc}:subs", field, value).Err())
	if _, err := old.Rekey(ctx, nil); !errors.Is(err, storage.ErrNoPreviousSecret) {
		t.Fatalf("rekey without a previous secret: %v", err)
	}
	st := rekeyStore(t, rdb, secretB, secretA)
	var seen []int
	rep, err := st.Rekey(ctx, func(done int) { seen = append(seen, done) })
	must(err)
	if rep.Unreadable != 1 || rep.Resealed != 2 || len(seen) == 0 || !slices.IsSorted(seen) { // the subscription and the keyset
		t.Fatalf("report: %+v, progress %v", rep, seen)
	}
	if v, _ := rdb.HGet(ctx, "t:{bc}:subs", field).Result(); v != value {
		t.Fatal("an unreadable value was changed")
	}
}

// On Redis Cluster, Rekey scans every master and its scripts stay within
// one key.
func TestRekeyOnRedisCluster(t *testing.T) {
	ctx := context.Background()
	cl := redistest.StartCluster(t)
	old := rekeyStore(t, cl.Client(), secretA)
	p := old.Pseudonym("telegram", "1")
	d, err := old.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:1", Part: tips.Part{Text: "cobran piso"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := old.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := old.Audit(ctx, storage.AuditEntry{Who: "telegram:9 Ana", Action: "tip"}, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// The audit log rebuilt beside itself: the copy in its hash slot.
	storage.SmallStreamRebuilds(t, 10, 7, nil)
	rep, err := rekeyStore(t, cl.Client(), secretB, secretA).Rekey(ctx, nil)
	if err != nil || rep.Resealed < 22 || rep.Unreadable != 0 {
		t.Fatalf("rekey: %+v %v", rep, err)
	}
	st := rekeyStore(t, cl.Client(), secretB)
	if _, err := st.TipByReceipt(ctx, sub.Receipt); err != nil {
		t.Fatal(err)
	}
	if log, err := st.AuditLog(ctx, 100); err != nil || len(log) != 20 {
		t.Fatalf("audit: %d %v", len(log), err)
	}
}

// Upgrading and rotating at once: a Redis written before the keyset
// existed keeps the MAC keys of the previous secret, not the new one's.
func TestKeysetFromPreviousSecretOnFirstStart(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client()
	old := rekeyStore(t, rdb, secretA)
	if err := rdb.Del(ctx, "t:keyset").Err(); err != nil { // as before this version
		t.Fatal(err)
	}
	st := rekeyStore(t, rdb, secretB, secretA)
	if st.Pseudonym("telegram", "7") != old.Pseudonym("telegram", "7") {
		t.Fatal("the first start on (new, previous) took the new secret's MAC keys")
	}
	if again := rekeyStore(t, rdb, secretB); again.Pseudonym("telegram", "7") != old.Pseudonym("telegram", "7") {
		t.Fatal("the kept MAC keys were not loaded")
	}
}

// What a broadcast seals since warnings can be withdrawn — where each copy
// went and its message ids, and who retracted it — is re-sealed too: once
// the previous secret is dropped, a retraction still finds every copy to
// delete and reports to whoever retracted it.
func TestRekeyReSealsBroadcastRecords(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	old := rekeyStore(t, rdb, secretA)
	if err := old.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-100200", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	warn, err := old.SubmitWarning(ctx, old.Pseudonym("telegram", "105"), "retén falso en la carretera", "es", 50, "telegram:-100300")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.ApprovePublication(ctx, warn.TipID, storage.PublishApproval{By: storage.Claimer{Key: "k", Route: "telegram:900", Language: "es"}, Needed: 1}); err != nil {
		t.Fatal(err)
	}
	ds, err := old.PendingDeliveries(ctx, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
	if err := old.Delivered(ctx, ds[0].TipID, ds[0].Sub, []string{"77", "78"}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Retracted(ctx, warn.TipID, storage.Claimer{Key: "k2", Route: "telegram:901", Language: "fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rekeyStore(t, rdb, secretB, secretA).Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	st := rekeyStore(t, rdb, secretB) // the previous secret dropped
	ws, err := st.PendingWithdrawals(ctx, 10)
	if err != nil || len(ws) != 1 || fmt.Sprint(ws[0].MessageIDs) != "[77 78]" || ws[0].Sub.Chat != "-100200" {
		t.Fatalf("withdrawals after the rotation: %+v %v", ws, err)
	}
	pubs, err := st.Broadcasts(ctx)
	if err != nil || pubs[warn.TipID].RetractedBy != "telegram:901" || pubs[warn.TipID].RetractedByLanguage != "fr" || pubs[warn.TipID].By != "telegram:900" {
		t.Fatalf("publication after the rotation: %+v %v", pubs, err)
	}
}
