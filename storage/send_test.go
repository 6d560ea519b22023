package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// pipeHook runs before each pipeline; it may fail it (as a dropped
// connection would) or act on it.
type pipeHook struct {
	before func(ctx context.Context, cmds []redis.Cmder) bool // true: fail it
	after  func(cmds []redis.Cmder)
}

func (h pipeHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h pipeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h pipeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.before != nil && h.before(ctx, cmds) {
			err := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		err := next(ctx, cmds)
		if h.after != nil {
			h.after(cmds)
		}
		return err
	}
}

// tidying reports whether a pipeline is the one that tidies a sent draft
// (it drops the draft's deadline).
func tidying(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if c.Name() == "zrem" {
			return true
		}
	}
	return false
}

func hookedStore(t *testing.T, h redis.Hook) (*storage.Store, *clock) {
	t.Helper()
	st, clk, _ := hookedStoreClient(t, h)
	return st, clk
}

// hookedStoreClient is hookedStore, also returning its Redis client.
func hookedStoreClient(t *testing.T, h redis.Hook) (*storage.Store, *clock, *redis.Client) {
	t.Helper()
	rdb := redistest.Start(t).Client()
	rdb.AddHook(h)
	st, clk := storeOn(t, rdb)
	return st, clk, rdb
}

// A part that arrives after the Send, with an event id below it or below
// a sent part's (platforms handle events concurrently), was not in the tip:
// it starts a new draft. The sent parts, redelivered, still do not.
func TestLatePartIsNotMistakenForSent(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("discord", "21")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 500, Part: tips.Part{Text: "uno"}})
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 502, Part: tips.Part{Text: "tres"}})
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	late, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 501, Part: tips.Part{Text: "dos, una foto que tardó"}})
	if err != nil || late.ID == d.ID || late.Parts != 1 {
		t.Fatalf("late part: %+v %v", late, err)
	}
	for _, ev := range []int64{500, 502} {
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Part: tips.Part{Text: "x"}}); !errors.Is(err, storage.ErrDuplicateEvent) {
			t.Fatalf("redelivered sent event %d: %v", ev, err)
		}
	}
}

// When tidying the draft fails after the tip is stored, a part added to it
// afterwards is not lost behind the old receipt: the next Send returns the
// stored tip's receipt and leaves the later part as a new draft.
func TestUntidiedSendKeepsLaterParts(t *testing.T) {
	ctx := context.Background()
	var failed atomic.Bool
	st, _ := hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		return tidying(cmds) && failed.CompareAndSwap(false, true)
	}})
	p := st.Pseudonym("telegram", "22")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "cobran piso en el mercado"}})
	first, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || !failed.Load() {
		t.Fatalf("send: %+v %v (tidying failed: %v)", first, err, failed.Load())
	}
	d2, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 102, Part: tips.Part{Text: "SEGUNDO: venden armas en la bodega"}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.SubmitDraft(ctx, p, d2.ID, "es")
	if err != nil || !again.Repeat || again.Receipt != first.Receipt || again.Left != 1 {
		t.Fatalf("second send: %+v %v; want the first receipt again and one part left", again, err)
	}
	rest, err := st.Draft(ctx, p)
	if err != nil || rest.Parts != 1 || rest.ID == d.ID {
		t.Fatalf("left draft: %+v %v", rest, err)
	}
	last, err := st.SubmitDraft(ctx, p, rest.ID, "es")
	if err != nil || last.Repeat {
		t.Fatalf("third send: %+v %v", last, err)
	}
	for sub, want := range map[storage.Submission]string{first: "cobran piso en el mercado", last: "SEGUNDO: venden armas en la bodega"} {
		if tip, err := st.Tip(ctx, sub.TipID); err != nil || tip.Content.Text() != want {
			t.Fatalf("tip %s: %q %v, want %q", sub.TipID, tip.Content.Text(), err, want)
		}
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft is left: %v", err)
	}
}

