package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// allow counts one event in a fixed window and says whether it is within
// the limit.
var allow = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local limit = tonumber(ARGV[1])
if n <= limit then return 1 end
if n == limit + 1 then return 0 end
return -1`)

// Allow counts one event for bucket (a kind of action and a pseudonym;
// never a platform id) and reports whether it stays within limit per
// window, and whether this is the first event over it (so the user is told
// once, and a flood gets no answers to flood with). The bucket name is
// stored only as a MAC.
func (s *Store) Allow(ctx context.Context, bucket string, limit int, window time.Duration) (ok, firstOver bool, err error) {
	n, err := allow.Run(ctx, s.rdb, []string{s.k.rateLimit(s.kr.mac(s.kr.keys().Pseudonym, "rl\x00"+bucket))}, limit, window.Milliseconds()).Int()
	if err != nil {
		return false, false, fmt.Errorf("rate limit: %w", err)
	}
	return n == 1, n == 0, nil
}
