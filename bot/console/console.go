// Package console is a terminal adapter: one line in is one message from the
// user, replies are printed. The demo and end-to-end tests drive it.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// Handler handles one request; *commands.Mux is one.
type Handler interface {
	Handle(ctx context.Context, req commands.Request, w commands.Replier)
}

// Identity is a user the console can play.
type Identity struct {
	// Role is what the user types after /as ("reporter", "investigator");
	// the message "demo_role_<Role>" names it after switching and in the
	// prompt.
	Role string
	// UserID is the console user id; the engine's roles decide what it may do.
	UserID string
	// Label is the user's name in requests (the team sees it, in the
	// audit log for one). Without one, the name is the message
	// "demo_role_<Role>" in the session's language: it follows the
	// language the user chooses, as the console's own lines do.
	Label string
}

// Options configure the console.
type Options struct {
	In  io.Reader
	Out io.Writer
	// Identities lists who the user can be; the first is the starting one.
	Identities []Identity
	// Say localises a console message id (the demo's own lines) in lang
	// ("" for the default language).
	Say func(lang, id string, data map[string]any) string
	// Language, if set, tells the language the engine speaks to a user,
	// given the language their client asks for: the console speaks it
	// too, and asks for it when the user switches (as a phone asks for
	// its own language), so one session stays in one language.
	Language func(userID, client string) string
	// Languages are those whose names of the identities /as accepts
	// too: the message "demo_role_<Role>" in each ("/as investigador",
	// "/as enquêteur"), compared as searches compare words (tips.Fold:
	// any case, with or without accents). Role itself is always
	// accepted.
	Languages []string
	// Interactive is true when a person types at a terminal: a prompt is
	// shown before each line. Otherwise (a pipe) each line read is echoed
	// after the prompt, so the output reads as a transcript. The prompt
	// is the message "demo_prompt" in the session's language, naming
	// the identity played as "demo_role_<Role>" does.
	Interactive bool
}

// Adapter runs a console session.
type Adapter struct {
	o    Options
	mu   sync.Mutex
	who  Identity
	lang string              // the session's language
	rows [][]commands.Button // the buttons "#N" presses, as last shown
	// rowsLang is the language of rows' labels: the one the engine says
	// they are in (Reply.Language), else the session's when they were
	// shown (see pin). In another than the session's (after a change of
	// language), they are listed by number alone, not with labels in the
	// language left.
	rowsLang string
	// waiting holds the buttons of messages sent to another identity's
	// chat (by user id): pressable once the session switches to it.
	waiting map[string]shown
	event   int64
	// idle is true while Run waits for a line, its prompt shown: a
	// message the engine sends then on its own (a sweep's: a draft
	// expired, a scheduled wipe) ends the prompt's line and shows the
	// prompt again under it, as a line's answers are followed by one.
	idle bool
}

// shown is a message's buttons and the language of their labels ("" if
// the engine did not say, for those sent to another chat: pinned on
// switching to it).
type shown struct {
	rows [][]commands.Button
	lang string
}

// New returns a console adapter.
func New(o Options) *Adapter {
	a := &Adapter{o: o, who: o.Identities[0]}
	a.follow()
	return a
}

// follow takes the session's language from the engine: the one it speaks
// to the user at the keyboard now.
func (a *Adapter) follow() {
	if a.o.Language == nil {
		return
	}
	a.mu.Lock()
	who, lang := a.who.UserID, a.lang
	a.mu.Unlock()
	lang = a.o.Language(who, lang)
	a.mu.Lock()
	a.lang = lang
	a.pin()
	a.mu.Unlock()
}

// pin records the session's language as that of buttons shown without
// one: those of a reply, in the language the engine chose answering it
// (a "/language fr" answered in French), and those of a message sent to
// another chat, in its user's, found on switching to it. The caller
// holds a.mu.
func (a *Adapter) pin() {
	if len(a.rows) > 0 && a.rowsLang == "" {
		a.rowsLang = a.lang
	}
}

// say localises one of the console's own lines in the session's language;
// the caller holds a.mu.
func (a *Adapter) say(id string, data map[string]any) string {
	return a.o.Say(a.lang, id, data)
}

// Platform is the console's platform name in requests.
const Platform = "console"

