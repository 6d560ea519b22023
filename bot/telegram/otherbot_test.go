package telegram

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// In a group where several bots live, a message that opens with a command
// written for another bot ("/status@OtherBot") is that bot's: not
// answered, not stored, not counted against the group's hourly limit,
// even where it replies to one of our messages, after an emoji, posted
// by a member, captioning a photo, or by an anonymous admin (one that
// mentions us is ours: TestAnotherBotsCommandNamingUsIsATipInView). "/cmd@vigiabot", our name in any case,
// is ours. With the group allowed one answer an hour, /help@VigiaBot
// sent after all of them is still answered.
func TestAnotherBotsCommandInAGroupIsNotOurs(t *testing.T) {
	srv := redistest.Start(t)
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "ob", Retention: time.Hour, DraftIdle: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	limits := commands.DefaultLimits
	limits.ChatPerHour = 1
	mux := commands.New(commands.Options{Store: st, Messages: msg, Retention: time.Hour, Limits: limits,
		Logger: slog.New(slog.DiscardHandler), DefaultLanguage: "en"})
	a, api := newRecording(t)

	// Each case in a group of its own (%d: its id), allowed one answer an
	// hour: after another bot's command, ours is answered still.
	const group = `"chat":{"id":%d,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa"}`
	const asGroup = `"chat":{"id":%[1]d,"type":"supergroup","title":"Vecinos"},"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},"sender_chat":{"id":%[1]d,"type":"supergroup","title":"Vecinos"}`
	const toBot = `,"reply_to_message":{"message_id":3,"date":1,"chat":{"id":%[1]d,"type":"supergroup"},"from":{"id":42,"is_bot":true,"first_name":"V"}}`
	others := []struct{ name, body string }{
		{"plain", group + `,"text":"/status@OtherBot","entities":[{"type":"bot_command","offset":0,"length":16}]`},
		{"with words", group + `,"text":"/report@OtherBot el spammer","entities":[{"type":"bot_command","offset":0,"length":16}]`},
		{"replying to the bot", group + `,"text":"/pin@OtherBot loud","entities":[{"type":"bot_command","offset":0,"length":13}]` + toBot},
		{"alone replying to the bot", group + `,"text":"/status@otherbot","entities":[{"type":"bot_command","offset":0,"length":16}]` + toBot},
		{"after an emoji, replying to the bot", group + `,"text":"🚨 /help@OtherBot","entities":[{"type":"bot_command","offset":3,"length":14}]` + toBot},
		{"a photo's caption replying to the bot", group + `,"photo":[{"file_id":"p","file_unique_id":"u","width":2,"height":2}],"caption":"/save@OtherBot","caption_entities":[{"type":"bot_command","offset":0,"length":14}]` + toBot},
		{"an anonymous admin's", asGroup + `,"text":"/warn@OtherBot hay halcones","entities":[{"type":"bot_command","offset":0,"length":14}]`},
	}
	help := html.EscapeString(msg.Localize("en", "help_group", nil))
	id := 100
	send := func(body string, chat int64) []call {
		id++
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"message":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+
			fmt.Sprintf(body, chat)+`}}`), albumPlace{})
		return api.take()
	}
	for i, c := range others {
		chat := int64(-1005 - i)
		if calls := send(c.body, chat); len(calls) != 0 {
			t.Errorf("%s: the bot acted on another bot's command: %+v", c.name, calls)
		}
		calls := send(group+`,"text":"/help@vigiabot","entities":[{"type":"bot_command","offset":0,"length":14}]`, chat)
		if len(calls) != 1 || calls[0].method != "sendMessage" || calls[0].fields["text"] != help {
			t.Errorf("%s: /help@vigiabot after it (the group allowed one answer an hour): %+v", c.name, calls)
		}
	}
	if list, err := st.Recent(context.Background(), 10); err != nil || len(list) != 0 {
		t.Fatalf("stored from another bot's commands: %d (%v)", len(list), err)
	}
}

