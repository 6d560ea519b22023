// Package storage keeps Vigía's state in Redis: sealed tips, the triage
// stream, drafts, receipts and preferences. Nothing that identifies a
// reporter, and no tip text, is written in clear. Every key is named in
// keys.go; a script or transaction touches keys of one hash tag only.
//
// The triage stream has a consumer group (TriageGroup). New entries are
// parked in it under one consumer, "~queue" (XREADGROUP); Next claims with
// a script over the pending list (XPENDING) that XCLAIMs the oldest waiting
// tip, of a category if asked, or one whose claim was idle past the claim
// timeout (XAUTOCLAIM could not choose by category); a decision XACKs it,
// and a tip whose claims lapsed too often goes to the dead-letter stream.
// The indexer reads the same stream in its own group (IndexGroup).
//
// Keyring derives the subkeys from the master secret (HKDF-SHA256):
// sealing, pseudonyms, receipt lookups, blind index. The three MAC keys
// name records, so they are kept, sealed, in Redis (the keyset) and
// outlive a change of secret; the sealing key does not (rekey.go).
package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// ErrNotFound is returned when a tip, draft or receipt does not exist (or
// has expired).
var ErrNotFound = errors.New("not found")

// Options tune a Store. Zero values take the defaults.
type Options struct {
	// Prefix starts every key; default "vigia".
	Prefix string
	// Retention is how long tips and their index entries live; default 90 days.
	Retention time.Duration
	// ClosedRetention is how long a tip lives once it is dismissed or
	// marked a duplicate, counted from that decision; default 30 days.
	ClosedRetention time.Duration
	// VerifiedRetention is how long a tip lives once it is verified,
	// counted from that decision; default 365 days.
	VerifiedRetention time.Duration
	// DraftIdle is how long an untouched draft lives; default 30 minutes.
	DraftIdle time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Index tunes the blind index and signals.
	Index IndexOptions
	// HeldReceipt, if set, reports whether a receipt code was given to a
	// tip not in Redis yet (Spool.HoldsReceipt): such a code, pasted into a
	// tip in two goes, is cut from it as a stored tip's is.
	HeldReceipt func(code string) bool
}

// Store is Vigía's Redis storage.
type Store struct {
	rdb       redis.UniversalClient
	kr        *Keyring
	k         keys
	retention time.Duration
	byStatus  map[tips.Status]time.Duration
	draftIdle time.Duration
	now       func() time.Time
	index0    IndexOptions
	// heldReceipt is Options.HeldReceipt.
	heldReceipt func(code string) bool
	// formsSince is indexFormsSince once read (unix ms; 0 before).
	formsSince atomic.Int64
	// owedNext is when the indexer next looks for recounts owed by sifts
	// whose process stopped (unix ms; 0: at its first pass).
	owedNext atomic.Int64
	// keysetTurn is held by the one CheckKeyset running (capacity 1).
	keysetTurn chan struct{}
}

// New returns a Store on rdb sealing with kr. It adds to rdb the hook
// that bounds each call made under WithCallWait.
func New(rdb redis.UniversalClient, kr *Keyring, o Options) (*Store, error) {
	if o.Prefix == "" {
		o.Prefix = "vigia"
	}
	if o.Retention <= 0 {
		o.Retention = 90 * 24 * time.Hour
	}
	if o.ClosedRetention <= 0 {
		o.ClosedRetention = 30 * 24 * time.Hour
	}
	if o.VerifiedRetention <= 0 {
		o.VerifiedRetention = 365 * 24 * time.Hour
	}
	if o.DraftIdle <= 0 {
		o.DraftIdle = 30 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Index.Region == "" {
		o.Index.Region = "MX"
	}
	if o.Index.Window <= 0 {
		o.Index.Window = 7 * 24 * time.Hour
	}
	if o.Index.Threshold <= 0 {
		o.Index.Threshold = 3
	}
	k, err := newKeys(o.Prefix)
	if err != nil {
		return nil, err
	}
	byStatus := map[tips.Status]time.Duration{
		tips.StatusDismissed: o.ClosedRetention, tips.StatusDuplicate: o.ClosedRetention, tips.StatusVerified: o.VerifiedRetention,
	}
	rdb.AddHook(callWaitHook{}) // WithCallWait's bound
	return &Store{rdb: rdb, kr: kr, k: k, retention: o.Retention, byStatus: byStatus, draftIdle: o.DraftIdle, now: o.Now, index0: o.Index, heldReceipt: o.HeldReceipt, keysetTurn: make(chan struct{}, 1)}, nil
}

// Init prepares Redis: it loads the MAC keys kept in Redis (keeping them
// first, if this is the first start), and creates the triage stream and its
// consumer group if they do not exist yet. It is safe to call on every
// start, and must run before the Store (or a Spool on its Keyring) is used.
func (s *Store) Init(ctx context.Context) error {
	err := s.init(ctx)
	var rerr redis.Error
	if errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), "WRONGTYPE") {
		return fmt.Errorf("%w: %v", ErrForeignKeys, err)
	}
	return refusedSettings(err)
}

