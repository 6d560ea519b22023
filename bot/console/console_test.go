package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

type echo struct{ got []commands.Request }

func (e *echo) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	e.got = append(e.got, req)
	_ = w.Reply(ctx, commands.Reply{Text: "ok", Buttons: [][]commands.Button{{{Label: "Send", Data: "send:1"}}}})
}

// runEcho runs a session of a on an echo handler to its end, and returns
// the handler, with the requests it got.
func runEcho(t *testing.T, a *Adapter) *echo {
	t.Helper()
	h := &echo{}
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	return h
}

// newConsole is New with what most tests share filled in where o leaves
// it out: the reporter (user "1", the one the session starts as) and the
// investigator ("2") to play, the console's lines said as their message
// ids (sayID), and no line to read. The prompt and the roles' names in
// English are said as the English messages say them (englishRoles).
func newConsole(o Options) *Adapter {
	if o.Identities == nil {
		o.Identities = []Identity{{Role: "reporter", UserID: "1"}, {Role: "investigator", UserID: "2"}}
	}
	if o.Say == nil {
		o.Say = sayID
	}
	o.Say = englishRoles(o.Say)
	if o.In == nil {
		o.In = strings.NewReader("")
	}
	return New(o)
}

// englishRoles is say, but for the prompt and the roles' names in
// English (or in the default language, ""), which are said as the
// English messages say them: "demo_prompt" as the role's name and "> ",
// "demo_role_reporter" as "reporter". So a transcript reads
// "reporter> hola", and in another language, by say,
// "es:demo_role_reporter> hola".
func englishRoles(say func(lang, id string, data map[string]any) string) func(lang, id string, data map[string]any) string {
	return func(lang, id string, data map[string]any) string {
		if id == "demo_prompt" {
			return fmt.Sprint(data["Role"]) + "> "
		}
		if role, ok := strings.CutPrefix(id, "demo_role_"); ok && (lang == "" || lang == "en") {
			return role
		}
		return say(lang, id, data)
	}
}

// sayID says a console line as its message id.
func sayID(_, id string, _ map[string]any) string { return id }

// sayAngled says a console line as its message id in angle brackets.
func sayAngled(_, id string, _ map[string]any) string { return "<" + id + ">" }

// sayPressed says a console line as its message id followed by the
// button pressed: "demo_no_button(#2)".
func sayPressed(_, id string, data map[string]any) string {
	return id + "(" + fmt.Sprint(data["Pressed"]) + ")"
}

// sayInLanguage says a console line as its language and message id,
// followed by the button pressed and the role named, if any:
// "es:demo_no_button(#7)", "es:demo_as(es:demo_role_investigator)".
func sayInLanguage(lang, id string, data map[string]any) string {
	s := lang + ":" + id
	if p, ok := data["Pressed"]; ok {
		s += "(" + p.(string) + ")"
	}
	if r, ok := data["Role"]; ok {
		s += "(" + r.(string) + ")"
	}
	return s
}

// chosenLanguage is the engine's language for a user: the one they chose
// (chosen, by user id), else the one their client asks for, else English.
func chosenLanguage(chosen map[string]string) func(userID, client string) string {
	return func(userID, client string) string {
		if l := chosen[userID]; l != "" {
			return l
		}
		if client != "" {
			return client
		}
		return "en"
	}
}

// A huge line does not end the session; commands, buttons and /as are
// translated as the engine expects.
func TestConsoleLines(t *testing.T) {
	in := strings.Repeat("x", 3<<20) + "\n/status@VigiaBot ABCD\n#1\n#9\n/as investigator\nhola\n/quit\nnever read\n"
	out := &bytes.Buffer{}
	a := newConsole(Options{In: strings.NewReader(in), Out: out})
	h := runEcho(t, a)
	if len(h.got) != 4 {
		t.Fatalf("%d requests: %+v", len(h.got), h.got)
	}
	if len(h.got[0].Text) != 256<<10 {
		t.Fatalf("long line kept %d bytes", len(h.got[0].Text))
	}
	if h.got[1].Command != "status" || h.got[1].Args != "ABCD" || !h.got[1].CommandAtStart {
		t.Fatalf("command: %+v", h.got[1])
	}
	if h.got[2].Callback != "send:1" {
		t.Fatalf("button: %+v", h.got[2])
	}
	if h.got[3].UserID != "2" || h.got[3].Text != "hola" {
		t.Fatalf("after /as: %+v", h.got[3])
	}
	if !strings.Contains(out.String(), "demo_as") {
		t.Fatalf("no switch notice: %q", out.String()[:200])
	}
}

