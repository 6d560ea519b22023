package commands_test

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// A receipt code pasted in two goes (its first half ending one message,
// its second starting the next, as in four, one group a message) is in no
// single message, yet investigators would read it whole, in /tip and in
// /recent: it is cut from what they are shown. A code-like word that is
// no tip's code, split the same way, stays.
func TestReceiptCodeSplitAcrossMessagesIsNotShown(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	send := func(msgs ...string) {
		t.Helper()
		var r []commands.Reply
		for _, m := range msgs {
			r = tm.as(reporterID, "R", commands.Request{Text: m})
		}
		if tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")}); press(r, "send:") == "" {
			t.Fatalf("no Send after %q: %+v", msgs, r)
		}
	}
	send("mi código es "+code[:9], code[10:]+" gracias", "la cuenta es ABCD-EFGH", "JKMN-PQR5")
	send("otro: "+code[:4], code[5:9], code[10:14], code[15:], "fin")
	for _, tc := range []struct{ id, kept string }{{"2", "mi código es\n\n" + commands.QuoteMark + " gracias"}, {"3", "otro:\n\n" + commands.QuoteMark + " fin"}} {
		shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: tc.id})
		if len(shown) == 0 || strings.Contains(shown[0].Text, code[:9]) || strings.Contains(shown[0].Text, code[10:]) ||
			!strings.Contains(shown[0].Text, tc.kept) {
			t.Errorf("/tip %s shows the code split in parts: %+v", tc.id, shown)
		}
	}
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); len(shown) == 0 || !strings.Contains(shown[0].Text, "ABCD-EFGH\n\n"+commands.QuoteMark+" JKMN-PQR5") {
		t.Errorf("/tip 2 lost a split code-like word that is no tip's: %+v", shown)
	}
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "recent"}); len(shown) == 0 || strings.Contains(shown[0].Text, code[:4]) {
		t.Errorf("/recent shows the code's first half: %+v", shown)
	}
}

// lookAlike spells code with Cyrillic letters where they look like its
// Latin ones (К for K, А for A, ...), lowercase when lower.
func lookAlike(code string, lower bool) string {
	cyr := map[rune]rune{'A': 'А', 'B': 'В', 'E': 'Е', 'K': 'К', 'M': 'М', 'H': 'Н', 'P': 'Р', 'C': 'С', 'T': 'Т', 'X': 'Х', 'Y': 'У', '3': 'З'}
	out := strings.Map(func(r rune) rune {
		if c, ok := cyr[r]; ok {
			return c
		}
		return r
	}, code)
	if lower {
		out = strings.ToLower(out)
	}
	return out
}

// A receipt code spelled with Cyrillic or Greek letters that look like
// its own (a keyboard switched to Russian, or on purpose), lowercase too,
// is cut from a tip as the Latin one is; a reporter checking their tip
// may type it so, or with spaces for dashes. Cyrillic words that are no
// tip's code stay.
func TestReceiptCodeInLookAlikeLettersIsCut(t *testing.T) {
	tm := newTeam(t)
	var code string
	for !strings.ContainsAny(code, "ABEKMHPCTXY3") { // a code with a letter that has a look-alike
		r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
		code = codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	}
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	for _, v := range []string{
		lookAlike(code, false), lookAlike(code, true),
		strings.Map(func(r rune) rune { // Greek
			if g, ok := map[rune]rune{'A': 'Α', 'B': 'Β', 'E': 'Ε', 'Z': 'Ζ', 'H': 'Η', 'K': 'Κ', 'M': 'Μ', 'N': 'Ν', 'P': 'Ρ', 'T': 'Τ', 'Y': 'Υ', 'X': 'Χ'}[r]; ok {
				return g
			}
			return r
		}, code),
	} {
		if v == code {
			continue
		}
		r := tm.as(reporterID, "R", commands.Request{Text: "мой код " + v + " спасибо"})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") {
			t.Errorf("code written as %q: %+v", v, r)
		}
		tm.as(reporterID, "R", commands.Request{Command: "cancel"})
	}
	received := strings.SplitN(tm.msg.Localize("en", "status_received", map[string]any{"Age": "x"}), " ", 2)[0]
	for _, v := range []string{lookAlike(code, true), strings.ReplaceAll(lookAlike(code, false), "-", " "), strings.ToLower(strings.ReplaceAll(code, "-", " "))} {
		if r := tm.as(reporterID, "R", commands.Request{Command: "status", Args: v}); len(r) != 1 || !strings.HasPrefix(r[0].Text, received) {
			t.Errorf("/status %s: %+v", v, r)
		}
	}
	if r := tm.as(reporterID, "R", commands.Request{Text: "АВС1 ТОК2 РЕК3 МАХ4 в городе"}); len(r) != 1 || strings.Contains(r[0].Text, dropped) {
		t.Errorf("Cyrillic words that are no code were cut: %+v", r)
	}
}

