// Command vigia is a Telegram and Discord bot that takes anonymous tips
// about organized crime into a sealed Redis triage queue for vetted
// investigators.
//
//	vigia [serve]                run the bot (the default)
//	vigia demo                   play reporter and investigator in this terminal
//	vigia keygen                 print a new VIGIA_SECRET
//	vigia rotate-key             re-seal Redis under a new VIGIA_SECRET
//	vigia reset-2fa platform:id  forget a team member's second-factor key
//	vigia bench                  measure intake, queries and memory (BENCHMARKS.md)
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/bot/console"
	"github.com/vigia-project/vigia/bot/discord"
	"github.com/vigia-project/vigia/bot/telegram"
	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

const usage = `usage: vigia [serve|demo|keygen|rotate-key|reset-2fa|bench]

  serve       run the bot (default); configured by VIGIA_* variables, see
              README.md; listeners: VIGIA_HTTP_ADDR (webhook, /healthz,
              /readyz; public) and VIGIA_METRICS_ADDR (/metrics only; default
              127.0.0.1:9464, "off": none)
  demo        try Vigía in this terminal, no tokens and no Redis needed; always
              in memory (VIGIA_REDIS_* and VIGIA_SECRET* are ignored)
  keygen      print a new random VIGIA_SECRET
  rotate-key  re-seal everything under VIGIA_SECRET, from VIGIA_SECRET_PREVIOUS
  reset-2fa platform:id
              forget a team member's second-factor key (a lost authenticator),
              so they can /enroll again; recorded in the audit log
  bench       measure intake, queries and memory against VIGIA_REDIS_URL (see
              BENCHMARKS.md)
`

func main() {
	// A crash's output is scrubbed by a parent process (crashguard_unix.go).
	if status, ok := guardCrashOutput(os.Getenv); ok {
		os.Exit(status)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A log line is written in writes of at most PIPE_BUF (atomicLines):
	// nothing of a crash lands inside one.
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, &atomicLines{w: os.Stderr}))
}

// run is main without the process: tests call it with their own environment
// and streams. It returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	mode := "serve"
	if len(args) > 0 {
		mode = args[0]
	}
	// serve, demo, keygen and rotate-key take no arguments: a help flag
	// after them prints the usage, anything else is refused rather than
	// ignored (`vigia demo --help` started the demo; `vigia serve --help`
	// failed on a missing secret).
	if len(args) > 1 && (mode == "serve" || mode == "demo" || mode == "keygen" || mode == "rotate-key") {
		if isHelp(args[1]) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "vigia: %s takes no arguments (got %q)\n%s", mode, args[1], usage)
		return 2
	}
	switch mode {
	case "serve", "demo":
	case "keygen":
		return keygen(stdout, stderr)
	case "rotate-key":
		return rotateKey(ctx, getenv, stdout, stderr)
	case "reset-2fa":
		return resetSecondFactor(ctx, args[1:], getenv, stdout, stderr)
	case "bench":
		return benchmark(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "vigia: unknown command %q\n%s", mode, usage)
		return 2
	}
	ignored := false
	if mode == "demo" {
		getenv, ignored = demoEnv(getenv)
	}
	cfg, err := loadConfig(getenv, mode == "demo")
	if err != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel)
	installRedisLogger(log) // its default writes plain text to stderr
	routeStdLog(log)
	if mode == "serve" {
		for _, w := range configWarnings(cfg, environNames()) {
			log.Warn(w)
		}
	}
	if mode == "demo" {
		err = demo(ctx, cfg, log, ignored, stdin, stdout)
	} else {
		err = serve(ctx, cfg, log)
	}
	if err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			// Past the logger: Redis's reason in it (a NOPERM names
			// the key it refuses, a reporter's with their pseudonym)
			// withheld as the logger would (withholdHex; not scrubIDs,
			// which reads a figure after "from" as an id).
			fmt.Fprintf(stderr, "vigia: %s\n", withholdHex(err.Error()))
			return 2
		}
		log.Error("vigia stopped", "error", err.Error())
		return 1
	}
	return 0
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

func keygen(stdout, stderr io.Writer) int {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(b))
	return 0
}

// engine is what serve and demo share: storage and the command engine.
type engine struct {
	store *storage.Store
	mux   *commands.Mux
	msg   *locales.Bundle
	// own is the bot's own accounts, as the adapters learn them: not
	// counted as entities of the tips that name them.
	own *tips.Own
	// spoolTally counts the messages spooled (nil without a spool), for
	// the replay to tell (replaySpool).
	spoolTally *spoolTally
}

// initTimeout bounds the checks before the store's Init (newEngine's
// check), and Init, each.
var initTimeout = 15 * time.Second

// newEngine builds the engine on rdb. check, if not nil, runs before the
// store's Init writes anything into Redis (its keyset, the triage stream):
// a Redis that serve refuses is left as it was found.
func newEngine(ctx context.Context, cfg Config, rdb redis.UniversalClient, kr *storage.Keyring, log *slog.Logger, roles commands.Roles, metrics func(*storage.Store) commands.Metrics, spool *storage.Spool, check func(context.Context, *storage.Store) error) (*engine, error) {
	required := map[string]string{}
	if cfg.DiscordRole != "" {
		required[discord.Platform] = cfg.DiscordRole
	}
	own := new(tips.Own)
	opts := storage.Options{
		Prefix: cfg.RedisPrefix, Retention: cfg.Retention, DraftIdle: cfg.DraftIdle,
		ClosedRetention: cfg.ClosedRetention, VerifiedRetention: cfg.VerifiedRetention,
		Index: storage.IndexOptions{Region: cfg.PhoneRegion, Window: cfg.SignalWindow, Threshold: cfg.Threshold, Own: own},
	}
	if spool != nil {
		opts.HeldReceipt = spool.HoldsReceipt
	}
	st, err := storage.New(rdb, kr, opts)
	if err != nil {
		return nil, err
	}
	if check != nil {
		// The check has a deadline of its own: serve's asks Telegram and
		// Discord too, and a slow platform spent Init's, which then failed
		// as "redis: context deadline exceeded" on a sound Redis.
		checkCtx, cancel := context.WithTimeout(ctx, initTimeout)
		err := check(checkCtx, st)
		cancel()
		if err != nil {
			return nil, err
		}
	}
	initCtx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()
	if err := st.Init(initCtx); err != nil {
		return nil, redisStartError(cfg.RedisMode, err)
	}
	msg, err := locales.Load()
	if err != nil {
		return nil, err
	}
	var m commands.Metrics
	if metrics != nil {
		m = metrics(st)
	}
	var spooler commands.Spooler
	var tally *spoolTally
	if spool != nil {
		tally = newSpoolTally(log)
		spooler = tallyingSpool{spool, tally}
	}
	mux := commands.New(commands.Options{
		Metrics: m, Spool: spooler,
		Store: st, Messages: msg, Roles: roles, InvestigatorChats: cfg.InvestigatorChats,
		DefaultLanguage: cfg.DefaultLanguage, Retention: cfg.Retention, Logger: log, RequiredRoles: required,
		Triage: cfg.Triage, SecondFactor: cfg.SecondFactor, Limits: cfg.Limits, Region: cfg.PhoneRegion, SignalWindow: cfg.SignalWindow, PublishApprovals: cfg.PublishApprovals,
	})
	if spool != nil {
		// The replay routes what the outage spooled as the live path
		// would (an answer, a team member's message), Redis back.
		spool.RouteWith(mux.RouteSpooled)
	}
	// Investigators' chats the platform moved since the configuration
	// named them, followed before this restart.
	if err := storage.RefusedSettings(mux.LoadTeamChats(initCtx)); errors.Is(err, storage.ErrRedisSettings) {
		return nil, &configError{"VIGIA_REDIS_URL", err.Error()}
	} else if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	return &engine{store: st, mux: mux, msg: msg, own: own, spoolTally: tally}, nil
}

