package tips

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A receipt code written as a fenced block's language ("```CODE") with
// another code alone in the block: the fence's line goes with the code
// in the block (unfenceCut), and the code on it with that line. The cut
// neither panics (the first code's offsets pointed past what was left)
// nor reads what was left with them ("mucmucho texto": the text after
// the block, its start twice), nor leaves a code in view; across parts
// likewise (the block's code widened over a line holding another code
// cut after it).
// Mutations: cutCandidates without its c.kept check -> the first case
// panics (slice bounds out of range), the second reads "mucmucho texto";
// unwrapAcross without its from check -> the cases across parts panic.
func TestCodeAsAFencesLanguageIsCut_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"```K7QD-9XMA-R2TP-4WZN\nK7QD-9XMA-R2TP-4WZN\n```", ""},
		{"```K7QD-9XMA-R2TP-4WZN\nK7QD-9XMA-R2TP-4WZN\n```\nmucho texto", "mucho texto"},
		{"```K7QD-9XMA-R2TP-4WZN,K7QD9XMAR2TP4WZN\nK7QD-9XMA-R2TP-4WZN\n```\ntexto", "texto"},
		{"mira:\n```K7QD-9XMA-R2TP-4WZN\nK7QD-9XMA-R2TP-4WZN\n```", "mira:"},
	} {
		out, cut, err := cutOrPanic(CutReceipts, []string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out, cut, err, tc.want)
		}
	}
	for _, in := range [][]string{
		{"```K7QD-9XMA", "R2TP-4WZN\nK7QD-9XMA", "R2TP-4WZN\n```"},
		{"```K7QD-9XMA", "R2TP-4WZN\nK7QD-9XMA", "R2TP-4WZN\n```\nfin del texto"},
		{"hola\n```K7QD-9XMA", "R2TP-4WZN\nK7QD-9XMA", "R2TP-4WZN\n```"},
	} {
		for _, cutter := range []func([]string, func([]string) ([]bool, error)) ([]string, bool, error){CutReceiptsAcross, CutMessageReceipts} {
			out, cut, err := cutOrPanic(cutter, in, knowsOnly(code))
			if err != nil || !cut {
				t.Errorf("%q: cut %q %v %v", in, out, cut, err)
				continue
			}
			_, across, _ := acrossCandidates(out)
			if slices.Contains(across, code) || slices.ContainsFunc(out, func(s string) bool { return slices.Contains(ReceiptCodesIn(s), code) }) {
				t.Errorf("%q: cut %q, the code in view", in, out)
			}
			if strings.Contains(in[0], "hola") != strings.Contains(out[0], "hola") {
				t.Errorf("%q: cut %q, not what was around the codes", in, out)
			}
		}
	}
}

// cutOrPanic is cut(texts, known), a panic returned as an error.
func cutOrPanic(cut func([]string, func([]string) ([]bool, error)) ([]string, bool, error), texts []string, known func([]string) ([]bool, error)) (out []string, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return cut(texts, known)
}
