package tips

import (
	"crypto/sha256"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// EntityKind says what an entity is.
type EntityKind string

// Entity kinds.
const (
	KindURL     EntityKind = "url"
	KindDomain  EntityKind = "domain"
	KindHandle  EntityKind = "handle"
	KindPhone   EntityKind = "phone"
	KindEmail   EntityKind = "email"
	KindWallet  EntityKind = "wallet"
	KindHashtag EntityKind = "hashtag"
)

// Entity is something a tip names that other tips may name too. Value is
// the canonical form (what is compared and indexed); Display is readable.
type Entity struct {
	Kind    EntityKind
	Value   string
	Display string
}

// Key is the entity's identity for indexing: kind and canonical value.
func (e Entity) Key() string { return string(e.Kind) + ":" + e.Value }

var (
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'` + "`" + `]+`)
	emailRE = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b`)
	phoneRE = regexp.MustCompile(`\+?\(?\d[\d\s().-]{6,30}\d`)
	// A handle's letters keep their combining marks and the non-joiners
	// Neutralize keeps inside a word, as a hashtag's do: "@hola\u0331mundo"
	// was "@hola", "@khabar_हिंदी" "@khabar_ह", "@हिंदी" no handle at all.
	handleRE = regexp.MustCompile(`(?:^|[^\p{L}\p{M}\p{N}_@.])@((?:[\p{L}\p{N}_][\p{M}\x{200C}]*|\.){2,30})`)
	// A hashtag's letters keep their combining marks: NFKC composes
	// "e\u0301" into "é", but no precomposed letter exists for most
	// ("q\u0301", Devanagari's vowel signs in "#हिंदी"), and the tag went
	// on to the end, not to the first mark. So does a zero-width
	// non-joiner, which Neutralize keeps only inside a word of a script
	// written with it (Persian "#می‌خواهم"): the tag is the whole word,
	// and the same entity as the word written without it (Fold drops it).
	hashtagRE = regexp.MustCompile(`(?:^|[^\p{L}\p{M}\p{N}_&])#((?:[\p{L}\p{N}_][\p{M}\x{200C}]*){2,60})`)
	ethRE     = regexp.MustCompile(`\b0x[0-9a-fA-F]{40}\b`)
	btcRE     = regexp.MustCompile(`\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71})\b`)
	tronRE    = regexp.MustCompile(`\bT[1-9A-HJ-NP-Za-km-z]{33}\b`)
)

// pastHandleRE and pastHashtagREs are how handles and hashtags were read
// before they kept their combining marks and the non-joiners Neutralize
// keeps (3ad48a5; 939673a, then 7d31a49): "@khabar_हिंदी" was the handle
// "khabar_ह", "#می‌خواهم" the hashtag "می". A tip indexed then is a member
// of those entities (PastEntities).
var (
	pastHandleRE   = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_.]{2,30})`)
	pastHashtagREs = []*regexp.Regexp{
		regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]{2,60})`),
		regexp.MustCompile(`(?:^|[^\p{L}\p{M}\p{N}_&])#((?:[\p{L}\p{N}_]\p{M}*){2,60})`),
	}
)

// PastEntities are the handles and hashtags earlier versions of Extract
// read in text and Extract no longer does (pastHandleRE, pastHashtagREs):
// a tip indexed then is a member of them, and a purge must take it out of
// them too. A tip indexed since is in none of them.
func PastEntities(text string) []Entity {
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	if !strings.ContainsAny(text, "@#") {
		return nil
	}
	seen := map[string]bool{}
	for _, e := range Extract(text, "") {
		seen[e.Key()] = true
	}
	text = prepare(text)
	var out []Entity
	add := func(e Entity) {
		if !seen[e.Key()] {
			seen[e.Key()] = true
			out = append(out, e)
		}
	}
	for _, m := range pastHandleRE.FindAllStringSubmatch(text, 100) {
		h := foldHandle(strings.TrimRight(m[1], "."))
		add(Entity{Kind: KindHandle, Value: h, Display: "@" + h})
	}
	for _, re := range pastHashtagREs {
		for _, m := range re.FindAllStringSubmatch(text, 100) {
			add(Entity{Kind: KindHashtag, Value: foldMarkless(m[1]), Display: "#" + m[1]})
		}
	}
	return out
}

