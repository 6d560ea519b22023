package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// The warnings below: as the reporter sent it, naming who could be
// identified, and as the team edited it.
const (
	sentWarning   = "Halcones en el mercado, me lo dijo mi vecina Rosa Pérez de la tienda"
	editedWarning = "Halcones vigilando el mercado central"
)

// damageEditedText damages the sealed edited text of warning id, as a
// corrupt or cut short record would be.
func (tm *team) damageEditedText(t *testing.T, id string) {
	t.Helper()
	c := tm.srv.Client()
	key := "w:{bc}:pub:" + id
	v, err := c.HGet(context.Background(), key, "text").Result()
	if err != nil || v == "" {
		t.Fatalf("no edited text to damage: %v", err)
	}
	if err := c.HSet(context.Background(), key, "text", v[:len(v)/2]).Err(); err != nil {
		t.Fatal(err)
	}
}

// noneShows fails if any message sent anywhere holds the warning as its
// reporter sent it (the name the edit took out).
func noneShows(t *testing.T, platform *community, replies ...[]commands.Reply) {
	t.Helper()
	platform.mu.Lock()
	defer platform.mu.Unlock()
	for chat, got := range platform.got {
		for _, m := range got {
			if strings.Contains(m, "Rosa") {
				t.Fatalf("chat %s got the warning as it was sent: %q", chat, m)
			}
		}
	}
	for _, r := range replies {
		for _, m := range r {
			if strings.Contains(m.Text, "Rosa") {
				t.Fatalf("answered with the warning as it was sent: %q", m.Text)
			}
		}
	}
}

// An edited text that cannot be read is never replaced by the warning as
// it was sent: the preview says it must be edited again (no button), an
// old button approves nothing, and an edit, even the same text as before,
// needs its approvals anew.
// Mutation: openPublication keeping the tip's own text when the edit does
// not open → the preview shows it, with a button; approve without ARGV[10]
// (the same text re-entered is the damaged revision) → started on one new
// approval.
func TestUnreadableEditIsNotPreviewedOrApproved(t *testing.T) {
	tm := newTeamPublishing(t, 2)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: sentWarning})
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + editedWarning}) // 1 of 2
	button := press(tm.as("2003", "Bob", commands.Request{Command: "publish", Args: "1"}), "pub:")
	if button == "" {
		t.Fatal("no button under the preview")
	}
	tm.damageEditedText(t, "1")

	unreadable := tm.text("en", "publish_unreadable", map[string]any{"ID": "1"})
	for name, req := range map[string]commands.Request{
		"/publish":                {Command: "publish", Args: "1"},
		"the button shown before": {Callback: button},
	} {
		r := tm.as("2003", "Bob", req)
		noneShows(t, platform, r)
		if len(r) != 1 || r[0].Text != unreadable || len(r[0].Buttons) > 0 {
			t.Fatalf("%s of an unreadable edit answered %+v", name, r)
		}
	}
	// The same text again is a new revision: Ana's approval was of the
	// record that cannot be read.
	r := tm.as("2003", "Bob", commands.Request{Command: "publish", Args: "1 " + editedWarning})
	if want := tm.text("en", "publish_waiting", map[string]any{"ID": "1", "Count": 1, "Needed": 2}, 1); len(r) != 1 || r[0].Text != want {
		t.Fatalf("edited again, /publish answered %+v", r)
	}
	tm.approve(t, "2002", "Ana", "1")
	tm.deliverAll(t)
	noneShows(t, platform)
	if got := platform.got["-1"]; len(got) != 1 || !strings.Contains(got[0], editedWarning) {
		t.Fatalf("the community got %q", got)
	}
}

// A published warning whose edited text cannot be read when its turn
// comes is not delivered: nothing goes out, its destinations stay
// pending, whoever published it is told once, and an edit approved by
// enough investigators lets the delivery go on.
// Mutation: PendingDeliveries not skipping an unreadable publication (with
// the fallback to the tip's text) → the community gets the warning as it
// was sent; without the Held skip → the edit goes out on one approval.
func TestUnreadableEditHoldsTheDelivery(t *testing.T) {
	tm := newTeamPublishing(t, 2)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: sentWarning})
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + editedWarning})
	tm.approve(t, "2003", "Bob", "1") // started
	tm.damageEditedText(t, "1")
	tm.deliverAll(t)
	tm.deliverAll(t)
	noneShows(t, platform)
	if got := platform.got["-1"]; len(got) != 0 {
		t.Fatalf("the community got %q", got)
	}
	held := tm.text("en", "publish_held", map[string]any{"ID": "1"})
	if got := platform.got["2003"]; len(got) != 1 || got[0] != held {
		t.Fatalf("whoever published it got %q, want once %q", got, held)
	}
	p, done, err := tm.store.BroadcastProgress(context.Background(), "1")
	if err != nil || done || p.Pending != 1 {
		t.Fatalf("progress %+v done %v %v: want its destination pending", p, done, err)
	}

	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != held {
		t.Fatalf("/publish of a held warning answered %+v", r)
	}
	const fixed = "Halcones vigilando la entrada del mercado central"
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + fixed}); len(r) != 1 || r[0].Text != tm.text("en", "publish_waiting", map[string]any{"ID": "1", "Count": 1, "Needed": 2}, 1) {
		t.Fatalf("an edit of a held warning answered %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 0 {
		t.Fatalf("the edit went out on one approval: %q", got)
	}
	if r := tm.approve(t, "2003", "Bob", "1"); len(r) != 1 || r[0].Text != tm.text("en", "publish_resumed", map[string]any{"ID": "1"}) {
		t.Fatalf("the second approval of the edit answered %+v", r)
	}
	tm.deliverAll(t)
	noneShows(t, platform)
	if got := platform.got["-1"]; len(got) != 1 || !strings.Contains(got[0], fixed) {
		t.Fatalf("the community got %q", got)
	}
	report := tm.msg.Localize("en", "publish_report", map[string]any{"ID": "1", "Delivered": 1, "Total": 1, "Gone": 0, "Unconfirmed": 0}, 1)
	if got := platform.got["2003"]; got[len(got)-1] != report {
		t.Fatalf("reports %q, want %q last", got, report)
	}
}

