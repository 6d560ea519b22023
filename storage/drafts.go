package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// ErrDraftFull is returned when a part would take a draft past its limits.
var ErrDraftFull = errors.New("draft is full")

// sendingGrace is how long a draft being sent is safe from expiry; after
// that a crash mid-send is assumed and the draft expires normally.
const sendingGrace = 2 * time.Minute

// draftSafety keeps an expired draft around after its deadline, so the
// sweeper can still tell the reporter; after that Redis drops it anyway.
const draftSafety = 24 * time.Hour

// Draft summarises a reporter's unsent draft. Its content stays sealed.
type Draft struct {
	ID       string
	Category tips.Category
	Parts    int
	Chars    int
	// FollowUp is true if the reporter allows questions about the tip.
	FollowUp bool
	// WipeUntold is set, by AddToDraft, where the reporter scheduled a
	// chat wipe that may still be to come (ScheduleWipe notes it on their
	// state) and this draft was not yet told of it (DraftWipeTold): a
	// wipe discards an unsent draft. ChatWipeDue says whether and when.
	WipeUntold bool
}

// DraftPart is one message to add to a draft.
type DraftPart struct {
	// EventID is the platform's id for the update that carried the part; a
	// redelivered update overwrites its own part instead of adding another.
	EventID int64
	// Route is where to reach the reporter (their chat); it is sealed.
	Route string
	// Language is the reporter's language, used to tell them if it expires.
	Language string
	Part     tips.Part
	// MaxParts and MaxChars bound the draft; 0 means no bound.
	MaxParts, MaxChars int
	// Limit, if set, is the reporter's rate limit on parts, counted in the
	// same step, for the reporter (its Subject is not used): over it, the
	// part is not added and AddToDraft returns a *LimitError.
	Limit *Limit
}

// addPart adds a sealed part to the reporter's draft, starting the draft
// (with id ARGV[1]) if there is none, once the rate limit (ARGV[12…15],
// if set) allows it. The id of the file the part holds (ARGV[16], if
// any: a random id, no content) joins the draft's list of its files. It
// returns {id, parts, chars, category, follow-up, files, wipe}, wipe "1"
// where the reporter's state notes a chat wipe that may still be to come
// ("x:w", noteWipe) and the draft was not told of it ("ww",
// DraftWipeTold); or -2 if the draft is full, -3 if the event already
// went out in a sent tip, -4 or -5 over the limit (the first time, and
// later). A new draft notes when it began ("born"); the first new part of
// a draft being sent ("sending") notes when the draft it will leave
// began ("lb": finishDraft makes it that draft's "born"). The state's
// marks (the event sent, the floor, "x:w") are not read where the count
// has just listed the state's fields and none of them is there. Where
// the state holds a wipe's mark ("wu", sealed: MarkWiped) it answers
// {mark}, for AddToDraft to say whether the event is from before that
// wipe, unless ARGV[17] is that mark (the event is after it: it then
// notes the first such event, "wa", and asks no more for an event from
// it on).
var addPart = redis.NewScript(countEvent + sentEvent + `
if ARGV[12] ~= '' then
  local ok = count(KEYS[2], ARGV[12], ARGV[13], ARGV[14], ARGV[15])
  if ok ~= 1 then return ok - 4 end
end
local want = {['x:' .. event('p:' .. ARGV[11])] = true, floor = true, ['x:w'] = true, wu = true} -- the floor kept by earlier versions
local st = {}
if counted then -- the count read the state's fields: none of these, nothing to read
  for _, f in ipairs(counted) do
    if want[f] then counted = nil break end
  end
end
if not counted then st = redis.call('HMGET', KEYS[2], 'x:' .. event('p:' .. ARGV[11]), 'floor', 'x:w', 'wu', 'wa') end
if st[1] then return -3 end
if st[2] and ARGV[11] <= st[2] then return -3 end
if st[4] and st[4] ~= ARGV[17] and not (st[5] and ARGV[11] >= st[5]) then return {st[4]} end -- a wipe's mark, sealed: is the event after it?
local d = redis.call('HMGET', KEYS[1], 'id', 'n', 'chars', 'cat', 'fu', ARGV[2], 'files', 'ww', 'sending', 'lb', 'claimed', 'born')
local id = d[1] or ARGV[1]
local n = tonumber(d[2] or '0')
local chars = tonumber(d[3] or '0')
if not d[6] then
  local maxParts, maxChars = tonumber(ARGV[8]), tonumber(ARGV[9])
  if (maxParts > 0 and n + 1 > maxParts) or (maxChars > 0 and chars + tonumber(ARGV[4]) > maxChars) then
    return -2
  end
  n = n + 1
  chars = chars + tonumber(ARGV[4])
end
local set = {'id', id, ARGV[2], ARGV[3], 'n', n, 'chars', chars, 'seen', ARGV[5], 'route', ARGV[6], 'lang', ARGV[7]}
if not d[1] then -- a new draft: when it began too (DropDraftBefore)
  set[#set + 1] = 'born'; set[#set + 1] = ARGV[5]
elseif d[9] and not d[6] and not d[10] then -- the first part since its Send: when the draft it leaves begins (finishDraft)
  local claimed = 0
  if d[11] and d[11] ~= '' then claimed = select(2, string.gsub(d[11], ',', ',')) + 1 end
  if n - 1 > claimed then -- a part came since, added by an earlier version, which did not say when: born as the sent draft
    set[#set + 1] = 'lb'; set[#set + 1] = d[12] or '0'
  else
    set[#set + 1] = 'lb'; set[#set + 1] = ARGV[5]
  end
end
redis.call('HSET', KEYS[1], unpack(set))
redis.call('PEXPIRE', KEYS[1], ARGV[10])
local files = d[7] or ''
if ARGV[16] ~= '' and not string.find(' ' .. files .. ' ', ' ' .. ARGV[16] .. ' ', 1, true) then
  files = (files == '' and ARGV[16]) or (files .. ' ' .. ARGV[16])
  redis.call('HSET', KEYS[1], 'files', files)
end
if st[4] and st[4] == ARGV[17] and (not st[5] or ARGV[11] < st[5]) then redis.call('HSET', KEYS[2], 'wa', ARGV[11]) end
local wipe = ''
if st[3] and not d[8] and tonumber(st[3]) >= math.floor(tonumber(ARGV[5]) / 3600000) then wipe = '1' end
return {id, n, chars, d[4] or '', d[5] or '', files, wipe}`)

