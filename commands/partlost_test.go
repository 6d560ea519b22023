package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// lostReply is a store on which the next draft write (lose) runs in
// Redis but its reply is lost (a timeout: the request hears it failed);
// unreadable: the draft cannot be read after it either.
// unwritten: the write itself failed (not run).
type lostReply struct {
	*storage.Store
	lose, unreadable, unwritten atomic.Bool
	lost                        atomic.Bool
}

func (s *lostReply) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	if !s.lose.CompareAndSwap(true, false) {
		return s.Store.AddToDraft(ctx, p, d)
	}
	if !s.unwritten.Load() {
		if _, err := s.Store.AddToDraft(ctx, p, d); err != nil {
			return storage.Draft{}, err
		}
	}
	s.lost.Store(true)
	return storage.Draft{}, fmt.Errorf("add to draft: %w", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded})
}

func (s *lostReply) DraftWithPart(ctx context.Context, p string, eventID int64) (storage.Draft, bool, error) {
	if s.unreadable.Load() && s.lost.Load() {
		return storage.Draft{}, false, fmt.Errorf("draft part: %w", context.DeadlineExceeded)
	}
	return s.Store.DraftWithPart(ctx, p, eventID)
}

// lostReplyMux is an engine (English) on a lostReply store over a real
// redis-server, with a spool (routed as main routes it) if spooled.
func lostReplyMux(t *testing.T, spooled bool) (*lostReply, *storage.Spool, *commands.Mux, *bytes.Buffer) {
	t.Helper()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "l"})
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &lostReply{Store: st}
	msg, _ := loadMessages()
	logs := &bytes.Buffer{}
	o := commands.Options{Store: s, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(logs, nil))}
	var sp *storage.Spool
	if spooled {
		var err error
		if sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
			t.Fatal(err)
		}
		o.Spool = sp
	}
	mux := commands.New(o)
	if sp != nil {
		sp.RouteWith(mux.RouteSpooled)
	}
	return s, sp, mux, logs
}

func sayAs(mux *commands.Mux, user string, req commands.Request) []commands.Reply {
	req.Platform, req.UserID, req.ChatID, req.UserChat = "telegram", user, user, user
	rec := &recorder{}
	mux.Handle(context.Background(), req, rec)
	return rec.take()
}

// A typed message (not held) whose draft write ran but whose reply was
// lost, with no spool: one read finds the part in the draft, and the
// reporter is told it was added, with the notes a write that answered
// would have given (their own name in their words); told it was NOT
// saved, they would send it again and the draft hold it twice. Not
// written, it was NOT saved, which is true; the draft not readable
// either, that it may already be in their tip. A reply to one of the
// bot's messages (not held: no question open) is looked for the same way.
// Mutation: keepPart without the look (partUnsure) → this test fails.
func TestTypedMessageWhosePartReplyWasLostIsToldWhatIsKnown(t *testing.T) {
	msg, _ := loadMessages()
	added := msg.Localize("en", "own_name_in_text", nil) + "\n\n" + msg.Localize("en", "draft_added", nil, 2)
	for _, c := range []struct {
		name                  string
		unwritten, unreadable bool
		reply                 bool
		want                  string
		parts                 int
	}{
		{"in the draft", false, false, false, added, 2},
		{"a reply, in the draft", false, false, true, added, 2},
		{"not written", true, false, false, msg.Localize("en", "error_storage", nil), 1},
		{"a reply, not written", true, false, true, msg.Localize("en", "error_storage", nil), 1},
		{"not readable", false, true, false, msg.Localize("en", "held_part_unknown", nil), 2},
		{"a reply, not readable", false, true, true, msg.Localize("en", "held_part_unknown", nil), 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, mux, logs := lostReplyMux(t, false)
			ctx := context.Background()
			if r := sayAs(mux, "81", commands.Request{Name: "Rosa Paredes", Text: "Cobran piso en la farmacia", EventID: 8100}); len(r) != 1 || press(r, "send:") == "" {
				t.Fatalf("a first message: %+v", r)
			}
			s.lose.Store(true)
			s.unwritten.Store(c.unwritten)
			s.unreadable.Store(c.unreadable)
			r := sayAs(mux, "81", commands.Request{Name: "Rosa Paredes", Text: "Rosa Paredes los vio el lunes", EventID: 8101, ReplyToBot: c.reply, ReplyToID: "m1"})
			if len(r) != 1 || r[0].Text != c.want {
				t.Fatalf("its write's reply lost: %q, want %q", texts(r), c.want)
			}
			if d, err := s.Draft(ctx, s.Pseudonym("telegram", "81")); err != nil || d.Parts != c.parts {
				t.Fatalf("the draft %+v %v, want %d parts", d, err, c.parts)
			}
			if strings.Contains(logs.String(), "Rosa") || strings.Contains(logs.String(), "lunes") {
				t.Fatalf("the log holds the message or the name: %s", logs)
			}
		})
	}
}

