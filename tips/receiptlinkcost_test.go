package tips

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// A hostile message, code characters one at a time before a link whose
// address is "/" after "/", is read across the link from no more than
// the fifteen code characters before it: the words before a link are
// scanned once (linkStarts), not once per "/" (they cost 250 ms of a
// 4,096-character message).
func TestLinkReadingsFromFewStartsPerSlash(t *testing.T) {
	var readings, starts int
	linkStartRead = func() { starts++ }
	linkViewRead = func(string) { readings++ }
	defer func() { linkStartRead, linkViewRead = func() {}, func(string) {} }()
	for _, c := range []struct{ before, unit string }{
		{"Ⓐ ① ", "A/"}, {"A 1 ", "A/"}, {"A 1 ", "1?"}, {"Ⓐ ① ", "Ⓐ/"}, {"AB12 ", "AB12/"},
	} {
		b := strings.Repeat(c.before, 300/len(c.before)+1)
		rest := 4096 - utf8.RuneCountInString(b) - 20
		s := b + "https://x.example/" + strings.Repeat(c.unit, rest/utf8.RuneCountInString(c.unit))
		readings, starts = 0, 0
		linkSpans(s)
		if readings == 0 || starts > (receiptLen-1)*readings {
			t.Errorf("%q then %q…: %d readings across the link from %d views of it, more than %d a view", c.before, c.unit, starts, readings, receiptLen-1)
		}
	}
}

// A text of many short links ("1 x/1 1 x/1 …", "? x/1 ? x/1 …", each
// word holding "/" a link's) is read across each link only from where a
// code may start and still end within its address: a letter or digit
// of the address ("x/1" holds two) leaves a reading one or two starts,
// not the fifteen before it (29-43 ms of a 4,096-character message).
// The code written so is still read (TestCutReceiptsSplitIntoALink…).
// Mutation: linkStarts without its rest bound -> 15 readings a link.
func TestShortLinksAreReadFromFewStarts(t *testing.T) {
	var readings, starts int
	linkStartRead = func() { starts++ }
	linkViewRead = func(string) { readings++ }
	defer func() { linkStartRead, linkViewRead = func() {}, func(string) {} }()
	for _, unit := range []string{"1 x/1 ", "? x/1 ", "A 1/x ", "a 1 ?=1 "} {
		s := strings.Repeat(unit, 4096/len(unit))
		readings, starts = 0, 0
		linkSpans(s)
		if readings == 0 || starts > 2*readings {
			t.Errorf("%q…: %d readings across a link from %d views of one, more than 2 a view", unit, starts, readings)
		}
	}
}

