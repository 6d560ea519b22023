package tips

import (
	"slices"
	"testing"
)

// Invisible characters inside a word do not hide it: the word folds, and
// is a token, as if they were not there.
func TestFormatCharactersDoNotSplitWords(t *testing.T) {
	for _, in := range []string{"ar\u00admas", "ar\u200bmas", "ar\u200dmas", "\u200farmas\u202e", "ARM\u00adAS", "ar\ufeffmas"} {
		if got := Fold(in); got != "armas" {
			t.Errorf("Fold(%q) = %q", in, got)
		}
		if got := Tokens("venden " + in); !slices.Contains(got, "armas") {
			t.Errorf("Tokens(%q) = %q", in, got)
		}
	}
}

func TestBlank(t *testing.T) {
	for _, in := range []string{"", " ", "\n\t ", "\u200b", "\u200b\u200c\u200d\ufeff", "\u202e", "\u200f", "\u3164", " \u00ad ",
		"\ufe0f", "\ufe0e\ufe0f", "\u034f", "\U000e0100", "\U000e01ef", "\u180b", "\u180f", "\u17b4\u17b5"} {
		if !Blank(in) {
			t.Errorf("Blank(%q) = false", in)
		}
	}
	for _, in := range []string{"a", " . ", "\u200b1", "😀", "ñ", "\u2764\ufe0f", "\u0301"} {
		if Blank(in) {
			t.Errorf("Blank(%q) = true", in)
		}
	}
}
