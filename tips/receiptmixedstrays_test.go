package tips

import "testing"

// A receipt code typed with some of its dashes and four stray
// characters against its front ("abcdK7QD9XMA-R2TP-4WZN") is cut as the
// code typed without them or with all of them is: the word's own
// reading (ABCD-K7QD-9XMA-R2TP, ended by the dash) must not hide it.
// Five strays, or four and one after it, stay, as they do without
// dashes, and so does a word no tip's code is in.
func TestMixedDashesReceiptWithFourStraysIsCut(t *testing.T) {
	const code = "89NW-HA9P-R2TP-4WZN"
	cutLiveAndAtReplay(t, code, []struct{ in, want string }{
		{"Vi al jefe abcd89NWHA9P-R2TP-4WZN ayer", "Vi al jefe abcd ayer"},
		{"Vi al jefe abcd89NWHA9PR2TP-4WZN ayer", "Vi al jefe abcd ayer"},
		{"Vi al jefe abcd89NW-HA9PR2TP-4WZN ayer", "Vi al jefe abcd ayer"},
		{"Vi al jefe abcd89NWHA9P.R2TP.4WZN ayer", "Vi al jefe abcd ayer"},
		{"Vi al jefe númr89NWHA9P-R2TP-4WZN ayer", "Vi al jefe númr ayer"},
		{"abcd89NWHA9P-R2TP-4WZN", "abcd"},
	})
	keptLive(t, code, []string{
		"Vi al jefe abcde89NWHA9P-R2TP-4WZN ayer",
		"Vi al jefe abcd89NWHA9P-R2TP-4WZNx ayer",
		"Vi al jefe abcd89NWHA9P-R2TP-4WZX ayer",
	})
}

// A message of 4,096 characters of such words reads at most
// maxReceiptSpans of them and looks up their codes at most
// MaxReceiptCandidates at a time, one lookup for each so many (askKnown);
// prose written with dashes ("hoje-pago-taxa-alta-…") makes none.
func TestMixedDashesFloodIsBounded(t *testing.T) {
	for _, word := range []func(a, b byte) string{
		func(a, b byte) string { return "abcd" + string(a) + "9NWHA9P-R2TP-4WZ" + string(b) + " " },
		func(a, b byte) string { return "abcd" + string(a) + "9NWHA9PR2TP-4WZ" + string(b) + " " },
	} {
		text := ""
		for i := 0; len(text) < 4096-30; i++ {
			text += word(byte('A'+i%26), byte('A'+i/26%26))
		}
		cands, codes := receiptCandidates([]string{text})
		if len(codes) > maxReceiptSpans || len(cands) > maxReceiptSpans {
			t.Errorf("%q…: %d candidates, %d codes", text[:30], len(cands), len(codes))
		}
		asked := 0
		if _, _, err := CutMessageReceipts([]string{text}, func(codes []string) ([]bool, error) {
			asked++
			if len(codes) > MaxReceiptCandidates {
				t.Errorf("%d codes asked at once", len(codes))
			}
			return make([]bool, len(codes)), nil
		}); err != nil || asked != (len(codes)+MaxReceiptCandidates-1)/MaxReceiptCandidates {
			t.Errorf("%d codes asked in %d lookups (%v)", len(codes), asked, err)
		}
	}
	var asked []string
	prose := "hoje-pago-taxa-alta-amanha, casa-para-esta-bien-hoy. Pagan cada-mes-2024 en la calle-norte-sur-este-oeste"
	if _, _, err := CutMessageReceipts([]string{prose}, func(codes []string) ([]bool, error) {
		asked = append(asked, codes...)
		return make([]bool, len(codes)), nil
	}); err != nil || len(asked) != 0 {
		t.Errorf("prose with dashes: asked %q (%v)", asked, err)
	}
}
