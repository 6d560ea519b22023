package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// twoPlatforms is two processes on one Redis and one clock, as deployed
// with one process a platform: tg runs Telegram alone, dc Discord alone.
func twoPlatforms(t *testing.T) (tg, dc *env, tgp, dcp *platform) {
	t.Helper()
	tgp, dcp = &platform{recorder: &recorder{}}, &platform{recorder: &recorder{}}
	tg, _ = newEngine(t, "p", tgp, commands.Options{})
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: tg.store, Messages: msg, Now: tg.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	mux.AddSender("discord", dcp)
	dc = &env{t: t, mux: mux, store: tg.store, msg: msg, clk: tg.clk, logs: &bytes.Buffer{}}
	return tg, dc, tgp, dcp
}

func runWipes(t *testing.T, e *env) {
	t.Helper()
	if err := e.mux.RunWipes(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A reporter's delayed /wipe is carried out by the process that runs
// their platform, whichever process sweeps first: the other leaves it
// (before, it took the job out of Redis, found it could not do it, and
// the chat was never wiped). Both ways round.
func TestDelayedWipeIsLeftToTheProcessOfItsPlatform(t *testing.T) {
	tg, dc, tgp, dcp := twoPlatforms(t)
	if r := tg.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "en"}); len(r) != 1 {
		t.Fatalf("/wipe 1h on Telegram: %+v", r)
	}
	if r := dc.do("u77", commands.Request{Platform: "discord", Command: "wipe", Args: "2h", MessageID: "d9", UserChat: "u77", Language: "en"}); len(r) != 1 {
		t.Fatalf("/wipe 2h on Discord: %+v", r)
	}
	tg.clk.Add(2*time.Hour + time.Second)
	runWipes(t, dc) // first: Discord's process sees Telegram's job due
	if _, w := dcp.took(); len(w) != 1 || w[0] != "u77/d9" {
		t.Fatalf("Discord's process wiped %v, want its reporter's chat", w)
	}
	runWipes(t, tg)
	if _, w := tgp.took(); len(w) != 1 || w[0] != wiperID+"/46" {
		t.Fatalf("Telegram's process wiped %v, want its reporter's chat", w)
	}
	// Each ran once: nothing is left due.
	tg.clk.Add(time.Hour)
	runWipes(t, tg)
	runWipes(t, dc)
	if _, w := tgp.took(); len(w) != 1 {
		t.Fatalf("Telegram's chat wiped again: %v", w)
	}
	if _, w := dcp.took(); len(w) != 1 {
		t.Fatalf("Discord's chat wiped again: %v", w)
	}
}

// A process that took a delayed wipe and died before it was done (here a
// take with nothing after it) does not lose it: once its lease ends, the
// next sweep of a process of that platform wipes the chat; before, no
// other process takes it.
func TestDelayedWipeTakenByAProcessThatDiedIsDoneAfterItsLease(t *testing.T) {
	tg, _, tgp, _ := twoPlatforms(t)
	ctx := context.Background()
	tg.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "en"})
	tg.clk.Add(time.Hour + time.Second)
	if _, err := tg.store.TakeWipe(ctx, tg.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
		t.Fatalf("the process that dies takes it: %v", err)
	}
	runWipes(t, tg)
	if _, w := tgp.took(); len(w) != 0 {
		t.Fatalf("wiped while another process's lease runs: %v", w)
	}
	tg.clk.Add(10*time.Minute + time.Second)
	runWipes(t, tg)
	if _, w := tgp.took(); len(w) != 1 || w[0] != wiperID+"/46" {
		t.Fatalf("after the lease: wiped %v", w)
	}
	if _, err := tg.store.TakeWipe(ctx, tg.clk.Now().Add(time.Hour), []string{"telegram", "discord"}, time.Minute); err != storage.ErrNotFound {
		t.Fatalf("left after it was done: %v", err)
	}
}

