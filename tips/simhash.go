package tips

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
)

// sketchSize is the number of MinHash values in a sketch.
const sketchSize = 32

// Sketch is a MinHash sketch of a text's word 3-shingles, for near-duplicate
// detection: similar texts share many values; the sketch does not reveal
// the words.
type Sketch [sketchSize]uint32

// NewSketch sketches the folded text under key, or returns false if it is
// too short (under six words) to compare. The shingles are hashed with
// HMAC under key, so whoever sees sketches cannot test them for guessed
// phrases.
func NewSketch(text string, key []byte) (Sketch, bool) {
	var s Sketch
	folded := foldMarkless(text) // foldMarkless: see Fold
	if sketchWords(folded, 6) < 6 {
		return s, false
	}
	for i := range s {
		s[i] = ^uint32(0)
	}
	mac := hmac.New(sha256.New, key)
	var buf []byte
	var sum [sha256.Size]byte
	// The words are read in place, the last three kept: a shingle is
	// hashed at each word from the third on.
	var w0, w1 string
	n, start := 0, -1
	for i := 0; i <= len(folded); i++ {
		if i < len(folded) && !sketchSeparator[folded[i]] {
			if start < 0 {
				start = i
			}
			continue
		}
		if start < 0 {
			continue
		}
		w2 := folded[start:i]
		start, n = -1, n+1
		if n >= 3 {
			// The shingle: three words joined by spaces.
			buf = append(append(append(append(append(buf[:0], w0...), ' '), w1...), ' '), w2...)
			mac.Reset()
			mac.Write(buf)
			x := binary.BigEndian.Uint64(mac.Sum(sum[:0]))
			for k := range s {
				// One hash, many permutations: mix the shingle hash with k.
				v := uint32(mix(x ^ (uint64(k+1) * 0x9E3779B97F4A7C15)))
				if v < s[k] {
					s[k] = v
				}
			}
		}
		w0, w1 = w1, w2
	}
	return s, true
}

// sketchSeparator tells, per byte of folded text, whether it parts
// NewSketch's words: ASCII but for lower-case letters and digits. Any
// other character is of a word, and each of its bytes is at or above
// 0x80 (a byte of no character too: it reads as U+FFFD), so a byte
// tells what its character is.
var sketchSeparator = func() (t [256]bool) {
	for b := range 0x80 {
		t[b] = !('a' <= b && b <= 'z') && !('0' <= b && b <= '9')
	}
	return t
}()

// sketchWords counts NewSketch's words in folded text, up to most.
func sketchWords(folded string, most int) int {
	n, in := 0, false
	for i := 0; i < len(folded) && n < most; i++ {
		w := !sketchSeparator[folded[i]]
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	return x ^ x>>33
}

// Similarity estimates the Jaccard similarity of two sketched texts. It
// compares the low 16 bits of each value (what is stored): two different
// minimums agree there by chance once in 65,536.
func (s Sketch) Similarity(o Sketch) float64 {
	same := 0
	for i := range s {
		if uint16(s[i]) == uint16(o[i]) {
			same++
		}
	}
	return float64(same) / sketchSize
}

// NearDuplicate reports whether two sketches are similar enough to flag.
func (s Sketch) NearDuplicate(o Sketch) bool { return s.Similarity(o) >= 0.5 }

// String encodes the sketch for storage, as raw bytes: the low 16 bits of
// each value, all Similarity compares.
func (s Sketch) String() string {
	b := make([]byte, 2*sketchSize)
	for i, v := range s {
		binary.BigEndian.PutUint16(b[2*i:], uint16(v))
	}
	return string(b)
}

// ParseSketch decodes String's output (or the 4-byte or hex forms older
// versions stored).
func ParseSketch(v string) (Sketch, bool) {
	var s Sketch
	b := []byte(v)
	if len(b) == 2*sketchSize {
		for i := range s {
			s[i] = uint32(binary.BigEndian.Uint16(b[2*i:]))
		}
		return s, true
	}
	if len(v) == 8*sketchSize {
		var err error
		if b, err = hex.DecodeString(v); err != nil {
			return s, false
		}
	}
	if len(b) != 4*sketchSize {
		return s, false
	}
	for i := range s {
		s[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return s, true
}

// sketchBands and bandRows split a sketch for locality-sensitive hashing:
// sketches that share any band are candidates for a full comparison. With
// 10 bands of 3 values, a pair shares a band with probability
// 1-(1-s³)^10: 0.74 at the 0.5 similarity threshold, 0.98 at 0.7 and
// above 0.999 at 0.8 (copies and forwards of one text). Fewer bands than
// values keep the index small (one hash field per band and tip).
const (
	sketchBands = 10
	bandRows    = 3
)

// Bands returns the sketch's band hashes, 7 raw bytes each: the band's
// number and 48 bits of its hash (a chance match is checked against the
// whole sketch anyway).
func (s Sketch) Bands() []string {
	out := make([]string, sketchBands)
	for b := range sketchBands {
		h := fnv.New64a()
		var buf [4]byte
		for _, v := range s[b*bandRows : (b+1)*bandRows] {
			binary.BigEndian.PutUint32(buf[:], v)
			h.Write(buf[:])
		}
		var band [8]byte
		binary.BigEndian.PutUint64(band[:], h.Sum64())
		band[1] = byte(b) // band[1:]: the number, then the low 48 bits
		out[b] = string(band[1:])
	}
	return out
}
