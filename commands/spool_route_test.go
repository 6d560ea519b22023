package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// spoolingTeam is a team whose engine spools (a new process at each
// start, its memory its own, the spool's replay routed by it as main
// wires it), and whose Redis can be stopped and brought back.
type spoolingTeam struct {
	*team
	sp *storage.Spool
	// engineStore, if set, is the store the next process started uses.
	engineStore commands.Store
	// roles and required, if set, are the next process's configured
	// team and platform roles (Options.Roles, Options.RequiredRoles).
	roles    commands.Roles
	required map[string]string
}

func newSpoolingTeam(t *testing.T, tm *team) *spoolingTeam {
	t.Helper()
	if !tm.srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	o := &spoolingTeam{team: tm, sp: sp}
	o.start()
	return o
}

// start starts a process on the same Redis and spool: what the last one
// kept in memory (an Answer pressed) is forgotten.
func (o *spoolingTeam) start() {
	var st commands.Store = o.store
	if o.engineStore != nil {
		st = o.engineStore
	}
	roles := commands.Roles{"telegram:" + adminID: commands.Admin}
	maps.Copy(roles, o.roles)
	o.mux = commands.New(commands.Options{Store: st, Messages: o.msg, DefaultLanguage: "en", Now: o.clk.Now, Spool: o.sp,
		Logger: slog.New(slog.NewTextHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Roles:  roles, RequiredRoles: o.required, InvestigatorChats: []string{"telegram:" + invChat}, Retention: 90 * 24 * time.Hour})
	o.mux.AddSender("telegram", o.sent)
	o.mux.AddSender("discord", o.sent)
	o.sp.RouteWith(o.mux.RouteSpooled)
}

// spool sends req from user while Redis is down and returns the receipt
// the outage gave.
func (o *spoolingTeam) spool(user, name string, req commands.Request) string {
	o.t.Helper()
	o.srv.Stop()
	r := o.as(user, name, req)
	receipt := codeRE.FindString(strings.Join(texts(r), "\n"))
	key := "spool_received"
	if req.ReplyToBot {
		key = "spool_received_reply" // (it may answer a question at the replay)
	}
	want := o.text("en", key, map[string]any{"Receipt": receipt})
	if req.Location != nil {
		want += "\n\n" + o.text("en", "location_coarse", nil)
	}
	if len(r) != 1 || receipt == "" || r[0].Text != want {
		o.t.Fatalf("%q during the outage: %q", req.Text, texts(r))
	}
	o.srv.Restart()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); o.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	return receipt
}

