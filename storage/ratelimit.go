package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// allow counts one event in a fixed window, as field ARGV[3] (the kind's
// tag and the window's number) of the subject's state hash, and says
// whether it is within the limit ARGV[1]. The hash lives at least until
// the window ends (ARGV[2] ms); a new window drops the kind's old count.
var allow = redis.NewScript(`
local n = redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
if n == 1 then
  local tag = ARGV[4]
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if f ~= ARGV[3] and string.sub(f, 1, #tag) == tag then redis.call('HDEL', KEYS[1], f) end
  end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
end
local limit = tonumber(ARGV[1])
if n <= limit then return 1 end
if n == limit + 1 then return 0 end
return -1`)

// Allow counts one event of kind for subject (a pseudonym, never a
// platform id) and reports whether it stays within limit per window, and
// whether this is the first event over it (so the user is told once, and a
// flood gets no answers to flood with). The kind is stored only as a MAC.
func (s *Store) Allow(ctx context.Context, subject, kind string, limit int, window time.Duration) (ok, firstOver bool, err error) {
	keys, args := s.allowArgs(&Limit{Subject: subject, Kind: kind, Max: limit, Window: window})
	n, err := allow.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return false, false, fmt.Errorf("rate limit: %w", err)
	}
	return n == 1, n == 0, nil
}

// allowArgs are the allow script's keys and arguments for l, in the
// current window.
func (s *Store) allowArgs(l *Limit) ([]string, []any) {
	now := s.now()
	w := now.UnixMilli() / l.Window.Milliseconds()
	left := (w+1)*l.Window.Milliseconds() - now.UnixMilli()
	tag := s.kr.mac(s.kr.keys().Pseudonym, "rl\x00"+l.Kind)[:6] + ":"
	return []string{s.k.state(l.Subject)}, []any{l.Max, left, tag + strconv.FormatInt(w, 36), tag}
}
