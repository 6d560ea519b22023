package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A message that held only a receipt code (pasted to a question, to
// /reply, into a tip, to /warn, or in two goes and then Send) sends and
// keeps nothing, and the reporter is told so plainly in their language:
// nothing went, the code is never passed on, and what to do next. Not
// only "I left out the code", which reads as if an empty answer, part or
// warning went. The question stays open and the tip in progress as it
// was: the next words answer it, or join it.
func TestReceiptCodeAloneIsToldNothingWent(t *testing.T) {
	ctx := context.Background()
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		t.Run(lang, func(t *testing.T) {
			tm, receipt := questioned(t, "¿Qué día?")
			tm.as(reporterID, "Rosa", commands.Request{Command: "language", Args: lang})
			tm.notices(reporterID)
			said := func(what string, r []commands.Reply, id string) {
				t.Helper()
				if want := tm.text(lang, id, nil); len(r) != 1 || r[0].Text != want {
					t.Errorf("%s: %q, want %q", what, texts(r), want)
				}
			}

			// An answer: nothing reaches the asker; the question stays open.
			said("a reply to the question of the code alone", tm.reply("m1", receipt), "receipt_only_answer")
			said("/reply CODE CODE", tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " " + receipt}), "receipt_only_reply")
			tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			said("the code alone after Answer", tm.as(reporterID, "Rosa", commands.Request{Text: receipt}), "receipt_only_answer")
			if n := tm.notices("2002"); len(n) != 0 {
				t.Fatalf("Ana was told %q", n)
			}
			said("words after Answer", tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes"}), "answer_done")
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes") {
				t.Fatalf("Ana was told %q", n)
			}

			// A tip's message: nothing added, the tip in progress as it was.
			r := tm.as(reporterID, "Rosa", commands.Request{Text: "Venden armas en la esquina"})
			said("codes alone in a tip in progress", tm.as(reporterID, "Rosa", commands.Request{Text: receipt + ", " + receipt}), "receipt_only_message")
			tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")})
			if tip, err := tm.store.Tip(ctx, "2"); err != nil || tip.Content.Text() != "Venden armas en la esquina" {
				t.Fatalf("tip #2: %q (%v)", tip.Content.Text(), err)
			}
			said("codes alone, no tip in progress", tm.as(reporterID, "Rosa", commands.Request{Text: receipt + ", " + receipt}), "receipt_only_message")
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.text(lang, "draft_started", nil)) {
				t.Fatalf("the next message did not start a tip: %q", texts(r))
			}
			tm.as(reporterID, "Rosa", commands.Request{Command: "cancel"})

			// A warning of a code alone, and a code pasted in two goes then
			// Send: no tip.
			said("/warn CODE", tm.as(reporterID, "Rosa", commands.Request{Command: "warn", Args: receipt}), "receipt_only_warning")
			tm.as(reporterID, "Rosa", commands.Request{Text: receipt[:9]})
			r = tm.as(reporterID, "Rosa", commands.Request{Text: receipt[10:]})
			said("Send of a code in two goes", tm.as(reporterID, "Rosa", commands.Request{Callback: press(r, "send:")}), "receipt_only_draft")
			if _, err := tm.store.Tip(ctx, "3"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("tip #3 made of a code: %v", err)
			}
		})
	}
}
