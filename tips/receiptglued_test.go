package tips

import (
	"strings"
	"testing"
)

// A receipt code with a stray letter or digit typed right against its
// front, inside a tip ("vi al jefe tK7QD9XMA…"), is cut as the code is
// alone: the investigator would read it whole in the 17-character word.
func TestReceiptWithAStrayCharacterAgainstItIsCut(t *testing.T) {
	code := "89NW-HA9P-R2TP-4WZN"
	for _, s := range []string{
		"Vi al jefe t89NWHA9PR2TP4WZN ayer",
		"Vi al jefe t89NW-HA9P-R2TP-4WZN ayer",
		"mi código 189NWHA9PR2TP4WZN",
	} {
		out, cut, err := CutMessageReceipts([]string{s}, knowsOnly(code))
		if err != nil || !cut || strings.Contains(strings.ToUpper(strings.Join(out, " ")), "HA9P") {
			t.Errorf("%q: cut %v %q (%v), want the code cut", s, cut, out, err)
		}
	}
	// A word that is no code less its first letter is kept as it is.
	s := "Vi al jefe t89NWHA9PR2TP4WZX ayer"
	if out, cut, _ := CutMessageReceipts([]string{s}, knowsOnly(code)); cut || out[0] != s {
		t.Errorf("%q: cut %v %q, want it kept", s, cut, out)
	}
}

// One with a stray character against its front that runs on into a
// link's address ("tK7QD-9XMA-R2TP-4 https://x.example/WZN") is cut as
// the code alone so written is.
func TestStrayCharacterCodeAcrossALinkIsCut(t *testing.T) {
	code := "89NW-HA9P-R2TP-4WZN"
	for _, s := range []string{
		"mi código t89NW-HA9P-R2TP-4 https://x.example/WZN",
		"mi código t89NW-HA9P-R2TP https://x.example/?c=4WZN",
	} {
		out, cut, err := CutMessageReceipts([]string{s}, knowsOnly(code))
		if err != nil || !cut || strings.Contains(strings.ToUpper(strings.Join(out, " ")), "HA9P") {
			t.Errorf("%q: cut %v %q (%v), want the code cut", s, cut, out, err)
		}
	}
}
