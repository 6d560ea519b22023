package commands_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// keepsCopies is a platform where the bot cannot delete its messages
// (Telegram: older than 48 hours, or no right to delete): every copy of
// a retracted warning stays in view.
type keepsCopies struct{ c *community }

func (k keepsCopies) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	return k.c.Send(ctx, chat, r)
}

// A community that got several warnings, whose copies could not be
// deleted, must tell which one a correction withdraws: it names it by the
// date of its copy's header and its first words, and nothing else, and
// answers the copy (a reply, where the platform shows one).
// Mutation: withdraw posting "broadcast_correction" (the correction that
// names no warning) → the community cannot tell which to disregard; with
// no ReplyTo → the correction does not answer its copy.
func TestCorrectionNamesTheRetractedWarning(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	clk := &clock{t: time.Date(2026, 3, 14, 23, 30, 0, 0, time.UTC)}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "w", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	platform := &community{}
	mux.AddSender("telegram", keepsCopies{platform})
	for _, sub := range []storage.Subscription{{Platform: "telegram", Chat: "-1", Language: "en"}, {Platform: "telegram", Chat: "-2", Language: "fr"}} {
		if err := st.Subscribe(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	warnings := []string{
		"Halcones  vigilando\nla entrada del mercado central desde las ocho, eviten la calle Juárez",
		"Retén falso en la carretera federal esta noche",
		strings.Repeat("a", 100) + " fin",
	}
	for i, text := range warnings {
		w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), text, "es", int64(i+1), "")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv"}, Needed: 1}); err != nil || !a.Started {
			t.Fatal(a, err)
		}
		for range 3 {
			clk.Add(commands.PerChatGap)
			if err := mux.BroadcastOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		clk.Add(time.Hour) // the next one is verified the next day (UTC)
	}
	if got := platform.got["-1"]; len(got) != 3 {
		t.Fatalf("-1 got %q, want the three warnings", got)
	}
	for _, id := range []string{"1", "3"} {
		if _, err := st.Retracted(ctx, id, storage.Claimer{Name: "Ana"}); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		clk.Add(commands.PerChatGap)
		if err := mux.BroadcastOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{
		"-1": {
			msg.Localize("en", "broadcast_correction_of", map[string]any{"Date": "2026-03-14", "Text": "Halcones vigilando la entrada del mercado central desde…"}),
			msg.Localize("en", "broadcast_correction_of", map[string]any{"Date": "2026-03-15", "Text": strings.Repeat("a", 80) + "…"}),
		},
		"-2": {
			msg.Localize("fr", "broadcast_correction_of", map[string]any{"Date": "2026-03-14", "Text": "Halcones vigilando la entrada del mercado central desde…"}),
			msg.Localize("fr", "broadcast_correction_of", map[string]any{"Date": "2026-03-15", "Text": strings.Repeat("a", 80) + "…"}),
		},
	}
	for chat, corrections := range want {
		got := platform.got[chat][3:]
		if len(got) != 2 {
			t.Fatalf("%s got %q after the retraction, want two corrections", chat, got)
		}
		// Either order: each names its own warning.
		if !(got[0] == corrections[0] && got[1] == corrections[1]) && !(got[0] == corrections[1] && got[1] == corrections[0]) {
			t.Errorf("%s got %q, want %q", chat, got, corrections)
		}
		// Each answers the copy of the warning it names: the first and the
		// third warnings sent there.
		copyOf := map[string]string{corrections[0]: platform.sent[chat][0][0], corrections[1]: platform.sent[chat][2][0]}
		for i, c := range got {
			if to := platform.replyTo[chat][3+i]; to != copyOf[c] {
				t.Errorf("%s: correction %q replies to %q, want its copy %q", chat, c, to, copyOf[c])
			}
		}
		for _, c := range got {
			if strings.Contains(c, "Retén") || strings.Contains(c, "Juárez") || strings.Contains(c, "\n") {
				t.Errorf("%s: correction %q quotes more than the retracted warning's first words, on one line", chat, c)
			}
		}
	}
}
