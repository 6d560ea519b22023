package commands_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// The triage and publication buttons are team actions as typed commands
// are: they count toward the member's hourly limit on them, and past it
// the member is told (in their language, once) and nothing is done nor
// audited.
func TestButtonsCountTowardTheMemberLimit(t *testing.T) {
	for _, button := range []string{"tr:1:verified", "pub:1:0"} {
		t.Run(button, func(t *testing.T) { buttonCountsTowardTheMemberLimit(t, button) })
	}
}

func buttonCountsTowardTheMemberLimit(t *testing.T, button string) {
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "b"})
	st.Init(context.Background())
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en",
		Roles:  commands.Roles{"telegram:9": commands.Investigator},
		Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30, MaxChars: 20000, PartsPerHour: 300, TipsPerHour: 20, QueriesPerHour: 2}})
	ev := int64(0)
	do := func(req commands.Request) []commands.Reply {
		ev++
		req.Platform, req.UserID, req.ChatID, req.EventID, req.Language = "telegram", "9", "9", ev, "es"
		if req.Command != "" {
			req.CommandAtStart = true
		}
		rec := &recorder{}
		mux.Handle(context.Background(), req, rec)
		return rec.take()
	}
	limited := msg.Localize("es", "rate_limited", nil)
	if r := do(commands.Request{Command: "queue"}); len(r) == 0 || r[0].Text == limited {
		t.Fatalf("a first command: %q", texts(r))
	}
	if r := do(commands.Request{Callback: button}); len(r) == 0 || r[0].Text == limited {
		t.Fatalf("a first press: %q", texts(r))
	}
	if r := do(commands.Request{Callback: button}); len(r) != 1 || r[0].Text != limited {
		t.Fatalf("a press past the limit: %q, want %q", texts(r), limited)
	}
	if r := do(commands.Request{Callback: button}); len(r) != 0 {
		t.Fatalf("told twice: %q", texts(r))
	}
	if r := do(commands.Request{Command: "queue"}); len(r) != 0 {
		t.Fatalf("a command after the presses: %q", texts(r))
	}
	if entries, err := st.AuditLog(context.Background(), 10); err != nil || len(entries) != 2 {
		t.Fatalf("audited: %+v %v, want the first command and press", entries, err)
	}
}
