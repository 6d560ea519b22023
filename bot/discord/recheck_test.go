package discord

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A member's message the bot could not remove, deleted while the gateway
// was down (its MESSAGE_DELETE never came: a new session), does not keep
// its not-removed notice up for the hour: on reconnection (RESUMED, or
// READY) the channels of the notices are read, and the
// notice of one Discord no longer has is deleted; one still there keeps
// its notice.
// Mutation: onGateway not kicking the recheck on RESUMED -> the notice in
// channel 73 stays (timed out); recheckNotices taking every error for
// gone -> the notice in channel 75 (its channel not read) is dropped too.
func TestDiscordReconnectRemovesNoticesOfMessagesDeletedMeanwhile(t *testing.T) {
	engine, _ := newEngine(t)
	closed := &closedDMsAPI{refuseDeletes: true}
	var mu sync.Mutex
	deleted := map[string]bool{}
	var lookups []string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/api/v9")
		if r.Method == http.MethodGet && strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/messages") {
			ch := strings.TrimSuffix(strings.TrimPrefix(path, "/channels/"), "/messages")
			mu.Lock()
			lookups = append(lookups, ch)
			var held []string
			// Each channel's message, and the notice posted after it.
			for _, id := range map[string][]string{"73": {"2003", "5001"}, "74": {"2005", "5002"}}[ch] {
				if !deleted[id] {
					held = append(held, id)
				}
			}
			mu.Unlock()
			if ch == "75" {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"message":"oops","code":0}`)
				return
			}
			listMessages(w, r, held)
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
	if !slices.Contains(lookups, "74") || !slices.Contains(lookups, "75") {
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

// listMessages answers Get Channel Messages (after, limit) from the ids
// of a channel's messages (ascending), as Discord does: the oldest ones
// after "after", newest first.
func listMessages(w http.ResponseWriter, r *http.Request, ids []string) {
	after := snowflake(r.URL.Query().Get("after"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	var page []string
	for _, id := range ids {
		if snowflake(id) > after && len(page) < limit {
			page = append(page, fmt.Sprintf(`{"id":%q,"content":""}`, id))
		}
	}
	slices.Reverse(page)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "["+strings.Join(page, ",")+"]")
}

// Notices about many messages (three channels, dmNoticeShown each) are
// all rechecked, not the first noticeRecheck messages alone: the channels
// are read a page at a time, each message among hundreds of others posted
// since, and every one deleted meanwhile is found, wherever it is, while
// those still there keep their notices. Mutation: the pages of a channel
// not read past its first -> the deleted messages past it are still
// taken as shown.
func TestDiscordReconnectRecheckPagesThroughEveryNotice(t *testing.T) {
	history := map[string][]string{}
	deleted := map[string]bool{}
	a := newTestAdapter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/v9"), "/channels/"), "/messages")
		listMessages(w, r, history[ch])
	}), silentHandler{}, time.Hour)
	a.mu.Lock()
	a.dmNotices = map[string]*dmNotice{}
	for ch := range 3 {
		channel := fmt.Sprint(80 + ch)
		n := &dmNotice{ids: []string{fmt.Sprint(5000 + ch)}, shown: map[string]bool{}}
		// Each tracked message among two others posted between.
		for m := range 3 * dmNoticeShown {
			id := fmt.Sprint(10000*(ch+1) + m)
			if m%3 == 0 {
				n.shown[id] = true
				if m%7 == 0 {
					deleted[id] = true
					continue
				}
			}
			history[channel] = append(history[channel], id)
		}
		a.dmNotices["discord_dms_closed_not_removed "+channel] = n
	}
	a.mu.Unlock()
	a.recheckNotices(context.Background())
	a.mu.Lock()
	defer a.mu.Unlock()
	for slot, n := range a.dmNotices {
		left, kept := 0, 0
		for id := range n.shown {
			if deleted[id] {
				left++
			} else {
				kept++
			}
		}
		if left > 0 || kept != dmNoticeShown-15 {
			t.Errorf("%s: %d messages deleted meanwhile still shown, %d still there kept (want 0, %d)", slot, left, kept, dmNoticeShown-15)
		}
	}
}

// A recheck makes at most noticeRecheck requests, however long the
// channels' histories: a reconnection costs a bounded number of
// requests. Mutation: recheckNotices without its bound -> 3 channels of
// 150 pages each read in full (450 requests).
func TestDiscordReconnectRecheckIsBounded(t *testing.T) {
	var mu sync.Mutex
	lookups := 0
	var history []string
	for m := range 150 * noticePage {
		history = append(history, fmt.Sprint(100000+m))
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lookups++
		mu.Unlock()
		listMessages(w, r, history)
	})
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.mu.Lock()
	a.dmNotices = map[string]*dmNotice{}
	for ch := range 3 {
		// The first message and the last of the channel's history.
		n := &dmNotice{ids: []string{fmt.Sprint(5000 + ch)}, shown: map[string]bool{history[0]: true, history[len(history)-1]: true}}
		a.dmNotices[fmt.Sprintf("discord_dms_closed_not_removed %d", 80+ch)] = n
	}
	a.mu.Unlock()
	a.recheckNotices(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if lookups != noticeRecheck {
		t.Errorf("%d requests, want %d", lookups, noticeRecheck)
	}
}

// The bound counts HTTP requests, not pages: a page refused with a 429
// and asked again after the wait is two requests. Discord rate-limiting
// the bot is when a recheck must cost no more than it says. Mutation: the
// bound counted per page, as before (a 429's retries not counted) -> 112
// requests (12 refused with a 429), want 100.
func TestDiscordReconnectRecheckBoundCountsRetries(t *testing.T) {
	var mu sync.Mutex
	requests, limited := 0, 0
	var history []string
	for m := range 150 * noticePage {
		history = append(history, fmt.Sprint(100000+m))
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		refuse := requests%10 == 1
		if refuse {
			limited++
		}
		mu.Unlock()
		if refuse {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`)
			return
		}
		listMessages(w, r, history)
	})
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.mu.Lock()
	a.dmNotices = map[string]*dmNotice{}
	for ch := range 3 {
		n := &dmNotice{ids: []string{fmt.Sprint(5000 + ch)}, shown: map[string]bool{history[0]: true, history[len(history)-1]: true}}
		a.dmNotices[fmt.Sprintf("discord_dms_closed_not_removed %d", 80+ch)] = n
	}
	a.mu.Unlock()
	a.recheckNotices(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if limited == 0 {
		t.Fatal("no request was refused: the test proves nothing")
	}
	if requests != noticeRecheck {
		t.Errorf("%d requests (%d refused with a 429), want %d", requests, limited, noticeRecheck)
	}
}

// A channel whose history the bot may not read (no Read Message History:
// Discord then answers Get Channel Messages with no message, not an
// error) proves no message deleted: the notices about its messages, still
// there, stay up. Mutation: an empty first page taken as the channel's
// end -> every message the notice is about taken as deleted.
func TestDiscordReconnectRecheckKeepsNoticesOfAChannelItCannotRead(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	a := newTestAdapter(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "[]")
	}), silentHandler{}, time.Hour)
	timer := time.AfterFunc(time.Hour, func() {})
	t.Cleanup(func() { timer.Stop() })
	a.mu.Lock()
	a.dmNotices = map[string]*dmNotice{"discord_dms_closed_not_removed 90": {
		ids: []string{"6000"}, shown: map[string]bool{"4001": true, "4005": true}, timer: timer,
	}}
	a.mu.Unlock()
	a.recheckNotices(context.Background())
	mu.Lock()
	if requests == 0 {
		t.Error("the channel was not read")
	}
	mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := a.dmNotices["discord_dms_closed_not_removed 90"]; n == nil || len(n.shown) != 2 {
		t.Error("the notice of a channel not readable was taken as about messages deleted")
	}
}
