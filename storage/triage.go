package storage

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// queueConsumer owns triage entries that are in the queue, unclaimed. New
// entries are parked there so that /next can pick by category, not only
// strictly in stream order.
const queueConsumer = "~queue"

// ErrQueueEmpty is returned by Next when no tip is waiting.
var ErrQueueEmpty = errors.New("queue empty")

// Claimer identifies the investigator claiming a tip.
type Claimer struct {
	Key   string `json:"-"` // member pseudonym, the consumer name
	Name  string `json:"n"`
	Route string `json:"r"` // where to notify them: "platform:chat"
	// Language is the one they read, for what they are told outside a
	// request (a broadcast's reports); "" for the bot's default.
	Language string `json:"l,omitempty"`
	// Tag is the member's tag (MemberTag of Key), kept with the name
	// wherever the claimer is stored; "" in records made before tags.
	Tag string `json:"g,omitempty"`
}

// tag is the claimer's member tag: from its key when known, else as
// stored.
func (c Claimer) tag() string {
	if c.Key != "" {
		return MemberTag(c.Key)
	}
	return c.Tag
}

// nextTip looks at up to ARGV[10] pending entries of the triage stream,
// from ARGV[9] ("-", or the entry after the last one looked at before), and hands
// the oldest waiting tip among them (in category ARGV[4], if set) to
// consumer ARGV[2]: one parked in the queue, or one whose claim has been
// idle for ARGV[3] ms. A tip whose claims ran out more than ARGV[7] times
// goes to the dead-letter stream KEYS[2] instead. It returns {1, tip id},
// or {0, the last entry it looked at}, or {0, ""} when no entry is left.
var nextTip = redis.NewScript(`
local stream, dead, grp, me, timeout, cat = KEYS[1], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local prefix, now, maxClaims, claimer = ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8]
local start, count = ARGV[9], tonumber(ARGV[10])
local pend = redis.call('XPENDING', stream, grp, start, '+', count)
for _, p in ipairs(pend) do
  local id, owner, idle, n = p[1], p[2], tonumber(p[3]), tonumber(p[4])
  if owner == '~queue' or idle >= timeout then
    local e = redis.call('XRANGE', stream, id, id)
    local tip = e[1] and e[1][2][2]
    local key = tip and (prefix .. tip)
    local status = tip and redis.call('HGET', key, 's')
    if not status or status == 'verified' or status == 'dismissed' or status == 'escalated' or status == 'duplicate' then
      redis.call('XACK', stream, grp, id) -- expired, erased, or decided before anyone claimed it
    elseif owner ~= '~queue' and tonumber(redis.call('HGET', key, 'x') or '0') + 1 > maxClaims then
      -- Its claims keep running out without a decision: set it aside.
      redis.call('XADD', dead, '*', 'id', tip, 'expired_claims', redis.call('HGET', key, 'x') or '0')
      redis.call('XACK', stream, grp, id)
      redis.call('HDEL', key, 'cb', 'cw', 'ca')
    elseif cat == '' or redis.call('HGET', key, 'c') == cat then
      if owner ~= '~queue' then redis.call('HINCRBY', key, 'x', 1) end -- a claim ran out
      redis.call('XCLAIM', stream, grp, me, 0, id, 'JUSTID')
      redis.call('HSET', key, 's', 'claimed', 'cb', me, 'cw', claimer, 'ca', now)
      redis.call('HDEL', key, 'rm')
      return {1, tip}
    end
  end
end
if #pend < count then return {0, ''} end
return {0, pend[#pend][1]}`)

// nextPage is how many triage entries one call of nextTip looks at: the
// open set is read a page at a time, so that no call keeps Redis busy for
// long however many tips are open.
const nextPage = 100

// Next claims the oldest waiting tip for an investigator: new tips and
// tips whose claim went stale (idle longer than claimTimeout) are waiting.
// With a category, it is the oldest waiting tip of that category, wherever
// it is among the open ones.
func (s *Store) Next(ctx context.Context, c Claimer, category tips.Category, claimTimeout time.Duration, maxClaims int) (string, error) {
	sealedClaimer, err := s.sealClaimer(c)
	if err != nil {
		return "", err
	}
	if err := s.park(ctx); err != nil {
		return "", err
	}
	for start := "-"; ; {
		res, err := nextTip.Run(ctx, s.rdb, []string{s.k.triage(), s.k.dead()},
			TriageGroup, c.Key, claimTimeout.Milliseconds(), string(category), s.k.tip(""),
			s.now().UnixMilli(), maxClaims, sealedClaimer, start, nextPage).Slice()
		if err != nil {
			return "", fmt.Errorf("next tip: %w", err)
		}
		if len(res) != 2 {
			return "", fmt.Errorf("next tip: unexpected reply %v", res)
		}
		found, _ := res[0].(int64)
		id, _ := res[1].(string)
		if found == 1 {
			return id, s.appendLog(ctx, id, tips.Entry{Who: c.Name, Tag: c.tag(), Kind: tips.EntryClaim})
		}
		if id == "" {
			return "", ErrQueueEmpty
		}
		start = afterID(id)
	}
}

