package discord

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// endAfterFirst is the engine, the shutdown deadline over as its first
// request ends (when end is set).
type endAfterFirst struct {
	Handler
	end  func()
	done atomic.Bool
}

func (e *endAfterFirst) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	e.Handler.Handle(ctx, req, w)
	if e.end != nil && !e.done.Swap(true) {
		e.end()
	}
}

// The shutdown deadline over after the first of several files of one DM
// was kept in silence (more were to come): the reporter is asked once
// to send the rest again, and told what the first did (the draft it
// started, with the text), not left believing nothing was kept. So too
// where the deadline cuts the second file's download.
// Mutation: directMessage refusing the files not passed on with
// refuseMessage, as e8288fa left it (the run's silent items never told)
// → TestDiscordShutdownMidFilesTellsWhatWasKept fails (only "a file you
// sent could not be received").
func TestDiscordShutdownMidFilesTellsWhatWasKept(t *testing.T) {
	pic := picture(t)
	for _, cut := range []string{"after the first", "in the second's download"} {
		t.Run(cut, func(t *testing.T) {
			base := newStopCtx(context.Background())
			cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if cut != "after the first" && strings.HasSuffix(r.URL.Path, "/b.jpg") {
					base.end()
					<-r.Context().Done()
					return
				}
				w.Write(pic)
			}))
			defer cdn.Close()
			engine, msg := newEngine(t)
			api := &uploadAPI{}
			h := &endAfterFirst{Handler: engine}
			if cut == "after the first" {
				h.end = base.end
			}
			a := newTestAdapter(t, api, h, time.Hour)
			a.ctx = base
			m := dm("hay halcones en la esquina", pictures(cdn.URL, len(pic), 6001, "a.jpg", "b.jpg", "c.jpg")...)
			m.ID, m.Author.Locale = "6000", "en-US"
			a.onMessage(a.s, m)
			started := render(msg.Localize("en", "draft_started", nil))[0]
			lost := render(msg.Localize("en", "file_not_received", nil))[0]
			got := api.snapshot()
			if all := strings.Join(got, "\n"); len(got) != 2 || !strings.Contains(got[0], lost) || !strings.Contains(all, started) {
				t.Fatalf("answers to three pictures, the shutdown deadline over %s: %q, want %q, then %q", cut, got, lost, started)
			}
		})
	}
}