// PastLinkEntities are the entities Extract read in text's Telegram links
// before t.me, telegram.me and telegram.dog were read alike and the
// path's first word in any case (774bbac), and no longer reads: the
// domain "telegram.dog" of a link there, and the account "s", "joinchat"
// or "c" (with its bare handle) of "t.me/S/name", "T.ME/JoinChat/…",
// "t.me/C/…" (the first word not in lower case). A tip indexed then is a
// member of them, and a purge or /forget must take it out of them too. A
// tip indexed since is in none of them.
//
// And the accounts its links were read as before the blanks around an
// account's name, and the control and format characters in it, were
// taken out (accountName): "t.me/vigia_user%00" was the account
// "vigia_user\x00" (with its bare handle), now "vigia_user"; and the
// domain "vigiauser.t.me" of a link to "<name>.t.me", now the account
// name, as t.me/name is (telegramSubdomain), and no domain.
// And the accounts "<name>.t.me" was read as before telegramSubdomain
// kept to usernames Telegram gives (4 to 32 letters, digits or "_", not
// "s", "c" or "joinchat"): "s.t.me" was the account "s"; and those
// "t.me/<name>" was read as before it kept to them too: "t.me/share/…"
// was the account "share", "t.me/boost/name" the account "boost".
// And the handles read before confusables held ӏ, ԛ, ԝ, ɑ and ɡ
// (foldHandlePast): "@ɑlfa_99" was "ɑlfa_99", now "alfa_99".
// And every entity read before the zero-width joiners next to an ASCII
// letter or digit or a full stop went (prepare): "@sica\u200drio" was
// the handle "sica", now "sicario"; "044 \u200d55 1234 5678" the phone
// number +52 55 1234 5678 in Mexico. region is the one the index reads
// phone numbers in (Extract's).
func PastLinkEntities(text, region string) []Entity {
	now := Extract(text, region)
	seen := map[string]bool{}
	for _, e := range now {
		seen[e.Key()] = true
	}
	var out []Entity
	add := func(e Entity) {
		if !seen[e.Key()] {
			seen[e.Key()] = true
			out = append(out, e)
		}
	}
	// (Read, as it was then, with "<name>.t.me" of any name: "ab.t.me"
	// written bare was a link, and its domain then.)
	for _, e := range extractAs(text, "", true, true) {
		if e.Kind == KindHandle || e.Kind == KindDomain {
			add(e)
		}
	}
	// The accounts "<name>.t.me" was read as before telegramSubdomain
	// kept to usernames Telegram gives ("s.t.me", a name of 40 letters),
	// with their bare handles (every text: "．t．me" is ".t.me" to
	// Extract), and the link itself: "ab.t.me" written bare, or a name
	// with a "_" ("a_b.t.me", no host name's), is no link now.
	for _, e := range extractAs(text, "", false, true) {
		add(e)
	}
	// And what it read before the zero-width joiners next to an ASCII
	// letter or digit or a full stop went (prepare), as each reading
	// above: "sica\u200drio@mail.example" was the address
	// "rio@mail.example", "@sica\u200drio" the handle "sica",
	// "https://ev\u200dil.example/x" a link of another host, "044
	// \u200d55 1234 5678" the number after the joiner (in region).
	if strings.Contains(text, "\u200d") {
		for _, r := range []struct{ past, anySubdomain bool }{{false, false}, {true, true}, {false, true}} {
			for _, e := range extractRead(text, region, r.past, r.anySubdomain, prepareKeepingJoiners) {
				add(e)
			}
		}
	}
	for _, e := range now {
		if e.Kind != KindURL {
			continue
		}
		// e.Value is the link as Extract writes it: host lowered, no
		// scheme, no "www.".
		u, err := url.Parse("http://" + e.Value)
		if err != nil {
			continue
		}
		switch u.Host {
		case "telegram.dog":
			add(Entity{Kind: KindDomain, Value: "telegram.dog", Display: "telegram.dog"})
		case "t.me", "telegram.me":
			first, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
			if l := strings.ToLower(first); first != l && (l == "s" || l == "joinchat" || l == "c") {
				h := foldHandle(first)
				add(Entity{Kind: KindHandle, Value: "telegram:" + h, Display: "telegram @" + h})
				add(Entity{Kind: KindHandle, Value: h, Display: "@" + h})
			}
		}
	}
	return out
}

// PastForms are the forms entity e, read in text, was indexed under
// before handles and hashtags kept their marks: the PastEntities of text
// of e's kind that e's value starts with ("@khabar_हिंदी" was the handle
// "khabar_ह"). Tips indexed then are under those, not under e.
func PastForms(text string, e Entity) []Entity {
	return PastFormsAmong(PastEntities(text), e)
}

