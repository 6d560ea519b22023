package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A group message of many code-like words (a list of 300 plates, each
// run of four a code: more than tips.MaxReceiptCandidates), then a
// reporter's receipt code or an invitation code, is removed and the
// invitation voided, as the code alone would be: the codes read in view
// were cut at 256, and one after them stayed in view of the group, the
// invitation live for anyone there to redeem. Mutation:
// tips.ReceiptCodesIn cut at MaxReceiptCandidates again -> neither is
// removed and the invitation still works.
func TestCodeAfterManyCodeLikeWordsInAGroupIsRemoved_receipts(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	var plates []string
	for i := range 300 {
		plates = append(plates, fmt.Sprintf("A%03d", i))
	}
	list := "placas vistas: " + strings.Join(plates, " ") + " y "
	chatter := func(chat, text string) (*adminReplier, []commands.Reply) {
		t.Helper()
		w := &adminReplier{recorder: &recorder{}}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: chat, ChatKind: commands.Group,
			Text: text, EventID: tm.event}, w)
		return w, w.take()
	}
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}
	if w, r := chatter("-100555", list+"mi código es "+receipt); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("a receipt code after 300 plates: deleted %v, %+v", w.deleted, r)
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	if w, r := chatter("-100556", list+"entra al equipo con "+code); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed")+"\n\n"+en("redeem_void_in_group") {
		t.Errorf("an invitation code after 300 plates: deleted %v, %+v", w.deleted, r)
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Errorf("an invitation code seen after 300 plates in a group still works: %q", r[0].Text)
	}
	// The list alone is the group's: left alone.
	if w, r := chatter("-100557", list+"nada más"); w.deleted || len(r) != 0 {
		t.Errorf("300 plates alone: deleted %v, %+v", w.deleted, r)
	}
}
