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
	"github.com/vigia-project/vigia/tips"
)

// While Redis is down a tip is spooled (sealed, fsynced) and the reporter
// gets a receipt; investigator commands say storage is unavailable; once
// Redis is back the spool is replayed, exactly once.
func TestRedisOutageSpoolsTips(t *testing.T) {
	srv, st, sp, dir, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	say := func(user string, req commands.Request) string {
		req.Platform, req.UserID, req.ChatID = "telegram", user, user
		rec := &recorder{}
		mux.Handle(ctx, req, rec)
		return rec.take()[0].Text
	}
	srv.Stop()
	var receipts []string
	for i, text := range []string{"cobran piso en el mercado", "venden armas en la bodega"} {
		got := say("70"+string(rune('1'+i)), commands.Request{Text: text, EventID: int64(100 + i)})
		code := codeRE.FindString(got)
		if code == "" || got != msg.Localize("en", "spool_received", map[string]any{"Receipt": code}) {
			t.Fatalf("during the outage: %q", got)
		}
		receipts = append(receipts, code)
	}
	if got := say("9", commands.Request{Command: "recent", CommandAtStart: true}); got != msg.Localize("en", "error_storage_retry", nil) {
		t.Fatalf("investigator during the outage: %q", got)
	}
	// A receipt code sent alone (a status check without /status) is not
	// spooled as a tip: it could not be looked up, so: try again.
	if got := say("701", commands.Request{Text: receipts[0], EventID: 300}); got != msg.Localize("en", "error_storage_retry", nil) {
		t.Fatalf("a receipt code alone during the outage: %q", got)
	}
	// A reply to one of the bot's messages may answer a question, which
	// only Redis can tell: spooled, with the message it replied to, for
	// the replay to say (here no question: a tip); the Answer button says
	// to try again, not "no question".
	if got := say("701", commands.Request{Text: "el lunes a las nueve", ReplyToBot: true, ReplyToID: "m1", EventID: 302}); got != msg.Localize("en", "spool_received_reply", map[string]any{"Receipt": codeRE.FindString(got)}) {
		t.Fatalf("a reply to the bot during the outage: %q", got)
	}
	if got := say("701", commands.Request{Callback: "ans:1:1", EventID: 303}); got != msg.Localize("en", "error_storage_retry", nil) {
		t.Fatalf("the Answer button during the outage: %q", got)
	}
	if sp.Len() != 3 {
		t.Fatalf("spool holds %d", sp.Len())
	}
	raw, _ := readAll(dir)
	if bytes.Contains(raw, []byte("cobran")) || bytes.Contains(raw, []byte(receipts[0])) {
		t.Fatal("the spool holds text or a receipt in clear")
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for st.Ping(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	// Redis back, the replay not yet done: the receipt is known, by
	// /status or alone, not "no tip matches", nor kept as a new tip.
	if got := say("701", commands.Request{Command: "status", Args: receipts[0], CommandAtStart: true}); got != msg.Localize("en", "status_spooled", nil) {
		t.Fatalf("/status before the replay: %q", got)
	}
	if got := say("701", commands.Request{Text: receipts[1], EventID: 301}); got != msg.Localize("en", "status_spooled", nil) {
		t.Fatalf("a receipt code alone before the replay: %q", got)
	}
	if _, err := st.Draft(ctx, st.Pseudonym("telegram", "701")); err == nil {
		t.Fatal("the receipt code became a draft")
	}
	if got := say("701", commands.Request{Command: "forget", Args: receipts[0], CommandAtStart: true}); got != msg.Localize("en", "forget_spooled", nil) {
		t.Fatalf("/forget before the replay: %q", got)
	}
	n, err := sp.Replay(ctx, st)
	if err != nil || n != 3 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if got := say("701", commands.Request{Command: "status", Args: receipts[0], CommandAtStart: true}); got == msg.Localize("en", "status_spooled", nil) || strings.Contains(got, "No tip") {
		t.Fatalf("/status after the replay: %q", got)
	}
	if n, _ := sp.Replay(ctx, st); n != 0 {
		t.Fatalf("replayed twice: %d", n)
	}
	for i, code := range receipts {
		tip, err := st.TipByReceipt(ctx, code)
		if err != nil || !strings.Contains(tip.Content.Text(), []string{"cobran", "armas"}[i]) {
			t.Fatalf("receipt %s: %+v %v", code, tip, err)
		}
	}
	if list, _ := st.Recent(ctx, 10); len(list) != 3 {
		t.Fatalf("%d tips after replay", len(list))
	}
}

// During an outage a request that brought something to keep hears that it
// was NOT saved; one that did not (/status, /forget with a receipt in
// hand) hears only to try again, and that receipted tips are safe.
func TestOutageAnswerDependsOnTheRequest(t *testing.T) {
	srv, _, _, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	srv.Stop()
	const code = "ABCD-EFGH-JKMN-PQRS"
	for _, c := range []struct {
		user string
		req  commands.Request
		want string
	}{
		{"701", commands.Request{Command: "status", Args: code, CommandAtStart: true}, "error_storage_retry"},
		{"701", commands.Request{Command: "estado", Args: code, CommandAtStart: true}, "error_storage_retry"},
		{"701", commands.Request{Command: "forget", Args: code, CommandAtStart: true}, "error_storage_retry"},
		{"701", commands.Request{Command: "reply", Args: code + " la camioneta es blanca", CommandAtStart: true}, "error_storage"},
		{"9", commands.Request{Command: "note", Args: "1 visto otra vez", CommandAtStart: true}, "error_storage"},
		{"9", commands.Request{Command: "queue", CommandAtStart: true}, "error_storage_retry"},
	} {
		c.req.Platform, c.req.UserID, c.req.ChatID = "telegram", c.user, c.user
		rec := &recorder{}
		mux.Handle(ctx, c.req, rec)
		if got := rec.take(); len(got) != 1 || got[0].Text != msg.Localize("en", c.want, nil) {
			t.Errorf("/%s during the outage: %+v, want %s", c.req.Command, got, c.want)
		}
	}
}

func readAll(dir string) ([]byte, error) {
	return os.ReadFile(filepath.Join(dir, "tips.spool"))
}

// A message spooled during an outage and redelivered by the platform (the
// bot restarted before confirming it) is answered with the same receipt
// and becomes one tip, whether it comes back before or after the replay.
func TestRedeliveredSpooledMessageIsOneTip(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	say := func() []commands.Reply {
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "71", ChatID: "71", Text: "cobran piso en el mercado", EventID: 100}, rec)
		return rec.take()
	}
	srv.Stop()
	first := say()
	code := codeRE.FindString(first[0].Text)
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if again := say(); len(again) != 1 || again[0].Text != first[0].Text || code == "" {
		t.Fatalf("redelivered before the replay: %+v, first answer %+v", again, first)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	// After the replay: the same receipt again (the first answer may have
	// been lost in a crash), and no second tip.
	if again := say(); len(again) != 1 || again[0].Text != msg.Localize("en", "sent", map[string]any{"Receipt": code}) {
		t.Fatalf("redelivered after the replay: %+v, first answer %+v", again, first)
	}
	if _, err := st.Draft(ctx, st.Pseudonym("telegram", "71")); err == nil {
		t.Fatal("a redelivery started a draft")
	}
	if list, _ := st.Recent(ctx, 10); len(list) != 1 {
		t.Fatalf("%d tips", len(list))
	}
	if tip, err := st.TipByReceipt(ctx, code); err != nil || tip.Content.Text() != "cobran piso en el mercado" {
		t.Fatalf("receipt %s: %+v %v", code, tip, err)
	}
}

// spooling is an engine (English; telegram:9 an investigator) on a real
// redis-server the test can stop and restart, with a spool in dir.
func spooling(t *testing.T) (*redistest.Server, *storage.Store, *storage.Spool, string, *commands.Mux) {
	t.Helper()
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
		Roles: commands.Roles{"telegram:9": commands.Investigator}, Logger: slog.New(slog.DiscardHandler)})
	return srv, st, sp, dir, mux
}

