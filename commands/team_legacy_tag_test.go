package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// legacyMembers is the team's store reading member userID's record as one
// made before member records kept their invitation's tag.
type legacyMembers struct {
	commands.Store
	userID string
}

func (s legacyMembers) Team(ctx context.Context) ([]storage.Member, error) {
	members, err := s.Store.Team(ctx)
	for i := range members {
		if members[i].UserID == s.userID {
			members[i].Invite = ""
		}
	}
	return members, err
}

// /team says of a member who joined before invitation tags were kept that
// their tag was not kept, in the admin's language, rather than showing
// nothing, which reads as a member who joined without an invitation; a
// member with a tag still shows it.
// Mutation: the placeholder dropped (no line for a member without a tag)
// -> the old member's line ends with their last activity.
func TestTeamSaysWhenAMembersInvitationTagWasNotKept(t *testing.T) {
	e := newHookedEnv(t, func(s commands.Store) commands.Store { return legacyMembers{Store: s, userID: "2003"} }, nil,
		func(o *commands.Options) { o.Roles = commands.Roles{"telegram:" + adminID: commands.Admin} })
	tags := map[string]string{}
	for _, user := range []string{"2002", "2003"} {
		code := codeRE.FindString(e.do(adminID, commands.Request{Command: "invite", Name: "Ada"})[0].Text)
		e.do(user, commands.Request{Command: "redeem", Args: code, Name: "M" + user})
		tags[user] = e.store.CodeTag(code)
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		team := e.do(adminID, commands.Request{Command: "team", Name: "Ada", Language: lang})[0].Text
		want := map[string]string{
			"2002": " · " + e.text(lang, "team_invite", map[string]any{"Tag": tags["2002"]}),
			"2003": " · " + e.text(lang, "team_invite_unknown", nil),
		}
		for user, end := range want {
			found := false
			for _, line := range strings.Split(team, "\n") {
				if strings.Contains(line, "telegram:"+user+" ") {
					found = true
					if !strings.HasSuffix(line, end) {
						t.Errorf("%s: /team line %q, want it to end with %q", lang, line, end)
					}
				}
			}
			if !found {
				t.Errorf("%s: /team does not list telegram:%s:\n%s", lang, user, team)
			}
		}
	}
}
