package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/locales"
)

// closedDMsAPI is a Discord REST API where member 50 takes no direct
// messages from the bot (50007), in server 60 (its language Spanish). It
// records what is posted in server channels (and whom it may ping), the
// DMs tried, and the deletes. With refuseDeletes the bot may not delete
// members' messages (no Manage Messages: 50013; its own it may); the
// next posts in server channels fail with the statuses in failPosts.
type closedDMsAPI struct {
	mu            sync.Mutex
	posts         []string
	mentions      []any
	dmsTried      int
	deletes       []string
	next          int
	refuseDeletes bool
	failPosts     []int
}

func (s *closedDMsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	switch {
	case path == "/users/@me/channels":
		fmt.Fprint(w, `{"id":"999","type":1}`)
	case path == "/channels/999/messages":
		s.dmsTried++
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Cannot send messages to this user","code":50007}`)
	case path == "/guilds/60":
		fmt.Fprint(w, `{"id":"60","name":"g","preferred_locale":"es-ES"}`)
	case r.Method == http.MethodPost && len(s.failPosts) > 0:
		w.WriteHeader(s.failPosts[0])
		s.failPosts = s.failPosts[1:]
		fmt.Fprint(w, `{"message":"Missing Permissions","code":50013}`)
	case r.Method == http.MethodPost:
		var m struct {
			Content         string
			AllowedMentions any `json:"allowed_mentions"`
		}
		_ = json.Unmarshal(body, &m)
		s.posts = append(s.posts, path+" "+m.Content)
		s.mentions = append(s.mentions, m.AllowedMentions)
		s.next++
		fmt.Fprintf(w, `{"id":"%d","content":""}`, 5000+s.next)
	case r.Method == http.MethodDelete:
		s.deletes = append(s.deletes, path)
		if s.refuseDeletes && !strings.HasPrefix(path[strings.LastIndex(path, "/")+1:], "50") {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"Missing Permissions","code":50013}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Unknown","code":0}`)
	}
}

func mentionIn(a *Adapter, channel, id, content string) {
	bot := &discordgo.User{ID: "11", Username: "Vigia", Bot: true}
	a.onMessage(a.s, &discordgo.MessageCreate{Message: &discordgo.Message{
		ID: id, ChannelID: channel, GuildID: "60", Content: content,
		Author: &discordgo.User{ID: "50", Username: "r"}, Mentions: []*discordgo.User{bot},
	}})
}

// A member whose DMs are closed to the bot, mentioning it in a server
// channel, would hear nothing (the answer goes by DM): the channel is told,
// in the server's language, with a notice that names no one, pings no one
// and holds none of their words; one notice per channel at a time, so
// mentions cannot flood it.
// Mutations: publicReplier without its Reply (as before) → no notice;
// takeDMNotice always true → a second notice in channel 72.
func TestDiscordClosedDMsAreToldInTheChannel(t *testing.T) {
	engine, msg := newEngine(t)
	api := &closedDMsAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.botID = "11"
	mentionIn(a, "72", "2000", "<@11> el jefe de los halcones es Juan Pérez")
	mentionIn(a, "72", "2001", "<@11> hola")
	mentionIn(a, "73", "2002", "<@11> hola")
	notice := render(msg.Localize("es", "discord_dms_closed", nil))[0]
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.dmsTried < 3 {
		t.Errorf("%d DMs tried, want one per message at least", api.dmsTried)
	}
	want := []string{"/channels/72/messages " + notice, "/channels/73/messages " + notice}
	if !slices.Equal(api.posts, want) {
		t.Fatalf("posted %q, want %q", api.posts, want)
	}
	for _, p := range api.posts {
		if strings.Contains(p, "Juan") || strings.Contains(p, "halcones") {
			t.Errorf("the notice tells something of the member: %q", p)
		}
	}
	for _, m := range api.mentions {
		if mm, _ := m.(map[string]any); mm == nil || fmt.Sprint(mm["parse"]) != "[]" {
			t.Errorf("the notice may ping: %v", m)
		}
	}
}

// The notice goes away after its time in view.
// Mutation: no deletion scheduled → the notice is never deleted.
func TestDiscordClosedDMsNoticeIsDeleted(t *testing.T) {
	api := &closedDMsAPI{}
	a := newTestAdapter(t, api, &recordingHandler{}, time.Hour)
	a.botID, a.dmNoticeLife = "11", 10*time.Millisecond
	mentionIn(a, "72", "2000", "<@11> hola")
	waitFor(t, "the notice deleted", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return slices.Contains(api.deletes, "/channels/72/messages/5001")
	})
}

