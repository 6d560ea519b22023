package tips

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func has(es []Entity, kind EntityKind, value string) bool {
	for _, e := range es {
		if e.Kind == kind && e.Value == value {
			return true
		}
	}
	return false
}

func TestExtractAcrossLanguages(t *testing.T) {
	cases := []struct {
		lang, region, text string
		kind               EntityKind
		want               string
	}{
		{"es", "MX", "Me cobran piso, marcan del +52 55 1234 5678 cada lunes", KindPhone, "+525512345678"},
		{"es", "MX", "el número es 55 1234 5678", KindPhone, "+525512345678"},
		{"es", "MX", "whatsapp: 5512345678", KindPhone, "+525512345678"},
		{"es", "GT", "Llaman del 5123-4567 para pedir la renta", KindPhone, "+50251234567"},
		{"es", "SV", "el de la renta llama al 7012 3456", KindPhone, "+50370123456"},
		{"es", "HN", "extorsionan desde el 9876-5432", KindPhone, "+50498765432"},
		{"es", "CO", "la vacuna la cobran del 321 456 7890", KindPhone, "+573214567890"},
		{"pt-BR", "BR", "a milícia liga do (21) 98765-4321", KindPhone, "+5521987654321"},
		{"en", "US", "they text from (202) 555-0143", KindPhone, "+12025550143"},
		{"fr", "MX", "ils appellent depuis le +33 6 12 34 56 78", KindPhone, "+33612345678"},
		{"es", "MX", "ver https://WWW.Pagos-Piso.example/Cuenta?utm_source=fb&fbclid=abc&id=7", KindURL, "pagos-piso.example/Cuenta?id=7"},
		{"es", "MX", "ver https://pagos.example/x?utm_campaign=z", KindDomain, "pagos.example"},
		{"pt-BR", "BR", "site https://cobrança.example/pix", KindDomain, "xn--cobrana-zxa.example"},
		{"pt-BR", "BR", "site https://xn--cobrana-zxa.example/pix", KindDomain, "xn--cobrana-zxa.example"},
		{"es", "MX", "su perfil https://t.me/NarcoVentas", KindHandle, "telegram:narcoventas"},
		{"es", "MX", "https://www.facebook.com/profile.php?id=1000123", KindHandle, "facebook:id:1000123"},
		{"es", "MX", "https://facebook.com/ElJefe.Plaza", KindHandle, "facebook:eljefe.plaza"},
		{"pt-BR", "BR", "olha https://www.instagram.com/boca_da_vila/", KindHandle, "instagram:boca_da_vila"},
		{"en", "US", "video at https://www.tiktok.com/@sicario_oficial/video/1", KindHandle, "tiktok:sicario_oficial"},
		{"fr", "MX", "compte https://x.com/Halcon_Norte", KindHandle, "x:halcon_norte"},
		{"es", "MX", "escriban a https://wa.me/525512345678", KindPhone, "+525512345678"},
		{"es", "MX", "el viejo formato https://wa.me/5215512345678", KindPhone, "+525512345678"},
		{"es", "MX", "dos números 5512345678 5598765432 seguidos", KindPhone, "+525598765432"},
		{"es", "MX", "su perfil https://t.me/NarcoVentas y su @narcoventas", KindHandle, "narcoventas"},
		{"es", "MX", "el halcón es @Halcon_Centro", KindHandle, "halcon_centro"},
		{"es", "MX", "cuenta @nаrco_ventas con a cirílica", KindHandle, "narco_ventas"},
		{"en", "US", "mail them at Cobros.Plaza@Example.org please", KindEmail, "cobros.plaza@example.org"},
		{"es", "MX", "pagan en bitcoin 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", KindWallet, "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
		{"es", "MX", "o a bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", KindWallet, "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
		{"en", "US", "eth 0x52908400098527886E0F7030069857D2E4169EE7", KindWallet, "eth:0x52908400098527886e0f7030069857d2e4169ee7"},
		{"es", "MX", "usdt trc20 TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", KindWallet, "trx:TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"},
		{"es", "MX", "usan el #CobroDePiso y #Extorsión", KindHashtag, "extorsion"},
		{"es", "MX", "ｗｗｗ．ｅｊｅｍｐｌｏ．ｃｏｍ full-width", KindDomain, "ejemplo.com"},
	}
	for _, c := range cases {
		got := Extract(c.text, c.region)
		if !has(got, c.kind, c.want) {
			t.Errorf("%s %q: no %s %q in %+v", c.lang, c.text, c.kind, c.want, got)
		}
	}
}

func TestPlatformDomainsAreNotEntities(t *testing.T) {
	for _, text := range []string{"https://facebook.com/alguien", "https://t.me/alguien", "https://wa.me/525512345678", "https://bit.ly/x"} {
		for _, e := range Extract(text, "MX") {
			if e.Kind == KindDomain {
				t.Errorf("%q gave domain %q", text, e.Value)
			}
		}
	}
	if d, ok := DomainEntity("WWW.Ejemplo.com"); !ok || d.Value != "ejemplo.com" {
		t.Fatalf("DomainEntity: %+v %v", d, ok)
	}
}

func TestExtractRejects(t *testing.T) {
	for _, text := range []string{
		"pagan en bitcoin 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", // bad checksum
		"usdt TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeM",             // bad checksum
		"el 12 de mayo de 2024 a las 10",                      // a date, not a phone
		"correo@", "#", "@",
	} {
		for _, e := range Extract(text, "MX") {
			if e.Kind == KindWallet || e.Kind == KindPhone || e.Kind == KindEmail {
				t.Errorf("%q: false %s %q", text, e.Kind, e.Value)
			}
		}
	}
}

func TestPhoneFormsAreOneEntity(t *testing.T) {
	forms := []string{"+52 55 1234 5678", "5512345678", "55-1234-5678", "(55) 1234 5678", "+52 (55) 1234-5678", "https://wa.me/525512345678"}
	for _, f := range forms {
		es := Extract(f, "MX")
		if !has(es, KindPhone, "+525512345678") {
			t.Errorf("%q: %+v", f, es)
		}
	}
}

func TestFoldAndTokens(t *testing.T) {
	if got := Fold("EXTORSIÓN Cobrança ÉLÈVE Straße"); got != "extorsion cobranca eleve strasse" {
		t.Fatalf("Fold = %q", got)
	}
	got := strings.Join(Tokens("¡Extorsión! extorsion, a la TIENDA de Doña Ñandú"), " ")
	if got != "extorsion la tienda de dona nandu" {
		t.Fatalf("Tokens = %q", got)
	}
}

func FuzzExtract(f *testing.F) {
	f.Add("+52 55 1234 5678 https://t.me/x @y #z 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 a@b.co")
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range Extract(s, "MX") {
			if e.Value == "" {
				t.Fatal("empty entity")
			}
		}
		Tokens(s)
		Classify(s)
	})
}

