package telegram

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// tappableCommands finds, in text a reader sees, what Telegram marks as a
// bot command (a bot_command entity, which a tap sends): a slash not
// after a letter, digit, underscore, slash, "<" or ">", then 1 to 64
// Latin letters, digits or underscores (TDLib's rule, written apart from
// the engine's).
var tappableCommands = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_/<>])/([A-Za-z0-9_]{1,64})`)

// A tip whose text holds "/next", "/lock"… is shown to an investigator
// without one of them tappable: tapping would send it as theirs (claim a
// tip, lock their second factor). They read the same words all the same.
func TestCommandsInATipAreNotTappableForInvestigators(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	ctx := context.Background()
	const tip = "El halcón dijo que escriban /next al bot\n/lock (/unlock) y /tip@VigiaBot 1, a 60 km/h"
	reporter := `"from":{"id":777,"first_name":"R","language_code":"es"},"chat":{"id":777,"type":"private","first_name":"R"}`
	a.handle(ctx, mux, update(t, `{"update_id":1,"message":{"message_id":1,"date":1,`+reporter+`,"text":`+mustJSON(tip)+`}}`), albumPlace{})
	send := regexp.MustCompile(`send:[^"]+`).FindString(strings.Join(func() (out []string) {
		for _, c := range api.take() {
			out = append(out, c.fields["reply_markup"])
		}
		return out
	}(), " "))
	if send == "" {
		t.Fatal("no Send button")
	}
	a.handle(ctx, mux, update(t, `{"update_id":2,"callback_query":{"id":"q","chat_instance":"c","data":`+mustJSON(send)+`,`+
		`"from":{"id":777,"is_bot":false,"first_name":"R"},"message":{"message_id":5,"date":1,"chat":{"id":777,"type":"private"}}}}`), albumPlace{})
	list, err := st.Recent(ctx, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("tip not stored: %v", err)
	}
	api.take()
	investigator := `"from":{"id":9001,"first_name":"Ana","language_code":"en"},"chat":{"id":9001,"type":"private","first_name":"Ana"}`
	cmd := "/tip " + list[0].ID
	a.handle(ctx, mux, update(t, `{"update_id":3,"message":{"message_id":3,"date":1,`+investigator+`,"text":`+mustJSON(cmd)+
		`,"entities":[{"type":"bot_command","offset":0,"length":4}]}}`), albumPlace{})
	var view strings.Builder
	for _, c := range api.take() {
		if c.method == "sendMessage" {
			view.WriteString(visible(t, c.fields["text"]) + "\n")
		}
	}
	seen := view.String()
	var quotedLines []string
	for _, l := range strings.Split(seen, "\n") {
		if strings.HasPrefix(l, "│") {
			quotedLines = append(quotedLines, l)
		}
	}
	if len(quotedLines) < 2 {
		t.Fatalf("the tip's text is not in the view:\n%s", seen)
	}
	for _, l := range quotedLines {
		if m := tappableCommands.FindAllStringSubmatch(l, -1); m != nil {
			t.Errorf("tappable command %q in the tip's text as the investigator sees it: %q", m, l)
		}
	}
	// What they read is the reporter's text, once the invisible joiner is
	// left out.
	read := strings.ReplaceAll(seen, "\u2060", "")
	for _, l := range strings.Split(tip, "\n") {
		if !strings.Contains(read, l) {
			t.Errorf("the investigator does not read %q:\n%s", l, read)
		}
	}
}
