package tips

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// acrossCandidates and cutAcrossCandidates, finding the parts a word or
// a piece of a code runs over by halves and the codes before a wrapped
// one from their ends sorted, read and cut what they did when they
// walked over every text and every candidate before it (the old ones,
// as they were): random drafts of codes split across parts, wrappers,
// quote markers, links, empty parts and words, all or some of their
// codes a tip's. Mutations: partAt's k-- dropped -> candidates differ;
// codeEndBefore returning 0 -> the fenced draft's cut panics (slice
// bounds out of range); cutAcross starting at the part after the one sp
// starts within -> cuts differ.
func TestCutAcrossCutsAsBefore_receipts(t *testing.T) {
	bits := []string{
		" ", "\n", "\u200b", "«", "»", "(", ")", "\"", "> ", "```\n", "\n```", "hola", "mi código", "https://x.example/?c=", "",
		"K7QD-9XMA", "R2TP-4WZN", "K7QD", "9XMA-R2TP", "-4WZN", "K7Q", "D-9XMA", "2B4C-ZZ81", "8HJK-7Q2M", "K7QD-9XMA-R2TP-4WZN", "2B4C-ZZ81-8HJK-7Q2M",
	}
	fixed := [][]string{
		{"```K7QD-9XMA", "R2TP-4WZN\n2B4C-ZZ81", "8HJK-7Q2M\n```"}, // (a fence's language a code: the cut after it stops short of it)
		{"mi código «K7QD-9XMA", "R2TP-4WZN» gracias"},
		{"a", "", "K7QD-9XMA", "", "R2TP-4WZN", "2B4C", "ZZ81-8HJK-7Q2M b"},
	}
	r := rand.New(rand.NewPCG(5, 13))
	for n := range 3000 + len(fixed) {
		texts := make([]string, 2+r.IntN(8))
		for i := range texts {
			var b strings.Builder
			for range r.IntN(6) {
				b.WriteString(bits[r.IntN(len(bits))])
			}
			texts[i] = b.String()
		}
		if n < len(fixed) {
			texts = fixed[n]
		}
		cands, codes, starts := acrossCandidates(texts)
		oldCands, oldCodes, oldStarts := oldAcrossCandidates(texts)
		if !reflect.DeepEqual(cands, oldCands) || !slices.Equal(codes, oldCodes) || !slices.Equal(starts, oldStarts) {
			t.Fatalf("%q: read %v %q, was %v %q", texts, cands, codes, oldCands, oldCodes)
		}
		known := make([]bool, len(codes))
		for i := range known {
			known[i] = n < len(fixed) || r.IntN(4) > 0
		}
		got, gotCut := cutAcrossCandidates(texts, cands, starts, known)
		want, wantCut := oldCutAcrossCandidates(texts, cands, starts, known)
		if gotCut != wantCut || !slices.Equal(got, want) {
			t.Fatalf("%q: cut %v %q, was %v %q", texts, gotCut, got, wantCut, want)
		}
	}
}

// oldAcrossCandidates, oldCutAcrossCandidates, oldCodeEndBefore and
// oldCutAcross are as they were before they found parts by halves.
func oldAcrossCandidates(texts []string) ([]receiptCandidate, []string, []int) {
	if nonEmpty := 0; !slices.ContainsFunc(texts, func(t string) bool {
		if t != "" {
			nonEmpty++
		}
		return nonEmpty > 1
	}) {
		// One text (most tips are one message), or none: nothing runs
		// from one into another, and within one CutReceipts cut when it
		// was added. Not read again: a scan of every word on each Send.
		return nil, nil, nil
	}
	var b strings.Builder
	starts := make([]int, len(texts))
	var parts []int // (those of the texts not empty)
	for i, t := range texts {
		starts[i] = -1
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(partSeparator)
		}
		starts[i] = b.Len()
		parts = append(parts, b.Len())
		b.WriteString(t)
	}
	joined := b.String()
	// in returns the text byte p of joined belongs to (-1 between texts).
	in := func(p int) int {
		for i, s := range starts {
			if s >= 0 && p >= s && p < s+len(texts[i]) {
				return i
			}
		}
		return -1
	}
	// Each text read in the join as it is alone (receiptSpansInParts):
	// with the bounds counted from the join's start, a draft's first
	// parts, floods of words of one character, used them up, and a code
	// spelled out across two parts after them was not read.
	all, allCodes := readCandidates([]string{joined}, parts)
	var cands []receiptCandidate
	var codes []string
	index := map[string]int{}
	for _, c := range all {
		if in(c.span[0]) == in(c.span[1]-1) {
			continue // within one text: CutReceipts' when it was added
		}
		code := allCodes[c.code]
		n, seen := index[code]
		if !seen {
			n, index[code], codes = len(codes), len(codes), append(codes, code)
		}
		cands = append(cands, receiptCandidate{0, c.span, n, c.hole})
	}
	return cands, codes, starts
}

