package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// lookupFails is a store whose receipt-code lookup fails once (a timeout
// on that one call) when armed; every other call, the draft write too,
// succeeds.
type lookupFails struct {
	*storage.Store
	armed atomic.Bool
}

func (s *lookupFails) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	if s.armed.CompareAndSwap(true, false) {
		return nil, fmt.Errorf("receipts known: %w", context.DeadlineExceeded)
	}
	return s.Store.ReceiptsKnown(ctx, codes)
}

// A message whose receipt-code lookup failed while Redis kept the rest is
// never stored with its code-like words uncut, where investigators would
// read a receipt code inside a sentence: it is spooled as in an outage,
// and the replay, asking again, cuts the code and keeps the rest. Without
// a spool it is refused, said so, and nothing is kept.
func TestFailedCodeLookupNeverStoresTheCodeUncut(t *testing.T) {
	ctx := context.Background()
	msg, _ := loadMessages()
	for _, withSpool := range []bool{true, false} {
		t.Run(fmt.Sprint("spool=", withSpool), func(t *testing.T) {
			srv := redistest.Start(t)
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{6}, 32))
			st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "o"})
			if err := st.Init(ctx); err != nil {
				t.Fatal(err)
			}
			failing := &lookupFails{Store: st}
			opts := commands.Options{Store: failing, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.DiscardHandler)}
			var sp *storage.Spool
			if withSpool {
				var err error
				if sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
					t.Fatal(err)
				}
				opts.Spool = sp
			}
			do := telegramUser(commands.New(opts), "73")
			r := do(commands.Request{Text: "cobran piso en el mercado", EventID: 1})
			code := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
			if code == "" {
				t.Fatal("no receipt")
			}
			failing.armed.Store(true)
			text := "mi código es " + code + ", ¿ya lo vieron? vienen el martes"
			r = do(commands.Request{Text: text, EventID: 3})
			if failing.armed.Load() {
				t.Fatal("the code was not looked up")
			}
			p := st.Pseudonym("telegram", "73")
			if d, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("kept in a draft with its code uncut: %+v %v (answer %+v)", d, err, r)
			}
			if !withSpool {
				if len(r) != 1 || r[0].Text != msg.Localize("en", "error_storage", nil) {
					t.Fatalf("answer: %+v", r)
				}
				if list, _ := st.Recent(ctx, 10); len(list) != 1 {
					t.Fatalf("%d tips, want the first alone", len(list))
				}
				return
			}
			spooled := codeRE.FindString(r[0].Text)
			if len(r) != 1 || spooled == "" || r[0].Text != msg.Localize("en", "spool_received", map[string]any{"Receipt": spooled}) {
				t.Fatalf("answer: %+v", r)
			}
			if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
				t.Fatalf("replay: %d %v", n, err)
			}
			tip, err := st.TipByReceipt(ctx, spooled)
			if err != nil {
				t.Fatal(err)
			}
			if got := tip.Content.Text(); strings.Contains(got, code) || !strings.Contains(got, "¿ya lo vieron? vienen el martes") {
				t.Fatalf("the spooled tip reads %q", got)
			}
		})
	}
}

// An answer to an investigator's question whose receipt-code lookup
// failed is not delivered with its code-like words uncut (the asker would
// read a receipt code): not taken, said so, the question left open; sent
// again, it goes, the code cut. So with /reply as with a reply.
func TestFailedCodeLookupDeliversNoAnswerUncut(t *testing.T) {
	tm, receipt := questioned(t, "¿Dónde?")
	failing := failingLookups(tm)
	tm.notices("2002")
	notSaved := tm.text("en", "error_storage", nil)
	for _, req := range []commands.Request{
		{Text: "mi código es " + receipt + ", en la esquina", ReplyToBot: true, ReplyToID: "m1"},
		{Command: "reply", Args: receipt + " mi código es " + receipt + ", en la esquina"},
	} {
		failing.armed.Store(true)
		if r := tm.as(reporterID, "Rosa", req); len(r) != 1 || r[0].Text != notSaved || failing.armed.Load() {
			t.Fatalf("%q%q with the lookup failing: %q", req.Command, req.Text+req.Args, texts(r))
		}
		if n := tm.notices("2002"); len(n) != 0 {
			t.Fatalf("Ana was told %q", n)
		}
		if a := tm.tipAnswers("1"); len(a) != 0 {
			t.Fatalf("answers kept: %q", a)
		}
	}
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "mi código es " + receipt + ", en la esquina", ReplyToBot: true, ReplyToID: "m1"})
	if len(r) != 2 || !tm.answered(r[1:]) {
		t.Fatalf("sent again: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || strings.Contains(a[0], receipt) || !strings.Contains(a[0], "en la esquina") {
		t.Fatalf("answers kept: %q", a)
	}
}

// failingLookups puts tm's engine on a lookupFails of its store.
func failingLookups(tm *team) *lookupFails {
	failing := &lookupFails{Store: tm.store}
	tm.mux = commands.New(commands.Options{
		Store: failing, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
	})
	tm.mux.AddSender("telegram", tm.sent)
	return failing
}

// A warning whose receipt-code lookup failed is not stored with its
// code-like words uncut (investigators review it, communities may read
// it): the reporter hears it was NOT saved; in a group nothing is kept.
func TestFailedCodeLookupStoresNoWarningUncut(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	failing := failingLookups(tm)
	failing.armed.Store(true)
	r = tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Sobre mi denuncia " + code + ": un número llama a comerciantes"})
	if len(r) != 1 || r[0].Text != tm.msg.Localize("en", "error_storage", nil) || failing.armed.Load() {
		t.Fatalf("a warning with the lookup failing: %q", texts(r))
	}
	failing.armed.Store(true)
	tm.inGroup("7002", "-5", true, commands.Request{Command: "warn", Args: "retén falso, " + code})
	if failing.armed.Load() {
		t.Fatal("the group's warning was not looked up")
	}
	if w, err := tm.store.Tip(ctx, "2"); err == nil {
		t.Fatalf("a warning was stored: %q", w.Content.Text())
	}
}
