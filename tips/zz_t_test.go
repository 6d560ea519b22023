package tips

import "testing"

func TestZZStray(t *testing.T) {
	code := "89NW-HA9P-R2TP-4WZN"
	for _, s := range []string{"t 89NW; HA9P; R2TP; 4WZN", "t 89NW HA9P R2TP 4WZN", "t 89NW-HA9P-R2TP-4WZN", "t89NW-HA9P-R2TP-4WZN", "t. 89NW; HA9P; R2TP; 4WZN", "T 89NW HA9P R2TP 4WZN", "t 8 9 N W H A 9 P R 2 T P 4 W Z N", "a 89NW HA9P R2TP 4WZN", "t: 89NW-HA9P-R2TP-4WZN"} {
		out, cut, _ := CutReceipts([]string{s}, knowsOnly(code))
		out2, cut2, _ := CutMessageReceipts([]string{s}, knowsOnly(code))
		n, ok := NormalizeReceipt(s)
		t.Logf("%q: spans %v cut %v %q; msg %v %q; norm %q %v", s, receiptSpans(s, true), cut, out, cut2, out2, n, ok)
	}
}
