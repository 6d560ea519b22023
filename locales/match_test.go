package locales

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// matchCodes are client language codes as platforms send them (Telegram's
// language_code, Discord's locale, the console's), their spellings with
// "_", case and spaces, and codes Vigía does not speak or cannot parse;
// then random strings of tag characters, of up to 40 bytes, and random
// codes of a client language code's shape (clientCode) and of shapes just
// past it (a part a letter short or long, a digit in the first part).
func matchCodes(r *rand.Rand) []string {
	codes := []string{"", " ", "es", "es-MX", "es-419", "es_ES", "ES", " es ", "en", "en-US", "en-GB", "en_us",
		"pt", "pt-br", "pt-BR", "pt_BR", "pt-PT", "fr", "fr-CA", "fr_ca", "de", "ru", "zh-Hans", "zh-TW", "ar",
		"uk", "nb", "und", "x", "??", "e", "es--", "-es", "es-", "toolongsubtag-es", "i-klingon", "sgn-BE-FR",
		"es-MX-u-ca-gregory", "en-Latn-US", "pt-Latn-BR", "fr-x-private", strings.Repeat("es-", 20) + "MX"}
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ "
	letters, alnum := alphabet[:52], alphabet[:62]
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[r.IntN(len(set))]
		}
		return string(b)
	}
	for range 3000 {
		codes = append(codes, pick(alphabet, 1+r.IntN(40)))
	}
	prefixes := []string{"es", "ES", "en", "pt", "fr", "spa", "por", "fra", "eng", "de"}
	for range 3000 {
		first := pick(letters, 1+r.IntN(4)) // 1 to 4 letters: 2 and 3 are the shape
		if r.IntN(2) == 0 {
			first = prefixes[r.IntN(len(prefixes))]
		}
		if r.IntN(10) == 0 {
			first = first[:len(first)-1] + pick("0123456789", 1)
		}
		switch r.IntN(4) {
		case 0:
			codes = append(codes, first)
		default:
			codes = append(codes, first+pick("-_", 1)+pick(alnum, 1+r.IntN(5))) // 1 to 5: 2 to 4 are the shape
		}
	}
	for _, s := range []string{"es", "en", "pt", "fr", "de"} {
		for _, region := range []string{"MX", "US", "BR", "CA", "PT", "AR", "419", "ZZ"} {
			codes = append(codes, s+"-"+region, s+"_"+strings.ToLower(region))
		}
	}
	return codes
}

// Match answers what the language matcher answers, for every code, the
// first time and every time after (remembered or not): the remembered
// answers are the matcher's. Mutations: one answer remembered for every
// code (the key dropped) → fails at once (TestMatch too); a wrong answer
// remembered → fails; a code remembered under its first 5 bytes, or under
// its first part → fails (and TestMatchKeepsOnlyClientCodesAndCopiesThem
// under its first 7 bytes).
func TestMatchRemembersTheMatchersAnswer(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	codes := matchCodes(rand.New(rand.NewPCG(9, 44)))
	matched := 0
	for round := range 3 {
		for _, code := range codes {
			want := fresh.match(code)
			if got := b.Match(code); got != want {
				t.Fatalf("round %d: Match(%q) = %q, the matcher answers %q", round, code, got, want)
			}
			if round == 0 && want != "" {
				matched++
			}
		}
	}
	if matched < 60 {
		t.Fatalf("only %d codes matched a supported language: the codes test little", matched)
	}
	shaped := 0
	for _, code := range codes {
		if clientCode(code) {
			shaped++
		}
	}
	if shaped < 1000 || len(codes)-shaped < 1000 {
		t.Fatalf("%d codes of a client code's shape, %d not: the codes test little", shaped, len(codes)-shaped)
	}
	// Codes sharing their first bytes, some of the shape and some not,
	// some that parse (private-use subtags, a variant) and some that do
	// not, asked in both orders.
	near := []string{"es", "es-", "es-M", "es-MX", "es_MX", "es-MXx", "es-MX-", "es-MX-x", "es-MX-extra",
		"es-x-k7qd-9xma", "es-x-k7qd", "es-4190", "es-41900", "es-419", "pt-BR", "pt-BR-x-ab", "pt-BRAZ",
		"pt-BRAZI", "fr-CA", "fr-CA-1694acad", "spa-MX", "spa-MXab", "spa-MXabc", "en-USA", "en-US-POSIX"}
	backward := slices.Clone(near)
	slices.Reverse(backward)
	for _, order := range [][]string{near, backward} {
		b, err := Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range order {
			if got, want := b.Match(c), fresh.match(c); got != want {
				t.Fatalf("Match(%q) = %q, the matcher answers %q", c, got, want)
			}
		}
	}
}