// A command written for us in a group is ours whatever the case of our
// name, as Telegram reads it; words or a mention of us before another
// bot's command leave the message to us (a mention is written to us).
func TestOurCommandInAGroupAnyCase(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	help := html.EscapeString(msg.Localize("en", "help_group", nil))
	const group = `"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa"}`
	for i, text := range []string{"/help@VigiaBot", "/help@vigiabot", "/HELP@VIGIABOT", "/Help@vIgIaBoT"} {
		id := strconv.Itoa(400 + i)
		a.handle(context.Background(), mux, update(t, `{"update_id":`+id+`,"message":{"message_id":`+id+`,"date":1,`+group+
			`,"text":`+mustJSON(text)+`,"entities":[{"type":"bot_command","offset":0,"length":14}]}}`), albumPlace{})
		if calls := api.take(); len(calls) != 1 || calls[0].fields["text"] != help {
			t.Errorf("%s: %+v, want the help", text, calls)
		}
	}
	a.handle(context.Background(), mux, update(t, `{"update_id":410,"message":{"message_id":410,"date":1,`+group+
		`,"text":"@VigiaBot /status@OtherBot","entities":[{"type":"mention","offset":0,"length":9},{"type":"bot_command","offset":10,"length":16}]}}`), albumPlace{})
	if calls := api.take(); len(calls) == 0 {
		t.Errorf("@VigiaBot /status@OtherBot: left alone, want it taken as written to us")
	}
}

// A group message that opens with another bot's command but mentions us
// after it ("/start@OtherBot el Chapo cobra piso @VigiaBot") names us: a
// tip in view, removed and answered so, as any message naming us (source
// protection comes before another bot's command), as a reply to us too.
// A reply to us that does not mention us stays the other bot's
// (TestAnotherBotsCommandInAGroupIsNotOurs).
func TestAnotherBotsCommandNamingUsIsATipInView(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	removed := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil))
	const group = `"chat":{"id":-1005,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa"}`
	const toBot = `,"reply_to_message":{"message_id":3,"date":1,"chat":{"id":-1005,"type":"supergroup"},"from":{"id":42,"is_bot":true,"first_name":"V"}}`
	for i, c := range []struct{ name, text, entities, extra string }{
		{"a tip after it", "/start@OtherBot el Chapo cobra piso @VigiaBot", `[{"type":"bot_command","offset":0,"length":15},{"type":"mention","offset":36,"length":9}]`, ""},
		{"us as its argument", "/promote@GroupHelpBot @VigiaBot", `[{"type":"bot_command","offset":0,"length":21},{"type":"mention","offset":22,"length":9}]`, ""},
		{"our name in any case, replying to us", "/pin@OtherBot hay halcones @vigiabot", `[{"type":"bot_command","offset":0,"length":13},{"type":"mention","offset":27,"length":9}]`, toBot},
		{"after an emoji", "🚨 /report@OtherBot el Chapo @VigiaBot", `[{"type":"bot_command","offset":3,"length":16},{"type":"mention","offset":29,"length":9}]`, ""},
	} {
		id := 600 + i
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"message":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+group+
			`,"text":`+mustJSON(c.text)+`,"entities":`+c.entities+c.extra+`}}`), albumPlace{})
		deleted, answers := removedAndAnswered(api.take(), id)
		if !deleted || len(answers) != 1 || answers[0] != removed {
			t.Errorf("%s (%s): removed %v, answers %q; want it removed as a tip in view", c.name, c.text, deleted, answers)
		}
	}
	if list, err := st.Recent(context.Background(), 10); err != nil || len(list) != 0 {
		t.Fatalf("stored from a group: %d (%v)", len(list), err)
	}
}

// Our name is compared ASCII case aside, as Telegram compares usernames:
// "/help@kioskbot" is ours, but not "/help@\u212aioskBot" (the Kelvin
// sign, which strings.EqualFold folds to "k") nor "/help@Kio\u017fkBot"
// (long s, folded to "s"): another name, so another bot's command, and a
// mention under such a name does not name us.
func TestOurNameIsComparedASCIIOnly(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	a.username = "KioskBot"
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	help := html.EscapeString(msg.Localize("en", "help_group", nil))
	for i, c := range []struct {
		text, entities string
		ours           bool
	}{
		{"/help@kioskbot", `[{"type":"bot_command","offset":0,"length":14}]`, true},
		{"/help@\u212aioskBot", `[{"type":"bot_command","offset":0,"length":14}]`, false},
		{"/help@Kio\u017fkBot", `[{"type":"bot_command","offset":0,"length":14}]`, false},
		{"@\u212aioskBot el Chapo cobra piso", `[{"type":"mention","offset":0,"length":9}]`, false},
		{"/start@OtherBot el Chapo @Kio\u017fkBot", `[{"type":"bot_command","offset":0,"length":15},{"type":"mention","offset":25,"length":9}]`, false},
	} {
		id := strconv.Itoa(700 + i)
		a.handle(context.Background(), mux, update(t, `{"update_id":`+id+`,"message":{"message_id":`+id+`,"date":1,`+
			`"chat":{"id":-100`+id+`,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa"},`+
			`"text":`+mustJSON(c.text)+`,"entities":`+c.entities+`}}`), albumPlace{})
		calls := api.take()
		if c.ours && (len(calls) != 1 || calls[0].fields["text"] != help) {
			t.Errorf("%q: %+v, want the help", c.text, calls)
		}
		if !c.ours && len(calls) != 0 {
			t.Errorf("%q: %+v, want it left alone (not our name)", c.text, calls)
		}
	}
}