// The message after an Answer pressed, sent for the first time after a
// restart (which forgot the press) while Redis is down, is spooled as a
// tip of its own: Redis alone could say it was the answer. At the replay
// it goes as the answer, as it would have live: the investigator who
// asked reads it, the queue gets no tip of it, the reporter is told, and
// the receipt the outage gave says so. The Answer pressed is used up: the
// reporter's next message is a new tip's.
func TestAnswerSpooledForTheFirstTimeIsReplayedAsTheAnswer(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	tips0, err := tm.store.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	o.start() // a restart: the press is Redis's alone
	receipt := o.spool(reporterID, "Rosa", commands.Request{Text: "El lunes a las nueve", EventID: 8201})
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if list, _ := tm.store.Recent(ctx, 10); len(list) != len(tips0) {
		t.Fatalf("%d tips after the replay, %d before: the answer became a tip", len(list), len(tips0))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes a las nueve") {
		t.Fatalf("Ana was told %q", n)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_done", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "status_no_tip_answer", nil) {
		t.Fatalf("/status with the outage's receipt: %q", texts(r))
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c.Entries() != 0 {
		t.Fatalf("replayed again: %+v %v", c, err)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
		t.Fatalf("the message after: %q", texts(r))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 {
		t.Fatalf("answers recorded: %q", a)
	}
}

// A replay cut off after the spooled answer reached the investigators,
// before it was marked as the answer (Redis gone again), and tried again:
// the answer is neither told to the investigators twice nor made a tip
// (its question now closed by it), and the reporter is told it went as
// the answer.
func TestSpooledAnswerReplayCutOffAndTriedAgainIsDeliveredOnce(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	tips0, err := tm.store.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	o.engineStore = &cutStore{Store: tm.store, cutRemember: true}
	o.start() // a restart: the press is Redis's alone
	receipt := o.spool(reporterID, "Rosa", commands.Request{Text: "El lunes a las nueve", EventID: 8221})
	if _, err := o.sp.ReplayCounts(ctx, tm.store); err == nil || o.sp.Len() != 1 {
		t.Fatalf("the replay cut off: %v, %d left", err, o.sp.Len())
	}
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("the replay tried again: %+v %v", c, err)
	}
	if list, _ := tm.store.Recent(ctx, 10); len(list) != len(tips0) {
		t.Fatalf("%d tips after the replay, %d before: the answer became a tip", len(list), len(tips0))
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != "El lunes a las nueve" {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", "El lunes a las nueve") {
		t.Fatalf("Ana was told %q", n)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_done", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "status", Args: receipt}); len(r) != 1 || r[0].Text != tm.text("en", "status_no_tip_answer", nil) {
		t.Fatalf("/status with the outage's receipt: %q", texts(r))
	}
}

// A photo (kept by the platform's reference) or a place sent with words
// after an Answer pressed, spooled after a restart forgot the press, goes
// at the replay as the live path takes it: its words to the asker as the
// answer, and the photo or place, with them, kept, here as the tip its
// receipt was given for (live, in a draft). The reporter is told both,
// and the Answer pressed is used up. Before, it stayed a tip alone, the
// question open and the asker never told.
// Mutation: answerSpooled refusing a file or a place again → this fails
// (no answer recorded).
func TestFileOrPlaceWithWordsSpooledAfterAnswerPressedAnswersAndStaysATip(t *testing.T) {
	for name, req := range map[string]commands.Request{
		"photo": {Text: "El lunes, esta es la camioneta", EventID: 8231, Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx0"}},
		"place": {Text: "El lunes, aquí", EventID: 8232, Location: &tips.Location{Lat: 20.640123, Lon: -103.311456}},
	} {
		t.Run(name, func(t *testing.T) {
			tm, _ := questioned(t, "¿Qué día?")
			o := newSpoolingTeam(t, tm)
			ctx := context.Background()
			tm.notices(reporterID)
			tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
			o.start() // a restart: the press is Redis's alone
			receipt := o.spool(reporterID, "Rosa", req)
			c, err := o.sp.ReplayCounts(ctx, tm.store)
			if err != nil || c != (storage.ReplayCount{Replayed: 1}) {
				t.Fatalf("replay: %+v %v", c, err)
			}
			if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
				t.Fatalf("answers recorded: %q", a)
			}
			if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.notice("1", "¿Qué día?", req.Text) {
				t.Fatalf("Ana was told %q", n)
			}
			tip, err := tm.store.TipByReceipt(ctx, receipt)
			if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Text != req.Text ||
				(req.Attachment != nil) != (tip.Content.Parts[0].Attachment != nil) || (req.Location != nil) != (tip.Content.Parts[0].Location != nil) {
				t.Fatalf("the outage's receipt: %+v %v", tip.Content, err)
			}
			if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_file_done", map[string]any{"Receipt": receipt}) {
				t.Fatalf("the reporter was told %q", n)
			}
			if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c.Entries() != 0 {
				t.Fatalf("replayed again: %+v %v", c, err)
			}
			if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
				t.Fatalf("the message after: %q", texts(r))
			}
			if a := tm.tipAnswers("1"); len(a) != 1 {
				t.Fatalf("answers recorded: %q", a)
			}
		})
	}
}

