package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// tripCount counts round trips to Redis: a command alone, or a pipeline.
type tripCount struct{ n atomic.Int64 }

func (h *tripCount) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *tripCount) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *tripCount) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// A reporter owed a receipt (refused twice as their message was spooled)
// who presses Send is told the owed receipt first, then gets the Send's
// own receipt, for the draft they wrote, numbered after the tips before
// it. The press takes its claim in the round trip that reads its sender's
// profile, as any Send does: a Send press is never spooled, so no receipt
// is ever owed for it, and an owed receipt cannot answer it in its stead
// (the claim always reaches the Send).
// Mutation: sendPress not taking the claim with the profile while a
// receipt is owed -> that Send costs one round trip more.
func TestSendWithAnOwedReceiptTellsItThenSends(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	ctx := context.Background()
	rdb := srv.Client()
	trips := &tripCount{}
	rdb.AddHook(trips)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{6}, 32))
	st, _ := storage.New(rdb, kr, storage.Options{Prefix: "o"})
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp,
		Logger: slog.New(slog.DiscardHandler)})

	// A draft, then a message spooled in an outage whose receipt the
	// platform refused twice: owed.
	do := telegramUser(mux, "88")
	const draft = "en la colonia centro"
	send := press(do(commands.Request{Text: draft, EventID: 1}), "send:")
	if send == "" {
		t.Fatal("no Send button")
	}
	srv.Stop()
	w := &refusingReplier{refuse: func(rep commands.Reply) bool { return codeRE.MatchString(rep.Text) }}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "88", ChatID: "88", Text: "cobran piso en la tienda", EventID: 2}, w)
	p := st.Pseudonym("telegram", "88")
	owed, _ := sp.ReceiptOf(p, 2)
	if len(sp.OwedReceipts(p)) != 1 {
		t.Fatal("the refused receipt is not owed")
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}

	// Another reporter's Send, owed nothing (the second: the scripts are
	// loaded by then), is what a Send costs.
	other := telegramUser(mux, "89")
	var want int64
	for i := range 2 {
		s := press(other(commands.Request{Text: "venden armas en la bodega", EventID: int64(10 + 2*i)}), "send:")
		before := trips.n.Load()
		if r := other(commands.Request{Callback: s, EventID: int64(11 + 2*i)}); len(r) == 0 || !codeRE.MatchString(r[0].Text) {
			t.Fatalf("another reporter's Send: %q", texts(r))
		}
		want = trips.n.Load() - before
	}

	before := trips.n.Load()
	r := do(commands.Request{Callback: send, EventID: 3})
	got := trips.n.Load() - before
	if len(r) < 2 || r[0].Text != msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": owed}) || !codeRE.MatchString(r[1].Text) {
		t.Fatalf("the Send: %q", texts(r))
	}
	sent := codeRE.FindString(r[1].Text)
	if r[1].Text != msg.Localize("en", "sent", map[string]any{"Receipt": sent}) {
		t.Fatalf("the Send's receipt: %q", r[1].Text)
	}
	if tip, err := st.TipByReceipt(ctx, sent); err != nil || tip.Content.Text() != draft || tip.ID != "4" {
		t.Fatalf("the draft's tip: #%s %q %v, want #4", tip.ID, tip.Content.Text(), err)
	}
	if len(sp.OwedReceipts(p)) != 0 {
		t.Fatal("told, and still owed")
	}
	if got != want {
		t.Fatalf("the Send made %d round trips, another reporter's %d", got, want)
	}
}
