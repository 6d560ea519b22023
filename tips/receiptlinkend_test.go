package tips

import (
	"slices"
	"testing"
)

// A link whose address ends in one or two of pieceMarks right after a
// "/", "?", "=", … ("… https://youtu.be/.", a link at a sentence's end)
// is read without reading past the address: no piece of a code there,
// the text kept as it is (linkSpans read the byte past the text's end
// and panicked). A code split into a link so, its last piece set off,
// is still cut. Mutation: linkSpans without its "p >= te" check → this
// test fails (index out of range).
func TestLinkEndingInPieceMarksIsReadWithin(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, in := range []string{
		"vean el video de 2024 https://youtu.be/.",
		"mi código K7QD 9XMA R2TP /_",
		"mi código K7QD-9XMA-R2TP https://x.example/?c=**",
		"mi código K7QD-9XMA-R2TP https://x.example/#(",
		"halcones en la calle 5 https://x.example/-",
		"K7QD-9XMA-R2TP https://x/-'",
		"K7QD-9XMA-R2TP https://x/?c=_ y https://x/?c=_",
	} {
		if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || cut || out[0] != in {
			t.Errorf("%q: cut %q %v %v", in, out, cut, err)
		}
		if out, cut, err := CutMessageReceipts([]string{in, in}, knowsOnly(code)); err != nil || cut || !slices.Equal(out, []string{in, in}) {
			t.Errorf("%q: cut across %q %v %v", in, out, cut, err)
		}
	}
	in := "mi código K7QD-9XMA-R2TP https://x.example/_4WZN_ y https://x.example/?c=_"
	if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != "mi código https://x.example/__ y https://x.example/?c=_" {
		t.Errorf("%q: cut %q %v %v", in, out, cut, err)
	}
}
