package commands_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// hookedDrafts runs a step of another replica just before this one's
// next draft drop or draft write reaches Redis: a deterministic
// interleaving of two processes sharing it.
type hookedDrafts struct {
	commands.Store
	beforeDrop, beforeAdd func()
}

func (h *hookedDrafts) DropDraft(ctx context.Context, pseudonym string, upTo int64) (bool, error) {
	if f := h.beforeDrop; f != nil {
		h.beforeDrop = nil
		f()
	}
	return h.Store.DropDraft(ctx, pseudonym, upTo)
}

func (h *hookedDrafts) AddToDraft(ctx context.Context, pseudonym string, p storage.DraftPart) (storage.Draft, error) {
	if f := h.beforeAdd; f != nil {
		h.beforeAdd = nil
		f()
	}
	return h.Store.AddToDraft(ctx, pseudonym, p)
}

// draftReplicas is what these tests share: an engine (its store on a
// Redis of its own), the platform every replica sends through, and two
// replicas over that Redis, each with its own memory: hooked, over
// hookedDrafts (whose store is wrap's, if any), and plain, over the
// engine's store.
type draftReplicas struct {
	e             *env
	p             *platform
	h             *hookedDrafts
	hooked, plain *commands.Mux
	user          string
}

func newDraftReplicas(t *testing.T, prefix, user string, wrap func(commands.Store) commands.Store) *draftReplicas {
	t.Helper()
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, prefix, p, commands.Options{})
	var st commands.Store = e.store
	if wrap != nil {
		st = wrap(st)
	}
	h := &hookedDrafts{Store: st}
	opts := commands.Options{Messages: e.msg, Now: e.clk.Now, DefaultLanguage: "en"}
	return &draftReplicas{e: e, p: p, h: h, user: user,
		hooked: replica(t, h, &opts, p, &bytes.Buffer{}),
		plain:  replica(t, e.store, &opts, p, &bytes.Buffer{}),
	}
}

// req is r from the reporter's private chat on Telegram.
func (d *draftReplicas) req(r commands.Request) commands.Request {
	r.Platform, r.UserID, r.ChatID, r.UserChat, r.ChatKind = "telegram", d.user, d.user, d.user, commands.Private
	return r
}

// pseudonym is the reporter's.
func (d *draftReplicas) pseudonym() string { return d.e.store.Pseudonym("telegram", d.user) }

// A reporter's /wipe (event 201) and their next message (event 202),
// handled at once by two replicas, the message's part written first, to
// the draft the wipe is discarding: the wipe discards what came before
// it, and the message stays, as a new draft. Before, it was lost with
// the old draft. Mutation: discardUnsent dropping the whole draft
// (upTo 0) → fails.
func TestWipeOnOneReplicaKeepsTheNextMessageOnAnother(t *testing.T) {
	r := newDraftReplicas(t, "wr1", "7301", nil)
	ctx := context.Background()
	if got := r.e.do(r.user, r.req(commands.Request{Text: "cobran piso en el mercado", EventID: 200, MessageID: "10"})); len(got) != 1 {
		t.Fatalf("the draft: %+v", got)
	}
	wiper, other := r.hooked, r.plain
	var next []commands.Reply
	r.h.beforeDrop = func() {
		rec := &recorder{}
		other.Handle(ctx, r.req(commands.Request{Text: "y venden armas los viernes", EventID: 202, MessageID: "12"}), rec)
		next = rec.take()
	}
	wiper.Handle(ctx, r.req(commands.Request{Command: "wipe", CommandAtStart: true, EventID: 201, MessageID: "11"}), &recorder{})
	if len(next) != 1 {
		t.Fatalf("the message after the wipe was answered %+v", next)
	}
	if _, w := r.p.took(); len(w) != 1 || w[0] != r.user+"/11" {
		t.Fatalf("wiped: %v", w)
	}
	d, in, err := r.e.store.DraftWithPart(ctx, r.pseudonym(), 202)
	if err != nil || !in || d.Parts != 1 {
		t.Fatalf("the message after the wipe: draft %+v, in it %v (%v); want a draft of it alone", d, in, err)
	}
}

// A reporter's message (event 300) and their /wipe (event 301), handled
// at once by two replicas, the wipe done before the message's part is
// written: the message, sent before the wipe, is discarded with the
// draft, not the start of a new one (which a Send would have made a tip
// of what the reporter wiped), and not answered in the wiped chat.
// Mutation: keepPart without its ErrWipedEvent case answers nothing too
// (sentAgain sees the wipe's mark), so the mutation is storage's:
// addPart not reading the wipe's mark → fails (a draft begun, answered).
func TestMessageBeforeAWipeOnAnotherReplicaIsDiscarded(t *testing.T) {
	r := newDraftReplicas(t, "wr2", "7302", nil)
	ctx := context.Background()
	late, wiper := r.hooked, r.plain
	r.h.beforeAdd = func() {
		wiper.Handle(ctx, r.req(commands.Request{Command: "wipe", CommandAtStart: true, EventID: 301, MessageID: "21"}), &recorder{})
	}
	rec := &recorder{}
	late.Handle(ctx, r.req(commands.Request{Text: "el de la moto roja", EventID: 300, MessageID: "20"}), rec)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("the message from before the wipe was answered in the wiped chat: %q", texts(got))
	}
	if _, w := r.p.took(); len(w) != 1 || w[0] != r.user+"/21" {
		t.Fatalf("wiped: %v", w)
	}
	if d, err := r.e.store.Draft(ctx, r.pseudonym()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft was begun with the message from before the wipe: %+v %v", d, err)
	}
	// The next message, after the wipe, begins a draft.
	if got := r.e.do(r.user, r.req(commands.Request{Text: "otra cosa", EventID: 302, MessageID: "22"})); len(got) != 1 {
		t.Fatalf("the message after the wipe: %+v", got)
	}
	if d, err := r.e.store.Draft(ctx, r.pseudonym()); err != nil || d.Parts != 1 {
		t.Fatalf("its draft: %+v %v", d, err)
	}
}