func (s *Store) sealClaimer(c Claimer) (string, error) {
	c.Tag = c.tag()
	b, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	sealed, err := s.kr.seal(b, "claimer")
	return string(sealed), err
}

func (s *Store) openClaimer(sealed string) (Claimer, bool) {
	plain, err := s.kr.open([]byte(sealed), "claimer")
	if err != nil {
		return Claimer{}, false
	}
	var c Claimer
	return c, json.Unmarshal(plain, &c) == nil
}

// decide applies a triage decision to tip KEYS[1] and its stream entry:
// closing statuses acknowledge the entry; "new" puts it back in the queue
// and "claimed" claims it for ARGV[5] (both with JUSTID, so moving a tip
// is not counted as a failed delivery). New entries are parked first (a
// triage group lost with the stream made again, as park does), before
// anything is written. A tip whose entry was already acknowledged
// (closed before, or a dead letter) gets a new entry. If
// ARGV[12] (ms) is above 0, a tip claimed by someone other than ARGV[5]
// whose claim has been idle for less than that is left alone: the script
// returns who claimed it and when. A decision recorded returns its number
// (the tip's decision counter "dn": the later recorded, the higher); 0,
// the tip is gone. KEYS[3] is the tip's history: the decision's entry
// (ARGV[15], sealed) goes in as it is recorded, living as the tip does
// (ARGV[16] ms if the tip has no lifetime). ARGV[17] is the decision's
// token: the one of its mark on the publication, for a dismissal or a
// duplicate mark (see vetoPublication), else one of its own: recorded with the decision
// (until its own Decide applied its after-step, see dropToken; if another
// settled its lapsed mark, longer: see settleVeto); a mark settled as
// lapsed (settleVeto) refuses the decision: -1. A
// decision whose token is recorded already (the script run again, as a
// client retries a command whose reply was lost) returns its number,
// changing nothing. A duplicate mark (onto ARGV[9]) is checked against
// the chain as it stands (see DuplicateChainError): ARGV[18] is
// MaxDuplicateHops, ARGV[19] how many marks deep the tips behind KEYS[1]
// go, as read at version ARGV[20] of them ("dv": every mark recorded
// onto a tip's chain counts one on each tip of it); {'moved'} if a mark
// onto KEYS[1]'s chain was recorded since, {'cycle', tip} if the chain
// leads back to KEYS[1] (tip: the one marked a duplicate of it), {'long',
// tip} or {'deep', tip, depth} if the mark would make a chain of more
// than ARGV[18] marks (read to tip; from the tips behind KEYS[1], depth
// marks deep). Nothing is written then.
var decide = redis.NewScript(tipEntryLua + `
local key, stream = KEYS[1], KEYS[2]
if redis.call('EXISTS', key) == 0 then return 0 end
local vt = ARGV[17] ~= '' and redis.call('HGET', key, 'vt:' .. ARGV[17])
if vt and string.sub(vt, 1, 1) == '0' then return -1 end -- its mark lapsed: see settleVeto ("0:<ms>", or "0" before)
if vt then return tonumber(vt) end -- recorded by this call already (run again: its reply was lost)
if ARGV[13] == '1' and (redis.call('HGET', key, 's') ~= 'claimed' or (ARGV[14] ~= '' and redis.call('HGET', key, 'ca') ~= ARGV[14])) then
  return {redis.call('HGET', key, 's') or ''} -- decided, or claimed anew, since: see Decision.WhileClaimed
end
local status, prio, grp, me, claimer, now, closed = ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
-- Park new entries (see park), so the tip's entry, if still open, is
-- pending: a closing status then acknowledges it, rather than the next
-- park putting it in the queue. A group lost with the stream (Redis
-- flushed, or restarted without its data; the stream made again by the
-- next tip) is made again from the stream's start, as park does: first,
-- as a script that fails is not rolled back.
for _ = 1, 100 do
  local r = redis.pcall('XREADGROUP', 'GROUP', grp, '~queue', 'COUNT', 1000, 'STREAMS', stream, '>')
  if type(r) == 'table' and r.err then
    if string.sub(r.err, 1, 7) ~= 'NOGROUP' then return redis.error_reply(r.err) end
    redis.call('XGROUP', 'CREATE', stream, grp, '0', 'MKSTREAM')
  elseif not r or #r[1][2] < 1000 then
    break
  end
end
local entry = tipEntry(key)
local timeout = tonumber(ARGV[12])
if timeout > 0 and entry and redis.call('HGET', key, 's') == 'claimed' then
  local holder = redis.call('HGET', key, 'cb')
  local p = holder and holder ~= me and redis.call('XPENDING', stream, grp, entry, entry, 1)[1]
  -- Claimed as the queue counts it: not parked, not idle for the timeout.
  if p and p[2] ~= '~queue' and tonumber(p[3]) < timeout then
    return {redis.call('HGET', key, 'cw') or '', redis.call('HGET', key, 'ca') or '0'}
  end
end
local chain = {}
if status == 'duplicate' and ARGV[9] ~= '' then
  -- The chain checked as the mark is written (see DuplicateChainError):
  -- two opposite marks at once, or a mark onto an original being marked
  -- itself, are refused here whatever the command read before.
  if (redis.call('HGET', key, 'dv') or '0') ~= ARGV[20] then return {'moved', '', ''} end
  local me, max, behind, cur, m = string.sub(key, #ARGV[10] + 1), tonumber(ARGV[18]), tonumber(ARGV[19]), ARGV[9], 0
  if cur == me then return {'cycle', me, ''} end
  while true do
    local f = redis.call('HMGET', ARGV[10] .. cur, 's', 'dup')
    if f[1] then chain[#chain + 1] = cur end
    if f[1] ~= 'duplicate' or not f[2] or f[2] == '' then break end
    if f[2] == me then return {'cycle', cur, ''} end
    if m + 2 > max then return {'long', cur, ''} end
    cur, m = f[2], m + 1
  end
  if behind + 1 + m > max then return {'deep', cur, tostring(behind)} end
end
for _, t in ipairs(chain) do redis.call('HINCRBY', ARGV[10] .. t, 'dv', 1) end -- their chains behind changed
redis.call('HSET', key, 's', status)
local n = redis.call('HINCRBY', key, 'dn', 1) -- this decision's number: the later recorded, the higher
if KEYS[3] then -- its history entry (ARGV[15]), in the order decisions are recorded
  redis.call('RPUSH', KEYS[3], ARGV[15])
  local ttl = redis.call('PTTL', key)
  redis.call('PEXPIRE', KEYS[3], ttl > 0 and ttl or ARGV[16])
end
if ARGV[17] ~= '' then redis.call('HSET', key, 'vt:' .. ARGV[17], n) end
redis.call('HDEL', key, 'x') -- a decision: the claims that ran out before count no more
if prio ~= '' then redis.call('HSET', key, 'p', prio) end
if ARGV[4] ~= '' then redis.call('HSET', key, 'l', ARGV[4]) end
if ARGV[9] ~= '' then
  redis.call('HSET', key, 'dup', ARGV[9])
elseif status ~= 'duplicate' then
  redis.call('HDEL', key, 'dup') -- no longer a duplicate of anything
end
if ARGV[11] ~= '' then
  local was = redis.call('HGET', key, 'c')
  if was and was ~= ARGV[11] and redis.call('HEXISTS', key, 'sg') == 0 then
    redis.call('HSET', key, 'sg', was) -- left out while equal to "c" (tipFields): the suggestion stays
  end
  redis.call('HSET', key, 'c', ARGV[11])
end
if closed == '1' then
  if entry then redis.call('XACK', stream, grp, entry) end
  redis.call('HDEL', key, 'rm', 'cb', 'cw', 'ca')
  return n
end
if status ~= 'new' and status ~= 'claimed' then return n end
local owner = status == 'new' and '~queue' or me
local moved = entry and redis.call('XCLAIM', stream, grp, owner, 0, entry, 'JUSTID') or {}
if #moved == 0 then
  -- Acknowledged before: reopen it with a fresh entry.
  local tip = string.sub(key, #ARGV[10] + 1)
  entry = redis.call('XADD', stream, '*', 'id', tip, 'r', '1') -- 'r': not a new tip (/recent skips it)
  redis.call('HSET', key, 'e', entry)
  redis.call('XREADGROUP', 'GROUP', grp, '~queue', 'COUNT', 1000, 'STREAMS', stream, '>')
  if owner ~= '~queue' then redis.call('XCLAIM', stream, grp, owner, 0, entry, 'JUSTID') end
end
if status == 'new' then
  redis.call('HDEL', key, 'cb', 'cw', 'ca', 'rm')
else
  redis.call('HSET', key, 'cb', me, 'cw', claimer, 'ca', now)
  redis.call('HDEL', key, 'rm') -- a claim taken anew is reminded anew, as /next's
end
return n`)

