package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

func submit(t *testing.T, st *storage.Store, user string, ev int64, cat tips.Category, followUp bool) string {
	t.Helper()
	ctx := context.Background()
	p := st.Pseudonym("telegram", user)
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Route: "telegram:" + user, Part: tips.Part{Text: "tip " + user}})
	if err != nil {
		t.Fatal(err)
	}
	if cat != "" {
		st.SetDraftCategory(ctx, p, d.ID, cat)
	}
	if followUp {
		if err := st.SetDraftFollowUp(ctx, p, d.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	return sub.TipID
}

func TestNextClaimsOldestAndExpiredClaimsReturn(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	if !srv.Real {
		t.Skip("XPENDING idle times need a real redis-server")
	}
	a := storage.Claimer{Key: "inv-a", Name: "Ana", Route: "telegram:1"}
	b := storage.Claimer{Key: "inv-b", Name: "Beto", Route: "telegram:2"}
	t1 := submit(t, st, "101", 10, tips.Drugs, false)
	t2 := submit(t, st, "102", 20, tips.Extortion, false)
	got, err := st.Next(ctx, a, "", time.Hour, 3)
	if err != nil || got != t1 {
		t.Fatalf("first next = %q, %v; want %s", got, err, t1)
	}
	got, err = st.Next(ctx, b, tips.Drugs, time.Hour, 3)
	if !errors.Is(err, storage.ErrQueueEmpty) {
		t.Fatalf("drugs tip handed out twice: %q %v", got, err)
	}
	got, err = st.Next(ctx, b, "", time.Hour, 3)
	if err != nil || got != t2 {
		t.Fatalf("second next = %q, %v; want %s", got, err, t2)
	}
	tip, _ := st.Tip(ctx, t1)
	if tip.Status != tips.StatusClaimed || tip.ClaimedBy != "Ana" {
		t.Fatalf("claimed tip: %+v", tip)
	}
	stats, err := st.Queue(ctx, time.Hour)
	if err != nil || stats.Unclaimed != 0 || stats.Claimed[storage.MemberName{Name: "Ana", Tag: storage.MemberTag("inv-a")}] != 1 || stats.Claimed[storage.MemberName{Name: "Beto", Tag: storage.MemberTag("inv-b")}] != 1 {
		t.Fatalf("queue: %+v %v", stats, err)
	}
	// A claim untouched for the timeout goes back to the queue. Redis
	// measures idle time with its own clock, so the test sets it.
	_ = clk
	ageClaims(t, srv, 2*time.Hour)
	got, err = st.Next(ctx, b, "", time.Hour, 3)
	if err != nil || got != t1 {
		t.Fatalf("stale claim not returned: %q %v", got, err)
	}
	// Closing a tip takes it off the queue for good.
	if err := st.Decide(ctx, t1, b, storage.Decision{Status: tips.StatusVerified, Priority: tips.High, Labels: []string{"mercado"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, t2, b, storage.Decision{Status: tips.StatusDismissed}); err != nil {
		t.Fatal(err)
	}
	ageClaims(t, srv, 2*time.Hour)
	if got, err := st.Next(ctx, a, "", time.Hour, 3); !errors.Is(err, storage.ErrQueueEmpty) {
		t.Fatalf("closed tip handed out again: %q %v", got, err)
	}
	tip, _ = st.Tip(ctx, t1)
	if tip.Status != tips.StatusVerified || tip.Priority != tips.High || len(tip.Labels) != 1 || len(tip.History) != 3 {
		t.Fatalf("decided tip: %+v", tip)
	}
	if err := st.Decide(ctx, "999", b, storage.Decision{Status: tips.StatusVerified}); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("decide on a missing tip: %v", err)
	}
}

func TestTipThatKeepsFailingGoesToDeadLetters(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if !srv.Real {
		t.Skip("XPENDING idle times need a real redis-server")
	}
	id := submit(t, st, "103", 10, "", false)
	c := storage.Claimer{Key: "inv", Name: "Ana"}
	// The first claim, then two that take over a claim that ran out...
	for i := range 3 {
		ageClaims(t, srv, 2*time.Hour)
		if got, err := st.Next(ctx, c, "", time.Hour, 2); err != nil || got != id {
			t.Fatalf("claim %d: %q %v", i, got, err)
		}
	}
	// ...and a third run-out claim is one too many.
	ageClaims(t, srv, 2*time.Hour)
	if got, err := st.Next(ctx, c, "", time.Hour, 2); !errors.Is(err, storage.ErrQueueEmpty) {
		t.Fatalf("fourth claim: %q %v", got, err)
	}
	dead, err := st.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0] != id {
		t.Fatalf("dead letters: %v %v", dead, err)
	}
	if q, _ := st.Queue(ctx, time.Hour); q.Dead != 1 {
		t.Fatalf("queue: %+v", q)
	}
	// Decided (here put back in the queue) and handed out again before
	// anyone looked at /dead: no longer a dead letter (someone holds it),
	// and its run-out claims start again from none.
	if err := st.Decide(ctx, id, c, storage.Decision{Status: tips.StatusNew}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got, err := st.Next(ctx, c, "", time.Hour, 2); err != nil || got != id {
			t.Fatalf("claim %d after the decision: %q %v", i, got, err)
		}
		if i == 0 {
			dead, err := st.DeadLetters(ctx, 10)
			if q, _ := st.Queue(ctx, time.Hour); err != nil || len(dead) != 0 || q.Dead != 0 {
				t.Fatalf("a tip decided and claimed again still dead: %v %v, queue %d", dead, err, q.Dead)
			}
		}
		ageClaims(t, srv, 2*time.Hour)
	}
	// Set aside again, then erased: gone from the list too.
	if got, err := st.Next(ctx, c, "", time.Hour, 2); !errors.Is(err, storage.ErrQueueEmpty) {
		t.Fatalf("claim after three run out: %q %v", got, err)
	}
	if dead, _ := st.DeadLetters(ctx, 10); len(dead) != 1 {
		t.Fatalf("set aside twice: %v", dead)
	}
	srv.Client().Del(ctx, "t:{tips}:tip:"+id)
	if dead, _ := st.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Fatalf("an erased tip still listed: %v", dead)
	}
	if n := srv.Client().XLen(ctx, "t:{tips}:dead").Val(); n != 0 {
		t.Errorf("%d dead-letter entries left in Redis", n)
	}
}

