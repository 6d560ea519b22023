package commands_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// partsSeen records the text of each part added to a draft, as the engine
// hands it to the store (sealed there).
type partsSeen struct {
	commands.Store
	mu    sync.Mutex
	texts []string
}

func (s *partsSeen) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	s.mu.Lock()
	s.texts = append(s.texts, d.Part.Text)
	s.mu.Unlock()
	return s.Store.AddToDraft(ctx, p, d)
}

func (s *partsSeen) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.texts
	s.texts = nil
	return out
}

// "/report <words>" sent as a reply in another chat, quoting the words
// it answers there (a threat, say), keeps those words in the tip, first,
// as quoted, as the same message without the command does: the reporter
// quoted them to report them. With no words of its own the quote is the
// tip (not "write it as a message", the quote dropped), and so it is in
// a command kept as words ("hola /cancelar …"). A bare "/report" whose
// file from there could not come is told so. Another command quoting
// (/help) keeps nothing.
// Mutations: report() keeping Args alone (as before) -> the quote is not
// in the part, the test fails; reportWithWords not counting Quote -> a
// bare "/report" quoting answers report_how, the test fails; route not
// putting the quote before a command kept as words -> fails.
func TestReportKeepsTheWordsItQuotesFromAnotherChat_telegram(t *testing.T) {
	var seen *partsSeen
	e := newEnv(t, func(s commands.Store) commands.Store { seen = &partsSeen{Store: s}; return seen })
	const quote = "te vamos a matar\nsi no pagas"
	const quoted = "> te vamos a matar\n> si no pagas"
	for i, c := range []struct {
		name string
		req  commands.Request
		want string // the part kept; "" none
	}{
		{"/report <words>", commands.Request{Command: "report", Args: "me llegó esto", Text: "/report me llegó esto"}, quoted + "\n\nme llegó esto"},
		{"a bare /report", commands.Request{Command: "report", Text: "/report"}, quoted},
		{"/denunciar <words>", commands.Request{Command: "denunciar", Args: "del 5512345678", Text: "/denunciar del 5512345678"}, quoted + "\n\ndel 5512345678"},
		{"a command after words", commands.Request{Command: "cancelar", Args: "el contrato", Text: "dijo que /cancelar el contrato", TextBefore: "dijo que", WordsBefore: true}, quoted + "\n\ndijo que /cancelar el contrato"},
		{"/help", commands.Request{Command: "help", Text: "/help"}, ""},
	} {
		user := "77" + string(rune('0'+i))
		c.req.Quote = quote
		c.req.CommandAtStart = !c.req.WordsBefore
		r := e.do(user, c.req)
		parts := seen.take()
		_, draftErr := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", user))
		if c.want == "" {
			if len(parts) != 0 || !errors.Is(draftErr, storage.ErrNotFound) {
				t.Errorf("%s: parts %q kept (draft: %v), want none", c.name, parts, draftErr)
			}
			continue
		}
		if !slices.Equal(parts, []string{c.want}) || draftErr != nil {
			t.Errorf("%s: parts %q (draft: %v), want %q", c.name, parts, draftErr, c.want)
		}
		if len(r) == 0 || r[0].Text == e.text("es", "report_how", nil) {
			t.Errorf("%s: answered %+v", c.name, r)
		}
	}

	// A bare "/report" replying to a photo elsewhere, which the bot cannot
	// take from there: told the file was not received, nothing kept.
	r := e.do("7790", commands.Request{Command: "report", Text: "/report", FileLost: true})
	if parts := seen.take(); len(r) != 1 || r[0].Text != e.text("es", "file_not_received", nil) || len(parts) != 0 {
		t.Errorf("a bare /report with a file lost: answered %+v, parts %q; want file_not_received alone", r, parts)
	}
}
