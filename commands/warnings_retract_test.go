package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// published subscribes n group chats (-1 … -n), has a warning posted and
// approved by two investigators (Ana, 2002, is told the progress).
func published(t *testing.T, tm *team, platform *community, n int) {
	t.Helper()
	tm.mux.AddSender("telegram", platform)
	for i := 1; i <= n; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: warningText})
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
		tm.approve(t, u.id, u.name, "1")
	}
}

// correctionOf is the correction, in English, of warningText verified at
// day: it names the warning by its copies' header date and first words.
func (tm *team) correctionOf(day time.Time) string {
	return tm.msg.Localize("en", "broadcast_correction_of", map[string]any{"Date": day.UTC().Format("2006-01-02"), "Text": warningText})
}

// A warning retracted in the middle of its broadcast goes out no more: the
// copies sent are deleted, the rest are never sent, and no copy is left.
func TestRetractStopsTheBroadcast(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	platform := &community{}
	published(t, tm, platform, 60)
	if err := tm.mux.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sent := len(platform.visible(warningText))
	if sent == 0 || sent == 60 {
		t.Fatalf("the first round sent %d of 60; the test needs a broadcast in progress", sent)
	}
	r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	if want := tm.msg.Localize("en", "retract_started", map[string]any{"ID": "1", "Count": sent}, sent); r[0].Text != want {
		t.Fatalf("retract: %q, want %q", r[0].Text, want)
	}
	toAna := len(platform.got["2002"])
	for range 5 {
		tm.clk.Add(commands.PerChatGap)
		if err := tm.mux.BroadcastOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if left := platform.visible(warningText); len(left) != 0 {
		t.Fatalf("%d copies of the retracted warning are still visible: %v", len(left), left)
	}
	copies := 0
	for _, text := range platform.byID {
		if isCopy(text, warningText) {
			copies++
		}
	}
	if copies != sent {
		t.Fatalf("%d copies sent after the retraction", copies-sent)
	}
	// No delivery report after the retraction: the withdrawal's.
	done := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": sent, "Deleted": sent, "Count": sent, "Gone": 0, "Unconfirmed": 0}, sent)
	if got := platform.got["2002"][toAna:]; len(got) != 1 || got[0] != done {
		t.Fatalf("told after the retraction: %q, want %q", got, done)
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}); r[0].Text != done {
		t.Fatalf("second retract: %+v", r)
	}
}

// A copy being sent as the retraction is recorded is not seen by /retract:
// it is queued for withdrawal when it is recorded, and withdrawn too.
func TestRetractWhileACopyIsBeingSent(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	platform := &community{}
	published(t, tm, platform, 4)
	day := tm.clk.Now()
	var once sync.Once
	warnings := 0
	var answer []commands.Reply
	platform.beforeSend = func(chat string, r commands.Reply) {
		if !isCopy(r.Text, warningText) {
			return
		}
		if warnings++; warnings == 2 { // one delivered, the second claimed and on its way
			once.Do(func() { answer = tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}) })
		}
	}
	tm.deliverAll(t)
	// The copy on its way counts: it may be delivered.
	if want := tm.msg.Localize("en", "retract_started", map[string]any{"ID": "1", "Count": 2}, 2); len(answer) == 0 || answer[0].Text != want {
		t.Fatalf("retract: %+v, want %q", answer, want)
	}
	if warnings != 2 {
		t.Fatalf("%d copies sent, want 2: the rest were withdrawn", warnings)
	}
	if left := platform.visible(warningText); len(left) != 0 {
		t.Fatalf("copies of the retracted warning still visible: %v", left)
	}
	correction := tm.correctionOf(day)
	corrected := 0
	for _, msgs := range platform.got {
		for _, m := range msgs {
			if m == correction {
				corrected++
			}
		}
	}
	if corrected != 2 {
		t.Fatalf("%d corrections, want one for each copy sent", corrected)
	}
	for chat, tos := range platform.replyTo {
		for _, to := range tos {
			if to != "" {
				t.Errorf("%s: a correction replies to %q, a copy deleted", chat, to)
			}
		}
	}
	p, done, err := tm.store.BroadcastProgress(ctx, "1")
	if err != nil || !done || p.Delivered != 0 || p.Withdrawn != 4 {
		t.Fatalf("progress %+v done %v %v", p, done, err)
	}
}

