package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// While Redis is down, a reporter's Discord direct message that starts
// with a team command's name in a language ("/nota …", "/buscar …",
// which the adapter now reads as commands) is what any other "/word"
// message is then: spooled, "received" with a receipt, and replayed as
// the tip it is, whole. Not "try again" because the sender's role could
// not be read: that answer depended on the word being a team name, and
// left the reporter's words unkept where any other words are kept.
// Mutation: teamCommand leaving the request as it came where the role is
// unread (as a8747b3 did) -> each message is answered "try again", not
// spooled.
func TestTypedTeamNamesFromAReporterAreSpooledInAnOutage(t *testing.T) {
	srv, st, sp, _, mux := spooling(t)
	do := func(req commands.Request) []commands.Reply {
		word, args, _ := strings.Cut(strings.TrimPrefix(req.Text, "/"), " ")
		req.Platform, req.UserID, req.ChatID, req.ChatKind, req.Language = "discord", "4401", "d4401", commands.Private, "es-ES"
		req.Command, req.Args, req.CommandAtStart = strings.ToLower(word), args, true // as the adapter's commandIn reads it
		rec := &recorder{}
		mux.Handle(context.Background(), req, rec)
		return rec.take()
	}
	msgs := []string{"/nota el del carro rojo es el halcón de la plaza", "/buscar al Chapo en la plaza", "/Siguiente camioneta llega el jueves"}
	receipts := spoolThenReplay(t, srv, st, sp, do, 4400, msgs)
	for i, receipt := range receipts {
		if tip, err := st.TipByReceipt(context.Background(), receipt); err != nil || tip.Content.Text() != msgs[i] {
			t.Errorf("replayed %q: %q %v", msgs[i], tip.Content.Text(), err)
		}
	}
}
