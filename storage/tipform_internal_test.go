package storage

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// sealedTipsOfEveryKind are tips' sealed contents as SubmitDraft makes
// them, and a few it does not (no pseudonym, one that is not hex, no
// language, text JSON escapes).
func sealedTipsOfEveryKind() []sealedTip {
	const pseudo = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	one := func(text, lang, reporter string, across, cut bool) sealedTip {
		return sealedTip{Content: tips.Content{Parts: []tips.Part{{Text: text}}, Language: lang}, Reporter: reporter, AcrossCut: across, CodeCut: cut}
	}
	pt := "Na região da estação, atrás da farmácia, há um grupo que cobra extorsão dos ônibus e das lanchonetes. Não é só ameaça: já incendiaram três lojas. Os caminhões saem às três da manhã, sábado e domingo, com pó e armas escondidos. Ninguém fala por medo; não sei a quem recorrer, peço ajuda urgente, obrigado de coração"
	return []sealedTip{
		one(strings.Repeat("cobran piso en el mercado ", 11)[:280], "es", pseudo, true, false),
		one(pt, "pt", pseudo, true, true),
		one(`<b>"citas" & \barras\</b> `+"\u2028\t\x00\U0001F52B", "fr", pseudo, false, false),
		one("", "", "", false, false),
		one("sin idioma", "", pseudo, true, false),
		one("no hex", "en", "0F1E2D3C4B5A69788796A5B4C3D2E1F0", true, false), // upper case: not as hex.EncodeToString writes it
		one("otro", "en", "abc", true, false),
		one("mucho", "es", strings.Repeat("r", 255), true, false),
	}
}

