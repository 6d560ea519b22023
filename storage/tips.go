package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// ErrDraftSpooled is returned when every part of a draft was already kept
// as a tip of its own, spooled while Redis hung (see claimDraft): the
// draft is gone, nothing more is sent.
var ErrDraftSpooled = errors.New("draft already spooled")

// ErrEmptyDraft is returned when a draft with nothing in it is sent.
var ErrEmptyDraft = errors.New("draft is empty")

// ErrOnlyReceipts is returned when a draft held nothing but a receipt
// code pasted in two goes: once the code is cut, nothing is left to send.
// The draft is gone (its messages remembered as handled); no tip is made.
var ErrOnlyReceipts = errors.New("draft held only a receipt code")

// Submission is the result of sending a draft.
type Submission struct {
	TipID   string
	Receipt string
	// Repeat is true when this draft had been sent before (a retried or
	// redelivered Send): the same tip and receipt are returned.
	Repeat bool
	// Left counts the reporter's parts that were not in this tip (added
	// while it was being sent, or after a send whose tidying failed): they
	// stay as a new draft, for the reporter to send.
	Left int
	// Category is the tip's category (chosen or suggested).
	Category tips.Category
	// CodeCut is true when a receipt code running from one of the draft's
	// parts into the next was cut as the tip was stored (its reporter is
	// told, as when a message's own code is cut).
	CodeCut bool
	// FilesGone counts the draft's stored files that were gone when it was
	// sent (expired): the tip says a file was sent, investigators are told
	// it is missing, and its reporter must be told too.
	FilesGone int
}

// reporterOf is the reporter behind a pseudonym: warnings and spooled tips
// are drafted under the reporter's pseudonym with a suffix (":warn",
// ":spool:…"; pseudonyms themselves are hex), and still have one reporter,
// who must count once among a signal's independent reporters.
func reporterOf(pseudonym string) string {
	p, _, _ := strings.Cut(pseudonym, ":")
	return p
}

// sealedTip is what a tip's sealed blob holds: its content and, for
// counting distinct reporters later, the reporter's pseudonym.
type sealedTip struct {
	Content  tips.Content `json:"c"`
	Reporter string       `json:"r"`
	// AcrossCut is true when the receipt codes running from one part into
	// the next were cut as the tip was stored (cutAcross): tips stored
	// before were not, and are cut as they are shown.
	AcrossCut bool `json:"a,omitempty"`
	// CodeCut is true when cutAcross cut a code from it: its reporter was
	// told with the receipt, and is told again with the receipt a
	// repeated Send gives (sentBefore).
	CodeCut bool `json:"x,omitempty"`
}

// saveTip stores a tip, queues it for triage and makes it findable by its
// receipt, unless the receipt is already taken: then the draft was sent
// before (a retried Send), and the earlier tip's id is returned; "" once
// stored (not nil, which go-redis takes for an error, at a cost). With
// questions allowed, the sealed route goes with it (KEYS[4], ARGV[12]).
// Kept short (see tipFields): "sg" (ARGV[9]) only where it is not "c",
// "rc" (ARGV[11]) only when "1", "rk" (ARGV[13]) as the raw MAC, "e"
// (the stream entry) as a bare integer from "t" (ARGV[6]) where it can.
// Its messages' marks (handled: fields ARGV[16], … of their buckets
// KEYS[5], …) are set to ARGV[14], a bucket without an expiry, or with
// one more than an hour sooner, given ARGV[15] ms (as markHandled does). A number already holding a tip
// (drawn again: a counter set back by a restore, a mistake in giving
// numbers back) is refused, never overwritten: an error, the draft kept
// for its Send to be pressed again.
var saveTip = redis.NewScript(tipEntryLua + `
local prev = redis.call('GET', KEYS[3])
if prev then return prev end
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('VIGIA tip number already used') end
local entry = redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[8], '*', 'id', ARGV[1])
redis.call('HSET', KEYS[1], 'k', ARGV[2], 'd', ARGV[3], 'c', ARGV[4], 's', ARGV[5], 't', ARGV[6], 'e', entryField(entry, ARGV[6]),
  'sx', ARGV[10], 'rk', ARGV[13])
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'sg', ARGV[9]) end
if ARGV[11] == '1' then redis.call('HSET', KEYS[1], 'rc', 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[7])
if ARGV[12] ~= '' then redis.call('SET', KEYS[4], ARGV[12], 'PX', ARGV[7]) end
for i = 5, #KEYS do
  redis.call('HSET', KEYS[i], ARGV[i + 11], ARGV[14])
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl == -1 or ttl < tonumber(ARGV[15]) - 3600000 then redis.call('PEXPIRE', KEYS[i], ARGV[15]) end
end
return ''`)

// unnumber gives tip number ARGV[1] back to the counter KEYS[1] if it is
// the last one drawn: a Send that stored no tip leaves no gap, unless
// another Send drew a number after it. It runs once per Send (the mark
// KEYS[2], kept ARGV[2] ms): the client sends a script again when its
// answer is lost, and by then another Send may have drawn the number
// given back, for a tip; given back twice, it would number a third tip
// too, whose save overwrites that tip.
var unnumber = redis.NewScript(`
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return false end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DECR', KEYS[1]) end
return false`)

// unnumberMark is how long a given-back number's mark stays: longer than
// the client's retries of one script.
const unnumberMark = time.Minute