func TestInvitesAreSingleUseAndExpire(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	code, err := st.Invite(ctx, "investigator", "admin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Redeem(ctx, code, storage.Member{Platform: "telegram", UserID: "55", Name: "Ana"}, nil)
	if err != nil || m.Role != "investigator" {
		t.Fatalf("redeem: %+v %v", m, err)
	}
	if _, err := st.Redeem(ctx, code, storage.Member{Platform: "telegram", UserID: "66"}, nil); !errors.Is(err, storage.ErrBadInvite) {
		t.Fatalf("second use: %v", err)
	}
	if r, _ := st.Role(ctx, st.Pseudonym("telegram", "55")); r != "investigator" {
		t.Fatalf("role %q", r)
	}
	team, err := st.Team(ctx)
	if err != nil || len(team) != 1 || team[0].Name != "Ana" {
		t.Fatalf("team: %+v %v", team, err)
	}
	if err := st.Revoke(ctx, team[0].Key); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.Role(ctx, st.Pseudonym("telegram", "55")); r != "" {
		t.Fatalf("revoked member still has role %q", r)
	}
	revoked, _ := st.Invite(ctx, "admin", "admin", time.Hour)
	if err := st.RevokeInvite(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Redeem(ctx, revoked, storage.Member{Platform: "telegram", UserID: "77"}, nil); !errors.Is(err, storage.ErrBadInvite) {
		t.Fatalf("revoked code: %v", err)
	}
	// A code expires with its TTL: Redis drops it, and then it is refused
	// like any other bad code.
	short, _ := st.Invite(ctx, "investigator", "admin", 24*time.Hour)
	c := srv.Client()
	keys, _ := c.Keys(ctx, "t:{team}:invite:*").Result()
	if len(keys) != 1 {
		t.Fatalf("invite keys: %v", keys)
	}
	if ttl := c.PTTL(ctx, keys[0]).Val(); ttl <= 23*time.Hour || ttl > 24*time.Hour {
		t.Fatalf("invite TTL %v, want 24h", ttl)
	}
	c.Del(ctx, keys[0]) // what Redis does when the TTL runs out
	if _, err := st.Redeem(ctx, short, storage.Member{Platform: "telegram", UserID: "88"}, nil); !errors.Is(err, storage.ErrBadInvite) {
		t.Fatalf("expired code: %v", err)
	}
	for _, k := range keys {
		if strings.Contains(k, short) || strings.Contains(k, strings.ReplaceAll(short, "-", "")) {
			t.Fatalf("invite code in clear in %s", k)
		}
	}
}

func TestFollowUpRouteOnlyWhenAllowed(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	yes := submit(t, st, "104", 10, "", true)
	no := submit(t, st, "105", 20, "", false)
	r, lang, err := st.ReporterRoute(ctx, yes)
	if err != nil || r != "telegram:104" || lang != "es" {
		t.Fatalf("route: %q %q %v", r, lang, err)
	}
	if _, _, err := st.ReporterRoute(ctx, no); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("route of a reporter who said no: %v", err)
	}
	if err := st.Ask(ctx, yes, 1, storage.Claimer{Name: "Ana"}, "¿Qué día?"); err != nil {
		t.Fatal(err)
	}
	tip, _ := st.Tip(ctx, yes)
	if tip.OpenQuestion != "¿Qué día?" || !tip.FollowUp {
		t.Fatalf("open question: %+v", tip)
	}
	if _, err := st.Answer(ctx, yes, 1, "El martes"); err != nil {
		t.Fatal(err)
	}
	if err := st.Forget(ctx, yes); err != nil {
		t.Fatal(err)
	}
	tip, _ = st.Tip(ctx, yes)
	if tip.OpenQuestion != "" || tip.FollowUp || tip.History[len(tip.History)-1].Text != "El martes" {
		t.Fatalf("after answer and forget: %+v", tip)
	}
	if _, _, err := st.ReporterRoute(ctx, yes); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal("route survived /forget")
	}
}

