package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// wordsBeforeWarn is "Atención vecinos @VigiaBot /warn hay halcones" as
// the Telegram adapter hands it over, in a reply to one of the bot's
// messages (a community answering a published warning) when reply is set.
func wordsBeforeWarn(before string, reply bool) commands.Request {
	return commands.Request{Command: "warn", Args: "hay halcones en la esquina", TextBefore: before, WordsBefore: true,
		NamesBot: true, NamedInText: true, ReplyToBot: reply}
}

// inGroupAsIs is tm.inGroup with the request's CommandAtStart left as given.
func (tm *team) inGroupAsIs(user, chat string, req commands.Request) (*adminReplier, []commands.Reply) {
	tm.event++
	req.Platform, req.UserID, req.ChatID, req.ChatKind, req.EventID, req.Addressed = "telegram", user, chat, commands.Group, tm.event, true
	w := &adminReplier{recorder: &recorder{}}
	tm.mux.Handle(context.Background(), req, w)
	return w, w.take()
}

// A group over its hourly limit still removes a /warn written after words
// ("Atención vecinos @VigiaBot /warn …"), in a reply to one of the bot's
// messages too: those words, left up, name their sender to everyone. (Before
// dde2aaf such a message was removed as a tip in view; since, /warn takes
// the words, and it must still be removed as any group /warn is.)
func TestGroupOverItsLimitRemovesAWarnAfterWords(t *testing.T) {
	sent := &recorder{}
	limits := commands.DefaultLimits
	limits.ChatPerHour = 3
	e, srv := newEngine(t, "w", sent, commands.Options{Retention: 24 * time.Hour, Limits: limits})
	tm := &team{env: e, srv: srv, sent: sent}
	for range 3 { // someone else spends the group's counter
		tm.inGroup("6666", "-1", false, commands.Request{Command: "help"})
	}
	for _, reply := range []bool{false, true} {
		req := wordsBeforeWarn("Atención vecinos", reply)
		w, _ := tm.inGroupAsIs("7777", "-1", req)
		if !w.deleted {
			t.Errorf("reply to the bot %v: a /warn after words over the group's limit was left in view", reply)
		}
	}
	// Within the limit, in a reply to the bot: removed before Redis is
	// asked anything (so with Redis hanging too), and stored whole.
	tm2 := newTeam(t)
	w, r := tm2.inGroupAsIs("7777", "-1", wordsBeforeWarn("Atención vecinos", true))
	if !w.deleted || len(r) != 1 || !strings.HasPrefix(r[0].Text, tm2.msg.Localize("en", "warn_group_received", nil)) {
		t.Fatalf("a /warn after words in a reply to the bot: deleted %v, %+v", w.deleted, r)
	}
}

// An invitation code written in a group /warn, before the command ("CODE
// @VigiaBot /warn …") or after it, was seen by everyone there: it is void,
// and the group is told so, as for any message to the bot holding one.
// (Before dde2aaf the words before made the message a tip in view, whose
// invitation codes are voided; since, /warn took them without looking.)
func TestInvitationCodeInAGroupWarnIsVoided(t *testing.T) {
	tm := newTeam(t)
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	for i, place := range []string{"before", "after"} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		req := wordsBeforeWarn("Atención vecinos "+code, false)
		if place == "after" {
			req = commands.Request{Command: "warn", Args: "hay halcones " + code}
		}
		w, r := tm.inGroupAsIs("7777", "-1", req)
		if !w.deleted || len(r) != 1 || !strings.Contains(r[0].Text, en("redeem_void_in_group")) {
			t.Errorf("code %s the command: deleted %v, %+v (want the group told the code is void)", place, w.deleted, r)
		}
		if r := tm.as("400"+string(rune('4'+i)), "Eve", commands.Request{Command: "redeem", Args: code}); len(r) == 0 || r[0].Text != en("redeem_bad") {
			t.Errorf("code %s the command: an invitation code seen in a group still works: %+v", place, r)
		}
	}
}
