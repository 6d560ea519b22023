package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

func TestSearchEntitySignalsAndAlert(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	tip := func(user, text string) {
		r := tm.as(user, "R", commands.Request{Text: text})
		tm.as(user, "R", commands.Request{Callback: press(r, "send:")})
		if err := tm.mux.IndexPending(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	tip("7001", "Extorsión en el mercado, cobran del +52 55 1234 5678")
	tip("7001", "otra vez la extorsión, llaman del 5512345678")
	tip("7002", "me extorsionan desde el 55-1234-5678")
	if got := tm.sent.sent["-100777"]; len(got) != 0 {
		t.Fatalf("alert with two distinct reporters: %+v", got)
	}
	tip("7003", "el mismo número (55) 1234 5678 cobra piso en la colonia")
	alerts := tm.sent.sent["-100777"]
	if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "+52 55 1234 5678") || !strings.Contains(alerts[0].Text, " 3 ") {
		t.Fatalf("alert: %+v", alerts)
	}
	tip("7004", "y también el 5512345678 amenaza")
	if len(tm.sent.sent["-100777"]) != 1 {
		t.Fatal("alerted twice in one window")
	}

	r := tm.as("2002", "Ana", commands.Request{Command: "search", Args: "EXTORSION mercado"})
	if !strings.Contains(r[0].Text, "#1 ") || strings.Contains(r[0].Text, "#3 ") {
		t.Fatalf("search: %s", r[0].Text)
	}
	r = tm.as("2002", "Ana", commands.Request{Command: "search", Args: "extorsion window:30d category:extortion"})
	if !strings.Contains(r[0].Text, "#1 ") || !strings.Contains(r[0].Text, "#2 ") || strings.Contains(r[0].Text, "#4 ") {
		t.Fatalf("search with window and category: %s", r[0].Text)
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "search"}); !strings.HasPrefix(r[0].Text, "Send /search followed by words") {
		t.Fatalf("empty search: %+v", r)
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "search", Args: "window:30d"}); !strings.HasPrefix(r[0].Text, "5 matching tips") {
		t.Fatalf("search by a window alone: %+v", r)
	}
	r = tm.as("2002", "Ana", commands.Request{Command: "entity", Args: "+52 (55) 1234-5678"})
	for _, id := range []string{"#1 ", "#2 ", "#3 ", "#4 ", "#5 "} {
		if !strings.Contains(r[0].Text, id) {
			t.Fatalf("entity lacks %s: %s", id, r[0].Text)
		}
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "entity", Args: "nada que ver"}); r[0].Text != tm.msg.Localize("en", "entity_unknown", nil) {
		t.Fatalf("entity of nothing: %+v", r)
	}
	r = tm.as("2002", "Ana", commands.Request{Command: "signals"})
	if !strings.Contains(r[0].Text, "+52 55 1234 5678\u2069 · 4 reporters · 5 tips") {
		t.Fatalf("signals: %s", r[0].Text)
	}
	if r = tm.as("2002", "Ana", commands.Request{Command: "signals", Args: "forever"}); r[0].Text != tm.msg.Localize("en", "signals_usage", nil) {
		t.Fatalf("bad window: %+v", r)
	}
	// Reporters cannot search.
	if r = tm.as("7001", "R", commands.Request{Command: "search", Args: "extorsion"}); r[0].Text != tm.msg.Localize("en", "unknown_command", nil) {
		t.Fatalf("reporter search: %+v", r)
	}
	// The queries are audited with their arguments.
	r = tm.as(adminID, "Ada", commands.Request{Command: "audit"})
	r[0].Text = unisolated(r[0].Text)
	for _, want := range []string{"/search EXTORSION mercado", "/entity +52 (55) 1234-5678", "/signals"} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("audit lacks %q", want)
		}
	}
}

// report sends a tip from user, in category cat if set, and runs the
// indexer over it (sending the alerts it raises).
func (tm *team) report(user, text string, cat tips.Category) {
	tm.t.Helper()
	r := tm.as(user, "R", commands.Request{Text: text})
	send := press(r, "send:")
	if cat != "" {
		draft := strings.TrimPrefix(send, "send:")
		tm.as(user, "R", commands.Request{Callback: "cat:" + draft + ":" + string(cat)})
	}
	tm.as(user, "R", commands.Request{Callback: send})
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		tm.t.Fatal(err)
	}
}