// Only a published warning can be retracted: an unknown number, or a
// warning still waiting for approvals, is answered as such and leaves no
// mark that would stop the real retraction later.
func TestRetractOnlyWhatWasPublished(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	for i := 1; i <= 3; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
	}
	for _, id := range []string{"1", "99"} { // before anything was posted, and never
		if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: id}); r[0].Text != tm.msg.Localize("en", "tip_not_found", map[string]any{"ID": id}) {
			t.Fatalf("retract %s: %+v", id, r)
		}
	}
	tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1") // one approval of two
	// A tip, not a warning: it is said so (not "was not published").
	tm.report("7778", "cobran piso en el mercado", "") // #2
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "2"}); r[0].Text != tm.msg.Localize("en", "retract_not_warning", map[string]any{"ID": "2"}) {
		t.Fatalf("retracting a tip: %+v", r)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "2", Language: "es"}); r[0].Text != tm.msg.Localize("es", "retract_not_warning", map[string]any{"ID": "2"}) {
		t.Fatalf("retracting a tip, in Spanish: %+v", r)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}); r[0].Text != tm.msg.Localize("en", "retract_none", map[string]any{"ID": "1"})+"\n\n"+tm.msg.Localize("en", "retract_none_dismiss", map[string]any{"ID": "1"}) {
		t.Fatalf("retracting an unpublished warning: %+v", r)
	}
	if r := tm.approve(t, "2003", "Beto", "1"); r[0].Text != tm.msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": 3}, 3) {
		t.Fatalf("second approval: %+v", r)
	}
	if err := tm.mux.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}); r[0].Text != tm.msg.Localize("en", "retract_started", map[string]any{"ID": "1", "Count": 3}, 3) {
		t.Fatalf("retracting the published warning: %+v", r)
	}
	tm.deliverAll(t)
	if left := platform.visible(warningText); len(left) != 0 {
		t.Fatalf("copies still visible: %v", left)
	}
}

// slowCommunity is community whose sends and deletes take time and honour
// ctx (a slow or rate-limited platform).
type slowCommunity struct {
	*community
	delay time.Duration
}

func (s *slowCommunity) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(s.delay):
		return nil
	}
}

func (s *slowCommunity) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.community.Send(ctx, chat, r)
}

func (s *slowCommunity) DeleteMessage(ctx context.Context, chat, msg string) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.community.DeleteMessage(ctx, chat, msg)
}

// /retract only records the retraction, at once, whatever the command's
// deadline: the broadcaster withdraws every copy, within the platforms'
// rates, and reports to whoever retracted it as /publish does.
func TestRetractOutlivesTheCommandDeadline(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &slowCommunity{community: &community{}}
	tm.mux.AddSender("telegram", platform)
	const n = 12
	for i := 1; i <= n; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
	day := tm.clk.Now()
	tm.deliverAll(t)
	if v := platform.visible(warningText); len(v) != n {
		t.Fatalf("delivered %d of %d", len(v), n)
	}
	toAna := len(platform.got["2002"])
	// Each call to the platform takes 100 ms, the command has 1 s (30 s
	// there; a slow or rate-limited platform here).
	platform.delay = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tm.event++
	rec := &recorder{}
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "2002", ChatID: "2002", UserChat: "2002", Name: "Ana",
		ChatKind: commands.Private, EventID: tm.event, Command: "retract", Args: "1", CommandAtStart: true}, rec)
	if r := rec.take(); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "retract_started", map[string]any{"ID": "1", "Count": n}, n) {
		t.Fatalf("retract answered %+v", r)
	}
	platform.delay = 0
	tm.deliverAll(t)
	if left := platform.visible(warningText); len(left) != 0 {
		t.Fatalf("still visible after the retraction: %d of %d: %v", len(left), n, left)
	}
	correction := tm.correctionOf(day)
	for i := 1; i <= n; i++ {
		if got := platform.got[fmt.Sprint(-i)]; len(got) != 2 || got[1] != correction {
			t.Fatalf("chat %d got %q", -i, got)
		}
	}
	done := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": n, "Deleted": n, "Count": n, "Gone": 0, "Unconfirmed": 0}, n)
	if got := platform.got["2002"][toAna:]; len(got) != 1 || got[0] != done {
		t.Fatalf("told %q, want %q", got, done)
	}
}

// A long warning goes out as several messages: every one is recorded and
// deleted on retraction; a send that fails part way is not sent again
// (what went out would be repeated).
func TestRetractDeletesEveryPartOfALongWarning(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{maxLen: 40, failPart: map[string]int{"-2": 1}}
	tm.mux.AddSender("telegram", platform)
	for i := 1; i <= 2; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
	tm.deliverAll(t)
	if got := platform.got["-2"]; len(got) != 1 {
		t.Fatalf("the send that failed part way was sent again: %q", got)
	}
	var parts []string
	for id := range platform.byID {
		if strings.HasPrefix(id, "-1/") {
			parts = append(parts, id)
		}
	}
	if len(platform.got["-1"]) != 1 || len(parts) < 3 {
		t.Fatalf("-1 got %q as %d messages; the test needs several", platform.got["-1"], len(parts))
	}
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	tm.deliverAll(t)
	for _, id := range parts {
		if !slices.Contains(platform.deleted, id) {
			t.Errorf("part %s (%q) still visible", id, platform.byID[id])
		}
	}
}

