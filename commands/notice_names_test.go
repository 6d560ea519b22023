package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A notice sent outside a request names the commands, on Discord, as a
// client in its reader's language lists them: an urgent tip's
// announcement in the investigators' Discord channel of a deployment in
// Spanish says "/siguiente", the name its menu shows there, not "/next";
// the same announcement in a Telegram chat keeps "/next", the only name
// Telegram has. So does the notice of invitations voided after an outage
// ("/invitar").
// Mutations: Mux.notice localizing as it is on Discord too -> the Discord
// channel reads "/next" and "/invite"; InvitationsVoided localizing once
// for every chat (as before) -> "/invite".
func TestNoticesOnDiscordNameCommandsAsTheClientShowsThem(t *testing.T) {
	sent, dsent := &recorder{}, &recorder{}
	e, _ := newEngine(t, "nn", sent, commands.Options{
		DefaultLanguage:   "es",
		Roles:             commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:-100777", "discord:700"},
		Triage:            commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute, UrgentAfter: 5 * time.Minute},
	})
	e.mux.AddSender("discord", dsent)
	tm := &team{env: e, sent: sent}
	r := tm.as(reporterID, "R", commands.Request{Text: "secuestro en curso"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 new urgent"})
	tm.clk.Add(6 * time.Minute)
	if err := tm.mux.Remind(context.Background()); err != nil {
		t.Fatal(err)
	}
	text := tm.msg.Localize("es", "announce_urgent", map[string]any{"ID": "1", "Age": tm.msg.Localize("es", "age_minutes", nil, 6)})
	if !strings.Contains(text, "/next") {
		t.Fatalf("announce_urgent names no /next: %q", text)
	}
	want := strings.ReplaceAll(text, "/next", "/"+tm.msg.Localize("es", "command_next_name", nil))
	discord := &team{env: e, sent: dsent}
	if got := discord.sentTo("700"); len(got) != 1 || got[0].Text != want {
		t.Errorf("announcement in the Discord channel: %+v, want %q", got, want)
	}
	if got := tm.sentTo("-100777"); len(got) != 1 || got[0].Text != text {
		t.Errorf("announcement in the Telegram chat: %+v, want %q", got, text)
	}

	tm.sent.mu.Lock()
	tm.sent.sent = nil
	tm.sent.mu.Unlock()
	if err := tm.mux.InvitationsVoided(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	text = tm.msg.Localize("es", "invites_voided_notice", map[string]any{"Count": 2}, 2)
	want = strings.ReplaceAll(text, "/invite", "/"+tm.msg.Localize("es", "command_invite_name", nil))
	if text == want {
		t.Fatalf("invites_voided_notice names no /invite: %q", text)
	}
	if got := discord.sentTo("700"); len(got) != 2 || got[1].Text != want {
		t.Errorf("invitations voided, in the Discord channel: %+v, want %q", got, want)
	}
	if got := tm.sentTo("-100777"); len(got) != 1 || got[0].Text != text {
		t.Errorf("invitations voided, in the Telegram chat: %+v, want %q", got, text)
	}
}
