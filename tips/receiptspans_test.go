package tips

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Whatever surrounds a receipt code, its span is among the candidates
// ReceiptSpans finds (so the engine can cut it), and every candidate lies
// within the text: no input makes it panic or miss a code standing as a
// word.
func FuzzReceiptSpans(f *testing.F) {
	for _, s := range []string{"", "mi código es", "digo", "x_", "para esta casa todo", "ABCD-EFGH-JKMN", "(", "é", "0000 0000 0000"} {
		f.Add(s, " ", "")
	}
	f.Add("digo ", "-", "-VD2C")
	f.Add("", "\u2013", " 2024 casa")
	f.Add("código", "\u00a0", "y")
	f.Add("es", "\u200b-\u200b", "")
	f.Add("mi código", "/", "gracias")
	f.Add("es", ", ", ".")
	f.Add("x", "_", "")
	f.Add("https://x.example/?q=", "%2D", "&a=%2")
	f.Add("?q=%20", "%20", "%20")
	f.Add("q=", "+", "%E2%80")
	f.Add("q=%25", "%252D", "%4")
	f.Add("%4", "%2520", "%2")
	f.Add("mi código", " 🔥 ", "🙏")
	f.Add("🔥", "❤️", "👍🏽")
	f.Add("x", " 👨\u200d👩\u200d👧 ", "")
	f.Fuzz(func(t *testing.T, before, sep, after string) {
		if !slices.Contains([]string{"-", " ", "", "\u2013", "\u00a0", "\u2212", "  ", "\u200b-\u200b", "\uff0d", "/", ".", ", ", "_", " / ", "%2D", "%20", "+", "%E2%80%93", "%252D", "%2520",
			" 🔥 ", "❤️", " 👨\u200d👩\u200d👧 ", "-🔥-", "👍🏽👍🏽"}, sep) {
			sep = "-"
		}
		code := "R4ZA" + sep + "0AP8" + sep + "1SDK" + sep + "VD2C"
		text := before + " " + code + " " + after
		spans := ReceiptSpans(text)
		for _, sp := range spans {
			if sp[0] < 0 || sp[1] > len(text) || sp[1]-sp[0] < 16 {
				t.Fatalf("span %v of %q", sp, text)
			}
		}
		at := len(before) + 1
		if !slices.Contains(spans, [2]int{at, at + len(code)}) {
			t.Fatalf("the code in %q not among %v", text, spans)
		}
	})
}

// A code written with punctuation in place of its dashes is cut as one;
// a code-like word the lookup does not know stays.
func TestCutReceiptsTakesPunctuatedCodes(t *testing.T) {
	known := func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == "JCJH-0X19-7ZXF-6YQN"
		}
		return out, nil
	}
	for _, code := range []string{"JCJH/0X19/7ZXF/6YQN", "jcjh.0x19.7zxf.6yqn", "JCJH, 0X19, 7ZXF, 6YQN", "JCJH_0X19_7ZXF_6YQN", "JCJH / 0X19 / 7ZXF / 6YQN",
		`JCJH\-0X19\-7ZXF\-6YQN`} { // (as Discord keeps the bot's own message: escaped)
		out, cut, err := CutReceipts([]string{"mi codigo " + code + " gracias, cuenta AB12/CD34/EF56/GH78"}, known)
		if err != nil || !cut || out[0] != "mi codigo gracias, cuenta AB12/CD34/EF56/GH78" {
			t.Errorf("%q: %q %v %v", code, out, cut, err)
		}
	}
}

// A receipt code after many code-like words (plates, serials, the same
// one over and over) is still looked up and cut; each code is looked up
// once.
func TestCutReceiptsAfterManyCodeLikeWords(t *testing.T) {
	code := "JCJH-0X19-7ZXF-6YQN"
	for _, many := range []string{strings.Repeat("AB12 ", 60), strings.Repeat("AB12 CD34 EF56 GH78 XY9", 12)} {
		asked := 0
		known := func(cs []string) ([]bool, error) {
			asked = len(cs)
			out := make([]bool, len(cs))
			for i, c := range cs {
				out[i] = c == code
			}
			return out, nil
		}
		out, cut, err := CutReceipts([]string{"placas: " + many + " mi codigo " + code}, known)
		if err != nil || !cut || strings.Contains(out[0], code) {
			t.Errorf("the receipt after %d bytes of code-like words: cut %v, %v", len(many), cut, err)
		}
		if asked > 10 {
			t.Errorf("%d codes looked up", asked)
		}
	}
}

