package storage

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// BenchmarkSeal and BenchmarkOpen measure AES-256-GCM sealing as the store
// does it under its sealing key (a reused cipher state, a random nonce): a
// 280-character tip and a 1 MB file.
func BenchmarkSeal(b *testing.B) {
	kr, _ := NewKeyring(bytes.Repeat([]byte{7}, 32))
	for _, c := range sealCases() {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := kr.seal(c.data, "tip:1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	kr, _ := NewKeyring(bytes.Repeat([]byte{7}, 32))
	for _, c := range sealCases() {
		sealed, err := kr.seal(c.data, "tip:1")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := kr.open(sealed, "tip:1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sealCases() []struct {
	name string
	data []byte
} {
	return []struct {
		name string
		data []byte
	}{
		{"tip280", []byte(strings.Repeat("Cobran piso en el mercado; llaman del 55 1234 5678. ", 6)[:280])},
		{"file1MB", bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 1<<18)},
	}
}

// BenchmarkMAC measures the keyed MACs that name records: a pseudonym (at
// every request), an index token (tens a tip, in the indexer) and a
// published warning's text, longer than the room a pooled state keeps.
func BenchmarkMAC(b *testing.B) {
	kr, _ := NewKeyring(bytes.Repeat([]byte{7}, 32))
	for _, c := range []struct{ name, in string }{
		{"pseudonym", "telegram\x00123456789"},
		{"token", "t\x00extorsion"},
		{"text600", "pubtext\x00" + strings.Repeat("Cobran piso en el mercado. ", 22)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = kr.mac(kr.keys().Pseudonym, c.in)
			}
		})
	}
	b.Run("receiptCode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = kr.receiptCode("0123456789abcdef0123456789abcdef", "1733612345678-0")
		}
	})
}

// BenchmarkLimitArgs is the cost of a rate limit's script arguments,
// counted four times a tip (the message's chat limit, the part's, the
// Send's claim, the chat's).
func BenchmarkLimitArgs(b *testing.B) {
	kr, _ := NewKeyring(bytes.Repeat([]byte{7}, 32))
	s := &Store{kr: kr, now: time.Now}
	l := &Limit{Subject: "0123456789abcdef0123456789abcdef", Kind: "tip", Max: 20, Window: time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.limitArgs(l)
	}
}