// PastFormsAmong is PastForms given the PastEntities of the text (past):
// for a text of many entities, read once, not once per entity.
func PastFormsAmong(past []Entity, e Entity) []Entity {
	var out []Entity
	for _, p := range past {
		if p.Kind == e.Kind && p.Value != e.Value && strings.HasPrefix(e.Value, p.Value) {
			out = append(out, p)
		}
	}
	return out
}

// trackingParams are query parameters that only identify who shared a link.
func trackingParam(k string) bool {
	k = strings.ToLower(k)
	return strings.HasPrefix(k, "utm_") || k == "fbclid" || k == "gclid" || k == "igshid" || k == "igsh" ||
		k == "mc_eid" || k == "ref_src" || k == "si" || k == "mibextid"
}

// Extract finds the entities text names: links (normalised), their domains
// and social profiles, phone numbers (E.164, read in region when they carry
// no country code), e-mail addresses, crypto wallets and hashtags. Each
// entity appears once. region is an ISO country code such as "MX".
func Extract(text, region string) []Entity { return extract(text, region, false) }

// extract is Extract, or with past set, as it read text before an
// account's name in a link was read without blanks (accountName) and
// before confusables held ӏ, ԛ, ԝ, ɑ and ɡ (foldHandlePast): PastLinkEntities
// compares the two.
func extract(text, region string, past bool) []Entity {
	return extractAs(text, region, past, false)
}

// extractAs is extract, with anySubdomain set reading "<name>.t.me" as
// the account name whatever its length or name (telegramSubdomainAny),
// and "t.me/<name>" likewise, as Extract did before both kept to
// usernames Telegram gives (telegramUsername): PastLinkEntities compares
// the two.
func extractAs(text, region string, past, anySubdomain bool) []Entity {
	return extractRead(text, region, past, anySubdomain, prepare)
}

