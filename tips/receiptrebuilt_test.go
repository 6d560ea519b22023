package tips

import (
	"errors"
	"slices"
	"testing"
)

var errLookup = errors.New("lookup failed")

// knowsCodes is known for a store holding codes, counting the lookups in
// *lookups and every code asked in *asked.
func knowsCodes(lookups *int, asked *[]string, codes ...string) func([]string) ([]bool, error) {
	return func(cs []string) ([]bool, error) {
		*lookups++
		*asked = append(*asked, cs...)
		out := make([]bool, len(cs))
		for i, c := range cs {
			out[i] = slices.Contains(codes, c)
		}
		return out, nil
	}
}

// A code cut out from between the pieces of another ("K7QD-9XMA <code>
// R2TP-4WZN") leaves them side by side, the other code whole: the cut's
// output is read again, and cut again, until nothing more is cut (up to
// maxCutRounds readings), within a text, across a draft's parts and
// across a message's text and hidden link. Code-like words so rebuilt
// that are no tip's stay, and no code is asked about twice. Before, the
// rebuilt code was stored and shown to investigators.
// Mutation: maxCutRounds 1 (the output not read again) -> every case
// but the unknown one fails.
func TestCodeRebuiltByACutIsCut_receipts(t *testing.T) {
	const one, other = "K7QD-9XMA-R2TP-4WZN", "2B4C-ZZ81-8HJK-7Q2M"
	for _, tc := range []struct {
		name  string
		cut   func([]string, func([]string) ([]bool, error)) ([]string, bool, error)
		in    []string
		known []string
		want  []string
	}{
		{"within a text", CutReceipts, []string{"mi código K7QD-9XMA " + other + " R2TP-4WZN gracias"}, []string{one, other}, []string{"mi código gracias"}},
		{"nothing else", CutReceipts, []string{"K7QD-9XMA " + other + " R2TP-4WZN"}, []string{one, other}, []string{""}},
		{"typed without dashes", CutReceipts, []string{"es K7QD9XMA " + other + " R2TP4WZN."}, []string{one, other}, []string{"es."}},
		{"nested twice", CutReceipts, []string{"a K7QD-9XMA 2B4C-ZZ81 " + one + " 8HJK-7Q2M R2TP-4WZN b"}, []string{one, other}, []string{"a b"}},
		{"the rebuilt one no tip's", CutReceipts, []string{"ref K7QD-9XMA " + other + " R2TP-4WZN"}, []string{other}, []string{"ref K7QD-9XMA R2TP-4WZN"}},
		{"across parts", CutReceiptsAcross, []string{"mi código K7QD-9XMA 2B4C-ZZ81", "8HJK-7Q2M R2TP-4WZN gracias"}, []string{one, other}, []string{"mi código", "gracias"}},
		{"across a part cut whole", CutReceiptsAcross, []string{"mi código K7QD-9XMA 2B4C", "ZZ81-8HJK", "7Q2M R2TP-4WZN gracias"}, []string{one, other}, []string{"mi código", "", "gracias"}},
		{"a message and its link", CutMessageReceipts, []string{"mira K7QD-9XMA " + other + " R2TP-4WZN", "https://x.example/"}, []string{one, other}, []string{"mira", "https://x.example/"}},
		{"across a message and its link", CutMessageReceipts, []string{"mira K7QD-9XMA 2B4C-ZZ81", "8HJK-7Q2M R2TP-4WZN"}, []string{one, other}, []string{"mira", ""}},
	} {
		lookups, asked := 0, []string(nil)
		out, cut, err := tc.cut(slices.Clone(tc.in), knowsCodes(&lookups, &asked, tc.known...))
		if err != nil || !cut || !slices.Equal(out, tc.want) {
			t.Errorf("%s: %q cut %v %v to %q, want %q", tc.name, tc.in, cut, err, out, tc.want)
		}
		for i, c := range asked {
			if slices.Contains(asked[:i], c) {
				t.Errorf("%s: %s asked about twice", tc.name, c)
			}
		}
	}
}

// A code rebuilt by cuts again and again (codes nested in each other's
// pieces, deeper than maxCutRounds) costs at most maxCutRounds readings
// and lookups, each asking only about codes not asked before; the codes
// cut are cut. If a later lookup fails, the texts are returned as they
// were, with its error. Mutation: maxCutRounds 1 << 20 -> 8 lookups for
// 8 codes nested; knownOnce asking about every code -> codes asked about
// twice.
func TestCutRereadsAtMostMaxCutRounds_receipts(t *testing.T) {
	codes := []string{"K7QD-9XMA-R2TP-4WZN", "2B4C-ZZ81-8HJK-7Q2M", "ABCD-EFG1-JKMN-PQRS", "5TVW-XYZ2-3456-789A", "BC2D-EF3G-HJ4K-MN5P", "Q6RS-T7VW-X8YZ-9ABC", "DEF2-GHJ3-KMN4-PQR5", "STV6-WXY7-Z23B-4CD5"}
	nest := func(core string, around []string) string {
		for _, c := range around {
			core = c[:9] + " " + core + " " + c[10:]
		}
		return "a " + core + " b"
	}
	s := nest(codes[0], codes[1:])
	lookups, asked := 0, []string(nil)
	out, cut, err := CutReceipts([]string{s}, knowsCodes(&lookups, &asked, codes...))
	if err != nil || !cut || lookups > maxCutRounds || lookups >= len(codes) {
		t.Fatalf("%q: cut %v %v in %d lookups, more than %d or one a code", s, cut, err, lookups, maxCutRounds)
	}
	// (The codes maxCutRounds readings cut, the innermost; the next one
	// rebuilt, left.)
	c := codes[maxCutRounds]
	if want := nest(c[:9]+" "+c[10:], codes[maxCutRounds+1:]); out[0] != want {
		t.Errorf("%q cut to\n%q, want\n%q", s, out[0], want)
	}
	for i, c := range asked {
		if slices.Contains(asked[:i], c) {
			t.Errorf("%s asked about twice", c)
		}
	}
	n := 0
	failing := func(cs []string) ([]bool, error) {
		if n++; n > 1 {
			return nil, errLookup
		}
		return knowsCodes(new(int), new([]string), codes...)(cs)
	}
	if out, cut, err := CutReceipts([]string{s}, failing); err != errLookup || cut || out[0] != s {
		t.Errorf("a later lookup failing: %q, %v, %v; want the text as it was and the error", out, cut, err)
	}
}
