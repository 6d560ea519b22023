package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// The people of a fuzzed session: two reporters (whose ids and names must
// never reach a reply, Redis or the log), an investigator, an admin, the
// investigators' chat and a community group.
const (
	fzReporterA   = "731947215"
	fzReporterB   = "864203517"
	fzNameA       = "Xochiquetzal"
	fzNameB       = "Tlazolteotl"
	fzInvestigate = "9001"
	fzAdmin       = "1001"
	fzTeamChat    = "-100777"
	fzGroup       = "-100555"
)

// fzCommands are the commands a fuzzed message may begin with: every
// command of the table, some aliases, and names the engine does not know.
var fzCommands = []string{
	"start", "help", "report", "status", "language", "cancel", "reply", "forget", "wipe",
	"redeem", "enroll", "unlock", "lock", "next", "queue", "triage", "note", "ask",
	"invite", "revoke", "team", "audit", "dead", "purge", "search", "entity", "signals",
	"subscribe", "unsubscribe", "warn", "publish", "retract", "recent", "tip",
	"estado", "responder", "olvidar", "borrar", "alerta", "idioma", "annuler", "nope", "",
}

var fzLanguages = []string{"", "en", "es", "fr", "pt-BR", "pt", "es-MX", "xx", "zh-Hans", "\x00"}

// goErrorRE matches what Go, Redis, templates or JSON put in an error's
// text: none of it may reach a chat.
var goErrorRE = regexp.MustCompile(`%!|<nil>|<no value>|\{\{|\}\}|runtime error|goroutine |redis: |\bERR |WRONGTYPE|NOSCRIPT|context deadline|context canceled|unexpected EOF|invalid character|json: |strconv\.|cipher: |message authentication failed|\bpanic\b|0x[0-9a-f]{6,}`)

// fzTrace logs each request and its replies (set VIGIA_FUZZ_TRACE=1).
var fzTrace = os.Getenv("VIGIA_FUZZ_TRACE") != ""

// fzReader hands out the fuzzer's bytes as small decisions and texts.
type fzReader struct{ b []byte }

func (r *fzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// text is a length-prefixed piece of the input, sometimes repeated to a
// huge size.
func (r *fzReader) text() string {
	n := int(r.byte())
	rep := 1
	if n >= 250 { // a few lengths stand for repetitions of a short piece
		rep = []int{10, 100, 1000, 10000, 30000, 2}[n-250]
		n = int(r.byte() % 16)
	}
	n = min(n, len(r.b))
	s := string(r.b[:n])
	r.b = r.b[n:]
	return strings.Repeat(s, rep)
}

// fzSession is one fuzzed run of the engine.
type fzSession struct {
	t       *testing.T
	mux     *commands.Mux
	srv     *redistest.Server
	clk     *clock
	logs    *bytes.Buffer
	sent    *recorder
	event   int64
	typed   []string            // every text the fuzzer typed
	shown   map[string][]string // the buttons last shown to each actor
	nums    []string            // tip numbers seen
	codes   []string            // receipt and invite codes seen
	replies []string            // every text the engine wrote, for the checks
	ids     map[string]bool     // message ids of the locales (for untranslated ids)
	actors  []func() commands.Request
}

func newFzSession(t *testing.T, srv *redistest.Server, rdb *redis.Client) *fzSession {
	ctx := context.Background()
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{9}, 32))
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "fz", Retention: 90 * 24 * time.Hour, DraftIdle: 30 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	msg, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	sent := &recorder{}
	mux := commands.New(commands.Options{
		Store: st, Messages: msg, Now: clk.Now, Retention: 90 * 24 * time.Hour, DefaultLanguage: "en",
		Roles:             commands.Roles{"telegram:" + fzAdmin: commands.Admin, "telegram:" + fzInvestigate: commands.Investigator},
		InvestigatorChats: []string{"telegram:" + fzTeamChat},
		Triage:            commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute, UrgentAfter: 5 * time.Minute},
		PublishApprovals:  1,
		Logger:            slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	mux.AddSender("telegram", sent)
	s := &fzSession{t: t, mux: mux, srv: srv, clk: clk, logs: logs, sent: sent, shown: map[string][]string{}, ids: map[string]bool{}}
	for _, id := range msg.IDs() {
		if strings.Contains(id, "_") {
			s.ids[id] = true
		}
	}
	private := func(user, name string) func() commands.Request {
		return func() commands.Request {
			return commands.Request{UserID: user, UserChat: user, ChatID: user, Name: name}
		}
	}
	s.actors = []func() commands.Request{
		private(fzReporterA, fzNameA),
		private(fzReporterB, fzNameB),
		private(fzInvestigate, "Ana Investigadora"),
		private(fzAdmin, "Ada Admin"),
		func() commands.Request { // the investigator in the investigators' chat
			return commands.Request{UserID: fzInvestigate, UserChat: fzInvestigate, Name: "Ana Investigadora", ChatID: fzTeamChat, ChatKind: commands.Group, Addressed: true, NamesBot: true}
		},
		func() commands.Request { // a reporter in a community group
			return commands.Request{UserID: fzReporterA, Name: fzNameA, ChatID: fzGroup, ChatKind: commands.Group, Addressed: true, NamesBot: true, NamedInText: true}
		},
		func() commands.Request { // a channel post
			return commands.Request{UserID: fzGroup, ChatID: fzGroup, ChatKind: commands.Group, PostedAsChat: true, Addressed: true}
		},
	}
	return s
}

