package tips

import (
	"strings"
	"testing"
)

// A receipt code with two stray letters or digits typed against its
// front, or one or two against its end ("tkK7QD9XMA…", "…4WZNx"), inside
// a tip is cut as the code alone is: the investigator would read it
// whole in the longer word. The stray characters are kept.
func TestReceiptWithStrayCharactersAroundItIsCut(t *testing.T) {
	const code = "89NW-HA9P-R2TP-4WZN"
	for _, tc := range []struct{ in, want string }{
		{"Vi al jefe tk89NWHA9PR2TP4WZN ayer", "Vi al jefe tk ayer"},
		{"Vi al jefe 89NWHA9PR2TP4WZNx ayer", "Vi al jefe x ayer"},
		{"Vi al jefe 89NWHA9PR2TP4WZNxy ayer", "Vi al jefe xy ayer"},
		{"Vi al jefe t89NWHA9PR2TP4WZNx ayer", "Vi al jefe tx ayer"},
		{"Vi al jefe tk89NWHA9PR2TP4WZNxy ayer", "Vi al jefe tkxy ayer"},
		{"mi código tk89NW-HA9P-R2TP-4WZN, gracias", "mi código tk, gracias"},
		{"mi código 89NW-HA9P-R2TP-4WZNx, gracias", "mi código x, gracias"},
		{"mi código 89nw-ha9p-r2tp-4wzn2.", "mi código 2."},
		{"1289NWHA9PR2TP4WZN", "12"},
		{"Vi al jefe t_89NWHA9PR2TP4WZN ayer", "Vi al jefe t_ ayer"},
		// Up to four on one side, in a word of twenty.
		{"Vi al jefe tkq89NWHA9PR2TP4WZN ayer", "Vi al jefe tkq ayer"},
		{"Vi al jefe 89NWHA9PR2TP4WZNxyz ayer", "Vi al jefe xyz ayer"},
		{"Vi al jefe abcd89NWHA9PR2TP4WZN ayer", "Vi al jefe abcd ayer"},
		{"Vi al jefe 89NWHA9PR2TP4WZNwxyz ayer", "Vi al jefe wxyz ayer"},
		{"Vi al jefe abc89NWHA9PR2TP4WZNx ayer", "Vi al jefe abcx ayer"},
		{"Vi al jefe a89NW-HA9P-R2TP-4WZNxyz ayer", "Vi al jefe axyz ayer"},
	} {
		out, cut, err := CutMessageReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
	}
	// Words that are no code less their stray characters are kept as
	// they are, and five stray characters (a word of 21) are none.
	keptLive(t, code, []string{
		"Vi al jefe tk89NWHA9PR2TP4WZX ayer",
		"Vi al jefe 89NWHA9PR2TP4WZXxy ayer",
		"Vi al jefe 89NWHA9PR2TP4WZNvwxyz ayer",
		"Vi al jefe tkqz89NWHA9PR2TP4WZNx ayer",
		"Vi al jefe abcde89NWHA9PR2TP4WZN ayer",
		"Vi al jefe 89NW HA9P R2TP 4WZNx ayer", // (spaced: as prose is)
	})
}

// Prose is read as no code with stray characters: words of sixteen
// letters or more (no digit among them), numbers after words (spaced:
// "demandent 5000 pesos" is no "eman-dent-5000-peso" and an "s"), a
// hash or a reference longer than a code and four, in Spanish,
// Portuguese, French and English, make no lookup.
func TestProseIsNoCodeWithStrayCharacters(t *testing.T) {
	const prose = "Cobran piso en la farmacia de la calle 5 desde 2023. " +
		"Responsabilidade e desenvolvimento: anticonstitucionalmente, 12 homens armados às 3h30. " +
		"Les extorsionnaires demandent 5000 pesos chaque semaine, rue 14, immeubles 12B et 14C. " +
		"They were seen at 10:45pm near km 23, plates ABC1234 and XYZ9876, phone 5512345678. " +
		"Hash 3f2a9c0d1b4e5f6a7b8c9d0e1f2a3b4c5d6e7f80, pedido 00012345678901234, ref AB12CD34EF56GH78JKMNP, 2024 1234 ABCD Cobran. "
	var asked []string
	out, cut, err := CutMessageReceipts([]string{strings.Repeat(prose, 4)}, func(codes []string) ([]bool, error) {
		asked = append(asked, codes...)
		return make([]bool, len(codes)), nil
	})
	if err != nil || cut || out[0] != strings.Repeat(prose, 4) || len(asked) != 0 {
		t.Errorf("asked %q (%v %v)", asked, cut, err)
	}
}

// cutLiveAndAtReplay fails the test unless each case's in, where code is
// a tip's receipt code, is cut to its want both live (CutMessageReceipts)
// and at the spool's replay (CutReceipts).
func cutLiveAndAtReplay(t *testing.T, code string, cases []struct{ in, want string }) {
	t.Helper()
	for _, tc := range cases {
		out, cut, err := CutMessageReceipts([]string{tc.in}, knowsOnly(code))
		if err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
		if out, cut, err := CutReceipts([]string{tc.in}, knowsOnly(code)); err != nil || !cut || out[0] != tc.want {
			t.Errorf("%q at the replay: cut %v %q (%v), want %q", tc.in, cut, out, err, tc.want)
		}
	}
}

// keptLive fails the test unless each text, where code is a tip's
// receipt code, is kept whole live.
func keptLive(t *testing.T, code string, texts []string) {
	t.Helper()
	for _, s := range texts {
		if out, cut, _ := CutMessageReceipts([]string{s}, knowsOnly(code)); cut || out[0] != s {
			t.Errorf("%q: cut %v %q, want it kept", s, cut, out)
		}
	}
}
