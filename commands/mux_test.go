package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// recorder is a Replier and Sender that keeps every reply.
type recorder struct {
	mu      sync.Mutex
	replies []commands.Reply
	sent    map[string][]commands.Reply
}

func (r *recorder) Reply(_ context.Context, rep commands.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replies = append(r.replies, rep)
	return nil
}

func (r *recorder) Send(_ context.Context, chatID string, rep commands.Reply) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent == nil {
		r.sent = map[string][]commands.Reply{}
	}
	r.sent[chatID] = append(r.sent[chatID], rep)
	return []string{"m" + strconv.Itoa(len(r.sent[chatID]))}, nil
}

func (r *recorder) take() []commands.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replies
	r.replies = nil
	return out
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	mux   *commands.Mux
	store *storage.Store
	msg   *locales.Bundle
	clk   *clock
	logs  *bytes.Buffer
	event int64
}

const (
	reporterID     = "7001"
	investigatorID = "9001"
	invChat        = "-100777"
)

// loadMessages parses the message files once for all the package's tests
// (half a second each time under -race): a Bundle is read-only.
var loadMessages = sync.OnceValues(locales.Load)

func newEnv(t *testing.T, wrap func(commands.Store) commands.Store) *env {
	t.Helper()
	return newHookedEnv(t, wrap, nil)
}

// newHookedEnv is newEnv with hook on the Redis client, if set, and the
// mux's options changed by opts.
func newHookedEnv(t *testing.T, wrap func(commands.Store) commands.Store, hook redis.Hook, opts ...func(*commands.Options)) *env {
	t.Helper()
	srv := redistest.Start(t)
	rdb := srv.Client()
	if hook != nil {
		rdb.AddHook(hook)
	}
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "c", Retention: 90 * 24 * time.Hour, DraftIdle: 30 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	var store commands.Store = st
	if wrap != nil {
		store = wrap(st)
	}
	logs := &bytes.Buffer{}
	o := commands.Options{
		Store: store, Messages: msg, Now: clk.Now, Retention: 90 * 24 * time.Hour,
		Roles:             commands.Roles{"telegram:" + investigatorID: commands.Investigator},
		InvestigatorChats: []string{"telegram:" + invChat},
		Logger:            slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DefaultLanguage:   "es",
	}
	for _, f := range opts {
		f(&o)
	}
	mux := commands.New(o)
	return &env{t: t, mux: mux, store: st, msg: msg, clk: clk, logs: logs}
}

// do sends req from user in a private chat unless req says otherwise.
func (e *env) do(user string, req commands.Request) []commands.Reply {
	e.t.Helper()
	e.event++
	if req.Platform == "" {
		req.Platform = "telegram"
	}
	req.UserID = user
	if req.ChatID == "" {
		req.ChatID = user
	}
	if req.EventID == 0 {
		req.EventID = e.event
	}
	if req.Command != "" && req.Text == "" {
		req.CommandAtStart = true
	}
	rec := &recorder{}
	e.mux.Handle(context.Background(), req, rec)
	return rec.take()
}

func (e *env) text(lang, id string, data map[string]any, count ...int) string {
	return e.msg.Localize(lang, id, data, count...)
}

func press(replies []commands.Reply, prefix string) string {
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, prefix) {
					return b.Data
				}
			}
		}
	}
	return ""
}

var receiptRE = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