// beforeDecide, if set (by tests), runs between Decide's veto of a
// dismissed warning and its script: where another decision races.
var beforeDecide func()

// afterDecide, if set (by tests), runs between Decide's script and its
// after-step on the publication: where another decision overtakes it.
var afterDecide func()

// ErrDecisionLapsed is Decide's refusal of a dismissal (or duplicate
// mark) of a warning that took longer than vetoLease to record: approvals
// were let through meanwhile (see settleLapsedVetoes), so it was not
// recorded; its author checks the warning and decides again.
var ErrDecisionLapsed = errors.New("decision took too long: not recorded, try again")

// Decision is a triage decision on a tip.
type Decision struct {
	Status      tips.Status
	Priority    tips.Priority // "" keeps the current one
	Labels      []string      // nil keeps the current ones
	DuplicateOf string
	Category    tips.Category // "" keeps the current one (investigators override)
	// ClaimTimeout, if set, leaves a tip someone else claimed to them:
	// Decide refuses it with a *ClaimedError, unless their claim has been
	// idle for ClaimTimeout (the queue offers it again by then). Zero
	// decides whoever holds it (admins, releasing a revoked member's claims).
	ClaimTimeout time.Duration
	// WhileClaimed decides only a tip still being triaged (claimed): a
	// button under a tip handed out by /next acts once. A tip decided
	// since (by anyone, a release included) is refused with a
	// *DecidedError, so an old button cannot silently undo a decision;
	// with Claim set, so is a tip claimed again since (Claim is when the
	// claim the button was shown for was made: Tip.ClaimedAt).
	WhileClaimed bool
	Claim        time.Time
}

