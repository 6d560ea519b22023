package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The inbox: platform updates received by the webhook are written here,
// sealed, before the platform is told "200 OK"; workers on any replica
// consume them with a consumer group and delete them once handled.

const inboxGroup = "workers"

// inboxClaimScans bounds the XAUTOCLAIM calls of one read (each scans at
// most ten times the count asked for).
const inboxClaimScans = 64

// InboxEntry is one received update.
type InboxEntry struct {
	ID  string
	Raw []byte
}

// InitInbox creates the inbox stream and its consumer group if needed.
func (s *Store) InitInbox(ctx context.Context, platform string) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.inbox(platform), inboxGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create inbox group: %w", err)
	}
	return nil
}

// InboxAdd stores received updates, sealed, all or none (one round
// trip). It returns once Redis has them. Updates stored this way are never
// recognised as redelivered (InboxAddOnce).
func (s *Store) InboxAdd(ctx context.Context, platform string, raws ...[]byte) error {
	updates := make([]InboxUpdate, len(raws))
	for n, raw := range raws {
		updates[n] = InboxUpdate{Raw: raw}
	}
	return s.InboxAddOnce(ctx, platform, updates...)
}

// InboxUpdate is a received update to store: Raw as received, and Key the
// platform's own id for it (Telegram's bot and update_id), the same each
// time the platform delivers it again; empty if it has none.
type InboxUpdate struct {
	Key string
	Raw []byte
}

// inboxSeenFor is how long a stored update's Key is remembered: Telegram
// keeps an update it could not deliver, or that was not confirmed, for 24
// hours, and may deliver it again until then.
const inboxSeenFor = 24 * time.Hour

// inboxAdd adds to stream KEYS[1] the sealed updates of ARGV[2...]
// (triples: the index in KEYS of the update's marker, 0 if it has none;
// how many of its markers under MAC keys the keys in use replaced follow
// it in KEYS; the sealed update), each only if none of its markers is
// there yet, then setting its marker for ARGV[1] seconds: one script, so
// an update is stored if and only if its marker is. It returns how many
// it added.
var inboxAdd = redis.NewScript(`
local n = 0
for i = 2, #ARGV, 3 do
  local m = tonumber(ARGV[i])
  local seen = false
  for j = 1, tonumber(ARGV[i+1]) do
    if redis.call('EXISTS', KEYS[m+j]) == 1 then seen = true end
  end
  if m == 0 or (not seen and redis.call('SET', KEYS[m], '1', 'NX', 'EX', ARGV[1])) then
    redis.call('XADD', KEYS[1], '*', 'u', ARGV[i+2])
    n = n + 1
  end
end
return n`)

// InboxAddOnce stores received updates, sealed, all or none (one round
// trip), but not those whose Key was stored in the last 24 hours: an
// update the platform delivers again because its first delivery was not
// confirmed (a webhook call answered 503 on a timeout although the update
// had landed, a crash before polling confirmed it) is handled once. Keys
// are remembered under a MAC, not in clear, and looked for under the MAC
// keys the keys in use replaced too (Keyring.priors): an update a newcomer
// stored before the replicas agreed on the keyset, delivered again after,
// is not stored twice. It returns once Redis has the updates.
func (s *Store) InboxAddOnce(ctx context.Context, platform string, updates ...InboxUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	keys := []string{s.k.inbox(platform)}
	args := make([]any, 0, 1+3*len(updates))
	args = append(args, int64(inboxSeenFor/time.Second))
	// The keys in use and those they replaced, read at once: new keys
	// with priors read before a switch missed a marker named with the
	// keys switched from (CheckKeyset).
	mine, priors := s.kr.keysAndPriors()
	if inboxKeysRead != nil {
		inboxKeysRead()
	}
	for _, u := range updates {
		sealed, err := s.kr.seal(u.Raw, "inbox:"+platform)
		if err != nil {
			return err
		}
		marker, before := 0, 0
		if u.Key != "" {
			what := "update\x00" + platform + "\x00" + u.Key
			keys = append(keys, s.k.inboxSeen(platform, s.kr.mac(mine.Receipt, what)))
			marker = len(keys)
			for _, p := range priors {
				keys = append(keys, s.k.inboxSeen(platform, s.kr.mac(p.Receipt, what)))
			}
			before = len(priors)
		}
		args = append(args, marker, before, sealed)
	}
	if err := inboxAdd.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}

// inboxKeysRead, if set (by tests), runs in InboxAddOnce once it read
// the MAC keys it names markers with.
var inboxKeysRead func()

