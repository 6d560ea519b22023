package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// Messages spooled before a code with strays typed against it, alone in
// one word, was refused in an outage ("tkCODE", "CODExy"): at the replay
// the code is cut and its strays alone are no tip (the receipt says it
// held codes alone). A word of more strays, a link, or words besides
// are tips, the code cut.
func TestCodeWithStraysSpooledAloneIsNoTipAtTheReplay(t *testing.T) {
	_, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "79")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	plain := strings.ReplaceAll(stored, "-", "")
	p := st.Pseudonym("telegram", "79")
	spool := func(i int, text string) string {
		receipt, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: int64(100 + i), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		return receipt
	}
	var none []string
	for i, text := range []string{"tk" + stored, stored + "xy", "tk" + plain + "x", "t_" + plain, " " + strings.ToLower(stored) + "x\n", "abc" + stored, plain + "wxyz",
		stored + "-ok", "xy-" + stored, "#" + stored + ".", stored + "!!"} {
		none = append(none, spool(i, text))
	}
	kept := map[string]string{}
	for i, tc := range []struct{ in, want string }{
		{"abcde" + stored, "abcde"},
		{"https://x.example/" + stored, "https://x.example/"},
		{"ab/" + stored, "ab/"},
		{"vi tk" + stored + " ayer", "vi tk ayer"},
	} {
		kept[spool(20+i, tc.in)] = tc.want
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	noTipAtReplay(t, st, none)
	for receipt, want := range kept {
		if tip, err := st.TipByReceipt(ctx, receipt); err != nil || tip.Content.Text() != want {
			t.Errorf("replayed %q: %q %v", want, tip.Content.Text(), err)
		}
	}
}

// A short answer typed against the reporter's receipt code ("CODEyes"),
// sent after an Answer pressed while Redis is down, is spooled (three
// strays: Redis cannot say it is a code), and at the replay goes as the
// answer ("yes"), as live: the rule that one word of a code and a few
// strays is no tip must not drop it before the router reads it.
func TestAnswerTypedAgainstACodeSpooledIsReplayedAsTheAnswer(t *testing.T) {
	tm, receipt := questioned(t, "¿Lo vio usted?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	o.start() // a restart: the press is Redis's alone
	o.spool(reporterID, "Rosa", commands.Request{Text: receipt + "yes", EventID: 8301})
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "yes" {
		t.Fatalf("answers recorded: %q", a)
	}
}

// noTipAtReplay fails the test unless each receipt, given at the spool's
// replay, made no tip and was marked as codes alone.
func noTipAtReplay(t *testing.T, st *storage.Store, receipts []string) {
	t.Helper()
	ctx := context.Background()
	for i, receipt := range receipts {
		if tip, err := st.TipByReceipt(ctx, receipt); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("entry %d replayed as a tip: %q (%v)", i, tip.Content.Text(), err)
		}
		if why, err := st.ReceiptNoTip(ctx, receipt); err != nil || why != storage.NoTipCodes {
			t.Errorf("entry %d's receipt: %q %v, want codes alone", i, why, err)
		}
	}
}
