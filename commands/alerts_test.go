package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// outage is a recorder that refuses every send while down, as Telegram
// does when the bot lost its rights in the investigators' chat, and counts
// the sends tried.
type outage struct {
	*recorder
	mu    sync.Mutex
	down  bool
	hang  bool // sends wait until their context ends, as a platform that never answers
	tries int
}

func (o *outage) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	o.mu.Lock()
	o.tries++
	down, hang := o.down, o.hang
	o.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if down {
		return nil, errors.New("Forbidden: bot was kicked from the supergroup chat")
	}
	return o.recorder.Send(ctx, chat, r)
}

func (o *outage) set(down bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down, o.tries = down, 0
}

func (o *outage) tried() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.tries
}

// newOutageTeam is newTeam with a sender that can be taken down, and
// investigators' chats chats.
func newOutageTeam(t *testing.T, chats ...string) (*team, *outage) {
	t.Helper()
	o := &outage{recorder: &recorder{}}
	e, srv := newEngine(t, "w", o, commands.Options{
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: chats,
	})
	return &team{env: e, srv: srv, sent: o.recorder}, o
}

// corroborate has three reporters name one phone number: the third raises
// the alert.
func (tm *team) corroborate() {
	tm.t.Helper()
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	tm.report("7003", "del 5512345678 piden cuota", "")
}

// retryFor runs the alert sweep every minute (as serve does) for d.
func (tm *team) retryFor(d time.Duration) {
	tm.t.Helper()
	for end := tm.clk.Now().Add(d); tm.clk.Now().Before(end); {
		tm.clk.Add(time.Minute)
		if err := tm.mux.RetryAlerts(context.Background()); err != nil {
			tm.t.Fatal(err)
		}
	}
}

func (tm *team) sentTo(chat string) []commands.Reply {
	tm.sent.mu.Lock()
	defer tm.sent.mu.Unlock()
	return tm.sent.sent[chat]
}

// An alert every investigators' chat refuses (the bot lost its rights
// there for a day) is kept and tried again, every few minutes at most,
// with a log that does not grow with each attempt and names nothing; it
// goes out once, when the chat takes it again.
func TestAlertOutlastsAnOutage(t *testing.T) {
	tm, o := newOutageTeam(t, "telegram:"+invChat)
	o.set(true)
	tm.corroborate() // report fails the test if indexing fails
	if o.tried() != 1 || len(tm.sentTo(invChat)) != 0 {
		t.Fatalf("%d sends tried, %d delivered", o.tried(), len(tm.sentTo(invChat)))
	}
	if n, err := tm.store.IndexBacklog(context.Background()); err != nil || n != 0 {
		t.Fatalf("backlog %d %v: the tip should be indexed, its alert kept", n, err)
	}
	o.set(true)
	tm.retryFor(24 * time.Hour)
	// Tried again with a growing wait, then every five minutes: not
	// every minute (1,440 sends), not given up.
	if n := o.tried(); n < 24*60/5-5 || n > 24*60/5+5 {
		t.Fatalf("%d sends tried in a day, want one every five minutes", n)
	}
	logs := tm.logs.String()
	if n := strings.Count(logs, "\n"); n > 30 {
		t.Fatalf("%d log lines in a day of outage:\n%s", n, logs)
	}
	if n := strings.Count(logs, "alerts wait"); n < 1 || n > 25 {
		t.Fatalf("told of the waiting alert %d times in a day, want at most once an hour:\n%s", n, logs)
	}
	for _, secret := range []string{"5512345678", "1234 5678", invChat} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log names %q:\n%s", secret, logs)
		}
	}
	o.set(false)
	tm.retryFor(10 * time.Minute)
	got := tm.sentTo(invChat)
	if len(got) != 1 || !strings.Contains(got[0].Text, "+52 55 1234 5678") || !strings.Contains(got[0].Text, " 3 different reporters") || !got[0].Protected {
		t.Fatalf("after the outage: %+v", got)
	}
	tm.retryFor(time.Hour)
	tm.report("7004", "otra vez el 5512345678", "")
	if n := len(tm.sentTo(invChat)); n != 1 {
		t.Fatalf("%d alerts, want one", n)
	}
	// Redis never held the entity in clear.
	tm.noAlertDue()
}

// noAlertDue fails the test if an alert is still due, or if the record of
// one every chat took (kept for a withdrawal to find its chats) outlives
// the corroboration window and a day.
func (tm *team) noAlertDue() {
	tm.t.Helper()
	ctx := context.Background()
	c := tm.srv.Client()
	if n := c.ZCard(ctx, "w:{alerts}:due").Val(); n != 0 {
		tm.t.Errorf("%d alerts still due", n)
	}
	for _, k := range c.Keys(ctx, "w:*alerts*").Val() {
		// PEXPIRETIME: the expiry is set by the test's clock, not Redis's.
		at := c.PExpireTime(ctx, k).Val()
		if ttl := time.UnixMilli(int64(at / time.Millisecond)).Sub(tm.clk.Now()); at <= 0 || ttl > 8*24*time.Hour {
			tm.t.Errorf("key %s left, expiring in %v", k, ttl)
		}
	}
}

// An alert no chat takes during the whole corroboration window is given
// up, said once in the log; /signals still lists the entity.
func TestAlertGivenUpAfterTheWindow(t *testing.T) {
	tm, o := newOutageTeam(t, "telegram:"+invChat)
	o.set(true)
	tm.corroborate()
	tm.retryFor(time.Hour)
	tm.clk.Add(7 * 24 * time.Hour)
	tm.retryFor(time.Hour)
	if n := strings.Count(tm.logs.String(), "alert was given up"); n != 1 {
		t.Fatalf("given up told %d times:\n%s", n, tm.logs.String())
	}
	o.set(false)
	tm.retryFor(time.Hour)
	if n := len(tm.sentTo(invChat)); n != 0 {
		t.Fatalf("%d alerts after the window", n)
	}
	if n := len(tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val()); n != 0 {
		t.Errorf("%d keys of the given-up alert left", n)
	}
	if s := tm.as(adminID, "Ada", commands.Request{Command: "signals", Args: "30d"})[0].Text; !strings.Contains(s, "+52 55 1234 5678\u2069 · 3 reporters") {
		t.Fatalf("signals after the alert was given up: %s", s)
	}
}

// midSend is a sender that runs during once, mid-way through its
// first send: another replica's sweep while this one is sending.
type midSend struct {
	commands.Sender
	once   sync.Once
	during func()
}

func (m *midSend) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	m.once.Do(m.during)
	return m.Sender.Send(ctx, chat, r)
}