// A code split between texts is cut piece by piece, and known is asked
// only about code-like words that cross texts; should it fail, the texts
// stay as they are.
func TestCutReceiptsAcross(t *testing.T) {
	code := "JCJH-0X19-7ZXF-6YQN"
	var asked []string
	known := func(cs []string) ([]bool, error) {
		asked = append(asked, cs...)
		out := make([]bool, len(cs))
		for i, c := range cs {
			out[i] = c == code
		}
		return out, nil
	}
	in := []string{"mi código es JCJH-0X19", "", "7zxf 6yqn, gracias " + code, "AB12 CD34", "EF56 GH78"}
	out, cut, err := CutReceiptsAcross(in, known)
	want := []string{"mi código es", "", ", gracias " + code, "AB12 CD34", "EF56 GH78"} // the code within one text is CutReceipts'
	if err != nil || !cut || !slices.Equal(out, want) {
		t.Errorf("got %q %v %v, want %q", out, cut, err, want)
	}
	if !slices.Contains(asked, code) || !slices.Contains(asked, "AB12-CD34-EF56-GH78") {
		t.Errorf("asked about %q", asked)
	}
	asked = nil
	if out, cut, err := CutReceiptsAcross([]string{"JCJH-0X19", "7ZXF", "6YQN"}, known); err != nil || !cut || !slices.Equal(out, []string{"", "", ""}) {
		t.Errorf("a code in three texts: %q %v %v", out, cut, err)
	}
	asked = nil
	if out, cut, _ := CutReceiptsAcross([]string{"sin códigos " + code, "listo"}, known); cut || len(asked) != 0 || out[0] != "sin códigos "+code {
		t.Errorf("nothing crossing: asked %q, cut %v", asked, cut)
	}
	failing := func([]string) ([]bool, error) { return nil, io.ErrUnexpectedEOF }
	if out, cut, err := CutReceiptsAcross(in, failing); err == nil || cut || !slices.Equal(out, in) {
		t.Errorf("a failed lookup: %q %v %v", out, cut, err)
	}
}

// A tip of one message (most tips) is not read again for codes across
// messages when it is sent: nothing runs from one into another, and its
// own codes were cut when it was added. Before, every Send scanned the
// whole text once more, word by word (about 30 µs for 280 characters).
func TestCutReceiptsAcrossLeavesOneTextUnread(t *testing.T) {
	one := []string{"", "mi código es JCJH-0X19 y luego 7ZXF-6YQN, cobran derecho de piso en la colonia Centro cada viernes", ""}
	known := func(cs []string) ([]bool, error) {
		t.Errorf("asked about %q", cs)
		return make([]bool, len(cs)), nil
	}
	if out, cut, err := CutReceiptsAcross(one, known); err != nil || cut || !slices.Equal(out, one) {
		t.Errorf("one text: %q %v %v", out, cut, err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _, _ = CutReceiptsAcross(one, known) }); n != 0 {
		t.Errorf("one text read again: %v allocations a Send, want none", n)
	}
}

// Cyrillic and Greek look-alikes read as the Latin letters they look
// like, capital or small; other Cyrillic letters are not code letters.
func TestNormalizeReceiptLookAlikes(t *testing.T) {
	for _, s := range []string{"К7QD-9ХМА-R2ТР-4WZN", "к7qd 9хма r2тр 4wzn", "Κ7QD-9ΧΜΑ-R2ΤΡ-4WZN", "κ7qd-9χμα-r2τρ-4wzn"} {
		if code, ok := NormalizeReceipt(s); !ok || code != "K7QD-9XMA-R2TP-4WZN" {
			t.Errorf("%q: %q %v", s, code, ok)
		}
		if sp := ReceiptSpans("код " + s + "."); len(sp) != 1 || sp[0] != [2]int{len("код "), len("код ") + len(s)} {
			t.Errorf("spans of %q: %v", s, sp)
		}
	}
	if code, ok := NormalizeReceipt("Д7QD-9XMA-R2TP-4WZN"); ok {
		t.Errorf("Д read as a code letter: %q", code)
	}
}

