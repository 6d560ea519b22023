package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// hungLook is a lostReply store whose draft read, once a draft write's
// reply was lost, hangs: it ends only with its context (as a call to a
// hung Redis on main's client, ContextTimeoutEnabled, does), or when the
// test ends.
type hungLook struct {
	*lostReply
	end chan struct{}
}

func (s *hungLook) DraftWithPart(ctx context.Context, p string, eventID int64) (storage.Draft, bool, error) {
	if !s.lost.Load() {
		return s.lostReply.DraftWithPart(ctx, p, eventID)
	}
	select {
	case <-ctx.Done():
		return storage.Draft{}, false, fmt.Errorf("draft part: %w", ctx.Err())
	case <-s.end:
		return storage.Draft{}, false, fmt.Errorf("draft part: %w", context.Canceled)
	}
}

// A typed message whose draft write's reply was lost is looked for in the
// draft, and that look is bounded (partLook): with Redis hanging, the
// reporter is still told, without a spool, that it may already be in
// their tip (partUnsure), and with one, the message is spooled and a
// receipt given; not left waiting for as long as Redis hangs (the
// request's context here has no deadline).
// Mutations: partUnsure's read on ctx, not its bounded look → "no spool"
// never answers; the spool path's read on ctx → "spool" never answers.
func TestTypedMessageLookIsBounded(t *testing.T) {
	msg, _ := loadMessages()
	for _, spooled := range []bool{false, true} {
		t.Run(map[bool]string{false: "no spool", true: "spool"}[spooled], func(t *testing.T) {
			srv := redistest.Start(t)
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "l"})
			if err := st.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			s := &hungLook{lostReply: &lostReply{Store: st}, end: make(chan struct{})}
			logs := &bytes.Buffer{}
			o := commands.Options{Store: s, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(logs, nil))}
			var sp *storage.Spool
			if spooled {
				var err error
				if sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
					t.Fatal(err)
				}
				o.Spool = sp
			}
			mux := commands.New(o)
			if sp != nil {
				sp.RouteWith(mux.RouteSpooled)
			}
			if r := sayAs(mux, "84", commands.Request{Text: "Venden armas en la bodega", EventID: 8400}); len(r) != 1 || press(r, "send:") == "" {
				t.Fatalf("a first message: %q", texts(r))
			}
			s.lose.Store(true)
			answered := make(chan []commands.Reply, 1)
			go func() { answered <- sayAs(mux, "84", commands.Request{Text: "Los vieron el lunes", EventID: 8401}) }()
			var r []commands.Reply
			select {
			case r = <-answered:
			case <-time.After(30 * time.Second):
				close(s.end)
				<-answered
				t.Fatal("its write's reply lost, Redis hanging: no answer in 30 s (the look is not bounded)")
			}
			want := msg.Localize("en", "held_part_unknown", nil)
			if spooled {
				want = msg.Localize("en", "spool_received", map[string]any{"Receipt": codeRE.FindString(fmt.Sprint(texts(r)))})
			}
			if len(r) != 1 || r[0].Text != want {
				t.Fatalf("its write's reply lost, Redis hanging: %q, want %q", texts(r), want)
			}
			if spooled && sp.Len() != 1 {
				t.Fatalf("%d spooled, want 1", sp.Len())
			}
		})
	}
}