// With no investigators' chat configured, an alert waits for one: once
// the bot runs with one (two replicas), it goes out there, once.
func TestAlertWaitsForAnInvestigatorsChat(t *testing.T) {
	tm, o := newOutageTeam(t)
	tm.corroborate()
	tm.retryFor(2 * time.Hour)
	if o.tried() != 0 {
		t.Fatalf("%d sends with no investigators' chat", o.tried())
	}
	// Restarted with VIGIA_INVESTIGATOR_CHATS set, as two replicas.
	var replicas []*commands.Mux
	for range 2 {
		m := commands.New(commands.Options{Store: tm.store, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en",
			InvestigatorChats: []string{"telegram:" + invChat}, Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
		replicas = append(replicas, m)
	}
	// The second replica sweeps while the first is sending the alert.
	replicas[0].AddSender("telegram", &midSend{Sender: o, during: func() {
		if err := replicas[1].RetryAlerts(context.Background()); err != nil {
			t.Error(err)
		}
	}})
	replicas[1].AddSender("telegram", o)
	tm.clk.Add(time.Minute)
	if err := replicas[0].RetryAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := tm.sentTo(invChat)
	if len(got) != 1 || !strings.Contains(got[0].Text, "+52 55 1234 5678") {
		t.Fatalf("alerts once an investigators' chat is configured: %+v", got)
	}
	for range 10 {
		tm.clk.Add(5 * time.Minute)
		for _, m := range replicas {
			if err := m.RetryAlerts(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := len(tm.sentTo(invChat)); n != 1 {
		t.Fatalf("%d alerts, want one", n)
	}
	if !strings.Contains(tm.logs.String(), "VIGIA_INVESTIGATOR_CHATS") {
		t.Fatalf("the log did not say alerts waited for an investigators' chat:\n%s", tm.logs.String())
	}
}

// An urgent tip's announcement that no investigators' chat takes (the
// bot removed from it, the platform down) is announced at a later sweep,
// once a chat takes it, and the failure is logged once an hour, not at
// every sweep. It was marked announced before the send, so it was never
// announced at all.
// Mutation: Remind without the Unmark → no announcement once the chat
// is back.
func TestUrgentAnnouncementOutlastsAnOutage(t *testing.T) {
	tm, o := newOutageTeam(t, "telegram:"+invChat)
	ctx := context.Background()
	r := tm.as(reporterID, "R", commands.Request{Text: "secuestro en curso"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 new urgent"})
	o.set(true)
	before := strings.Count(tm.logs.String(), "urgent tip not announced")
	for range 90 { // an hour and a half of sweeps, a minute apart
		tm.clk.Add(time.Minute)
		if err := tm.mux.Remind(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(tm.logs.String(), "urgent tip not announced") - before; n != 2 {
		t.Errorf("%d log lines in 90 minutes of refused announcements, want 2 (one an hour)", n)
	}
	if n := len(tm.sentTo(invChat)); n != 0 {
		t.Fatalf("%d announcements while the chat refused them", n)
	}
	o.set(false)
	for range 3 {
		tm.clk.Add(time.Minute)
		if err := tm.mux.Remind(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := tm.sentTo(invChat)
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, strings.Split(tm.msg.Localize("en", "announce_urgent", map[string]any{"ID": "1", "Age": "x"}), "x")[0]) {
		t.Fatalf("announcements once the chat is back: %+v, want one", got)
	}
}

// A platform that hangs instead of refusing holds a kept alert's retry no
// longer than its budget: the sweep goes on to drafts and reminders, and
// the alert goes out at a later sweep once the platform answers.
// Mutation: RetryAlerts sending on the sweep's own context → still
// running after 5 s.
func TestAlertRetryDoesNotHangOnAHungPlatform(t *testing.T) {
	commands.ShortAlertRetryBudget(t, 100*time.Millisecond)
	tm, o := newOutageTeam(t, "telegram:"+invChat)
	o.set(true)
	tm.corroborate()
	o.mu.Lock()
	o.hang = true
	o.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		tm.clk.Add(10 * time.Minute)
		done <- tm.mux.RetryAlerts(context.Background())
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RetryAlerts still running after 5 s against a platform that never answers")
	}
	o.mu.Lock()
	o.hang = false
	o.mu.Unlock()
	o.set(false)
	tm.retryFor(10 * time.Minute)
	if got := tm.sentTo(invChat); len(got) != 1 || !strings.Contains(got[0].Text, "+52 55 1234 5678") {
		t.Fatalf("after the platform answers again: %+v", got)
	}
}

// chatModes is a recorder whose chats each answer their own way: "" takes
// a send, "refuse" refuses it (the bot lost its rights there), "hang"
// never answers (the send waits for its context), "slow" takes it after
// slow whatever its context (a platform that delivered, its answer late).
type chatModes struct {
	*recorder
	mu   sync.Mutex
	mode map[string]string
	slow time.Duration
}

func (c *chatModes) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	c.mu.Lock()
	mode, slow := c.mode[chat], c.slow
	c.mu.Unlock()
	switch mode {
	case "refuse":
		return nil, errors.New("Forbidden: bot was kicked from the supergroup chat")
	case "hang":
		<-ctx.Done()
		return nil, ctx.Err()
	case "slow":
		time.Sleep(slow)
	}
	return c.recorder.Send(ctx, chat, r)
}

func (c *chatModes) set(chat, mode string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mode[chat] = mode
}

const otherInvChat = "-100778"

// newTwoChatTeam is newTeam with two investigators' chats, invChat and
// otherInvChat, each answering as its mode says.
func newTwoChatTeam(t *testing.T) (*team, *chatModes) {
	t.Helper()
	c := &chatModes{recorder: &recorder{}, mode: map[string]string{}}
	e, srv := newEngine(t, "w", c, commands.Options{
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:" + invChat, "telegram:" + otherInvChat},
	})
	return &team{env: e, srv: srv, sent: c.recorder}, c
}

// An alert one investigators' chat took and the other refused reaches the
// other once it takes sends again, and the first never gets it twice.
// Mutations: alert counting a partial delivery as delivered (the old
// behaviour) → the refusing chat never gets it; RetryAlerts sending to
// every chat, not the missing ones → the first chat gets it twice.
func TestAlertPartlyDeliveredReachesTheRefusingChat(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	c.set(otherInvChat, "refuse")
	tm.corroborate()
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 0 {
		t.Fatalf("first send: %d and %d alerts, want 1 and 0", a, b)
	}
	tm.retryFor(time.Hour) // the other chat still refuses
	c.set(otherInvChat, "")
	tm.retryFor(10 * time.Minute)
	tm.retryFor(time.Hour)
	got := tm.sentTo(otherInvChat)
	if len(got) != 1 || !strings.Contains(got[0].Text, "+52 55 1234 5678") || !got[0].Protected {
		t.Fatalf("the chat that refused, once it takes sends again: %+v", got)
	}
	if n := len(tm.sentTo(invChat)); n != 1 {
		t.Fatalf("the chat that took it at once got it %d times", n)
	}
	tm.noAlertDue()
	logs := tm.logs.String()
	for _, secret := range []string{"5512345678", "1234 5678", invChat, otherInvChat} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log names %q:\n%s", secret, logs)
		}
	}
}

// A kept alert sent late says so: when it was raised, how long ago.
// Mutation: RetryAlerts without the alert_late note → the late alert
// reads as a fresh one.
func TestLateAlertSaysWhenItWasRaised(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	c.set(otherInvChat, "refuse")
	raised := tm.clk.Now()
	tm.corroborate()
	tm.retryFor(3 * time.Hour)
	c.set(otherInvChat, "")
	tm.retryFor(10 * time.Minute)
	got := tm.sentTo(otherInvChat)
	if len(got) != 1 {
		t.Fatalf("%d late alerts, want 1", len(got))
	}
	want := tm.msg.Localize("en", "alert_late", map[string]any{"Age": "3 hours", "Time": raised.UTC().Format("2006-01-02 15:04 UTC")})
	if !strings.Contains(got[0].Text, want) || !strings.HasPrefix(got[0].Text, "Signal: \u2068+52 55 1234 5678\u2069") {
		t.Fatalf("late alert:\n%s\nwant it to say:\n%s", got[0].Text, want)
	}
	if first := tm.sentTo(invChat); len(first) != 1 || strings.Contains(first[0].Text, "Late") {
		t.Fatalf("the alert sent at once: %+v", first)
	}
}

// A kept alert whose tips were purged down to fewer reporters than the
// threshold is not sent: dropped, the log saying how many and nothing
// else. A later reporter who brings the entity back to the threshold
// raises it again, to both chats.
// Mutation: DueAlerts without the recount → the refusing chat gets the
// alert of two reporters once it takes sends again.
func TestPurgedTipsWithdrawAKeptAlert(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	c.set(otherInvChat, "refuse")
	tm.corroborate()
	tm.retryFor(10 * time.Minute)
	tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3"})
	c.set(otherInvChat, "")
	tm.retryFor(time.Hour)
	if got := tm.sentTo(otherInvChat); len(got) != 0 {
		t.Fatalf("alert sent with two reporters left: %q", got[0].Text)
	}
	logs := tm.logs.String()
	if n := strings.Count(logs, "kept alerts withdrawn"); n != 1 || !strings.Contains(logs, "alerts=1") {
		t.Fatalf("withdrawal told %d times:\n%s", n, logs)
	}
	for _, secret := range []string{"5512345678", "1234 5678", invChat, otherInvChat} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log names %q:\n%s", secret, logs)
		}
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the withdrawn alert left: %v", keys)
	}
	tm.report("7004", "otra vez el 5512345678", "")
	// invChat: the alert, its withdrawal, the new alert.
	for chat, want := range map[string]int{invChat: 3, otherInvChat: 1} {
		got := tm.sentTo(chat)
		if len(got) != want || !strings.Contains(got[want-1].Text, " 3 different reporters") {
			t.Fatalf("chat %s once a new reporter names the entity: %+v, want %d alerts", chat, got, want)
		}
	}
}

// A kept alert's retry cut off by its budget: a chat whose platform took
// it after the budget ran out is recorded as having it, and the chat whose
// send was cut off gets it at a later sweep; each chat once.
// Mutations: recording a chat that took it on the budget's context → the
// slow chat gets it twice; a partial delivery counted as delivered → the
// hung chat never gets it.
func TestAlertCutOffByTheBudgetGoesOnceToEachChat(t *testing.T) {
	commands.ShortAlertRetryBudget(t, 100*time.Millisecond)
	tm, c := newTwoChatTeam(t)
	c.set(invChat, "refuse")
	c.set(otherInvChat, "refuse")
	tm.corroborate()
	c.mu.Lock()
	c.slow = 300 * time.Millisecond
	c.mu.Unlock()
	c.set(invChat, "slow")      // delivered, answered past the budget
	c.set(otherInvChat, "hang") // cut off by the budget
	tm.clk.Add(2 * time.Minute)
	if err := tm.mux.RetryAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 0 {
		t.Fatalf("sweep cut off by its budget: %d and %d alerts, want 1 and 0", a, b)
	}
	c.set(invChat, "")
	c.set(otherInvChat, "")
	tm.retryFor(time.Hour)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("after the platform answers again: %d and %d alerts, want one each", a, b)
	}
}

// A platform that hangs instead of refusing holds an alert's first send
// no longer than the retries' budget: the indexer goes on to the next
// tips, the alert is kept, and it goes out once the platform answers.
// Mutation: Mux.alert sending on the indexer's own context → the third
// report never returns.
func TestFirstAlertDoesNotHoldTheIndexerOnAHungPlatform(t *testing.T) {
	commands.ShortAlertRetryBudget(t, 100*time.Millisecond)
	tm, o := newOutageTeam(t, "telegram:"+invChat)
	o.mu.Lock()
	o.hang = true
	o.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tm.corroborate()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the indexer still waits after 5 s on an alert to a platform that never answers")
	}
	o.mu.Lock()
	o.hang = false
	o.mu.Unlock()
	tm.retryFor(10 * time.Minute)
	if got := tm.sentTo(invChat); len(got) != 1 || !strings.Contains(got[0].Text, "+52 55 1234 5678") {
		t.Fatalf("after the platform answers again: %+v", got)
	}
}

// A tip that brings several entities to the threshold at once raises
// several alerts, each sent at once by the indexer. On a platform that
// hangs, each waited for the whole budget in turn: the indexer (every
// later tip, searches, alerts) stood still budget × alerts, past the
// minute after which another replica takes its tips over and raises
// their alerts again. Once a chat's send was cut off, the next alerts
// are kept for it without waiting, and all go out once it answers.
// Mutation: no memory of the hung chat → 3 sends waited on.
func TestHungChatHoldsTheIndexerOnceForSeveralAlerts(t *testing.T) {
	commands.ShortAlertRetryBudget(t, 100*time.Millisecond)
	tm, o := newOutageTeam(t, "telegram:"+invChat)
	o.mu.Lock()
	o.hang = true
	o.mu.Unlock()
	tm.report("7001", "cobran piso desde el 5512345678, el 5587654321 y el 5511223344", "")
	tm.report("7002", "el 5512345678 nos amenaza, también el 5587654321 y el 5511223344", "")
	tm.report("7003", "del 5512345678, del 5587654321 y del 5511223344 piden cuota", "")
	o.mu.Lock()
	waited := o.tries
	o.hang = false
	o.mu.Unlock()
	if waited != 1 {
		t.Errorf("the indexer waited on %d sends to a chat that never answers, want 1", waited)
	}
	tm.retryFor(10 * time.Minute)
	got := tm.sentTo(invChat)
	if len(got) != 3 {
		t.Fatalf("after the platform answers again: %d alerts, want 3: %+v", len(got), got)
	}
	for _, n := range []string{"+52 55 1234 5678", "+52 55 8765 4321", "+52 55 1122 3344"} {
		if !slices.ContainsFunc(got, func(r commands.Reply) bool { return strings.Contains(r.Text, n) }) {
			t.Errorf("no alert for %s: %+v", n, got)
		}
	}
}

// reportCode is report, answering the tip's receipt code.
func (tm *team) reportCode(user, text string) string {
	tm.t.Helper()
	r := tm.as(user, "R", commands.Request{Text: text})
	code := codeRE.FindString(tm.as(user, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	if code == "" {
		tm.t.Fatal("no receipt")
	}
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		tm.t.Fatal(err)
	}
	return code
}

// A kept alert whose third reporter withdraws their tip with /forget is
// not sent on to the chat that refused it: too few reporters are left.
// The tip stays in the queue, /signals counts two reporters.
// Mutation: store.Forget only erasing the route (as before) → the chat
// back from its outage gets "3 different reporters".
func TestForgottenTipWithdrawsAKeptAlert(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	c.set(otherInvChat, "refuse")
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	if got := tm.sentTo(invChat); len(got) != 1 {
		t.Fatalf("the alert before /forget: %+v", got)
	}
	if r := tm.as("7003", "R", commands.Request{Command: "forget", Args: code}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "forget_done", nil) {
		t.Fatalf("/forget: %q", texts(r))
	}
	c.set(otherInvChat, "")
	tm.retryFor(time.Hour)
	if got := tm.sentTo(otherInvChat); len(got) != 0 {
		t.Fatalf("alert sent with a forgotten tip's reporter counted: %q", got[0].Text)
	}
	if logs := tm.logs.String(); strings.Count(logs, "kept alerts withdrawn") != 1 {
		t.Fatalf("withdrawal not told:\n%s", logs)
	}
	if s := tm.as(adminID, "Ada", commands.Request{Command: "signals"})[0].Text; !strings.Contains(s, "· 2 reporters · 2 tips") {
		t.Fatalf("signals after /forget: %s", s)
	}
}

const thirdInvChat = "-100779"

// A withdrawn alert is retracted in the chats that took it, each told
// once, naming the entity and when the alert was raised, nothing of the
// tips or reporters; a chat that refuses the notice does not hold the
// others, and is told at a later attempt; a chat that never took the
// alert is told nothing.
// Mutations: no notice sent (the old behaviour) → invChat is told
// nothing; a chat told not recorded (AlertRetracted skipped) →
// otherInvChat is told twice; the sends stopping at the first refusal →
// otherInvChat untold while invChat refuses.
func TestWithdrawnAlertIsRetractedWhereItWasTaken(t *testing.T) {
	c := &chatModes{recorder: &recorder{}, mode: map[string]string{}}
	e, srv := newEngine(t, "w", c, commands.Options{
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:" + invChat, "telegram:" + otherInvChat, "telegram:" + thirdInvChat},
	})
	tm := &team{env: e, srv: srv, sent: c.recorder}
	c.set(thirdInvChat, "refuse")
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	raised := tm.clk.Now().UTC().Format("2006-01-02 15:04 UTC")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	c.set(invChat, "refuse")
	tm.retryFor(10 * time.Minute)
	withdrawn := func(chat string) []string {
		t.Helper()
		var out []string
		for _, r := range tm.sentTo(chat) {
			if strings.HasPrefix(r.Text, "Alert withdrawn") {
				out = append(out, r.Text)
			}
		}
		return out
	}
	if a, b := len(withdrawn(invChat)), len(withdrawn(otherInvChat)); a != 0 || b != 1 {
		t.Fatalf("with invChat refusing: told %d and %d times, want 0 and 1", a, b)
	}
	c.set(invChat, "")
	tm.retryFor(time.Hour)
	want := tm.msg.Localize("en", "alert_withdrawn", map[string]any{"Entity": "\u2068+52 55 1234 5678\u2069", "Time": raised})
	for _, chat := range []string{invChat, otherInvChat} {
		if got := withdrawn(chat); len(got) != 1 || got[0] != want {
			t.Fatalf("chat %s told %q, want once %q", chat, got, want)
		}
	}
	if got := tm.sentTo(thirdInvChat); len(got) != 0 {
		t.Fatalf("the chat that never took the alert got %q", texts(got))
	}
	for _, secret := range []string{"cuota", "piso", code, "7003"} {
		if strings.Contains(want, secret) {
			t.Fatalf("the notice names %q: %s", secret, want)
		}
	}
	logs := tm.logs.String()
	if n := strings.Count(logs, "kept alerts withdrawn"); n != 1 || !strings.Contains(logs, "alerts=1") {
		t.Fatalf("withdrawal logged %d times:\n%s", n, logs)
	}
	for _, secret := range []string{"5512345678", "1234 5678", invChat, otherInvChat, thirdInvChat} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the log names %q:\n%s", secret, logs)
		}
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the withdrawn alert left: %v", keys)
	}
}

// crashing is chatModes whose send to chat crash panics once it is set,
// as a process dying mid-send: nothing after it is written.
type crashing struct {
	*chatModes
	crash string
}

func (c *crashing) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	c.mu.Lock()
	crash := c.crash == chat
	c.mu.Unlock()
	if crash {
		panic("process killed")
	}
	return c.chatModes.Send(ctx, chat, r)
}

