package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// heldDown is a store on which, while armed, Redis fails after the held
// message was read: its draft write and the marks' update (the held
// message's release) time out. armOnTake arms it once the next marks'
// update (the held message's take) is done.
type heldDown struct {
	*storage.Store
	armed, armOnTake atomic.Bool
}

func (s *heldDown) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	if s.armed.Load() {
		return storage.Draft{}, fmt.Errorf("add to draft: %w", context.DeadlineExceeded)
	}
	return s.Store.AddToDraft(ctx, p, d)
}

func (s *heldDown) UpdateAnswering(ctx context.Context, p string, update func(string) (string, time.Duration)) error {
	if s.armed.Load() {
		return fmt.Errorf("update answering: %w", context.DeadlineExceeded)
	}
	if s.armOnTake.CompareAndSwap(true, false) {
		defer s.armed.Store(true)
	}
	return s.Store.UpdateAnswering(ctx, p, update)
}

// "No, it is a new tip" pressed as Redis fails between reading the held
// message and writing its draft: the message is spooled as a tip (its
// receipt given, as any message in an outage), not lost; its release
// failing too, it stays taken, and pressed again it is being handled;
// once the take's lease is over it is held again, and pressed again it
// is the same spooled tip, its receipt repeated, not a second tip.
func TestHeldTipChosenAsRedisFailsIsSpooledOnce(t *testing.T) {
	tm := unlinkedQuestion(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	down := &heldDown{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: down, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Spool: sp,
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
	tm.mux.AddSender("telegram", tm.sent)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega", ReplyToBot: true, ReplyToID: "m1", EventID: 9501}); press(r, "ansh:0") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	down.armOnTake.Store(true)
	r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"})
	receipt := codeRE.FindString(strings.Join(texts(r), "\n"))
	if len(r) != 1 || receipt == "" || r[0].Text != tm.text("en", "spool_received", map[string]any{"Receipt": receipt}) {
		t.Fatalf("'it is a new tip' as Redis fails: %q", texts(r))
	}
	down.armed.Store(false)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "held_busy", nil) {
		t.Fatalf("pressed again at once: %q", texts(r))
	}
	tm.clk.Add(3 * time.Minute) // (the take's lease over)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ansh:0"}); len(r) != 1 || r[0].Text != tm.text("en", "spool_received", map[string]any{"Receipt": receipt}) {
		t.Fatalf("pressed again: %q", texts(r))
	}
	if n := tm.notices("2002"); len(n) != 0 {
		t.Fatalf("Ana was told %q", n)
	}
}