// Codes matched at once by several goroutines, more distinct ones than
// maxMatched, keep at most maxMatched answers, each the matcher's.
// Mutation: the answer kept without checking the bound under the write
// lock (or not at all) → fails (more than 1,024 codes kept).
func TestMatchStaysWithinTheBoundUnderConcurrentUse(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 400 {
				// Distinct codes of a client code's shape (kept below
				// the bound), a third of them Spanish.
				code := fmt.Sprintf("%c%c-%03d", 'a'+g, 'a'+n%26, n)
				if n%3 == 0 {
					code = fmt.Sprintf("es_%c%03d", 'a'+g, n)
				}
				if got, want := b.Match(code), fresh.match(code); got != want {
					t.Errorf("Match(%q) = %q, the matcher answers %q", code, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	b.matchMu.RLock()
	n := len(b.matched)
	b.matchMu.RUnlock()
	if n != maxMatched {
		t.Errorf("%d codes kept, want the bound maxMatched (%d) exactly with 3,200 distinct codes of the shape", n, maxMatched)
	}
	for _, code := range []string{"es", "pt-br", "en-US"} {
		if got, want := b.Match(code), fresh.match(code); got != want {
			t.Errorf("past the bound, Match(%q) = %q, the matcher answers %q", code, got, want)
		}
	}
}

// BenchmarkMatch is a client's language code matched, as each request's
// is (Telegram sends "es", Discord "es-ES", "en-US", "pt-BR").
func BenchmarkMatch(b *testing.B) {
	bundle, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, code := range []string{"es", "pt-BR", "en-US"} {
		b.Run(code, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bundle.Match(code)
			}
		})
	}
}

// discordLocales are Discord's locales, as discordgo v0.29.0 lists them
// (locales.go), and Indonesian, which Discord added since.
var discordLocales = []string{"en-US", "en-GB", "bg", "zh-CN", "zh-TW", "hr", "cs", "da", "nl", "fi", "fr", "de",
	"el", "hi", "hu", "it", "ja", "ko", "lt", "no", "pl", "pt-BR", "ro", "ru", "es-ES", "es-419", "sv-SE", "th",
	"tr", "uk", "vi", "id"}

// telegramCodes are language_code values Telegram sends (IETF tags: the
// app's language, lower case, a region or script for some).
var telegramCodes = []string{"es", "en", "pt-br", "pt", "fr", "ru", "uk", "fa", "ar", "zh-hans", "zh-hant", "he",
	"id", "ms", "tr", "it", "de", "ko", "uz", "kk", "be", "ca", "nl", "pl", "sr", "hr", "en-us"}

// Match keeps a code only if it has a client language code's shape
// (clientCode), each answered as the matcher answers: every Discord
// locale and Telegram language_code, and codes of 2 or 3 letters with a
// second part of 2 to 4 letters or digits; not a receipt code (whole or
// as typed), a private-use tag, a tag of three parts, a 9-byte code, a
// name or a sentence typed after /language, anything else. And a kept
// code is a copy, not a piece of the caller's string (a "/language"
// argument is a piece of the whole message's text, which would otherwise
// stay in memory as long as the bundle). Mutations: the shape rule
// dropped (every code of up to 35 bytes, or up to 8, kept) → fails; a
// second part of 5 letters or digits accepted → fails; the code kept
// without strings.Clone → fails.
func TestMatchKeepsOnlyClientCodesAndCopiesThem(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	kept := func(code string) (string, bool) {
		b.matchMu.RLock()
		defer b.matchMu.RUnlock()
		for k := range b.matched {
			if k == code {
				return k, true
			}
		}
		return "", false
	}
	keep := slices.Concat(discordLocales, telegramCodes, []string{"ES", "es_MX", "pt_BR", "PT-br", "zh-Hans",
		"zh_Hant", "es-419", "fr-CA", "spa", "spa-MX", "por-BR", "es-Latn", "spa-Latn", "ab-12", "zzz-9z9Z"})
	notKept := []string{
		"K7QD-9XMA-3RT2-B4ZN", "k7qd9xma3rt2b4zn", "K7QD 9XMA 3RT2 B4ZN", "K7QD-9XMA", // receipt codes
		"es-x-k7qd-9xma", "es-x-k7qd", "en-US-x-12", // private use
		"es-MX-extra", "zh-Hans-CN", "sr-Latn-RS", "es-MX-", // three parts
		"spa-Latnx", "es-abcde", "es-41900", "pt_BRASIL", // a second part of 5: 9 bytes and 8
		"", "e", "é", "español", "english", "francais", "portugues", "espa", "espa-MX", "1s", "e1", "es1", "e-MX", "x-ab", // a first part not of 2 or 3 letters
		" es", "es ", " es ", "es\n", "es-", "es_", "es--MX", "es-_MX", "es-M", "ab-1", "es-M\x00", "es-Mé", "es.MX", "es/MX", "es-MX\x00", "es-é",
		"/language es", "es MX", "hola, quiero cambiar el idioma", "es-x-" + strings.Repeat("abcdefgh-", 400) + "ab",
	}
	for _, codes := range [][]string{keep, notKept} {
		for _, code := range codes {
			want := fresh.match(code)
			for range 2 { // (the second time from the cache, if kept)
				if got := b.Match(code); got != want {
					t.Fatalf("Match(%q) = %q, the matcher answers %q", code, got, want)
				}
			}
			_, ok := kept(code)
			if wantKept := len(codes) == len(keep); ok != wantKept {
				t.Errorf("code %q (%d bytes) kept: %v, want %v", code, len(code), ok, wantKept)
			}
		}
	}
	b.matchMu.RLock()
	n := len(b.matched)
	b.matchMu.RUnlock()
	if distinct := len(slices.Compact(slices.Sorted(slices.Values(keep)))); n != distinct {
		t.Errorf("%d codes kept, want the %d distinct codes of the shape", n, distinct)
	}

	message := "/language es-MX " + strings.Repeat("texto del mensaje ", 20)
	code := message[len("/language "):len("/language es-MX")]
	if got := b.Match(code); got != "es" {
		t.Fatalf("Match(%q) = %q, want es", code, got)
	}
	k, ok := kept(code)
	if !ok {
		t.Fatalf("%q not kept", code)
	}
	if unsafe.StringData(k) == unsafe.StringData(code) {
		t.Errorf("%q kept as a piece of the caller's %d-byte string, not a copy", code, len(message))
	}
}