// claimDraft counts the reporter's limit on tips (ARGV[3…6] on their state
// KEYS[2], if set; -4 or -5 over it, as addPart), then marks the draft
// ARGV[1] as being sent (so the expiry sweeper leaves it alone) and
// returns all its fields, or false if it is not there. The first claim
// fixes which parts the tip holds ("claimed", the parts' fields) and the
// MAC of its receipt ARGV[7] ("rk", for the expiry sweeper): a part added
// after Send was pressed goes to the next tip, even if this one is sent
// again (after a failure, or a retried Send). (A draft claimed by an
// earlier version, "sending" without "claimed", is sent whole, as then.)
// A part whose event the reporter's state remembers as sent is left out
// and dropped: the message was spooled as a tip of its own while Redis
// hung, and the draft write already on its way ran when Redis resumed.
// A draft left with no part is deleted: -6, and remembered so on the
// state (field "x:s" and the draft id, until ARGV[8] hours, the state
// kept ARGV[9] ms at least, as rememberSent does), so that the same Send
// pressed again (its answer lost) is answered -6 again, not false.
// With a chat limit (ARGV[10…13], ProfileSend), the chat's request is
// counted first: over it, -7 the first time and -8 later, and nothing
// else is done. Where the count has just listed the state's fields (a
// window's first event: counted), whether the state remembers an event
// is read from that list, not asked again (HEXISTS). The draft is read
// once (HGETALL), and its answer is that read with what the claim wrote
// ("claimed", "rk", "sending") in place, as HGETALL would give it after;
// read again only where the claim dropped a field (a part sent before, a
// stale "lb": rare).
var claimDraft = redis.NewScript(countEvent + sentEvent + `
local has
local function stateHas(f)
  if not counted then return redis.call('HEXISTS', KEYS[2], f) == 1 end
  if not has then
    has = {}
    for _, g in ipairs(counted) do has[g] = true end
  end
  return has[f] == true
end
if (ARGV[10] or '') ~= '' then
  local ok = count(KEYS[2], ARGV[10], ARGV[11], ARGV[12], ARGV[13])
  if ok ~= 1 then return ok - 7 end
end
if ARGV[3] ~= '' then
  local ok = count(KEYS[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
  if ok ~= 1 then return ok - 4 end
end
local all = redis.call('HGETALL', KEYS[1])
local id, claimed, sending, lb, at, parts = false, false, false, false, {}, {}
for i = 1, #all, 2 do
  local f = all[i]
  if f == 'id' then id = all[i + 1]
  elseif f == 'claimed' then claimed = true
  elseif f == 'sending' then sending = true
  elseif f == 'lb' then lb = true
  elseif string.sub(f, 1, 2) == 'p:' then parts[#parts + 1] = f end
  at[f] = i + 1
end
if id ~= ARGV[1] then
  if stateHas('x:s' .. ARGV[1]) then return -6 end
  return false
end
local function set(f, v) -- the draft's fields as HGETALL gives them once HSET wrote f
  if at[f] then all[at[f]] = v else all[#all + 1] = f; all[#all + 1] = v end
end
if not claimed and not sending then
  local kept, sent = {}, 0
  for _, f in ipairs(parts) do
    if stateHas('x:' .. event(f)) then
      redis.call('HDEL', KEYS[1], f)
      sent = sent + 1
    else
      kept[#kept + 1] = f
    end
  end
  if sent > 0 then
    if #kept == 0 then
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[2], 'x:s' .. ARGV[1], ARGV[8])
      if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[9]) then redis.call('PEXPIRE', KEYS[2], ARGV[9]) end
      return -6
    end
    redis.call('HINCRBY', KEYS[1], 'n', -sent)
  end
  redis.call('HSET', KEYS[1], 'claimed', table.concat(kept, ','), 'rk', ARGV[7], 'sending', ARGV[2])
  if lb then redis.call('HDEL', KEYS[1], 'lb') end -- left by an earlier version's finishDraft: not this Send's (addPart)
  if sent > 0 or lb then return redis.call('HGETALL', KEYS[1]) end -- (rare) fields gone: read again
  set('claimed', table.concat(kept, ',')); set('rk', ARGV[7]); set('sending', ARGV[2])
else
  redis.call('HSET', KEYS[1], 'sending', ARGV[2])
  set('sending', ARGV[2])
end
return all`)

// finishDraft runs once the tip is stored: it remembers the events of the
// sent parts for sentMemory on the reporter's state KEYS[2] (fields "x:" and
// the event, valued their expiry in hours; expired ones are dropped), so
// a redelivered event of this tip cannot start a new draft, then removes
// the sent parts from the draft KEYS[1]. Parts added meanwhile stay, as a
// new draft, which keeps only its own files (ARGV[7], the ids of the sent
// files, leave its list: a part added to it later must not give the sent
// tip's files a draft's life again), and is a new tip, not yet told of a
// wipe its reporter set ("ww", DraftWipeTold), begun ("born") when its
// first part came ("lb", addPart): a wipe's discard owed drops it only
// if that was before the wipe (DropDraftBefore). It returns -1 if the draft is not
// this one any more, else the parts left. The sent parts' marks (ARGV[8],
// keyed hashes, sentMark; none where no tip was stored) are remembered as
// long, as fields "x:" and the mark: a message the platform delivers again
// and an outage spools is not replayed as a second tip (Spool.Replay).
// ARGV: draft id, expiry h, memory ms, now h, chars sent, new id, sent file ids, sent marks, sent fields...
var finishDraft = redis.NewScript(sentEvent + `
local function each(cmd, key, args) -- one call per 1,000 arguments: unpack is bounded (Lua's C stack)
  local n = 0
  for i = 1, #args, 1000 do n = n + redis.call(cmd, key, unpack(args, i, math.min(i + 999, #args))) end
  return n
end
local st = redis.call('HGETALL', KEYS[2])
local old = {}
for i = 1, #st, 2 do
  if string.sub(st[i], 1, 2) == 'x:' and tonumber(st[i + 1]) < tonumber(ARGV[4]) then old[#old + 1] = st[i] end
end
if #old > 0 then each('HDEL', KEYS[2], old) end
local marks = {}
for i = 9, #ARGV do marks[#marks + 1] = 'x:' .. event(ARGV[i]); marks[#marks + 1] = ARGV[2] end
for m in string.gmatch(ARGV[8], '%S+') do marks[#marks + 1] = 'x:' .. m; marks[#marks + 1] = ARGV[2] end
if #marks > 0 then each('HSET', KEYS[2], marks) end
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
local d = redis.call('HMGET', KEYS[1], 'id', 'n', 'files', 'chars', 'lb') -- the sent parts' fields are none of these
if d[1] ~= ARGV[1] then return -1 end
local sent = {}
for i = 9, #ARGV do sent[#sent + 1] = ARGV[i] end
local removed = 0
if #sent > 0 then removed = each('HDEL', KEYS[1], sent) end
local left = tonumber(d[2] or '0') - removed
if left <= 0 then redis.call('DEL', KEYS[1]) return 0 end
local files = d[3]
if files and ARGV[7] ~= '' then
  local sent, kept = {}, {}
  for f in string.gmatch(ARGV[7], '%S+') do sent[f] = true end
  for f in string.gmatch(files, '%S+') do
    if not sent[f] then kept[#kept + 1] = f end
  end
  if #kept == 0 then redis.call('HDEL', KEYS[1], 'files') else redis.call('HSET', KEYS[1], 'files', table.concat(kept, ' ')) end
end
local chars = math.max(tonumber(d[4] or '0') - tonumber(ARGV[5]), 0)
if d[5] then -- begun by its own first part, not the sent draft's (DropDraftBefore)
  redis.call('HSET', KEYS[1], 'id', ARGV[6], 'n', left, 'chars', chars, 'born', d[5])
else -- (its parts added by an earlier version, which did not say when: born as the sent draft)
  redis.call('HSET', KEYS[1], 'id', ARGV[6], 'n', left, 'chars', chars)
end
redis.call('HDEL', KEYS[1], 'sending', 'cat', 'claimed', 'rk', 'ww', 'lb') -- a new tip: not told of a wipe yet
return left`)

// sentEvent defines event(field): the platform event of a draft part's
// field ("p:" and the zero-padded event), as the reporter's state names a
// sent one ("x:" and the event without padding: small hashes stay small).
const sentEvent = `
local function event(f)
  local e = string.gsub(string.sub(f, 3), '^0+', '')
  if e == '' then return '0' end
  return e
end
`