// Extract skips a pattern where the text lacks what any match needs: each
// of those conditions must hold whenever its pattern matches.
func FuzzExtractSkipsOnlyWhatCannotMatch(f *testing.F) {
	for _, s := range []string{
		"+52 55 1234 5678 https://t.me/x @y #z 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 a@b.co",
		"WwW.Ejemplo.MX/pago HTTPS://X.Y", "0x52908400098527886E0F7030069857D2E4169EE7 TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL",
		"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "5 5", "tel 55-1234", "#a @b",
		"bc1qqqqqqqqqqq", "1------2", // the shortest wallet and phone the patterns match
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := prepare(s)
		if urlRE.MatchString(text) && !mayHaveLink(text) {
			t.Fatalf("a link the filter skips: %q", text)
		}
		if (emailRE.MatchString(text) || handleRE.MatchString(text)) && !mayHaveAddress(text) {
			t.Fatalf("an e-mail or handle the filter skips: %q", text)
		}
		if hashtagRE.MatchString(text) && !mayHaveHashtag(text) {
			t.Fatalf("a hashtag the filter skips: %q", text)
		}
		if (ethRE.MatchString(text) || btcRE.MatchString(text) || tronRE.MatchString(text)) && !mayHaveWallet(text) {
			t.Fatalf("a wallet the filter skips: %q", text)
		}
		if phoneRE.MatchString(text) && !mayHavePhone(text) {
			t.Fatalf("a phone the filter skips: %q", text)
		}
	})
}

// BenchmarkExtractSize shows how extraction time grows with input length
// (it must grow linearly: compare ns/op across sizes, per byte).
func BenchmarkExtractSize(b *testing.B) {
	unit := "Cobran piso en https://pagos.example/x, llaman del 55 1234 5678, @halcon #plaza ñandú. "
	for _, n := range []int{1, 16, 256} {
		s := strings.Repeat(unit, n)
		b.Run(strconv.Itoa(len(s))+"B", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				Extract(s, "MX")
			}
		})
	}
}

