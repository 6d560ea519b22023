package commands_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// keyspace is every key under prefix with its serialised value.
func keyspace(t *testing.T, srv *redistest.Server, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	c := srv.Client()
	keys, err := c.Keys(ctx, prefix+":*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		// Read by type, not DUMP, which the embedded Redis has only for
		// strings.
		var v any
		switch typ := c.Type(ctx, k).Val(); typ {
		case "string":
			v, err = c.Get(ctx, k).Result()
		case "hash":
			v, err = c.HGetAll(ctx, k).Result()
		case "set":
			v, err = c.SMembers(ctx, k).Result()
		case "zset":
			v, err = c.ZRangeWithScores(ctx, k, 0, -1).Result()
		case "list":
			v, err = c.LRange(ctx, k, 0, -1).Result()
		case "stream":
			v, err = c.XRange(ctx, k, "-", "+").Result()
		default:
			v = typ
		}
		if err != nil {
			t.Fatal(err)
		}
		out[k] = fmt.Sprint(v)
	}
	return out
}

// Team commands that hand out something for their user alone (an
// invitation code, the team's list, the audit log, a second-factor secret
// or code) are refused in the investigators' group as in any other group:
// anyone in it, a revoked member still there included, would see them. The
// refusal is the usual private-only answer, and nothing is written: no
// invitation, no enrolment, no audit entry.
func TestTeamCommandsArePrivateOnlyInInvestigatorGroups(t *testing.T) {
	for _, twoFactor := range []bool{false, true} {
		limits := commands.DefaultLimits
		limits.ChatPerHour = 0 // the chat's own counter would be the one write
		e, srv := newEngine(t, "p", &recorder{}, commands.Options{
			Roles:             commands.Roles{"telegram:" + adminID: commands.Admin, "telegram:" + investigatorID: commands.Investigator},
			InvestigatorChats: []string{"telegram:" + invChat},
			SecondFactor:      commands.SecondFactor{Required: twoFactor, UnlockFor: time.Hour, ShowSecretFor: time.Minute},
			Limits:            limits,
		})
		refused := e.msg.Localize("en", "private_only_command", nil)
		cases := []struct{ user, command, args string }{
			{adminID, "invite", ""},
			{adminID, "invite", "admin"},
			{adminID, "team", ""},
			{adminID, "audit", ""},
			{adminID, "revoke", "telegram:2002"},
			{adminID, "enroll", ""},
			{adminID, "unlock", "123456"},
			{investigatorID, "enroll", ""},
			{investigatorID, "unlock", "123456"},
		}
		for _, tc := range cases {
			before := keyspace(t, srv, "p")
			r := e.do(tc.user, commands.Request{Command: tc.command, Args: tc.args, Name: "Ada", UserChat: tc.user,
				ChatID: invChat, ChatKind: commands.Group, Addressed: true})
			if len(r) != 1 || r[0].Text != refused { // (a request the recorder cannot delete: as from a Discord slash command)
				t.Errorf("2fa %v: /%s %s from %s in the investigators' group: %+v", twoFactor, tc.command, tc.args, tc.user, r)
			}
			if len(r) > 0 && codeRE.MatchString(r[0].Text) {
				t.Errorf("2fa %v: /%s posted a code to the group", twoFactor, tc.command)
			}
			if after := keyspace(t, srv, "p"); !maps.Equal(before, after) {
				t.Errorf("2fa %v: /%s %s in the investigators' group wrote to Redis", twoFactor, tc.command, tc.args)
			}
		}
		// Investigator commands still work there, and the admin's in a
		// private chat (so the refusals above are not for some other reason).
		lockAnswer := "twofa_off"
		if twoFactor {
			lockAnswer = "locked_now"
		}
		if r := e.do(investigatorID, commands.Request{Command: "lock", ChatID: invChat, ChatKind: commands.Group, Addressed: true}); len(r) != 1 || r[0].Text != e.msg.Localize("en", lockAnswer, nil) {
			t.Errorf("2fa %v: /lock in the investigators' group: %+v", twoFactor, r)
		}
		if !twoFactor {
			if r := e.do(adminID, commands.Request{Command: "invite", Name: "Ada", UserChat: adminID}); len(r) != 1 || !codeRE.MatchString(r[0].Text) {
				t.Errorf("/invite in a private chat: %+v", r)
			}
		}
	}
}