// sentMemory is how long a sent tip's events are remembered; Telegram keeps
// an unconfirmed update for at most 24 hours.
const sentMemory = 48 * time.Hour

// stateLife is how long, from now, a reporter's state must live to remember
// an event for sentMemory: until the next full hour after that, so that
// the state's expiry, which anyone reading Redis can see, does not give
// away the moment its reporter sent a tip (each tip's own hash and stream
// entry say when it was sent: matching the two would link a pseudonym to
// its tips). States of every reporter of an hour expire together.
func stateLife(now time.Time) int64 {
	return now.Add(sentMemory).Truncate(time.Hour).Add(time.Hour).Sub(now).Milliseconds()
}

// tidyTimeout bounds tidying a sent draft, which goes on when the request
// that sent it is cancelled (the tip is stored; its draft must not stay).
const tidyTimeout = 10 * time.Second

// SubmitDraft turns the reporter's draft draftID into a tip: sealed under a
// fresh data key, queued on the triage stream, findable by its receipt. It
// returns only once Redis has the tip. Sending the same draft again returns
// the same tip; parts added to the draft after it went stay as a new draft
// (Submission.Left).
func (s *Store) SubmitDraft(ctx context.Context, pseudonym, draftID, language string) (Submission, error) {
	return s.submit(ctx, pseudonym, draftID, language, "", nil, time.Time{})
}

// SubmitDraftWithin is SubmitDraft counting the reporter's rate limit on
// tips, if set, in the same step, for the reporter (its Subject is not
// used): over it, nothing is sent and it returns a *LimitError, unless the
// draft was sent before.
func (s *Store) SubmitDraftWithin(ctx context.Context, pseudonym, draftID, language string, limit *Limit) (Submission, error) {
	return s.submit(ctx, pseudonym, draftID, language, "", limit, time.Time{})
}

// submit is SubmitDraft with a receipt code chosen in advance ("" draws
// one): a spooled tip keeps the code its reporter was already given.
func (s *Store) submit(ctx context.Context, pseudonym, draftID, language, receipt string, limit *Limit, at time.Time) (Submission, error) {
	pipe := s.rdb.Pipeline()
	cl, err := s.claimOn(ctx, pipe, pseudonym, draftID, receipt, limit, nil)
	if err != nil {
		return Submission{}, err
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !isNoScript(err) && !(ReplyLost(err) && cl.look(ctx)) {
		return Submission{}, fmt.Errorf("claim draft: %w", err)
	}
	return s.submitClaimed(ctx, cl, language, at)
}

// SendClaim is the first step of a Send (was it sent before, the draft
// claimed, a number for the tip), taken by ProfileSend in the round trip
// that reads the sender's profile; SubmitClaimed takes the next ones.
type SendClaim struct {
	s                   *Store
	pseudonym, draftID  string
	receipt, receiptKey string
	receiptID           string
	keys                []string
	args                []any
	now                 time.Time
	prior               valueCmd
	claim               *redis.Cmd
	seq                 *redis.IntCmd
	used                bool
	// live is a reporter's draft sent (not a spooled message replayed,
	// whose receipt was given): its messages are marked (handledMark).
	live bool
}

// claimOn queues a Send's first step on pipe: the receipt looked up, the
// draft claimed (counting the tip limit, and the chat limit chat if set,
// on the reporter's state), a tip number drawn.
func (s *Store) claimOn(ctx context.Context, pipe redis.Pipeliner, pseudonym, draftID, receipt string, limit, chat *Limit) (*SendClaim, error) {
	// A draft's receipt code is a MAC of its reporter and id: a retried
	// Send derives the same code and finds the tip under it, so no other
	// record of the submission is needed.
	live := receipt == ""
	if live {
		code, err := tips.NewReceipt(bytes.NewReader(s.kr.receiptCode(pseudonym, draftID)))
		if err != nil {
			return nil, err
		}
		receipt = code
	}
	cl := &SendClaim{s: s, pseudonym: pseudonym, draftID: draftID, receipt: receipt, now: s.now(), live: live}
	cl.receiptID = s.kr.receiptID(receipt)
	cl.receiptKey = s.k.receipt(cl.receiptID)
	// One round trip: was it sent before, the draft, and a number for the
	// tip (a number drawn for a draft that turns out sent is skipped).
	cl.prior = getOn(ctx, pipe, cl.receiptKey)
	cl.keys = []string{s.k.draft(pseudonym), s.k.state(pseudonym)}
	cl.args = append(append([]any{draftID, cl.now.UnixMilli()}, s.limitArgs(limit)...), cl.receiptID, hours(cl.now.Add(sentMemory)), stateLife(cl.now))
	if chat != nil {
		cl.args = append(cl.args, s.limitArgs(chat)...)
	}
	// Sent once (sentOnce; the pipeline with it): go-redis's retry of a
	// claim that ran, its reply lost, would count the tip limit again and
	// draw a second number (the first a gap), or, refused (LOADING),
	// return "never ran"; a lost reply is looked for (look).
	cl.claim = claimDraft.EvalSha(ctx, onceScripter{pipe}, cl.keys, cl.args...)
	cl.seq = pipe.Incr(ctx, s.k.tipSeq())
	return cl, nil
}

// look looks for the claim of a Send whose reply was lost (sent once, it
// may have run): the draft "sending" since this Send's time says it ran,
// and its fields, read now, are what it returned (a part added since is
// not among those it claimed); a draft the claim deleted, its parts all
// sent before, is -6 as it answered. The number drawn with it, its reply
// lost too, is drawn again (the first, if it was drawn, a gap). A tip
// found under the draft's receipt is the Send's (sent before: cl.prior).
// It reports whether the claim is known to have run or the tip stored,
// its results then cl's.
func (cl *SendClaim) look(ctx context.Context) bool {
	s := cl.s
	pipe := s.rdb.Pipeline()
	prior := getOn(ctx, pipe, cl.receiptKey)
	draft := pipe.HGetAll(ctx, s.k.draft(cl.pseudonym))
	spooled := pipe.HExists(ctx, s.k.state(cl.pseudonym), "x:s"+cl.draftID)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return false
	}
	if _, err := prior.Result(); err == nil {
		// Stored under the draft's receipt meanwhile, by this Send or
		// another of the same draft at once (a double press), whose claim
		// the draft no longer shows (sent, tidied): sent before, its
		// receipt the same, not a claim that never ran (the reporter,
		// given the receipt by the other, told this Send failed).
		cl.prior = prior
		return true
	}
	claim := redis.NewCmd(ctx)
	switch fields := draft.Val(); {
	case fields["id"] == cl.draftID && fields["sending"] == strconv.FormatInt(cl.now.UnixMilli(), 10):
		raw := make([]any, 0, 2*len(fields))
		for k, v := range fields {
			raw = append(raw, k, v)
		}
		claim.SetVal(raw)
	case fields["id"] != cl.draftID && spooled.Val():
		claim.SetVal(int64(-6))
	default:
		return false
	}
	if cl.seq.Err() != nil {
		seq := s.rdb.Incr(ctx, s.k.tipSeq())
		if seq.Err() != nil {
			return false
		}
		cl.seq = seq
	}
	cl.prior, cl.claim = prior, claim
	return true
}