// While Redis cannot say which code-like words are receipt codes, none is
// cut: a card number in a spooled tip is evidence, kept whole.
func TestSpooledTipKeepsCodeLikeWords(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	text := "me exigen depositar a la tarjeta 4152 3138 1234 5678 o a la cuenta AB12 CD34 EF56 GH78 cada semana"
	srv.Stop()
	rec := &recorder{}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "71", ChatID: "71", Text: text, EventID: 100}, rec)
	code := codeRE.FindString(rec.take()[0].Text)
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if tip, err := st.TipByReceipt(ctx, code); err != nil || tip.Content.Text() != text {
		t.Fatalf("spooled tip %s: %q %v", code, tip.Content.Text(), err)
	}
}

// A message spooled as a tip of its own while Redis hung, whose draft
// write still landed when Redis resumed, is not sent again with the draft
// when the reporter presses Send before the replay: one message, one tip.
func TestGhostPartSentBeforeTheReplayIsOneTip(t *testing.T) {
	_, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "72")
	r := do(commands.Request{Text: "en la colonia centro", EventID: 1})
	send := press(r, "send:")
	p := st.Pseudonym("telegram", "72")
	// The handler of event 2 gave up on Redis and spooled the message; its
	// draft write ran when Redis came back.
	ghost := "cobran piso en la tienda"
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Part: tips.Part{Text: ghost}}); err != nil {
		t.Fatal(err)
	}
	spooled, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 2, Part: tips.Part{Text: ghost}})
	if err != nil {
		t.Fatal(err)
	}
	r = do(commands.Request{Callback: send, EventID: 3})
	sent := codeRE.FindString(r[0].Text)
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if tip, err := st.TipByReceipt(ctx, sent); err != nil || tip.Content.Text() != "en la colonia centro" {
		t.Fatalf("the draft's tip: %q %v", tip.Content.Text(), err)
	}
	if tip, err := st.TipByReceipt(ctx, spooled); err != nil || tip.Content.Text() != ghost {
		t.Fatalf("the spooled tip: %q %v", tip.Content.Text(), err)
	}
}