// A code written with two-character separators (" - ", ", ", ". ") and
// pasted in two goes is cut too: the join between parts takes no more of
// the separators a code may have between its groups than a line break,
// else "K7QD - 9XMA -" then "R2TP - 4WZN" read, joined, as no code.
func TestCutReceiptsAcrossWideSeparators(t *testing.T) {
	code := "JCJH-0X19-7ZXF-6YQN"
	known := func(cs []string) ([]bool, error) {
		out := make([]bool, len(cs))
		for i, c := range cs {
			out[i] = c == code
		}
		return out, nil
	}
	for _, in := range [][]string{
		{"mi código es JCJH - 0X19 -", "7ZXF - 6YQN gracias"},
		{"mi código es JCJH, 0X19,", "7ZXF, 6YQN gracias"},
		{"mi código es JCJH. 0X19", ". 7ZXF. 6YQN gracias"},
	} {
		out, cut, err := CutReceiptsAcross(in, known)
		if err != nil || !cut || strings.Contains(strings.Join(out, " "), "0X19") || strings.Contains(strings.Join(out, " "), "7ZXF") {
			t.Errorf("%q: got %q %v %v", in, out, cut, err)
		}
	}
}

// A code pasted in two goes cut within one of its groups ("JCJ", then
// "H-0X19-…"; "JCJH-0X1", then "9-7ZXF-…") is cut too; a code-like word
// that is no receipt, split so, stays.
func TestCutReceiptsAcrossWithinAGroup(t *testing.T) {
	code := "JCJH-0X19-7ZXF-6YQN"
	known := func(cs []string) ([]bool, error) {
		out := make([]bool, len(cs))
		for i, c := range cs {
			out[i] = c == code
		}
		return out, nil
	}
	for _, tc := range []struct{ in, want []string }{
		{[]string{"mi código es JCJ", "H-0X19-7ZXF-6YQN gracias"}, []string{"mi código es", "gracias"}},
		{[]string{"JCJH-0X1", "9-7ZXF-6YQ", "N"}, []string{"", "", ""}},
		{[]string{"JCJH 0X19 7Z", "XF 6YQN, gracias"}, []string{"", ", gracias"}},
		{[]string{"placa AB12-CD3", "4-EF56-GH78"}, []string{"placa AB12-CD3", "4-EF56-GH78"}},
	} {
		out, cut, err := CutReceiptsAcross(tc.in, known)
		if err != nil || cut != !slices.Equal(tc.in, tc.want) || !slices.Equal(out, tc.want) {
			t.Errorf("%q: got %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
}

// A code in a link quoted within another link (a redirect's "?u=…": its
// escapes escaped again, "%252D"), or with its letters and digits
// escaped ("%4A%43…", as some link makers write every character), is
// read and cut as the same code plainly written.
func TestCutReceiptsReadsEscapedCodes(t *testing.T) {
	code := "JCJH-0X19-7ZXF-6YQN"
	known := func(cs []string) ([]bool, error) {
		out := make([]bool, len(cs))
		for i, c := range cs {
			out[i] = c == code
		}
		return out, nil
	}
	for _, written := range []string{
		"JCJH%252D0X19%252D7ZXF%252D6YQN",                     // "-" escaped twice
		"JCJH%2520-%25200X19%2520-%25207ZXF-6YQN",             // " " escaped twice, around dashes
		"JCJH%25E2%2580%25930X19%25E2%2580%25937ZXF-6YQN",     // an en dash escaped twice
		"%4A%43%4A%48-%30%58%31%39-%37%5A%58%46-%36%59%51%4E", // every character escaped
		"%4aCJH%2D0X19%2D7ZXF%2D6YQ%4e",                       // some, in lower case
		"%254ACJH%252D0X19-7ZXF-6YQN",                         // a letter escaped twice
	} {
		if c, ok := NormalizeReceipt(written); !ok || c != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, c, ok)
		}
		text := "https://l.example/?u=https%253A%252F%252Fvigia.example%252F%253Fq%253D" + written + "&h=AT0"
		out, cut, err := CutReceipts([]string{text}, known)
		if err != nil || !cut || strings.Contains(out[0], "7ZXF") || !strings.HasSuffix(out[0], "&h=AT0") {
			t.Errorf("%q: got %q %v %v", written, out, cut, err)
		}
	}
	// A percent sign that escapes nothing, and escapes of no code
	// character, are read as before: "%" ends no code, "%3D" is no letter.
	for _, text := range []string{"50% JCJH-0X19-7ZXF-6YQN", "q%3DJCJH-0X19-7ZXF-6YQN"} {
		if out, cut, _ := CutReceipts([]string{text}, known); !cut || strings.Contains(out[0], "JCJH") {
			t.Errorf("%q: got %q %v", text, out, cut)
		}
	}
}

// Digits as an Arabic or Persian keyboard types them are a code's digits,
// as numbers in commands are read: found in a text and normalised.
func TestNormalizeReceiptArabicDigits(t *testing.T) {
	for _, s := range []string{"K٧QD-٩XMA-R٢TP-٤WZN", "k۷qd ۹xma r۲tp ۴wzn", "\u200fK٧QD-٩XMA-R٢TP-٤WZN\u200f"} {
		if code, ok := NormalizeReceipt(s); !ok || code != "K7QD-9XMA-R2TP-4WZN" {
			t.Errorf("%q: %q %v", s, code, ok)
		}
		if sp := ReceiptSpans("رمز " + s + "."); len(sp) != 1 || spanCode("رمز "+s+".", sp[0]) != "K7QD-9XMA-R2TP-4WZN" {
			t.Errorf("spans of %q: %v", s, sp)
		}
	}
	// Nor only Arabic: every script's digits are digits (a code typed on
	// a Hindi, Bengali, Tamil, Thai or Myanmar keyboard), cut from a tip
	// as the code they are.
	for _, s := range []string{"K७QD-९XMA-R२TP-४WZN", "K৭QD-৯XMA-R২TP-৪WZN", "K௭QD-௯XMA-R௨TP-௪WZN", "K๗QD-๙XMA-R๒TP-๔WZN", "K၇QD-၉XMA-R၂TP-၄WZN"} {
		if code, ok := NormalizeReceipt(s); !ok || code != "K7QD-9XMA-R2TP-4WZN" {
			t.Errorf("%q: %q %v", s, code, ok)
		}
		known := func(codes []string) ([]bool, error) {
			return []bool{slices.Equal(codes, []string{"K7QD-9XMA-R2TP-4WZN"})}, nil
		}
		if out, cut, _ := CutReceipts([]string{"मेरा कोड " + s + " है"}, known); !cut || strings.Contains(out[0], "XMA") {
			t.Errorf("%q not cut: %q", s, out)
		}
	}
	// Arabic letters are no code letters.
	if code, ok := NormalizeReceipt("ك٧QD-٩XMA-R٢TP-٤WZN"); ok {
		t.Errorf("an Arabic letter read as a code letter: %q", code)
	}
}

// spanCode is the code text[sp[0]:sp[1]] reads as, or "".
func spanCode(text string, sp [2]int) string {
	code, _ := NormalizeReceipt(text[sp[0]:sp[1]])
	return code
}

// Words shaped like a receipt code of letters alone (OldReceipt) are
// looked up, as a code drawn before every code held a digit may be one;
// words that read as digits once normalised ("LOCO" as "10C0") are no
// code of either form and are not, nor are they taken for one drawn now.
func TestCodesOfLettersAloneAreLookedUp(t *testing.T) {
	for text, want := range map[string][]string{
		"¿qué pasa con abcd efgh jkmn pqrs?": {"ABCD-EFGH-JKMN-PQRS"},
		"dice que esta casa para mama":       {"ESTA-CASA-PARA-MAMA"},
		"está como loco mira solo":           nil,
		"cuenta AB12 CD34 EF56 GH78":         {"AB12-CD34-EF56-GH78"},
	} {
		var asked []string
		out, cut, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = codes
			return make([]bool, len(codes)), nil
		})
		if err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
			t.Errorf("%q: asked %q, want %q (%q %v %v)", text, asked, want, out, cut, err)
		}
		if got := ReceiptCodesIn(text); !slices.Equal(got, want) {
			t.Errorf("%q: ReceiptCodesIn %q, want %q", text, got, want)
		}
	}
}