// ErrForeignKeys is Init finding, under the store's prefix, a key of
// Vigía's holding another kind of value than Vigía keeps there: another
// program's keys. A configuration mistake (VIGIA_REDIS_PREFIX, or the
// database VIGIA_REDIS_URL names), not an outage.
var ErrForeignKeys = errors.New("keys under this prefix hold values of another kind than Vigía keeps there (another program's keys?): choose a prefix or a database of Vigía's own")

func (s *Store) init(ctx context.Context) error {
	if err := s.loadKeyset(ctx); err != nil {
		return err
	}
	// A value that is not a time only keeps the indexer folding and
	// sifting (cutFormsLive): it does not stop the bot from starting.
	if _, err := s.cutFormsSince(ctx); err != nil && !errors.Is(err, errFormsNotATime) {
		return err
	}
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.triage(), TriageGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create triage group: %w", err)
	}
	// The indexer's group starts at the stream's end: tips stored before
	// it existed were indexed when they were sent.
	err = s.rdb.XGroupCreateMkStream(ctx, s.k.triage(), IndexGroup, "$").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create index group: %w", err)
	}
	return nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}

// Pseudonym returns the reporter pseudonym of a platform user.
func (s *Store) Pseudonym(platform, userID string) string {
	return s.kr.Pseudonym(platform, userID)
}

// DraftIdle is how long an untouched draft lives.
func (s *Store) DraftIdle() time.Duration { return s.draftIdle }

// ErrConfigForbidden is Persistence's error when this Redis user may not
// run CONFIG GET (an ACL with -@dangerous and without +config|get).
var ErrConfigForbidden = errors.New("this Redis user may not run CONFIG GET")

// Persistence is what Redis keeps of a write it has answered.
type Persistence struct {
	// AppendOnly: appendonly yes, every write is logged to the
	// append-only file before the reply, and survives a Redis restart.
	// Without it a restart loses every write since the last RDB snapshot
	// (all of them, with no snapshots).
	AppendOnly bool
	// FsyncAlways: appendfsync always, the file is fsynced before the
	// reply, so the write survives a crash of the machine too.
	FsyncAlways bool
}

// onEachPrimary runs fn on every primary of a Redis Cluster, at once, or
// on the one server otherwise: for what goes over the whole keyspace
// (SCAN), which a cluster client would send to one node only.
func (s *Store) onEachPrimary(ctx context.Context, fn func(context.Context, redis.UniversalClient) error) error {
	if cl, ok := s.rdb.(*redis.ClusterClient); ok {
		return cl.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return fn(ctx, node) })
	}
	return fn(ctx, s.rdb)
}

