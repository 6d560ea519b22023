package tips

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// cutCandidates cuts what it cut when it rebuilt a text at each cut
// (oldCutCandidates, as it was): random texts of codes, wrappers, fences,
// links, spaces, invisible characters and words, several to a message,
// some longer than cutReach, cut the same. Mutations: cutTail.front
// reading one byte less of a piece, or replaceFront keeping what it
// replaces -> texts differ.
func TestCutCandidatesCutsAsBefore_receipts(t *testing.T) {
	codes := []string{"K7QD-9XMA-R2TP-4WZN", "K7QD9XMAR2TP4WZN", "k7qd 9xma r2tp 4wzn", "ABCD-EFGH-JKMN-PQRS", "2B4C-ZZ81-8HJK-7Q2M"}
	bits := []string{
		" ", "  ", "\n", "\n\n", "\u200b", "\ufe0f", "\u00a0", "(", ")", "[", "]", "'", "\"", "«", "»", "„", "”", "*", "**", "_", "`",
		"```", "```\n", "\n```", "~~~", "> ", ",", ".", "!", "l'", "dell’", "hola", "gracias", "mi código es",
		"https://x.example/", "https://x.example/?c=", "www.x.example/a/", "/", "?c=", "&p=2", "#", "-", "❤",
		"K7QD-9XMA-R2TP", "4WZN", "K7QD", "9XMA-",
	}
	r := rand.New(rand.NewPCG(7, 11))
	word := func() string {
		if r.IntN(4) == 0 {
			return codes[r.IntN(len(codes))]
		}
		return bits[r.IntN(len(bits))]
	}
	for n := range 2000 {
		texts := make([]string, 1+r.IntN(3))
		for i := range texts {
			var b strings.Builder
			size := r.IntN(40)
			if n%10 == 0 {
				size = r.IntN(400) // (longer than cutReach: the tail is read in part)
			}
			for range size {
				b.WriteString(word())
			}
			if n%50 == 0 {
				b.WriteString(strings.Repeat(" ", r.IntN(2*cutReach)) + word()) // (a run of spaces past cutReach, most of it)
			}
			texts[i] = b.String()
		}
		cands, all := receiptCandidates(texts)
		known := make([]bool, len(all))
		for i := range known {
			known[i] = r.IntN(5) > 0
		}
		got, gotCut := cutCandidates(texts, cands, known)
		want, wantCut := oldCutCandidates(texts, cands, known)
		if gotCut != wantCut || !slices.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%q: cut\n%q, was\n%q", texts[i], got[i], want[i])
				}
			}
			t.Fatalf("%q: cut %v, was %v", texts, gotCut, wantCut)
		}
	}
}

