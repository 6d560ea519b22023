package discord

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// enforcingAPI is a Discord REST API that enforces a global limit: a GET
// of /channels/999/messages draws one of limit seconds, and every request
// while it stands is answered another global 429 (and counted); other
// requests are answered as Discord would, a forum post holding
// postMessages messages.
type enforcingAPI struct {
	limit        int
	postMessages int

	mu         sync.Mutex
	until      time.Time
	underLimit []string
}

func (e *enforcingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	route := r.Method + " " + r.URL.Path
	e.mu.Lock()
	draw := route == "GET /api/v9/channels/999/messages"
	limited := time.Now().Before(e.until)
	if draw {
		e.until = time.Now().Add(time.Duration(e.limit) * time.Second)
	} else if limited {
		e.underLimit = append(e.underLimit, route)
	}
	e.mu.Unlock()
	if draw || limited {
		w.Header().Set("X-RateLimit-Global", "true")
		w.Header().Set("X-RateLimit-Reset-After", fmt.Sprint(e.limit))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"message":"You are being rate limited.","retry_after":%d,"global":true}`, e.limit)
		return
	}
	switch {
	case r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/messages/"):
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(r.URL.Path, "/api/v9/channels/") && strings.HasSuffix(r.URL.Path, "/messages"):
		fmt.Fprint(w, `[]`)
	case strings.HasPrefix(r.URL.Path, "/api/v9/channels/"):
		fmt.Fprintf(w, `{"id":"123","type":11,"message_count":%d}`, e.postMessages)
	case strings.HasPrefix(r.URL.Path, "/api/v9/guilds/"):
		fmt.Fprint(w, `{"id":"7","preferred_locale":"es-ES"}`)
	case r.URL.Path == "/api/v9/users/@me/channels":
		fmt.Fprint(w, `{"id":"555","type":1}`)
	case r.URL.Path == "/api/v9/users/@me":
		fmt.Fprint(w, `{"id":"1","username":"vigia"}`)
	case strings.HasPrefix(r.URL.Path, "/api/v9/applications/"):
		fmt.Fprint(w, `[]`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown","code":0}`)
	}
}

// sentUnderLimit is the routes of the requests sent while the global
// limit stood.
func (e *enforcingAPI) sentUnderLimit() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.underLimit
}

// The adapter's every request, not its sends alone, sees a global limit
// set between its look at the request's bucket (waitBucket) and the
// request (another route's 429, or a Cloudflare ban: a minute or more):
// nothing is sent, and the caller is told at once, its deadline being
// short of the limit's end. Through discordgo's own methods (Channel,
// Guild, ChannelMessages, UserChannelCreate, ChannelDelete, ChannelEdit,
// ApplicationCommandBulkOverwrite, User), its LockBucket slept each to the
// limit's end, deaf to the context.
// Mutation: each call site back on discordgo's method (describe on
// s.Channel, serverLanguage on s.Guild, channel on s.UserChannelCreate,
// WipeChat and recheckPage on s.ChannelMessages, deletePost on
// s.ChannelDelete and s.ChannelEdit, register on
// s.ApplicationCommandBulkOverwrite, CheckToken on s.User) -> its case
// came back after the 8 s limit.
func TestDiscordEveryRouteSeesAGlobalLimitAfterTheLook(t *testing.T) {
	cases := []struct {
		name         string
		look         int // the look after which the limit is drawn
		postMessages int
		call         func(a *Adapter, ctx context.Context)
	}{
		{"channel look", 1, 0, func(a *Adapter, ctx context.Context) { _, _ = a.describe(ctx, "123") }},
		{"server language", 1, 0, func(a *Adapter, ctx context.Context) { _ = a.serverLanguage(ctx, "7") }},
		{"DM channel", 1, 0, func(a *Adapter, ctx context.Context) { _, _ = a.channel(ctx, "u50") }},
		{"DM messages", 1, 0, func(a *Adapter, ctx context.Context) { _, _ = a.WipeChat(ctx, "555", "") }},
		{"recheck page", 1, 0, func(a *Adapter, ctx context.Context) {
			budget := 5
			_, _ = a.recheckPage(ctx, &recheckChannel{id: "123", pending: []string{"5"}}, &budget)
		}},
		{"post deleted", 2, 0, func(a *Adapter, ctx context.Context) {
			w := &publicReplier{channelReplier: channelReplier{a: a, channelID: "123"}, guildID: "7", channelID: "123", messageID: "123"}
			_ = w.deletePost(ctx)
		}},
		{"post renamed", 3, 1, func(a *Adapter, ctx context.Context) {
			w := &publicReplier{channelReplier: channelReplier{a: a, channelID: "123"}, guildID: "7", channelID: "123", messageID: "123"}
			_ = w.deletePost(ctx)
		}},
		{"commands registered", 1, 0, func(a *Adapter, ctx context.Context) {
			a.registerTimeout = time.Second
			a.appID = "1"
			_ = a.register(ctx, nil)
		}},
		{"token check", 1, 0, func(a *Adapter, ctx context.Context) { _ = a.CheckToken(ctx) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := &enforcingAPI{limit: 8, postMessages: c.postMessages}
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			looks := 0
			a.looked = func() {
				if looks++; looks == c.look {
					drawGlobalLimit(t, a)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			c.call(a, ctx)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("a global limit set after look %d: came back after %v, want at once (limit 8 s)", c.look, took.Round(time.Millisecond))
			}
			if looks < c.look {
				t.Errorf("%d looks, want at least %d", looks, c.look)
			}
			if sent := api.sentUnderLimit(); len(sent) != 0 {
				t.Errorf("requests sent under the global limit: %v", sent)
			}
		})
	}
}