// A private-only command typed in a group with something after it (a
// receipt code, an answer, an invitation code) put that in view of the
// group: the message is removed where the bot may, and an invitation code
// seen there no longer works — anyone in the group could have redeemed it.
func TestPrivateOnlyCommandsInAGroupAreRemoved(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string) string { return tm.msg.Localize("en", id, nil) }
	inGroup := func(w *adminReplier, command, args string) []commands.Reply {
		t.Helper()
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Command: command, Args: args, CommandAtStart: true, Addressed: true, EventID: tm.event}, w)
		return w.take()
	}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w := &adminReplier{recorder: &recorder{}}
	if r := inGroup(w, "redeem", code); !w.deleted || len(r) != 1 || r[0].Text != en("private_only_command_removed")+"\n\n"+en("redeem_maybe_void_in_group") {
		t.Fatalf("/redeem CODE in a group: deleted %v, %+v", w.deleted, r)
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Fatalf("a code seen in a group still works: %q", r[0].Text)
	}
	for _, c := range []struct{ command, args string }{
		{"status", "ABCD-EFGH-JKMN-PQRS"}, {"reply", "ABCD-EFGH-JKMN-PQRS el lunes"}, {"forget", "ABCD-EFGH-JKMN-PQRS"},
	} {
		w := &adminReplier{recorder: &recorder{}}
		if r := inGroup(w, c.command, c.args); !w.deleted || len(r) != 1 || r[0].Text != en("private_only_command_removed") {
			t.Errorf("/%s CODE in a group: deleted %v, %+v", c.command, w.deleted, r)
		}
		w = &adminReplier{recorder: &recorder{}, deleteErr: errors.New("not enough rights")}
		if r := inGroup(w, c.command, c.args); len(r) != 1 || r[0].Text != en("private_only_command_not_removed") {
			t.Errorf("/%s CODE in a group, not removable: %+v", c.command, r)
		}
	}
	// A request that is no message in the group (a Discord slash command:
	// its options are not shown there): the usual answer, the code kept.
	code = codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.event++
	rec := &recorder{}
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
		Command: "redeem", Args: code, CommandAtStart: true, Addressed: true, EventID: tm.event}, rec)
	if r := rec.take(); len(r) != 1 || r[0].Text != en("private_only_command") {
		t.Errorf("/redeem CODE not posted in the group: %+v", r)
	}
	if r := tm.as("3003", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text == en("redeem_bad") {
		t.Errorf("a code never shown in the group was voided")
	}
	// A member's message that names a command is theirs: neither
	// answered nor removed; a bare "/report <words>" opening a message is
	// removed as a tip in view (another bot's "/report spammer" with it).
	w = &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
		Command: "report", Args: "it to the bot, it's anonymous", Text: "please use /report it to the bot, it's anonymous", EventID: tm.event}, w)
	if r := w.take(); w.deleted || len(r) != 0 {
		t.Errorf("a member's message naming /report: deleted %v, %+v", w.deleted, r)
	}
	w = &adminReplier{recorder: &recorder{}}
	if r := inGroup(w, "report", "spammer"); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("/report spammer in a group: deleted %v, %+v", w.deleted, r)
	}
	// Nothing in view: not removed, the usual answer.
	w = &adminReplier{recorder: &recorder{}}
	if r := inGroup(w, "status", ""); w.deleted || len(r) != 1 || r[0].Text != en("private_only_command") {
		t.Errorf("/status alone in a group: deleted %v, %+v", w.deleted, r)
	}
	// A one-time code in a group, whoever typed it (in an ordinary group
	// everyone is treated alike: a team member's, or anyone's).
	for _, user := range []string{adminID, "3003"} {
		for _, command := range []string{"unlock", "enroll"} {
			w := &adminReplier{recorder: &recorder{}}
			tm.event++
			tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: user, UserChat: user, ChatID: "-100555", ChatKind: commands.Group,
				Command: command, Args: "123456", CommandAtStart: true, Addressed: true, EventID: tm.event}, w)
			if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("private_only_command_removed") {
				t.Errorf("/%s 123456 from %s in a group: deleted %v, %+v", command, user, w.deleted, r)
			}
		}
	}
	// A reply to the bot's message in a group is a community's answer to a
	// warning, left up; unless it holds a code: a receipt code, or an
	// invitation code, void since.
	reply := func(text string) (*adminReplier, []commands.Reply) {
		w := &adminReplier{recorder: &recorder{}}
		tm.event++
		tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: text, Addressed: true, ReplyToBot: true, ReplyToID: "77", EventID: tm.event}, w)
		return w, w.take()
	}
	for _, text := range []string{"gracias, lo compartimos con los vecinos", "la cuenta es AB12 CD34 EF56 GH78, cuidado"} {
		if w, r := reply(text); w.deleted || len(r) != 1 || r[0].Text != en("group_private_only") {
			t.Errorf("a reply to the bot in a group (%q): deleted %v, %+v", text, w.deleted, r)
		}
	}
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if w, r := reply("yo lo reporté, mi código es " + strings.ToLower(receipt)); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed") {
		t.Errorf("a reply to the bot with a receipt code in a group: deleted %v, %+v", w.deleted, r)
	}
	code = codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	if w, r := reply("/redeem " + code); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed")+"\n\n"+en("redeem_void_in_group") {
		t.Errorf("a reply to the bot with an invitation code in a group: deleted %v, %+v", w.deleted, r)
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Errorf("an invitation code seen in a group's reply still works: %q", r[0].Text)
	}
	// A mention of the bot holding one (as Discord passes "@Vigía /redeem
	// CODE" on): removed as any mention is, and the code void.
	code = codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	w = &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(ctx, commands.Request{Platform: "discord", UserID: "3003", UserChat: "u3003", ChatID: "-100555", ChatKind: commands.Group,
		Text: "<@11> /redeem " + code, Addressed: true, EventID: tm.event}, w)
	if r := w.take(); !w.deleted || len(r) != 1 || r[0].Text != en("group_private_only_removed")+"\n\n"+en("redeem_void_in_group") {
		t.Errorf("a mention of the bot with an invitation code: deleted %v, %+v", w.deleted, r)
	}
	if r := tm.as("4004", "Eve", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad") {
		t.Errorf("an invitation code seen in a mention still works: %q", r[0].Text)
	}
	for _, lang := range []string{"es", "fr", "pt-BR"} {
		for _, id := range []string{"private_only_command_removed", "private_only_command_not_removed", "redeem_void_in_group"} {
			if m := tm.msg.Localize(lang, id, nil); m == en(id) || strings.TrimSpace(m) == "" {
				t.Errorf("%s %s: %q", lang, id, m)
			}
		}
	}
}

