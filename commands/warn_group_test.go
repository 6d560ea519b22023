package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A /warn refused in a group (over the sender's limit on tips, too long,
// Redis down) is removed all the same, since its message shows its sender's
// name, and answered with one neutral refusal that says nothing about the
// sender: never "you are sending a lot", which would tell the group they
// send tips. Nothing is stored.
func TestRefusedGroupWarnIsRemovedAndNamesNoLimit(t *testing.T) {
	sent := &recorder{}
	limits := commands.DefaultLimits
	limits.TipsPerHour = 2
	e, srv := newEngine(t, "w", sent, commands.Options{Retention: 24 * time.Hour, Limits: limits})
	tm := &team{env: e, sent: sent}
	ctx := context.Background()
	// The member has sent two tips privately this hour.
	for i := range 2 {
		r := tm.as("7777", "M", commands.Request{Text: fmt.Sprintf("tip %d cobran piso", i)})
		tm.as("7777", "M", commands.Request{Callback: press(r, "send:")})
	}
	refused := tm.msg.Localize("en", "warn_group_refused", nil)
	for i := range 2 { // the first refusal and the silent ones after it alike
		w, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: "Retén falso en la carretera"})
		if !w.deleted || len(r) != 1 || r[0].Text != refused {
			t.Fatalf("over the limit, %d: deleted %v, %+v", i+1, w.deleted, r)
		}
	}
	// Where the bot may not delete it, the sender is asked to.
	tm.event++
	w := &adminReplier{recorder: &recorder{}, deleteErr: errors.New("Bad Request: message can't be deleted")}
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", ChatID: "-1", ChatKind: commands.Group, EventID: tm.event,
		Addressed: true, Command: "warn", CommandAtStart: true, Args: "Retén falso"}, w)
	if r := w.take(); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "warn_group_refused_not_removed", nil) {
		t.Fatalf("over the limit, not removable: %+v", r)
	}
	// Too long, from someone within their limit.
	long := strings.Repeat("retén ", limits.MaxMessageRunes/6+1)
	if w, r := tm.inGroup("7778", "-1", false, commands.Request{Command: "warn", Args: long}); !w.deleted || len(r) != 1 || r[0].Text != refused {
		t.Fatalf("too long: deleted %v, %+v", w.deleted, r)
	}
	if _, err := tm.store.Tip(ctx, "3"); err == nil {
		t.Fatal("a refused warning was stored")
	}
	// Redis down: one answer, the same, and the message still removed.
	srv.Stop()
	if w, r := tm.inGroup("7778", "-1", false, commands.Request{Command: "warn", Args: "Retén falso en la carretera"}); !w.deleted || len(r) != 1 || r[0].Text != refused {
		t.Fatalf("Redis down: deleted %v, %+v", w.deleted, r)
	}
	if strings.Contains(e.logs.String(), "Retén") {
		t.Fatalf("a log line holds the warning: %s", e.logs)
	}
}

// A /warn posted in a group is deleted, but Telegram keeps a supergroup's
// deleted messages, with their sender, in the admin log for 48 hours: the
// answer in the group does not promise the sender is protected, and the
// advice, in every language, says to send warnings privately and why.
func TestGroupWarnAnswerDoesNotOverpromise(t *testing.T) {
	tm := newTeam(t)
	protect := map[string]string{"en": "protect", "es": "proteger", "fr": "protéger", "pt-BR": "proteger"}
	for lang, word := range protect {
		_, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: warningText, Language: lang})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize(lang, "warn_group_received", nil)) {
			t.Fatalf("%s: %+v", lang, r)
		}
		if strings.Contains(r[0].Text, word) || !strings.Contains(r[0].Text, "48") || !strings.Contains(r[0].Text, "Telegram") {
			t.Errorf("%s: the answer in the group overpromises or does not say admins see deleted messages: %q", lang, r[0].Text)
		}
	}
}

