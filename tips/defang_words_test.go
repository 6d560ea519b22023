package tips

import (
	"strings"
	"testing"
)

// defangWhole is Defang as it was before it went word by word: every
// pattern over the whole text. Defang must give exactly what it gave.
func defangWhole(text string) string {
	text = urlPattern.ReplaceAllStringFunc(text, defangURL)
	text = schemePattern.ReplaceAllStringFunc(text, func(s string) string {
		scheme := s[:len(s)-3]
		if l := strings.ToLower(scheme); l == "hxxp" || l == "hxxps" {
			return s
		}
		return defangScheme(scheme)
	})
	text = domainPattern.ReplaceAllStringFunc(text, defangHost)
	text = altDomainPattern.ReplaceAllStringFunc(text, defangHost)
	return ipv4Pattern.ReplaceAllStringFunc(text, bracketDots)
}

var defangSeeds = []string{
	"see https://evil.example.com/a.php?x=1 now", "HTTP://x.mx", "www.narco.example", "no links, here. ok",
	"пример.рф y bücher.de", "tg://resolve?domain=x", "pago。example y ｅｖｉｌ．ｃｏｍ y t｡me/x",
	"panel en 200.57.1.9/admin y 10.0.0.1", "1.2.3.4.5.6.7", "ton://x intent://scan sftp://h hxxps://ya",
	"pe\u0301rez.example", "a\tb.example\nc://d\re.f\fg.h  www.x.y\u00a0z.example", "x.\u00a0https://a.b c", "\u2028a.example\u0085b.c",
	" https://a.b/c\u00a0d.e ", "aé.com.\n.", "\v1.2.3.4\v", "ｗｗｗ．ｘ．ｃｏｍ", "k.co\u200bm", "x://", "://a.b", ".", "WwW.a.b", "wWw。a", "www.", "1.2.3.4", "１.２.３.４", "a：//b.c",
}

// Going word by word changes nothing: every seed, and the fuzzer's
// inputs, defang exactly as the whole text did.
func FuzzDefangByWordsIsDefangWhole(f *testing.F) {
	for _, s := range defangSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Defang(s), defangWhole(s); got != want {
			t.Fatalf("Defang(%q) = %q, whole text gives %q", s, got, want)
		}
	})
}

// A long tip of ordinary words and a few links is defanged as the whole
// text would be (the benchmark's input: most words have no full stop).
func TestDefangByWordsOnALongTip(t *testing.T) {
	tip := strings.Repeat("Los halcones cobran cuota en www.pago-piso.mx y en https://t.me/narcos, llaman del 55.1234.5678 cada viernes. ", 40)
	if got, want := Defang(tip), defangWhole(tip); got != want {
		t.Fatalf("differs:\n%q\n%q", got, want)
	}
}

// What Defang shows, Refang gives back, for links and addresses an
// investigator copies into /entity.
func TestRefangUndoesDefang(t *testing.T) {
	for _, in := range []string{"https://narco-shop.example.com/catalogo", "http://a.example", "halcon@example.org", "evil.example", "HTTPS://EVIL.EXAMPLE/X", "tg://resolve?domain=x", "192.168.1.20", "evil。example"} {
		if got := Refang(Defang(in)); got != in && got != strings.Replace(in, "HTTPS", "https", 1) {
			t.Errorf("Refang(Defang(%q)) = %q (defanged %q)", in, got, Defang(in))
		}
	}
}
