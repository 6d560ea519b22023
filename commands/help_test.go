package commands_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// The welcome tells reporters, in every language, what does not protect
// them: the platform they write on sees the chat (named), the phone holds
// it (/wipe). It no longer claims that no record links a tip to them:
// tips carry a keyed pseudonym of their reporter.
func TestWelcomeIsHonest(t *testing.T) {
	e := newEnv(t, nil)
	claims := []string{"no record that links", "ningún registro que lo relacione", "nenhum registro que ligue", "aucune trace qui le relie"}
	for _, lang := range locales.Supported {
		for _, platform := range []string{"telegram", "discord"} {
			r := e.do(reporterID, commands.Request{Platform: platform, Command: "start", Language: lang})
			if len(r) != 1 {
				t.Fatalf("%s %s: %+v", lang, platform, r)
			}
			text := r[0].Text
			wipe := "/wipe"
			if platform == "discord" { // (as the client shows it: see TestStartAndUsageOnDiscordNameCommandsAsTheClientShowsThem)
				wipe = e.mux.NamesAsShown(lang, wipe)
			}
			if name := commands.PlatformName(platform); !strings.Contains(text, name+" ") || !strings.Contains(text, wipe) {
				t.Errorf("%s on %s: the welcome does not say that %s sees the chat, or how to wipe it:\n%s", lang, platform, name, text)
			}
			for _, claim := range claims {
				if strings.Contains(text, claim) {
					t.Errorf("%s: the welcome still claims %q", lang, claim)
				}
			}
		}
	}
}

// Without a second factor, /lock says there is none instead of "Locked",
// and team commands go on working.
func TestLockWithoutSecondFactor(t *testing.T) {
	e := newEnv(t, nil)
	inv := func(command string) []commands.Reply {
		return e.do(investigatorID, commands.Request{Command: command, Language: "fr", UserChat: investigatorID})
	}
	if r := inv("lock"); len(r) != 1 || r[0].Text != e.text("fr", "twofa_off", nil) {
		t.Fatalf("/lock without a second factor: %+v", r)
	}
	if r := inv("recent"); len(r) != 1 || r[0].Text != e.text("fr", "recent_empty", nil) {
		t.Fatalf("/recent after /lock without a second factor: %+v", r)
	}
}

// A reporter's /help lists, in every language, every command they can use
// (/start and /redeem aside: the first is the welcome, the second comes
// with an invitation).
func TestHelpListsReporterCommands(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range locales.Supported {
		r := e.do(reporterID, commands.Request{Command: "help", Language: lang})
		if len(r) != 1 {
			t.Fatalf("%s: %+v", lang, r)
		}
		for _, cmd := range e.mux.Commands() {
			if cmd.Role != commands.Anyone || cmd.Name == "start" || cmd.Name == "redeem" {
				continue
			}
			if !strings.Contains(r[0].Text, "/"+cmd.Name+" ") {
				t.Errorf("%s /help does not list /%s", lang, cmd.Name)
			}
		}
	}
}

// An investigator's /help lists, in every language, every investigator
// command (those that only open the second factor aside).
func TestHelpListsInvestigatorCommands(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range locales.Supported {
		r := e.do(investigatorID, commands.Request{Command: "help", Language: lang, UserChat: investigatorID})
		if len(r) == 0 {
			t.Fatalf("%s: no answer", lang)
		}
		var all []string
		for _, x := range r {
			all = append(all, x.Text)
		}
		text := strings.Join(all, "\n")
		for _, cmd := range e.mux.Commands() {
			if cmd.Role != commands.Investigator || cmd.Name == "enroll" || cmd.Name == "unlock" || cmd.Name == "lock" {
				continue // the second factor's, listed when it is on
			}
			if !strings.Contains(text, "/"+cmd.Name+" ") && !strings.Contains(text, "/"+cmd.Name+"\n") && !strings.HasSuffix(text, "/"+cmd.Name) {
				t.Errorf("%s /help does not list /%s", lang, cmd.Name)
			}
		}
	}
}

// With the second factor on, /help lists its commands to the team; and an
// admin's lists every admin command.
func TestHelpListsSecondFactorAndAdminCommands(t *testing.T) {
	e, _ := newEngine(t, "h", &recorder{}, commands.Options{
		Roles:        commands.Roles{"telegram:" + adminID: commands.Admin},
		SecondFactor: commands.SecondFactor{Required: true},
	})
	for _, lang := range locales.Supported {
		r := e.do(adminID, commands.Request{Command: "help", Language: lang, UserChat: adminID})
		var all []string
		for _, x := range r {
			all = append(all, x.Text)
		}
		text := strings.Join(all, "\n") + "\n"
		for _, cmd := range e.mux.Commands() {
			if cmd.Role < commands.Investigator {
				continue
			}
			if !strings.Contains(text, "/"+cmd.Name+" ") && !strings.Contains(text, "/"+cmd.Name+"\n") {
				t.Errorf("%s: an admin's /help does not list /%s", lang, cmd.Name)
			}
		}
	}
}

