package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Anyone holding a receipt code (their own) could paste it in a group
// again and again: each message is removed, but the group is told once a
// minute at most, by every replica together, so a flood of notices cannot
// fill the group nor spend the bot's sending budget. A voided invitation
// is told of every time; another group has its own minute. Redis holds
// no chat id for it.
func TestRemovalNoticesInAGroupAreCappedPerMinute(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	removed := tm.msg.Localize("en", "group_private_only_removed", nil)
	r := tm.as("3003", "Eve", commands.Request{Text: "cobran piso en el mercado de abastos"})
	receipt := codeRE.FindString(tm.as("3003", "Eve", commands.Request{Callback: press(r, "send:")})[0].Text)
	if receipt == "" {
		t.Fatal("no receipt")
	}
	post := func(mux *commands.Mux, chat, text string) (bool, []commands.Reply) {
		t.Helper()
		tm.event++
		w := &adminReplier{recorder: &recorder{}}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: chat, ChatKind: commands.Group,
			Text: "mi código es " + text, EventID: tm.event}, w)
		return w.deleted, w.take()
	}
	if deleted, r := post(tm.mux, "-1004242", receipt); !deleted || len(r) != 1 || r[0].Text != removed {
		t.Fatalf("first receipt code: deleted %v, %+v", deleted, r)
	}
	for i := range 3 {
		if deleted, r := post(tm.mux, "-1004242", receipt); !deleted || len(r) != 0 {
			t.Errorf("receipt code again (%d) within the minute: deleted %v, %+v", i, deleted, r)
		}
	}
	// Another replica (another process, the same Redis): silent too.
	if deleted, r := post(tm.mux.Clone(), "-1004242", receipt); !deleted || len(r) != 0 {
		t.Errorf("receipt code on another replica within the minute: deleted %v, %+v", deleted, r)
	}
	// A voided invitation is told of all the same.
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	if deleted, r := post(tm.mux, "-1004242", code); !deleted || len(r) != 1 || !strings.Contains(r[0].Text, tm.msg.Localize("en", "redeem_void_in_group", nil)) {
		t.Errorf("an invitation code within the minute: deleted %v, %+v", deleted, r)
	}
	// Another group: its own notice.
	if deleted, r := post(tm.mux, "-1004343", receipt); !deleted || len(r) != 1 || r[0].Text != removed {
		t.Errorf("another group: deleted %v, %+v", deleted, r)
	}
	// A minute later: told again.
	tm.clk.Add(noticeMinute)
	if deleted, r := post(tm.mux, "-1004242", receipt); !deleted || len(r) != 1 || r[0].Text != removed {
		t.Errorf("a minute later: deleted %v, %+v", deleted, r)
	}
	c := tm.srv.Client()
	for _, k := range c.Keys(ctx, "*").Val() {
		fields := c.HKeys(ctx, k).Val()
		if strings.Contains(k+" "+strings.Join(fields, " "), "1004242") {
			t.Errorf("Redis holds the group's id: %s %v", k, fields)
		}
	}
}

// noticeMinute is the notices' period, as the engine has it.
const noticeMinute = time.Minute

// While Redis is down, a spooled tip's receipt pasted again and again in
// a group is removed each time, and the group told once a minute (this
// process counts, Redis cannot).
func TestRemovalNoticesAreCappedWhileRedisIsDown(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("needs a real redis-server to stop")
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{6}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "o"})
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	clk := &clock{t: time.Now()}
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	srv.Stop()
	rec := &recorder{}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "701", ChatID: "701", Text: "cobran piso en el mercado", EventID: 100}, rec)
	receipt := codeRE.FindString(rec.take()[0].Text)
	if receipt == "" {
		t.Fatal("no spooled receipt")
	}
	for i, told := range []bool{true, false, false} {
		w := &adminReplier{recorder: &recorder{}}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group,
			Text: "mi código es " + receipt, EventID: int64(200 + i)}, w)
		r := w.take()
		if !w.deleted || (len(r) == 1) != told || (told && r[0].Text != msg.Localize("en", "group_private_only_removed", nil)) {
			t.Errorf("post %d during the outage: deleted %v, %+v", i, w.deleted, r)
		}
	}
	clk.Add(noticeMinute)
	w := &adminReplier{recorder: &recorder{}}
	mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group,
		Text: "mi código es " + receipt, EventID: 210}, w)
	if r := w.take(); !w.deleted || len(r) != 1 {
		t.Errorf("a minute later during the outage: deleted %v, %+v", w.deleted, r)
	}
}

// A notice that a message holding a code could NOT be removed asks its
// sender to delete it: a routine removal notice within the minute does not
// silence it, and a few more than one a minute go out (each may be
// another member's code left in view), still bounded against a flood.
func TestNotRemovedNoticesAreCountedApart(t *testing.T) {
	for _, down := range []bool{false, true} {
		srv := redistest.Start(t)
		if down && !srv.Real {
			t.Skip("needs a real redis-server to stop")
		}
		clk := &clock{t: time.Now()}
		kr, _ := storage.NewKeyring(bytes.Repeat([]byte{6}, 32))
		st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "o", Now: clk.Now})
		if err := st.Init(context.Background()); err != nil {
			t.Fatal(err)
		}
		sp, err := storage.OpenSpool(t.TempDir(), kr)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := loadMessages()
		mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
		ctx := context.Background()
		if down {
			srv.Stop() // the receipt is a spooled tip's: known to this process
		}
		rec := &recorder{}
		mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "701", ChatID: "701", Text: "cobran piso en el mercado", EventID: 100}, rec)
		r := rec.take()
		if !down {
			mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "701", ChatID: "701", Callback: press(r, "send:"), EventID: 101}, rec)
			r = rec.take()
		}
		receipt := ""
		if len(r) > 0 {
			receipt = codeRE.FindString(r[0].Text)
		}
		if receipt == "" {
			t.Fatalf("down %v: no receipt: %+v", down, r)
		}
		event := int64(200)
		post := func(deleteErr error) (bool, []commands.Reply) {
			event++
			w := &adminReplier{recorder: &recorder{}, deleteErr: deleteErr}
			mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group,
				Text: "mi código es " + receipt, EventID: event}, w)
			return w.deleted, w.take()
		}
		removed, kept := msg.Localize("en", "group_private_only_removed", nil), msg.Localize("en", "group_private_only_not_removed", nil)
		if deleted, r := post(nil); !deleted || len(r) != 1 || r[0].Text != removed {
			t.Fatalf("down %v: first post: deleted %v, %+v", down, deleted, r)
		}
		noRight := errors.New("not enough rights")
		told := 0
		for range 8 {
			if _, r := post(noRight); len(r) == 1 && r[0].Text == kept {
				told++
			} else if len(r) != 0 {
				t.Errorf("down %v: a post not removed: %+v", down, r)
			}
		}
		if told < 2 || told > 5 {
			t.Errorf("down %v: 8 posts not removed within the minute, after a removal notice: %d told", down, told)
		}
		clk.Add(noticeMinute)
		if _, r := post(noRight); len(r) != 1 || r[0].Text != kept {
			t.Errorf("down %v: a minute later: %+v", down, r)
		}
	}
}
