package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
)

// failingKept wipes as Discord does (only the bot's own messages), and
// fails.
type failingKept struct{ *recorder }

func (failingKept) WipeChat(context.Context, string, string) (commands.WipeResult, error) {
	return commands.WipeResult{TheirsKept: true}, errors.New("discord unavailable")
}

// On Discord a bot may delete only its own messages in a direct message
// (Discord answers 50003, "Cannot execute action on a DM channel", for
// the member's), and closing the conversation does not delete it. So a
// Discord reporter is told so up front, in every language: the welcome
// and the advice after a tip say what /wipe and its buttons delete and
// what they must delete themselves, with no word of Telegram's 48 hours
// nor of deleting "the chat" in the app; the buttons say they delete the
// bot's messages; a wipe set for later, one that failed and one given up
// say the same. Telegram keeps its own words.
func TestDiscordWipeWordsSayOnlyTheBotsMessagesGo(t *testing.T) {
	p := keptPlatform{&recorder{}}
	e, _ := newEngine(t, "dw", p, commands.Options{})
	e.mux.AddSender("discord", p)
	ctx := context.Background()
	const user = "77310"
	for _, lang := range locales.Supported {
		text := func(id string, data map[string]any) string { return e.msg.Localize(lang, id, data) }
		rep := func(platform string, req commands.Request) []commands.Reply {
			req.Platform, req.UserChat, req.Language = platform, user, lang
			return e.do(user, req)
		}
		telegramOnly := func(what, got string) {
			t.Helper()
			if strings.Contains(got, "48") || strings.Contains(got, "Telegram") {
				t.Fatalf("%s: Discord's %s speaks of Telegram's limits: %q", lang, what, got)
			}
		}

		r := rep("discord", commands.Request{Command: "start"})
		if len(r) != 1 || lang == "en" && r[0].Text != text("start_discord", map[string]any{"Platform": "Discord"}) {
			t.Fatalf("%s: Discord's /start: %+v", lang, r)
		}
		telegramOnly("welcome", r[0].Text)
		if r := rep("telegram", commands.Request{Command: "start"}); len(r) != 1 || r[0].Text != text("start", map[string]any{"Platform": "Telegram"}) {
			t.Fatalf("%s: Telegram's /start: %+v", lang, r)
		}

		r = rep("discord", commands.Request{Callback: press(rep("discord", commands.Request{Text: "Cobran piso en el mercado"}), "send:")})
		if len(r) != 2 {
			t.Fatalf("%s: Send on Discord: %+v", lang, r)
		}
		receipt := codeRE.FindString(r[0].Text)
		if lang == "en" && r[1].Text != text("safety_advice_discord", map[string]any{"Platform": "Discord", "Receipt": receipt}) {
			t.Fatalf("%s: Discord's advice: %q", lang, r[1].Text)
		}
		if receipt == "" {
			t.Fatalf("%s: no receipt code in %q", lang, r[0].Text)
		}
		// (Without the receipt code, random: "548C-…" holds a "48".)
		telegramOnly("advice", strings.ReplaceAll(r[1].Text, receipt, "CODE"))
		if len(r[1].Buttons) != 1 || len(r[1].Buttons[0]) != 3 {
			t.Fatalf("%s: Discord's wipe buttons: %+v", lang, r[1].Buttons)
		}
		for i, id := range []string{"button_wipe_now_discord", "button_wipe_1h_discord", "button_wipe_24h_discord"} {
			if got := r[1].Buttons[0][i].Label; got != text(id, nil) {
				t.Fatalf("%s: Discord's wipe button %d reads %q, want %q", lang, i, got, text(id, nil))
			}
		}

		r = rep("discord", commands.Request{Command: "wipe", Args: "2h", MessageID: "9"})
		if want := text("wipe_scheduled_discord", map[string]any{"Delay": e.msg.Localize(lang, "age_hours", nil, 2)}); len(r) != 1 || r[0].Text != want {
			t.Fatalf("%s: /wipe 2h on Discord: %+v, want %q", lang, r, want)
		}
		if r := rep("telegram", commands.Request{Command: "wipe", Args: "2h", MessageID: "9"}); len(r) != 1 || r[0].Text != text("wipe_scheduled", map[string]any{"Delay": e.msg.Localize(lang, "age_hours", nil, 2)}) {
			t.Fatalf("%s: /wipe 2h on Telegram: %+v", lang, r)
		}
		e.clk.Add(3 * time.Hour)
		runWipes(t, e)
		p.mu.Lock()
		p.sent = nil
		p.mu.Unlock()
	}

	// A wipe that fails, now or set for later.
	f := failingKept{&recorder{}}
	e, _ = newEngine(t, "dwf", f, commands.Options{})
	e.mux.AddSender("discord", f)
	r := e.do(user, commands.Request{Platform: "discord", Command: "wipe", UserChat: user, Language: "fr"})
	if want := e.msg.Localize("fr", "wipe_failed_discord", nil); len(r) != 1 || !strings.HasPrefix(r[0].Text, want) {
		t.Fatalf("a failed wipe on Discord: %+v, want %q", r, want)
	}
	e.do(user, commands.Request{Platform: "discord", Command: "wipe", Args: "1h", MessageID: "46", UserChat: user, Language: "pt-BR"})
	e.clk.Add(time.Hour + time.Second)
	for take := range 5 {
		if _, err := e.store.TakeWipe(ctx, e.clk.Now(), []string{"discord"}, 10*time.Minute); err != nil {
			t.Fatalf("take %d: %v", take+1, err)
		}
		e.clk.Add(10*time.Minute + time.Second)
	}
	runWipes(t, e)
	// (Sent outside a request: /wipe named as a client in the reader's
	// language lists it, "/apagar".)
	want := e.mux.NamesAsShown("pt-BR", e.msg.Localize("pt-BR", "wipe_given_up_discord", nil))
	if want == e.msg.Localize("pt-BR", "wipe_given_up_discord", nil) {
		t.Fatal("pt-BR's wipe_given_up_discord names no command")
	}
	f.mu.Lock()
	sent := f.sent[user]
	f.mu.Unlock()
	if len(sent) != 1 || sent[0].Text != want {
		t.Fatalf("a wipe given up on Discord was told %+v, want once %q", sent, want)
	}
}