var fzNumRE = regexp.MustCompile(`#(\d{1,4})\b`)

// step decodes one request from r and sends it.
func (s *fzSession) step(r *fzReader) {
	a := int(r.byte())
	who := a % len(s.actors)
	req := s.actors[who]()
	req.Platform = "telegram"
	req.Language = fzLanguages[int(r.byte())%len(fzLanguages)]
	key := req.UserID + "@" + req.ChatID
	switch kind := a / len(s.actors) % 8; kind {
	case 0, 1: // a message
		req.Text = r.text()
		s.typed = append(s.typed, req.Text)
	case 2, 3: // a command with typed words, or with a number or code seen
		c := fzCommands[int(r.byte())%len(fzCommands)]
		args := r.text()
		s.typed = append(s.typed, args)
		switch f := r.byte(); {
		case f%4 == 1 && len(s.nums) > 0:
			args = s.nums[int(f/4)%len(s.nums)] + " " + args
		case f%4 == 2 && len(s.codes) > 0:
			args = s.codes[int(f/4)%len(s.codes)] + " " + args
		case f%4 == 3 && len(s.nums) > 0:
			args = s.nums[int(f/4)%len(s.nums)] + " " + []string{"verified", "dismissed", "escalated", "duplicate of 1", "new", "claimed urgent", "verified high extortion lbl"}[int(f/4)%7] + " " + args
		}
		req.Command, req.Args, req.CommandAtStart = c, args, true
		req.Text = "/" + c + " " + args
	case 4, 5: // a button shown to this actor
		b := s.shown[key]
		if len(b) == 0 {
			req.Text = r.text()
			s.typed = append(s.typed, req.Text)
			break
		}
		req.Callback = b[int(r.byte())%len(b)]
		req.MessageID = "m1"
	case 6: // a made-up button, or another kind of message
		switch f := r.byte(); f % 5 {
		case 0:
			req.Callback = r.text()
			s.typed = append(s.typed, req.Callback)
		case 1:
			req.Location = &tips.Location{Lat: float64(int8(r.byte())), Lon: float64(int8(r.byte())) * 1.5}
		case 2:
			req.Unsupported = true
		case 3:
			req.Text, req.Edited = r.text(), true
			s.typed = append(s.typed, req.Text)
		case 4:
			req.Text, req.ReplyToBot, req.ReplyToID = r.text(), true, "m1"
			s.typed = append(s.typed, req.Text)
		}
	case 7: // time passes
		s.clk.Add(time.Duration(r.byte()) * time.Duration(r.byte()%64+1) * time.Minute)
		return
	}
	s.event++
	req.EventID = s.event
	if r.byte()%8 == 0 && s.event > 1 {
		req.EventID = s.event - 1 // delivered again (or out of order)
	}
	rec := &recorder{}
	func() {
		defer func() {
			if p := recover(); p != nil {
				s.t.Fatalf("the engine panicked on %+v: %v", req, p)
			}
		}()
		s.mux.Handle(context.Background(), req, rec)
	}()
	out := rec.take()
	if fzTrace {
		for _, o := range out {
			s.t.Logf("%s/%s cmd=%q args=%.80q text=%.80q cb=%q -> %.160q", req.UserID, req.ChatID, req.Command, req.Args, req.Text, req.Callback, o.Text)
		}
	}
	var btn []string
	for _, rep := range out {
		s.check(req, rep)
		for _, row := range rep.Buttons {
			for _, b := range row {
				btn = append(btn, b.Data)
			}
		}
	}
	if len(btn) > 0 {
		s.shown[key] = btn
	}
	for chat, reps := range s.sent.sent {
		for _, rep := range reps {
			s.check(commands.Request{ChatID: chat}, rep)
			var b []string
			for _, row := range rep.Buttons {
				for _, x := range row {
					b = append(b, x.Data)
				}
			}
			if len(b) > 0 {
				// a question to a reporter, an alert to the team: pressable there
				for _, act := range s.actors {
					q := act()
					if q.ChatID == chat {
						s.shown[q.UserID+"@"+q.ChatID] = b
					}
				}
			}
		}
	}
	s.sent.mu.Lock()
	s.sent.sent = nil
	s.sent.mu.Unlock()
}