// cutCandidates on hostile shapes (bidi and zero-width marks, combining
// accents, "‟" and guillemets with no-break spaces, fences, other
// scripts, runs of spaces, line breaks, invisible characters, closers or
// accents of up to twice cutReach bytes) cuts a text no longer than
// cutReach as oldCutCandidates did, byte for byte (what was kept after a
// cut is read whole there), and leaves no more of the known codes
// readable in a longer one than oldCutCandidates left (past cutReach
// only spaces and wrappers may stay). Mutation: the cut's window read
// from the code's start (text[min(sp[0], c.kept):c.kept]) -> both fail.
func TestCutCandidatesHostileShapes_receipts(t *testing.T) {
	codes := []string{"K7QD-9XMA-R2TP-4WZN", "K7QD9XMAR2TP4WZN", "k7qd 9xma r2tp 4wzn", "ABCD-EFGH-JKMN-PQRS", "‟K7QD” ‟9XMA” ‟R2TP” ‟4WZN”", "«\u00a0K7QD-9XMA-R2TP-4WZN\u00a0»"}
	bits := []string{
		" ", "\n", "\t", "\u200b", "\u200f", "\u200e", "\u202e", "\u2066", "\u0301", "\ufe0f", "\u00a0", "\u3000", "(", ")", "[", "]", "'", "\"", "«", "»", "„", "‟", "“", "”", "’",
		"*", "**", "_", "`", "|", "```", "```\n", "\n```", "~~~", "> ", ",", "!", "l'", "hola", "código", "код", "κωδ", "رمز", "中文",
		"https://x.example/?c=", "www.x.example/a/", "/", "&p=2", "-", "❤", "K7QD-9XMA-R2TP", "4WZN", "K7Q", "D-9XMA",
	}
	runs := []string{" ", "\n", " \n", "\u200b", "\u00a0", ")", "\u0301"}
	r := rand.New(rand.NewPCG(3, 5))
	word := func() string {
		switch r.IntN(10) {
		case 0, 1:
			return codes[r.IntN(len(codes))]
		case 2:
			run := runs[r.IntN(len(runs))]
			return strings.Repeat(run, r.IntN(2*cutReach/len(run)))
		}
		return bits[r.IntN(len(bits))]
	}
	for range 3000 {
		texts := make([]string, 1+r.IntN(3))
		for i := range texts {
			var b strings.Builder
			for range r.IntN(20) {
				b.WriteString(word())
			}
			texts[i] = b.String()
		}
		cands, all := receiptCandidates(texts)
		known := make([]bool, len(all))
		isKnown := map[string]bool{}
		for i := range known {
			if known[i] = r.IntN(5) > 0; known[i] {
				isKnown[all[i]] = true
			}
		}
		got, _ := cutCandidates(texts, cands, known)
		want, _ := oldCutCandidates(texts, cands, known)
		for i := range texts {
			if len(texts[i]) <= cutReach && got[i] != want[i] {
				t.Fatalf("%q: cut\n%q, was\n%q", texts[i], got[i], want[i])
			}
		}
		readable := func(out []string) (n int) {
			for _, c := range MessageCodesIn(out) {
				if isKnown[c] {
					n++
				}
			}
			return n
		}
		if g, w := readable(got), readable(want); g > w {
			t.Fatalf("%q: cut\n%q, %d known codes readable, was %d in\n%q", texts, got, g, w, want)
		}
	}
}

// A cut reads at most cutReach bytes of what was kept after the code cut
// after it: wrappers around two codes, spaces inside them, go with them
// within that reach; past it the codes are cut all the same, and the
// wrappers stay with the spaces (nothing but them is left). Mutation:
// cutReach 1 << 20 -> the wrappers go past 600 spaces too (as before
// cutTail, when every cut read the whole text after it).
func TestCutReadsWithinItsReach_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct {
		spaces int
		want   string
	}{{10, "hola gracias"}, {600, "hola ( ) gracias"}} {
		in := "hola ( " + code + " " + code + strings.Repeat(" ", tc.spaces) + ") gracias"
		out, cut, err := CutReceipts([]string{in}, knowsOnly(code))
		if got := strings.Join(strings.Fields(out[0]), " "); err != nil || !cut || got != tc.want {
			t.Errorf("%d spaces: cut %v %v, %q, want %q", tc.spaces, cut, err, got, tc.want)
		}
	}
}

// BenchmarkCutManyCodes_receipts is cutCandidates (the lookup made,
// every code a tip's) on texts of 4,096 characters and 64 kB of codes,
// the old cut (rebuilding the text at each one) against the new.
func BenchmarkCutManyCodes_receipts(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10} {
		for _, unit := range []string{"K7QD-9XMA-R2TP-4WZN ", "K7QD9XMAR2TP4WZN, ", "(K7QD-9XMA-R2TP-4WZN)", "a K7QD-9XMA-R2TP https://x.com/?c=4WZN "} {
			s := strings.Repeat(unit, size/len(unit))
			cands, codes := receiptCandidates([]string{s})
			known := make([]bool, len(codes))
			for i := range known {
				known[i] = true
			}
			for _, cut := range []struct {
				name string
				f    func([]string, []receiptCandidate, []bool) ([]string, bool)
			}{{"old", oldCutCandidates}, {"new", cutCandidates}} {
				b.Run(strconv.Quote(strings.TrimSpace(unit))+"/"+strconv.Itoa(size)+"/"+cut.name, func(b *testing.B) {
					for b.Loop() {
						if _, ok := cut.f([]string{s}, cands, known); !ok {
							b.Fatal("nothing cut")
						}
					}
				})
			}
		}
	}
}