// ErrDuplicateEvent is returned for a redelivered platform event that is
// already part of a sent tip; it must not start a new draft.
var ErrDuplicateEvent = errors.New("event already sent")

// ErrWipedEvent is returned for a platform event from before a wipe of
// its reporter's chat (MarkWiped) that reaches the draft after the wipe
// discarded it (a replica handling it late, a copy delivered again): it
// is discarded with that draft, not the start of a new one. It is an
// ErrDuplicateEvent: gone already.
var ErrWipedEvent = fmt.Errorf("%w: its chat was wiped since", ErrDuplicateEvent)

// AddToDraft adds one part to the reporter's draft, starting a draft if
// there is none. It is idempotent per EventID. Its write is sent once,
// not retried: an error after it was sent (a timeout, the connection
// closed) means the part may be in the draft all the same; one before
// (refused, a dial failure, no connection free) that it is not.
func (s *Store) AddToDraft(ctx context.Context, pseudonym string, p DraftPart) (Draft, error) {
	idb := make([]byte, 8)
	if _, err := rand.Read(idb); err != nil {
		return Draft{}, fmt.Errorf("draft id: %w", err)
	}
	plain, err := json.Marshal(p.Part)
	if err != nil {
		return Draft{}, fmt.Errorf("encode part: %w", err)
	}
	sealedPart, err := s.kr.seal(plain, "part:"+pseudonym)
	if err != nil {
		return Draft{}, err
	}
	sealedRoute, err := s.kr.seal([]byte(p.Route), "route:"+pseudonym)
	if err != nil {
		return Draft{}, err
	}
	now := s.now()
	// The deadline goes first (one round trip, in order): a draft must never
	// exist without one, or it would vanish without the reporter being told.
	keys := []string{s.k.draft(pseudonym), s.k.state(pseudonym)}
	args := []any{hex.EncodeToString(idb), partField(p.EventID), sealedPart, len([]rune(p.Part.Text)), now.UnixMilli(),
		sealedRoute, p.Language, p.MaxParts, p.MaxChars, (s.draftIdle + draftSafety).Milliseconds(), eventKey(p.EventID)}
	args = append(args, s.limitArgs(p.Limit)...) // counted on KEYS[2]
	fileID := ""
	if a := p.Part.Attachment; a != nil && a.Platform == tips.Stored {
		fileID, _, _ = parseFileRef(a.FileRef)
	}
	args = append(args, fileID, "")
	// Sent once (sentOnce): an error says whether the part may have been
	// added all the same (its reply lost), which go-redis's retry of it
	// would hide behind the retry's refusal.
	pipe := s.rdb.Pipeline()
	deadline := pipe.ZAdd(ctx, s.k.draftDeadlines(), redis.Z{Score: float64(now.Add(s.draftIdle).UnixMilli()), Member: pseudonym})
	add := addPart.EvalSha(ctx, onceScripter{pipe}, keys, args...)
	_, _ = pipe.Exec(ctx)
	if err := deadline.Err(); err != nil {
		return Draft{}, fmt.Errorf("draft deadline: %w", err)
	}
	if isNoScript(add.Err()) {
		add = addPart.Eval(ctx, onceScripter{s.rdb}, keys, args...)
	}
	res, err := add.Result()
	for range 3 { // (again only where another wipe marked the state meanwhile)
		v, ok := res.([]any)
		if err != nil || !ok || len(v) != 1 {
			break
		}
		// The reporter wiped their chat (MarkWiped), and the script cannot
		// read up to which event: a part from before the wipe is
		// discarded with it, not the start of a new draft; one from after
		// it is added, the mark passed back as read (the limit counted
		// already).
		mark, _ := v[0].(string)
		if m, err := s.openWipedMark(pseudonym, []byte(mark)); err == nil && p.EventID <= m.Event {
			return Draft{}, ErrWipedEvent
		}
		args[16] = mark
		copy(args[11:15], s.limitArgs(nil))
		res, err = addPart.Run(ctx, onceScripter{s.rdb}, keys, args...).Result()
	}
	if err != nil {
		return Draft{}, fmt.Errorf("add to draft: %w", err)
	}
	switch v := res.(type) {
	case int64:
		if err := limitResult(v); err != nil {
			return Draft{}, err
		}
		if v == -2 {
			return Draft{}, ErrDraftFull
		}
		return Draft{}, ErrDuplicateEvent
	case []any:
		if len(v) == 7 {
			d := Draft{}
			d.ID, _ = v[0].(string)
			n, _ := v[1].(int64)
			c, _ := v[2].(int64)
			cat, _ := v[3].(string)
			fu, _ := v[4].(string)
			wipe, _ := v[6].(string)
			d.Parts, d.Chars, d.Category, d.FollowUp, d.WipeUntold = int(n), int(c), tips.Category(cat), fu == "1", wipe == "1"
			files, _ := v[5].(string)
			// The part is kept: should this fail, its Send tells the
			// reporter of a file gone (Submission.FilesGone).
			_ = s.keepFiles(ctx, strings.Fields(files))
			return d, nil
		}
	}
	return Draft{}, fmt.Errorf("add to draft: unexpected reply %T", res)
}

