package commands_test

import (
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
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
	for _, tc := range []struct{ id, kept string }{{"2", "mi código es\n\ngracias"}, {"3", "otro:\n\nfin"}} {
		shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: tc.id})
		if len(shown) == 0 || strings.Contains(shown[0].Text, code[:9]) || strings.Contains(shown[0].Text, code[10:]) ||
			!strings.Contains(shown[0].Text, tc.kept) {
			t.Errorf("/tip %s shows the code split in parts: %+v", tc.id, shown)
		}
	}
	if shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"}); len(shown) == 0 || !strings.Contains(shown[0].Text, "ABCD-EFGH\n\nJKMN-PQR5") {
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