// extractRead is extractAs with text readied for matching by read:
// prepare, or prepareKeepingJoiners as Extract read it before it dropped
// the zero-width joiners next to an ASCII letter or digit (PastLinkEntities).
func extractRead(text, region string, past, anySubdomain bool, read func(string) string) []Entity {
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	text = read(text)
	seen := map[string]bool{}
	var out []Entity
	add := func(e Entity) {
		if e.Value == "" || seen[e.Key()] {
			return
		}
		seen[e.Key()] = true
		out = append(out, e)
	}
	// Each pattern runs only where the text has what any match needs (a
	// scheme or "www.", an @, a #, a long alphanumeric run, two digits):
	// most tips have few entities, and the patterns were most of the
	// indexer's time.
	if mayHaveLink(text) {
		for _, raw := range urlRE.FindAllString(text, 200) {
			for _, e := range urlEntities(strings.TrimRight(raw, ".,;:!?)]}»"), region, past, anySubdomain) {
				add(e)
			}
		}
	}
	if strings.Contains(text, ".") {
		// Links written without a scheme ("instagram.com/halcon",
		// "t.me/canal", "pago-piso.mx"), as people type them.
		for _, raw := range bareLinks(text, region, 200, anySubdomain) {
			for _, e := range urlEntities(raw, region, past, anySubdomain) {
				add(e)
			}
		}
	}
	if mayHaveAddress(text) {
		for _, m := range emailRE.FindAllString(text, 100) {
			v := strings.ToLower(m)
			add(Entity{Kind: KindEmail, Value: v, Display: v})
		}
		for _, m := range handleRE.FindAllStringSubmatch(text, 100) {
			h := foldHandle(strings.TrimRight(m[1], "."))
			if past {
				h = foldHandlePast(strings.TrimRight(m[1], "."))
			}
			add(Entity{Kind: KindHandle, Value: h, Display: "@" + h})
		}
	}
	if mayHaveHashtag(text) {
		for _, m := range hashtagRE.FindAllStringSubmatch(text, 100) {
			add(Entity{Kind: KindHashtag, Value: foldMarkless(m[1]), Display: "#" + m[1]})
		}
	}
	if mayHaveWallet(text) {
		extractWallets(text, add)
	}
	if phones := ASCIIDigits(text); mayHavePhone(phones) {
		extractPhones(phones, region, add)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// bareLinks returns, up to max, the words of text that are links without
// a scheme: a host name whose last label is a top-level domain (ICANN's
// part of the public suffix list, so "hola.que" and "foto.jpg" are not),
// and maybe a path. Words with a scheme, "www." or an @ are the other
// patterns'.
func bareLinks(text, region string, max int, anySubdomain bool) []string {
	var out []string
	for rest := text; rest != "" && len(out) < max; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		// The word around the full stop.
		start := strings.LastIndexFunc(rest[:i], unicode.IsSpace) + 1
		end := strings.IndexFunc(rest[i:], unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		} else {
			end += i
		}
		w := rest[start:end]
		rest = rest[end:]
		if strings.Contains(w, "://") || strings.ContainsRune(w, '@') || hasWWW(w) {
			continue
		}
		w = strings.TrimLeft(w, "([{«\"'¿¡")
		w = strings.TrimRight(w, ".,;:!?)]}»\"'")
		host, path, _ := strings.Cut(w, "/")
		if bareHost(host, region, path != "", anySubdomain) {
			out = append(out, w)
		}
	}
	return out
}

// bareHost says whether s is a host name under a real top-level domain.
// Without a path, people join words with a full stop ("eso.es",
// "dinero.de", "casa.La", "3.Se", "S.A.de") and name files ("foto.jpg",
// "script.py"): then only a generic domain or the region's own counts, and
// not where the last label is capitalised as a sentence's first word.
func bareHost(s, region string, withPath, anySubdomain bool) bool {
	lower := strings.ToLower(s)
	if _, ok := subdomainAccount(lower, anySubdomain); ok {
		return true // "vigia_user.t.me", with or without a path: a Telegram account
	}
	labels := strings.Split(lower, ".")
	tld := labels[len(labels)-1]
	if len(labels) < 2 || fileExtensionTLDs[tld] { // "video.mov", "fotos.zip": files more often than sites
		return false
	}
	if !withPath {
		last := s[strings.LastIndexByte(s, '.')+1:]
		if r, _ := utf8.DecodeRuneInString(last); unicode.IsUpper(r) && strings.ToUpper(last) != last {
			return false // "casa.La": a sentence break
		}
		if strings.Trim(labels[0], "0123456789") == "" {
			return false // "3.Se", "1.de"
		}
		if !genericTLDs[tld] && tld != strings.ToLower(region) {
			return false
		}
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
		for _, r := range l {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return false
			}
		}
	}
	ascii := lower
	if !isASCII(ascii) {
		var err error
		if ascii, err = idna.Lookup.ToASCII(ascii); err != nil {
			return false
		}
	}
	suffix, icann := publicsuffix.PublicSuffix(ascii)
	return icann && suffix != ascii
}

var fileExtensionTLDs = map[string]bool{"zip": true, "mov": true}

// genericTLDs are the top-level domains a link without a path is taken
// under (besides the region's own): generic ones sites use, and country
// codes used as generic ones. Not "me", "es", "de" or "si": words.
var genericTLDs = map[string]bool{"com": true, "net": true, "org": true, "info": true, "biz": true, "io": true,
	"co": true, "app": true, "dev": true, "xyz": true, "online": true, "site": true, "store": true, "shop": true,
	"live": true, "tv": true, "ly": true, "gg": true}

// What any match of a pattern needs: where it is missing, the pattern
// cannot match (FuzzExtractSkipsOnlyWhatCannotMatch checks it).
func mayHaveLink(s string) bool {
	lower := strings.ToLower(s)
	return strings.Contains(lower, "://") || strings.Contains(lower, "www.")
}
func mayHaveAddress(s string) bool { return strings.IndexByte(s, '@') >= 0 } // e-mails, handles
func mayHaveHashtag(s string) bool { return strings.IndexByte(s, '#') >= 0 }
func mayHaveWallet(s string) bool  { return hasAlnumRun(s, 14) } // the shortest: "bc1" and 11 more
func mayHavePhone(s string) bool   { return countDigits(s) >= 2 }

