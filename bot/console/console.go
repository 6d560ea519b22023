// Package console is a terminal adapter: one line in is one message from the
// user, replies are printed. The demo and end-to-end tests drive it.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// Handler handles one request; *commands.Mux is one.
type Handler interface {
	Handle(ctx context.Context, req commands.Request, w commands.Replier)
}

// Identity is a user the console can play.
type Identity struct {
	// Role is what the user types after /as ("reporter", "investigator").
	Role string
	// UserID is the console user id; the engine's roles decide what it may do.
	UserID string
	// Label is the localised name shown after switching.
	Label string
}

// Options configure the console.
type Options struct {
	In  io.Reader
	Out io.Writer
	// Identities lists who the user can be; the first is the starting one.
	Identities []Identity
	// Say localises a console message id (the demo's own lines).
	Say func(id string, data map[string]any) string
	// Interactive is true when a person types at a terminal: a prompt is
	// shown before each line. Otherwise (a pipe) each line read is echoed
	// after the prompt, so the output reads as a transcript.
	Interactive bool
}

// Adapter runs a console session.
type Adapter struct {
	o       Options
	mu      sync.Mutex
	who     Identity
	buttons []commands.Button
	event   int64
}

// New returns a console adapter.
func New(o Options) *Adapter {
	return &Adapter{o: o, who: o.Identities[0]}
}

// Platform is the console's platform name in requests.
const Platform = "console"

// Run reads lines until EOF, /quit or ctx ends.
func (a *Adapter) Run(ctx context.Context, h Handler) error {
	in := bufio.NewReader(a.o.In)
	a.prompt()
	for {
		line, err := readLine(in, 256<<10)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		line = strings.TrimSpace(line)
		if line == "" {
			a.prompt()
			continue
		}
		if !a.o.Interactive {
			fmt.Fprintf(a.o.Out, "%s> %s\n", a.who.Role, line)
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		if rest, ok := strings.CutPrefix(line, "/as"); ok && (rest == "" || rest[0] == ' ') {
			a.switchTo(strings.TrimSpace(rest))
			a.prompt()
			continue
		}
		req, ok := a.request(line)
		if !ok {
			a.prompt()
			continue
		}
		h.Handle(ctx, req, a)
		a.prompt()
	}
}

// readLine reads one line, keeping at most max bytes of it (the engine
// refuses long messages with a clear answer; a huge line must not end the
// session).
func readLine(r *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			if len(b) > 0 && errors.Is(err, io.EOF) {
				return string(b), nil
			}
			return "", err
		}
		if len(b) < max {
			b = append(b, chunk[:min(len(chunk), max-len(b))]...)
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

func (a *Adapter) prompt() {
	if a.o.Interactive {
		fmt.Fprintf(a.o.Out, "%s> ", a.who.Role)
	}
}

func (a *Adapter) switchTo(role string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range a.o.Identities {
		if strings.EqualFold(id.Role, role) {
			a.who = id
			a.buttons = nil
			a.print(a.o.Say("demo_as", map[string]any{"Role": id.Label}))
			return
		}
	}
	a.print(a.o.Say("demo_as_usage", nil))
}

// request translates one typed line: "#2" presses the second button shown,
// "/cmd@bot args" is a command, anything else a message.
func (a *Adapter) request(line string) (commands.Request, bool) {
	// Event ids grow across runs too, as platform ids do: a demo against a
	// persistent Redis must not collide with the last session's events.
	a.event = max(a.event+1, time.Now().UnixMicro())
	req := commands.Request{
		Platform: Platform, UserID: a.who.UserID, ChatID: a.who.UserID, UserChat: a.who.UserID, Name: a.who.Label,
		ChatKind: commands.Private, EventID: a.event,
	}
	if n, ok := strings.CutPrefix(line, "#"); ok {
		i, err := strconv.Atoi(n)
		a.mu.Lock()
		defer a.mu.Unlock()
		if err != nil || i < 1 || i > len(a.buttons) {
			return req, false
		}
		req.Callback = a.buttons[i-1].Data
		return req, true
	}
	req.Text = line
	if strings.HasPrefix(line, "/") {
		word, args, _ := strings.Cut(line[1:], " ")
		name, _, _ := strings.Cut(word, "@")
		req.Command, req.Args, req.CommandAtStart = strings.ToLower(name), strings.TrimSpace(args), true
	}
	return req, true
}

// Reply prints a reply, numbering its buttons for "#N".
func (a *Adapter) Reply(_ context.Context, r commands.Reply) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.print(r.Text)
	if len(r.Buttons) > 0 {
		a.buttons = a.buttons[:0]
		var b strings.Builder
		for _, row := range r.Buttons {
			b.WriteString("  ")
			for _, btn := range row {
				a.buttons = append(a.buttons, btn)
				fmt.Fprintf(&b, "[#%d %s] ", len(a.buttons), btn.Label)
			}
			b.WriteString("\n")
		}
		fmt.Fprint(a.o.Out, b.String())
	}
	for i, f := range r.Files {
		fmt.Fprintf(a.o.Out, "  [%s %d]\n", f.Kind, i+1)
	}
	return nil
}

// Send prints a message the engine sends on its own (a draft expiry).
func (a *Adapter) Send(ctx context.Context, _ string, r commands.Reply) (string, error) {
	return "", a.Reply(ctx, r)
}

func (a *Adapter) print(text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(a.o.Out, "  %s\n", line)
	}
	fmt.Fprintln(a.o.Out)
}

// WipeChat is the demo's chat wipe (commands.ChatWiper): the terminal is
// cleared where there is one, and the demo says what a platform would do.
func (a *Adapter) WipeChat(_ context.Context, _, _ string) (commands.WipeResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.o.Interactive {
		fmt.Fprint(a.o.Out, "\033[H\033[2J\033[3J")
	}
	a.print(a.o.Say("demo_wiped", nil))
	return commands.WipeResult{}, nil
}