// A purged tip's reporter no longer counts towards the entity's
// reporters (for /signals and alerts), unless another of their tips
// still names it.
func TestPurgedTipsNoLongerCorroborate(t *testing.T) {
	tm := newTeam(t)
	signals := func() string {
		t.Helper()
		return tm.as(adminID, "Ada", commands.Request{Command: "signals"})[0].Text
	}
	tm.report("7001", "cobran piso desde el 5512345678", "") // #1
	tm.report("7001", "otra vez el 5512345678", "")          // #2, the same reporter
	tm.report("7002", "el 5512345678 nos amenaza", "")       // #3
	if s := signals(); !strings.Contains(s, "+52 55 1234 5678\u2069 · 2 reporters · 3 tips") {
		t.Fatalf("signals before any purge: %s", s)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "1"})
	if s := signals(); !strings.Contains(s, "+52 55 1234 5678\u2069 · 2 reporters · 2 tips") {
		t.Fatalf("signals after purging one of two tips of a reporter: %s", s)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3"})
	if s := signals(); s != tm.msg.Localize("en", "signals_empty", nil) {
		t.Fatalf("signals with one reporter's tips left: %s", s)
	}
	// Two more reporters: the entity is named by three, and alerted, only
	// once the second of them reports.
	tm.report("7003", "me llamaron del 5512345678", "")
	if got := tm.sent.sent["-100777"]; len(got) != 0 {
		t.Fatalf("alert with two reporters left: %q", got[0].Text)
	}
	tm.report("7004", "del 5512345678 piden cuota", "")
	if got := tm.sent.sent["-100777"]; len(got) != 1 || !strings.Contains(got[0].Text, " 3 different reporters") {
		t.Fatalf("alerts once a third reporter names it: %+v", got)
	}
	// Redis keeps three reporter tags for the entity.
	c := tm.srv.Client()
	keys := c.Keys(context.Background(), "w:ix:e:*").Val()
	if len(keys) != 1 {
		t.Fatalf("entity sets: %v", keys)
	}
	if n := c.ZCount(context.Background(), keys[0], "-inf", "(0").Val(); n != 3 {
		t.Errorf("%d reporter tags for three reporters", n)
	}
}

// A reporter whose newest tip naming an entity is purged counts in a
// window only if one of their remaining tips falls in it.
func TestPurgeDatesAReporterByTheirRemainingTips(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "") // #1
	tm.clk.Add(10 * 24 * time.Hour)
	tm.report("7002", "el 5512345678 nos amenaza", "") // #2
	tm.report("7001", "otra vez el 5512345678", "")    // #3
	if s := tm.as(adminID, "Ada", commands.Request{Command: "signals"})[0].Text; !strings.Contains(s, "· 2 reporters · 2 tips") {
		t.Fatalf("signals before the purge: %s", s)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3"})
	if s := tm.as(adminID, "Ada", commands.Request{Command: "signals"})[0].Text; s != tm.msg.Localize("en", "signals_empty", nil) {
		t.Fatalf("signals of the last 7 days, where one reporter is left: %s", s)
	}
}

// flaky is a recorder whose Send number fail (counted from 1) fails, as
// Telegram does when rate limited.
type flaky struct {
	*recorder
	n, fail int
}

func (f *flaky) Send(ctx context.Context, chat string, r commands.Reply) ([]string, error) {
	f.n++
	if f.n == f.fail {
		return nil, errors.New("429 too many requests")
	}
	return f.recorder.Send(ctx, chat, r)
}

// A tip that raises two alerts, one of which cannot be sent, is
// acknowledged: the failed alert is kept and goes out when tried again,
// the other is not sent twice.
func TestFailedAlertIsSentAgainAlone(t *testing.T) {
	sent := &recorder{}
	fl := &flaky{recorder: sent}
	e, srv := newEngine(t, "w", fl, commands.Options{
		Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, InvestigatorChats: []string{"telegram:" + invChat},
	})
	tm := &team{env: e, srv: srv, sent: sent}
	ctx := context.Background()
	tm.report("7001", "llaman del 5512345678, escriban a cobro@extorsion.example", "")
	tm.report("7002", "5512345678 y cobro@extorsion.example otra vez", "")
	fl.fail = fl.n + 2 // the third reporter's second alert
	tm.report("7003", "el 5512345678 manda correos de cobro@extorsion.example", "")
	if got := sent.sent[invChat]; len(got) != 1 {
		t.Fatalf("%d alerts went out, want the first of two", len(got))
	}
	if n, err := tm.store.IndexBacklog(ctx); err != nil || n != 0 {
		t.Fatalf("backlog %d %v, want the tip acknowledged", n, err)
	}
	// A minute later, the kept alert is sent again.
	tm.clk.Add(time.Minute)
	if err := tm.mux.RetryAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	got := sent.sent[invChat]
	if len(got) != 2 {
		t.Fatalf("%d alerts for two entities: %+v", len(got), got)
	}
	phone := strings.Contains(got[0].Text, "+52 55 1234 5678") || strings.Contains(got[1].Text, "+52 55 1234 5678")
	mail := strings.Contains(got[0].Text, "cobro@") || strings.Contains(got[1].Text, "cobro@")
	if !phone || !mail {
		t.Fatalf("alerts: %q, %q", got[0].Text, got[1].Text)
	}
	// Later tips naming them raise nothing more in the window.
	tm.report("7004", "otra vez el 5512345678 y cobro@extorsion.example", "")
	if n := len(sent.sent[invChat]); n != 2 {
		t.Fatalf("%d alerts after a fourth reporter", n)
	}
}