// A process that dies between an alert's first sends and their end
// (after invChat took it, while sending to otherInvChat): its tip is
// indexed again, the alert raised again, and it goes to otherInvChat
// only; invChat does not get it twice.
// Mutation: the alert kept only after its sends (the old behaviour) →
// invChat gets it twice.
func TestAlertRaisedAgainAfterACrashGoesOnlyWhereItIsMissing(t *testing.T) {
	cm := &chatModes{recorder: &recorder{}, mode: map[string]string{}}
	c := &crashing{chatModes: cm}
	e, srv := newEngine(t, "w", c, commands.Options{
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:" + invChat, "telegram:" + otherInvChat},
	})
	if !srv.Real {
		t.Skip("it needs the pending entries' idle times of a real redis-server")
	}
	tm := &team{env: e, srv: srv, sent: cm.recorder}
	ctx := context.Background()
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	c.mu.Lock()
	c.crash = otherInvChat
	c.mu.Unlock()
	r := tm.as("7003", "R", commands.Request{Text: "del 5512345678 piden cuota"})
	tm.as("7003", "R", commands.Request{Callback: press(r, "send:")})
	if err := tm.mux.IndexPending(ctx); err == nil {
		t.Fatal("the crash went unnoticed")
	}
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 0 {
		t.Fatalf("before the restart: %d and %d alerts, want 1 and 0", a, b)
	}
	// The restart: the dead process's tip is stale, another indexes it.
	c.mu.Lock()
	c.crash = ""
	c.mu.Unlock()
	rc := srv.Client()
	pend, err := rc.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.IndexGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) == 0 {
		t.Fatalf("nothing pending: %v", err)
	}
	for _, p := range pend {
		if err := rc.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.IndexGroup, p.Consumer, 0, p.ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.mux.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	tm.retryFor(time.Hour)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("after the restart: %d and %d alerts, want one each", a, b)
	}
	tm.noAlertDue()
}

