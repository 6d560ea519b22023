package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord gives no locale with a message, but gives the member's with
// each interaction (a slash command, a press of Send under a DM's
// draft): a DM is read in the locale of its author's last interaction, so
// a reporter whose Discord speaks Portuguese is not answered in the
// default language around a receipt in Portuguese. Another member's DM,
// and one from before any interaction, carry none.
func TestDiscordDMTakesTheLocaleOfTheAuthorsLastInteraction(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	last := func() string {
		t.Helper()
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.got[len(h.got)-1].Language
	}
	a.onMessage(a.s, dm("hay halcones en la esquina"))
	if got := last(); got != "" {
		t.Fatalf("a DM before any interaction: language %q, want none", got)
	}
	ic := commandInteraction()
	ic.Locale = discordgo.PortugueseBR
	a.onInteraction(a.s, ic)
	first := dm("segundo mensaje")
	first.ID = "1001"
	a.onMessage(a.s, first)
	if got := last(); got != string(discordgo.PortugueseBR) {
		t.Fatalf("a DM after a pt-BR interaction: language %q", got)
	}
	edit := &discordgo.MessageUpdate{Message: &discordgo.Message{ID: "1001", ChannelID: "77", Content: "segundo, editado",
		Author: &discordgo.User{ID: "50", Username: "r"}, EditedTimestamp: &time.Time{}}}
	n := len(h.got)
	a.queueEdit(a.s, edit)
	waitForRequests(t, h, n+1)
	if got := last(); got != string(discordgo.PortugueseBR) {
		t.Fatalf("an edited DM after a pt-BR interaction: language %q", got)
	}
	ic = commandInteraction()
	ic.ID = "11"
	ic.Locale = discordgo.French
	a.onInteraction(a.s, ic)
	again := dm("tercer mensaje")
	again.ID = "1002"
	a.onMessage(a.s, again)
	if got := last(); got != string(discordgo.French) {
		t.Fatalf("a DM after a later fr interaction: language %q", got)
	}
	other := dm("otro reportero")
	other.ID, other.Author = "1003", &discordgo.User{ID: "51", Username: "o"}
	a.onMessage(a.s, other)
	if got := last(); got != "" {
		t.Fatalf("another member's DM: language %q, want none", got)
	}
}

// waitForRequests waits, with a deadline, until h has n requests.
func waitForRequests(t *testing.T, h *recordingHandler, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		got := len(h.got)
		h.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
}
