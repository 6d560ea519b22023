package tips

import (
	"slices"
	"strings"
	"testing"
)

// A message's texts (its text, the addresses of its hidden links) are
// each read on its own by MessageCodesIn, with its own bound, as well
// as joined: a text of 4,096 characters of words of one character (a
// flood that repeats with a period too long for repeatsRead, so that
// every one is read) used up the joined reading's bound, and a code
// spelled out in a hidden link after it, within a run of such words,
// was not read; an invitation code in view of a group stayed live, and
// its voiding was not held through an outage (20 codes: no void of
// every invitation either). A code across the text's end and a link is
// still read, as joined.
// Mutation: MessageCodesIn reading the texts joined only (as codesIn
// did) -> the spelled code is missing.
func TestMessageCodesInReadsEachTextOnItsOwn_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	flood := strings.Repeat("A B C D E F G H J K M N P Q R S T ", 130)[:4095]
	for _, texts := range [][]string{
		{flood, "https://x.example/a/Q-W-E-K-7-Q-D-9-X-M-A-R-2-T-P-4-W-Z-N"},
		{flood, "https://x.example/a?q=Q+W+E+K+7+Q+D+9+X+M+A+R+2+T+P+4+W+Z+N+"},
		{flood, "https://x.example/", "https://x.example/Q.W.E.K.7.Q.D.9.X.M.A.R.2.T.P.4.W.Z.N.B"},
		{"mira K7QD-9XMA", "R2TP-4WZN"},
		{"hola", "https://x.example/?c=" + code},
	} {
		codes := MessageCodesIn(texts)
		if !slices.Contains(codes, code) {
			t.Errorf("%.40q… (%d texts): %d codes, not %s", texts[0], len(texts), len(codes), code)
		}
		// Each once, those with a digit first.
		if seen := slices.Compact(slices.Sorted(slices.Values(codes))); len(seen) != len(codes) {
			t.Errorf("%.40q…: a code read twice in %v", texts[0], codes)
		}
		if i := slices.IndexFunc(codes, OldReceipt); i >= 0 && slices.ContainsFunc(codes[i:], func(c string) bool { return !OldReceipt(c) }) {
			t.Errorf("%.40q…: a code with a digit after one of letters alone: %v", texts[0], codes)
		}
	}
	// One text: ReceiptCodesIn.
	if got, want := MessageCodesIn([]string{"es " + code}), ReceiptCodesIn("es "+code); !slices.Equal(got, want) {
		t.Errorf("one text: %v, want %v", got, want)
	}
}

// A message whose texts are empty but one (a group message's TextBefore
// and Args, without hidden links, as overLimitInGroup and
// refusePrivateOnly pass them) is read once, as ReceiptCodesIn reads
// it, not joined and apart: each read is a scan of every word of a
// message of up to 4,096 characters. With a hidden link, twice.
// Mutation: MessageCodesIn keeping empty texts -> ["", text, ""] is
// read twice.
func TestMessageCodesInReadsOneTextOnce_receipts(t *testing.T) {
	reads := 0
	candidatesRead = func() { reads++ }
	defer func() { candidatesRead = func() {} }()
	const text = "placa AB12-CD34-EF56-GH78 vista en la colonia Centro"
	for _, c := range []struct {
		texts []string
		reads int
	}{
		{[]string{text}, 1},
		{[]string{"", text, ""}, 1},
		{[]string{"", "", ""}, 0},
		{[]string{"", text, "", "https://x.example/v/AB12"}, 2},
	} {
		reads = 0
		got := MessageCodesIn(c.texts)
		if reads != c.reads {
			t.Errorf("%q: read %d times, want %d", c.texts, reads, c.reads)
		}
		if want := ReceiptCodesIn(strings.Join(c.texts, "\n")); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", c.texts, got, want)
		}
	}
}
