package telegram

import (
	"context"
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
)

// A command written for this bot in a group (/report@VigiaBot, a command
// in a message that mentions it, a command in a reply to one of its
// messages) with text after it put that text, a tip, in view of the
// group: it is removed as a mention holding a tip is, and so is a bare
// "/report <words>" (our tip command; a moderation bot's "/report spammer"
// goes with it). Other bare commands may be another bot's: answered. A command
// for the bot with nothing after it is answered as ever; with words before
// it ("el Chapo … @VigiaBot /help"), it holds a tip and is answered so.
func TestCommandWithATipInAGroupIsRemoved(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(id string) string { return html.EscapeString(msg.Localize("en", id, nil)) }
	const group = `"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa"}`
	const toBot = `,"reply_to_message":{"message_id":3,"date":1,"chat":{"id":-1005,"type":"supergroup"},"from":{"id":42,"is_bot":true,"first_name":"V"}}`
	cases := []struct {
		name, text, entities, extra string
		removed                     bool
		answer                      string
	}{
		{"/report@VigiaBot tip", "/report@VigiaBot el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":16}]`, "", true, "group_private_only_removed"},
		{"/help@VigiaBot tip", "/help@VigiaBot el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":14}]`, "", true, "group_private_only_removed"},
		{"@VigiaBot /report tip", "@VigiaBot /report el Chapo cobra piso en la 5a", `[{"type":"mention","offset":0,"length":9},{"type":"bot_command","offset":10,"length":7}]`, "", true, "group_private_only_removed"},
		{"/report tip replying to the bot", "/report el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":7}]`, toBot, true, "group_private_only_removed"},
		{"/help tip replying to the bot", "/help el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":5}]`, toBot, true, "group_private_only_removed"},
		{"bare /report tip", "/report el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":7}]`, "", true, "group_private_only_removed"},
		{"bare /denunciar tip", "/denunciar el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":10}]`, "", true, "group_private_only_removed"},
		{"bare /help words", "/help el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":5}]`, "", false, "help_group"},
		{"/pin loud replying to the bot", "/pin loud", `[{"type":"bot_command","offset":0,"length":4}]`, toBot, false, "unknown_command"},
		{"/xyz@VigiaBot tip replying to the bot", "/xyz@VigiaBot el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":13}]`, toBot, true, "group_private_only_removed"},
		{"@VigiaBot /xyz tip replying to the bot", "@VigiaBot /xyz el Chapo cobra piso en la 5a", `[{"type":"mention","offset":0,"length":9},{"type":"bot_command","offset":10,"length":4}]`, toBot, true, "group_private_only_removed"},
		{"/xyz@VigiaBot tip", "/xyz@VigiaBot el Chapo cobra piso en la 5a", `[{"type":"bot_command","offset":0,"length":13}]`, "", true, "group_private_only_removed"},
		{"bare /report alone", "/report", `[{"type":"bot_command","offset":0,"length":7}]`, "", false, "private_only_command"},
		{"/report@VigiaBot alone", "/report@VigiaBot", `[{"type":"bot_command","offset":0,"length":16}]`, "", false, "private_only_command"},
		{"/help@VigiaBot alone", "/help@VigiaBot", `[{"type":"bot_command","offset":0,"length":14}]`, "", false, "help_group"},
		// Words before a command the message writes for the bot are a tip
		// in view: removed (a mention is) and answered so, not as the
		// command. The bot's own name is no such words.
		{"tip @VigiaBot /help", "el Chapo cobra piso @VigiaBot /help", `[{"type":"mention","offset":20,"length":9},{"type":"bot_command","offset":30,"length":5}]`, "", true, "group_private_only_removed"},
		{"tip @VigiaBot /report", "el Chapo cobra piso @VigiaBot /report", `[{"type":"mention","offset":20,"length":9},{"type":"bot_command","offset":30,"length":7}]`, "", true, "group_private_only_removed"},
		{"tip @VigiaBot /status", "el Chapo cobra piso @VigiaBot /status", `[{"type":"mention","offset":20,"length":9},{"type":"bot_command","offset":30,"length":7}]`, "", true, "group_private_only_removed"},
		{"tip /help@VigiaBot", "el Chapo cobra piso /help@VigiaBot", `[{"type":"bot_command","offset":20,"length":14}]`, "", true, "group_private_only_removed"},
		{"tip @VigiaBot /help replying to the bot", "el Chapo cobra piso @VigiaBot /help", `[{"type":"mention","offset":20,"length":9},{"type":"bot_command","offset":30,"length":5}]`, toBot, true, "group_private_only_removed"},
		// A reply to the bot that names it is a message to it, as a
		// mention is: a tip in view, removed (a reply that does not name
		// it is a community answering a warning, left up).
		{"@VigiaBot tip replying to the bot", "@VigiaBot el Chapo cobra piso en la 5a", `[{"type":"mention","offset":0,"length":9}]`, toBot, true, "group_private_only_removed"},
		{"tip @VigiaBot replying to the bot", "el Chapo cobra piso en la 5a @VigiaBot", `[{"type":"mention","offset":29,"length":9}]`, toBot, true, "group_private_only_removed"},
		{"thanks replying to the bot", "gracias por el aviso", `[]`, toBot, false, "group_private_only"},
		{"@VigiaBot /help", "@VigiaBot /help", `[{"type":"mention","offset":0,"length":9},{"type":"bot_command","offset":10,"length":5}]`, "", true, "help_group"},
		{"🙏 @VigiaBot /help", "🙏 @VigiaBot /help", `[{"type":"mention","offset":3,"length":9},{"type":"bot_command","offset":13,"length":5}]`, "", true, "help_group"},
	}
	for i, c := range cases {
		id := 100 + i
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"message":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+group+
			`,"text":`+mustJSON(c.text)+`,"entities":`+c.entities+c.extra+`}}`), albumPlace{})
		deleted, answers := removedAndAnswered(api.take(), id)
		if deleted != c.removed || len(answers) != 1 || answers[0] != en(c.answer) {
			t.Errorf("%s: removed %v (want %v), answers %q (want %s)", c.name, deleted, c.removed, answers, c.answer)
		}
	}
}

