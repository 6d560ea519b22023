package commands_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// /redeem typed in a group is answered in words true whether or not its
// code was an invitation: "voided" for a code that was none would be
// false, and a different answer would tell anyone in the group which
// codes are invitations.
func TestRedeemInAGroupSaysTheSameOfAnyCode(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	redeem := func(code string) (*adminReplier, []commands.Reply) {
		w := &adminReplier{recorder: &recorder{}}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Command: "redeem", Args: code, Text: "/redeem " + code, CommandAtStart: true, Addressed: true, EventID: tm.event}, w)
		return w, w.take()
	}
	live := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w1, r1 := redeem(live)
	w2, r2 := redeem("ABCD-EFGH-JKMN-PQRS") // no invitation
	want := en("private_only_command_removed") + "\n\n" + en("redeem_maybe_void_in_group")
	if !w1.deleted || !w2.deleted || len(r1) != 1 || len(r2) != 1 || r1[0].Text != want || r2[0].Text != want {
		t.Fatalf("/redeem in a group: live code: deleted %v %q; no invitation: deleted %v %q", w1.deleted, texts(r1), w2.deleted, texts(r2))
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: live}); r[0].Text != en("redeem_bad") {
		t.Fatalf("a code seen in a group still works: %q", r[0].Text)
	}
}

// An invitation code in view of a group is void and the message removed,
// whatever the command that carries it: a private-only command with
// another argument's name (/status, /forget), a command answered in
// groups (/help), the same edited, an unknown one, another bot's.
func TestInvitationCodeUnderAnyCommandInAGroupIsVoid(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	for i, tc := range []struct {
		name string
		req  commands.Request
		want string
	}{
		{"/status", commands.Request{Command: "status", CommandAtStart: true, Addressed: true}, "private_only_command_removed"},
		{"/forget", commands.Request{Command: "forget", CommandAtStart: true, Addressed: true}, "private_only_command_removed"},
		{"/wipe", commands.Request{Command: "wipe", CommandAtStart: true, Addressed: true}, "private_only_command_removed"},
		{"/help", commands.Request{Command: "help", CommandAtStart: true, Addressed: true}, "group_private_only_removed"},
		{"/help edited", commands.Request{Command: "help", CommandAtStart: true, Addressed: true, Edited: true}, "group_private_only_removed"},
		{"/claim", commands.Request{Command: "claim", CommandAtStart: true, Addressed: true}, "group_private_only_removed"},
		{"/nope@bot", commands.Request{Command: "nope", CommandAtStart: true, Addressed: true}, "group_private_only_removed"},
		{"/otherbot", commands.Request{Command: "otherbot", CommandAtStart: true}, "group_private_only_removed"},
	} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		req := tc.req
		req.Platform, req.UserID, req.UserChat, req.ChatID, req.ChatKind = "telegram", "3003", "3003", "-100555", commands.Group
		req.Args, req.Text = code, "/"+req.Command+" "+code
		tm.event++
		req.EventID = tm.event
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, req, w)
		if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en(tc.want)+"\n\n"+en("redeem_void_in_group") {
			t.Errorf("%s CODE in a group: deleted %v, %q", tc.name, w.deleted, texts(r))
		}
		if r := tm.as(fmt.Sprint(4100+i), "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
			t.Errorf("%s CODE in a group: the invitation still works: %q", tc.name, r[0].Text)
		}
	}
	// In the investigators' chat a code is the team's to discuss: left.
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.event++
	w := &adminReplier{recorder: &recorder{}}
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", ChatID: "-100777", ChatKind: commands.Group,
		Command: "help", Args: code, Text: "/help " + code, CommandAtStart: true, Addressed: true, EventID: tm.event}, w)
	if w.take(); w.deleted {
		t.Errorf("/help CODE in the investigators' chat removed")
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text == en("redeem_bad") {
		t.Errorf("a code in the investigators' chat was voided")
	}
}

// A stored tip's receipt code in view of a group is removed whatever the
// private-only command that carries it, one with no secret argument
// (/wipe, /cancel, /language) too, as in the group's conversation; a
// code of no tip under such a command is left, the command refused.
func TestReceiptCodeUnderAnyPrivateOnlyCommandInAGroupIsRemoved(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}
	sendIn := func(chat, cmd, code string) (*adminReplier, []commands.Reply) {
		w := &adminReplier{recorder: &recorder{}}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3005", UserChat: "3005", ChatID: chat, ChatKind: commands.Group,
			Command: cmd, Args: code, Text: "/" + cmd + " " + code, CommandAtStart: true, Addressed: true, EventID: tm.event}, w)
		return w, w.take()
	}
	send := func(cmd, code string) (*adminReplier, []commands.Reply) { return sendIn("-100555", cmd, code) }
	for _, cmd := range []string{"wipe", "cancel", "language", "status"} {
		if w, r := send(cmd, receipt); !w.deleted || len(r) != 1 || r[0].Text != en("private_only_command_removed") {
			t.Errorf("/%s RECEIPT in a group: deleted %v, %q", cmd, w.deleted, texts(r))
		}
	}
	if w, r := send("wipe", "ABCD-EFGH-JKMN-PQRS"); w.deleted || len(r) != 1 || r[0].Text != en("private_only_command") {
		t.Errorf("/wipe with a code of no tip in a group: deleted %v, %q", w.deleted, texts(r))
	}
	// In the investigators' chat a receipt code is the team's to discuss:
	// the command is refused, the message left.
	if w, r := sendIn(invChat, "wipe", receipt); w.deleted || len(r) != 1 || r[0].Text != en("private_only_command") {
		t.Errorf("/wipe RECEIPT in the investigators' chat: deleted %v, %q", w.deleted, texts(r))
	}
}