// redisClient connects to a single node, a Redis Cluster, or a Sentinel-
// managed primary (VIGIA_REDIS_MODE); the storage code is the same for
// all: every multi-key atomic operation stays within one hash tag. It
// speaks RESP2: Vigía uses no RESP3 feature, and go-redis checks for
// RESP3 push messages before every reply (a tenth of intake CPU).
func redisClient(url, mode string) (redis.UniversalClient, error) {
	return redisClientWaiting(url, mode, 0)
}

// redisClientWaiting is redisClient whose calls wait for Redis's answer
// at least wait (0: the read timeout of the URL, 5 s by default in go-redis v9.23).
func redisClientWaiting(url, mode string, wait time.Duration) (redis.UniversalClient, error) {
	switch mode {
	case "cluster":
		opt, err := clusterOptions(url, wait)
		if err != nil {
			return nil, err
		}
		return redis.NewClusterClient(opt), nil
	case "sentinel":
		opt, err := sentinelOptions(url, wait)
		if err != nil {
			return nil, err
		}
		rdb := redis.NewFailoverClient(opt)
		rdb.AddHook(sentinelNil{})
		rdb.AddHook(unstampedRefusal{})
		return rdb, nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, &configError{"VIGIA_REDIS_URL", "is not a valid Redis URL"}
	}
	if !redisPoolSizesOK(opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns, opt.PipelinePoolSize) {
		return nil, errRedisPoolSizes
	}
	if opt.DialTimeout < 0 {
		return nil, errRedisDialTimeout
	}
	opt.Protocol = 2
	// Calls end with their context: without this, go-redis ignores it on
	// the socket, and a call to a hung Redis waits out the read timeout
	// (5 s) and its retries, whatever the caller's deadline (the steps
	// before a request's routing, a reply's own few seconds).
	opt.ContextTimeoutEnabled = true
	opt.ReadTimeout = max(opt.ReadTimeout, wait)
	if opt.TLSConfig != nil {
		// go-redis checks an idle TLS connection before use only if it
		// sees its socket (tlsDialer): else, after Redis restarted, a
		// Send fails once on each dead connection.
		opt.Dialer = tlsDialer(opt.TLSConfig, opt.DialTimeout)
	}
	rdb := redis.NewClient(opt)
	rdb.AddHook(unstampedRefusal{})
	return rdb, nil
}

// errRedisPoolSizes refuses the URL's connection counts that go-redis
// panics on as it makes its client (on a cluster, at the first call): a
// negative pool_size ("makechan: size out of range"), or any count past
// 2^31-1. serve and the operator's commands crashed with a stack trace.
var errRedisPoolSizes = &configError{"VIGIA_REDIS_URL", "pool_size must be between 0 (the default) and 2147483647, and min_idle_conns, max_idle_conns, max_active_conns and pipeline_pool_size at most 2147483647"}

// errRedisDialTimeout refuses a dial_timeout= of 0 or less in
// VIGIA_REDIS_URL: go-redis reads it as "no timeout" (-1), and the dialer
// then takes it for a deadline already past, so every connection failed at
// once, in every mode, serve saying only that Redis could not be reached
// ("dial: no connection in -1ns").
var errRedisDialTimeout = &configError{"VIGIA_REDIS_URL", "dial_timeout must be a positive duration (5s when left out): 0 or less makes every connection fail at once"}

// redisPoolSizesOK reports whether go-redis can make its connection pools
// with these counts (errRedisPoolSizes).
func redisPoolSizesOK(poolSize int, others ...int) bool {
	if poolSize < 0 {
		return false
	}
	for _, n := range append(others, poolSize) {
		if n > math.MaxInt32 {
			return false
		}
	}
	return true
}

