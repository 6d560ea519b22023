package telegram

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// A command written for us ("/status@VigiaBot") never reaches the text
// Vigía keeps addressed to us: bare ("/status"), as a private chat's
// client writes it. "hola /status@VigiaBot /report@VigiaBot texto" in a
// private chat is the reporter's words (a command after words), kept as
// "hola /status /report texto"; "… /warn hay halcones, denuncien con
// /report@VigiaBot" in a group is kept as a warning ending "/report".
// Another bot's command, and our name typed where Telegram marked no
// command, are kept as written. Mutation: readText's req.Text = text and
// parseCommand's Args unrewritten (bare not called) -> the tip and the
// warning keep "@VigiaBot", the test fails.
func TestCommandsForUsAreBareInKeptText(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	ctx := context.Background()
	send := func(id int, chat, text, entities string) {
		a.handle(ctx, mux, update(t, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"from":{"id":777,"first_name":"R","language_code":"en"},%s,"text":%s,"entities":%s}}`,
			id, id, chat, mustJSON(text), entities)), albumPlace{})
	}
	const private = `"chat":{"id":777,"type":"private"}`
	send(1, private, "hola /status@VigiaBot /report@VigiaBot texto, /x@OtherBot y /tip@VigiaBot",
		`[{"type":"bot_command","offset":5,"length":16},{"type":"bot_command","offset":22,"length":16},{"type":"bot_command","offset":46,"length":11}]`)
	button := regexp.MustCompile(`send:[^"]+`).FindString(func() (s string) {
		for _, c := range api.take() {
			s += c.fields["reply_markup"]
		}
		return s
	}())
	if button == "" {
		t.Fatal("no Send button: the message was not kept as a tip")
	}
	a.handle(ctx, mux, update(t, `{"update_id":2,"callback_query":{"id":"q","chat_instance":"c","data":`+mustJSON(button)+`,`+
		`"from":{"id":777,"is_bot":false,"first_name":"R"},"message":{"message_id":5,"date":1,`+private+`}}}`), albumPlace{})
	send(3, `"chat":{"id":-1003,"type":"supergroup","title":"Vecinos"}`, "Atención vecinos @VigiaBot /warn hay halcones, denuncien con /report@VigiaBot",
		`[{"type":"mention","offset":17,"length":9},{"type":"bot_command","offset":27,"length":5},{"type":"bot_command","offset":61,"length":16}]`)
	list, err := st.Recent(ctx, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("stored: %d (%v), want the tip and the warning", len(list), err)
	}
	want := map[bool]string{
		false: "hola /status /report texto, /x@OtherBot y /tip@VigiaBot",
		true:  "Atención vecinos hay halcones, denuncien con /report",
	}
	for _, tip := range list {
		var parts []string
		for _, p := range tip.Content.Parts {
			parts = append(parts, p.Text)
		}
		if got := strings.Join(parts, "\n"); got != want[tip.Warning] {
			t.Errorf("kept (warning %v): %q, want %q", tip.Warning, got, want[tip.Warning])
		}
	}
}
