package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
)

// previousSecret reads VIGIA_SECRET_PREVIOUS or VIGIA_SECRET_PREVIOUS_FILE,
// the secret being rotated away from, as VIGIA_SECRET is read; nil if
// neither is set. open reports a file every user of the machine may read.
func previousSecret(getenv func(string) string) (secret []byte, open bool, err error) {
	const name = "VIGIA_SECRET_PREVIOUS"
	v, from := getenv(name), name
	if f := strings.TrimSpace(getenv(name + "_FILE")); f != "" {
		if v != "" {
			return nil, false, &configError{name + "_FILE", "is set together with " + name + "; use one of them"}
		}
		b, readable, err := readSecretFile(f)
		if fe := secretFileError(""); errors.As(err, &fe) {
			return nil, false, &configError{name + "_FILE", err.Error()}
		}
		if err != nil {
			return nil, false, &configError{name + "_FILE", "cannot be read (" + withoutPath(err) + "): it should name a file holding the previous secret, readable by the user Vigía runs as"}
		}
		v, from, open = string(b), name+"_FILE", readable
	}
	if v == "" {
		return nil, false, nil
	}
	secret, err = base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(secret) < storage.MinSecretLen {
		return nil, false, &configError{from, fmt.Sprintf("must be base64 of at least %d random bytes, like VIGIA_SECRET", storage.MinSecretLen)}
	}
	return secret, open, nil
}

// keyring builds the keyring: VIGIA_SECRET, and VIGIA_SECRET_PREVIOUS while
// rotating.
func (c Config) keyring() (*storage.Keyring, error) {
	var kr *storage.Keyring
	var err error
	if c.SecretPrevious != nil {
		kr, err = storage.NewKeyring(c.Secret, c.SecretPrevious)
	} else {
		kr, err = storage.NewKeyring(c.Secret)
	}
	if err != nil {
		return nil, &configError{"VIGIA_SECRET", err.Error()}
	}
	return kr, nil
}

// rotateWait is how long rotate-key waits for an answer from Redis. Its
// calls are short (a chunk of a stream, one record) but one: putting the
// rebuilt copy of a long stream in its place carries every pending entry
// over in one script (the inbox's: about 10 µs each). Cut off by the
// client's default 3 s read timeout, that call was reported as an error
// although Redis went on to finish it, and go-redis sent it again (which
// then found its copy gone: "run rotate-key again").
const rotateWait = time.Minute

// rotateKey is `vigia rotate-key`: with the bot running on VIGIA_SECRET (new)
// and VIGIA_SECRET_PREVIOUS (old), it re-seals under the new secret every
// value still sealed under the old one. It prints counts, never a value.
func rotateKey(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := loadOpsConfig(getenv)
	if err == nil && cfg.SecretPrevious == nil {
		err = &configError{"VIGIA_SECRET_PREVIOUS", "is not set; rotate-key needs the secret being replaced (and VIGIA_SECRET set to the new one)"}
	}
	if err == nil && bytes.Equal(cfg.SecretPrevious, cfg.Secret) {
		err = &configError{"VIGIA_SECRET_PREVIOUS", "equals VIGIA_SECRET; set VIGIA_SECRET to a new secret (`vigia keygen`)"}
	}
	if err != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return 2
	}
	st, closeStore, code := openStore(ctx, cfg, stderr, rotateWait)
	if st == nil {
		return code
	}
	defer closeStore()
	// One run at a time: two at once made each other stop part-way with
	// "run it again". The second is refused before it changes anything.
	locked, unlock, err := st.LockRekey(ctx)
	if errors.Is(err, storage.ErrRekeyRunning) {
		fmt.Fprintf(stderr, "vigia: another rotate-key run is in progress on this Redis; nothing was changed. Wait for it to finish (a run that was killed leaves its lock behind for a minute at most), then run rotate-key again to check\n")
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "vigia: redis: %s\n", redisReason(err))
		return 1
	}
	defer unlock()
	rep, err := st.Rekey(locked, func(done int) { fmt.Fprintf(stderr, "vigia: %d keys examined\n", done) })
	if err != nil && locked.Err() != nil && ctx.Err() == nil {
		err = context.Cause(locked) // the lock was lost
	}
	fmt.Fprintf(stdout, "re-sealed: %d\nalready current: %d\nunreadable: %d\nkeys examined: %d\n",
		rep.Resealed, rep.Current, rep.Unreadable, rep.Keys)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "vigia: rotate-key interrupted, run it again: %s\n", redisReason(err))
		return 1
	case rep.Unreadable > 0:
		fmt.Fprintf(stderr, "vigia: %d values open under neither secret; they were left as they are\n", rep.Unreadable)
		return 1
	}
	if code := checkSpoolRotated(cfg, stderr); code != 0 {
		return code
	}
	// Named as it was given: told to remove VIGIA_SECRET_PREVIOUS, an
	// operator who set VIGIA_SECRET_PREVIOUS_FILE found nothing to remove.
	prev := "VIGIA_SECRET_PREVIOUS"
	if strings.TrimSpace(getenv(prev+"_FILE")) != "" {
		prev += "_FILE"
	}
	fmt.Fprintf(stdout, "nothing is left under the previous secret: remove %s and restart the bot\n", prev)
	return 0
}

