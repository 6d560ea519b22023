package commands_test

import (
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A member's reply under one of the bot's messages (a community
// answering a warning) is told once that tips go to the private chat.
// Edited to hold code-like words that are no code of a tip (an account
// number), it is still conversation: not answered again at each edit,
// nor removed, also while Redis cannot say what the words are. Edited to
// hold a receipt code, it is removed as any message holding one.
func TestAnEditedReplyToTheBotIsNotAnsweredAgain(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	reply := func(text string, edited bool) (*adminReplier, []commands.Reply) {
		t.Helper()
		tm.event++
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: text, ReplyToBot: true, ReplyToID: "77", NamesBot: true, Addressed: true, Edited: edited, MessageID: "12", EventID: tm.event}, w)
		return w, w.take()
	}
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}

	if w, r := reply("gracias, la cuenta es AB12 CD34 EF56 GH7", false); w.deleted || len(r) != 1 || r[0].Text != en("group_private_only") {
		t.Fatalf("a reply to the bot: deleted %v, %+v", w.deleted, r)
	}
	if w, r := reply("gracias, la cuenta es AB12 CD34 EF56 GH78", true); w.deleted || len(r) != 0 {
		t.Errorf("the reply edited to hold an account number: deleted %v, answered again %+v", w.deleted, r)
	}
	if w, r := reply("gracias, mi código es "+receipt, true); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("the reply edited to hold a receipt code: deleted %v, %+v", w.deleted, r)
	}
	tm.srv.Stop()
	if w, r := reply("gracias, la cuenta es AB12 CD34 EF56 GH99", true); w.deleted || len(r) != 0 {
		t.Errorf("Redis down, the reply edited to hold an account number: deleted %v, answered %+v", w.deleted, r)
	}
}

// A reply to the bot whose code sits behind words ("mira aquí", linking
// to …?c=CODE) puts it in view as surely as typed out: removed, as the
// same code in the reply's text is (and as in the conversation).
func TestAReplyToTheBotWithACodeInAHiddenLinkIsRemoved(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	for _, c := range []struct{ link, want string }{
		{"https://example.org/estado?c=" + receipt, en("group_private_only_removed")},
		{"https://example.org/equipo?i=" + code, en("group_private_only_removed") + "\n\n" + en("redeem_void_in_group")},
	} {
		tm.event++
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: "gracias, mira aquí", HiddenLinks: []string{c.link}, ReplyToBot: true, ReplyToID: "77", NamesBot: true, Addressed: true,
			MessageID: "12", EventID: tm.event}, w)
		if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != c.want {
			t.Errorf("%s: deleted %v, %+v", c.link, w.deleted, r)
		}
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Errorf("an invitation code behind words in a reply to the bot still works: %q", r[0].Text)
	}
}