// withdrawnIn returns the withdrawal notices chat got.
func (tm *team) withdrawnIn(chat string) []string {
	var out []string
	for _, r := range tm.sentTo(chat) {
		if strings.HasPrefix(r.Text, "Alert withdrawn") {
			out = append(out, r.Text)
		}
	}
	return out
}

// An alert every investigators' chat took at once is withdrawn from both
// when its third reporter's tip is forgotten (/forget), or purged: each
// chat told once, the log counting one withdrawal; a new third reporter
// then raises it again, to both chats.
// Mutation: AlertSent dropping the alert's record (the old behaviour) →
// neither chat is told.
func TestAlertEveryChatTookIsWithdrawnWhereItWasTaken(t *testing.T) {
	for _, how := range []string{"forget", "purge"} {
		t.Run(how, func(t *testing.T) {
			tm, _ := newTwoChatTeam(t)
			tm.report("7001", "cobran piso desde el 5512345678", "")
			tm.report("7002", "el 5512345678 nos amenaza", "")
			code := tm.reportCode("7003", "del 5512345678 piden cuota")
			tm.retryFor(2 * time.Hour)
			if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
				t.Fatalf("the alert: %d and %d, want one each", a, b)
			}
			tm.noAlertDue()
			if how == "forget" {
				tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
			} else {
				tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3"})
			}
			tm.retryFor(time.Hour)
			for _, chat := range []string{invChat, otherInvChat} {
				if got := tm.withdrawnIn(chat); len(got) != 1 || !strings.Contains(got[0], "+52 55 1234 5678") {
					t.Fatalf("chat %s told %q, want one withdrawal", chat, got)
				}
			}
			if n := strings.Count(tm.logs.String(), "kept alerts withdrawn"); n != 1 {
				t.Fatalf("withdrawal logged %d times:\n%s", n, tm.logs.String())
			}
			if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
				t.Errorf("keys of the withdrawn alert left: %v", keys)
			}
			tm.report("7004", "otra vez el 5512345678", "")
			for _, chat := range []string{invChat, otherInvChat} {
				if got := tm.sentTo(chat); len(got) != 3 || !strings.Contains(got[2].Text, " 3 different reporters") {
					t.Fatalf("chat %s once a new reporter names the entity: %q", chat, texts(got))
				}
			}
		})
	}
}

