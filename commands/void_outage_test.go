package commands_test

import (
	"bytes"
	"context"
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

// An invitation code posted in a group while Redis is down cannot be
// voided then: the spool holds the voiding, as a keyed hash (never the
// code), and it is done when Redis is back, before the tips are replayed;
// meanwhile the code is refused. So for a code in a group's conversation
// and in a message to the bot alike.
func TestInvitationCodeSeenInAGroupDuringAnOutageIsVoidedOnceRedisIsBack(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{6}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "o"})
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp,
		Roles: commands.Roles{"telegram:1": commands.Admin}, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	var codes []string
	for range 2 {
		code, err := st.Invite(ctx, "investigator", st.Pseudonym("telegram", "1"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	srv.Stop()
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group,
		Text: "entren al equipo con " + codes[0], EventID: 300}, &adminReplier{recorder: &recorder{}})
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group, Addressed: true, NamesBot: true, NamedInText: true,
		Text: "@VigiaBot el código es " + codes[1], EventID: 301}, &adminReplier{recorder: &recorder{}})
	// Nothing on disk holds a code in clear.
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, code := range codes {
			if strings.Contains(strings.ToUpper(strings.ReplaceAll(string(b), "-", "")), strings.ReplaceAll(code, "-", "")) {
				t.Errorf("%s holds an invitation code in clear", d.Name())
			}
		}
		return nil
	})
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	// Back, not replayed yet: refused all the same.
	rec := &recorder{}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "4004", ChatID: "4004", UserChat: "4004", Name: "Eve", Command: "redeem", Args: codes[0], EventID: 302}, rec)
	if r := rec.take(); len(r) != 1 || r[0].Text != msg.Localize("en", "redeem_bad", nil) {
		t.Errorf("an invitation held to be voided, redeemed before the replay: %+v", r)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	for i, code := range codes {
		if _, err := st.Redeem(ctx, code, storage.Member{Platform: "telegram", UserID: "4004", Name: "Eve"}, nil); err == nil {
			t.Errorf("code %d, seen in a group during the outage, still works after the replay", i)
		}
	}
	if n := sp.VoidsWaiting(); n != 0 {
		t.Errorf("%d voidings still waiting after the replay", n)
	}
}