// A receipt code inside a link, percent-escaped as a browser or a search
// box writes it (dashes as %2D, spaces as %20 or +), is cut from the
// message's text and from its hidden links as a plain one is.
func TestReceiptCodePercentEncodedInALinkIsCut(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	g := strings.Split(code, "-")
	for _, v := range []string{
		strings.Join(g, "%2D"), strings.Join(g, "%2d"), strings.ToLower(strings.Join(g, "%20")), "%20" + strings.Join(g, "%20") + "%20",
		strings.Join(g, "+"), strings.Join(g, "%E2%80%93"),
	} {
		link := "https://x.example/search?q=" + v + "&lang=es"
		r := tm.as(reporterID, "R", commands.Request{Text: "miren " + link})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") {
			t.Errorf("code in a link as %q: %+v", v, r)
		}
		tm.as(reporterID, "R", commands.Request{Command: "cancel"})
		r = tm.as(reporterID, "R", commands.Request{Text: "miren esto", HiddenLinks: []string{link}})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") {
			t.Errorf("code in a hidden link as %q: %+v", v, r)
		}
		tm.as(reporterID, "R", commands.Request{Command: "cancel"})
	}
	r = tm.as(reporterID, "R", commands.Request{Text: "miren https://x.example/?q=" + strings.Join(g, "%2D")})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); len(shown) == 0 || strings.Contains(shown[0].Text, g[1]) || !strings.Contains(shown[0].Text, "miren") {
		t.Errorf("/tip 2: %+v", shown)
	}
	// A link whose escapes only look like a code's stays whole.
	if r := tm.as(reporterID, "R", commands.Request{Text: "https://x.example/?ref=AB12%2DCD34%2DEF56%2DGH78"}); len(r) != 1 || strings.Contains(r[0].Text, dropped) {
		t.Errorf("a code-like word that is no receipt was cut from a link: %+v", r)
	}
}

// lookupCounter is a store that counts receipt lookups and shows the
// tips of older as an older version stored them: their parts' texts
// (ids to texts), not marked as cut across parts when stored.
type lookupCounter struct {
	*storage.Store
	lookups atomic.Int32
	older   map[string][]string
}

func (s *lookupCounter) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	s.lookups.Add(1)
	return s.Store.ReceiptsKnown(ctx, codes)
}

func (s *lookupCounter) Tip(ctx context.Context, id string) (tips.Tip, error) {
	t, err := s.Store.Tip(ctx, id)
	if texts, ok := s.older[id]; ok && err == nil {
		t.AcrossCut, t.Content.Parts = false, nil
		for _, x := range texts {
			t.Content.Parts = append(t.Content.Parts, tips.Part{Text: x})
		}
	}
	return t, err
}