// DecidedError is Decide's refusal of a Decision.WhileClaimed on a tip no
// longer claimed.
type DecidedError struct {
	Status tips.Status // what it is now
}

func (e *DecidedError) Error() string { return "tip decided since: " + string(e.Status) }

// ClaimedError is Decide's refusal to change a tip that another member
// claimed (see Decision.ClaimTimeout).
type ClaimedError struct {
	By Claimer   // who claimed it (without Key)
	At time.Time // when
}

func (e *ClaimedError) Error() string { return "tip claimed by another member" }

// Decide records a decision; closing statuses take the tip off the queue.
// Dismissing a warning refuses every approval of publishing it from then
// on, atomically with the approval (see vetoPublication), and drops the
// approvals given before: verified again, it is approved anew.
func (s *Store) Decide(ctx context.Context, id string, by Claimer, d Decision) error {
	// Its history entry goes in with the decision, in the same step: in
	// the order decisions are recorded (an overtaken one's after-steps may
	// land after a later decision's).
	text := string(d.Status)
	if d.DuplicateOf != "" {
		text += " #" + d.DuplicateOf
	}
	if d.Priority != "" {
		text += " · " + string(d.Priority)
	}
	if d.Category != "" {
		text += " · " + string(d.Category)
	}
	if len(d.Labels) > 0 {
		text += " · " + strings.Join(d.Labels, ", ")
	}
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return err
	}
	entry, err := s.sealEntry(id, dataKey, tips.Entry{Who: by.Name, Tag: by.tag(), Kind: tips.EntryStatus, Text: text})
	if err != nil {
		return err
	}
	var labels string
	if d.Labels != nil {
		b, _ := json.Marshal(d.Labels)
		sealed, err := seal(dataKey, b, "labels:"+id)
		if err != nil {
			return err
		}
		labels = string(sealed)
	}
	sealedClaimer, err := s.sealClaimer(by)
	if err != nil {
		return err
	}
	whileClaimed, claim := "0", ""
	if d.WhileClaimed {
		whileClaimed = "1"
	}
	if !d.Claim.IsZero() {
		claim = strconv.FormatInt(d.Claim.UnixMilli(), 10)
	}
	closed := "0"
	if d.Status.Closed() {
		closed = "1"
	}
	// A warning dismissed, or marked a duplicate, must not be published
	// on an approval given without seeing that: its mark is written before
	// the decision, so an approval racing it is refused by the approve
	// script whichever comes first (they are in different hash slots, so
	// not one script). A decision refused below takes its own mark back,
	// not another's, and a duplicate mark its entry in the original's
	// duplicates unless a mark recorded or under way still names it
	// (dropVeto).
	token := ""
	if d.Status == tips.StatusDismissed || d.Status == tips.StatusDuplicate {
		if token, err = s.vetoPublication(ctx, id, d); err != nil {
			return err
		}
	}
	keepMark := false
	defer func() {
		if token != "" && !keepMark {
			_ = s.dropVeto(context.WithoutCancel(ctx), id, token, d)
		}
	}()
	// A duplicate mark: how deep the tips behind it go (see decide), read
	// again if a mark onto its chain is recorded meanwhile.
	version, behind := "0", 0
	if d.Status == tips.StatusDuplicate && d.DuplicateOf != "" {
		if version, behind, err = s.duplicatesBehind(ctx, id); err != nil {
			return err
		}
	}
	if beforeDecide != nil {
		beforeDecide()
	}
	// Every decision is recorded under a token, so that go-redis running
	// its script again (the reply lost) records it, and its history
	// entry, once: a mark's token, or one of its own.
	once := token
	if once == "" {
		once = rand.Text()
	}
	var res any
	for tries := 1; ; tries++ {
		res, err = decide.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.triage(), s.k.tipLog(id)},
			string(d.Status), string(d.Priority), TriageGroup, labels, by.Key, sealedClaimer, s.now().UnixMilli(), closed, d.DuplicateOf, s.k.tip(""), string(d.Category),
			max(d.ClaimTimeout.Milliseconds(), 0), whileClaimed, claim, entry, s.retention.Milliseconds(), once,
			MaxDuplicateHops, behind, version).Result()
		if moved, ok := res.([]any); err != nil || !ok || len(moved) != 3 || moved[0] != ChainMoved || tries == maxChainReads {
			break
		}
		if version, behind, err = s.duplicatesBehind(ctx, id); err != nil {
			return err
		}
	}
	if err != nil {
		// The script may have run and its reply be lost (a timeout, the
		// context cancelled): the mark stays, settled once it lapses as
		// the decision was recorded or not (see settleLapsedVetoes).
		keepMark = true
		return fmt.Errorf("decide: %w", err)
	}
	if now, ok := res.([]any); ok && len(now) == 1 {
		status, _ := now[0].(string)
		return &DecidedError{Status: tips.Status(status)}
	}
	if refused, ok := res.([]any); ok && len(refused) == 3 {
		return newDuplicateChainError(refused)
	}
	if holder, ok := res.([]any); ok && len(holder) == 2 {
		e := &ClaimedError{By: Claimer{Name: "?"}} // as Queue names a claimer it cannot read
		if cw, ok := holder[0].(string); ok {
			if c, ok := s.openClaimer(cw); ok {
				e.By = c
			}
		}
		if ca, ok := holder[1].(string); ok {
			if ms, err := strconv.ParseInt(ca, 10, 64); err == nil {
				e.At = time.UnixMilli(ms)
			}
		}
		return e
	}
	n, _ := res.(int64)
	switch {
	case n == 0:
		return ErrNotFound
	case n < 0:
		return ErrDecisionLapsed
	}
	keepMark = true // its after-step takes it, or, if cut short, the lease settles it
	if afterDecide != nil {
		afterDecide()
	}
	if err := s.afterDecision(ctx, id, n, d, token); err != nil {
		return err
	}
	// Its token serves no more; left if this fails (the decision stands
	// all the same), it goes with the tip.
	_ = s.dropToken(ctx, id, once)
	// Its lifetime only if no later decision was recorded meanwhile (two
	// decisions racing, or go-redis running this one's script again long
	// after): the last decision's status sets it (see expireDecided).
	if ttl, closing := s.byStatus[d.Status]; closing {
		err = s.expireTip(ctx, id, n, ttl)
	} else {
		// Open again (reopened, claimed, escalated): the tip lives as long
		// as any open tip, counted from when it arrived, not the shorter
		// time a dismissal gave it; and what it had left, up to the
		// retention: a verified tip older than the retention is not
		// shredded when it is escalated, but lives no longer than the
		// queue entry that reopening gave it (trimmed after the
		// retention), or it would stay open with nobody ever handed it.
		ttl, err = s.openTTL(ctx, id)
		if err == nil {
			if left := s.rdb.PTTL(ctx, s.k.tip(id)).Val(); left > ttl {
				ttl = min(left, s.retention)
			}
			err = s.expireTip(ctx, id, n, ttl)
		}
	}
	if err != nil {
		return err
	}
	return nil
}

