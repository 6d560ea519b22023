package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/bidi"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A tip number written with leading zeros names the same tip, in commands
// and in buttons; signs, other characters and numbers too large for a tip
// are refused as before, named as no tip number.
func TestTipNumbersWithLeadingZeros(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})

	for _, arg := range []string{"01", "#001", " 0001 "} {
		r = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg})
		if !strings.HasPrefix(r[0].Text, "Tip #1 ·") || !strings.Contains(r[0].Text, "cobran piso") {
			t.Errorf("/tip %q: %q", arg, r[0].Text)
		}
	}
	for _, arg := range []string{"+1", "1e3", "0x1", "1_0", "99999999999999999999x"} {
		if r = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: arg}); r[0].Text != en("tip_not_a_number", map[string]any{"ID": arg}) {
			t.Errorf("/tip %q: %q, want it named not a tip number", arg, r[0].Text)
		}
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "00"}); r[0].Text != en("tip_not_a_number", map[string]any{"ID": "0"}) {
		t.Errorf("/tip 00: %q", r[0].Text)
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "01 escalated"}); r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_escalated", nil)}) {
		t.Errorf("/triage 01 escalated: %q", r[0].Text)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 claimed"}) // the buttons act on a claimed tip
	if r = tm.as(adminID, "Ada", commands.Request{Callback: "tr:01:new"}); len(r) == 0 || r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_new", nil)}) {
		t.Errorf("button tr:01:new: %+v", r)
	}
}

// "Duplicate of #N" lasts as long as the duplicate status: a tip marked a
// duplicate and then decided otherwise no longer says it, nor keeps it.
func TestDuplicateOfGoesWithTheStatus(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for _, text := range []string{"cobran piso en el mercado", "otra vez cobran piso en el mercado"} {
		r := tm.as(reporterID, "R", commands.Request{Text: text})
		tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	}
	dup := tm.msg.Localize("en", "tip_duplicate_of", map[string]any{"ID": "1"})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "2 duplicate-of 2"}); r[0].Text != tm.msg.Localize("en", "triage_duplicate_self", map[string]any{"ID": "2"}) {
		t.Fatalf("a duplicate of itself: %q", r[0].Text)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); !strings.Contains(r[0].Text, dup) {
		t.Fatalf("duplicate tip #2 does not say so:\n%s", r[0].Text)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "2 verified"})
	if r := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); strings.Contains(r[0].Text, dup) {
		t.Errorf("verified tip #2 still shows %q:\n%s", dup, r[0].Text)
	}
	c := tm.srv.Client()
	if c.HExists(ctx, "w:{tips}:tip:2", "dup").Val() {
		t.Errorf("verified tip #2 keeps dup = %q in Redis", c.HGet(ctx, "w:{tips}:tip:2", "dup").Val())
	}
	// A tip stored before the mark was cleared still carries it: not shown.
	c.HSet(ctx, "w:{tips}:tip:2", "dup", "1")
	if r := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); strings.Contains(r[0].Text, dup) {
		t.Errorf("verified tip #2 with a stale dup shows %q:\n%s", dup, r[0].Text)
	}
}

// Duplicates point at an original: two tips cannot be marked duplicates
// of each other (no original left to work on), and a duplicate of a
// duplicate is marked one of the original.
func TestDuplicatesLeadToAnOriginal(t *testing.T) {
	tm := newTeam(t)
	for _, text := range []string{"cobran piso en el mercado", "otra vez cobran piso en el mercado", "y otra vez cobran piso"} {
		tm.report("7401", text, "")
	}
	triage := func(args string) string {
		return tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: args})[0].Text
	}
	view := func(id string) string {
		return tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: id})[0].Text
	}
	of := func(id string) string { return tm.msg.Localize("en", "tip_duplicate_of", map[string]any{"ID": id}) }
	triage("2 duplicate-of 1")
	if s := triage("1 duplicate-of 2"); s != tm.msg.Localize("en", "triage_duplicate_cycle", map[string]any{"ID": "1", "Other": "2"}) {
		t.Fatalf("/triage 1 duplicate-of 2 after 2 duplicate-of 1: %s", s)
	}
	if v := view("1"); strings.Contains(v, of("2")) {
		t.Fatalf("#1, the original, became a duplicate of its duplicate:\n%s", v)
	}
	triage("3 duplicate-of 2")
	if v := view("3"); !strings.Contains(v, of("1")) {
		t.Fatalf("#3, a duplicate of duplicate #2, is not one of the original #1:\n%s", v)
	}
	// Made the original, the other one may become its duplicate.
	triage("2 new")
	triage("1 duplicate-of 2")
	if v := view("1"); !strings.Contains(v, of("2")) {
		t.Fatalf("#1 after #2 became the original:\n%s", v)
	}
	// An original purged since: its duplicate stands for it, and a new mark
	// never points at a tip that is gone.
	if err := tm.store.Purge(context.Background(), "2"); err != nil {
		t.Fatal(err)
	}
	triage("3 duplicate-of 1")
	if v := view("3"); !strings.Contains(v, of("1")) {
		t.Fatalf("#3 marked a duplicate of #1, whose original #2 is gone:\n%s", v)
	}
}

