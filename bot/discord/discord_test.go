package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/commands"
)

// recordingAPI is a Discord REST API that records calls; the first
// `limited` calls get a 429.
type recordingAPI struct {
	mu      sync.Mutex
	calls   []string
	bodies  []map[string]any
	limited int
}

func (r *recordingAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.limited > 0 {
		r.limited--
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.05,"global":false}`)
		r.calls = append(r.calls, "429")
		return
	}
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	r.calls = append(r.calls, req.Method+" "+req.URL.Path)
	r.bodies = append(r.bodies, m)
	w.Header().Set("Content-Type", "application/json")
	if strings.Contains(req.URL.Path, "/callback") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
}

func (r *recordingAPI) snapshot() ([]string, []map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...), append([]map[string]any(nil), r.bodies...)
}

type slowHandler struct{ delay time.Duration }

func (h slowHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	time.Sleep(h.delay) // the slow work Discord must not wait for
	_ = w.Reply(ctx, commands.Reply{Text: "done"})
}

func (slowHandler) Commands() []*commands.Command { return nil }

func newTestAdapter(t *testing.T, api http.Handler, h Handler, deferAfter time.Duration) *Adapter {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	a, err := New(Options{Token: "x", APIURL: srv.URL, DeferAfter: deferAfter})
	if err != nil {
		t.Fatal(err)
	}
	a.h, a.ctx = h, context.Background()
	return a
}

func commandInteraction() *discordgo.InteractionCreate {
	return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{
		ID: "10", AppID: "20", Token: "tok", Type: discordgo.InteractionApplicationCommand, ChannelID: "30", GuildID: "40",
		Member: &discordgo.Member{User: &discordgo.User{ID: "50"}},
		Data:   discordgo.ApplicationCommandInteractionData{Name: "recent"},
	}}
}

// A slow answer is deferred within Discord's 3 s, then sent as a follow-up.
func TestDiscordSlowAnswerIsDeferredThenFollowedUp(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, slowHandler{delay: 300 * time.Millisecond}, 20*time.Millisecond)
	a.onInteraction(a.s, commandInteraction())
	calls, bodies := api.snapshot()
	if len(calls) != 2 || !strings.HasSuffix(calls[0], "/interactions/10/tok/callback") || !strings.Contains(calls[1], "/webhooks/20/tok") {
		t.Fatalf("calls: %v", calls)
	}
	if bodies[0]["type"] != float64(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Fatalf("first answer is not a deferral: %v", bodies[0])
	}
	if int(bodies[0]["data"].(map[string]any)["flags"].(float64))&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Fatalf("deferral in a server channel not ephemeral: %v", bodies[0])
	}
	if bodies[1]["content"] != "done" {
		t.Fatalf("follow-up: %v", bodies[1])
	}
}

// A fast answer is the interaction's own response.
func TestDiscordFastAnswerIsTheResponse(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	a.onInteraction(a.s, commandInteraction())
	_, bodies := api.snapshot()
	if len(bodies) != 1 || bodies[0]["type"] != float64(discordgo.InteractionResponseChannelMessageWithSource) {
		t.Fatalf("bodies: %v", bodies)
	}
}

// 429s are retried after retry_after, a bounded number of times.
func TestDiscordRateLimitsAreRetriedBoundedly(t *testing.T) {
	api := &recordingAPI{limited: 2}
	a := newTestAdapter(t, api, slowHandler{}, time.Hour)
	if _, err := a.Send(context.Background(), "123", commands.Reply{Text: "hola"}); err != nil {
		t.Fatalf("send after two 429s: %v", err)
	}
	calls, _ := api.snapshot()
	if len(calls) != 3 || calls[2] != "POST /api/v9/channels/123/messages" {
		t.Fatalf("calls: %v", calls)
	}
	api = &recordingAPI{limited: 100}
	a = newTestAdapter(t, api, slowHandler{}, time.Hour)
	if _, err := a.Send(context.Background(), "123", commands.Reply{Text: "hola"}); err == nil {
		t.Fatal("a send that is always limited succeeded")
	}
	if calls, _ := api.snapshot(); len(calls) != 4 {
		t.Fatalf("%d attempts, want 4", len(calls))
	}
	// The context cuts a long retry_after short.
	long := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":600,"global":false}`)
	})
	a = newTestAdapter(t, long, slowHandler{}, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := a.Send(ctx, "123", commands.Reply{Text: "hola"}); err == nil {
		t.Fatal("send under a 600 s rate limit succeeded")
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Fatalf("ignored the context for %v", waited)
	}
}