// InboxPending returns up to count of consumer's own unacknowledged
// updates with ids after after ("0" for the first): those a process that
// ran under the same name left when it died. It is for a start only: a
// running consumer's own pending updates are the ones it is handling.
func (s *Store) InboxPending(ctx context.Context, platform, consumer, after string, count int) ([]InboxEntry, error) {
	return s.inboxRegrouped(ctx, platform, func() ([]InboxEntry, error) { return s.inboxPending(ctx, platform, consumer, after, count) })
}

func (s *Store) inboxPending(ctx context.Context, platform, consumer, after string, count int) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: inboxGroup, Consumer: consumer, Streams: []string{stream, after}, Count: int64(count), Block: -1}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("inbox pending: %w", err)
	}
	if len(res) == 0 {
		return nil, nil
	}
	msgs := res[0].Messages
	if count > 0 && len(msgs) > count {
		// Redis honours COUNT for a consumer's own pending entries; the
		// embedded miniredis the tests fall back to does not.
		msgs = msgs[:count]
	}
	return s.openInbox(ctx, platform, msgs)
}

// InboxRead returns up to count updates for consumer: first those another
// consumer left idle for staleAfter (a replica that died; a live one keeps
// what it holds with InboxKeep), then new ones, waiting at most block for
// them. Not consumer's own pending ones (InboxPending), but XAUTOCLAIM may
// hand back one of its own left idle: the caller skips those it holds.
func (s *Store) InboxRead(ctx context.Context, platform, consumer string, count int, block, staleAfter time.Duration) ([]InboxEntry, error) {
	return s.inboxRegrouped(ctx, platform, func() ([]InboxEntry, error) { return s.inboxRead(ctx, platform, consumer, count, block, staleAfter) })
}

// inboxRegrouped runs read once more after creating the inbox's consumer
// group again if Redis lost it (restarted without its data, flushed):
// InboxAdd recreates the stream but not the group, and every read would
// fail with NOGROUP until a restart while the polling loop confirms to
// Telegram what it stores.
func (s *Store) inboxRegrouped(ctx context.Context, platform string, read func() ([]InboxEntry, error)) ([]InboxEntry, error) {
	out, err := read()
	var rerr redis.Error
	if err == nil || !errors.As(err, &rerr) || !strings.HasPrefix(rerr.Error(), "NOGROUP") {
		return out, err
	}
	if err := s.InitInbox(ctx, platform); err != nil {
		return nil, err
	}
	return read()
}

func (s *Store) inboxRead(ctx context.Context, platform, consumer string, count int, block, staleAfter time.Duration) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	// XAUTOCLAIM scans at most 10*count pending entries per call: past
	// those (updates live replicas hold and keep) it goes on from where
	// the last call stopped, to the end of the list ("0-0"), or a bound.
	var msgs []redis.XMessage
	for start, n := "0-0", 0; n < inboxClaimScans; n++ {
		var err error
		msgs, start, err = s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: inboxGroup, Consumer: consumer, MinIdle: staleAfter, Start: start, Count: int64(count)}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("inbox claim: %w", err)
		}
		if len(msgs) > 0 || start == "0-0" || start == "" {
			break
		}
	}
	if len(msgs) == 0 {
		// Block > 0 always: go-redis treats 0 as "wait forever".
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: inboxGroup, Consumer: consumer, Streams: []string{stream, ">"}, Count: int64(count), Block: max(block, time.Millisecond)}).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("inbox read: %w", err)
		}
		if len(res) > 0 {
			msgs = res[0].Messages
		}
	}
	return s.openInbox(ctx, platform, msgs)
}

// claimOwn claims for consumer ARGV[2] (group ARGV[1]) those of ids
// ARGV[4...] in stream KEYS[1] still pending for it, idle time reset, and
// no others: an update another consumer took over (this one was presumed
// dead: cut off from Redis, frozen, for longer than the stale time) stays
// that consumer's, handled once. One script, so that no takeover comes
// between the check and the claim. ARGV[3] "1" claims with JUSTID (the
// delivery count unchanged). It answers {lost ids, XCLAIM's answer}: lost
// are those no longer this consumer's (another's, or no longer pending:
// handled).
var claimOwn = redis.NewScript(`
local own, lost = {}, {}
for i = 4, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    own[#own + 1] = ARGV[i]
  else
    lost[#lost + 1] = ARGV[i]
  end
end
local claimed = {}
for i = 1, #own, 1000 do
  local args = {'XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0}
  for j = i, math.min(i + 999, #own) do args[#args + 1] = own[j] end
  if ARGV[3] == '1' then args[#args + 1] = 'JUSTID' end
  for _, m in ipairs(redis.call(unpack(args))) do claimed[#claimed + 1] = m end
end
return {lost, claimed}`)

