package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A reporter's receipt code with stray letters of any script typed
// against it ("número", "reçu" glued to it) is cut from the tip stored
// live, and the same message sent while Redis is down is spooled and
// stored at the replay as it was live. One word of the code and three
// such strays ("ñúa" and the code) is no tip at the replay, as "abc" and
// the code is.
func TestCodeWithStraysOfAnyScriptIsCutLiveAndAtTheReplay(t *testing.T) {
	stored, tipAs := liveAndSpooled(t, "81", func(code string) []string {
		plain := strings.ReplaceAll(code, "-", "")
		return []string{"mi código número" + code + " gracias", "mon reçu" + code + " merci", "vi al jefe ñúa" + plain + " ayer", "vi al jefe " + plain + "éúñá ayer"}
	}, func(code string) string { return "ñúa" + code })
	for i, want := range []string{"mi código número gracias", "mon reçu merci", "vi al jefe ñúa ayer", "vi al jefe éúñá ayer"} {
		live, replayed := tipAs(i)
		if live != want || replayed != want {
			t.Errorf("message %d: stored %q live, %q at the replay, want %q (code %s)", i, live, replayed, want, stored)
		}
	}
}

// A reporter's receipt code typed with some of its dashes and four
// stray characters against its front ("abcdK7QD9XMA-R2TP-4WZN") is cut
// from the tip stored live and at the replay of the same message spooled
// in an outage; alone, it is no tip at the replay, as "abc" and the code
// shown is.
func TestMixedDashesCodeWithFourStraysIsCutLiveAndAtTheReplay(t *testing.T) {
	mixed := func(code string) string { // K7QD9XMA-R2TP-4WZN
		return strings.Replace(code, "-", "", 1)
	}
	stored, tipAs := liveAndSpooled(t, "82", func(code string) []string {
		plain := strings.ReplaceAll(code, "-", "")
		return []string{"vi al jefe abcd" + mixed(code) + " ayer", "vi al jefe abcd" + plain[:12] + "-" + plain[12:] + " ayer", "es xyz1" + strings.ReplaceAll(mixed(code), "-", ".")}
	}, func(code string) string { return "abcd" + mixed(code) })
	for i, want := range []string{"vi al jefe abcd ayer", "vi al jefe abcd ayer", "es xyz1"} {
		live, replayed := tipAs(i)
		if live != want || replayed != want {
			t.Errorf("message %d: stored %q live, %q at the replay, want %q (code %s)", i, live, replayed, want, stored)
		}
	}
}

// liveAndSpooled has a Telegram reporter (user) send a tip, then each of
// the messages written makes of its receipt code as a tip of its own (live),
// then, Redis down, each again and alone(code) (spooled), and replays the
// spool. It returns the first tip's receipt code and, by message, the text
// stored live and at the replay; alone's entry must be no tip, its
// receipt saying it held codes alone.
func liveAndSpooled(t *testing.T, user string, written func(code string) []string, alone func(code string) string) (string, func(i int) (live, replayed string)) {
	t.Helper()
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, user)
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	code := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	msgs := written(code)
	stored := func(receipt string) string {
		tip, err := st.TipByReceipt(ctx, receipt)
		if err != nil {
			t.Fatalf("tip %s: %v", receipt, err)
		}
		return tip.Content.Text()
	}
	var live, replayed []string
	for i, text := range msgs {
		r := do(commands.Request{Text: text, EventID: int64(10 + 2*i)})
		live = append(live, stored(codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: int64(11 + 2*i)})[0].Text)))
	}
	receipts := spoolThenReplay(t, srv, st, sp, do, 100, append(msgs, alone(code)))
	for _, receipt := range receipts[:len(msgs)] {
		replayed = append(replayed, stored(receipt))
	}
	last := receipts[len(msgs)]
	if tip, err := st.TipByReceipt(ctx, last); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("%q replayed as a tip: %q (%v)", alone(code), tip.Content.Text(), err)
	}
	if why, err := st.ReceiptNoTip(ctx, last); err != nil || why != storage.NoTipCodes {
		t.Errorf("%q's receipt: %q %v, want codes alone", alone(code), why, err)
	}
	return code, func(i int) (string, string) { return live[i], replayed[i] }
}

// Stray letters with their accents written after them ("n\u0303u\u0301a",
// "ñúa" as some keyboards send it) are read against a code as "ñúa" is:
// cut live and at the replay, and one word of them and the code alone is
// no tip at the replay, as "ñúa" and the code is.
func TestCodeWithDecomposedStraysAloneIsNoTipAtTheReplay(t *testing.T) {
	const nfd = "n\u0303u\u0301a"
	stored, tipAs := liveAndSpooled(t, "83", func(code string) []string {
		return []string{"vi al jefe " + nfd + strings.ReplaceAll(code, "-", "") + " ayer"}
	}, func(code string) string { return nfd + code })
	if live, replayed := tipAs(0); live != "vi al jefe "+nfd+" ayer" || replayed != live {
		t.Errorf("stored %q live, %q at the replay (code %s)", live, replayed, stored)
	}
}