// A receipt code written in a message spooled while Redis was down (when
// no word could be told to be one) is cut when the message is replayed:
// a stored tip's code, or one given for a message spooled in the same
// outage. Other code-like words stay.
func TestSpooledReceiptCodeIsCutAtReplay(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "73")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	srv.Stop()
	first := codeRE.FindString(do(commands.Request{Text: "ahora también venden armas en la bodega", EventID: 3})[0].Text)
	second := codeRE.FindString(do(commands.Request{Text: "sobre mis reportes " + stored + " y " + strings.ToLower(first) + ", la cuenta AB12 CD34 EF56 GH78", EventID: 4})[0].Text)
	if first == "" || second == "" || sp.Len() != 2 {
		t.Fatalf("not spooled: %q %q, %d", first, second, sp.Len())
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if tip, err := st.TipByReceipt(ctx, second); err != nil || tip.Content.Text() != "sobre mis reportes y, la cuenta AB12 CD34 EF56 GH78" {
		t.Fatalf("the spooled tip: %q %v", tip.Content.Text(), err)
	}
}

// telegramUser returns a function that hands mux a request from a
// Telegram user in their private chat, returning the answers.
func telegramUser(mux *commands.Mux, user string) func(commands.Request) []commands.Reply {
	return func(req commands.Request) []commands.Reply {
		req.Platform, req.UserID, req.ChatID = "telegram", user, user
		rec := &recorder{}
		mux.Handle(context.Background(), req, rec)
		return rec.take()
	}
}

