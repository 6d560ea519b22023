package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"
)

// keysetContext binds the sealed keyset to its purpose.
const keysetContext = "keyset"

// ErrWrongSecret is returned by Init when the keyset kept in Redis opens
// under neither VIGIA_SECRET nor VIGIA_SECRET_PREVIOUS: this Redis was
// written with another secret.
var ErrWrongSecret = errors.New("the keys kept in Redis open under neither the secret nor the previous secret")

// loadKeyset makes the keyring use the MAC keys kept in Redis. The first
// start keeps the MAC keys it derived (from the previous secret, if one is
// set: the data predates the new one), so that pseudonyms, receipt lookups
// and the blind index survive a change of secret. SET NX makes concurrent
// first starts agree on one keyset. The keyset it keeps is marked new:
// on a Redis that lost its data while other replicas ran, a running
// replica's keys, which name what was there before, replace it
// (CheckKeyset).
func (s *Store) loadKeyset(ctx context.Context) error {
	raw, err := s.readKeyset(ctx)
	if errors.Is(err, redis.Nil) {
		m := s.kr.initial
		m.Born = s.now().UnixMilli()
		if err := s.keepKeyset(ctx, storedKeyset{macKeys: m, New: true}); err != nil {
			return err
		}
		raw, err = s.rdb.Get(ctx, s.k.keyset()).Bytes()
	}
	if errors.Is(err, ErrForeignKeys) {
		return err
	}
	if err != nil {
		return fmt.Errorf("read keyset: %w", err)
	}
	m, err := s.openKeyset(raw)
	if err != nil {
		return err
	}
	s.kr.use(m.macKeys, m.Prior)
	return nil
}

// storedKeyset is the keyset as kept in Redis: the MAC keys, and whether
// a starting bot kept them, from its own secret, finding none.
type storedKeyset struct {
	macKeys
	// New: kept by a bot's start on a Redis that held no keyset. Where
	// that Redis had lost its data while other replicas ran, their keys
	// (which name what was there before, and what they wrote since the
	// loss) are the deployment's, and replace these (CheckKeyset).
	New bool `json:"n,omitempty"`
	// Prior are the MAC keys these replaced where replicas came to agree
	// on them (CheckKeyset), the latest last: what a replica named with
	// them before is looked for under them too (Keyring.priors).
	Prior []macKeys `json:"w,omitempty"`
}

// openKeyset opens a sealed keyset: ErrWrongSecret if it opens under
// neither secret.
func (s *Store) openKeyset(raw []byte) (storedKeyset, error) {
	plain, err := s.kr.open(raw, keysetContext)
	if err != nil {
		return storedKeyset{}, ErrWrongSecret
	}
	var m storedKeyset
	if err := json.Unmarshal(plain, &m); err != nil || len(m.Pseudonym) != 32 || len(m.Receipt) != 32 || len(m.Index) != 32 {
		return storedKeyset{}, fmt.Errorf("keyset is malformed")
	}
	return m, nil
}

// HasKeyset reports whether Redis holds a keyset under the store's prefix,
// which the bot keeps at its first start (Init): none means a Redis, a
// database or a prefix the bot has never run on.
// Another program's keys under the prefix are ErrForeignKeys.
func (s *Store) HasKeyset(ctx context.Context) (bool, error) {
	_, err := s.readKeyset(ctx)
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, refusedSettings(err)
}

// readKeyset reads the sealed keyset (redis.Nil: none), and, in the same
// round trip, the kinds of the two keys Init finds or makes: the keyset
// (a string) and the triage stream. Either of another kind is another
// program's key (ErrForeignKeys), found before Init writes anything:
// Init kept a keyset in that program's Redis before the triage stream's
// WRONGTYPE stopped it, and rotate-key said "no keyset" (naming
// VIGIA_REDIS_URL) where only the triage stream's name was taken.
func (s *Store) readKeyset(ctx context.Context) ([]byte, error) {
	var kinds [2]*redis.StatusCmd
	var get *redis.StringCmd
	// Exec's error is each command's, read below (redis.Nil: none), or the
	// connection's, set on none of them (its settings refused: AUTH).
	_, perr := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		kinds[0] = p.Type(ctx, s.k.keyset())
		kinds[1] = p.Type(ctx, s.k.triage())
		get = p.Get(ctx, s.k.keyset())
		return nil
	})
	for i, want := range [2]string{"string", "stream"} {
		kind, err := kinds[i].Result()
		if err != nil {
			return nil, err
		}
		if kind == "" && perr != nil {
			return nil, unknownPrimary(perr) // (TYPE answers "none" for no key)
		}
		if kind != "none" && kind != want {
			return nil, fmt.Errorf("%w (%s holds a %s)", ErrForeignKeys, kinds[i].Args()[1], kind)
		}
	}
	return get.Bytes()
}

