package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// A reply to a message (a retracted warning's correction, to its copy)
// goes as one, on its first message only, and all the same if that
// message is gone.
// Mutation: Send ignoring rep.ReplyTo → no message_reference.
func TestDiscordSendAsAReply(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, slowHandler{}, 0)
	long := strings.Repeat("palabra ", 400) // several messages
	if _, err := a.Send(context.Background(), "123", commands.Reply{Text: long, ReplyTo: "777"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(context.Background(), "123", commands.Reply{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	_, bodies := api.snapshot()
	if len(bodies) < 3 {
		t.Fatalf("%d messages sent, want the long one cut in several, then one", len(bodies))
	}
	ref, _ := bodies[0]["message_reference"].(map[string]any)
	if ref["message_id"] != "777" || ref["channel_id"] != "123" || ref["fail_if_not_exists"] != false {
		t.Errorf("first message's reference %v, want a reply to 777 sent even if it is gone", bodies[0]["message_reference"])
	}
	for i, b := range bodies[1:] {
		if b["message_reference"] != nil {
			t.Errorf("message %d also replies: %v", i+2, b["message_reference"])
		}
	}
}