// keepFiles has the draft's stored files (by id) live as long as the
// draft does from now, as its part was just added: each lives a draft's
// life from when it was stored (PutFile), and a draft kept open by new
// parts would otherwise lose its first files before Send. Should this
// fail, the part is kept all the same (it is in the draft): the Send
// tells the reporter of a file gone (Submission.FilesGone). It only ever
// lengthens a file's life (GT): a part added while its draft is being
// sent may land after the Send gave the draft's files the tip's life.
func (s *Store) keepFiles(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	for _, id := range ids {
		pipe.ExpireGT(ctx, s.k.file(id), s.draftIdle+draftSafety)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("keep draft files: %w", err)
	}
	return nil
}

// eventSent returns 1 if the event (ARGV[1], an eventKey) already went
// out in a sent tip, as addPart tells it.
var eventSent = redis.NewScript(sentEvent + `
if redis.call('HEXISTS', KEYS[1], 'x:' .. event('p:' .. ARGV[1])) == 1 then return 1 end
local floor = redis.call('HGET', KEYS[1], 'floor')
if floor and ARGV[1] <= floor then return 1 end
return 0`)

// EventSent reports whether a redelivered platform event already went out
// in a sent tip (AddToDraft would return ErrDuplicateEvent): asked before
// what it carries is stored, so that a redelivery stores nothing.
func (s *Store) EventSent(ctx context.Context, pseudonym string, eventID int64) (bool, error) {
	n, err := eventSent.Run(ctx, s.rdb, []string{s.k.state(pseudonym)}, eventKey(eventID)).Int()
	if err != nil {
		return false, fmt.Errorf("event sent: %w", err)
	}
	return n == 1, nil
}

