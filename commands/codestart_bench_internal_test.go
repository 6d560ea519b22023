package commands

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/tips"
)

// codeArgs is a 4,096-character argument of code-like words, each run of
// four of them a different code (some 820), after word.
func codeArgs(word string) string {
	var b strings.Builder
	b.WriteString(word)
	for i := 0; b.Len() < 4096-5; i++ {
		fmt.Fprintf(&b, " A%03d", i)
	}
	return b.String()
}

// codesStartedBy keeps, of the codes read in the arguments, those the
// first word is part of, however many codes the rest holds: the code
// word starts, none of those read without it. Mutation: later read
// without blanking word out -> the word's code is missing.
func TestCodesStartedByWord_receipts(t *testing.T) {
	args := codeArgs("K7QD")
	got := codesStartedBy(args, "K7QD")
	if len(got) != 1 || got[0] != "K7QD-A000-A001-A002" {
		t.Errorf("codes the word starts: %q, want K7QD-A000-A001-A002 alone", got)
	}
	if got := codesStartedBy(codeArgs("abc"), "abc"); len(got) != 0 {
		t.Errorf("a word of no code: %q", got)
	}
}

// BenchmarkCodeAtStart_receipts is codesStartedBy of the longest
// argument (4,096 characters) holding the most different codes (some
// 820, "A000 A001 …"), against the reading it had, each code searched
// for in the list of those read without the word.
func BenchmarkCodeAtStart_receipts(b *testing.B) {
	args := codeArgs("K7QD")
	b.Run("set", func(b *testing.B) {
		for b.Loop() {
			codesStartedBy(args, "K7QD")
		}
	})
	b.Run("list-before", func(b *testing.B) {
		for b.Loop() {
			later := tips.ReceiptCodesIn(strings.Repeat(" ", 4) + args[4:])
			for _, code := range tips.ReceiptCodesIn(args) {
				_ = slices.Contains(later, code)
			}
		}
	})
}

// BenchmarkCodeAtStartMatch_receipts is the matching alone, the two
// readings made: a set of the codes read without the word, or a search
// of their list for each code (as before).
func BenchmarkCodeAtStartMatch_receipts(b *testing.B) {
	args := codeArgs("K7QD")
	later, all := tips.ReceiptCodesIn(strings.Repeat(" ", 4)+args[4:]), tips.ReceiptCodesIn(args)
	b.Logf("%d and %d codes", len(later), len(all))
	b.Run("set", func(b *testing.B) {
		for b.Loop() {
			set := map[string]bool{}
			for _, c := range later {
				set[c] = true
			}
			for _, c := range all {
				_ = set[c]
			}
		}
	})
	b.Run("list-before", func(b *testing.B) {
		for b.Loop() {
			for _, c := range all {
				_ = slices.Contains(later, c)
			}
		}
	})
}