// A run of four-letter words (each word a candidate of letters alone)
// does not crowd a code with a digit out of the first lookup, whose
// codes are bounded (MaxReceiptCandidates; the rest are asked later).
func TestCodesOfLettersAloneDoNotCrowdOutACode(t *testing.T) {
	const letters = "ABCDEFGHJKMNPQRSTVWXYZ"
	var words []string
	for i := 0; len(words) < MaxReceiptCandidates+20; i++ {
		words = append(words, string([]byte{letters[i%22], letters[i/22%22], 'A', 'B'}))
	}
	text := strings.Join(words, " ") + " y mi código es K7QD-9XMA-R2TP-4WZN"
	var asked []string
	if _, _, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
		if asked == nil {
			asked = codes
		}
		return make([]bool, len(codes)), nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(asked) != MaxReceiptCandidates || !slices.Contains(asked, "K7QD-9XMA-R2TP-4WZN") {
		t.Fatalf("%d codes asked, the code among them: %v", len(asked), slices.Contains(asked, "K7QD-9XMA-R2TP-4WZN"))
	}
	out, cut, _ := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
		known := make([]bool, len(codes))
		for i, c := range codes {
			known[i] = c == "K7QD-9XMA-R2TP-4WZN"
		}
		return known, nil
	})
	if !cut || out[0] != strings.Join(words, " ")+" y mi código es" {
		t.Fatalf("not cut: %q", out[0][len(out[0])-40:])
	}
}