// ErrUnknownPrimary is, in sentinel mode, the sentinels answering that
// they monitor no primary of the name asked (master_name): a name that
// does not match theirs, a configuration mistake (VIGIA_REDIS_URL).
var ErrUnknownPrimary = errors.New("the sentinels monitor no primary of the name asked (master_name)")

// unknownPrimary turns a sentinel's nil reply to the primary's name into
// ErrUnknownPrimary. go-redis returns it wrapped ("all sentinels specified
// in configuration are unreachable: redis: nil"), where the data node's
// reply for a missing key is redis.Nil itself: read as the keyset's
// absence, Init tried to keep one ("keep keyset: ...: redis: nil") and
// HasKeyset reported "no keyset". (Not wrapping redis.Nil, so that
// errors.Is(err, redis.Nil) no longer holds.)
func unknownPrimary(err error) error {
	if err != nil && err != redis.Nil && errors.Is(err, redis.Nil) {
		return fmt.Errorf("%w (%v)", ErrUnknownPrimary, err)
	}
	return err
}

// KeysetCheck is what CheckKeyset found and did.
type KeysetCheck int

const (
	// KeysetSame: the keyset kept in Redis holds the MAC keys in use.
	KeysetSame KeysetCheck = iota
	// KeysetKeptAgain: Redis had lost the keyset (flushed, restarted
	// without its data); the MAC keys in use were kept again.
	KeysetKeptAgain
	// KeysetReplaced: Redis held a keyset a replica started since Redis
	// lost its data kept from its own secret (after a rotation, not the
	// keys in use); the MAC keys in use replaced it.
	KeysetReplaced
	// KeysetAdopted: Redis held other MAC keys than those in use, kept by
	// a replica that ran before the loss: this process now uses them.
	KeysetAdopted
)