// A group message whose command for us comes after another bot's
// ("/start@OtherBot el Chapo cobra piso /report@VigiaBot", "hola
// /x@OtherBot … /help@VigiaBot") names us, as a mention of us there does
// (TestAnotherBotsCommandNamingUsIsATipInView): a tip in view, removed
// and answered so, new or edited into it, our name in any case, in a
// reply to us, after an emoji. A later command for a third bot names no
// one, nor does one in a forward of another's words: left alone
// (TestForwardNamingUsInAGroupIsNotWrittenToUs).
func TestOurCommandAfterAnotherBotsIsATipInView(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	removed := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil))
	const from = `"from":{"id":5,"first_name":"Rosa"}`
	const toBot = `,"reply_to_message":{"message_id":3,"date":1,"chat":{"id":-1005,"type":"supergroup"},"from":{"id":42,"is_bot":true,"first_name":"V"}}`
	const forwarded = `,"forward_origin":{"type":"hidden_user","date":1,"sender_user_name":"Juan"}`
	for i, c := range []struct {
		kind, text, entities, extra string
		ours                        bool
	}{
		{"message", "/start@OtherBot el Chapo cobra piso /report@VigiaBot", `[{"type":"bot_command","offset":0,"length":15},{"type":"bot_command","offset":36,"length":16}]`, "", true},
		{"message", "hola /x@OtherBot cobran piso /help@VigiaBot", `[{"type":"bot_command","offset":5,"length":11},{"type":"bot_command","offset":29,"length":14}]`, "", true},
		{"message", "/pin@OtherBot hay halcones /report@vigiabot", `[{"type":"bot_command","offset":0,"length":13},{"type":"bot_command","offset":27,"length":16}]`, toBot, true},
		{"message", "🚨 /report@OtherBot el Chapo /help@VIGIABOT", `[{"type":"bot_command","offset":3,"length":16},{"type":"bot_command","offset":29,"length":14}]`, "", true},
		{"message", "el Chapo cobra piso /report@VigiaBot", `[{"type":"bot_command","offset":20,"length":16}]`, forwarded, false},
		{"edited_message", "/start@OtherBot el Chapo cobra piso /report@VigiaBot", `[{"type":"bot_command","offset":0,"length":15},{"type":"bot_command","offset":36,"length":16}]`, "", true},
		{"edited_message", "hola /x@OtherBot cobran piso /help@VigiaBot", `[{"type":"bot_command","offset":5,"length":11},{"type":"bot_command","offset":29,"length":14}]`, "", true},
		{"message", "/start@OtherBot hola /help@ThirdBot", `[{"type":"bot_command","offset":0,"length":15},{"type":"bot_command","offset":21,"length":14}]`, "", false},
		{"edited_message", "hola /x@OtherBot cobran piso /help@ThirdBot", `[{"type":"bot_command","offset":5,"length":11},{"type":"bot_command","offset":29,"length":14}]`, "", false},
	} {
		id := 900 + i
		edit := ""
		if c.kind == "edited_message" {
			edit = `"edit_date":2,`
		}
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"`+c.kind+`":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+edit+
			`"chat":{"id":-100`+strconv.Itoa(id)+`,"type":"supergroup","title":"Vecinos"},`+from+
			`,"text":`+mustJSON(c.text)+`,"entities":`+c.entities+c.extra+`}}`), albumPlace{})
		calls := api.take()
		deleted, answers := removedAndAnswered(calls, id)
		if c.ours && (!deleted || len(answers) != 1 || answers[0] != removed) {
			t.Errorf("%s %q: removed %v, answers %q; want it removed as a tip in view", c.kind, c.text, deleted, answers)
		}
		if !c.ours && len(calls) != 0 {
			t.Errorf("%s %q: %+v, want it left alone (another bot's, or forwarded)", c.kind, c.text, calls)
		}
	}
	if list, err := st.Recent(context.Background(), 10); err != nil || len(list) != 0 {
		t.Fatalf("stored from a group: %d (%v)", len(list), err)
	}
}