// openTTL is how long an open tip still lives: the retention, counted
// from its arrival (at least a minute, so a reopened old tip can be read).
func (s *Store) openTTL(ctx context.Context, id string) (time.Duration, error) {
	ms, err := s.rdb.HGet(ctx, s.k.tip(id), "t").Int64()
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	return max(s.retention-s.now().Sub(time.UnixMilli(ms)), time.Minute), nil
}

// expireDecided sets the lifetime of tip KEYS[1] and of its records in
// its hash slot (KEYS[2]…) to ARGV[2] ms if ARGV[1] is the number of the
// last decision recorded on it ("dn"); 0, nothing changed, if a later one
// was recorded: that one's own Decide sets the lifetime for its status.
var expireDecided = redis.NewScript(`
if tonumber(redis.call('HGET', KEYS[1], 'dn') or '0') ~= tonumber(ARGV[1]) then return 0 end
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return 1`)

// expireTip sets how long a tip and every record of it still live, as
// decision number n (see decide) has it, if that is still the last
// decision recorded: an overtaken one (a verified tip dismissed a moment
// before, its after-steps late) must not give the tip its shorter
// lifetime. When the tip's hash expires its wrapped data key goes
// with it, so whatever copy of its sealed records survives can no longer be
// opened (crypto-shredding).
func (s *Store) expireTip(ctx context.Context, id string, n int64, ttl time.Duration) error {
	fields, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	keys := []string{s.k.tip(id), s.k.tipLog(id), s.k.route(id)}
	if k := s.receiptKeyOf(fields); k != "" {
		keys = append(keys, k)
	}
	if last, err := expireDecided.Run(ctx, s.rdb, keys, n, ttl.Milliseconds()).Int(); err != nil || last == 0 {
		if err != nil {
			return fmt.Errorf("retention: %w", err)
		}
		return nil
	}
	// In other hash slots: set after the check (a later decision's own
	// lifetime, set between the two, is overwritten here: a window of
	// one round trip, where a late retry's was unbounded).
	pipe := s.rdb.Pipeline()
	expire := func(k string) { pipe.PExpire(ctx, k, ttl) }
	for _, k := range []string{s.k.publication(id), s.k.deliveries(id), s.k.duplicates(id)} {
		expire(k)
	}
	if t, err := s.openTip(id, fields); err == nil {
		for _, fid := range storedFiles(t.Content) {
			expire(s.k.file(fid))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("retention: %w", err)
	}
	return nil
}

// Note adds a sealed note to a tip's history.
func (s *Store) Note(ctx context.Context, id string, by Claimer, text string) error {
	if n, err := s.rdb.Exists(ctx, s.k.tip(id)).Result(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("note: %w", err)
		}
		return ErrNotFound
	}
	return s.appendLog(ctx, id, tips.Entry{Who: by.Name, Tag: by.tag(), Kind: tips.EntryNote, Text: text})
}

