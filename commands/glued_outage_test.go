package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A receipt code as shown (its groups parted) sent alone in one word
// with stray characters typed against it ("tkABCD-…", "…-WXYZxy"), while Redis is down, is not
// spooled: at the replay the code is cut (as a word glued so is in a
// tip) and the strays alone would reach investigators as a tip, for a
// receipt the reporter never meant to ask (they were checking a code).
// It is refused, NOT saved, as a message of codes alone is (or, one
// stray before it, told to try again, as a code alone is); live, it
// begins a draft of the strays, with the code left out, that its
// reporter need not send. A word besides it is spooled as before, and
// so is one word of letters and digits alone (a vehicle number, a
// reference, or a code typed without its dashes: Redis cannot say).
func TestCodeWithStrayCharactersAloneIsNotSpooledInAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	do := telegramUser(mux, "77")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	plain := strings.ReplaceAll(stored, "-", "")
	srv.Stop()
	notSaved, retry := msg.Localize("en", "error_storage", nil), msg.Localize("en", "error_storage_retry", nil)
	for i, text := range []string{"tk" + stored, stored + "xy", "t_" + plain, "tk" + stored + "x", " " + strings.ToLower(stored) + "x\n"} {
		if got := do(commands.Request{Text: text, EventID: int64(10 + i)}); len(got) != 1 || got[0].Text != notSaved && got[0].Text != retry {
			t.Errorf("code with strays alone (%d) during the outage: %q", i, texts(got))
		}
	}
	if sp.Len() != 0 {
		t.Errorf("%d spooled, want 0", sp.Len())
	}
	for i, text := range []string{"vi tk" + stored + " ayer", "a " + stored + " b", "tk" + plain, "1HGCM82633A004352"} {
		if got := do(commands.Request{Text: text, EventID: int64(20 + i)}); len(got) != 1 || codeRE.FindString(got[0].Text) == "" || sp.Len() != i+1 {
			t.Errorf("code with strays and words (%d) during the outage: %q, %d spooled", i, texts(got), sp.Len())
		}
	}
}

// A word shaped like a receipt code as shown with three stray characters
// against it ("INV2024-0001-ABCD-EFGH", a reference maybe), sent alone
// while Redis is down, is spooled, not refused: Redis cannot say whether
// it is a code, and a reference is evidence; at the replay it is a tip
// as sent. A code so typed by its reporter ("abc" then the code) is
// spooled too (its replay: TestCodeWithStraysSpooledAloneIsNoTipAtTheReplay).
func TestReferenceShapedLikeACodeWithStraysIsSpooledInAnOutage(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "78")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	receipts := spoolThenReplay(t, srv, st, sp, do, 10, []string{"INV2024-0001-ABCD-EFGH", "2024-0001-ABCD-EFGHREF", "abc" + stored})
	for i, want := range []string{"INV2024-0001-ABCD-EFGH", "2024-0001-ABCD-EFGHREF"} {
		if tip, err := st.TipByReceipt(ctx, receipts[i]); err != nil || tip.Content.Text() != want {
			t.Errorf("replayed %q: %q %v", want, tip.Content.Text(), err)
		}
	}
}

// spoolThenReplay stops Redis, sends each of msgs (event ids from first
// on) and fails the test unless each is spooled with a receipt code, then
// restarts Redis and replays the spool; it gives the receipts in order.
func spoolThenReplay(t *testing.T, srv *redistest.Server, st *storage.Store, sp *storage.Spool, do func(commands.Request) []commands.Reply, first int64, msgs []string) []string {
	t.Helper()
	ctx := context.Background()
	srv.Stop()
	var receipts []string
	for i, text := range msgs {
		got := do(commands.Request{Text: text, EventID: first + int64(i)})
		if len(got) != 1 || codeRE.FindString(got[0].Text) == "" || sp.Len() != i+1 {
			t.Fatalf("%q during the outage: %q, %d spooled, want it spooled", text, texts(got), sp.Len())
		}
		receipts = append(receipts, codeRE.FindString(got[0].Text))
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	return receipts
}