// A tip forgotten while its alert is being sent (after the first chat
// took it, before the second): the alert, taken by both, is still
// withdrawn from both.
// Mutation: AlertSent ignoring the recount asked for meanwhile (doneAlert
// without its "rc" check) → neither chat is told.
func TestTipForgottenMidSendWithdrawsTheAlert(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	r := tm.as("7003", "R", commands.Request{Text: "del 5512345678 piden cuota"})
	code := codeRE.FindString(tm.as("7003", "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	if code == "" {
		t.Fatal("no receipt")
	}
	tm.mux.AddSender("telegram", &midSend{Sender: c, during: func() {
		tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	}})
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("the alert: %d and %d, want one each", a, b)
	}
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.withdrawnIn(chat); len(got) != 1 {
			t.Fatalf("chat %s told %q, want one withdrawal", chat, got)
		}
	}
}

// A tip forgotten while its alert is being sent, and the alert, due,
// found withdrawn meanwhile by another replica's sweep (no chat had
// taken it yet: dropped at once): the chats the send then reaches are still told
// it was withdrawn.
// Mutations: the alert not kept again after its sends when the first
// keep worked (the "!kept" condition back), or kept again with no recount
// ("rc") → neither chat is told.
func TestAlertWithdrawnByAReplicaMidSendIsStillRetracted(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	r := tm.as("7003", "R", commands.Request{Text: "del 5512345678 piden cuota"})
	code := codeRE.FindString(tm.as("7003", "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	if code == "" {
		t.Fatal("no receipt")
	}
	other := tm.replica(c, invChat, otherInvChat)
	tm.mux.AddSender("telegram", &midSend{Sender: c, during: func() {
		tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
		// The record is due (as one kept before a crash is, its alert
		// raised again): the replica's sweep claims it.
		tm.clk.Add(2 * time.Minute)
		if err := other.RetryAlerts(context.Background()); err != nil {
			t.Error(err)
		}
	}})
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("the alert: %d and %d, want one each", a, b)
	}
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.withdrawnIn(chat); len(got) != 1 {
			t.Fatalf("chat %s told %q, want one withdrawal", chat, got)
		}
	}
	tm.noAlertDue()
}

// A withdrawal a chat that took the alert refuses to hear all window is
// given up, and the log says so: not that the alert was not taken.
// Mutation: the withdrawn mark ("w") not read when given up → the log
// says "an alert was given up".
func TestWithdrawalGivenUpSaysSo(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	c.set(invChat, "refuse")
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(time.Hour)
	tm.clk.Add(7 * 24 * time.Hour)
	tm.retryFor(time.Hour)
	logs := tm.logs.String()
	if strings.Count(logs, "withdrawal was given up") != 1 || strings.Contains(logs, "an alert was given up") {
		t.Fatalf("the log:\n%s", logs)
	}
	if len(tm.withdrawnIn(otherInvChat)) != 1 || len(tm.withdrawnIn(invChat)) != 0 {
		t.Fatalf("notices: %q %q", tm.withdrawnIn(invChat), tm.withdrawnIn(otherInvChat))
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the given-up alert left: %v", keys)
	}
}