// The correction of a retracted warning whose edited text cannot be read
// quotes nothing of it, and never the warning as it was sent.
// Mutation: openPublication keeping the tip's own text when the edit does
// not open → the correction quotes its first words.
func TestUnreadableEditCorrectionQuotesNothing(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", keepsCopies{platform})
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: sentWarning})
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + editedWarning})
	tm.deliverAll(t)
	tm.damageEditedText(t, "1")
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	tm.deliverAll(t)
	noneShows(t, platform)
	got := platform.got["-1"]
	if want := tm.text("en", "broadcast_correction", nil); len(got) != 2 || got[1] != want {
		t.Fatalf("the community got %q, want the correction %q", got, want)
	}
}

// A held delivery whose publisher left the team since is told to the
// investigators' chat instead: the warning waits for an edit, and someone
// must learn that it does.
// Mutation: holdBroadcast telling only whoever published it → nobody is
// told.
func TestUnreadableEditHeldToldToTeamChat(t *testing.T) {
	tm := newTeam(t) // two approvals, investigators' chat telegram:-100777
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: sentWarning})
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + editedWarning})
	tm.approve(t, "2003", "Bob", "1") // started: Bob gets its reports
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2003"})
	tm.damageEditedText(t, "1")
	tm.deliverAll(t)
	noneShows(t, platform)
	held := tm.text("en", "publish_held", map[string]any{"ID": "1"})
	if got := platform.got["-100777"]; len(got) != 1 || got[0] != held {
		t.Fatalf("the investigators' chat got %q, want once %q", got, held)
	}
	if got := platform.got["2003"]; len(got) != 0 {
		t.Fatalf("the revoked publisher got %q", got)
	}
}

// An edit of a held warning is approved and recorded even when no
// community subscribed would take it now (its destinations were queued
// when it was published): the answer says it waits for approvals, not
// that nothing was recorded.
// Mutation: approvePublication answering publish_no_community for a held
// warning's approval (no Held check) → "Nothing was sent: no community…".
func TestHeldEditWithNoCommunityLeftIsRecorded(t *testing.T) {
	tm := newTeamPublishing(t, 2)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: sentWarning})
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + editedWarning})
	tm.approve(t, "2003", "Bob", "1") // started
	tm.damageEditedText(t, "1")
	tm.deliverAll(t) // held
	tm.inGroup("50", "-1", true, commands.Request{Command: "unsubscribe"})

	const fixed = "Halcones vigilando la entrada del mercado central"
	want := tm.text("en", "publish_waiting", map[string]any{"ID": "1", "Count": 1, "Needed": 2}, 1)
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + fixed}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("an edit of a held warning answered %+v, want %q", r, want)
	}
	if r := tm.approve(t, "2003", "Bob", "1"); len(r) != 1 || r[0].Text != tm.text("en", "publish_resumed", map[string]any{"ID": "1"}) {
		t.Fatalf("the second approval of the edit answered %+v", r)
	}
	tm.deliverAll(t)
	noneShows(t, platform)
	if got := platform.got["-1"]; len(got) != 0 {
		t.Fatalf("the community that unsubscribed got %q", got)
	}
}

// A held delivery whose notice never reached anyone (it is sent after the
// hold is recorded: a crash in between, or every chat out of reach, loses
// it, and it is not sent again): /publish of the warning says why nothing
// goes out, and how to go on.
// Mutation: previewPublication without its Held case → /publish answers
// publish_unreadable, which says nothing of the stopped delivery.
func TestHeldNoticeLostPublishSaysWhy(t *testing.T) {
	tm := newTeamPublishing(t, 2)
	platform := &community{gone: map[string]bool{"2003": true}}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Bob")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: sentWarning})
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + editedWarning})
	tm.approve(t, "2003", "Bob", "1") // started: Bob gets its reports
	tm.damageEditedText(t, "1")
	tm.deliverAll(t)
	tm.deliverAll(t)
	if len(platform.got) != 0 {
		t.Fatalf("sent %q, want nothing (held, its notice lost)", platform.got)
	}
	held := tm.text("en", "publish_held", map[string]any{"ID": "1"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); len(r) != 1 || r[0].Text != held {
		t.Fatalf("/publish of a held warning answered %+v, want %q", r, held)
	}
}