func TestReporterSendsTipAndChecksStatus(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "Me cobran piso en https://pagos.example/cobro cada semana", Language: "es-MX"})
	if len(r) != 1 || !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("first message: %+v", r)
	}
	cat := press(r, "cat:")
	if cat == "" || press(r, "send:") == "" || press(r, "cancel:") == "" {
		t.Fatalf("draft buttons missing: %+v", r[0].Buttons)
	}
	r = e.do(reporterID, commands.Request{Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgPHOTO"}, Language: "es-MX"})
	if len(r) != 1 || r[0].Text != e.text("es", "draft_added", nil, 2) {
		t.Fatalf("second part: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Location: &tips.Location{Lat: 19.432608, Lon: -99.133209}, Language: "es-MX"})
	if r[0].Text != e.text("es", "location_coarse", nil)+"\n\n"+e.text("es", "draft_added", nil, 3) {
		t.Fatalf("location part: %+v", r)
	}
	draftID := strings.Split(cat, ":")[1]
	r = e.do(reporterID, commands.Request{Callback: "cat:" + draftID + ":extortion", Language: "es-MX"})
	if !strings.Contains(r[0].Text, e.text("es", "category_extortion", nil)) {
		t.Fatalf("category: %+v", r)
	}
	send := "send:" + draftID
	r = e.do(reporterID, commands.Request{Callback: send, Language: "es-MX"})
	receipt := receiptRE.FindString(r[0].Text)
	if len(r) != 2 || r[1].Text != e.text("es", "safety_advice", map[string]any{"Platform": "Telegram", "Receipt": receipt}) {
		t.Fatalf("send replies: %+v", r)
	}
	if receipt == "" || r[0].Text != e.text("es", "sent", map[string]any{"Receipt": receipt}) {
		t.Fatalf("no receipt in %q", r[0].Text)
	}

	// A second press, or the same update redelivered, makes no second tip.
	r2 := e.do(reporterID, commands.Request{Callback: send, Language: "es-MX"})
	if got := receiptRE.FindString(r2[0].Text); got != receipt {
		t.Fatalf("second Send gave receipt %q, want %q", got, receipt)
	}
	if list, _ := e.store.Recent(context.Background(), 10); len(list) != 1 {
		t.Fatalf("%d tips stored, want 1", len(list))
	}

	typed := strings.ToLower(strings.ReplaceAll(receipt, "-", " "))
	r = e.do(reporterID, commands.Request{Command: "status", Args: typed, Language: "es-MX"})
	if r[0].Text != e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)}) {
		t.Fatalf("status: %q", r[0].Text)
	}
	r = e.do(reporterID, commands.Request{Command: "status", Args: "ABCD-EFGH-JKMN-PQRS"})
	if r[0].Text != e.text("es", "status_unknown", map[string]any{"Period": e.text("es", "age_days", nil, 90)}) {
		t.Fatalf("unknown receipt: %q", r[0].Text)
	}
	r = e.do(reporterID, commands.Request{Command: "status", Args: "<script>"})
	if r[0].Text != e.text("es", "status_usage", nil) {
		t.Fatalf("bad receipt: %q", r[0].Text)
	}

	// The investigator sees it, links defanged, location coarse, photo as a copy.
	r = e.do(investigatorID, commands.Request{Command: "recent", Language: "en"})
	if len(r) != 1 || !strings.Contains(r[0].Text, "#1 ") || !strings.Contains(r[0].Text, "hxxps://pagos[.]example/cobro") {
		t.Fatalf("recent: %+v", r)
	}
	r = e.do(investigatorID, commands.Request{Command: "tip", Args: "1", Language: "en"})
	body := r[0].Text
	for _, want := range []string{"Me cobran piso en hxxps://pagos[.]example/cobro", "19.43, -99.13", e.text("en", "category_extortion", nil), e.text("en", "tip_attachments", nil, 1)} {
		if !strings.Contains(body, want) {
			t.Errorf("/tip lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "https://") || strings.Contains(body, "19.4326") {
		t.Errorf("/tip shows a live link or a precise location:\n%s", body)
	}
	if len(r[0].Files) != 1 || r[0].Files[0].FileRef != "AgPHOTO" {
		t.Errorf("/tip files: %+v", r[0].Files)
	}

	// Logs carry nothing identifying.
	for _, secret := range []string{reporterID, receipt, "cobran", "pagos", "AgPHOTO"} {
		if strings.Contains(strings.ToLower(e.logs.String()), strings.ToLower(secret)) {
			t.Errorf("log holds %q:\n%s", secret, e.logs.String())
		}
	}
}

func TestInvestigatorCommandsAreInvisibleToOthers(t *testing.T) {
	e := newEnv(t, nil)
	unknown := e.do(reporterID, commands.Request{Command: "nosuch"})
	for _, cmd := range []commands.Request{{Command: "recent"}, {Command: "tip", Args: "1"}} {
		r := e.do(reporterID, cmd)
		if len(r) != 1 || r[0].Text != unknown[0].Text {
			t.Errorf("/%s to a reporter: %+v, want the unknown-command answer %q", cmd.Command, r, unknown[0].Text)
		}
	}
	// In the investigators' group an investigator may use them; elsewhere not.
	r := e.do(investigatorID, commands.Request{Command: "recent", ChatID: invChat, ChatKind: commands.Group, Addressed: true})
	if r[0].Text != e.text("es", "recent_empty", nil) {
		t.Fatalf("recent in investigator chat: %+v", r)
	}
	// In any other group an investigator looks like everyone else.
	r = e.do(investigatorID, commands.Request{Command: "recent", ChatID: "-100999", ChatKind: commands.Group, Addressed: true})
	if r[0].Text != unknown[0].Text {
		t.Fatalf("recent in a random group: %+v", r)
	}
	r = e.do(investigatorID, commands.Request{Command: "help", ChatID: "-100999", ChatKind: commands.Group, Addressed: true})
	if strings.Contains(r[0].Text, "/recent") {
		t.Fatalf("help in a random group shows investigator commands: %+v", r)
	}
	r = e.do(investigatorID, commands.Request{Command: "tip", Args: "x; DROP"})
	if r[0].Text != e.text("es", "tip_not_a_number", map[string]any{"ID": "x;"}) {
		t.Fatalf("bad tip id: %+v", r)
	}
	r = e.do(investigatorID, commands.Request{Command: "tip", Args: "424242"})
	if r[0].Text != e.text("es", "tip_not_found", map[string]any{"ID": "424242"}) {
		t.Fatalf("missing tip: %+v", r)
	}
	r = e.do(investigatorID, commands.Request{Command: "recent", Args: "5000"})
	if r[0].Text != e.text("es", "recent_usage", map[string]any{"Max": 50}) {
		t.Fatalf("recent 5000: %+v", r)
	}
	help := e.do(investigatorID, commands.Request{Command: "help"})
	if !strings.Contains(help[0].Text, e.text("es", "help_investigator", nil)) {
		t.Fatal("investigator help lacks investigator commands")
	}
	help = e.do(reporterID, commands.Request{Command: "help"})
	if strings.Contains(help[0].Text, "/recent") {
		t.Fatal("reporter help shows investigator commands")
	}
}

func TestGroupsNeverStoreTips(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "halcones en la esquina", ChatID: "-100555", ChatKind: commands.Group})
	if len(r) != 0 {
		t.Fatalf("bot answered group chatter: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Text: "@VigiaBot halcones en la esquina", ChatID: "-100555", ChatKind: commands.Group, Addressed: true})
	if len(r) != 1 || r[0].Text != e.text("es", "group_private_only", nil) || strings.Contains(r[0].Text, "halcones") {
		t.Fatalf("addressed group tip: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Command: "status", Args: "ABCD-EFGH-JKMN-PQRS", ChatID: "-100555", ChatKind: commands.Group, Addressed: true})
	if r[0].Text != e.text("es", "private_only_command", nil) {
		t.Fatalf("status in group: %+v", r)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a group message made a draft: %v", err)
	}
}

func TestCommandWordInsideTextIsText(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "el jefe dijo /pagar ya", Command: "pagar", Args: "ya"})
	if !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("text with a slash word: %+v", r)
	}
	// A known command after other text still works.
	r = e.do(reporterID, commands.Request{Text: "🙏 /help", Command: "help"})
	if !strings.HasPrefix(r[0].Text, strings.TrimSpace(e.text("es", "help", nil))[:10]) {
		t.Fatalf("known command after text: %+v", r)
	}
	// A known command after words is part of the text: the draft is not
	// dropped by a reporter quoting "/cancelar".
	r = e.do(reporterID, commands.Request{Text: "dijo que si no pagan /cancelar el contrato", Command: "cancelar", Args: "el contrato"})
	if len(r) != 1 || !strings.Contains(r[0].Text, e.text("es", "draft_added", nil, 2)) {
		t.Fatalf("a command after words: %+v", r)
	}
	// A photo whose caption starts like a command is a tip part, not lost.
	r = e.do("7002", commands.Request{Text: "/foto del halcón", Command: "foto", Args: "del halcón", CommandAtStart: true,
		Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "AgCAPTION"}})
	if len(r) != 1 || !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("photo with a command-like caption: %+v", r)
	}
}

