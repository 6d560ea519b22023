package commands_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A group's conversation not addressed to the bot is read all the same
// where the bot is an administrator (which it must be to remove anything):
// a receipt code of a stored tip posted there ("I reported it, my code
// is …") tells the group who reported and lets anyone answer or silence
// the investigators with it, and a live invitation code lets anyone join
// the team. Such a message is removed where the bot may, an invitation
// code in it voided, and the group told; any other message, code-like
// words included, is left alone and unanswered.
func TestCodesInAGroupsConversationAreRemoved(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	chatter := func(w *adminReplier, chat, text string) []commands.Reply {
		t.Helper()
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: chat, ChatKind: commands.Group,
			Text: text, EventID: tm.event}, w)
		return w.take()
	}
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}

	// A receipt code: removed, the group told.
	w := &adminReplier{recorder: &recorder{}}
	if r := chatter(w, "-100555", "ya lo denuncié, mi código es "+strings.ToLower(receipt)+" para que vean"); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("a receipt code in a group's conversation: deleted %v, %+v", w.deleted, r)
	}
	// Where the bot could not remove it, the sender is told to.
	w = &adminReplier{recorder: &recorder{}, deleteErr: errors.New("not enough rights")}
	if r := chatter(w, "-100556", "mi código: "+receipt); len(r) != 1 || r[0].Text != en("group_private_only_not_removed") {
		t.Errorf("a receipt code the bot could not remove: %+v", r)
	}
	// One in a link shown as words ("mira aquí"): the same.
	w = &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100558", ChatKind: commands.Group,
		Text: "mira aquí", HiddenLinks: []string{"https://example.org/estado?c=" + receipt}, EventID: tm.event}, w)
	if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("a receipt code in a hidden link: deleted %v, %+v", w.deleted, r)
	}
	// A message edited to hold one (its typo fixed): the same.
	w = &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100557", ChatKind: commands.Group,
		Text: "mi código es " + receipt, Edited: true, MessageID: "12", EventID: tm.event}, w)
	if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("a group message edited to hold a receipt code: deleted %v, %+v", w.deleted, r)
	}
	// An invitation code: removed and void.
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w = &adminReplier{recorder: &recorder{}}
	if r := chatter(w, "-100555", "entra al equipo con "+code); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed")+"\n\n"+en("redeem_void_in_group") {
		t.Errorf("an invitation code in a group's conversation: deleted %v, %+v", w.deleted, r)
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Errorf("an invitation code seen in a group's conversation still works: %q", r[0].Text)
	}
	// Anything else, code-like words too (an account number, a code of
	// no tip), is the group's: not removed, not answered.
	for _, text := range []string{"nos vemos a las 5 en la plaza", "la cuenta es AB12 CD34 EF56 GH78, cuidado", "ZZ99-ZZ99-ZZ99-ZZ9Z"} {
		w = &adminReplier{recorder: &recorder{}}
		if r := chatter(w, "-100555", text); w.deleted || len(r) != 0 {
			t.Errorf("%q in a group's conversation: deleted %v, %+v", text, w.deleted, r)
		}
	}
	// The investigators' chat is the team's: left alone.
	w = &adminReplier{recorder: &recorder{}}
	if r := chatter(w, invChat, "su código era "+receipt); w.deleted || len(r) != 0 {
		t.Errorf("a receipt code in the investigators' chat: deleted %v, %+v", w.deleted, r)
	}
}

// While Redis is down a tip is spooled, and its reporter gets its receipt
// code; posted in a group's conversation during the outage ("ya lo
// mandé, mi código es …"), the code is that spooled tip's, which this
// process can tell without Redis: removed, the group told. Other
// code-like words are left alone, as Redis cannot say what they are.
func TestASpooledTipsCodeInAGroupsConversationIsRemovedDuringAnOutage(t *testing.T) {
	srv, _, _, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	srv.Stop()
	rec := &recorder{}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "701", ChatID: "701", Text: "cobran piso en el mercado", EventID: 100}, rec)
	receipt := codeRE.FindString(rec.take()[0].Text)
	if receipt == "" {
		t.Fatal("no spooled receipt")
	}
	for i, c := range []struct {
		text    string
		removed bool
	}{
		{"ya lo mandé, mi código es " + receipt, true},
		{"la cuenta es AB12 CD34 EF56 GH78", false},
	} {
		w := &adminReplier{recorder: &recorder{}}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group,
			Text: c.text, EventID: int64(200 + i)}, w)
		r := w.take()
		if c.removed && (!w.deleted || len(r) != 1 || r[0].Text != msg.Localize("en", "group_private_only_removed", nil)) {
			t.Errorf("%q during the outage: deleted %v, %+v", c.text, w.deleted, r)
		}
		if !c.removed && (w.deleted || len(r) != 0) {
			t.Errorf("%q during the outage: deleted %v, %+v", c.text, w.deleted, r)
		}
	}
}

// A receipt code under a command to the bot in a group ("/help CODE")
// while Redis is down: Redis cannot say what the code is, and the spool
// does not hold it (its tip was stored before the outage), but the
// message was written to the bot: removed to be safe, as a mention of
// the bot is (deleting needs no Redis), its voiding held for Redis's
// return, the command not answered. Left in view, a receipt code tells
// the group who reported.
func TestACodeUnderACommandInAGroupIsRemovedDuringAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	var receipts []string // one per case: a code's voiding is held once
	for i, user := range []string{"701", "703"} {
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: user, ChatID: user, Text: "cobran piso en el mercado", EventID: int64(100 + 2*i)}, rec)
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: user, ChatID: user, Callback: press(rec.take(), "send:"), EventID: int64(101 + 2*i)}, rec)
		receipt := codeRE.FindString(rec.take()[0].Text)
		if receipt == "" {
			t.Fatal("no receipt")
		}
		receipts = append(receipts, receipt)
	}
	srv.Stop()
	for i, c := range []commands.Request{
		{Command: "help", Args: receipts[0], CommandAtStart: true, Text: "/help " + receipts[0]},
		{Command: "nosuch", Args: receipts[1], CommandAtStart: true, Addressed: true, Text: "/nosuch@VigiaBot " + receipts[1]},
	} {
		c.Platform, c.UserID, c.ChatID, c.ChatKind, c.EventID = "telegram", "702", "-10055"+strconv.Itoa(i), commands.Group, int64(200+i)
		w := &adminReplier{recorder: &recorder{}}
		mux.Handle(ctx, c, w)
		if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != msg.Localize("en", "group_private_only_removed", nil) {
			t.Errorf("%q during the outage: deleted %v, %+v", c.Text, w.deleted, r)
		}
		if !sp.VoidHeld(receipts[i]) {
			t.Errorf("%q during the outage: its voiding not held", c.Text)
		}
	}
}