// An alert every chat took, its record kept for a withdrawal: once its
// window is over, the entity named again by three reporters raises a new
// alert, and it goes to both chats (the old record does not say they
// have it).
// Mutation: AlertMissing reading the record of the earlier alert → the
// new alert is sent nowhere.
func TestNextWindowAlertGoesToEveryChat(t *testing.T) {
	tm, _ := newTwoChatTeam(t)
	tm.corroborate()
	tm.retryFor(10 * time.Minute)
	// The alert mark expires (Redis's clock is not the test's: it is
	// deleted); the record, kept a little after it was taken, not yet.
	tm.clk.Add(7*24*time.Hour - 5*time.Minute)
	rc := tm.srv.Client()
	marks := rc.Keys(context.Background(), "w:ix:a:*").Val()
	if len(marks) != 1 || rc.Del(context.Background(), marks[0]).Err() != nil {
		t.Fatalf("alert marks %v", marks)
	}
	tm.report("7011", "cobran piso desde el 5512345678", "")
	tm.report("7012", "el 5512345678 nos amenaza", "")
	tm.report("7013", "del 5512345678 piden cuota", "")
	tm.retryFor(10 * time.Minute)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.sentTo(chat); len(got) != 2 {
			t.Fatalf("chat %s: %q, want two alerts", chat, texts(got))
		}
	}
	tm.noAlertDue()
}

// An alert every chat took, recounted because a tip naming its entity was
// forgotten, and still standing (a fourth reporter): nothing is sent, not
// even to an investigators' chat configured since. It was never promised
// the alerts raised before it was configured, and an alert sent "late"
// only because a report was taken out would be misleading.
// Mutation: DueAlerts looking for missing chats in an alert every chat
// took → the third chat is sent it, "late".
func TestRecountedAlertIsNotSentToAChatConfiguredSince(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.corroborate()
	code := tm.reportCode("7004", "también el 5512345678")
	tm.retryFor(10 * time.Minute)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("the alert: %d and %d, want one each", a, b)
	}
	tm.restartWith(c, invChat, otherInvChat, thirdInvChat) // a third chat configured
	tm.as("7004", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(time.Hour)
	if a, b, n := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)), len(tm.sentTo(thirdInvChat)); a != 1 || b != 1 || n != 0 {
		t.Fatalf("after the recount: %d, %d and %d messages (%q), want 1, 1 and 0", a, b, n, texts(tm.sentTo(thirdInvChat)))
	}
	tm.noAlertDue()
}

// An alert every chat took, recounted because a tip naming its entity was
// forgotten just before its deadline, the recount due after it: it is
// dropped without saying that not every chat took it (both did).
// Mutation: a given-up alert every chat took logged as any other → "an
// alert was given up: not every investigators' chat took it".
func TestRecountAtTheDeadlineIsNoGiveUp(t *testing.T) {
	tm, _ := newTwoChatTeam(t)
	tm.corroborate()
	code := tm.reportCode("7004", "también el 5512345678")
	tm.retryFor(10 * time.Minute)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("the alert: %d and %d, want one each", a, b)
	}
	tm.clk.Add(7*24*time.Hour - 10*time.Minute - 30*time.Second)
	tm.as("7004", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(10 * time.Minute)
	if logs := tm.logs.String(); strings.Contains(logs, "given up") {
		t.Fatalf("the log:\n%s", logs)
	}
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("after the recount: %d and %d messages, want one each", a, b)
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the alert left past its deadline: %v", keys)
	}
}

// An alert every chat took, being withdrawn (one chat told, the other
// refusing the notice), stands again with a new reporter: it is sent
// again to the chat told of the withdrawal, once, and the chat never told
// gets nothing more, even when that chat refuses it at first.
// Mutation: the "every chat took it" mark kept when it stands again → the
// chat told of the withdrawal never hears it stands.
func TestWithdrawnAlertStandingAgainGoesBackWhereItWasWithdrawn(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	tm.retryFor(10 * time.Minute)
	c.set(invChat, "refuse")
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(10 * time.Minute)
	if a, b := len(tm.withdrawnIn(invChat)), len(tm.withdrawnIn(otherInvChat)); a != 0 || b != 1 {
		t.Fatalf("notices: %d and %d, want 0 and 1", a, b)
	}
	// The new reporter: the chat told refuses the alert at first.
	c.set(otherInvChat, "refuse")
	tm.report("7004", "otra vez el 5512345678", "")
	tm.retryFor(10 * time.Minute)
	c.set(invChat, "")
	c.set(otherInvChat, "")
	tm.retryFor(time.Hour)
	if got := tm.sentTo(otherInvChat); len(got) != 3 || !strings.Contains(got[2].Text, " 3 different reporters") {
		t.Fatalf("the chat told of the withdrawal: %q", texts(got))
	}
	if got := tm.sentTo(invChat); len(got) != 1 {
		t.Fatalf("the chat never told: %q", texts(got))
	}
	tm.noAlertDue()
}

// restartWith replaces tm's Mux by one on the same store, clock and log,
// with chats (ids) as its investigators' chats and sender for Telegram.
func (tm *team) restartWith(sender commands.Sender, chats ...string) {
	tm.mux = tm.replica(sender, chats...)
}

