package commands

import (
	"context"
	"fmt"

	"github.com/vigia-project/vigia/storage"
)

// auditBot is who the audit log names for what the bot did of itself,
// no team member asking.
const auditBot = "vigia"

// InvitationsVoided records that the spool's replay voided n pending
// invitations all together after a Redis outage (storage.ReplayCount's
// InvitesVoided): an entry in the audit log, which admins read, and a
// notice in the investigators' chats, in the default language, that an
// admin must make new ones. Neither names a code, a group or whoever
// posted one. The notice is sent whether or not the entry could be
// written; the entry's error is returned.
func (m *Mux) InvitationsVoided(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	err := m.store.Audit(ctx, storage.AuditEntry{Who: auditBot, Action: "void-invitations", Note: storage.NoteInvitesVoided, Max: n}, m.triage.AuditRetention)
	for _, chat := range m.teamChatRoutes() {
		m.notify(ctx, chat, Reply{Text: m.notice(chat, m.lang, "invites_voided_notice", map[string]any{"Count": n}, n)})
	}
	if err != nil {
		return fmt.Errorf("audit of invitations voided: %w", err)
	}
	return nil
}