// The expiry sweeper does not tell a reporter "nothing was sent" about a
// draft whose tip was stored but which was not tidied: it tidies it.
func TestSweeperTidiesSentDraft(t *testing.T) {
	ctx := context.Background()
	var failed atomic.Bool
	st, clk := hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		return tidying(cmds) && failed.CompareAndSwap(false, true)
	}})
	p := st.Pseudonym("telegram", "23")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Route: "telegram:23", Language: "es", Part: tips.Part{Text: "halcones en la esquina"}})
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || !failed.Load() {
		t.Fatalf("send: %v (tidying failed: %v)", err, failed.Load())
	}
	clk.Add(time.Hour)
	expired, err := st.ExpireDrafts(ctx, 10)
	if err != nil || len(expired) != 0 {
		t.Fatalf("sweeper told the reporter %+v (%v); the tip was sent", expired, err)
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("sent draft still there: %v", err)
	}
	// A draft whose send never stored anything still expires, with notice.
	d, _ = st.AddToDraft(ctx, p, storage.DraftPart{EventID: 200, Route: "telegram:23", Language: "es", Part: tips.Part{Text: "otra"}})
	if _, err := st.SubmitDraft(ctx, p, "wrong-id", "es"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	if expired, err := st.ExpireDrafts(ctx, 10); err != nil || len(expired) != 1 || expired[0].Route != "telegram:23" {
		t.Fatalf("unsent draft: %+v %v", expired, err)
	}
}

// A Send whose request is cancelled once the tip is stored still tidies
// the draft: the next message starts a new tip instead of joining a sent one.
func TestSendTidiesAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, _ := hookedStore(t, pipeHook{after: func(cmds []redis.Cmder) {
		for _, c := range cmds {
			// (The save is sent once: a *redis.Cmd wrapped, Val its own.)
			if c, ok := c.(interface {
				redis.Cmder
				Val() any
			}); ok && c.Name() == "evalsha" && c.Err() == nil && c.Val() == "" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") {
				cancel() // the tip is stored (the script answered ""); the request's deadline passes
			}
		}
	}})
	// Another reporter's tip first, so that Redis has the scripts cached
	// (that first send loads them: its pipeline stores nothing).
	w := st.Pseudonym("telegram", "25")
	wd, _ := st.AddToDraft(context.Background(), w, storage.DraftPart{EventID: 1, Part: tips.Part{Text: "primero"}})
	if _, err := st.SubmitDraft(context.Background(), w, wd.ID, "es"); err != nil || ctx.Err() != nil {
		t.Fatal(err, ctx.Err())
	}
	p := st.Pseudonym("telegram", "24")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "extorsión"}})
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil {
		t.Fatal("the hook did not cancel the request")
	}
	if _, err := st.Draft(context.Background(), p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the sent draft was not tidied: %v", err)
	}
}

// A sent part's event is remembered for two days, then forgotten, and so
// is its mark as a message sent in a tip (a keyed hash, "x:t…"): the
// reporter's state does not grow with every tip they ever sent.
func TestSentEventsAreForgotten(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	p := st.Pseudonym("telegram", "26")
	send := func(ev int64) {
		t.Helper()
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Part: tips.Part{Text: "tip"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
			t.Fatal(err)
		}
	}
	remembered := func() (events, marks []string) {
		t.Helper()
		fields, err := srv.Client().HKeys(ctx, "t:{"+p+"}:st").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			switch {
			case strings.HasPrefix(f, "x:t"):
				marks = append(marks, f)
			case strings.HasPrefix(f, "x:"):
				events = append(events, f)
			}
		}
		return events, marks
	}
	send(100)
	clk.Add(47 * time.Hour)
	send(200)
	if got, marks := remembered(); len(got) != 2 || len(marks) != 2 {
		t.Fatalf("after 47 h: %v %v, want both events, both marks", got, marks)
	}
	clk.Add(2 * time.Hour)
	send(300)
	if got, marks := remembered(); len(got) != 2 || strings.HasSuffix(got[0], "100") || strings.HasSuffix(got[1], "100") || len(marks) != 2 {
		t.Fatalf("after 49 h: %v %v, want events 200 and 300, and their marks alone", got, marks)
	}
}