// Run reads lines until EOF, /quit or ctx ends. Ctrl-C (ctx ending) ends
// it at once, also while it waits for a line: the line is read apart, so a
// read blocked on the terminal holds nothing up.
func (a *Adapter) Run(ctx context.Context, h Handler) error {
	type read struct {
		line string
		err  error
	}
	lines := make(chan read)
	go func() {
		in := bufio.NewReader(a.o.In)
		for {
			line, err := readLine(in, 256<<10)
			select {
			case lines <- read{line, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	a.prompt()
	for {
		var r read
		select {
		case r = <-lines:
			a.mu.Lock()
			a.idle = false
			a.mu.Unlock()
		case <-ctx.Done():
			a.mu.Lock()
			defer a.mu.Unlock()
			// No longer waiting for a line: a sweep's message still in
			// flight is not followed by a prompt no one will answer,
			// left under the shell's.
			a.idle = false
			if a.o.Interactive {
				fmt.Fprintln(a.o.Out) // the shell's prompt on a line of its own
			}
			return nil
		}
		line, err := r.line, r.err
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		// A byte order mark starts a file saved by some editors (a
		// script piped in from Windows' Notepad): it is no part of the
		// first line, whose "/help" would otherwise be a tip's text.
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" {
			a.prompt()
			continue
		}
		if !a.o.Interactive {
			// As typed, but never a control character: one would act on
			// the terminal (ESC [2J clears it, CR writes over the line).
			a.mu.Lock()
			fmt.Fprintf(a.o.Out, "%s%s\n", a.promptText(), shownTyped(line))
			a.mu.Unlock()
		}
		// In any case, as the engine reads commands: "/As investigator"
		// (a keyboard's capital) is no unknown command; and with the
		// bot's name, as Telegram clients send a command picked from a
		// group's menu ("/as@VigiaBot investigator").
		switch own, rest := ownCommand(line); own {
		case "quit", "exit":
			// Whatever follows ("/quit now", "/exit ya"): no command of
			// the engine's is named so, and the words are no tip's.
			return nil
		case "as":
			a.switchTo(rest)
			a.prompt()
			continue
		}
		req, ok := a.request(line)
		if !ok {
			a.prompt()
			continue
		}
		h.Handle(ctx, req, a)
		a.follow() // the user may have chosen a language
		a.prompt()
	}
}

// ownCommand reads line as one of the console's own commands: the name
// of its first word, if that is "/name" or "/name@bot", lowercased, and
// the rest of the line, trimmed; "" if the line starts with no command.
func ownCommand(line string) (name, rest string) {
	word, rest := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		word, rest = line[:i], strings.TrimSpace(line[i:])
	}
	cmd, ok := strings.CutPrefix(word, "/")
	if !ok {
		return "", ""
	}
	cmd, _, _ = strings.Cut(cmd, "@")
	return strings.ToLower(cmd), rest
}

// shownTyped is what a user typed as the console shows it: no control
// character acts on the terminal. C0 controls are shown as their
// pictures ("␛[2J", "␍"), DEL as "␡", C1 controls and invalid UTF-8 as
// "\uFFFD", and direction controls (overrides, embeddings, isolates,
// marks: "gpj.exe" read as "exe.jpg") are dropped, as the engine drops
// them from what people write.
func shownTyped(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case bidiControl(r):
			return -1
		case r == '\t':
			return r
		}
		return shownControl(r)
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// shownControl is r as the console shows it, if it is a control
// character (see shownTyped); other characters are themselves.
func shownControl(r rune) rune {
	switch {
	case r < 0x20:
		return 0x2400 + r // CONTROL PICTURES: "␀".."␟"
	case r == 0x7f:
		return '\u2421'
	case r >= 0x80 && r <= 0x9f:
		return '\uFFFD'
	}
	return r
}

// bidiControl reports whether r is a direction control: a mark (LRM, RLM,
// ALM), an embedding or override and its end, an isolate and its end.
func bidiControl(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// shownWritten is text the engine wrote (a reply, a button's label) as
// the console shows it: it acts on the terminal no more than a typed line
// (shownTyped). The engine neutralises what people write, and the
// console does not rely on it. Only the direction controls the engine
// writes on its own are kept (isolates around a name, a mark starting a
// quoted line); overrides and embeddings go. Line breaks and tabs stay.
func shownWritten(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\u202a' && r <= '\u202e':
			return -1
		case r == '\t' || r == '\n':
			return r
		}
		return shownControl(r)
	}, strings.ToValidUTF8(s, "\uFFFD"))
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
	a.mu.Lock()
	defer a.mu.Unlock()
	a.idle = true
	a.showPrompt()
}

