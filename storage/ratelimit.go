package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// countEvent defines count(key, limit, left, field, tag): it counts one
// event in a fixed window, as field (the kind's tag and the window's
// number) of the subject's state hash key, and returns 1 within the limit,
// 0 for the first event over it, -1 past that. The hash lives at least
// until the window ends (left ms); a new window drops the kind's old count.
// A hash whose only field is the count just begun was made by its
// HINCRBY, so has no expiry: it is given one without a PTTL to ask (a
// reporter's or a chat's first count in a state's life).
// Scripts that write to the same subject count their limit with it. The
// fields that HKEYS read are left in counted (nil when the count read
// none), so that a script can tell which fields the hash has without
// reading them again.
const countEvent = `
local counted
local function count(key, limit, left, field, tag)
  counted = nil
  local n = redis.call('HINCRBY', key, field, 1)
  if n == 1 then
    local fields = redis.call('HKEYS', key)
    counted = fields
    for _, f in ipairs(fields) do
      if f ~= field and string.sub(f, 1, #tag) == tag then redis.call('HDEL', key, f) end
    end
    if #fields == 1 or redis.call('PTTL', key) < tonumber(left) then redis.call('PEXPIRE', key, left) end
  end
  limit = tonumber(limit)
  if n <= limit then return 1 end
  if n == limit + 1 then return 0 end
  return -1
end
`

// allow counts one event (ARGV: limit, ms left in the window, field, tag)
// of KEYS[1]'s subject.
var allow = redis.NewScript(countEvent + `return count(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])`)

// LimitError refuses a write whose rate limit, counted with it, is spent.
// FirstOver is set for the first refusal in the window, so the user is
// told once and a flood gets no answers to flood with.
type LimitError struct{ FirstOver bool }

func (e *LimitError) Error() string { return "rate limit reached" }

// limitArgs are l's four arguments for count in a script that writes to
// the subject's own keys (the script names the subject's state hash, so
// l.Subject is not used), or four empty strings (no limit) for nil.
func (s *Store) limitArgs(l *Limit) []any {
	if l == nil {
		return []any{"", "", "", ""}
	}
	return s.countArgs(l)
}

// limitResult turns count's result in a script reply (-4 first over, -5
// over) into a LimitError.
func limitResult(v int64) error {
	switch v {
	case -4:
		return &LimitError{FirstOver: true}
	case -5:
		return &LimitError{}
	}
	return nil
}

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

// forgive takes back one event counted in field ARGV[1] of KEYS[1].
var forgive = redis.NewScript(`
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
return 0`)

// Forgive takes back one event Allow counted for subject in the current
// window: one that turned out not to be what the limit is for (a right
// second-factor code, when only wrong ones should run it down).
func (s *Store) Forgive(ctx context.Context, subject, kind string, window time.Duration) error {
	keys, args := s.allowArgs(&Limit{Subject: subject, Kind: kind, Window: window})
	if err := forgive.Run(ctx, s.rdb, keys, args[2]).Err(); err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	return nil
}

// allowArgs are the allow script's keys and arguments for l, in the
// current window.
func (s *Store) allowArgs(l *Limit) ([]string, []any) {
	return []string{s.k.state(l.Subject)}, s.countArgs(l)
}

// countArgs are count's four arguments for l in the current window: its
// limit, the milliseconds left in the window, the window's field (the
// kind's tag and the window's number) and the kind's tag.
func (s *Store) countArgs(l *Limit) []any {
	now := s.now()
	w := now.UnixMilli() / l.Window.Milliseconds()
	left := (w+1)*l.Window.Milliseconds() - now.UnixMilli()
	tag := s.kr.limitTag(l.Kind)
	var field [32]byte
	return []any{l.Max, left, string(strconv.AppendInt(append(field[:0], tag.(string)...), w, 36)), tag}
}
