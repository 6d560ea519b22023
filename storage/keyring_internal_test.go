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
