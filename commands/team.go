package commands

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// claimer is the current team member as the triage records name them.
func (c *Context) claimer() storage.Claimer {
	name := c.Request.Name
	if name == "" {
		name = c.Request.Platform + ":" + c.Request.UserID
	}
	chat := c.Request.UserChat
	if chat == "" {
		chat = c.Request.UserID
	}
	return storage.Claimer{Key: c.Pseudonym, Name: name, Route: c.Request.Platform + ":" + chat, Language: c.Lang}
}

func invite(ctx context.Context, c *Context) error {
	role := strings.ToLower(strings.TrimSpace(c.Request.Args))
	if role == "" {
		role = "investigator"
	}
	if role != "investigator" && role != "admin" {
		return c.Say(ctx, "invite_usage", nil)
	}
	code, err := c.mux.store.Invite(ctx, role, c.Pseudonym, c.mux.triage.InviteTTL)
	if err != nil {
		return err
	}
	// Its tag too, as the audit log keeps it: an admin can tell the
	// entries of this invitation (redeemed, revoked) from the others.
	return c.Reply(ctx, Reply{Protected: true, Text: c.T("invite_created", map[string]any{
		"Role": c.T("role_"+role, nil), "Valid": c.mux.spanIn(c.Lang, c.mux.triage.InviteTTL), "Code": code,
	}) + "\n\n" + c.T("invite_audit_tag", map[string]any{"Tag": c.mux.store.CodeTag(code)})})
}

func redeem(ctx context.Context, c *Context) error {
	code, ok := tips.NormalizeReceipt(c.Request.Args)
	if !ok {
		return c.Say(ctx, "redeem_usage", nil)
	}
	if c.mux.spool != nil && c.mux.spool.VoidHeld(code) {
		// Seen in a group while Redis was down: void, though Redis may
		// not have been told yet.
		return c.Say(ctx, "redeem_bad", nil)
	}
	// A member who already has the code's role (or a higher one) keeps
	// it unused, for whoever it was meant for: redeemed, it would be spent
	// and list them twice.
	if role, by, err := c.mux.store.InviteRole(ctx, code); err == nil {
		// (Not for a void code, which Redeem refuses: it does not "still
		// work" for anyone.)
		if valid, err := c.mux.isAdmin(ctx, by); err != nil {
			return err
		} else if have := max(c.Role, c.mux.roles.Of(c.Request.Platform, c.Request.UserID)); valid && (have >= Admin || have >= Investigator && role != "admin") {
			return c.Say(ctx, "redeem_already", map[string]any{"Role": c.T("role_"+roleName(have), nil)})
		}
	}
	// A code made by an admin who has since been revoked (or removed from
	// the configuration) is void: revoking someone ends what they started.
	m, err := c.mux.store.Redeem(ctx, code, storage.Member{Platform: c.Request.Platform, UserID: c.Request.UserID, Name: c.claimer().Name}, c.mux.isAdmin)
	if errors.Is(err, storage.ErrBadInvite) {
		return c.Say(ctx, "redeem_bad", nil)
	}
	if err != nil {
		return err
	}
	// Audited only on success: a failed attempt may come from anyone, and
	// the audit log must not collect the identities of random users. With
	// the invitation's tag, as /invite showed it to the admin.
	c.Role = Investigator
	if err := c.mux.audit(ctx, c, storage.AuditEntry{Action: "redeem", Role: m.Role, Args: c.mux.store.CodeTag(code)}); err != nil {
		return err
	}
	return c.Say(ctx, "redeem_ok", map[string]any{"Role": c.T("role_"+m.Role, nil)})
}

// roleName is a team role as role_* messages and member records name it.
func roleName(r Role) string {
	if r >= Admin {
		return "admin"
	}
	return "investigator"
}

// roleOf returns the role of the member of pseudonym key now: from the
// configuration, or by invitation (not revoked).
func (m *Mux) roleOf(ctx context.Context, key string) (Role, error) {
	if key == "" {
		return Anyone, nil
	}
	role := Anyone
	for id, r := range m.roles {
		if platform, user, _ := strings.Cut(id, ":"); m.store.Pseudonym(platform, user) == key {
			role = max(role, r)
		}
	}
	if role == Admin {
		return role, nil
	}
	prof, err := m.store.Profile(ctx, key, nil, false)
	switch prof.Role {
	case "admin":
		role = Admin
	case "investigator":
		role = max(role, Investigator)
	}
	return role, err
}

// isAdmin says whether the member of pseudonym key is an admin now.
func (m *Mux) isAdmin(ctx context.Context, key string) (bool, error) {
	r, err := m.roleOf(ctx, key)
	return r == Admin, err
}

// stillOnTeam says whether the member of pseudonym key is on the team now.
func (m *Mux) stillOnTeam(ctx context.Context, key string) (bool, error) {
	r, err := m.roleOf(ctx, key)
	return r >= Investigator, err
}