// hangingProfile is a store whose Profile (the first Redis call of a
// request) hangs until the request's time runs out, as with Redis stalled.
type hangingProfile struct {
	commands.Store
	before func()
}

func (h *hangingProfile) Profile(ctx context.Context, p string, l *storage.Limit, _ bool) (storage.Profile, error) {
	h.before()
	<-ctx.Done()
	return storage.Profile{}, ctx.Err()
}

// A tip written in view of a group is removed before Redis is asked
// anything: with Redis hanging it would otherwise stay up until the
// request's time ran out, and then not be removed at all.
func TestGroupTipIsRemovedBeforeRedis(t *testing.T) {
	w := &adminReplier{recorder: &recorder{}}
	deletedFirst := false
	e := newEnv(t, func(s commands.Store) commands.Store {
		return &hangingProfile{Store: s, before: func() { deletedFirst = w.deleted }}
	})
	for _, req := range []commands.Request{
		{Text: "@VigiaBot halcones en la plaza, soy Juan", Addressed: true},
		{Command: "warn", Args: "retén falso en la carretera", CommandAtStart: true, Addressed: true},
	} {
		w.deleted, deletedFirst = false, false
		req.Platform, req.UserID, req.ChatID, req.ChatKind, req.EventID = "telegram", "3003", "-100555", commands.Group, 77
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		e.mux.Handle(ctx, req, w)
		cancel()
		if !w.deleted || !deletedFirst {
			t.Errorf("%q with Redis hanging: deleted %v, before Redis %v", req.Text+req.Command, w.deleted, deletedFirst)
		}
		w.take()
	}
}