// One person counts once among a signal's independent reporters, whether
// they send a tip, a warning or a tip spooled during an outage: three
// messages of one reporter naming a phone raise no alert.
func TestOneReporterCountsOnce(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("telegram", "27")
	text := "cobran piso, llaman del 55 1234 5678"
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Part: tips.Part{Text: text}})
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitWarning(ctx, p, "ojo: "+text, "es", 2, "telegram:27"); err != nil {
		t.Fatal(err)
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 3, Part: tips.Part{Text: "otra vez: " + text}}); err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if alerts := indexAll(t, st); len(alerts) != 0 {
		t.Fatalf("one reporter raised %+v", alerts)
	}
	for i, user := range []string{"28", "29"} {
		q := st.Pseudonym("telegram", user)
		d, _ := st.AddToDraft(ctx, q, storage.DraftPart{EventID: int64(10 + i), Part: tips.Part{Text: text}})
		if _, err := st.SubmitDraft(ctx, q, d.ID, "es"); err != nil {
			t.Fatal(err)
		}
	}
	if alerts := indexAll(t, st); len(alerts) != 1 || alerts[0].Reporters != 3 {
		t.Fatalf("three reporters raised %+v", alerts)
	}
}

// Pressing Send fixes what the tip holds: a part added after a Send that
// failed goes to the next tip, not into the one sent again, and the
// reporter is told it is left.
func TestPartAfterFailedSendGoesToTheNextTip(t *testing.T) {
	ctx := context.Background()
	var failed atomic.Bool
	st, _ := hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if c.Name() == "evalsha" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") {
				return failed.CompareAndSwap(false, true)
			}
		}
		return false
	}})
	p := st.Pseudonym("telegram", "30")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "uno"}})
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err == nil || !failed.Load() {
		t.Fatalf("the failed send: %v", err)
	}
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 101, Part: tips.Part{Text: "dos"}})
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || sub.Repeat || sub.Left != 1 {
		t.Fatalf("sent again: %+v %v", sub, err)
	}
	if tip, _ := st.Tip(ctx, sub.TipID); tip.Content.Text() != "uno" {
		t.Fatalf("the tip holds %q", tip.Content.Text())
	}
	rest, err := st.Draft(ctx, p)
	if err != nil || rest.Parts != 1 || rest.Chars != 3 {
		t.Fatalf("left: %+v %v", rest, err)
	}
	next, err := st.SubmitDraft(ctx, p, rest.ID, "es")
	if tip, _ := st.Tip(ctx, next.TipID); err != nil || tip.Content.Text() != "dos" {
		t.Fatalf("next tip %q %v", tip.Content.Text(), err)
	}
}

// Two warnings of one reporter sent at once are two tips: the second,
// arriving while the first is being stored, is not folded into it.
func TestWarningsSentAtOnceAreTwoTips(t *testing.T) {
	ctx := context.Background()
	var st *storage.Store
	var second atomic.Bool
	var sub2 storage.Submission
	var err2 error
	p := "w1"
	st, _ = hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if c.Name() == "evalsha" && len(c.Args()) > 3 && strings.Contains(c.Args()[3].(string), ":tip:") && second.CompareAndSwap(false, true) {
				sub2, err2 = st.SubmitWarning(ctx, p, "segundo aviso: retén en la carretera", "es", 2, "")
			}
		}
		return false
	}})
	sub1, err := st.SubmitWarning(ctx, p, "primer aviso: balacera en el centro", "es", 1, "")
	if err != nil || err2 != nil || !second.Load() {
		t.Fatalf("warnings: %v / %v (second sent: %v)", err, err2, second.Load())
	}
	if sub1.Receipt == sub2.Receipt || sub1.TipID == sub2.TipID {
		t.Fatalf("one tip for two warnings: %+v %+v", sub1, sub2)
	}
	for sub, want := range map[storage.Submission]string{sub1: "primer aviso", sub2: "segundo aviso"} {
		if tip, err := st.Tip(ctx, sub.TipID); err != nil || !strings.HasPrefix(tip.Content.Text(), want) {
			t.Fatalf("tip %s: %q %v", sub.TipID, tip.Content.Text(), err)
		}
	}
}