// giveBack gives a number drawn for a Send that stores no tip back,
// unless another Send drew one since: investigators read a gap as a tip
// lost.
func (cl *SendClaim) giveBack(ctx context.Context) {
	s := cl.s
	if cl.seq.Err() != nil {
		return
	}
	var token [12]byte
	if _, err := rand.Read(token[:]); err != nil {
		return // a gap rather than a number given back twice
	}
	keys := []string{s.k.tipSeq(), s.k.tipSeqBack(hex.EncodeToString(token[:]))}
	_ = unnumber.Run(context.WithoutCancel(ctx), s.rdb, keys, cl.seq.Val(), unnumberMark.Milliseconds()).Err()
}

// Release gives back the number of a claim SubmitClaimed was not given
// (the request went another way); it does nothing once it was.
func (cl *SendClaim) Release(ctx context.Context) {
	if cl == nil || cl.used {
		return
	}
	cl.used = true
	cl.giveBack(ctx)
}

// DraftID is the draft the claim is for.
func (cl *SendClaim) DraftID() string { return cl.draftID }

// SubmitClaimed is SubmitDraftWithin for a draft ProfileSend claimed: it
// stores the tip in the reporter's language.
func (s *Store) SubmitClaimed(ctx context.Context, cl *SendClaim, language string) (Submission, error) {
	if cl.used {
		return Submission{}, errors.New("send claim used twice")
	}
	return s.submitClaimed(ctx, cl, language, time.Time{})
}

// submitClaimed takes a Send's steps after its claim: the tip sealed and
// stored, the draft tidied.
func (s *Store) submitClaimed(ctx context.Context, cl *SendClaim, language string, at time.Time) (Submission, error) {
	cl.used = true
	pseudonym, draftID, receipt, receiptID, receiptKey, now := cl.pseudonym, cl.draftID, cl.receipt, cl.receiptID, cl.receiptKey, cl.now
	prior, claim, seq := cl.prior, cl.claim, cl.seq
	// A Send that stores no tip (sent before, a gone draft, over the
	// limit, nothing to send) gives its number back, unless another Send
	// drew one since: investigators read a gap as a tip lost.
	numbered := true
	defer func() {
		if !numbered {
			cl.giveBack(ctx)
		}
	}()
	if id, err := prior.Result(); err == nil {
		// Sent before (a retried Send): the reporter gets the receipt
		// again, and the draft is tidied if that did not happen then.
		numbered = false
		return s.sentBefore(ctx, pseudonym, draftID, id, receipt), nil
	}
	numbered = false // until the tip is stored
	if isNoScript(claim.Err()) {
		claim = claimDraft.Eval(ctx, onceScripter{s.rdb}, cl.keys, cl.args...)
		if err := claim.Err(); err != nil && !errors.Is(err, redis.Nil) && ReplyLost(err) && cl.look(ctx) {
			if id, err := cl.prior.Result(); err == nil {
				return s.sentBefore(ctx, pseudonym, draftID, id, receipt), nil // (another Send's, at once)
			}
			claim, seq = cl.claim, cl.seq
		}
	}
	if n, ok := claim.Val().(int64); ok {
		if n == -6 {
			return Submission{}, ErrDraftSpooled
		}
		if err := limitResult(n); err != nil {
			return Submission{}, err
		}
	}
	raw, err := claim.StringSlice()
	if errors.Is(err, redis.Nil) {
		return Submission{}, ErrNotFound
	}
	if err != nil {
		return Submission{}, fmt.Errorf("claim draft: %w", err)
	}
	fields := map[string]string{}
	for i := 0; i+1 < len(raw); i += 2 {
		fields[raw[i]] = raw[i+1]
	}
	parts := claimedParts(fields)
	content, err := s.draftContent(fields, parts, pseudonym)
	if err != nil {
		return Submission{}, err
	}
	if len(content.Parts) == 0 {
		return Submission{}, ErrEmptyDraft
	}
	content.Language = language
	chars := runes(content) // what the draft counted, before any cut
	// A receipt code pasted in two goes ends one part and starts the
	// next: each part was cut alone as it was added, where neither piece
	// reads as a code. Cut before it is sealed and indexed: the tip must
	// not hold it, nor the blind index its groups.
	codeCut, err := s.cutAcross(ctx, &content)
	if err != nil {
		return Submission{}, err
	}
	if !slices.ContainsFunc(content.Parts, func(p tips.Part) bool {
		return strings.TrimSpace(p.Text) != "" || p.Attachment != nil || p.Location != nil
	}) {
		// Nothing but the code's pieces: no empty tip for investigators,
		// and no receipt for it.
		s.finishDraft(ctx, pseudonym, draftID, parts, chars, storedFiles(content), false)
		return Submission{}, ErrOnlyReceipts
	}
	// The reporter's choice wins; without one, the classifier suggests.
	suggested, confidence := tips.Classify(content.Text())
	category, chosen := tips.ParseCategory(fields["cat"])
	if !chosen {
		category = suggested
	}
	chosen = chosen && fields["cat"] != "" // the reporter chose it
	if err := seq.Err(); err != nil {
		return Submission{}, fmt.Errorf("number tip: %w", err)
	}
	id := strconv.FormatInt(seq.Val(), 10)
	dataKey, wrapped, blob, err := s.sealTip(id, sealedTip{Content: content, Reporter: reporterOf(pseudonym), AcrossCut: true, CodeCut: codeCut})
	if err != nil {
		return Submission{}, err
	}
	// A reporter who allowed questions can be reached, for as long as the
	// tip lives; the route is sealed with the tip's own key.
	var sealedRoute []byte
	if fields["fu"] == "1" {
		if r, err := s.kr.open([]byte(fields["route"]), "route:"+pseudonym); err == nil {
			b, _ := json.Marshal(route{Route: string(r), Language: language})
			if sealedRoute, err = seal(dataKey, b, "route:"+id); err != nil {
				return Submission{}, err
			}
		}
	}
	rc := 0
	if chosen {
		rc = 1
	}
	keys := []string{s.k.tip(id), s.k.triage(), receiptKey, s.k.route(id)}
	var marks []any
	if cl.live {
		// Each sent message marked as in a stored tip for the tip's
		// retention (handledMark), with the tip: delivered again and
		// spooled, it is no second tip at a replay days later. (A
		// spooled message's tip is found by its receipt instead.)
		week := handledWeek(now)
		for _, f := range parts {
			if ev, err := strconv.ParseInt(strings.TrimPrefix(f, "p:"), 10, 64); err == nil && ev != 0 { // (0: no id from the platform)
				bucket, field := s.handledMark(pseudonym, ev)
				keys = append(keys, s.k.handled(week, bucket))
				marks = append(marks, field)
			}
		}
	}
	created, life := now, s.retention // when it was sent: a spooled tip's spooling time (at), if earlier
	if !at.IsZero() && at.Before(now) {
		// Its retention counts from then too, but it is kept a day at least
		// (or the retention, if shorter) however long the outage: it has only just arrived.
		created, life = at, max(s.retention-now.Sub(at), min(s.retention, 24*time.Hour))
	}
	sg := string(suggested)
	if suggested == category {
		sg = "" // read as "c" (openTip)
	}
	args := []any{id, wrapped, blob, string(category), string(tips.StatusNew), created.UnixMilli(), life.Milliseconds(),
		streamMinID(now.Add(-s.retention)), sg, int(confidence * 100), rc, sealedRoute, rawReceiptID(receiptID),
		handledSent, s.handledTTL(now).Milliseconds()}
	args = append(args, marks...)
	pipe := s.rdb.Pipeline()
	// Sent once (sentOnce; the pipeline with it): go-redis's retry of a
	// save that ran, its reply lost, would return the retry's error
	// (LOADING: "never stored"); a lost reply is looked for below.
	save := saveTip.EvalSha(ctx, onceScripter{pipe}, keys, args...)
	// Stored files now live as long as the tip. Should this fail, the tip
	// still says a file was sent; investigators are told it is missing.
	var kept []*redis.BoolCmd
	for _, f := range storedFiles(content) {
		kept = append(kept, pipe.PExpire(ctx, s.k.file(f), s.retention))
	}
	_, _ = pipe.Exec(ctx)
	if isNoScript(save.Err()) {
		save = saveTip.Eval(ctx, onceScripter{s.rdb}, keys, args...)
	}
	prev, err := save.Text()
	if err != nil && ReplyLost(err) {
		// Its reply lost: stored if its receipt now names this tip.
		if got, lerr := s.rdb.Get(ctx, receiptKey).Result(); lerr == nil && got == id {
			prev, err = id, nil
		}
	}
	switch {
	case err == nil && (prev == "" || prev == id):
		// Stored now, under its number. (A save whose answer was lost is
		// sent again by the client, and finds under the receipt the tip
		// it stored itself: not a Send pressed before, whose number, given
		// back, would be drawn again for the next tip, overwriting this one.)
		numbered = true
	case err != nil:
		// (Maybe stored: the number is kept.)
		numbered = true
		return Submission{}, fmt.Errorf("save tip: %w", err)
	default:
		return s.sentBefore(ctx, pseudonym, draftID, prev, receipt), nil
	}
	// The tip is durable: the indexer (indexer.go) picks it up from the
	// triage stream. Should tidying the draft fail, the draft's next Send
	// finds the tip under its receipt and tidies it then (sentBefore), as
	// does the expiry sweeper.
	left := s.finishDraft(ctx, pseudonym, draftID, parts, chars, storedFiles(content), true)
	gone := 0
	for _, k := range kept {
		if ok, err := k.Result(); err == nil && !ok {
			gone++ // no such key: the file expired before Send
		}
	}
	return Submission{TipID: id, Receipt: receipt, Category: category, Left: left, CodeCut: codeCut, FilesGone: gone}, nil
}