// A command after other text is marked as Telegram marks one, not at the
// start: the engine answers "🙏 /help" and keeps "no pagan /cancelar el
// contrato" as text. A slash that starts no word is no command.
//
// A no-break space (a phone's keyboard types one) ends a command as a
// space does: "/tip\u00a012" is /tip 12, not an unknown command "tip 12";
// "/as\u00a0investigator" switches.
// Mutation: words cut at " " alone (as before) → "/tip\u00a012" is the
// command "tip\u00a012", test fails; "/as" followed by " " alone → the
// switch is sent to the engine, test fails.
func TestConsoleCommandAfterText(t *testing.T) {
	in := "🙏 /help\nno pagan /Cancelar@VigiaBot el contrato\n1/2 kilo, 50 / 50\n/tip\u00a012\u00a02\nya /nota\u2003x\n/as\u00a0investigator\n"
	a := newConsole(Options{In: strings.NewReader(in), Out: &bytes.Buffer{}})
	h := runEcho(t, a)
	if a.who.Role != "investigator" {
		t.Errorf("/as\u00a0investigator did not switch: %s", a.who.Role)
	}
	if len(h.got) != 5 {
		t.Fatalf("%d requests: %+v", len(h.got), h.got)
	}
	if g := h.got[0]; g.Command != "help" || g.CommandAtStart || g.Text != "🙏 /help" {
		t.Errorf("🙏 /help: %+v", g)
	}
	if g := h.got[1]; g.Command != "cancelar" || g.Args != "el contrato" || g.CommandAtStart {
		t.Errorf("a command after words: %+v", g)
	}
	if g := h.got[2]; g.Command != "" {
		t.Errorf("slashes in text: %+v", g)
	}
	if g := h.got[3]; g.Command != "tip" || g.Args != "12\u00a02" || !g.CommandAtStart {
		t.Errorf("/tip after a no-break space: %+v", g)
	}
	if g := h.got[4]; g.Command != "nota" || g.Args != "x" {
		t.Errorf("/nota after an em space: %+v", g)
	}
}

// A wipe in a pipe says what a platform would do; at a terminal it also
// clears the screen.
func TestConsoleWipe(t *testing.T) {
	for _, interactive := range []bool{false, true} {
		var out bytes.Buffer
		a := newConsole(Options{Out: &out, Interactive: interactive, Identities: []Identity{{Role: "reporter", UserID: "1"}}, Say: sayAngled})
		if _, err := a.WipeChat(context.Background(), "1", ""); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "<demo_wiped>") || strings.Contains(out.String(), "\033[2J") != interactive {
			t.Fatalf("interactive=%v: %q", interactive, out.String())
		}
	}
}

// A wipe the reporter scheduled comes due while the session plays the
// investigator: it is the reporter's chat that is wiped (the buttons left
// there for the way back are gone), not the investigator's, whose buttons
// stay pressable and, at a terminal, are shown again under the cleared
// screen; the notice says whose chat it was, in that user's language.
// Mutation: WipeChat ignoring chatID (as before) → the investigator's
// /next buttons are dropped, the reporter's draft buttons survive the
// wipe, and the notice is the investigator's, in English: test fails.
func TestConsoleWipeOfTheOtherChat(t *testing.T) {
	for _, interactive := range []bool{false, true} {
		var out bytes.Buffer
		a := newConsole(Options{Out: &out, Interactive: interactive,
			Say: func(lang, id string, _ map[string]any) string { return "<" + lang + ":" + id + ">" },
			Language: func(userID, client string) string {
				if userID == "1" {
					return "es"
				}
				return "en"
			}})
		a.rows = [][]commands.Button{{{Label: "Enviar", Data: "send:d1"}}}
		a.switchTo("investigator")
		a.rows = [][]commands.Button{{{Label: "Verified", Data: "tri:1:v"}}}
		out.Reset()
		if _, err := a.WipeChat(context.Background(), "1", ""); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if len(a.rows) != 1 || a.rows[0][0].Data != "tri:1:v" {
			t.Errorf("interactive=%v: the investigator's buttons after the reporter's wipe: %v", interactive, a.rows)
		}
		if !strings.Contains(got, "<en:demo_wiped_for>") || !strings.Contains(got, "<es:demo_wiped>") {
			t.Errorf("interactive=%v: notice %q, want the reporter's, in Spanish", interactive, got)
		}
		if strings.Contains(got, "[#1 Verified]") != interactive {
			t.Errorf("interactive=%v: the investigator's buttons shown again: %q", interactive, got)
		}
		a.switchTo("reporter")
		if len(a.rows) != 0 {
			t.Errorf("interactive=%v: the reporter's wiped chat still has buttons: %v", interactive, a.rows)
		}
	}
}

