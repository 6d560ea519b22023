package commands_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// While Redis is down, a message that is a receipt code (alone, after a
// word, with punctuation), in any spelling the scan that cuts codes from
// a tip reads (dashes, spaces or nothing between its groups, small
// letters, its 0s and 1s typed as O, I or L, other separators), is
// refused, never spooled: at the replay it would be a tip of nothing, or
// (its spelling one the scan does not read) kept in clear. So is one
// whose digits are all typed. Codes drawn as NewReceipt draws them, a 0
// or a 1 among their digits, each written in forty spellings drawn at
// random. Mutation: surelyCode without scanRead (a code with a typed
// digit and O, I or L for its other digits never surely one) → this
// test fails ("k7qd 9xma r2tp 4wzo" alone spooled).
func TestEveryCodeSpellingTheScanReadsIsRefusedInAnOutage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2026))
	seps := []string{"-", " ", "", "–", " - ", ".", "·", "\u00a0", "/", "_", ", ", "  "}
	befores := []string{"", "código ", "status ", "Código: ", "t", "tk", "recibo;"}
	afters := []string{"", ".", "!", "?", " ", "\n"}
	checked, substituted := 0, 0
	for range 300 {
		raw := make([]byte, 10)
		for i := range raw {
			raw[i] = byte(rng.IntN(256))
		}
		code, err := tips.NewReceipt(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.ContainsAny(code, "01") {
			// A 0 or a 1 among its digits, to be typed as a letter.
			i := rng.IntN(len(code))
			for code[i] == '-' {
				i = rng.IntN(len(code))
			}
			code = code[:i] + string("01"[rng.IntN(2)]) + code[i+1:]
		}
		groups := strings.Split(code, "-")
		for range 40 {
			sub := rng.IntN(4) // 0: as drawn; 1: O and I; 2: O and L; 3: some of them
			var gs []string
			for _, g := range groups {
				g = strings.Map(func(r rune) rune {
					switch {
					case sub == 0 || sub == 3 && rng.IntN(2) == 0:
						return r
					case r == '0':
						return 'O'
					case r == '1' && sub == 2:
						return 'L'
					case r == '1':
						return 'I'
					}
					return r
				}, g)
				gs = append(gs, g)
			}
			s := strings.Join(gs, seps[rng.IntN(len(seps))])
			switch rng.IntN(3) {
			case 1:
				s = strings.ToLower(s)
			case 2:
				s = strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
			}
			text := befores[rng.IntN(len(befores))] + s + afters[rng.IntN(len(afters))]
			read, ok, _ := commands.ReceiptAlone(text)
			if !ok || read != code {
				continue // not read as this code: live it is no /status check either
			}
			typed := !strings.ContainsAny(strings.ToUpper(s), "OIL") // (no code holds O, I or L)
			if !typed && !slices.Contains(tips.ReceiptCodesIn(text), code) {
				continue // neither all its digits typed nor read by the scan
			}
			checked++
			if !typed {
				substituted++
			}
			if !commands.RefusedInOutage(text) {
				t.Errorf("%q (code %s) would be spooled in an outage", text, code)
			}
		}
	}
	if checked < 5000 || substituted < 1000 {
		t.Fatalf("only %d spellings checked, %d with letters for digits", checked, substituted)
	}
}