// TestWarnAfterWordsInAGroupIsAWarning: a community writes a warning as
// "Atención vecinos @VigiaBot /warn hay halcones en la esquina", or puts
// the whole of it before the command. It is a warning, not a tip refused:
// removed, answered "received", and stored with the words before the
// command (the bot's name left out), none of them dropped unseen.
func TestWarnAfterWordsInAGroupIsAWarning(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	received := html.EscapeString(msg.Localize("en", "warn_group_received", nil) + "\n\n" + msg.Localize("en", "warn_advice", nil))
	const group = `"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa"}`
	cases := []struct{ name, text, entities, stored string }{
		{"words before and after", "Atención vecinos @VigiaBot /warn hay halcones en la esquina",
			`[{"type":"mention","offset":17,"length":9},{"type":"bot_command","offset":27,"length":5}]`,
			"Atención vecinos hay halcones en la esquina"},
		{"/warn@VigiaBot after its words", "hay halcones en la 5a /warn@VigiaBot",
			`[{"type":"bot_command","offset":22,"length":14}]`,
			"hay halcones en la 5a"},
	}
	for i, c := range cases {
		id := 300 + i
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"message":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+group+
			`,"text":`+mustJSON(c.text)+`,"entities":`+c.entities+`}}`), albumPlace{})
		deleted, answers := removedAndAnswered(api.take(), id)
		if !deleted || len(answers) != 1 || answers[0] != received {
			t.Errorf("%s: removed %v (want true), answers %q (want warn_group_received)", c.name, deleted, answers)
			continue
		}
		list, err := st.Recent(context.Background(), 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: warning not stored: %v", c.name, err)
		}
		if got := list[0].Content.Text(); !list[0].Warning || got != c.stored {
			t.Errorf("%s: stored %q (warning %v), want the warning %q", c.name, got, list[0].Warning, c.stored)
		}
	}
}

// An invitation code pasted in a group's conversation, not to the bot,
// by a member or by an anonymous admin (posted as the group): the bot,
// an administrator there, reads it; the code is void and the message
// removed, the group told.
func TestInvitationCodeInAGroupsConversationIsVoided(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil) + "\n\n" + msg.Localize("en", "redeem_void_in_group", nil))
	for i, from := range []string{
		`"from":{"id":5,"first_name":"Rosa"}`,
		`"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},"sender_chat":{"id":-1005,"type":"supergroup","title":"Vecinos"}`,
	} {
		code, err := st.Invite(context.Background(), "investigator", "telegram:9001", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		id := 400 + i
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"message":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+
			`"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},`+from+`,"text":`+mustJSON("entren al equipo con "+code)+`}}`), albumPlace{})
		deleted, answers := removedAndAnswered(api.take(), id)
		if !deleted || len(answers) != 1 || answers[0] != want {
			t.Errorf("case %d: removed %v, answers %q", i, deleted, answers)
		}
		if _, err := st.Redeem(context.Background(), code, storage.Member{Platform: "telegram", UserID: "4004", Name: "Eve"}, nil); err == nil {
			t.Errorf("case %d: the invitation code seen in the group still works", i)
		}
	}
}

