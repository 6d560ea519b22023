package tips

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Characters counts what a reader sees as one character once: a letter
// with its marks, an emoji with its modifiers or joined to others, a
// flag, a Hangul syllable, an Indic conjunct.
func TestCharacters(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"e\u0301te\u0301", 3}, // été, each é written as e and an accent
		{"Tie\u0302\u0301ng Vie\u0323\u0302t", 10}, // Vietnamese, decomposed
		{"שָּׁלוֹם", 4},                            // pointed Hebrew
		{"👍🏽", 1},                                  // a skin tone
		{"1\ufe0f\u20e3", 1},                       // a keycap
		{"👨\u200d👩\u200d👧\u200d👦", 1},              // a family
		{"👩🏽\u200d💻", 1},                           // a profession with a skin tone
		{"🇲🇽🇦🇷", 2},                                // two flags
		{"🇲🇽🇦", 2},                                 // a flag and a lone indicator
		{"🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 1}, // Scotland's flag
		{"a\u200db", 2},           // a joiner between letters joins nothing
		{"한국어", 3},                // Hangul syllables
		{"\u1112\u1161\u11ab", 1}, // a syllable written as jamo
		{"कि", 1},                 // a consonant and its vowel sign
		{"क्ष", 1},                // a conjunct
		{"क्षत्रिय", 3},           // क्ष, त्रि, य
		{"ক্ষমা", 2},              // Bengali: ক্ষ, মা
		{"கி", 1},                 // Tamil: a vowel sign
		{"ที่", 1},                // Thai: a consonant and two marks
		{"กำ", 1},                 // Thai sara am
		{"လျှို့", 1},             // Burmese: four marks on one consonant
		{"ខ្មែរ", 2},              // Khmer: a coeng stacks the consonant after it
		{"\r\n", 1},
		{"a\tb", 3},
		{"\u0600\u0661\u0662", 2}, // an Arabic number sign joins the digit after it
		{strings.Repeat("h\u0301\u0316", 40), 40},
	} {
		if got := Characters(c.s); got != c.want {
			t.Errorf("Characters(%+q) = %d, want %d", c.s, got, c.want)
		}
	}
}

// Characters never counts more characters than code points, counts one
// at least in any text, and none in the empty one; no input panics.
func FuzzCharacters(f *testing.F) {
	for _, s := range []string{"", "a", "🇲🇽🇦", "क्\u200dष", "\r\n\r", "\u0600", "👨\u200d", "\u200d👩", "\xff\xfe", "\u1100\u1161\u11a8\uac00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Characters(s)
		if runes := utf8.RuneCountInString(s); n > runes || (n == 0) != (s == "") {
			t.Errorf("Characters(%+q) = %d, %d code points", s, n, runes)
		}
	})
}
