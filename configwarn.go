package main

import (
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

// knownVars are the VIGIA_* variables Vigía reads (VIGIA_CRASH_GUARDED is
// set by Vigía itself, to the parent's process id and the child's
// standard-error pipe, on the process whose
// crash output it scrubs; set by hand it is ignored, with a warning;
// VIGIA_REQUIRE_REDIS and the VIGIA_BENCH ones by its tests and `vigia
// bench`, VIGIA_CROSS_BUILD,
// VIGIA_FUZZ_TRACE, VIGIA_REKEY_BENCH_ENTRIES, VIGIA_SHOW_MISSES and
// VIGIA_UPDATE_GOLDEN by its tests).
var knownVars = []string{
	"VIGIA_ADMINS", "VIGIA_ALLOW_REDIS_WITHOUT_AOF", "VIGIA_AUDIT_RETENTION", "VIGIA_BENCH_TIPS", "VIGIA_CLAIM_REMINDER", "VIGIA_CLAIM_TIMEOUT",
	"VIGIA_CORROBORATION_THRESHOLD", "VIGIA_CRASH_GUARDED", "VIGIA_CROSS_BUILD", "VIGIA_DEFAULT_LANGUAGE", "VIGIA_DISCORD_API_URL", "VIGIA_DISCORD_GUILD_ID",
	"VIGIA_DISCORD_INVESTIGATOR_ROLE", "VIGIA_DISCORD_TOKEN", "VIGIA_DRAFT_IDLE", "VIGIA_FUZZ_TRACE", "VIGIA_HTTP_ADDR", "VIGIA_INVESTIGATORS",
	"VIGIA_INVESTIGATOR_2FA", "VIGIA_INVESTIGATOR_CHATS", "VIGIA_INVITE_TTL", "VIGIA_LIMIT_CHAT", "VIGIA_LIMIT_MESSAGES",
	"VIGIA_LIMIT_QUERIES", "VIGIA_LIMIT_TIPS", "VIGIA_LOG_LEVEL", "VIGIA_METRICS_ADDR", "VIGIA_PHONE_REGION",
	"VIGIA_PUBLISH_APPROVALS", "VIGIA_REDIS_MODE", "VIGIA_REKEY_BENCH_ENTRIES", "VIGIA_REDIS_PREFIX", "VIGIA_REDIS_URL", "VIGIA_REQUIRE_REDIS",
	"VIGIA_RETENTION", "VIGIA_RETENTION_CLOSED", "VIGIA_RETENTION_VERIFIED", "VIGIA_SECRET", "VIGIA_SECRET_FILE",
	"VIGIA_SECRET_PREVIOUS", "VIGIA_SECRET_PREVIOUS_FILE", "VIGIA_SHOW_MISSES", "VIGIA_SIGNAL_WINDOW", "VIGIA_SPOOL_DIR",
	"VIGIA_TELEGRAM_API_URL", "VIGIA_TELEGRAM_TOKEN", "VIGIA_TELEGRAM_WEBHOOK_SECRET", "VIGIA_TELEGRAM_WEBHOOK_URL",
	"VIGIA_TRACEBACK", "VIGIA_UNLOCK_PERIOD", "VIGIA_UPDATE_GOLDEN", "VIGIA_URGENT_ANNOUNCE",
}

// environNames lists the names of the process's environment variables
// (never their values).
func environNames() []string {
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	return names
}

// configWarnings finds settings that are accepted but most likely a
// mistake: a misspelt variable (silently ignored), a team nobody is on,
// a Redis reached without a password or in clear over a network. Each
// names variables, never a value.
func configWarnings(c Config, names []string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "VIGIA_") && !slices.Contains(knownVars, n) {
			out = append(out, n+" is not a variable Vigía knows, and is ignored: a misspelling? (see README, Configuration)")
		}
	}
	for _, n := range c.OpenSecretFiles {
		out = append(out, n+" names a file every user of this machine can read, and with the secret every tip can be unsealed: make it readable by the user Vigía runs as only (chmod 0400; in Kubernetes, defaultMode: 0400 on the secret's volume)")
	}
	if (c.TelegramToken != "" || c.DiscordToken != "") && len(c.Admins)+len(c.Investigators) == 0 {
		out = append(out, "VIGIA_ADMINS and VIGIA_INVESTIGATORS are empty: tips are received, but unless members were invited before, nobody can read them")
	}
	if host, _, err := net.SplitHostPort(c.MetricsAddr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		out = append(out, "VIGIA_METRICS_ADDR listens on every interface: its counters show when tips arrive; keep the port off the public network (a firewall, or a NetworkPolicy admitting only Prometheus)")
	}
	if c.RawTraceback {
		out = append(out, "VIGIA_TRACEBACK is raw: a crash prints Go's own traceback, whose argument values can be a chat or user id and whose panic value can quote a tip; for debugging only, where nobody else reads the logs")
	}
	return append(out, redisURLWarnings(c.RedisURL, c.RedisMode)...)
}

// redisURLWarnings warns of a Redis on another host reached without a
// password, or without TLS. A single-label host name (a Compose or
// Kubernetes service, such as "redis") is taken to be on a private
// network, and only the password is asked of it. In sentinel mode the
// URL's user:password@ log in to the sentinels, and the primary's password
// is the password= parameter (go-redis's ParseFailoverURL).
func redisURLWarnings(v, mode string) []string {
	u, err := url.Parse(v)
	if err != nil || u.Hostname() == "" || isLoopback(u.Hostname()) {
		return nil
	}
	var out []string
	if v, err := strconv.ParseBool(u.Query().Get("skip_verify")); err == nil && v {
		out = append(out, "VIGIA_REDIS_URL has skip_verify: the TLS certificate is not checked, so whoever can intercept the connection reads the password and every record; give Vigía the server's CA instead")
	}
	_, hasPassword := u.User.Password()
	if mode == "sentinel" {
		hasPassword = u.Query().Get("password") != ""
	}
	if !hasPassword {
		out = append(out, "VIGIA_REDIS_URL has no password, to a Redis on another host: anyone who reaches it reads and writes every tip's record; give Vigía an ACL user (see README)")
	}
	if u.Scheme != "rediss" && strings.ContainsAny(u.Hostname(), ".:") {
		out = append(out, "VIGIA_REDIS_URL is not rediss:// (TLS), to a Redis on another host: the password and sealed records cross the network in clear")
	}
	return out
}