// On Discord /wipe typed in a server's channel is answered there, to the
// member alone, and wipes the member's direct messages with the bot. So a
// wipe set for later, or one that failed, is said of "our direct
// messages", never of "this conversation" nor of messages "here" (that
// channel), in every language; as it is in a direct message.
// Mutation: wipe_scheduled_discord and wipe_failed_discord saying "this
// conversation" and "here" as before -> every case fails.
func TestDiscordWipeInAServerChannelSpeaksOfTheDirectMessages(t *testing.T) {
	here := map[string][]string{
		"en":    {"this conversation", "messages here"},
		"es":    {"esta conversación", "de aquí"},
		"fr":    {"cette conversation", "messages ici"},
		"pt-BR": {"desta conversa", "mensagens aqui"},
	}
	p, f := keptPlatform{&recorder{}}, failingKept{&recorder{}}
	ok, _ := newEngine(t, "dws", p, commands.Options{})
	ok.mux.AddSender("discord", p)
	failing, _ := newEngine(t, "dwsf", f, commands.Options{})
	failing.mux.AddSender("discord", f)
	const user = "77320"
	for _, lang := range locales.Supported {
		for _, c := range []struct {
			e        *env
			args, id string
		}{{ok, "2h", "wipe_scheduled_discord"}, {failing, "", "wipe_failed_discord"}} {
			// (A slash command in a server's channel: the member's own chat,
			// answered in that channel.)
			for _, channel := range []string{"", "31"} {
				r := c.e.do(user, commands.Request{Platform: "discord", Command: "wipe", Args: c.args, UserChat: user, ChannelID: channel, Language: lang})
				want := c.e.msg.Localize(lang, c.id, map[string]any{"Delay": c.e.msg.Localize(lang, "age_hours", nil, 2)})
				if len(r) != 1 || !strings.HasPrefix(r[0].Text, c.e.mux.NamesAsShown(lang, want)) {
					t.Fatalf("%s, channel %q: /wipe %s: %+v, want %q", lang, channel, c.args, r, want)
				}
				for _, w := range here[lang] {
					if strings.Contains(r[0].Text, w) {
						t.Errorf("%s, channel %q: /wipe %s says %q: %q", lang, channel, c.args, w, r[0].Text)
					}
				}
			}
		}
	}
}