// typedHas reports whether the fuzzer typed s itself, in which case a
// reply may legitimately show it back.
func (s *fzSession) typedHas(x string) bool {
	for _, t := range s.typed {
		if strings.Contains(t, x) {
			return true
		}
	}
	return false
}

// check asserts what any reply must be: localised words, no error text,
// no message id left untranslated, no reporter's id or name.
func (s *fzSession) check(req commands.Request, rep commands.Reply) {
	t := s.t
	text := rep.Text + "\x00" + rep.Instead + "\x00" + rep.FileMissing
	for _, row := range rep.Buttons {
		for _, b := range row {
			text += "\x00" + b.Label
		}
	}
	if rep.Text == "" && rep.Form == nil && len(rep.Files) == 0 && len(rep.Buttons) == 0 && rep.Instead == "" {
		t.Errorf("an empty reply to %.200q in %s: %+v", req.Text, req.ChatID, rep)
	}
	if m := goErrorRE.FindString(text); m != "" && !s.typedHas(m) {
		t.Errorf("a reply to %.200q holds %q, error text: %.400q", req.Text, m, text)
	}
	for _, w := range regexp.MustCompile(`[a-z0-9]+(?:_[a-z0-9]+)+`).FindAllString(text, -1) {
		if s.ids[w] && !s.typedHas(w) {
			t.Errorf("a reply to %.200q shows the message id %q: %.400q", req.Text, w, text)
		}
	}
	for _, leak := range []string{fzReporterA, fzReporterB, fzNameA, fzNameB} {
		if strings.Contains(text, leak) && !s.typedHas(leak) {
			t.Errorf("a reply to %.200q in %s shows %q: %.400q", req.Text, req.ChatID, leak, text)
		}
	}
	s.replies = append(s.replies, text)
	s.codes = append(s.codes, codeRE.FindAllString(rep.Text, -1)...)
	for _, m := range fzNumRE.FindAllStringSubmatch(rep.Text, -1) {
		s.nums = append(s.nums, m[1])
	}
}

// finish asserts that nothing typed, no receipt code and no reporter's
// id or name is in Redis or the log in clear, and that no handler
// panicked or failed.
func (s *fzSession) finish() {
	t := s.t
	dump, err := s.srv.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	canaries := []string{fzReporterA, fzReporterB, fzNameA, fzNameB}
	seen := map[string]bool{}
	for _, x := range s.typed {
		x = strings.TrimSpace(x)
		if len(x) >= 8 && !seen[x] {
			seen[x] = true
			canaries = append(canaries, x)
		}
	}
	for _, c := range s.codes {
		canaries = append(canaries, c, strings.ReplaceAll(c, "-", ""))
	}
	for k, v := range dump {
		for _, c := range canaries {
			if strings.Contains(k, c) || bytes.Contains(v, []byte(c)) {
				t.Errorf("Redis key %q holds %.200q in clear", k, c)
			}
		}
	}
	logs := s.logs.String()
	for _, c := range canaries {
		if strings.Contains(logs, c) {
			t.Errorf("the log holds %.200q", c)
		}
	}
	for _, bad := range []string{"handler panic", "level=ERROR"} {
		if strings.Contains(logs, bad) {
			i := strings.Index(logs, bad)
			t.Errorf("the log says %q: %.600s", bad, logs[max(0, i-300):])
		}
	}
}