// A code whose rest stands in a short address written in letters and
// digits that are not ASCII ("t.co/４ＷＺＮ", "t.co/④ⓌⓏⓃ"), escaped
// ("%34%57…", "&#52;…") is still read across the link though few starts
// are: each such character may be one of the code's (addressCodes).
// Mutation: addressCodes counting ASCII letters and digits alone -> the
// full-width and circled cases are not cut.
func TestShortAddressOfWideCharactersIsReadAcross(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código K7QD-9XMA-R2TP t.co/４ＷＺＮ", "mi código t.co/"},
		{"mi código K7QD-9XMA-R2TP t.co/④ⓌⓏⓃ", "mi código t.co/"},
		{"mi código K7QD-9XMA t.co/Ｒ２ＴＰ-４ＷＺＮ gracias", "mi código t.co/ gracias"},
		{"mi código K7QD-9XMA-R2TP t.co/%34%57%5A%4E", "mi código t.co/"},
		{"mi código K7QD-9XMA-R2TP t.co/&#52;&#87;&#90;&#78;", "mi código t.co/"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
}

// An address of the same piece over and over ("A/A/A…", 4 kB) is read
// across its link once for each rest of it that differs, not from each
// of its "/": only its last 512 bytes, where the rest read is shorter
// than a code's rest may reach twice, differ.
func TestRepeatedAddressIsReadOnce(t *testing.T) {
	views := 0
	linkViewRead = func(string) { views++ }
	defer func() { linkViewRead = func(string) {} }()
	for _, c := range []struct{ before, unit string }{
		{"Ⓐ ① ", "A/"}, {"A 1 ", "1?"}, {"A 1 ", "A=A&"}, {"Ⓐ ① ", "ⒶⒶ/"},
	} {
		b := strings.Repeat(c.before, 300/len(c.before)+1)
		rest := 4096 - utf8.RuneCountInString(b) - 20
		s := b + "https://x.example/" + strings.Repeat(c.unit, rest/utf8.RuneCountInString(c.unit))
		views = 0
		linkSpans(s)
		if most := linkReach + 8; views > most {
			t.Errorf("%q then %q…: the link read across %d times, more than %d", c.before, c.unit, views, most)
		}
	}
}

// An address of distinct pieces ("/K/7/Q/…", each rest of it read
// anew) after code characters one at a time is read across its link
// from where the readings stopped at it: the words before the link are
// read once, not again from each "/" (30 ms of a 4,096-character
// message).
func TestLinkReadingsGoOnFromTheLink(t *testing.T) {
	for _, before := range []string{"Ⓐ ① ", "A 1 ", "AB12 ", "A 1 A - ", "[AB12] "} {
		b := strings.TrimRight(strings.Repeat(before, 300/len(before)+1), " ")
		view := b + partSeparator
		starts := linkStarts(nil, view, len(b), false, receiptLen)
		if len(starts) == 0 {
			t.Errorf("%q…: no reading reaches the link", before)
		}
		for _, st := range starts {
			if left := view[st.reading.i:]; strings.ContainsFunc(left, isCodeChar) {
				t.Errorf("%q…: a reading from %d is left to read %q before the link", before, st.at, left)
			}
		}
	}
}

// A hostile text read across its link from each of the characters
// before it at each "/" ("A 1 A 1 … A -", then "/K/7/Q/…": some 30,000
// codes) has at most maxLinkSpans of them read.
func TestLinkSpansAreBounded(t *testing.T) {
	b := strings.Repeat("A 1 ", 80) + "- https://x.example/"
	var s strings.Builder
	s.WriteString(b)
	for i := 0; s.Len() < 4000; i++ {
		s.WriteString(receiptAlphabet[i*7%32:i*7%32+1] + "/")
	}
	if got := len(linkSpans(s.String())); got != maxLinkSpans {
		t.Errorf("%d codes read across the link, want %d", got, maxLinkSpans)
	}
}

// linkSpans reads what it read before its readings were bounded:
// oldLinkSpans is it as it was (commit 021e56d), with the readings
// added since written into it: the piece in the address read after up
// to maxPieceMarks marks setting it off (6081174, 3795692, 86bed85),
// the piece before the link read up to the marks after it
// (markedPieceEnd), and one group in small letters read before an
// address holding the three others as shown (oneShownGroup). It reads
// with frozen copies of those helpers (receiptlinkold_test.go), not the
// live ones, so that a change to one of them shows here.
func FuzzLinkSpansAsBefore(f *testing.F) {
	for _, s := range []string{
		"mi código K7QD-9XMA-R2TP https://x.example/?c=4WZN gracias",
		"mi código K7QD-9XMA-R2 https://x.example/?c=TP-4WZN&lang=es",
		"mi código K7QD x.example/a/9XMA-R2TP-4wzn",
		"mi código K7QD-9XMA-R2TP https://x.example/?q=%34WZN%20y",
		"K7QD 🔥 9XMA 🔥 R2TP 🔥 https://x.example/4WZN",
		"[K7QD]-[9XMA]-[R2TP]-[4W https://x.example/?c=ZN]",
		"&#75;7QD%2D9XMA-R2TP-4 https://x.example/a/WZN",
		"K 7 Q D - 9 X M A - R 2 T P - 4 https://x.example/W/Z/N",
		"Ⓐ ① Ⓐ ① Ⓐ ① Ⓐ ① Ⓐ ① Ⓐ ① Ⓐ https://x.example/A/A/A/A/A",
		"K7QD-9XMA-R2TP https://x.example/4WZN/" + strings.Repeat("4WZN", 150),
		"Ⓐ ① Ⓐ ① Ⓐ ① Ⓐ ① https://x.example/" + strings.Repeat("K/7/", 28) + strings.Repeat("K7", 300),
		"mi código tK7QD-9XMA-R2TP-4 https://x.example/WZN",
		"mi código tkK7QD9XMAR2TP4WZNxy https://x.example/?c=4WZN",
		"tkK7QD-9XMA-R2TP-4WZNx https://x.example/WZN",
		"mi código tkK7QD-9XMA-R2TP-4 https://x.example/WZNx",
		"mi código tkK7QD-9XMA-R2 https://x.example/?c=TP-4WZNx",
		// The piece set off in the address by marks (read since 6081174).
		"0 #\"000!0000!0000!000A\"",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=_4WZN_",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=%C2%AB4WZN%C2%BB",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=___4WZN___",
		"… 2024 https://youtu.be/.",
		// The piece before the link set off by marks: "`…`", "<…>", "**…**".
		"mi código `K7QD-9XMA-R2TP` https://x.example/?c=4WZN",
		"mi código <K7QD-9XMA-R2TP> https://x.example/?c=<4WZN>",
		"mi código **K7QD-9XMA** https://x.example/?c=R2TP-4WZN",
		"mira (2024) https://x.example/?c=abcd",
		// One group in small letters before the three others as shown.
		"mi código ddgq https://x.example/?c=wqpo-prc1-cq8z",
		"mira https://x.example/a/wqpo-prc1-cq8z/b/c",
		// One group set off by marks before the three others as shown.
		"mi código `K7QD` https://x.example/?c=9XMA-R2TP-4WZN",
		"mira (2024) https://x.example/2024/05/nota",
		// Spanish marks, CJK double angle brackets, spaces inside marks.
		"mi código ¿K7QD-9XMA-R2TP? https://x.example/?c=4WZN",
		"mi código 《K7QD》 https://x.example/?c=9XMA-R2TP-4WZN",
		"mi código ( K7QD-9XMA-R2TP ) https://x.example/?c=¿4WZN?",
		"¿viste esto? https://x.example/?c=ab12",
		// Each group set off, the last in the address; punctuation
		// ending a sentence after the piece.
		"mi código [K7QD]-[9XMA]-[R2TP] https://x.example/?c=4WZN gracias",
		"mi código [K7QD] [9XMA] https://x.example/?c=R2TP-4WZN",
		"mi código K7QD-9XMA-R2TP? https://x.example/?c=4WZN gracias",
		"mi código K7QD-9XMA-R2TP. https://x.example/?c=4WZN",
		"mi código Ḱ7́Q́D́-9́X́ḾÁ-Ŕ2́T́Ṕ https://x.example/?c=4́ẂŹŃ",
		"mi código `Ḱ7́Q́D́-9́X́ḾÁ-Ŕ2́T́Ṕ`. https://x.example/?c=4́ẂŹŃ",
		"mi código `K7QD\u200b9XMA\u200bR2TP` https://x.example/?c=4WZN",
		"¿viste esto? https://x.example/?c=ab12. Gracias: https://x.example/a/b",
		// A closing bracket nothing opens after the piece; groups set off
		// by doubled marks, read from the first (its closer cut too).
		"mi código K7QD-9XMA-R2TP) https://x.example/?c=4WZN",
		"ayer [viernes K7QD-9XMA-R2TP] https://x.example/?c=4WZN",
		"mi código **[K7QD]**-**[9XMA]**-**[R2TP]** https://x.example/?c=4WZN",
		"0[0000][0000][0000][00 #0A]",
		// A closing bracket nothing opens and a full stop after the
		// piece; groups each in spaced brackets.
		"mi código K7QD-9XMA-R2TP). https://x.example/?c=4WZN",
		"mi código ( K7QD ) ( 9XMA ) ( R2TP ) https://x.example/?c=4WZN",
		// Groups each set off, then punctuation.
		"mi código ( K7QD ) ( 9XMA ) ( R2TP ). https://x.example/?c=4WZN",
		"mi código (K7QD) (9XMA) (R2TP). https://x.example/?c=4WZN",
		// A run of spaces, wide ones too, just inside the opener, longer
		// than linkReach (markedPieceEnd's look for an opener within
		// reach: aa650cb, c3cb536).
		"mi código `" + strings.Repeat(" ", 300) + "K7QD-9XMA-R2TP` https://x.example/?c=4WZN",
		"mi código `" + strings.Repeat("\u3000", 90) + " K7QD-9XMA-R2TP` https://x.example/?c=4WZN",
		"mi código «" + strings.Repeat("\u3000", 90) + " K7QD--9XMA-R2TP» https://x.example/?c=4WZN",
		"mi código **" + strings.Repeat("\u00a0", 140) + " K7QD---9XMA-R2TP** https://x.example/?c=4WZN",
		// Groups joined by apostrophes or U+FFFD (groupSeparator since
		// TestCodeJoinedByApostropheOrReplacementIsCut_receipts), the
		// quotes wrapping them too.
		"mi código K7QD'9XMA'R2TP https://x.example/?c=4WZN gracias",
		"mi código 'K7QD'9XMA'R2TP' https://x.example/?c='4WZN'",
		"mi código K7QD’9XMA’R2TP’ https://x.example/?c=4WZN",
		"mi código K7QD\uFFFD9XMA\uFFFDR2TP\uFFFD https://x.example/?c=4WZN",
		"l'AB12'CD34'EF https://x.example/?c=56'GH78",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// oldLinkSpans reads the words before a link again from each
		// "/", "?", … of its address: 4 kB of them cost it seconds
		// (minutes with the fuzzer's instrumentation), and the fuzzer
		// stalled on such an input at 0 execs/s. At most
		// maxFuzzLinkMarks of them cost it some 50 ms; the bounds past
		// them have tests of their own (TestLinkSpansAreBounded,
		// TestRepeatedAddressIsReadOnce, TestManyLinksAreReadBackOnce).
		if len(s) > 4096 || linkMarks(s) > maxFuzzLinkMarks {
			return
		}
		// (Past maxLinkSpans, no more are read.)
		if got, want := linkSpans(s), oldLinkSpans(s); !reflect.DeepEqual(got, want[:min(len(want), maxLinkSpans)]) {
			t.Errorf("%q: %v, was %v", s, got, want)
		}
	})
}