func TestDiscordRenderEscapesAndSplits(t *testing.T) {
	got := render("**bold** [x](hxxps://a) @everyone <@1> `code`")
	if len(got) != 1 || got[0] != `\*\*bold\*\* \[x\]\(hxxps\://a\) \@everyone \<\@1\> \`+"`"+`code\`+"`" {
		t.Fatalf("render = %q", got)
	}
	long := strings.Repeat("línea con texto\n", 400)
	parts := render(long)
	total := ""
	for _, p := range parts {
		if len([]rune(p)) > maxContent {
			t.Fatalf("part of %d characters", len([]rune(p)))
		}
		total += p
	}
	if total != long || len(parts) < 2 {
		t.Fatalf("split lost text: %d parts", len(parts))
	}
	// Escaping doubles these; every cut must keep escape pairs whole and
	// make progress (a run of backslashes once made render loop forever).
	// (The rest of a line cut goes on behind the quote mark.)
	for _, in := range []string{strings.Repeat("*", 3000), strings.Repeat(`\`, 3000), strings.Repeat(`\a`, 1500), strings.Repeat("ñ*", 1500)} {
		parts := render(in)
		joined := strings.ReplaceAll(strings.Join(parts, ""), commands.QuoteMark+" ", "")
		if joined != escaper.Replace(in) {
			t.Fatalf("render lost or changed text for %q...", in[:10])
		}
		for _, p := range parts {
			if len(p) == 0 || len([]rune(p)) > maxContent {
				t.Fatalf("bad part of %d characters", len([]rune(p)))
			}
			k := len(p) - len(strings.TrimRight(p, `\`))
			if k%2 == 1 {
				t.Fatalf("a cut split an escape pair")
			}
		}
	}
}

func TestDiscordRedactDropsTokensAndBodies(t *testing.T) {
	a := &Adapter{o: Options{Token: "SECRET-TOKEN"}}
	for _, err := range []error{
		fmt.Errorf(`Post "https://discord.com/api/v9/webhooks/1/INTERACTION-TOKEN": dial tcp: refused`),
		&discordgo.RESTError{Response: &http.Response{StatusCode: 400}, ResponseBody: []byte(`{"content":"cobran piso"}`)},
		fmt.Errorf("bad SECRET-TOKEN"),
	} {
		s := a.redact(err)
		for _, leak := range []string{"INTERACTION-TOKEN", "cobran", "SECRET-TOKEN"} {
			if strings.Contains(s, leak) {
				t.Errorf("redact(%v) = %q", err, s)
			}
		}
	}
}

type silentHandler struct{}

func (silentHandler) Handle(context.Context, commands.Request, commands.Replier) {}
func (silentHandler) Commands() []*commands.Command                              { return nil }

// An interaction the engine does not answer is still closed: a button press
// is acknowledged, a command's deferral is deleted, so no client shows
// "interaction failed" or "thinking…".
func TestDiscordUnansweredInteractionsAreClosed(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, silentHandler{}, time.Hour)
	press := commandInteraction()
	press.Type = discordgo.InteractionMessageComponent
	press.Data = discordgo.MessageComponentInteractionData{CustomID: "stale"}
	a.onInteraction(a.s, press)
	calls, bodies := api.snapshot()
	if len(calls) != 1 || bodies[0]["type"] != float64(discordgo.InteractionResponseDeferredMessageUpdate) {
		t.Fatalf("button: %v %v", calls, bodies)
	}
	api = &recordingAPI{}
	a = newTestAdapter(t, api, silentHandler{}, time.Hour)
	a.onInteraction(a.s, commandInteraction())
	calls, _ = api.snapshot()
	if len(calls) != 2 || !strings.HasPrefix(calls[1], "DELETE ") || !strings.HasSuffix(calls[1], "/messages/@original") {
		t.Fatalf("command: %v", calls)
	}
}

// argsHandler answers with the arguments it was given.
type argsHandler struct{}

func (argsHandler) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	_ = w.Reply(ctx, commands.Reply{Text: "args=" + req.Args})
}

func (argsHandler) Commands() []*commands.Command { return nil }

// An integer option holding something else (a malformed payload) is passed
// on as text instead of panicking, so the interaction is still answered.
func TestDiscordMalformedIntegerOption(t *testing.T) {
	api := &recordingAPI{}
	a := newTestAdapter(t, api, argsHandler{}, time.Hour)
	i := commandInteraction()
	i.Data = discordgo.ApplicationCommandInteractionData{Name: "tip", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "number", Type: discordgo.ApplicationCommandOptionInteger, Value: "7; DROP"},
	}}
	a.onInteraction(a.s, i)
	_, bodies := api.snapshot()
	if len(bodies) != 1 || bodies[0]["data"].(map[string]any)["content"] != "args=7; DROP" {
		t.Fatalf("bodies: %v", bodies)
	}
}

// The janitor's sweep of the rate limiter never holds up a REST call: with
// a slow upload in flight it is skipped, and an interaction is answered
// meanwhile; once nothing is in flight it is done.
func TestDiscordLimiterSweepNeverWaits(t *testing.T) {
	release := make(chan struct{})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "/callback") {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		<-release // a slow upload to an investigator
		fmt.Fprint(w, `{"id":"1","channel_id":"2","content":""}`)
	})
	a := newTestAdapter(t, api, replyHandler{commands.Reply{Text: "ok"}}, time.Hour)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		_, _ = a.Send(context.Background(), "123", commands.Reply{Text: "tip with a big file"})
	}()
	waitFor(t, "the upload in flight", func() bool {
		if a.rl.TryLock() {
			a.rl.Unlock()
			return false
		}
		return true
	})
	swept := make(chan bool, 1)
	go func() { swept <- a.sweepLimiter() }()
	var sweepDone, didSweep bool
	waitFor(t, "the sweep to have been tried", func() bool {
		select {
		case didSweep = <-swept:
			sweepDone = true
			return true
		default:
		}
		if a.rl.TryRLock() {
			a.rl.RUnlock()
			return false
		}
		return true // a sweep waits for the lock, and holds up every new call
	})
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		a.onInteraction(a.s, commandInteraction())
	}()
	select {
	case <-answered:
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("an interaction waited for the janitor, which waited for a slow upload")
	}
	if !sweepDone {
		didSweep = <-swept
	}
	if didSweep {
		t.Fatal("the limiter was swapped under a call in flight")
	}
	close(release)
	<-sent
	if !a.sweepLimiter() {
		t.Fatal("the sweep was skipped with nothing in flight")
	}
}

// An interaction whose data discordgo cannot decode (a component type it
// does not know, sent by a newer client) keeps its type with no data: it
// is answered, in time, that it cannot be kept, never handled — its
// accessors would panic on the gateway's goroutine and end the process.
func TestDiscordUndecodableInteractionIsAnswered(t *testing.T) {
	for _, raw := range []string{
		`{"id":"10","application_id":"20","type":5,"token":"tok","channel_id":"77","version":1,"user":{"id":"50","username":"r"},` +
			`"data":{"custom_id":"report","components":[{"type":18,"id":1,"component":{"type":4,"custom_id":"tip","value":"el jefe es Juan"}}]}}`,
	} {
		var ic discordgo.InteractionCreate
		_ = json.Unmarshal([]byte(raw), &ic)
		api := &recordingAPI{}
		h := &recordingHandler{}
		a := newTestAdapter(t, api, h, time.Hour)
		a.queueInteraction(&ic, nil)
		a.wg.Wait()
		calls, bodies := api.snapshot()
		if len(calls) != 1 || !strings.HasSuffix(calls[0], "/callback") {
			t.Fatalf("%s: calls %v", raw[:30], calls)
		}
		data, _ := bodies[0]["data"].(map[string]any)
		if want := render(a.msg.Localize("en", "unsupported_message", nil))[0]; data["content"] != want {
			t.Errorf("%s: answered %v", raw[:30], bodies[0])
		}
		h.mu.Lock()
		if len(h.got) != 0 {
			t.Errorf("%s: handed to the engine", raw[:30])
		}
		h.mu.Unlock()
	}
}

// A quoted line (a tip's, an answer's) too long for one message is cut
// between two, and its rest goes on behind the quote mark: without it, the
// rest opened the next message as a line of the bot's own, so a reporter
// could make "Claimed by Bea…" or "Answer: …" read as the bot's.
func TestDiscordRenderKeepsACutQuotedLineQuoted(t *testing.T) {
	own := []string{"Tip #1 · Extortion · New", "", "Claimed by Ana 5 minutes ago"}
	for _, body := range []string{
		strings.Repeat("Claimed by Bea 1 minute ago · Bea: dismissed ", 100), // ~4,500 characters on one line
		strings.Repeat("ñ", 3000), strings.Repeat("*", 3000), strings.Repeat("🚨", 1500),
	} {
		text := own[0] + "\n\n" + commands.QuoteMark + " " + body + "\n" + commands.QuoteMark + " fin\n\n" + own[2]
		chunks := render(text)
		if len(chunks) < 3 {
			t.Fatalf("%d chunks", len(chunks))
		}
		var back strings.Builder
		for i, c := range chunks {
			if len(c) > maxContent {
				t.Fatalf("chunk %d of %d bytes", i, len(c))
			}
			for _, l := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
				if l := unescape(l); l != own[0] && l != own[1] && l != own[2] && !strings.HasPrefix(l, commands.QuoteMark) {
					t.Fatalf("chunk %d has a line of the quoted text without the mark: %.60q…", i, l)
				}
			}
			back.WriteString(strings.ReplaceAll(unescape(c), commands.QuoteMark+" ", ""))
		}
		if back.String() != strings.ReplaceAll(text, commands.QuoteMark+" ", "") {
			t.Fatalf("rendering lost or changed text")
		}
	}
}

// unescape undoes escaper.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// A line of the page's own that holds someone's long text (a history
// entry: a note or an answer of up to 2,000 characters), cut between two
// messages, goes on behind the quote mark too: the rest does not open the
// next message as a line of the bot's own, and the mark says the line
// goes on. A cut at a line break adds nothing.
func TestDiscordRenderMarksTheRestOfACutLine(t *testing.T) {
	own := []string{"History:", "2026-12-04 10:00 UTC · [K7QXM] Ana took it"}
	entry := "2026-12-04 10:05 UTC · note by [K7QXM] Ana: "
	for _, body := range []string{
		string([]rune(strings.Repeat("2026-12-04 10:06 UTC · [K7QXM] Ana: dismissed ", 50))[:2000]),
		strings.Repeat("ñ", 2000), strings.Repeat("*", 2000), strings.Repeat("🚨", 1000),
	} {
		text := own[0] + "\n" + own[1] + "\n" + entry + body + "\n" + own[1]
		chunks := render(text)
		if len(chunks) < 2 {
			t.Fatalf("%d chunks", len(chunks))
		}
		var back strings.Builder
		marked := 0
		for i, c := range chunks {
			if len(c) > maxContent {
				t.Fatalf("chunk %d of %d bytes", i, len(c))
			}
			for _, l := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
				switch l := unescape(l); {
				case strings.HasPrefix(l, commands.QuoteMark):
					marked++
				case l != own[0] && l != own[1] && !strings.HasPrefix(l, entry):
					t.Fatalf("chunk %d opens a line with the rest of a cut one, unmarked: %.60q…", i, l)
				}
			}
			back.WriteString(strings.ReplaceAll(unescape(c), commands.QuoteMark+" ", ""))
		}
		if marked == 0 {
			t.Errorf("no line behind the mark: the cut one goes on unmarked")
		}
		if back.String() != text {
			t.Fatalf("rendering lost or changed text")
		}
	}
}
