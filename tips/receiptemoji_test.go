package tips

import (
	"slices"
	"strings"
	"testing"
)

// A receipt code with an emoji between its groups, or several (with
// variation selectors, skin tones, joined into one by zero-width
// joiners), reads as the code to an investigator: it is found, read and
// cut as the code. The emoji before or after it stay.
func TestCutReceiptsTakesEmojiBetweenGroups(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD 🔥 9XMA 🔥 R2TP 🔥 4WZN",
		"K7QD🔥9XMA🔥R2TP🔥4WZN",
		"k7qd🔥9xma🔥r2tp🔥4wzn",
		"K7QD❤️9XMA❤️R2TP❤️4WZN",                            // a variation selector
		"K7QD 👍🏽 9XMA 👍🏿 R2TP 👍🏻 4WZN",                      // skin tones
		"K7QD 👨‍👩‍👧 9XMA 👩🏽‍💻 R2TP 🏳️‍🌈 4WZN",               // zero-width joiner sequences
		"K7QD 🔥🔥🔥 9XMA ✅✅ R2TP ⭐️⭐️⭐️⭐️ 4WZN",               // several
		"K7QD-🔥-9XMA-🔥-R2TP-🔥-4WZN",                         // between dashes
		"K7QD ➡️ 9XMA ➡️ R2TP ➡️ 4WZN",                      // an arrow
		"K7QD" + strings.Repeat("🔥", 70) + "9XMA🔥R2TP🔥4WZN", // (past the 256 bytes a code may take)
		"[K7QD] 🔒 [9XMA] 🔒 [R2TP] 🔒 [4WZN]",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		for _, tc := range []struct{ in, want string }{
			{"mi código " + written + " gracias", "mi código gracias"},
			{"mi código 👉 " + written + " 🙏 gracias", "mi código 👉 🙏 gracias"},
			{written, ""},
		} {
			out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
			if err != nil || !cut || out[0] != tc.want {
				t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
			}
		}
	}
}

// Emoji in ordinary text make no more code-like words than it had, and
// letters read as a code's (regional indicators, "🅰") are still
// letters, not separators.
func TestEmojiInProseAreNoCode(t *testing.T) {
	for text, want := range map[string][]string{
		"hola 👋 ya 🔥 pagamos 💵 el piso 2024 🙏 cobran 5000 👀 cada 🗓️ viernes": nil,
		"placas AB12 🚗 CD34 🚗 EF56 🚗 GH78":                                   {"AB12-CD34-EF56-GH78"}, // a code-like word, looked up, kept
		"placas AB12 🚗 🚓 CD34 🚗 EF56 🚗 GH78":                                 nil,                     // two emoji apart: more than three separators
		"🇲🇽 🇨🇦 🇧🇷 🇦🇷 AB12":                                                   nil,
	} {
		var asked []string
		out, cut, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = codes
			return make([]bool, len(codes)), nil
		})
		if err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
			t.Errorf("%q: asked %q, want %q (%q %v %v)", text, asked, want, out, cut, err)
		}
	}
	// An emoji against a code, before or after it, is no part of it
	// (/reply keeps it with the answer: "🙏CODE🙏 sí").
	for _, s := range []string{"🙏K7QD-9XMA-R2TP-4WZN🙏", "K7QD-9XMA-R2TP-4WZN👍", "❤️K7QD-9XMA-R2TP-4WZN", "🔥" + strings.Repeat("\u200b", 300) + "K7QD-9XMA-R2TP-4WZN"} {
		if got, ok := NormalizeReceipt(s); ok {
			t.Errorf("NormalizeReceipt(%q) = %q, an emoji around it read as its separator", s, got)
		}
	}
	if got, ok := NormalizeReceipt("🅺7🆀🅳-9🆇🅼🅰-🆁2🆃🅿-4🆆🆉🅽"); !ok || got != "K7QD-9XMA-R2TP-4WZN" {
		t.Errorf("negative squared letters: %q %v", got, ok)
	}
}

// No character pictograph takes for an emoji's picture reads as a
// letter or digit of a code (it would be taken for a separator, and the
// group it begins lost), nor is one that is no picture taken for one.
func TestPictographIsNoCodeChar(t *testing.T) {
	for r := rune(0); r < 0x20000; r++ {
		if pictograph(r) && isCodeChar(r) {
			t.Errorf("%U (%c): a pictograph read as a code's character", r, r)
		}
	}
	for _, r := range "🔥❤👍🏽👨👩👧🏳🌈✅⭐➡🔒🚨😡👀🙏©®™‼⁉〰" {
		if !pictograph(r) {
			t.Errorf("%U (%c): no pictograph", r, r)
		}
	}
	for _, r := range "aZ09🇲🅰Ⓜℹ⇂-_ é€$%" {
		if pictograph(r) {
			t.Errorf("%U (%c): a pictograph", r, r)
		}
	}
}