// Once a group has used up its hourly limit (anyone there can do it on
// purpose, by mentioning the bot), a /warn or a tip posted in it is still
// removed — left up, it would name its sender to everyone — and the group
// is told once, without "you are sending a lot" (which would point at the
// member). Other messages get nothing, as before.
func TestGroupOverItsLimitStillRemovesWhatWouldExposeASender(t *testing.T) {
	sent := &recorder{}
	limits := commands.DefaultLimits
	limits.ChatPerHour = 3
	e, srv := newEngine(t, "w", sent, commands.Options{Retention: 24 * time.Hour, Limits: limits})
	tm := &team{env: e, srv: srv, sent: sent}
	for range 3 { // someone else spends the group's counter
		tm.inGroup("6666", "-1", false, commands.Request{Command: "help"})
	}
	busy := tm.msg.Localize("en", "group_busy_removed", nil)
	w, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: "Retén falso en la carretera"})
	if !w.deleted || len(r) != 1 || r[0].Text != busy {
		t.Fatalf("first /warn over the limit: deleted=%v %+v", w.deleted, r)
	}
	w, r = tm.inGroup("7778", "-1", false, commands.Request{Command: "warn", Args: "otro retén"})
	if !w.deleted || len(r) != 0 {
		t.Fatalf("second /warn over the limit: deleted=%v %+v", w.deleted, r)
	}
	w, r = tm.inGroup("7779", "-1", false, commands.Request{Text: "@bot cobran piso en el mercado"})
	if !w.deleted || len(r) != 0 {
		t.Fatalf("a tip over the limit: deleted=%v %+v", w.deleted, r)
	}
	w, r = tm.inGroup("7780", "-1", false, commands.Request{Command: "help"})
	if w.deleted || len(r) != 0 {
		t.Fatalf("/help over the limit: deleted=%v %+v", w.deleted, r)
	}
	// A group whose bot may not delete: told to delete it themselves.
	for range 3 {
		tm.inGroup("6666", "-2", false, commands.Request{Command: "help"})
	}
	tm.event++
	nd := &adminReplier{recorder: &recorder{}, deleteErr: errors.New("not enough rights")}
	tm.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "7781", ChatID: "-2", ChatKind: commands.Group,
		EventID: tm.event, Addressed: true, Command: "warn", Args: "x", CommandAtStart: true}, nd)
	if r := nd.take(); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "group_busy_not_removed", nil) {
		t.Fatalf("not removable: %+v", r)
	}
	if _, err := tm.store.Tip(context.Background(), "1"); err == nil {
		t.Fatal("a warning over the group's limit was stored")
	}
}

// Warnings posted as a chat (a Telegram channel, an anonymous admin) all
// count as one reporter: one person with three free channels does not
// corroborate a name as three people would. Three members do.
func TestWarningsPostedAsChatsCountAsOneReporter(t *testing.T) {
	for _, asChat := range []bool{true, false} {
		tm := newTeam(t)
		ctx := context.Background()
		for i, chat := range []string{"-1001001", "-1001002", "-1001003"} {
			tm.event++
			user := "700" + strconv.Itoa(i)
			if asChat {
				user = "chan" + chat
			}
			req := commands.Request{Platform: "telegram", UserID: user, ChatID: chat, ChatKind: commands.Group, PostedAsChat: asChat,
				EventID: tm.event, Command: "warn", CommandAtStart: true, Addressed: true,
				Args: "el periodista del 5512345678 es informante, cuidado " + strings.Repeat("!", i+1)}
			tm.mux.Handle(ctx, req, &adminReplier{recorder: &recorder{}, admin: true})
			if err := tm.mux.IndexPending(ctx); err != nil {
				t.Fatal(err)
			}
		}
		tm.sent.mu.Lock()
		alerts := len(tm.sent.sent[invChat])
		tm.sent.mu.Unlock()
		if asChat && alerts != 0 {
			t.Errorf("three channels' warnings alerted the investigators")
		}
		if !asChat && alerts == 0 {
			t.Errorf("three members' warnings did not alert the investigators")
		}
	}
}

// A /warn the bot could not remove from a group, then edited there (a typo
// fixed: a new update from the platform), is not stored a second time: the
// warning was taken when sent, and an edit must not count against the
// sender's limit again nor ask them again to delete it.
func TestEditedGroupWarnIsNotStoredAgain(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for i, edited := range []bool{false, true} {
		tm.event++
		w := &adminReplier{recorder: &recorder{}, deleteErr: errors.New("Bad Request: message can't be deleted")}
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "7777", ChatID: "-1", ChatKind: commands.Group, EventID: tm.event,
			Addressed: true, Command: "warn", CommandAtStart: true, Args: "Retén falso en la carretera " + strconv.Itoa(i), MessageID: "55", Edited: edited}, w)
		if r := w.take(); edited && len(r) != 0 {
			t.Errorf("the edit was answered: %+v", r)
		}
	}
	if _, err := tm.store.Tip(ctx, "1"); err != nil {
		t.Fatalf("the warning as sent: %v", err)
	}
	if _, err := tm.store.Tip(ctx, "2"); err == nil {
		t.Fatal("the edited /warn was stored as a second warning")
	}
}
