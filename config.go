package main

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
)

// defaultTelegramAPIURL is Telegram's own Bot API, where VIGIA_TELEGRAM_API_URL
// unset points.
const defaultTelegramAPIURL = "https://api.telegram.org"

// Config is Vigía's configuration, read from VIGIA_* environment variables.
type Config struct {
	Secret            []byte
	SecretPrevious    []byte // while rotating: the secret being replaced
	RedisURL          string
	RedisMode         string
	RedisPrefix       string
	TelegramToken     string
	TelegramAPIURL    string
	WebhookURL        string
	WebhookSecret     string
	HTTPAddr          string
	MetricsAddr       string // empty: no metrics listener
	DiscordToken      string
	DiscordGuildID    string
	DiscordAPIURL     string
	DiscordRole       string
	Admins            []string
	Investigators     []string
	InvestigatorChats []string
	Retention         time.Duration
	ClosedRetention   time.Duration
	VerifiedRetention time.Duration
	DraftIdle         time.Duration
	DefaultLanguage   string
	LogLevel          slog.Level
	Triage            commands.Triage
	SecondFactor      commands.SecondFactor
	Limits            commands.Limits
	PhoneRegion       string
	PublishApprovals  int
	SpoolDir          string
	AllowNoAOF        bool // VIGIA_ALLOW_REDIS_WITHOUT_AOF: serve on a Redis without appendonly
	RawTraceback      bool // VIGIA_TRACEBACK=raw: a crash's output is not scrubbed (crashguard_unix.go)
	SignalWindow      time.Duration
	Threshold         int
	// OpenSecretFiles names the variables (VIGIA_SECRET_FILE,
	// VIGIA_SECRET_PREVIOUS_FILE) whose file every user of the machine
	// may read: accepted, as Kubernetes mounts secrets so by default,
	// but warned of.
	OpenSecretFiles []string
}

// defaultMetricsAddr is where /metrics is served unless VIGIA_METRICS_ADDR
// says otherwise: loopback, reachable from this machine only.
const defaultMetricsAddr = "127.0.0.1:9464"

// configError names the variable that is wrong. Its message never holds the
// variable's value, which may be a secret.
type configError struct {
	name, problem string
}

func (e *configError) Error() string { return e.name + ": " + e.problem }

// decodeSecret reads the master secret from v, a variable's value or its
// file's content; else it says what is wrong, never with the value: empty,
// not standard base64 (a URL-safe one, as Python's token_urlsafe makes,
// or one without its = padding, was told only "must be base64", which it
// looked like), or too short. must is "must be" or "must hold".
func decodeSecret(v, must string) ([]byte, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, "is empty; it must hold the line `vigia keygen` prints"
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, must + " standard base64, as `vigia keygen` prints: A-Z, a-z, 0-9, + and /, padded with = (not URL-safe base64, with - and _)"
	}
	if len(b) < storage.MinSecretLen {
		return nil, fmt.Sprintf("%s base64 of at least %d random bytes; `vigia keygen` prints one", must, storage.MinSecretLen)
	}
	return b, ""
}

// loadConfig reads the configuration. In demo mode nothing is required.
func loadConfig(getenv func(string) string, demo bool) (Config, error) {
	return readConfig(getenv, demo, !demo)
}

// loadOpsConfig reads the configuration for the commands that work on
// Redis alone (rotate-key, reset-2fa): no bot token is needed, as an
// operator may run them from a shell that has only the secret and Redis.
func loadOpsConfig(getenv func(string) string) (Config, error) {
	return readConfig(getenv, false, false)
}

