package discord

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// gatewayDispatch hands a raw event to the adapter's handlers as
// discordgo's read loop does (wsapi.go, onEvent): the decoded struct,
// however far its decoding got (an error is only logged), then the raw
// event.
func gatewayDispatch(t *testing.T, a *Adapter, typ, raw string) {
	t.Helper()
	var mc discordgo.MessageCreate
	_ = json.Unmarshal([]byte(raw), &mc) // as discordgo: an error is logged, the struct passed on
	a.queueMessage(a.s, &mc)
	a.queueUndecodable(a.s, &discordgo.Event{Type: typ, RawData: json.RawMessage(raw), Struct: &mc})
	a.wg.Wait()
}

// A direct message discordgo cannot decode (here a forward of a message
// holding a component type it does not know) reaches the message handler
// empty: it is answered, in its channel, that it cannot be kept (in the
// default language: nothing else is known), never dropped without a word,
// and not handed to the engine. An undecodable server message, a bot's,
// and a decodable DM get no such answer.
// Mutation: queueUndecodable returning at once → the DM is not answered.
func TestDiscordUndecodableDirectMessageIsAnswered(t *testing.T) {
	const undecodable = `{"id":"2000","channel_id":"77","type":0,"content":"","author":{"id":"50","username":"r"},` +
		`"message_reference":{"type":1,"channel_id":"5","message_id":"6"},` +
		`"message_snapshots":[{"message":{"content":"el jefe es Juan","components":[{"type":99}]}}]}`
	if err := json.Unmarshal([]byte(undecodable), new(discordgo.MessageCreate)); err == nil {
		t.Fatal("discordgo decodes the message now: the test needs another one it cannot")
	}
	api := &recordingAPI{}
	h := &recordingHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	gatewayDispatch(t, a, "MESSAGE_CREATE", undecodable)
	calls, bodies := api.snapshot()
	if len(calls) != 1 || calls[0] != "POST /api/v9/channels/77/messages" {
		t.Fatalf("calls %v", calls)
	}
	if want := render(a.msg.Localize("", "unsupported_message", nil))[0]; bodies[0]["content"] != want {
		t.Errorf("answered %v", bodies[0])
	}
	h.mu.Lock()
	if len(h.got) != 0 {
		t.Errorf("handed to the engine: %+v", h.got)
	}
	h.mu.Unlock()

	for name, raw := range map[string]string{
		"server message": `{"id":"2001","channel_id":"78","guild_id":"60","type":0,"author":{"id":"50"},"components":[{"type":99}]}`,
		"bot's message":  `{"id":"2002","channel_id":"77","type":0,"author":{"id":"51","bot":true},"components":[{"type":99}]}`,
		"decodable DM":   `{"id":"2003","channel_id":"77","type":0,"content":"hola","author":{"id":"50","username":"r"}}`,
	} {
		api := &recordingAPI{}
		h := &recordingHandler{}
		a := newTestAdapter(t, api, h, time.Hour)
		gatewayDispatch(t, a, "MESSAGE_CREATE", raw)
		calls, bodies := api.snapshot()
		h.mu.Lock()
		handled := len(h.got)
		h.mu.Unlock()
		switch {
		case name == "decodable DM" && (handled != 1 || len(calls) != 1 || bodies[0]["content"] != "ok"):
			t.Errorf("%s: handled %d, calls %v %v", name, handled, calls, bodies)
		case name != "decodable DM" && len(calls)+handled != 0:
			t.Errorf("%s: handled %d, calls %v", name, handled, calls)
		}
	}
}