// CheckKeyset compares the keyset kept in Redis with the MAC keys in use,
// so that replicas that run on one Redis name records (pseudonyms,
// receipts, the blind index) with the same keys. The sweeper runs it;
// park and the indexer run it where they find a triage group gone.
//
// Where Redis lost its data while the bot ran, a replica (re)started
// before the others noticed found no keyset and kept the MAC keys of its
// own secret, marked new; after a rotation these are not the keys in use
// (those of the secret the data was first written with), and it made the
// triage groups again, so that the others never noticed the loss: each
// went on with its keys, a receipt given by one found nothing on
// another, and a restart of all kept the newcomer's. A running replica
// that finds a new keyset other than its keys replaces it (compare and
// set on the value read) with its own, which name what Redis held before
// and what the others wrote since; one that finds a keyset not new other
// than its keys adopts it (it is the one that lost such a replacement,
// or the newcomer), as it does a new keyset kept before its keys were
// (Born: Redis's data put back from a backup). Nothing is sealed differently: the MAC keys only name
// records. A keyset that opens under neither secret is never replaced
// (ErrWrongSecret): its writer could not open one sealed under ours.
//
// One check at a time per Store (the sweeper's, park's, the indexer's):
// each reads the keys replaced, then keeps them with what it learnt, and
// one that read them before another kept its own kept a stale copy.
func (s *Store) CheckKeyset(ctx context.Context) (KeysetCheck, error) {
	select {
	case s.keysetTurn <- struct{}{}:
		defer func() { <-s.keysetTurn }()
	case <-ctx.Done():
		return KeysetSame, ctx.Err()
	}
	for range 3 {
		raw, err := s.rdb.Get(ctx, s.k.keyset()).Bytes()
		if errors.Is(err, redis.Nil) {
			kept, err := s.setKeyset(ctx, storedKeyset{macKeys: *s.kr.keys(), Prior: s.kr.priorKeys()}, nil)
			if err != nil || kept {
				return KeysetKeptAgain, err
			}
			continue // kept meanwhile by another replica: compared next
		}
		if err != nil {
			return KeysetSame, fmt.Errorf("read keyset: %w", err)
		}
		stored, err := s.openKeyset(raw)
		if err != nil {
			return KeysetSame, err
		}
		mine := *s.kr.keys()
		if mine.equal(stored.macKeys) {
			// The keys another replica replaced since (a newcomer's, or
			// this replica's lost in a race), learnt here.
			s.kr.usePriors(s.kr.priorKeys(), stored.Prior)
			return KeysetSame, nil
		}
		// A new keyset kept before the keys in use were is not a
		// newcomer's: Redis's data was put back (a backup restored after
		// a replica kept its keys on the emptied Redis), and what it holds
		// is named with that keyset's keys, which the newcomer must take
		// rather than replace for good.
		if !stored.New || stored.Born < mine.Born {
			// What this replica named with its keys until now is looked
			// for under them too, here and (kept with the keyset, once)
			// on the other replicas, which never held them.
			// Taken with the keys, at once: a reader that took the new
			// keys without this replica's among those replaced missed a
			// marker it named with them (an update stored twice).
			was := s.kr.priorKeys()
			if keysetStep != nil {
				keysetStep("adopting")
			}
			prior := s.kr.use(stored.macKeys, stored.Prior, was, []macKeys{mine})
			if keysetStep != nil {
				keysetStep("adopted")
			}
			// Not where the keyset opened under the previous secret only:
			// sealed again under this one, replicas still on the previous
			// secret alone could no longer open it.
			if _, current, _ := s.kr.openWhich(raw, keysetContext); current && !slices.ContainsFunc(stored.Prior, mine.equal) {
				stored.Prior = prior
				if _, err := s.setKeyset(ctx, stored, raw); err != nil {
					return KeysetAdopted, err
				}
			}
			return KeysetAdopted, nil
		}
		// The newcomer's keys kept as replaced: what it named with them
		// before taking these is looked for under them too.
		prior := s.kr.usePriors(stored.Prior, s.kr.priorKeys(), []macKeys{stored.macKeys})
		replaced, err := s.setKeyset(ctx, storedKeyset{macKeys: mine, Prior: prior}, raw)
		if err != nil || replaced {
			return KeysetReplaced, err
		}
		// Replaced meanwhile by another replica: compared next.
	}
	return KeysetSame, errors.New("keyset kept by other replicas at every look")
}

// keysetStep, if set (by tests), runs in CheckKeyset's adoption of a
// keyset at step "adopting" (the keys replaced read, the keys not yet
// switched) and "adopted" (switched).
var keysetStep func(step string)

// keepKeysetAgain writes the MAC keys in use, sealed, where Redis lost
// the keyset while the bot runs (flushed, restarted without its data), or
// makes them agree with the keyset found (CheckKeyset): it runs where the
// bot notices such a loss, a triage group gone. Without it, rotate-key
// found "no Vigía data" until the bot restarted, and a restart kept the
// keyring's initial keys, which are not those in use after a rotation:
// the receipts, pseudonyms and index of every tip sent since the loss no
// longer matched.
func (s *Store) keepKeysetAgain(ctx context.Context) error {
	_, err := s.CheckKeyset(ctx)
	return err
}

// keepKeyset writes keyset m, sealed, unless a keyset is there already.
func (s *Store) keepKeyset(ctx context.Context, m storedKeyset) error {
	_, err := s.setKeyset(ctx, m, nil)
	return err
}

// replaceKeyset sets KEYS[1] to ARGV[2] if it holds ARGV[1].
var replaceKeyset = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`)

// setKeyset writes keyset m, sealed, where Redis holds none (was nil) or
// holds was, and reports whether it did.
func (s *Store) setKeyset(ctx context.Context, m storedKeyset, was []byte) (bool, error) {
	plain, err := json.Marshal(m)
	if err != nil {
		return false, err
	}
	sealed, err := s.kr.seal(plain, keysetContext)
	if err != nil {
		return false, err
	}
	var set bool
	if was == nil {
		set, err = s.rdb.SetNX(ctx, s.k.keyset(), sealed, 0).Result()
	} else {
		var n int64
		n, err = replaceKeyset.Run(ctx, s.rdb, []string{s.k.keyset()}, was, sealed).Int64()
		set = n == 1
	}
	if err != nil {
		return false, fmt.Errorf("keep keyset: %w", err)
	}
	return set, nil
}