// A code with emoji between its groups, its last group within a link's
// address after an emoji ("… R2TP 🔥 https://…?c=4WZN"), is cut as one
// written with dashes is. Prose ending in an emoji before a link is not
// read across it.
func TestEmojiBeforeALinksPieceOfACode(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código K7QD 🔥 9XMA 🔥 R2TP 🔥 https://x.example/?c=4WZN gracias", "mi código https://x.example/?c= gracias"},
		{"mi código K7QD❤️9XMA❤️R2TP❤️ https://x.example/estado?c=4WZN", "mi código https://x.example/estado?c="},
		{"K7QD 👍🏽 9XMA 👍🏽 R2TP 👍🏽\nhttps://x.example/?c=4WZN", "https://x.example/?c="},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
	readings := 0
	linkViewRead = func(string) { readings++ }
	defer func() { linkViewRead = func(string) {} }()
	for _, prose := range []string{
		"mira la nota 👉 https://x.example/2024/05/12/cobro?id=77&p=2",
		"¡Ayuda! 🙏🙏 https://x.example/a/b/c/d",
		"escríbeles 📞 https://wa.me/5215512345678?text=hola",
	} {
		readings = 0
		if out, cut, err := CutReceipts([]string{prose}, knowsOnly(code)); err != nil || cut || out[0] != prose || readings != 0 {
			t.Errorf("%q: %d readings across the link (%q %v %v)", prose, readings, out[0], cut, err)
		}
	}
}

// A flag between a code's groups, or several, is an emoji there as any
// other ("K7QD 🇲🇽 9XMA 🇲🇽 …", a Mexican reporter's): the code is read
// and cut, the flags around it stay. A code whose letters are regional
// indicators keeps reading two of them together as its letters.
func TestCutReceiptsTakesFlagsBetweenGroups(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD 🇲🇽 9XMA 🇲🇽 R2TP 🇲🇽 4WZN",
		"K7QD🇲🇽9XMA🇲🇽R2TP🇲🇽4WZN",
		"K7QD 🇲🇽🇨🇴 9XMA 🇧🇷 R2TP 🇦🇷🇦🇷🇦🇷 4WZN",
		"K7QD-🇲🇽-9XMA-🇲🇽-R2TP-🇲🇽-4WZN",
		"[K7QD] 🇲🇽 [9XMA] 🇲🇽 [R2TP] 🇲🇽 [4WZN]",
		"K7QD 🔥🇲🇽 9XMA 🇲🇽🔥 R2TP 🇲🇽 4WZN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		for _, tc := range []struct{ in, want string }{
			{"mi código " + written + " gracias", "mi código gracias"},
			{"🇲🇽 mi código " + written + " 🇲🇽 gracias", "🇲🇽 mi código 🇲🇽 gracias"},
			{written, ""},
		} {
			out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
			if err != nil || !cut || out[0] != tc.want {
				t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
			}
		}
	}
	// Regional letters joined, a pair at a group's start: letters still.
	joined := "🇯🇨🇯🇭-🇽🇾19-7🇿🇽🇫-6🇾🇶🇳"
	if got, ok := NormalizeReceipt(joined); !ok || got != "JCJH-XY19-7ZXF-6YQN" {
		t.Errorf("NormalizeReceipt(%q) = %q %v", joined, got, ok)
	}
	if out, cut, err := CutReceipts([]string{"mi codigo " + joined + " gracias"}, knowsOnly("JCJH-XY19-7ZXF-6YQN")); err != nil || !cut || out[0] != "mi codigo gracias" {
		t.Errorf("%q: cut %q %v %v", joined, out, cut, err)
	}
	// Flags in prose next to code-like words make no code of them.
	for _, text := range []string{
		"placas AB12 🇲🇽 🇺🇸 CD34 EF56", // two flags apart: more than three separators
		"vamos 🇲🇽 2026 🇲🇽 copa 🇲🇽 mundial",
	} {
		var asked []string
		CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = codes
			return make([]bool, len(codes)), nil
		})
		if len(asked) != 0 {
			t.Errorf("%q: looked up %q", text, asked)
		}
	}
}

// A flag against a code, before or after it, is the reporter's, no
// part of it (/reply keeps it with the answer: "CODE🇲🇽 El lunes"), as
// an emoji is.
func TestFlagAroundACodeIsNoPartOfIt(t *testing.T) {
	for _, s := range []string{"K7QD-9XMA-R2TP-4WZN🇲🇽", "🇲🇽K7QD-9XMA-R2TP-4WZN", "🇲🇽 K7QD 🇲🇽 9XMA 🇲🇽 R2TP 🇲🇽 4WZN", "K7QD 🇲🇽 9XMA 🇲🇽 R2TP 🇲🇽 4WZN🇲🇽."} {
		if got, ok := NormalizeReceipt(s); ok {
			t.Errorf("NormalizeReceipt(%q) = %q, a flag around it read as its separator", s, got)
		}
	}
}