// cutAcross takes out of a tip's content the receipt codes of tips
// (stored, or held by the spool: Options.HeldReceipt) that run from one
// part into the next (tips.CutReceiptsAcross). Redis is asked only when a
// code-like word crosses parts; should it fail, so does the Send (the
// draft stays, to be sent again): the tip is not stored with the code.
// It reports whether a code was cut.
func (s *Store) cutAcross(ctx context.Context, c *tips.Content) (bool, error) {
	texts := make([]string, len(c.Parts))
	for i, p := range c.Parts {
		texts[i] = p.Text
	}
	out, cut, err := tips.CutReceiptsAcross(texts, func(codes []string) ([]bool, error) {
		known, err := s.ReceiptsKnown(ctx, codes)
		if err == nil && s.heldReceipt != nil {
			for i, code := range codes {
				known[i] = known[i] || s.heldReceipt(code)
			}
		}
		return known, err
	})
	if err != nil {
		return false, err
	}
	if cut {
		for i := range c.Parts {
			c.Parts[i].Text = out[i]
		}
	}
	return cut, nil
}

// sentBefore answers a Send of a draft already stored as tip id, and
// tidies the draft if that did not happen when it was stored: the tip's
// parts (those claimed) go, any part added after them stays as a new
// draft.
func (s *Store) sentBefore(ctx context.Context, pseudonym, draftID, id, receipt string) Submission {
	sub, _ := s.tidySent(ctx, pseudonym, draftID, id, receipt)
	sub.CodeCut, sub.FilesGone = s.sentNotes(ctx, id) // told with the receipt again, as the first time
	return sub
}

// tidySent is sentBefore, also saying whether the draft was tidied.
func (s *Store) tidySent(ctx context.Context, pseudonym, draftID, id, receipt string) (Submission, bool) {
	sub := Submission{TipID: id, Receipt: receipt, Repeat: true}
	fields, err := s.rdb.HGetAll(ctx, s.k.draft(pseudonym)).Result()
	if err != nil || fields["id"] != draftID {
		return sub, false
	}
	parts := claimedParts(fields)
	if fields["claimed"] == "" {
		// Claimed by the previous version, which did not name the parts:
		// those found in the stored tip went with it.
		if parts, err = s.partsInTip(ctx, fields, parts, pseudonym, id); err != nil {
			return sub, false
		}
	}
	content, err := s.draftContent(fields, parts, pseudonym)
	if err != nil {
		return sub, false
	}
	sub.Left = s.finishDraft(ctx, pseudonym, draftID, parts, runes(content), storedFiles(content), true)
	return sub, true
}

// sentNotes reports what a stored tip's receipt told its reporter:
// whether a receipt code was cut from tip id as it was stored
// (sealedTip.CodeCut), and how many of its stored files are gone (as
// Submission.FilesGone counted them at its Send: they were given the
// tip's life then). Nothing when it cannot be read.
func (s *Store) sentNotes(ctx context.Context, id string) (codeCut bool, filesGone int) {
	v, err := s.rdb.HMGet(ctx, s.k.tip(id), "k", "d").Result()
	if err != nil || len(v) != 2 {
		return false, 0
	}
	k, _ := v[0].(string)
	d, _ := v[1].(string)
	st, _, err := s.openStored(id, map[string]string{"k": k, "d": d})
	if err != nil {
		return false, 0
	}
	if files := storedFiles(st.Content); len(files) > 0 {
		pipe := s.rdb.Pipeline()
		exists := make([]*redis.IntCmd, len(files))
		for i, f := range files {
			exists[i] = pipe.Exists(ctx, s.k.file(f))
		}
		_, _ = pipe.Exec(ctx)
		for _, e := range exists {
			if n, err := e.Result(); err == nil && n == 0 {
				filesGone++
			}
		}
	}
	return st.CodeCut, filesGone
}

