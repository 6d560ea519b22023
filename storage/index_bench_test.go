package storage

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// BenchmarkIndexQueries measures /search, /entity and /signals on a blind
// index seeded with VIGIA_BENCH_TIPS synthetic multilingual tips (default
// 100000). Run: VIGIA_BENCH_TIPS=1000000 go test -run XXX -bench IndexQueries ./storage
func BenchmarkIndexQueries(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("VIGIA_BENCH_TIPS"))
	if n <= 0 {
		n = 100000
	}
	srv := redistest.Start(b)
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	now := time.Now()
	st, _ := New(srv.Client(), kr, Options{Prefix: "b", Retention: 90 * 24 * time.Hour, Now: func() time.Time { return now }})
	ctx := context.Background()
	words := strings.Fields("extorsion cobro piso mercado tienda halcones droga cristal armas policia mordida desaparecido balacera " +
		"milicia boca fumo taxa tiroteio weapons shooting bribe missing racket trafic armes disparu colonia centro norte sur " +
		"lunes martes viernes noche camioneta gris blanca moto calle avenida esquina parque escuela iglesia")
	r := rand.New(rand.NewSource(1))
	start := time.Now()
	for i := range n {
		var sb strings.Builder
		for range 12 + r.Intn(30) {
			sb.WriteString(words[r.Intn(len(words))] + " ")
		}
		if i%50 == 0 { // some tips share a phone number: 2% of tips, many reporters
			sb.WriteString("llaman del 55 1234 5678 ")
		} else {
			fmt.Fprintf(&sb, "tel %d ", 5510000000+r.Intn(8999999))
		}
		created := now.Add(-time.Duration(r.Intn(60*24)) * time.Minute)
		id, text, rep := strconv.Itoa(i+1), sb.String(), "rep"+strconv.Itoa(r.Intn(n/3+1))
		_, wrapped, blob, err := st.sealTip(id, sealedTip{Content: tips.Content{Parts: []tips.Part{{Text: text}}}, Reporter: rep})
		if err != nil {
			b.Fatal(err)
		}
		st.rdb.HSet(ctx, st.k.tip(id), "k", wrapped, "d", blob, "c", "extortion", "s", "new", "t", created.UnixMilli())
		if _, err := st.index(ctx, id, rep, created, text, false); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d tips in %v", n, time.Since(start))
	phone := tips.Extract("5512345678", "MX")[0]
	since := now.Add(-30 * 24 * time.Hour)
	b.Run("search-2-words", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := st.Search(ctx, "extorsion camioneta", since, "", 20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("entity", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.EntityTips(ctx, phone, since, 20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("signals-7d", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Signals(ctx, 7*24*time.Hour, 10); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAddBands files tips' near-duplicate bands as the indexer does
// (ten bands a tip, one in ten already filed by the tip before), and
// reports Redis's CPU time per tip: the filing script is the index's
// largest cost in Redis. Run: go test -run XXX -bench AddBands ./storage
func BenchmarkAddBands(b *testing.B) {
	srv := redistest.Start(b)
	if !srv.Real {
		b.Skip("Redis's CPU time needs a real redis-server")
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	now := time.Now()
	st, _ := New(srv.Client(), kr, Options{Prefix: "b", Retention: 90 * 24 * time.Hour, Now: func() time.Time { return now }})
	ctx := context.Background()
	st.rdb.ConfigSet(ctx, "appendonly", "no") // as BENCHMARKS.md measures: CPU, not the disk
	r := rand.New(rand.NewSource(1))
	band := func() string {
		var raw [7]byte
		r.Read(raw[:])
		return string(raw[:])
	}
	bands := make([]string, 10)
	before := redisCPUTime(st.rdb)
	i := 0
	for b.Loop() {
		i++
		for j := range bands {
			if j > 0 || i%10 != 0 {
				bands[j] = band()
			}
		}
		if err := addBands.Run(ctx, st.rdb, st.bandKeys(now, bands), st.bandArgs(strconv.Itoa(i), now, bands)...).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((redisCPUTime(st.rdb)-before).Microseconds())/float64(b.N), "redis-µs/tip")
}

// BenchmarkPrepareIndexCutForms is the text work of indexing a hostile
// tip of the largest size read (64 kB) naming 100 handles and 100
// hashtags that were read cut short before (tips.PastForms): the past
// forms of its entities are read from one tips.PastEntities, not one per
// entity. No Redis is reached.
func BenchmarkPrepareIndexCutForms(b *testing.B) {
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	st, _ := New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), kr, Options{Prefix: "b"})
	var sb strings.Builder
	for i := range 100 {
		fmt.Fprintf(&sb, "@khabar_हि%c%c #می\u200cخ%c%c ", 'a'+i/26, 'a'+i%26, 'a'+i/26, 'a'+i%26)
	}
	for sb.Len() < 64<<10 {
		sb.WriteString("cobran piso ")
	}
	text := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		j := &indexJob{id: "1", text: text}
		st.prepareIndex(j, false)
		if j.err != nil || len(j.past) == 0 {
			b.Fatalf("prepared %v, %d entities with past forms", j.err, len(j.past))
		}
	}
}

// BenchmarkPrepareIndex is the text work of indexing an ordinary tip of
// about 500 characters (words, a phone number, a handle, a link): its
// entities' MACs, its sketch; then its words' MACs. No Redis is reached.
func BenchmarkPrepareIndex(b *testing.B) {
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	st, _ := New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), kr, Options{Prefix: "b"})
	text := "Extorsión en el mercado de la colonia centro: los halcones cobran piso cada viernes por la noche " +
		"a los dueños de cada tienda y negocio, llegan en una camioneta gris y una moto blanca. Amenazan a los " +
		"vecinos que no pagan la cuota semanal. Llaman del 55 1234 5678 y firman como @cobrador_norte; también " +
		"publican fotos en https://ejemplo.example/piso. Venden cristal cerca de la escuela y de la iglesia."
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			j := &indexJob{id: "1", text: text}
			st.prepareIndex(j, false)
			if j.err != nil {
				b.Fatal(j.err)
			}
		}
	})
	// The MACs of its words, which name its postings (appendPostings).
	j := &indexJob{id: "1", text: text}
	st.prepareIndex(j, false)
	b.Run("tokenMACs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, t := range j.tokens {
				_ = st.tokenMAC(t)
			}
		}
		b.ReportMetric(float64(len(j.tokens)), "tokens")
	})
}