// showPrompt shows the prompt at a terminal; the caller holds a.mu.
func (a *Adapter) showPrompt() {
	if a.o.Interactive {
		fmt.Fprint(a.o.Out, a.promptText())
	}
}

// promptText is the prompt: the message "demo_prompt" in the session's
// language, filled with the name of the identity played in it (the
// message "demo_role_<Role>", a name /as takes), as shownWritten shows
// it; the caller holds a.mu.
func (a *Adapter) promptText() string {
	return shownWritten(a.say("demo_prompt", map[string]any{"Role": a.say("demo_role_"+a.who.Role, nil)}))
}

// unprompted starts a message sent while Run waits for a line on a line
// of its own, not after the prompt; the caller holds a.mu and, once the
// message is out, calls reprompted.
func (a *Adapter) unprompted() {
	if a.idle && a.o.Interactive {
		fmt.Fprintln(a.o.Out)
	}
}

// reprompted shows the prompt again under a message sent while Run waits
// for a line; the caller holds a.mu.
func (a *Adapter) reprompted() {
	if a.idle {
		a.showPrompt()
	}
}

// named reports whether name is one of id's names: its Role, or the
// message "demo_role_<Role>" in one of Options.Languages or in lang (the
// session's), read as tips.Fold reads words.
func (a *Adapter) named(id Identity, name, lang string) bool {
	want := tips.Fold(name)
	if strings.EqualFold(id.Role, name) || want == tips.Fold(id.Role) {
		return true
	}
	for _, l := range append([]string{lang}, a.o.Languages...) {
		if tips.Fold(a.o.Say(l, "demo_role_"+id.Role, nil)) == want {
			return true
		}
	}
	return false
}

// asData is what the demo's lines that say how to switch are filled
// with: each identity's name in the session's language (the message
// "demo_role_<Role>"), under its Role with a capital ("Reporter",
// "Investigator"); the caller holds a.mu.
func (a *Adapter) asData() map[string]any {
	data := map[string]any{}
	for _, id := range a.o.Identities {
		if id.Role == "" {
			continue
		}
		key := strings.ToUpper(id.Role[:1]) + id.Role[1:]
		data[key] = a.say("demo_role_"+id.Role, nil)
	}
	return data
}

