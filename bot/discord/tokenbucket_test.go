package discord

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// limiterKeys lists the rate limiter's bucket keys (discordgo keeps them
// unexported: reflect reads them).
func limiterKeys(a *Adapter) []string {
	a.rl.RLock()
	defer a.rl.RUnlock()
	var keys []string
	for _, k := range reflect.ValueOf(a.s.Ratelimiter).Elem().FieldByName("buckets").MapKeys() {
		keys = append(keys, k.String())
	}
	return keys
}

// No interaction's token stays in the rate limiter: its response, a
// deferral, its follow-ups (with a file too) and the deletion of an
// unanswered deferral are filed under buckets named by the interaction's
// id. Mutation: discordgo's InteractionRespond, FollowupMessageCreate and
// InteractionResponseDelete back -> the keys hold every token.
func TestDiscordLimiterKeepsNoInteractionToken(t *testing.T) {
	handlers := []Handler{
		slowHandler{}, // the response
		slowHandler{delay: 50 * time.Millisecond}, // a deferral, then a follow-up
		silentHandler{}, // a deferral, deleted
		replyHandler{commands.Reply{Text: "a", Files: []commands.File{stored("x")}}}, // a response, a file's follow-up
	}
	for n, h := range handlers {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, h, 10*time.Millisecond)
		if _, ok := h.(silentHandler); ok {
			a.o.DeferAfter = time.Hour
		}
		for k := range 3 {
			ic := commandInteraction()
			ic.ID = fmt.Sprint(1000 + 10*n + k)
			ic.Token = fmt.Sprintf("itoken-%d-%d-secret", n, k)
			a.onInteraction(a.s, ic)
		}
		calls, _ := api.snapshot()
		if len(calls) < 3 {
			t.Fatalf("handler %d: calls %v", n, calls)
		}
		keys := limiterKeys(a)
		if len(keys) == 0 {
			t.Fatalf("handler %d: no bucket at all", n)
		}
		for _, k := range keys {
			if strings.Contains(k, "itoken-") {
				t.Fatalf("handler %d: a bucket key holds an interaction's token: %q (calls %v)", n, k, calls)
			}
		}
	}
}

// The limiter's buckets for interactions are bounded by the interactions
// answered at once, not by all those ever answered: 40 interactions one
// after another (each unanswered: deferred, the deferral deleted) leave
// two buckets, not 80. Mutation: takeSlot always making a new slot -> 80
// buckets.
func TestDiscordLimiterBucketsAreBoundedByInteractionsInFlight(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	for k := range 40 {
		ic := commandInteraction()
		ic.ID, ic.Token = fmt.Sprint(2000+k), fmt.Sprintf("itoken-%d", k)
		a.onInteraction(a.s, ic)
	}
	if calls, _ := api.snapshot(); len(calls) != 80 {
		t.Fatalf("%d calls, want 80 (a deferral and its deletion each)", len(calls))
	}
	if keys := limiterKeys(a); len(keys) > 2 {
		t.Errorf("%d buckets after 40 interactions one after another: %q", len(keys), keys)
	}
}

// A slot is not handed to a new interaction while Discord's limit on an
// earlier one's buckets holds: the new one is answered at once, not after
// that limit (30 s here). Mutation: releaseSlot ignoring the buckets'
// wait -> the second interaction's follow-up waits 30 s (past the 10 s
// allowed).
func TestDiscordLimitOfAnEarlierInteractionHoldsNoLaterOneBack(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "/callback") {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		// A follow-up spends its webhook's allowance for 30 s.
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset-After", "30")
		fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
	})
	a := newTestAdapter(t, api, replyHandler{commands.Reply{Text: "a", Files: []commands.File{stored("x")}}}, time.Hour)
	first := commandInteraction()
	a.onInteraction(a.s, first)
	done := make(chan struct{})
	go func() {
		defer close(done)
		second := commandInteraction()
		second.ID, second.Token = "11", "tok2"
		a.onInteraction(a.s, second)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a new interaction's follow-up waited for an earlier interaction's limit")
	}
}

// A global limit (a Cloudflare ban: see plainRateLimit) holds every
// slot alike, so it holds no slot back from a later interaction: 40
// interactions during a ban of a minute (each told at once that nothing
// can go out: nothing is sent) leave the two buckets of one slot, not 80.
// Mutation: releaseSlot waiting for the global limit too (bucketWait) ->
// 80 buckets.
func TestDiscordGlobalLimitMakesNoSlotPerInteraction(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	b := a.s.Ratelimiter.LockBucket(globalCarry) // as sweepLimiter carries a ban over
	if err := b.Release(http.Header{"X-Ratelimit-Global": {"true"}, "X-Ratelimit-Reset-After": {"60"}}); err != nil {
		t.Fatal(err)
	}
	for k := range 40 {
		ic := commandInteraction()
		ic.ID, ic.Token = fmt.Sprint(3000+k), fmt.Sprintf("itoken-%d", k)
		a.onInteraction(a.s, ic)
	}
	if calls, _ := api.snapshot(); len(calls) != 0 {
		t.Fatalf("sent during the ban: %v", calls)
	}
	var keys []string
	for _, k := range limiterKeys(a) {
		if k != globalCarry {
			keys = append(keys, k)
		}
	}
	if len(keys) > 2 {
		t.Errorf("%d buckets after 40 interactions during a ban: %q", len(keys), keys)
	}
}
