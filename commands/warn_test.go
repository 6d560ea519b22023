package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

const warningText = "Retén falso en la carretera esta noche"

// /warn counts against the reporter's limit on tips, with the tips they
// send: past it nothing is stored, they are told once, then nothing.
func TestWarnCountsAgainstTheTipLimit(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	limit := commands.DefaultLimits.TipsPerHour
	r := tm.as(reporterID, "R", commands.Request{Text: "un tip normal"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	for i := 2; i <= limit; i++ {
		if r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: fmt.Sprint("aviso ", i)}); len(r) != 1 || !strings.HasPrefix(r[0].Text, "Thank you. Your warning was received") {
			t.Fatalf("warning %d: %+v", i, r)
		}
	}
	if r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "uno de más"}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "rate_limited", nil) {
		t.Fatalf("a warning over the limit: %+v", r)
	}
	if r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "otro de más"}); len(r) != 0 {
		t.Fatalf("told again: %+v", r)
	}
	if _, err := tm.store.Tip(ctx, fmt.Sprint(limit+1)); err == nil {
		t.Fatal("a warning over the limit was stored")
	}
	// In a group, a warning over the limit is not stored, so its message
	// is not deleted either: nothing is lost.
	w, r := tm.inGroup(reporterID, "-5", false, commands.Request{Command: "warn", Args: "en el grupo"})
	if len(r) != 0 || w.deleted {
		t.Fatalf("group warning over the limit: deleted %v, %+v", w.deleted, r)
	}
	if _, err := tm.store.Tip(ctx, fmt.Sprint(limit+1)); err == nil {
		t.Fatal("a warning over the limit was stored")
	}
	// Another reporter is not affected.
	if r := tm.as("7002", "S", commands.Request{Command: "warn", Args: "aviso"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, "Thank you. Your warning was received") {
		t.Fatalf("another reporter: %+v", r)
	}
}

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
