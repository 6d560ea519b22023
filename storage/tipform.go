package storage

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/vigia-project/vigia/tips"
)

// compactTipForm is the first byte of a tip's sealed content in its
// compact form (compactTip). JSON, the form every version writes, begins
// with '{', so the two are never mixed up.
const compactTipForm = 0x01

// Flags of the compact form's second byte.
const (
	compactAcrossCut = 1 << iota // sealedTip.AcrossCut
	compactCodeCut               // sealedTip.CodeCut
	compactHexPseudo             // the reporter is a pseudonym (32 hex digits), held as its 16 bytes
	compactFlags     = compactAcrossCut | compactCodeCut | compactHexPseudo
)

// errCompactTip is decodeSealedTip's error for a compact form it cannot
// read: cut short, or flags it does not know (a later form).
var errCompactTip = errors.New("compact form unreadable")

// compactTip is the compact form of a tip's sealed content, or nil where
// a tip cannot take it (and stays JSON): only a tip of one part of text,
// its reporter and language short, all three valid UTF-8 (JSON would
// change invalid bytes). It reads back as the JSON of the same tip does
// (decodeSealedTip), and is some 60 bytes shorter for a tip of one text: the names, quotes
// and escapes of JSON, and the pseudonym as its 16 bytes, not 32 hex.
//
// Nothing writes it yet (writeCompactTips): a version that reads it
// must run everywhere before one writes it, or a replica of an earlier
// version could not open the tips a newer one stored (BENCHMARKS.md,
// stop 42).
func compactTip(t sealedTip) []byte {
	c := t.Content
	if len(c.Parts) != 1 || c.Parts[0].Attachment != nil || c.Parts[0].Location != nil || c.Parts[0].Forward != nil ||
		!utf8.ValidString(c.Parts[0].Text) || !utf8.ValidString(c.Language) || !utf8.ValidString(t.Reporter) ||
		len(c.Language) > 255 || len(t.Reporter) > 255 {
		return nil
	}
	text := c.Parts[0].Text
	out := make([]byte, 2, 2+1+len(t.Reporter)+1+len(c.Language)+len(text))
	out[0] = compactTipForm
	if t.AcrossCut {
		out[1] |= compactAcrossCut
	}
	if t.CodeCut {
		out[1] |= compactCodeCut
	}
	if raw, err := hex.DecodeString(t.Reporter); err == nil && len(raw) == 16 && hex.EncodeToString(raw) == t.Reporter {
		out[1] |= compactHexPseudo
		out = append(out, raw...)
	} else {
		out = append(out, byte(len(t.Reporter)))
		out = append(out, t.Reporter...)
	}
	out = append(out, byte(len(c.Language)))
	out = append(out, c.Language...)
	return append(out, text...)
}

// writeCompactTips says whether sealTip writes the compact form where a
// tip can take it: not yet (compactTip).
const writeCompactTips = false

// encodeSealedTip is a tip's sealed content before sealing: JSON, or, if
// compact and the tip can take it, its compact form.
func encodeSealedTip(t sealedTip, compact bool) ([]byte, error) {
	if compact {
		if b := compactTip(t); b != nil {
			return b, nil
		}
	}
	return json.Marshal(t)
}

// decodeSealedTip reads a tip's opened content in either form: JSON, as
// every tip was stored until now, or compact (compactTip).
func decodeSealedTip(plain []byte, st *sealedTip) error {
	if len(plain) == 0 || plain[0] != compactTipForm {
		return json.Unmarshal(plain, st)
	}
	if len(plain) < 2 || plain[1]&^compactFlags != 0 {
		return errCompactTip
	}
	flags, p := plain[1], plain[2:]
	// field takes a field of n bytes, or of the length its first byte says.
	field := func(n int) (string, bool) {
		if n < 0 {
			if len(p) < 1 {
				return "", false
			}
			n, p = int(p[0]), p[1:]
		}
		if len(p) < n {
			return "", false
		}
		v := string(p[:n])
		p = p[n:]
		return v, true
	}
	var reporter string
	if flags&compactHexPseudo != 0 {
		raw, ok := field(16)
		if !ok {
			return errCompactTip
		}
		reporter = hex.EncodeToString([]byte(raw))
	} else if r, ok := field(-1); ok {
		reporter = r
	} else {
		return errCompactTip
	}
	lang, ok := field(-1)
	if !ok {
		return errCompactTip
	}
	*st = sealedTip{
		Content:   tips.Content{Parts: []tips.Part{{Text: string(p)}}, Language: lang},
		Reporter:  reporter,
		AcrossCut: flags&compactAcrossCut != 0,
		CodeCut:   flags&compactCodeCut != 0,
	}
	return nil
}