// lockedBuffer is an output written by Run's goroutine and read by the
// test's; wrote is signalled on each write.
type lockedBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer func() {
		select {
		case l.wrote <- struct{}{}:
		default:
		}
	}()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the output ends with suffix.
func (l *lockedBuffer) waitFor(t *testing.T, suffix string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.HasSuffix(l.String(), suffix) {
		select {
		case <-l.wrote:
		case <-deadline:
			t.Fatalf("output does not end with %q: %q", suffix, l.String())
		}
	}
}

// At a terminal, a message the engine sends on its own while the session
// waits for a line (a sweep's: a draft expired, a wipe scheduled with
// "/wipe 30m" come due) starts on a line of its own, not after the
// prompt, and the prompt is shown again under it: the person typing is
// not left at a bare line. Those sent while a line is handled (an /ask's
// question to the other chat) are followed by the one prompt Run shows.
// Mutation: no prompt after a message sent while waiting (as before) →
// fails; no line break before it → fails; the prompt shown after every
// Send (idle never cleared) → two prompts after a handled line, fails.
func TestConsolePromptAfterAMessageSentWhileWaiting(t *testing.T) {
	in, typing := io.Pipe()
	defer typing.Close()
	out := &lockedBuffer{wrote: make(chan struct{}, 1)}
	a := newConsole(Options{In: in, Out: out, Interactive: true, Say: sayAngled})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- a.Run(ctx, handlerFunc(func(ctx context.Context, req commands.Request, w commands.Replier) {
			a.Send(ctx, "2", commands.Reply{Text: "question"}) // to the other chat, while handled
			_ = w.Reply(ctx, commands.Reply{Text: "delivered"})
		}))
	}()
	out.waitFor(t, "reporter> ")
	if _, err := a.Send(ctx, "1", commands.Reply{Text: "draft expired"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "reporter> \n  draft expired\n\nreporter> "; !strings.HasSuffix(got, want) {
		t.Fatalf("a message sent while waiting: %q, want it to end %q", got, want)
	}
	if _, err := a.WipeChat(ctx, "2", ""); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasSuffix(got, "<demo_wiped>\n\nreporter> ") {
		t.Fatalf("a wipe of the other chat come due while waiting: %q", got)
	}
	before := len(out.String())
	if _, err := io.WriteString(typing, "ask\n"); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "delivered\n\nreporter> ")
	if got := out.String()[before:]; strings.Count(got, "reporter> ") != 1 {
		t.Fatalf("a handled line's output: %q, want one prompt, at its end", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// keyboard answers with buttons: three the first time, then one row of
// three, as a draft's keyboard shrinks after a category is chosen. It
// records the requests it gets.
type keyboard struct{ got []commands.Request }

func (k *keyboard) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	k.got = append(k.got, req)
	if req.Command == "language" {
		return
	}
	rows := [][]commands.Button{{{Label: "Extortion", Data: "cat:x"}, {Label: "Drugs", Data: "cat:y"}}}
	for range 4 {
		rows = append(rows, rows[0])
	}
	if len(k.got) > 1 {
		rows = [][]commands.Button{{{Label: "Questions", Data: "fu:1"}, {Label: "Send", Data: "send:1"}, {Label: "Cancel", Data: "cancel:1"}}}
	}
	_ = w.Reply(ctx, commands.Reply{Text: "ok", Buttons: rows})
}

// A button that is not there is said so, in the session's language, with
// the buttons that are, and nothing is sent; "#tag" is a message. The
// session's language is the engine's for the user at the keyboard, and a
// user switched to is asked for in it.
func TestConsoleButtonsThatAreNotThere(t *testing.T) {
	in := "#1\nhola\n#99\n#0\n#\n#10\n#10\n# 2\n#narcos en la colonia\n/language es\n#7\n/as investigator\n#1\n"
	var out bytes.Buffer
	chosen := map[string]string{}
	a := newConsole(Options{In: strings.NewReader(in), Out: &out, Say: sayInLanguage, Language: chosenLanguage(chosen)})
	k := &keyboard{}
	h := handlerFunc(func(ctx context.Context, req commands.Request, w commands.Replier) {
		if req.Command == "language" {
			chosen[req.UserID] = req.Args
		}
		k.Handle(ctx, req, w)
	})
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"en:demo_no_buttons(#1)\n",
		"en:demo_no_button(#99)\n  [#1 Extortion] [#2 Drugs] \n",
		"[#9 Extortion] [#10 Drugs] \n\nreporter> #0\n  en:demo_no_button(#0)\n", "en:demo_no_button(#)\n",
		"reporter> #10\n  en:demo_no_button(#10)\n  [#1 Questions] [#2 Send] [#3 Cancel] \n",
		// Shown before the change of language: by number, not with
		// the labels of the language left.
		"es:demo_no_button_earlier(#7)\n  [#1] [#2] [#3] \n",
		"es:demo_as(es:demo_role_investigator)\n",
		"es:demo_no_buttons(#1)\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	var got []string
	for _, r := range k.got {
		got = append(got, r.Language+" "+r.Text+r.Callback)
	}
	want := []string{"en hola", "en cat:y", "en send:1", "en #narcos en la colonia", "en /language es"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("requests: %q, want %q", got, want)
	}
}

type handlerFunc func(ctx context.Context, req commands.Request, w commands.Replier)

func (f handlerFunc) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	f(ctx, req, w)
}

// A message the engine sends to the other identity's chat says whose it
// is, and its buttons are pressed from there, not from here.
func TestConsoleSendToTheOtherChat(t *testing.T) {
	var out bytes.Buffer
	a := newConsole(Options{Out: &out, Say: sayAngled})
	a.switchTo("investigator")
	a.rows = [][]commands.Button{{{Label: "Next", Data: "next"}}}
	answer := [][]commands.Button{{{Label: "Answer", Data: "ans:1"}}}
	if _, err := a.Send(context.Background(), "1", commands.Reply{Text: "question", Buttons: answer}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<demo_for>") || a.rows[0][0].Data != "next" {
		t.Fatalf("sent to the reporter, shown as the investigator's: %q, rows %v", out.String(), a.rows)
	}
	a.switchTo("reporter")
	if len(a.rows) != 1 || a.rows[0][0].Data != "ans:1" {
		t.Fatalf("after /as reporter, rows %v", a.rows)
	}
	// To the chat in use, as a reply.
	out.Reset()
	a.Send(context.Background(), "1", commands.Reply{Text: "expired", Buttons: [][]commands.Button{{{Label: "X", Data: "x"}}}})
	if strings.Contains(out.String(), "<demo_for>") || a.rows[0][0].Data != "x" {
		t.Fatalf("to the chat in use: %q %v", out.String(), a.rows)
	}
}

// The buttons left in a chat are still there on the way back (a draft's
// Send), unless a newer message to that chat brought its own.
func TestConsoleButtonsWaitForTheWayBack(t *testing.T) {
	var out bytes.Buffer
	a := newConsole(Options{Out: &out, Say: sayAngled})
	a.rows = [][]commands.Button{{{Label: "Send", Data: "send:d1"}}}
	a.switchTo("reporter") // already the reporter: the buttons stay
	if len(a.rows) != 1 {
		t.Fatalf("/as the same role dropped the buttons: %v", a.rows)
	}
	a.switchTo("investigator")
	if len(a.rows) != 0 {
		t.Fatalf("the reporter's buttons shown to the investigator: %v", a.rows)
	}
	a.switchTo("reporter")
	if len(a.rows) != 1 || a.rows[0][0].Data != "send:d1" {
		t.Fatalf("after the way back, rows %v", a.rows)
	}
	// A newer message to the reporter meanwhile wins.
	a.switchTo("investigator")
	a.Send(context.Background(), "1", commands.Reply{Text: "question", Buttons: [][]commands.Button{{{Label: "Answer", Data: "ans:1"}}}})
	a.switchTo("reporter")
	if len(a.rows) != 1 || a.rows[0][0].Data != "ans:1" {
		t.Fatalf("newer buttons: rows %v", a.rows)
	}
}

// Ctrl-C ends the demo while it waits for a line: main's context ends on
// SIGINT/SIGTERM, which no longer kill the process, so a session blocked
// on the terminal must return by itself, not at the next Enter.
func TestConsoleStopsWhileWaitingForALine(t *testing.T) {
	in, typing := io.Pipe()
	defer typing.Close()
	a := newConsole(Options{In: in, Out: &bytes.Buffer{}, Identities: []Identity{{Role: "reporter", UserID: "1"}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	handled := make(chan struct{})
	go func() { done <- a.Run(ctx, handledThen{handled}) }()
	if _, err := io.WriteString(typing, "hola\n"); err != nil {
		t.Fatal(err)
	}
	<-handled // the line is answered: the session waits for the next one
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run still waits for a line after its context ended (Ctrl-C does not stop the demo)")
	}
}

// Ctrl-C at a terminal while the session waits for a line: Run ends the
// prompt's line and returns, and a message the engine sends after that (a
// sweep's, in flight while the demo stops) is not followed by a prompt
// no one will answer, left under the shell's own.
// Mutation: idle left true when ctx ends (as before) → the output ends
// with "reporter> ": fails.
func TestConsoleNoPromptAfterCtrlC(t *testing.T) {
	in, typing := io.Pipe()
	defer typing.Close()
	out := &lockedBuffer{wrote: make(chan struct{}, 1)}
	a := newConsole(Options{In: in, Out: out, Interactive: true, Say: sayAngled})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, handledThen{make(chan struct{})}) }()
	out.waitFor(t, "reporter> ")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(context.Background(), "1", commands.Reply{Text: "draft expired"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WipeChat(context.Background(), "2", ""); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Contains(got[len("reporter> "):], "reporter> ") || !strings.HasSuffix(got, "<demo_wiped>\n\n") {
		t.Fatalf("after Ctrl-C: %q, want no prompt after the messages", got)
	}
}

// handledThen closes its channel once it has handled a request.
type handledThen struct{ done chan struct{} }

func (h handledThen) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	close(h.done)
}

// "#N" typed in the digits of any script presses button N, as "#1" does
// (as the engine reads numbers in commands): typed on a Hindi, Bengali,
// Thai or Arabic keyboard it was sent as a message, a draft's text; so
// does "＃１" typed on a CJK keyboard. A button that is not there is said
// so, and nothing is sent.
// Mutation: "#N" read in ASCII digits alone (as before) → "#१" is sent
// as text.
func TestConsoleButtonsInTheDigitsOfEveryScript(t *testing.T) {
	in := "hola\n#१\n#১\n#๑\n#١\n#𝟙\n＃１\n#२\n#١٢\n"
	out := &bytes.Buffer{}
	a := newConsole(Options{In: strings.NewReader(in), Out: out, Say: sayPressed, Identities: []Identity{{Role: "reporter", UserID: "1"}}})
	h := runEcho(t, a)
	var got []string
	for _, r := range h.got {
		got = append(got, r.Text+r.Callback)
	}
	if want := "hola|send:1|send:1|send:1|send:1|send:1|send:1"; strings.Join(got, "|") != want {
		t.Errorf("requests %q, want %q", strings.Join(got, "|"), want)
	}
	for _, want := range []string{"demo_no_button(#२)", "demo_no_button(#١٢)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// A "#" followed by a number that is no button shown (a sign, a decimal
// mark) is said so, and nothing is sent: "#-1" started a draft with the
// text "#-1". "#+1" is not "#1". A hashtag ("#x", "＃x") is still a
// message. So in the digits and marks of other keyboards: "#١٫٥" (Arabic
// decimal separator) is "#1.5", "#١٬٠" "#1,0", "＃１．５" "#1.5".
// Mutation: buttonShaped back to digits and spaces alone → "#-1" is sent
// as text; the plain-number check dropped → "#+1" presses button 1;
// the Arabic marks dropped from buttonShaped → "#١٫٥" is sent as text;
// the full-width forms not read → "＃１．５" is sent as text.
func TestConsoleButtonNumbersThatAreNoButtons(t *testing.T) {
	in := "hola\n#-1\n#+1\n#1.5\n# −2\n#1,0\n#x\n#١٫٥\n#١٬٠\n＃１．５\n#１．５\n＃x\n"
	out := &bytes.Buffer{}
	a := newConsole(Options{In: strings.NewReader(in), Out: out, Say: sayPressed, Identities: []Identity{{Role: "reporter", UserID: "1"}}})
	h := runEcho(t, a)
	var got []string
	for _, r := range h.got {
		got = append(got, r.Text+r.Callback)
	}
	if want := "hola|#x|＃x"; strings.Join(got, "|") != want {
		t.Errorf("requests %q, want %q", strings.Join(got, "|"), want)
	}
	for _, want := range []string{"demo_no_button(#-1)", "demo_no_button(#+1)", "demo_no_button(#1.5)", "demo_no_button(# −2)", "demo_no_button(#1,0)",
		"demo_no_button(#١٫٥)", "demo_no_button(#١٬٠)", "demo_no_button(＃１．５)", "demo_no_button(#１．５)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// Buttons shown before a change of language are still pressed by their
// number, as an old message's buttons are in a chat, but are not listed
// again with their labels in the language left ("Send" under a French
// line): by number alone, said so in the session's language. Buttons
// that answered the change are in the new language, and listed as usual.
// Mutation: stale always false → "[#1 Send]" listed after /language es
// (as before); show stamping the language before the answer → "Menu-es"
// taken for stale.
func TestConsoleButtonsAfterAChangeOfLanguage(t *testing.T) {
	in := "hola\n/as investigator\n/language es\n#5\n/as reporter\n#5\n#1\n"
	var out bytes.Buffer
	chosen := map[string]string{}
	a := newConsole(Options{In: strings.NewReader(in), Out: &out, Say: sayInLanguage, Language: chosenLanguage(chosen)})
	var got []string
	h := handlerFunc(func(ctx context.Context, req commands.Request, w commands.Replier) {
		got = append(got, req.Text+req.Callback)
		var rows [][]commands.Button
		switch req.Command {
		case "language":
			chosen[req.UserID] = req.Args
			rows = [][]commands.Button{{{Label: "Menu-" + req.Args, Data: "menu"}}}
		case "":
			if req.Callback == "" {
				rows = [][]commands.Button{{{Label: "Send", Data: "send:1"}, {Label: "Cancel", Data: "cancel:1"}}}
			}
		}
		_ = w.Reply(ctx, commands.Reply{Text: "ok", Buttons: rows})
	})
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"\nes:demo_role_investigator> #5\n  es:demo_no_button(#5)\n  [#1 Menu-es] \n",
		"es:demo_as(es:demo_role_reporter)\n\n  es:demo_buttons_earlier\n  [#1] [#2] \n",
		"\nes:demo_role_reporter> #5\n  es:demo_no_button_earlier(#5)\n  [#1] [#2] \n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s[strings.Index(s, "/language es"):], "Send]") {
		t.Errorf("the buttons shown in English listed with their labels after /language es:\n%s", s)
	}
	if want := "hola|/language es|send:1"; strings.Join(got, "|") != want {
		t.Errorf("requests %q, want %q", strings.Join(got, "|"), want)
	}
}

// The prompt names the identity played in the session's language, as
// /as takes it and the demo's lines name it: "investigador> " once the
// session speaks Spanish, not the English "investigator> ", at a
// terminal and in a transcript alike.
// Mutation: the prompt as the identity's Role (as before) → the
// prompts after /language es read "reporter> ", test fails.
func TestConsolePromptInTheSessionLanguage(t *testing.T) {
	in := "hola\n/language es\n/as investigator\n/as reporter\n"
	for _, interactive := range []bool{false, true} {
		var out bytes.Buffer
		chosen := map[string]string{}
		a := newConsole(Options{In: strings.NewReader(in), Out: &out, Interactive: interactive, Say: sayInLanguage, Language: chosenLanguage(chosen)})
		h := handlerFunc(func(ctx context.Context, req commands.Request, w commands.Replier) {
			if req.Command == "language" {
				chosen[req.UserID] = req.Args
			}
			_ = w.Reply(ctx, commands.Reply{Text: "ok"})
		})
		if err := a.Run(context.Background(), h); err != nil {
			t.Fatal(err)
		}
		want := "reporter> hola\n  ok\n\nreporter> /language es\n  ok\n\n" +
			"es:demo_role_reporter> /as investigator\n  es:demo_as(es:demo_role_investigator)\n\n" +
			"es:demo_role_investigator> /as reporter\n  es:demo_as(es:demo_role_reporter)\n\n"
		if interactive { // the prompts, the lines not echoed
			want = "reporter>   ok\n\nreporter>   ok\n\n" +
				"es:demo_role_reporter>   es:demo_as(es:demo_role_investigator)\n\n" +
				"es:demo_role_investigator>   es:demo_as(es:demo_role_reporter)\n\nes:demo_role_reporter> "
		}
		if got := out.String(); got != want {
			t.Errorf("interactive=%v:\n got %q\nwant %q", interactive, got, want)
		}
	}
}

// Buttons the engine says are in another language than the session's (a
// question to the reporter is in the language of their tip, whatever the
// session speaks now) are listed by number on switching to their chat,
// not with their labels under the session's lines; shown under their
// message, they keep their labels, in its language. Buttons the engine
// says are in the session's language keep their labels.
// Mutation: Send keeping the buttons without the language the engine
// says (shown{rows: r.Buttons}, as before) → "[#1 Answer]" listed under
// "fr:demo_as", test fails; show keeping them without it → "[#1 Remind]"
// listed under "fr:demo_no_button", test fails.
func TestConsoleButtonsInTheLanguageTheEngineSays(t *testing.T) {
	in := "/as investigator\n/ask\n/as reporter\n#5\n/remind\n#5\n/ok\n#5\n"
	var out bytes.Buffer
	a := newConsole(Options{In: strings.NewReader(in), Out: &out, Say: sayInLanguage, Language: func(string, string) string { return "fr" }})
	h := handlerFunc(func(ctx context.Context, req commands.Request, w commands.Replier) {
		switch req.Command {
		case "ask": // the reporter's tip was in English
			_, _ = a.Send(ctx, "1", commands.Reply{Text: "question", Buttons: [][]commands.Button{{{Label: "Answer", Data: "ans:1"}}}, Language: "en"})
			_ = w.Reply(ctx, commands.Reply{Text: "envoyée"})
		case "remind":
			_, _ = a.Send(ctx, "1", commands.Reply{Text: "reminder", Buttons: [][]commands.Button{{{Label: "Remind", Data: "held:1"}}}, Language: "en"})
		case "ok":
			_ = w.Reply(ctx, commands.Reply{Text: "ok", Buttons: [][]commands.Button{{{Label: "Envoyer", Data: "send:1"}}}, Language: "fr"})
		}
	})
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"fr:demo_as(fr:demo_role_reporter)\n\n  fr:demo_buttons_earlier\n  [#1] \n",
		"\nfr:demo_role_reporter> #5\n  fr:demo_no_button_earlier(#5)\n  [#1] \n",
		"  reminder\n\n  [#1 Remind] \n",
		"\nfr:demo_role_reporter> #5\n  fr:demo_no_button_earlier(#5)\n  [#1] \n\nfr:demo_role_reporter> /ok",
		"\nfr:demo_role_reporter> #5\n  fr:demo_no_button(#5)\n  [#1 Envoyer] \n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "[#1 Answer]") {
		t.Errorf("a button in English listed with its label under French lines:\n%s", s)
	}
}

// The demo's own commands are read in any case, as the engine reads its
// commands: "/As investigator" (a keyboard's capital) switches and "/QUIT"
// leaves, where they were sent to the engine and answered "I don't know
// that command". "/ASK 1 x" is still the engine's /ask, not a switch.
// Mutation: "/as" and "/quit" matched in lower case only (as before) →
// "/As investigator" and "/QUIT" reach the engine, test fails.
func TestConsoleOwnCommandsInAnyCase(t *testing.T) {
	in := "/As investigator\nhola\n/ASK 1 x\n/AS REPORTER\n/Quit\nnever read\n"
	out := &bytes.Buffer{}
	a := newConsole(Options{In: strings.NewReader(in), Out: out})
	h := runEcho(t, a)
	if len(h.got) != 2 {
		var sent []string
		for _, g := range h.got {
			sent = append(sent, g.Text)
		}
		t.Fatalf("%d requests, want 2: %q", len(h.got), sent)
	}
	if g := h.got[0]; g.UserID != "2" || g.Text != "hola" {
		t.Errorf("after /As investigator: %+v", g)
	}
	if g := h.got[1]; g.UserID != "2" || g.Command != "ask" || g.Args != "1 x" {
		t.Errorf("/ASK 1 x: %+v", g)
	}
	if a.who.Role != "reporter" {
		t.Errorf("/AS REPORTER did not switch back: %s", a.who.Role)
	}
	if strings.Contains(out.String(), "never read") {
		t.Errorf("/Quit did not leave: %q", out.String())
	}
}

// "/as@VigiaBot investigator", as a Telegram client sends a command
// picked from a menu, switches; "/quit@VigiaBot" leaves. "/asx" is no
// /as. Before, "/as@VigiaBot investigator" went to the engine, an
// unknown command. Mutation: ownCommand not cutting "@bot" -> neither
// switches nor leaves, test fails.
func TestConsoleOwnCommandsWithTheBotsName_options(t *testing.T) {
	in := "/as@VigiaBot investigator\nhola\n/asx y\n/AS@VigiaBot\u00a0reporter\n/quit@VigiaBot\nnever read\n"
	out := &bytes.Buffer{}
	a := newConsole(Options{In: strings.NewReader(in), Out: out})
	h := runEcho(t, a)
	if len(h.got) != 2 || h.got[0].UserID != "2" || h.got[0].Text != "hola" || h.got[1].Command != "asx" {
		t.Fatalf("requests: %+v", h.got)
	}
	if a.who.Role != "reporter" {
		t.Errorf("/AS@VigiaBot reporter did not switch back: %s", a.who.Role)
	}
	if strings.Contains(out.String(), "never read") {
		t.Errorf("/quit@VigiaBot did not leave: %q", out.String())
	}
}

// Control characters a user types (ESC of an ANSI sequence, CR, BEL, C1
// controls such as the one-byte CSI, DEL), direction overrides and
// invalid UTF-8 never reach the terminal as they are: neither in the
// line echoed in a transcript, nor in what the engine writes (a reply, a button's label), where only isolates and
// marks, which the engine writes on its own, stay. The line still goes
// to the engine as typed (it neutralises it). Before, "\x1b[2J" echoed
// cleared the screen. Mutations: the echo printed as typed -> the
// transcript cases fail; print without shownWritten -> the reply case fails.
func TestConsoleShowsNoControlCharacters_options(t *testing.T) {
	typed := "a\x1b[2J\rb\x07\u009b31m\x7f\u202egpj.exe\u2066\xff"
	in := typed + "\n#\x1b[2J\n/quit\n"
	out := &bytes.Buffer{}
	a := newConsole(Options{In: strings.NewReader(in), Out: out, Identities: []Identity{{Role: "reporter", UserID: "1"}},
		Say: func(_, id string, d map[string]any) string { return fmt.Sprint(id, d) }})
	h := &replier{text: "said \x1b]0;title\x07 \u202e\u2068name\u2069\n│\u200equote\r!", label: "L\x1b[5m\nx"}
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 2 || h.got[0].Text != typed || h.got[1].Text != "#\x1b[2J" {
		t.Fatalf("requests: %+v", h.got)
	}
	s := out.String()
	for _, bad := range []string{"\x1b", "\r", "\x07", "\u009b", "\x7f", "\u202e", "\xff"} {
		if strings.Contains(s, bad) {
			t.Errorf("the output holds %q:\n%q", bad, s)
		}
	}
	for _, want := range []string{
		"reporter> a␛[2J␍b␇\ufffd31m␡gpj.exe\ufffd\n", // the echo: no direction control
		"reporter> #␛[2J\n",
		"said ␛]0;title␇ \u2068name\u2069\n  │\u200equote␍!\n", // the reply: isolates and marks kept
		"[#1 L␛[5m x]",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the output lacks %q:\n%q", want, s)
		}
	}
}

// replier answers each request with text and one button labelled label.
type replier struct {
	text, label string
	got         []commands.Request
}

func (r *replier) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	r.got = append(r.got, req)
	_ = w.Reply(ctx, commands.Reply{Text: r.text, Buttons: [][]commands.Button{{{Label: r.label, Data: "x"}}}})
}

// A script saved with a byte order mark (as Windows' Notepad saves one)
// and piped in starts with its command, not with a message: "\ufeff/as
// investigator" switches, "\ufeff/help" (in a second file, cat'ed after
// the first) is the command /help. Before, the mark made the line a
// message, the start of a tip. Mutation: the mark not trimmed -> the
// first line is sent to the engine, test fails.
func TestConsoleInputWithAByteOrderMark_options(t *testing.T) {
	in := "\ufeff/as investigator\r\nhola\r\n\ufeff/help\n"
	a := newConsole(Options{In: strings.NewReader(in), Out: &bytes.Buffer{}})
	h := runEcho(t, a)
	if len(h.got) != 2 || h.got[0].UserID != "2" || h.got[0].Text != "hola" || h.got[1].Command != "help" || !h.got[1].CommandAtStart {
		t.Fatalf("requests: %+v", h.got)
	}
}

// "/quit now", "/exit ya" leave, as "/quit" does: before, a word after
// /quit sent the line to the engine (answered as an unknown command)
// and the session went on. Mutation: /quit leaving only with nothing
// after it (as before) -> every line reaches the engine, none leaves.
func TestConsoleQuitWithWordsAfterItLeaves_oracle(t *testing.T) {
	for _, line := range []string{"/quit now", "/exit ya", "/Quit@VigiaBot por favor", "/quit\u00a0now"} {
		in := "hola\n" + line + "\nnever read\n"
		out := &bytes.Buffer{}
		a := newConsole(Options{In: strings.NewReader(in), Out: out})
		h := runEcho(t, a)
		if len(h.got) != 1 || h.got[0].Text != "hola" {
			var sent []string
			for _, g := range h.got {
				sent = append(sent, g.Command+"|"+g.Text)
			}
			t.Errorf("%q: the engine got %q, want only \"hola\"", line, sent)
		}
		if strings.Contains(out.String(), "never read") {
			t.Errorf("%q did not leave: %q", line, out.String())
		}
	}
}