// hasAlnumRun reports whether s has n ASCII letters or digits in a row.
func hasAlnumRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// countDigits counts the ASCII digits in s.
func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// extractWallets adds the text's ETH, BTC and TRON addresses.
func extractWallets(text string, add func(Entity)) {
	for _, m := range ethRE.FindAllString(text, 20) {
		v := strings.ToLower(m)
		add(Entity{Kind: KindWallet, Value: "eth:" + v, Display: m})
	}
	for _, m := range btcRE.FindAllString(text, 20) {
		if validBTC(m) {
			v := m
			if strings.HasPrefix(strings.ToLower(m), "bc1") {
				v = strings.ToLower(m)
			}
			add(Entity{Kind: KindWallet, Value: "btc:" + v, Display: m})
		}
	}
	for _, m := range tronRE.FindAllString(text, 20) {
		if b, ok := base58Check(m); ok && len(b) == 21 && b[0] == 0x41 {
			add(Entity{Kind: KindWallet, Value: "trx:" + m, Display: m})
		}
	}
}

// extractPhones adds the text's phone numbers.
func extractPhones(text, region string, add func(Entity)) {
	for _, m := range phoneCandidates(text, 100) {
		if e, ok := phone(m, region); ok {
			add(e)
			continue
		}
		// Two numbers separated by a space read as one: try the halves.
		fields := strings.Fields(m)
		for i := 1; i < len(fields); i++ {
			if e, ok := phone(strings.Join(fields[:i], " "), region); ok {
				if e2, ok := phone(strings.Join(fields[i:], " "), region); ok {
					add(e)
					add(e2)
					break
				}
			}
		}
	}
}

// phoneCandidates is phoneRE.FindAllString(text, n), as a scan: the
// expression backtracked over every digit of a tip, a fifth of
// extraction's time for one with a phone number. Its matches, leftmost
// first: an optional "+", an optional "(", a digit, then as many of 6 to
// 30 characters of digits, ASCII spaces, "()." and "-" as leave a digit
// right after them, that digit ending it (FuzzPhoneCandidatesArePhoneRE
// holds it to the expression).
func phoneCandidates(text string, n int) []string {
	var out []string
	for p := 0; p < len(text) && len(out) < n; {
		end := phoneAt(text, p)
		if end < 0 {
			p++
			continue
		}
		out = append(out, text[p:end])
		p = end
	}
	return out
}

// phoneAt is where phoneRE's match starting at text[p] ends, or -1.
func phoneAt(text string, p int) int {
	d := p
	if d < len(text) && text[d] == '+' {
		d++
	}
	if d < len(text) && text[d] == '(' {
		d++
	}
	if d >= len(text) || !isDigit(text[d]) {
		return -1
	}
	// The class's run after the first digit, as far as a match may reach
	// (30 of it, then the last digit): the match ends at its last digit
	// with 6 to 30 before it.
	run := d + 1
	for run < len(text) && run <= d+31 && phoneClass(text[run]) {
		run++
	}
	for k := run - 1; k >= d+7; k-- {
		if isDigit(text[k]) {
			return k + 1
		}
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// phoneClass is phoneRE's [\d\s().-] (\s: ASCII "\t\n\f\r ").
func phoneClass(c byte) bool {
	switch c {
	case '\t', '\n', '\f', '\r', ' ', '(', ')', '.', '-':
		return true
	}
	return isDigit(c)
}

// prepare readies text for matching without folding case (wallets and URL
// paths are case-sensitive): NFKC turns full-width digits and letters into
// plain ones, Arabic-Indic and Persian digits (which NFKC leaves) become
// ASCII ones too, so that a phone number typed on such a keyboard is read,
// and invisible characters go. So does a zero-width joiner next to an
// ASCII letter or digit or a full stop (dropHostJoiners), which Neutralize
// keeps for emoji and scripts: Defang takes the same ones out of what
// investigators read, and inside a name it cut the entity short, or made
// another of it ("sica\u200drio@mail.example" was "rio@mail.example",
// "@sica\u200drio" "@sica", "33 1234\u200d5678" no phone number).
func prepare(s string) string {
	s = prepareKeepingJoiners(s)
	if strings.Contains(s, "\u200d") {
		s = dropHostJoiners(s)
	}
	return s
}

// prepareKeepingJoiners is prepare as it read text before it dropped
// those zero-width joiners: PastLinkEntities reads text so too.
func prepareKeepingJoiners(s string) string { return Neutralize(WesternDigits(nfkc(s))) }

// WesternDigits writes Arabic-Indic (U+0660…) and Extended Arabic-Indic
// (Persian, U+06F0…) digits as ASCII ones.
func WesternDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= '٠' && r <= '٩' || r >= '۰' && r <= '۹' }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + r - '٠'
		case r >= '۰' && r <= '۹':
			return '0' + r - '۰'
		}
		return r
	}, s)
}