// The sweeper never tells a reporter "nothing was sent" about a stored
// tip: not for a spooled one (its receipt was drawn by the spool), not
// while its draft cannot be tidied.
func TestSweeperNeverDeniesAStoredTip(t *testing.T) {
	ctx := context.Background()
	var failing atomic.Bool
	failing.Store(true)
	st, clk := hookedStore(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		return tidying(cmds) && failing.Load()
	}})
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, _ := storage.OpenSpool(t.TempDir(), kr)
	receipt, err := sp.Append(storage.SpoolEntry{Pseudonym: "r1", EventID: 5, Route: "telegram:31", Language: "es", Part: tips.Part{Text: "cobran piso"}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	for range 2 { // the tidying still fails, then it works
		clk.Add(time.Hour)
		if expired, err := st.ExpireDrafts(ctx, 10); err != nil || len(expired) != 0 {
			t.Fatalf("the reporter of a stored tip was told %+v (%v)", expired, err)
		}
		failing.Store(false)
	}
	if tip, err := st.TipByReceipt(ctx, receipt); err != nil || tip.Content.Text() != "cobran piso" {
		t.Fatalf("spooled tip: %q %v", tip.Content.Text(), err)
	}
	if _, err := st.Draft(ctx, "r1:spool:5"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the spooled tip's draft is left: %v", err)
	}
}

// A draft claimed by the previous version (no "claimed" field) is tidied
// from its stored tip: the parts the tip holds go, a part added after it
// stays as a new draft, and the reporter is told.
func TestDraftClaimedByThePreviousVersion(t *testing.T) {
	ctx := context.Background()
	var failed atomic.Bool
	st, _, rdb := hookedStoreClient(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		return tidying(cmds) && failed.CompareAndSwap(false, true)
	}})
	p := st.Pseudonym("telegram", "32")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 100, Part: tips.Part{Text: "uno"}})
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 101, Part: tips.Part{Text: "uno"}}) // the same words twice
	first, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || !failed.Load() {
		t.Fatal(err)
	}
	// As the previous version left it: claimed ("sending"), parts not named.
	if err := rdb.HDel(ctx, "t:{"+p+"}:draft", "claimed", "rk").Err(); err != nil {
		t.Fatal(err)
	}
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 102, Part: tips.Part{Text: "uno"}})
	again, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || !again.Repeat || again.Receipt != first.Receipt || again.Left != 1 {
		t.Fatalf("sent again: %+v %v", again, err)
	}
	left, err := st.Draft(ctx, p)
	if err != nil || left.Parts != 1 || left.ID == d.ID {
		t.Fatalf("left: %+v %v", left, err)
	}
	if tip, _ := st.Tip(ctx, first.TipID); tip.Content.Text() != "uno\n\nuno" {
		t.Fatalf("the stored tip changed: %q", tip.Content.Text())
	}
}

// A warning the previous version stored (it kept the highest event of a
// reporter's warnings as a "floor") and the platform delivers again after
// the upgrade is recognised: not a second warning.
func TestWarningStoredByThePreviousVersion(t *testing.T) {
	ctx := context.Background()
	st, _, rdb := hookedStoreClient(t, pipeHook{})
	p := "w2"
	if err := rdb.HSet(ctx, "t:{"+p+":warn}:st", "floor", fmt.Sprintf("%019d", 700)).Err(); err != nil {
		t.Fatal(err)
	}
	if seen, err := st.WarningSeen(ctx, p, 700); err != nil || !seen {
		t.Fatalf("seen: %v %v", seen, err)
	}
	if _, err := st.SubmitWarning(ctx, p, "aviso viejo", "es", 700, ""); !errors.Is(err, storage.ErrDuplicateEvent) {
		t.Fatalf("redelivered: %v", err)
	}
	if seen, err := st.WarningSeen(ctx, p, 701); err != nil || seen {
		t.Fatalf("a new one seen: %v %v", seen, err)
	}
	if sub, err := st.SubmitWarning(ctx, p, "aviso nuevo", "es", 701, ""); err != nil || sub.TipID == "" {
		t.Fatalf("a new one: %+v %v", sub, err)
	}
}

