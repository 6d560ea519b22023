package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// goneInteractionAPI is a Discord REST API where interaction 10 is gone:
// its response (callback) gets 10062 Unknown Interaction, its follow-ups
// 10015 Unknown Webhook. Direct messages (channel 900) are taken and
// recorded, unless dmsClosed (50007); so are posts in other channels. The
// token editable (an earlier interaction's) may edit messages, as Discord
// has it: its response as @original (Edit Original Interaction Response),
// a follow-up it posted (followups) by its id (Edit Followup Message);
// recorded. Any other id is an Unknown Message (10008).
type goneInteractionAPI struct {
	mu        sync.Mutex
	dmsClosed bool
	editable  string
	followups map[string]bool // ids of the follow-ups posted with editable
	calls     []string
	posted    map[string][]string // contents by channel id
	edits     []string            // path and content
}

func (g *goneInteractionAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	defer g.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	g.calls = append(g.calls, r.Method+" "+path)
	switch {
	case strings.HasPrefix(path, "/interactions/"):
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown interaction","code":10062}`)
	case g.editable != "" && r.Method == http.MethodPatch && strings.HasPrefix(path, "/webhooks/20/"+g.editable+"/messages/"):
		if id := strings.TrimPrefix(path, "/webhooks/20/"+g.editable+"/messages/"); id != "@original" && !g.followups[id] {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Unknown Message","code":10008}`)
			return
		}
		var m struct{ Content string }
		_ = json.Unmarshal(body, &m)
		g.edits = append(g.edits, path+" "+m.Content)
		fmt.Fprint(w, `{"id":"1","content":""}`)
	case strings.HasPrefix(path, "/webhooks/"):
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown Webhook","code":10015}`)
	case path == "/users/@me/channels":
		fmt.Fprint(w, `{"id":"900","type":1}`)
	case path == "/channels/900/messages" && g.dmsClosed:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Cannot send messages to this user","code":50007}`)
	case strings.HasSuffix(path, "/messages"):
		var m struct{ Content string }
		_ = json.Unmarshal(body, &m)
		if g.posted == nil {
			g.posted = map[string][]string{}
		}
		ch := strings.TrimSuffix(strings.TrimPrefix(path, "/channels/"), "/messages")
		g.posted[ch] = append(g.posted[ch], m.Content)
		fmt.Fprint(w, `{"id":"1","channel_id":"`+ch+`","content":""}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown","code":0}`)
	}
}

func (g *goneInteractionAPI) contents(channel string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.posted[channel]...)
}

// receiptHandler answers with a receipt, then a second message, as the
// engine does after a tip is sent, and records what each reply returned.
type receiptHandler struct {
	mu   sync.Mutex
	errs []error
}

func (h *receiptHandler) Handle(ctx context.Context, _ commands.Request, w commands.Replier) {
	for _, text := range []string{"received ABCD-1234", "advice"} {
		err := w.Reply(ctx, commands.Reply{Text: text})
		h.mu.Lock()
		h.errs = append(h.errs, err)
		h.mu.Unlock()
	}
}

func (*receiptHandler) Commands() []*commands.Command { return nil }

// A reporter's receipt answered through an interaction Discord dropped
// (not acknowledged within its 3 s: 10062, its follow-ups 10015) is not
// lost: it goes to the member by DM, and so does the next answer, without
// trying the dead interaction again.
// Mutation: Reply without the fallback (instead) → the receipt is refused,
// nothing is sent by DM.
func TestDiscordReceiptOfAGoneInteractionGoesByDM(t *testing.T) {
	api := &goneInteractionAPI{}
	h := &receiptHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.onInteraction(a.s, commandInteraction())
	for i, err := range h.errs {
		if err != nil {
			t.Errorf("reply %d: %v", i, err)
		}
	}
	if got := api.contents("900"); len(got) != 2 || got[0] != "received ABCD\\-1234" || got[1] != "advice" {
		t.Errorf("by DM: %q", got)
	}
	tries := 0
	for _, c := range api.calls {
		if strings.Contains(c, "/interactions/") || strings.Contains(c, "/webhooks/") {
			tries++
		}
	}
	if tries != 1 {
		t.Errorf("the gone interaction tried %d times: %v", tries, api.calls)
	}
}