func TestLanguageChoice(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Command: "start", Language: "pt-br"})
	if r[0].Text != e.text("pt-BR", "start", map[string]any{"Platform": "Telegram"}) || len(r[0].Buttons) == 0 {
		t.Fatalf("start in Portuguese: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Command: "language", Args: "fr", Language: "pt-br"})
	if r[0].Text != e.text("fr", "language_set", nil) {
		t.Fatalf("language fr: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Command: "help", Language: "pt-br"})
	if r[0].Text != e.text("fr", "help", nil) {
		t.Fatalf("choice not remembered over client language: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Callback: "lang:en"})
	if r[0].Text != e.text("en", "language_set", nil) {
		t.Fatalf("language button: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Command: "language", Args: "klingon"})
	if r[0].Text != e.text("en", "language_unknown", nil) {
		t.Fatalf("unknown language: %+v", r)
	}
	// A language's name, as its button shows it or as people write it.
	for name, lang := range map[string]string{"Español": "es", "espanol": "es", "English": "en", "francais": "fr", "Français": "fr",
		"Português (Brasil)": "pt-BR", "portugues": "pt-BR", "french": "fr", "spanish": "es"} {
		r = e.do(reporterID, commands.Request{Command: "language", Args: name})
		if r[0].Text != e.text(lang, "language_set", nil) {
			t.Errorf("/language %s: %+v", name, r)
		}
	}
	// Unknown client language falls back to the configured default.
	r = e.do("7002", commands.Request{Command: "help", Language: "de"})
	if r[0].Text != e.text("es", "help", nil) {
		t.Fatalf("default language: %+v", r)
	}
}

func TestCancelAndStaleButtons(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "algo"})
	send := press(r, "send:")
	r = e.do(reporterID, commands.Request{Command: "cancel"})
	if r[0].Text != e.text("es", "cancelled", nil) {
		t.Fatalf("cancel: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Callback: send})
	if r[0].Text != e.text("es", "draft_stale", nil) {
		t.Fatalf("send after cancel: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Command: "cancel"})
	if r[0].Text != e.text("es", "draft_none", nil) {
		t.Fatalf("cancel with no draft: %+v", r)
	}
	if r = e.do(reporterID, commands.Request{Callback: "garbage:::"}); len(r) != 1 || r[0].Text != e.text("es", "button_invalid", nil) {
		t.Fatalf("foreign callback: %+v, want button_invalid", r) // (132c834: answered, nothing done)
	}
	if list, _ := e.store.Recent(context.Background(), 5); len(list) != 0 {
		t.Fatal("a cancelled draft became a tip")
	}
}

func TestHostileInput(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: strings.Repeat("a", 5000)})
	if r[0].Text != e.text("es", "message_too_long", map[string]any{"Max": 4096}) {
		t.Fatalf("huge message: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Unsupported: true})
	if r[0].Text != e.text("es", "unsupported_message", nil) {
		t.Fatalf("sticker: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Location: &tips.Location{Lat: 500, Lon: 0}})
	if r[0].Text != e.text("es", "unsupported_message", nil) {
		t.Fatalf("impossible location: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Text: string([]byte{0xff, 0xfe, 'x'})})
	if !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("invalid UTF-8: %+v", r)
	}
	for i := 0; i < 40; i++ {
		r = e.do(reporterID, commands.Request{Text: "parte"})
	}
	if !strings.HasPrefix(r[0].Text, e.text("es", "draft_full", map[string]any{"Parts": "30 mensajes", "Chars": "20000 caracteres"})) {
		t.Fatalf("draft over the part limit: %+v", r)
	}
}

// failing wraps a store to fail or panic on drafts.
type failing struct {
	commands.Store
	err   error
	panic bool
}

func (f failing) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	if f.panic {
		panic("boom")
	}
	return storage.Draft{}, f.err
}

func TestFailuresGetLocalisedAnswers(t *testing.T) {
	e := newEnv(t, func(s commands.Store) commands.Store { return failing{Store: s, panic: true} })
	r := e.do(reporterID, commands.Request{Text: "secreto"})
	if len(r) != 1 || r[0].Text != e.text("es", "error_internal", nil) {
		t.Fatalf("panic: %+v", r)
	}
	if !strings.Contains(e.logs.String(), "handler panic") || strings.Contains(e.logs.String(), "secreto") || strings.Contains(e.logs.String(), "0x1b59") {
		t.Fatalf("panic log: %s", e.logs.String())
	}
	down := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	e = newEnv(t, func(s commands.Store) commands.Store { return failing{Store: s, err: down} })
	r = e.do(reporterID, commands.Request{Text: "secreto"})
	if len(r) != 1 || r[0].Text != e.text("es", "error_storage", nil) {
		t.Fatalf("storage down: %+v", r)
	}
	// "/report <words>" brought the same words: told they were NOT
	// saved, not "could not be done" as a /status is.
	r = e.do(reporterID, commands.Request{Command: "report", Args: "secreto", Text: "/report secreto", CommandAtStart: true})
	if len(r) != 1 || r[0].Text != e.text("es", "error_storage", nil) {
		t.Fatalf("storage down, /report <words>: %+v", r)
	}
}

func TestExpiredDraftTellsReporter(t *testing.T) {
	e := newEnv(t, nil)
	rec := &recorder{}
	e.mux.AddSender("telegram", rec)
	e.do(reporterID, commands.Request{Text: "algo", Language: "fr"})
	e.clk.Add(31 * time.Minute)
	n, err := e.mux.ExpireDrafts(context.Background(), 30*time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("ExpireDrafts = %d, %v", n, err)
	}
	got := rec.sent[reporterID]
	if len(got) != 1 || got[0].Text != e.text("fr", "draft_expired", map[string]any{"Idle": "30 minutes"}) {
		t.Fatalf("expiry notice: %+v", rec.sent)
	}
}

// The notice goes in the language the reporter chose after writing
// (/language), not the one they wrote in.
func TestExpiredDraftNoticeInTheLanguageChosenSince(t *testing.T) {
	e := newEnv(t, nil)
	rec := &recorder{}
	e.mux.AddSender("telegram", rec)
	e.do(reporterID, commands.Request{Text: "algo pasa en la esquina", Language: "es"})
	if r := e.do(reporterID, commands.Request{Command: "language", Args: "pt-BR", Language: "es"}); len(r) == 0 {
		t.Fatal("no answer to /language pt-BR")
	}
	e.clk.Add(31 * time.Minute)
	if n, err := e.mux.ExpireDrafts(context.Background(), 30*time.Minute); err != nil || n != 1 {
		t.Fatalf("ExpireDrafts = %d, %v", n, err)
	}
	got := rec.sent[reporterID]
	if len(got) != 1 || got[0].Text != e.text("pt-BR", "draft_expired", map[string]any{"Idle": "30 minutos"}) {
		t.Fatalf("expiry notice: %+v", rec.sent)
	}
}

// With a required platform role, the vetted list is necessary but not
// enough: a vetted member without the role is refused like anyone else,
// and the role alone grants nothing.
func TestRequiredPlatformRole(t *testing.T) {
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{4}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "r"})
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{
		Store: st, Messages: msg, DefaultLanguage: "en",
		Roles:         commands.Roles{"discord:1": commands.Investigator},
		RequiredRoles: map[string]string{"discord": "777"},
	})
	ask := func(user string, roles ...string) string {
		rec := &recorder{}
		mux.Handle(context.Background(), commands.Request{Platform: "discord", UserID: user, ChatID: "u" + user,
			Command: "recent", CommandAtStart: true, PlatformRoles: roles}, rec)
		return rec.take()[0].Text
	}
	unknown := msg.Localize("en", "unknown_command", nil)
	if got := ask("1", "777"); got != msg.Localize("en", "recent_empty", nil) {
		t.Fatalf("vetted with role: %q", got)
	}
	if got := ask("1", "555"); got != unknown {
		t.Fatalf("vetted without role: %q", got)
	}
	if got := ask("2", "777"); got != unknown {
		t.Fatalf("role without vetting: %q", got)
	}
}

// /report opens the form where the platform has forms; the submitted form
// is a draft part like a message.
func TestReportForm(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Command: "report", CanOpenForms: true})
	if len(r) != 1 || r[0].Form == nil || r[0].Form.ID != "report" || len(r[0].Form.Fields) != 2 {
		t.Fatalf("report: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Command: "report"})
	if r[0].Form != nil || r[0].Text != e.text("es", "report_how", nil) {
		t.Fatalf("report without forms: %+v", r)
	}
	r = e.do(reporterID, commands.Request{FormID: "report", Form: map[string]string{"tip": "venden armas", "links": "https://x.example"}})
	if !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("form submit: %+v", r)
	}
	// A form no version opens (forged, or an older one's) is answered:
	// NOT received, what was typed given back (form_not_taken).
	r = e.do(reporterID, commands.Request{FormID: "other", Form: map[string]string{"tip": "venden armas otra vez"}})
	if len(r) != 1 || r[0].Instead != e.text("es", "form_not_taken_elsewhere", nil) || !strings.Contains(r[0].Text, "venden armas otra vez") {
		t.Fatalf("unknown form: %+v", r)
	}
	// Both fields filled to the most the form takes: kept, not refused as
	// too long (the form is gone by then; nothing could be split).
	r = e.do("7003", commands.Request{Command: "report", CanOpenForms: true})
	full := map[string]string{}
	for _, f := range r[0].Form.Fields {
		full[f.ID] = strings.Repeat("é", f.MaxLength)
	}
	r = e.do("7003", commands.Request{FormID: "report", Form: full})
	if !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("a full form: %+v", r)
	}
}

// Flooding is limited per pseudonym, with a friendly answer, and the
// limit changes nothing that was already sent.
func TestFloodLimits(t *testing.T) {
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "f"})
	st.Init(context.Background())
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en",
		Roles:  commands.Roles{"telegram:9": commands.Investigator},
		Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30, MaxChars: 20000, PartsPerHour: 3, TipsPerHour: 1, QueriesPerHour: 2}})
	ev := int64(0)
	say := func(user string, req commands.Request) []commands.Reply {
		ev++
		req.Platform, req.UserID, req.ChatID, req.EventID = "telegram", user, user, ev
		if req.Command != "" {
			req.CommandAtStart = true
		}
		rec := &recorder{}
		mux.Handle(context.Background(), req, rec)
		return rec.take()
	}
	limited := msg.Localize("en", "rate_limited", nil)
	var r []commands.Reply
	for i := range 4 {
		r = say("1", commands.Request{Text: fmt.Sprint("parte ", i)})
	}
	if r[0].Text != limited {
		t.Fatalf("fourth message: %+v", r)
	}
	if d, _ := st.Draft(context.Background(), st.Pseudonym("telegram", "1")); d.Parts != 3 {
		t.Fatalf("draft has %d parts", d.Parts)
	}
	if r = say("1", commands.Request{Text: "parte 5"}); len(r) != 0 {
		t.Fatalf("told twice: %+v", r) // a flood gets nothing to flood with
	}
	if r = say("1", commands.Request{Callback: "send:" + mustDraft(t, st, "1")}); codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("first tip: %+v", r)
	}
	r = say("2", commands.Request{Text: "otro"})
	say("2", commands.Request{Callback: press(r, "send:")})
	r = say("2", commands.Request{Text: "y otro"})
	send := press(r, "send:")
	if r = say("2", commands.Request{Callback: send}); r[0].Text != limited {
		t.Fatalf("second tip in the hour: %+v", r)
	}
	if r = say("2", commands.Request{Callback: send}); len(r) != 0 {
		t.Fatalf("told twice: %+v", r)
	}
	if d, err := st.Draft(context.Background(), st.Pseudonym("telegram", "2")); err != nil || d.Parts != 1 {
		t.Fatalf("the refused tip's draft: %+v %v", d, err) // kept, to send later
	}
	for range 2 {
		say("9", commands.Request{Command: "recent"})
	}
	if r = say("9", commands.Request{Command: "recent"}); r[0].Text != limited {
		t.Fatalf("third query: %+v", r)
	}
}