func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	rdb, err := serveRedisClient(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	kr, err := cfg.keyring() // one keyring: Init gives the spool the MAC keys kept in Redis
	if err != nil {
		return err
	}
	spool, err := storage.OpenSpool(cfg.SpoolDir, kr)
	if err != nil {
		return &configError{"VIGIA_SPOOL_DIR", "cannot be created, written and read back: " + withoutPath(err)}
	}
	var prom *promMetrics
	// telegramUnanswered is the token check's getMe failing with no
	// answer or a server error: that was the first try, the adapter's is
	// the one retry, and its error tells both.
	var telegramUnanswered error
	stopWatch := watchSentinels(ctx, cfg, log)
	eng, err := newEngine(ctx, cfg, rdb, kr, log, cfg.roles(), func(st *storage.Store) commands.Metrics {
		prom = newMetrics(st, spool)
		return prom
	}, spool, func(ctx context.Context, st *storage.Store) error {
		if err := refusedAtOnce(ctx, cfg.RedisMode, rdb, st); err != nil {
			return err
		}
		if err := checkPersistence(ctx, st, cfg.AllowNoAOF, log); err != nil {
			return err
		}
		var err error
		telegramUnanswered, err = checkTokens(ctx, cfg, log)
		return err
	})
	stopWatch()
	if err != nil {
		return sentinelsOutage(ctx, cfg, err)
	}
	// Added once started: a user without CONFIG GET is the start's own
	// warning (checkPersistence), and a refusal by the ACL then stopped
	// the start (exit 2, VIGIA_REDIS_URL).
	rdb.AddHook(newNopermNotice(log))
	// Adapters run side by side on one engine; if one fails, all stop.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	// fail stops what already started (a polling batch finishes) before
	// returning a start-up error.
	fail := func(err error) error {
		cancel(err)
		wg.Wait()
		return err
	}
	var platforms []string
	var adapters []interface{ Connected() bool }
	var httpMux *http.ServeMux
	if cfg.HTTPAddr != "" {
		httpMux = publicMux(func(w http.ResponseWriter, r *http.Request) {
			pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := eng.store.Ping(pctx); err != nil {
				http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
				return
			}
			for _, a := range adapters {
				if !a.Connected() {
					http.Error(w, "platform not connected", http.StatusServiceUnavailable)
					return
				}
			}
			fmt.Fprintln(w, "ready")
		})
	}
	if cfg.TelegramToken != "" {
		// Updates land in a Redis inbox (webhook mode; polling mode too,
		// while Redis answers) and any replica's workers handle them.
		if err := eng.store.InitInbox(ctx, telegram.Platform); err != nil {
			return fail(err)
		}
		bot, _, _ := strings.Cut(cfg.TelegramToken, ":")
		inbox := telegramInbox{st: eng.store, bot: bot}
		tries := 0 // telegram.New's default: a blip since the check gets a retry
		if telegramUnanswered != nil {
			tries = 1
		}
		tg, err := telegram.New(ctx, telegram.Options{
			Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL, Logger: log, Messages: eng.msg, DefaultLanguage: cfg.DefaultLanguage,
			OnRateLimit: prom.RateLimited(telegram.Platform), Inbox: inbox, StartTimeout: telegramStartTimeout, StartTries: tries,
			FailedBefore: telegramUnanswered,
		})
		if err != nil {
			if cerr := telegramRefused(err); cerr != nil {
				return fail(cerr)
			}
			if uerr := telegramUnreachable(err, cfg.TelegramAPIURL); uerr != nil {
				return fail(uerr)
			}
			if serr := telegramServerError(err, cfg.TelegramAPIURL); serr != nil {
				return fail(serr)
			}
			return fail(err)
		}
		if u, _ := url.Parse(cfg.TelegramAPIURL); u != nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
			log.Warn("VIGIA_TELEGRAM_API_URL is plain http to another host: the bot token and every message cross the network unencrypted")
		}
		eng.own.Add(tg.Username())
		eng.mux.AddSender(telegram.Platform, tg)
		platforms = append(platforms, telegram.Platform)
		adapters = append(adapters, tg)
		if cfg.WebhookURL != "" {
			// Webhook mode: updates land in the inbox before Telegram is
			// answered.
			httpMux.Handle("POST "+webhookPath(cfg.WebhookURL), tg.WebhookHandler(inbox, cfg.WebhookSecret))
			wg.Go(func() {
				if err := tg.RunWebhook(ctx, eng.mux, inbox, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
					cancel(err)
				}
			})
		} else {
			wg.Go(func() {
				if err := tg.Run(ctx, eng.mux); err != nil {
					if errors.Is(err, telegram.ErrUnauthorized) {
						// Revoked while running: every platform stops (exit 2),
						// as at start-up, so the supervisor shows it.
						err = &configError{"VIGIA_TELEGRAM_TOKEN", "Telegram rejected this token (revoked or replaced?); set the current one from @BotFather"}
					}
					cancel(err)
				}
			})
		}
	}
	if cfg.DiscordToken != "" {
		dc, err := discord.New(discord.Options{
			Token: cfg.DiscordToken, GuildID: cfg.DiscordGuildID, APIURL: cfg.DiscordAPIURL,
			InvestigatorChannels: platformIDs(cfg.InvestigatorChats, discord.Platform), Messages: eng.msg, Logger: log,
			OnRateLimit: prom.RateLimited(discord.Platform), Self: eng.own.AddBare,
		})
		if err != nil {
			return fail(err)
		}
		if u, _ := url.Parse(cfg.DiscordAPIURL); u != nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
			log.Warn("VIGIA_DISCORD_API_URL is plain http to another host: the bot token and every message cross the network unencrypted")
		}
		eng.mux.AddSender(discord.Platform, dc)
		platforms = append(platforms, discord.Platform)
		adapters = append(adapters, dc)
		wg.Go(func() {
			if err := dc.Run(ctx, eng.mux); err != nil {
				switch {
				case errors.Is(err, discord.ErrUnauthorized):
					err = &configError{"VIGIA_DISCORD_TOKEN", "Discord rejected this token; reset it in the Developer Portal"}
				case errors.Is(err, discord.ErrNotRegistered):
					err = &configError{"VIGIA_DISCORD_TOKEN", "Discord did not take this bot's commands within a minute (rate limited: a bot restarted too often may wait hours); start again later, and check that no other process registers commands with this token"}
				case errors.Is(err, discord.ErrNoPostChannel):
					err = &configError{"VIGIA_INVESTIGATOR_CHATS", "a Discord channel is a forum, media or category channel, where the bot cannot post alerts: give a text channel, or one post (thread) of the forum"}
				}
				cancel(err)
			}
		})
	}
	if httpMux != nil {
		if err := listen(ctx, &wg, cancel, log, "VIGIA_HTTP_ADDR", cfg.HTTPAddr, httpMux); err != nil {
			return fail(err)
		}
	}
	if cfg.MetricsAddr != "" {
		if err := listen(ctx, &wg, cancel, log, "VIGIA_METRICS_ADDR", cfg.MetricsAddr, metricsMux(prom.reg)); err != nil {
			return fail(err)
		}
	}
	wg.Go(func() {
		keepRunning(ctx, log, "sweeper", restartPause, func(ctx context.Context) { eng.mux.RunSweeper(ctx, time.Minute, cfg.DraftIdle) })
	})
	wg.Go(func() { keepRunning(ctx, log, "indexer", restartPause, eng.mux.RunIndexer) })
	wg.Go(func() {
		runRecovered(ctx, log, "index expiry repair", func(ctx context.Context) { repairIndexExpiry(ctx, eng.store, log, storage.IndexRepairLease) })
	})
	wg.Go(func() {
		keepRunning(ctx, log, "broadcaster", restartPause, func(ctx context.Context) { eng.mux.RunBroadcaster(ctx, time.Second) })
	})
	wg.Go(func() {
		keepRunning(ctx, log, "spool replay", restartPause, func(ctx context.Context) {
			replaySpool(ctx, spool, eng.store, log, eng.spoolTally, eng.mux.InvitationsVoided)
		})
	})
	wg.Go(func() {
		keepRunning(ctx, log, "duplicates backfill", restartPause, func(ctx context.Context) {
			backfillDuplicates(ctx, eng.store, log, storage.BackfillLease)
		})
	})
	log.Info("vigia serving", "platforms", strings.Join(platforms, ","))
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err // run says it stopped, and why, in one line
	}
	log.Info("vigia stopped")
	return nil
}

// repairIndexExpiry gives the index keys an earlier version left without
// an expiry theirs (storage.RepairIndexExpiry: once a day at most across
// replicas), at serve's start, beside the other loops. While another
// process runs it, it waits for that run's end, and runs it if that one
// stopped unfinished (its process killed): the keys not yet repaired do
// not wait for the next start, a day later.
func repairIndexExpiry(ctx context.Context, st *storage.Store, log *slog.Logger, pause time.Duration) {
	for {
		n, err := st.RepairIndexExpiry(ctx)
		switch {
		case errors.Is(err, storage.ErrIndexRepairHeld) && ctx.Err() == nil:
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
				continue
			}
		case err != nil && ctx.Err() == nil:
			log.Warn("index keys without expiry: the look for them failed; tried again at the next start", "error", err.Error())
		case n > 0:
			log.Info("index keys left without expiry by an earlier version given one", "keys", n)
		}
		return
	}
}

// checkPersistence refuses a Redis without an append-only file, unless
// allowNoAOF (VIGIA_ALLOW_REDIS_WITHOUT_AOF): there a tip a reporter was
// told is "received" is gone when Redis restarts (the last RDB snapshot
// at best), against "nothing is lost". It only warns of an append-only
// file not fsynced on every write (lost on a machine crash, not a Redis
// restart), and of settings it cannot read: Redis users without CONFIG GET
// are documented (README), their operators check persistence by hand.
// It runs before the store's Init: a Redis that does not answer at all is
// left to Init to report (unreachable, a wrong password), without a
// warning about persistence.
func checkPersistence(ctx context.Context, st *storage.Store, allowNoAOF bool, log *slog.Logger) error {
	if st.Ping(ctx) != nil {
		return nil
	}
	p, err := st.Persistence(ctx)
	switch {
	case errors.Is(err, storage.ErrConfigForbidden):
		log.Warn("cannot check Redis persistence: Vigía's Redis user may not run CONFIG GET; add +config|get to its ACL (see README), or make sure by hand that Redis runs with appendonly yes and appendfsync always")
	case err != nil:
		log.Warn("cannot check Redis persistence; make sure it runs with appendonly yes and appendfsync always", "error", err.Error())
	case !p.AppendOnly && !allowNoAOF:
		return &configError{"VIGIA_REDIS_URL", "this Redis runs without an append-only file (appendonly no): a tip a reporter is told is received would be lost when Redis restarts. " +
			"Run it with appendonly yes and appendfsync always; to run anyway (a test instance, never with real reporters) set VIGIA_ALLOW_REDIS_WITHOUT_AOF=yes"}
	case !p.AppendOnly:
		log.Error("VIGIA_ALLOW_REDIS_WITHOUT_AOF is set and Redis runs without an append-only file (appendonly no): every tip reporters are told is received since the last snapshot is LOST when Redis restarts; never run real reporters on this")
	case !p.FsyncAlways:
		log.Warn("Redis does not fsync every write (appendonly yes, appendfsync always): a tip acknowledged just before a Redis crash could be lost")
	}
	return nil
}