// A delayed wipe whose run kills the process every time (a poison job:
// here each take has nothing after it) is not taken again every lease
// until it expires, killing a process each time: after five takes that
// died it is given up, said in the log by a count (nothing that names
// the chat), and nothing of it is left in Redis. Before then, a process
// that died (a deploy) loses no wipe: the next take still runs it.
func TestDelayedWipeThatKillsItsProcessIsGivenUp(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "en"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 5 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	runWipes(t, e)
	if _, w := p.took(); len(w) != 0 {
		t.Fatalf("the job that killed five processes was run again: wiped %v", w)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "scheduled deletion was given up") || !strings.Contains(logs, "times_taken=5") {
		t.Fatalf("the log did not say the job was given up:\n%s", logs)
	}
	if strings.Contains(logs, wiperID) {
		t.Fatalf("the log names the chat:\n%s", logs)
	}
	if keys := srv.Client().Keys(ctx, "p:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left in Redis: %v", keys)
	}

	// Four processes that died, then one that lives: the chat is wiped.
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "47", UserChat: wiperID, Language: "en"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 4 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	runWipes(t, e)
	if _, w := p.took(); len(w) != 1 || w[0] != wiperID+"/47" {
		t.Fatalf("after four processes died: wiped %v", w)
	}
}

// A delayed wipe that fails once (the platform did not answer) after
// four processes that took it died (four deploys) is still carried out
// at its next try: a failure settles the take (counted apart, by its
// attempts), so the takes start again. Before, the failed take counted
// as a fifth death and the try after it was given up: the chat was
// never wiped.
func TestDelayedWipeFailedAfterTakesThatDiedIsStillDone(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "en"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 4 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	p.mu.Lock()
	p.fail = true
	p.mu.Unlock()
	runWipes(t, e)
	if _, w := p.took(); len(w) != 0 {
		t.Fatalf("wiped while the platform fails: %v", w)
	}
	p.mu.Lock()
	p.fail = false
	p.mu.Unlock()
	e.clk.Add(time.Minute + time.Second)
	runWipes(t, e)
	if _, w := p.took(); len(w) != 1 || w[0] != wiperID+"/46" {
		t.Fatalf("the try after the failure: wiped %v", w)
	}
	if strings.Contains(e.logs.String(), "given up") {
		t.Fatalf("given up:\n%s", e.logs.String())
	}
}

// "/wipe now" is taken in the reporter's language, as the usage and
// Discord's field name the word, and in English: before, "/wipe ahora"
// was answered with the usage, and the chat was left as it was.
func TestWipeNowInTheReportersLanguage(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	words := map[string]string{"en": "now", "es": "Ahora", "fr": "maintenant", "pt-BR": "agora"}
	n := 0
	for lang, word := range words {
		for _, arg := range []string{word, "now"} {
			n++
			user, msg := fmt.Sprintf("88372%02d", n), fmt.Sprint(100+n)
			if r := e.do(user, commands.Request{Command: "wipe", Args: " " + arg + " ", MessageID: msg, UserChat: user, Language: lang}); len(r) != 0 {
				t.Fatalf("%s: /wipe %s answered %+v", lang, arg, r)
			}
			if _, w := p.took(); len(w) != n || w[n-1] != user+"/"+msg {
				t.Fatalf("%s: /wipe %s did not wipe the chat at once: %v", lang, arg, w)
			}
		}
	}
}

// A reporter told their chat would be deleted is told, once and in their
// language, when the deletion is given up (every process that took it
// died): else they believe their messages gone while anyone holding
// their phone can still read them. Nothing of the job is left in Redis
// and the log does not name the chat.
func TestDelayedWipeGivenUpIsToldToItsReporter(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "es"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 5 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	runWipes(t, e)
	e.clk.Add(time.Hour)
	runWipes(t, e)
	if _, w := p.took(); len(w) != 0 {
		t.Fatalf("the job that killed five processes was run again: wiped %v", w)
	}
	want := e.msg.Localize("es", "wipe_given_up", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("the reporter was told %+v, want once %q", sent, want)
	}
	if logs := e.logs.String(); strings.Contains(logs, wiperID) {
		t.Fatalf("the log names the chat:\n%s", logs)
	}
	if keys := srv.Client().Keys(ctx, "p:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left in Redis: %v", keys)
	}
}

