package tips

import "testing"

// A receipt code alone in a fenced code block ("```\nCODE\n```", as
// Discord and markdown write one, a language after the opening fence or
// not, "~~~" too) is cut with the block's fences: the investigator reads
// what was around it, not an empty block that shows where something was
// taken out. A block that holds more than the code keeps its fences.
// Mutation: unwrapCut without unfenceCut -> every fenced case keeps
// "```\n\n```".
func TestCodeAloneInAFencedBlockIsCutWithItsFences_receipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"```\nK7QD-9XMA-R2TP-4WZN\n```", ""},
		{"mi código:\n```\nK7QD-9XMA-R2TP-4WZN\n```\ngracias", "mi código:\ngracias"},
		{"mi código:\n```text\nK7QD 9XMA R2TP 4WZN\n```\ngracias", "mi código:\ngracias"},
		{"mi código:\n~~~\nK7QD-9XMA-R2TP-4WZN\n~~~\n\ngracias", "mi código:\n\ngracias"},
		{"mi código:\n```\r\nK7QD-9XMA-R2TP-4WZN\r\n```", "mi código:"},
		{"mi código ```K7QD-9XMA-R2TP-4WZN``` gracias", "mi código gracias"},
		{"```\nplaca AB12\nK7QD-9XMA-R2TP-4WZN\n```", "```\nplaca AB12\n\n```"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
}