// readConfig is loadConfig; needToken requires a bot token.
func readConfig(getenv func(string) string, demo, needToken bool) (Config, error) {
	c := Config{
		RedisPrefix:       "vigia",
		TelegramAPIURL:    defaultTelegramAPIURL,
		Retention:         90 * 24 * time.Hour,
		ClosedRetention:   30 * 24 * time.Hour,
		VerifiedRetention: 365 * 24 * time.Hour,
		DraftIdle:         30 * time.Minute,
		DefaultLanguage:   "es",
		LogLevel:          slog.LevelInfo,
		MetricsAddr:       defaultMetricsAddr,
	}
	if demo {
		c.DefaultLanguage = "en"
		c.LogLevel = slog.LevelWarn
	}
	var err error
	if f := strings.TrimSpace(getenv("VIGIA_SECRET_FILE")); f != "" {
		if getenv("VIGIA_SECRET") != "" {
			return c, &configError{"VIGIA_SECRET_FILE", "is set together with VIGIA_SECRET; use one of them"}
		}
		b, open, err := readSecretFile(f)
		if fe := secretFileError(""); errors.As(err, &fe) {
			return c, &configError{"VIGIA_SECRET_FILE", err.Error()}
		}
		if open {
			c.OpenSecretFiles = append(c.OpenSecretFiles, "VIGIA_SECRET_FILE")
		}
		if err != nil {
			return c, &configError{"VIGIA_SECRET_FILE", "cannot be read (" + withoutPath(err) + "): it should name a file holding the secret, as Docker secrets do, readable by the user Vigía runs as (65532 in its image)"}
		}
		var problem string
		if c.Secret, problem = decodeSecret(string(b), "must hold"); problem != "" {
			return c, &configError{"VIGIA_SECRET_FILE", problem}
		}
		if guessableSecret(c.Secret) {
			return c, guessableSecretError("VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS_FILE")
		}
	} else if v := getenv("VIGIA_SECRET"); v != "" {
		var problem string
		if c.Secret, problem = decodeSecret(v, "must be"); problem != "" {
			return c, &configError{"VIGIA_SECRET", problem}
		}
		if guessableSecret(c.Secret) {
			return c, guessableSecretError("VIGIA_SECRET", "VIGIA_SECRET_PREVIOUS")
		}
	} else if !demo {
		return c, &configError{"VIGIA_SECRET", "is not set; `vigia keygen` prints one"}
	}
	var open bool
	if c.SecretPrevious, open, err = previousSecret(getenv); err != nil {
		return c, err
	}
	if open {
		c.OpenSecretFiles = append(c.OpenSecretFiles, "VIGIA_SECRET_PREVIOUS_FILE")
	}
	c.RedisMode = strings.ToLower(cmp.Or(strings.TrimSpace(getenv("VIGIA_REDIS_MODE")), "single"))
	if c.RedisMode != "single" && c.RedisMode != "cluster" && c.RedisMode != "sentinel" {
		return c, &configError{"VIGIA_REDIS_MODE", "must be single, cluster or sentinel"}
	}
	if v := getenv("VIGIA_REDIS_URL"); v != "" {
		if err := checkRedisURL(v); err != nil {
			return c, &configError{"VIGIA_REDIS_URL", err.Error()}
		}
		var perr error
		db := 0
		switch c.RedisMode {
		case "single":
			var o *redis.Options
			if o, perr = redis.ParseURL(v); perr != nil {
				return c, &configError{"VIGIA_REDIS_URL", "is not a valid Redis URL (redis://[user:password@]host:port/db)"}
			}
			db = o.DB
		case "cluster":
			_, perr = redis.ParseClusterURL(v)
		case "sentinel":
			var o *redis.FailoverOptions
			if o, perr = redis.ParseFailoverURL(v); perr == nil && o.MasterName == "" {
				perr = fmt.Errorf("no master_name")
			} else if perr == nil {
				db = o.DB
			}
		}
		// go-redis selects only a database above 0: a negative number
		// silently used database 0; one past 2^31-1 failed as a Redis error.
		if db < 0 || db > math.MaxInt32 {
			return c, &configError{"VIGIA_REDIS_URL", "its database number must be between 0 and the server's databases - 1 (0 to 15 by default)"}
		}
		if perr != nil {
			return c, &configError{"VIGIA_REDIS_URL", "is not a valid " + c.RedisMode + " URL (see README: addr= for more nodes, master_name= for sentinel)"}
		}
		c.RedisURL = v
	} else if !demo {
		return c, &configError{"VIGIA_REDIS_URL", "is not set (for example redis://localhost:6379/0)"}
	}
	if v := getenv("VIGIA_REDIS_PREFIX"); v != "" {
		if strings.ContainsAny(v, "{} \t\n") {
			return c, &configError{"VIGIA_REDIS_PREFIX", "must not contain braces or spaces"}
		}
		c.RedisPrefix = v
	}
	c.TelegramToken = strings.TrimSpace(getenv("VIGIA_TELEGRAM_TOKEN"))
	c.DiscordToken = strings.TrimPrefix(strings.TrimSpace(getenv("VIGIA_DISCORD_TOKEN")), "Bot ")
	if c.TelegramToken == "" && c.DiscordToken == "" && needToken {
		return c, &configError{"VIGIA_TELEGRAM_TOKEN", "is not set (nor VIGIA_DISCORD_TOKEN); create a bot with @BotFather and paste its token"}
	}
	if c.DiscordToken != "" && (len(c.DiscordToken) < 50 || strings.ContainsAny(c.DiscordToken, " \t\n")) {
		return c, &configError{"VIGIA_DISCORD_TOKEN", "does not look like a Discord bot token (Developer Portal, Bot, Reset Token)"}
	}
	for _, v := range []struct {
		name string
		dst  *string
	}{{"VIGIA_DISCORD_GUILD_ID", &c.DiscordGuildID}, {"VIGIA_DISCORD_INVESTIGATOR_ROLE", &c.DiscordRole}} {
		if id := strings.TrimSpace(getenv(v.name)); id != "" {
			if _, err := strconv.ParseUint(id, 10, 64); err != nil {
				return c, &configError{v.name, "must be a numeric Discord id (Developer Mode, right click, Copy ID)"}
			}
			*v.dst = id
		}
	}
	if v := getenv("VIGIA_DISCORD_API_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return c, &configError{"VIGIA_DISCORD_API_URL", "must be an http(s) URL such as https://discord.com"}
		}
		c.DiscordAPIURL = strings.TrimRight(v, "/")
	}
	if c.TelegramToken != "" && !validTelegramToken(c.TelegramToken) {
		return c, &configError{"VIGIA_TELEGRAM_TOKEN", "does not look like a bot token (digits, a colon, then letters)"}
	}
	if v := strings.TrimSpace(getenv("VIGIA_HTTP_ADDR")); v != "" {
		if !validListenAddr(v) {
			return c, &configError{"VIGIA_HTTP_ADDR", `must be host:port or :port, such as ":8080"`}
		}
		c.HTTPAddr = v
	}
	// /metrics has a listener of its own, on loopback unless the operator
	// says otherwise: polled from outside, its counters would tell when a
	// tip, a /status or a /wipe happens.
	switch v := strings.TrimSpace(getenv("VIGIA_METRICS_ADDR")); {
	case strings.EqualFold(v, "off"):
		c.MetricsAddr = ""
	case v != "":
		if !validListenAddr(v) {
			return c, &configError{"VIGIA_METRICS_ADDR", `must be host:port, such as "127.0.0.1:9464", or "off"`}
		}
		c.MetricsAddr = v
	}
	if c.MetricsAddr != "" && c.HTTPAddr != "" && listenersOverlap(c.MetricsAddr, c.HTTPAddr, net.DefaultResolver.LookupIPAddr) {
		return c, &configError{"VIGIA_METRICS_ADDR", "overlaps VIGIA_HTTP_ADDR: the same port, on an address the other covers (a host left empty, 0.0.0.0 or [::] is every interface); give /metrics a port of its own, it is never served on the public listener"}
	}
	if v := strings.TrimSpace(getenv("VIGIA_TELEGRAM_WEBHOOK_URL")); v != "" {
		u, err := url.Parse(v)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return c, &configError{"VIGIA_TELEGRAM_WEBHOOK_URL", "must be the public https URL Telegram will call, such as https://bot.example.org/telegram"}
		}
		if !validWebhookPath(u.Path) {
			// serve routes the path with http.ServeMux, which panics on
			// a brace or an unclean path ("/a//b", "/a/../b").
			return c, &configError{"VIGIA_TELEGRAM_WEBHOOK_URL", "its path may hold only letters, digits, - . _ ~ and single slashes, such as /telegram"}
		}
		c.WebhookURL = v
		c.WebhookSecret = getenv("VIGIA_TELEGRAM_WEBHOOK_SECRET")
		if !validWebhookSecret(c.WebhookSecret) {
			return c, &configError{"VIGIA_TELEGRAM_WEBHOOK_SECRET", "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"}
		}
		if c.HTTPAddr == "" {
			return c, &configError{"VIGIA_HTTP_ADDR", "is needed in webhook mode: the address to listen on, such as :8080"}
		}
	}
	if v := getenv("VIGIA_TELEGRAM_API_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return c, &configError{"VIGIA_TELEGRAM_API_URL", "must be an http(s) URL such as https://api.telegram.org"}
		}
		c.TelegramAPIURL = strings.TrimRight(v, "/")
	}
	for _, l := range []struct {
		name  string
		dst   *[]string
		parse func(string) ([]string, error)
	}{
		{"VIGIA_ADMINS", &c.Admins, commands.ParsePeopleList},
		{"VIGIA_INVESTIGATORS", &c.Investigators, commands.ParsePeopleList},
		{"VIGIA_INVESTIGATOR_CHATS", &c.InvestigatorChats, commands.ParseIDList},
	} {
		ids, err := l.parse(getenv(l.name))
		if err != nil {
			return c, &configError{l.name, err.Error() + `; use a list like "telegram:123,discord:456"`}
		}
		*l.dst = ids
	}
	if v := getenv("VIGIA_RETENTION"); v != "" {
		// At most 50 years: the indexes' and streams' trim points
		// (now - retention) must come after 1970.
		if c.Retention, err = parseDays(v); err != nil || c.Retention < time.Hour || c.Retention > maxRetention {
			return c, &configError{"VIGIA_RETENTION", `must be a duration between 1h and 18250d (50 years), such as "90d" or "720h"`}
		}
	}
	for _, r := range []struct {
		name string
		dst  *time.Duration
	}{{"VIGIA_RETENTION_CLOSED", &c.ClosedRetention}, {"VIGIA_RETENTION_VERIFIED", &c.VerifiedRetention}} {
		if v := getenv(r.name); v != "" {
			if *r.dst, err = parseDays(v); err != nil || *r.dst < time.Hour {
				return c, &configError{r.name, `must be a duration of at least 1h, such as "30d" or "720h"`}
			}
		}
	}
	if v := getenv("VIGIA_DRAFT_IDLE"); v != "" {
		if c.DraftIdle, err = parseDays(v); err != nil || c.DraftIdle < time.Minute || c.DraftIdle > 7*24*time.Hour {
			return c, &configError{"VIGIA_DRAFT_IDLE", `must be a duration between 1m and 7d, such as "30m"`}
		}
	}
	for _, d := range []struct {
		name     string
		dst      *time.Duration
		min, max time.Duration
		example  string // the default, in range
	}{
		{"VIGIA_CLAIM_TIMEOUT", &c.Triage.ClaimTimeout, time.Minute, 30 * 24 * time.Hour, "30m"},
		{"VIGIA_CLAIM_REMINDER", &c.Triage.RemindAfter, time.Minute, 30 * 24 * time.Hour, "20m"},
		{"VIGIA_URGENT_ANNOUNCE", &c.Triage.UrgentAfter, time.Minute, 30 * 24 * time.Hour, "15m"},
		{"VIGIA_INVITE_TTL", &c.Triage.InviteTTL, time.Minute, 30 * 24 * time.Hour, "24h"},
		{"VIGIA_AUDIT_RETENTION", &c.Triage.AuditRetention, 24 * time.Hour, 100 * 365 * 24 * time.Hour, "365d"},
	} {
		if v := getenv(d.name); v != "" {
			if *d.dst, err = parseDays(v); err != nil || *d.dst < d.min || *d.dst > d.max {
				return c, &configError{d.name, fmt.Sprintf("must be a duration between %s and %s, such as %q", daysText(d.min), daysText(d.max), d.example)}
			}
		}
	}
	// Team members give a second factor unless the operator says otherwise
	// (the terminal demo has no phone to read a code from).
	switch v := strings.ToLower(strings.TrimSpace(getenv("VIGIA_INVESTIGATOR_2FA"))); v {
	case "":
		c.SecondFactor.Required = !demo
	case "totp":
		c.SecondFactor.Required = true
	case "off":
	default:
		return c, &configError{"VIGIA_INVESTIGATOR_2FA", `must be "totp" or "off"`}
	}
	if v := getenv("VIGIA_UNLOCK_PERIOD"); v != "" {
		if c.SecondFactor.UnlockFor, err = parseDays(v); err != nil || c.SecondFactor.UnlockFor < time.Minute || c.SecondFactor.UnlockFor > 7*24*time.Hour {
			return c, &configError{"VIGIA_UNLOCK_PERIOD", `must be a duration between 1m and 7d, such as "12h"`}
		}
	}
	if c.Triage.RemindAfter > 0 || c.Triage.ClaimTimeout > 0 {
		remind, timeout := cmp.Or(c.Triage.RemindAfter, 20*time.Minute), cmp.Or(c.Triage.ClaimTimeout, 30*time.Minute)
		if remind >= timeout {
			if c.Triage.RemindAfter == 0 {
				return c, &configError{"VIGIA_CLAIM_TIMEOUT", "must be longer than VIGIA_CLAIM_REMINDER (default 20m), or no reminder would ever go out; set both"}
			}
			return c, &configError{"VIGIA_CLAIM_REMINDER", "must be shorter than VIGIA_CLAIM_TIMEOUT (default 30m), or no reminder would ever go out"}
		}
	}
	// Defaults filled here, once, for every command that reads the
	// configuration: a zero AuditRetention once made reset-2fa trim the
	// whole audit log.
	c.Triage = c.Triage.WithDefaults()
	c.PhoneRegion, c.SignalWindow, c.Threshold = "MX", 7*24*time.Hour, 3
	if v := strings.TrimSpace(getenv("VIGIA_PHONE_REGION")); v != "" {
		if !phonenumbers.GetSupportedRegions()[strings.ToUpper(v)] {
			return c, &configError{"VIGIA_PHONE_REGION", "must be a two-letter country code such as MX, GT, CO or BR"}
		}
		c.PhoneRegion = strings.ToUpper(v)
	}
	if v := getenv("VIGIA_SIGNAL_WINDOW"); v != "" {
		if c.SignalWindow, err = parseDays(v); err != nil || c.SignalWindow < time.Hour || c.SignalWindow > 365*24*time.Hour {
			return c, &configError{"VIGIA_SIGNAL_WINDOW", `must be a duration between 1h and 365d, such as "7d"`}
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("VIGIA_ALLOW_REDIS_WITHOUT_AOF"))); v {
	case "", "no", "false", "0":
	case "yes", "true", "1":
		c.AllowNoAOF = true
	default:
		return c, &configError{"VIGIA_ALLOW_REDIS_WITHOUT_AOF", `must be "yes" or unset`}
	}
	c.SpoolDir = cmp.Or(strings.TrimSpace(getenv("VIGIA_SPOOL_DIR")), "vigia-spool")
	c.Limits = commands.DefaultLimits
	for _, l := range []struct {
		name string
		dst  *int
		what string
	}{
		{"VIGIA_LIMIT_MESSAGES", &c.Limits.PartsPerHour, "messages one reporter may add to drafts"},
		{"VIGIA_LIMIT_TIPS", &c.Limits.TipsPerHour, "tips one reporter may send"},
		{"VIGIA_LIMIT_QUERIES", &c.Limits.QueriesPerHour, "team commands one member may run"},
		{"VIGIA_LIMIT_CHAT", &c.Limits.ChatPerHour, "requests the bot answers in one chat"},
	} {
		if v := getenv(l.name); v != "" {
			if *l.dst, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || *l.dst < 1 || *l.dst > 1_000_000 {
				return c, &configError{l.name, "must be a whole number of " + l.what + " an hour, between 1 and 1000000"}
			}
		}
	}
	c.PublishApprovals = 1
	if v := getenv("VIGIA_PUBLISH_APPROVALS"); v != "" {
		if c.PublishApprovals, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || c.PublishApprovals < 1 || c.PublishApprovals > 10 {
			return c, &configError{"VIGIA_PUBLISH_APPROVALS", "must be a number of investigators between 1 and 10"}
		}
	}
	if v := getenv("VIGIA_CORROBORATION_THRESHOLD"); v != "" {
		if c.Threshold, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || c.Threshold < 2 || c.Threshold > 1000 {
			return c, &configError{"VIGIA_CORROBORATION_THRESHOLD", "must be a whole number of distinct reporters, between 2 and 1000"}
		}
	}
	if v := getenv("VIGIA_DEFAULT_LANGUAGE"); v != "" {
		lang := ""
		for _, s := range locales.Supported {
			if strings.EqualFold(s, v) {
				lang = s
			}
		}
		if lang == "" {
			return c, &configError{"VIGIA_DEFAULT_LANGUAGE", "must be one of " + strings.Join(locales.Supported, ", ")}
		}
		c.DefaultLanguage = lang
	}
	if v := getenv("VIGIA_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(strings.TrimSpace(v))); err != nil {
			return c, &configError{"VIGIA_LOG_LEVEL", "must be debug, info, warn or error"}
		}
	}
	var ok bool
	if c.RawTraceback, ok = rawTraceback(getenv("VIGIA_TRACEBACK")); !ok {
		return c, &configError{"VIGIA_TRACEBACK", `must be "raw" or unset`}
	}
	return c, nil
}