// refusedAtOnce is, in single mode, a Redis that refuses the connection
// (nothing listens at the URL's port) as serve stops on it
// (unreachableError), at once: left to Init, serve first asked Telegram
// and Discord for the tokens, then waited out go-redis's retries of
// Init's calls, and said so seconds later. So is one that gives this
// Ping no answer in the URL's timeouts (5 s by default; a Redis that
// takes the connection and never answers): serve went on to the token
// check and Init, said nothing for some 25 s, then stopped on "read
// keyset: context deadline exceeded"; its line now says "no answer in"
// and how long it waited. So is a connection not made within the dial
// timeout (the URL's dial_timeout=, 5 s unless set: a host that drops
// it, a black hole; a shorter one dialled again until 3 s), said by
// firstDial: go-redis dials five times before a call fails, each for
// the dial timeout, and the Ping retries, so the start waited the check's whole deadline
// (initTimeout, 15 s) whatever dial_timeout=, to say "no answer in 15s".
// A dial_timeout= past initTimeout is cut short there, its line saying
// the time it waited. Other failures (a wrong password) are left to
// Init, as before; in cluster mode the nodes were asked
// (liveClusterClient).
//
// In sentinel mode it is the primary not reached through the sentinels
// by the check's deadline (initTimeout; go-redis asking them again and
// again meanwhile, so that a sentinel merely slow, or back within that
// time, is used): that stops the start at once, before the platforms
// are asked, and sentinelsOutage says why. Left to Init, the start
// waited the check's initTimeout on this Ping (checkPersistence), the
// token check then finding its own deadline spent ("telegram getMe
// failed"), then Init's initTimeout on the same sentinels, then the
// sentinels' last ask: about 30 s with every sentinel refusing the
// connection, 40 with silent ones, before serve exited. Now within
// sentinelStartBound. A refusal that is no outage (a wrong master_name=,
// a password) is left to Init, which says so (exit 2).
func refusedAtOnce(ctx context.Context, mode string, rdb redis.UniversalClient, st *storage.Store) error {
	switch mode {
	case "single":
		start := time.Now()
		if c, ok := rdb.(*redis.Client); ok {
			// (A refusal, and any other failure, is the Ping's to say.)
			opt := c.Options()
			deadline, ok := ctx.Deadline()
			// Which ends the dial: the dial timeout, or before it the
			// check's deadline (a dial_timeout= past initTimeout), which
			// its context may not show yet as the dial times out.
			own := !ok || time.Until(deadline) > firstDialBudget(opt.DialTimeout)
			if dials, err := firstDial(ctx, opt); unanswered(err) {
				waited := opt.DialTimeout.String() + " (dial_timeout=)"
				switch {
				case !own:
					waited = time.Since(start).Round(time.Second).String()
				case dials > 1:
					waited = time.Since(start).Round(100*time.Millisecond).String() + " (" + strconv.Itoa(dials) + " dials, dial_timeout= " + opt.DialTimeout.String() + " each)"
				}
				return unreachableError(mode, &lineError{"dial: no connection in " + waited, err})
			}
		}
		err := st.Ping(ctx)
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return unreachableError(mode, fmt.Errorf("ping: %w", err))
		case unanswered(err):
			return unreachableError(mode, &lineError{"ping: no answer in " + time.Since(start).Round(time.Second).String(), err})
		}
	case "sentinel":
		for {
			err := st.Ping(ctx)
			if err == nil || !redisUnreachable(err) {
				return nil
			}
			// (A primary that takes the connection and does not answer
			// fails the Ping at the dial timeout: asked again until the
			// deadline, as Init's retries did.)
			select {
			case <-ctx.Done():
				return unreachableError(mode, fmt.Errorf("ping: %w (%w)", err, ctx.Err()))
			case <-time.After(pingAgain):
			}
		}
	}
	return nil
}

// firstDial dials the Redis of opt as its client's pool would (its
// dialer: TLS, the keep-alives; each dial for at most the dial timeout,
// go-redis's pause between them, at most its DialerRetries dials) until
// a connection is made, and hangs up: the number of dials made, and nil,
// or why the last one failed. Only a dial that timed out is made again
// (a refusal is the Ping's to say), and all within firstDialBudget: a
// dial_timeout= under a second never saw the SYN the kernel sends again
// after one, so one SYN dropped on the way stopped serve, where go-redis
// would have dialled again.
func firstDial(ctx context.Context, opt *redis.Options) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, firstDialBudget(opt.DialTimeout))
	defer cancel()
	for dials := 1; ; dials++ {
		dctx, dcancel := context.WithTimeout(ctx, opt.DialTimeout)
		conn, err := opt.Dialer(dctx, opt.Network, opt.Addr)
		dcancel()
		if err == nil {
			return dials, conn.Close()
		}
		if !unanswered(err) || dials >= opt.DialerRetries {
			return dials, err
		}
		select {
		case <-ctx.Done():
			return dials, err
		case <-time.After(opt.DialerRetryTimeout):
		}
	}
}

// firstDialBudget is how long firstDial dials, at most: the dial
// timeout, and no less than 3 s. Linux sends a SYN that had no answer
// again after 1 s, then after 2 s more: one dial of 3 s or more sends
// three, which the default dial timeout (5 s) keeps to one dial; a
// shorter dial_timeout= is given dials again until 3 s, each with a SYN
// of its own. Longer, a black hole kept serve's start waiting the dials
// go-redis would make (five, each for the dial timeout) or the check's
// whole initTimeout.
func firstDialBudget(dialTimeout time.Duration) time.Duration {
	return max(dialTimeout, 3*time.Second)
}