// appendLog adds an entry to a tip's history, sealed with the tip's data
// key, so erasing the tip's key erases its history too.
func (s *Store) appendLog(ctx context.Context, id string, e tips.Entry) error {
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sealed, err := seal(dataKey, b, "log:"+id)
	if err != nil {
		return err
	}
	ttl, err := s.rdb.PTTL(ctx, s.k.tip(id)).Result()
	if err != nil || ttl <= 0 {
		ttl = s.retention
	}
	pipe := s.rdb.TxPipeline()
	pipe.RPush(ctx, s.k.tipLog(id), sealed)
	pipe.PExpire(ctx, s.k.tipLog(id), ttl)
	_, err = pipe.Exec(ctx)
	return err
}

func (s *Store) dataKey(ctx context.Context, id string) ([]byte, error) {
	wrapped, err := s.rdb.HGet(ctx, s.k.tip(id), "k").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read tip key: %w", err)
	}
	return s.kr.open(wrapped, "tipkey:"+id)
}

// openHistory opens a tip's sealed history entries.
func openHistory(id string, dataKey []byte, raw []string) []tips.Entry {
	var out []tips.Entry
	for _, r := range raw {
		plain, err := open(dataKey, []byte(r), "log:"+id)
		if err != nil {
			continue
		}
		var e tips.Entry
		if json.Unmarshal(plain, &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

// QueueStats summarises the triage queue.
type QueueStats struct {
	Unclaimed     int
	Claimed       map[MemberName]int // by investigator
	ByCategory    map[tips.Category]int
	ByPriority    map[tips.Priority]int
	OldestWaiting time.Time
	Dead          int
}

// Queue counts open tips: unclaimed (parked, new, or whose claim went
// stale) and claimed, by category and priority.
func (s *Store) Queue(ctx context.Context, claimTimeout time.Duration) (QueueStats, error) {
	st := QueueStats{Claimed: map[MemberName]int{}, ByCategory: map[tips.Category]int{}, ByPriority: map[tips.Priority]int{}}
	if err := s.park(ctx); err != nil {
		return st, err
	}
	err := s.eachPending(ctx, []string{"c", "p", "cw", "t", "s"}, func(p redis.XPendingExt, _ string, f []any) {
		if f[0] == nil || closedStatus(f[4]) {
			return
		}
		cat, _ := f[0].(string)
		prio, _ := f[1].(string)
		st.ByCategory[tips.Category(cat)]++
		st.ByPriority[tips.Priority(cmpOr(prio, string(tips.Normal)))]++
		if p.Consumer == queueConsumer || p.Idle >= claimTimeout {
			st.Unclaimed++
			if ms, err := strconv.ParseInt(fmt.Sprint(f[3]), 10, 64); err == nil {
				if t := time.UnixMilli(ms); st.OldestWaiting.IsZero() || t.Before(st.OldestWaiting) {
					st.OldestWaiting = t
				}
			}
			return
		}
		// The consumer is the member's key: its tag, whatever the record.
		name := MemberName{Name: "?", Tag: MemberTag(p.Consumer)}
		if cw, ok := f[2].(string); ok {
			if c, ok := s.openClaimer(cw); ok {
				name.Name = c.Name
			}
		}
		st.Claimed[name]++
	})
	if err != nil {
		return st, fmt.Errorf("queue: %w", err)
	}
	if dead, err := s.liveDead(ctx); err == nil {
		st.Dead = len(dead)
	}
	return st, nil
}

// park moves new triage entries to the queue consumer, so that every open
// tip is a pending entry and can be counted, reminded and claimed. A
// triage group lost with the stream (Redis restarted without its data,
// flushed; the stream made again by the next tip) is made again, from the
// stream's start, rather than every claim and count failing with NOGROUP
// until a restart; so is the keyset, if lost with it (keepKeysetAgain).
func (s *Store) park(ctx context.Context) error {
	for range 100 {
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: TriageGroup, Consumer: queueConsumer, Streams: []string{s.k.triage(), ">"}, Count: 1000, Block: -1}).Result()
		if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") {
			// The keyset first: a failure to keep it is tried again by
			// the next park, the group still missing.
			if err := s.keepKeysetAgain(ctx); err != nil {
				return err
			}
			err = s.rdb.XGroupCreateMkStream(ctx, s.k.triage(), TriageGroup, "0").Err()
			if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
				return fmt.Errorf("create triage group again: %w", err)
			}
			continue
		}
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("park new tips: %w", err)
		}
		if len(res) == 0 || len(res[0].Messages) < 1000 {
			return nil
		}
	}
	return nil
}