// Links as people type them, without a scheme, are entities as the same
// links with one; words with a full stop that are not links are not.
func TestBareLinksAreLinks(t *testing.T) {
	keys := func(text string) []string {
		var out []string
		for _, e := range Extract(text, "MX") {
			out = append(out, e.Key())
		}
		return out
	}
	for bare, full := range map[string]string{
		"venden por instagram.com/armas_mx.":  "venden por https://instagram.com/armas_mx.",
		"desde t.me/halcon_norte":             "desde https://t.me/halcon_norte",
		"la página armas-baratas.example.net": "la página https://armas-baratas.example.net",
		"(pago-piso.mx)":                      "(https://pago-piso.mx)",
		"PAGO-PISO.MX":                        "https://PAGO-PISO.MX",
		"cobran en sitio.es/pagos":            "cobran en https://sitio.es/pagos",
		"Google.com":                          "https://Google.com",
	} {
		got, want := keys(bare), keys(full)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v (as %q)", bare, got, want, full)
		}
	}
	for _, text := range []string{"hola.que tal", "mandé foto.jpg y video.mov", "fin. Luego", "S.A. de C.V.", "son las 3.45 pm", "a...b", "v1.2.3",
		// Words joined by a full stop, as typed on phones; files.
		"dinero.Se fue", "casa.Me dijo", "eso.es todo", "casa.La otra", "carro.Al fondo", "dinero.de todos", "nada.si no",
		"ahí.No", "calle.Co", "3.Se", "1.de", "S.A.de C.V.", "Cd.Mx.", "Edo.Mx", "script.py", "readme.md", "archivo.ai"} {
		if got := keys(text); len(got) != 0 {
			t.Errorf("%q: %v", text, got)
		}
	}
}

// A hashtag is read to its end, combining marks and all: not cut at the
// first mark NFKC leaves (no precomposed letter has it), nor missed when
// its second character is one.
func TestHashtagKeepsCombiningMarks(t *testing.T) {
	for text, display := range map[string]string{
		"el #cafe\u0301 de siempre":  "#café",
		"#hola\u0331mundo ahí":       "#hola\u0331mundo",
		"#हिंदी में":                 "#हिंदी",
		"ver #q\u0301x":              "#q\u0301x",
		"#x\u0323\u0307plaza centro": "#x\u0323\u0307plaza",
	} {
		var got []string
		for _, e := range Extract(text, "MX") {
			if e.Kind == KindHashtag {
				got = append(got, e.Display)
			}
		}
		if len(got) != 1 || got[0] != norm.NFC.String(display) {
			t.Errorf("%q: hashtags %q, want %q", text, got, display)
		}
	}
	// A mark before "#" ends a word: "q\u0301#plaza" names no hashtag.
	for _, e := range Extract("q\u0301#plaza", "MX") {
		if e.Kind == KindHashtag {
			t.Errorf("hashtag inside a word: %+v", e)
		}
	}
}

// A hashtag is read across the zero-width non-joiners Neutralize keeps
// inside a word (Persian, Hindi): the whole word, not its first letters
// ("#می", a prefix of countless words, would join unrelated tips as one
// entity), and the same entity as the word written without them.
func TestHashtagKeepsNonJoiner(t *testing.T) {
	for with, without := range map[string]string{
		"اخاذی #می\u200cخواهم بازار": "اخاذی #میخواهم بازار",
		"#हिं\u200cदी में":           "#हिंदी में",
	} {
		var got, want []Entity
		for _, e := range Extract(with, "MX") {
			if e.Kind == KindHashtag {
				got = append(got, e)
			}
		}
		for _, e := range Extract(without, "MX") {
			if e.Kind == KindHashtag {
				want = append(want, e)
			}
		}
		if len(got) != 1 || len(want) != 1 || got[0].Value != want[0].Value || !strings.Contains(got[0].Display, "\u200c") {
			t.Errorf("%q: hashtags %+v, want the one of %q (%+v) shown with its non-joiner", with, got, without, want)
		}
	}
}

