package tips

import (
	"strconv"
	"strings"
	"testing"
)

// benchTip is a realistic tip of about 280 characters: Spanish, accents,
// a phone number, a link, a handle, a plate, mixed case.
const benchTip = "Desde el lunes los Halcones cobran PISO a las tiendas del mercado Hidalgo, " +
	"colonia Centro. Llaman del +52 55 1234 5678 y mandan a @cobrador_zona por WhatsApp; " +
	"el pago es en efectivo o a https://pagos.example/cuenta?id=77. Camioneta gris placas " +
	"ABC-123-D. Amenazan con quemar el local. ¡Extorsión!"

// benchSizes are the inputs each benchmark runs on: one tip, and a long
// message (16 of them, about 4.5 kB, above Telegram's 4,096-character
// limit) to show whether cost grows linearly.
func benchSizes() []string { return []string{benchTip, strings.Repeat(benchTip+"\n", 16)} }

func benchText(b *testing.B, f func(string)) {
	for _, s := range benchSizes() {
		b.Run(strconv.Itoa(len(s))+"B", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				f(s)
			}
		})
	}
}

func BenchmarkExtract(b *testing.B)    { benchText(b, func(s string) { Extract(s, "MX") }) }
func BenchmarkFold(b *testing.B)       { benchText(b, func(s string) { Fold(s) }) }
func BenchmarkTokens(b *testing.B)     { benchText(b, func(s string) { Tokens(s) }) }
func BenchmarkNeutralize(b *testing.B) { benchText(b, func(s string) { Neutralize(s) }) }
func BenchmarkDefang(b *testing.B)     { benchText(b, func(s string) { Defang(s) }) }
func BenchmarkClassify(b *testing.B)   { benchText(b, func(s string) { Classify(s) }) }

func BenchmarkNewSketch(b *testing.B) {
	key := []byte("0123456789abcdef0123456789abcdef")
	benchText(b, func(s string) { NewSketch(s, key) })
}

// BenchmarkReceiptSpans is the receipt-code scan every message and link
// goes through (ReceiptSpans and NormalizeReceipt of each candidate): a
// tip with a plate, and one quoting a receipt code.
func BenchmarkReceiptSpans(b *testing.B) {
	benchText(b, func(s string) { receiptCandidates([]string{s}) })
	// Chat prose with markdown, quotes, brackets and emoji, none a code:
	// what wrapped groups (wrappedAt) and emoji between groups
	// (pictograph) cost where there is no code.
	b.Run("markup", func(b *testing.B) {
		s := strings.Repeat("**Urgente** 🚨 ayer [viernes] cobraron \"piso\" en (la colonia) Centro 😡😡, ||no digan nada|| __ojo__ 👀 `placa` AB12 🙏\n", 4)
		b.SetBytes(int64(len(s)))
		b.ReportAllocs()
		for b.Loop() {
			receiptCandidates([]string{s})
		}
	})
	// The same with links after marked words ("`placa AB12` https://…",
	// "(2024) https://…"): what reading a piece set off by marks across
	// its link costs where there is no code.
	b.Run("markuplinks", func(b *testing.B) {
		s := strings.Repeat("**Urgente** https://x.example/a/77 ayer [viernes 12] https://x.example/?id=ab12 cobraron \"piso\" https://x.example/p (2024) https://x.example/2024/05/nota `placa AB12` https://x.example/?c=CD34-ef56 🙏\n", 4)
		b.SetBytes(int64(len(s)))
		b.ReportAllocs()
		for b.Loop() {
			receiptCandidates([]string{s})
		}
	})
	// Four-letter words before links ("mira https://…", "esta
	// https://…/?c=ab12-cd34-ef56"): what looking for a code's first
	// group alone before its three others costs where there is none.
	b.Run("wordlinks", func(b *testing.B) {
		s := strings.Repeat("mira https://x.example/2024/05/nota ayer vino otra https://x.example/?id=ab12-cd34 nota https://x.example/?c=ab12-cd34-ef56 para todo https://x.example/a/b/c/d\n", 8)
		b.SetBytes(int64(len(s)))
		b.ReportAllocs()
		for b.Loop() {
			receiptCandidates([]string{s})
		}
	})
	b.Run("code", func(b *testing.B) {
		s := benchTip + " Mi código es K7QD-9XMA-R2TP-4WZN."
		b.SetBytes(int64(len(s)))
		b.ReportAllocs()
		for b.Loop() {
			receiptCandidates([]string{s})
		}
	})
}