// rawTraceback reads VIGIA_TRACEBACK: "raw" asks for the Go runtime's
// own crash output (argument values, a panic's value); unset, a crash's
// output is scrubbed. ok is false for any other value (which leaves the
// output scrubbed, and the configuration refused).
func rawTraceback(v string) (raw, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return false, true
	case "raw":
		return true, true
	}
	return false, false
}

// maxSecretFile bounds how much of a secret file is read: a secret is 44
// base64 characters (`vigia keygen`). A file named by mistake (/dev/zero,
// a log, a disk image) was read whole, until memory ran out.
const maxSecretFile = 4096

// secretFileError is a secret file refused for what it is, said as is
// after the variable's name.
type secretFileError string

func (e secretFileError) Error() string { return string(e) }

var (
	errSecretFileTooLarge = secretFileError(fmt.Sprintf("holds more than %d bytes: it should name a file holding only the secret (`vigia keygen` prints one)", maxSecretFile))
	// A directory, a socket or a disk (block device) holds no secret.
	errSecretFileKind = secretFileError("is a directory, a socket or a disk: it should name a file, or a pipe, holding only the secret (`vigia keygen` prints one)")
	// A FIFO nothing writes to yet reads as empty, rather than block the
	// start until something does.
	errSecretFileNoWriter = secretFileError("is a pipe or a device that gave nothing (a FIFO no program writes to yet?): it should give the secret (`vigia keygen` prints one) and end")
)

