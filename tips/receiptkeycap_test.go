package tips

import (
	"slices"
	"testing"
)

// A receipt code with a keycap between its groups ("K7QD 1️⃣ 9XMA 2️⃣
// …", groups numbered) reads as the code to an investigator, as one
// with an emoji there does: it is found, read and cut as the code.
func TestCutReceiptsTakesKeycapsBetweenGroups(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for _, written := range []string{
		"K7QD 1️⃣ 9XMA 2️⃣ R2TP 3️⃣ 4WZN",
		"K7QD 1\u20e3 9XMA 1\u20e3 R2TP 1\u20e3 4WZN", // no variation selector
		"K7QD-1️⃣-9XMA-2️⃣-R2TP-3️⃣-4WZN",
		"K7QD *️⃣ 9XMA *️⃣ R2TP *️⃣ 4WZN",
		"K7QD #️⃣ 9XMA #️⃣ R2TP #️⃣ 4WZN",
		"k7qd 🔟 9xma 1️⃣ r2tp 🔥 4wzn",
		"[K7QD] 1️⃣ [9XMA] 2️⃣ [R2TP] 3️⃣ [4WZN]",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != code {
			t.Errorf("NormalizeReceipt(%q) = %q %v", written, got, ok)
		}
		for _, tc := range []struct{ in, want string }{
			{"mi código " + written + " gracias", "mi código gracias"},
			{"1️⃣ " + written + " 2️⃣ gracias", "1️⃣ 2️⃣ gracias"},
			{written, ""},
		} {
			out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code))
			if err != nil || !cut || out[0] != tc.want {
				t.Errorf("%q: cut %q %v %v, want %q", tc.in, out[0], cut, err, tc.want)
			}
		}
	}
	// A keycap against what follows it is a digit of the code, as
	// before: in a group, or in a code spelled out.
	for written, want := range map[string]string{
		"JCJH 0X19 7️⃣ZXF 6️⃣YQN":                         "JCJH-0X19-7ZXF-6YQN",
		"J C J H - 0️⃣ X 1️⃣ 9️⃣ - 7️⃣ Z X F - 6️⃣ Y Q N": "JCJH-0X19-7ZXF-6YQN",
	} {
		if got, ok := NormalizeReceipt(written); !ok || got != want {
			t.Errorf("NormalizeReceipt(%q) = %q %v, want %q", written, got, ok, want)
		}
		if spans := ReceiptSpans(written); len(spans) != 1 || spans[0] != [2]int{0, len(written)} {
			t.Errorf("ReceiptSpans(%q) = %v", written, spans)
		}
	}
}

// Keycaps in ordinary text (a numbered list) make no code-like word:
// a code-like word between them is looked up and kept.
func TestKeycapsInProseAreNoCode(t *testing.T) {
	for text, want := range map[string][]string{
		"1️⃣ llegaron 2️⃣ camionetas 3️⃣ blancas 4️⃣ sin placas 5️⃣ a las 10":    nil,
		"Pasos: 1️⃣ pagar 2️⃣ esperar 3️⃣ 2024 4️⃣ ir, cobran 5000 #️⃣ cada mes": nil,
		"placas AB12 1️⃣ CD34 2️⃣ EF56 3️⃣ GH78":                                 {"AB12-CD34-EF56-GH78"},
		"placas AB12 1️⃣ 2️⃣ CD34 1️⃣ EF56 1️⃣ GH78":                             nil, // two apart: more than three separators
		"placas AB12 1️⃣2️⃣ CD34 1️⃣ EF56 1️⃣ GH78":                              nil, // one against the next: a digit
	} {
		var asked []string
		out, cut, err := CutReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = codes
			return make([]bool, len(codes)), nil
		})
		if err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
			t.Errorf("%q: asked %q, want %q (%q %v %v)", text, asked, want, out, cut, err)
		}
	}
}
