package discord

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// A form the engine does not take where it was sent is answered, never
// closed in silence with what its member typed gone: one no version of
// the bot opens (a custom id forged, or an older version's form), and the
// report form sent from the investigators' channel (opened there before
// the channel became theirs). The member hears, only them (ephemeral),
// that it was NOT received, with what they wrote to paste in again.
// Before, the engine answered nothing: the adapter closed the
// interaction (a deferral, then its deletion) and the form's text was lost
// unseen. Mutation: route returning nil for such a form again -> "answers
// [] ...".
func TestDiscordFormNotTakenIsAnsweredWithItsText(t *testing.T) {
	engine, msg := newEngine(t)
	form := func(id, field, channel string) *discordgo.InteractionCreate {
		i := commandInteraction()
		i.ChannelID, i.Type = channel, discordgo.InteractionModalSubmit
		i.Data = discordgo.ModalSubmitInteractionData{CustomID: id, Components: []discordgo.MessageComponent{
			&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: field, Value: "hay halcones en la plaza"}}},
		}}
		return i
	}
	want := strings.SplitN(msg.Localize("en", "form_not_taken_elsewhere", nil), ":", 2)[0] // "Your form was NOT received"
	for _, c := range []struct {
		name string
		i    *discordgo.InteractionCreate
	}{
		{"forged form id", form("nosuch:1", "zz", "31")},
		{"report form from the investigators' channel", form("report", "tip", "30")},
	} {
		api := &recordingAPI{}
		a := newTestAdapter(t, api, engine, time.Hour)
		a.invChans["30"] = true
		a.useTable(engine.Commands())
		a.onInteraction(a.s, c.i)
		_, bodies := api.snapshot()
		var answers []string
		ephemeral := true
		for _, b := range bodies {
			d, _ := b["data"].(map[string]any)
			if s, _ := d["content"].(string); s != "" {
				answers = append(answers, s)
				f, _ := d["flags"].(float64)
				ephemeral = ephemeral && int(f)&int(discordgo.MessageFlagsEphemeral) != 0
			}
		}
		if len(answers) != 1 || !strings.HasPrefix(answers[0], render(want)[0]) || !strings.Contains(answers[0], "halcones en la plaza") {
			t.Errorf("%s: answers %q, want one saying %q with the text typed", c.name, answers, want)
		}
		if !ephemeral {
			t.Errorf("%s: the answer is not ephemeral", c.name)
		}
	}
}