func oldCutAcrossCandidates(texts []string, cands []receiptCandidate, starts []int, isCode []bool) ([]string, bool) {
	if len(cands) == 0 {
		return texts, false
	}
	out := slices.Clone(texts)
	touched := map[int]bool{}
	cut := false
	var joined string // (texts joined as acrossCandidates joins them, once a code is cut)
	// Cut from the last, each clear of the one cut after it: the offsets
	// of what comes before stay good.
	end := math.MaxInt
	for i := len(cands) - 1; i >= 0; i-- {
		if !isCode[cands[i].code] || cands[i].span[1] > end {
			continue
		}
		pieces := cands[i].pieces()
		if len(pieces) == 1 {
			// Wrapped whole ("mi código «K7QD-9XMA", then "R2TP-4WZN»
			// gracias"): its wrappers go with it, as CutReceipts takes
			// them within one text (unwrapCut).
			if joined == "" {
				joined = joinParts(texts)
			}
			pieces[0] = unwrapAcross(joined, pieces[0], oldCodeEndBefore(cands[:i], isCode, pieces[0][0]), end)
		}
		for pi := len(pieces) - 1; pi >= 0; pi-- {
			oldCutAcross(texts, out, starts, pieces[pi], touched)
		}
		cut, end = true, cands[i].span[0]
	}
	for ti := range touched {
		if !strings.ContainsFunc(out[ti], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			out[ti] = ""
		}
	}
	return out, cut
}

func oldCodeEndBefore(cands []receiptCandidate, isCode []bool, at int) int {
	end := 0
	for _, c := range cands {
		if isCode[c.code] && c.span[1] <= at {
			end = max(end, c.span[1])
		}
	}
	return end
}

func oldCutAcross(texts, out []string, starts []int, sp [2]int, touched map[int]bool) {
	for ti := len(texts) - 1; ti >= 0; ti-- {
		s := starts[ti]
		if s < 0 || s >= sp[1] || s+len(texts[ti]) <= sp[0] {
			continue
		}
		from, to := max(sp[0], s)-s, min(sp[1], s+len(texts[ti]))-s
		// Spaces, and invisible characters written around it, as
		// CutReceipts takes them ("es \u200bK7QD-9XMA\u200b"), go
		// with it. (A piece runs to its text's end or from its
		// start, or both.)
		// (What comes after it may be gone, and with it the
		// invisible marks that end it, cut with the piece after
		// it: "…6YQN\ufe0f \u200bK7QD-9XMA", "R2TP-…".)
		before, after := out[ti][:from], out[ti][min(to, len(out[ti])):]
		before, after = dropQuoteMarkerLine(before, after)
		if to == len(texts[ti]) || strings.TrimLeftFunc(after, spaceOrInvisible) == "" {
			// "mi código es K7QD-9XMA", "… R2TP " before a link's address
			before, after = strings.TrimRightFunc(before, spaceOrInvisible), ""
		}
		if from == 0 {
			after = strings.TrimLeftFunc(after, spaceOrInvisible) // "R2TP-4WZN gracias"
		}
		out[ti], touched[ti] = before+after, true
	}
}