// With the first Redis call hanging, a reporter's message still has the
// time to be kept: the steps before routing give up after a few seconds.
func TestHangingProfileLeavesTimeForTheTip(t *testing.T) {
	e := newEnv(t, func(s commands.Store) commands.Store {
		return &hangingProfile{Store: s, before: func() {}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	rec := &recorder{}
	e.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, Text: "cobran piso en el mercado", EventID: 5}, rec)
	if r := rec.take(); len(r) != 1 || !strings.Contains(r[0].Text, e.text("en", "draft_started", nil)) && !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("a message with Redis's first call hanging: %+v", r)
	}
}

// In an ordinary group the bot answers everyone alike, in their app's
// language: not in one chosen in a private chat with it (/language), which
// would tell the group who talks to the bot.
func TestGroupAnswersIgnoreAPrivateLanguageChoice(t *testing.T) {
	tm := newTeam(t)
	tm.as("7001", "R", commands.Request{Command: "language", Args: "fr"})
	_, a := tm.inGroup("7001", "-100555", false, commands.Request{Text: "@vigia_bot hola", Language: "es"})
	_, b := tm.inGroup("7002", "-100555", false, commands.Request{Text: "@vigia_bot hola", Language: "es"})
	if len(a) != 1 || len(b) != 1 || a[0].Text != b[0].Text || a[0].Text != tm.msg.Localize("es", "group_private_only_removed", nil) {
		t.Fatalf("one who chose French privately: %q; another: %q", texts(a), texts(b))
	}
	if r := tm.as("7001", "R", commands.Request{Command: "help"}); len(r) == 0 || r[0].Text != tm.msg.Localize("fr", "help", nil) {
		t.Fatalf("the private chat's language changed: %q", texts(r))
	}
	// Where the answer reaches the sender alone (Discord answers a
	// channel's message by DM), in the language they chose.
	w := &adminReplier{recorder: &recorder{}}
	tm.event++
	tm.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "7001", ChatID: "-100555", ChatKind: commands.Group,
		Text: "@vigia_bot hola", Addressed: true, AnsweredAlone: true, EventID: tm.event}, w)
	if r := w.take(); len(r) != 1 || r[0].Text != tm.msg.Localize("fr", "group_private_only_removed", nil) {
		t.Fatalf("answered alone: %q", texts(r))
	}
}

// roundTrips counts the Redis round trips made through it.
type roundTrips struct{ n atomic.Int64 }

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}

// A group message to the bot full of code-like words (plates, serials) is
// checked for invitation and receipt codes in a round trip or two, not one
// per word.
func TestGroupMessageOfManyCodeLikeWordsIsCheckedAtOnce(t *testing.T) {
	h := &roundTrips{}
	e := newHookedEnv(t, nil, h)
	before := h.n.Load()
	e.do(reporterID, commands.Request{ChatID: "-100555", ChatKind: commands.Group, Text: "@vigia_bot placas " + strings.Repeat("AB12 ", 35), Addressed: true, ReplyToBot: true, ReplyToID: "7"})
	if n := h.n.Load() - before; n > 8 {
		t.Fatalf("%d Redis round trips for one group message", n)
	}
}