// A triage decision in a tip's history reads in the reader's language:
// status, priority and category by their names, labels as typed.
func TestDecisionInHistoryIsLocalised(t *testing.T) {
	tm := newTeam(t)
	tm.report("7301", "venden droga en la esquina", "")
	tm.report("7302", "venden droga en la esquina otra vez", "")
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 verified high drugs mercado"})
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "2 duplicate-of 1"})
	es := func(id string) string { return tm.msg.Localize("es", id, nil) }
	view := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1", Language: "es"})[0].Text
	want := es("status_verified") + " · " + es("priority_high") + " · " + es("category_drugs") + " · mercado"
	if !strings.Contains(view, want) {
		t.Fatalf("/tip 1 in Spanish lacks %q:\n%s", want, view)
	}
	view = tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2", Language: "es"})[0].Text
	if want := es("status_duplicate") + " #1"; !strings.Contains(view, want) {
		t.Fatalf("/tip 2 in Spanish lacks %q:\n%s", want, view)
	}
}

// A long history is shown a page at a time, the latest first, and says
// how to see the earlier entries: none is out of reach.
func TestTipHistoryPages(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	for i := 1; i <= 20; i++ {
		tm.as(adminID, "Ada", commands.Request{Command: "note", Args: fmt.Sprintf("1 nota%02d", i)})
	}
	first := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text
	if !strings.Contains(first, "nota20") || !strings.Contains(first, "nota06") || strings.Contains(first, "nota05") ||
		!strings.Contains(first, "(entries 6–20 of 20)") || !strings.Contains(first, "Earlier ones: /tip 1 2") {
		t.Fatalf("/tip 1:\n%s", first)
	}
	second := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1 2"})[0].Text
	if !strings.Contains(second, "nota01") || !strings.Contains(second, "nota05") || strings.Contains(second, "nota06") || strings.Contains(second, "Earlier ones") {
		t.Fatalf("/tip 1 2:\n%s", second)
	}
	// A page past the last shows the last, and says there is no such page:
	// shown bare, it would pass for the page asked for.
	past := tm.msg.Localize("en", "tip_history_no_page", map[string]any{"ID": "1", "Page": 9}, 2)
	if last := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1 9"})[0].Text; strings.Replace(last, past+"\n\n", "", 1) != second {
		t.Errorf("a page past the earliest, want page 2 with %q:\n%s", past, last)
	}
	if strings.Contains(second, "There is no page") || strings.Contains(first, "There is no page") {
		t.Errorf("an existing page says it does not exist:\n%s\n%s", first, second)
	}
	// Likewise for a short history (one page, without a page header) and
	// for a tip with none.
	tm.report("7402", "venden droga en la esquina", "")
	tm.as(adminID, "Ada", commands.Request{Command: "note", Args: "2 una nota"})
	if got, want := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2 2"})[0].Text,
		tm.msg.Localize("en", "tip_history_no_page", map[string]any{"ID": "2", "Page": 2}, 1); !strings.Contains(got, want) || !strings.Contains(got, "una nota") {
		t.Errorf("/tip 2 2 on a one-page history, want %q:\n%s", want, got)
	}
	if got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2 1"})[0].Text; strings.Contains(got, "There is no page") {
		t.Errorf("/tip 2 1:\n%s", got)
	}
	tm.report("7403", "venden armas en la esquina", "")
	if got, want := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "3 5", Language: "es"})[0].Text,
		tm.msg.Localize("es", "tip_history_no_page_empty", map[string]any{"ID": "3", "Page": 5}); !strings.Contains(got, want) {
		t.Errorf("/tip 3 5 without history, want %q:\n%s", want, got)
	}
	for _, bad := range []string{"1 0", "1 -1", "1 x", "1 2 3"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: bad}); r[0].Text != tm.msg.Localize("en", "tip_usage", nil) {
			t.Errorf("/tip %s: %q", bad, r[0].Text)
		}
	}
}