// /subscribe and /unsubscribe in a private chat each say where to run it.
func TestSubscriptionCommandsInAPrivateChat(t *testing.T) {
	e := newEnv(t, nil)
	for cmd, want := range map[string]string{"subscribe": "subscribe_private", "unsubscribe": "unsubscribe_private"} {
		if r := e.do(reporterID, commands.Request{Command: cmd}); len(r) != 1 || r[0].Text != e.text("es", want, nil) {
			t.Errorf("/%s in private: %+v", cmd, r)
		}
	}
}

// /start offers the language buttons in a private chat only: in a group
// no one's press of them would be taken.
func TestStartLanguageButtonsOnlyInPrivate(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do(reporterID, commands.Request{Command: "start"}); len(r) != 1 || press(r, "lang:fr") == "" {
		t.Fatalf("/start in private: %+v", r)
	}
	r := e.do(reporterID, commands.Request{Command: "start", ChatID: "-100555", ChatKind: commands.Group, Addressed: true})
	if len(r) != 1 || len(r[0].Buttons) != 0 {
		t.Fatalf("/start in a group: %+v", r)
	}
}

// Every option a command declares (Discord shows them) has its description
// and name in every language.
func TestEveryCommandOptionIsDescribed(t *testing.T) {
	e := newEnv(t, nil)
	for _, cmd := range e.mux.Commands() {
		for _, a := range cmd.Args {
			for _, lang := range locales.Supported {
				for _, id := range []string{"arg_" + cmd.Name + "_" + a.Name, "arg_" + cmd.Name + "_" + a.Name + "_name"} {
					if got := e.msg.Localize(lang, id, nil); got == id || got == "" {
						t.Errorf("/%s option %s: no %s in %s", cmd.Name, a.Name, id, lang)
					}
				}
			}
		}
	}
}

// A command's name in each language (the one Discord shows: "ayuda",
// "statut", "répondre", "désabonner") is understood when typed, with or
// without its accents, as the command it names. The help so typed is in
// the word's language (each language's name for it is its own).
func TestLocalizedCommandNamesAreUnderstood(t *testing.T) {
	e := newEnv(t, nil)
	unknown := e.text("en", "unknown_command", nil)
	for _, c := range e.mux.Commands() {
		if c.Role != commands.Anyone || c.Name == "wipe" || c.Name == "cancel" {
			continue // (team commands answer strangers as unknown)
		}
		want := e.do(reporterID, commands.Request{Command: c.Name, Language: "en"})
		for _, lang := range locales.Supported {
			name := strings.ToLower(e.msg.Localize(lang, "command_"+c.Name+"_name", nil))
			if strings.HasPrefix(name, "command_") {
				continue
			}
			want := want
			if c.Name == "help" {
				want = e.do(reporterID, commands.Request{Command: c.Name, Language: lang})
			}
			for _, typed := range []string{name, strings.NewReplacer("é", "e", "í", "i").Replace(name)} {
				r := e.do(reporterID, commands.Request{Command: typed, Language: "en"})
				if len(r) == 0 || r[0].Text == unknown || len(want) == 0 || r[0].Text != want[0].Text {
					t.Errorf("/%s (%s for /%s): %q, want %q", typed, lang, c.Name, texts(r), texts(want))
				}
			}
		}
	}
}

// A command for another bot typed in a chat with us (as the Telegram
// adapter passes it: "cancel@otherbot", whole) is unknown here: answered
// so, and neither ours (the draft stays) nor kept in the tip.
func TestAnotherBotsCommandIsUnknownHere(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "cobran piso en el mercado", Language: "en"})
	send := press(r, "send:")
	r = e.do(reporterID, commands.Request{Text: "/cancel@OtherBot ya", Command: "cancel@otherbot", Args: "ya", CommandAtStart: true, Language: "en"})
	if len(r) != 1 || r[0].Text != e.text("en", "unknown_command", nil) {
		t.Fatalf("/cancel@OtherBot: %q", texts(r))
	}
	r = e.do(reporterID, commands.Request{Callback: send, Language: "en"})
	if len(r) == 0 || !strings.Contains(r[0].Text, "-") {
		t.Fatalf("Send after /cancel@OtherBot: %q", texts(r))
	}
	if tip, err := e.store.Tip(context.Background(), "1"); err != nil || strings.Contains(tip.Content.Text(), "OtherBot") {
		t.Fatalf("tip #1: %q (%v)", tip.Content.Text(), err)
	}
}