// A member forwarding into a group someone else's words that name us (a
// neighbour's "denuncien con /report@VigiaBot", a channel's "manden sus
// denuncias a @VigiaBot") shares them, as they stand: they are not
// written to us. Left alone: removed with "tips go in private", the
// forward would point at its sender as an informant. Forwarded from the
// sender themselves, the words are their own and name us as any they
// write: a tip in view, removed, as the same words unforwarded; so are a
// hidden user's under the sender's own name, what Telegram shows of a
// sender forwarding their own words with forwards hidden in their privacy
// settings (the group reads them as theirs). Nothing is stored.
// Mutations: readText's NamedInText for any forward again (the condition
// dropped) -> the three forwards of others are removed and answered, the
// test fails; shownAsOwnForward not asked -> the hidden sender's own
// forward is left in view, the test fails.
func TestForwardNamingUsInAGroupIsNotWrittenToUs(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	removed := html.EscapeString(msg.Localize("en", "group_private_only_removed", nil))
	const command = `[{"type":"bot_command","offset":20,"length":16}]`
	const mention = `[{"type":"mention","offset":23,"length":9}]`
	for i, c := range []struct {
		name, text, entities, origin string
		ours                         bool
	}{
		{"a hidden user's", "el Chapo cobra piso /report@VigiaBot", command, `{"type":"hidden_user","date":1,"sender_user_name":"Juan"}`, false},
		{"a hidden user's of the sender's first name", "el Chapo cobra piso /report@VigiaBot", command, `{"type":"hidden_user","date":1,"sender_user_name":"Rosa"}`, false},
		{"the sender's own, their account hidden", "el Chapo cobra piso /report@VigiaBot", command, `{"type":"hidden_user","date":1,"sender_user_name":"Rosa Gómez"}`, true},
		{"another member's", "el Chapo cobra piso /report@VigiaBot", command, `{"type":"user","date":1,"sender_user":{"id":777,"is_bot":false,"first_name":"Juan"}}`, false},
		{"a channel's", "Manden sus denuncias a @VigiaBot", mention, `{"type":"channel","date":1,"message_id":7,"chat":{"id":-1009,"type":"channel","title":"Noticias","username":"noticias"}}`, false},
		{"the sender's own", "el Chapo cobra piso /report@VigiaBot", command, `{"type":"user","date":1,"sender_user":{"id":5,"is_bot":false,"first_name":"Rosa"}}`, true},
		{"not forwarded", "el Chapo cobra piso /report@VigiaBot", command, "", true},
	} {
		id := 1200 + i
		forward := ""
		if c.origin != "" {
			forward = `,"forward_origin":` + c.origin
		}
		a.handle(context.Background(), mux, update(t, `{"update_id":`+strconv.Itoa(id)+`,"message":{"message_id":`+strconv.Itoa(id)+`,"date":1,`+
			`"chat":{"id":-100`+strconv.Itoa(id)+`,"type":"supergroup","title":"Vecinos"},"from":{"id":5,"first_name":"Rosa","last_name":"Gómez"}`+forward+
			`,"text":`+mustJSON(c.text)+`,"entities":`+c.entities+`}}`), albumPlace{})
		calls := api.take()
		deleted, answers := removedAndAnswered(calls, id)
		if c.ours && (!deleted || len(answers) != 1 || answers[0] != removed) {
			t.Errorf("%s %q: removed %v, answers %q; want it removed as a tip in view", c.name, c.text, deleted, answers)
		}
		if !c.ours && len(calls) != 0 {
			t.Errorf("%s forwarded %q: %+v, want it left alone", c.name, c.text, calls)
		}
	}
	if list, err := st.Recent(context.Background(), 10); err != nil || len(list) != 0 {
		t.Fatalf("stored from a group: %d (%v)", len(list), err)
	}
}
