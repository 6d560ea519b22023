package telegram

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/storage"
)

// When a group is upgraded to a supergroup (it gets a new chat id, and
// sends to the old one fail), either service message Telegram posts, in
// the old group (migrate_to_chat_id) or in the new supergroup
// (migrate_from_chat_id), moves its subscription to the new id.
func TestGroupUpgradeMovesTheSubscription(t *testing.T) {
	ctx := context.Background()
	mux, st := engine(t)
	a := testAdapter()
	a.o.HandlerTimeout = 10 * time.Second
	for _, c := range []struct{ old, new, update string }{
		{"-4001", "-1004001", `{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":-4001,"type":"group","title":"G"},
			"from":{"id":77,"is_bot":false,"first_name":"A"},"migrate_to_chat_id":-1004001}}`},
		{"-4002", "-1004002", `{"update_id":2,"message":{"message_id":1,"date":1,"chat":{"id":-1004002,"type":"supergroup","title":"G"},
			"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},"migrate_from_chat_id":-4002}}`},
	} {
		if err := st.Subscribe(ctx, storage.Subscription{Platform: Platform, Chat: c.old, Language: "es", Regions: []string{"norte"}}); err != nil {
			t.Fatal(err)
		}
		var u models.Update
		if err := json.Unmarshal([]byte(c.update), &u); err != nil {
			t.Fatal(err)
		}
		a.handle(ctx, mux, &u, albumPlace{})
		subs, err := st.Subscriptions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range subs {
			if s.Chat == c.old {
				t.Fatalf("update %d: still subscribed under the old id", u.ID)
			}
			found = found || (s.Chat == c.new && s.Language == "es" && len(s.Regions) == 1)
		}
		if !found {
			t.Fatalf("update %d: not subscribed under the new id: %+v", u.ID, subs)
		}
	}
}