// inboxClaimOwn runs claimOwn; it returns the ids lost and XCLAIM's
// answer.
func (s *Store) inboxClaimOwn(ctx context.Context, platform, consumer string, ids []string, justID bool) (lost []string, claimed []any, err error) {
	just := "0"
	if justID {
		just = "1"
	}
	args := make([]any, 0, 3+len(ids))
	args = append(args, inboxGroup, consumer, just)
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := claimOwn.Run(ctx, s.rdb, []string{s.k.inbox(platform)}, args...).Slice()
	if err != nil {
		return nil, nil, err
	}
	if len(res) != 2 {
		return nil, nil, fmt.Errorf("unexpected answer %v", res)
	}
	l, _ := res[0].([]any)
	for _, id := range l {
		if id, ok := id.(string); ok {
			lost = append(lost, id)
		}
	}
	claimed, _ = res[1].([]any)
	return lost, claimed, nil
}

// InboxKeep resets the idle time of updates consumer holds (queued or
// being handled), so that no other replica takes them over as stale. It
// claims only those still pending for consumer and returns the others,
// lost: taken over by another replica (this one was cut off from Redis,
// or frozen, for longer than the stale time) or no longer pending. The
// caller must not start handling a lost one: another replica is handling
// it, or has.
func (s *Store) InboxKeep(ctx context.Context, platform, consumer string, ids []string) (lost []string, err error) {
	if len(ids) == 0 {
		return nil, nil
	}
	lost, _, err = s.inboxClaimOwn(ctx, platform, consumer, ids, true)
	if err != nil {
		return nil, fmt.Errorf("inbox keep: %w", err)
	}
	return lost, nil
}

// InboxFetch returns, in the order of ids, those of these updates still
// pending (read, not yet removed) for consumer, with their idle time
// reset: a backlog consumer read but left in the inbox for now. Like
// InboxKeep, it does not claim back one another consumer took over.
func (s *Store) InboxFetch(ctx context.Context, platform, consumer string, ids []string) ([]InboxEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	_, claimed, err := s.inboxClaimOwn(ctx, platform, consumer, ids, false)
	if err != nil {
		return nil, fmt.Errorf("inbox fetch: %w", err)
	}
	var msgs []redis.XMessage
	for _, c := range claimed {
		// [id, [field, value, ...]]; the fields nil for an entry deleted
		// from the stream but still pending (before Redis 7).
		m, _ := c.([]any)
		if len(m) != 2 {
			continue
		}
		id, _ := m[0].(string)
		fields, _ := m[1].([]any)
		if id == "" || fields == nil {
			continue
		}
		values := map[string]any{}
		for n := 0; n+1 < len(fields); n += 2 {
			if f, ok := fields[n].(string); ok {
				values[f] = fields[n+1]
			}
		}
		msgs = append(msgs, redis.XMessage{ID: id, Values: values})
	}
	return s.openInbox(ctx, platform, msgs)
}

// openInbox opens read inbox messages.
func (s *Store) openInbox(ctx context.Context, platform string, msgs []redis.XMessage) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	var out []InboxEntry
	for _, m := range msgs {
		sealed, _ := m.Values["u"].(string)
		raw, err := s.kr.open([]byte(sealed), "inbox:"+platform)
		if err != nil {
			// Sealed under another secret (a misconfigured replica?): kept,
			// sealed, in a dead-letter stream rather than handled or lost.
			pipe := s.rdb.TxPipeline()
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.k.inboxDead(platform), Values: map[string]any{"u": sealed}})
			pipe.XAck(ctx, stream, inboxGroup, m.ID)
			pipe.XDel(ctx, stream, m.ID)
			pipe.XDel(ctx, s.k.rebuildCopy(stream), m.ID) // see InboxDone
			if _, err := pipe.Exec(ctx); err != nil {
				return out, fmt.Errorf("inbox dead letter: %w", err)
			}
			continue
		}
		out = append(out, InboxEntry{ID: m.ID, Raw: raw})
	}
	return out, nil
}

// InboxLen is how many updates wait in the inbox: stored, not yet handled
// (a handled one is deleted).
func (s *Store) InboxLen(ctx context.Context, platform string) (int64, error) {
	return s.rdb.XLen(ctx, s.k.inbox(platform)).Result()
}

// InboxDone acknowledges and deletes a handled update. It deletes it from
// the copy rotate-key may be building of the inbox too (nothing if there
// is none): a long backlog handled while it is re-sealed is then not
// compared with its copy again, and again, as workers keep deleting
// from it (rebuildStream).
func (s *Store) InboxDone(ctx context.Context, platform, id string) error {
	stream := s.k.inbox(platform)
	pipe := s.rdb.TxPipeline()
	pipe.XAck(ctx, stream, inboxGroup, id)
	pipe.XDel(ctx, stream, id)
	pipe.XDel(ctx, s.k.rebuildCopy(stream), id)
	_, err := pipe.Exec(ctx)
	return err
}