// Every community that may have received a retracted warning is
// corrected: one that unsubscribed after receiving it (where it went is
// recorded with the delivery), one whose delivery was cut short by a crash
// (it most likely went out), and one whose send failed part way (what went
// out is deleted).
func TestRetractReachesEveryCommunityThatMayHaveIt(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	ctx := context.Background()
	platform := &community{maxLen: 40, failPart: map[string]int{"-4": 1}}
	tm.mux.AddSender("telegram", platform)
	for i := 1; i <= 4; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
	day := tm.clk.Now()
	// The process claims -3, sends it, and dies before recording it.
	ds, err := tm.store.PendingDeliveries(ctx, 10)
	if err != nil || len(ds) != 4 {
		t.Fatal(len(ds), err)
	}
	for _, d := range ds {
		if d.Sub.Chat == "-3" {
			if ok, err := tm.store.ClaimDelivery(ctx, d); !ok || err != nil {
				t.Fatal(ok, err)
			}
			platform.Send(ctx, "-3", commands.Reply{Text: warningText})
		}
	}
	restarted := tm.mux.Clone()
	restarted.AddSender("telegram", platform)
	tm.mux = restarted
	tm.deliverAll(t)
	tm.inGroup("50", "-2", true, commands.Request{Command: "unsubscribe"})
	// The copies the bot knows of (the crashed send's id was lost).
	var copies []string
	for id := range platform.byID {
		if strings.HasPrefix(id, "-") && !strings.HasPrefix(id, "-3/") {
			copies = append(copies, id)
		}
	}
	r := tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	if want := tm.msg.Localize("en", "retract_started", map[string]any{"ID": "1", "Count": 4}, 4); r[0].Text != want {
		t.Fatalf("retract: %q, want %q", r[0].Text, want)
	}
	tm.deliverAll(t)
	correction := tm.correctionOf(day)
	for i := 1; i <= 4; i++ {
		chat := fmt.Sprint(-i)
		if got := platform.got[chat]; got[len(got)-1] != correction {
			t.Errorf("%s got no correction: %q", chat, got)
		}
	}
	for _, id := range copies {
		if !slices.Contains(platform.deleted, id) {
			t.Errorf("%s (%q) still visible", id, platform.byID[id])
		}
	}
}

// lostAnswer delivers a warning but answers its first send to each chat
// with an error that does not say it was refused (a timeout, or a 502
// after the platform took it).
type lostAnswer struct {
	*community
	lost map[string]bool
}

func (l *lostAnswer) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	ids, err := l.community.Send(ctx, chat, r)
	if err == nil && isCopy(r.Text, warningText) && !l.lost[chat] {
		l.lost[chat] = true
		return nil, fmt.Errorf("telegram sendMessage: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
	}
	return ids, err
}

// A send whose outcome is unknown is not sent again ("never sent twice"):
// it is reported unconfirmed, and a retraction still corrects it. One the
// platform refused is sent again.
func TestUnknownSendOutcomeIsNotRetried(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &lostAnswer{community: &community{flaky: map[string]int{"-2": 1}}, lost: map[string]bool{"-2": true}}
	tm.mux.AddSender("telegram", platform)
	for i := 1; i <= 2; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
	day := tm.clk.Now()
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 1 {
		t.Fatalf("-1 got the warning %d times", len(got))
	}
	if got := platform.got["-2"]; len(got) != 1 {
		t.Fatalf("-2 (refused once) got it %d times, want once", len(got))
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 1, "Total": 2, "Gone": 0, "Unconfirmed": 1}, 2)
	if got := platform.got["2002"]; got[len(got)-1] != report {
		t.Fatalf("report %q, want %q", got[len(got)-1], report)
	}
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	tm.deliverAll(t)
	correction := tm.correctionOf(day)
	if got := platform.got["-1"]; got[len(got)-1] != correction {
		t.Fatalf("the unconfirmed community got no correction: %q", got)
	}
}

// movedChat answers a send to a chat that became another (a Telegram group
// upgraded to a supergroup) with a MovedError naming the new id.
type movedChat struct {
	*community
	from, to string
}

func (m *movedChat) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if chat == m.from {
		return nil, fmt.Errorf("telegram sendMessage: %w", &commands.MovedError{To: m.to})
	}
	return m.community.Send(ctx, chat, r)
}

// A send refused because the chat moved (the platform's notice of the move
// never came, or came late) moves the subscription and what is queued for
// it: the warning reaches the community under its new id, once, and later
// warnings go there too.
func TestWarningFollowsAChatThatMoved(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &movedChat{community: &community{}, from: "-1", to: "-1001"}
	tm.publishTo(t, platform, "-1")
	tm.deliverAll(t)
	if got := platform.got["-1001"]; len(got) != 1 || !strings.Contains(got[0], warningText) {
		t.Fatalf("the moved community got %q", got)
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 1, "Total": 1, "Gone": 0, "Unconfirmed": 0}, 1)
	if got := platform.got["2002"]; got[len(got)-1] != report {
		t.Fatalf("report %q, want %q", got[len(got)-1], report)
	}
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText + " otra vez"})
	tm.approve(t, "2002", "Ana", "2")
	tm.deliverAll(t)
	if got := platform.got["-1001"]; len(got) != 2 {
		t.Fatalf("the next warning: %q", got)
	}
}