func revoke(ctx context.Context, c *Context) error {
	arg := strings.TrimSpace(c.Request.Args)
	if code, ok := tips.NormalizeReceipt(arg); ok {
		err := c.mux.store.RevokeInvite(ctx, code)
		if errors.Is(err, storage.ErrBadInvite) {
			return c.Say(ctx, "revoke_unknown", nil)
		}
		if err != nil {
			return err
		}
		return c.Say(ctx, "revoke_done", map[string]any{"What": code})
	}
	// A member's id is a number: read in the digits of any keyboard, as
	// every command reads numbers ("telegram:١٢٣" is telegram:123).
	ids, err := ParseIDList(asciiNumerals(arg))
	if errors.Is(err, ErrLeadingZero) && !strings.Contains(arg, ",") {
		return c.Say(ctx, "revoke_leading_zero", nil)
	}
	if err != nil || len(ids) != 1 {
		return c.Say(ctx, "revoke_usage", nil)
	}
	platform, id, _ := strings.Cut(ids[0], ":")
	key := c.mux.store.Pseudonym(platform, id)
	if static := c.mux.roles.Of(platform, id); static >= Admin {
		return c.Say(ctx, "revoke_static", map[string]any{"Who": ids[0]})
	} else if static > Anyone {
		// A configured investigator made an admin by invitation: that
		// role goes (and the invitations made with it, void now), the
		// configured one stays, with its second factor, which only the
		// operator resets (vigia reset-2fa): dropped here, a stolen phone
		// could enrol a key of its own.
		err := c.mux.store.DropInvitedRole(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return c.Say(ctx, "revoke_static", map[string]any{"Who": ids[0]})
		}
		if err != nil {
			return err
		}
		return c.Say(ctx, "revoke_demoted", map[string]any{"Who": ids[0], "Role": c.T("role_"+roleName(static), nil)})
	}
	err = c.mux.store.Revoke(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "revoke_unknown", nil)
	}
	if err != nil {
		return err
	}
	// Their claims go back to the queue: answers and reminders must not
	// reach someone who is no longer on the team.
	claims, err := c.mux.store.OpenClaims(ctx, c.mux.triage.ClaimTimeout)
	if err != nil {
		return err
	}
	for _, cl := range claims {
		if cl.Claimer.Key == key {
			err := c.mux.store.Decide(ctx, cl.TipID, c.claimer(), storage.Decision{Status: tips.StatusNew})
			if errors.Is(err, storage.ErrSealed) || errors.Is(err, storage.ErrNotFound) {
				// Unreadable (its key damaged) or gone: it cannot be
				// decided, and must not keep the others claimed (it
				// returns to the queue when its claim times out, and no
				// reminder goes to someone off the team).
				continue
			}
			if err != nil {
				return err
			}
		}
	}
	return c.Say(ctx, "revoke_done", map[string]any{"What": ids[0]})
}

func team(ctx context.Context, c *Context) error {
	if strings.TrimSpace(c.Request.Args) != "" {
		return c.Say(ctx, "team_usage", nil) // words after it: not what they meant
	}
	members, err := c.mux.store.Team(ctx)
	if err != nil {
		return err
	}
	var lines []string
	for _, who := range slices.Sorted(maps.Keys(c.mux.roles)) { // the same order every time
		platform, id, _ := strings.Cut(who, ":")
		tag := storage.MemberTag(c.mux.store.Pseudonym(platform, id))
		lines = append(lines, c.T("team_configured", map[string]any{"Who": "[" + tag + "] " + who, "Role": c.T("role_"+roleName(c.mux.roles[who]), nil)}))
	}
	for _, m := range members {
		active := c.T("never", nil)
		if !m.LastActive.IsZero() {
			active = c.age(m.LastActive)
		}
		line := c.T("team_line", map[string]any{
			"Name": member(m.Name, storage.MemberTag(c.mux.store.Pseudonym(m.Platform, m.UserID))), "Who": m.Platform + ":" + m.UserID, "Role": c.T("role_"+m.Role, nil),
			"Since": m.Since.UTC().Format("2006-01-02"), "Active": active,
		})
		if m.Invite != "" {
			// The invitation's tag, as /invite and the audit log show it:
			// an admin matches audit lines to the member.
			line += " · " + c.T("team_invite", map[string]any{"Tag": m.Invite})
		} else {
			// Joined before member records kept it. The record cannot
			// give it back (the tag needs the code, of which only a MAC
			// was stored); their redemption's audit entry has it if they
			// joined after /redeem was audited with it. Said, so an admin
			// does not take a missing tag for a member who joined without
			// an invitation.
			line += " · " + c.T("team_invite_unknown", nil)
		}
		lines = append(lines, line)
	}
	if len(members) == 0 {
		// True whether nobody ever joined or all were revoked since.
		lines = append(lines, c.T("team_none", nil))
	}
	return c.Reply(ctx, Reply{Text: strings.Join(lines, "\n"), Protected: true})
}

