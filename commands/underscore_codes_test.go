package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A reporter's receipt code wrapped whole in underscores (markdown's
// italics and underline: "_CODE_", "__CODE__") or with one against it
// ("CODE_x", "juan_CODE") is cut from the tip stored live, and the same
// message sent while Redis is down is spooled and stored at the replay as
// it was live, the underscores wrapping it whole gone with it. Words
// with underscores that are no code (snake_case
// names, usernames) are kept as written, live and at the replay. One
// word of the code with strays and an underscore against it ("abcCODE_")
// is no tip at the replay, as "abc" and the code is.
func TestCodeAgainstUnderscoresIsCutLiveAndAtTheReplay(t *testing.T) {
	prose := "el script get_user_by_id de @juan_perez_88 falla en config_v2_final"
	stored, tipAs := liveAndSpooled(t, "83", func(code string) []string {
		plain := strings.ReplaceAll(code, "-", "")
		return []string{"mi código _" + code + "_ gracias", "mi código __" + code + "__ gracias", "vi al jefe " + code + "_x ayer",
			"reporte_de_juan_" + plain + " listo", prose}
	}, func(code string) string { return "abc" + code + "_" })
	for i, want := range []string{"mi código gracias", "mi código gracias", "vi al jefe _x ayer", "reporte_de_juan_ listo", prose} {
		live, replayed := tipAs(i)
		if live != want || replayed != want {
			t.Errorf("message %d: stored %q live, %q at the replay, want %q (code %s)", i, live, replayed, want, stored)
		}
	}
}

// A receipt code sent alone in one word wrapped in underscores or with
// one against it ("_CODE_", "__CODE__", "CODE_", "CODE_x") while Redis is
// down is not spooled, as a code alone is not: at the replay the code
// would be cut, leaving no tip for the receipt given. The reporter is
// told it was not saved (or to try again, as for a code alone). (Redis
// down, no word can be told to be a tip's code: every code-like one with
// a digit is taken for one; a code starting with a digit, as one in
// three does, is read after no stray word.) A snake_case word of no
// code's shape is spooled as any message is.
func TestCodeInUnderscoresAloneIsNotSpooledInAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	do := telegramUser(mux, "84")
	const code = "4WZN-K7QD-9XMA-R2TP"
	plain := strings.ReplaceAll(code, "-", "")
	srv.Stop()
	notSaved, retry := msg.Localize("en", "error_storage", nil), msg.Localize("en", "error_storage_retry", nil)
	for i, text := range []string{"_" + code + "_", "__" + code + "__", code + "_", code + "_x", plain + "_x", "_" + plain + "_", "x_" + plain + "_"} {
		if got := do(commands.Request{Text: text, EventID: int64(10 + i)}); len(got) != 1 || got[0].Text != notSaved && got[0].Text != retry {
			t.Errorf("%q alone during the outage: %q", text, texts(got))
		}
	}
	if sp.Len() != 0 {
		t.Errorf("%d spooled, want 0", sp.Len())
	}
	if got := do(commands.Request{Text: "get_user_by_id", EventID: 30}); len(got) != 1 || codeRE.FindString(got[0].Text) == "" || sp.Len() != 1 {
		t.Errorf("a snake_case word during the outage: %q, %d spooled, want it spooled", texts(got), sp.Len())
	}
}

// Messages of one word, a code wrapped in underscores or with one
// against it, spooled by a version that did not read such a code (it
// kept them as tips, the code in clear): at the replay the code is cut
// and what is left is no tip, the receipt saying it held codes alone.
func TestCodeInUnderscoresSpooledAloneIsNoTipAtTheReplay(t *testing.T) {
	_, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "85")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	plain := strings.ReplaceAll(stored, "-", "")
	p := st.Pseudonym("telegram", "85")
	var receipts []string
	for i, text := range []string{"_" + stored + "_", "__" + stored + "__", stored + "_x", "tk_" + plain + "_"} {
		receipt, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: int64(100 + i), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, receipt)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	noTipAtReplay(t, st, receipts)
}

// A receipt code of a stored tip, or a live invitation code, wrapped in
// underscores in a group's conversation ("mi código es __CODE__", as
// markdown underlines it) is removed, the invitation voided, as one
// written bare is.
func TestCodeInUnderscoresInAGroupIsRemoved(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	chatter := func(w *adminReplier, text string) []commands.Reply {
		t.Helper()
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: text, EventID: tm.event}, w)
		return w.take()
	}
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	w := &adminReplier{recorder: &recorder{}}
	if r := chatter(w, "ya lo denuncié, mi código es __"+receipt+"__ para que vean"); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("a receipt code in underscores in a group: deleted %v, %q", w.deleted, texts(r))
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w = &adminReplier{recorder: &recorder{}}
	if r := chatter(w, "entra al equipo con "+code+"_ya"); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed")+"\n\n"+en("redeem_void_in_group") {
		t.Errorf("an invitation code against an underscore in a group: deleted %v, %q", w.deleted, texts(r))
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Errorf("an invitation code seen in a group still works: %q", r[0].Text)
	}
}
