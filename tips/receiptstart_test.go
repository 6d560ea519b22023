package tips

import "testing"

// A receipt code that starts a text, before a link (its last group
// within the link's address) or before words, is cut with the space
// after it: what is kept starts the text, no space before it.
func TestCutReceiptsAtTheStartLeavesNoLeadingSpace(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"K7QD-9XMA-R2TP https://x.example/?c=4WZN gracias", "https://x.example/?c= gracias"},
		{"K7QD-9XMA-R2TP\nhttps://x.example/estado?c=4WZN", "https://x.example/estado?c="},
		{"\u200bK7QD-9XMA-R2TP https://x.example/?c=4WZN", "https://x.example/?c="},
		{"K7QD-9XMA-R2TP-4WZN gracias", "gracias"},
		{"K7QD-9XMA-R2TP-4WZN\n\ncobran piso", "cobran piso"},
		{"K7QD-9XMA-R2TP-4WZN K7QD-9XMA-R2TP-4WZN gracias", "gracias"},
		// Not at the start: as before.
		{"mi código K7QD-9XMA-R2TP https://x.example/?c=4WZN gracias", "mi código https://x.example/?c= gracias"},
		{"hola K7QD-9XMA-R2TP-4WZN, gracias", "hola, gracias"},
	} {
		out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
		}
	}
}