// unanswered reports whether err is a call that got no answer in time:
// its deadline passed, or its socket's read or dial timeout.
func unanswered(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// pingAgain is the pause between refusedAtOnce's Pings in sentinel mode.
const pingAgain = 250 * time.Millisecond

// sentinelStartBound is how long serve's start in sentinel mode waits, at
// most, for the primary through sentinels that do not name it or a
// primary that does not answer, before it stops (exit 1): the check's
// initTimeout (refusedAtOnce), then the sentinels' last ask, to say why
// (sentinelsOutage: seedWait, the URL's dial timeout and openWait). 25 s
// by default. The platforms' own waits come after, if Redis answered.
func sentinelStartBound(dialTimeout time.Duration) time.Duration {
	return initTimeout + seedWait(dialTimeout)
}

// checkTokens asks Telegram (getMe) and Discord (/users/@me) whether they
// know the bot tokens before serve writes anything into Redis. Refused
// later, a token left Redis with a keyset kept under the secret of that
// run: with the secret corrected along with the token, the next start was
// refused as the wrong secret. Other failures (a platform unreachable)
// are left to the adapters to report as they start, after Init (whose
// configuration errors, such as the wrong secret, come first): the check
// asks getMe once (telegramStartTimeout, or the check's deadline), and
// returns its error if it got no answer or a server error (5xx), for the
// adapter to make its own the one retry (telegram.Options.FailedBefore).
// That first failure is logged at once: the operator learns what is
// wrong before the retry ends.
func checkTokens(ctx context.Context, cfg Config, log *slog.Logger) (telegramUnanswered, err error) {
	if cfg.TelegramToken != "" {
		_, err := telegram.New(ctx, telegram.Options{Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL, StartTimeout: telegramStartTimeout, StartTries: 1})
		if cerr := telegramRefused(err); cerr != nil {
			return nil, cerr
		}
		if errors.Is(err, telegram.ErrUnreachable) || errors.Is(err, telegram.ErrServerError) {
			telegramUnanswered = err
			log.Warn("telegram getMe failed at start-up, asking again once", "error", err.Error())
		}
	}
	if cfg.DiscordToken != "" {
		dc, err := discord.New(discord.Options{Token: cfg.DiscordToken, APIURL: cfg.DiscordAPIURL})
		if err == nil && errors.Is(dc.CheckToken(ctx), discord.ErrUnauthorized) {
			return telegramUnanswered, &configError{"VIGIA_DISCORD_TOKEN", "Discord rejected this token; reset it in the Developer Portal"}
		}
	}
	return telegramUnanswered, nil
}

// telegramRefused is the configuration error a failed telegram.New
// comes to: the token rejected (401), or a URL where no Bot API answers
// (a 404 from other than Telegram's own server: a local server's address
// or path mistyped, not the token); nil for any other failure.
func telegramRefused(err error) error {
	switch {
	case errors.Is(err, telegram.ErrUnauthorized):
		return &configError{"VIGIA_TELEGRAM_TOKEN", "Telegram rejected this token; check it with @BotFather"}
	case errors.Is(err, telegram.ErrNoBotAPI):
		return &configError{"VIGIA_TELEGRAM_API_URL", "no Telegram Bot API answers at this URL (getMe: 404 Not Found); check its address and path"}
	}
	return nil
}

// telegramStartTimeout bounds each getMe try at start-up: the token
// check's, then the adapter's (telegram.Options.StartTimeout); shorter in
// tests.
var telegramStartTimeout = 20 * time.Second

// telegramUnreachable is the error that stops serve when the Bot API gave
// getMe no answer (telegram.ErrUnreachable) at each try, exit status 1
// (an outage may end): the hint naming the variable, then the reason;
// nil for any other error (telegramServerError says a mix of both).
func telegramUnreachable(err error, apiURL string) error {
	if !errors.Is(err, telegram.ErrUnreachable) || errors.Is(err, telegram.ErrServerError) {
		return nil
	}
	return fmt.Errorf("telegram: %s %s", telegramUnreachableHint(apiURL), strings.TrimPrefix(err.Error(), telegram.ErrUnreachable.Error()+" "))
}

// telegramServerError is the error that stops serve when the Bot API
// answered getMe with a server error (telegram.ErrServerError: HTTP 5xx)
// at each try, or at one and gave no answer at another, exit status 1
// (trouble on the server's side, or on the way to it, may end): what it
// means and what to do, then what each try met ("HTTP 502 Bad Gateway,
// twice"; "HTTP 502 Bad Gateway, then no answer within 20s"), never a
// count it did not see; nil for any other error.
func telegramServerError(err error, apiURL string) error {
	if !errors.Is(err, telegram.ErrServerError) {
		return nil
	}
	hint := "Telegram's Bot API (api.telegram.org) answered with a server error: trouble on Telegram's side, not the token nor this configuration; start again later (a restart policy will)"
	if apiURL != defaultTelegramAPIURL {
		hint = "the Bot API server of VIGIA_TELEGRAM_API_URL, or a proxy before it, answered with a server error: check that server's logs and that it is running behind the proxy"
	}
	if errors.Is(err, telegram.ErrUnreachable) {
		hint = "Telegram's Bot API (api.telegram.org) answered with a server error, and at another try not at all: trouble on Telegram's side or on this machine's way to it, not the token nor this configuration; check this machine's network, DNS, firewall and proxy, or start again later (a restart policy will)"
		if apiURL != defaultTelegramAPIURL {
			hint = "the Bot API server of VIGIA_TELEGRAM_API_URL, or a proxy before it, answered with a server error, and at another try not at all: check that server's logs, that it is running behind the proxy, and the URL's host and port"
		}
	}
	reason := strings.TrimPrefix(strings.TrimPrefix(err.Error(), telegram.ErrServerError.Error()+" "), telegram.ErrUnreachable.Error()+" ")
	return fmt.Errorf("telegram: %s %s", hint, reason)
}

// telegramUnreachableHint says what to check when the Bot API cannot be
// reached at start-up (getMe had no answer: connection refused, a host
// that does not resolve, no answer in time), naming the variable:
// VIGIA_TELEGRAM_API_URL if it points elsewhere, else this machine's way
// to Telegram (the variable unset, or set to Telegram's own URL: only the
// URL is seen). Never the URL: the error's reason follows without it.
func telegramUnreachableHint(apiURL string) string {
	if apiURL != defaultTelegramAPIURL {
		return "cannot reach the Bot API server of VIGIA_TELEGRAM_API_URL: check its host and port, that the server is running, and that the URL is https:// if and only if it speaks TLS"
	}
	return "cannot reach Telegram's Bot API (api.telegram.org; VIGIA_TELEGRAM_API_URL is not set, or set to it): check this machine's network, DNS, firewall and proxy, or set VIGIA_TELEGRAM_API_URL to a Bot API server it can reach"
}

// withoutPath is err's reason without the file name it names: the path is
// a configured value, and configuration errors never print values.
func withoutPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Op + ": " + le.Err.Error()
	}
	return err.Error()
}

// publicMux is what the public listener (VIGIA_HTTP_ADDR) serves: /healthz,
// /readyz and, added by the Telegram adapter, the webhook path. Never
// /metrics: polled by anyone who can reach the webhook, its counters would
// tell when a tip, a /status or a /wipe happens, to set against what a
// suspected reporter was seen doing.
func publicMux(ready http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", ready)
	return mux
}

// metricsMux serves /metrics, on its own listener (VIGIA_METRICS_ADDR).
func metricsMux(g prometheus.Gatherer) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	return mux
}

// listenError says why the address in variable name cannot be listened
// on, without the address, as every configuration error is without its
// value. A host name that could not be resolved now (a resolver timing
// out or failing) is no configuration error: the start fails (exit 1), to
// be tried again, rather than be refused as a name that does not resolve.
func listenError(name string, err error) error {
	// net's message starts "listen tcp ADDR: ".
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	// A lookup's error names the host (and the resolver).
	var de *net.DNSError
	if errors.As(err, &de) {
		if de.IsTemporary || de.IsTimeout {
			return fmt.Errorf("%s: cannot listen there: its host name could not be resolved now (%s)", name, de.Err)
		}
		return &configError{name, "cannot listen there: its host name does not resolve (" + de.Err + ")"}
	}
	return &configError{name, "cannot listen there: " + err.Error()}
}

// listen serves h on addr until ctx ends, then shuts down gracefully. name
// is the variable that gave addr, for the error if it cannot be listened on.
func listen(ctx context.Context, wg *sync.WaitGroup, cancel context.CancelCauseFunc, log *slog.Logger, name, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(name, err)
	}
	// Public: a connection left idle, or a body sent slowly, is closed
	// rather than held open by whoever reaches the port.
	srv := &http.Server{Handler: recoverHTTP(log, h), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cancel(err)
		}
	})
	wg.Go(func() {
		<-ctx.Done()
		sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = srv.Shutdown(sctx)
	})
	return nil
}