// A spooled message of receipt codes alone, cut to nothing at replay, is
// no tip (with Redis up it would not have been kept); the replay goes on
// with the rest. The receipt it was given leads somewhere still: /status
// with it, or the code alone, says it held codes alone and was not kept
// as a tip, not that no tip matches; and the code is cut from a message,
// as any receipt code is.
func TestSpooledMessageOfCodesAloneIsNoTip(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "74")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	srv.Stop()
	first := codeRE.FindString(do(commands.Request{Text: "ahora también venden armas en la bodega", EventID: 3})[0].Text)
	// (Such a message is no longer spooled, TestMessageOfCodesAloneIsNotSpooled;
	// one spooled by an earlier version is replayed here.)
	codesOnly, err := sp.Append(storage.SpoolEntry{Pseudonym: st.Pseudonym("telegram", "74"), EventID: 4, Part: tips.Part{Text: stored + ", " + first}})
	if err != nil {
		t.Fatal(err)
	}
	third := codeRE.FindString(do(commands.Request{Text: "y el jueves llega otra camioneta", EventID: 5})[0].Text)
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	if tip, err := st.TipByReceipt(ctx, codesOnly); err == nil {
		t.Errorf("a message of receipt codes alone became a tip: %q", tip.Content.Text())
	}
	for _, c := range []string{first, third} {
		if _, err := st.TipByReceipt(ctx, c); err != nil {
			t.Errorf("spooled tip %s: %v", c, err)
		}
	}
	if sp.Len() != 0 {
		t.Errorf("%d left in the spool", sp.Len())
	}
	msg, _ := loadMessages()
	noTip := msg.Localize("en", "status_no_tip", nil)
	for i, req := range []commands.Request{{Command: "status", Args: codesOnly, CommandAtStart: true}, {Text: codesOnly}, {Text: "status " + strings.ToLower(codesOnly)}} {
		req.EventID = int64(10 + i)
		if r := do(req); len(r) != 1 || r[0].Text != noTip {
			t.Errorf("%d: the receipt of the message of codes alone: %q", i, texts(r))
		}
	}
	if r := do(commands.Request{Text: "lo de " + codesOnly + " sigue en la bodega", EventID: 20}); len(r) != 1 || press(r, "send:") == "" {
		t.Fatalf("a message quoting it: %q", texts(r))
	}
	if known, err := st.ReceiptsKnown(ctx, []string{codesOnly}); err != nil || !known[0] {
		t.Errorf("the receipt of the message of codes alone is not known as one: %v %v", known, err)
	}
	// Its mark (notip) names the receipt by MAC only: no receipt, its own
	// or the ones the message held, is in Redis in clear.
	dump, err := srv.Dump(ctx)
	if err != nil || len(dump) == 0 {
		t.Fatalf("dump: %d keys, %v", len(dump), err)
	}
	for _, c := range []string{codesOnly, stored, first, third} {
		for _, form := range []string{c, strings.ReplaceAll(c, "-", ""), strings.ToLower(c), strings.ToLower(strings.ReplaceAll(c, "-", ""))} {
			for k, v := range dump {
				if strings.Contains(k, form) || bytes.Contains(v, []byte(form)) {
					t.Errorf("Redis key %q holds receipt %q in clear", k, form)
				}
			}
		}
	}
}

// A spooled tip's receipt the platform refuses once is sent again, as a
// stored tip's is: Send cannot give it back later (there is no draft).
func TestRefusedSpooledReceiptIsSentAgain(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv, st, sp, _, mux := spooling(t)
	srv.Stop()
	refused := 0
	w := &refusingReplier{refuse: func(rep commands.Reply) bool {
		if codeRE.MatchString(rep.Text) && refused == 0 {
			refused++
			return true
		}
		return false
	}}
	mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "75", ChatID: "75", Text: "cobran piso en el mercado", EventID: 1}, w)
	got := w.take()
	if sp.Len() != 1 || refused != 1 || len(got) != 1 || codeRE.FindString(got[0].Text) == "" {
		t.Fatalf("%d spooled, %d refused, then %q", sp.Len(), refused, texts(got))
	}
	if code, _ := sp.ReceiptOf(st.Pseudonym("telegram", "75"), 1); code != codeRE.FindString(got[0].Text) {
		t.Fatalf("the receipt sent again is not the spooled tip's")
	}
}