// A warning draft of the previous version (all of a reporter's warnings in
// one draft; its tips named the suffixed pseudonym as their reporter) is
// tidied too: a warning added after the stored one is split off.
func TestWarningDraftOfThePreviousVersion(t *testing.T) {
	ctx := context.Background()
	var failed atomic.Bool
	st, _, rdb := hookedStoreClient(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		return tidying(cmds) && failed.CompareAndSwap(false, true)
	}})
	p := st.Pseudonym("telegram", "33") + ":warn"
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 700, Part: tips.Part{Text: "aviso A"}})
	first, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || !failed.Load() {
		t.Fatal(err)
	}
	if err := st.ResealReporter(ctx, first.TipID, p); err != nil {
		t.Fatal(err)
	}
	if err := rdb.HDel(ctx, "t:{"+p+"}:draft", "claimed", "rk").Err(); err != nil {
		t.Fatal(err)
	}
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 701, Part: tips.Part{Text: "aviso B"}})
	again, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if left, _ := st.Draft(ctx, p); err != nil || again.Left != 1 || left.ID == d.ID || left.Parts != 1 {
		t.Fatalf("sent again %+v %v; left %+v", again, err, left)
	}
}

// DropDraftBefore discards a draft begun by then, or one of the previous
// version (which did not record when it began), and spares one begun
// later.
func TestDropDraftBeforeSparesLaterDrafts(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	p := st.Pseudonym("telegram", "501")
	wipe := clk.Now()
	clk.Add(time.Second)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:501", Part: tips.Part{Text: "después del borrado"}}); err != nil {
		t.Fatal(err)
	}
	if dropped, err := st.DropDraftBefore(ctx, p, wipe); err != nil || dropped {
		t.Fatalf("a draft begun after the wipe: dropped %v (%v)", dropped, err)
	}
	if dropped, err := st.DropDraftBefore(ctx, p, clk.Now()); err != nil || !dropped {
		t.Fatalf("a draft begun by then: dropped %v (%v)", dropped, err)
	}
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Route: "telegram:501", Part: tips.Part{Text: "versión anterior"}}); err != nil {
		t.Fatal(err)
	}
	keys, _ := srv.Client().Keys(ctx, "*draft*").Result()
	for _, k := range keys {
		srv.Client().HDel(ctx, k, "born") // as the previous version wrote it
	}
	if dropped, err := st.DropDraftBefore(ctx, p, wipe); err != nil || !dropped {
		t.Fatalf("a draft of the previous version: dropped %v (%v)", dropped, err)
	}
}