// /signals with a window longer than the corroboration window (7 days)
// finds entities whose reporters are further apart; the alert window and
// /signals without a window stay at 7 days; a window is at most the
// retention, however long it is written.
func TestSignalsOfAWindowLongerThanTheCorroborationWindow(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso desde el 5512345678", "")
	tm.clk.Add(10 * 24 * time.Hour)
	tm.report("7002", "el 5512345678 nos amenaza", "")
	signals := func(args string) string {
		return tm.as(adminID, "Ada", commands.Request{Command: "signals", Args: args})[0].Text
	}
	if s := signals("30d"); !strings.HasPrefix(s, tm.msg.Localize("en", "signals_header", map[string]any{"Period": tm.msg.Localize("en", "age_days", nil, 30)})) ||
		!strings.Contains(s, "+52 55 1234 5678\u2069 · 2 reporters · 2 tips") {
		t.Errorf("/signals 30d: %s", s)
	}
	if s := signals(""); s != tm.msg.Localize("en", "signals_empty", nil) {
		t.Errorf("/signals: %s", s)
	}
	for _, w := range []string{"365d", "9999d", "36500d", "876000h", "36501d", "1000000h", "99999999999999999999999d"} {
		if s := signals(w); !strings.HasPrefix(s, tm.msg.Localize("en", "signals_header", map[string]any{"Period": tm.msg.Localize("en", "age_days", nil, 90)})) {
			t.Errorf("/signals %s, with a retention of 90 days: %s", w, s)
		}
	}
}

// A /search word is always a word: a category or a window filters only
// when written category:NAME or window:30d, and the reply says so; a
// word that looks like a filter gets a hint.
func TestSearchFiltersAreExplicit(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "a missing girl was last seen near the docks", tips.Trafficking) // #1
	tm.clk.Add(3 * 24 * time.Hour)
	tm.report("7002", "missing since monday: a girl of fifteen", tips.Missing) // #2
	tm.report("7003", "venden en la escuela", tips.Drugs)                      // #3
	search := func(args string) string {
		t.Helper()
		return tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args})[0].Text
	}
	en := func(id string, data map[string]any, count ...int) string {
		return tm.msg.Localize("en", id, data, count...)
	}
	wordHint := en("search_word_category", map[string]any{"Text": "missing"})
	onlyMissing := en("search_filter_category", map[string]any{"Category": en("category_missing", nil)})
	twoDays := en("search_filter_days", nil, 2)
	for _, c := range []struct {
		args        string
		has, hasNot []string
	}{
		{"missing girl", []string{"#1 ", "#2 ", wordHint}, []string{onlyMissing}},
		{"MISSING", []string{"#1 ", "#2 ", wordHint}, nil},
		{"girl category:missing", []string{"#2 ", onlyMissing}, []string{"#1 ", wordHint}},
		{"girl Window:2d", []string{"#2 ", twoDays}, []string{"#1 "}},
		{"girl category:Trafficking window:30d", []string{"#1 ", en("search_filter_days", nil, 30)}, []string{"#2 "}},
		{"girl category:trata", []string{"#1 "}, []string{"#2 "}}, // the category's name in another language
		// Singular or plural, as a name may be written either way; an
		// exact word first ("persona" is not "personas").
		{"category:drogues", []string{"#3 "}, []string{"#1 ", "#2 "}},
		{"category:drug", []string{"#3 "}, []string{"#1 ", "#2 "}},
		{"girl category:disparues", []string{"#2 "}, []string{"#1 "}},
		{"girl category:persona", []string{"#2 "}, []string{"#1 "}},
		{"girl category:personas", []string{"#1 "}, []string{"#2 "}},
		{"girl 2d", []string{en("search_empty", nil), en("search_word_window", map[string]any{"Text": "2d"})}, []string{"#1 ", "#2 "}},
		// What the hints say to write works alone: the filters list the
		// newest tips they keep.
		{"category:missing", []string{"#2 ", onlyMissing}, []string{"#1 ", wordHint}},
		{"window:2d", []string{"#2 ", twoDays}, []string{"#1 "}},
		{"category:trafficking window:30d", []string{"#1 "}, []string{"#2 "}},
		{"category:trafficking window:2d", []string{en("search_empty", nil)}, []string{"#1 ", "#2 "}},
		// The same filter twice with one value is that filter.
		{"girl category:missing category:MISSING", []string{"#2 ", onlyMissing}, []string{"#1 "}},
		// A filter /search does not have is searched as words, and the
		// reply names the filters there are; a link's scheme is no filter.
		{"girl categoría:trata", []string{en("search_word_filter", map[string]any{"Text": "categoría:trata"})}, nil},
		{"girl since:2d", []string{en("search_word_filter", map[string]any{"Text": "since:2d"})}, nil},
		{"girl https://example.org", []string{en("search_empty", nil)}, []string{en("search_word_filter", map[string]any{"Text": "https://example.org"})}},
	} {
		s := search(c.args)
		for _, want := range c.has {
			if !strings.Contains(s, want) {
				t.Errorf("/search %s lacks %q:\n%s", c.args, want, s)
			}
		}
		for _, unwanted := range c.hasNot {
			if strings.Contains(s, unwanted) {
				t.Errorf("/search %s has %q:\n%s", c.args, unwanted, s)
			}
		}
	}
	// A filter it cannot read, or neither a word nor a filter, gets the
	// usage, which tells how to filter and lists the categories.
	// Two values of one filter get it too (not the last one alone).
	for _, args := range []string{"girl category:nonsense", "girl window:forever", "category:nonsense", "", "the of",
		"girl category:missing category:trafficking", "girl window:2d window:30d",
		// Three letters are no category, as a plural or not ("armes").
		"girl category:arm", "girl category:etr"} {
		if s := search(args); !strings.Contains(s, "window:30d") || !strings.Contains(s, "missing (Missing person)") {
			t.Errorf("/search %s: %s", args, s)
		}
	}
}