// A message of receipt codes alone, sent while Redis is down (a status
// check of two tips), is not spooled: at the replay the codes would be
// cut and no tip stored, so the receipt given for it would lead nowhere.
// The reporter is told it was NOT saved; the same with a word, or a
// file's caption of codes alone when the file cannot be kept, and a
// message with words besides is spooled.
func TestMessageOfCodesAloneIsNotSpooled(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	do := telegramUser(mux, "76")
	r := do(commands.Request{Text: "cobran piso en el mercado de abastos", EventID: 1})
	stored := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	srv.Stop()
	first := codeRE.FindString(do(commands.Request{Text: "ahora también venden armas en la bodega", EventID: 3})[0].Text)
	notSaved := msg.Localize("en", "error_storage", nil)
	for i, req := range []commands.Request{
		{Text: stored + ", " + first},
		{Text: stored + " " + strings.ToLower(first) + " ?"},
		{Text: stored + "\n" + first, FileData: []byte("\x89PNG\r\n\x1a\nxxxx"), Attachment: &tips.Attachment{Kind: tips.Photo}},
	} {
		req.EventID = int64(10 + i)
		if got := do(req); len(got) != 1 || got[0].Text != notSaved {
			t.Errorf("codes alone (%d) during the outage: %q", i, texts(got))
		}
	}
	if sp.Len() != 1 {
		t.Errorf("%d spooled, want 1", sp.Len())
	}
	if got := do(commands.Request{Text: "sobre " + stored + " y " + first, EventID: 20}); len(got) != 1 || codeRE.FindString(got[0].Text) == "" || sp.Len() != 2 {
		t.Errorf("codes with words during the outage: %q, %d spooled", texts(got), sp.Len())
	}
}

// A spooled tip's receipt the platform refuses twice is not lost to its
// reporter (there is no Send to press for it again): it is kept, sealed
// with the spool, and told first thing with their next message, once.
func TestSpooledReceiptRefusedTwiceIsToldWithTheNextMessage(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv, st, sp, _, mux := spooling(t)
	msg, _ := loadMessages()
	srv.Stop()
	w, refused := receiptRefuser()
	mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "76", ChatID: "76", Text: "cobran piso en el mercado", EventID: 1}, w)
	if got := w.take(); *refused != 2 || len(got) != 0 {
		t.Fatalf("%d refused, then %q", *refused, texts(got))
	}
	code, _ := sp.ReceiptOf(st.Pseudonym("telegram", "76"), 1)
	owed := msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": code})
	do := telegramUser(mux, "76")
	// Someone else's message: not theirs to hear.
	if r := telegramUser(mux, "77")(commands.Request{Command: "help", CommandAtStart: true, EventID: 2}); len(r) == 0 || strings.Contains(strings.Join(texts(r), " "), code) {
		t.Fatalf("another reporter: %q", texts(r))
	}
	r := do(commands.Request{Command: "help", CommandAtStart: true, EventID: 3})
	if len(r) != 2 || r[0].Text != owed || r[1].Text != msg.Localize("en", "help", nil) {
		t.Fatalf("the next message: %q", texts(r))
	}
	if r := do(commands.Request{Command: "help", CommandAtStart: true, EventID: 4}); len(r) != 1 || strings.Contains(strings.Join(texts(r), " "), code) {
		t.Fatalf("told twice: %q", texts(r))
	}
}

