package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A member listed in VIGIA_INVESTIGATORS who was made an admin by
// invitation loses that admin role to /revoke (their invitations with
// it), and stays an investigator, as the configuration lists them, with
// their second factor: only the operator resets that (vigia reset-2fa).
// A configured admin is still refused.
func TestRevokeTakesAnInvitedRoleFromAConfiguredInvestigator(t *testing.T) {
	sent := &recorder{}
	e, srv := newEngine(t, "w", sent, commands.Options{
		Retention: 90 * 24 * time.Hour,
		Roles:     commands.Roles{"telegram:" + adminID: commands.Admin, "telegram:" + investigatorID: commands.Investigator},
		Triage:    commands.Triage{ClaimTimeout: time.Hour},
	})
	tm := &team{env: e, srv: srv, sent: sent}
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }

	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite", Args: "admin"})[0].Text)
	if r := tm.as(investigatorID, "Ivo", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_ok", map[string]any{"Role": en("role_admin", nil)}) {
		t.Fatalf("a configured investigator redeeming an admin's code: %q", r[0].Text)
	}
	key := tm.store.Pseudonym("telegram", investigatorID)
	if err := tm.store.Enroll(ctx, key, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	theirs := codeRE.FindString(tm.as(investigatorID, "Ivo", commands.Request{Command: "invite"})[0].Text)
	if theirs == "" {
		t.Fatal("the invited admin could not /invite")
	}

	r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:" + investigatorID})
	if want := en("revoke_demoted", map[string]any{"Who": "telegram:" + investigatorID, "Role": en("role_investigator", nil)}); r[0].Text != want {
		t.Fatalf("/revoke of a configured investigator made admin: %q, want %q", r[0].Text, want)
	}
	if r := tm.as(investigatorID, "Ivo", commands.Request{Command: "team"}); r[0].Text != en("unknown_command", nil) {
		t.Errorf("still an admin after /revoke: /team answered %q", r[0].Text)
	}
	if r := tm.as(investigatorID, "Ivo", commands.Request{Command: "recent"}); r[0].Text == en("unknown_command", nil) {
		t.Errorf("no longer an investigator, though configured as one")
	}
	if _, err := tm.store.SecondFactor(ctx, key); err != nil {
		t.Errorf("the configured investigator's second factor went with the invited role: %v", err)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: theirs}); r[0].Text != en("redeem_bad", nil) {
		t.Errorf("an invitation made with the revoked admin role still works: %q", r[0].Text)
	}
	// Nothing invited is left: as for anyone configured, /revoke refuses.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:" + investigatorID}); r[0].Text != en("revoke_static", map[string]any{"Who": "telegram:" + investigatorID}) {
		t.Errorf("/revoke again: %q", r[0].Text)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:" + adminID}); r[0].Text != en("revoke_static", map[string]any{"Who": "telegram:" + adminID}) {
		t.Errorf("/revoke of a configured admin: %q", r[0].Text)
	}
}
