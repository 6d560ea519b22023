package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A replay that voided every pending invitation after an outage leaves
// an entry in the audit log, shown in the reading admin's language, and
// tells the investigators' chats, in the default language, that an admin
// must make new ones; neither names a code or a group. Nothing is said
// when none was voided. Mutation: InvitationsVoided without its Audit
// call -> no entry; auditLog without its NoteInvitesVoided case -> the
// entry reads as a command, "/void-invitations", in no language.
func TestInvitationsVoidedAfterAnOutageAreAuditedAndTheTeamTold(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	if err := tm.mux.InvitationsVoided(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if entries, _ := tm.store.AuditLog(ctx, 5); len(entries) != 0 || len(tm.sent.sent) != 0 {
		t.Fatalf("none voided: %d audit entries, sent %v", len(entries), tm.sent.sent)
	}
	if err := tm.mux.InvitationsVoided(ctx, 3); err != nil {
		t.Fatal(err)
	}
	entries, err := tm.store.AuditLog(ctx, 5)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit entries: %+v %v", entries, err)
	}
	if e := entries[0]; e.Who != "vigia" || e.Note != storage.NoteInvitesVoided || e.Max != 3 || e.Args != "" || e.Tip != "" {
		t.Errorf("the audit entry: %+v", e)
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		tm.as(adminID, "Ada", commands.Request{Command: "language", Args: lang})
		shown := tm.as(adminID, "Ada", commands.Request{Command: "audit"})[0].Text
		if want := tm.text(lang, "audit_invites_voided", map[string]any{"Count": 3}, 3); !strings.Contains(shown, want) {
			t.Errorf("/audit in %s: %q, want it to say %q", lang, shown, want)
		}
		if strings.Contains(shown, "vigia\u2069 · /") {
			t.Errorf("/audit in %s reads as a command: %q", lang, shown)
		}
	}
	notices := tm.sent.sent["-100777"]
	if len(notices) != 1 || notices[0].Text != tm.text("en", "invites_voided_notice", map[string]any{"Count": 3}, 3) {
		t.Errorf("the investigators' chat got %+v", notices)
	}
}
