package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// community is a fake platform with many group chats: it records every
// message per chat (and by "chat/id", to tell which are still visible),
// can refuse a chat (the bot was removed), and can fail transiently.
// beforeSend, if set, runs as a message is being sent.
type community struct {
	mu         sync.Mutex
	got        map[string][]string
	replyTo    map[string][]string   // chat -> each message's Reply.ReplyTo, as got
	sent       map[string][][]string // chat -> each message's ids, as got
	byID       map[string]string
	gone       map[string]bool
	flaky      map[string]int // chat -> transient failures left
	deleted    []string
	seq        int
	beforeSend func(chat string, r commands.Reply)
	// maxLen, if set, cuts a text into messages of at most maxLen bytes;
	// failPart[chat] = n fails the send to chat after its nth message.
	maxLen   int
	failPart map[string]int
}

type adminReplier struct {
	*recorder
	admin     bool
	deleted   bool
	deleteErr error // DeleteRequest fails with it (the bot may not delete)
}

func (a *adminReplier) IsChatAdmin(context.Context) (bool, error) { return a.admin, nil }
func (a *adminReplier) DeleteRequest(context.Context) error {
	if a.deleteErr != nil {
		return a.deleteErr
	}
	a.deleted = true
	return nil
}

func (c *community) Send(_ context.Context, chat string, r commands.Reply) ([]string, error) {
	if c.beforeSend != nil {
		c.beforeSend(chat, r)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone[chat] {
		return nil, fmt.Errorf("forbidden: %w", commands.ErrDestinationGone)
	}
	if c.flaky[chat] > 0 {
		c.flaky[chat]--
		return nil, fmt.Errorf("too many requests: %w", commands.ErrRateLimited)
	}
	if c.got == nil {
		c.got = map[string][]string{}
	}
	c.got[chat] = append(c.got[chat], r.Text)
	if c.replyTo == nil {
		c.replyTo, c.sent = map[string][]string{}, map[string][][]string{}
	}
	c.replyTo[chat] = append(c.replyTo[chat], r.ReplyTo)
	var ids []string
	defer func() { c.sent[chat] = append(c.sent[chat], ids) }()
	for _, part := range c.parts(r.Text) {
		c.seq++
		if c.byID == nil {
			c.byID = map[string]string{}
		}
		c.byID[chat+"/"+fmt.Sprint(c.seq)] = part
		ids = append(ids, fmt.Sprint(c.seq))
		if c.failPart[chat] > 0 && len(ids) == c.failPart[chat] {
			delete(c.failPart, chat)
			return ids, fmt.Errorf("refused part %d", len(ids)+1)
		}
	}
	return ids, nil
}

// parts cuts text as a platform with a limit of maxLen bytes would (none
// if 0): into messages of at most maxLen bytes.
func (c *community) parts(text string) []string {
	if c.maxLen == 0 {
		return []string{text}
	}
	var out []string
	for len(text) > c.maxLen {
		out, text = append(out, text[:c.maxLen]), text[c.maxLen:]
	}
	return append(out, text)
}

// visible lists the messages containing text that were sent and not
// deleted, as "chat/id".
func (c *community) visible(text string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for id, t := range c.byID {
		if isCopy(t, text) && !slices.Contains(c.deleted, id) {
			out = append(out, id)
		}
	}
	return out
}

// isCopy reports whether message m is a copy of warning text: its header,
// then the text. A correction, which quotes the text's first words, is not.
func isCopy(m, text string) bool { return strings.Contains(m, "\n\n"+text) }

func (c *community) DeleteMessage(_ context.Context, chat, msg string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deleted = append(c.deleted, chat+"/"+msg)
	return nil
}

func (tm *team) inGroup(user, chat string, admin bool, req commands.Request) (*adminReplier, []commands.Reply) {
	tm.event++
	req.Platform, req.UserID, req.ChatID, req.ChatKind, req.EventID, req.Addressed = "telegram", user, chat, commands.Group, tm.event, true
	if req.Command != "" {
		req.CommandAtStart = true
	}
	w := &adminReplier{recorder: &recorder{}, admin: admin}
	tm.mux.Handle(context.Background(), req, w)
	return w, w.take()
}

// approve has investigator user look at warning id with /publish and
// press the button under the preview; it returns the answers to the press.
func (tm *team) approve(t *testing.T, user, name, id string) []commands.Reply {
	t.Helper()
	data := press(tm.as(user, name, commands.Request{Command: "publish", Args: id}), "pub:")
	if data == "" {
		t.Fatalf("%s: no button under the preview of warning %s", name, id)
	}
	return tm.as(user, name, commands.Request{Callback: data})
}

func TestCommunityWarnings(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	platform := &community{gone: map[string]bool{"-9": true}, flaky: map[string]int{"-3": 2}}
	tm.mux.AddSender("telegram", platform) // the community chats and everyone else

	// Only chat administrators subscribe their chat, as the platform says.
	if _, r := tm.inGroup("50", "-1", false, commands.Request{Command: "subscribe"}); r[0].Text != tm.msg.Localize("en", "subscribe_not_admin", nil) {
		t.Fatalf("non-admin subscribed: %+v", r)
	}
	for i := 1; i <= 9; i++ {
		if _, r := tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"}); !strings.HasPrefix(r[0].Text, "This chat will receive") {
			t.Fatalf("subscribe: %+v", r)
		}
	}
	tm.inGroup("50", "-8", true, commands.Request{Command: "unsubscribe"})

	// A warning posted in a group: deleted, acknowledged without a name.
	w, r := tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: "Un número llama a los tenderos pidiendo dinero: 55 1234 5678"})
	if !w.deleted || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "warn_group_received", nil)) || strings.Contains(r[0].Text, "7777") {
		t.Fatalf("warning in group: deleted %v, %+v", w.deleted, r)
	}

	// Two approvals from two different investigators are needed.
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 Cuidado: un número llama pidiendo dinero."}); !strings.HasPrefix(r[0].Text, "Approved (1") {
		t.Fatalf("first approval: %+v", r)
	}
	if r = tm.approve(t, "2002", "Ana", "1"); !strings.HasPrefix(r[0].Text, "Approved (1") {
		t.Fatalf("the same investigator approved twice: %+v", r)
	}
	if err := tm.mux.Remind(ctx); err != nil { // nothing goes out before the second approval
		t.Fatal(err)
	}
	r = tm.approve(t, "2003", "Beto", "1")
	if r[0].Text != tm.msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": 8}, 8) {
		t.Fatalf("second approval: %+v", r)
	}

	// Deliver in rounds, "crashing" (a new engine on the same Redis) after
	// the first round: every destination gets it exactly once.
	if err := tm.mux.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	restarted := tm.mux.Clone()
	restarted.AddSender("telegram", platform)
	for range 8 {
		tm.clk.Add(commands.PerChatGap)
		if err := restarted.BroadcastOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 7; i++ {
		chat := fmt.Sprint(-i)
		if got := platform.got[chat]; len(got) != 1 || !strings.Contains(got[0], "Cuidado: un número llama pidiendo dinero.") || !strings.Contains(got[0], "Community warning") {
			t.Fatalf("chat %s got %q", chat, got)
		}
	}
	if len(platform.got["-8"]) != 0 || len(platform.got["-9"]) != 0 {
		t.Fatalf("unsubscribed or gone chats got it: %v", platform.got)
	}
	// To Beto, whose approval started the delivery (he was told so).
	report := platform.got["2003"]
	if len(report) == 0 || !strings.Contains(report[len(report)-1], "delivered to 7 of 8") || !strings.Contains(report[len(report)-1], "1 had removed the bot") {
		t.Fatalf("report to the approver who started it: %q", report)
	}
	for chat, msgs := range platform.got {
		for _, m := range msgs {
			if strings.Contains(m, "7777") {
				t.Fatalf("the submitter appears in %s: %s", chat, m)
			}
		}
	}
	// Retract: the broadcaster deletes the messages and posts a correction
	// in every community; a second /retract says how far it got.
	r = tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	if r[0].Text != tm.msg.Localize("en", "retract_started", map[string]any{"ID": "1", "Count": 7}, 7) {
		t.Fatalf("retract: %+v", r)
	}
	tm.mux = restarted
	tm.deliverAll(t)
	done := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": 7, "Deleted": 7, "Count": 7, "Gone": 0, "Unconfirmed": 0}, 7)
	if len(platform.deleted) != 7 || platform.got["2002"][len(platform.got["2002"])-1] != done {
		t.Fatalf("withdrawal: deleted %v, told %q", platform.deleted, platform.got["2002"])
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"}); r[0].Text != done {
		t.Fatalf("second retract: %+v", r)
	}
	// Only warnings are published; reporters cannot publish.
	r = tm.as(reporterID, "R", commands.Request{Text: "un tip normal"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	if r = tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2"}); r[0].Text != tm.msg.Localize("en", "publish_not_warning", map[string]any{"ID": "2"}) {
		t.Fatalf("publishing a tip: %+v", r)
	}
	if r = tm.as(reporterID, "R", commands.Request{Command: "publish", Args: "1"}); r[0].Text != tm.msg.Localize("en", "unknown_command", nil) {
		t.Fatalf("reporter /publish: %+v", r)
	}
}

// Subscriptions with regions take only the warnings that name one of them;
// on Discord a member with Manage Channels subscribes the channel the
// slash command was used in.
func TestWarningRegionsAndDiscordChannels(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.mux.AddSender("discord", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe", Args: "norte"})
	tm.inGroup("50", "-2", true, commands.Request{Command: "subscribe", Args: "sur"})
	tm.inGroup("50", "-3", true, commands.Request{Command: "subscribe"})
	// Discord: the interaction is private to the member, in channel 700.
	tm.event++
	w := &adminReplier{recorder: &recorder{}, admin: true}
	tm.mux.Handle(ctx, commands.Request{Platform: "discord", UserID: "60", ChatID: "u60", ChannelID: "700", ChatKind: commands.Private,
		EventID: tm.event, Command: "subscribe", CommandAtStart: true}, w)
	if r := w.take(); !strings.HasPrefix(r[0].Text, "This chat will receive") {
		t.Fatalf("discord subscribe: %+v", r)
	}
	tm.as("7001", "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera del Norte esta noche"})
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	code = codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2003", "Beto", commands.Request{Command: "redeem", Args: code})
	tm.approve(t, "2002", "Ana", "1")
	tm.approve(t, "2003", "Beto", "1")
	if err := tm.mux.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(platform.got["-1"]) != 1 || len(platform.got["-2"]) != 0 || len(platform.got["-3"]) != 1 || len(platform.got["700"]) != 1 {
		t.Fatalf("deliveries: %v", platform.got)
	}
}

// A crash while the last destination was being sent leaves nothing to
// send: the report still goes out, counting it unconfirmed.
func TestBroadcastReportAfterCrashOnTheLastDestination(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	for i := 1; i <= 3; i++ {
		tm.inGroup("50", fmt.Sprint(-i), true, commands.Request{Command: "subscribe"})
	}
	tm.inGroup("7777", "-1", false, commands.Request{Command: "warn", Args: "Retén falso en la carretera"})
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
		tm.approve(t, u.id, u.name, "1")
	}
	// Two destinations delivered, the third claimed by a process that died.
	ds, err := tm.store.PendingDeliveries(ctx, 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("deliveries: %d %v", len(ds), err)
	}
	for i, d := range ds {
		if ok, err := tm.store.ClaimDelivery(ctx, d); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if i < 2 {
			if err := tm.store.Delivered(ctx, d.TipID, d.Sub, []string{"1"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	restarted := tm.mux.Clone()
	restarted.AddSender("telegram", platform)
	if err := restarted.BroadcastOnce(ctx); err != nil {
		t.Fatal(err)
	}
	report := platform.got["2003"] // Beto's approval started it
	if len(report) == 0 || !strings.Contains(report[len(report)-1], "delivered to 2 of 3") || !strings.Contains(report[len(report)-1], "1 unconfirmed") {
		t.Fatalf("report: %q", report)
	}
}