// A code with an invisible character after each of its letters (a
// variation selector, the combining grapheme joiner, a Hangul filler, a
// Mongolian variation selector: none of them Cf) reads as the code to an
// investigator, so it is found, read and cut as the code.
func TestReceiptReadAcrossInvisibleCharacters(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	known := func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == code
		}
		return out, nil
	}
	for _, inv := range []string{"\ufe0f", "\u034f", "\u3164", "\u180b", "\ufe00", "\U000E0100", "\uffa0"} {
		var b strings.Builder
		for _, r := range code {
			b.WriteRune(r)
			if r != '-' {
				b.WriteString(inv)
			}
		}
		written := b.String()
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("%U: NormalizeReceipt(%q) = %q %v", []rune(inv)[0], written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, known)
		if err != nil || !cut || strings.Contains(Neutralize(out[0]), "JCJH") {
			t.Errorf("%U: cut %q %v %v", []rune(inv)[0], out, cut, err)
		}
	}
}

// A code whose digits are typed in a script after Mongolian (Ol Chiki,
// Meetei Mayek, Tai Tham keyboards; the mathematical digits a "fancy
// font" site gives) reads as the code to anyone, so it is read and cut
// as the code, as one with Devanagari or Arabic digits is.
func TestReceiptReadWithLaterScriptsDigits(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	known := func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == code
		}
		return out, nil
	}
	for _, zero := range []rune{0x1C50, 0xABF0, 0x1A80, 0x1D7CE, 0x1D7EC} {
		written := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return zero + r - '0'
			}
			return r
		}, code)
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("%U: NormalizeReceipt(%q) = %q %v", zero, written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, known)
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%U: cut %q %v %v", zero, out, cut, err)
		}
	}
	// A word that runs on into such a digit is no code of its own: the
	// digit is a stray typed against it, kept when it is cut, as an
	// ASCII one is ("…6YQN1").
	if sp := ReceiptSpans("JCJH-0X19-7ZXF-6YQN\U0001D7CF"); len(sp) != 1 || sp[0] != [2]int{0, 19} {
		t.Errorf("a code running on into a digit: %v", sp)
	}
}

// knowsOnly is a lookup that knows one code.
func knowsOnly(code string) func(codes []string) ([]bool, error) {
	return func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == code
		}
		return out, nil
	}
}

// writtenAs writes code with each letter and digit as forms says (a
// "fancy text" site's output), the dashes as they are.
func writtenAs(code string, form func(r rune) string) string {
	var b strings.Builder
	for _, r := range code {
		if r == '-' {
			b.WriteRune(r)
			continue
		}
		b.WriteString(form(r))
	}
	return b.String()
}