// A page far past the last ("/tip 1 99999", in any language and in the
// digits of any keyboard) is answered as one just past it: there is no
// such page, the history has N, here is the last; not with the usage,
// which reads as if the command were mistyped. A number too large for
// any page (past int) is no number, as tip numbers past 63 bits are.
// Mutation: the page bounded by maxHistoryPage again → "/tip 1 99999"
// answers the usage, test fails.
func TestTipPageFarPastTheLastSaysSo(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	for i := 1; i <= 16; i++ { // two pages
		tm.as(adminID, "Ada", commands.Request{Command: "note", Args: fmt.Sprintf("1 nota%02d", i)})
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		for arg, page := range map[string]any{"99999": 99999, "1001": 1001, "٩٩٩٩٩": 99999, "９２２３３７２０３６８５４７７５８０７": "9223372036854775807"} {
			got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1 " + arg, Language: lang})[0].Text
			want := tm.msg.Localize(lang, "tip_history_no_page", map[string]any{"ID": "1", "Page": page}, 2)
			if !strings.Contains(got, want) || !strings.Contains(got, "nota01") || strings.Contains(got, "nota02") {
				t.Errorf("/tip 1 %s in %s, want the last page under %q:\n%s", arg, lang, want, got)
			}
		}
		if got := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1 99999999999999999999", Language: lang})[0].Text; got != tm.msg.Localize(lang, "tip_usage", nil) {
			t.Errorf("/tip 1 99999999999999999999 in %s: %q, want the usage", lang, got)
		}
	}
}

// An entry of a tip's history is one line, whatever its text: a
// reporter's answer (or a note) over several lines must not add lines
// that read as entries, such as a colleague's decision, forged.
func TestHistoryEntriesStayOnOneLine(t *testing.T) {
	tm, _ := questioned(t, "¿quién cobra?")
	forged := "2026-01-02 03:04 UTC · Ana: dismissed"
	if r := tm.reply("m1", "nadie\n"+forged+"\u2028"+forged+"\r"+forged); !tm.answered(r) {
		t.Fatalf("answer: %q", texts(r))
	}
	tm.as("2002", "Ana", commands.Request{Command: "note", Args: "1 revisado\n" + forged})
	view := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	_, history, _ := strings.Cut(view, tm.text("en", "tip_history", nil)+"\n")
	lines := strings.Split(history, "\n")
	tip, err := tm.store.Tip(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	entries := 0 // (a reporter's answer goes quoted on a line of its own)
	for _, l := range lines {
		if !strings.HasPrefix(l, commands.QuoteMark) {
			entries++
		}
	}
	if entries != len(tip.History) || len(lines) != entries+1 {
		t.Fatalf("%d history entries (one answer) shown as %d lines:\n%s", len(tip.History), len(lines), history)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, forged) {
			t.Errorf("a forged entry shows as one: %q", l)
		}
	}
	if !strings.Contains(history, "nadie⏎"+forged) || !strings.Contains(history, "revisado⏎"+forged) {
		t.Errorf("the answer and the note are not shown whole:\n%s", history)
	}
}

// An open question over several lines is shown quoted under "Open
// question:": its lines cannot pass for the page's own (a status, a
// claim, a history), forged by whoever asked it.
func TestOpenQuestionIsQuoted(t *testing.T) {
	forged := []string{"Priority: low · labels: none", "Claimed by Bea 1 minute ago", "History:", "2026-01-02 03:04 UTC · Bea: dismissed"}
	tm, _ := questioned(t, "¿Quién cobra?\n"+strings.Join(forged, "\n"))
	view := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	want := tm.text("en", "tip_open_question", map[string]any{"Question": quote("¿Quién cobra?\n" + strings.Join(forged, "\n"))})
	if !strings.Contains(view, want) {
		t.Errorf("the open question is not shown quoted, want\n%s\nin\n%s", want, view)
	}
	for _, l := range strings.Split(view, "\n") {
		for _, f := range forged {
			if f != "History:" && strings.HasPrefix(l, f) { // (the page has a history of its own)
				t.Errorf("a line of the question reads as the page's own: %q", l)
			}
		}
	}
}