// partsInTip returns those of a draft's parts (fields, names) that stored
// tip id holds, each matched once by its content.
func (s *Store) partsInTip(ctx context.Context, fields map[string]string, names []string, pseudonym, id string) ([]string, error) {
	tip, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return nil, err
	}
	st, _, err := s.openStored(id, tip)
	if err != nil {
		return nil, err
	}
	if st.Reporter != reporterOf(pseudonym) && st.Reporter != pseudonym { // (before, a suffixed one)
		return nil, ErrNotFound
	}
	held := map[string]int{}
	for _, p := range st.Content.Parts {
		b, _ := json.Marshal(p)
		held[string(b)]++
	}
	var sent []string
	for _, f := range names {
		c, err := s.draftContent(fields, []string{f}, pseudonym)
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(c.Parts[0])
		if held[string(b)] > 0 {
			held[string(b)]--
			sent = append(sent, f)
		}
	}
	return sent, nil
}

// claimedParts names the fields of the parts a claimed draft's tip holds,
// in the order they arrived; before claims named them, every part.
func claimedParts(fields map[string]string) []string {
	var names []string
	if c, ok := fields["claimed"]; ok {
		names = strings.Split(c, ",")
	} else {
		for f := range fields {
			if strings.HasPrefix(f, "p:") {
				names = append(names, f)
			}
		}
	}
	names = slices.DeleteFunc(names, func(f string) bool { _, ok := fields[f]; return !ok })
	slices.Sort(names)
	return names
}

// hours counts whole hours since 1970: a sent event's expiry.
func hours(t time.Time) int64 { return t.Unix() / 3600 }

// runes counts the characters of a tip's text parts, as drafts count them.
func runes(c tips.Content) int {
	n := 0
	for _, p := range c.Parts {
		n += utf8.RuneCountInString(p.Text)
	}
	return n
}

// finishDraft tidies a sent draft: its sent parts (their fields, "p:…")
// are removed and their events remembered; parts added while it was being
// sent stay, as a new draft that keeps its deadline and its own files
// (files, the sent tip's, leave its list). It returns how many parts
// stayed. It runs even if ctx is cancelled: the tip is stored. inTip
// says the sent parts are in a stored tip (not so when nothing but a
// receipt code's pieces was left to send): their messages are marked
// so (sentMark).
func (s *Store) finishDraft(ctx context.Context, pseudonym, draftID string, sent []string, chars int, files []string, inTip bool) int {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tidyTimeout)
	defer cancel()
	newID := make([]byte, 8)
	_, _ = rand.Read(newID)
	now := s.now()
	var marks []string
	for _, f := range sent {
		if ev, err := strconv.ParseInt(strings.TrimPrefix(f, "p:"), 10, 64); err == nil && inTip {
			marks = append(marks, s.sentMark(pseudonym, ev))
		}
	}
	args := []any{draftID, hours(now.Add(sentMemory)), stateLife(now), hours(now), chars, hex.EncodeToString(newID), strings.Join(files, " "), strings.Join(marks, " ")}
	for _, f := range sent {
		args = append(args, f)
	}
	pipe := s.rdb.Pipeline()
	keys := []string{s.k.draft(pseudonym), s.k.state(pseudonym)}
	res := finishDraft.EvalSha(ctx, pipe, keys, args...)
	pipe.ZRem(ctx, s.k.draftDeadlines(), pseudonym)
	_, _ = pipe.Exec(ctx)
	res = s.uncached(ctx, finishDraft, res, keys, args...)
	left, err := res.Int()
	if err != nil || left != 0 {
		// The draft lives on (or was not this one, or it is not known
		// whether it went): it keeps a deadline (a spare one is dropped
		// by the sweeper).
		s.rdb.ZAdd(ctx, s.k.draftDeadlines(), redis.Z{Score: float64(s.now().Add(s.draftIdle).UnixMilli()), Member: pseudonym})
	}
	return max(left, 0)
}

// tipFields: a tip's hash is a listpack of about 630 bytes for a
// 280-character tip, held in one of jemalloc's size classes (640, then
// 768 bytes): what its fields save is paid in steps of 128 bytes a tip.
// So "rk" holds the receipt's MAC as its 16 raw bytes (rawReceiptID), and
// "sg" (the classifier's category) and "rc" (the reporter chose it) are
// left out while they say nothing more: "sg" equal to "c", "rc" 0. Tips
// stored before hold "rk" in hex (32 characters, or, earlier, the whole
// key name), "sg" always and "rc" as 0 or 1: both are read
// (receiptKeyOf, openTip). An investigator's relabel that changes "c"
// keeps the suggestion in "sg" (decide). "e", the tip's entry in the
// triage stream ("<ms>-<seq>", 17 characters), is held as the bare
// integer (ms - t) * 1000 + seq, "t" the tip's time (a few bytes in the
// listpack, not 17): read back by tipEntry, in Lua and in Go; an entry
// too far from "t" (a spooled tip's), or reopened by decide, is held as
// it is, as tips stored before hold it.

// tipEntryLua holds "e", a tip's entry in the triage stream, short where
// it can (see tipFields): entryField gives what saveTip stores, tipEntry
// reads back the entry id from it or from the full form.
const tipEntryLua = `
-- entryField is entry ("<ms>-<seq>") as a tip's "e" holds it, given its
-- "t" (unix ms): (ms - t) * 1000 + seq, a bare integer, where ms is not
-- before t, seq below 1000 and the integer below 2^31; else entry as is.
local function entryField(entry, t)
  local ms, seq = string.match(entry, '^(%d+)%-(%d+)$')
  if not ms or not tonumber(t) then return entry end
  local n = (tonumber(ms) - tonumber(t)) * 1000 + tonumber(seq)
  if tonumber(seq) >= 1000 or n < 0 or n >= 2147483648 then return entry end
  return string.format('%d', n)
end
-- tipEntry is the triage entry id of the tip at key (false: none), from
-- its "e" in either form (and its "t" for the short one).
local function tipEntry(key)
  local e = redis.call('HGET', key, 'e')
  if not e or string.find(e, '-', 1, true) then return e end
  local n, t = tonumber(e), tonumber(redis.call('HGET', key, 't'))
  if not n or not t then return e end
  return string.format('%.0f-%d', t + math.floor(n / 1000), n % 1000)
end
`

