package telegram

import (
	"context"
	"fmt"
	"strconv"

	"github.com/go-telegram/bot"

	"github.com/vigia-project/vigia/commands"
)

// Wipe range: Telegram numbers a private chat's messages, both ways, in
// one sequence, and lets a bot delete any of them for 48 hours. A wipe
// covers wipeBack messages before the one it was asked from and wipeAhead
// after it (the bot's answers, and what arrives before a delayed wipe
// runs); ids that do not exist are skipped by Telegram.
const (
	wipeBack  = 1000
	wipeAhead = 100
	wipeBatch = 100 // deleteMessages takes at most 100 ids
)

// WipeChat deletes what the bot can delete of a private chat
// (commands.ChatWiper): the reporter's messages and its own, newest first.
func (a *Adapter) WipeChat(ctx context.Context, chatID, upTo string) (commands.WipeResult, error) {
	chat, err1 := strconv.ParseInt(chatID, 10, 64)
	top, err2 := strconv.Atoi(upTo)
	if err1 != nil || err2 != nil || top < 1 {
		return commands.WipeResult{}, fmt.Errorf("telegram: bad chat or message id")
	}
	var failed, batches int
	var lastErr error
	for hi := top + wipeAhead; hi >= 1 && hi > top-wipeBack; hi -= wipeBatch {
		ids := make([]int, 0, wipeBatch)
		for id := hi; id > hi-wipeBatch && id >= 1; id-- {
			ids = append(ids, id)
		}
		batches++
		err := a.retry(ctx, maxRetries, func() error {
			_, err := a.b.DeleteMessages(ctx, &bot.DeleteMessagesParams{ChatID: chat, MessageIDs: ids})
			return err
		})
		if err != nil {
			// Older messages (past 48 hours) cannot be deleted; the newer
			// batches went first, so go on and report only a total failure.
			failed++
			lastErr = err
		}
	}
	if failed == batches {
		return commands.WipeResult{}, fmt.Errorf("telegram deleteMessages: %s", a.redact(lastErr))
	}
	return commands.WipeResult{}, nil
}