// checkSpoolRotated keeps rotate-key from saying that nothing is left
// under the previous secret while the outage spool (VIGIA_SPOOL_DIR) holds
// tips sealed under it: removing VIGIA_SECRET_PREVIOUS then would strand
// them. rotate-key does not re-seal the spool: it belongs to the running
// bot, which appends to it and replays it meanwhile; the bot replays those
// tips into Redis (sealing them under the new secret) as soon as Redis
// answers. It returns the exit status (0: nothing left).
func checkSpoolRotated(cfg Config, stderr io.Writer) int {
	kr, err := cfg.keyring()
	if err != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return 2
	}
	// The bot creates its spool directory at start (OpenSpool): one that
	// does not exist is not the bot's (another working directory, the
	// variable left out of this shell), and finding no tips there proves
	// nothing.
	if _, err := os.Stat(cfg.SpoolDir); err != nil {
		fmt.Fprintf(stderr, "vigia: VIGIA_SPOOL_DIR: the bot's spool directory is not there (%s), so tips spooled under the previous secret cannot be ruled out: run rotate-key with the bot's environment, where its spool is (docker compose exec vigia vigia rotate-key)\n", withoutPath(err))
		return 1
	}
	c, err := storage.InspectSpool(cfg.SpoolDir, kr)
	if err != nil {
		fmt.Fprintf(stderr, "vigia: VIGIA_SPOOL_DIR: cannot be read, so tips spooled under the previous secret cannot be ruled out: %v\n", err)
		return 1
	}
	if c.Quarantined+c.Unreadable > 0 {
		fmt.Fprintf(stderr, "vigia: the outage spool holds %d records that open under neither secret (see tips.spool.quarantine); they were left as they are\n", c.Quarantined+c.Unreadable)
	}
	if c.OwedPrevious > 0 {
		// The bot seals them again under the new secret as it starts with
		// both (OpenSpool): this one was not restarted so.
		fmt.Fprintf(stderr, "vigia: the outage spool (VIGIA_SPOOL_DIR) holds %d receipts owed to reporters (tips.spool.owed) sealed under the previous secret: restart the bot with VIGIA_SECRET and VIGIA_SECRET_PREVIOUS both set (it seals them again under the new secret as it starts), then run rotate-key again\n", c.OwedPrevious)
	}
	if c.DiscardsPrevious > 0 {
		// Likewise: set aside at a start under the new secret alone, the
		// discards would be lost, and a sweep would speak into the chats
		// they were owed by wipes of.
		fmt.Fprintf(stderr, "vigia: the outage spool (VIGIA_SPOOL_DIR) holds %d discards owed by chat wipes (tips.spool.discards) sealed under the previous secret: restart the bot with VIGIA_SECRET and VIGIA_SECRET_PREVIOUS both set (it seals them again under the new secret as it starts), then run rotate-key again\n", c.DiscardsPrevious)
	}
	if c.Previous > 0 {
		fmt.Fprintf(stderr, "vigia: the outage spool (VIGIA_SPOOL_DIR) holds %d tips sealed under the previous secret, not yet replayed into Redis: keep VIGIA_SECRET_PREVIOUS until the bot has replayed them (metric vigia_spool_size 0), then run rotate-key again\n", c.Previous)
		return 1
	}
	if c.OwedPrevious+c.DiscardsPrevious > 0 {
		return 1
	}
	return 0
}

