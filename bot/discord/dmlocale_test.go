package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord gives no locale with a message, but gives the member's with
// each interaction (a slash command, a press of Send under a DM's
// draft): an interaction's request asks the engine to keep its locale
// (KeepLanguage), which the engine gives the member's DMs, after a
// restart too; a DM's request has none of its own to keep.
func TestDiscordInteractionLocaleIsKeptForTheMembersDMs(t *testing.T) {
	h := &recordingHandler{}
	a := newTestAdapter(t, &recordingAPI{}, h, time.Hour)
	ic := commandInteraction()
	ic.Locale = discordgo.PortugueseBR
	a.onInteraction(a.s, ic)
	a.onMessage(a.s, dm("hay halcones en la esquina"))
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != 2 {
		t.Fatalf("%d requests, want 2", len(h.got))
	}
	if got := h.got[0]; got.Language != string(discordgo.PortugueseBR) || !got.KeepLanguage {
		t.Fatalf("an interaction's request: language %q, kept %v", got.Language, got.KeepLanguage)
	}
	if got := h.got[1]; got.Language != "" || got.KeepLanguage {
		t.Fatalf("a DM's request: language %q, kept %v (it has none of its own)", got.Language, got.KeepLanguage)
	}
}
