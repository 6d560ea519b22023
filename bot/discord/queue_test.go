package discord

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// orderHandler records the order in which the engine gets requests.
type orderHandler struct {
	mu    sync.Mutex
	got   []string
	table []*commands.Command
}

func (h *orderHandler) Handle(_ context.Context, req commands.Request, _ commands.Replier) {
	h.mu.Lock()
	defer h.mu.Unlock()
	what := "msg"
	switch {
	case req.Callback != "":
		what = "button:" + req.Callback
	case req.Command != "":
		what = "command:" + req.Command
	}
	h.got = append(h.got, fmt.Sprintf("%s(file=%v)", what, req.FileData != nil))
}

func (h *orderHandler) Commands() []*commands.Command { return h.table }

func (h *orderHandler) snapshot() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// A reporter's events reach the engine in the order Discord sent them: a
// photo, then a press on Send, is the photo first (its download takes a
// while), so the tip goes with it.
func TestDiscordUserEventsReachEngineInOrder(t *testing.T) {
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond) // a photo download
		w.Write([]byte("\xff\xd8\xff photo"))
	}))
	defer cdn.Close()
	g := newTestGateway(t,
		map[string]any{"op": 0, "t": "MESSAGE_CREATE", "s": 2, "d": map[string]any{"id": "3001", "channel_id": "77", "content": "foto del camión",
			"author":      map[string]any{"id": "50", "username": "r"},
			"attachments": []any{map[string]any{"id": "3002", "filename": "a.jpg", "content_type": "image/jpeg", "url": cdn.URL + "/a.jpg"}}}},
		map[string]any{"op": 0, "t": "INTERACTION_CREATE", "s": 3, "d": map[string]any{"id": "3003", "application_id": "11", "type": 3, "token": "t",
			"channel_id": "77", "user": map[string]any{"id": "50", "username": "r"}, "data": map[string]any{"custom_id": "send:d1", "component_type": 2}}},
	)
	h := &orderHandler{}
	g.run(t, h)
	waitFor(t, "two requests", func() bool { return len(h.snapshot()) == 2 })
	if got, want := h.snapshot(), []string{"msg(file=true)", "button:send:d1(file=false)"}; !slices.Equal(got, want) {
		t.Fatalf("engine order %v, want %v", got, want)
	}
}

// heldHandler holds a DM's handling until released; it answers
// interactions at once.
type heldHandler struct {
	orderHandler
	release chan struct{}
}

func (h *heldHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	h.orderHandler.Handle(ctx, req, w)
	if req.Callback == "" && req.Command == "" {
		<-h.release
	}
	if req.CanOpenForms {
		_ = w.Reply(ctx, commands.Reply{Form: &commands.Form{ID: "report", Title: "Report"}})
	}
}

// Waiting for a user's earlier event never costs an interaction its
// acknowledgement: a press queued behind a slow DM is deferred on time and
// handled after the DM, and a command that opens a form does not wait.
func TestDiscordQueuedInteractionIsAcknowledgedOnTime(t *testing.T) {
	api := &recordingAPI{}
	h := &heldHandler{release: make(chan struct{}), orderHandler: orderHandler{table: []*commands.Command{{Name: "report", OpensForm: true}}}}
	a := newTestAdapter(t, api, h, 20*time.Millisecond)
	a.useTable(h.table)
	a.queueMessage(a.s, dm("una foto"))
	press := commandInteraction()
	press.GuildID, press.Member, press.User = "", nil, &discordgo.User{ID: "50"}
	press.Type, press.Data = discordgo.InteractionMessageComponent, discordgo.MessageComponentInteractionData{CustomID: "send:d1"}
	a.queueInteraction(press, nil)
	report := commandInteraction()
	report.ID, report.Member, report.GuildID, report.User = "12", nil, "", &discordgo.User{ID: "50"}
	report.Data = discordgo.ApplicationCommandInteractionData{Name: "report"}
	a.queueInteraction(report, nil)

	waitFor(t, "the press deferred and the form opened while the DM is held", func() bool {
		calls, bodies := api.snapshot()
		deferred, form := false, false
		for n, c := range calls {
			deferred = deferred || strings.HasSuffix(c, "/interactions/10/tok/callback") && bodies[n]["type"] == float64(discordgo.InteractionResponseDeferredChannelMessageWithSource)
			form = form || strings.HasSuffix(c, "/interactions/12/tok/callback") && bodies[n]["type"] == float64(discordgo.InteractionResponseModal)
		}
		return deferred && form
	})
	// The DM and /report run side by side, in either order.
	got := h.snapshot()
	slices.Sort(got)
	if want := []string{"command:report(file=false)", "msg(file=false)"}; !slices.Equal(got, want) {
		t.Fatalf("while the DM is held the engine got %v, want %v", got, want)
	}
	close(h.release)
	a.wg.Wait()
	if got := h.snapshot(); len(got) != 3 || got[2] != "button:send:d1(file=false)" {
		t.Fatalf("engine order %v, want the press last", got)
	}
}
