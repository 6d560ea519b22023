package storage

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"
)

// The hand-built band bucket names are the ones the Sprintf of FNV-1a
// gave: buckets written before stay found.
func TestIndexBandsNames(t *testing.T) {
	k := keys{prefix: "vigia"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		band := make([]byte, 7)
		for i := range band {
			band[i] = byte(r.UintN(256))
		}
		h := fnv.New32a()
		h.Write(band)
		want := fmt.Sprintf("%s:ix:lsh:{%s}:%04x", k.prefix, "20261128", h.Sum32()%bandBuckets)
		if got := k.indexBands("20261128", string(band)); got != want {
			t.Fatalf("band %x: %s, want %s", band, got, want)
		}
	}
}