func (a *Adapter) switchTo(role string) {
	a.mu.Lock()
	lang := a.lang
	a.mu.Unlock()
	for _, id := range a.o.Identities {
		if a.named(id, role, lang) {
			a.mu.Lock()
			if id.UserID == a.who.UserID { // already this one: its buttons stay
				a.print(a.say("demo_as", map[string]any{"Role": a.say("demo_role_"+id.Role, nil)}))
				a.mu.Unlock()
				return
			}
			if len(a.rows) > 0 {
				// The buttons left here wait for the way back (a draft's
				// Send, say): as in a real chat, they are still there.
				if a.waiting == nil {
					a.waiting = map[string]shown{}
				}
				if _, newer := a.waiting[a.who.UserID]; !newer {
					a.waiting[a.who.UserID] = shown{a.rows, a.rowsLang}
				}
			}
			a.who, a.rows, a.rowsLang = id, a.waiting[id.UserID].rows, a.waiting[id.UserID].lang
			delete(a.waiting, id.UserID)
			a.mu.Unlock()
			a.follow()
			a.mu.Lock()
			defer a.mu.Unlock()
			a.print(a.say("demo_as", map[string]any{"Role": a.say("demo_role_"+id.Role, nil)}))
			if a.stale() {
				fmt.Fprintf(a.o.Out, "  %s\n", a.say("demo_buttons_earlier", nil))
				a.printButtons()
			} else if len(a.rows) > 0 {
				a.printButtons() // those of a message sent to this chat meanwhile
			}
			return
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.print(a.say("demo_as_usage", a.asData()))
}

// name is the user's name in requests (Identity.Label); the caller
// holds a.mu.
func (a *Adapter) name() string {
	if a.who.Label != "" {
		return a.who.Label
	}
	return a.say("demo_role_"+a.who.Role, nil)
}

// request translates one typed line: "#2" presses the second button shown,
// "/cmd@bot args" is a command, anything else a message ("#tag" too). A
// button that is not there is said so, with those that are, and nothing
// is sent.
func (a *Adapter) request(line string) (commands.Request, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pin() // buttons a message sent meanwhile brought
	// Event ids grow across runs too, as platform ids do: a demo against a
	// persistent Redis must not collide with the last session's events.
	a.event = max(a.event+1, time.Now().UnixMicro())
	req := commands.Request{
		Platform: Platform, UserID: a.who.UserID, ChatID: a.who.UserID, UserChat: a.who.UserID, Name: a.name(),
		ChatKind: commands.Private, EventID: a.event, Language: a.lang,
	}
	n, ok := strings.CutPrefix(line, "#")
	if !ok {
		n, ok = strings.CutPrefix(line, "＃") // a CJK keyboard's
	}
	if ok && buttonShaped(n) {
		d := strings.TrimSpace(asciiDigits(n))
		i, err := strconv.Atoi(d)
		if strings.Trim(d, "0123456789") != "" {
			err = errors.New("not a plain number") // "#+2" is not "#2"
		}
		var buttons []commands.Button
		for _, row := range a.rows {
			buttons = append(buttons, row...)
		}
		if err != nil || i < 1 || i > len(buttons) {
			a.noSuchButton(line)
			return req, false
		}
		req.Callback = buttons[i-1].Data
		return req, true
	}
	req.Text = line
	// The first "/word" is a command, as Telegram marks one anywhere in a
	// message; the engine decides what one after words is ("🙏 /help" is
	// still a command, "no pagan /cancelar" is text).
	rest := line
	for rest != "" {
		var word string
		// Words end at any space: a phone's keyboard may type a
		// no-break one ("/tip\u00a012"), which Telegram ends a command at.
		word, rest = rest, ""
		if i := strings.IndexFunc(word, unicode.IsSpace); i >= 0 {
			word, rest = word[:i], strings.TrimLeftFunc(word[i:], unicode.IsSpace)
		}
		if cmd, ok := strings.CutPrefix(word, "/"); ok && cmd != "" && unicode.IsLetter([]rune(cmd)[0]) {
			name, _, _ := strings.Cut(cmd, "@")
			req.Command, req.Args, req.CommandAtStart = strings.ToLower(name), strings.TrimSpace(rest), strings.HasPrefix(line, "/")
			break
		}
	}
	return req, true
}

// buttonShaped tells whether what follows a "#" can only be meant as a
// button number: digits (of any script), spaces, signs and decimal marks
// (the Arabic ones too: "#١٫٥" is "#1.5"), nothing else. "#-1", "#+2" and
// "#1.5" press no button and are said so (they were a draft's text);
// "#narcos" and "#x" are hashtags, messages.
func buttonShaped(n string) bool {
	return strings.Trim(asciiDigits(n), " 0123456789+-\u2212.,\u066B\u066C") == ""
}

// asciiDigits writes the decimal digits of every script in s as ASCII
// ones, and the full-width forms a CJK keyboard types as the ASCII ones
// they are, as the engine reads numbers in commands: "#२" typed on a
// Hindi keyboard presses button 2, as "#2" and "＃２" do, and "#１．５"
// is "#1.5".
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' { // full-width ASCII forms: "１", "．", "－"
			return r - '！' + '!'
		}
		if d := tips.DigitValue(r); d >= 0 {
			return '0' + rune(d)
		}
		return r
	}, s)
}

// noSuchButton says that the button typed is not there, and which are;
// the caller holds a.mu.
func (a *Adapter) noSuchButton(typed string) {
	if len(a.rows) == 0 {
		a.print(a.say("demo_no_buttons", map[string]any{"Pressed": typed}))
		return
	}
	id := "demo_no_button"
	if a.stale() {
		id = "demo_no_button_earlier"
	}
	fmt.Fprintf(a.o.Out, "  %s\n", a.say(id, map[string]any{"Pressed": typed}))
	a.printButtons()
	fmt.Fprintln(a.o.Out)
}

// stale reports whether the buttons "#N" presses were shown in another
// language than the session's now: their labels, the engine's words in
// the language left, are not shown again (the console does not choose
// words); the caller holds a.mu.
func (a *Adapter) stale() bool {
	return len(a.rows) > 0 && a.rowsLang != "" && a.rowsLang != a.lang
}