// Persistence reads Redis's persistence settings. It returns an error when
// they cannot be read: ErrConfigForbidden when the ACL denies CONFIG GET,
// so that the operator is told what to allow. On a Redis Cluster every
// primary is asked (each holds a share of the tips): it reports what the
// weakest keeps. With Sentinel it is the primary's, as every write goes
// there.
func (s *Store) Persistence(ctx context.Context) (Persistence, error) {
	cc, ok := s.rdb.(*redis.ClusterClient)
	if !ok {
		return persistenceOf(ctx, s.rdb)
	}
	// A key-less command goes to a random node of the cluster, replica or
	// primary: one primary without an append-only file passed, or not,
	// by chance of the draw.
	var mu sync.Mutex
	all := Persistence{AppendOnly: true, FsyncAlways: true}
	var firstErr error
	_ = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		p, err := persistenceOf(ctx, node)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return nil
		}
		all.AppendOnly = all.AppendOnly && p.AppendOnly
		all.FsyncAlways = all.FsyncAlways && p.FsyncAlways
		return nil
	})
	if firstErr != nil && all.AppendOnly {
		return Persistence{}, firstErr // (a primary known without one is said, whatever the others)
	}
	return all, nil
}

func persistenceOf(ctx context.Context, rdb redis.Cmdable) (Persistence, error) {
	v, err := rdb.ConfigGet(ctx, "append*").Result()
	if err != nil && strings.HasPrefix(err.Error(), "NOPERM") {
		return Persistence{}, ErrConfigForbidden
	}
	if err != nil {
		return Persistence{}, fmt.Errorf("read redis persistence settings: %w", err)
	}
	if _, ok := v["appendonly"]; !ok {
		// A Redis-compatible server (a managed one) that does not tell:
		// unknown, not "appendonly no".
		return Persistence{}, errors.New("read redis persistence settings: the server does not report appendonly")
	}
	return Persistence{AppendOnly: v["appendonly"] == "yes", FsyncAlways: v["appendonly"] == "yes" && v["appendfsync"] == "always"}, nil
}

// TipCount is how many tips were ever numbered (the tip counter).
func (s *Store) TipCount(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, s.k.tipSeq()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("tip count: %w", err)
	}
	return n, nil
}

// ErrPoolTimeout is go-redis's error for a call that waited its
// PoolTimeout for a connection while every one of the pool was busy
// (Redis slow or hung): the call was never sent.
var ErrPoolTimeout = redis.ErrPoolTimeout

// Refused reports whether err is a Redis server refusing a command,
// before running it, for a state it is in for a while and comes out of
// by itself: loading its data after a restart (LOADING), a replica cut
// from its primary (MASTERDOWN) or one written to after a failover
// (READONLY), a cluster down or moving a slot (CLUSTERDOWN, TRYAGAIN),
// a script running too long (BUSY), too few replicas (NOREPLICAS), a
// snapshot failing (MISCONF), no client slot left. The command did not
// run: storage is unavailable, as when Redis is unreachable.
func Refused(err error) bool {
	if err == nil {
		return false
	}
	for _, p := range []string{"LOADING ", "MASTERDOWN ", "READONLY ", "CLUSTERDOWN ", "TRYAGAIN ", "BUSY ", "NOREPLICAS ", "MISCONF "} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return redis.IsMaxClientsError(err)
}

// ErrRedisSettings is Redis refusing what the connection asked for: a
// database number it does not have, a wrong user or password, a user
// without the rights Vigía needs. A configuration mistake
// (VIGIA_REDIS_URL), not an outage.
var ErrRedisSettings = errors.New("the Redis server refused the connection's settings (the user, password, rights or database number)")

// refusedSettings wraps err in ErrRedisSettings if it is Redis refusing
// the connection's settings.
func refusedSettings(err error) error {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return err
	}
	msg := rerr.Error()
	for _, p := range []string{"ERR DB index is out of range", "WRONGPASS", "NOAUTH", "NOPERM", "ERR invalid password", "ERR Client sent AUTH", "ERR AUTH"} {
		if strings.HasPrefix(msg, p) {
			return fmt.Errorf("%w: %v", ErrRedisSettings, err)
		}
	}
	return err
}

// RefusedSettings wraps err in ErrRedisSettings if it is Redis refusing
// the connection's settings (for a caller's own first calls).
func RefusedSettings(err error) error { return refusedSettings(err) }