// errSecretFileSlow refuses a pipe or device that did not end within
// secretPipeWait.
func errSecretFileSlow() error {
	return secretFileError(fmt.Sprintf("is a pipe or a device that did not end within %v (read until its end, at most that long): the program writing it (waiting for a passphrase?) should give the secret (`vigia keygen` prints one) and end", secretPipeWait))
}

// secretPipeWait bounds the wait for a secret given through a pipe
// (VIGIA_SECRET_FILE=<(pass show vigia), a FIFO) or a device to end: it
// is read until its writer ends, which may first ask for a passphrase
// (pass, gpg), as long as a person takes to type one.
var secretPipeWait = 2 * time.Minute

// readSecretFile reads a secret file (VIGIA_SECRET_FILE,
// VIGIA_SECRET_PREVIOUS_FILE), at most maxSecretFile bytes of it, and
// reports whether every user of the machine may read it. A regular file
// (a symbolic link to one, as Kubernetes mounts them, is one), a pipe or
// FIFO (process substitution, systemd) or a character device is read; it
// is opened without blocking (a FIFO would wait for a writer), and a pipe
// is read for at most secretPipeWait.
func readSecretFile(name string) (b []byte, worldReadable bool, err error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ENXIO) {
		if fi, serr := os.Stat(name); serr == nil && fi.Mode()&os.ModeSocket != 0 {
			return nil, false, errSecretFileKind
		}
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	regular := fi.Mode().IsRegular()
	if !regular && fi.Mode()&(os.ModeNamedPipe|os.ModeCharDevice) == 0 {
		return nil, false, errSecretFileKind
	}
	if !regular {
		// A device the poller does not take (/dev/null) has no deadline,
		// and, nonblocking, does not wait either.
		if err := f.SetReadDeadline(time.Now().Add(secretPipeWait)); err != nil && !errors.Is(err, os.ErrNoDeadline) {
			return nil, false, err
		}
	}
	b, err = io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, false, errSecretFileSlow()
	}
	if err != nil {
		return nil, false, err
	}
	if len(b) > maxSecretFile {
		return nil, false, errSecretFileTooLarge
	}
	if !regular && len(b) == 0 {
		return nil, false, errSecretFileNoWriter
	}
	return b, fi.Mode().Perm()&0o004 != 0, nil
}