// With the member's DMs closed too, the receipt's failure says so, typed
// (a destination gone, for the engine's log), and holds no token.
// Mutation: instead wrapping Send's error with %s, not %w → not
// ErrDestinationGone.
func TestDiscordReceiptOfAGoneInteractionWithClosedDMsIsTyped(t *testing.T) {
	api := &goneInteractionAPI{dmsClosed: true}
	h := &receiptHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.onInteraction(a.s, commandInteraction())
	if len(h.errs) == 0 || !errors.Is(h.errs[0], commands.ErrDestinationGone) || strings.Contains(h.errs[0].Error(), "tok") {
		t.Fatalf("errors: %v", h.errs)
	}
}

// An answer to the investigators' channel (not ephemeral) whose
// interaction is gone goes to that channel, not to the member's DMs.
// Mutation: instead sending by DM whatever the answer → by DM.
func TestDiscordPublicAnswerOfAGoneInteractionGoesToItsChannel(t *testing.T) {
	api := &goneInteractionAPI{}
	h := &receiptHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	ic := commandInteraction()
	ev := a.interaction(context.Background(), h, ic, nil)
	ev.r.ephemeral = false
	ev.run()
	if got := api.contents("30"); len(got) != 2 {
		t.Errorf("in the channel: %q", got)
	}
	if got := api.contents("900"); len(got) != 0 {
		t.Errorf("by DM: %q", got)
	}
}

// A first answer Discord refused with a 429 (nothing went out) is sent
// again as the interaction's response, as the engine does with a receipt
// (replyReceipt): as a follow-up to no response it would be refused.
// Mutation: message without `r.responded = false` on a refusal → the
// second try goes to the webhook.
func TestDiscordRefusedFirstAnswerIsSentAgainAsTheResponse(t *testing.T) {
	api := &recordingAPI{limited: maxRetries + 1}
	a := newTestAdapter(t, api, nil, time.Hour)
	r := a.interaction(context.Background(), slowHandler{}, commandInteraction(), nil).r
	err := r.Reply(context.Background(), commands.Reply{Text: "received ABCD-1234"})
	if !errors.Is(err, commands.ErrRateLimited) {
		t.Fatalf("first try: %v, want rate limited", err)
	}
	if err := r.Reply(context.Background(), commands.Reply{Text: "received ABCD-1234"}); err != nil {
		t.Fatalf("second try: %v", err)
	}
	calls, _ := api.snapshot()
	if last := calls[len(calls)-1]; !strings.HasSuffix(last, "/interactions/10/tok/callback") {
		t.Errorf("second try went to %q", last)
	}
}

// A reporter whose Send press Discord dropped (its token invalidated: no
// follow-up either) and whose DMs are closed got no receipt. The message
// the button is on, ephemeral, was posted through an earlier interaction
// whose token still edits it: the receipt and the next answer are put
// there, which only the member sees. A message that is not ephemeral is
// never edited: the receipt's failure is returned, as before.
// Mutations: instead without insteadEdited → no edit, the receipt fails;
// editInstead without its ephemeral check → the public message edited.
func TestDiscordReceiptOfAGoneSendWithClosedDMsReplacesItsMessage(t *testing.T) {
	for _, ephemeral := range []bool{true, false} {
		api := &goneInteractionAPI{dmsClosed: true, editable: "tokA"}
		h := &receiptHandler{}
		a := newTestAdapter(t, api, h, time.Hour)
		// The earlier interaction (the form whose answer holds Send).
		form := commandInteraction()
		form.ID, form.Token = "8", "tokA"
		if ev := a.interaction(context.Background(), silentHandler{}, form, nil); ev != nil && ev.timer != nil {
			ev.timer.Stop()
		}
		press := commandInteraction()
		press.Type = discordgo.InteractionMessageComponent
		press.Data = discordgo.MessageComponentInteractionData{CustomID: "send:1"}
		press.Message = &discordgo.Message{ID: "777", InteractionMetadata: &discordgo.MessageInteractionMetadata{ID: "8"}}
		if ephemeral {
			press.Message.Flags = discordgo.MessageFlagsEphemeral
		}
		a.onInteraction(a.s, press)
		api.mu.Lock()
		edits := api.edits
		api.mu.Unlock()
		if !ephemeral {
			if len(edits) != 0 || len(h.errs) == 0 || !errors.Is(h.errs[0], commands.ErrDestinationGone) {
				t.Errorf("a public message: edits %q, errors %v; want none, the receipt failed", edits, h.errs)
			}
			continue
		}
		for i, err := range h.errs {
			if err != nil {
				t.Errorf("reply %d: %v", i, err)
			}
		}
		if want := "/webhooks/20/tokA/messages/@original received ABCD\\-1234\n\nadvice"; len(edits) == 0 || edits[len(edits)-1] != want {
			t.Errorf("edits %q, want last %q", edits, want)
		}
	}
}