// tipEntry is a tip's entry in the triage stream from its fields: "e",
// held as entryField (tipEntryLua) stores it, a bare integer from "t",
// or, in tips stored before (and reopened ones), the entry id itself; ""
// if none.
func tipEntry(fields map[string]string) string {
	e := fields["e"]
	if e == "" || strings.Contains(e, "-") {
		return e
	}
	n, err := strconv.ParseInt(e, 10, 64)
	t, terr := strconv.ParseInt(fields["t"], 10, 64)
	if err != nil || terr != nil || n < 0 {
		return e
	}
	return strconv.FormatInt(t+n/1000, 10) + "-" + strconv.FormatInt(n%1000, 10)
}

// rawReceiptID is a receipt's MAC (Keyring.receiptID, hex) as the tip's
// "rk" holds it: its 16 bytes.
func rawReceiptID(mac string) string {
	b, err := hex.DecodeString(mac)
	if err != nil || len(b) != rawReceiptLen {
		return mac // (not a MAC: kept as it is, read back the same)
	}
	return string(b)
}

// rawReceiptLen is how long a receipt's raw MAC is: shorter than the hex
// form and the key name older versions stored, so the three never mix.
const rawReceiptLen = 16

// receiptKeyOf names a tip's receipt record from its fields: "rk" holds
// the receipt's MAC (a MAC says nothing by itself), so retention and
// /purge can reach the record: its raw bytes, or, in tips stored before,
// in hex, or earlier the whole key name.
func (s *Store) receiptKeyOf(fields map[string]string) string {
	switch rk := fields["rk"]; {
	case rk == "":
		return ""
	case len(rk) == rawReceiptLen:
		return s.k.receipt(hex.EncodeToString([]byte(rk)))
	case strings.Contains(rk, ":"):
		return rk
	default:
		return s.k.receipt(rk)
	}
}

// isNoScript says whether a script call failed because Redis does not
// have the script cached (after a restart): it is sent again in full.
func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// uncached returns cmd, the result of sc queued by its SHA in a pipeline,
// or, if Redis did not have the script cached, the result of sending the
// script itself now (which caches it).
func (s *Store) uncached(ctx context.Context, sc *redis.Script, cmd *redis.Cmd, keys []string, args ...any) *redis.Cmd {
	if isNoScript(cmd.Err()) {
		return sc.Eval(ctx, s.rdb, keys, args...)
	}
	return cmd
}

// sealTip seals a tip under a fresh data key and wraps that key.
func (s *Store) sealTip(id string, t sealedTip) (dataKey, wrapped, blob []byte, err error) {
	plain, err := encodeSealedTip(t, writeCompactTips)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("encode tip: %w", err)
	}
	dataKey = make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, nil, nil, fmt.Errorf("data key: %w", err)
	}
	if blob, err = seal(dataKey, plain, "tip:"+id); err != nil {
		return nil, nil, nil, err
	}
	if wrapped, err = s.kr.seal(dataKey, "tipkey:"+id); err != nil {
		return nil, nil, nil, err
	}
	return dataKey, wrapped, blob, nil
}

// SealedTipSize is how many bytes a one-part tip of text, sent by
// reporter in language, takes sealed (the tip's blob and its wrapped key),
// as SubmitDraft stores it: what `vigia bench` writes for its raw baseline.
func (s *Store) SealedTipSize(reporter, text, language string) (int, error) {
	content := tips.Content{Parts: []tips.Part{{Text: text}}, Language: language}
	_, wrapped, blob, err := s.sealTip("1000000", sealedTip{Content: content, Reporter: reporterOf(s.Pseudonym("bench", reporter)), AcrossCut: true})
	return len(wrapped) + len(blob), err
}

// Tip returns the tip id, opened, with its history, or ErrNotFound.
func (s *Store) Tip(ctx context.Context, id string) (tips.Tip, error) {
	list, err := s.tipsByID(ctx, []string{id})
	switch {
	case len(list) == 1:
		return list[0], err
	case err != nil:
		return tips.Tip{}, err
	}
	return tips.Tip{}, ErrNotFound
}

