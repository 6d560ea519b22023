package commands_test

import (
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A delayed wipe done on Discord whose notice after it (delete your own
// messages) could not be sent, kept only to send that notice, is no wipe
// still to come: a tip begun after it is not told that the wipe will
// delete it (it will not: the chat is wiped), nor does /wipe now say a
// wipe is still set for later. Before, the job kept its place among the
// reporter's wipes (RetryWipe moved it there), told as due in about a
// minute until its notice went out.
// Mutation: RetryWipe keeping a wiped job among its reporter's wipes →
// both the draft's answer and /wipe now's fail.
func TestDelayedWipeKeptForItsNoticeIsNotToldAsSet(t *testing.T) {
	p := &keepsTheirs{platform: &platform{recorder: &recorder{}}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	req := func(r commands.Request) []commands.Reply {
		r.UserChat, r.Language = wiperID, "es"
		return e.do(wiperID, r)
	}
	req(commands.Request{Command: "wipe", Args: "1h", MessageID: "46"})
	p.mu.Lock()
	p.failSends = 1
	p.mu.Unlock()
	e.clk.Add(time.Hour + time.Second)
	runWipes(t, e) // wiped; its notice fails, kept to be sent again

	es := func(id string) string { return e.msg.Localize("es", id, nil) }
	want := es("draft_started") + "\n\n" + es("choose_category")
	if r := req(commands.Request{Text: "Volvió la misma camioneta blanca", MessageID: "48"}); len(r) != 1 || r[0].Text != want {
		t.Errorf("a tip begun after the wipe was answered %+v, want %q", r, want)
	}
	want = es("wipe_done_theirs_kept") + "\n\n" + es("wipe_draft_discarded")
	if r := req(commands.Request{Command: "wipe", MessageID: "49"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/wipe now answered %+v, want %q", r, want)
	}
}
