package tips

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// sketchOfFields is NewSketch as it was before it read its words in
// place: strings.FieldsFunc's words, then each shingle of three.
func sketchOfFields(text string, key []byte) (Sketch, bool) {
	var s Sketch
	words := strings.FieldsFunc(foldMarkless(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') && r < 0x80
	})
	if len(words) < 6 {
		return s, false
	}
	for i := range s {
		s[i] = ^uint32(0)
	}
	mac := hmac.New(sha256.New, key)
	for i := 0; i+3 <= len(words); i++ {
		mac.Reset()
		mac.Write([]byte(strings.Join(words[i:i+3], " ")))
		x := binary.BigEndian.Uint64(mac.Sum(nil))
		for k := range s {
			v := uint32(mix(x ^ (uint64(k+1) * 0x9E3779B97F4A7C15)))
			if v < s[k] {
				s[k] = v
			}
		}
	}
	return s, true
}

// sketchTexts are texts to sketch: the labelled tips, words of every
// kind NewSketch parts (ASCII punctuation, capitals, accents, other
// scripts, marks, emoji, invalid UTF-8) and texts of five to seven
// words, around the fewest it sketches.
func sketchTexts(t *testing.T) []string {
	texts := []string{"", "a b c d e", "a b c d e f", "a b c d e f g", " a  b-c_d.e,f ", "a\u0301 b c d e f",
		"uno dos tres cuatro cinco", "uno dos tres cuatro cinco seis", "uno, dos; tres: cuatro! cinco? seis.",
		"ÁRBOL Ñandú ÇA straße ﬁn ＡＢＣ one two", "मेरा भाई धमकी देता है हर दिन", "\xff\xfe a b \xc3 c d e f",
		"🔥 a 🔥 b 🔥 c 🔥 d 🔥 e 🔥 f 🔥", "xn--80ak6aa92e.com uno dos tres cuatro cinco"}
	texts = append(texts, labelledTips(t)...)
	pieces := []string{"hola", "K7QD", "9xma", "ñandú", "é", "e\u0301", "straße", "ﬁ", "Ａ", "мир", "世界", "भाई", "🔥",
		"\xff", "\xc3", "a", "1", "-", "_", ".", ",", " ", "  ", "\n", "\t", "'", "@", "#", "/", "\u200b", "\u00ad", "x", "\x00", "\x7f", "~", "Z"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteString(pieces[r.IntN(len(pieces))])
			if r.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

// NewSketch reads its words in place and gives the sketch it gave from
// strings.FieldsFunc's list of them, and sketches the same texts.
func TestNewSketchIsSketchOfFields(t *testing.T) {
	key := []byte("sketch key")
	sketched := 0
	for _, text := range sketchTexts(t) {
		got, ok := NewSketch(text, key)
		want, wantOK := sketchOfFields(text, key)
		if got != want || ok != wantOK {
			t.Fatalf("NewSketch(%q) = %v, %v; before %v, %v", text, got, ok, want, wantOK)
		}
		if ok {
			sketched++
		}
	}
	if sketched < 1000 {
		t.Fatalf("only %d texts sketched", sketched)
	}
}