func TestAuditIsSealedAndOrdered(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	for _, a := range []string{"next", "tip", "triage"} {
		if err := st.Audit(ctx, storage.AuditEntry{Who: "telegram:9 Ana", Action: a, Args: "1 verified"}, 365*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	log, err := st.AuditLog(ctx, 2)
	if err != nil || len(log) != 2 || log[0].Action != "triage" || log[1].Action != "tip" {
		t.Fatalf("audit log: %+v %v", log, err)
	}
	dump, _ := srv.Dump(ctx)
	for k, v := range dump {
		if string(v) != "" && (contains(v, "Ana") || contains(v, "verified")) {
			t.Fatalf("audit entry in clear in %s", k)
		}
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// A retention of zero (a caller that forgot the default) trims nothing:
// XADD MINID ~ now would have deleted nearly the whole audit log.
func TestAuditZeroRetentionTrimsNothing(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	const n = 500 // several stream nodes: approximate trimming drops whole ones
	for i := 0; i < n; i++ {
		if err := st.Audit(ctx, storage.AuditEntry{Who: "telegram:9 Ana", Action: "next"}, 365*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(time.Minute) // every entry is older than "now"
	for _, r := range []time.Duration{0, -time.Hour} {
		if err := st.Audit(ctx, storage.AuditEntry{Who: "vigia reset-2fa", Action: "reset-2fa"}, r); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := srv.Client().XLen(ctx, "t:audit").Result(); err != nil || got != n+2 {
		t.Fatalf("audit entries after appending with retention <= 0: %d (want %d), %v", got, n+2, err)
	}
}

// A tip decided before anyone claimed it is not handed out afterwards.
func TestDecidedBeforeClaimIsNotHandedOut(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := submit(t, st, "106", 10, "", false)
	c := storage.Claimer{Key: "inv", Name: "Ana"}
	if err := st.Decide(ctx, id, c, storage.Decision{Status: tips.StatusDismissed}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Next(ctx, c, "", time.Hour, 3); !errors.Is(err, storage.ErrQueueEmpty) {
		t.Fatalf("dismissed tip handed out: %q %v", got, err)
	}
	if q, _ := st.Queue(ctx, time.Hour); q.Unclaimed != 0 {
		t.Fatalf("dismissed tip counted as waiting: %+v", q)
	}
}

// ageClaims makes every pending triage entry look idle for d to Redis,
// without changing its owner or delivery count.
func ageClaims(t *testing.T, srv *redistest.Server, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	c := srv.Client()
	pend, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "t:{tips}:triage", Group: storage.TriageGroup, Start: "-", End: "+", Count: 100}).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pend {
		if err := c.Do(ctx, "XCLAIM", "t:{tips}:triage", storage.TriageGroup, p.Consumer, 0, p.ID, "IDLE", d.Milliseconds(), "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// Reopening a closed tip, or releasing one, puts it back on the queue, and
// moving a tip around is not counted as a failed delivery.
func TestReopenAndReleaseKeepTheQueueHonest(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if !srv.Real {
		t.Skip("needs a real redis-server")
	}
	id := submit(t, st, "107", 10, "", false)
	a := storage.Claimer{Key: "inv-a", Name: "Ana"}
	reopen(t, st, a, id)
	if q, _ := st.Queue(ctx, time.Hour); q.Unclaimed != 1 {
		t.Fatalf("reopened tip not waiting: %+v", q)
	}
	for i := range 5 { // release it again and again: never a dead letter
		if got, err := st.Next(ctx, a, "", time.Hour, 2); got != id || err != nil {
			t.Fatalf("round %d: %q %v", i, got, err)
		}
		if err := st.Decide(ctx, id, a, storage.Decision{Status: tips.StatusNew}); err != nil {
			t.Fatal(err)
		}
	}
	if dead, _ := st.DeadLetters(ctx, 10); len(dead) != 0 {
		t.Fatalf("releases counted as failures: %v", dead)
	}
	// Working on a claim keeps it: TouchClaim resets its idle time.
	st.Next(ctx, a, "", time.Hour, 2)
	ageClaims(t, srv, 2*time.Hour)
	if err := st.TouchClaim(ctx, id, a.Key); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Next(ctx, storage.Claimer{Key: "inv-b", Name: "Beto"}, "", time.Hour, 2); !errors.Is(err, storage.ErrQueueEmpty) {
		t.Fatalf("a claim being worked on was taken: %q %v", got, err)
	}
}

// A destination claimed for sending when the process died is never sent
// again (a copy may have gone out), and counts as unconfirmed.
func TestBroadcastAfterCrashSendsNothingTwice(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	for i := range 3 {
		if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: fmt.Sprint(-100 - i), Language: "es"}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "cuidado con el número 55 1234 5678", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := st.ApprovePublication(ctx, sub.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv", Route: "telegram:1"}, Needed: 1}); err != nil || !a.Started {
		t.Fatalf("approve: %+v %v", a, err)
	}
	first, err := st.PendingDeliveries(ctx, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("first round: %d %v", len(first), err)
	}
	for _, d := range first { // claimed, sent maybe; the process "dies" before any outcome
		if ok, err := st.ClaimDelivery(ctx, d); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	if ok, _ := st.ClaimDelivery(ctx, first[0]); ok {
		t.Fatal("a destination was claimed twice")
	}
	rest, err := st.PendingDeliveries(ctx, 10) // after the restart
	if err != nil || len(rest) != 1 {
		t.Fatalf("after restart: %d deliveries, want only the one never claimed (%v)", len(rest), err)
	}
	if err := st.Delivered(ctx, sub.TipID, rest[0].Sub, []string{"42"}); err != nil {
		t.Fatal(err)
	}
	p, done, err := st.BroadcastProgress(ctx, sub.TipID)
	if err != nil || !done || p.Total != 3 || p.Delivered != 1 || p.Unconfirmed != 2 {
		t.Fatalf("progress %+v done %v %v", p, done, err)
	}
	if again, _ := st.PendingDeliveries(ctx, 10); len(again) != 0 {
		t.Fatalf("sent again: %d", len(again))
	}
}

// Restarting Redis from its append-only file keeps the triage stream, its
// consumer group and the pending claims.
func TestClaimsSurviveRedisRestart(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if !srv.Real {
		t.Skip("needs a real redis-server with an append-only file")
	}
	t1 := submit(t, st, "701", 10, "", false)
	t2 := submit(t, st, "702", 20, "", false)
	a := storage.Claimer{Key: "inv-a", Name: "Ana"}
	if got, _ := st.Next(ctx, a, "", time.Hour, 3); got != t1 {
		t.Fatalf("claim: %q", got)
	}
	srv.Stop()
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for st.Ping(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	q, err := st.Queue(ctx, time.Hour)
	if err != nil || q.Claimed[storage.MemberName{Name: "Ana", Tag: storage.MemberTag("inv-a")}] != 1 || q.Unclaimed != 1 {
		t.Fatalf("after restart: %+v %v", q, err)
	}
	if got, _ := st.Next(ctx, storage.Claimer{Key: "inv-b", Name: "Beto"}, "", time.Hour, 3); got != t2 {
		t.Fatalf("next after restart: %q, want %s (Ana's claim kept)", got, t2)
	}
}

// /recent lists tips as they came: a reopened tip once, in its place.
func TestRecentListsReopenedTipOnce(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	id := submit(t, st, "107", 10, "", false)
	later := submit(t, st, "108", 20, "", false)
	a := storage.Claimer{Key: "inv-a", Name: "Ana"}
	reopen(t, st, a, id)
	if got, err := st.Recent(ctx, 10); err != nil || len(got) != 2 || got[0].ID != later || got[1].ID != id {
		t.Fatalf("recent after reopening: %v %v", ids(got), err)
	}
	if got, _ := st.Recent(ctx, 1); len(got) != 1 || got[0].ID != later {
		t.Fatalf("recent 1: %v", ids(got))
	}
}

// reopen has a claim the oldest tip, id, dismiss it and reopen it.
func reopen(t *testing.T, st *storage.Store, a storage.Claimer, id string) {
	t.Helper()
	ctx := context.Background()
	if got, _ := st.Next(ctx, a, "", time.Hour, 2); got != id {
		t.Fatalf("next: %q", got)
	}
	if err := st.Decide(ctx, id, a, storage.Decision{Status: tips.StatusDismissed}); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, id, a, storage.Decision{Status: tips.StatusNew}); err != nil {
		t.Fatal(err)
	}
}

// A search by its filters alone lists the newest tips they keep: each
// tip once (a reopened one has a second entry on the stream), by its own
// time and category.
func TestLatestKeepsTheFiltersAndListsEachTipOnce(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	t0 := clk.Now()
	first := submit(t, st, "201", 10, tips.Extortion, false)
	clk.Add(time.Hour)
	drugs := submit(t, st, "202", 20, tips.Drugs, false)
	clk.Add(time.Hour)
	reopen(t, st, storage.Claimer{Key: "inv-a", Name: "Ana"}, first)
	last := submit(t, st, "203", 30, tips.Extortion, false)
	for _, c := range []struct {
		since time.Time
		cat   tips.Category
		n     int
		want  []string
	}{
		{time.Time{}, tips.Extortion, 10, []string{last, first}},
		{time.Time{}, "", 10, []string{last, drugs, first}},
		{t0.Add(30 * time.Minute), "", 10, []string{last, drugs}},
		{t0.Add(30 * time.Minute), tips.Extortion, 10, []string{last}},
		{time.Time{}, "", 2, []string{last, drugs}},
		{time.Time{}, tips.Weapons, 10, nil},
	} {
		got, cut, err := st.Latest(ctx, c.since, c.cat, c.n)
		if err != nil || cut || !slices.Equal(ids(got), c.want) {
			t.Errorf("Latest(%v, %q, %d) = %v %v %v, want %v", c.since.Sub(t0), c.cat, c.n, ids(got), cut, err, c.want)
		}
	}
}

// A tip that can no longer be opened (gone since the list was read, or a
// purge half done) makes room for the next: /recent still lists n.
func TestRecentSkipsATipThatDoesNotOpen(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	one := submit(t, st, "301", 10, "", false)
	two := submit(t, st, "302", 20, "", false)
	three := submit(t, st, "303", 30, "", false)
	if err := srv.Client().HDel(ctx, "t:{tips}:tip:"+three, "k").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Recent(ctx, 2); err != nil || !slices.Equal(ids(got), []string{two, one}) {
		t.Fatalf("recent 2 with the newest unopenable: %v %v", ids(got), err)
	}
}

// Filters alone examine at most MaxExamined tips: past them, an older tip
// is not found, and Latest says it stopped there.
func TestLatestSaysWhenItStoppedShort(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	old := submit(t, st, "401", 10, tips.Weapons, false)
	if got, cut, err := st.Latest(ctx, time.Time{}, tips.Weapons, 5); err != nil || cut || !slices.Equal(ids(got), []string{old}) {
		t.Fatalf("before: %v %v %v", ids(got), cut, err)
	}
	pipe := srv.Client().Pipeline()
	for i := range storage.MaxExamined {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "t:{tips}:triage", Values: []any{"id", strconv.Itoa(100000 + i)}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got, cut, err := st.Latest(ctx, time.Time{}, tips.Weapons, 5); err != nil || !cut || len(got) != 0 {
		t.Fatalf("after %d newer entries: %v cut %v %v", storage.MaxExamined, ids(got), cut, err)
	}
}

// A triage group lost with the stream (Redis restarted without its data,
// flushed; the stream made again by the next tip) is made again: that tip
// is claimed and counted, rather than every /next, /queue and queue depth
// failing with NOGROUP until the bot restarts.
func TestTriageGroupLostIsMadeAgain(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	if err := srv.Client().Del(ctx, "t:{tips}:triage").Err(); err != nil {
		t.Fatal(err)
	}
	if d, err := st.QueueDepth(ctx); err != nil || d.Open != 0 {
		t.Fatalf("queue depth with no stream: %+v %v", d, err)
	}
	if err := srv.Client().Del(ctx, "t:{tips}:triage").Err(); err != nil {
		t.Fatal(err)
	}
	id := submitText(t, st, "431", 10, "cobran piso en el mercado").TipID
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	if got, err := st.Next(ctx, ana, "", time.Hour, 5); err != nil || got != id {
		t.Fatalf("next after the group was lost: %q %v, want %q", got, err, id)
	}
	if d, err := st.QueueDepth(ctx); err != nil || d.Open != 1 {
		t.Fatalf("queue depth after the group was lost: %+v %v, want 1 open", d, err)
	}
}
