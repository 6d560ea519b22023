package telegram

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

// Every kind of update the adapter answers is ordered with its chat's: an
// edit is answered after the message it edits (it was in a group of all
// chats' edits, run alongside, and could be answered first), and a slow
// edit holds up no other chat.
func TestUpdatesAreOrderedByTheirChat(t *testing.T) {
	chat := models.Chat{ID: 4001, Type: models.ChatTypePrivate}
	for name, u := range map[string]*models.Update{
		"message":        {Message: &models.Message{Chat: chat}},
		"edited message": {EditedMessage: &models.Message{Chat: chat}},
		"button":         {CallbackQuery: &models.CallbackQuery{Message: models.MaybeInaccessibleMessage{Message: &models.Message{Chat: chat}}}},
		"channel post":   {ChannelPost: &models.Message{Chat: chat}},
	} {
		if got := chatOf(u); got != chat.ID {
			t.Errorf("%s: chat %d, want %d", name, got, chat.ID)
		}
	}
}