// The draft's message is edited the way Discord documents for what it is
// to the interaction that posted it: its response (no
// original_response_message_id in its interaction metadata) as @original
// (Edit Original Interaction Response), a follow-up (a long draft's last
// part, or a later answer) by its own id (Edit Followup Message). The
// response's id on the follow-up route is not what Discord documents: the
// fake, as strict, refuses it (10008) and the receipt would be lost.
// Mutation: editInstead always by the message's id (as before) → the
// response's edit is refused, the receipt fails.
func TestDiscordGoneSendEditsTheDraftByItsDocumentedRoute(t *testing.T) {
	for _, tc := range []struct {
		name, original, want string
	}{
		{"response", "", "/webhooks/20/tokA/messages/@original"},
		{"follow-up", "776", "/webhooks/20/tokA/messages/777"},
	} {
		api := &goneInteractionAPI{dmsClosed: true, editable: "tokA", followups: map[string]bool{"777": tc.original != ""}}
		h := &receiptHandler{}
		a := newTestAdapter(t, api, h, time.Hour)
		form := commandInteraction()
		form.ID, form.Token = "8", "tokA"
		if ev := a.interaction(context.Background(), silentHandler{}, form, nil); ev != nil && ev.timer != nil {
			ev.timer.Stop()
		}
		press := commandInteraction()
		press.Type = discordgo.InteractionMessageComponent
		press.Data = discordgo.MessageComponentInteractionData{CustomID: "send:1"}
		press.Message = &discordgo.Message{ID: "777", Flags: discordgo.MessageFlagsEphemeral,
			InteractionMetadata: &discordgo.MessageInteractionMetadata{ID: "8", OriginalResponseMessageID: tc.original}}
		a.onInteraction(a.s, press)
		for i, err := range h.errs {
			if err != nil {
				t.Errorf("%s: reply %d: %v", tc.name, i, err)
			}
		}
		api.mu.Lock()
		edits := api.edits
		api.mu.Unlock()
		if want := tc.want + " received ABCD\\-1234\n\nadvice"; len(edits) != 2 || edits[1] != want {
			t.Errorf("%s: edits %q, want the last %q", tc.name, edits, want)
		}
	}
}

// An ephemeral interaction's token, held to edit its messages later
// (holdToken), is forgotten once Discord no longer takes it (tokenLife):
// it was dropped only when tokensKept were held, so one stayed in memory
// for as long as the bot ran.
// Mutation: holdToken without its timer (as before) → the token is still
// held (timed out).
func TestDiscordHeldTokenIsForgottenAtItsExpiry(t *testing.T) {
	a := newTestAdapter(t, &goneInteractionAPI{}, silentHandler{}, time.Hour)
	a.mu.Lock()
	a.tokenLife = time.Millisecond
	a.mu.Unlock()
	form := commandInteraction()
	form.ID, form.Token = "8", "tokA"
	if ev := a.interaction(context.Background(), silentHandler{}, form, nil); ev != nil && ev.timer != nil {
		ev.timer.Stop()
	}
	waitFor(t, "the token forgotten", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.tokens) == 0
	})
}

// formHandler answers as the engine does a report form a rate limit
// refused: the typed text for the member's ephemeral answer alone, a
// notice without it (Instead) for anywhere else.
type formHandler struct{ err error }