// checkRedisURL checks what go-redis does not: the URL's shape, and its
// ports (its own and those of more nodes, addr=), which must be from 1 to
// 65535. A port past 65535 or 0 was taken, and serve then failed on its
// first call, seconds later, with a generic error and exit status 1; a
// port not a number ("localhost:-1") was said not to be a redis:// URL.
func checkRedisURL(v string) error {
	u, err := url.Parse(v)
	if err != nil && strings.Contains(v, "@") {
		return fmt.Errorf("is not a valid URL; if the password holds characters such as / ? # @ : or %%, URL-escape them (/ as %%2F, @ as %%40)")
	}
	var uerr *url.Error
	if errors.As(err, &uerr) && strings.HasPrefix(uerr.Err.Error(), "invalid port") {
		return errRedisPort
	}
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return fmt.Errorf("must be a redis:// or rediss:// URL")
	}
	if !redisPortOK(u.Port()) {
		return errRedisPort
	}
	for _, addr := range u.Query()["addr"] {
		if _, port, err := net.SplitHostPort(addr); err == nil && !redisPortOK(port) {
			return fmt.Errorf("the port of each addr= in it must be a number between 1 and 65535")
		}
	}
	return nil
}

var errRedisPort = errors.New("its port must be a number between 1 and 65535")