func auditLog(ctx context.Context, c *Context) error {
	n := 20
	if arg := strings.TrimSpace(c.Request.Args); arg != "" {
		v, ok := parseNumber(arg, 1, maxRecent)
		if !ok {
			return c.Say(ctx, "audit_usage", map[string]any{"Max": maxRecent})
		}
		n = v
	}
	// The newest entry is this /audit itself (recorded before it ran):
	// not worth one of the n lines asked for.
	entries, err := c.mux.store.AuditLog(ctx, n+1)
	if err != nil {
		return err
	}
	if len(entries) > 0 && entries[0].Action == "audit" && entries[0].Who == c.auditWho() {
		entries = entries[1:]
	}
	entries = entries[:min(len(entries), n)]
	if len(entries) == 0 {
		return c.Say(ctx, "audit_empty", nil)
	}
	var lines []string
	for _, e := range entries {
		// Isolated, as text someone wrote is in every view: an argument or
		// a name in Arabic or Hebrew would otherwise take the numbers and
		// separators next to it ("/triage ‏٣ …"), reordering the entry.
		args := ""
		if a := auditText(e.Args); a != "" {
			args = isolated(a)
		}
		switch e.Role {
		case "investigator", "admin":
			args = strings.TrimSpace(c.T("role_"+e.Role, nil) + " " + args)
		}
		if e.Code {
			args = strings.TrimSpace(args + " " + c.T("audit_code_withheld", nil))
		}
		if e.TextLength > 0 {
			args = strings.TrimSpace(args + " " + c.T("audit_text_withheld", nil, e.TextLength))
		}
		action := "/" + e.Action
		switch e.Note {
		case storage.NoteButton, storage.NoteAskOpen, storage.NoteAskDay:
			args = strings.TrimSpace(args + " " + c.T("audit_note_"+e.Note, map[string]any{"Max": e.Max}))
		case storage.NoteInvitesVoided:
			// The bot's own doing, no command: said in words.
			action, args = c.T("audit_invites_voided", map[string]any{"Count": e.Max}, e.Max), ""
		}
		lines = append(lines, c.T("audit_line", map[string]any{
			"Time": e.Time.UTC().Format(time.DateTime), "Who": isolated(auditText(e.Who)), "Action": action, "Args": args,
		}))
	}
	return c.Reply(ctx, Reply{Text: strings.Join(lines, "\n"), Protected: true})
}

// auditText shows what an audit entry recorded on one line, cut to
// maxAuditShown characters: a line break in a command's arguments would
// otherwise start what reads as another entry, forged by whoever typed it.
func auditText(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > maxAuditShown {
		s = cutShort(string(r[:maxAuditShown]))
	}
	return safe(s)
}

const maxAuditShown = 200

func dead(ctx context.Context, c *Context) error {
	if strings.TrimSpace(c.Request.Args) != "" {
		return c.Say(ctx, "dead_usage", nil) // words after it: not what they meant
	}
	ids, err := c.mux.store.DeadLetters(ctx, maxRecent)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return c.Say(ctx, "dead_empty", nil)
	}
	for i := range ids {
		ids[i] = "#" + ids[i]
	}
	return c.Say(ctx, "dead_header", map[string]any{"IDs": strings.Join(ids, ", ")})
}

// purge is /purge NUMBER: the tip is crypto-shredded (its data key erased)
// and every record naming it removed. The audit log keeps that it happened.
// nowWords are "now" as /purge takes it, in each language (Discord's form
// field asks in the admin's).
var nowWords = []string{"now", "ahora", "maintenant", "agora"}

func purge(ctx context.Context, c *Context) error {
	idArg, rest := firstWord(c.Request.Args)
	id, ok, err := c.tipNumber(ctx, idArg, "purge_usage", nil)
	if !ok {
		return err
	}
	now := slices.Contains(nowWords, strings.ToLower(strings.TrimSpace(rest)))
	if !now && strings.TrimSpace(rest) != "" {
		return c.Say(ctx, "purge_usage", nil)
	}
	if _, err := c.mux.store.Kind(ctx, id); errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	} else if err != nil {
		return err
	}
	// A published warning is retracted first: its copies deleted and a
	// correction posted, from the records a purge would erase. "now"
	// purges all the same (a tip that must go at once; a withdrawal that
	// cannot finish, its platform no longer served): the copies stay.
	out, err := c.mux.store.CopiesOut(ctx, id)
	if err != nil {
		return err
	}
	if out && !now {
		return c.Say(ctx, "purge_published", map[string]any{"ID": id})
	}
	err = c.mux.unreadableAlerts(c.mux.store.Purge(ctx, id))
	if errors.Is(err, storage.ErrNotFound) {
		return c.Say(ctx, "tip_not_found", map[string]any{"ID": id})
	}
	if err != nil {
		return err
	}
	if out {
		return c.Reply(ctx, Reply{Text: c.T("purge_done", map[string]any{"ID": id}) + "\n\n" + c.T("purge_copies_left", nil)})
	}
	return c.Say(ctx, "purge_done", map[string]any{"ID": id})
}
