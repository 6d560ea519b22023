package tips

import (
	"strings"
	"testing"
)

// A receipt code written as it is shown (its groups parted by dashes)
// with three or more stray letters or digits typed against its front or
// its end ("abcK7QD-9XMA-…", "codigoK7QD-…", "…-4WZNxyz"), up to eight
// on each side, is cut from a tip as the code alone is, the strays kept:
// live and at the spool's replay (CutReceipts). Only a lookup makes it a
// code: the same shape no tip has (a UUID's middle) is kept.
func TestShownReceiptWithManyStrayCharactersIsCut(t *testing.T) {
	const code = "89NW-HA9P-R2TP-4WZN"
	cutLiveAndAtReplay(t, code, []struct{ in, want string }{
		{"mi código abc89NW-HA9P-R2TP-4WZN gracias", "mi código abc gracias"},
		{"codigo89NW-HA9P-R2TP-4WZN", "codigo"},
		{"mi código 89NW-HA9P-R2TP-4WZNxyz, gracias", "mi código xyz, gracias"},
		{"el recibo abcdefgh89NW-HA9P-R2TP-4WZNabcdefgh ya", "el recibo abcdefghabcdefgh ya"},
		{"mi código abc89nw-ha9p-r2tp-4wzn", "mi código abc"},
		{"meu código tk_x89NW-HA9P-R2TP-4WZN obrigado", "meu código tk_x obrigado"},
	})
	keptLive(t, code, []string{
		"mi código abcdefghi89NW-HA9P-R2TP-4WZN gracias", // nine before: none
		"mi código 89NW-HA9P-R2TP-4WZNabcdefghi gracias", // nine after
		"mi código abc89NW HA9P R2TP 4WZN gracias",       // spaced: as prose is
		"mi código abc89NW-HA9P-R2TP-4WZX gracias",       // no tip's
		"id 123e4567-e89b-12d3-a456-426614174000 y 550e8400-e29b-41d4-a716-446655440000",
	})
}

// A message of 4,096 characters of words shaped so reads at most
// maxReceiptSpans of them, and so at most as many codes.
func TestShownStrayFloodIsBounded(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 4096; i++ {
		b.WriteString("abc")
		b.WriteString(string(rune('A' + i%26)))
		b.WriteString("9NW-HA9P-R2TP-4WZ")
		b.WriteString(string(rune('A' + i/26%26)))
		b.WriteString("xyz ")
	}
	cands, codes := receiptCandidates([]string{b.String()})
	if len(codes) == 0 || len(codes) > maxReceiptSpans || len(cands) > maxReceiptSpans {
		t.Errorf("%d candidates, %d codes", len(cands), len(codes))
	}
}