// offsets returns a form that writes A-Z from capA and 0-9 from zero
// (-1: as they are), after each character suffix.
func offsets(capA, zero rune, suffix string) func(r rune) string {
	return func(r rune) string {
		switch {
		case r >= 'A' && r <= 'Z':
			return string(capA+r-'A') + suffix
		case r >= '0' && r <= '9' && zero >= 0:
			return string(zero+r-'0') + suffix
		}
		return string(r) + suffix
	}
}

// A code written in a "fancy text" site's letters reads as the code to
// an investigator (the mathematical alphabets, circled, parenthesised
// and squared letters and digits), so it is read and cut as the code.
func TestReceiptReadInFancyLetters(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	for name, form := range map[string]func(rune) string{
		"math bold":              offsets(0x1D400, 0x1D7CE, ""),
		"math bold small":        offsets(0x1D41A, 0x1D7CE, ""),
		"math bold italic":       offsets(0x1D468, -1, ""),
		"math sans-serif bold":   offsets(0x1D5D4, 0x1D7EC, ""),
		"math monospace":         offsets(0x1D670, 0x1D7F6, ""),
		"math double-struck":     offsets(0x1D538, 0x1D7D8, ""), // (its C is ℂ…: letterlike symbols, below)
		"circled":                offsets(0x24B6, -1, ""),
		"circled small":          offsets(0x24D0, -1, ""),
		"parenthesized small":    offsets(0x249C, -1, ""),
		"parenthesized capital":  offsets(0x1F110, -1, ""),
		"squared":                offsets(0x1F130, -1, ""),
		"negative circled":       offsets(0x1F150, -1, ""),
		"negative squared":       offsets(0x1F170, -1, ""),
		"full-width with digits": offsets(0xFF21, 0xFF10, ""),
	} {
		written := writtenAs(code, form)
		if name == "math double-struck" {
			// Holes in the run: those letters are letterlike symbols.
			for _, l := range "CHNPQRZ" {
				written = strings.ReplaceAll(written, string(0x1D538+l-'A'), string([]rune("ℂℍℕℙℚℝℤ")[strings.IndexRune("CHNPQRZ", l)]))
			}
		}
		if name == "circled" {
			// Circled digits: ⓪, then ① to ⑨.
			written = strings.NewReplacer("0", "⓪", "1", "①", "9", "⑨", "7", "⑦", "6", "⑥").Replace(written)
		}
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("%s: NormalizeReceipt(%q) = %q %v", name, written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%s: cut %q %v %v", name, out, cut, err)
		}
	}
}

// A code with an accent on each character, combining ("J\u0301") or
// precomposed ("Ś"), reads as the code, so it is read and cut as the
// code; so is one with a Braille blank (U+2800, which shows as a space
// would not) between its characters.
func TestReceiptReadWithAccentsAndBlanks(t *testing.T) {
	const code = "SAJG-ZFDD-7NM6-K3PQ"
	precomposed := map[rune]string{'S': "Ś", 'A': "Á", 'J': "Ĵ", 'G': "Ǵ", 'Z': "Ź", 'F': "F\u0301", 'D': "Ď", 'N': "Ń", 'M': "Ḿ", 'K': "Ḱ", 'P': "Ṕ", 'Q': "Q\u0303"}
	for name, form := range map[string]func(rune) string{
		"combining acute":       func(r rune) string { return string(r) + "\u0301" },
		"two marks":             func(r rune) string { return string(r) + "\u0301\u0323" },
		"precomposed":           func(r rune) string { return cmp.Or(precomposed[r], string(r)+"\u0301") },
		"precomposed, small":    func(r rune) string { return strings.ToLower(cmp.Or(precomposed[r], string(r)+"\u0301")) },
		"letters alone":         func(r rune) string { return cmp.Or(precomposed[r], string(r)) },
		"braille blank":         func(r rune) string { return string(r) + "\u2800" },
		"accent, braille blank": func(r rune) string { return string(r) + "\u0301\u2800" },
	} {
		written := writtenAs(code, form)
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("%s: NormalizeReceipt(%q) = %q %v", name, written, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%s: cut %q %v %v", name, out, cut, err)
		}
	}
}

