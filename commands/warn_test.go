package commands_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

const warningText = "Retén falso en la carretera esta noche"

// In a group where the bot may not delete messages, the group is not told
// the original was removed: the sender is asked to delete it.
func TestWarnInGroupWhereTheBotCannotDelete(t *testing.T) {
	tm := newTeam(t)
	tm.event++
	w := &adminReplier{recorder: &recorder{}, deleteErr: errors.New("Bad Request: message can't be deleted")}
	tm.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "7777", ChatID: "-1", ChatKind: commands.Group,
		EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: warningText}, w)
	r := w.take()
	if len(r) != 1 || r[0].Text != tm.msg.Localize("en", "warn_group_not_removed", nil) {
		t.Fatalf("answer: %+v", r)
	}
	if _, err := tm.store.Tip(context.Background(), "1"); err != nil {
		t.Fatalf("the warning was not stored: %v", err)
	}
}