// A reporter's /wipe (event 401) and their next message (event 402),
// handled at once by two replicas, the message's part written first;
// the wiping replica's drop keeps it as a new draft, then fails at
// ClearAnswering: the rest of the discard is owed, and settled by the
// next sweep. The message, sent after the wipe, stays. Before, the
// settle dropped any draft begun by the time the discard was owed
// (taken after the drop, so the new draft's too). Mutation: discardOwed
// by the wipe's time alone (DropDraftBefore, as before) → fails.
func TestOwedDiscardKeepsTheNextMessageTheWipeKept(t *testing.T) {
	fc := &failingClears{}
	fc.fail.Store(true)
	r := newDraftReplicas(t, "wr3", "7303", func(s commands.Store) commands.Store { fc.Store = s; return fc })
	ctx := context.Background()
	if got := r.e.do(r.user, r.req(commands.Request{Text: "cobran piso en el mercado", EventID: 400, MessageID: "30"})); len(got) != 1 {
		t.Fatalf("the draft: %+v", got)
	}
	wiper, other := r.hooked, r.plain
	r.h.beforeDrop = func() {
		other.Handle(ctx, r.req(commands.Request{Text: "y venden armas los viernes", EventID: 402, MessageID: "32"}), &recorder{})
	}
	wiper.Handle(ctx, r.req(commands.Request{Command: "wipe", CommandAtStart: true, EventID: 401, MessageID: "31"}), &recorder{})
	if owed, err := r.e.store.DiscardsOwed(ctx); err != nil || len(owed) != 1 {
		t.Fatalf("discards owed in Redis: %d %v; the failure was not reproduced", len(owed), err)
	}
	r.e.clk.Add(time.Second)
	if _, err := other.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if owed, err := r.e.store.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("the discard was not settled: %d %v", len(owed), err)
	}
	d, in, err := r.e.store.DraftWithPart(ctx, r.pseudonym(), 402)
	if err != nil || !in || d.Parts != 1 {
		t.Fatalf("the message after the wipe: draft %+v, in it %v (%v); want a draft of it alone", d, in, err)
	}
}

// A reporter's /wipe (event 501) and their next message (event 502),
// handled at once by two replicas, the message's part written first, to
// the draft the wipe is discarding; the wiping replica's drop fails: the
// whole discard is owed, and settled by the next sweep, on the other
// replica. The parts from before the wipe go; the message, sent after
// it, stays, as a new draft. Before, the settle dropped the draft whole:
// begun before the wipe, it held the message too. Mutation: discardOwed
// by the wipe's time alone (DropDraftBefore, as before) → fails.
func TestOwedDiscardKeepsTheNextMessageAddedBeforeIt(t *testing.T) {
	fd := &flakyDrops{}
	fd.fails.Store(1)
	r := newDraftReplicas(t, "wr4", "7304", func(s commands.Store) commands.Store { fd.Store = s; return fd })
	ctx := context.Background()
	if got := r.e.do(r.user, r.req(commands.Request{Text: "cobran piso en el mercado", EventID: 500, MessageID: "40"})); len(got) != 1 {
		t.Fatalf("the draft: %+v", got)
	}
	wiper, other := r.hooked, r.plain
	r.h.beforeDrop = func() {
		other.Handle(ctx, r.req(commands.Request{Text: "y venden armas los viernes", EventID: 502, MessageID: "42"}), &recorder{})
	}
	wiper.Handle(ctx, r.req(commands.Request{Command: "wipe", CommandAtStart: true, EventID: 501, MessageID: "41"}), &recorder{})
	pseudonym := r.pseudonym()
	if d, in, err := r.e.store.DraftWithPart(ctx, pseudonym, 500); err != nil || !in || d.Parts != 2 {
		t.Fatalf("the draft before the settle: %+v, %v (%v); the failure was not reproduced", d, in, err)
	}
	if owed, err := r.e.store.DiscardsOwed(ctx); err != nil || len(owed) != 1 {
		t.Fatalf("discards owed in Redis: %d %v; the failure was not reproduced", len(owed), err)
	}
	r.e.clk.Add(time.Second)
	if _, err := other.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if owed, err := r.e.store.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("the discard was not settled: %d %v", len(owed), err)
	}
	d, in, err := r.e.store.DraftWithPart(ctx, pseudonym, 502)
	if err != nil || !in || d.Parts != 1 {
		t.Fatalf("the message after the wipe: draft %+v, in it %v (%v); want a draft of it alone", d, in, err)
	}
	if _, in, err := r.e.store.DraftWithPart(ctx, pseudonym, 500); err != nil || in {
		t.Fatalf("the message before the wipe is still in the draft (%v)", err)
	}
}