// The notice follows a message posted in public, maybe a tip the bot
// removed: it must send the member to a private chat with the bot, in the
// words the other group notices use (group_private_only), never ask them
// to write again where they wrote. It said "then write to me again", and
// in a server channel that is here, in public.
// Mutation: the strings as they were ("write to me again") → every
// language fails.
func TestDiscordClosedDMsNoticeSendsToAPrivateChat(t *testing.T) {
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	privateChat := map[string]string{"en": "private chat", "es": "chat privado", "fr": "conversation privée", "pt-BR": "conversa privada"}
	for _, lang := range locales.Supported {
		words, ok := privateChat[lang]
		if !ok {
			t.Errorf("%s: no words for a private chat in this test", lang)
			continue
		}
		if g := msg.Localize(lang, "group_private_only", nil); !strings.Contains(g, words) {
			t.Errorf("%s: group_private_only does not say %q: %q", lang, words, g)
		}
		for _, id := range []string{"discord_dms_closed", "discord_dms_closed_not_removed"} {
			if n := msg.Localize(lang, id, nil); !strings.Contains(n, words) {
				t.Errorf("%s: %s does not send the member to a private chat (%q): %q", lang, id, words, n)
			}
		}
	}
}

// A member who posts a tip in public where the bot may not remove it (no
// Manage Messages), and whose DMs are closed to the bot, would never hear
// that it is still in view: the channel is told that whoever posted it is
// to delete it now, naming, quoting and pinging no one, in the server's
// language. A plain DMs-closed notice still in view does not hold it back;
// it has the same limit of one per channel at a time, and is deleted after
// its time in view too.
// Mutation: publicReplier.Reply posting discord_dms_closed whatever
// became of the deletion → the notice does not ask to delete it.
func TestDiscordClosedDMsMessageNotRemovedIsToldInTheChannel(t *testing.T) {
	engine, msg := newEngine(t)
	api := &closedDMsAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.botID = "11"
	mentionIn(a, "72", "2000", "<@11> hola") // removed: the plain notice
	api.mu.Lock()
	api.refuseDeletes = true
	api.mu.Unlock()
	mentionIn(a, "72", "2001", "<@11> el jefe de los halcones es Juan Pérez, cobra piso en el mercado")
	mentionIn(a, "72", "2002", "<@11> el jefe de los halcones es Juan Pérez")
	plain := render(msg.Localize("es", "discord_dms_closed", nil))[0]
	notice := render(msg.Localize("es", "discord_dms_closed_not_removed", nil))[0]
	api.mu.Lock()
	want := []string{"/channels/72/messages " + plain, "/channels/72/messages " + notice}
	if !slices.Equal(api.posts, want) {
		t.Errorf("posted %q, want %q", api.posts, want)
	}
	for _, p := range api.posts {
		if strings.Contains(p, "Juan") || strings.Contains(p, "halcones") || strings.Contains(p, "2001") {
			t.Errorf("the notice tells something of the member: %q", p)
		}
	}
	for _, m := range api.mentions {
		if mm, _ := m.(map[string]any); mm == nil || fmt.Sprint(mm["parse"]) != "[]" {
			t.Errorf("the notice may ping: %v", m)
		}
	}
	api.mu.Unlock()
	// It stays while the message is in view (a plain notice posted after
	// it comes and goes), and goes with the message.
	a.dmNoticeLife = 10 * time.Millisecond
	mentionIn(a, "73", "2003", "<@11> el jefe es Juan")
	api.mu.Lock()
	api.refuseDeletes = false
	api.mu.Unlock()
	mentionIn(a, "73", "2004", "<@11> hola")
	waitFor(t, "the plain notice deleted", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return slices.Contains(api.deletes, "/channels/73/messages/5004")
	})
	api.mu.Lock()
	if slices.Contains(api.deletes, "/channels/73/messages/5003") {
		t.Errorf("the notice went while the message stays: %q", api.deletes)
	}
	api.mu.Unlock()
	a.mu.Lock()
	a.dmNoticeGap = 0 // (see TestDiscordClosedDMsNoticeStaysForAMemberWritingWithinTheGap)
	a.mu.Unlock()
	a.onMessageDelete(a.s, &discordgo.MessageDelete{Message: &discordgo.Message{ID: "2003", ChannelID: "73"}})
	waitFor(t, "the notice deleted", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return slices.Contains(api.deletes, "/channels/73/messages/5003")
	})
}