// oldCutCandidates is cutCandidates as it was before cutTail: the text
// rebuilt at each cut.
func oldCutCandidates(texts []string, cands []receiptCandidate, isCode []bool) ([]string, bool) {
	out := slices.Clone(texts)
	cut := false
	// Cut from the last, each clear of the one cut after it (in its text):
	// of where that one started, and of what was kept before it, which
	// may end within this one (the invisible marks that end it,
	// "…6YQN\ufe0f\u200bK7QD-…", went with the invisible characters
	// before that one).
	type cutAt struct{ start, kept int }
	next := map[int]cutAt{}
	for i := len(cands) - 1; i >= 0; i-- {
		ti, sp := cands[i].text, cands[i].span
		c, seen := next[ti]
		if !seen {
			c = cutAt{len(out[ti]), len(out[ti])}
		}
		if !isCode[cands[i].code] || sp[1] > c.start {
			continue
		}
		if sp[0] >= c.kept {
			// Gone with what was taken around the one cut after it: a
			// fenced block's opening line, its language a code
			// ("```CODE\nCODE\n```"). What stands from c.kept on is no
			// longer the text it was read in.
			continue
		}
		text := out[ti]
		// Invisible characters written around it go with it ("código
		// \u200bCODE\u200b fin" would keep "código \u200b\u200b fin").
		before := strings.TrimRightFunc(text[:sp[0]], invisible)
		after := strings.TrimLeftFunc(text[min(sp[1], c.kept):], invisible)
		if h := cands[i].hole; h[1] <= h[0] {
			// Wrapped whole ("mi código 'CODE' gracias", "(CODE)",
			// "**CODE**"): its wrappers go with it, as those of a code
			// with each of its groups wrapped do (wrappedAt), not left
			// as an empty pair that shows where something was cut.
			before, after = unwrapCut(before, after)
		}
		if h := cands[i].hole; h[1] > h[0] {
			// Before a link and within it: the link's address stays
			// ("es K7QD-9XMA-R2TP https://x.com/?c=4WZN y" reads "es
			// https://x.com/?c= y").
			// (Invisible characters that end its first piece go with
			// it: "…R2TP❤\ufe0f https://…".)
			hole := strings.TrimLeftFunc(text[h[0]:h[1]], invisible)
			if strings.HasPrefix(hole, " ") || strings.HasPrefix(hole, "\n") {
				before = strings.TrimRight(before, " ")
			}
			after = hole + after
		}
		if strings.HasSuffix(before, " ") && (after == "" || strings.IndexByte(" ,.;:!?)", after[0]) >= 0) {
			before = before[:len(before)-1] // "es CODE y" reads "es y", "es CODE, y" "es, y"
		}
		if strings.TrimLeftFunc(before, spaceOrInvisible) == "" {
			// At the text's start: what is kept after it starts the
			// text, no space before it ("CODE https://x.com/?c=4WZN y"
			// reads "https://x.com/?c= y", not " https://…").
			before, after = "", strings.TrimLeftFunc(after, spaceOrInvisible)
		}
		out[ti], cut, next[ti] = before+after, true, cutAt{sp[0], len(before)}
	}
	for ti := range out {
		if _, touched := next[ti]; touched && !strings.ContainsFunc(out[ti], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			out[ti] = "" // "CODE, CODE": nothing but the codes
		}
	}
	return out, cut
}
