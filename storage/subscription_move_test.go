package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// A group upgraded to a supergroup has a new chat id: its subscription
// follows it, sealed, with its language and regions, and so do its
// destinations still pending; a destination put back to pending under the
// old id after the move (a send that failed) follows on the next call.
func TestMoveSubscriptionFollowsTheChat(t *testing.T) {
	ctx := context.Background()
	st, srv, _ := newStore(t)
	const oldChat, newChat = "-4001234567", "-1009876543210"
	for _, chat := range []string{oldChat, "-4002"} {
		if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: chat, Language: "pt-BR", Regions: []string{"ciudad juarez"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Two warnings published to both chats; the first one's copy to the
	// old chat is being sent as the group is upgraded.
	var ids []string
	for i := range 2 {
		w, err := st.SubmitWarning(ctx, st.Pseudonym("telegram", "9"), "retén falso en Ciudad Juárez", "es", int64(i+1), "")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := st.ApprovePublication(ctx, w.TipID, storage.PublishApproval{By: storage.Claimer{Key: "inv"}, Needed: 1}); err != nil || !a.Started {
			t.Fatalf("approve: %+v %v", a, err)
		}
		ids = append(ids, w.TipID)
	}
	ds, err := st.PendingDeliveries(ctx, 10)
	if err != nil || len(ds) != 4 {
		t.Fatalf("pending: %d %v", len(ds), err)
	}
	var inFlight storage.Delivery
	for _, d := range ds {
		if d.TipID == ids[0] && d.Sub.Chat == oldChat {
			inFlight = d
		}
	}
	if ok, err := st.ClaimDelivery(ctx, inFlight); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if err := st.MoveSubscription(ctx, "telegram", oldChat, newChat); err != nil {
		t.Fatal(err)
	}
	subs, err := st.Subscriptions(ctx)
	if err != nil || len(subs) != 2 {
		t.Fatalf("subscriptions: %+v %v", subs, err)
	}
	var moved storage.Subscription
	for _, s := range subs {
		if s.Chat == oldChat {
			t.Fatalf("the old chat is still subscribed: %+v", subs)
		}
		if s.Chat == newChat {
			moved = s
		}
	}
	if !moved.Active || moved.Language != "pt-BR" || !slices.Equal(moved.Regions, []string{"ciudad juarez"}) {
		t.Fatalf("moved subscription: %+v", moved)
	}
	// The copy in flight is refused (the chat moved) and put back to
	// pending, under the old id; the next move (the send's report, or
	// Telegram's second service message) takes it along.
	if err := st.Retry(ctx, inFlight.TipID, inFlight.Sub); err != nil {
		t.Fatal(err)
	}
	if err := st.MoveSubscription(ctx, "telegram", oldChat, newChat); err != nil {
		t.Fatal(err)
	}
	ds, err = st.PendingDeliveries(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.TipID+" "+d.Sub.Chat)
	}
	slices.Sort(got)
	want := []string{ids[0] + " " + newChat, ids[0] + " -4002", ids[1] + " " + newChat, ids[1] + " -4002"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("pending to %v, want %v", got, want)
	}
	for _, id := range ids {
		if p, _, err := st.BroadcastProgress(ctx, id); err != nil || p.Total != 2 || p.Pending != 2 {
			t.Fatalf("progress of %s: %+v %v", id, p, err)
		}
	}
	dump, err := srv.Client().Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range dump {
		v := srv.Client().Dump(ctx, k).Val()
		if strings.Contains(k, "9876543210") || strings.Contains(v, "9876543210") || strings.Contains(v, "4001234567") { // (a shorter id turns up by chance in a time of day)
			t.Fatalf("a chat id in clear in %q", k)
		}
	}
}