// A not-removed notice whose messages all went within dmNoticeGap of its
// posting stays until the gap is over: a member writing meanwhile gets no
// notice of their own (the flood bound), so this one is what tells them
// their message is in view; it goes once theirs is gone too.
// Mutation: messagesGone deleting the notice at once → it is gone before
// the second member writes, and they are told nothing.
func TestDiscordClosedDMsNoticeStaysForAMemberWritingWithinTheGap(t *testing.T) {
	engine, _ := newEngine(t)
	api := &closedDMsAPI{refuseDeletes: true}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.botID = "11"
	mentionIn(a, "74", "2010", "<@11> el jefe es Juan")
	a.onMessageDelete(a.s, &discordgo.MessageDelete{Message: &discordgo.Message{ID: "2010", ChannelID: "74"}})
	mentionIn(a, "74", "2011", "<@11> el jefe es Pedro")
	mentionIn(a, "75", "2012", "<@11> hola") // (another channel's notice: time for a deletion under way to show)
	api.mu.Lock()
	posts, gone := len(api.posts), slices.Contains(api.deletes, "/channels/74/messages/5001")
	api.mu.Unlock()
	a.mu.Lock()
	gone = gone || a.dmNotices["discord_dms_closed_not_removed 74"].ids == nil
	a.mu.Unlock()
	if posts != 2 || gone {
		t.Fatalf("%d notices posted, the first deleted: %v; want it in view for the second member (and one in channel 75)", posts, gone)
	}
	a.mu.Lock()
	a.dmNoticeGap = 0
	a.mu.Unlock()
	a.onMessageDelete(a.s, &discordgo.MessageDelete{Message: &discordgo.Message{ID: "2011", ChannelID: "74"}})
	waitFor(t, "the notice deleted with the second message", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return slices.Contains(api.deletes, "/channels/74/messages/5001")
	})
}

// A second member whose DMs are closed, writing while a notice is in
// view, is told anew below their message (the notice above deleted: one
// in view), unless the notice was posted within dmNoticeGap.
// Mutations: showDMNotice not returning the notice it replaces → two in
// view; takeDMNotice refusing while a notice is in view → one post.
func TestDiscordClosedDMsSecondMemberIsToldAnew(t *testing.T) {
	engine, msg := newEngine(t)
	api := &closedDMsAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.botID, a.dmNoticeGap = "11", 0
	mentionIn(a, "72", "2000", "<@11> hola")
	mentionIn(a, "72", "2001", "<@11> hola")
	notice := render(msg.Localize("es", "discord_dms_closed", nil))[0]
	api.mu.Lock()
	defer api.mu.Unlock()
	if want := []string{"/channels/72/messages " + notice, "/channels/72/messages " + notice}; !slices.Equal(api.posts, want) {
		t.Fatalf("posted %q, want %q", api.posts, want)
	}
	if !slices.Contains(api.deletes, "/channels/72/messages/5001") || slices.Contains(api.deletes, "/channels/72/messages/5002") {
		t.Errorf("deletes %q: want the first notice's, not the second's", api.deletes)
	}
}

// A notice that did not go out holds back no other: the next member
// whose DMs are closed gets one. One the channel refuses (the bot may not
// post there) keeps its slot: another try would be refused too.
// Mutation: dmClosedNotice without releaseDMNotice → no notice after the
// failed one.
func TestDiscordClosedDMsNoticeNotPostedFreesItsSlot(t *testing.T) {
	engine, msg := newEngine(t)
	notice := render(msg.Localize("es", "discord_dms_closed", nil))[0]
	for _, c := range []struct {
		status int
		want   []string
	}{
		{http.StatusInternalServerError, []string{"/channels/72/messages " + notice}},
		{http.StatusForbidden, nil},
	} {
		api := &closedDMsAPI{failPosts: []int{c.status}}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.botID = "11"
		mentionIn(a, "72", "2000", "<@11> hola")
		mentionIn(a, "72", "2001", "<@11> hola")
		api.mu.Lock()
		if !slices.Equal(api.posts, c.want) || len(api.failPosts) != 0 {
			t.Errorf("first post failing with %d: posted %q, want %q", c.status, api.posts, c.want)
		}
		api.mu.Unlock()
	}
}

