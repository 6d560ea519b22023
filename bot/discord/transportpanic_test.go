package discord

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// panicOnce is a transport whose first request panics with errBrokenTransport.
type panicOnce struct {
	next     http.RoundTripper
	panicked atomic.Bool
}

var errBrokenTransport = errors.New("broken transport")

func (p *panicOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.panicked.CompareAndSwap(false, true) {
		panic(errBrokenTransport)
	}
	return p.next.RoundTrip(req)
}

// A panic in the transport (the HTTP client's RoundTripper) is the
// request's failure: its caller gets an error, not the panic, and the
// panic is logged with the transport's frames; and the request's bucket
// is left unlocked: the next request on its route goes out. discordgo
// releases the bucket only once its client returns; on the panic it
// stayed locked, and every later request on the route waited for it unto
// its deadline (told it was rate limited, nothing sent), for good. Raised
// again, the panic would end serve where its caller has no recover (an
// interaction's deferral timer, Run's registration, the recheck), and
// its log would name no frame of the transport.
// Mutations: lockedRequest without g.guardTransport -> each second request
// came back at its deadline, rate limited, and was not sent; the panic
// raised again after the release (0ddace7) -> each caller panicked.
func TestDiscordTransportPanicLeavesNoBucketLocked(t *testing.T) {
	cases := map[string]func(a *Adapter, ctx context.Context, slot string) error{
		"channel send": func(a *Adapter, ctx context.Context, _ string) error {
			_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
			return err
		},
		"channel look": func(a *Adapter, ctx context.Context, _ string) error {
			_, err := a.describe(ctx, "123")
			return err
		},
		"interaction response": func(a *Adapter, ctx context.Context, slot string) error {
			r := &interactionReplier{a: a, i: commandInteraction().Interaction, userID: "50", ephemeral: true, slot: slot}
			return r.Reply(ctx, commands.Reply{Text: "respuesta"})
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			api := &recordingAPI{}
			a := newTestAdapter(t, api, slowHandler{}, time.Hour)
			var logged bytes.Buffer
			a.log = slog.New(slog.NewJSONHandler(&logged, nil))
			a.http.Transport = &panicOnce{next: a.http.Transport}
			slot := a.takeSlot()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("the transport's panic reached the caller: %v", p)
					}
				}()
				if err := call(a, ctx, slot); err == nil {
					t.Errorf("the request whose transport panicked: no error")
				}
			}()
			if !strings.Contains(logged.String(), "discord transport panic") || !strings.Contains(logged.String(), "panicOnce).RoundTrip") {
				t.Errorf("logged %s, want the panic with the transport's frame", logged.String())
			}
			if err := call(a, ctx, slot); err != nil {
				t.Errorf("the request after the transport's panic, on its route: %v, want it sent", err)
			}
			if calls, _ := api.snapshot(); len(calls) != 1 {
				t.Errorf("requests taken: %v, want the second one", calls)
			}
		})
	}
}
