package discord

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// recordingHandler keeps the requests it is given and answers each "ok".
type recordingHandler struct {
	mu    sync.Mutex
	got   []commands.Request
	table []*commands.Command
}

func (h *recordingHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	h.mu.Lock()
	h.got = append(h.got, req)
	h.mu.Unlock()
	_ = w.Reply(ctx, commands.Reply{Text: "ok"})
}

func (h *recordingHandler) Commands() []*commands.Command { return h.table }

func dm(content string, attachments ...*discordgo.MessageAttachment) *discordgo.MessageCreate {
	return &discordgo.MessageCreate{Message: &discordgo.Message{
		ID: "1000", ChannelID: "77", Content: content, Attachments: attachments,
		Author: &discordgo.User{ID: "50", Username: "r"},
	}}
}

// A file that cannot be fetched from Discord's CDN is neither dropped
// silently nor called a kind of message Vigía cannot keep: the text goes
// on, as a caption (its "/word" is not run), and each lost file is passed
// on as lost, for the engine to ask the reporter, in their language, to
// send it again.
func TestDiscordLostAttachmentIsPassedOnAsLost(t *testing.T) {
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer cdn.Close()
	h := &recordingHandler{}
	a := newTestAdapter(t, &uploadAPI{}, h, time.Hour)
	a.onMessage(a.s, dm("/report hay halcones en la esquina",
		&discordgo.MessageAttachment{ID: "1001", URL: cdn.URL + "/a.jpg", ContentType: "image/jpeg"},
		&discordgo.MessageAttachment{ID: "1002", URL: cdn.URL + "/b.jpg", ContentType: "image/jpeg"}))
	if len(h.got) != 2 {
		t.Fatalf("%d requests, want one per file: %+v", len(h.got), h.got)
	}
	for i, text := range []string{"/report hay halcones en la esquina", ""} {
		if r := h.got[i]; r.Text != text || !r.FileLost || r.Command != "" || r.Attachment != nil || r.FileData != nil || r.Unsupported {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
}

// A direct message starting with "/" is a command only if it names one of
// the engine's commands or aliases, or one of a team command's names in
// a language (TeamNames: "/siguiente", as a client in Spanish lists
// /next, for the engine to run for a team member); otherwise it is tip
// text.
// Mutation: useTable not learning TeamNames -> the "/siguiente" and
// "/señales" cases fail.
func TestDiscordSlashWordIsACommandOnlyIfKnown(t *testing.T) {
	h := &recordingHandler{table: []*commands.Command{{Name: "status", Aliases: []string{"estado"}}, {Name: "next", Role: commands.Investigator, TeamNames: []string{"siguiente"}},
		{Name: "signals", Role: commands.Investigator, TeamNames: []string{"señales", "senales"}}}}
	a := newTestAdapter(t, &uploadAPI{}, h, time.Hour)
	a.useTable(h.table)
	for _, c := range []struct{ content, command, args string }{
		{"/calle 5 de mayo, hay halcones en la esquina", "", ""},
		{"/ñandú cobra piso", "", ""},
		{"/", "", ""},
		{"/Status abcd-efgh", "status", "abcd-efgh"},
		{"/estado\tabcd", "estado", "abcd"},
		{"/next", "next", ""}, // the engine decides who may
		{"/Siguiente", "siguiente", ""},
		{"/señales 30d", "señales", "30d"},
	} {
		h.got = nil
		a.onMessage(a.s, dm(c.content))
		if len(h.got) != 1 {
			t.Fatalf("%q: %d requests", c.content, len(h.got))
		}
		r := h.got[0]
		if r.Command != c.command || r.Args != c.args || r.CommandAtStart != (c.command != "") || r.Text != c.content {
			t.Errorf("%q: command %q args %q at start %v text %q", c.content, r.Command, r.Args, r.CommandAtStart, r.Text)
		}
	}
}

// A forwarded message (its text and files are in its snapshot) is kept
// as a forwarded part, its origin unnamed; its text is never a command.
func TestDiscordForwardIsKeptAsForwarded(t *testing.T) {
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("\xff\xd8\xff photo"))
	}))
	defer cdn.Close()
	h := &recordingHandler{table: []*commands.Command{{Name: "status"}}}
	a := newTestAdapter(t, &uploadAPI{}, h, time.Hour)
	a.useTable(h.table)
	m := dm("")
	m.MessageReference = &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: "5", ChannelID: "6", GuildID: "7"}
	m.MessageSnapshots = []discordgo.MessageSnapshot{{Message: &discordgo.Message{Content: "/status te vamos a matar si hablas",
		Attachments: []*discordgo.MessageAttachment{{ID: "1001", URL: cdn.URL + "/a.jpg", ContentType: "image/jpeg"}}}}}
	a.onMessage(a.s, m)
	if len(h.got) != 1 {
		t.Fatalf("%d requests, want 1", len(h.got))
	}
	r := h.got[0]
	if r.Unsupported || r.Text != "/status te vamos a matar si hablas" || r.Command != "" || r.FileData == nil || r.Forward == nil || r.Forward.Named() {
		t.Fatalf("forward: %+v", r)
	}
}

// A system message (a pin, a call) in a DM is not answered; a reply is a
// message like any other.
func TestDiscordSystemMessagesAreIgnored(t *testing.T) {
	h := &recordingHandler{}
	api := &uploadAPI{}
	a := newTestAdapter(t, api, h, time.Hour)
	for _, typ := range []discordgo.MessageType{discordgo.MessageTypeChannelPinnedMessage, discordgo.MessageTypeCall, discordgo.MessageTypeRecipientAdd} {
		m := dm("")
		m.Type = typ
		a.onMessage(a.s, m)
		a.queueMessage(a.s, m)
	}
	a.wg.Wait()
	if len(h.got) != 0 || len(api.snapshot()) != 0 {
		t.Fatalf("system messages reached the engine (%d) or the member (%v)", len(h.got), api.snapshot())
	}
	m := dm("hay halcones")
	m.Type = discordgo.MessageTypeReply
	a.onMessage(a.s, m)
	if len(h.got) != 1 || h.got[0].Text != "hay halcones" {
		t.Fatalf("a reply: %+v", h.got)
	}
}

// Discord sends en-US as the locale of every server that is not a
// Community server (they cannot choose one): it is no choice, and the
// member's language counts instead; another locale is the server's.
func TestDefaultServerLocaleIsNoChoice(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	for i, c := range []struct {
		guild discordgo.Locale
		want  string
	}{{discordgo.EnglishUS, ""}, {discordgo.French, "fr"}, {discordgo.SpanishES, "es-ES"}} {
		ic := commandInteraction()
		ic.ID = fmt.Sprint(100 + i)
		ic.Locale = discordgo.SpanishES
		gl := c.guild
		ic.GuildLocale = &gl
		a.onInteraction(a.s, ic)
		h.mu.Lock()
		got := h.got[len(h.got)-1]
		h.mu.Unlock()
		if got.ChatLanguage != c.want || got.Language != "es-ES" {
			t.Errorf("server locale %s: chat language %q, member's %q", c.guild, got.ChatLanguage, got.Language)
		}
	}
}