// openStore opens the store of cfg for an operator's command (rotate-key,
// reset-2fa), printing why it cannot to stderr: then it returns nil and the
// exit status (2: configuration, 1: Redis).
// wait, if not 0, is how long a call may wait for Redis's answer, if
// longer than the URL's read timeout (3 s by default).
func openStore(ctx context.Context, cfg Config, stderr io.Writer, wait time.Duration) (*storage.Store, func(), int) {
	// A command run by hand says what failed in one line of its own: the
	// client's own log lines (each retry's dial error) would bury it.
	installRedisLogger(slog.New(slog.DiscardHandler))
	kr, err := cfg.keyring()
	if err != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return nil, nil, 2
	}
	var rdb redis.UniversalClient
	switch cfg.RedisMode {
	case "cluster":
		rdb, err = liveClusterClient(ctx, cfg.RedisURL, wait)
	case "sentinel":
		// (The URL checked first: asking its sentinels, a URL refused
		// for its pool sizes was told they do not answer.)
		rdb, err = redisClientWaiting(cfg.RedisURL, cfg.RedisMode, wait)
		if err == nil {
			if err = sentinelsNamePrimary(ctx, cfg.RedisURL); err != nil {
				rdb.Close()
			}
		}
	default:
		rdb, err = redisClientWaiting(cfg.RedisURL, cfg.RedisMode, wait)
	}
	if err != nil {
		return nil, nil, openFailed(cfg, err, stderr)
	}
	st, err := storage.New(rdb, kr, storage.Options{Prefix: cfg.RedisPrefix})
	if err != nil {
		rdb.Close()
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return nil, nil, 2
	}
	// Init keeps a keyset where there is none: run with another database
	// number or prefix than the bot's (a variable left out of this shell),
	// rotate-key kept one under the new secret and reported nothing left
	// under the previous one, and reset-2fa wrote its audit entry there.
	// (An error, another program's keys among them, is reported as Init's.)
	hctx, cancel := context.WithTimeout(ctx, firstAnswerWait(rdb))
	has, err := st.HasKeyset(hctx)
	cancel()
	if err == nil && !has {
		rdb.Close()
		fmt.Fprintf(stderr, "vigia: VIGIA_REDIS_URL: this Redis holds no Vigía data under VIGIA_REDIS_PREFIX (no keyset: the bot has never started on it); run this command with the bot's environment, the same database number and prefix. Nothing was changed\n")
		return nil, nil, 2
	}
	if err == nil {
		err = st.Init(ctx)
	}
	if err != nil {
		rdb.Close()
		return nil, nil, openFailed(cfg, err, stderr)
	}
	return st, func() { rdb.Close() }, 0
}

// openFailed prints why openStore could not open the store of cfg (err)
// to stderr, and returns the exit status (2: configuration, 1: Redis).
// Redis's reason says why, not where, and names no pseudonym
// (redisReason), as serve's log does: no address, host name or resolver,
// never a URL's user:password@.
func openFailed(cfg Config, err error, stderr io.Writer) int {
	var ce *configError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "vigia: %v\n", err)
		return 2
	case errors.Is(err, storage.ErrWrongSecret):
		fmt.Fprintf(stderr, "vigia: VIGIA_SECRET: %v\n", err)
		return 2
	case errors.Is(err, storage.ErrRedisSettings):
		fmt.Fprintf(stderr, "vigia: VIGIA_REDIS_URL: %s\n", redisReason(err))
		return 2
	case errors.Is(err, storage.ErrForeignKeys):
		fmt.Fprintf(stderr, "vigia: VIGIA_REDIS_PREFIX: %v\n", err)
		return 2
	}
	if cerr := redisModeMismatch(cfg.RedisMode, err); cerr != nil {
		fmt.Fprintf(stderr, "vigia: %v\n", cerr)
		return 2
	}
	if redisUnreachable(err) {
		fmt.Fprintf(stderr, "vigia: %s\n", redisReason(unreachableError(cfg.RedisMode, err)))
		return 1
	}
	fmt.Fprintf(stderr, "vigia: redis: %s\n", redisReason(err))
	return 1
}

// redisReason is Redis's error err as an operator's command prints it:
// why, not where (scrubAddrs), and no pseudonym or other keyed MAC
// (scrubIDs): Redis 7.2 and later name the key a NOPERM refuses
// ("no permissions to access the 'vigia:{<pseudonym>}:st' key"), and a
// reporter's keys carry their pseudonym, stable per person, which a
// terminal's scrollback or a CI log would keep.
func redisReason(err error) string {
	return scrubIDs(scrubAddrs(err.Error()))
}