// The compact form of a tip's sealed content reads back as the JSON of
// the same tip does, every field, and is 60 bytes or more shorter for a
// tip of 280 characters; tips it cannot hold stay JSON; a compact form
// cut short, or with a flag this version does not know, is an error,
// never a tip read wrong.
func TestCompactTipFormReadsAsItsJSON(t *testing.T) {
	for i, st := range sealedTipsOfEveryKind() {
		js, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var want sealedTip
		if err := decodeSealedTip(js, &want); err != nil {
			t.Fatalf("tip %d: JSON: %v", i, err)
		}
		c := compactTip(st)
		if len(c) == 0 || c[0] != compactTipForm {
			t.Fatalf("tip %d: no compact form: %q", i, c)
		}
		var got sealedTip
		if err := decodeSealedTip(c, &got); err != nil {
			t.Fatalf("tip %d: compact: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("tip %d: compact reads as %+v, JSON as %+v", i, got, want)
		}
		if n := len([]rune(st.Content.Text())); n >= 280 && len(js)-len(c) < 60 {
			t.Errorf("tip %d (%d characters): compact %d bytes, JSON %d: fewer than 60 saved", i, n, len(c), len(js))
		}
		for cut := 1; cut < len(c)-len(st.Content.Text()); cut++ { // (a cut in the text reads as a shorter text: the AEAD around it tells a whole value)
			if err := decodeSealedTip(c[:cut], &got); err == nil {
				t.Errorf("tip %d: cut to %d bytes, read as %+v", i, cut, got)
			}
		}
	}
	for i, st := range []sealedTip{
		{Content: tips.Content{Parts: []tips.Part{{Text: "a"}, {Text: "b"}}}},
		{Content: tips.Content{Parts: []tips.Part{{Text: "foto", Attachment: &tips.Attachment{Platform: "telegram", Kind: tips.Photo, FileRef: "f"}}}}},
		{Content: tips.Content{Parts: []tips.Part{{Location: &tips.Location{Lat: 19.43, Lon: -99.13}}}}},
		{Content: tips.Content{Parts: []tips.Part{{Text: "reenviado", Forward: &tips.Forward{Title: "canal"}}}}},
		{Content: tips.Content{Parts: []tips.Part{{Text: "no UTF-8 \xff"}}}},
		{Content: tips.Content{Parts: []tips.Part{{Text: "x"}}, Language: "\xfe"}},
		{Content: tips.Content{Parts: []tips.Part{{Text: "x"}}}, Reporter: "\xfe"},
		{Content: tips.Content{Parts: []tips.Part{{Text: "x"}}, Language: strings.Repeat("l", 256)}},
		{Content: tips.Content{Parts: []tips.Part{{Text: "x"}}}, Reporter: strings.Repeat("r", 256)},
		{Content: tips.Content{}},
	} {
		if c := compactTip(st); c != nil {
			t.Errorf("odd tip %d has a compact form %q: it would not read back as its JSON", i, c)
		}
		if b, err := encodeSealedTip(st, true); err != nil || len(b) == 0 || b[0] != '{' {
			t.Errorf("odd tip %d: encoded as %q (%v), not JSON", i, b, err)
		}
	}
	var st sealedTip
	for _, bad := range [][]byte{{compactTipForm}, {compactTipForm, 0x08, 0, 0}, {compactTipForm, compactHexPseudo, 1, 2}, {compactTipForm, 0, 5, 'a'}, {compactTipForm, 0, 0, 3, 'e'}} {
		if err := decodeSealedTip(bad, &st); err == nil {
			t.Errorf("%q read as a tip: %+v", bad, st)
		}
	}
}

// A tip whose sealed content is in the compact form (as a later version
// will write it) opens as the same tip in JSON does, wherever a tip is
// opened: Tip, Reporter (follow-ups), the indexer (it is found by /search).
func TestStoredCompactTipOpensAsItsJSON(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	text := "cobran piso a los comerciantes del mercado cada viernes por la tarde, una camioneta gris"
	asJSON := batchSubmit(t, s, "u1", 1, text)
	compact := batchSubmit(t, s, "u1", 2, text)
	// The second tip's content sealed again, in the compact form, under
	// its own data key.
	fields := s.rdb.HGetAll(ctx, s.k.tip(compact)).Val()
	st, dataKey, err := s.openStored(compact, fields)
	if err != nil {
		t.Fatal(err)
	}
	c := compactTip(st)
	if c == nil {
		t.Fatal("a tip of one text has no compact form")
	}
	blob, err := seal(dataKey, c, "tip:"+compact)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.HSet(ctx, s.k.tip(compact), "d", blob).Err(); err != nil {
		t.Fatal(err)
	}
	if n := len(fields["d"]) - len(blob); n < 60 {
		t.Errorf("the compact form saves %d bytes, fewer than 60", n)
	}
	want, err := s.Tip(ctx, asJSON)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Tip(ctx, compact)
	if err != nil {
		t.Fatalf("the compact tip does not open: %v", err)
	}
	if !reflect.DeepEqual(got.Content, want.Content) || got.AcrossCut != want.AcrossCut || got.Content.Text() != text {
		t.Errorf("the compact tip opens as %+v (across %v), the JSON one as %+v (across %v)", got.Content, got.AcrossCut, want.Content, want.AcrossCut)
	}
	for _, id := range []string{asJSON, compact} {
		r, err := s.Reporter(ctx, id)
		if err != nil || r != s.Pseudonym("telegram", "u1") {
			t.Errorf("tip %s: reporter %q (%v), not its pseudonym", id, r, err)
		}
	}
	indexUntilDone(t, s)
	found, _, err := s.Search(ctx, "camioneta gris", time.Time{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, tp := range found {
		ids[tp.ID] = true
	}
	if !ids[asJSON] || !ids[compact] {
		t.Errorf("search finds %v, not both tips (%s JSON, %s compact)", ids, asJSON, compact)
	}
}

// Whatever a tip of one text holds, its compact form, if it has one,
// reads back as its JSON does.
func FuzzCompactTipReadsAsItsJSON(f *testing.F) {
	for _, st := range sealedTipsOfEveryKind() {
		f.Add(st.Content.Parts[0].Text, st.Content.Language, st.Reporter, st.AcrossCut, st.CodeCut)
	}
	f.Fuzz(func(t *testing.T, text, lang, reporter string, across, cut bool) {
		st := sealedTip{Content: tips.Content{Parts: []tips.Part{{Text: text}}, Language: lang}, Reporter: reporter, AcrossCut: across, CodeCut: cut}
		c := compactTip(st)
		if c == nil {
			return
		}
		js, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var want, got sealedTip
		if err := decodeSealedTip(js, &want); err != nil {
			t.Fatal(err)
		}
		if err := decodeSealedTip(c, &got); err != nil {
			t.Fatalf("compact %q: %v", c, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("compact reads as %+v, JSON as %+v", got, want)
		}
	})
}