// A search finds what a tip holds, as investigators copy it: the end of
// a long tip, a word too long to index whole (a wallet address), a link as
// the bot shows it defanged; and what it cannot look for is said, not
// silently dropped while the tips listed lack it.
func TestSearchFindsWhatATipHolds(t *testing.T) {
	tm := newTeam(t)
	var long []string
	for i := 1; i <= 450; i++ {
		long = append(long, fmt.Sprintf("pal%d", i))
	}
	tm.report("7201", strings.Join(long, " ")+" extorsionador final", "")                            // #1
	tm.report("7202", "pagan al monedero 0x52908400098527886E0F7030069857D2E4169EE7 cada lunes", "") // #2
	tm.report("7203", "cobran piso y mandan a pagar en http://evil.com/pay", "")                     // #3
	tm.report("7204", "el enlace que mandan es hxxp://evil[.]org/cobro", "")                         // #4, defanged by the reporter
	tm.report("7205", "la contraseña del correo es secreta", "")                                     // #5, no ftp
	search := func(args string) string {
		t.Helper()
		return tm.as(adminID, "Ada", commands.Request{Command: "search", Args: args})[0].Text
	}
	for args, want := range map[string]string{
		"pal401":        "#1 ",
		"extorsionador": "#1 ",
		"0x52908400098527886E0F7030069857D2E4169EE7": "#2 ",
		"hxxp://evil[.]com/pay":                      "#3 ",
		"http://evil.com/pay":                        "#3 ",
		"hxxp://evil[.]org/cobro":                    "#4 ",
		"http://evil.org/cobro":                      "#4 ",
	} {
		if s := search(args); !strings.Contains(s, want) {
			t.Errorf("/search %s lacks %q:\n%s", args, want, s)
		}
	}
	// Out of a link, "ftp" or "www" is a word like any: searched.
	if s := search("ftp contraseña"); strings.Contains(s, "#5 ") {
		t.Errorf("/search ftp contraseña lists #5, without ftp:\n%s", s)
	}
	if s := search("0x52908400098527886E0F7030069857D2E4169EE8"); strings.Contains(s, "#2 ") {
		t.Errorf("another 42-character address finds #2:\n%s", s)
	}
	skipped := tm.msg.Localize("en", "search_words_skipped", map[string]any{"Words": "q, the"})
	if s := search("piso q the"); !strings.Contains(s, "#3 ") || !strings.Contains(s, skipped) {
		t.Errorf("/search piso q the lacks #3 and %q:\n%s", skipped, s)
	}
	if s := search("de la de"); !strings.HasPrefix(s, tm.msg.Localize("en", "search_words_skipped", map[string]any{"Words": "de, la"})+"\n\n") || !strings.Contains(s, "window:30d") {
		t.Errorf("/search of stop words alone: %s", s)
	}
	if s := search("piso cobran"); strings.Contains(s, tm.msg.Localize("en", "search_words_skipped", map[string]any{"Words": ""})[:20]) {
		t.Errorf("/search piso cobran says words were left out:\n%s", s)
	}
	// (pal10…pal30: four words of four letters and digits, "pal1 pal2
	// pal3 pal4", read as a code, which a search is refused for.)
	if s := search(strings.Join(long[9:30], " ")); s != tm.msg.Localize("en", "search_too_many_words", map[string]any{"Max": 20}) {
		t.Errorf("/search of 21 words: %s", s)
	}
}