// redisPortOK reports whether port, as a URL gives it ("" for the default
// one), is one Redis can listen on. A name (a service's, "redis") is left
// to the dial, as net.Dial takes one. A sign is of a number, not of a
// name, as net.Dial reads it ("-1" is port -1, "+" port 0).
func redisPortOK(port string) bool {
	digits := port
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if port == "" || (digits != "" && strings.Trim(digits, "0123456789") != "") {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// maxRetention is the longest VIGIA_RETENTION: a longer one puts the
// trim points of the indexes (entities' tips and reporters, whose
// scores are times and minus times) before 1970, where they read the
// one for the other, or refuse the bound ("(--…" is not a number).
const maxRetention = 18250 * 24 * time.Hour

// parseDays parses a Go duration, also accepting whole days ("90d").
func parseDays(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// daysText writes a whole duration as parseDays reads it: "30d", "1h",
// "1m" (not time.Duration's "720h0m0s").
func daysText(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

func validTelegramToken(t string) bool {
	id, secret, ok := strings.Cut(t, ":")
	if !ok || id == "" || len(secret) < 20 {
		return false
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return false
	}
	for _, r := range secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// roles builds the role table from the configured lists.
func (c Config) roles() commands.Roles {
	r := commands.Roles{}
	for _, id := range c.Investigators {
		r[id] = commands.Investigator
	}
	for _, id := range c.Admins {
		r[id] = commands.Admin
	}
	return r
}

// webhookPath is the path serve routes Telegram's webhook calls to.
func webhookPath(webhookURL string) string {
	u, _ := url.Parse(webhookURL)
	return cmp.Or(u.Path, "/")
}

// validWebhookPath accepts a clean path of unreserved characters, which
// http.ServeMux takes literally.
func validWebhookPath(p string) bool {
	if p == "" {
		return true
	}
	if c := path.Clean(p); p != c && p != c+"/" {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~/", r)) {
			return false
		}
	}
	return true
}

// validListenAddr accepts host:port with a port net.Listen takes (0 to
// 65535, or a service name): ":99999" or ":-1" passed, and serve was
// refused only when it came to listen, after writing into Redis (and
// ":-1" was warned of as listening on every interface).
func validListenAddr(v string) bool {
	_, port, err := net.SplitHostPort(v)
	if err != nil || port == "" {
		return false
	}
	_, err = net.LookupPort("tcp", port)
	return err == nil
}

func validWebhookSecret(s string) bool {
	if len(s) < 16 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// listenersOverlap reports whether two host:port listeners cannot both be
// bound: the same port, and either host a wildcard (empty, 0.0.0.0, ::,
// every interface: Go listens on both IPv4 and IPv6 there) or both on the
// same address. Compared as strings, ":9464" and "127.0.0.1:9464" passed
// the configuration and then failed to bind, as if another process held
// the port. A host name is resolved with lookup and stands for the one
// address net.Listen binds it to: its first IPv4 address, else its first
// (comparing every address refused "localhost:9464" beside
// "[::1]:9464" where localhost is also ::1, though Go listens on
// 127.0.0.1 only). One that does not resolve (within a second) is left to
// the bind to judge. Port 0 (any free port) overlaps nothing.
func listenersOverlap(a, b string, lookup func(ctx context.Context, host string) ([]net.IPAddr, error)) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	na, err1 := net.LookupPort("tcp", pa)
	nb, err2 := net.LookupPort("tcp", pb)
	if err1 != nil || err2 != nil {
		return a == b
	}
	if na != nb || na == 0 {
		return false
	}
	if strings.EqualFold(ha, hb) {
		return true
	}
	ipA, wildA := listenIP(ha, lookup)
	ipB, wildB := listenIP(hb, lookup)
	return wildA || wildB || ipA != nil && ipA.Equal(ipB)
}

// listenIP is the address net.Listen("tcp", host:port) binds: every
// interface (wild), or one address (nil if host does not resolve within a
// second). For a host name that is the first IPv4 address it resolves to,
// else the first (net.ListenConfig.Listen: addrs.first(isIPv4)).
func listenIP(host string, lookup func(ctx context.Context, host string) ([]net.IPAddr, error)) (ip net.IP, wild bool) {
	if host == "" {
		return nil, true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip, ip.IsUnspecified()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	addrs, err := lookup(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, false
	}
	ip = addrs[0].IP
	for _, a := range addrs {
		if a.IP.To4() != nil {
			ip = a.IP
			break
		}
	}
	return ip, ip.IsUnspecified()
}
