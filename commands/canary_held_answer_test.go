package commands_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// The canary of tests/canary_test.go, on the engine's write paths its
// end-to-end run reaches none of: a held reply's schedule ({prefix}:held)
// and sealed marks through its reminder (a first send refused, logged,
// then sent) and its end notice; and an answer delivered again after a
// restart in an outage, spooled and replayed (its x:a mark, its receipt
// marked NoTipAnswer). Neither Redis (keys and values) nor the log holds
// the reporter's chat id, name, message id, words or receipt code, in any
// form a leak takes.

// canaryForms is s as it may leak: in clear, lower- and upper-cased,
// hex, base64; a number in hex too (as storage's leakForms).
func canaryForms(s string) []string {
	forms := []string{s, strings.ToLower(s), strings.ToUpper(s), hex.EncodeToString([]byte(s)),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		forms = append(forms, strconv.FormatInt(n, 16))
	}
	return forms
}

// checkCanaries fails t if Redis or logs hold any form of a canary.
func checkCanaries(t *testing.T, tm *team, logs *bytes.Buffer, when string, canaries ...string) {
	t.Helper()
	dump, err := tm.srv.Dump(context.Background())
	if err != nil || len(dump) == 0 {
		t.Fatalf("%s: dump: %d keys, %v", when, len(dump), err)
	}
	for _, c := range canaries {
		for _, f := range canaryForms(c) {
			for k, v := range dump {
				if strings.Contains(k, f) || bytes.Contains(v, []byte(f)) {
					t.Errorf("%s: Redis key %q holds %q (of %q)", when, k, f, c)
				}
			}
			if strings.Contains(logs.String(), f) {
				t.Errorf("%s: the log holds %q (of %q)", when, f, c)
			}
		}
	}
}

// Mutation: the held schedule's member carrying the message's route
// (HeldRef.ID = h.Route + h.ID in holdReply) -> this fails ({prefix}:held
// holds the chat id). Mutation: the sweep's refused-send warning logging
// the route ("route", h.Route) -> this fails (the log holds the chat id).
func TestHeldReplySweptToItsEndKeepsNoCanary(t *testing.T) {
	tm := unlinkedQuestion(t)
	const (
		chat  = "5550987654321"
		msg   = "918273645"
		name  = "Rosalinda Quintero"
		words = "Lo vi en la bodega azul de Tlaquepaque"
	)
	canaries := []string{chat, msg, name, words, "bodega azul", "Tlaquepaque"}
	r := tm.as(reporterID, name, commands.Request{Text: words, ReplyToBot: true, ReplyToID: "m1", MessageID: msg, ChatID: chat})
	if press(r, "ansh:1") == "" {
		t.Fatalf("a swipe-reply to the unlinked question: %q", texts(r))
	}
	ctx := context.Background()
	if due := tm.srv.Client().ZCard(ctx, "w:held").Val(); due != 1 {
		t.Fatalf("%d held messages scheduled: the test proves nothing of the schedule", due)
	}
	checkCanaries(t, tm, tm.logs, "held", canaries...)

	// The reminder refused by the platform first (logged), then sent.
	d := &duringSend{recorder: tm.sent, chat: chat, during: func() {}, err: errors.New("telegram sendMessage: 502 Bad Gateway")}
	tm.mux.AddSender("telegram", d)
	tm.clk.Add(heldWindow - time.Hour)
	sweepHeld(t, tm.mux)
	if !strings.Contains(tm.logs.String(), "not reminded or told") {
		t.Fatalf("no warning of the refused reminder: the test proves nothing of it\n%s", tm.logs)
	}
	checkCanaries(t, tm, tm.logs, "reminder refused", canaries...)
	d.mu.Lock()
	d.err = nil
	d.mu.Unlock()
	tm.clk.Add(3 * time.Minute) // past the take's lease
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(chat); len(s) != 1 || s[0].ReplyTo != msg {
		t.Fatalf("the reminder, to the chat the message came from: %+v", s)
	}
	checkCanaries(t, tm, tm.logs, "reminded", canaries...)

	// Its end: told, and deleted (its schedule entry too).
	tm.clk.Add(2 * time.Hour)
	sweepHeld(t, tm.mux)
	if s := tm.takeSent(chat); len(s) != 1 || s[0].ReplyTo != msg || len(s[0].Buttons) != 0 {
		t.Fatalf("the end notice: %+v", s)
	}
	if due := tm.srv.Client().ZCard(ctx, "w:held").Val(); due != 0 {
		t.Fatalf("%d held messages still scheduled after the end", due)
	}
	checkCanaries(t, tm, tm.logs, "ended", canaries...)
}

// (The event id is left out: a reporter's state names its handled events
// by their platform update id, "x:" and it, by design.)
// Mutation: the receipt's NoTipAnswer mark keyed by the code itself
// (markReceiptNoTip and ReceiptNoTip: s.k.receiptNoTip(receipt), not its
// receiptID; /status still answers) -> this fails (a key holds the
// receipt code).
func TestAnswerReplayedAfterAnOutageKeepsNoCanary(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	if !tm.srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	tm.notices(reporterID)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	start := func() { // a process: what it remembers in memory is its own
		tm.mux = commands.New(commands.Options{Store: tm.store, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Spool: sp,
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Roles:  commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
		tm.mux.AddSender("telegram", tm.sent)
	}
	const (
		name  = "Rosalinda Quintero"
		words = "El lunes en la bodega azul de Tlaquepaque"
		event = 8877665544
	)
	start()
	tm.as(reporterID, name, commands.Request{Callback: "ans:1:1"})
	answer := commands.Request{Text: words, EventID: event, MessageID: "918273645"}
	if r := tm.as(reporterID, name, answer); !tm.answered(r) {
		t.Fatalf("the answer: %q", texts(r))
	}
	start()
	tm.srv.Stop()
	r := tm.as(reporterID, name, answer)
	receipt := codeRE.FindString(texts(r)[0])
	if len(r) != 1 || receipt == "" || sp.Len() != 1 {
		t.Fatalf("the answer delivered again in the outage: %q, %d spooled", texts(r), sp.Len())
	}
	tm.srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	if c, err := sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v: the test proves nothing of the answer's marks", c, err)
	}
	for _, cmd := range []string{"status", "forget"} {
		if r := tm.as(reporterID, name, commands.Request{Command: cmd, Args: receipt, CommandAtStart: true}); len(r) != 1 || !strings.Contains(r[0].Text, "answer") {
			t.Fatalf("/%s with the outage's receipt: %q", cmd, texts(r))
		}
	}
	tm.as(reporterID, name, answer) // delivered once more, Redis up
	checkCanaries(t, tm, logs, "replayed", name, words, "bodega azul", "Tlaquepaque", "918273645",
		receipt, strings.ReplaceAll(receipt, "-", ""))
}
