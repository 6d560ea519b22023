package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// An invitation code spelled out in a hidden link ("…/a/Q-W-E-K-7-Q-D-…",
// within a run of words of one character) after a text of 4,096
// characters of such words is void, its message removed, as it is after
// a short text: the text and each link are read on its own
// (tips.MessageCodesIn), not only joined, where the text used up the
// reading's bound and the code in the link was not read: it stayed live
// in view of the group.
// Mutation: codesIn reading req.Text and req.HiddenLinks joined only (as
// before) -> the message is left in view and the invitation redeemed.
func TestAnInvitationSpelledInAHiddenLinkAfterAFloodIsVoid(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	flood := strings.Repeat("A B C D E F G H J K M N P Q R S T ", 130)[:4095]
	for i, text := range []string{"mira aquí", flood} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		if code == "" {
			t.Fatal("no invitation code")
		}
		link := "https://x.example/a/Q-W-E-" + strings.Join(strings.Split(strings.ReplaceAll(code, "-", ""), ""), "-")
		w := &adminReplier{recorder: &recorder{}}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: text, HiddenLinks: []string{link}, EventID: tm.event}, w)
		if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed")+"\n\n"+en("redeem_void_in_group") {
			t.Errorf("%.20q… with %q hidden: deleted %v, %+v", text, link, w.deleted, r)
		}
		if r := tm.as("400"+string(rune('4'+i)), "Eve", commands.Request{Command: "redeem", Args: code}); len(r) == 0 || r[0].Text != en("redeem_bad") {
			t.Errorf("%.20q… with %q hidden: the invitation still works: %+v", text, link, r)
		}
	}
}