// stoppingPlatform is a platform whose chat wipe is cut short by the
// process shutting down: the sweep's context is cancelled mid-wipe.
type stoppingPlatform struct {
	*platform
	stop context.CancelFunc
}

func (p *stoppingPlatform) WipeChat(ctx context.Context, _, _ string) (commands.WipeResult, error) {
	p.stop()
	<-ctx.Done()
	return commands.WipeResult{}, ctx.Err()
}

// A shutdown (a deploy) that cuts a delayed wipe short settles its take:
// it is not counted as a process that died running it. After four
// processes that died, a run stopped by a shutdown, then a process that
// lives: the chat is wiped. Before, the take was left unsettled (settled
// on the cancelled context) and the next take gave the job up. Nor is
// the run a shutdown stopped counted as a failed try (Attempts).
func TestDelayedWipeCutShortByShutdownIsNotCountedAsADeath(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "en"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 4 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}

	stopping, stop := context.WithCancel(ctx)
	defer stop()
	msg, _ := loadMessages()
	deploying := commands.New(commands.Options{Store: e.store, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	deploying.AddSender("telegram", &stoppingPlatform{platform: p, stop: stop})
	_ = deploying.RunWipes(stopping) // (its error is the shutdown's)

	e.clk.Add(10*time.Minute + time.Second) // past the stopped run's lease, if it was left
	runWipes(t, e)
	if _, w := p.took(); len(w) != 1 || w[0] != wiperID+"/46" {
		t.Fatalf("after four deaths and a shutdown: wiped %v", w)
	}
	if strings.Contains(e.logs.String(), "given up") {
		t.Fatalf("given up:\n%s", e.logs.String())
	}

	// Nor is it counted as a failed try: three tries that failed, a run
	// stopped by a shutdown, then one that works: the chat is wiped.
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "47", UserChat: wiperID, Language: "en"})
	e.clk.Add(time.Hour + time.Second)
	p.mu.Lock()
	p.fail = true
	p.mu.Unlock()
	for range 3 {
		runWipes(t, e)
		e.clk.Add(time.Minute + time.Second)
	}
	p.mu.Lock()
	p.fail = false
	p.mu.Unlock()
	stopping, stop = context.WithCancel(ctx)
	defer stop()
	deploying.AddSender("telegram", &stoppingPlatform{platform: p, stop: stop})
	_ = deploying.RunWipes(stopping)
	e.clk.Add(10*time.Minute + time.Second)
	runWipes(t, e)
	if _, w := p.took(); len(w) != 2 || w[1] != wiperID+"/47" {
		t.Fatalf("after three failed tries and a shutdown: wiped %v", w)
	}
}

// A delayed wipe that fails four times is given up, and its reporter,
// told it would be done, is told once that it was not, in their
// language: before, the job was dropped in silence and the reporter
// believed their messages gone. Mutation: the tellWipeGivenUp call on the
// path of four failed tries removed → told nothing, test fails.
func TestDelayedWipeFailedFourTimesIsToldToItsReporter(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "fr"})
	p.mu.Lock()
	p.fail = true
	p.sent = nil
	p.mu.Unlock()
	e.clk.Add(time.Hour + time.Second)
	for range 6 {
		runWipes(t, e)
		e.clk.Add(time.Minute + time.Second)
	}
	want := e.msg.Localize("fr", "wipe_given_up", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("after four failed tries the reporter was told %+v, want once %q", sent, want)
	}
	if !strings.Contains(e.logs.String(), "scheduled deletion failed") || strings.Contains(e.logs.String(), wiperID) {
		t.Fatalf("log:\n%s", e.logs.String())
	}
}

// removerThatFails is a platform on which deleting a message fails.
type removerThatFails struct{ *platform }

func (removerThatFails) DeleteMessage(context.Context, string, string) error {
	return errors.New("message not deleted")
}

