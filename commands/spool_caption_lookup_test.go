package commands_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// stopAtLookup is a store whose receipt-code lookup, when armed, stops
// Redis first: Redis gone while a message is handled, after the
// reporter's marks were read, as its code-like words are looked up; or,
// fail set, that lookup alone times out.
type stopAtLookup struct {
	commands.Store
	armed atomic.Bool
	stop  func()
	fail  bool
}

func (s *stopAtLookup) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	if s.armed.CompareAndSwap(true, false) {
		s.stop()
		if s.fail {
			return nil, fmt.Errorf("receipts known: %w", context.DeadlineExceeded)
		}
	}
	return s.Store.ReceiptsKnown(ctx, codes)
}

// A photo whose caption holds a receipt code, sent after Answer was
// pressed or as a reply to the question, while Redis goes down as it is
// handled (its marks read, its code-like words not looked up): not told
// "NOT saved" where the spool can keep it, as a tip's photo is not. It
// is spooled, as in an outage; at the replay its receipt code is cut,
// its words answer the question (the asker never reads the code), and
// the photo, with them, is the tip of its receipt. So too where that one
// lookup timed out and Redis answers the rest: the message is not looked
// up again and kept as a tip's part (its words would answer nothing).
// Mutation: takeAnswer refusing a file's caption whatever the lookup's
// failure (error_storage, as cd99076 had it) → this fails (the reporter
// is told the photo was NOT saved).
// Mutation: keepPart looking the words up again (c.codesUnknown unused) →
// the "lookup timing out" cases fail (the photo kept in a draft).
func TestCaptionedAnswerSpooledWhenRedisStopsAtItsLookup(t *testing.T) {
	type how struct{ reply, stop bool }
	for name, h := range map[string]how{
		"Answer pressed, Redis stopping": {stop: true}, "a reply, Redis stopping": {reply: true, stop: true},
		"Answer pressed, lookup timing out": {}, "a reply, lookup timing out": {reply: true},
	} {
		t.Run(name, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?")
			o := newSpoolingTeam(t, tm)
			s := &stopAtLookup{Store: tm.store, stop: o.srv.Stop}
			if !h.stop {
				s.stop = func() {}
				s.fail = true
			}
			o.engineStore = s
			o.start()
			ctx := context.Background()
			tm.notices(reporterID)
			tm.notices("2002")
			req := commands.Request{Text: "mi código es " + receipt + ", en la esquina", EventID: 8401,
				Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx9"}}
			if h.reply {
				req.ReplyToBot, req.ReplyToID = true, "m1"
			} else {
				tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			}
			s.armed.Store(true)
			r := tm.as(reporterID, "Rosa", req)
			spooled := codeRE.FindString(strings.Join(texts(r), "\n"))
			key := "spool_received"
			if h.reply {
				key = "spool_received_reply"
			}
			if s.armed.Load() || len(r) != 1 || spooled == "" || r[0].Text != tm.text("en", key, map[string]any{"Receipt": spooled}) {
				t.Fatalf("the photo, Redis stopping at its lookup: %q", texts(r))
			}
			if !h.stop {
				if _, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", reporterID)); err == nil {
					t.Fatal("the photo was kept in a draft")
				}
			} else {
				o.srv.Restart()
			}
			for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond) // poll until the client reconnects
			}
			if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
				t.Fatalf("replay: %+v %v", c, err)
			}
			if a := tm.tipAnswers("1"); len(a) != 1 || strings.Contains(a[0], receipt) || !strings.Contains(a[0], "en la esquina") {
				t.Fatalf("answers recorded: %q", a)
			}
			if n := tm.notices("2002"); len(n) != 1 || strings.Contains(n[0], receipt) || !strings.Contains(n[0], "en la esquina") {
				t.Fatalf("Ana was told %q", n)
			}
			if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_file_done", map[string]any{"Receipt": spooled}) {
				t.Fatalf("the reporter was told %q", n)
			}
			tip, err := tm.store.TipByReceipt(ctx, spooled)
			if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Attachment == nil || strings.Contains(tip.Content.Text(), receipt) {
				t.Fatalf("the outage's receipt: %+v %v", tip.Content, err)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
				t.Fatalf("the message after: %q", texts(r))
			}
		})
	}
}
