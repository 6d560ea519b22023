package tips

import (
	"slices"
	"strings"
	"testing"
)

// Stray characters typed against a receipt code are counted as
// characters, letters of any script or digits, with the accents written
// after them, as ASCII letters are: a Spanish, Portuguese or French word
// glued to a code ("número", "código", "reçu") is cut from it as
// "codigo" is, up to eight against a code shown with its dashes, four on
// one side of one typed without them, live and at the spool's replay.
// More stay, and so do bytes of no character, which part words.
func TestReceiptWithStraysOfAnyScriptIsCut(t *testing.T) {
	const code = "89NW-HA9P-R2TP-4WZN"
	nfd := "n\u0303u\u0301a\u0301e\u0301" // "ñúáé" as some keyboards send it
	cutLiveAndAtReplay(t, code, []struct{ in, want string }{
		{"mi código código89NW-HA9P-R2TP-4WZN gracias", "mi código código gracias"},
		{"mi código co\u0301digo89NW-HA9P-R2TP-4WZN gracias", "mi código co\u0301digo gracias"},
		{"mon reçu89NW-HA9P-R2TP-4WZN merci", "mon reçu merci"},
		{"o número89NW-HA9P-R2TP-4WZN obrigado", "o número obrigado"},
		{"el recibo 89NW-HA9P-R2TP-4WZNnúmero ya", "el recibo número ya"},
		{"el recibo númerosé89NW-HA9P-R2TP-4WZNéúñáéúñá ya", "el recibo númerosééúñáéúñá ya"},
		{"Vi al jefe ñúa89NWHA9PR2TP4WZN ayer", "Vi al jefe ñúa ayer"},
		{"Vi al jefe 89NWHA9PR2TP4WZNéúñá ayer", "Vi al jefe éúñá ayer"},
		{"Vi al jefe ñú89NWHA9PR2TP4WZNéá ayer", "Vi al jefe ñúéá ayer"},
		{"Vi al jefe " + nfd + "89NWHA9PR2TP4WZN ayer", "Vi al jefe " + nfd + " ayer"},
		{"Vi al jefe 89NWHA9PR2TP4WZN\u0661 ayer", "Vi al jefe \u0661 ayer"}, // (an Arabic 1)
		{"Vi al jefe 89NWHA9PR2TP4WZNab\xff ayer", "Vi al jefe ab\xff ayer"},
		{"Vi al jefe ab\xc3\xc389NWHA9PR2TP4WZN ayer", "Vi al jefe ab\xc3\xc3 ayer"},
	})
	keptLive(t, code, []string{
		"el recibo númeroséz89NW-HA9P-R2TP-4WZN ya", // nine before
		"el recibo 89NW-HA9P-R2TP-4WZNnúmeroséz ya", // nine after
		"Vi al jefe ñúaéz89NWHA9PR2TP4WZN ayer",     // five before, no dashes
		"Vi al jefe 89NWHA9PR2TP4WZNéúñáz ayer",     // five after
		"Vi al jefe ñú89NWHA9PR2TP4WZNéáz ayer",     // five in all
		"Vi al jefe " + nfd + "z89NWHA9PR2TP4WZN ayer",
		"Vi al jefe 89NWHA9PR2TP4WZNabcde\xff ayer",
		"o número89NW-HA9P-R2TP-4WZX obrigado", // no tip's
	})
}

// A message of 4,096 characters of words with accented strays against a
// code's shape reads at most maxReceiptSpans of them, and looks up at
// most MaxReceiptCandidates codes, once; no reading of a code with
// letters of no code after it ("…4WZN코드": its word ends there) is read
// twice.
func TestScriptStrayFloodIsBounded(t *testing.T) {
	spans := ReceiptSpans("mi código 89NWHA9PR2TP4WZN코드 y t89NWHA9PR2TP4WZN코드")
	for i, sp := range spans {
		if slices.Contains(spans[:i], sp) {
			t.Errorf("%v read twice: %v", sp, spans)
		}
	}
	for _, word := range []func(a, b byte) string{
		func(a, b byte) string {
			return "número" + string(a) + "9NW-HA9P-R2TP-4WZ" + string(b) + "éúñáéúñá "
		},
		func(a, b byte) string { return "ñúaé" + string(a) + "9NWHA9PR2TP4WZ" + string(b) + " " },
		func(a, b byte) string { return string(a) + "9NWHA9PR2TP4WZ" + string(b) + "éúñá " },
	} {
		var s strings.Builder
		for i := 0; len([]rune(s.String())) < 4096-40; i++ {
			s.WriteString(word(byte('A'+i%26), byte('A'+i/26%26)))
		}
		cands, codes := receiptCandidates([]string{s.String()})
		if len(codes) < MaxReceiptCandidates/2 || len(codes) > MaxReceiptCandidates || len(cands) > maxReceiptSpans {
			t.Errorf("%q…: %d candidates, %d codes", s.String()[:40], len(cands), len(codes))
		}
		asked := 0
		if _, _, err := CutMessageReceipts([]string{s.String()}, func(codes []string) ([]bool, error) {
			asked++
			if len(codes) > MaxReceiptCandidates {
				t.Errorf("%d codes asked at once", len(codes))
			}
			return make([]bool, len(codes)), nil
		}); err != nil || asked != 1 {
			t.Errorf("asked %d times (%v)", asked, err)
		}
	}
}

// One letter typed against a code's front with its accent written after
// it ("e\u0301", as some keyboards send "é") is one stray, as "é" and
// "t" are: the code is cut, live and at the replay, with its dashes or
// without them.
func TestCodeWithOneDecomposedLetterBeforeItIsCut(t *testing.T) {
	const code = "89NW-HA9P-R2TP-4WZN"
	for _, stray := range []string{"e\u0301", "n\u0303", "e\u0301\u0323", "é"} {
		for _, typed := range []string{code, strings.ReplaceAll(code, "-", "")} {
			in, want := "Vi al jefe "+stray+typed+" ayer", "Vi al jefe "+stray+" ayer"
			if out, cut, err := CutMessageReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != want {
				t.Errorf("%q: cut %v %q (%v), want %q", in, cut, out, err, want)
			}
			if out, cut, err := CutReceipts([]string{in}, knowsOnly(code)); err != nil || !cut || out[0] != want {
				t.Errorf("%q at the replay: cut %v %q (%v), want %q", in, cut, out, err, want)
			}
		}
	}
}
