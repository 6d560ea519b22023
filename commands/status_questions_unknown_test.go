package commands_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// questionsDown is a store that cannot read a tip's open questions while
// down is set (Redis failing after the tip was read).
type questionsDown struct {
	*storage.Store
	down bool
}

func (s *questionsDown) OpenQuestions(ctx context.Context, id string) ([]storage.Question, error) {
	if s.down {
		return nil, errors.New("open questions: connection refused")
	}
	return s.Store.OpenQuestions(ctx, id)
}

// /status whose tip's open questions cannot be read (Redis failing after
// the tip was read) says so, in the reporter's language, instead of
// showing the newest question (what the tip's record holds) as if it were
// the one to answer: it may be one whose time has ended, or one of
// several, which /reply CODE would not know how to answer. The tip's
// status is still shown; read again, the question is.
// Mutation: /status falling back to the newest question when they cannot
// be read -> fails (it shows the newest question alone, as if it were
// the one to answer).
func TestStatusSaysItCannotReadTheQuestions(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué día?")
	st := &questionsDown{Store: tm.store}
	tm.mux = commands.New(commands.Options{Store: st, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:-100777"}, Retention: 90 * 24 * time.Hour})
	tm.mux.AddSender("telegram", tm.sent)
	tm.clk.Add(8 * 24 * time.Hour) // "¿Qué día?" can no longer be answered
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Qué hora?"})
	tm.notices(reporterID)
	st.down = true
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		tm.as(reporterID, "Rosa", commands.Request{Command: "language", Args: lang})
		r := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt})
		unknown := tm.text(lang, "status_questions_unknown", nil)
		if len(r) != 1 || !strings.Contains(r[0].Text, unknown) || strings.Contains(r[0].Text, "¿Qué") {
			t.Fatalf("/status in %s, questions unreadable: %q", lang, texts(r))
		}
	}
	tm.as(reporterID, "Rosa", commands.Request{Command: "language", Args: "en"})
	st.down = false
	r := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt})
	if len(r) != 1 || !strings.Contains(r[0].Text, tm.text("en", "status_question", map[string]any{"Question": "¿Qué hora?"})) || strings.Contains(r[0].Text, "¿Qué día?") {
		t.Fatalf("/status, questions readable: %q", texts(r))
	}
	if strings.Contains(tm.logs.String(), receipt) {
		t.Fatalf("the log names the receipt:\n%s", tm.logs)
	}
}