// A reporter's state, which outlives their tip to remember its events,
// expires on a full hour, not 48 h to the millisecond after the tip: its
// expiry (visible to anyone reading Redis) must not match the tip's time
// (in its hash and stream entry), or the two would link the pseudonym to
// the tip.
func TestReporterStateExpiryDoesNotDateTheTip(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	clk.Add(time.Now().Truncate(time.Hour).Add(30*time.Minute + 1234*time.Millisecond).Sub(clk.Now())) // mid-hour
	p := st.Pseudonym("telegram", "28")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 5, Part: tips.Part{Text: "tip"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	ttl, err := srv.Client().PTTL(ctx, st.StateKey(p)).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl < 48*time.Hour {
		t.Fatalf("state lives %v, want at least 48 h (it remembers the tip's events)", ttl)
	}
	// PEXPIRE is relative: the expiry in the store's clock.
	off := clk.Now().Add(ttl).Sub(clk.Now().Add(ttl).Round(time.Hour)).Abs()
	if off > 10*time.Second {
		t.Errorf("state expires %v off a full hour: it dates the tip (ttl %v)", off, ttl)
	}
}

// SealedTipSize, the payload `vigia bench` writes for its raw baseline, is
// what a sent one-part tip stores sealed, byte for byte.
func TestSealedTipSizeIsWhatATipStores(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	for i, text := range []string{"cobran piso en el mercado", strings.Repeat("extorsión ", 100)} {
		user := strconv.Itoa(300 + i)
		p := st.Pseudonym("bench", user)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(10 + i), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.SealedTipSize(user, text, "es")
		if err != nil {
			t.Fatal(err)
		}
		key := st.TipKey(sub.TipID)
		dl, _ := srv.Client().HStrLen(ctx, key, "d").Result()
		kl, _ := srv.Client().HStrLen(ctx, key, "k").Result()
		if dl == 0 || kl == 0 || int(dl+kl) != want {
			t.Errorf("%d-byte text: stored %d + %d bytes, SealedTipSize says %d", len(text), dl, kl, want)
		}
	}
}

// A Send that stores no tip (pressed again on a sent draft, on a
// cancelled one, or on a draft of nothing but a receipt code in two
// goes) leaves no gap in the tip numbers: investigators read a gap as a
// tip lost. The next tip is numbered next.
func TestSendThatStoresNoTipDrawsNoNumber(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	p := st.Pseudonym("telegram", "81")
	add := func(ev int64, text string) storage.Draft {
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Route: "telegram:81", Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := add(1, "cobran piso en el mercado")
	first, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || first.TipID != "1" {
		t.Fatalf("first tip: %+v %v", first, err)
	}
	if again, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || !again.Repeat || again.TipID != "1" {
		t.Fatalf("Send again: %+v %v", again, err)
	}
	cancelled := add(2, "venden armas")
	if err := st.DiscardDraft(ctx, p, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, cancelled.ID, "es"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Send of a cancelled draft: %v", err)
	}
	add(3, first.Receipt[:9])
	codes := add(4, first.Receipt[10:])
	if _, err := st.SubmitDraft(ctx, p, codes.ID, "es"); !errors.Is(err, storage.ErrOnlyReceipts) {
		t.Fatalf("Send of a receipt code in two goes: %v", err)
	}
	next := add(5, "y el jueves llega otra camioneta")
	if sub, err := st.SubmitDraft(ctx, p, next.ID, "es"); err != nil || sub.TipID != "2" {
		t.Fatalf("the next tip: %+v %v (want #2)", sub, err)
	}
	if n, err := st.TipCount(ctx); err != nil || n != 2 {
		t.Fatalf("tip count %d %v", n, err)
	}
}

// A tip number already used, whatever drew it again (a counter set back
// by hand, a restore, a future mistake in giving numbers back), never
// overwrites the tip stored under it: that Send fails, keeping its draft,
// and the Send pressed again stores the tip under a new number.
// Mutation: saveTip without its EXISTS check -> tip #1 holds the second
// reporter's text.
func TestTipNumberDrawnAgainNeverOverwritesATip(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	a, b := st.Pseudonym("telegram", "81"), st.Pseudonym("telegram", "82")
	da, err := st.AddToDraft(ctx, a, storage.DraftPart{EventID: 1, Route: "telegram:81", Part: tips.Part{Text: "cobran piso en el mercado"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub, err := st.SubmitDraft(ctx, a, da.ID, "es"); err != nil || sub.TipID != "1" {
		t.Fatalf("first tip: %+v %v", sub, err)
	}
	if err := srv.Client().Set(ctx, "t:{tips}:seq", 0, 0).Err(); err != nil {
		t.Fatal(err)
	}
	db, err := st.AddToDraft(ctx, b, storage.DraftPart{EventID: 2, Route: "telegram:82", Part: tips.Part{Text: "venden armas en la bodega"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub, err := st.SubmitDraft(ctx, b, db.ID, "es"); err == nil {
		t.Fatalf("a Send numbered like a stored tip succeeded: %+v", sub)
	}
	if tip, err := st.Tip(ctx, "1"); err != nil || !strings.Contains(tip.Content.Text(), "cobran piso") {
		t.Fatalf("tip #1 after a Send drew its number again: %q %v", tip.Content.Text(), err)
	}
	sub, err := st.SubmitDraft(ctx, b, db.ID, "es")
	if err != nil || sub.TipID != "2" {
		t.Fatalf("Send pressed again: %+v %v", sub, err)
	}
	if tip, err := st.Tip(ctx, "2"); err != nil || !strings.Contains(tip.Content.Text(), "venden armas") {
		t.Fatalf("tip #2: %q %v", tip.Content.Text(), err)
	}
}
