package discord

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// errBrokenClient is the value of the panics the client's cookie jar and
// the answer's body inject.
var errBrokenClient = errors.New("broken client")

// panickyJar is a cookie jar that panics once, as the client asks it for
// the request's cookies (before) or hands it the answer's (after).
type panickyJar struct {
	after bool
	fired atomic.Bool
}

func (j *panickyJar) Cookies(*url.URL) []*http.Cookie {
	if !j.after && j.fired.CompareAndSwap(false, true) {
		panic(errBrokenClient)
	}
	return nil
}

func (j *panickyJar) SetCookies(*url.URL, []*http.Cookie) {
	if j.after && j.fired.CompareAndSwap(false, true) {
		panic(errBrokenClient)
	}
}

// panickyBody is a transport whose first answer's body panics as
// discordgo reads it.
type panickyBody struct {
	next  http.RoundTripper
	fired atomic.Bool
}

func (p *panickyBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err == nil && p.fired.CompareAndSwap(false, true) {
		resp.Body = bodyPanics{resp.Body}
	}
	return resp, err
}

type bodyPanics struct{ io.ReadCloser }

func (bodyPanics) Read([]byte) (int, error) { panic(errBrokenClient) }

// withCookie answers as api does, with a cookie.
func withCookie(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "__cfruid=1; Path=/")
		api.ServeHTTP(w, r)
	})
}

// A panic in a request past its transport (the HTTP client's own, before
// the request goes or once its answer is in, or discordgo's as it reads
// the answer) is the request's failure: its caller gets an error, not the
// panic, which is logged; and the request's bucket is released, by
// discordgo if it had (the answer read: unlocked twice, the mutex would
// end the process) or else by lockedRequest: the next request on its
// route goes out, not held unto its deadline (rate limited, nothing
// sent), for good.
// Mutations: lockedRequest without its recover -> the panic reaches each
// caller; its recover never unlocking the bucket -> the request after a
// jar's panic is rate limited, not sent; its recover always unlocking ->
// after the body's panic, the process dies (unlock of unlocked mutex).
func TestDiscordRequestPanicLeavesNoBucketLocked(t *testing.T) {
	injections := []struct {
		name string
		set  func(a *Adapter)
		sent int // requests the API took, the one that panicked and the next
	}{
		{"cookie jar before the request", func(a *Adapter) { a.http.Jar = &panickyJar{} }, 1},
		{"cookie jar after the answer", func(a *Adapter) { a.http.Jar = &panickyJar{after: true} }, 2},
		{"answer's body read", func(a *Adapter) { a.http.Transport = &panickyBody{next: a.http.Transport} }, 2},
	}
	calls := map[string]func(a *Adapter, ctx context.Context, slot string) error{
		"channel send": func(a *Adapter, ctx context.Context, _ string) error {
			_, err := a.Send(ctx, "123", commands.Reply{Text: "aviso"})
			return err
		},
		"interaction response": func(a *Adapter, ctx context.Context, slot string) error {
			r := &interactionReplier{a: a, i: commandInteraction().Interaction, userID: "50", ephemeral: true, slot: slot}
			return r.Reply(ctx, commands.Reply{Text: "respuesta"})
		},
	}
	for _, inj := range injections {
		for name, call := range calls {
			t.Run(inj.name+"/"+name, func(t *testing.T) {
				api := &recordingAPI{}
				a := newTestAdapter(t, withCookie(api), slowHandler{}, time.Hour)
				logs := capturePanics(a)
				inj.set(a)
				slot := a.takeSlot()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("the request's panic reached the caller: %v", p)
						}
					}()
					if err := call(a, ctx, slot); err == nil {
						t.Errorf("the request that panicked: no error")
					}
				}()
				if logs.count("discord request") != 1 {
					t.Errorf("the panic is not logged once at Error with its stack:\n%s", logs)
				}
				if err := call(a, ctx, slot); err != nil {
					t.Errorf("the request after the panic, on its route: %v, want it sent", err)
				}
				if got, _ := api.snapshot(); len(got) != inj.sent {
					t.Errorf("requests taken: %v, want %d", got, inj.sent)
				}
			})
		}
	}
}
