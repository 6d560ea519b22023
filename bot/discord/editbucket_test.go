package discord

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// limitedEditsAPI is goneInteractionAPI's Discord (the pressing
// interactions gone, DMs closed) where any token's response may be
// edited, twice in 30 s: the second edit spends that token's allowance,
// as Discord limits each webhook apart.
type limitedEditsAPI struct {
	mu    sync.Mutex
	edits []string // tokens whose message was edited
}

func (l *limitedEditsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	switch {
	case r.Method == http.MethodPatch && strings.HasPrefix(path, "/webhooks/20/") && strings.HasSuffix(path, "/messages/@original"):
		token := strings.TrimSuffix(strings.TrimPrefix(path, "/webhooks/20/"), "/messages/@original")
		l.mu.Lock()
		l.edits = append(l.edits, token)
		left := 2 - strings.Count(strings.Join(l.edits, " "), token)
		l.mu.Unlock()
		w.Header().Set("X-RateLimit-Remaining", fmt.Sprint(max(left, 0)))
		w.Header().Set("X-RateLimit-Reset-After", "30")
		fmt.Fprint(w, `{"id":"1","content":""}`)
	case strings.HasPrefix(path, "/interactions/"):
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown interaction","code":10062}`)
	case strings.HasPrefix(path, "/webhooks/"):
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown Webhook","code":10015}`)
	case path == "/users/@me/channels":
		fmt.Fprint(w, `{"id":"900","type":1}`)
	default:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Cannot send messages to this user","code":50007}`)
	}
}

// Two members' Send presses, both dropped by Discord with their DMs
// closed, get their receipts in their own ephemeral messages, edited
// through the tokens of the interactions that posted them. Discord limits
// each token's edits apart: the first member's edits spending their
// token's allowance for 30 s hold the second member's edit back not at all, and
// no token is in the limiter. Mutation: the edit through discordgo's
// WebhookMessageEdit again (one bucket for every token's edits) → the
// second member's receipt waits for the first's limit (timed out).
func TestDiscordHeldTokenEditsOfTwoInteractionsDoNotWaitOnEachOther(t *testing.T) {
	api := &limitedEditsAPI{}
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	press := func(form, token, member string) *discordgo.InteractionCreate {
		f := commandInteraction()
		f.ID, f.Token = form, token
		f.Member = &discordgo.Member{User: &discordgo.User{ID: member}}
		if ev := a.interaction(context.Background(), silentHandler{}, f, nil); ev != nil && ev.timer != nil {
			ev.timer.Stop()
		}
		p := commandInteraction()
		p.ID, p.Token = form+"1", token+"-press"
		p.Member = f.Member
		p.Type = discordgo.InteractionMessageComponent
		p.Data = discordgo.MessageComponentInteractionData{CustomID: "send:1"}
		p.Message = &discordgo.Message{ID: "777", Flags: discordgo.MessageFlagsEphemeral,
			InteractionMetadata: &discordgo.MessageInteractionMetadata{ID: form}}
		return p
	}
	first, second := press("8", "tokA-secret", "50"), press("9", "tokB-secret", "51")
	h := &receiptHandler{}
	a.h = h
	a.onInteraction(a.s, first)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.onInteraction(a.s, second)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the second member's receipt waited for the first member's edit limit")
	}
	h.mu.Lock()
	errs := h.errs
	h.mu.Unlock()
	for i, err := range errs {
		if err != nil {
			t.Errorf("reply %d: %v", i, err)
		}
	}
	api.mu.Lock()
	edits := api.edits
	api.mu.Unlock()
	if len(edits) == 0 || edits[0] != "tokA-secret" || edits[len(edits)-1] != "tokB-secret" {
		t.Errorf("edits through %q, want the first member's token, then the second's", edits)
	}
	for _, k := range limiterKeys(a) {
		if strings.Contains(k, "-secret") {
			t.Errorf("a bucket key holds an interaction's token: %q", k)
		}
	}
}
