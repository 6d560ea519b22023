package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

const benchUsage = `usage: vigia bench [flags]

Drives the real engine and storage (no network adapters) against the Redis
in VIGIA_REDIS_URL, under its own key prefix, with synthetic multilingual
tips; prints a table, and with --json writes the same figures to a file.
Stored tips are kept, so a later run with larger --sizes continues the fill.
`

// benchConfig is what `vigia bench` is asked to do.
type benchConfig struct {
	RedisURL    string
	Prefix      string
	Sizes       []int // stored tips at which queries and memory are measured
	Concurrency []int // intake concurrency levels
	Intake      int   // tips per intake measurement
	Queries     int   // queries per kind and size
	MemTips     int   // 280-character tips for the memory measurement
	JSON        string
	CPUProfile  string
}

// benchLatency is a throughput and latency figure.
type benchLatency struct {
	Ops      int     `json:"ops"`
	PerSec   float64 `json:"per_second"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Duration float64 `json:"seconds"`
}

// benchIntake compares the engine's intake with raw Redis at one concurrency.
type benchIntake struct {
	Concurrency int          `json:"concurrency"`
	Engine      benchLatency `json:"engine"`
	Raw         benchLatency `json:"raw_redis"`
	Ratio       float64      `json:"engine_to_raw_throughput"`
	// IndexedPerSec is the tips received and indexed per second: from the
	// first tip until the indexer, running alongside, had indexed the last.
	IndexedPerSec float64 `json:"indexed_tips_per_second"`
	// IndexedRatio is IndexedPerSec to the raw baseline: what intake
	// sustains, the indexer keeping up, where Ratio counts receipts while
	// the indexer may fall behind.
	IndexedRatio float64 `json:"indexed_to_raw_throughput"`
	// CPU time per tip (indexing included) and per raw operation, in the
	// bench process (the bot's engine) and in Redis.
	EngineCPU benchCPU `json:"engine_cpu_per_tip"`
	RawCPU    benchCPU `json:"raw_cpu_per_op"`
}

// benchCPU is CPU time per operation, in microseconds.
type benchCPU struct {
	BotUS   float64 `json:"bot_us"`
	RedisUS float64 `json:"redis_us"`
}

// benchScale holds the figures at one number of stored tips.
type benchScale struct {
	Tips       int64                   `json:"stored_tips"`
	Queries    map[string]benchLatency `json:"queries"`
	BotRSSMiB  float64                 `json:"bot_rss_mib"`
	RedisMiB   float64                 `json:"redis_used_memory_mib"`
	FillPerSec float64                 `json:"fill_tips_per_second,omitempty"`
}

// benchReport is everything a run measured.
type benchReport struct {
	When        time.Time     `json:"when"`
	Machine     string        `json:"machine"`
	Intake      []benchIntake `json:"intake"`
	BytesPerTip float64       `json:"redis_bytes_per_280_char_tip,omitempty"`
	// The same at the largest size, added to AtScaleTips stored tips.
	BytesPerTipAtScale float64      `json:"redis_bytes_per_280_char_tip_at_scale,omitempty"`
	AtScaleTips        int64        `json:"at_scale_stored_tips,omitempty"`
	Scales             []benchScale `json:"scales"`
	RSSGrowthPct       *float64     `json:"bot_rss_growth_percent,omitempty"` // nil: not measured at two sizes
}

func parseBenchFlags(args []string, getenv func(string) string, stderr io.Writer) (benchConfig, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage); fs.PrintDefaults() }
	c := benchConfig{RedisURL: getenv("VIGIA_REDIS_URL")}
	sizes := fs.String("sizes", "100000,1000000", "stored tips at which to measure queries and memory (comma-separated, increasing)")
	conc := fs.String("concurrency", "1,16,64", "intake concurrency levels")
	fs.IntVar(&c.Intake, "intake", 2000, "tips per intake measurement")
	fs.IntVar(&c.Queries, "queries", 200, "queries per kind and size")
	fs.IntVar(&c.MemTips, "mem-tips", 20000, "280-character tips for the Redis memory measurement (0: skip)")
	fs.StringVar(&c.Prefix, "prefix", "vigia-bench", "Redis key prefix (its keys are bench data)")
	fs.StringVar(&c.JSON, "json", "", "also write the figures to this file, as JSON")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected %q: every setting is a flag (see vigia bench --help)", fs.Arg(0))
	}
	switch {
	case c.Intake < 1 || c.Intake > 1_000_000:
		return c, fmt.Errorf("--intake must be between 1 and 1000000 tips")
	case c.Queries < 0 || c.Queries > 100_000:
		return c, fmt.Errorf("--queries must be between 0 and 100000")
	case c.MemTips < 0 || c.MemTips > 1_000_000:
		return c, fmt.Errorf("--mem-tips must be between 0 (skip) and 1000000")
	}
	if c.RedisURL == "" {
		return c, &configError{"VIGIA_REDIS_URL", "is not set: vigia bench needs a Redis to measure (its data goes under --prefix)"}
	}
	// Bench data must never mix with a deployment's tips: the bench writes,
	// and deletes, the keys under PREFIX:, PREFIX-raw: and PREFIX-mem:
	// (a pattern for SCAN: no wildcard may widen it).
	real := cmp.Or(getenv("VIGIA_REDIS_PREFIX"), "vigia")
	if c.Prefix == "" || strings.ContainsAny(c.Prefix, "{}:*?[]\\ \t\n") {
		return c, fmt.Errorf("--prefix %q: letters, digits, - and _ only (its keys are deleted by pattern)", c.Prefix)
	}
	for _, p := range []string{c.Prefix, c.Prefix + "-raw", c.Prefix + "-mem"} {
		if p == real {
			return c, fmt.Errorf("--prefix %q: give the bench a prefix of its own, not a deployment's (%q)", c.Prefix, real)
		}
	}
	list := func(s, name string) ([]int, error) {
		var out []int
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 10_000_000 || (len(out) > 0 && n <= out[len(out)-1]) {
				return nil, fmt.Errorf("--%s must be increasing positive numbers (up to 10000000), like 1,16,64", name)
			}
			out = append(out, n)
		}
		return out, nil
	}
	var err error
	if c.Sizes, err = list(*sizes, "sizes"); err != nil {
		return c, err
	}
	if c.Concurrency, err = list(*conc, "concurrency"); err != nil {
		return c, err
	}
	if c.Concurrency[len(c.Concurrency)-1] > 4096 {
		return c, fmt.Errorf("--concurrency: at most 4096")
	}
	return c, nil
}

// benchmark is `vigia bench`.
func benchmark(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	bc, err := parseBenchFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "vigia bench: %v\n", err)
		return 2
	}
	// go-redis's and the log package's lines (a dial error naming
	// Redis's address, a library's complaint) through the scrubbing
	// logger, as in serve: their defaults write plain text on stderr.
	libLog := newLogger(stderr, slog.LevelWarn)
	installRedisLogger(libLog)
	routeStdLog(libLog)
	if bc.CPUProfile != "" {
		f, err := os.Create(bc.CPUProfile)
		if err != nil {
			fmt.Fprintf(stderr, "vigia bench: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "vigia bench: %v\n", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	if bc.JSON != "" {
		// Checked now, not after an hour's run.
		f, err := os.OpenFile(bc.JSON, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "vigia bench: --json: %v\n", err)
			return 2
		}
		f.Close()
	}
	rep, err := runBench(ctx, bc, stderr)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("interrupted (stored tips are kept: a later run continues the fill): %w", err)
		}
		if errors.As(err, new(*configError)) {
			// Names the variable, never its value; Redis's reason
			// (a NOPERM naming a key, its pseudonym) withheld as the
			// logger would (withholdHex; not scrubIDs, which reads
			// a figure after "from" as an id).
			fmt.Fprintf(stderr, "vigia bench: %s\n", withholdHex(err.Error()))
			return 2
		}
		// Says why, not where, as serve's "vigia stopped" line and the
		// bench's own log lines do (scrubAddrs): no Redis address, host
		// name or resolver ("dial tcp 10.0.0.7:6379" is ADDR), and never
		// a URL's user:password@, however an error came to quote it; and
		// no id or pseudonym (scrubIDs: Redis 7.2's NOPERM names the key
		// it refuses, a reporter's with their pseudonym).
		fmt.Fprintf(stderr, "vigia bench: %s\n", scrubIDs(scrubAddrs(err.Error())))
		return 1
	}
	printBench(stdout, rep)
	if bc.JSON != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(bc.JSON, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "vigia bench: --json: %v\n", err)
			return 1
		}
	}
	return 0
}

// benchSecret seals the synthetic tips. It is fixed so that a later run can
// continue a fill; it protects nothing real, and bench data must not share
// a prefix with real data.
var benchSecret = []byte("vigia-bench-synthetic-data-only-0123456789")

// benchEngine is an engine over one key prefix, with limits out of the way.
type benchEngine struct {
	store *storage.Store
	mux   *commands.Mux
	stop  func() // stops its indexer
	// busy makes a reporter's tips go one after the other, their events in
	// order, as a platform delivers one user's updates (two tips of one
	// reporter at once, with events out of order, would have a later event
	// taken for one already sent). A lock per reporter's hash: a fixed size,
	// so the bench's memory does not grow with its reporters.
	busy [4096]sync.Mutex
}

// indexed waits until the engine's indexer has indexed every stored tip,
// and fails if it stops making progress.
func (e *benchEngine) indexed(ctx context.Context) error {
	last, since := int64(-1), time.Now()
	for {
		n, err := e.store.IndexBacklog(ctx)
		if err != nil || n == 0 {
			return err
		}
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > indexStall {
			return fmt.Errorf("the indexer made no progress in %v (%d tips left to index)", indexStall, n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// indexStall is how long the indexer may go without indexing a tip.
const indexStall = 2 * time.Minute

func newBenchEngine(ctx context.Context, rdb redis.UniversalClient, prefix string, stderr io.Writer) (*benchEngine, error) {
	cfg, err := loadConfig(func(string) string { return "" }, true)
	if err != nil {
		return nil, err
	}
	cfg.RedisPrefix, cfg.Secret = prefix, benchSecret
	cfg.SecondFactor.Required = false
	cfg.Limits = commands.Limits{MaxMessageRunes: 4096, MaxParts: 30, MaxChars: 20000,
		PartsPerHour: 1 << 30, TipsPerHour: 1 << 30, QueriesPerHour: 1 << 30, ChatPerHour: 1 << 30}
	kr, err := storage.NewKeyring(cfg.Secret)
	if err != nil {
		return nil, err
	}
	// The engine's errors say why a run failed; its warnings would only
	// break the progress bars. The tips are synthetic, but the lines go
	// through serve's scrubbing logger all the same: one code path for
	// logs (an error still quotes a key's pseudonym or Redis's address).
	log := newLogger(stderr, slog.LevelError)
	eng, err := newEngine(ctx, cfg, rdb, kr, log, commands.Roles{benchPlatform + ":" + benchInvestigator: commands.Investigator}, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	// The indexer runs alongside, as in `serve`, until stop.
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { eng.mux.RunIndexer(ictx); close(done) }()
	return &benchEngine{store: eng.store, mux: eng.mux, stop: func() { cancel(); <-done }}, nil
}

const (
	benchPlatform     = "bench"
	benchInvestigator = "investigator"
)

// benchReplier keeps the replies to one request.
type benchReplier struct{ replies []commands.Reply }

func (r *benchReplier) Reply(_ context.Context, rep commands.Reply) error {
	r.replies = append(r.replies, rep)
	return nil
}

var benchReceipt = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// submit is one reporter sending one tip: a message, then Send. It fails
// unless the reporter got a receipt.
func (e *benchEngine) submit(ctx context.Context, reporter, text string, events *atomic.Int64) error {
	h := fnv.New32a()
	h.Write([]byte(reporter))
	mu := &e.busy[h.Sum32()%uint32(len(e.busy))]
	mu.Lock()
	defer mu.Unlock()
	event := events.Add(2)
	req := commands.Request{Platform: benchPlatform, UserID: reporter, ChatID: reporter, UserChat: reporter,
		ChatKind: commands.Private, EventID: event, Text: text, Language: "es"}
	var r benchReplier
	e.mux.Handle(ctx, req, &r)
	send := ""
	for _, rep := range r.replies {
		for _, row := range rep.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "send:") {
					send = b.Data
				}
			}
		}
	}
	if send == "" {
		return fmt.Errorf("no Send button after a message: %q", firstText(r.replies))
	}
	req.Text, req.Callback, req.EventID = "", send, event+1
	r = benchReplier{}
	e.mux.Handle(ctx, req, &r)
	if len(r.replies) == 0 || !benchReceipt.MatchString(r.replies[0].Text) {
		return fmt.Errorf("no receipt after Send: %q", firstText(r.replies))
	}
	return nil
}

// query is the investigator running one command. It fails unless the
// answer is the command's own (its results, or that there are none): an
// error, a refusal or an unknown command timed as a fast answer would be
// a figure of nothing.
func (e *benchEngine) query(ctx context.Context, command, args string, event int64) error {
	var r benchReplier
	e.mux.Handle(ctx, commands.Request{Platform: benchPlatform, UserID: benchInvestigator, ChatID: benchInvestigator,
		ChatKind: commands.Private, EventID: event, Command: command, Args: args, CommandAtStart: true, Language: "en"}, &r)
	if want := benchAnswers[command]; want == nil || len(r.replies) == 0 || !want.MatchString(r.replies[0].Text) {
		return fmt.Errorf("/%s %s: %q", command, args, firstText(r.replies))
	}
	return nil
}

// benchAnswers are the beginnings of the English answers the bench's
// queries expect: results, or none.
var benchAnswers = map[string]*regexp.Regexp{
	"search":  regexp.MustCompile(`^(\d+ matching tips?, newest first|The (\d+ )?newest matching tips? \(|No tip matches\.)`),
	"entity":  regexp.MustCompile(`^(.+: (\d+ tips?, newest first|the (\d+ )?newest tips? \(more name it\))|No tip matches\.)`),
	"signals": regexp.MustCompile(`^(Strongest signals over the last |No signals in this window\.)`),
	"queue":   regexp.MustCompile(`\S`),
}

func firstText(r []commands.Reply) string {
	if len(r) == 0 {
		return "(no answer)"
	}
	return r[0].Text
}

// tipGen makes synthetic tips of realistic shape: 50–1,000 characters in
// Spanish, Portuguese, English or French, some with links, phone numbers
// and handles; a few entities recur across reporters, as real ones do.
type tipGen struct{ r *rand.Rand }

var benchWords = map[string][]string{
	"es": strings.Fields("extorsión cobro piso mercado tienda halcones droga cristal armas policía mordida desaparecido balacera " +
		"colonia centro norte lunes martes viernes noche camioneta gris blanca moto calle avenida esquina parque escuela iglesia " +
		"amenazan vecinos dueño negocio semana pagar cuota hombres encapuchados venden cerca plaza cobran"),
	"pt": strings.Fields("milícia boca fumo taxa tiroteio arma polícia morro comunidade baile traficantes cobrança moradores " +
		"segunda sexta noite carro preto moto rua praça escola igreja ameaçam comerciantes pagar semana"),
	"en": strings.Fields("weapons shooting bribe missing racket gang dealers corner store owners threatened pay weekly night " +
		"truck grey white street avenue school church park police officer cartel lookout"),
	"fr": strings.Fields("trafic armes disparu racket quartier commerçants menacés payer semaine nuit voiture grise rue " +
		"avenue école église parc police guetteurs réseau"),
}

// benchGlue are the function words real text is half made of.
var benchGlue = map[string][]string{
	"es": strings.Fields("de la el en que los se del las por un una con no su para al lo como pero ya y a"),
	"pt": strings.Fields("de do da em um para com uma os no na por mais as dos que e o a ao"),
	"en": strings.Fields("the and to of a in is it that was for on are with they at this from"),
	"fr": strings.Fields("de la le les et des un une du est pour qui dans pas au sur ne se"),
}

var benchLangs = []string{"es", "es", "es", "pt", "en", "fr"}

// Entities that recur: a phone, a link and a handle that many reporters name.
const (
	benchPhone  = "55 1234 5678"
	benchLink   = "https://cobro-piso.example/pago"
	benchHandle = "@halcon_norte"
)

func (g *tipGen) text(length int) string {
	lang := benchLangs[g.r.IntN(len(benchLangs))]
	words, glue := benchWords[lang], benchGlue[lang]
	var b strings.Builder
	switch n := g.r.IntN(100); {
	case n < 2:
		b.WriteString("llaman del " + benchPhone + " ")
	case n < 3:
		b.WriteString("pagan en " + benchLink + " ")
	case n < 4:
		b.WriteString("el que cobra es " + benchHandle + " ")
	case n < 25:
		fmt.Fprintf(&b, "tel %d ", 5510000000+g.r.IntN(89999999))
	case n < 40:
		fmt.Fprintf(&b, "https://sitio%d.example/p/%d ", g.r.IntN(50000), g.r.IntN(1000))
	case n < 50:
		fmt.Fprintf(&b, "@usuario%d ", g.r.IntN(100000))
	}
	n := utf8.RuneCountInString(b.String())
	word := func(w string) {
		b.WriteString(w)
		b.WriteByte(' ')
		n += utf8.RuneCountInString(w) + 1
	}
	for n <= length {
		if g.r.IntN(2) == 0 {
			word(glue[g.r.IntN(len(glue))])
		}
		word(words[g.r.IntN(len(words))])
	}
	// Exactly length characters, not ending in a space (which the engine
	// would trim).
	t := tips.TruncateRunes(b.String(), length)
	if strings.HasSuffix(t, " ") {
		t = t[:len(t)-1] + "."
	}
	return t
}

// length draws a tip length: 50–1,000 characters, most of them short.
func (g *tipGen) length() int {
	u := g.r.Float64()
	return 50 + int(950*u*u)
}

// progress draws a progress bar with an ETA on w.
type progress struct {
	w     io.Writer
	label string
	total int
	start time.Time
	last  time.Time
	done  atomic.Int64
	mu    sync.Mutex
}

func newProgress(w io.Writer, label string, total int) *progress {
	return &progress{w: w, label: label, total: total, start: time.Now()}
}

func (p *progress) add(n int) {
	d := p.done.Add(int64(n))
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 500*time.Millisecond || int(d) >= p.total { // the last is drawn by finish
		return
	}
	p.last = time.Now()
	p.draw(int(d))
}

func (p *progress) draw(d int) {
	frac := float64(d) / float64(max(p.total, 1))
	el := time.Since(p.start)
	rate := float64(d) / el.Seconds()
	eta := "--:--:--"
	if rate > 0 && el > time.Second { // sooner, one slow first operation would set it
		left := time.Duration(float64(p.total-d) / rate * float64(time.Second)).Round(time.Second)
		eta = fmt.Sprintf("%02d:%02d:%02d", int(left.Hours()), int(left.Minutes())%60, int(left.Seconds())%60)
	}
	const width = 30
	bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
	fmt.Fprintf(p.w, "\r%-24s [%s] %5.1f%% %d/%d  %.0f/s  ETA %s ", p.label, bar, 100*frac, d, p.total, rate, eta)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(int(p.done.Load()))
	fmt.Fprintln(p.w)
}

// parallel runs op n times on c workers and returns the latencies.
func parallel(ctx context.Context, n, c int, bar *progress, op func(i int) error) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	began := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				if err := op(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				lat[i] = time.Since(t)
				if bar != nil {
					bar.add(1)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return lat, took, firstErr
}

func summarize(lat []time.Duration, took time.Duration) benchLatency {
	s := slices.Clone(lat)
	slices.Sort(s)
	pct := func(p float64) float64 {
		if len(s) == 0 {
			return 0
		}
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	return benchLatency{Ops: len(s), PerSec: float64(len(s)) / took.Seconds(), P50ms: pct(0.50), P99ms: pct(0.99), Duration: took.Seconds()}
}

func runBench(ctx context.Context, bc benchConfig, stderr io.Writer) (benchReport, error) {
	rep := benchReport{When: time.Now().UTC(), Machine: machine()}
	rdb, err := redisClient(bc.RedisURL, "single")
	if err != nil {
		return rep, err
	}
	defer rdb.Close()
	if v, err := rdb.Info(ctx, "server").Result(); err == nil {
		if m := regexp.MustCompile(`redis_version:(\S+)`).FindStringSubmatch(v); m != nil {
			rep.Machine += ", Redis " + m[1]
		}
	}
	eng, err := newBenchEngine(ctx, rdb, bc.Prefix, stderr)
	if err != nil {
		return rep, err
	}
	defer eng.stop()
	// Tips an interrupted run left unindexed would be indexed during the
	// intake measurement, and counted against it.
	if n, err := eng.store.IndexBacklog(ctx); err != nil {
		return rep, err
	} else if n > 0 {
		fmt.Fprintf(stderr, "indexing %d tips an earlier run left unindexed…\n", n)
		if err := eng.indexed(ctx); err != nil {
			return rep, err
		}
	}
	var event atomic.Int64
	event.Store(time.Now().UnixNano() / 1000)
	reporter := func(g *tipGen) string { return "r" + strconv.Itoa(g.r.IntN(300000)) }

	// 1. Intake: the engine against raw Redis, at each concurrency.
	payload := func(g *tipGen) string { return g.text(g.length()) }
	for _, c := range bc.Concurrency {
		gens := make([]*tipGen, bc.Intake)
		for i := range gens {
			gens[i] = &tipGen{r: rand.New(rand.NewPCG(uint64(c), uint64(i)))}
		}
		texts := make([]string, bc.Intake)
		for i := range texts {
			texts[i] = payload(gens[i])
		}
		bar := newProgress(stderr, fmt.Sprintf("intake c=%d", c), bc.Intake)
		cpu := startCPU(ctx, rdb)
		began := time.Now()
		lat, took, err := parallel(ctx, bc.Intake, c, bar, func(i int) error {
			return eng.submit(ctx, reporter(gens[i]), texts[i], &event)
		})
		bar.finish()
		if err != nil {
			return rep, fmt.Errorf("intake: %w", err)
		}
		// The indexer ran alongside, as in `serve`; it may still be behind.
		if err := eng.indexed(ctx); err != nil {
			return rep, err
		}
		in := benchIntake{Concurrency: c, Engine: summarize(lat, took), IndexedPerSec: float64(bc.Intake) / time.Since(began).Seconds(),
			EngineCPU: cpu.per(bc.Intake)}
		// The baseline writes what the engine stored for each tip: its
		// sealed blob and wrapped key, byte for byte the same size.
		blobs := make([][]byte, bc.Intake)
		for i := range blobs {
			n, err := eng.store.SealedTipSize(reporter(gens[i]), texts[i], "es")
			if err != nil {
				return rep, err
			}
			blobs[i] = make([]byte, n)
		}
		raw := bc.Prefix + "-raw"
		rawOp := func(i int) error {
			p := rdb.Pipeline()
			p.HSet(ctx, raw+":tip:"+strconv.Itoa(i%bc.Intake), "d", blobs[i%bc.Intake], "s", "new")
			p.XAdd(ctx, &redis.XAddArgs{Stream: raw + ":stream", Values: []any{"id", i}})
			_, err := p.Exec(ctx)
			return err
		}
		// It runs about as long as the engine did (at least as many
		// operations): a run of a few milliseconds would measure noise.
		// A first run of --intake operations tells how many that takes.
		cal, calTook, err := parallel(ctx, bc.Intake, c, nil, rawOp)
		if err != nil {
			return rep, fmt.Errorf("raw baseline: %w", err)
		}
		ops := max(bc.Intake, min(int(float64(len(cal))/calTook.Seconds()*took.Seconds()), 5_000_000))
		bar = newProgress(stderr, fmt.Sprintf("raw redis c=%d", c), ops)
		cpu = startCPU(ctx, rdb)
		lat, took, err = parallel(ctx, ops, c, bar, rawOp)
		bar.finish()
		if err != nil {
			return rep, fmt.Errorf("raw baseline: %w", err)
		}
		in.Raw = summarize(lat, took)
		in.RawCPU = cpu.per(ops)
		in.Ratio = in.Engine.PerSec / in.Raw.PerSec
		in.IndexedRatio = in.IndexedPerSec / in.Raw.PerSec
		rep.Intake = append(rep.Intake, in)
		if err := dropPrefix(ctx, rdb, raw); err != nil {
			return rep, err
		}
	}

	// 2. Redis memory per 280-character tip, indexes included, on a fresh
	// prefix.
	// park runs /queue as often as it takes to park n new tips (one parks
	// up to 100,000).
	park := func(e *benchEngine, n int64) error {
		for range n/100_000 + 1 {
			if err := e.query(ctx, "queue", "", event.Add(1)); err != nil {
				return err
			}
		}
		return nil
	}
	memTips := func(e *benchEngine, seed uint64) (float64, error) {
		// Tips already stored are parked first, so that only the new
		// ones' place in the pending list is counted.
		stored, err := e.store.TipCount(ctx)
		if err != nil {
			return 0, err
		}
		if err := park(e, stored); err != nil {
			return 0, err
		}
		before, err := memoryMark(ctx, rdb)
		if err != nil {
			return 0, err
		}
		bar := newProgress(stderr, "memory (280 chars)", bc.MemTips)
		_, _, err = parallel(ctx, bc.MemTips, 16, bar, func(i int) error {
			g := &tipGen{r: rand.New(rand.NewPCG(seed, uint64(i)))}
			return e.submit(ctx, reporter(g), g.text(280), &event)
		})
		bar.finish()
		if err != nil {
			return 0, fmt.Errorf("memory fill: %w", err)
		}
		// An investigator's /queue parks every new tip in the triage
		// group's pending list, as any day's work does: count that too.
		if err := e.indexed(ctx); err != nil {
			return 0, err
		}
		if err := park(e, int64(bc.MemTips)); err != nil {
			return 0, err
		}
		after, err := memoryMark(ctx, rdb)
		if err != nil {
			return 0, err
		}
		return after.perTip(before, bc.MemTips), nil
	}
	if bc.MemTips > 0 {
		memPrefix := bc.Prefix + "-mem"
		if err := dropPrefix(ctx, rdb, memPrefix); err != nil {
			return rep, err
		}
		mem, err := newBenchEngine(ctx, rdb, memPrefix, stderr)
		if err != nil {
			return rep, err
		}
		rep.BytesPerTip, err = memTips(mem, 7)
		mem.stop()
		if err != nil {
			return rep, err
		}
		if err := dropPrefix(ctx, rdb, memPrefix); err != nil {
			return rep, err
		}
	}

	// 3. Fill to each size, then query.
	for _, size := range bc.Sizes {
		have, err := eng.store.TipCount(ctx)
		if err != nil {
			return rep, err
		}
		sc := benchScale{Queries: map[string]benchLatency{}}
		if missing := size - int(have); missing > 0 {
			bar := newProgress(stderr, fmt.Sprintf("fill to %d", size), missing)
			_, took, err := parallel(ctx, missing, 64, bar, func(i int) error {
				g := &tipGen{r: rand.New(rand.NewPCG(uint64(have)+uint64(i), 11))}
				return eng.submit(ctx, reporter(g), payload(g), &event)
			})
			bar.finish()
			if err == nil {
				err = eng.indexed(ctx)
			}
			if err != nil {
				return rep, fmt.Errorf("fill (it can be continued by running again): %w", err)
			}
			sc.FillPerSec = float64(missing) / took.Seconds()
		}
		if sc.Tips, err = eng.store.TipCount(ctx); err != nil {
			return rep, err
		}
		if sc.Tips > int64(size)*11/10 {
			fmt.Fprintf(stderr, "note: --sizes %d: %d tips are already stored under --prefix %s (an earlier run): measured at %d\n", size, sc.Tips, bc.Prefix, sc.Tips)
		}
		for _, q := range []struct{ name, command, args string }{
			{"search", "search", "extorsión camioneta"},
			{"entity", "entity", benchPhone},
			{"signals", "signals", "7d"},
		} {
			lat := make([]time.Duration, bc.Queries)
			bar := newProgress(stderr, fmt.Sprintf("/%s at %d", q.name, size), bc.Queries)
			began := time.Now()
			for i := range lat {
				t := time.Now()
				if err := eng.query(ctx, q.command, q.args, event.Add(1)); err != nil {
					return rep, err
				}
				lat[i] = time.Since(t)
				bar.add(1)
			}
			bar.finish()
			sc.Queries[q.name] = summarize(lat, time.Since(began))
		}
		runtime.GC()
		debug.FreeOSMemory()
		sc.BotRSSMiB = float64(residentBytes()) / (1 << 20)
		used, err := usedMemory(ctx, rdb)
		if err != nil {
			return rep, err
		}
		sc.RedisMiB = float64(used) / (1 << 20)
		rep.Scales = append(rep.Scales, sc)
	}
	if n := len(rep.Scales); n >= 2 && rep.Scales[0].Tips < rep.Scales[n-1].Tips && rep.Scales[0].BotRSSMiB > 0 {
		g := 100 * (rep.Scales[n-1].BotRSSMiB/rep.Scales[0].BotRSSMiB - 1)
		rep.RSSGrowthPct = &g
	}
	// 4. The same 280-character tips' memory at the largest size: added to
	// the stored tips (and kept, as the fill is), where the indexes are as
	// large as they get.
	if n := len(rep.Scales); n > 0 && bc.MemTips > 0 {
		per, err := memTips(eng, uint64(rep.Scales[n-1].Tips))
		if err != nil {
			return rep, err
		}
		rep.BytesPerTipAtScale, rep.AtScaleTips = per, rep.Scales[n-1].Tips
	}
	return rep, nil
}

// machine describes the machine the bench runs on: CPU model and count,
// memory, Go.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(b); m != nil {
			model = strings.TrimSpace(string(m[1]))
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if m := regexp.MustCompile(`MemTotal:\s+(\d+) kB`).FindSubmatch(b); m != nil {
			kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
			mem = fmt.Sprintf(", %.1f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s)%s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model, mem, runtime.Version())
}

// cpuMark is the CPU time the bench process and Redis had used at a point.
type cpuMark struct {
	ctx        context.Context
	rdb        redis.UniversalClient
	bot, redis time.Duration
}

func startCPU(ctx context.Context, rdb redis.UniversalClient) cpuMark {
	m := cpuMark{ctx: ctx, rdb: rdb}
	m.bot, m.redis = processCPU(), redisCPU(ctx, rdb)
	return m
}

// per is the CPU time used since the mark, per operation of n.
func (m cpuMark) per(n int) benchCPU {
	bot, red := processCPU()-m.bot, redisCPU(m.ctx, m.rdb)-m.redis
	return benchCPU{BotUS: float64(bot.Microseconds()) / float64(n), RedisUS: float64(red.Microseconds()) / float64(n)}
}

// redisCPU is the user and system CPU time the Redis server has used (0
// if it does not say).
func redisCPU(ctx context.Context, rdb redis.UniversalClient) time.Duration {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

// dropPrefix deletes a bench prefix's keys.
func dropPrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}

// memMark is what Redis's memory was at a point: used (less the clients'
// buffers), and the part of it that is the database's two hash tables
// (keys and expiries), with how many entries they hold.
type memMark struct {
	used, tables, entries int64
}

// perTip is the memory n tips added since m0. Redis's hash tables double
// in steps (their bucket arrays, 8 bytes a slot, sized to the next power
// of two of their entries): a step within the measurement would count
// the buckets of a million keys against n tips, and one just before it
// none. So the tables are counted at their average cost per entry, over
// the entries the tips added, instead of by the step they happen to make.
func (m memMark) perTip(m0 memMark, n int) float64 {
	data := (m.used - m.tables) - (m0.used - m0.tables)
	var tables float64
	if m.entries > 0 {
		tables = float64(m.tables) / float64(m.entries) * float64(m.entries-m0.entries)
	}
	return (float64(data) + tables) / float64(n)
}

// memoryMark reads Redis's memory: used_memory, and the hash tables of
// the client's database (MEMORY STATS).
func memoryMark(ctx context.Context, rdb redis.UniversalClient) (memMark, error) {
	var m memMark
	used, err := usedMemory(ctx, rdb)
	if err != nil {
		return m, err
	}
	m.used = used
	db := 0
	if c, ok := rdb.(*redis.Client); ok {
		db = c.Options().DB
	}
	stats, err := rdb.Do(ctx, "MEMORY", "STATS").Slice()
	if err != nil {
		return m, fmt.Errorf("memory stats: %w", err)
	}
	for i := 0; i+1 < len(stats); i += 2 {
		if stats[i] != "db."+strconv.Itoa(db) {
			continue
		}
		f, _ := stats[i+1].([]any)
		for j := 0; j+1 < len(f); j += 2 {
			if k, _ := f[j].(string); k == "overhead.hashtable.main" || k == "overhead.hashtable.expires" {
				v, _ := f[j+1].(int64)
				m.tables += v
			}
		}
	}
	info, err := rdb.Info(ctx, "keyspace").Result()
	if err != nil {
		return m, err
	}
	if k := regexp.MustCompile(`(?m)^db` + strconv.Itoa(db) + `:keys=(\d+),expires=(\d+)`).FindStringSubmatch(info); k != nil {
		keys, _ := strconv.ParseInt(k[1], 10, 64)
		exp, _ := strconv.ParseInt(k[2], 10, 64)
		m.entries = keys + exp
	}
	return m, nil
}

// usedMemory is Redis's used_memory less its clients' buffers, after
// letting lazy frees finish.
func usedMemory(ctx context.Context, rdb redis.UniversalClient) (int64, error) {
	for range 50 {
		v, err := rdb.Info(ctx, "memory").Result()
		if err != nil {
			return 0, err
		}
		if m := regexp.MustCompile(`lazyfree_pending_objects:(\d+)`).FindStringSubmatch(v); m != nil && m[1] != "0" {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		m := regexp.MustCompile(`(?m)^used_memory:(\d+)`).FindStringSubmatch(v)
		if m == nil {
			return 0, fmt.Errorf("no used_memory in INFO")
		}
		used, err := strconv.ParseInt(m[1], 10, 64)
		// Less the clients' buffers: the connections', not the tips' (a
		// pipeline leaves its size in the connection's query buffer for a
		// few seconds).
		if c := regexp.MustCompile(`(?m)^mem_clients_normal:(\d+)`).FindStringSubmatch(v); c != nil && err == nil {
			clients, _ := strconv.ParseInt(c[1], 10, 64)
			used -= clients
		}
		return used, err
	}
	return 0, fmt.Errorf("redis lazy free did not finish")
}

// residentBytes is this process's resident set size.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n << 10
}

func printBench(w io.Writer, r benchReport) {
	fmt.Fprintf(w, "Vigía bench, %s\n%s\n\n", r.When.Format(time.RFC3339), r.Machine)
	fmt.Fprintln(w, "Intake (one tip = a message and Send, through the engine; raw = one go-redis pipeline of HSET + XADD of the same size)")
	fmt.Fprintf(w, "%-6s %12s %9s %9s %12s %9s %9s %8s %13s %8s\n", "conc", "engine tip/s", "p50 ms", "p99 ms", "raw op/s", "p50 ms", "p99 ms", "ratio", "indexed tip/s", "ratio")
	for _, in := range r.Intake {
		fmt.Fprintf(w, "%-6d %12.0f %9.2f %9.2f %12.0f %9.2f %9.2f %7.1f%% %13.0f %7.1f%%\n", in.Concurrency, in.Engine.PerSec, in.Engine.P50ms, in.Engine.P99ms,
			in.Raw.PerSec, in.Raw.P50ms, in.Raw.P99ms, 100*in.Ratio, in.IndexedPerSec, 100*in.IndexedRatio)
	}
	fmt.Fprintln(w, "(engine tip/s: reporters told \"received\", tip durable; indexed tip/s: until the indexer running alongside had indexed them all, what intake sustains)")
	fmt.Fprintln(w, "\nCPU time per tip (indexing included) and per raw operation, in microseconds")
	fmt.Fprintf(w, "%-6s %12s %12s %12s %12s\n", "conc", "engine bot", "engine Redis", "raw bot", "raw Redis")
	for _, in := range r.Intake {
		fmt.Fprintf(w, "%-6d %12.0f %12.0f %12.1f %12.1f\n", in.Concurrency, in.EngineCPU.BotUS, in.EngineCPU.RedisUS, in.RawCPU.BotUS, in.RawCPU.RedisUS)
	}
	if r.BytesPerTip > 0 {
		fmt.Fprintf(w, "\nRedis memory per 280-character tip, indexes included: %.0f bytes on a fresh prefix", r.BytesPerTip)
		if r.BytesPerTipAtScale > 0 {
			fmt.Fprintf(w, ", %.0f bytes added to %d stored tips", r.BytesPerTipAtScale, r.AtScaleTips)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nQueries (investigator commands through the engine, audit included)")
	fmt.Fprintf(w, "%-12s %10s %10s %10s %10s %10s %10s %10s %10s\n", "stored tips", "search p50", "p99", "entity p50", "p99", "signals p50", "p99", "bot RSS", "Redis")
	for _, s := range r.Scales {
		q := s.Queries
		fmt.Fprintf(w, "%-12d %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %8.1fMiB %7.0fMiB\n", s.Tips, q["search"].P50ms, q["search"].P99ms,
			q["entity"].P50ms, q["entity"].P99ms, q["signals"].P50ms, q["signals"].P99ms, s.BotRSSMiB, s.RedisMiB)
	}
	if r.RSSGrowthPct != nil {
		fmt.Fprintf(w, "\nBot RSS from %d to %d tips: %+.1f%%\n", r.Scales[0].Tips, r.Scales[len(r.Scales)-1].Tips, *r.RSSGrowthPct)
	}
}
