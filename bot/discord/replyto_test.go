package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
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

// Discord refuses a reply where the bot may not read the channel's
// history (403, 160002 or 50013), a permission the subscription check does
// not ask for: the message goes all the same, as a plain one, rather than
// the correction being taken for a channel gone for the bot.
// Mutation: Send returning the refusal → ErrDestinationGone, nothing posted.
func TestDiscordReplyRefusedGoesAsAPlainMessage(t *testing.T) {
	for _, code := range []int{160002, 50013} {
		var mu sync.Mutex
		var refs []any
		api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			_ = json.NewDecoder(r.Body).Decode(&m)
			mu.Lock()
			refs = append(refs, m["message_reference"])
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if m["message_reference"] != nil {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `{"message":"Missing Permissions","code":%d}`, code)
				return
			}
			fmt.Fprint(w, `{"id":"9","channel_id":"123","content":""}`)
		})
		a := newTestAdapter(t, api, slowHandler{}, 0)
		ids, err := a.Send(context.Background(), "123", commands.Reply{Text: "correction", ReplyTo: "777"})
		if err != nil || len(ids) != 1 || ids[0] != "9" {
			t.Fatalf("code %d: sent %v, %v; want the message posted", code, ids, err)
		}
		mu.Lock()
		if len(refs) != 2 || refs[0] == nil || refs[1] != nil {
			t.Errorf("code %d: references sent %v, want a reply, then a plain message", code, refs)
		}
		mu.Unlock()
	}
}
