package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/tips"
)

// propertyTexts are tips of one text as reporters send them: the bench's
// kind (50–1,000 characters of words in Spanish, Portuguese, English or
// French, links, phones, handles), and the edges: one character, the
// longest message (4,096 characters, of four bytes each), what JSON
// escapes, a receipt-like string, bidi and zero-width characters.
func propertyTexts() []string {
	words := strings.Fields("extorsión cobro piso mercado halcones cobrança moradores milícia tiroteio threatened weekly " +
		"commerçants menacés guetteurs réseau de la el que do da the and les des https://sitio1.example/p/2 @usuario7 55 1234 5678")
	r := rand.New(rand.NewPCG(42, 7))
	var out []string
	for range 40 {
		n := 50 + int(950*r.Float64()*r.Float64())
		var b strings.Builder
		for utf8.RuneCountInString(b.String()) <= n {
			b.WriteString(words[r.IntN(len(words))] + " ")
		}
		out = append(out, strings.TrimSpace(tips.TruncateRunes(b.String(), n)))
	}
	return append(out,
		"x",
		strings.Repeat("\U0001F52B", 4096),
		strings.Repeat("ñ", 4096),
		`<b>"citas" & \barras\</b> `+"\u2028\u2029\t\r\n\x00\x1f\x7f",
		"\u202e\u200b\ufeffcobran",
		"K7QD 9XMA R2TP 4WZN no es un código",
	)
}

// Every tip of one text the engine stores (SubmitDraft, in every language
// of the bundle) is stored, while writeCompactTips is false, as the very
// JSON it was stored as before the compact form; and it has a compact
// form, which reads back as the stored tip does: flipping
// writeCompactTips would lose nothing of any of them.
func TestEveryStoredTipOfOneTextRoundTripsCompact(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	texts := propertyTexts()
	for i, text := range texts {
		lang := locales.Supported[i%len(locales.Supported)]
		p := s.Pseudonym("telegram", "u"+lang)
		d, err := s.AddToDraft(ctx, p, DraftPart{EventID: int64(i + 1), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.SubmitDraft(ctx, p, d.ID, lang)
		if err != nil {
			t.Fatalf("tip %d: %v", i, err)
		}
		fields := s.rdb.HGetAll(ctx, s.k.tip(sub.TipID)).Val()
		st, dataKey, err := s.openStored(sub.TipID, fields)
		if err != nil {
			t.Fatalf("tip %d: %v", i, err)
		}
		plain, err := open(dataKey, []byte(fields["d"]), "tip:"+sub.TipID)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(plain, js) {
			t.Errorf("tip %d (%s) is stored as %.40q, not as its JSON %.40q", i, lang, plain, js)
		}
		if st.Content.Language != lang || st.Reporter != reporterOf(p) || len(st.Content.Parts) != 1 {
			t.Fatalf("tip %d stored as %+v", i, st)
		}
		c, err := encodeSealedTip(st, true)
		if err != nil || len(c) == 0 || c[0] != compactTipForm {
			t.Fatalf("tip %d (%s, %d bytes) has no compact form: %.40q (%v)", i, lang, len(text), c, err)
		}
		for _, flags := range []struct{ across, cut bool }{{true, false}, {true, true}, {false, false}, {false, true}} {
			want := st
			want.AcrossCut, want.CodeCut = flags.across, flags.cut
			var got sealedTip
			if err := decodeSealedTip(compactTip(want), &got); err != nil {
				t.Fatalf("tip %d (%s): compact: %v", i, lang, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("tip %d (%s, across %v, cut %v): compact reads as another tip", i, lang, flags.across, flags.cut)
			}
		}
	}
}

// The compact form's reader, given any bytes after its first (a later
// writer's bug, not only a cut), never panics nor reads out of bounds:
// it reads a tip of one text, or gives errCompactTip. What it reads
// written again reads the same.
func FuzzCompactTipDecodesAnyBytes(f *testing.F) {
	for _, st := range sealedTipsOfEveryKind() {
		f.Add(compactTip(st)[1:])
	}
	for _, b := range [][]byte{{}, {0}, {0x08, 0, 0}, {compactHexPseudo, 1, 2}, {0, 5, 'a'}, {0, 0, 3, 'e'}, {compactHexPseudo}, {0, 255}, {0, 0, 255, 'x'}} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, rest []byte) {
		plain := append([]byte{compactTipForm}, rest...)
		var st sealedTip
		err := decodeSealedTip(plain, &st)
		if err != nil {
			if err != errCompactTip {
				t.Fatalf("%q: %v, not errCompactTip", plain, err)
			}
			return
		}
		if len(st.Content.Parts) != 1 || st.Content.Parts[0] != (tips.Part{Text: st.Content.Parts[0].Text}) {
			t.Fatalf("%q read as %+v, not a tip of one text", plain, st)
		}
		held := len(st.Reporter)
		if plain[1]&compactHexPseudo != 0 {
			held = len(st.Reporter) / 2 // its 16 bytes
		}
		if len(st.Content.Parts[0].Text)+len(st.Content.Language)+held > len(plain) {
			t.Fatalf("%q read as more than it holds: %+v", plain, st)
		}
		if c := compactTip(st); c != nil {
			var again sealedTip
			if err := decodeSealedTip(c, &again); err != nil || !reflect.DeepEqual(again, st) {
				t.Fatalf("%q read as %+v; written again, as %+v (%v)", plain, st, again, err)
			}
		}
	})
}