// ASCIIDigits is text with the decimal digits of every script written as
// ASCII ones (DigitValue: Devanagari "५५१२…", Bengali, Thai…). Extract
// reads phone numbers so, and them alone: a number typed on such a
// keyboard is the number, as one typed on an Arabic one is (prepare);
// links, handles, hashtags and words keep their digits as typed, so the
// keys they are indexed under stay. Commands read their numbers so too.
func ASCIIDigits(text string) string {
	if !strings.ContainsFunc(text, func(r rune) bool { return r > unicode.MaxASCII && unicode.Is(unicode.Nd, r) }) {
		return text
	}
	return strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII {
			if d := DigitValue(r); d >= 0 {
				return '0' + rune(d)
			}
		}
		return r
	}, text)
}

// phone parses a candidate as a phone number; numbers without a country
// code are read in region.
func phone(candidate, region string) (Entity, bool) {
	digits := 0
	for _, r := range candidate {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return Entity{}, false
	}
	// Mexican mobiles used to be dialled +52 1 …; WhatsApp links still say so.
	if c := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, candidate); strings.HasPrefix(c, "+521") && len(c) == 14 {
		candidate = "+52" + c[4:]
	}
	n, err := phonenumbers.Parse(candidate, strings.ToUpper(region))
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return Entity{}, false
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	return Entity{Kind: KindPhone, Value: e164, Display: phonenumbers.Format(n, phonenumbers.INTERNATIONAL)}, true
}

// urlEntities normalises a link and derives its domain and, for social
// networks, the profile it points to.
func urlEntities(raw, region string, past, anySubdomain bool) []Entity {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	ascii, err := idna.Lookup.ToASCII(host)
	if _, ok := subdomainAccount(host, anySubdomain); err != nil && ok && !past {
		// "vigia_user.t.me": a "_" is no host name's to IDNA, but
		// Telegram opens it as t.me/vigia_user, as most usernames have one.
		ascii, err = host, nil
	}
	if err != nil {
		return nil
	}
	unicodeHost, err := idna.Display.ToUnicode(ascii)
	if err != nil {
		unicodeHost = ascii
	}
	q := u.Query()
	for k := range q {
		if trackingParam(k) {
			q.Del(k)
		}
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	canon := strings.TrimPrefix(ascii, "www.") + path
	if enc := q.Encode(); enc != "" {
		canon += "?" + enc
	}
	domain := strings.TrimPrefix(ascii, "www.")
	out := []Entity{{Kind: KindURL, Value: canon, Display: strings.TrimPrefix(unicodeHost, "www.") + path}}
	// Platform and shortener domains say nothing by themselves: every tip
	// with a Facebook link would "corroborate" facebook.com.
	if _, account := subdomainAccount(domain, anySubdomain); !platformDomain(domain) && (past || !account) {
		out = append(out, Entity{Kind: KindDomain, Value: domain, Display: strings.TrimPrefix(unicodeHost, "www.")})
	}
	if p := profile(domain, strings.Split(strings.Trim(u.Path, "/"), "/"), q, region, past, anySubdomain); p.Value != "" {
		out = append(out, p)
		// A profile link and an @mention of the same name are one entity.
		if network, h, ok := strings.Cut(p.Value, ":"); ok && p.Kind == KindHandle && network != "facebook" || ok && p.Kind == KindHandle && !strings.HasPrefix(h, "id:") {
			out = append(out, Entity{Kind: KindHandle, Value: h, Display: "@" + h})
		}
	}
	return out
}

// platformDomain lists social networks, messengers and link shorteners.
func platformDomain(d string) bool {
	switch d {
	case "facebook.com", "m.facebook.com", "fb.com", "fb.me", "instagram.com", "tiktok.com", "vm.tiktok.com", "x.com", "twitter.com",
		"mobile.twitter.com", "t.me", "telegram.me", "telegram.dog", "wa.me", "api.whatsapp.com", "chat.whatsapp.com", "youtube.com", "youtu.be",
		"google.com", "maps.google.com", "goo.gl", "bit.ly", "tinyurl.com", "t.co", "ow.ly", "linktr.ee":
		return true
	}
	return false
}

// DomainEntity reads a bare domain ("example.com") as a domain entity, for
// lookups where a scheme is not typed.
func DomainEntity(s string) (Entity, bool) {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "www.")
	if !domainPattern.MatchString(s) || strings.ContainsAny(s, " /@") {
		return Entity{}, false
	}
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return Entity{}, false
	}
	display, _ := idna.Display.ToUnicode(ascii)
	return Entity{Kind: KindDomain, Value: ascii, Display: display}, true
}