// Accented words read as their letters only where every other character
// or so bears an accent, as in a code written so: ordinary Spanish,
// French or Portuguese (a few accents among many letters) has no more
// code-like words to look up than it had when accents ended words, and
// those it has stay.
func TestAccentedProseIsNoMoreLookups(t *testing.T) {
	const prose = "El año pasado, en 2024, la señora Pérez denunció que cobran cuota en la colonia Niño Perdido. " +
		"Según ella, ésta área está tomada: cobran 1500 pesos por semana, 3000 a las farmacias. " +
		"Mamá dice casa 2024 está allá, José sabe 1500 más cómo será todo; niño 2023 allá mamá, " +
		"rúa 3000 também está, élan 1234 déjà même, Pérez 5555 pidió José. " +
		"Ça va? Não sei. Teléfono 55 1234 5678, código postal 06000; placas AB12 CD34 EF56 GH78 y casa para mama esta. "
	text := strings.Repeat(prose+"\n", 10) // about 4.5 kB, as long as a message gets
	var asked []string
	out, cut, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
		asked = codes
		return make([]bool, len(codes)), nil
	})
	if want := []string{"AB12-CD34-EF56-GH78", "CASA-PARA-MAMA-ESTA"}; err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
		t.Errorf("asked %q, want %q (%v %v)", asked, want, cut, err)
	}
}

// Invisible characters written right before or after a cut code go with
// it: none is left standing alone in the tip ("código \u200b fin").
func TestCutReceiptsTakesInvisibleCharactersAround(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	for _, text := range []string{
		"mi codigo \u200b" + code + "\u200b gracias",
		"mi codigo \u2060\u2060" + code + "\u200d gracias",
		"mi codigo " + code + "\u200b\u3164 gracias",
		"mi codigo \u2800" + code + "\ufe0f gracias",
	} {
		out, cut, err := CutReceipts([]string{text}, knowsOnly(code))
		if err != nil || !cut || out[0] != "mi codigo gracias" {
			t.Errorf("%q: cut %q %v %v", text, out, cut, err)
		}
	}
}

// wideChar's tables (Latin letters, the "fancy text" blocks, the CJK and
// Hangul ranges it answers no for at once) read every character as
// Unicode's decompositions do.
func TestWideCharTablesMatchDecompositions(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		c, ok, accent := wideChar(r)
		want, wantOK, wantAccent := decomposedChar(r)
		if ok != wantOK || ok && (c != want || accent != wantAccent) {
			t.Fatalf("%U: read %q %v %v, decomposed %q %v %v", r, c, ok, accent, want, wantOK, wantAccent)
		}
	}
}

// A code padded with many invisible characters after each of its
// characters (five zero-width spaces: 259 bytes, past the length a code
// may have) is still the code: receiptSpans finds it across them, so
// NormalizeReceipt must read it, or it stays in the tip for
// investigators to read.
func TestReceiptPaddedWithManyInvisibleCharactersIsCut(t *testing.T) {
	const code = "JCJH-0X19-7ZXF-6YQN"
	known := func(codes []string) ([]bool, error) {
		out := make([]bool, len(codes))
		for i, c := range codes {
			out[i] = c == code
		}
		return out, nil
	}
	for _, n := range []int{5, 40} {
		var b strings.Builder
		for _, r := range code {
			b.WriteRune(r)
			if r != '-' {
				b.WriteString(strings.Repeat("\u200b", n))
			}
		}
		written := b.String()
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("%d zero-width spaces: NormalizeReceipt = %q %v", n, got, ok)
		}
		out, cut, err := CutReceipts([]string{"mi codigo " + written + " gracias"}, known)
		if err != nil || !cut || strings.Contains(Neutralize(out[0]), "JCJH") {
			t.Errorf("%d zero-width spaces: cut %q %v %v", n, out, cut, err)
		}
	}
	// What is left once they are gone is still bounded.
	if _, ok := NormalizeReceipt(code + strings.Repeat("X", 300)); ok {
		t.Error("a 319-character word read as a code")
	}
}