// printButtons prints the buttons "#N" presses, numbered, with their
// labels unless they are stale; the caller holds a.mu.
func (a *Adapter) printButtons() {
	var b strings.Builder
	n, labels := 0, !a.stale()
	for _, row := range a.rows {
		b.WriteString("  ")
		for _, btn := range row {
			n++
			if labels {
				fmt.Fprintf(&b, "[#%d %s] ", n, strings.ReplaceAll(shownWritten(btn.Label), "\n", " "))
			} else {
				fmt.Fprintf(&b, "[#%d] ", n)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprint(a.o.Out, b.String())
}

// Reply prints a reply, numbering its buttons for "#N".
func (a *Adapter) Reply(_ context.Context, r commands.Reply) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.show(r)
	return nil
}

// show prints a reply in the chat in use (a.mu held).
func (a *Adapter) show(r commands.Reply) {
	a.print(r.Text)
	if len(r.Buttons) > 0 {
		// Under their message, with their labels: in its language. Then
		// in the language the engine says they are in, else pinned once
		// answered.
		a.rows, a.rowsLang = r.Buttons, ""
		a.printButtons()
		a.rowsLang = r.Language
	}
	for i, f := range r.Files {
		fmt.Fprintf(a.o.Out, "  [%s %d]\n", f.Kind, i+1)
	}
}

// Send prints a message the engine sends on its own (a draft expiry, a
// question to the reporter, an answer to the investigator). One sent to
// the other identity's chat says so, and its buttons wait for /as. One
// sent while Run waits for a line (a sweep's) starts on a line of its own,
// and the prompt is shown again under it.
func (a *Adapter) Send(ctx context.Context, chatID string, r commands.Reply) ([]string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unprompted()
	defer a.reprompted()
	i := slices.IndexFunc(a.o.Identities, func(id Identity) bool { return id.UserID == chatID })
	if i < 0 || chatID == a.who.UserID {
		a.show(r)
		return nil, nil
	}
	id := a.o.Identities[i]
	fmt.Fprintf(a.o.Out, "  %s\n", a.say("demo_for", map[string]any{"Role": a.say("demo_role_"+id.Role, nil)}))
	a.print(r.Text)
	if len(r.Buttons) > 0 {
		if a.waiting == nil {
			a.waiting = map[string]shown{}
		}
		// In the language the engine says they are in (a question to the
		// reporter is in their tip's, whatever the session speaks now),
		// else in that user's: pinned on the way there.
		a.waiting[id.UserID] = shown{r.Buttons, r.Language}
	}
	return nil, nil
}

// print prints text, the engine's or the console's, indented, as
// shownWritten shows it.
func (a *Adapter) print(text string) {
	for _, line := range strings.Split(strings.TrimRight(shownWritten(text), "\n"), "\n") {
		fmt.Fprintf(a.o.Out, "  %s\n", line)
	}
	fmt.Fprintln(a.o.Out)
}

// WipeChat is the demo's chat wipe (commands.ChatWiper): the terminal is
// cleared where there is one, and the demo says what a platform would do.
// The chat wiped is chatID's: a wipe the reporter scheduled ("/wipe 30m")
// comes due whoever the session plays then. Played by the investigator
// meanwhile, the reporter's chat loses the buttons that wait for /as, the
// investigator keeps theirs (shown again under the notice), and the notice
// says whose chat it was, in that user's language, as Send does.
func (a *Adapter) WipeChat(_ context.Context, chatID, _ string) (commands.WipeResult, error) {
	a.mu.Lock()
	i := slices.IndexFunc(a.o.Identities, func(id Identity) bool { return id.UserID == chatID })
	other, lang := i >= 0 && chatID != a.who.UserID, a.lang
	a.mu.Unlock()
	if other && a.o.Language != nil {
		lang = a.o.Language(chatID, lang) // asked as the way there asks (follow)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unprompted()
	defer a.reprompted()
	if a.o.Interactive {
		fmt.Fprint(a.o.Out, "\033[H\033[2J\033[3J")
	}
	if i < 0 || chatID == a.who.UserID { // (who may have switched meanwhile)
		a.rows = nil // a wiped chat has no buttons left to press
		a.print(a.say("demo_wiped", nil))
		return commands.WipeResult{}, nil
	}
	id := a.o.Identities[i]
	delete(a.waiting, id.UserID)
	fmt.Fprintf(a.o.Out, "  %s\n", a.say("demo_wiped_for", map[string]any{"Role": a.say("demo_role_"+id.Role, nil)}))
	a.print(a.o.Say(lang, "demo_wiped", nil))
	if a.o.Interactive && len(a.rows) > 0 {
		a.printButtons() // the screen cleared: those of the chat in use, still there
	}
	return commands.WipeResult{}, nil
}