// DraftFileRef returns the reference of the file kept in the reporter's
// open draft from the platform event eventID, or ErrNotFound (no such
// part, no stored file in it, or the file gone): a redelivered message
// whose part is still in the draft reuses its file, and stores no second
// copy that nothing would point to once the part is overwritten.
func (s *Store) DraftFileRef(ctx context.Context, pseudonym string, eventID int64) (string, error) {
	f := partField(eventID)
	sealed, err := s.rdb.HGet(ctx, s.k.draft(pseudonym), f).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("draft part: %w", err)
	}
	c, err := s.draftContent(map[string]string{f: sealed}, []string{f}, pseudonym)
	if err != nil {
		return "", err
	}
	ids := storedFiles(c)
	if len(ids) != 1 {
		return "", ErrNotFound
	}
	n, err := s.rdb.Exists(ctx, s.k.file(ids[0])).Result()
	if err != nil {
		return "", fmt.Errorf("draft file: %w", err)
	}
	if n == 0 {
		return "", ErrNotFound
	}
	return c.Parts[0].Attachment.FileRef, nil
}

// eventKey renders an event id so that string order is numeric order (Lua
// numbers are doubles and would round large platform ids).
func eventKey(eventID int64) string { return fmt.Sprintf("%019d", eventID) }

func partField(eventID int64) string { return "p:" + eventKey(eventID) }

// Draft returns the reporter's current draft, or ErrNotFound.
func (s *Store) Draft(ctx context.Context, pseudonym string) (Draft, error) {
	v, err := s.rdb.HMGet(ctx, s.k.draft(pseudonym), "id", "cat", "n", "chars", "fu").Result()
	if err != nil {
		return Draft{}, fmt.Errorf("get draft: %w", err)
	}
	return draftOf(v)
}

// DraftWithPart returns the reporter's current draft and whether the
// part of platform event eventID is in it, in one read: a part whose
// write's reply was lost (the script ran, the client saw a timeout) is
// found there, or not. No draft: ErrNotFound (the part is in none).
func (s *Store) DraftWithPart(ctx context.Context, pseudonym string, eventID int64) (Draft, bool, error) {
	// HEXISTS and the summary in one round trip: the part stays where it
	// is (sealed, and not needed).
	pipe := s.rdb.Pipeline()
	part := pipe.HExists(ctx, s.k.draft(pseudonym), partField(eventID))
	sum := pipe.HMGet(ctx, s.k.draft(pseudonym), "id", "cat", "n", "chars", "fu")
	if _, err := pipe.Exec(ctx); err != nil {
		return Draft{}, false, fmt.Errorf("draft part: %w", err)
	}
	d, err := draftOf(sum.Val())
	if err != nil {
		return Draft{}, false, err
	}
	return d, part.Val(), nil
}

// draftOf reads a draft's summary from the values of its fields id,
// cat, n, chars and fu, or ErrNotFound if it has no id.
func draftOf(v []any) (Draft, error) {
	id, _ := v[0].(string)
	if id == "" {
		return Draft{}, ErrNotFound
	}
	d := Draft{ID: id}
	if c, ok := v[1].(string); ok {
		d.Category = tips.Category(c)
	}
	if n, ok := v[2].(string); ok {
		d.Parts, _ = strconv.Atoi(n)
	}
	if c, ok := v[3].(string); ok {
		d.Chars, _ = strconv.Atoi(c)
	}
	d.FollowUp = v[4] == "1"
	return d, nil
}

// SetDraftFollowUp records whether the reporter lets investigators ask
// them questions about this draft's tip (through the bot, anonymously).
func (s *Store) SetDraftFollowUp(ctx context.Context, pseudonym, draftID string, allow bool) error {
	v := "0"
	if allow {
		v = "1"
	}
	ok, err := setIfDraft.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, draftID, "fu", v).Int()
	if err != nil {
		return fmt.Errorf("set follow-up: %w", err)
	}
	if ok == 0 {
		return ErrNotFound
	}
	return nil
}