// restartPause is how long a background loop that panicked waits before it
// starts again (a panic that repeats must not spin).
const restartPause = 5 * time.Second

// keepRunning runs loop until ctx ends. A panic in it would end the process
// and print a traceback with argument values, and those can be a chat id:
// instead it is logged with the panic's type and commands.Stack (functions
// and file:line only), and the loop starts again after pause.
func keepRunning(ctx context.Context, log *slog.Logger, name string, pause time.Duration, loop func(context.Context)) {
	for ctx.Err() == nil {
		if !runRecovered(ctx, log, name, loop) {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

// runRecovered runs loop once and reports whether it panicked.
func runRecovered(ctx context.Context, log *slog.Logger, name string, loop func(context.Context)) (panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			panicked = true
			log.Error("background loop panic; restarting it", "loop", name, "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(3))
		}
	}()
	loop(ctx)
	return false
}

// recoverHTTP answers 500 to a request whose handler panics, logging it as
// keepRunning does; net/http's own recovery would log the panic's value and
// a traceback with argument values.
func recoverHTTP(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // net/http's way to abort a response; it logs nothing
			}
			log.Error("http handler panic", "panic", fmt.Sprintf("%T", p), "stack", commands.Stack(3))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}()
		h.ServeHTTP(w, r)
	})
}

// replaySpool moves tips spooled during a Redis outage into Redis once it
// answers again, and voids the invitation codes seen in groups meanwhile,
// checking every few seconds (and once at start-up). A spool file that
// cannot be read (the disk failing, its permissions changed) may hold
// tips: it is logged, and the replay tried all the same, every few
// seconds, until the file reads again. While Redis's ACL refuses the
// replay (NOPERM: rights taken away, a key pattern that does not match
// VIGIA_REDIS_PREFIX), or Redis otherwise answers it with an error (OOM:
// its maxmemory reached; READONLY: a replica), it is tried at growing
// intervals (replayBackoff), not every few seconds until someone fixes
// Redis, each try reading the whole spool and each logged; a few lines
// tell it (refusedTry), as they tell a replay cut short otherwise
// (interruptedTry). A replay serve's stop cuts short is one INFO line,
// not an interruption: the tips left wait in the spool for the next
// start. tally (nil: none) is told what the spool holds, to
// log its counts (spoolTally). voided (nil: none) is told how many
// pending invitations a replay voided all together, for the audit log
// and the team (commands.Mux.InvitationsVoided).
func replaySpool(ctx context.Context, sp *storage.Spool, st *storage.Store, log *slog.Logger, tally *spoolTally, voided func(context.Context, int) error) {
	r := spoolReplay{sp: sp, st: st, log: log, tally: tally, now: time.Now, wait: waitFor, jitter: jitter, voided: voided}
	r.run(ctx)
}

// replayEvery is how often replaySpool looks at the spool, and tries the
// replay if anything waits.
const replayEvery = 5 * time.Second

// replayRefusedCap bounds replayBackoff: the replay refused, it is tried
// again within this time of the ACL's fix (and replayEvery, the loop's
// next look).
const replayRefusedCap = time.Minute

// replayBackoff is the pause before the next try of a replay Redis's ACL
// refused tries times in a row: replayEvery doubled at each, up to
// replayRefusedCap, jittered (replicas refused alike do not all try at
// once).
func replayBackoff(tries int, jitter func(time.Duration) time.Duration) time.Duration {
	d := replayEvery
	for i := 1; i < tries && d < replayRefusedCap; i++ {
		d *= 2
	}
	return jitter(min(d, replayRefusedCap))
}