// An invitation code a channel's admin pasted in the channel (posted as
// the channel, to every subscriber): void, the post removed, the admins
// told. The channel's other posts stay its own.
func TestInvitationCodeInAChannelsPostIsVoided(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	code, err := st.Invite(context.Background(), "investigator", "telegram:9001", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	post := func(id int, text string) {
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"channel_post":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+
			`"chat":{"id":-1009,"type":"channel","title":"Noticias"},"sender_chat":{"id":-1009,"type":"channel","title":"Noticias"},"text":`+mustJSON(text)+`}}`), albumPlace{})
	}
	post(500, "código del equipo: "+code)
	var deleted bool
	var answers []string
	for _, k := range api.take() {
		switch k.method {
		case "deleteMessage":
			deleted = deleted || k.fields["message_id"] == "500"
		case "sendMessage":
			answers = append(answers, k.fields["text"])
		}
	}
	want := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil) + "\n\n" + msg.Localize("en", "redeem_void_in_group", nil))
	if !deleted || len(answers) != 1 || answers[0] != want {
		t.Errorf("an invitation code in a channel's post: removed %v, answers %q", deleted, answers)
	}
	if _, err := st.Redeem(context.Background(), code, storage.Member{Platform: "telegram", UserID: "4004", Name: "Eve"}, nil); err == nil {
		t.Error("the invitation code posted in the channel still works")
	}
	post(501, "Mañana, reunión en la plaza. Cuenta para donativos AB12 CD34 EF56 GH78")
	if calls := api.take(); len(calls) != 0 {
		t.Errorf("a channel's post with an account number: %+v", calls)
	}
}