func closedStatus(v any) bool {
	s, _ := v.(string)
	return tips.Status(s).Closed()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DeadLetters lists tips that went to the dead-letter stream, newest first.
func (s *Store) DeadLetters(ctx context.Context, n int) ([]string, error) {
	ids, err := s.liveDead(ctx)
	return ids[:min(len(ids), n)], err
}

// maxDead is how many dead letters liveDead reads.
const maxDead = 1000

// liveDead returns the tips set aside as dead letters that still wait for
// a decision, newest first, each once; it deletes the entries of tips
// decided, reopened, purged or expired since (and older entries of a tip
// set aside twice), which would otherwise stay listed for ever.
func (s *Store) liveDead(ctx context.Context) ([]string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.k.dead(), "+", "-", maxDead).Result()
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	pipe := s.rdb.Pipeline()
	state := make([]*redis.SliceCmd, len(msgs))
	for i, m := range msgs {
		id, _ := m.Values["id"].(string)
		state[i] = pipe.HMGet(ctx, s.k.tip(id), "s", "cb")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	var out, gone []string
	seen := map[string]bool{}
	for i, m := range msgs {
		id, _ := m.Values["id"].(string)
		// Set aside, a tip stays "claimed" with no one holding it; claimed
		// by someone again (reopened, handed out since), it is no dead
		// letter any more.
		v := state[i].Val()
		status, _ := v[0].(string)
		if status != string(tips.StatusClaimed) || v[1] != nil || seen[id] {
			gone = append(gone, m.ID)
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(gone) > 0 {
		if err := s.rdb.XDel(ctx, s.k.dead(), gone...).Err(); err != nil {
			return out, fmt.Errorf("dead letters: %w", err)
		}
	}
	return out, nil
}

// Claim is an open claim, for reminders.
type Claim struct {
	TipID    string
	Claimer  Claimer
	Idle     time.Duration
	Priority tips.Priority
	Waiting  bool // in the queue, not claimed
	Created  time.Time
}

// OpenClaims lists pending triage entries with how long they have been
// idle, for reminders and announcements.
func (s *Store) OpenClaims(ctx context.Context, claimTimeout time.Duration) ([]Claim, error) {
	if err := s.park(ctx); err != nil {
		return nil, err
	}
	var out []Claim
	err := s.eachPending(ctx, []string{"p", "cw", "t", "s"}, func(p redis.XPendingExt, id string, f []any) {
		if f[2] == nil || closedStatus(f[3]) {
			return
		}
		c := Claim{TipID: id, Idle: p.Idle, Waiting: p.Consumer == queueConsumer || p.Idle >= claimTimeout}
		prio, _ := f[0].(string)
		c.Priority = tips.Priority(cmpOr(prio, string(tips.Normal)))
		if cw, ok := f[1].(string); ok && p.Consumer != queueConsumer {
			c.Claimer, _ = s.openClaimer(cw)
			c.Claimer.Key = p.Consumer
		}
		if ms, err := strconv.ParseInt(fmt.Sprint(f[2]), 10, 64); err == nil {
			c.Created = time.UnixMilli(ms)
		}
		out = append(out, c)
	})
	if err != nil {
		return nil, fmt.Errorf("open claims: %w", err)
	}
	return out, nil
}

// pendingPage is how many triage entries eachPending reads per round trip.
const pendingPage = 500

// eachPending calls fn with every pending triage entry (every open tip, once
// park has run), oldest first: the entry, its tip's id, and the tip's
// fields named (nil where absent). It reads a page of entries at a time,
// in three round trips, however many tips are open.
func (s *Store) eachPending(ctx context.Context, fields []string, fn func(p redis.XPendingExt, id string, f []any)) error {
	for start := "-"; ; {
		pend, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.triage(), Group: TriageGroup, Start: start, End: "+", Count: pendingPage}).Result()
		if err != nil {
			return err
		}
		entries := make([]*redis.XMessageSliceCmd, len(pend))
		pipe := s.rdb.Pipeline()
		for i, p := range pend {
			entries[i] = pipe.XRange(ctx, s.k.triage(), p.ID, p.ID)
		}
		if err := execPage(ctx, pipe); err != nil {
			return err
		}
		ids := make([]string, len(pend))
		tipFields := make([]*redis.SliceCmd, len(pend))
		pipe = s.rdb.Pipeline()
		for i := range pend {
			if msgs, err := entries[i].Result(); err == nil && len(msgs) > 0 {
				ids[i], _ = msgs[0].Values["id"].(string)
			}
			if ids[i] != "" {
				tipFields[i] = pipe.HMGet(ctx, s.k.tip(ids[i]), fields...)
			}
		}
		if err := execPage(ctx, pipe); err != nil {
			return err
		}
		for i, p := range pend {
			if tipFields[i] == nil {
				continue
			}
			if f, err := tipFields[i].Result(); err == nil {
				fn(p, ids[i], f)
			}
		}
		if len(pend) < pendingPage {
			return nil
		}
		start = afterID(pend[len(pend)-1].ID)
	}
}

// execPage runs a pipeline whose commands are checked one by one: only a
// failure to talk to Redis is an error of the whole page.
func execPage(ctx context.Context, pipe redis.Pipeliner) error {
	if pipe.Len() == 0 {
		return nil
	}
	_, err := pipe.Exec(ctx)
	var reply redis.Error
	if err != nil && !errors.As(err, &reply) {
		return err
	}
	return nil
}

// markOnce sets a flag on an existing tip, once.
var markOnce = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])`)

// MarkOnce sets a flag on a tip once; it reports whether this call set it
// (reminders and announcements go out once). An expired tip is not revived.
func (s *Store) MarkOnce(ctx context.Context, id, flag string) (bool, error) {
	n, err := markOnce.Run(ctx, s.rdb, []string{s.k.tip(id)}, flag, s.now().UnixMilli()).Int()
	return n == 1, err
}

// Unmark clears a flag MarkOnce set, so the next sweep tries again (an
// announcement no chat took).
func (s *Store) Unmark(ctx context.Context, id, flag string) error {
	return s.rdb.HDel(ctx, s.k.tip(id), flag).Err()
}

// ClaimIdle returns how long the claim on a tip has been left untouched,
// as the queue measures it (a claim idle for the claim timeout is offered
// again); false if the tip is not claimed.
func (s *Store) ClaimIdle(ctx context.Context, id string) (time.Duration, bool, error) {
	f, err := s.rdb.HMGet(ctx, s.k.tip(id), "e", "t").Result()
	if err != nil {
		return 0, false, fmt.Errorf("claim idle: %w", err)
	}
	e, _ := f[0].(string)
	t, _ := f[1].(string)
	entry := tipEntry(map[string]string{"e": e, "t": t})
	if entry == "" {
		return 0, false, nil
	}
	p, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.triage(), Group: TriageGroup, Start: entry, End: entry, Count: 1}).Result()
	if err != nil {
		return 0, false, fmt.Errorf("claim idle: %w", err)
	}
	if len(p) == 0 || p[0].Consumer == queueConsumer {
		return 0, false, nil
	}
	return p[0].Idle, true, nil
}

// Marked reports whether flag is set on a tip (see MarkOnce).
func (s *Store) Marked(ctx context.Context, id, flag string) (bool, error) {
	return s.rdb.HExists(ctx, s.k.tip(id), flag).Result()
}

// touchClaim resets the idle time of a claim held by ARGV[2], so a tip that
// is being worked on (notes, questions) is not taken back by the timeout.
var touchClaim = redis.NewScript(tipEntryLua + `
local entry = tipEntry(KEYS[1])
if entry and redis.call('HGET', KEYS[1], 'cb') == ARGV[2] then
  redis.call('XCLAIM', KEYS[2], ARGV[1], ARGV[2], 0, entry, 'JUSTID')
