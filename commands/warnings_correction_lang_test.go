package commands_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A community whose subscription names no language gets the warning in
// the bot's default language, and the correction too.
// Mutation: withdraw localising with w.Sub.Language alone → the
// correction goes out in go-i18n's fallback (English), not Spanish.
func TestCorrectionInTheDefaultLanguageWhenTheCommunityHasNone(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	clk := &clock{t: time.Now()}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "w", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "es", Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	platform := &community{}
	mux.AddSender("telegram", platform)
	if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-1"}); err != nil {
		t.Fatal(err)
	}
	w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "retén falso en la carretera", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	day := clk.Now().UTC().Format("2006-01-02")
	if a, err := st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv"}, Needed: 1}); err != nil || !a.Started {
		t.Fatal(a, err)
	}
	if err := mux.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Retracted(ctx, w.TipID, storage.Claimer{Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	clk.Add(commands.PerChatGap) // the chat's next turn
	if err := mux.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	want := msg.Localize("es", "broadcast_correction_of", map[string]any{"Date": day, "Text": "retén falso en la carretera"})
	if !slices.Contains(platform.got["-1"], want) {
		t.Errorf("-1 got %q, want the correction in Spanish", platform.got["-1"])
	}
}
