package tips

import (
	"slices"
	"strings"
	"testing"
)

// A receipt code wrapped whole in underscores (markdown's italics and
// underline on Telegram and Discord: "_CODE_", "__CODE__"), or with an
// underscore against either end ("CODE_", "…4WZN_x", "juan_CODE", after
// stray characters typed against it too: "tkCODE_", "codigoCODE_"), reads
// as the code to an investigator: it is cut from a tip, as one wrapped in
// "*" or "~" is, live (CutMessageReceipts) and at the spool's replay
// (CutReceipts), the rest kept: the underscores wrapping it whole go
// with it (unwrapCut), those joining it to a word stay.
func TestReceiptCodeAgainstUnderscoresIsCut(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	const plain = "K7QD9XMAR2TP4WZN"
	for _, tc := range []struct{ in, want string }{
		{"mi código _" + code + "_ gracias", "mi código gracias"},
		{"mi código __" + code + "__ gracias", "mi código gracias"},
		{"mi código _" + plain + "_ gracias", "mi código gracias"},
		{"mi código " + code + "_ gracias", "mi código _ gracias"},
		{"mi código " + code + "_x gracias", "mi código _x gracias"},
		{"mi código " + plain + "__ gracias", "mi código __ gracias"},
		{"mi código ||_" + code + "_|| gracias", "mi código gracias"},
		{"mi código _K7QD 9XMA R2TP 4WZN_ gracias", "mi código gracias"},
		{"mi código _K7QD_9XMA_R2TP_4WZN_ gracias", "mi código gracias"},
		{"reporte_de_juan_" + plain + " listo", "reporte_de_juan_ listo"},
		{"vi al jefe tk" + plain + "_ ayer", "vi al jefe tk_ ayer"},
		{"vi al jefe " + plain + "xy_ ayer", "vi al jefe xy_ ayer"},
		{"mi código codigo" + code + "_ gracias", "mi código codigo_ gracias"},
		{"_" + code + "_", ""},
		{"__" + code + "__", ""},
		{"ver https://x.example/?c=_" + code + "_ ya", "ver https://x.example/?c= ya"},
	} {
		out, cut, err := CutMessageReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("live: %q: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
		out, cut, err = CutReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("replay: %q: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
	}
}

// Words with underscores that hold no tip's code, snake_case names and
// usernames, code-shaped or not, are kept as written; those not shaped
// like a code are not even looked up.
func TestUnderscoredWordsThatAreNoCodeStay(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	for text, want := range map[string][]string{
		"el script get_user_by_id falla, ver config_v2_final y @juan_perez_88": nil,
		"__Urgente__ hoy en la _colonia_ Centro, archivo mi_foto_2024_01.jpg":  nil,
		"la tabla pagos_AB12CD34EF56GH78_v2 y _AB12-CD34-EF56-GH78_":           {"AB12-CD34-EF56-GH78"},
	} {
		var asked []string
		out, cut, err := CutMessageReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked = append(asked, codes...)
			return knowsOnly(code)(codes)
		})
		if err != nil || cut || out[0] != text || !slices.Equal(asked, want) {
			t.Errorf("%q: %q %v %v, asked %q, want it kept, %q asked", text, out, cut, err, asked, want)
		}
	}
}

// A message of 4,096 characters written with underscores so that each
// one starts a code-like word ("A_1_A_1_…", read spelled out as "A 1 A 1
// …" is; a snake_case run of four-character groups; codes wrapped in
// them) reads at most maxReceiptSpans of them and looks up their codes at
// most MaxReceiptCandidates at a time, one lookup for each so many
// (askKnown).
func TestUnderscoreFloodIsBounded(t *testing.T) {
	letter := func(i int) string { return string(rune('A' + i%26)) }
	flood := func(word func(i int) string) string {
		var b strings.Builder
		for i := 0; b.Len() < 4096-30; i++ {
			b.WriteString(word(i))
		}
		return b.String()
	}
	for _, text := range []string{
		strings.Repeat("A_1_", 1024),
		strings.Repeat("_A_1", 1024),
		flood(func(i int) string { return letter(i) + "9N" + letter(i/26) + "_" }),
		flood(func(i int) string { return "__" + letter(i) + "9NW-HA9P-R2TP-4WZ" + letter(i/26) + "__ " }),
		flood(func(i int) string { return "abcd" + letter(i) + "9NWHA9P-R2TP-4WZ" + letter(i/26) + "_xy_" }),
	} {
		cands, codes := receiptCandidates([]string{text})
		if len(codes) > maxReceiptSpans || len(cands) > maxReceiptSpans {
			t.Errorf("%q…: %d candidates, %d codes", text[:20], len(cands), len(codes))
		}
		asked := 0
		if _, _, err := CutMessageReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked++
			if len(codes) > MaxReceiptCandidates {
				t.Errorf("%q…: %d codes asked at once", text[:20], len(codes))
			}
			return make([]bool, len(codes)), nil
		}); err != nil || asked != (len(codes)+MaxReceiptCandidates-1)/MaxReceiptCandidates {
			t.Errorf("%q…: %d codes asked in %d lookups (%v)", text[:20], len(codes), asked, err)
		}
	}
	if n := len(receiptSpans(strings.Repeat("A_1_", 1024), true)); n <= maxReceiptSpans {
		t.Fatalf("%d code-like words in \"A_1_…\", the test needs more", n)
	}
}
