package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A slash command whose option Discord sent as null (discordgo decodes
// it as a nil option) is answered, in the member's language, that the
// command could not be read and nothing was done: never dropped without
// a word (the member's client showed "This interaction failed"). So is
// one whose option's value is null (or absent): it is not handed to the
// engine as the text "<nil>". Neither is handed to the engine, and no
// panic is logged. A command whose options are all there still is.
// Mutations: interaction without its nil option check -> the translation
// panics, the interaction is not answered; without its nil value check ->
// the command is handed to the engine ("<nil>"), not answered.
func TestDiscordInteractionWithANullOptionIsAnswered(t *testing.T) {
	for _, c := range []struct {
		name, options string
		handled       bool
	}{
		{"null option", `[null]`, false},
		{"null after an option", `[{"name":"code","type":3,"value":"ABCD-EFGH"},null]`, false},
		{"null value", `[{"name":"code","type":3,"value":null}]`, false},
		{"null value after an option", `[{"name":"code","type":3,"value":"ABCD-EFGH"},{"name":"n","type":4,"value":null}]`, false},
		{"no value", `[{"name":"code","type":3}]`, false},
		{"options all there", `[{"name":"code","type":3,"value":"ABCD-EFGH"}]`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			api := &recordingAPI{}
			h := &recordingHandler{}
			a := newTestAdapter(t, api, h, time.Hour)
			logs := capturePanics(a)
			raw := `{"id":"10","application_id":"20","type":2,"token":"tok-secret","guild_id":"40","channel_id":"30","locale":"es-ES",` +
				`"member":{"user":{"id":"555000222","username":"r"},"roles":[]},"data":{"id":"1","name":"status","type":1,"options":` + c.options + `}}`
			var ic discordgo.InteractionCreate
			if err := json.Unmarshal([]byte(raw), &ic); err != nil {
				t.Fatal(err)
			}
			a.queueInteractionEvent(a.s, &discordgo.Event{Type: "INTERACTION_CREATE", RawData: json.RawMessage(raw), Struct: &ic})
			a.wg.Wait()
			h.mu.Lock()
			handled := len(h.got)
			h.mu.Unlock()
			if handled > 0 != c.handled {
				t.Errorf("handed to the engine: %d, want %v", handled, c.handled)
			}
			if c.handled {
				return
			}
			calls, bodies := api.snapshot()
			if len(calls) != 1 || !strings.HasSuffix(calls[0], "/interactions/10/tok-secret/callback") {
				t.Fatalf("calls %v, want the interaction's response", calls)
			}
			data, _ := bodies[0]["data"].(map[string]any)
			if want := render(a.msg.Localize("es", "command_unreadable", nil))[0]; data["content"] != want {
				t.Errorf("answered %v, want %q", bodies[0], want)
			}
			if strings.Contains(logs.String(), "panic") {
				t.Errorf("a panic logged:\n%s", logs)
			}
			logs.noLeak(t, "tok-secret", "555000222")
		})
	}
}