// maxFuzzLinkMarks bounds the "/", "?", "=", "&", "#", ":" and "+" of
// an input FuzzLinkSpansAsBefore reads.
const maxFuzzLinkMarks = 64

// linkMarks counts the bytes of s a piece in a link's address may start
// after (linkSpans).
func linkMarks(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("/?=&#:+", s[i]) >= 0 {
			n++
		}
	}
	return n
}

func oldLinkSpans(text string) []linkSpan {
	var out []linkSpan
	for from := 0; from < len(text); {
		// The next word holding "/", "?", "=" or "#" (as spaces and
		// invisible characters part words: a link's address put after
		// a text is parted from it so), found by those: reading every
		// word of a text for them cost it twice what the rest does.
		k := strings.IndexAny(text[from:], "/?=#")
		if k < 0 {
			break
		}
		ts, te := from+k, from+k
		for ts > from {
			r, size := utf8.DecodeLastRuneInString(text[from:ts])
			if spaceOrInvisible(r) {
				break
			}
			ts -= size
		}
		if n := strings.IndexFunc(text[te:], spaceOrInvisible); n >= 0 {
			te += n
		} else {
			te = len(text)
		}
		from = te
		before := strings.TrimRightFunc(text[:ts], spaceOrInvisible)
		if before == "" {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(before); oldPieceCloser(r) {
			// Intended difference since 021e56d: a piece set off by
			// marks ("`K7QD-9XMA-R2TP` https://…", "¿K7QD-9XMA-R2TP?",
			// "( K7QD-9XMA-R2TP )") is read up to its last letter or
			// digit, the marks kept (oldMarkedPieceEnd).
			end := oldMarkedPieceEnd(before)
			if end < 0 {
				// Intended difference too: one group so set off before
				// an address holding the three others as shown.
				if end = oldMarkedGroupEnd(before); end >= 0 && !oldShownRestIn(text[:te], ts) {
					end = -1
				}
			}
			if end >= 0 {
				before = before[:end]
			} else if oldCloserAlone(before) {
				// Intended difference: a closing bracket nothing before
				// opens ends a sentence ("…R2TP) https://…"), kept.
				before = strings.TrimRightFunc(before, oldClosingBracket)
			} else if wrapChar(r) {
				continue
			}
			// Intended difference: a "?" or "!" that no "¿" or "¡" opens
			// ends a sentence, read on as other punctuation is, below.
		}
		piece := before // (what ends in a piece of a code, if anything does)
		kept := len(before)
		if r, _ := utf8.DecodeLastRuneInString(before); pictograph(r) {
			// An emoji between its groups ("K7QD 🔥 9XMA 🔥 R2TP 🔥",
			// then the link): the piece ends before it. Not after
			// prose ("mira 👉 https://…"), which is not read across.
			piece = strings.TrimRightFunc(before, func(r rune) bool { return pictograph(r) || receiptSeparator(r) })
			if r, _ := utf8.DecodeLastRuneInString(piece); !isCodeChar(r) {
				continue
			}
		} else if mark(r) {
			// Intended difference: an accent on the piece's last
			// character is the character's.
			if l, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(before, mark)); !isCodeChar(l) {
				continue
			}
		} else if !receiptSeparator(r) && !isCodeChar(r) {
			// Intended difference: punctuation ending a sentence after
			// a piece ("K7QD-9XMA-R2TP? https://…?c=4WZN") is a
			// separator, kept; after a word that is none, no reading.
			if !groupSeparator(r) {
				continue // "…gracias: https://…": no piece of a code before it
			}
			piece = strings.TrimRightFunc(before, groupSeparator)
			if oldCloserAlone(piece) {
				// Intended difference: a closing bracket nothing
				// before opens, then the punctuation ("…R2TP). https://…"),
				// ends the piece as either alone does.
				piece = strings.TrimRightFunc(piece, oldClosingBracket)
				before = piece
			} else if r, _ := utf8.DecodeLastRuneInString(piece); oldPieceCloser(r) {
				// Intended difference: a piece set off by marks, then
				// the punctuation ("( K7QD ) ( 9XMA ) ( R2TP ). https://…"),
				// is read as without the punctuation.
				if end := oldMarkedPieceEnd(piece); end >= 0 {
					piece = piece[:end]
					before = piece
				}
			}
			if l, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(piece, mark)); !isCodeChar(l) {
				continue
			}
			kept = len(piece)
		}
		ws := 0
		if len(before) > oldLinkReach {
			ws = len(before) - oldLinkReach
			if j := strings.IndexAny(before[ws:], " \n"); j >= 0 {
				ws += j + 1
			} else {
				continue
			}
		}
		// Intended difference since 021e56d: one group in small
		// letters before an address holding the three others as shown
		// ("ddgq https://x/?c=wqpo-prc1-cq8z") is read (oldOneShownGroup).
		tail := piece[min(ws, len(piece)):]
		oneGroup := oldOneShownGroup(tail) && oldShownRestIn(text[:te], ts)
		if !oneGroup && !oldMayEndCodeLikePiece(tail) {
			continue // "… en efectivo o a https://…": prose, no reading
		}
		for at := ts + 1; at < te; at++ {
			if strings.IndexByte("/?=&#:+", text[at-1]) < 0 {
				continue
			}
			// Intended difference since 021e56d (6081174, 3795692,
			// 86bed85): the piece may be set off in the address by up to
			// oldMaxPieceMarks marks (oldPieceMarkAt: "?c=_4WZN_", "#(4WZN)",
			// "?c=%5F4WZN"), read from its first letter or digit; an
			// address ending in such marks reads nothing past its end.
			p := at
			for k := 0; p < te && k < oldMaxPieceMarks; k++ {
				n := oldPieceMarkAt(text[:te], p)
				if n == 0 {
					break
				}
				p += n
			}
			if p >= te {
				continue
			}
			r, _, _ := charAt(text, p)
			if !isCodeChar(r) {
				continue
			}
			// The address read as far as a code's rest may reach, and
			// as far again so that where that rest ends reads as in
			// the whole address: reading all of it from each of its
			// "/" made a long one ("/a/a/a…", 4 kB) cost seconds.
			rest, cut := text[p:te], false
			if len(rest) > 2*oldLinkReach {
				rest, cut = rest[:2*oldLinkReach], true
			}
			view := before[ws:] + partSeparator + rest
			linkViewRead(view)
			join := len(before) - ws
			spans := receiptSpansBefore(view, false, join, 0)
			// Intended difference: each group set off, the last one's
			// closer before the link ("[K7QD]-[9XMA]-[R2TP]
			// https://…?c=4WZN"), read on unwrapped in the address
			// (receiptReading.join), read here afresh from each opener
			// the scan starts a reading at.
			var wrapped []linkStart
			scanReceipts(view, false, join, 0, nil, &wrapped)
			for _, st := range wrapped {
				if !st.wrapped {
					continue
				}
				i := st.at
				rd, ok := wrappedReading(view, i)
				if !ok {
					continue
				}
				rd.join = join
				if end, l, d, _ := rd.read(view, len(view)+1); l && d && !slices.Contains(spans, [2]int{i, end}) {
					spans = append(spans, [2]int{i, end})
				}
			}
			slices.SortStableFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
			var wrappedRead []linkRead
			for _, sp := range spans {
				if sp[0] >= join || sp[1] <= join+len(partSeparator) {
					continue // within one of the two: read as it is
				}
				if cut && sp[1]-join-len(partSeparator) > oldLinkReach {
					continue // no code's rest is so long (NormalizeReceipt)
				}
				read, open := view[sp[0]:sp[1]], ""
				if r, _ := utf8.DecodeRuneInString(read); wrapOpener(r) {
					open = view[sp[0] : sp[0]+openerAt(view, sp[0])]
					read = strings.Map(func(r rune) rune {
						if wrapChar(r) {
							return -1
						}
						return r
					}, read)
				}
				code, ok := NormalizeReceipt(read)
				if !ok || OldReceipt(code) || !oldCodeLikePiece(view[sp[0]:join]) && !(oneGroup && oldShownGroup(view[sp[0]:join])) {
					continue
				}
				// Intended difference: the same code read again within one
				// set off group by group is left to the reading from its
				// first opener, which takes its last closer too
				// (oldGroupCloserAt), not "mi código ] https://…".
				if slices.ContainsFunc(wrappedRead, func(w linkRead) bool { return w.span[1] == sp[1] && w.code == code }) {
					continue
				}
				if open != "" {
					wrappedRead = append(wrappedRead, linkRead{sp, code, open})
				}
				out = append(out, linkSpan{
					span: [2]int{ws + sp[0], p + sp[1] - join - len(partSeparator)},
					hole: [2]int{kept + oldGroupCloserAt(text, kept, open), p},
					code: code,
				})
			}
		}
	}
	return out
}