// A category alone reaches only the newest tips a search examines: the
// reply says so, and how to reach older ones, rather than just "no tip".
func TestSearchByCategoryAloneSaysHowFarItLooked(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	tm.report("7101", "venden armas en la esquina", tips.Weapons) // #1
	search := func() string {
		return tm.as(adminID, "Ada", commands.Request{Command: "search", Args: "category:weapons"})[0].Text
	}
	looked := tm.msg.Localize("en", "search_examined_cut", nil, storage.MaxExamined)
	if s := search(); !strings.Contains(s, "#1 ") || strings.Contains(s, looked) {
		t.Fatalf("one weapons tip: %s", s)
	}
	// Then many newer entries on the triage stream (of tips gone since).
	pipe := tm.srv.Client().Pipeline()
	for i := range storage.MaxExamined {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "w:{tips}:triage", Values: []any{"id", fmt.Sprint(100000 + i)}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if s := search(); !strings.Contains(s, tm.msg.Localize("en", "search_empty", nil)) || !strings.Contains(s, looked) {
		t.Fatalf("past what a search examines: %s", s)
	}
}

// A reply listing fewer tips than match says that it is cut.
func TestCutResultsSaySo(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for i := range 21 {
		text := "cobran piso desde el 5512345678"
		if i == 0 {
			text = "cobran desde el 5512345678" // piso: in 20 tips
		}
		p := fmt.Sprintf("%064x", i+1)
		d, err := tm.store.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tm.store.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.mux.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ command, args, header string }{
		{"entity", "5512345678", tm.msg.Localize("en", "entity_header_cut", map[string]any{"Entity": "\u2068+52 55 1234 5678\u2069"}, 20)},
		{"search", "cobran", tm.msg.Localize("en", "search_header_cut", nil, 20)},
		{"search", "piso", tm.msg.Localize("en", "search_header", nil, 20)},
	} {
		r := tm.as(adminID, "Ada", commands.Request{Command: c.command, Args: c.args})[0].Text
		lines := strings.Split(r, "\n")
		if lines[0] != c.header || len(lines) != 1+2*20 { // each tip: its line, its text quoted
			t.Errorf("/%s %s: %d lines, header %q, want %q", c.command, c.args, len(lines), lines[0], c.header)
		}
	}
}

// A link or address copied from a tip as the bot shows it (defanged) is
// looked up as what it stands for.
func TestEntityTakesWhatTheBotShows(t *testing.T) {
	tm := newTeam(t)
	tm.report("7201", "venden en https://narco-shop.example.com/catalogo y escriben a halcon@example.org", "")
	tm.report("7202", "cobran en https://narco-shop.example.com/pagos", "")
	// A link means that link: not the site's other pages.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "entity", Args: "https://narco-shop.example.com/catalogo"}); strings.Contains(r[0].Text, "#2 ") || !strings.Contains(r[0].Text, "#1 ") {
		t.Errorf("/entity of one link:\n%s", r[0].Text)
	}
	// A site's address alone means the site: every link on it.
	for _, site := range []string{"narco-shop.example.com", "https://narco-shop.example.com", "hxxps://narco-shop[.]example[.]com/"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "entity", Args: site}); !strings.Contains(r[0].Text, "#1 ") {
			t.Errorf("/entity %s: %s", site, r[0].Text)
		}
	}
	view := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text
	for _, shown := range []string{"hxxps://narco-shop[.]example[.]com/catalogo", "halcon@example[.]org"} {
		if !strings.Contains(view, shown) {
			t.Fatalf("/tip 1 does not show %q:\n%s", shown, view)
		}
		if r := tm.as(adminID, "Ada", commands.Request{Command: "entity", Args: shown}); !strings.Contains(r[0].Text, "#1 ") {
			t.Errorf("/entity %s: %s", shown, r[0].Text)
		}
	}
}
