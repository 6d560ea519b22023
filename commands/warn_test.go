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
	// In a group, a warning over the limit is not stored; its message is
	// removed all the same, and the sender told, neutrally, to send it
	// privately (see TestRefusedGroupWarnIsRemovedAndNamesNoLimit).
	w, r := tm.inGroup(reporterID, "-5", false, commands.Request{Command: "warn", Args: "en el grupo"})
	if len(r) != 1 || r[0].Text != tm.msg.Localize("en", "warn_group_refused", nil) || !w.deleted {
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
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_not_removed", nil)) {
		t.Fatalf("answer: %+v", r)
	}
	if _, err := tm.store.Tip(context.Background(), "1"); err != nil {
		t.Fatalf("the warning was not stored: %v", err)
	}
}

// A /warn the platform delivers again (the bot restarted before it heard
// the update was handled) is one warning: in private the repeat gets no
// second answer; in a group its message is still removed.
func TestRedeliveredWarnIsOneWarning(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	send := func(chat string, kind commands.ChatKind, event int64) (*adminReplier, []commands.Reply) {
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: reporterID, ChatID: chat, ChatKind: kind, EventID: event,
			Addressed: true, Command: "warn", CommandAtStart: true, Args: warningText}, w)
		return w, w.take()
	}
	if _, r := send(reporterID, commands.Private, 500); len(r) != 1 || !strings.HasPrefix(r[0].Text, "Thank you. Your warning was received") {
		t.Fatalf("first: %+v", r)
	}
	if _, r := send(reporterID, commands.Private, 500); len(r) != 0 {
		t.Fatalf("redelivered in private: %+v", r)
	}
	if _, r := send("-5", commands.Group, 501); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("first in a group: %+v", r)
	}
	if w, r := send("-5", commands.Group, 501); !w.deleted || len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("redelivered in a group: deleted %v, %+v", w.deleted, r)
	}
	if _, err := tm.store.Tip(ctx, "3"); err == nil {
		t.Fatal("a redelivered warning was stored twice")
	}
}

// A group /warn that used the reporter's last allowed tip and is delivered
// again (the bot stopped before deleting it) is still removed from the
// group, not refused as over the limit.
func TestRedeliveredGroupWarnAtTheLimitIsRemoved(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for i := 1; i < commands.DefaultLimits.TipsPerHour; i++ {
		tm.as(reporterID, "R", commands.Request{Command: "warn", Args: fmt.Sprint("aviso ", i)})
	}
	send := func() (*adminReplier, []commands.Reply) {
		w := &adminReplier{recorder: &recorder{}}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: reporterID, ChatID: "-5", ChatKind: commands.Group, EventID: 900,
			Addressed: true, Command: "warn", CommandAtStart: true, Args: warningText}, w)
		return w, w.take()
	}
	for i := range 2 {
		if w, r := send(); !w.deleted || len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) {
			t.Fatalf("delivery %d: deleted %v, %+v", i+1, w.deleted, r)
		}
	}
}

// Before a warning is sent and in every acknowledgement, the sender is told,
// in their language, to leave out whatever identifies them: a warning's
// text is what communities may read.
func TestWarnAdvisesLeavingOutIdentifyingDetails(t *testing.T) {
	tm := newTeam(t)
	advice := tm.msg.Localize("es", "warn_advice", nil)
	if r := tm.as(reporterID, "R", commands.Request{Command: "warn", Language: "es-MX"}); len(r) != 1 ||
		r[0].Text != tm.msg.Localize("es", "warn_usage", nil)+"\n\n"+advice {
		t.Fatalf("usage: %+v", r)
	}
	r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText, Language: "es-MX"})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, "Gracias. Recibimos tu aviso") || !strings.HasSuffix(r[0].Text, "\n\n"+advice) {
		t.Fatalf("acknowledgement: %+v", r)
	}
	if !strings.Contains(advice, "número de teléfono") {
		t.Fatalf("the advice does not name phone numbers: %q", advice)
	}
	_, r = tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: warningText, Language: "es-MX"})
	if len(r) != 1 || r[0].Text != tm.msg.Localize("es", "warn_group_received", nil)+"\n\n"+advice {
		t.Fatalf("acknowledgement in a group: %+v", r)
	}
}

// A receipt code in a warning is left out of it, as from a tip: the
// warning's text is what investigators review and communities may read,
// and a code acts on its tip. A warning of a code alone is none.
func TestReceiptCodeInAWarningIsLeftOut(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	r = tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Sobre mi denuncia " + code + ": un número llama a comerciantes"})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\nThank you. Your warning was received") {
		t.Fatalf("a warning with a code: %+v", r)
	}
	w, err := tm.store.Tip(ctx, "2")
	if err != nil || strings.Contains(w.Content.Text(), code) || !strings.Contains(w.Content.Text(), "un número llama a comerciantes") {
		t.Fatalf("warning #2 stored as %q (%v)", w.Content.Text(), err)
	}
	if r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: code}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "receipt_only_warning", nil) {
		t.Fatalf("a warning of a code alone: %+v", r)
	}
	if _, err := tm.store.Tip(ctx, "3"); err == nil {
		t.Fatal("a warning of a code alone was stored")
	}
	// In a group too (where the message is removed and nobody is named).
	tm.inGroup("7002", "-5", true, commands.Request{Command: "warn", Args: "retén falso, " + code})
	if w, err := tm.store.Tip(ctx, "3"); err != nil || strings.Contains(w.Content.Text(), code) {
		t.Fatalf("group warning #3 stored as %q (%v)", w.Content.Text(), err)
	}
}

// /status and /forget with a warning's code speak of a warning: it takes
// no questions (an investigator's /ask reaches nobody), so /forget has
// nothing to stop, and says so rather than "done".
func TestWarningCodeIsAnsweredAsAWarning(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	code := codeRE.FindString(r[0].Text)
	if code == "" {
		t.Fatalf("no code: %+v", r)
	}
	if r := tm.as(reporterID, "R", commands.Request{Command: "status", Args: code}); len(r) != 1 ||
		r[0].Text != tm.msg.Localize("en", "status_warning", map[string]any{"Age": tm.msg.Localize("en", "age_under_minute", nil)}) {
		t.Fatalf("/status of a warning: %+v", r)
	}
	if r := tm.as(reporterID, "R", commands.Request{Command: "forget", Args: code}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "forget_warning", nil) {
		t.Fatalf("/forget of a warning: %+v", r)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "ask", Args: "1 ¿dónde?"}); len(r) != 1 || strings.Contains(r[0].Text, "¿dónde?") {
		t.Fatalf("/ask on a warning: %+v", r)
	}
}
