package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
// first starts agree on one keyset.
func (s *Store) loadKeyset(ctx context.Context) error {
	raw, err := s.readKeyset(ctx)
	if errors.Is(err, redis.Nil) {
		if err := s.keepKeyset(ctx, s.kr.initial); err != nil {
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
	plain, err := s.kr.open(raw, keysetContext)
	if err != nil {
		return ErrWrongSecret
	}
	var m macKeys
	if err := json.Unmarshal(plain, &m); err != nil || len(m.Pseudonym) != 32 || len(m.Receipt) != 32 || len(m.Index) != 32 {
		return fmt.Errorf("keyset is malformed")
	}
	s.kr.useKeys(m)
	return nil
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
			return nil, perr // (TYPE answers "none" for no key)
		}
		if kind != "none" && kind != want {
			return nil, fmt.Errorf("%w (%s holds a %s)", ErrForeignKeys, kinds[i].Args()[1], kind)
		}
	}
	return get.Bytes()
}

// keepKeysetAgain writes the MAC keys in use, sealed, where Redis lost
// the keyset while the bot runs (flushed, restarted without its data): it
// runs where the bot notices such a loss, a triage group gone. Without
// it, rotate-key found "no Vigía data" until the bot restarted, and a
// restart kept the keyring's initial keys, which are not those in use
// after a rotation: the receipts, pseudonyms and index of every tip sent
// since the loss no longer matched.
func (s *Store) keepKeysetAgain(ctx context.Context) error {
	return s.keepKeyset(ctx, *s.kr.keys())
}

// keepKeyset writes MAC keys m, sealed, unless a keyset is there already.
func (s *Store) keepKeyset(ctx context.Context, m macKeys) error {
	plain, err := json.Marshal(m)
	if err != nil {
		return err
	}
	sealed, err := s.kr.seal(plain, keysetContext)
	if err != nil {
		return err
	}
	if err := s.rdb.SetNX(ctx, s.k.keyset(), sealed, 0).Err(); err != nil {
		return fmt.Errorf("keep keyset: %w", err)
	}
	return nil
}