// profile recognises a social-media profile link.
func profile(domain string, parts []string, q url.Values, region string, past, anySubdomain bool) Entity {
	first := ""
	if len(parts) > 0 {
		first = parts[0]
	}
	handle := func(network, h string) Entity {
		if past {
			h = foldHandlePast(strings.TrimPrefix(h, "@"))
		} else {
			h = foldHandle(accountName(h))
		}
		if h == "" || strings.ContainsAny(h, "?#") {
			return Entity{}
		}
		return Entity{Kind: KindHandle, Value: network + ":" + h, Display: network + " @" + h}
	}
	switch domain {
	case "t.me", "telegram.me", "telegram.dog":
		// Telegram's three link hosts open the same accounts, and read
		// the path's first word in any case: "t.me/S/name" is the public
		// preview of name, as "t.me/s/name" is.
		if past || anySubdomain {
			// (As read before the path's account was kept to usernames
			// Telegram gives: PastLinkEntities.)
			switch strings.ToLower(first) {
			case "s":
				if len(parts) > 1 {
					return handle("telegram", parts[1])
				}
			case "", "joinchat", "c":
			default:
				return handle("telegram", first)
			}
			break
		}
		// The account is the path's first word, or the one after "s/"
		// (a channel's public preview) or "boost/" (a channel's boost
		// page), and only a name Telegram gives one (telegramUsername):
		// "t.me/share/url?…", "t.me/addstickers/…", "t.me/+invite",
		// "t.me/ab" open no account, and would corroborate one.
		name := first
		switch strings.ToLower(first) {
		case "s", "boost":
			if len(parts) < 2 {
				return Entity{}
			}
			name = parts[1]
		}
		if e := handle("telegram", name); e.Value != "" && telegramUsername(strings.TrimPrefix(e.Value, "telegram:")) {
			return e
		}
	case "facebook.com", "m.facebook.com", "fb.com":
		if first == "profile.php" && q.Get("id") != "" {
			return Entity{Kind: KindHandle, Value: "facebook:id:" + q.Get("id"), Display: "facebook id " + q.Get("id")}
		}
		if first != "" && first != "groups" && first != "share" && first != "watch" {
			return handle("facebook", first)
		}
	case "instagram.com":
		if first != "" && first != "p" && first != "reel" && first != "stories" {
			return handle("instagram", first)
		}
	case "tiktok.com":
		if strings.HasPrefix(first, "@") {
			return handle("tiktok", first)
		}
	case "x.com", "twitter.com", "mobile.twitter.com":
		if first != "" && first != "i" && first != "search" && first != "hashtag" {
			return handle("x", first)
		}
	case "wa.me", "api.whatsapp.com":
		num := first
		if num == "send" || num == "" {
			num = q.Get("phone")
		}
		if e, ok := phone("+"+strings.TrimPrefix(num, "+"), region); ok {
			return e
		}
	default:
		// "<name>.t.me", as Telegram opens t.me/<name>.
		if name, ok := subdomainAccount(domain, anySubdomain); ok && !past {
			return handle("telegram", name)
		}
	}
	return Entity{}
}

// telegramSubdomain is the account a host on t.me names, "<name>.t.me",
// where name (lower case, as a host is read) is a username whole, as
// Telegram reads one (TelegramUsername: letters, digits and "_"), and
// one Telegram gives: of minUsername to maxUsername of them, and not a
// word t.me/ reads as no account ("s", "c", "joinchat": Extract reads
// t.me/s/name as name). Not "x.name.t.me", "vigia-user.t.me",
// "xn--….t.me", "ab.t.me", nor a name of thousands of letters.
func telegramSubdomain(host string) (string, bool) {
	name, ok := telegramSubdomainAny(host)
	return name, ok && telegramUsername(name)
}

// telegramUsername reports whether name, folded, is a username Telegram
// gives: minUsername to maxUsername letters, digits and "_" (as
// TelegramUsername reads one), and no word of t.me's own links
// (telegramLinkWords). The account of "<name>.t.me" and of
// "t.me/<name>" alike.
func telegramUsername(name string) bool {
	return len(name) >= minUsername && len(name) <= maxUsername && TelegramUsername(name) == name &&
		!slices.Contains(telegramLinkWords, name)
}

