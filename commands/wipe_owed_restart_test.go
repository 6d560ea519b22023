package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A wipe during a Redis outage owes its discard (the unsent draft), and
// Redis takes neither the discard nor its record: it is kept in the
// spool, sealed, so that the process restarted before Redis is back (a
// crash, a redeploy) still owes it. Redis back, the restarted process
// discards the draft silently instead of telling the wiped chat that it
// expired unsent, and the spool forgets it.
// Mutations: keepOwed not keeping the discard in the spool, or New not
// reading it back → the restarted process sends draft_expired into the
// wiped chat; discardOwed not settling it in the spool → the file stays.
func TestWipeOwedDiscardOutlivesARestartDuringAnOutage(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	clk := &clock{t: time.Now()}
	msg, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := &platform{recorder: &recorder{}}
	logs := &bytes.Buffer{}
	// start is the process starting (Redis must answer: serve's Init).
	start := func() (*storage.Store, *commands.Mux) {
		t.Helper()
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "wr", Retention: 90 * 24 * time.Hour, DraftIdle: 30 * time.Minute, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		sp, err := storage.OpenSpool(dir, kr)
		if err != nil {
			t.Fatal(err)
		}
		mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Now: clk.Now, Spool: sp,
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		mux.AddSender("telegram", p)
		return st, mux
	}
	st, mux := start()
	do := func(mux *commands.Mux, req commands.Request) []commands.Reply {
		req.Platform, req.UserID, req.ChatID, req.UserChat, req.Language = "telegram", wiperID, wiperID, wiperID, "en"
		if req.Command != "" {
			req.CommandAtStart = true
		}
		rec := &recorder{}
		mux.Handle(ctx, req, rec)
		return rec.take()
	}
	if r := do(mux, commands.Request{Text: "El dueño se llama Ramiro", EventID: 1, MessageID: "45"}); press(r, "send:") == "" {
		t.Fatalf("the draft: %+v", r)
	}
	pseudonym := st.Pseudonym("telegram", wiperID)

	srv.Stop()
	if r := do(mux, commands.Request{Command: "wipe", EventID: 2, MessageID: "46"}); len(r) != 0 {
		t.Fatalf("the wipe answered %+v", r)
	}
	if _, w := p.took(); len(w) != 1 {
		t.Fatalf("the chat was not wiped: %v", w)
	}
	if _, err := os.Stat(filepath.Join(dir, "tips.spool.discards")); err != nil {
		t.Fatalf("the discard owed is not in the spool: %v", err)
	}

	// The process stops before Redis is back, and starts again once it is.
	srv.Restart()
	st, mux = start()
	if _, err := st.Draft(ctx, pseudonym); err != nil {
		t.Fatalf("the draft is gone already (%v): the failure was not reproduced", err)
	}
	clk.Add(time.Hour) // past the drafts' idle time (30 min)
	if _, err := mux.ExpireDrafts(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if s := p.sent[wiperID]; len(s) != 0 {
		t.Fatalf("after the wipe and a restart, the bot wrote into the wiped chat: %+v", s)
	}
	if _, err := st.Draft(ctx, pseudonym); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Redis still holds the unsent draft (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tips.spool.discards")); !os.IsNotExist(err) {
		t.Fatalf("done, the discard is still in the spool: %v", err)
	}
	if owed, err := st.DiscardsOwed(ctx); err != nil || len(owed) != 0 {
		t.Fatalf("discards still owed in Redis: %d %v", len(owed), err)
	}
	if l := logs.String(); !strings.Contains(l, "kept in the spool until it is") || strings.Contains(l, wiperID) || strings.Contains(l, pseudonym) {
		t.Fatalf("the log:\n%s", l)
	}
}