func (h *formHandler) Handle(ctx context.Context, _ commands.Request, w commands.Replier) {
	h.err = w.Reply(ctx, commands.Reply{Text: "NOT received; you wrote: cobran piso", Instead: "NOT received"})
}

func (*formHandler) Commands() []*commands.Command { return nil }

// An ephemeral answer in a server whose interaction is gone goes by DM
// as its Instead, never its Text: what a reporter typed in a form is not
// written into their DM history (which a seized phone shows).
// Mutation: instead sending rep whatever its Instead → the typed text by DM.
func TestDiscordGoneEphemeralAnswerGoesByDMAsItsInstead(t *testing.T) {
	api := &goneInteractionAPI{}
	h := &formHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	a.onInteraction(a.s, commandInteraction())
	if h.err != nil {
		t.Fatal(h.err)
	}
	if got := api.contents("900"); len(got) != 1 || got[0] != "NOT received" {
		t.Errorf("by DM: %q", got)
	}
	if got := api.contents("30"); len(got) != 0 {
		t.Errorf("in the server's channel: %q", got)
	}
}

// A held token is used only for the member it came from: a press by
// another member naming that interaction (a message that is not theirs)
// edits nothing, and the receipt's failure is returned as with no token
// held; the member's own press still edits their message.
// Mutation: editInstead without its member check -> another member's
// receipt is put in the first member's message (an edit through tokA).
func TestDiscordHeldTokenIsUsedOnlyForItsMember(t *testing.T) {
	for _, presser := range []string{"51", "50"} {
		api := &goneInteractionAPI{dmsClosed: true, editable: "tokA"}
		h := &receiptHandler{}
		a := newTestAdapter(t, api, h, time.Hour)
		form := commandInteraction() // member 50's
		form.ID, form.Token = "8", "tokA"
		if ev := a.interaction(context.Background(), silentHandler{}, form, nil); ev != nil && ev.timer != nil {
			ev.timer.Stop()
		}
		press := commandInteraction()
		press.Member = &discordgo.Member{User: &discordgo.User{ID: presser}}
		press.Type = discordgo.InteractionMessageComponent
		press.Data = discordgo.MessageComponentInteractionData{CustomID: "send:1"}
		press.Message = &discordgo.Message{ID: "777", Flags: discordgo.MessageFlagsEphemeral,
			InteractionMetadata: &discordgo.MessageInteractionMetadata{ID: "8"}}
		a.onInteraction(a.s, press)
		api.mu.Lock()
		edits := api.edits
		api.mu.Unlock()
		if presser == "50" {
			if len(edits) == 0 || len(h.errs) == 0 || h.errs[0] != nil {
				t.Errorf("the member's own press: edits %q, errors %v; want their message edited", edits, h.errs)
			}
			continue
		}
		if len(edits) != 0 {
			t.Errorf("another member's press edited through the first member's token: %q", edits)
		}
		if len(h.errs) == 0 || !errors.Is(h.errs[0], commands.ErrDestinationGone) {
			t.Errorf("another member's receipt: errors %v, want it failed (DMs closed, nothing to edit)", h.errs)
		}
	}
}

// The deferral timer of an interaction Discord dropped, fired while its
// answer was going by DM and run once the interaction is finished (it
// waited for the replier), sends nothing: no deferral of a gone
// interaction (refused, one more invalid request), through a rate-limit
// slot already handed to another interaction.
// Mutation: deferResponse without its gone check -> a deferral is POSTed
// after the interaction is finished.
func TestDiscordDeferralOfAGoneInteractionFiredLateSendsNothing(t *testing.T) {
	api := &goneInteractionAPI{}
	h := &receiptHandler{}
	a := newTestAdapter(t, api, h, time.Hour)
	ev := a.interaction(context.Background(), h, commandInteraction(), nil)
	ev.run()
	if got := api.contents("900"); len(got) != 2 {
		t.Fatalf("by DM: %q", got)
	}
	api.mu.Lock()
	n := len(api.calls)
	api.mu.Unlock()
	ev.r.deferResponse(context.Background()) // the timer's callback, last to get the replier
	api.mu.Lock()
	defer api.mu.Unlock()
	if late := api.calls[n:]; len(late) != 0 {
		t.Errorf("sent once the interaction was finished: %v", late)
	}
}