// A draft whose every message was spooled as a tip of its own (its draft
// write landed once Redis was back) is answered "already kept" by Send,
// and by the same Send pressed again (its answer lost), not "no longer
// there": the reporter would think the messages lost.
func TestSendOfASpooledDraftPressedAgainSaysSpooled(t *testing.T) {
	_, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	do := telegramUser(mux, "78")
	p := st.Pseudonym("telegram", "78")
	ghost := "cobran piso en la tienda"
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Part: tips.Part{Text: ghost}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 2, Part: tips.Part{Text: ghost}}); err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	want := msg.Localize("en", "draft_spooled", nil)
	for i := range 2 {
		if r := do(commands.Request{Callback: "send:" + d.ID, EventID: int64(3 + i)}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("Send #%d: %q", i+1, texts(r))
		}
	}
}

// A receipt owed to a reporter (refused twice as their message was
// spooled) is not told into a chat they asked to wipe, whose wipe would
// take it away unread (a wipe leaves no message): it waits for their next
// message after it.
func TestOwedReceiptIsNotToldIntoAWipe(t *testing.T) {
	commands.ShortReceiptRetry(t)
	srv, st, sp, _, mux := spooling(t)
	p := &platform{recorder: &recorder{}}
	mux.AddSender("telegram", p)
	msg, _ := loadMessages()
	srv.Stop()
	w := &refusingReplier{refuse: func(rep commands.Reply) bool { return codeRE.MatchString(rep.Text) }}
	mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "81", ChatID: "81", UserChat: "81", Text: "cobran piso en el mercado", EventID: 1, MessageID: "10"}, w)
	code, _ := sp.ReceiptOf(st.Pseudonym("telegram", "81"), 1)
	if len(sp.OwedReceipts(st.Pseudonym("telegram", "81"))) != 1 {
		t.Fatal("the refused receipt is not owed")
	}
	srv.Restart()
	do := telegramUser(mux, "81")
	for i, req := range []commands.Request{
		{Command: "wipe", CommandAtStart: true, UserChat: "81", MessageID: "12", EventID: 2},
		{Callback: "wipe:0", UserChat: "81", MessageID: "14", EventID: 3},
	} {
		if r := do(req); strings.Contains(strings.Join(texts(r), " "), code) {
			t.Fatalf("wipe #%d: the owed receipt told into the chat being wiped: %q", i+1, texts(r))
		}
	}
	if _, wiped := p.took(); len(wiped) != 2 {
		t.Fatalf("wiped: %v", wiped)
	}
	owed := msg.Localize("en", "spool_receipt_owed", map[string]any{"Receipt": code})
	if r := do(commands.Request{Command: "help", CommandAtStart: true, EventID: 4}); len(r) != 2 || r[0].Text != owed {
		t.Fatalf("the next message after the wipe: %q", texts(r))
	}
}

// A message with a file, spooled during an outage (its file could not be
// kept) and redelivered after the replay, stores no copy of the file that
// no tip points to; a first delivery, after it, still stores its file.
func TestRedeliveredSpooledFileIsNotStored(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	files := func() int {
		keys, err := srv.Client().Keys(ctx, "o:file:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	say := func(event int64) []commands.Reply {
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "72", ChatID: "72", Text: "la camioneta del cobro",
			Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: event}, rec)
		return rec.take()
	}
	srv.Stop()
	first := say(100)
	code := codeRE.FindString(first[0].Text)
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 || code == "" {
		t.Fatalf("replay: %d %v, first answer %+v", n, err, first)
	}
	if again := say(100); len(again) != 1 || !strings.Contains(again[0].Text, code) {
		t.Fatalf("redelivered after the replay: %+v", again)
	}
	if n := files(); n != 0 {
		t.Fatalf("the redelivery stored %d files", n)
	}
	if list, _ := st.Recent(ctx, 10); len(list) != 1 {
		t.Fatalf("%d tips", len(list))
	}
	if r := say(101); len(r) == 0 || files() != 1 {
		t.Fatalf("a new message's file: %d stored, %+v", files(), r)
	}
}

