package commands_test

import (
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// An answer (after Answer, or /reply) and a /warn sent as a reply to a
// message in another chat quoting none of its words (Request.QuoteLost)
// go with the reporter's words, and the reporter is told the other
// message's did not come, as a tip's message is (bdb69fc): the
// investigator who asked "what did he write you?" does not read it.
// Sent so with its words quoted, or replying to nothing elsewhere, they
// are answered as before.
// Mutation: quoteLostNote returning "" -> the answer after Answer, the
// /reply and the /warn are answered without quote_not_received, fails.
// An answer is told in words of its own (quote_not_received_answer: the
// investigators did not get them), a warning too
// (quote_not_received_warning: received without them), not a tip's
// "reply to it again". Mutation: followup.go and warnings.go passing
// "quote_not_received" (as before) -> the three are told the tip's
// words, fails.
func TestAnAnswerOrWarningFromAnotherChatWithoutAQuoteIsToldSo_rev2(t *testing.T) {
	tm, receipt := questioned(t, "¿Qué le escribió?")
	note := "\n\n" + tm.text("en", "quote_not_received_answer", nil)
	warnNote := "\n\n" + tm.text("en", "quote_not_received_warning", nil)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "esto me mandó", QuoteLost: true}); len(r) != 1 || r[0].Text != tm.text("en", "answer_done", nil)+note {
		t.Errorf("an answer after Answer: %q", texts(r))
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Y después?"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " y esto", QuoteLost: true}); len(r) != 1 || r[0].Text != tm.text("en", "answer_done", nil)+note {
		t.Errorf("/reply: %q", texts(r))
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿Cuándo?"})
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "reply", Args: receipt + " el lunes", Quote: "te vemos el lunes"}); !tm.answered(r) {
		t.Errorf("/reply quoting: %q", texts(r))
	}
	for i, c := range []struct {
		lost bool
		want string
	}{{true, warnNote}, {false, ""}} {
		user := "744" + string(rune('0'+i))
		r := tm.as(user, "Rosa", commands.Request{Command: "warn", Args: "hay halcones en la plaza", QuoteLost: c.lost})
		code := receiptRE.FindString(r[0].Text)
		if want := tm.text("en", "warn_received", map[string]any{"Receipt": code}) + c.want + "\n\n" + tm.text("en", "warn_advice", nil); len(r) != 1 || code == "" || r[0].Text != want {
			t.Errorf("/warn (quote lost: %v): %q, want %q", c.lost, texts(r), want)
		}
	}
}

// The three notes of a quote lost read differently in every language:
// an answer's and a warning's are not a tip's.
func TestQuoteLostNotesDifferByWhatWasSent_quotes(t *testing.T) {
	msg, _ := loadMessages()
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		tip := msg.Localize(lang, "quote_not_received", nil)
		answer := msg.Localize(lang, "quote_not_received_answer", nil)
		warning := msg.Localize(lang, "quote_not_received_warning", nil)
		if answer == "quote_not_received_answer" || warning == "quote_not_received_warning" || tip == answer || tip == warning || answer == warning {
			t.Errorf("%s: %q, %q, %q", lang, tip, answer, warning)
		}
	}
}