// waitFor waits d, and reports whether ctx is still live.
func waitFor(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// spoolReplay is replaySpool's loop, its clock and pauses apart (tests
// move them).
type spoolReplay struct {
	sp     *storage.Spool
	st     *storage.Store
	log    *slog.Logger
	tally  *spoolTally
	now    func() time.Time
	wait   func(context.Context, time.Duration) bool
	jitter func(time.Duration) time.Duration
	// replay is the replay itself (nil: sp.ReplayCounts on st).
	replay func(context.Context) (storage.ReplayCount, error)
	// voided, if not nil, is told how many pending invitations a replay
	// voided all together.
	voided func(context.Context, int) error

	// refused is how many tries in a row Redis refused (refusal), reply
	// the code of its last refusal ("" after a try it did not refuse);
	// next is when the next may be made; told is when the last line
	// saying so was logged, and untold how many refused tries since.
	refused, untold int
	reply           string
	next, told      time.Time
	// interrupted is how many tries in a row were cut short otherwise
	// (interruptedTry), interruptedTold when the last line saying so was
	// logged, and interruptedUntold how many since.
	interrupted, interruptedUntold int
	interruptedTold                time.Time
	// keptTold is when the line saying the voids file could not be
	// removed was last logged.
	keptTold time.Time
}

func (r *spoolReplay) run(ctx context.Context) {
	sp, log := r.sp, r.log
	reported := 0
	readErr := ""
	for {
		c, err := sp.Counted()
		readErr = reportSpoolReadError(log, err, readErr)
		reported = reportUnreadable(log, c, reported)
		if (err != nil || c.Waiting+c.Unreadable+sp.VoidsWaiting() > 0) && !r.now().Before(r.next) && r.st.Ping(ctx) == nil {
			var n storage.ReplayCount
			if r.replay != nil {
				n, err = r.replay(ctx)
			} else {
				n, err = sp.ReplayCounts(ctx, r.st)
			}
			if n.SetAside > 0 {
				// A count only: nothing of an entry.
				log.Error("spooled tips Redis refused the same way for minutes (a key of the wrong type) set aside in tips.spool.rejected in VIGIA_SPOOL_DIR, the rest replayed; they are tried again at the next start: repair the key, then restart",
					"set_aside", n.SetAside)
			}
			if n.InvitesVoided > 0 {
				// A count only: no code, no group.
				log.Warn("every pending invitation voided: more code-like words were seen in groups while Redis was down than the spool holds one by one, and any of them may have been one; admins make new ones with /invite (the audit log says so, and the investigators' chats are told)",
					"invitations", n.InvitesVoided)
				if r.voided != nil {
					if err := r.voided(ctx, n.InvitesVoided); err != nil {
						log.Error("every pending invitation voided, but not recorded in the audit log; tell the admins to make new invitations with /invite",
							"invitations", n.InvitesVoided, "error", err.Error())
					}
				}
			}
			if n.VoidsKept != nil {
				r.voidsKept(n.VoidsKept)
			}
			if err != nil && ctx.Err() != nil && refusal(err) == "" {
				// Cut short by serve's stop (SIGTERM, or another
				// loop's failure), not by Redis or the spool: an
				// orderly stop, no warning. Counts only.
				log.Info("spool replay stopped as Vigía stops; the tips not replayed wait in the spool, replayed at the next start",
					"replayed", n.Replayed, "repeated", n.Repeated, "skipped", n.Skipped)
				return
			}
			if reply := refusal(err); reply != "" {
				r.refusedTry(n, err, reply)
			} else {
				r.refused, r.next, r.reply = 0, time.Time{}, ""
			}
			switch {
			case err != nil && r.refused == 0:
				r.interruptedTry(n, err)
			case err == nil && n.Entries() > 0:
				// Honest counts: tips stored now, entries found stored
				// already, and entries kept as no tip of their own.
				log.Info("spooled tips replayed", "replayed", n.Replayed, "repeated", n.Repeated, "skipped", n.Skipped)
			}
			if err == nil || r.refused > 0 {
				r.interrupted = 0
			}
			reported = reportUnreadable(log, sp.Count(), reported)
		}
		if r.tally != nil {
			r.tally.report(sp.Len)
			r.tally.over(func() int {
				c, err := sp.Counted()
				if err != nil {
					return 1 // (not known to be empty)
				}
				return c.Waiting + c.Unreadable
			})
		}
		if !r.wait(ctx, replayEvery) {
			return
		}
	}
}

// refusal is what Redis answered to refuse a replay (err), that trying
// again in a few seconds will not change: "NOPERM" (its ACL), or another
// error reply's code ("OOM": maxmemory reached, "READONLY": a replica,
// "MISCONF", "BUSY", ...; "ERR" where it gives none); "" where err is
// none of Redis's replies (nil, a connection lost, a spool file that
// cannot be read: tried again every replayEvery).
func refusal(err error) string {
	if _, ok := noperm(err); ok {
		return "NOPERM"
	}
	var rerr redis.Error
	if err == nil || !errors.As(err, &rerr) {
		return ""
	}
	code, _, _ := strings.Cut(strings.TrimSpace(rerr.Error()), " ")
	if code == "" || strings.ToUpper(code) != code {
		return "ERR"
	}
	return code
}

// voidsKept logs, at most every spoolTallyEvery, that the replay voided
// the invitations held to be voided but could not remove their file
// (err wraps storage.ErrVoidsKept): what it means, and what to do.
func (r *spoolReplay) voidsKept(err error) {
	now := r.now()
	if !r.keptTold.IsZero() && now.Sub(r.keptTold) < spoolTallyEvery {
		return
	}
	r.keptTold = now
	r.log.Error("the invitations held to be voided were voided, but voids.spool.replaying in VIGIA_SPOOL_DIR could not be removed: every replay reads it again, voiding nothing more (invitations made since are kept; one an earlier version held to void every pending invitation voids them all at each replay); make VIGIA_SPOOL_DIR writable, or stop Vigía and remove that file",
		"error", err.Error())
}

// refusedTry counts a replay Redis refused (err, its reply's code reply:
// refusal), sets the next try's time (replayBackoff), and logs the first
// of a run of them (or the first of another reply), then at most every
// spoolTallyEvery how many more: Redis's ACL is told apart once
// (nopermNotice), and the tips wait, durable, in the spool. A replay
// Redis refused otherwise (out of memory, a read-only replica) was
// tried, the whole spool read, and logged every replayEvery for as long
// as the refusal lasted.
func (r *spoolReplay) refusedTry(n storage.ReplayCount, err error, reply string) {
	now := r.now()
	r.refused++
	pause := replayBackoff(r.refused, r.jitter)
	r.next = now.Add(pause)
	if reply != r.reply {
		r.reply = reply
		if reply == "NOPERM" {
			r.log.Warn("spool replay refused by Redis's ACL (NOPERM); tried again at growing intervals, at most "+replayRefusedCap.String()+" apart, until Redis takes it: the tips wait in the spool meanwhile",
				"replayed", n.Replayed, "repeated", n.Repeated, "skipped", n.Skipped, "error", err.Error())
		} else {
			r.log.Warn("spool replay refused by Redis (an error reply: OOM is its maxmemory reached, READONLY a replica where the primary was expected); tried again at growing intervals, at most "+replayRefusedCap.String()+" apart, until Redis takes it: the tips wait in the spool meanwhile",
				"reply", reply, "replayed", n.Replayed, "repeated", n.Repeated, "skipped", n.Skipped, "error", err.Error())
		}
		r.told, r.untold = now, 0
		return
	}
	r.untold++
	if now.Sub(r.told) >= spoolTallyEvery {
		if reply == "NOPERM" {
			r.log.Warn("spool replay still refused by Redis's ACL (NOPERM); will retry", "tries", r.untold, "refused_tries", r.refused,
				"replayed", n.Replayed, "next_try_in", pause.Round(time.Second).String(), "error", err.Error())
		} else {
			r.log.Warn("spool replay still refused by Redis; will retry", "reply", reply, "tries", r.untold, "refused_tries", r.refused,
				"replayed", n.Replayed, "next_try_in", pause.Round(time.Second).String(), "error", err.Error())
		}
		r.told, r.untold = now, 0
	}
}

// interruptedTry logs a replay cut short otherwise than by Redis's
// refusal (a connection lost, a spool file that cannot be read): the
// first of a run of them, then at most every spoolTallyEvery how many
// more. It is tried again every replayEvery (Redis answering PING), and
// each try was a line.
func (r *spoolReplay) interruptedTry(n storage.ReplayCount, err error) {
	now := r.now()
	r.interrupted++
	if r.interrupted == 1 {
		r.log.Warn("spool replay interrupted; will retry", "replayed", n.Replayed, "repeated", n.Repeated, "skipped", n.Skipped, "error", err.Error())
		r.interruptedTold, r.interruptedUntold = now, 0
		return
	}
	r.interruptedUntold++
	if now.Sub(r.interruptedTold) >= spoolTallyEvery {
		r.log.Warn("spool replay still interrupted; will retry", "tries", r.interruptedUntold, "interrupted_tries", r.interrupted,
			"replayed", n.Replayed, "error", err.Error())
		r.interruptedTold, r.interruptedUntold = now, 0
	}
}

// backfillDuplicates runs the one-off backfill of the lists of duplicates
// (storage.BackfillDuplicates) until it is done, by this process or by
// another: tried again every pause while another process runs it (it may
// die) or it fails (Redis unreachable). Counts only in the log.
func backfillDuplicates(ctx context.Context, st *storage.Store, log *slog.Logger, pause time.Duration) {
	for {
		n, err := st.BackfillDuplicates(ctx)
		switch {
		case err == nil:
			if n > 0 {
				log.Info("duplicate marks of earlier versions listed on their originals", "marks", n)
			}
			return
		case ctx.Err() != nil:
			return
		case !errors.Is(err, storage.ErrBackfillHeld):
			log.Warn("duplicates backfill interrupted; will retry", "listed", n, "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}

// reportSpoolReadError logs, at ERROR, a spool file that cannot be read,
// when it starts failing or fails otherwise than already reported (was,
// the error reported, "" for none), and, at INFO, that the spool reads
// again. The error names the file and the system's reason, nothing of a
// record. It returns the error now reported.
func reportSpoolReadError(log *slog.Logger, err error, was string) string {
	switch {
	case err == nil && was != "":
		log.Info("spool files read again; their tips are replayed")
		return ""
	case err == nil:
		return ""
	case err.Error() != was:
		log.Error("spool files cannot be read: the tips they hold wait on disk, not counted in vigia_spool_size, until they can; the replay is tried every 5 s; check the disk and the permissions of VIGIA_SPOOL_DIR",
			"error", err.Error())
	}
	return err.Error()
}

// reportUnreadable logs, at ERROR, spool records that open under no
// secret the bot has, whenever there are more than already reported: a
// tip some reporter holds a receipt for that cannot reach Redis. Counts
// only; never a record's content. It returns the count now reported.
func reportUnreadable(log *slog.Logger, c storage.SpoolCount, reported int) int {
	n := c.Unreadable + c.Quarantined
	if n > reported {
		log.Error("spooled tips open under no configured secret: set aside in tips.spool.quarantine in VIGIA_SPOOL_DIR, the rest replayed; "+
			"if VIGIA_SECRET changed, set the secret they were sealed under as VIGIA_SECRET_PREVIOUS and restart to replay them (see README, Rotating the secret)",
			"records", n, "waiting_quarantine", c.Unreadable)
	}
	return n
}

// telegramInbox is the Telegram adapter's inbox, in Redis. bot is the
// bot's id (its token's part before the colon): Telegram numbers updates
// per bot, so an update is known again by its bot and update_id, and the
// first updates of another bot put behind the same Redis (the previous
// one banned or its token burned) are not taken for redeliveries of the
// previous bot's of the last day, and dropped.
type telegramInbox struct {
	st  *storage.Store
	bot string
}

func (i telegramInbox) Add(ctx context.Context, raws ...[]byte) error {
	updates := make([]storage.InboxUpdate, len(raws))
	for n, raw := range raws {
		key := telegram.UpdateKey(raw)
		if key != "" {
			key = i.bot + ":" + key
		}
		updates[n] = storage.InboxUpdate{Key: key, Raw: raw}
	}
	return i.st.InboxAddOnce(ctx, telegram.Platform, updates...)
}

func (i telegramInbox) Pending(ctx context.Context, consumer, after string, count int) ([]telegram.InboxEntry, error) {
	return inboxEntries(i.st.InboxPending(ctx, telegram.Platform, consumer, after, count))
}

func (i telegramInbox) Read(ctx context.Context, consumer string, count int, block, stale time.Duration) ([]telegram.InboxEntry, error) {
	return inboxEntries(i.st.InboxRead(ctx, telegram.Platform, consumer, count, block, stale))
}

func (i telegramInbox) Keep(ctx context.Context, consumer string, ids []string) ([]string, error) {
	return i.st.InboxKeep(ctx, telegram.Platform, consumer, ids)
}

func (i telegramInbox) Fetch(ctx context.Context, consumer string, ids []string) ([]telegram.InboxEntry, error) {
	return inboxEntries(i.st.InboxFetch(ctx, telegram.Platform, consumer, ids))
}

func inboxEntries(entries []storage.InboxEntry, err error) ([]telegram.InboxEntry, error) {
	out := make([]telegram.InboxEntry, len(entries))
	for n, e := range entries {
		out[n] = telegram.InboxEntry{ID: e.ID, Raw: e.Raw}
	}
	return out, err
}

func (i telegramInbox) Len(ctx context.Context) (int64, error) {
	return i.st.InboxLen(ctx, telegram.Platform)
}

func (i telegramInbox) Done(ctx context.Context, id string) error {
	return i.st.InboxDone(ctx, telegram.Platform, id)
}

// platformIDs returns the ids of one platform from "platform:id" entries.
func platformIDs(list []string, platform string) []string {
	var out []string
	for _, e := range list {
		if id, ok := strings.CutPrefix(e, platform+":"); ok {
			out = append(out, id)
		}
	}
	return out
}

// demoStorageVars are the variables that name serve's data: its Redis
// and the secret its records are sealed under. The demo reads none of
// them. Run from a shell that has the production environment (`docker
// compose exec vigia vigia demo`), it wrote its tips into the real triage
// queue, under the real prefix and secret, and gave its console
// "investigator" the real tips to read, with no second factor.
var demoStorageVars = []string{
	"VIGIA_REDIS_URL", "VIGIA_REDIS_MODE", "VIGIA_REDIS_PREFIX",
	"VIGIA_SECRET", "VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS", "VIGIA_SECRET_PREVIOUS_FILE",
}

// demoEnv is getenv without demoStorageVars; ignored reports whether any
// of them was set.
func demoEnv(getenv func(string) string) (_ func(string) string, ignored bool) {
	for _, name := range demoStorageVars {
		if getenv(name) != "" {
			ignored = true
		}
	}
	return func(name string) string {
		if slices.Contains(demoStorageVars, name) {
			return ""
		}
		return getenv(name)
	}, ignored
}

// demo runs the console adapter on an in-memory Redis of its own, under a
// throwaway secret: never on a configured Redis (demoEnv). ignored says
// the environment named one, for the banner to say it was not used.
func demo(ctx context.Context, cfg Config, log *slog.Logger, ignored bool, stdin io.Reader, stdout io.Writer) error {
	m := miniredis.NewMiniRedis()
	if err := m.Start(); err != nil {
		return fmt.Errorf("in-memory redis: %w", err)
	}
	defer m.Close()
	cfg.RedisURL = "redis://" + m.Addr()
	storageNote := "demo_storage_memory"
	if ignored {
		storageNote = "demo_storage_ignored"
	}
	cfg.Secret = make([]byte, 32)
	if _, err := rand.Read(cfg.Secret); err != nil {
		return err
	}
	rdb, err := redisClient(cfg.RedisURL, "single")
	if err != nil {
		return err
	}
	defer rdb.Close()
	kr, err := cfg.keyring()
	if err != nil {
		return err
	}
	const reporter, investigator = "1", "2"
	eng, err := newEngine(ctx, cfg, rdb, kr, log, commands.Roles{console.Platform + ":" + investigator: commands.Investigator}, nil, nil, nil)
	if err != nil {
		return err
	}
	say := func(id string, data map[string]any) string { return eng.msg.Localize(cfg.DefaultLanguage, id, data) }
	con := console.New(console.Options{
		In: stdin, Out: stdout, Interactive: isTerminal(stdin),
		Say: func(lang, id string, data map[string]any) string {
			if lang == "" {
				lang = cfg.DefaultLanguage
			}
			return eng.msg.Localize(lang, id, data)
		},
		Language: func(userID, client string) string {
			return eng.mux.Language(ctx, console.Platform, userID, client)
		},
		// "/as investigador" in Spanish, "/as enquêteur" in French: the
		// names the help shows, in every language the bot speaks.
		Languages: locales.Supported,
		// No labels: each is named in the session's language, which
		// the user may change (/language).
		Identities: []console.Identity{
			{Role: "reporter", UserID: reporter},
			{Role: "investigator", UserID: investigator},
		},
	})
	eng.mux.AddSender(console.Platform, con)
	sweepCtx, stopSweeper := context.WithCancel(ctx)
	var sweeper sync.WaitGroup
	sweeper.Go(func() {
		keepRunning(sweepCtx, log, "sweeper", restartPause, func(ctx context.Context) { eng.mux.RunSweeper(ctx, 10*time.Second, cfg.DraftIdle) })
	})
	defer func() { stopSweeper(); sweeper.Wait() }()
	fmt.Fprintln(stdout, say("demo_banner", map[string]any{
		"Storage":  say(storageNote, map[string]any{"Vars": strings.Join(demoStorageVars, ", ")}),
		"Reporter": say("demo_role_reporter", nil), "Investigator": say("demo_role_investigator", nil),
	}))
	fmt.Fprintln(stdout)
	return con.Run(ctx, indexAfterEach{eng.mux, log})
}

// indexAfterEach indexes a sent tip before the demo reads the next line, so
// a /search typed (or piped) right after Send finds it. `serve` indexes in
// the background instead (Mux.RunIndexer).
type indexAfterEach struct {
	mux *commands.Mux
	log *slog.Logger
}

func (h indexAfterEach) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	h.mux.Handle(ctx, req, w)
	if err := h.mux.IndexPending(ctx); err != nil {
		h.log.Warn("indexing failed", "error", err.Error())
	}
}

// isTerminal reports whether r is a character device (a person typing).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
