package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// tipHashBound is what Redis's MEMORY USAGE may say of a 280-character
// tip's hash under the bench's key names: its listpack in jemalloc's
// 640-byte class, with the 72 bytes of its key, object and table entry.
// In the 768-byte class it is 840 (BENCHMARKS.md, stop 39).
const tipHashBound = 640 + 72

// tipHashMargin is how many bytes every such tip's listpack still has
// inside the 640-byte class, a tip of accented text as well
// (BENCHMARKS.md, stop 40): a field of that many bytes more would still
// fit. The bench's tips have 13 or more; the Portuguese of accentedTips,
// 303 bytes in its 280 characters, 6 or 7, and 4 should its entry in the
// stream come 33 ms to 8 s after its time ("e" then a 24-bit integer).
const tipHashMargin = 4

// accentedTips are tips as reporters write them (the first 280 characters) in Spanish,
// Portuguese and French, their accents and ñ, ç, œ two bytes each.
var accentedTips = []string{
	"Señor, en la colonia Jardín, detrás de la panadería, están cobrando cuota a los comerciantes: dicen que el dinero va para «la compañía». Cuándo no pagan, queman los locales. El que cobra manda un camión gris, sin placas, los miércoles y sábados a las ocho. Tengo miedo, ayúdenme por favor, no sé qué hacer ya más, gracias",
	"Na região da estação, atrás da farmácia, há um grupo que cobra extorsão dos ônibus e das lanchonetes. Não é só ameaça: já incendiaram três lojas. Os caminhões saem às três da manhã, sábado e domingo, com pó e armas escondidos. Ninguém fala por medo; não sei a quem recorrer, peço ajuda urgente, obrigado de coração",
	"À côté de l'église, près du marché, des hommes réclament de l'argent aux commerçants chaque vendredi; ceux qui refusent reçoivent des menaces, leurs vitrines brûlées. Ils déplacent la drogue dans une fourgonnette grise, garée derrière l'hôpital. Personne n'ose témoigner, j'ai très peur pour ma sœur et mes élèves, aidez-nous",
}

// The tips `vigia bench --mem-tips` stores, once indexed, each keep their
// hash in the 640-byte class, Redis configured as BENCHMARKS.md says
// (hash-max-listpack-value 1024, hash-max-listpack-entries 512), with
// tipHashMargin bytes to spare, and so do tips of accented text.
func TestTipHashFitsTheSmallerAllocation(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("MEMORY USAGE needs a real redis-server")
	}
	ctx := context.Background()
	rdb := srv.Client()
	for k, v := range map[string]string{"hash-max-listpack-value": "1024", "hash-max-listpack-entries": "512"} {
		if err := rdb.ConfigSet(ctx, k, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	eng, err := newBenchEngine(ctx, rdb, "vigia-bench", &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.stop()
	var event atomic.Int64
	const n = 60
	for i := range n {
		g := &tipGen{r: rand.New(rand.NewPCG(7, uint64(i)))} // as the bench draws them
		if err := eng.submit(ctx, "r"+strconv.Itoa(g.r.IntN(300000)), g.text(280), &event); err != nil {
			t.Fatal(err)
		}
	}
	for i, text := range accentedTips {
		if got := utf8.RuneCountInString(text); got < 280 {
			t.Fatalf("accented tip %d has %d characters, fewer than 280", i, got)
		}
		text = string([]rune(text)[:280])
		if err := eng.submit(ctx, "a"+strconv.Itoa(i), text, &event); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.indexed(ctx); err != nil {
		t.Fatal(err)
	}
	most, least := int64(0), 640
	for i := 1; i <= n+len(accentedTips); i++ {
		key := "vigia-bench:{tips}:tip:" + strconv.Itoa(i)
		if enc := rdb.ObjectEncoding(ctx, key).Val(); enc != "listpack" {
			t.Fatalf("tip %d is a %q, not a listpack", i, enc)
		}
		if rdb.HExists(ctx, key, "sk").Val() != true {
			t.Fatalf("tip %d has no sketch: not indexed", i)
		}
		used, err := rdb.MemoryUsage(ctx, key, 0).Result()
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, used)
		least = min(least, spareBytes(ctx, t, rdb, key))
	}
	t.Logf("the largest tip hash: %d bytes; the least to spare in its class: %d bytes", most, least)
	if most > tipHashBound {
		t.Fatalf("a tip's hash takes up to %d bytes, over %d", most, tipHashBound)
	}
	if least < tipHashMargin {
		t.Fatalf("a tip's listpack has %d bytes to spare in its class, fewer than %d", least, tipHashMargin)
	}
}

// spareBytes is how many bytes the listpack of the hash at key can grow
// by and stay in its allocation: the most a field "~" of some length can
// add before MEMORY USAGE grows. The field is taken out again.
func spareBytes(ctx context.Context, t *testing.T, rdb *redis.Client, key string) int {
	t.Helper()
	// added is what the field "~" with a value of n bytes adds: the field's
	// entry (3 bytes) and the value's: its header (1 byte below 64, else
	// 2), n bytes and their back-length (1 byte below 128, else 2).
	added := func(n int) int {
		hdr := 1
		if n >= 64 {
			hdr = 2
		}
		back := 1
		if hdr+n >= 128 {
			back = 2
		}
		return 3 + hdr + n + back
	}
	base, err := rdb.MemoryUsage(ctx, key, 0).Result()
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.HDel(ctx, key, "~")
	spare := 0
	for n := 0; n <= 640; n++ {
		if err := rdb.HSet(ctx, key, "~", strings.Repeat("x", n)).Err(); err != nil {
			t.Fatal(err)
		}
		if rdb.MemoryUsage(ctx, key, 0).Val() > base {
			return spare
		}
		spare = added(n)
	}
	return spare
}