// replica is another Mux on tm's store, clock and log (another serve
// process), with chats (ids) as its investigators' chats and sender for
// Telegram.
func (tm *team) replica(sender commands.Sender, chats ...string) *commands.Mux {
	var routes []string
	for _, c := range chats {
		routes = append(routes, "telegram:"+c)
	}
	m := commands.New(commands.Options{
		Store: tm.store, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en",
		Logger:    slog.New(slog.NewTextHandler(tm.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: routes,
	})
	m.AddSender("telegram", sender)
	return m
}

// The next window's alert raised while no investigators' chat is
// configured (they were taken out of the configuration for a while),
// the record of the earlier alert every chat took still kept: once the
// chats are configured again, each gets the new alert.
// Mutation: AlertMissing not dropping an earlier alert's record when no
// chat is configured → the new alert, kept in that record, is taken for
// one both chats have, and sent nowhere.
func TestNextWindowAlertRaisedWithoutChatsReachesThemLater(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.corroborate()
	tm.retryFor(10 * time.Minute)
	tm.restartWith(c)
	tm.clk.Add(7*24*time.Hour - 5*time.Minute)
	rc := tm.srv.Client()
	marks := rc.Keys(context.Background(), "w:ix:a:*").Val()
	if len(marks) != 1 || rc.Del(context.Background(), marks[0]).Err() != nil {
		t.Fatalf("alert marks %v", marks)
	}
	tm.report("7011", "cobran piso desde el 5512345678", "")
	tm.report("7012", "el 5512345678 nos amenaza", "")
	tm.report("7013", "del 5512345678 piden cuota", "")
	tm.retryFor(10 * time.Minute)
	tm.restartWith(c, invChat, otherInvChat)
	tm.retryFor(10 * time.Minute)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.sentTo(chat); len(got) != 2 {
			t.Fatalf("chat %s: %q, want two alerts", chat, texts(got))
		}
	}
	tm.noAlertDue()
}

// alertsIn returns the alerts (not their withdrawals) chat got.
func (tm *team) alertsIn(chat string) []string {
	var out []string
	for _, r := range tm.sentTo(chat) {
		if strings.HasPrefix(r.Text, "Alert withdrawn") {
			continue
		}
		out = append(out, r.Text)
	}
	return out
}

// Two replicas: one is telling the chats that an alert every chat took
// is withdrawn (a tip it counted forgotten, its window nearly over), when
// the other raises the entity's next alert (three new reporters, the
// earlier alert's mark expired), which one chat takes and the other
// refuses. The withdrawal touches only the alert it withdraws: the new
// one still reaches the refusing chat, once, and goes nowhere twice; its
// mark still holds back a fourth reporter's.
// Mutation: the withdrawal's scripts not checking the alert's instance
// (sameAlert always true) → the new alert's record is dropped with the
// old one's, and never reaches otherInvChat.
func TestWithdrawalDoesNotDropTheNextAlertRaisedMeanwhile(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	tm.retryFor(10 * time.Minute)
	if a, b := len(tm.alertsIn(invChat)), len(tm.alertsIn(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("the first alert: %d and %d, want one each", a, b)
	}
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	// The first alert's mark expires (Redis's clock is not the test's: it
	// is deleted); its record, kept a little after, not yet.
	tm.clk.Add(7*24*time.Hour - 20*time.Minute)
	rc := tm.srv.Client()
	marks := rc.Keys(context.Background(), "w:ix:a:*").Val()
	if len(marks) != 1 || rc.Del(context.Background(), marks[0]).Err() != nil {
		t.Fatalf("alert marks %v", marks)
	}
	// Replica A's sweep finds the first alert withdrawn; as it tells the
	// first chat, replica B (tm.mux) raises the next alert.
	a := tm.replica(&midSend{Sender: c, during: func() {
		c.set(otherInvChat, "refuse")
		tm.report("7011", "cobran piso desde el 5512345678", "")
		tm.report("7012", "el 5512345678 nos amenaza", "")
		tm.report("7013", "del 5512345678 piden cuota", "")
		c.set(otherInvChat, "")
	}}, invChat, otherInvChat)
	tm.clk.Add(time.Minute)
	if err := a.RetryAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := tm.alertsIn(invChat); len(got) != 2 {
		t.Fatalf("the next alert was not raised: %q", got)
	}
	tm.retryFor(time.Hour)
	tm.report("7014", "otra vez el 5512345678", "")
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.alertsIn(chat); len(got) != 2 {
			t.Fatalf("chat %s: alerts %q, want the first and the next, once each", chat, got)
		}
		if got := tm.withdrawnIn(chat); len(got) != 1 {
			t.Fatalf("chat %s: withdrawals %q, want one", chat, got)
		}
	}
	tm.noAlertDue()
}

// A withdrawal notice replies to the alert's message in each chat, the
// one the alert's first send reached and the one a later attempt did;
// Redis holds those messages' ids sealed, never in clear.
// Mutations: retractAlert not setting ReplyTo → the notices reply to
// nothing; RetryAlerts recording no message id → otherInvChat's notice
// replies to nothing.
func TestWithdrawalRepliesToTheAlert(t *testing.T) {
	tm, c := newTwoChatTeam(t)
	c.set(otherInvChat, "refuse")
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	c.set(otherInvChat, "")
	tm.retryFor(10 * time.Minute)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.sentTo(chat); len(got) != 1 {
			t.Fatalf("chat %s: %q, want the alert", chat, texts(got))
		}
	}
	rc := tm.srv.Client()
	for _, k := range rc.Keys(context.Background(), "w:*alerts*:a:*").Val() {
		for f, v := range rc.HGetAll(context.Background(), k).Val() {
			if v == "m1" || strings.Contains(v, invChat) || strings.Contains(v, otherInvChat) {
				t.Fatalf("field %s holds a message id or a chat id in clear", f)
			}
		}
	}
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		var notices []commands.Reply
		for _, r := range tm.sentTo(chat) {
			if strings.HasPrefix(r.Text, "Alert withdrawn") {
				notices = append(notices, r)
			}
		}
		// m1: the recorder's id of a chat's first message, the alert.
		if len(notices) != 1 || notices[0].ReplyTo != "m1" {
			t.Fatalf("chat %s: notices %+v, want one replying to m1", chat, notices)
		}
	}
}

// A process that dies after an alert was kept and before any chat took
// it (the first send never returns): the alert is not lost, another
// replica's sweep sends it to each chat, once; the dead process's tip,
// indexed again, raises it again and sends it nowhere twice.
// Mutation: the alert not kept before its first send → no chat gets it
// from the sweeps.
func TestAlertKeptBeforeACrashBeforeAnySendReachesEveryChatOnce(t *testing.T) {
	cm := &chatModes{recorder: &recorder{}, mode: map[string]string{}}
	c := &crashing{chatModes: cm}
	e, srv := newEngine(t, "w", c, commands.Options{
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:" + invChat, "telegram:" + otherInvChat},
	})
	if !srv.Real {
		t.Skip("it needs the pending entries' idle times of a real redis-server")
	}
	tm := &team{env: e, srv: srv, sent: cm.recorder}
	ctx := context.Background()
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	c.mu.Lock()
	c.crash = invChat // the first chat: no send returns
	c.mu.Unlock()
	r := tm.as("7003", "R", commands.Request{Text: "del 5512345678 piden cuota"})
	tm.as("7003", "R", commands.Request{Callback: press(r, "send:")})
	if err := tm.mux.IndexPending(ctx); err == nil {
		t.Fatal("the crash went unnoticed")
	}
	c.mu.Lock()
	c.crash = ""
	c.mu.Unlock()
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 0 || b != 0 {
		t.Fatalf("before the restart: %d and %d alerts, want none", a, b)
	}
	tm.retryFor(10 * time.Minute)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("after the sweeps: %d and %d alerts, want one each", a, b)
	}
	// The dead process's tip is stale: another indexes it again.
	rc := srv.Client()
	pend, err := rc.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.IndexGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pend) == 0 {
		t.Fatalf("nothing pending: %v", err)
	}
	for _, p := range pend {
		if err := rc.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.IndexGroup, p.Consumer, 0, p.ID, "IDLE", (2 * time.Minute).Milliseconds(), "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.mux.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	tm.retryFor(time.Hour)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("after the restart: %d and %d alerts, want one each", a, b)
	}
	tm.noAlertDue()
}