// newCountingTeam is newTeam on a lookupCounter.
func newCountingTeam(t *testing.T) (*team, *lookupCounter) {
	t.Helper()
	tm := newTeam(t)
	counted := &lookupCounter{Store: tm.store, older: map[string][]string{}}
	tm.mux = commands.New(commands.Options{
		Store: counted, Messages: tm.msg, Now: tm.clk.Now, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(tm.logs, nil)),
		Retention:         90 * 24 * time.Hour,
		Roles:             commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:-100777"},
	})
	tm.mux.AddSender("telegram", tm.sent)
	return tm, counted
}

// sendParts sends msgs as one tip and returns the answer to its Send.
func sendParts(t *testing.T, tm *team, msgs ...string) []commands.Reply {
	t.Helper()
	var r []commands.Reply
	for _, m := range msgs {
		r = tm.as(reporterID, "R", commands.Request{Text: m})
	}
	if press(r, "send:") == "" {
		t.Fatalf("no Send after %q: %+v", msgs, r)
	}
	return tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
}

// A tip whose parts were read together for receipt codes when it was
// stored is shown without another lookup: /recent and /tip of tips with
// code-like words across their parts ask Redis nothing more.
func TestTipsCutWhenStoredAreNotLookedUpAgain(t *testing.T) {
	tm, counted := newCountingTeam(t)
	code := codeRE.FindString(sendParts(t, tm, "cobran piso en el mercado")[0].Text)
	sendParts(t, tm, "mi código es "+code[:9], code[10:]+" gracias")
	sendParts(t, tm, "la cuenta es ABCD-EFGH", "JKMN-PQR5")
	counted.lookups.Store(0)
	shown := tm.as(adminID, "Ada", commands.Request{Command: "recent"})
	shown = append(shown, tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"})...)
	shown = append(shown, tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "3"})...)
	if n := counted.lookups.Load(); n != 0 {
		t.Errorf("%d lookups to show tips cut when stored", n)
	}
	if len(shown) != 3 || !strings.Contains(shown[2].Text, "ABCD-EFGH\n\n"+commands.QuoteMark+" JKMN-PQR5") {
		t.Errorf("a split code-like word that is no tip's is lost: %+v", shown)
	}
	for _, r := range shown {
		if strings.Contains(r.Text, code[:9]) || strings.Contains(r.Text, code[10:]) {
			t.Errorf("shown with the code: %q", r.Text)
		}
	}
}

// A tip stored before codes across its parts were cut when stored (the
// pieces in it) has them cut when shown, as before.
func TestReceiptCodeSplitAcrossMessagesOfAnOlderTipIsNotShown(t *testing.T) {
	tm, counted := newCountingTeam(t)
	code := codeRE.FindString(sendParts(t, tm, "cobran piso en el mercado")[0].Text)
	sendParts(t, tm, "mi código es", "gracias")
	counted.older["2"] = []string{"mi código es " + code[:9], code[10:] + " gracias"}
	counted.lookups.Store(0)
	shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"})
	if len(shown) == 0 || strings.Contains(shown[0].Text, code[:9]) || strings.Contains(shown[0].Text, code[10:]) ||
		!strings.Contains(shown[0].Text, "mi código es\n\n"+commands.QuoteMark+" gracias") || counted.lookups.Load() != 1 {
		t.Errorf("/tip 2 of an older tip (%d lookups): %+v", counted.lookups.Load(), shown)
	}
}

// A receipt code pasted in two goes, and nothing else, then Send: no
// empty tip reaches investigators and no receipt is given for one; the
// reporter hears that nothing was sent, and the next message starts
// a new tip.
func TestReceiptCodeSplitAcrossMessagesAloneIsNoTip(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	tm.as(reporterID, "R", commands.Request{Text: code[:9]})
	r = tm.as(reporterID, "R", commands.Request{Text: code[10:]})
	got := tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	if want := tm.msg.Localize("en", "receipt_only_draft", nil); len(got) != 1 || got[0].Text != want {
		t.Errorf("Send of a code's two halves answered %+v, want %q", got, want)
	}
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "recent"}); len(shown) == 0 || !strings.Contains(shown[0].Text, "#1") || strings.Contains(shown[0].Text, "#2") {
		t.Errorf("/recent lists a tip made of a receipt code: %+v", shown)
	}
	r = tm.as(reporterID, "R", commands.Request{Text: "otra cosa"})
	if sent := tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")}); len(sent) == 0 || codeRE.FindString(sent[0].Text) == "" {
		t.Errorf("the next tip was not sent: %+v", sent)
	}
}

