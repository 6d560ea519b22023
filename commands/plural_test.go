package commands_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Counts and lengths of time read right in every language, whatever the
// settings: "after 1 minute", "après 1 minute", never "1 minutes"; a
// delay of 90 minutes is not rounded to "1 hour".
func TestCountsReadRight(t *testing.T) {
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{6}, 32))
	clk := &clock{t: time.Now()}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "n", DraftIdle: time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	limits := commands.DefaultLimits
	limits.MaxParts = 1
	p := &platform{recorder: &recorder{}}
	mux := commands.New(commands.Options{
		Store: st, Messages: msg, Now: clk.Now, DefaultLanguage: "en", Limits: limits,
		Roles:        commands.Roles{"telegram:" + adminID: commands.Admin},
		Triage:       commands.Triage{InviteTTL: time.Hour},
		SecondFactor: commands.SecondFactor{Required: true, UnlockFor: 30 * time.Minute},
	})
	mux.AddSender("telegram", p)
	e := &env{t: t, mux: mux, store: st, msg: msg, clk: clk, logs: &bytes.Buffer{}}
	ctx := context.Background()
	say := func(user, lang string, req commands.Request) string {
		t.Helper()
		req.UserChat, req.Language = user, lang
		r := e.do(user, req)
		if len(r) == 0 {
			t.Fatalf("no answer to %+v", req)
		}
		return r[0].Text
	}
	has := func(what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", what, got, w)
			}
		}
	}

	// Drafts idle for VIGIA_DRAFT_IDLE=1m; a draft holds one message here.
	say("7101", "en", commands.Request{Text: "uno"})
	has("full draft (en)", say("7101", "en", commands.Request{Text: "dos"}), "at most 1 message and 20000 characters")
	say("7102", "fr", commands.Request{Text: "un"})
	has("full draft (fr)", say("7102", "fr", commands.Request{Text: "deux"}), "(1 message et 20000 caractères au maximum)")
	clk.Add(time.Minute + time.Second)
	if n, err := mux.ExpireDrafts(ctx, time.Minute); err != nil || n != 2 {
		t.Fatalf("ExpireDrafts = %d, %v", n, err)
	}
	has("expiry notice (en)", p.sent["7101"][0].Text, "after 1 minute without activity")
	has("expiry notice (fr)", p.sent["7102"][0].Text, "après 1 minute sans activité")

	has("/wipe 90m", say("7101", "en", commands.Request{Command: "wipe", Args: "90m", MessageID: "9"}), "deleted in 90 minutes.")
	has("/wipe 1h", say("7102", "fr", commands.Request{Command: "wipe", Args: "1h", MessageID: "9"}), "effacée dans 1 heure.")

	// VIGIA_INVITE_TTL=1h, VIGIA_UNLOCK_PERIOD=30m.
	e.do(adminID, commands.Request{Command: "enroll", UserChat: adminID}) // the key goes by a message of its own
	secret := strings.ReplaceAll(secretRE.FindString(p.sent[adminID][0].Text), " ", "")
	code, _ := totp.GenerateCode(secret, clk.Now())
	has("unlocked", say(adminID, "es", commands.Request{Command: "unlock", Args: code}), "durante 30 minutos,")
	has("invitation", say(adminID, "pt-BR", commands.Request{Command: "invite"}), "válido por 1 hora:")
}