// A group (all its members together) gets a bounded number of answers an
// hour; other chats are not affected; the chat is counted under a MAC.
func TestChatLimit(t *testing.T) {
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "f"})
	st.Init(context.Background())
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en",
		Limits: commands.Limits{MaxMessageRunes: 4096, MaxParts: 30, MaxChars: 20000, PartsPerHour: 300, TipsPerHour: 20, QueriesPerHour: 300, ChatPerHour: 3}})
	ev := int64(0)
	say := func(user, chat string) []commands.Reply {
		ev++
		req := commands.Request{Platform: "telegram", UserID: user, ChatID: chat, ChatKind: commands.Group, EventID: ev,
			Command: "help", CommandAtStart: true, Addressed: true}
		rec := &recorder{}
		mux.Handle(context.Background(), req, rec)
		return rec.take()
	}
	limited := msg.Localize("en", "rate_limited", nil)
	for i := range 3 {
		if r := say(fmt.Sprint(100+i), "-100555123"); len(r) != 1 || r[0].Text == limited {
			t.Fatalf("answer %d: %+v", i, r)
		}
	}
	// The group is told once, without "you are sending a lot" (which
	// would point at whoever asked).
	if r := say("200", "-100555123"); len(r) != 1 || r[0].Text != msg.Localize("en", "group_busy", nil) {
		t.Fatalf("fourth request in the group: %+v", r)
	}
	if r := say("201", "-100555123"); len(r) != 0 {
		t.Fatalf("a flood gets answers: %+v", r)
	}
	if r := say("200", "-100999888"); len(r) != 1 || r[0].Text == limited {
		t.Fatalf("another group: %+v", r)
	}
	dump, _ := srv.Dump(context.Background())
	for k := range dump {
		if strings.Contains(k, "555123") {
			t.Fatalf("the chat id is in a key: %s", k)
		}
	}
}