// A withdrawal notice to an investigators' chat that moved since the
// alert went out (a group upgraded to a supergroup) replies to nothing
// there: the alert's message id is the old chat's, and in the new one
// names another message. Where the chat did not move it still replies.
// Mutation: retractAlert replying to the recorded id whichever chat it
// was sent in → the notice in the new chat replies to its first message
// (the move's notice).
func TestWithdrawalInAMovedChatRepliesToNothing(t *testing.T) {
	tm, _ := newTwoChatTeam(t)
	ctx := context.Background()
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.sentTo(chat); len(got) != 1 {
			t.Fatalf("chat %s: %q, want the alert", chat, texts(got))
		}
	}
	const moved = "-100888"
	if err := tm.mux.ChatMoved(ctx, "telegram", invChat, moved); err != nil {
		t.Fatal(err)
	}
	if got := tm.sentTo(moved); len(got) != 1 {
		t.Fatalf("the new chat: %q, want the move's notice", texts(got))
	}
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	tm.retryFor(time.Hour)
	for chat, want := range map[string]string{moved: "", otherInvChat: "m1"} {
		var notices []commands.Reply
		for _, r := range tm.sentTo(chat) {
			if strings.HasPrefix(r.Text, "Alert withdrawn") {
				notices = append(notices, r)
			}
		}
		if len(notices) != 1 || notices[0].ReplyTo != want {
			t.Fatalf("chat %s: notices %+v, want one replying to %q", chat, notices, want)
		}
	}
}

// withdrawnTeam is newTwoChatTeam after an alert both chats took was
// withdrawn (its third reporter forgot the tip), its notices not yet sent.
func withdrawnTeam(t *testing.T) (*team, *chatModes) {
	t.Helper()
	tm, c := newTwoChatTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.report("7002", "el 5512345678 nos amenaza", "")
	code := tm.reportCode("7003", "del 5512345678 piden cuota")
	tm.retryFor(2 * time.Hour)
	if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
		t.Fatalf("the alert: %d and %d, want one each", a, b)
	}
	tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
	return tm, c
}

// A process that dies after recording a chat as being told an alert's
// withdrawal, before the notice went out: once that record's lease is
// over, a later attempt tells the chat (nothing is lost; a crash after
// the send would tell it twice, never none), and the other chat once.
// Mutation: a "being told" record counted as told however old (no lease,
// as db132bb had it) → invChat is never told.
func TestWithdrawalNoticeCutOffByACrashIsToldAfterTheLease(t *testing.T) {
	tm, c := withdrawnTeam(t)
	tm.mux.AddSender("telegram", &crashing{chatModes: c, crash: invChat})
	tm.clk.Add(time.Minute)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the crash went unnoticed")
			}
		}()
		_ = tm.mux.RetryAlerts(context.Background())
	}()
	if got := tm.withdrawnIn(invChat); len(got) != 0 {
		t.Fatalf("before the crash invChat was told %q, want nothing", got)
	}
	tm.restartWith(c, invChat, otherInvChat)
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.withdrawnIn(chat); len(got) != 1 {
			t.Fatalf("chat %s told %q, want one withdrawal", chat, got)
		}
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the withdrawn alert left: %v", keys)
	}
}

// held is chatModes whose sends to chat hold wait until release is
// closed, saying on started that one began: a replica's notice in flight.
type held struct {
	*chatModes
	hold    string
	started chan struct{}
	release chan struct{}
}

func (h *held) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if chat == h.hold {
		h.started <- struct{}{}
		<-h.release
	}
	return h.chatModes.Send(ctx, chat, r)
}

// While one replica's withdrawal notice to a chat is in flight (its
// "being told" lease live), another replica that claims the alert (its
// claim's minute over) does not send that chat the notice, nor drops the
// alert as if it were told; once the first settles it, the chat was told
// once, and the alert is dropped.
// Mutations: tellingAlert taking a live lease over → invChat told twice;
// a chat skipped for a live lease counted as told → the alert dropped
// while its notice was still in flight.
func TestWithdrawalNoticeInFlightIsNotSentByAnotherReplica(t *testing.T) {
	tm, c := withdrawnTeam(t)
	h := &held{chatModes: c, hold: invChat, started: make(chan struct{}, 1), release: make(chan struct{})}
	tm.mux.AddSender("telegram", h)
	tm.clk.Add(time.Minute)
	done := make(chan error, 1)
	go func() { done <- tm.mux.RetryAlerts(context.Background()) }()
	<-h.started
	other := tm.replica(c, invChat, otherInvChat)
	tm.clk.Add(time.Minute + time.Second)
	if err := other.RetryAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := tm.withdrawnIn(invChat); len(got) != 0 {
		t.Fatalf("invChat told %q by the other replica while the first one's notice was in flight", got)
	}
	if n, err := tm.store.KeptAlerts(context.Background()); err != nil || n != 1 {
		t.Fatalf("kept alerts %d %v while a notice is in flight, want the alert kept", n, err)
	}
	close(h.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	tm.restartWith(c, invChat, otherInvChat)
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.withdrawnIn(chat); len(got) != 1 {
			t.Fatalf("chat %s told %q, want one withdrawal", chat, got)
		}
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the withdrawn alert left: %v", keys)
	}
}

// notRetractedFails is a Store whose AlertNotRetracted fails, as Redis
// failing just as a refused notice is recorded not told.
type notRetractedFails struct{ commands.Store }

func (notRetractedFails) AlertNotRetracted(context.Context, storage.Signal, string, string) error {
	return errors.New("connection reset")
}

// A chat that refuses a withdrawal notice while Redis fails to record it
// not told (its "being told" record stays) is told at a later attempt,
// once that record's lease is over, and it takes sends again.
// Mutation: a "being told" record counted as told however old (no
// lease) → invChat is never told.
func TestRefusedWithdrawalNoticeNotRecordedIsToldLater(t *testing.T) {
	tm, c := withdrawnTeam(t)
	c.set(invChat, "refuse")
	failing := commands.New(commands.Options{
		Store: notRetractedFails{tm.store}, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en",
		Logger:    slog.New(slog.NewTextHandler(tm.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retention: 90 * 24 * time.Hour, Roles: commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:" + invChat, "telegram:" + otherInvChat},
	})
	failing.AddSender("telegram", c)
	tm.clk.Add(time.Minute)
	if err := failing.RetryAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, b := len(tm.withdrawnIn(invChat)), len(tm.withdrawnIn(otherInvChat)); a != 0 || b != 1 {
		t.Fatalf("told %d and %d times, want 0 and 1", a, b)
	}
	c.set(invChat, "")
	tm.retryFor(time.Hour)
	for _, chat := range []string{invChat, otherInvChat} {
		if got := tm.withdrawnIn(chat); len(got) != 1 {
			t.Fatalf("chat %s told %q, want one withdrawal", chat, got)
		}
	}
	if keys := tm.srv.Client().Keys(context.Background(), "w:*alerts*").Val(); len(keys) != 0 {
		t.Errorf("keys of the withdrawn alert left: %v", keys)
	}
}