// Every command's /help line shows, in every language, that it takes an
// optional argument when the table declares one: /help listed "/tip
// NUMBER" while /tip NUMBER PAGE pages through the history, which only
// the README and /tip's usage told. Left out on purpose: /language's
// code (its buttons are the way), /enroll's (only to replace a key, which
// the bot asks for), /purge's "now" (for a purge that must go at once).
func TestHelpShowsOptionalArguments(t *testing.T) {
	e, _ := newEngine(t, "h", &recorder{}, commands.Options{
		Roles:        commands.Roles{"telegram:" + adminID: commands.Admin},
		SecondFactor: commands.SecondFactor{Required: true},
	})
	for _, lang := range locales.Supported {
		var all []string
		for _, x := range e.do(adminID, commands.Request{Command: "help", Language: lang, UserChat: adminID}) {
			all = append(all, x.Text)
		}
		lines := strings.Split(strings.Join(all, "\n"), "\n")
		for _, cmd := range e.mux.Commands() {
			optional := slices.ContainsFunc(cmd.Args, func(a commands.Arg) bool { return !a.Required })
			if !optional || cmd.Name == "language" || cmd.Name == "enroll" || cmd.Name == "purge" {
				continue
			}
			for _, l := range lines {
				if usage, _, ok := strings.Cut(l, " – "); ok && (usage == "/"+cmd.Name || strings.HasPrefix(usage, "/"+cmd.Name+" ")) && !strings.Contains(usage, "[") {
					t.Errorf("%s /help: %q shows no optional argument, but /%s takes one", lang, l, cmd.Name)
				}
			}
		}
	}
}

// In a group, /help and /start do not say "write your message here":
// a tip written there is read by the group's members and admins, with
// who sent it (and, privacy mode on, never reaches the bot). They send
// tips to a private chat, in every language, and list none of the
// commands that work only there (/status CODE would put a code in view).
// In the investigators' group the team's commands follow.
func TestHelpInAGroupSendsTipsToAPrivateChat(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range locales.Supported {
		for _, cmd := range []string{"help", "start"} {
			r := e.do(reporterID, commands.Request{Command: cmd, ChatID: "-100555", ChatKind: commands.Group, Addressed: true, Language: lang})
			if len(r) != 1 || r[0].Text != e.text(lang, "help_group", nil) {
				t.Fatalf("/%s in a group, %s: %+v", cmd, lang, r)
			}
			for _, private := range []string{e.text(lang, "help", nil), "/status ", "/reply ", "/cancel ", "/wipe "} {
				if strings.Contains(r[0].Text, private) {
					t.Errorf("/%s in a group, %s, says %q:\n%s", cmd, lang, private, r[0].Text)
				}
			}
		}
		r := e.do(investigatorID, commands.Request{Command: "help", ChatID: invChat, ChatKind: commands.Group, Addressed: true, Language: lang})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, e.text(lang, "help_group", nil)) || !strings.Contains(r[0].Text, e.text(lang, "help_investigator", nil)) {
			t.Fatalf("/help in the investigators' group, %s: %+v", lang, r)
		}
	}
	// In a private chat, as before.
	if r := e.do(reporterID, commands.Request{Command: "help", Language: "fr"}); len(r) != 1 || r[0].Text != e.text("fr", "help", nil) {
		t.Fatalf("/help in private: %+v", r)
	}
}

// In a Discord server's channel (answered to the member alone, by the
// adapter's ChannelID), /help does not say "write your message here"
// either: the tip goes in /report's form or a direct message, never in a
// channel. The commands, which work there, follow, in every language; in
// a direct message the help is Discord's (help_discord: what /wipe
// deletes there). (/start there: TestStartInADiscordServerKeepsTheWelcome.)
func TestHelpInADiscordServerSendsTipsToTheFormOrADirectMessage(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range locales.Supported {
		_, cmds, ok := strings.Cut(e.text(lang, "help_discord", nil), "\n\n")
		if !ok {
			t.Fatalf("%s: the help has no paragraph after its steps", lang)
		}
		// (the commands under the names a Discord client in lang shows)
		want := e.mux.NamesAsShown(lang, e.text(lang, "help_server", nil)+"\n\n"+cmds)
		r := e.do(reporterID, commands.Request{Platform: "discord", Command: "help", ChatID: "u" + reporterID, ChannelID: "600000000000000002", Language: lang})
		if len(r) != 1 || r[0].Text != want {
			t.Fatalf("/help in a server's channel, %s: %+v", lang, r)
		}
		if first, _, _ := strings.Cut(e.text(lang, "help", nil), "\n\n"); strings.Contains(r[0].Text, first) {
			t.Errorf("/help in a server's channel, %s, says %q", lang, first)
		}
		if r := e.do(reporterID, commands.Request{Platform: "discord", Command: "help", Language: lang}); len(r) != 1 || r[0].Text != e.mux.NamesAsShown(lang, e.text(lang, "help_discord", nil)) {
			t.Fatalf("/help in a direct message, %s: %+v", lang, r)
		}
	}
}