func mustDraft(t *testing.T, st *storage.Store, user string) string {
	d, err := st.Draft(context.Background(), st.Pseudonym("telegram", user))
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// A downloaded photo is stored without its EXIF (GPS, camera) and the
// reporter is told; a file Vigía cannot clean is kept as sent and the
// reporter is warned.
func TestUploadedFilesAreCleaned(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	exif := "Exif\x00\x00GPSLatitude 19.4326"
	photo := []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, byte(len(exif) + 2)}
	photo = append(photo, exif...)
	photo = append(photo, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, // frame header: 1×1, one component
		0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x11, 0x22, 0xFF, 0xD9)
	r := e.do(reporterID, commands.Request{Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: photo, Language: "es-MX"})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, e.text("es", "file_cleaned", nil, 1)) {
		t.Fatalf("photo reply: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Attachment: &tips.Attachment{Kind: tips.Document}, FileData: []byte("%PDF-1.7 Author Juan"), Language: "es-MX"})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, e.text("es", "file_not_cleaned", nil)) {
		t.Fatalf("document reply: %+v", r)
	}
	draftID := strings.Split(press(r, "send:"), ":")[1]
	e.do(reporterID, commands.Request{Callback: "cat:" + draftID + ":extortion", Language: "es-MX"})
	e.do(reporterID, commands.Request{Callback: "send:" + draftID, Language: "es-MX"})
	list, err := e.store.Recent(ctx, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("recent: %v %v", list, err)
	}
	var stored [][]byte
	for _, p := range list[0].Content.Parts {
		if p.Attachment != nil {
			b, err := e.store.File(ctx, p.Attachment.FileRef)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, b)
		}
	}
	if len(stored) != 2 || bytes.Contains(stored[0], []byte("GPS")) || !bytes.HasSuffix(stored[0], []byte{0x11, 0x22, 0xFF, 0xD9}) || string(stored[1]) != "%PDF-1.7 Author Juan" {
		t.Fatalf("stored files: %q", stored)
	}
}

