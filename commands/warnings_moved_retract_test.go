package commands_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// movesLater is a Telegram-like platform where chat from, once moved, is
// refused with a MovedError for sends and deletes alike.
type movesLater struct {
	*community
	from, to string
	moved    bool
	onSend   func() // called on a send to the moved chat
}

func (m *movesLater) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	if m.moved && chat == m.from {
		if m.onSend != nil {
			m.onSend()
		}
		return nil, fmt.Errorf("telegram sendMessage: %w", &commands.MovedError{To: m.to})
	}
	return m.community.Send(ctx, chat, r)
}

func (m *movesLater) DeleteMessage(ctx context.Context, chat, msg string) error {
	if m.moved && chat == m.from {
		return fmt.Errorf("telegram deleteMessage: %w", &commands.MovedError{To: m.to})
	}
	return m.community.DeleteMessage(ctx, chat, msg)
}

// A community whose group became a supergroup after it received a warning
// gets the correction in its new chat when the warning is retracted; the
// old copy's id is never deleted in the new chat (it is the old chat's),
// and the report says the copy was not deleted.
// Mutation: the withdrawal not following the move (followMove a no-op) →
// -1001 never gets the correction and the report says 1 unconfirmed.
func TestRetractAfterChatMovedCorrectsTheNewChat(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &movesLater{community: &community{}, from: "-1", to: "-1001"}
	tm.publishTo(t, platform, "-1")
	day := tm.clk.Now()
	tm.deliverAll(t)
	platform.moved = true
	if err := tm.mux.ChatMoved(context.Background(), "telegram", "-1", "-1001"); err != nil {
		t.Fatal(err)
	}
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	for range 4 {
		tm.deliverAll(t)
	}
	correction := tm.correctionOf(day)
	if n := slices.Index(platform.got["-1001"], correction); n < 0 || slices.Contains(platform.got["-1001"][n+1:], correction) {
		t.Errorf("the community (now -1001) got %q: want the correction once", platform.got["-1001"])
	}
	for _, d := range platform.deleted {
		t.Errorf("deleted %s: the old chat's message ids mean nothing in the new one", d)
	}
	for _, to := range platform.replyTo["-1001"] {
		if to != "" {
			t.Errorf("a message in the new chat replies to %q: the old chat's message ids mean nothing there", to)
		}
	}
	last := platform.got["2002"][len(platform.got["2002"])-1]
	want := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": 1, "Deleted": 0, "Count": 1, "Gone": 0, "Unconfirmed": 0}, 1)
	if last != want {
		t.Errorf("report %q, want %q", last, want)
	}
}

// A MovedError is a refusal: nothing was delivered.
// Mutation: MovedError without Unwrap → fails.
func TestMovedErrorIsARefusal(t *testing.T) {
	if !errors.Is(fmt.Errorf("x: %w", &commands.MovedError{To: "-1001"}), commands.ErrRefused) {
		t.Error("a MovedError is not an ErrRefused")
	}
}

// A send refused because the chat moved, as the broadcaster shuts down,
// is still recorded: the destination moves to the new chat, pending,
// rather than staying claimed (unconfirmed) forever.
// Mutation: recordDelivery's shutdown branch not covering MovedError (the
// Unwrap removed) → the destination stays claimed and -1001 gets nothing.
func TestDeliveryMovedDuringShutdownIsRecorded(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &movesLater{community: &community{}, from: "-1", to: "-1001", moved: true}
	tm.publishTo(t, platform, "-1")
	ctx, cancel := context.WithCancel(context.Background())
	platform.onSend = cancel
	_ = tm.mux.BroadcastOnce(ctx)
	platform.onSend = nil
	tm.deliverAll(t)
	if len(platform.got["-1001"]) != 1 {
		t.Errorf("-1001 got %q: want the warning once", platform.got["-1001"])
	}
}