// tipsByID opens tips with their history, in one round trip, in order;
// tips that no longer exist are left out.
func (s *Store) tipsByID(ctx context.Context, ids []string) ([]tips.Tip, error) {
	pipe := s.rdb.Pipeline()
	fields := make([]*redis.MapStringStringCmd, len(ids))
	logs := make([]*redis.StringSliceCmd, len(ids))
	routes := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		fields[i] = pipe.HGetAll(ctx, s.k.tip(id))
		logs[i] = pipe.LRange(ctx, s.k.tipLog(id), 0, -1)
		routes[i] = pipe.Exists(ctx, s.k.route(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read tip: %w", err)
	}
	out := make([]tips.Tip, 0, len(ids))
	for i, id := range ids {
		f := fields[i].Val()
		t, err := s.openTip(id, f)
		if errors.Is(err, ErrNotFound) {
			continue // expired or erased meanwhile
		}
		if err != nil {
			if len(ids) == 1 {
				return []tips.Tip{t}, err // the caller decides (a sealed tip)
			}
			return nil, err
		}
		if dataKey, err := s.kr.open([]byte(f["k"]), "tipkey:"+id); err == nil {
			t.History = openHistory(id, dataKey, logs[i].Val())
		}
		t.FollowUp = routes[i].Val() == 1
		out = append(out, t)
	}
	return out, nil
}

// openStored opens a stored tip's sealed content and reporter, and returns
// its data key.
func (s *Store) openStored(id string, fields map[string]string) (sealedTip, []byte, error) {
	var st sealedTip
	dataKey, err := s.kr.open([]byte(fields["k"]), "tipkey:"+id)
	if err != nil {
		return st, nil, fmt.Errorf("unwrap tip %s: %w", id, err)
	}
	plain, err := open(dataKey, []byte(fields["d"]), "tip:"+id)
	if err != nil {
		return st, nil, fmt.Errorf("open tip %s: %w", id, err)
	}
	if err := decodeSealedTip(plain, &st); err != nil {
		return st, nil, fmt.Errorf("decode tip %s: %w", id, err)
	}
	return st, dataKey, nil
}

// suggestedOf is a tip's suggested category: "sg", or, left out, "c"
// (see tipFields).
func suggestedOf(fields map[string]string) string {
	if sg, ok := fields["sg"]; ok {
		return sg
	}
	return fields["c"]
}

func (s *Store) openTip(id string, fields map[string]string) (tips.Tip, error) {
	if fields["k"] == "" {
		return tips.Tip{}, ErrNotFound
	}
	st, dataKey, err := s.openStored(id, fields)
	if err != nil {
		return tips.Tip{}, err
	}
	ms, _ := strconv.ParseInt(fields["t"], 10, 64)
	t := tips.Tip{
		ID:            id,
		Created:       time.UnixMilli(ms),
		Category:      tips.Category(fields["c"]),
		Status:        tips.Status(fields["s"]),
		Priority:      tips.Priority(cmpOr(fields["p"], string(tips.Normal))),
		DuplicateOf:   fields["dup"],
		Content:       st.Content,
		AcrossCut:     st.AcrossCut,
		Suggested:     tips.Category(suggestedOf(fields)),
		NearDuplicate: strings.ReplaceAll(fields["nd"], ",", ", #"),
		Warning:       fields["kind"] == "warning",
	}
	t.Confidence, _ = strconv.Atoi(fields["sx"])
	t.Decision, _ = strconv.ParseInt(fields["dn"], 10, 64)
	t.ReporterChose = fields["rc"] == "1"
	if l := fields["l"]; l != "" {
		if plain, err := open(dataKey, []byte(l), "labels:"+id); err == nil {
			_ = json.Unmarshal(plain, &t.Labels)
		}
	}
	if cw := fields["cw"]; cw != "" && t.Status == tips.StatusClaimed {
		if c, ok := s.openClaimer(cw); ok {
			t.ClaimedBy, t.ClaimedByTag = c.Name, c.Tag
		}
		if ca, err := strconv.ParseInt(fields["ca"], 10, 64); err == nil {
			t.ClaimedAt = time.UnixMilli(ca)
		}
	}
	if oq := fields["oq"]; oq != "" {
		if plain, err := open(dataKey, []byte(oq), "question:"+id); err == nil {
			t.OpenQuestion = string(plain)
		}
	}
	return t, nil
}

// Recent returns up to n of the newest tips, newest first.
func (s *Store) Recent(ctx context.Context, n int) ([]tips.Tip, error) {
	list, _, err := s.Latest(ctx, time.Time{}, "", n)
	return list, err
}

// MaxExamined is how many tips one search examines at most: a broader
// one must be narrowed.
const MaxExamined = maxCandidates

// Latest returns up to n tips created since `since`, in category if set,
// newest first: a search by its filters alone. Like Search, it examines
// at most MaxExamined tips, the newest on the triage stream; cut says it
// stopped there short of n, older tips unexamined. (The stream's entry
// ids are Redis's clock when each tip arrived, not the tip's time: a
// spooled tip arrives late, and clocks differ; each tip's own time
// decides.)
func (s *Store) Latest(ctx context.Context, since time.Time, category tips.Category, n int) (list []tips.Tip, cut bool, err error) {
	var out []tips.Tip
	seen := map[string]bool{}
	from := "+"
	const page = 200
	for scanned := 0; len(out) < n && scanned < maxCandidates; {
		size := min(page, maxCandidates-scanned)
		if scanned == 0 {
			size = min(size, n+10) // most lists are short and unfiltered
		}
		entries, err := s.rdb.XRevRangeN(ctx, s.k.triage(), from, "-", int64(size)).Result()
		if err != nil {
			return nil, false, fmt.Errorf("latest tips: %w", err)
		}
		if len(entries) == 0 {
			return out, false, nil
		}
		from = "(" + entries[len(entries)-1].ID
		scanned += len(entries)
		var ids []string
		for _, e := range entries {
			id, _ := e.Values["id"].(string)
			if _, reopened := e.Values["r"]; !reopened && id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		found, err := s.pickTips(ctx, ids, since, category, n-len(out), nil)
		if err != nil {
			return nil, false, err
		}
		out = append(out, found...)
	}
	return out, len(out) < n, nil
}

// ReceiptsKnown reports, in one round trip, which of the codes are the
// receipts of stored tips.
func (s *Store) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, len(codes))
	for i, c := range codes {
		mac := s.kr.receiptID(c)
		cmds[i] = pipe.Exists(ctx, s.k.receipt(mac), s.k.receiptNoTip(mac))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("find receipts: %w", err)
	}
	known := make([]bool, len(codes))
	for i, c := range cmds {
		known[i] = c.Val() > 0
	}
	return known, nil
}

// NoTip is why a receipt given in an outage leads to no tip (see
// Spool.Replay), for its /status to say so, not that no tip matches; ""
// for a receipt that does lead to one, or to nothing known.
type NoTip string

const (
	// NoTipCodes: the message held receipt codes alone.
	NoTipCodes NoTip = "1" // as earlier versions marked every one
	// NoTipBlank: the message showed nothing (spaces or invisible
	// characters alone).
	NoTipBlank NoTip = "blank"
	// NoTipSent: the message had gone out already in a tip sent from the
	// reporter's draft, where it is kept (the platform delivered it again).
	NoTipSent NoTip = "sent"
	// NoTipAnswer: the message went to the investigators as the
	// reporter's answer to their question: already (the platform
	// delivered it again after a restart, and the outage spooled it), or
	// at the replay (the Answer pressed before it, forgotten by a
	// restart; Spool.RouteWith).
	NoTipAnswer NoTip = "answer"
	// NoTipTeam: the message was a team member's, which goes to their
	// draft as any of their messages, never straight into the queue as
	// an anonymous reporter's tip (Spool.RouteWith).
	NoTipTeam NoTip = "team"
)

// ReceiptNoTip reports why receipt, given for a message spooled in an
// outage, leads to no tip since the replay (NoTip), or "".
func (s *Store) ReceiptNoTip(ctx context.Context, receipt string) (NoTip, error) {
	v, err := s.rdb.Get(ctx, s.k.receiptNoTip(s.kr.receiptID(receipt))).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find receipt: %w", err)
	}
	switch NoTip(v) {
	case NoTipBlank, NoTipSent, NoTipAnswer, NoTipTeam:
		return NoTip(v), nil
	}
	return NoTipCodes, nil
}

// markReceiptNoTip records why receipt leads to no tip (ReceiptNoTip),
// for as long as a tip would be kept.
func (s *Store) markReceiptNoTip(ctx context.Context, receipt string, why NoTip) error {
	if err := s.rdb.Set(ctx, s.k.receiptNoTip(s.kr.receiptID(receipt)), string(why), s.retention).Err(); err != nil {
		return fmt.Errorf("receipt without a tip: %w", err)
	}
	return nil
}

// TipByReceipt returns the tip a receipt code was given for, or ErrNotFound.
// The code must be in canonical form (tips.NormalizeReceipt).
func (s *Store) TipByReceipt(ctx context.Context, receipt string) (tips.Tip, error) {
	id, err := s.rdb.Get(ctx, s.k.receipt(s.kr.receiptID(receipt))).Result()
	if errors.Is(err, redis.Nil) {
		return tips.Tip{}, ErrNotFound
	}
	if err != nil {
		return tips.Tip{}, fmt.Errorf("find receipt: %w", err)
	}
	return s.Tip(ctx, id)
}

// streamMinID is a stream's trim point t (MINID) in unix milliseconds:
// 0 for a time before 1970 (a retention reaching back that far, as the
// configuration allows), which no stream id can be; Redis refuses a
// negative one, and with it the command that trims.
func streamMinID(t time.Time) int64 { return max(t.UnixMilli(), 0) }