// A tip's text is shown quoted, each of its lines behind "│": a reporter
// cannot make lines of it pass for the page's own (a decision, a claim,
// a history), nor can the name of a forwarded channel.
func TestTipTextIsQuoted(t *testing.T) {
	tm := newTeam(t)
	forged := []string{"Tip #1 · Extortion · Dismissed · received 3 days ago", "Priority: urgent · labels: verificado",
		"Claimed by Ana 5 minutes ago", "History:", "2026-01-02 03:04 UTC · Ana: dismissed"}
	body := "cobran piso en el mercado\n" + strings.Join(forged, "\n\n")
	r := tm.as(reporterID, "R", commands.Request{Text: body})
	tm.as(reporterID, "R", commands.Request{Text: "reenviado", Forward: &tips.Forward{Title: "Noticias\nClaimed by Ana 5 minutes ago", Username: "noticias"}})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	view := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"})[0].Text
	q := commands.QuoteMark
	lines := strings.Split(view, "\n")
	for _, l := range lines[1:] { // (the first is the page's own header)
		for _, f := range forged {
			if strings.HasPrefix(l, f) {
				t.Errorf("a line of the tip reads as the page's own: %q", l)
			}
		}
	}
	if !strings.Contains(view, "\n"+q+" cobran piso en el mercado\n"+q+" "+forged[0]+"\n"+q+"\n"+q+" "+forged[1]+"\n") {
		t.Errorf("the tip's text is not shown quoted, line by line:\n%s", view)
	}
	if !strings.Contains(view, "\n"+q+" reenviado") {
		t.Errorf("the forwarded text is not shown quoted:\n%s", view)
	}
}

// /recent, /search and /entity show a tip's fields on a line of their
// own and its text's first line quoted below: a reporter writing " ·
// Weapons · verified" in it adds no field to the line of the tip's own.
// A tip with no text says so on that line, with nothing quoted.
func TestTipListsQuoteTheReporterText(t *testing.T) {
	tm := newTeam(t)
	first := "pago al @cobrador_norte · Weapons · verified · escalated by Ana"
	r := tm.as(reporterID, "R", commands.Request{Text: first + "\n#2 · 1 minute · Weapons · verified"})
	draft := strings.Split(press(r, "cat:"), ":")[1]
	tm.as(reporterID, "R", commands.Request{Callback: "cat:" + draft + ":extortion"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	r = tm.as("7002", "S", commands.Request{Location: &tips.Location{Lat: 19.43, Lon: -99.13}})
	tm.as("7002", "S", commands.Request{Callback: press(r, "send:")})
	if err := tm.mux.IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []commands.Request{
		{Command: "recent"}, {Command: "search", Args: "pago cobrador"}, {Command: "entity", Args: "@cobrador_norte"},
	} {
		view := tm.as(adminID, "Ada", q)[0].Text
		lines := strings.Split(view, "\n")
		found := false
		for i, l := range lines {
			if !strings.HasPrefix(l, "#1 ·") {
				continue
			}
			found = true
			if strings.Contains(l, "Weapons") || strings.Contains(l, "verified") || strings.Contains(l, "pago") {
				t.Errorf("/%s: the reporter's text is on the line of the tip's fields: %q", q.Command, l)
			}
			if i+1 >= len(lines) || lines[i+1] != commands.QuoteMark+" "+first {
				t.Errorf("/%s: the tip's first line is not quoted below its fields:\n%s", q.Command, view)
			}
		}
		if !found {
			t.Errorf("/%s: tip #1 not listed:\n%s", q.Command, view)
		}
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "#2 ·") && !strings.HasSuffix(l, " · no text") {
				t.Errorf("/%s: a tip with no text: %q", q.Command, l)
			}
			if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, commands.QuoteMark) {
				t.Errorf("/%s: a line neither a tip's nor quoted: %q\n%s", q.Command, l, view)
			}
		}
	}
}

