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
// then random strings of tag characters, some past maxMatchedCode.
func matchCodes(r *rand.Rand) []string {
	codes := []string{"", " ", "es", "es-MX", "es-419", "es_ES", "ES", " es ", "en", "en-US", "en-GB", "en_us",
		"pt", "pt-br", "pt-BR", "pt_BR", "pt-PT", "fr", "fr-CA", "fr_ca", "de", "ru", "zh-Hans", "zh-TW", "ar",
		"uk", "nb", "und", "x", "??", "e", "es--", "-es", "es-", "toolongsubtag-es", "i-klingon", "sgn-BE-FR",
		"es-MX-u-ca-gregory", "en-Latn-US", "pt-Latn-BR", "fr-x-private", strings.Repeat("es-", 20) + "MX"}
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ "
	for range 3000 {
		b := make([]byte, 1+r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		codes = append(codes, string(b))
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
// remembered → fails; a code past maxMatchedCode remembered under its
// first maxMatchedCode bytes → fails (the long codes).
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
	// Codes around the bound's length sharing their first bytes, some
	// that parse (private-use subtags) and some that do not (a subtag
	// of nine letters), asked in both orders.
	private := "es-x-" + strings.Repeat("abcdefgh-", 5)
	long := []string{private[:maxMatchedCode-1], private[:maxMatchedCode], private + "abcdefgh",
		private + "abcdefghi", private[:maxMatchedCode] + "abcdefghi", "pt-BR-" + private[3:] + "ab"}
	backward := slices.Clone(long)
	slices.Reverse(backward)
	for _, order := range [][]string{long, backward} {
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
				code := fmt.Sprintf("es-x-%d-%d", g, n)
				if n%3 == 0 {
					code = fmt.Sprintf("zz-%d%d", g, n)
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
	if n > maxMatched || n < maxMatched {
		t.Errorf("%d codes kept, want the bound maxMatched (%d) exactly with 3,200 distinct codes", n, maxMatched)
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

// A code longer than maxMatchedCode is answered but not kept, one of
// maxMatchedCode bytes is; and a kept code is a copy, not a piece of
// the caller's string (a "/language" argument is a piece of the whole
// message's text, which would otherwise stay in memory as long as the
// bundle). Mutations: the length check dropped (or > made >=) → fails;
// the code kept without strings.Clone → fails.
func TestMatchKeepsOnlyShortCodesAndCopiesThem(t *testing.T) {
	b, err := Load()
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
	message := "/language es-MX " + strings.Repeat("texto del mensaje ", 20)
	for _, code := range []string{
		"es-x-" + strings.Repeat("a", maxMatchedCode-5),   // maxMatchedCode bytes: kept
		"es-x-" + strings.Repeat("a", maxMatchedCode-4),   // one past: not kept
		"es-x-" + strings.Repeat("abcdefgh-", 400) + "ab", // a hostile code of kilobytes
	} {
		if got, want := b.Match(code), b.match(code); got != want {
			t.Fatalf("Match(%q) = %q, the matcher answers %q", code, got, want)
		}
		_, ok := kept(code)
		if want := len(code) <= maxMatchedCode; ok != want {
			t.Errorf("code of %d bytes kept: %v, want %v (kept at most %d bytes)", len(code), ok, want, maxMatchedCode)
		}
	}
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