// A replay cut off after a file's words went as the answer (Redis gone
// again before its tip was stored), tried again, still stores the file
// with its words as the tip of its receipt: nothing lost, the asker not
// told twice, the reporter told once.
// Mutation: answerSpooled marking a file's event as an answer
// (RememberAnswer) as it marks text → the replay tried again skips the
// entry as an answer (Skipped:1), the file lost; this fails.
func TestFileWithWordsAnsweredAtACutOffReplayIsStillItsTip(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	o.start() // a restart: the press is Redis's alone
	req := commands.Request{Text: "El lunes, esta es la camioneta", EventID: 8241, Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx1"}}
	receipt := o.spool(reporterID, "Rosa", req)
	// Redis goes as the reporter is told, before the tip is stored.
	o.mux.AddSender("telegram", stopOnSend{Sender: tm.sent, chat: reporterID, stop: o.srv.Stop})
	if _, err := o.sp.ReplayCounts(ctx, tm.store); err == nil || o.sp.Len() != 1 {
		t.Fatalf("the replay cut off: %v, %d left", err, o.sp.Len())
	}
	o.mux.AddSender("telegram", tm.sent)
	o.srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("the replay tried again: %+v %v", c, err)
	}
	tip, err := tm.store.TipByReceipt(ctx, receipt)
	if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Attachment == nil || tip.Content.Parts[0].Text != req.Text {
		t.Fatalf("the outage's receipt: %+v %v", tip.Content, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 {
		t.Fatalf("Ana was told %q", n)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_file_done", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
}

// A replay cut off as a file's words went as the answer, Redis gone
// again before the Answer pressed was used up (and so before the tip was
// stored), tried again, tells the reporter once, not at each try: the
// press still armed at the retry, the words find their answer stored
// (the asker not told again), and the reporter is told then. The file
// stays the tip of its receipt, and the press is used up.
// Mutation: answerSpooled telling the reporter of a file's words though
// the press was not used up (the update's failure only logged, as for
// text) → told at the cut try and at the retry, this fails.
func TestFileWithWordsAnsweredAtAReplayCutBeforeThePressIsUsedUpIsToldOnce(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	o.start() // a restart: the press is Redis's alone
	req := commands.Request{Text: "El lunes, esta es la camioneta", EventID: 8251, Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx2"}}
	receipt := o.spool(reporterID, "Rosa", req)
	// Redis goes as the Answer pressed is to be used up.
	o.engineStore = &stopAtUpdate{Store: tm.store, stop: o.srv.Stop}
	o.start()
	if _, err := o.sp.ReplayCounts(ctx, tm.store); err == nil || o.sp.Len() != 1 {
		t.Fatalf("the replay cut off: %v, %d left", err, o.sp.Len())
	}
	o.srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // poll until the client reconnects
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("the replay tried again: %+v %v", c, err)
	}
	if n := tm.notices(reporterID); len(n) != 1 || n[0] != tm.text("en", "spool_answer_file_done", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the reporter was told %q", n)
	}
	if n := tm.notices("2002"); len(n) != 1 {
		t.Fatalf("Ana was told %q", n)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
		t.Fatalf("answers recorded: %q", a)
	}
	tip, err := tm.store.TipByReceipt(ctx, receipt)
	if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Attachment == nil || tip.Content.Parts[0].Text != req.Text {
		t.Fatalf("the outage's receipt: %+v %v", tip.Content, err)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "Otra cosa: hay armas en la bodega"}); !tm.drafted(r, "") {
		t.Fatalf("the message after: %q", texts(r))
	}
}

// A team member (invited since they sent a tip, asked about it) who
// sends a photo with words after pressing Answer, spooled after a
// restart forgot the press, is told at the replay as live: the words
// went as their answer (answer_done), and the photo, with them, is in
// their draft (spool_team_draft), as every message of theirs goes.
// They are not told it was kept as the tip of its receipt: it was not.
// Mutation: answerSpooled telling a team member's file
// spool_answer_file_done as a reporter's → this fails.
func TestTeamMembersFileWithWordsAfterAnswerPressedIsToldAsLive(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	tm.join(reporterID, "Rosa")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices(reporterID)
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
	o.start() // a restart: the press is Redis's alone
	req := commands.Request{Text: "El lunes, esta es la camioneta", EventID: 8261, Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgACAgQAAx3"}}
	receipt := o.spool(reporterID, "Rosa", req)
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 || a[0] != req.Text {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices("2002"); len(n) != 1 {
		t.Fatalf("Ana was told %q", n)
	}
	want := []string{tm.text("en", "answer_done", nil), tm.text("en", "spool_team_draft", map[string]any{"Receipt": receipt})}
	if n := tm.notices(reporterID); !slices.Equal(n, want) {
		t.Fatalf("Rosa was told %q", n)
	}
	if d, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
		t.Fatalf("Rosa's draft: %+v %v", d, err)
	}
}

// stopAtUpdate is a store that runs stop before its first change of a
// reporter's marks (Redis gone again at that moment), then tries it.
type stopAtUpdate struct {
	commands.Store
	stop func()
}

func (s *stopAtUpdate) UpdateAnswering(ctx context.Context, pseudonym string, update func(string) (string, time.Duration)) error {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	return s.Store.UpdateAnswering(ctx, pseudonym, update)
}

// stopOnSend is a sender that runs stop before each message to chat
// (Redis gone again at that moment), then sends it.
type stopOnSend struct {
	commands.Sender
	chat string
	stop func()
}

func (s stopOnSend) Send(ctx context.Context, chatID string, r commands.Reply) ([]string, error) {
	if chatID == s.chat && s.stop != nil {
		s.stop()
	}
	return s.Sender.Send(ctx, chatID, r)
}

// cutStore is the team's store whose first RememberAnswer fails, as
// Redis gone again would (cutRemember), or the first Answering read of
// one reporter's marks (cutAnswering, a pseudonym).
type cutStore struct {
	commands.Store
	cutRemember  bool
	cutAnswering string
}

func (s *cutStore) RememberAnswer(ctx context.Context, pseudonym string, eventID int64) error {
	if s.cutRemember {
		s.cutRemember = false
		return errors.New("redis gone again")
	}
	return s.Store.RememberAnswer(ctx, pseudonym, eventID)
}

func (s *cutStore) Answering(ctx context.Context, pseudonym string) (string, error) {
	if pseudonym == s.cutAnswering {
		s.cutAnswering = ""
		return "", errors.New("redis gone again")
	}
	return s.Store.Answering(ctx, pseudonym)
}

// A message spooled before its reporter pressed Answer (pressed once
// Redis is back, before the replay) was no answer when it came: it stays
// the tip its receipt was given for, and the Answer pressed waits for
// the next message.
func TestMessageSpooledBeforeAnswerPressedStaysATip(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	receipt := o.spool(reporterID, "Rosa", commands.Request{Text: "Venden armas en la bodega", EventID: 8211})
	tm.clk.Add(time.Minute) // (pressed after the message came)
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"}); len(r) != 1 || r[0].Text != tm.text("en", "answer_prompt", nil) {
		t.Fatalf("Answer pressed: %q", texts(r))
	}
	o.start()
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	if _, err := tm.store.TipByReceipt(ctx, receipt); err != nil {
		t.Fatalf("the outage's receipt: %v", err)
	}
	if a := tm.tipAnswers("1"); len(a) != 0 {
		t.Fatalf("answers recorded: %q", a)
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes a las nueve"}); !tm.answered(r) {
		t.Fatalf("the message after the press: %q", texts(r))
	}
}

// A team member's plain message to the bot while Redis is down is
// spooled as anyone's (an invited member's role is in Redis): at the
// replay, their role known again, it goes to their draft as every
// message of theirs does, never into the queue as an anonymous
// reporter's tip, and they are told, with the draft's buttons; the
// receipt the outage gave says so. So for an invited investigator and a
// configured admin; a reporter's message of the same outage is a tip.
func TestTeamMembersSpooledMessageGoesToTheirDraftNotTheQueue(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices("2002")
	receipts := map[string]string{
		"2002":     o.spool("2002", "Ana", commands.Request{Text: "Prueba del bot durante la caída", EventID: 8301}),
		adminID:    o.spool(adminID, "Ada", commands.Request{Text: "Nota para mí: revisar la bodega", EventID: 8302}),
		reporterID: o.spool(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado", EventID: 8303}),
	}
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Replayed: 1, Skipped: 2}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	list, _ := tm.store.Recent(ctx, 10)
	if len(list) != 1 || !strings.Contains(list[0].Content.Text(), "Cobran piso") {
		t.Fatalf("tips after the replay: %d", len(list))
	}
	for _, user := range []string{"2002", adminID} {
		d, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", user))
		if err != nil || d.Parts != 1 {
			t.Fatalf("%s's draft: %+v %v", user, d, err)
		}
		tm.sent.mu.Lock()
		told := tm.sent.sent[user]
		delete(tm.sent.sent, user)
		tm.sent.mu.Unlock()
		if len(told) != 1 || told[0].Text != tm.text("en", "spool_team_draft", map[string]any{"Receipt": receipts[user]}) || press(told, "send:"+d.ID) == "" {
			t.Fatalf("%s was told %+v", user, told)
		}
		for cmd, want := range map[string]string{"status": "status_no_tip_team", "forget": "forget_no_tip_team"} {
			if r := tm.as(user, "", commands.Request{Command: cmd, Args: receipts[user]}); len(r) != 1 || r[0].Text != tm.text("en", want, nil) {
				t.Fatalf("/%s with %s's outage receipt: %q", cmd, user, texts(r))
			}
		}
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c.Entries() != 0 {
		t.Fatalf("replayed again: %+v %v", c, err)
	}
}

// With VIGIA_DISCORD_INVESTIGATOR_ROLE set, a configured Discord
// investigator's DM carries no roles (Discord sends none there): live,
// they are then no investigator for commands, and their plain message
// goes to their draft, as anyone's does. The role is something they must
// also hold, never what makes a member: spooled in an outage, their DM
// goes to their draft at the replay too, never into the queue as an
// anonymous reporter's tip; a Discord user holding the role but on no
// team list is a reporter, whose spooled DM is the tip of its receipt.
// Mutation: RouteSpooled judging the sender as the live path judges a DM
// for commands (Anyone without the required platform role) → the
// investigator's DM replayed as a tip, this fails.
func TestDiscordInvestigatorsSpooledDMGoesToTheirDraftWithARequiredRole(t *testing.T) {
	tm := newTeam(t)
	o := newSpoolingTeam(t, tm)
	o.roles = commands.Roles{"discord:3003": commands.Investigator}
	o.required = map[string]string{"discord": "777"}
	o.start()
	ctx := context.Background()
	dm := func(text string, event int64) commands.Request {
		return commands.Request{Platform: "discord", ChatKind: commands.Private, Text: text, EventID: event}
	}
	// Live, Redis up: their DM starts their draft.
	if r := tm.as("3003", "Ines", dm("Prueba del bot", 8401)); !tm.drafted(r, "") {
		t.Fatalf("the investigator's DM, live: %q", texts(r))
	}
	if d, err := tm.store.Draft(ctx, tm.store.Pseudonym("discord", "3003")); err != nil || tm.store.DiscardDraft(ctx, tm.store.Pseudonym("discord", "3003"), d.ID) != nil {
		t.Fatalf("the live draft not cancelled: %v", err)
	}
	receipt := o.spool("3003", "Ines", dm("Nota para mí: revisar la bodega", 8402))
	holder := dm("Cobran piso en el mercado", 8403)
	holder.PlatformRoles = []string{"777"}
	o.spool("3004", "Rol", holder)
	c, err := o.sp.ReplayCounts(ctx, tm.store)
	if err != nil || c != (storage.ReplayCount{Replayed: 1, Skipped: 1}) {
		t.Fatalf("replay: %+v %v", c, err)
	}
	list, _ := tm.store.Recent(ctx, 10)
	if len(list) != 1 || !strings.Contains(list[0].Content.Text(), "Cobran piso") {
		t.Fatalf("tips after the replay: %d", len(list))
	}
	if d, err := tm.store.Draft(ctx, tm.store.Pseudonym("discord", "3003")); err != nil || d.Parts != 1 {
		t.Fatalf("the investigator's draft: %+v %v", d, err)
	}
	if n := tm.notices("3003"); len(n) != 1 || n[0] != tm.text("en", "spool_team_draft", map[string]any{"Receipt": receipt}) {
		t.Fatalf("the investigator was told %q", n)
	}
}

// A replay cut off after a team member's message went to their draft
// (Redis gone again at the next entry), tried again, does not tell them
// a second time, nor add it again: its receipt says it was routed.
func TestTeamMembersSpooledMessageIsToldOnceThroughACutOffReplay(t *testing.T) {
	tm := newTeam(t)
	tm.join("2002", "Ana")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	tm.notices("2002")
	o.engineStore = &cutStore{Store: tm.store, cutAnswering: tm.store.Pseudonym("telegram", reporterID)}
	o.start()
	receipt := o.spool("2002", "Ana", commands.Request{Text: "Prueba del bot durante la caída", EventID: 8311})
	o.spool(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado", EventID: 8312})
	if _, err := o.sp.ReplayCounts(ctx, tm.store); err == nil || o.sp.Len() != 2 {
		t.Fatalf("the replay cut off: %v, %d left", err, o.sp.Len())
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Replayed: 1, Skipped: 1}) {
		t.Fatalf("the replay tried again: %+v %v", c, err)
	}
	if n := tm.notices("2002"); len(n) != 1 || n[0] != tm.text("en", "spool_team_draft", map[string]any{"Receipt": receipt}) {
		t.Fatalf("Ana was told %q", n)
	}
	if d, err := tm.store.Draft(ctx, tm.store.Pseudonym("telegram", "2002")); err != nil || d.Parts != 1 {
		t.Fatalf("Ana's draft: %+v %v", d, err)
	}
}

// The canary of tests/canary_test.go on what the replay's router writes
// and logs: an answer delivered at the replay (its "qa:" and x:a marks,
// its receipt marked NoTipAnswer), through a replay cut off and tried
// again, and an invited investigator's message put in their draft (its
// part and route, its receipt marked NoTipTeam). Neither Redis nor the
// log holds either sender's chat, name, message id, words or receipt
// code. (Event ids are left out: a state names handled events by them.)
// Mutations: ReceiptNoTip and markReceiptNoTip keyed by the code itself,
// not its receiptID (/status still answers) -> this fails (a key holds
// the receipt code); AnswerOnce's mark the answer itself -> this fails
// (the tip's hash holds the words).
func TestSpoolReplayRoutedKeepsNoCanary(t *testing.T) {
	tm, _ := questioned(t, "¿Qué día?")
	o := newSpoolingTeam(t, tm)
	ctx := context.Background()
	const (
		name      = "Rosalinda Quintero"
		chat      = "5550987654321"
		msg       = "918273645"
		words     = "El lunes en la bodega azul de Tlaquepaque"
		teamName  = "Anabel Investigadora"
		teamChat  = "5550123456789"
		teamMsg   = "827364519"
		teamWords = "Prueba del bot desde la colonia Oblatos"
	)
	tm.as(reporterID, name, commands.Request{Callback: "ans:1:1", ChatID: chat})
	o.engineStore = &cutStore{Store: tm.store, cutRemember: true}
	o.start()
	receipt := o.spool(reporterID, name, commands.Request{Text: words, EventID: 8877665544, MessageID: msg, ChatID: chat})
	teamReceipt := o.spool("2002", teamName, commands.Request{Text: teamWords, EventID: 8877665545, MessageID: teamMsg, ChatID: teamChat})
	if _, err := o.sp.ReplayCounts(ctx, tm.store); err == nil {
		t.Fatal("the replay was not cut off: the test proves nothing of the retry")
	}
	if c, err := o.sp.ReplayCounts(ctx, tm.store); err != nil || c != (storage.ReplayCount{Skipped: 2}) {
		t.Fatalf("replay: %+v %v: the test proves nothing of the router's writes", c, err)
	}
	if a := tm.tipAnswers("1"); len(a) != 1 {
		t.Fatalf("answers recorded: %q", a)
	}
	if n := tm.notices(teamChat); len(n) != 1 || n[0] != tm.text("en", "spool_team_draft", map[string]any{"Receipt": teamReceipt}) {
		t.Fatalf("the investigator was told %q", n)
	}
	for user, code := range map[string]string{reporterID: receipt, "2002": teamReceipt} {
		if r := tm.as(user, "", commands.Request{Command: "status", Args: code}); len(r) != 1 || !strings.Contains(r[0].Text, "storage was down") {
			t.Fatalf("/status with %s's outage receipt: %q", user, texts(r))
		}
	}
	checkCanaries(t, tm, tm.logs, "replayed", name, words, "bodega azul", "Tlaquepaque", chat, msg,
		teamName, teamWords, "colonia Oblatos", teamChat, teamMsg,
		receipt, strings.ReplaceAll(receipt, "-", ""), teamReceipt, strings.ReplaceAll(teamReceipt, "-", ""))
}