end
return 1`)

// TouchClaim tells the queue that the claimer is still working on a tip.
func (s *Store) TouchClaim(ctx context.Context, id, claimerKey string) error {
	return touchClaim.Run(ctx, s.rdb, []string{s.k.tip(id), s.k.triage()}, TriageGroup, claimerKey).Err()
}

// ClaimedBy returns the key of the member holding a claim on a tip, or "".
func (s *Store) ClaimedBy(ctx context.Context, id string) (string, error) {
	v, err := s.rdb.HGet(ctx, s.k.tip(id), "cb").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, err
}

// QueueDepth is a cheap summary of the queues, for metrics.
type QueueDepth struct {
	Open   int           // triage entries not yet decided (claimed or not)
	Oldest time.Duration // age of the oldest open entry
	Inbox  int           // webhook updates waiting
}

// QueueDepth summarises the queues with a few constant-time commands.
func (s *Store) QueueDepth(ctx context.Context) (QueueDepth, error) {
	var d QueueDepth
	if err := s.park(ctx); err != nil {
		return d, err
	}
	p, err := s.rdb.XPending(ctx, s.k.triage(), TriageGroup).Result()
	if err != nil {
		return d, fmt.Errorf("queue depth: %w", err)
	}
	d.Open = int(p.Count)
	if p.Count > 0 {
		if ms, _, ok := strings.Cut(p.Lower, "-"); ok {
			var t int64
			fmt.Sscan(ms, &t)
			d.Oldest = s.now().Sub(time.UnixMilli(t))
		}
	}
	if n, err := s.rdb.XLen(ctx, s.k.inbox("telegram")).Result(); err == nil {
		d.Inbox = int(n)
	}
	return d, nil
}

// afterID is the smallest stream entry id after id ("5-3" gives "5-4"):
// where a page of XPENDING goes on. (XPENDING takes "(" + id for that on
// Redis, but the embedded Redis of the demo and tests does not.)
func afterID(id string) string {
	ms, seq, ok := strings.Cut(id, "-")
	m, err1 := strconv.ParseUint(ms, 10, 64)
	n, err2 := strconv.ParseUint(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return "(" + id
	}
	if n == math.MaxUint64 {
		return strconv.FormatUint(m+1, 10) + "-0"
	}
	return ms + "-" + strconv.FormatUint(n+1, 10)
}