// A text of a link every few words, each after punctuation or brackets
// that a code's piece may end in ("? ", "A1? ", each word a link's as it
// holds "?"; "A1? x/A1/…", "AB12. https://…", "[AB12]-[CD34]-…
// https://…", "A1 -   …   -\" x/1"), is read back from its links a few
// times in all (the words back to receiptLen code characters before
// each), not the whole text from each "?" (0.6 s for 4 kB of "? ") nor
// linkReach bytes from each link (ten times what prose costs).
// Mutations: linkSpans without pieceStartIn -> "? " and "A1? " fail;
// linkScanFrom returning 0 -> the link floods fail; markedPieceEnd
// trimming the spaces again at each -> the spaced closer fails.
func TestManyLinksAreReadBackOnce(t *testing.T) {
	defer func(f func(int)) { linkReadBack = f }(linkReadBack)
	for _, unit := range []string{
		"? ",
		"A1? ",
		"A1? x/A1/A1/A1/A1 ",
		"AB12. https://x.example/a/b ",
		"[AB12]-[CD34]-[EF56] https://x.example/?c=GH78 ",
		"`A1` `B2` `C3` `D4` https://x.example/?c=`E5` ",
		"A1 -" + strings.Repeat(" ", 40) + "-\" x/1 ",
	} {
		s := strings.Repeat(unit, 16384/len(unit))
		n := 0
		linkReadBack = func(k int) { n += k }
		linkSpans(s)
		if most := 3*len(s) + linkReach; n > most {
			t.Errorf("%q…: %d bytes read back before its links, more than %d", unit, n, most)
		}
	}
}

// A text of a link every few words ("A1) x/A/1 …", "AB12. https://…",
// groups in brackets or backquotes before links) reads across each
// link only the words back to where linkStarts' scan starts
// (linkScanFrom), not a copy of linkReach bytes before each: 51 times
// the text for "A1) x/A/1 …", read across since 782e573, made it cost
// twice what it did before. Mutation: linkSpans' view from linkReach
// back again (ws not moved to linkScanFrom's) -> the four floods fail
// (17-57x).
func TestLinkViewsStartWhereTheScanDoes(t *testing.T) {
	defer func(f func(string)) { linkViewRead = f }(linkViewRead)
	for _, unit := range []string{
		"A1) x/A/1 ",
		"AB12. https://x.example/a/b ",
		"[AB12]-[CD34]-[EF56] https://x.example/?c=GH78 ",
		"`A1` `B2` `C3` `D4` https://x.example/?c=`E5` ",
	} {
		s := strings.Repeat(unit, 16384/len(unit))
		n := 0
		linkViewRead = func(view string) { n += len(view) }
		linkSpans(s)
		if most := 10 * len(s); n > most {
			t.Errorf("%q…: %d bytes of views read across its links, more than %d", unit, n, most)
		}
	}
}