// What Discord answers a failed notice with (a 502's body, which
// discordgo quotes in its error, may echo the request) stays out of the
// log: the line says what failed, never the channel, the member, their
// message or its words.
// Mutation: sendErr's last case with err.Error() instead of a.redact →
// the body's words and ids reach the log.
func TestDiscordFailedNoticeLogsNoPayload(t *testing.T) {
	engine, _ := newEngine(t)
	closed := &closedDMsAPI{refuseDeletes: true}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v9/channels/777000111/messages" {
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "upstream failed for /channels/777000111/messages/888000222 %s", body)
			return
		}
		closed.ServeHTTP(w, r)
	})
	a := newTestAdapter(t, api, engine, time.Hour)
	var logs strings.Builder
	var mu sync.Mutex
	a.log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	a.botID = "11"
	mentionIn(a, "777000111", "888000222", "<@11> el jefe de los halcones es Juan Pérez")
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "could not post the DMs-closed notice") {
		t.Fatalf("the failed notice is not logged:\n%s", logs.String())
	}
	for _, leak := range []string{"777000111", "888000222", "Juan", "halcones", "delete it now", "bórralo"} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("the log holds %q:\n%s", leak, logs.String())
		}
	}
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// A not-removed notice stays while a message it is about is in view, past
// the dmNoticeShown messages it follows: it followed the first 100 only,
// and once those were deleted it went with the 101st still in view. Past
// them it stays its dmNoticeKept.
// Mutation: takeDMNotice not setting overflow (as before) → the notice is
// deleted.
func TestDiscordClosedDMsNoticeStaysPastTheMessagesItFollows(t *testing.T) {
	api := &closedDMsAPI{}
	a := newTestAdapter(t, api, &recordingHandler{}, time.Hour)
	var ids []string
	for i := range dmNoticeShown + 1 {
		ids = append(ids, strconv.Itoa(3000+i))
		// The first posts the notice; the others, within dmNoticeGap, are
		// told by it.
		a.dmClosedNotice(context.Background(), "60", "74", "discord_dms_closed_not_removed", ids[i])
	}
	a.mu.Lock()
	a.dmNoticeGap = 0
	a.mu.Unlock()
	a.onMessageDeleteBulk(a.s, &discordgo.MessageDeleteBulk{ChannelID: "74", Messages: ids[:dmNoticeShown]})
	// What the notice's timer does at its end, done now (the test waits
	// for nothing): with a message in view, the notice stays.
	a.retireDMNotice("discord_dms_closed_not_removed 74", []string{"5001"})
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.posts) != 1 || slices.Contains(api.deletes, "/channels/74/messages/5001") {
		t.Errorf("posted %d notices, deleted %q: want one, in view while message %s is", len(api.posts), api.deletes, ids[dmNoticeShown])
	}
}

// A not-removed notice about a message deleted before it went out (its
// author or a moderator, while the bot tried the member's DMs) is not
// posted: it would stay dmNoticeKept about nothing. One whose message is
// deleted as it is posted goes at once (after dmNoticeGap, 0 here). What
// the bot follows of the messages is forgotten once they are handled.
// Mutations: takeDMNotice without the gone check → a notice in channel
// 76; showDMNotice always waiting out life → the notice in 77 is not
// deleted; watchMessage's unwatch not forgetting → 2 messages followed.
func TestDiscordClosedDMsNoticeAboutAMessageAlreadyGone(t *testing.T) {
	engine, _ := newEngine(t)
	closed := &closedDMsAPI{refuseDeletes: true}
	var a *Adapter
	var mu sync.Mutex
	goneAt := map[string]*discordgo.MessageDelete{} // request path → the deletion it meets
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		md := goneAt[r.Method+" "+r.URL.Path]
		delete(goneAt, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if md != nil {
			a.onMessageDelete(a.s, md)
		}
		closed.ServeHTTP(w, r)
	})
	a = newTestAdapter(t, api, engine, time.Hour)
	a.botID, a.dmNoticeGap = "11", 0
	mu.Lock()
	goneAt["POST /api/v9/channels/999/messages"] = &discordgo.MessageDelete{Message: &discordgo.Message{ID: "2020", ChannelID: "76"}}
	mu.Unlock()
	mentionIn(a, "76", "2020", "<@11> el jefe es Juan")
	closed.mu.Lock()
	if len(closed.posts) != 0 {
		t.Errorf("posted %q about a message gone", closed.posts)
	}
	closed.mu.Unlock()
	mu.Lock()
	goneAt["POST /api/v9/channels/77/messages"] = &discordgo.MessageDelete{Message: &discordgo.Message{ID: "2021", ChannelID: "77"}}
	mu.Unlock()
	mentionIn(a, "77", "2021", "<@11> el jefe es Juan")
	waitFor(t, "the notice about a message gone deleted", func() bool {
		closed.mu.Lock()
		defer closed.mu.Unlock()
		return slices.Contains(closed.deletes, "/channels/77/messages/5001")
	})
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.watched) != 0 {
		t.Errorf("%d messages still followed after their handling", len(a.watched))
	}
}