// With a spool, a typed message whose draft write ran but whose reply was
// lost is looked for in the draft before it is spooled: found, it is kept
// there as any message is (the reporter told it was added, with its
// notes), and not spooled as a tip of its own besides. Not to be read,
// it is spooled as before, and its receipt leads to a tip of it at the
// replay, while the draft's Send leaves it out: neither lost, nor in two
// tips.
// Mutation: the spool path without the look → "in the draft" fails.
func TestSpooledMessageWhosePartReplyWasLostIsKeptOnce(t *testing.T) {
	msg, _ := loadMessages()
	t.Run("in the draft", func(t *testing.T) {
		s, sp, mux, _ := lostReplyMux(t, true)
		ctx := context.Background()
		if r := sayAs(mux, "81", commands.Request{Name: "Rosa Paredes", Text: "Cobran piso en la farmacia", EventID: 8100}); len(r) != 1 || press(r, "send:") == "" {
			t.Fatalf("a first message: %+v", r)
		}
		s.lose.Store(true)
		r := sayAs(mux, "81", commands.Request{Name: "Rosa Paredes", Text: "Rosa Paredes los vio el lunes", EventID: 8101})
		want := msg.Localize("en", "own_name_in_text", nil) + "\n\n" + msg.Localize("en", "draft_added", nil, 2)
		if len(r) != 1 || r[0].Text != want {
			t.Fatalf("its write's reply lost: %q, want %q", texts(r), want)
		}
		if sp.Len() != 0 {
			t.Fatalf("spooled too: %d entries", sp.Len())
		}
		d, err := s.Draft(ctx, s.Pseudonym("telegram", "81"))
		if err != nil || d.Parts != 2 {
			t.Fatalf("the draft %+v %v, want 2 parts", d, err)
		}
		r = sayAs(mux, "81", commands.Request{Callback: "send:" + d.ID, EventID: 8102})
		tip, err := s.TipByReceipt(ctx, codeRE.FindString(texts(r)[0]))
		if err != nil || !strings.Contains(tip.Content.Text(), "farmacia") || !strings.Contains(tip.Content.Text(), "lunes") {
			t.Fatalf("the draft's tip: %q %v", tip.Content.Text(), err)
		}
	})
	t.Run("not readable", func(t *testing.T) {
		s, sp, mux, _ := lostReplyMux(t, true)
		ctx := context.Background()
		if r := sayAs(mux, "81", commands.Request{Text: "Cobran piso en la farmacia", EventID: 8100}); len(r) != 1 || press(r, "send:") == "" {
			t.Fatalf("a first message: %+v", r)
		}
		s.lose.Store(true)
		s.unreadable.Store(true)
		r := sayAs(mux, "81", commands.Request{Text: "Los vieron el lunes", EventID: 8101})
		code := codeRE.FindString(texts(r)[0])
		if len(r) != 1 || r[0].Text != msg.Localize("en", "spool_received", map[string]any{"Receipt": code}) {
			t.Fatalf("its write's reply lost, the draft not readable: %q", texts(r))
		}
		s.unreadable.Store(false)
		if n, err := sp.Replay(ctx, s.Store); err != nil || n != 1 {
			t.Fatalf("replay: %d %v", n, err)
		}
		if tip, err := s.TipByReceipt(ctx, code); err != nil || tip.Content.Text() != "Los vieron el lunes" {
			t.Fatalf("the spooled tip %s: %q %v", code, tip.Content.Text(), err)
		}
		d, err := s.Draft(ctx, s.Pseudonym("telegram", "81"))
		if err != nil {
			t.Fatal(err)
		}
		r = sayAs(mux, "81", commands.Request{Callback: "send:" + d.ID, EventID: 8102})
		tip, err := s.TipByReceipt(ctx, codeRE.FindString(texts(r)[0]))
		if err != nil || tip.Content.Text() != "Cobran piso en la farmacia" {
			t.Fatalf("the draft's tip: %q %v, want the first message alone", tip.Content.Text(), err)
		}
		if list, _ := s.Recent(ctx, 10); len(list) != 2 {
			t.Fatalf("%d tips, want 2", len(list))
		}
	})
}
