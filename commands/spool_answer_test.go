package commands_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// An answer to an investigator's question (written after pressing Answer)
// that the platform delivers again after a restart, while Redis is down,
// is spooled (the Answer pressed is forgotten with the process, and
// Redis cannot say what the message was): the replay knows it as the
// answer it was, and makes no tip of it. The investigators read it once,
// as the answer; the queue gets no tip of the reporter's answer; the
// receipt the outage gave says why it leads to no tip.
func TestAnswerDeliveredAgainInAnOutageIsNotReplayedAsATip(t *testing.T) {
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
	start := func() { // a process: what it remembers in memory is its own
		tm.mux = commands.New(commands.Options{Store: tm.store, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Spool: sp,
			Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
		tm.mux.AddSender("telegram", tm.sent)
	}
	start()
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	answer := commands.Request{Text: "El lunes a las nueve", EventID: 8001}
	if r := tm.as(reporterID, "Rosa", answer); !tm.answered(r) {
		t.Fatalf("the answer: %q", texts(r))
	}
	tips0, err := tm.store.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// A restart before the platform heard the answer was handled, and
	// Redis down when it delivers it again.
	start()
	tm.srv.Stop()
	r := tm.as(reporterID, "Rosa", answer)
	receipt := codeRE.FindString(texts(r)[0])
	if len(r) != 1 || receipt == "" || sp.Len() != 1 {
		t.Fatalf("the answer delivered again in the outage: %q, %d spooled", texts(r), sp.Len())
	}
	tm.srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	c, err := sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if list, _ := tm.store.Recent(ctx, 10); len(list) != len(tips0) {
		t.Fatalf("%d tips after the replay, %d before: the answer became a tip", len(list), len(tips0))
	}
	if _, err := tm.store.TipByReceipt(ctx, receipt); err == nil {
		t.Fatal("the outage's receipt leads to a tip")
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 {
		t.Fatalf("Ana was told %q", n)
	}
	for cmd, want := range map[string]string{"status": "status_no_tip_answer", "forget": "forget_no_tip_answer"} {
		r := tm.as(reporterID, "Rosa", commands.Request{Command: cmd, Args: receipt, CommandAtStart: true})
		if len(r) != 1 || r[0].Text != tm.text("en", want, nil) {
			t.Fatalf("/%s with the outage's receipt: %q", cmd, texts(r))
		}
	}
	// Delivered once more, Redis up: answered as handled, no draft.
	tm.as(reporterID, "Rosa", answer)
	if _, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", reporterID)); err == nil {
		t.Fatal("the answer delivered again started a draft")
	}
}

// cancelling is a platform whose sends to the investigators take up the
// rest of the event's time: the event's context ends during the send.
type cancelling struct {
	commands.Sender
	cancel context.CancelFunc
}

func (s cancelling) Send(ctx context.Context, chatID string, r commands.Reply) ([]string, error) {
	ids, err := s.Sender.Send(ctx, chatID, r)
	s.cancel()
	return ids, err
}

// An answer whose telling of the investigators used up the event's time
// (a slow platform) is still recorded as the answer it was: delivered
// again after a restart while Redis is down, and spooled, the replay
// makes no tip of it. Its mark was written under the event's ended
// context, and failed.
func TestAnswerToldSlowlyIsStillKnownAtTheReplay(t *testing.T) {
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
	start := func() {
		tm.mux = commands.New(commands.Options{Store: tm.store, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now, Spool: sp,
			Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
		tm.mux.AddSender("telegram", tm.sent)
	}
	start()
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	answer := commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, UserChat: reporterID, Name: "Rosa", Text: "El lunes a las nueve", EventID: 8101}
	evCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	tm.mux.AddSender("telegram", cancelling{Sender: tm.sent, cancel: cancel})
	rec := &recorder{}
	tm.mux.Handle(evCtx, answer, rec)
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}
	tips0, err := tm.store.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	start()
	tm.srv.Stop()
	r := tm.as(reporterID, "Rosa", answer)
	if len(r) != 1 || sp.Len() != 1 {
		t.Fatalf("the answer delivered again in the outage: %q, %d spooled", texts(r), sp.Len())
	}
	tm.srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	if c, err := sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if list, _ := tm.store.Recent(ctx, 10); len(list) != len(tips0) {
		t.Fatalf("%d tips after the replay, %d before: the answer became a tip", len(list), len(tips0))
	}
}