// FuzzEngineSessions drives the engine with random sequences of messages,
// commands, button presses, redeliveries and time passing, from reporters,
// an investigator, an admin, the investigators' chat and a community group,
// against a real Redis. Whatever comes, the engine does not panic; every
// reply is in the locales' words (no Go or Redis error text, no message id
// untranslated, no reporter's id or name); and neither Redis nor the log
// holds a text the fuzzer typed (of 8 characters or more), a receipt code,
// or a reporter's id or name, in clear.
func FuzzEngineSessions(f *testing.F) {
	seed := func(parts ...any) []byte {
		var b []byte
		for _, p := range parts {
			switch v := p.(type) {
			case int:
				b = append(b, byte(v))
			case string:
				b = append(b, byte(len(v)))
				b = append(b, v...)
			}
		}
		return b
	}
	const (
		msgA  = 0       // reporter A, a message
		cmdA  = 2 * 7   // reporter A, a command
		pushA = 4 * 7   // reporter A, a button
		cmdI  = 2*7 + 2 // the investigator, a command
		pushI = 4*7 + 2
		cmdAd = 2*7 + 3
		grpA  = 2*7 + 5
	)
	idx := func(c string) int {
		for i, x := range fzCommands {
			if x == c {
				return i
			}
		}
		panic(c)
	}
	f.Add(seed(msgA, 2, "Cobran piso en el mercado de Tlacotalpan 5512345678", 1,
		pushA, 2, 8, 1, pushA, 2, 9, 1,
		cmdI, 1, idx("next"), "", 0, 1, pushI, 1, 0, 1,
		cmdI, 1, idx("ask"), "¿Qué día pasan por la cuota?", 1, 1,
		cmdA, 2, idx("reply"), "el lunes en la mañana", 2, 1,
		cmdA, 2, idx("status"), "", 2, 1,
		cmdI, 1, idx("triage"), "", 3, 1,
		cmdI, 1, idx("search"), "Tlacotalpan piso", 0, 1,
		cmdI, 1, idx("entity"), "5512345678", 0, 1,
		cmdAd, 1, idx("invite"), "investigator", 0, 1,
		cmdA, 2, idx("redeem"), "", 2, 1,
		cmdA, 2, idx("forget"), "", 2, 1,
		cmdA, 2, idx("wipe"), "2h", 0, 1))
	f.Add(seed(grpA, 3, idx("subscribe"), "Veracruz norte", 0, 1,
		grpA, 3, idx("warn"), "Cuidado: cobran cuota en la calle Hidalgo", 0, 1,
		cmdI, 1, idx("publish"), "", 1, 1, pushI, 1, 0, 1,
		cmdI, 1, idx("retract"), "", 1, 1))
	f.Add(seed(msgA, 1, 253, "\x00\xff\u202e", 1, msgA, 1, 252, "https://e.co/ ", 1,
		cmdI, 1, idx("search"), "", 0, 1, 6*7, 1, 0, "\u200dfu:1:1garbage", 1, 7*7, 0, 200, 40))
	f.Add(seed(msgA, 3, "😀😀😀🔫💣", 1, pushA, 3, 10, 1, cmdA, 3, idx("status"), "ZZZZ-ZZZZ-ZZZZ-ZZZZ", 0, 1,
		cmdI, 0, idx("tip"), " 999999999999999999999 -1", 1, 1, cmdI, 0, idx("recent"), "\x00", 0, 1))
	srv := redistest.Start(f)
	rdb := srv.Client() // (once: the fuzz target may not register cleanups on f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		s := newFzSession(t, srv, rdb)
		r := &fzReader{b: data}
		for steps := 0; len(r.b) > 0 && steps < 40; steps++ {
			s.step(r)
		}
		s.finish()
		if testing.Verbose() && len(data) < 600 {
			t.Logf("%d replies, %d codes, %d tip numbers", len(s.replies), len(s.codes), len(s.nums))
		}
	})
}