// A channel's post edited by its admin to hold an invitation code, or to
// link words to one: the bot asks Telegram for such edits, and the code
// is void, the post removed, the channel told, as for a new post. An
// edit to anything else, or into a command, is left alone.
func TestChannelPostEditedToHoldACodeIsVoided(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Telegram sends a channel's edits only to a bot that asks for them.
	_, _, _, _ = a.getUpdates(context.Background(), 0, 0, 0)
	var asked string
	for _, k := range api.take() {
		if k.method == "getUpdates" {
			asked = k.fields["allowed_updates"]
		}
	}
	if !strings.Contains(asked, `"edited_channel_post"`) {
		t.Errorf("getUpdates does not ask for a channel's edited posts: allowed_updates %q", asked)
	}
	want := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil) + "\n\n" + msg.Localize("en", "redeem_void_in_group", nil))
	edit := func(id int, text, entities string) {
		t.Helper()
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"edited_channel_post":{"message_id":77,"date":1,"edit_date":2,`+
			`"chat":{"id":-1009,"type":"channel","title":"Noticias"},"sender_chat":{"id":-1009,"type":"channel","title":"Noticias"},"text":`+mustJSON(text)+entities+`}}`), albumPlace{})
	}
	for i, c := range []struct{ text, entities string }{
		{"código del equipo: %s", ""},
		{"entren aquí", `,"entities":[{"type":"text_link","offset":0,"length":11,"url":"https://example.org/i?c=%s"}]`},
	} {
		code, err := st.Invite(context.Background(), "investigator", "telegram:9001", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		edit(600+i, strings.ReplaceAll(c.text, "%s", code), strings.ReplaceAll(c.entities, "%s", code))
		var deleted bool
		var answers []string
		for _, k := range api.take() {
			switch k.method {
			case "deleteMessage":
				deleted = deleted || k.fields["message_id"] == "77"
			case "sendMessage":
				answers = append(answers, k.fields["text"])
			}
		}
		if !deleted || len(answers) != 1 || answers[0] != want {
			t.Errorf("case %d: a channel's post edited to hold an invitation code: removed %v, answers %q", i, deleted, answers)
		}
		if _, err := st.Redeem(context.Background(), code, storage.Member{Platform: "telegram", UserID: "4004", Name: "Eve"}, nil); err == nil {
			t.Errorf("case %d: the invitation code edited into the channel's post still works", i)
		}
	}
	edit(610, "Mañana, reunión en la plaza", "")
	edit(611, "/subscribe Ciudad Juárez", `,"entities":[{"type":"bot_command","offset":0,"length":10}]`)
	if calls := api.take(); len(calls) != 0 {
		t.Errorf("a channel's post edited without a code, or into a command: %+v", calls)
	}
}

// A post made as the chat (a channel's, an anonymous admin's) edited into
// a private-only command holding an invitation code ("/redeem CODE"), or
// into a message to the bot holding one: in view as a new post's would
// be, so void, removed, told, as a new post is; the command is not run.
func TestPostEditedIntoACommandWithACodeIsVoided(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	const channel = `"chat":{"id":-1009,"type":"channel","title":"Noticias"},"sender_chat":{"id":-1009,"type":"channel","title":"Noticias"}`
	const anonymous = `"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},"sender_chat":{"id":-1005,"type":"supergroup","title":"Vecinos"}`
	for i, c := range []struct{ kind, where, text, entities, answer string }{
		{"edited_channel_post", channel, "/redeem %s", `,"entities":[{"type":"bot_command","offset":0,"length":7}]`, "private_only_command_removed"},
		{"edited_message", anonymous, "/redeem %s", `,"entities":[{"type":"bot_command","offset":0,"length":7}]`, "private_only_command_removed"},
		{"edited_message", anonymous, "@VigiaBot el código es %s", `,"entities":[{"type":"mention","offset":0,"length":9}]`, "group_private_only_removed"},
	} {
		code, err := st.Invite(context.Background(), "investigator", "telegram:9001", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		id := 700 + i
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"`+c.kind+`":{"message_id":`+strconv.Itoa(id)+`,"date":1,"edit_date":2,`+
			c.where+`,"text":`+mustJSON(strings.ReplaceAll(c.text, "%s", code))+c.entities+`}}`), albumPlace{})
		deleted, answers := removedAndAnswered(api.take(), id)
		note := "redeem_void_in_group"
		if strings.HasPrefix(c.text, "/redeem") {
			note = "redeem_maybe_void_in_group" // (the same whether or not it was an invitation)
		}
		want := html.EscapeString(msg.Localize("en", c.answer, nil) + "\n\n" + msg.Localize("en", note, nil))
		if !deleted || len(answers) != 1 || answers[0] != want {
			t.Errorf("case %d (%s %q): removed %v, answers %q", i, c.kind, c.text, deleted, answers)
		}
		if _, err := st.Redeem(context.Background(), code, storage.Member{Platform: "telegram", UserID: "4004", Name: "Eve"}, nil); err == nil {
			t.Errorf("case %d (%s %q): the invitation code edited into the post still works", i, c.kind, c.text)
		}
	}
}

// A member's message posted on behalf of a chat of theirs (their own
// channel), edited to put an invitation code in view: void, removed,
// told, as the same message posted new is. Edited to plain words: left
// alone.
func TestOnBehalfPostEditedToHoldACodeIsVoided(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	code, err := st.Invite(context.Background(), "investigator", "telegram:9001", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(id int, text string, entities ...string) {
		t.Helper()
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"edited_message":{"message_id":80,"date":1,"edit_date":2,`+
			`"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},`+
			`"sender_chat":{"id":-1007,"type":"channel","title":"Mi canal"},"text":`+mustJSON(text)+strings.Join(entities, "")+`}}`), albumPlace{})
	}
	edit(800, "entren al equipo con "+code)
	var deleted bool
	var answers []string
	for _, k := range api.take() {
		switch k.method {
		case "deleteMessage":
			deleted = deleted || k.fields["message_id"] == "80"
		case "sendMessage":
			answers = append(answers, k.fields["text"])
		}
	}
	want := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil) + "\n\n" + msg.Localize("en", "redeem_void_in_group", nil))
	if !deleted || len(answers) != 1 || answers[0] != want {
		t.Errorf("a post on behalf of a channel edited to hold an invitation code: removed %v, answers %q", deleted, answers)
	}
	if _, err := st.Redeem(context.Background(), code, storage.Member{Platform: "telegram", UserID: "4004", Name: "Eve"}, nil); err == nil {
		t.Error("the invitation code edited into the post still works")
	}
	edit(801, "Mañana, reunión en la plaza")
	if calls := api.take(); len(calls) != 0 {
		t.Errorf("a post on behalf of a channel edited to plain words: %+v", calls)
	}
	// Edited to name the bot (a tip now in view of the group), as a
	// member's message edited so is: removed, and the sender told.
	edit(802, "@VigiaBot cobran piso en el mercado de abastos", `,"entities":[{"type":"mention","offset":0,"length":9}]`)
	deleted, answers = false, nil
	for _, k := range api.take() {
		switch k.method {
		case "deleteMessage":
			deleted = deleted || k.fields["message_id"] == "80"
		case "sendMessage":
			answers = append(answers, k.fields["text"])
		}
	}
	if want := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil)); !deleted || len(answers) != 1 || answers[0] != want {
		t.Errorf("a post on behalf of a channel edited to name the bot: removed %v, answers %q", deleted, answers)
	}
}
