package storage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
)

// MACs name records (pseudonyms, receipts, index keys): the reused HMAC
// states must give exactly HMAC-SHA256, whatever the key, from many
// goroutines at once, or records stored before would no longer be found.
func TestMACIsHMACSHA256(t *testing.T) {
	kr, err := NewKeyring(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{kr.keys().Pseudonym, kr.keys().Receipt, kr.keys().Index, []byte("another key")}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				key := keys[(g+i)%len(keys)]
				msg := fmt.Sprint("telegram\x00", g, "-", i)
				h := hmac.New(sha256.New, key)
				h.Write([]byte(msg))
				want := h.Sum(nil)
				if got := kr.mac(key, msg); got != hex.EncodeToString(want[:16]) {
					t.Errorf("mac(%q) = %s, want %x", msg, got, want[:16])
					return
				}
				r := hmac.New(sha256.New, kr.keys().Receipt)
				r.Write([]byte("code\x00p\x00" + msg))
				if got := kr.receiptCode("p", msg); !bytes.Equal(got, r.Sum(nil)[:10]) {
					t.Errorf("receipt code of %q differs", msg)
					return
				}
			}
		})
	}
	wg.Wait()
}

// The keyring's sealing key seals and opens with reused AES-GCM states:
// what it seals opens with a cipher made afresh (as every value sealed
// before did), a value sealed under the previous secret still opens
// while rotating, each from many goroutines at once; and no state is
// made per call (about 1.3 KB and a key schedule each, five a tip:
// BENCHMARKS.md). Mutation: kr.seal and kr.open by seal(kr.sealKey, …)
// and open(…) again → 4 allocations a call, not 2.
func TestKeyringReusesItsCiphers(t *testing.T) {
	old, err := NewKeyring(bytes.Repeat([]byte{4}, 32))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := NewKeyring(bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{4}, 32))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				msg := []byte(fmt.Sprint("parte ", g, "-", i))
				ctx := fmt.Sprint("part:", g)
				sealed, err := kr.seal(msg, ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if plain, err := open(kr.sealKey, sealed, ctx); err != nil || !bytes.Equal(plain, msg) {
					t.Errorf("sealed with a reused state, opened afresh: %q, %v", plain, err)
					return
				}
				fresh, _ := seal(kr.sealKey, msg, ctx)
				if plain, current, err := kr.openWhich(fresh, ctx); err != nil || !current || !bytes.Equal(plain, msg) {
					t.Errorf("sealed afresh, opened with a reused state: %q, %v, %v", plain, current, err)
					return
				}
				before, _ := old.seal(msg, ctx)
				if plain, current, err := kr.openWhich(before, ctx); err != nil || current || !bytes.Equal(plain, msg) {
					t.Errorf("sealed under the previous secret: %q, %v, %v", plain, current, err)
					return
				}
				if _, err := kr.open(sealed, "part:other"); err != ErrSealed {
					t.Errorf("opened under another context: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	msg := []byte("Cobran piso en el mercado")
	sealed, _ := kr.seal(msg, "part:p")
	if n := testing.AllocsPerRun(100, func() { _, _ = kr.seal(msg, "part:p") }); n >= 4 {
		t.Errorf("seal: %.0f allocations, as many as with a new state; want 2 (the sealed value, its context)", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = kr.open(sealed, "part:p") }); n >= 4 {
		t.Errorf("open: %.0f allocations, as many as with a new state; want 2 (the plaintext, its context)", n)
	}
}
