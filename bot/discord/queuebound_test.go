package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// gateHandler records what the engine gets. A DM reading "hold" waits
// until release is closed, or until its context ends (then it answers,
// as the engine does when storage did not answer in time). It tells the
// adapter the user's language is lang, as the engine does.
type gateHandler struct {
	release chan struct{}
	lang    string

	mu   sync.Mutex
	got  []string
	errs []error // the context's error when the engine gave up on a request
}

func (h *gateHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	what := req.Text
	if req.Callback != "" {
		what = "button:" + req.Callback
	}
	h.mu.Lock()
	h.got = append(h.got, what)
	h.mu.Unlock()
	if req.Text != "hold" {
		return
	}
	select {
	case <-h.release:
	case <-ctx.Done():
		h.mu.Lock()
		h.errs = append(h.errs, ctx.Err())
		h.mu.Unlock()
		_ = w.Reply(ctx, commands.Reply{Text: "cut short"})
	}
}

func (h *gateHandler) Commands() []*commands.Command { return nil }

func (h *gateHandler) Language(context.Context, string, string, string) string { return h.lang }

func (h *gateHandler) snapshot() ([]string, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got), slices.Clone(h.errs)
}

// dmN is a DM from user 50 with its own message id.
func dmN(id, text string) *discordgo.MessageCreate {
	m := dm(text)
	m.ID = id
	return m
}

// pressInDM is a press on a button in user 50's DM with the bot.
func pressInDM() *discordgo.InteractionCreate {
	ic := commandInteraction()
	ic.GuildID, ic.Member, ic.User = "", nil, &discordgo.User{ID: "50"}
	ic.Type, ic.Data = discordgo.InteractionMessageComponent, discordgo.MessageComponentInteractionData{CustomID: "send:d1"}
	return ic
}

// answers returns the texts posted to the DM channel and the interaction's
// responses as "type:content".
func answers(api *recordingAPI) (dms, responses []string) {
	calls, bodies := api.snapshot()
	for n, c := range calls {
		content, _ := bodies[n]["content"].(string)
		switch {
		case c == "POST /api/v9/channels/77/messages":
			dms = append(dms, content)
		case strings.HasSuffix(c, "/interactions/10/tok/callback"):
			data, _ := bodies[n]["data"].(map[string]any)
			content, _ = data["content"].(string)
			typ, _ := bodies[n]["type"].(float64)
			responses = append(responses, fmt.Sprintf("%d:%s", int(typ), content))
		}
	}
	return dms, responses
}

// While the engine is slow, a user's events do not pile up without bound:
// one beyond the queue's limit, a DM or a button press, is answered at
// once, in the user's language, to be sent again, and never reaches the
// engine; those queued before it are handled, in order.
func TestDiscordQueueBeyondItsLimitIsAnsweredAtOnce(t *testing.T) {
	api := &recordingAPI{}
	h := &gateHandler{release: make(chan struct{}), lang: "es"}
	a := newTestAdapter(t, api, h, time.Hour) // no deferral: only an answer acknowledges the press
	a.o.QueueLimit = 2
	a.queueMessage(a.s, dmN("1001", "hold"))
	waitFor(t, "the first DM in the engine", func() bool { got, _ := h.snapshot(); return len(got) == 1 })
	a.queueMessage(a.s, dmN("1002", "two"))
	a.queueMessage(a.s, dmN("1003", "three")) // the limit: two waiting
	a.queueMessage(a.s, dmN("1004", "four"))
	a.queueInteraction(pressInDM(), nil)

	busy := render(a.msg.Localize("es", "rate_limited", nil))[0]
	waitFor(t, "the DM and the press beyond the limit answered while the queue waits", func() bool {
		dms, responses := answers(api)
		return slices.Equal(dms, []string{busy}) &&
			slices.Equal(responses, []string{fmt.Sprintf("%d:%s", discordgo.InteractionResponseChannelMessageWithSource, busy)})
	})
	if got, _ := h.snapshot(); !slices.Equal(got, []string{"hold"}) {
		t.Fatalf("while the first DM is held the engine got %v", got)
	}
	close(h.release)
	a.wg.Wait()
	if got, _ := h.snapshot(); !slices.Equal(got, []string{"hold", "two", "three"}) {
		t.Fatalf("engine got %v, want the queued DMs in order and nothing beyond the limit", got)
	}
	// Another user's queue is their own.
	other := dmN("1005", "other")
	other.Author = &discordgo.User{ID: "51"}
	a.queueMessage(a.s, other)
	a.wg.Wait()
	if got, _ := h.snapshot(); got[len(got)-1] != "other" {
		t.Fatalf("another user's DM was not handled: %v", got)
	}
}

// Shutdown does not wait for a user's queue one event after another: at
// the deadline the event in flight is cut (as a deadline, so the engine
// answers it as one whose storage was slow, spooling a tip), and those
// still queued are answered to be sent again, none left unanswered.
func TestDiscordShutdownDeadlineAnswersWhatStillWaits(t *testing.T) {
	api := &recordingAPI{}
	h := &gateHandler{release: make(chan struct{})} // never released
	a := newTestAdapter(t, api, h, time.Hour)
	a.o.ShutdownTimeout = 300 * time.Millisecond
	base := newStopCtx(context.Background())
	a.ctx, a.end = base, base.end
	a.queueMessage(a.s, dmN("1001", "hold"))
	waitFor(t, "the first DM in the engine", func() bool { got, _ := h.snapshot(); return len(got) == 1 })
	a.queueMessage(a.s, dmN("1002", "hold"))
	a.queueMessage(a.s, dmN("1003", "three"))
	a.queueInteraction(pressInDM(), nil)

	start := time.Now()
	stopped := make(chan struct{})
	go func() {
		a.stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown still waits for the queue after 10 s")
	}
	if took := time.Since(start); took < a.o.ShutdownTimeout {
		t.Fatalf("shutdown cut the events after %v, before its deadline", took)
	}
	got, errs := h.snapshot()
	if !slices.Equal(got, []string{"hold"}) || len(errs) != 1 || !errors.Is(errs[0], context.DeadlineExceeded) {
		t.Fatalf("engine got %v, ended by %v; want only the DM in flight, cut by a deadline", got, errs)
	}
	again := render(a.msg.Localize("en", "restarting_resend", nil))[0]
	dms, responses := answers(api)
	slices.Sort(dms)
	want := []string{again, again, "cut short"}
	slices.Sort(want)
	if !slices.Equal(dms, want) {
		t.Fatalf("DM answers %q, want %q", dms, want)
	}
	if want := fmt.Sprintf("%d:%s", discordgo.InteractionResponseChannelMessageWithSource, again); !slices.Equal(responses, []string{want}) {
		t.Fatalf("press answered %q, want %q", responses, want)
	}
}