// DraftWipeTold records that the reporter was told that a chat wipe they
// scheduled will discard their draft draftID unless it is sent before
// then: AddToDraft does not set WipeUntold for this draft again. It
// fails with ErrNotFound if that draft is gone.
func (s *Store) DraftWipeTold(ctx context.Context, pseudonym, draftID string) error {
	ok, err := setIfDraft.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, draftID, "ww", "1").Int()
	if err != nil {
		return fmt.Errorf("draft wipe told: %w", err)
	}
	if ok == 0 {
		return ErrNotFound
	}
	return nil
}

// setIfDraft sets a field of the draft whose id is ARGV[1].
var setIfDraft = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1`)

// SetDraftCategory records the category the reporter picked for the draft
// draftID. It fails with ErrNotFound if that draft is gone.
func (s *Store) SetDraftCategory(ctx context.Context, pseudonym, draftID string, c tips.Category) error {
	ok, err := setIfDraft.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, draftID, "cat", string(c)).Int()
	if err != nil {
		return fmt.Errorf("set category: %w", err)
	}
	if ok == 0 {
		return ErrNotFound
	}
	return nil
}

// delIfDraft deletes the draft if its id is ARGV[1].
var delIfDraft = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`)

// zremIfDue removes a member of the deadlines set only if its deadline has
// passed, so a draft started meanwhile keeps its own deadline.
var zremIfDue = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1`)

// DiscardDraft deletes the draft draftID. It fails with ErrNotFound if that
// draft is gone already.
func (s *Store) DiscardDraft(ctx context.Context, pseudonym, draftID string) error {
	n, err := delIfDraft.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, draftID).Int()
	if err != nil {
		return fmt.Errorf("discard draft: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return s.rdb.ZRem(ctx, s.k.draftDeadlines(), pseudonym).Err()
}

// dropDraftBefore deletes draft KEYS[1] unless it began after ARGV[1] (ms).
var dropDraftBefore = redis.NewScript(`
local born = redis.call('HGET', KEYS[1], 'born')
if born and tonumber(born) > tonumber(ARGV[1]) then return 0 end
return redis.call('DEL', KEYS[1])`)

// DropDraftBefore discards the reporter's draft if it began at or before t
// (a draft of the previous version, which did not say, counts as before):
// what a wipe at t could not discard then, and not a draft begun since.
// A draft left after a Send (parts that came while it ran) began with
// its own first part, not with the draft sent.
func (s *Store) DropDraftBefore(ctx context.Context, pseudonym string, t time.Time) (bool, error) {
	n, err := dropDraftBefore.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, t.UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("drop draft: %w", err)
	}
	return n == 1, nil
}

// DropDraft deletes the reporter's unsent draft, whatever its id, and
// reports whether there was one: a chat wipe discards what the reporter
// was writing, which was never received. Its deadline is left to the
// sweeper, which drops it without a word once it finds no draft (it may
// belong to a draft started after the wipe by then). A Send already under
// way keeps the parts it claimed and stores its tip all the same.
//
// Where upTo is not 0 (a wipe from the platform event upTo, marked
// before: MarkWiped), only the parts of events up to it go: one from a
// later event, which another replica added to the draft before this
// drop, is the reporter's next message, kept as a new draft of its own
// (a part from an earlier event that comes after the drop is refused,
// AddToDraft, as the mark is there). The parts that go are read first
// (their characters and files leave the draft's counts): none of them can
// come in meanwhile, the mark being there already.
func (s *Store) DropDraft(ctx context.Context, pseudonym string, upTo int64) (bool, error) {
	args := []any{"", 0, "", "", s.now().UnixMilli()} // the whole draft
	if upTo != 0 {
		all, err := s.rdb.HGetAll(ctx, s.k.draft(pseudonym)).Result()
		if err != nil {
			return false, fmt.Errorf("drop draft: %w", err)
		}
		args[0] = eventKey(upTo)
		chars, files := 0, []string{}
		for f, v := range all {
			if !strings.HasPrefix(f, "p:") || f[2:] > eventKey(upTo) {
				continue
			}
			c, err := s.draftContent(map[string]string{f: v}, []string{f}, pseudonym)
			if err != nil {
				args[0] = "" // not to be counted: the whole draft goes, as before
				break
			}
			chars += runes(c)
			files = append(files, storedFiles(c)...)
		}
		idb := make([]byte, 8)
		if _, err := rand.Read(idb); err != nil {
			return false, fmt.Errorf("draft id: %w", err)
		}
		args[1], args[2], args[3] = chars, strings.Join(files, " "), hex.EncodeToString(idb)
	}
	n, err := dropParts.Run(ctx, s.rdb, []string{s.k.draft(pseudonym)}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("drop draft: %w", err)
	}
	return n == 1, nil
}

// dropParts drops the parts of draft KEYS[1] of events up to ARGV[1] (an
// eventKey; all of them if it is empty), and answers 1 if it dropped any.
// Parts of later events stay, as a new draft (id ARGV[4], begun at
// ARGV[5]), not told of a wipe, with no category, follow-up choice nor
// Send under way; the dropped parts' characters (ARGV[2]) and files
// (ARGV[3], ids) leave its counts.
var dropParts = redis.NewScript(`
local d = redis.call('HMGET', KEYS[1], 'id', 'chars', 'files')
if not d[1] then return 0 end
local drop, kept = {}, 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'p:' then
    if ARGV[1] == '' or string.sub(f, 3) <= ARGV[1] then drop[#drop + 1] = f else kept = kept + 1 end
  end
end
if kept == 0 then return redis.call('DEL', KEYS[1]) end
if #drop == 0 then return 0 end
for i = 1, #drop, 1000 do redis.call('HDEL', KEYS[1], unpack(drop, i, math.min(i + 999, #drop))) end
local gone, files = {}, {}
for f in string.gmatch(ARGV[3], '%S+') do gone[f] = true end
for f in string.gmatch(d[3] or '', '%S+') do
  if not gone[f] then files[#files + 1] = f end
end
redis.call('HSET', KEYS[1], 'id', ARGV[4], 'n', kept, 'chars', math.max(tonumber(d[2] or '0') - tonumber(ARGV[2]), 0), 'born', ARGV[5])
redis.call('HDEL', KEYS[1], 'sending', 'cat', 'fu', 'claimed', 'rk', 'ww', 'lb')
if #files == 0 then redis.call('HDEL', KEYS[1], 'files') else redis.call('HSET', KEYS[1], 'files', table.concat(files, ' ')) end
return 1`)

// draftContent opens the parts named (fields of a draft), in order.
func (s *Store) draftContent(fields map[string]string, names []string, pseudonym string) (tips.Content, error) {
	var c tips.Content
	for _, f := range names {
		plain, err := s.kr.open([]byte(fields[f]), "part:"+pseudonym)
		if err != nil {
			return tips.Content{}, fmt.Errorf("open draft part: %w", err)
		}
		var p tips.Part
		if err := json.Unmarshal(plain, &p); err != nil {
			return tips.Content{}, fmt.Errorf("decode draft part: %w", err)
		}
		c.Parts = append(c.Parts, p)
	}
	return c, nil
}

// tidyIfSent tidies the reporter's draft id if it was stored as a tip (rk
// is its receipt's MAC, "" for a draft claimed by an earlier version: then
// derived as Send derives it). It reports whether the tip is stored; if it
// is and the draft could not be tidied, it keeps a deadline, to be tried
// again.
func (s *Store) tidyIfSent(ctx context.Context, pseudonym, draftID, rk string) (bool, error) {
	if rk == "" {
		code, err := tips.NewReceipt(bytes.NewReader(s.kr.receiptCode(pseudonym, draftID)))
		if err != nil {
			return false, err
		}
		rk = s.kr.receiptID(code)
	}
	id, err := s.rdb.Get(ctx, s.k.receipt(rk)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sent draft: %w", err)
	}
	if _, tidied := s.tidySent(ctx, pseudonym, draftID, id, ""); !tidied {
		deadline := float64(s.now().Add(s.draftIdle).UnixMilli())
		if err := s.rdb.ZAdd(ctx, s.k.draftDeadlines(), redis.Z{Score: deadline, Member: pseudonym}).Err(); err != nil {
			return true, fmt.Errorf("reschedule draft: %w", err)
		}
	}
	return true, nil
}

// ExpiredDraft is a draft the sweeper dropped, with where to tell its reporter.
type ExpiredDraft struct {
	Route     string
	Language  string // the draft's (the reporter's when they last wrote)
	Pseudonym string
}

// expireDraft drops the draft if it has been idle since ARGV[1] or earlier;
// it returns {id, route, lang}, or the time to count the idle period from
// if it is alive (or being sent right now), or false if there is no draft.
// A draft whose send began before ARGV[2] may have been stored: unless
// ARGV[4] is set (it was not), it is kept and {id, receipt MAC}
// returned, to be checked. A draft every part of which the reporter's state KEYS[2]
// remembers as sent (a "ghost": each part was spooled as a tip of its own
// while Redis hung, and its draft write ran when Redis resumed) is
// dropped and {id} returned: nothing unsent was lost, so no notice.
var expireDraft = redis.NewScript(sentEvent + `
local v = redis.call('HMGET', KEYS[1], 'id', 'seen', 'route', 'lang', 'sending')
if not v[1] then return false end
local seen = tonumber(v[2] or '0')
if seen > tonumber(ARGV[1]) then return seen end
if v[5] and tonumber(v[5]) > tonumber(ARGV[2]) then return tonumber(ARGV[3]) end
if v[5] and ARGV[4] ~= '1' then return {v[1], redis.call('HGET', KEYS[1], 'rk') or ''} end
local unsent = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'p:' and redis.call('HEXISTS', KEYS[2], 'x:' .. event(f)) == 0 then unsent = unsent + 1 end
end
redis.call('DEL', KEYS[1])
if unsent == 0 then return {v[1]} end
return {v[1], v[3] or '', v[4] or ''}`)

// ExpireDrafts drops up to max drafts idle for longer than DraftIdle and
// returns where to tell their reporters. Call it periodically.
func (s *Store) ExpireDrafts(ctx context.Context, max int) ([]ExpiredDraft, error) {
	now := s.now()
	due, err := s.rdb.ZRangeByScore(ctx, s.k.draftDeadlines(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: int64(max),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("due drafts: %w", err)
	}
	var out []ExpiredDraft
	for _, p := range due {
		args := []any{now.Add(-s.draftIdle).UnixMilli(), now.Add(-sendingGrace).UnixMilli(), now.UnixMilli(), ""}
		keys := []string{s.k.draft(p), s.k.state(p)}
		res, err := expireDraft.Run(ctx, s.rdb, keys, args...).Result()
		if v, ok := res.([]any); ok && len(v) == 2 {
			// Its send began and did not finish: if the tip is stored,
			// the draft is tidied (any later part stays, with a new
			// deadline) or, failing that, left for the next sweep; only
			// if it is not stored does it expire.
			id, _ := v[0].(string)
			rk, _ := v[1].(string)
			if stored, err := s.tidyIfSent(ctx, p, id, rk); err != nil {
				return out, err
			} else if stored {
				continue
			}
			args[3] = "1"
			res, err = expireDraft.Run(ctx, s.rdb, keys, args...).Result()
		}
		switch {
		case errors.Is(err, redis.Nil):
			// no draft any more: just drop the deadline below
		case err != nil:
			return out, fmt.Errorf("expire draft: %w", err)
		default:
			if seen, ok := res.(int64); ok {
				deadline := time.UnixMilli(seen).Add(s.draftIdle)
				if err := s.rdb.ZAdd(ctx, s.k.draftDeadlines(), redis.Z{Score: float64(deadline.UnixMilli()), Member: p}).Err(); err != nil {
					return out, fmt.Errorf("reschedule draft: %w", err)
				}
				continue
			}
			v, _ := res.([]any)
			if len(v) == 3 {
				sealedRoute, _ := v[1].(string)
				lang, _ := v[2].(string)
				if route, err := s.kr.open([]byte(sealedRoute), "route:"+p); err == nil {
					out = append(out, ExpiredDraft{Route: string(route), Language: lang, Pseudonym: p})
				}
			}
		}
		if err := zremIfDue.Run(ctx, s.rdb, []string{s.k.draftDeadlines()}, p, now.UnixMilli()).Err(); err != nil {
			return out, fmt.Errorf("drop draft deadline: %w", err)
		}
	}
	return out, nil
}
