package storage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// The MACs computed with a pooled state and its buffers are HMAC-SHA256
// of a fresh state, whatever the inputs before on the same state (longer,
// shorter, past the room a state keeps), from goroutines at once.
func TestMACOfAnyLengthOnReusedBuffers(t *testing.T) {
	kr, err := NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	want := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	var inputs []string
	for _, n := range []int{0, 1, 31, 32, 33, 63, 64, 65, 200, maxMACRoom - 1, maxMACRoom, maxMACRoom + 1, 600, 5, 1000, 2} {
		inputs = append(inputs, strings.Repeat("aé\x00z", n)[:n])
	}
	keys := [][]byte{kr.keys().Pseudonym, kr.keys().Receipt, kr.keys().Index}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 50 {
				for i, in := range inputs {
					key := keys[(g+round+i)%len(keys)]
					w := want(key, in)
					if got := kr.sum(key, in); !bytes.Equal(got, w) {
						t.Errorf("sum(%d bytes) = %x, want %x", len(in), got, w)
						return
					}
					if got := kr.mac(key, in); got != hex.EncodeToString(w[:16]) {
						t.Errorf("mac(%d bytes) = %s, want %x", len(in), got, w[:16])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	code := kr.receiptCode("p", "d")
	if w := want(kr.keys().Receipt, "code\x00p\x00d")[:10]; !bytes.Equal(code, w) {
		t.Fatalf("receiptCode = %x, want %x", code, w)
	}
}

// A MAC's input (a user id, a search token, a warning's text) does not
// stay in the pooled state's buffer once the MAC is computed.
func TestMACKeepsNoInput(t *testing.T) {
	kr, err := NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	key := kr.keys().Pseudonym
	pool := kr.hmacPool(key)
	looked := 0
	for i := 0; i < 1000 && looked < 10; i++ {
		kr.mac(key, "telegram\x00123456789")
		st := pool.Get().(*macState)
		if cap(st.in) > 0 {
			looked++
			if in := st.in[:cap(st.in)]; bytes.ContainsAny(in, "telgram0123456789") {
				t.Fatalf("a pooled state holds %q", in)
			}
		}
		pool.Put(st)
	}
	if looked == 0 {
		t.Fatal("no pooled state with a buffer was found")
	}
}

// Nor does it stay in the HMAC's own state: the buffer of the hash's
// last partial block, which Reset left as it was on a state never reset
// before (a fresh one from the pool, after its first MAC).
// Mutation: newMACState not resetting its HMAC -> the input is found.
func TestMACStateKeepsNoInputInItsHash(t *testing.T) {
	kr, err := NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	const in = "telegram\x00123456789"
	for _, pre := range []string{"", "x", strings.Repeat("y", 100)} {
		st := kr.hmacPool(kr.keys().Pseudonym).New().(*macState)
		if pre != "" {
			st.sumOf(pre)
		}
		st.sumOf(in)
		var held []byte
		reachableBytes(reflect.ValueOf(st), map[uintptr]bool{}, &held)
		if bytes.Contains(held, []byte(in)) {
			t.Fatalf("after %d bytes then the input, the state holds the input", len(pre))
		}
	}
}

// reachableBytes appends to out, each followed by a 0, the byte arrays
// and slices reachable from v, unexported fields included.
func reachableBytes(v reflect.Value, seen map[uintptr]bool, out *[]byte) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		reachableBytes(v.Elem(), seen, out)
	case reflect.Interface:
		if !v.IsNil() {
			reachableBytes(v.Elem(), seen, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			reachableBytes(v.Field(i), seen, out)
		}
	case reflect.Array, reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := range v.Len() {
				reachableBytes(v.Index(i), seen, out)
			}
			return
		}
		for i := range v.Len() {
			*out = append(*out, byte(v.Index(i).Uint()))
		}
		*out = append(*out, 0)
	}
}

// A MAC computed on a pooled state allocates nothing: the input's copy
// and the sum are written in the state's buffers (tens of MACs a tip: the
// pseudonym at each request, the limits' tags, each indexed token), and
// mac allocates its result alone. Mutations: sumOf writing []byte(s), or
// summing with Sum(nil) → an allocation each.
func TestMACStateAllocatesNothing(t *testing.T) {
	kr, err := NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st := kr.hmacPool(kr.keys().Index).New().(*macState)
	st.sumOf("t\x00warm")
	if n := testing.AllocsPerRun(200, func() { st.sumOf("t\x00extorsion") }); n != 0 {
		t.Fatalf("a MAC on a pooled state makes %.1f allocations, want 0", n)
	}
}
