package tips

import (
	"bytes"
	"crypto/rand"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func TestReceiptShapeAndRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		code, err := NewReceipt(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 19 || strings.Count(code, "-") != 3 {
			t.Fatalf("receipt %q is not four groups of four", code)
		}
		if seen[code] {
			t.Fatalf("receipt %q drawn twice", code)
		}
		seen[code] = true
		typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
		got, ok := NormalizeReceipt(typed)
		if !ok || got != code {
			t.Fatalf("NormalizeReceipt(%q) = %q, %v; want %q", typed, got, ok, code)
		}
	}
}

func TestReceiptUsesAllEightyBits(t *testing.T) {
	// All-ones input must give the last symbol everywhere: every bit is used.
	code, err := drawReceipt(bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
	if err != nil {
		t.Fatal(err)
	}
	if code != "ZZZZ-ZZZZ-ZZZZ-ZZZZ" {
		t.Fatalf("got %q", code)
	}
	// A code of letters alone (told from words by its digits when sent
	// without /status) gets a digit, from the same ten bytes (derived
	// codes read no more).
	code, err = NewReceipt(bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
	if err != nil || code != "ZZZZ-ZZZZ-ZZZZ-ZZZ1" {
		t.Fatalf("a code of letters alone: %q %v", code, err)
	}
	if _, err := NewReceipt(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Fatal("short randomness must be an error")
	}
}

func TestNormalizeReceiptRejects(t *testing.T) {
	for _, in := range []string{"", "ABCD", "ABCD-EFGH-JKMN-PQRSU", "àbcd-efgh-jkmn-pqrs", "Àbcd-Efgh-Jkmn-Pqrs", strings.Repeat("A", 100), "ABCD-EFGH-JKMN-PQR!"} {
		if got, ok := NormalizeReceipt(in); ok {
			t.Errorf("NormalizeReceipt(%q) accepted as %q", in, got)
		}
	}
	if got, ok := NormalizeReceipt("abcd-efgh-jkmn-pqOI"); !ok || got != "ABCD-EFGH-JKMN-PQ01" {
		t.Errorf("confusable letters not mapped: %q %v", got, ok)
	}
}

// A code as people paste or type it: at the end of a sentence, in quotes,
// with en dashes or no-break spaces, with a zero-width space copied along.
func TestNormalizeReceiptTakesItAsTyped(t *testing.T) {
	for _, in := range []string{"ABCD-EFGH-JKMN-PQRS.", "«ABCD EFGH JKMN PQRS»", "ABCD\u2013EFGH\u2013JKMN\u2013PQRS", "ABCD\u00a0EFGH\u00a0JKMN\u00a0PQRS", "\u200bABCD-EFGH-JKMN-PQRS", "abcd\u2212efgh-jkmn-pqrs!", "ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ－ＰＱＲＳ", "ａｂｃｄ efgh jkmn pqrs",
		// A zero-width space between every character (some apps copy so).
		strings.Join(strings.Split("ABCD-EFGH-JKMN-PQRS", ""), "\u200b"),
		// Punctuation in place of the dashes.
		"ABCD/EFGH/JKMN/PQRS", "abcd.efgh.jkmn.pqrs", "ABCD, EFGH, JKMN, PQRS", "ABCD_EFGH_JKMN_PQRS", "ABCD·EFGH·JKMN·PQRS"} {
		if got, ok := NormalizeReceipt(in); !ok || got != "ABCD-EFGH-JKMN-PQRS" {
			t.Errorf("NormalizeReceipt(%q) = %q, %v", in, got, ok)
		}
	}
}

func TestDefang(t *testing.T) {
	cases := map[string]string{
		"see https://evil.example.com/a.php?x=1 now": "see hxxps://evil[.]example[.]com/a[.]php?x=1 now",
		"HTTP://x.mx":                  "hxxp://x[.]mx",
		"www.narco.example":            "www[.]narco[.]example",
		"bare domain pago-piso.com.mx": "bare domain pago-piso[.]com[.]mx",
		"no links, here. ok":           "no links, here. ok",
		"ftp-like text 3.14":           "ftp-like text 3.14",
		"пример.рф y bücher.de":        "пример[.]рф (xn--e1afmkfd[.]xn--p1ai) y bücher[.]de (xn--bcher-kva[.]de)",
		"tg://resolve?domain=x":        "tg[:]//resolve?domain=x",
		// Full stops IDNA reads as ".": browsers open these hosts.
		"pago。example y ｅｖｉｌ．ｃｏｍ y t｡me/x": "pago[。]example y ｅｖｉｌ[．]ｃｏｍ y t[｡]me/x",
		"https://evil。example/a":           "hxxps://evil[。]example/a",
		"東京。大阪 ok":                         "東京。大阪 ok",
		// IPv4 addresses are linked like domains.
		"panel en 200.57.1.9/admin y 10.0.0.1": "panel en 200[.]57[.]1[.]9/admin y 10[.]0[.]0[.]1",
		"versión 2.1 y 3.14":                   "versión 2.1 y 3.14",
		// Every dot of a longer run of dotted numbers: "4.5.6.7" is an address too.
		"1.2.3.4.5.6.7":                 "1[.]2[.]3[.]4[.]5[.]6[.]7",
		"0.0.0.0。0。0。0":                 "0[.]0[.]0[.]0[。]0[。]0[。]0",
		"10.0.0.1.2 y 1.2.3.4567.8.9.1": "10[.]0[.]0[.]1[.]2 y 1[.]2[.]3[.]4567[.]8[.]9[.]1",
		// Any scheme, not only the web's.
		"ton://x intent://scan sftp://h hxxps://ya": "ton[:]//x intent[:]//scan sftp[:]//h hxxps://ya",
		// Glued to what comes before (a client may still link it), or
		// longer than 31 characters.
		"00tg://resolve?domain=n x_tg://resolve _https://evil.example": "00tg[:]//resolve?domain=n x_tg[:]//resolve _hxxps://evil[.]example",
		"a234567890123456789012345678901234567890://x":                 "a234567890123456789012345678901234567890[:]//x",
		// A combining mark is part of a host name.
		"pe\u0301rez.example": "pe\u0301rez[.]example (xn--prez-bpa[.]example)",
	}
	for in, want := range cases {
		if got := Defang(in); got != want {
			t.Errorf("Defang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinks(t *testing.T) {
	got := Links("cobran en https://a.example/x, y en www.b.example/y).")
	want := []string{"https://a.example/x", "www.b.example/y"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Links = %q, want %q", got, want)
	}
}

func TestNeutralize(t *testing.T) {
	in := "factura\u202Egpj.exe\u200B ok\x07\nline\ufeff" + string([]byte{0xff})
	got := Neutralize(in)
	if strings.ContainsAny(got, "\u202E\u200B\ufeff\x07") {
		t.Fatalf("Neutralize left dangerous runes: %q", got)
	}
	if got != "facturagpj.exe ok \nline\uFFFD" {
		t.Fatalf("Neutralize = %q", got)
	}
	invisible := "a\U000E0041\u3164\u115F\uFFA0\u180E\u2061\u034F\uFFF9b\u2028c"
	if got := Neutralize(invisible); got != "ab\nc" {
		t.Fatalf("Neutralize(%q) = %q", invisible, got)
	}
	family := "👨\u200D👩\u200D👧"
	if Neutralize(family) != family {
		t.Fatal("emoji joiner removed")
	}
	for _, e := range []string{"❤\uFE0F\u200D🔥", "🏳\uFE0F\u200D🌈", "👩🏽\u200D💻"} {
		if Neutralize(e) != e {
			t.Errorf("emoji joiner removed from %q: %q", e, Neutralize(e))
		}
	}
	// Conjuncts keep it too (Sinhala's "Sri", Devanagari's eyelash ra).
	for _, w := range []string{"ශ්\u200dරී", "र्\u200dय"} {
		if Neutralize(w) != w || Defang(Neutralize(w)) != w {
			t.Errorf("joiner removed from %q: %q, %q", w, Neutralize(w), Defang(Neutralize(w)))
		}
	}
	// In a host name (next to an ASCII letter or digit, or a full stop)
	// it hid the host name from Defang: shown, it goes, and the host name
	// is defanged as any other.
	for in, want := range map[string]string{"evil\u200d.com": "evil[.]com", "evil.co\u200dm": "evil[.]com", "\u200dwww.evil.com": "www[.]evil[.]com", "ar\u200dmas": "armas"} {
		if got := Defang(Neutralize(in)); got != want {
			t.Errorf("Defang(Neutralize(%q)) = %q, want %q", in, got, want)
		}
	}
}

// The zero-width non-joiner stays between two letters of a script
// written with it, and the tag characters of England's, Scotland's and
// Wales's flags stay in the flag; anywhere else they can hide text (up
// to seven tag letters passed as any subdivision's), and go.
func TestNeutralizeKeepsNonJoinerAndFlagTags(t *testing.T) {
	flag := func(code string) string {
		f := "\U0001F3F4"
		for _, c := range code {
			f += string(0xE0000 + c)
		}
		return f + "\U000E007F"
	}
	for _, keep := range []string{
		"می\u200cخواهم",   // Persian "I want"
		"نامه\u200cها",    // Persian plural, after a letter
		"ک\u064e\u200cها", // after a letter's vowel mark
		"क्\u200cष",       // Devanagari, after a virama: no conjunct
		"স্\u200cত",       // Bengali
		flag("gbeng") + " " + flag("gbsct") + " " + flag("gbwls"),
		"\U0001F3F4 solo",
	} {
		if got := Neutralize(keep); got != keep {
			t.Errorf("Neutralize(%q) = %q", keep, got)
		}
	}
	for in, want := range map[string]string{
		"evil\u200c.com":                           "evil.com",
		"ar\u200cmas":                              "armas",
		"می\u200c خواهم":                           "می خواهم",
		"\u200cمی":                                 "می",
		"a\u200cمی":                                "aمی",
		"می\u200c\u200cخواهم":                      "میخواهم",
		"x\U000E0067\U000E0062\U000E007Fy":         "xy",
		flag("gb"):                                 "\U0001F3F4",
		flag("ignoreprevious"):                     "\U0001F3F4",
		"\U0001F3F4\U000E0067\U000E0062\U000E0065": "\U0001F3F4",
		"\U0001F3F4\U000E0047\U000E0042\U000E0045\U000E007F": "\U0001F3F4",
		flag("gbsct") + "\U000E0041":                         flag("gbsct"),
		// Shaped like a subdivision's code, but none Unicode recommends:
		// what it carries is invisible.
		flag("usca"):    "\U0001F3F4",
		flag("abcdefg"): "\U0001F3F4",
		flag("gbsct1"):  "\U0001F3F4",
		flag("gbsc"):    "\U0001F3F4",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCoarsen(t *testing.T) {
	l := Coarsen(19.432608, -99.133209)
	if l.Lat != 19.43 || l.Lon != -99.13 {
		t.Fatalf("Coarsen = %+v", l)
	}
	if !l.Valid() || (Location{Lat: 91}).Valid() {
		t.Fatal("Valid is wrong")
	}
}

func TestPublicStatusHidesVerdicts(t *testing.T) {
	if StatusNew.PublicStatus() != "received" || StatusVerified.PublicStatus() != "confirmed" || StatusEscalated.PublicStatus() != "in_review" ||
		StatusDismissed.PublicStatus() != "closed" || StatusDuplicate.PublicStatus() != "closed" {
		t.Fatal("public status mapping changed")
	}
}

func TestFirstLine(t *testing.T) {
	if got := FirstLine("\n  hola mundo  \nsegunda", 50); got != "hola mundo" {
		t.Fatalf("got %q", got)
	}
	if got := FirstLine("ñandúñandú", 5); got != "ñandú"[:len("ñand")]+"…" {
		t.Fatalf("got %q", got)
	}
	// A line is not cut between a letter and its marks, nor inside a
	// joined sequence or a flag: the cut moves back to where a character
	// starts.
	for _, c := range []struct {
		line string
		max  int
		want string
	}{
		{"धमकी मिली", 4, "धम…"}, // not "धमक…": the vowel sign is the word's
		{"abक्\u200dषx", 5, "ab…"},
		{"abc👩\u200d💻 x", 5, "abc…"},
		{"ab\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 4, "ab…"},
		// A line that is one joined run from its start (emoji chained by
		// joiners) is cut where max falls, not to nothing but "…".
		{"👍\u200d👍\u200d👍\u200d👍", 4, "👍\u200d👍…"},
		{"क\u094d\u200cक\u094d\u200cक\u094d\u200cक", 5, "क\u094d\u200cक…"},
		// Not between a flag's two regional indicators (a lone one shows
		// as a letter in a box, or pairs with the next flag's first), nor
		// before an emoji's skin tone (the emoji shown would be another).
		{"ab\U0001F1F2\U0001F1FD\U0001F1E8\U0001F1F4x", 4, "ab…"},
		{"\U0001F1F2\U0001F1FD\U0001F1E8\U0001F1F4\U0001F1EA\U0001F1F8x", 4, "\U0001F1F2\U0001F1FD…"},
		{"\U0001F1F2\U0001F1FD\U0001F1E8\U0001F1F4\U0001F1EA\U0001F1F8x", 6, "\U0001F1F2\U0001F1FD\U0001F1E8\U0001F1F4…"},
		{"abc👍\U0001F3FD x", 5, "abc…"},
		// A cut after a word leaves no space before the ellipsis (nor
		// several, nor a no-break or ideographic space).
		{"hola mundo", 6, "hola…"},
		{"hola   mundo", 7, "hola…"},
		{"hola\u00a0mundo", 6, "hola…"},
		{"北京\u3000朝阳区", 4, "北京…"},
		{"ab👩\U0001F3FD\u200d💻 x", 5, "ab…"},
	} {
		if got := FirstLine(c.line, c.max); got != c.want {
			t.Errorf("FirstLine(%q, %d) = %q, want %q", c.line, c.max, got, c.want)
		}
	}
}

// liveLink is an independent notion of what a chat client would linkify
// ("www." only at the start of a word: "awww.0" is no link).
var liveLink = regexp.MustCompile(`(?i)(?:https?|ftp|tg)://[^\s]|(?:^|[^\p{L}\p{N}_])www\.[\p{L}\p{N}]`)

// The order used in production: neutralise, then defang. The check does
// not reuse the package's own patterns: no scheme a client would linkify,
// and no invisible format character, may survive.
func FuzzNeutralizeDefang(f *testing.F) {
	for _, seed := range []string{"https://a.b/c \u202E x", "WWW.X.COM", "hTTp://\u200Bx.y", "tg://resolve?domain=a", "пример.рф",
		"evil。com ｅｖｉｌ．ｃｏｍ t｡me/x", "1.2.3.4 10。0。0。1", "e\u0301vil.com ton://x", "a@b.example t.me/narcos",
		"می\u200cخواهم ev\u200cil.com", "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F x\U000E0041"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Defang(Neutralize(s))
		if m := liveLink.FindString(out); m != "" {
			t.Fatalf("live link %q survived in %q", m, out)
		}
		if where, ok := linkable(out); ok {
			t.Fatalf("linkable text %q survived in %q", where, out)
		}
		rs := []rune(out)
		for i, r := range rs {
			switch {
			case r == 0x200D:
			case r == 0x200C && i > 0 && i+1 < len(rs) && unicode.In(rs[i-1], unicode.L, unicode.M) && rs[i-1] >= 0x600 && unicode.IsLetter(rs[i+1]) && rs[i+1] >= 0x600:
				// between two letters of a script (not Latin) written with it
			case r >= 0xE0020 && r <= 0xE007F && flagTag(rs, i):
			case unicode.Is(unicode.Cf, r):
				t.Fatalf("format character %U survived in %q", r, out)
			}
		}
	})
}

// flagTag reports whether the tag character rs[i] is one of a
// subdivision flag's: black flag, three to seven tag letters or digits,
// cancel tag.
func flagTag(rs []rune, i int) bool {
	start := i
	for start > 0 && rs[start-1] >= 0xE0020 && rs[start-1] <= 0xE007F {
		start--
	}
	end := i
	for end+1 < len(rs) && rs[end+1] >= 0xE0020 && rs[end+1] <= 0xE007F {
		end++
	}
	n := end - start // tags before the cancel tag
	if start == 0 || rs[start-1] != 0x1F3F4 || rs[end] != 0xE007F || n < 3 || n > 7 {
		return false
	}
	for _, r := range rs[start:end] {
		if !(r >= 0xE0061 && r <= 0xE007A || r >= 0xE0030 && r <= 0xE0039) {
			return false
		}
	}
	return true
}

// linkable scans text, without the package's patterns, for what a client
// could turn into a link: a scheme (ASCII, starting with a letter) and
// "://", other than a defanged "hxxp(s)://"; a
// full stop between a letter, mark, digit or hyphen and two letters (a
// host name: "evil.example", "t.me"; Latin ones also with "。", "．", "｡");
// four dot-separated numbers of at most three digits (IPv4).
func linkable(text string) (string, bool) {
	r := []rune(text)
	around := func(i int) string { return string(r[max(0, i-8):min(len(r), i+8)]) }
	for i := range r {
		if i+2 < len(r) && string(r[i:i+3]) == "://" {
			// The scheme: the run of letters, digits, "+.-" before it,
			// which must start with an ASCII letter.
			j := i
			for j > 0 && (r[j-1] < 0x80 && (unicode.IsLetter(r[j-1]) || unicode.IsDigit(r[j-1]) || strings.ContainsRune("+.-", r[j-1]))) {
				j--
			}
			scheme := strings.ToLower(string(r[j:i]))
			if scheme != "" && unicode.IsLetter(r[j]) && scheme != "hxxp" && scheme != "hxxps" {
				return around(i), true
			}
		}
		if i == 0 || i+2 >= len(r) || !strings.ContainsRune(".。．｡", r[i]) {
			continue
		}
		p, n1, n2 := r[i-1], r[i+1], r[i+2]
		label := unicode.IsLetter(p) || unicode.IsMark(p) || unicode.IsDigit(p) || p == '-'
		tld := unicode.IsLetter(n1) && unicode.IsLetter(n2)
		if r[i] != '.' {
			label = (unicode.Is(unicode.Latin, p) || unicode.IsDigit(p) || p == '-') && unicode.Is(unicode.Latin, n1) && unicode.Is(unicode.Latin, n2)
		}
		if label && tld {
			return around(i), true
		}
	}
	if m := ipv4.FindString(text); m != "" {
		return m, true
	}
	return "", false
}

var ipv4 = regexp.MustCompile(`(?:^|\D)\d{1,3}(?:[.。．｡]\d{1,3}){3}(?:\D|$)`)

func TestSketchSimilarity(t *testing.T) {
	a, _ := NewSketch("Los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes en la noche", []byte("k"))
	b, _ := NewSketch("los halcones de la plaza cobran cuota a todos los tenderos de la calle Morelos cada viernes por la noche", []byte("k"))
	c, _ := NewSketch("Hay un incendio en la bodega de la esquina y nadie llama a los bomberos, urge ayuda", []byte("k"))
	if !a.NearDuplicate(b) || a.NearDuplicate(c) {
		t.Fatalf("similarity a~b %.2f, a~c %.2f", a.Similarity(b), a.Similarity(c))
	}
	// Stored, a sketch compares as it did.
	back, ok := ParseSketch(a.String())
	if !ok || len(a.String()) != 64 || back.Similarity(a) != 1 || back.Similarity(b) != a.Similarity(b) || back.Similarity(c) != a.Similarity(c) {
		t.Fatalf("stored sketch: %v, %d bytes, %.2f %.2f", ok, len(a.String()), back.Similarity(b), a.Similarity(b))
	}
	if _, ok := NewSketch("muy corto", []byte("k")); ok {
		t.Fatal("short text sketched")
	}
}

func TestIndexTokensLeaveOutStopWords(t *testing.T) {
	got := strings.Join(IndexTokens("Los de la camioneta gris cobran en el mercado, and the cops are with them"), " ")
	if got != "camioneta gris cobran mercado cops" {
		t.Fatalf("index tokens: %q", got)
	}
	if len(IndexTokens("de la que el")) != 0 {
		t.Fatal("stop words only should give nothing to search")
	}
}

// A host name in look-alike letters is shown with the ASCII form a
// browser would go to, so "аррӏе.com" in Cyrillic does not pass for
// apple.com; ASCII names are left as they are.
func TestDefangShowsASCIIFormOfHostNames(t *testing.T) {
	for in, want := range map[string]string{
		"https://аррӏе.com/login": "hxxps://аррӏе[.]com (xn--80ak6aa92e[.]com)/login",
		"ver аррӏе.com ya":        "ver аррӏе[.]com (xn--80ak6aa92e[.]com) ya",
		"пример.рф":               "пример[.]рф (xn--e1afmkfd[.]xn--p1ai)",
		"ｅｖｉｌ．ｃｏｍ":                "ｅｖｉｌ[．]ｃｏｍ",
		"https://apple.com/x":     "hxxps://apple[.]com/x",
		"correo a@ejemplo.mx hoy": "correo a@ejemplo[.]mx hoy",
	} {
		if got := Defang(in); got != want {
			t.Errorf("Defang(%q) = %q, want %q", in, got, want)
		}
	}
}

// A file is named for what it holds, so investigators' apps open it: a
// PDF sent as a document is file.pdf, a PNG photo.png; unknown content
// keeps the kind's name.
func TestFileNameFollowsTheContent(t *testing.T) {
	for _, c := range []struct {
		kind AttachmentKind
		data string
		want string
	}{
		{Document, "%PDF-1.7 ...", "file.pdf"},
		{Photo, "\x89PNG\r\n\x1a\n....", "photo.png"},
		{Photo, "\xff\xd8\xff\xe0....", "photo.jpg"},
		{Document, "RIFF\x10\x00\x00\x00WEBPVP8 ", "file.webp"},
		{Video, "\x00\x00\x00\x14ftypqt  ", "video.mov"},
		{Video, "\x00\x00\x00\x18ftypmp42", "video.mp4"},
		{Document, "\x00\x00\x00\x18ftypheic", "file.heic"},
		{Photo, "\x00\x00\x00\x18ftypavif", "photo.avif"},
		{Voice, "\x00\x00\x00\x1cftypM4A ", "audio.m4a"},
		{Video, "\x00\x00\x00\x14ftyp3gp4", "video.3gp"},
		{Document, "\x00\x00\x00\x14ftypxyzw", "file.bin"},
		{Voice, "OggS\x00\x02", "audio.ogg"},
		{Document, "PK\x03\x04 a docx", "file.bin"},
		{Document, "", "file.bin"},
		{Photo, "\xff", "photo.jpg"},
	} {
		if got := FileName(c.kind, []byte(c.data)); got != c.want {
			t.Errorf("%s %q: %s, want %s", c.kind, c.data, got, c.want)
		}
	}
}
