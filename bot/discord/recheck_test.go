package discord

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A member's message the bot could not remove, deleted while the gateway
// was down (its MESSAGE_DELETE never came: a new session), does not keep
// its not-removed notice up for the hour: on reconnection (RESUMED, or
// READY) the messages the notices are about are looked up, and the
// notice of one Discord no longer has is deleted; one still there keeps
// its notice.
// Mutation: onGateway not kicking the recheck on RESUMED -> the notice in
// channel 73 stays (timed out); recheckNotices taking every error for
// gone -> the notice in channel 74 is dropped too.
func TestDiscordReconnectRemovesNoticesOfMessagesDeletedMeanwhile(t *testing.T) {
	engine, _ := newEngine(t)
	closed := &closedDMsAPI{refuseDeletes: true}
	var mu sync.Mutex
	deleted := map[string]bool{}
	var lookups []string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/api/v9")
		if r.Method == http.MethodGet && strings.HasPrefix(path, "/channels/") && strings.Contains(path, "/messages/") {
			id := path[strings.LastIndex(path, "/")+1:]
			mu.Lock()
			lookups = append(lookups, path)
			gone := deleted[id]
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			switch {
			case gone:
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"message":"Unknown Message","code":10008}`)
			case id == "2006":
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"message":"oops","code":0}`)
			default:
				fmt.Fprintf(w, `{"id":%q,"content":""}`, id)
			}
			return
		}
		closed.ServeHTTP(w, r)
	})
	a := newTestAdapter(t, api, engine, time.Hour)
	a.botID, a.dmNoticeGap = "11", 0
	mentionIn(a, "73", "2003", "<@11> el jefe es Juan")
	mentionIn(a, "74", "2005", "<@11> el jefe es Juan")
	mentionIn(a, "75", "2006", "<@11> el jefe es Juan")
	closed.mu.Lock()
	if len(closed.posts) != 3 {
		t.Fatalf("posted %q, want three not-removed notices", closed.posts)
	}
	closed.mu.Unlock()
	mu.Lock()
	deleted["2003"] = true // while the gateway was down
	mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.rechecker(ctx)
	a.onGateway(a.s, &discordgo.Resumed{})
	waitFor(t, "the notice of the message deleted meanwhile deleted", func() bool {
		closed.mu.Lock()
		defer closed.mu.Unlock()
		return slices.Contains(closed.deletes, "/channels/73/messages/5001")
	})
	// The others: looked up (synchronously here), they keep their notices.
	a.recheckNotices(ctx)
	mu.Lock()
	if !slices.Contains(lookups, "/channels/74/messages/2005") || !slices.Contains(lookups, "/channels/75/messages/2006") {
		t.Errorf("lookups %q", lookups)
	}
	mu.Unlock()
	a.mu.Lock()
	for _, ch := range []string{"74", "75"} {
		n := a.dmNotices["discord_dms_closed_not_removed "+ch]
		if n == nil || n.ids == nil || len(n.shown) != 1 {
			t.Errorf("channel %s: the notice of a message still there (or not told) was dropped: %+v", ch, n)
		}
	}
	a.mu.Unlock()
}

// A recheck looks up at most noticeRecheck messages, however many the
// notices in view are about: a reconnection costs a bounded number of
// requests. Mutation: recheckNotices without its bound -> 300 lookups.
func TestDiscordReconnectRecheckIsBounded(t *testing.T) {
	var mu sync.Mutex
	lookups := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lookups++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1","content":""}`)
	})
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.mu.Lock()
	a.dmNotices = map[string]*dmNotice{}
	for ch := range 3 {
		n := &dmNotice{ids: []string{fmt.Sprint(5000 + ch)}, shown: map[string]bool{}}
		for m := range dmNoticeShown {
			n.shown[fmt.Sprint(10000*(ch+1)+m)] = true
		}
		a.dmNotices[fmt.Sprintf("discord_dms_closed_not_removed %d", 80+ch)] = n
	}
	a.mu.Unlock()
	a.recheckNotices(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if lookups != noticeRecheck {
		t.Errorf("%d lookups, want %d", lookups, noticeRecheck)
	}
}
