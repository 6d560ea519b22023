package telegram

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// albumMemory is how long the items of an album posted in a group are
// remembered: Telegram delivers them within seconds of each other.
const albumMemory = time.Minute

// albums remembers the items of albums posted in groups. Telegram delivers
// an album as one message per item, the caption on one of them; to the
// group it is one post. So when the engine removes the item it was told
// of (its caption mentions the bot), every item goes: those before it, and
// those after it as they arrive. Kept in memory only, for albumMemory.
type albums struct {
	mu sync.Mutex
	m  map[string]*album // chat id and media group id
}

type album struct {
	ids     []int // the items seen, by message id
	removed bool  // the engine removed one of them
	seen    time.Time
}

// albumKey is the key of message m's album, "" if it is in none (or not
// in a group).
func albumKey(m *models.Message) string {
	if m == nil || m.MediaGroupID == "" || m.Chat.Type == models.ChatTypePrivate {
		return ""
	}
	return strconv.FormatInt(m.Chat.ID, 10) + "/" + m.MediaGroupID
}

// add records item id of album key and reports whether the album was
// removed already (the item then goes too).
func (a *albums) add(key string, id int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for k, al := range a.m {
		if now.Sub(al.seen) > albumMemory {
			delete(a.m, k)
		}
	}
	if a.m == nil {
		a.m = map[string]*album{}
	}
	al := a.m[key]
	if al == nil {
		al = &album{}
		a.m[key] = al
	}
	al.ids, al.seen = append(al.ids, id), now
	return al.removed
}

// removed marks album key removed and returns its items seen so far.
func (a *albums) removed(key string) []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	al := a.m[key]
	if al == nil {
		return nil
	}
	al.removed = true
	return append([]int(nil), al.ids...)
}

// deleteItems deletes items of an album the engine removed, besides the
// one it removed itself (done): a failure is logged, without ids.
func (a *Adapter) deleteItems(ctx context.Context, chatID int64, ids []int, done int) {
	for _, id := range ids {
		if id == done {
			continue
		}
		if _, err := a.b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: chatID, MessageID: id}); err != nil {
			a.log.Info("album item not deleted (no right?)", "error", a.redact(err))
		}
	}
}