// In a Discord server's channel, where a member of a server types /start
// (a direct message does not begin with it), /start is still the
// welcome, in every language: what protects them and what does not
// (Discord sees what they write, /wipe), and the prompt of the language
// buttons it comes with. Only its "just write here", which there is the
// channel, is help_server's: /report's form or a direct message. (It is
// start_discord_server: /wipe deletes in the direct messages, not there.)
func TestStartInADiscordServerKeepsTheWelcome(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range locales.Supported {
		// (The commands under the names a Discord client in lang shows.)
		welcome := strings.Split(e.mux.NamesAsShown(lang, e.text(lang, "start_discord_server", map[string]any{"Platform": "Discord"})), "\n\n")
		if len(welcome) < 4 {
			t.Fatalf("%s: the welcome is not welcome, protections, how to report, languages: %q", lang, welcome)
		}
		r := e.do(reporterID, commands.Request{Platform: "discord", Command: "start", ChatID: "u" + reporterID, ChannelID: "600000000000000002", Language: lang})
		if len(r) != 1 || press(r, "lang:fr") == "" {
			t.Fatalf("/start in a server's channel, %s: %+v", lang, r)
		}
		text := r[0].Text
		if !strings.Contains(text, e.mux.NamesAsShown(lang, e.text(lang, "help_server", nil))) || !strings.Contains(text, "Discord ") || !strings.Contains(text, e.mux.NamesAsShown(lang, "/wipe ")) {
			t.Errorf("/start in a server's channel, %s: not the welcome with help_server:\n%s", lang, text)
		}
		for i, para := range welcome {
			if said := strings.Contains(text, para); said != (i != len(welcome)-2) {
				t.Errorf("/start in a server's channel, %s: says %q: %v:\n%s", lang, para, said, text)
			}
		}
	}
}

// In a Discord server's channel, the answers about a tip in progress
// (the report form's "add more if you want", /cancel's and a stale
// button's "write a message to start one") do not send the member to
// write in the channel, whose members and moderators would read it: they
// say where, /report's form or a direct message, in every language. In
// a direct message they are as before.
func TestDraftAnswersInADiscordServerSayWhereToWrite(t *testing.T) {
	e := newEnv(t, nil)
	for i, lang := range locales.Supported {
		user := strconv.Itoa(7301 + i)
		server := func(req commands.Request) []commands.Reply {
			req.Platform, req.ChatID, req.ChannelID, req.Language = "discord", "u"+user, "600000000000000002", lang
			return e.do(user, req)
		}
		r := server(commands.Request{FormID: "report", Form: map[string]string{"tip": "Cobran piso en la farmacia"}})
		cat := press(r, "cat:")
		if len(r) != 1 || cat == "" || !strings.HasPrefix(r[0].Text, e.text(lang, "draft_started_server", nil)) {
			t.Fatalf("form in a server's channel, %s: %+v", lang, r)
		}
		if r := server(commands.Request{Command: "cancel"}); len(r) != 1 || strings.Contains(r[0].Text, e.text(lang, "draft_none_server", nil)) {
			t.Fatalf("/cancel of the form's tip, %s: %+v", lang, r)
		}
		if r := server(commands.Request{Callback: cat}); len(r) != 1 || r[0].Text != e.mux.NamesAsShown(lang, e.text(lang, "draft_stale_server", nil)) {
			t.Errorf("a cancelled tip's button in a server's channel, %s: %+v", lang, r)
		}
		if r := server(commands.Request{Command: "cancel"}); len(r) != 1 || r[0].Text != e.mux.NamesAsShown(lang, e.text(lang, "draft_none_server", nil)) {
			t.Errorf("/cancel without a tip in a server's channel, %s: %+v", lang, r)
		}
		// In a direct message, as before.
		dm := func(req commands.Request) []commands.Reply {
			req.Platform, req.ChatID, req.Language = "discord", "d"+user, lang
			return e.do(user, req)
		}
		if r := dm(commands.Request{Command: "cancel"}); len(r) != 1 || r[0].Text != e.text(lang, "draft_none", nil) {
			t.Errorf("/cancel without a tip in a direct message, %s: %+v", lang, r)
		}
		if r := dm(commands.Request{FormID: "report", Form: map[string]string{"tip": "Cobran piso en la farmacia"}}); len(r) != 1 || !strings.HasPrefix(r[0].Text, e.text(lang, "draft_started", nil)) {
			t.Errorf("form in a direct message, %s: %+v", lang, r)
		}
	}
}