// The demo (the console) plays no one platform's flow: the advice after a
// tip is sent speaks of the real bot, in whichever app, not of Telegram
// as if the reporter were on it.
// Mutation: the console given safety_advice (as before) → the advice
// says "Telegram itself knows your account".
func TestDemoSafetyAdviceIsWordedForTheDemo(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Platform: "console", Text: "Me cobran piso cada semana", Language: "en"})
	send := press(r, "send:")
	if send == "" {
		t.Fatalf("no Send button: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Platform: "console", Callback: send, Language: "en"})
	receipt := receiptRE.FindString(r[0].Text)
	if len(r) != 2 || receipt == "" || r[1].Text != e.text("en", "demo_safety_advice", map[string]any{"Receipt": receipt}) {
		t.Fatalf("send replies: %+v", r)
	}
	if strings.Contains(r[1].Text, "Telegram itself") || !strings.Contains(r[1].Text, "on the real bot") {
		t.Fatalf("the demo's advice: %q", r[1].Text)
	}
}

// The demo's /start speaks of the real bot in whichever app, not of
// Telegram as if the reporter were on it (every language); Telegram's
// still names Telegram.
// Mutation: the console given start (as before) → the demo's /start
// says "Telegram can see that you wrote to this bot".
func TestDemoStartIsWordedForTheDemo(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		r := e.do(reporterID, commands.Request{Platform: "console", Command: "start", Language: lang})
		if len(r) != 1 || r[0].Text != e.text(lang, "demo_start", nil) {
			t.Fatalf("%s: the demo's /start: %+v", lang, r)
		}
		if tg := e.text(lang, "start", map[string]any{"Platform": "Telegram"}); r[0].Text == tg || !strings.Contains(r[0].Text, "Telegram, Discord") {
			t.Fatalf("%s: the demo's /start is not the demo's: %q", lang, r[0].Text)
		}
	}
	r := e.do(reporterID, commands.Request{Platform: "telegram", Command: "start", Language: "en"})
	if len(r) != 1 || !strings.Contains(r[0].Text, "Telegram can see that you wrote to this bot") {
		t.Fatalf("Telegram's /start: %+v", r)
	}
}