// A host name is one search word in either form, decoded or punycode:
// a view shows the form the tip wrote (and a decoded one with its
// punycode), and what an investigator copies from it must find the tips
// written the other way. A homograph stays apart from what it mimics.
func TestPunycodeAndDecodedHostsAreOneSearchWord(t *testing.T) {
	for _, forms := range [][2]string{
		{"pago en https://пример.рф/pago", "pago en https://xn--e1afmkfd.xn--p1ai/pago"},
		{"cobrança.example", "XN--COBRANA-ZXA.example"},
		{"аррӏе.com", "xn--80ak6aa92e.com"},
	} {
		if a, b := IndexTokens(forms[0]), IndexTokens(forms[1]); !slices.Equal(a, b) {
			t.Errorf("%q gives %q, %q gives %q", forms[0], a, forms[1], b)
		}
	}
	if a, b := IndexTokens("аррӏе.com"), IndexTokens("apple.com"); slices.Equal(a, b) {
		t.Errorf("a homograph is the word it mimics: %q", a)
	}
	if got := IndexTokens("xn--a xn--"); !slices.Equal(got, []string{"xn"}) {
		t.Errorf("a label that does not decode: %q", got)
	}
}

// A handle is read to its end, combining marks and kept non-joiners and
// all, as a hashtag is: not cut at the first mark NFKC leaves, nor
// missed when its second character is one.
func TestHandleKeepsCombiningMarks(t *testing.T) {
	for text, want := range map[string]string{
		"escribe @hola\u0331mundo ahí": "holamundo",
		"@khabar_हिंदी पर":             foldMarkless("khabar_हिंदी"), // entities' keys fold as before
		"@हिंदी_खबर पर":                foldMarkless("हिंदी_खबर"),
		"ver @q\u0301x":                "qx",
		"اخاذی @می\u200cخواهم بازار":   "میخواهم",
		"@ana. luego":                  "ana",
	} {
		var got []string
		for _, e := range Extract(text, "MX") {
			if e.Kind == KindHandle {
				got = append(got, e.Value)
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q: handles %q, want %q", text, got, want)
		}
	}
	// A mark before "@" ends a word: "q\u0301@plaza" names no handle.
	for _, e := range Extract("q\u0301@plaza", "MX") {
		if e.Kind == KindHandle {
			t.Errorf("handle inside a word: %+v", e)
		}
	}
}

// PastEntities names the handles and hashtags that were read cut short
// before they kept their marks (a tip indexed then is in those entities),
// and none where they were read as now.
func TestPastEntitiesAreTheCutOnes(t *testing.T) {
	got := PastEntities("ver @khabar_हिंदी y #می\u200cخواهم, @narco #extorsion")
	var keys []string
	for _, e := range got {
		keys = append(keys, e.Key())
	}
	if want := []string{"handle:khabar_ह", "hashtag:می"}; !slices.Equal(keys, want) {
		t.Errorf("past entities %q, want %q", keys, want)
	}
	if got := PastEntities("cobran piso @narco #extorsión en el mercado"); got != nil {
		t.Errorf("past entities %v, want none", got)
	}
}

// A phone number typed in the digits of any script (a Hindi, Bengali,
// Thai or Burmese keyboard) is the number, as one typed in Arabic-Indic
// digits is; a hashtag or handle written with such digits keeps them (the
// key it is indexed under does not change; the hashtag is folded without
// its vowel sign, as before).
// Mutation: phones read in ASCII digits alone (after prepare's Arabic and
// Persian ones, as before) → no phone in the Devanagari, Bengali, Thai
// and Burmese texts.
func TestPhoneInTheDigitsOfEveryScript(t *testing.T) {
	for _, text := range []string{
		"marcan del ५५ १२३४ ५६७८ cada lunes", // Devanagari
		"নম্বর ৫৫১২৩৪৫৬৭৮",                   // Bengali
		"โทร ๕๕-๑๒๓๔-๕๖๗๘",                   // Thai
		"ဖုန်း ၅၅၁၂၃၄၅၆၇၈",                   // Burmese
		"whatsapp ٥٥١٢٣٤٥٦٧٨",                // Arabic-Indic, as before
		"whatsapp 5512345678",                // ASCII, as before
	} {
		if es := Extract(text, "MX"); !has(es, KindPhone, "+525512345678") {
			t.Errorf("%q: no phone in %+v", text, es)
		}
	}
	es := Extract("#चुनाव२०२४ @khabar_१२", "IN")
	if !has(es, KindHashtag, "चनाव२०२४") || !has(es, KindHandle, "khabar_१२") {
		t.Errorf("hashtag or handle changed: %+v", es)
	}
}