// A quoted line of Arabic or Hebrew keeps its bar on the left: a line's
// first strong character sets its direction, and the bar has none, so
// each quoted line must hold a left-to-right one before the text (the
// direction mark of QuoteMark), in /tip and in /recent, and a reporter's
// own marks ("\u200f", isolates) are dropped, not kept before it.
func TestQuotedRightToLeftLinesKeepTheBarLeft(t *testing.T) {
	tm := newTeam(t)
	text := "يدفعون الإتاوة في السوق\nגובים דמי חסות בשוק\n\n\u200f\u2067«كل جمعة»\u2069\n123 שקל"
	r := tm.as(reporterID, "R", commands.Request{Text: text})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	// firstStrong is the direction class of the first character that has
	// one, as a client reads a line to lay it out.
	firstStrong := func(l string) bidi.Class {
		for _, c := range l {
			p, _ := bidi.LookupRune(c)
			switch cl := p.Class(); cl {
			case bidi.L, bidi.R, bidi.AL:
				return cl
			}
		}
		return bidi.ON
	}
	for _, q := range []commands.Request{{Command: "tip", Args: "1"}, {Command: "recent"}} {
		view := tm.as(adminID, "Ada", q)[0].Text
		n := 0
		for _, l := range strings.Split(view, "\n") {
			if !strings.HasPrefix(l, "│") {
				continue
			}
			n++
			if !strings.HasPrefix(l, commands.QuoteMark) || firstStrong(l) != bidi.L {
				t.Errorf("/%s: the quoted line %q has no left-to-right character before its text: right-to-left text puts its bar on the right", q.Command, l)
			}
		}
		if want := map[string]int{"tip": 5, "recent": 1}[q.Command]; n != want {
			t.Errorf("/%s: %d quoted lines, want %d:\n%s", q.Command, n, want, view)
		}
	}
}

// A tip's first line that shows nothing (a braille blank, joiners: kept
// by Neutralize, not spaces) is passed over in the lists like an empty
// one: quoted, it would show an empty "│" and hide the line that reads.
func TestTipListsSkipAFirstLineThatShowsNothing(t *testing.T) {
	tm := newTeam(t)
	blanks := []string{"\u2800", "\u200d\u200d", " \u2800\u200d \u3000"}
	for i, b := range blanks {
		r := tm.as(reporterID, "R", commands.Request{Text: b + "\ncobran piso " + strconv.Itoa(i+1)})
		tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	}
	view := tm.as(adminID, "Ada", commands.Request{Command: "recent"})[0].Text
	lines := strings.Split(view, "\n")
	for i := range blanks {
		n := strconv.Itoa(i + 1)
		at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "#"+n+" · ") })
		if at < 0 || at+1 >= len(lines) || lines[at+1] != commands.QuoteMark+" cobran piso "+n {
			t.Errorf("tip #%s: its first line that reads is not quoted below its fields:\n%q", n, view)
		}
	}
}

// A reporter's answer in a tip's history goes quoted on a line of its
// own, below the entry's time: written after "reporter's answer:" on that
// line, "sí · [K7QXM] Bea: verified" would read as a colleague's decision.
func TestHistoryQuotesTheReportersAnswer(t *testing.T) {
	tm, _ := questioned(t, "¿quién cobra?")
	answer := "sí · [K7QXM] Bea: verified · urgent"
	if r := tm.reply("m1", answer); !tm.answered(r) {
		t.Fatalf("answer: %q", texts(r))
	}
	for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
		tm.as("2002", "Ana", commands.Request{Command: "language", Args: lang})
		view := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
		_, history, _ := strings.Cut(view, tm.text(lang, "tip_history", nil)+"\n")
		lines := strings.Split(history, "\n")
		at := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "Bea") })
		if at < 1 || lines[at] != commands.QuoteMark+" "+answer || !strings.HasSuffix(lines[at-1], ":") {
			t.Errorf("%s: the reporter's answer is not quoted on a line of its own:\n%s", lang, history)
		}
		for _, l := range lines {
			if !strings.HasPrefix(l, commands.QuoteMark) && strings.Contains(l, "verified") {
				t.Errorf("%s: the answer's words on a line of the page's own: %q", lang, l)
			}
		}
	}
}
