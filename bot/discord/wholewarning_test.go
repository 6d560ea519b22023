package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A community warning (Reply.Whole) past one message's 2,000 characters
// goes out as one message, read whole: its header as the message's text,
// the rest in its embeds (one up to 4,096 characters, more up to 6,000
// together), with no SuppressEmbeds flag (which would hide them) and
// pinging no one. Past 6,000 it goes in parts, as a reply that is not
// whole always does.
// Mutation: send ignoring Reply.Whole -> the warnings went as 2 and 3
// messages.
func TestDiscordLongWarningIsOneMessage(t *testing.T) {
	const header = "⚠️ Community warning, verified on 2026-12-07"
	line := "Retén falso en la carretera a Toluca (km 23): piden \"cooperación\" - no se detengan.\n"
	long := strings.Repeat(line, 4096/len([]rune(line)))
	cases := []struct {
		name   string
		text   string
		whole  bool
		embeds int // 0: sent in parts
	}{
		{"one embed", header + "\n\n" + string([]rune(long)[:3000]), true, 1},
		{"two embeds", header + "\n\n" + long, true, 2},
		{"a header with a link", "see https://example.org/aviso\n\n" + string([]rune(long)[:3000]), true, 1},
		{"past the embeds' bound", header + "\n\n" + strings.Repeat("*", 4000), true, 0},
		{"not whole", header + "\n\n" + string([]rune(long)[:3000]), false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := &recordingAPI{}
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ids, err := a.SendNoWait(ctx, "123", commands.Reply{Text: c.text, Whole: c.whole})
			if err != nil {
				t.Fatal(err)
			}
			calls, bodies := api.snapshot()
			if c.embeds == 0 {
				if want := len(render(c.text)); len(calls) != want || len(ids) != want || bodies[0]["embeds"] != nil {
					t.Errorf("%d messages (ids %v), the first's embeds %v; want the %d parts", len(calls), ids, bodies[0]["embeds"], want)
				}
				return
			}
			if len(calls) != 1 || len(ids) != 1 {
				t.Fatalf("%d messages (ids %v), want one", len(calls), ids)
			}
			body := bodies[0]
			head, rest, _ := strings.Cut(c.text, "\n\n")
			wantContent := escaper.Replace(head)
			if strings.Contains(head, "://") {
				wantContent, rest = "", c.text
			}
			if got, _ := body["content"].(string); got != wantContent {
				t.Errorf("the message's text: %q, want %q", got, wantContent)
			}
			embeds, _ := body["embeds"].([]any)
			var described strings.Builder
			for _, e := range embeds {
				d, _ := e.(map[string]any)["description"].(string)
				if len(d) > maxDescription {
					t.Errorf("an embed of %d bytes", len(d))
				}
				described.WriteString(d)
			}
			if len(embeds) != c.embeds || described.String() != escaper.Replace(rest) {
				t.Errorf("%d embeds holding %q, want %d holding the warning escaped", len(embeds), described.String(), c.embeds)
			}
			if flags, _ := body["flags"].(float64); flags != 0 {
				t.Errorf("flags %v: SuppressEmbeds would hide the warning", flags)
			}
			if m, _ := body["allowed_mentions"].(map[string]any); m == nil || len(m["parse"].([]any)) != 0 {
				t.Errorf("allowed mentions %v, want none", body["allowed_mentions"])
			}
		})
	}
}