// telegramLinkWords are the words t.me reads at the start of a link's
// path as one of its own links, not an account (Telegram's deep links:
// a group's invitation, a sticker or emoji set, a theme, a language, a
// share, a proxy, a login, a phone confirmation, an invoice, a chat
// folder, a boost, a contact, a gift code), of a username's length.
var telegramLinkWords = []string{"joinchat", "addstickers", "addemoji", "addtheme", "setlanguage", "share",
	"proxy", "socks", "login", "confirmphone", "invoice", "addlist", "boost", "contact", "giftcode"}

// Telegram's usernames are of 5 to 32 letters, digits and "_"; those
// sold as collectibles (on Fragment) of 4 too.
const (
	minUsername = 4
	maxUsername = 32
)

// telegramSubdomainAny is telegramSubdomain as Extract read it before
// (extractAs with anySubdomain): a name of any length, "s", "c" and
// "joinchat" too.
func telegramSubdomainAny(host string) (string, bool) {
	name, ok := strings.CutSuffix(host, ".t.me")
	return name, ok && name != "" && name != "www" && TelegramUsername(name) == name
}

// subdomainAccount is telegramSubdomain, or with unbounded set
// telegramSubdomainAny.
func subdomainAccount(host string, unbounded bool) (string, bool) {
	if unbounded {
		return telegramSubdomainAny(host)
	}
	return telegramSubdomain(host)
}

// accountName is the account a link's path names in h, its word decoded
// ("t.me/vigia_user%00" gives "vigia_user\x00"), as Telegram opens it
// (TelegramUsername): the blanks before it skipped (spaces, control and
// format characters, as Blank reads them, and an "@" among them), and
// what follows a blank in it ignored, format characters aside (Fold
// drops those: "vigia\u200buser" is "vigiauser", as before).
// "vigia_user\x00", " @vigia_user", "vigia_user\u00a0" are the account
// "vigia_user", not an index key of their own that shows investigators
// the name with a control character in it; "vigia_use\x00r" is the
// account "vigia_use", never "vigia_user".
func accountName(h string) string {
	blank := func(r rune) bool { return Blank(string(r)) }
	h = strings.TrimLeftFunc(h, blank)
	if t, ok := strings.CutPrefix(h, "@"); ok {
		h = strings.TrimLeftFunc(t, blank)
	}
	if end := strings.IndexFunc(h, func(r rune) bool { return blank(r) && !unicode.Is(unicode.Cf, r) }); end >= 0 {
		h = h[:end]
	}
	return strings.TrimRightFunc(h, blank)
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Check decodes a Base58Check string and verifies its checksum.
func base58Check(s string) ([]byte, bool) {
	if len(s) > 64 {
		return nil, false
	}
	n := new(big.Int)
	for _, c := range s {
		i := strings.IndexRune(base58Alphabet, c)
		if i < 0 {
			return nil, false
		}
		n.Mul(n, big.NewInt(58))
		n.Add(n, big.NewInt(int64(i)))
	}
	b := n.Bytes()
	for _, c := range s {
		if c != '1' {
			break
		}
		b = append([]byte{0}, b...)
	}
	if len(b) < 5 {
		return nil, false
	}
	payload, sum := b[:len(b)-4], b[len(b)-4:]
	h := sha256.Sum256(payload)
	h = sha256.Sum256(h[:])
	return payload, string(h[:4]) == string(sum)
}

// validBTC checks a Bitcoin address: Base58Check for legacy ones, the
// bech32/bech32m checksum for bc1 ones.
func validBTC(s string) bool {
	if strings.HasPrefix(strings.ToLower(s), "bc1") {
		return bech32Valid(strings.ToLower(s))
	}
	b, ok := base58Check(s)
	return ok && len(b) == 21 && (b[0] == 0x00 || b[0] == 0x05)
}

func bech32Valid(s string) bool {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return false
	}
	hrp, data := s[:pos], s[pos+1:]
	values := make([]int, 0, len(hrp)*2+1+len(data))
	for i := 0; i < len(hrp); i++ {
		values = append(values, int(hrp[i])>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, int(hrp[i])&31)
	}
	for _, c := range data {
		d := strings.IndexRune(charset, c)
		if d < 0 {
			return false
		}
		values = append(values, d)
	}
	gen := []int{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := 1
	for _, v := range values {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ v
		for i := range 5 {
			if (b>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk == 1 || chk == 0x2bc830a3 // bech32 or bech32m
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