// While Redis is down, words shaped like a receipt code of letters alone
// (which only a tip having it would make a code) are a tip as any other:
// spooled, not refused as a status check that cannot be made.
func TestWordsShapedLikeACodeOfLettersAreSpooled(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	srv.Stop()
	rec := &recorder{}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "72", ChatID: "72", Text: "esta casa para mama", EventID: 100}, rec)
	got := rec.take()[0].Text
	if code := codeRE.FindString(got); code == "" || got != msg.Localize("en", "spool_received", map[string]any{"Receipt": code}) || sp.Len() != 1 {
		t.Fatalf("during the outage: %q (spool holds %d)", got, sp.Len())
	}
}

// A spooled message that shows nothing once its codes are cut (invisible
// marks alone, as an earlier version spooled: a variation selector, a
// Braille blank) is no tip either, as tips.Blank says of a message sent
// with Redis up; its receipt says it was not kept.
func TestSpooledMessageOfInvisibleMarksIsNoTip(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	do := telegramUser(mux, "75")
	srv.Stop()
	codesOnly, err := sp.Append(storage.SpoolEntry{Pseudonym: st.Pseudonym("telegram", "75"), EventID: 3, Part: tips.Part{Text: "\uFE0F\u2800 \u115F"}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	if tip, err := st.TipByReceipt(ctx, codesOnly); err == nil {
		t.Errorf("a message of invisible marks became a tip: %q", tip.Content.Text())
	}
	// Its receipt says the message showed nothing, not that it held
	// receipt codes alone (it held none).
	msg, _ := loadMessages()
	for i, req := range []commands.Request{{Command: "status", Args: codesOnly, CommandAtStart: true}, {Text: codesOnly}} {
		req.EventID = int64(10 + i)
		if r := do(req); len(r) != 1 || r[0].Text != msg.Localize("en", "status_no_tip_blank", nil) {
			t.Errorf("%d: its receipt: %q", i, texts(r))
		}
	}
}

// A message the platform delivers again after it went out in a tip (its
// answer, or the platform's confirmation, lost) is spooled when Redis is
// down, or when its receipt-code lookup fails: nothing could tell it was
// sent. Replayed, it is not a second tip with a receipt of its own
// (investigators would read the message twice): it is kept once, in the
// tip it went out in, and the receipt the outage gave for it says so
// (/status). A message spooled alongside that was never sent is
// replayed as ever.
func TestRedeliveredMessageOfASentTipIsNotATipAgain(t *testing.T) {
	for _, how := range []string{"redis down", "code lookup failed"} {
		t.Run(how, func(t *testing.T) {
			srv, st, sp, _, mux := spooling(t)
			ctx := context.Background()
			msg, _ := loadMessages()
			failing := &lookupFails{Store: st}
			if how == "code lookup failed" {
				mux = commands.New(commands.Options{Store: failing, Messages: msg, DefaultLanguage: "en", Spool: sp, Logger: slog.New(slog.DiscardHandler)})
			}
			do := telegramUser(mux, "75")
			const text, other = "depositan a la cuenta AB12 CD34 EF56 GH78 cada lunes", "y el jueves llega otra camioneta a la cuenta AB12 CD34 EF56 GH78"
			r := do(commands.Request{Text: text, EventID: 1})
			sent := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
			if sent == "" {
				t.Fatal("no receipt")
			}
			var receipts []string
			for i, req := range []commands.Request{{Text: text, EventID: 1}, {Text: other, EventID: 3}} {
				if how == "redis down" && i == 0 {
					srv.Stop()
				}
				failing.armed.Store(true)
				r := do(req)
				if len(r) != 1 || codeRE.FindString(r[0].Text) == "" || r[0].Text != msg.Localize("en", "spool_received", map[string]any{"Receipt": codeRE.FindString(r[0].Text)}) {
					t.Fatalf("event %d: %q", req.EventID, texts(r))
				}
				receipts = append(receipts, codeRE.FindString(r[0].Text))
			}
			if how == "code lookup failed" && failing.armed.Load() {
				t.Fatal("the codes were not looked up")
			}
			failing.armed.Store(false)
			if sp.Len() != 2 {
				t.Fatalf("spool holds %d", sp.Len())
			}
			if how == "redis down" {
				srv.Restart()
				for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
				}
			}
			if _, err := sp.Replay(ctx, st); err != nil {
				t.Fatal(err)
			}
			list, err := st.Recent(ctx, 10)
			if err != nil || len(list) != 2 {
				t.Fatalf("%d tips after the replay, want 2 (the sent one, the other spooled): %v", len(list), err)
			}
			if tip, err := st.TipByReceipt(ctx, sent); err != nil || tip.Content.Text() != text {
				t.Fatalf("the sent tip: %q %v", tip.Content.Text(), err)
			}
			if tip, err := st.TipByReceipt(ctx, receipts[1]); err != nil || tip.Content.Text() != other {
				t.Fatalf("the other spooled tip: %q %v", tip.Content.Text(), err)
			}
			if tip, err := st.TipByReceipt(ctx, receipts[0]); err == nil {
				t.Fatalf("the message sent already became a tip of its own: %q", tip.Content.Text())
			}
			want := msg.Localize("en", "status_no_tip_sent", nil)
			for i, req := range []commands.Request{{Command: "status", Args: receipts[0], CommandAtStart: true}, {Text: receipts[0]}} {
				req.EventID = int64(10 + i)
				if r := do(req); len(r) != 1 || r[0].Text != want {
					t.Errorf("%d: the outage's receipt of the message sent already: %q", i, texts(r))
				}
			}
			if sp.Len() != 0 {
				t.Errorf("%d left in the spool", sp.Len())
			}
		})
	}
}

// /forget with a receipt an outage gave for a message the replay kept as
// no tip of its own says why, as /status does, and changes nothing: one
// that had gone out in a tip already (forgotten by that tip's receipt,
// which still works), one of receipt codes alone. Not "no tip matches":
// told before the replay to send /forget again in a few minutes, the
// reporter would take their tip for lost.
func TestForgetWithAReceiptOfNoTipSaysWhy(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	do := telegramUser(mux, "76")
	const text = "depositan a la cuenta AB12 CD34 EF56 GH78 cada lunes"
	r := do(commands.Request{Text: text, EventID: 1})
	sent := codeRE.FindString(do(commands.Request{Callback: press(r, "send:"), EventID: 2})[0].Text)
	if sent == "" {
		t.Fatal("no receipt")
	}
	srv.Stop()
	again := codeRE.FindString(do(commands.Request{Text: text, EventID: 1})[0].Text)
	codesOnly, err := sp.Append(storage.SpoolEntry{Pseudonym: st.Pseudonym("telegram", "76"), EventID: 3, Part: tips.Part{Text: sent}})
	if err != nil || again == "" {
		t.Fatalf("not spooled: %q %v", again, err)
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); st.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct{ code, want string }{{again, "forget_no_tip_sent"}, {codesOnly, "forget_no_tip"}} {
		if r := do(commands.Request{Command: "forget", Args: c.code, CommandAtStart: true, EventID: int64(10 + i)}); len(r) != 1 || r[0].Text != msg.Localize("en", c.want, nil) {
			t.Errorf("/forget %d: %q, want %s", i, texts(r), c.want)
		}
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
		t.Fatalf("%d tips, want the one sent: %v", len(list), err)
	}
	if r := do(commands.Request{Command: "forget", Args: sent, CommandAtStart: true, EventID: 20}); len(r) != 1 || r[0].Text != msg.Localize("en", "forget_done", nil) {
		t.Errorf("/forget with the sent tip's receipt: %q", texts(r))
	}
}
