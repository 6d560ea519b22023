package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A /warn in a group signed with its sender's name is never answered with
// the own-name note: the answer is read by the whole group and would tell
// it whose name the warning holds. Stored and removed, stored and not
// removable, or empty alike.
func TestGroupWarnNeverPointsOutTheSendersName(t *testing.T) {
	tm := newTeam(t)
	note := tm.msg.Localize("en", "own_name_sent", nil)
	signed := "Retén falso en la carretera esta noche. Saludos, Rosa Gómez @rosa_gomez_mx"
	// (In private the same words get the note: the case is one it fires on.)
	if r := tm.as(reporterID, "Rosa Gómez @rosa_gomez_mx", commands.Request{Command: "warn", Args: signed}); len(r) != 1 || !strings.Contains(r[0].Text, note) {
		t.Fatalf("private: %+v", r)
	}
	for _, deleteErr := range []error{nil, errors.New("Bad Request: message can't be deleted")} {
		tm.event++
		w := &adminReplier{recorder: &recorder{}, deleteErr: deleteErr}
		tm.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "7777", Name: "Rosa Gómez @rosa_gomez_mx",
			ChatID: "-1", ChatKind: commands.Group, EventID: tm.event, Addressed: true, Command: "warn", CommandAtStart: true, Args: signed}, w)
		r := w.take()
		if len(r) != 1 || !strings.Contains(r[0].Text, tm.msg.Localize("en", "warn_advice", nil)) {
			t.Fatalf("not removable %v: %+v", deleteErr != nil, r)
		}
		if strings.Contains(r[0].Text, note) {
			t.Errorf("not removable %v: the group was told the warning holds its sender's name: %q", deleteErr != nil, r[0].Text)
		}
	}
}