// A receipt code pasted in two goes within a tip, cut as the tip is
// stored, is told of with the receipt, as a code cut from one message is;
// a tip with a split code-like word that is no receipt is not.
func TestReceiptCodeSplitAcrossMessagesCutAtSendIsTold(t *testing.T) {
	tm := newTeam(t)
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	code := codeRE.FindString(sendParts(t, tm, "cobran piso en el mercado")[0].Text)
	got := sendParts(t, tm, "mi código es "+code[:9], code[10:]+" y también venden armas")
	if len(got) == 0 || !strings.HasPrefix(got[0].Text, dropped+"\n\n") || codeRE.FindString(got[0].Text) == "" || strings.Contains(got[0].Text, code) {
		t.Errorf("Send of a tip with a code in two goes answered %q", texts(got))
	}
	got = sendParts(t, tm, "la cuenta es ABCD-EFGH", "JKMN-PQR5")
	if len(got) == 0 || strings.Contains(got[0].Text, dropped) || codeRE.FindString(got[0].Text) == "" {
		t.Errorf("Send of a tip with no receipt code answered %q", texts(got))
	}
}

// A Send pressed again (its answer lost, a redelivered button) gives the
// receipt again with the note the first gave: a code pasted in two goes
// was left out of the tip. A tip with nothing cut gets no note.
func TestRepeatedSendTellsOfTheCodeCutAgain(t *testing.T) {
	tm := newTeam(t)
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	code := codeRE.FindString(sendParts(t, tm, "cobran piso en el mercado")[0].Text)
	for _, c := range []struct {
		msgs []string
		cut  bool
	}{
		{[]string{"mi código es " + code[:9], code[10:] + " y también venden armas"}, true},
		{[]string{"la cuenta es ABCD-EFGH", "JKMN-PQR5"}, false},
	} {
		var r []commands.Reply
		for _, m := range c.msgs {
			r = tm.as(reporterID, "R", commands.Request{Text: m})
		}
		send := press(r, "send:")
		first := tm.as(reporterID, "R", commands.Request{Callback: send})
		again := tm.as(reporterID, "R", commands.Request{Callback: send})
		if len(first) == 0 || len(again) == 0 || again[0].Text != first[0].Text || strings.HasPrefix(again[0].Text, dropped) != c.cut {
			t.Errorf("%q: first Send %q, again %q", c.msgs, texts(first), texts(again))
		}
	}
}

// A receipt code whose groups a control character stands between (an
// en dash of Windows-1252 read as Latin-1 is U+0096; DEL; Ctrl-A typed
// in a terminal) reads, in what investigators are shown, with a space
// there (tips.Neutralize): it is cut from the tip as one with spaces is,
// the rest kept.
func TestReceiptCodeWithControlCharactersBetweenGroupsIsCut(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	for i, sep := range []string{"\u0096", "\x7f", "\x01", "\u009f\x1b"} {
		r := tm.as(reporterID, "R", commands.Request{Text: "mi código es " + strings.ReplaceAll(code, "-", sep) + " y gracias"})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") {
			t.Errorf("code with %q between its groups: %+v", sep, r)
		}
		tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
		id := strconv.Itoa(i + 2)
		shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: id})
		if len(shown) == 0 || slices.Contains(tips.ReceiptCodesIn(shown[0].Text), code) || !strings.Contains(shown[0].Text, "mi código es y gracias") {
			t.Errorf("/tip %s, its code written with %q between groups: %+v", id, sep, shown)
		}
	}
}