// A scheduled deletion of one message (an enrolment secret) that is given
// up is not announced as a chat wipe given up: the member never asked
// for their conversation to be deleted, and wipe_given_up would tell them
// it was not. They are told, once and in their language, that their key
// is still on screen, to delete it themselves (before, they were told
// nothing: told it deletes itself, they left it there); the log says it
// was given up, and what it was, without the chat. Both ways a job is
// given up: five processes that died taking it, four failed tries.
func TestMessageDeletionGivenUpIsNotToldAsAChatWipe(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	secret := storage.Wipe{Route: "telegram:" + wiperID, MessageID: "9", Language: "es"}
	if err := e.store.ScheduleWipe(ctx, secret, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for take := range 5 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	runWipes(t, e)
	if !strings.Contains(e.logs.String(), "given up") {
		t.Fatalf("the deletion that killed five processes was not given up:\n%s", e.logs.String())
	}

	var logs bytes.Buffer
	msg, _ := loadMessages()
	failing := commands.New(commands.Options{Store: e.store, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	failing.AddSender("telegram", removerThatFails{p})
	secret.MessageID = "10"
	if err := e.store.ScheduleWipe(ctx, secret, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		if err := failing.RunWipes(ctx); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(time.Minute + time.Second)
	}
	if n := strings.Count(logs.String(), "scheduled deletion failed"); n != 4 {
		t.Fatalf("the deletion failed %d times, want 4 then given up:\n%s", n, logs.String())
	}

	if !strings.Contains(logs.String(), "given up after four failed tries") || !strings.Contains(logs.String(), "kind=enrolment_key") {
		t.Fatalf("the log did not say the deletion was given up:\n%s", logs.String())
	}
	if l := e.logs.String() + logs.String(); strings.Contains(l, wiperID) {
		t.Fatalf("the log names the chat:\n%s", l)
	}

	want := e.msg.Localize("es", "enroll_secret_not_deleted", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 2 || sent[0].Text != want || sent[1].Text != want {
		t.Fatalf("the member was told %+v of two message deletions given up, want each once %q", sent, want)
	}
}

// removerGone is a platform on which the message to delete is gone
// already: the member deleted it.
type removerGone struct{ *platform }

func (removerGone) DeleteMessage(context.Context, string, string) error {
	return fmt.Errorf("delete: %w", commands.ErrMessageGone)
}

// An enrolment key the member deleted themselves before its scheduled
// deletion is done: not tried again four times, given up, and the
// member told it was not deleted (untrue).
func TestEnrolmentKeyDeletedAlreadyIsDone(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	if err := e.store.ScheduleWipe(ctx, storage.Wipe{Route: "telegram:" + wiperID, MessageID: "9", Language: "fr"}, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	msg, _ := loadMessages()
	gone := commands.New(commands.Options{Store: e.store, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	gone.AddSender("telegram", removerGone{p})
	if err := gone.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "failed") {
		t.Fatalf("counted as a failed try:\n%s", logs.String())
	}
	if keys := srv.Client().Keys(ctx, "p:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left in Redis to be tried again: %v", keys)
	}
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 0 {
		t.Fatalf("the member was told %+v", sent)
	}
}

// sendsWhileLive is a platform whose sends fail once their context is
// done, as a real one's do (the request is cancelled).
type sendsWhileLive struct{ *platform }

func (p sendsWhileLive) Send(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return p.platform.Send(ctx, chatID, rep)
}

// stopAfterGivingUp is a store whose process is told to shut down just
// after a take gave a job up (dropped it): between the give-up and the
// notice.
type stopAfterGivingUp struct {
	*storage.Store
	stop context.CancelFunc
}

func (s stopAfterGivingUp) TakeWipe(ctx context.Context, now time.Time, platforms []string, lease time.Duration) (storage.Wipe, error) {
	w, err := s.Store.TakeWipe(ctx, now, platforms, lease)
	if w.GivenUp {
		s.stop()
	}
	return w, err
}

// A shutdown that comes after a delayed wipe was given up (its job
// dropped) and before its reporter is told does not lose the notice:
// nothing else would ever tell them their messages are still there.
// Before, the notice was sent on the sweep's context, cancelled by then.
func TestDelayedWipeGivenUpIsToldDespiteAShutdown(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "pt-BR"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 5 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	stopping, stop := context.WithCancel(ctx)
	defer stop()
	msg, _ := loadMessages()
	deploying := commands.New(commands.Options{Store: stopAfterGivingUp{e.store, stop}, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	deploying.AddSender("telegram", sendsWhileLive{p})
	_ = deploying.RunWipes(stopping) // (its error is the shutdown's)
	if stopping.Err() == nil {
		t.Fatal("the job was not given up")
	}
	want := e.msg.Localize("pt-BR", "wipe_given_up", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("the reporter was told %+v, want once %q", sent, want)
	}
}

// losesGiveUpReply is a store whose take that gives a job up loses its
// answer once: the script ran in Redis (the job was given up), the
// process saw a network error.
type losesGiveUpReply struct {
	*storage.Store
	lost *atomic.Bool
}

func (s losesGiveUpReply) TakeWipe(ctx context.Context, now time.Time, platforms []string, lease time.Duration) (storage.Wipe, error) {
	w, err := s.Store.TakeWipe(ctx, now, platforms, lease)
	if w.GivenUp && s.lost.CompareAndSwap(false, true) {
		return storage.Wipe{}, errors.New("take wipe: unexpected EOF")
	}
	return w, err
}

// A delayed wipe given up (every process that took it died) whose take's
// answer was lost is still told to its reporter, once, by the sweep after
// the lease of the take that gave it up; then nothing of it is left.
// Before, the give-up dropped the job with the answer, and the reporter,
// told their chat would be wiped, was never told it was not.
// Mutation: RunWipes without its WipeDone after the notice → told again
// past the lease, and the job left in Redis (the storage side's mutation
// is TestWipeGivenUpSurvivesALostReply's).
func TestDelayedWipeGivenUpIsToldThoughTheTakesAnswerWasLost(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "fr"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 5 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"telegram"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d, by a process that dies: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	p.mu.Lock()
	p.sent = nil
	p.mu.Unlock()
	msg, _ := loadMessages()
	lost := new(atomic.Bool)
	m := commands.New(commands.Options{Store: losesGiveUpReply{e.store, lost}, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	m.AddSender("telegram", p)
	if err := m.RunWipes(ctx); err == nil || !lost.Load() {
		t.Fatalf("sweep whose give-up answer was lost: %v (lost %v)", err, lost.Load())
	}
	for range 3 { // past the lease of the take that gave it up, and after
		e.clk.Add(10*time.Minute + time.Second)
		if err := m.RunWipes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, w := p.took(); len(w) != 0 {
		t.Fatalf("the job that killed five processes was run: wiped %v", w)
	}
	want := e.msg.Localize("fr", "wipe_given_up", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("the reporter was told %+v, want once %q", sent, want)
	}
	if keys := srv.Client().Keys(ctx, "p:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left in Redis: %v", keys)
	}
}

// slowSettle is a store whose settle of a job (WipeDone) takes all of
// its budget before it is done.
type slowSettle struct{ *storage.Store }

func (s slowSettle) WipeDone(ctx context.Context, w storage.Wipe) error {
	<-ctx.Done()
	return s.Store.WipeDone(context.WithoutCancel(ctx), w)
}

// The notice of a delayed wipe given up after four failed tries has its
// own budget: a settle that was slow (Redis busy) does not leave it none.
// Before, it shared the settle's, and the reporter was never told.
func TestDelayedWipeFailedFourTimesIsToldAfterASlowSettle(t *testing.T) {
	commands.ShortWipeSettle(t, 50*time.Millisecond)
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "es"})
	p.mu.Lock()
	p.fail = true
	p.sent = nil
	p.mu.Unlock()
	msg, _ := loadMessages()
	slow := commands.New(commands.Options{Store: slowSettle{e.store}, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	slow.AddSender("telegram", sendsWhileLive{p})
	e.clk.Add(time.Hour + time.Second)
	for range 6 {
		if err := slow.RunWipes(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(time.Minute + time.Second)
	}
	want := e.msg.Localize("es", "wipe_given_up", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("after four failed tries and a slow settle the reporter was told %+v, want once %q", sent, want)
	}
}

// losesDoneReply is a store whose drop of a job (WipeDone) loses its
// answer once: the drop was done in Redis, the process saw a network
// error (go-redis does not send a MULTI/EXEC again once it was written).
type losesDoneReply struct {
	*storage.Store
	lost *atomic.Bool
}

func (s losesDoneReply) WipeDone(ctx context.Context, w storage.Wipe) error {
	if err := s.Store.WipeDone(ctx, w); err != nil || !s.lost.CompareAndSwap(false, true) {
		return err
	}
	return errors.New("wipe done: unexpected EOF")
}

// A delayed wipe given up after four failed tries is told to its
// reporter though the answer to its drop was lost: the drop was done, so
// nothing would ever tell them again. Before, the notice was sent only
// once the drop answered, and the reporter, told their chat would be
// wiped, was never told it was not.
// Mutation: tellWipeGivenUp only where WipeDone answered (err == nil)
// → told nothing, test fails.
func TestDelayedWipeFailedFourTimesIsToldThoughTheDropsAnswerWasLost(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	e.do(wiperID, commands.Request{Command: "wipe", Args: "1h", MessageID: "46", UserChat: wiperID, Language: "pt-BR"})
	p.mu.Lock()
	p.fail = true
	p.sent = nil
	p.mu.Unlock()
	msg, _ := loadMessages()
	lost := new(atomic.Bool)
	m := commands.New(commands.Options{Store: losesDoneReply{e.store, lost}, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	m.AddSender("telegram", p)
	e.clk.Add(time.Hour + time.Second)
	for try := range 4 {
		err := m.RunWipes(ctx)
		if try < 3 && err != nil {
			t.Fatalf("try %d: %v", try+1, err)
		}
		if try == 3 && (err == nil || !lost.Load()) {
			t.Fatalf("the sweep whose drop's answer was lost: %v (lost %v)", err, lost.Load())
		}
		e.clk.Add(time.Minute + time.Second)
	}
	e.clk.Add(10*time.Minute + time.Second) // (past a lease)
	if err := m.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	want := e.msg.Localize("pt-BR", "wipe_given_up", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("after four failed tries, the drop's answer lost, the reporter was told %+v, want once %q", sent, want)
	}
	if keys := srv.Client().Keys(ctx, "p:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left in Redis: %v", keys)
	}
}

// keepsTheirs is a platform like Discord's direct messages: a chat wipe
// deletes only the bot's messages, and the reporter is told to delete
// theirs. Its first failSends sends fail.
type keepsTheirs struct {
	*platform
	failSends int
}

func (p *keepsTheirs) WipeChat(ctx context.Context, chatID, upTo string) (commands.WipeResult, error) {
	_, err := p.platform.WipeChat(ctx, chatID, upTo)
	return commands.WipeResult{TheirsKept: true}, err
}

func (p *keepsTheirs) Send(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	p.mu.Lock()
	fail := p.failSends > 0
	p.failSends--
	p.mu.Unlock()
	if fail {
		return nil, errors.New("platform unavailable")
	}
	return p.platform.Send(ctx, chatID, rep)
}

// A delayed wipe that was done, but whose notice after it (delete your
// own messages) failed four times, is not told as "not deleted, your
// messages are still here": the reporter is told what is true, the
// notice itself (with its draft's discard). Nor do the tries after the
// wipe wipe again, or discard the tip the reporter began since.
func TestDelayedWipeDoneWhoseNoticeFailedIsNotToldAsNotDone(t *testing.T) {
	p := &keepsTheirs{platform: &platform{recorder: &recorder{}}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	req := func(r commands.Request) []commands.Reply {
		r.UserChat, r.Language = wiperID, "fr"
		return e.do(wiperID, r)
	}
	req(commands.Request{Text: "Le propriétaire s'appelle Ramiro", MessageID: "45"})
	req(commands.Request{Command: "wipe", Args: "1h", MessageID: "46"})
	p.mu.Lock()
	p.failSends, p.sent = 4, nil
	p.mu.Unlock()
	e.clk.Add(time.Hour + time.Second)
	runWipes(t, e) // wiped; its notice fails
	req(commands.Request{Text: "Nouvel avis : la même voiture est revenue", MessageID: "48"})
	for range 5 {
		e.clk.Add(time.Minute + time.Second)
		runWipes(t, e)
	}
	want := e.msg.Localize("fr", "wipe_done_theirs_kept", nil) + "\n\n" + e.msg.Localize("fr", "wipe_draft_discarded", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("the reporter was told %+v, want once %q", sent, want)
	}
	if _, w := p.took(); len(w) != 1 {
		t.Fatalf("wiped %v, want once", w)
	}
	if d, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID)); err != nil || d.Parts != 1 {
		t.Fatalf("the tip begun after the wipe: %+v %v", d, err)
	}
}

// A member whose enrolment key could not be deleted is told so in the
// language they enrolled in (the job keeps it), not the deployment's.
func TestEnrolmentKeyNotDeletedIsToldInTheMembersLanguage(t *testing.T) {
	e, p, _ := newGuarded(t)
	if r := e.do(investigatorID, commands.Request{Command: "enroll", UserChat: investigatorID, Language: "pt-BR"}); len(r) != 0 {
		t.Fatalf("/enroll: %+v", r)
	}
	msg, _ := loadMessages()
	failing := commands.New(commands.Options{Store: e.store, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	failing.AddSender("telegram", removerThatFails{p})
	e.clk.Add(2*time.Minute + time.Second)
	for range 5 {
		if err := failing.RunWipes(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(time.Minute + time.Second)
	}
	want := e.msg.Localize("pt-BR", "enroll_secret_not_deleted", nil)
	p.mu.Lock()
	sent := p.sent[investigatorID]
	p.mu.Unlock()
	if len(sent) != 2 || sent[1].Text != want {
		t.Fatalf("the member was sent %+v, want their key then %q", sent, want)
	}
}

// dropDraftFails is a store on which discarding a draft fails (Redis
// unreachable for that call).
type dropDraftFails struct{ *storage.Store }

func (dropDraftFails) DropDraft(context.Context, string, int64) (bool, error) {
	return false, errors.New("redis: connection refused")
}

// A delayed wipe whose try wiped the chat but could neither discard the
// reporter's unsent draft (Redis failed) nor send its notice, taken
// again by another process (or this one restarted), still discards the
// draft begun before the wipe: the discard owed was kept only in the
// memory of the process that wiped. Before, the later try only sent the
// notice, and the draft begun before the wipe stayed, to be sent.
func TestDelayedWipeRetriedElsewhereStillDiscardsTheDraftBegunBefore(t *testing.T) {
	p := &keepsTheirs{platform: &platform{recorder: &recorder{}}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	req := func(r commands.Request) []commands.Reply {
		r.UserChat, r.Language = wiperID, "es"
		return e.do(wiperID, r)
	}
	req(commands.Request{Text: "El dueño se llama Ramiro", MessageID: "45"})
	req(commands.Request{Command: "wipe", Args: "1h", MessageID: "46"})
	p.mu.Lock()
	p.failSends, p.sent = 1, nil
	p.mu.Unlock()
	e.clk.Add(time.Hour + time.Second)
	msg, _ := loadMessages()
	first := commands.New(commands.Options{Store: dropDraftFails{e.store}, Messages: msg, Now: e.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	first.AddSender("telegram", p)
	if err := first.RunWipes(ctx); err != nil { // wiped; neither the discard nor the notice done
		t.Fatal(err)
	}
	e.clk.Add(time.Minute + time.Second)
	runWipes(t, e) // another process
	if d, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", wiperID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the draft begun before the wipe is still there: %+v %v", d, err)
	}
	want := e.msg.Localize("es", "wipe_done_theirs_kept", nil) + "\n\n" + e.msg.Localize("es", "wipe_draft_discarded", nil)
	p.mu.Lock()
	sent := p.sent[wiperID]
	p.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("the reporter was told %+v, want once %q", sent, want)
	}
	if _, w := p.took(); len(w) != 1 {
		t.Fatalf("wiped %v, want once", w)
	}
}

// A reporter who set a wipe for later and then wipes now, by /wipe now or
// the wipe-now button, is left an empty chat on Telegram, as before they
// set one: nothing is said after the wipe, not even that the later wipe
// still comes, which would tell whoever holds the phone next that they
// used the bot and set wipes (they are told when they begin a tip it
// would discard: TestDraftTellsOfTheWipeSetForLater). Before, the wiped
// chat said the later wipe was still set, and when. It is kept
// (deleting again only protects them) and runs when due; nothing of it
// is left in Redis after, and the log does not name the chat.
// Mutation: wipeChat sending laterWipe's text on the silent path (as
// cf90d7f did) → TestWipeNowLeavesTheChatEmptyThoughAWipeIsSetForLater
// fails.
func TestWipeNowLeavesTheChatEmptyThoughAWipeIsSetForLater(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "p", p, commands.Options{})
	ctx := context.Background()
	for i, c := range []struct {
		lang, delay string
		after       time.Duration
		button      bool
	}{
		{"es", "2h", 13 * time.Minute, false},
		{"fr", "30m", 5*time.Minute + 20*time.Second, true},
		{"pt-BR", "24h", 20 * time.Minute, false},
		{"en", "1h", 40 * time.Minute, true},
	} {
		user := fmt.Sprintf("88373%02d", i)
		if r := e.do(user, commands.Request{Command: "wipe", Args: c.delay, MessageID: "46", UserChat: user, Language: c.lang}); len(r) != 1 {
			t.Fatalf("/wipe %s: %+v", c.delay, r)
		}
		e.clk.Add(c.after)
		now := commands.Request{Command: "wipe", Args: "now", MessageID: "50", UserChat: user, Language: c.lang}
		if c.button {
			now = commands.Request{Callback: "wipe:0", MessageID: "50", UserChat: user, Language: c.lang}
		}
		if r := e.do(user, now); len(r) != 0 {
			t.Fatalf("%s: wipe now (button %v) after /wipe %s wrote into the wiped chat: %+v", c.lang, c.button, c.delay, r)
		}
		if _, w := p.took(); len(w) != i+1 || w[i] != user+"/50" {
			t.Fatalf("%s: wipe now did not wipe the chat at once: %v", c.lang, w)
		}
		e.clk.Add(-c.after)
	}
	p.mu.Lock()
	sent := len(p.sent)
	p.mu.Unlock()
	if sent != 0 {
		t.Fatalf("the bot wrote into the wiped chats: %+v", p.sent)
	}
	// The later wipes still run, when due, in silence too.
	e.clk.Add(24*time.Hour + time.Second)
	runWipes(t, e)
	if _, w := p.took(); len(w) != 8 {
		t.Fatalf("the wipes set for later: wiped %v", w)
	}
	if r := e.do("8837300", commands.Request{Command: "wipe", Args: "now", MessageID: "60", UserChat: "8837300", Language: "es"}); len(r) != 0 {
		t.Fatalf("/wipe now once the later wipe ran: %+v", r)
	}
	if keys := srv.Client().Keys(ctx, "p:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left in Redis: %v", keys)
	}
	if logs := e.logs.String(); strings.Contains(logs, "88373") {
		t.Fatalf("the log names a chat:\n%s", logs)
	}
}

// Where the platform keeps the reporter's messages (Discord), the bot
// speaks after a wipe now anyway (their messages are theirs to delete):
// that notice is followed by one that a wipe they set for later is
// still set, and in about how long; of two, the soonest.
func TestWipeNowOnDiscordTellsOfTheWipeSetForLater(t *testing.T) {
	k := &keepsTheirs{platform: &platform{recorder: &recorder{}}}
	d, _ := newEngine(t, "d", k, commands.Options{})
	d.do(wiperID, commands.Request{Command: "wipe", Args: "24h", MessageID: "46", UserChat: wiperID, Language: "fr"})
	d.do(wiperID, commands.Request{Command: "wipe", Args: "3h", MessageID: "47", UserChat: wiperID, Language: "fr"})
	d.clk.Add(time.Hour)
	want := d.msg.Localize("fr", "wipe_done_theirs_kept", nil) + "\n\n" +
		d.msg.Localize("fr", "wipe_later_still_set", map[string]any{"Delay": d.msg.Localize("fr", "age_hours", nil, 2)})
	if r := d.do(wiperID, commands.Request{Command: "wipe", MessageID: "50", UserChat: wiperID, Language: "fr"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/wipe on Discord answered %+v, want %q", r, want)
	}
}
