package tests

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// An album posted in a group reaches the bot as one message per photo,
// the caption on one of them. When the caption mentions the bot (a tip in
// view of the group), every photo is removed, those before the caption's
// and those after it, not only the captioned one; an album that does not
// mention the bot is left alone.
func TestGroupAlbumIsRemovedWhole(t *testing.T) {
	for _, onBehalf := range []bool{false, true} {
		t.Run(fmt.Sprint("on behalf of a channel ", onBehalf), func(t *testing.T) { groupAlbumIsRemovedWhole(t, onBehalf) })
	}
}

// groupAlbumIsRemovedWhole posts the albums by a member, or on behalf of
// the member's own channel.
func groupAlbumIsRemovedWhole(t *testing.T, onBehalf bool) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL())
	defer bot.stop(t)
	group := map[string]any{"id": groupID, "type": "supergroup", "title": "Vecinos"}
	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	if onBehalf {
		rep = map[string]any{"id": 136817688, "is_bot": true, "first_name": "Channel", "username": "Channel_Bot"}
	}
	var album []string
	for i := range 6 {
		f := map[string]any{"media_group_id": "777", "photo": []map[string]any{{"file_id": fmt.Sprint("G", i), "file_unique_id": fmt.Sprint("u", i), "width": 9, "height": 9}}}
		if i >= 3 {
			f["media_group_id"] = "778" // another album, not for the bot
		}
		if onBehalf {
			f["sender_chat"] = map[string]any{"id": -1004444, "type": "channel", "title": "Rosalinda R."}
		}
		if i == 1 {
			f["caption"] = "@VigiaBot fotos del halcón que cobra piso"
			f["caption_entities"] = []map[string]any{{"type": "mention", "offset": 0, "length": 9}}
		}
		m := message(i+1, rep, group, f)
		if i < 3 {
			album = append(album, fmt.Sprint(m["message"].(map[string]any)["message_id"]))
		}
		tg.push(m)
	}
	tg.waitCalls(3, func(c sent) bool { return c.Method == "deleteMessage" })
	time.Sleep(500 * time.Millisecond) // (nothing more may come)
	tg.mu.Lock()
	defer tg.mu.Unlock()
	var deleted []string
	for _, c := range tg.calls {
		if c.Method == "deleteMessage" {
			deleted = append(deleted, c.Fields["message_id"])
		}
	}
	slices.Sort(deleted)
	if !slices.Equal(deleted, album) {
		t.Fatalf("deleted %v, want the album %v", deleted, album)
	}
}
