package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A reporter who set a wipe for later and begins a tip is told, in the
// answer that starts the draft and in their language, that the wipe will
// delete it with the conversation unless they send it before then, and
// in about how long (coarsely, as /wipe 2h said it): that wipe discards
// an unsent draft. It is said once a draft: not with its next part, nor
// with the parts of a draft that /wipe 2h already warned of
// (wipe_draft_pending). Of two wipes set, the one still to come is told
// once the other ran. Once the wipe ran, a new draft is not told of it.
// Before, nothing said it (the wiped chat did, on Telegram, where it
// must stay empty: TestWipeNowLeavesTheChatEmptyThoughAWipeIsSetForLater).
// Mutation: draftAnswer without draftWipe's line →
// TestDraftTellsOfTheWipeSetForLater fails; addPart not setting
// WipeUntold → it fails; draftAnswer not recording it told (no
// DraftWipeTold) → it fails (told again with the next part); noteWipe
// noting the last wipe set, not the latest due → it fails (the draft
// begun once the sooner of two ran is not told of the later).
func TestDraftTellsOfTheWipeSetForLater(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	e, _ := newEngine(t, "p", p, commands.Options{})
	started := func(lang string) string {
		return e.msg.Localize(lang, "draft_started", nil) + "\n\n" + e.msg.Localize(lang, "choose_category", nil)
	}
	// startedWarned is a draft's first answer with the wipe's warning,
	// which comes before the prompt (next to its buttons).
	startedWarned := func(lang, warning string) string {
		return e.msg.Localize(lang, "draft_started", nil) + "\n\n" + warning + "\n\n" + e.msg.Localize(lang, "choose_category", nil)
	}
	for i, c := range []struct {
		lang, delay string
		after       time.Duration
		id          string // the delay said: its message
		n           int    // and count
	}{
		{"es", "2h", 13 * time.Minute, "age_hours", 2},
		{"fr", "30m", 5*time.Minute + 20*time.Second, "age_minutes", 25},
		{"pt-BR", "24h", 20 * time.Minute, "age_days", 1},
		{"en", "1h", 40 * time.Minute, "age_minutes", 20},
	} {
		user := fmt.Sprintf("88374%02d", i)
		do := func(r commands.Request) []commands.Reply {
			r.UserChat, r.Language = user, c.lang
			return e.do(user, r)
		}
		do(commands.Request{Command: "wipe", Args: c.delay, MessageID: "46"})
		e.clk.Add(c.after)
		if r := do(commands.Request{Command: "wipe", Args: "now", MessageID: "50"}); len(r) != 0 {
			t.Fatalf("%s: /wipe now answered %+v", c.lang, r)
		}
		want := startedWarned(c.lang, e.msg.Localize(c.lang, "wipe_draft_due", map[string]any{"Delay": e.msg.Localize(c.lang, c.id, nil, c.n)}))
		r := do(commands.Request{Text: "Cobran piso en el mercado de la colonia", MessageID: "51"})
		if len(r) != 1 || r[0].Text != want || press(r, "send:") == "" {
			t.Fatalf("%s: a draft begun with /wipe %s set %v ago was answered %+v, want %q and its Send", c.lang, c.delay, c.after, r, want)
		}
		if r := do(commands.Request{Text: "los viernes", MessageID: "52"}); len(r) != 1 || r[0].Text != e.msg.Localize(c.lang, "draft_added", nil, 2) {
			t.Fatalf("%s: its next part was answered %+v, want it not told again", c.lang, r)
		}
		e.clk.Add(-c.after)
	}

	// A draft begun before the wipe was set: /wipe 2h says so, its next
	// part does not again.
	do := func(r commands.Request) []commands.Reply {
		r.UserChat, r.Language = wiperID, "en"
		return e.do(wiperID, r)
	}
	if r := do(commands.Request{Text: "Cobran piso en el mercado", MessageID: "60"}); len(r) != 1 || r[0].Text != started("en") {
		t.Fatalf("a draft begun with no wipe set: %+v", r)
	}
	want := e.msg.Localize("en", "wipe_scheduled", map[string]any{"Delay": "2 hours"}) + "\n\n" + e.msg.Localize("en", "wipe_draft_pending", nil)
	if r := do(commands.Request{Command: "wipe", Args: "2h", MessageID: "61"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("/wipe 2h with a draft: %+v", r)
	}
	if r := do(commands.Request{Text: "los viernes", MessageID: "62"}); len(r) != 1 || r[0].Text != e.msg.Localize("en", "draft_added", nil, 2) {
		t.Fatalf("the next part of a draft /wipe 2h warned of: %+v", r)
	}

	// Of two wipes set, the sooner ran: a draft begun after it is told of
	// the later one.
	two := func(r commands.Request) []commands.Reply {
		r.UserChat, r.Language = reporterID, "en"
		return e.do(reporterID, r)
	}
	two(commands.Request{Command: "wipe", Args: "24h", MessageID: "80"})
	two(commands.Request{Command: "wipe", Args: "1h", MessageID: "81"})
	e.clk.Add(4 * time.Hour)
	runWipes(t, e)
	want = startedWarned("en", e.msg.Localize("en", "wipe_draft_due", map[string]any{"Delay": "20 hours"}))
	if r := two(commands.Request{Text: "Cobran piso en el mercado", MessageID: "82"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("a draft begun once the sooner of two wipes ran: %+v, want %q", r, want)
	}
	e.clk.Add(-4 * time.Hour)

	// The wipes ran (each discarding its reporter's draft): a new draft
	// is not told of them.
	e.clk.Add(24*time.Hour + time.Second)
	runWipes(t, e)
	for i, lang := range []string{"es", "en"} {
		user := fmt.Sprintf("88374%02d", i*3)
		if r := e.do(user, commands.Request{Text: "otra cosa", MessageID: "70", UserChat: user, Language: lang}); len(r) != 1 || r[0].Text != started(lang) {
			t.Fatalf("a draft begun once the wipe ran: %+v", r)
		}
	}
	if logs := e.logs.String(); strings.Contains(logs, "88374") || strings.Contains(logs, wiperID) {
		t.Fatalf("the log names a chat:\n%s", logs)
	}
}

// chatWipeDueCounted is a store that counts its ChatWipeDue reads, which
// fail while fail is set (Redis timing out on that read).
type chatWipeDueCounted struct {
	*storage.Store
	reads atomic.Int32
	fail  atomic.Bool
}

func (s *chatWipeDueCounted) ChatWipeDue(ctx context.Context, pseudonym string) (time.Time, error) {
	s.reads.Add(1)
	if s.fail.Load() {
		return time.Time{}, errors.New("redis: i/o timeout")
	}
	return s.Store.ChatWipeDue(ctx, pseudonym)
}

// A reporter's parts cost no read of their wipes unless they set one
// (the draft script says so with the part): a reporter who never did is
// not asked about. Where that read fails, the draft goes on, answered
// without the warning, which the next part's answer gives; once given,
// the wipes are not read again for that draft.
// Mutation: draftAnswer recording the warning told though the read
// failed → TestDraftWipeWarningCostsNoReadAndSurvivesAFailedOne fails.
func TestDraftWipeWarningCostsNoReadAndSurvivesAFailedOne(t *testing.T) {
	p := &platform{recorder: &recorder{}}
	base, _ := newEngine(t, "p", p, commands.Options{})
	st := &chatWipeDueCounted{Store: base.store}
	msg, _ := loadMessages()
	logs := &bytes.Buffer{}
	mux := commands.New(commands.Options{Store: st, Messages: msg, Now: base.clk.Now, DefaultLanguage: "en",
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	mux.AddSender("telegram", p)
	e := &env{t: t, mux: mux, store: base.store, msg: msg, clk: base.clk, logs: logs}
	en := func(id string, data map[string]any, n ...int) string { return msg.Localize("en", id, data, n...) }
	started := en("draft_started", nil) + "\n\n" + en("choose_category", nil)
	do := func(user string, r commands.Request) []commands.Reply {
		r.UserChat, r.Language = user, "en"
		return e.do(user, r)
	}

	for i, text := range []string{"Cobran piso en el mercado", "los viernes", "a las diez"} {
		do(reporterID, commands.Request{Text: text, MessageID: fmt.Sprint(40 + i)})
	}
	if n := st.reads.Load(); n != 0 {
		t.Fatalf("a reporter who set no wipe: their wipes read %d times", n)
	}

	do(wiperID, commands.Request{Command: "wipe", Args: "2h", MessageID: "46"})
	st.fail.Store(true)
	if r := do(wiperID, commands.Request{Text: "Cobran piso en el mercado", MessageID: "47"}); len(r) != 1 || r[0].Text != started || press(r, "send:") == "" {
		t.Fatalf("a draft begun while the wipes could not be read: %+v", r)
	}
	st.fail.Store(false)
	want := en("draft_added", nil, 2) + "\n\n" + en("wipe_draft_due", map[string]any{"Delay": en("age_hours", nil, 2)})
	if r := do(wiperID, commands.Request{Text: "los viernes", MessageID: "48"}); len(r) != 1 || r[0].Text != want {
		t.Fatalf("the next part, the wipes read again: %+v, want %q", r, want)
	}
	if r := do(wiperID, commands.Request{Text: "a las diez", MessageID: "49"}); len(r) != 1 || r[0].Text != en("draft_added", nil, 3) {
		t.Fatalf("the part after the warning: %+v", r)
	}
	if n := st.reads.Load(); n != 2 {
		t.Fatalf("the wipes were read %d times, want twice (failed, then told)", n)
	}
	if d, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", wiperID)); err != nil || d.Parts != 3 {
		t.Fatalf("the draft: %+v %v, want its three parts", d, err)
	}
	if l := logs.String(); !strings.Contains(l, "scheduled wipe not looked up") || strings.Contains(l, wiperID) {
		t.Fatalf("the log:\n%s", l)
	}
}

// An album whose last item is refused (a file too large) starts the draft
// in the answer after the refusal (albumAnswer): that answer, too, tells
// the reporter who set a wipe that it will delete the tip unless they
// send it before then, and the next part is not told again. Before, that
// answer read the draft back without what its silent items' writes said
// of the wipe, and began the draft without the warning.
// Mutation: albumAnswer not passing on the run's WipeUntold →
// TestAlbumDraftTellsOfTheWipeSetForLater fails.
func TestAlbumDraftTellsOfTheWipeSetForLater(t *testing.T) {
	e, _ := newEngine(t, "p", &platform{recorder: &recorder{}}, commands.Options{Limits: commands.DefaultLimits})
	photo := commands.Request{Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), UserChat: reporterID}
	lost := commands.Request{FileLost: true, UserChat: reporterID}
	if r := e.do(reporterID, commands.Request{Command: "wipe", Args: "2h", MessageID: "46", UserChat: reporterID}); len(r) != 1 || r[0].Text != e.text("en", "wipe_scheduled", map[string]any{"Delay": "2 hours"}) {
		t.Fatalf("/wipe 2h: %+v", r)
	}
	r := e.album(reporterID, photo, photo, lost)
	want := e.text("en", "file_cleaned", nil, 2) + "\n\n" + e.text("en", "draft_started", nil) + "\n\n" +
		e.text("en", "wipe_draft_due", map[string]any{"Delay": e.text("en", "age_hours", nil, 2)}) + "\n\n" + e.text("en", "choose_category", nil)
	if len(r) != 2 || r[0].Text != e.text("en", "file_not_received", nil) || r[1].Text != want || press(r[1:], "send:") == "" {
		t.Fatalf("an album begun with /wipe 2h set, its last item lost: %d replies %+v, want %q", len(r), r, want)
	}
	if r := e.do(reporterID, commands.Request{Text: "los viernes", MessageID: "60", UserChat: reporterID}); len(r) != 1 || r[0].Text != e.text("en", "draft_added", nil, 3) {
		t.Fatalf("the next part: %+v, want it not told again", r)
	}
}
