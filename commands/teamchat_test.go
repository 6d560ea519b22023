package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// movingSender is a platform on which chat from has moved to chat to (a
// Telegram group upgraded to a supergroup): a send to from fails with
// MovedError, as Telegram's migrate_to_chat_id.
type movingSender struct {
	*recorder
	from, to string
}

func (s *movingSender) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if chat == s.from {
		return nil, fmt.Errorf("telegram send: %w", &commands.MovedError{To: s.to})
	}
	return s.recorder.Send(ctx, chat, r)
}

// An investigators' chat the platform moved to a new id (a group upgraded
// to a supergroup) is followed there, whether the bot hears of it from the
// platform's service message or from a send refused: alerts arrive, team
// commands work, after a restart too; the chat is told the new id to pass
// to the operator, and the log says to change the configuration without
// naming any id.
func TestMovedInvestigatorsChatIsFollowed(t *testing.T) {
	for _, how := range []string{"service message", "send refused"} {
		tm := newTeam(t)
		ctx := context.Background()
		if how == "service message" {
			if err := tm.mux.ChatMoved(ctx, "telegram", "-100777", "-100888"); err != nil {
				t.Fatal(err)
			}
		} else {
			tm.mux.AddSender("telegram", &movingSender{recorder: tm.sent, from: "-100777", to: "-100888"})
		}
		for _, u := range []string{"7001", "7002", "7003"} {
			tm.report(u, "cobran piso desde el 5512345678", "")
		}
		notices := tm.notices("-100888")
		moved := tm.text("en", "team_chat_moved", map[string]any{"Chat": "telegram:-100888"})
		if len(notices) != 2 || notices[0] != moved || !strings.HasPrefix(notices[1], "Signal:") {
			t.Errorf("%s: the new chat was told %q", how, notices)
		}
		if old := tm.notices("-100777"); len(old) != 0 {
			t.Errorf("%s: the old chat was told %q", how, old)
		}
		_, r := tm.inGroup(adminID, "-100888", false, commands.Request{Command: "queue"})
		if len(r) != 1 || r[0].Text == tm.text("en", "unknown_command", nil) {
			t.Errorf("%s: /queue in the new chat: %q", how, texts(r))
		}
		logs := tm.logs.String()
		if !strings.Contains(logs, "VIGIA_INVESTIGATOR_CHATS") || strings.Contains(logs, "100888") || strings.Contains(logs, "100777") {
			t.Errorf("%s: the log:\n%s", how, logs)
		}
		// Restarted, with the configuration not changed yet.
		restarted := tm.mux.Clone()
		restarted.AddSender("telegram", tm.sent)
		if err := restarted.LoadTeamChats(ctx); err != nil {
			t.Fatal(err)
		}
		tm.mux = restarted
		_, r = tm.inGroup(adminID, "-100888", false, commands.Request{Command: "queue"})
		if len(r) != 1 || r[0].Text == tm.text("en", "unknown_command", nil) {
			t.Errorf("%s: /queue in the new chat after a restart: %q", how, texts(r))
		}
	}
}

// A replica that did not hear of the move follows it within a sweep.
func TestMovedInvestigatorsChatIsFollowedByEveryReplica(t *testing.T) {
	tm := newTeam(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	other := tm.mux.Clone()
	other.AddSender("telegram", tm.sent)
	done := make(chan struct{})
	go func() { defer close(done); other.RunSweeper(ctx, 10*time.Millisecond, time.Hour) }()
	defer func() { cancel(); <-done }()
	if err := tm.mux.ChatMoved(ctx, "telegram", "-100777", "-100888"); err != nil {
		t.Fatal(err)
	}
	tm.mux = other
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		_, r := tm.inGroup(adminID, "-100888", false, commands.Request{Command: "queue"})
		if len(r) == 1 && r[0].Text != tm.text("en", "unknown_command", nil) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/queue in the moved chat on another replica: %q", texts(r))
		}
	}
}

// An investigator's command in the investigators' chat, edited (a typo
// fixed), is not run again: the reporter is asked the question once. (The
// Telegram adapter hands the engine a group message edited into a command,
// for one in an ordinary group to be removed as a new one would be.)
func TestEditedCommandInInvestigatorsChatIsNotRunAgain(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.tipWithQuestions()
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	inChat := commands.Request{ChatKind: commands.Group, ChatID: "-100777", Command: "ask", Args: "1 ¿Qué dia?", CommandAtStart: true, MessageID: "40"}
	if r := tm.as("2002", "Ana", inChat); len(r) != 1 || r[0].Text != tm.text("en", "ask_sent", nil) {
		t.Fatalf("/ask in the investigators' chat: %+v", r)
	}
	inChat.Args, inChat.Edited = "1 ¿Qué día?", true
	if r := tm.as("2002", "Ana", inChat); len(r) != 0 {
		t.Errorf("the edited /ask was answered: %+v", r)
	}
	if got := tm.notices(reporterID); len(got) != 1 {
		t.Fatalf("the reporter was asked %d times: %q", len(got), got)
	}
}

// A message in an ordinary group edited to name the bot, or into a
// private command with a code, goes as a new one would: removed, and
// the group told.
func TestEditedGroupMessageIsRemovedAsNew(t *testing.T) {
	tm := newTeam(t)
	w, r := tm.inGroup("7001", "-100555", false, commands.Request{Text: "@VigiaBot el jefe es Juan Perez", Edited: true, MessageID: "9"})
	if !w.deleted || len(r) != 1 || r[0].Text != tm.text("en", "group_private_only_removed", nil) {
		t.Errorf("an edit naming the bot: deleted %v, %+v", w.deleted, r)
	}
	w, r = tm.inGroup("7001", "-100555", false, commands.Request{Command: "status", Args: "ABCD-EFGH-JKLM-NPQR", Edited: true, MessageID: "10"})
	if !w.deleted || len(r) != 1 || r[0].Text != tm.text("en", "private_only_command_removed", nil) {
		t.Errorf("an edit into /status CODE: deleted %v, %+v", w.deleted, r)
	}
}

// A team member who edits a message in their private chat with the bot
// (a command with a typo) is told that an edit runs nothing again, not
// the reporter's advice to cancel their tip; a reporter still is.
func TestEditInPrivateIsAnsweredForTheTeam(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	tm.tipWithQuestions()
	for _, who := range []string{"2002", adminID} {
		if r := tm.as(who, "Ana", commands.Request{Edited: true, MessageID: "41"}); len(r) != 1 || r[0].Text != tm.text("en", "edit_not_applied_team", nil) {
			t.Errorf("%s edited a command: %q", who, texts(r))
		}
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Edited: true, MessageID: "41"}); len(r) != 1 || r[0].Text != tm.text("en", "edit_not_applied", nil) {
		t.Errorf("the reporter edited a message: %q", texts(r))
	}
}
