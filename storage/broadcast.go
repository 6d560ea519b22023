package storage

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// Community warnings: subscriptions, publication approvals and a
// persistent broadcast queue. Chat ids are sealed; keys carry MACs.

// Subscription is a community chat that receives published warnings.
type Subscription struct {
	Key      string   `json:"-"`
	Platform string   `json:"p"`
	Chat     string   `json:"c"`
	Language string   `json:"l"`
	Regions  []string `json:"r,omitempty"`
	// RegionWords says how Regions were read: 0 before words ran across
	// the marks of Indic scripts ("दिल्ली" kept as "द लल", see
	// tips.PastWords), regionWordsNow since (tips.Words).
	RegionWords int       `json:"w,omitempty"`
	Active      bool      `json:"a"`
	Since       time.Time `json:"s"`
}

// regionWordsNow is Subscription.RegionWords of a subscription made now.
const regionWordsNow = 1

func (s *Store) subKey(platform, chat string) string {
	return s.kr.indexMAC("sub\x00" + platform + "\x00" + chat)
}

// Subscribe adds or updates a community subscription.
func (s *Store) Subscribe(ctx context.Context, sub Subscription) error {
	sub.Key, sub.Active, sub.RegionWords = s.subKey(sub.Platform, sub.Chat), true, regionWordsNow
	if sub.Since.IsZero() {
		sub.Since = s.now()
	}
	return s.saveSub(ctx, sub)
}

func (s *Store) saveSub(ctx context.Context, sub Subscription) error {
	sealed, err := s.sealSub(sub)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, s.k.subscriptions(), sub.Key, sealed).Err(); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// sealSub seals a subscription under its key: it holds the chat id.
func (s *Store) sealSub(sub Subscription) ([]byte, error) {
	b, _ := json.Marshal(sub)
	return s.kr.seal(b, "sub:"+sub.Key)
}

// MoveSubscription follows a chat whose id changed while its community
// stayed (a Telegram group upgraded to a supergroup): platform chat from's
// subscription becomes chat to's, sealed as every subscription is, and its
// destinations still pending in unfinished broadcasts move with it, so
// nothing queued for that community is lost. A subscription made in the new
// chat meanwhile is kept as it is. It may run more than once (Telegram tells
// both chats; a send to the old id may report the move too): a destination
// put back to pending under the old id is moved even after the
// subscription was.
//
// The new subscription is written first and the old one removed last, so a
// broadcaster running meanwhile finds one of the two for every pending
// destination (one it finds neither for it takes as unsubscribed).
// Messages delivered to the old chat stay recorded under it: that chat's
// message ids mean nothing in the new one, where deleting by them could
// remove someone else's message.
func (s *Store) MoveSubscription(ctx context.Context, platform, from, to string) error {
	oldKey, newKey := s.subKey(platform, from), s.subKey(platform, to)
	if oldKey == newKey {
		return nil
	}
	sub, err := s.subscription(ctx, oldKey)
	switch {
	case errors.Is(err, ErrNotFound):
		// Moved already, or never subscribed: only destinations may be left.
	case err != nil:
		return fmt.Errorf("move subscription: %w", err)
	default:
		sub.Key, sub.Chat = newKey, to
		sealed, err := s.sealSub(sub)
		if err != nil {
			return err
		}
		if err := s.rdb.HSetNX(ctx, s.k.subscriptions(), newKey, sealed).Err(); err != nil {
			return fmt.Errorf("move subscription: %w", err)
		}
	}
	ids, err := s.rdb.SMembers(ctx, s.k.broadcasts()).Result()
	if err != nil {
		return fmt.Errorf("move subscription: %w", err)
	}
	for _, id := range ids {
		if err := moveDestination.Run(ctx, s.rdb, []string{s.k.deliveries(id)}, oldKey, newKey).Err(); err != nil {
			return fmt.Errorf("move subscription: %w", err)
		}
	}
	if err := s.rdb.HDel(ctx, s.k.subscriptions(), oldKey).Err(); err != nil {
		return fmt.Errorf("move subscription: %w", err)
	}
	return nil
}

// moveDestination moves destination ARGV[1] of broadcast KEYS[1], if it is
// pending, to ARGV[2]: pending there unless that chat has a state of its
// own already (then it got, or gets, the warning once).
var moveDestination = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'p' then return 0 end
redis.call('HSETNX', KEYS[1], ARGV[2], 'p')
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`)

// Unsubscribe removes a subscription; ErrNotFound if there was none.
func (s *Store) Unsubscribe(ctx context.Context, platform, chat string) error {
	n, err := s.rdb.HDel(ctx, s.k.subscriptions(), s.subKey(platform, chat)).Result()
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Subscriptions lists every subscription.
func (s *Store) Subscriptions(ctx context.Context) ([]Subscription, error) {
	all, err := s.rdb.HGetAll(ctx, s.k.subscriptions()).Result()
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	var out []Subscription
	for key, sealed := range all {
		plain, err := s.kr.open([]byte(sealed), "sub:"+key)
		if err != nil {
			continue
		}
		var sub Subscription
		if json.Unmarshal(plain, &sub) == nil {
			sub.Key = key
			out = append(out, sub)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out, nil
}

// subscription returns one subscription by key.
func (s *Store) subscription(ctx context.Context, key string) (Subscription, error) {
	sealed, err := s.rdb.HGet(ctx, s.k.subscriptions(), key).Bytes()
	if errors.Is(err, redis.Nil) {
		return Subscription{}, ErrNotFound
	}
	if err != nil {
		return Subscription{}, err
	}
	plain, err := s.kr.open(sealed, "sub:"+key)
	if err != nil {
		return Subscription{}, fmt.Errorf("%w: %w", errUnreadableSubscription, err)
	}
	var sub Subscription
	if err := json.Unmarshal(plain, &sub); err != nil {
		return Subscription{}, fmt.Errorf("%w: %w", errUnreadableSubscription, err)
	}
	sub.Key = key
	return sub, nil
}

// errUnreadableSubscription is a subscription that will never open (sealed
// under a secret no longer kept, or damaged): unlike a Redis error, trying
// again later cannot help.
var errUnreadableSubscription = errors.New("subscription cannot be opened")

// warningPseudonym is what a warning is drafted under (reporterOf gives
// back the reporter).
func warningPseudonym(pseudonym string, eventID int64) string {
	return pseudonym + ":warn:" + strconv.FormatInt(eventID, 10)
}

// WarningSeen reports whether the reporter's warning carried by platform
// event eventID was stored (or is being stored) before: the platform
// delivered it again.
func (s *Store) WarningSeen(ctx context.Context, pseudonym string, eventID int64) (bool, error) {
	p := warningPseudonym(pseudonym, eventID)
	pipe := s.rdb.Pipeline()
	sent := pipe.HExists(ctx, s.k.state(p), "x:"+strconv.FormatInt(eventID, 10))
	sending := pipe.HExists(ctx, s.k.draft(p), "sending")
	// The previous version drafted every warning of a reporter under one
	// name and kept the highest event sent ("floor").
	floor := pipe.HGet(ctx, s.k.state(pseudonym+":warn"), "floor")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("warning seen: %w", err)
	}
	old := floor.Val() != "" && eventKey(eventID) <= floor.Val()
	return sent.Val() || sending.Val() || old, nil
}

// SubmitWarning stores a community warning as a tip of kind "warning",
// with high priority, idempotently per platform event. It does not touch
// the reporter's draft.
func (s *Store) SubmitWarning(ctx context.Context, pseudonym, text, language string, eventID int64, route string) (Submission, error) {
	// A draft of its own per warning: two warnings sent at once are two
	// tips (one draft would make them one tip and one receipt).
	p := warningPseudonym(pseudonym, eventID)
	floor, err := s.rdb.HGet(ctx, s.k.state(pseudonym+":warn"), "floor").Result() // see WarningSeen
	if err != nil && !errors.Is(err, redis.Nil) {
		return Submission{}, fmt.Errorf("warning: %w", err)
	}
	if floor != "" && eventKey(eventID) <= floor {
		return Submission{}, ErrDuplicateEvent
	}
	part := DraftPart{EventID: eventID, Route: route, Language: language, Part: tips.Part{Text: text}}
	d, err := s.AddToDraft(ctx, p, part)
	if err != nil && !errors.Is(err, ErrDuplicateEvent) && !errors.Is(err, ErrDraftFull) && ctx.Err() == nil {
		// AddToDraft's write is sent once, not retried: its reply lost,
		// it may have run, and a warning has no look to find it. Sent
		// again it is the same part of the warning's own draft (no limit
		// counted in it), the retry go-redis made before.
		d, err = s.AddToDraft(ctx, p, part)
	}
	if err != nil {
		return Submission{}, err
	}
	sub, err := s.SubmitDraft(ctx, p, d.ID, language)
	if err != nil {
		return Submission{}, err
	}
	if err := markWarning.Run(ctx, s.rdb, []string{s.k.tip(sub.TipID)}, "warning", string(tips.High)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		// go-redis retries the mark (it is the same write again) and
		// returns the last attempt's error only: a mark that ran, its
		// reply lost, then a retry refused (LOADING), reads as none. The
		// mark is looked for: there, the warning is stored and marked.
		if f, lerr := s.rdb.HMGet(ctx, s.k.tip(sub.TipID), "kind", "p").Result(); lerr == nil && f[0] == "warning" && f[1] == string(tips.High) {
			return sub, nil
		}
		return sub, fmt.Errorf("mark warning: %w", err)
	}
	return sub, nil
}

// markWarning marks the tip KEYS[1] of kind ARGV[1] with priority
// ARGV[2], if it is still there (its data key "k"): a tip purged since
// it was stored is not made again as a hash of these two fields, without
// an expiry, kept for ever.
var markWarning = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'k') == 0 then return false end
return redis.call('HSET', KEYS[1], 'kind', ARGV[1], 'p', ARGV[2])`)

// approve records an investigator's approval (ARGV[1]) of publishing a
// warning: of a new text (ARGV[3], sealed), or of the text it has now,
// revision ARGV[6]. A new text whose MAC (ARGV[9]) is the current
// revision's is that revision (two investigators sent the same edit at
// once): approved as it is, not a revision of its own, unless the text
// is still ARGV[10] after its "r:" (the record that could not be read:
// the new text replaces it, even the same words). It
// starts the publication (KEYS[1]) when enough different investigators
// (ARGV[4]) approved the same revision: the destinations (ARGV[19]…) are
// queued (KEYS[2]) and the broadcast joins the active ones (KEYS[3]). A
// published warning whose delivery is held ("held": its text could not be
// read) takes approvals of a new text likewise, and enough of them let its
// delivery go on. It returns the approvals of that revision and 1 in the
// second value if this call started it; {-1, 0} if it had been published,
// {-2, 0} if the text is no longer revision ARGV[6], {-3, 0} if the
// warning was dismissed, or is being ("veto", "v:…" marked since ARGV[11]:
// see vetoPublication), {-5, 0} if it was marked a duplicate of another
// tip than ARGV[12] (the one its approver was shown), or is being, {-4,
// 0} if only marks made before are left (see settleLapsedVetoes): then
// nothing is written. ARGV[13] is the number of the triage decision its
// approver was shown (as ARGV[12]; 0 if unknown); KEYS[4]… are the
// publication hashes of the tips on the way from ARGV[12] to its original
// (PublishApproval.Chain), ARGV[14] the numbers of their decisions the
// approver was shown, comma-separated: a duplicate mark under way on one,
// or a decision recorded since ("dn" above its number), is {-6, 0} (its
// lapsed marks as KEYS[1]'s: {-4, 0}). Above the one "veto"
// and "dup" follow, it was recorded since and its after-step lost (a
// crash, a lost reply) or still on its way, so it stands in for that
// after-step first, as afterDecision would apply it (it lets the warning
// be published: not a dismissal), to a publication that exists only.
// ARGV[15] to ARGV[18] are the walk's (publishedDuplicate's pub, dups,
// max and reads): {-9, 0} is its stop short, nothing recorded.
var approve = redis.NewScript(walkDuplicates + `
local held = redis.call('HEXISTS', KEYS[1], 'held') == 1 and redis.call('HEXISTS', KEYS[1], 'retracted') == 0
if redis.call('HGET', KEYS[1], 'state') == 'published' and not held then return {-1, 0} end
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(ARGV[13]) > tonumber(redis.call('HGET', KEYS[1], 'dn') or '0') then -- as afterDecision: a publication that exists only (one made here, refused below, would never expire)
  redis.call('HSET', KEYS[1], 'dn', ARGV[13])
  redis.call('HDEL', KEYS[1], 'veto', 'dup')
  if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'dup', ARGV[12]) end
end
if redis.call('HEXISTS', KEYS[1], 'veto') == 1 then return {-3, 0} end
local dup = redis.call('HGET', KEYS[1], 'dup')
if dup and dup ~= ARGV[12] then return {-5, 0} end
local lapsed = false
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'v:' then
    local at, kind = string.match(redis.call('HGET', KEYS[1], f), '^(%d+):(.)')
    if tonumber(at or '0') < tonumber(ARGV[11]) then
      lapsed = true
    elseif kind == 'u' then
      return {-5, 0}
    else
      return {-3, 0}
    end
  end
end
local seen = {}
for v in string.gmatch(ARGV[14], '%d+') do seen[#seen + 1] = tonumber(v) end
for i = 4, #KEYS do -- the chain to the original, as the approver read it
  if tonumber(redis.call('HGET', KEYS[i], 'dn') or '0') > (seen[i - 3] or 0) then return {-6, 0} end
  for _, f in ipairs(redis.call('HKEYS', KEYS[i])) do
    if string.sub(f, 1, 2) == 'v:' then
      local at, kind = string.match(redis.call('HGET', KEYS[i], f), '^(%d+):(.)')
      if tonumber(at or '0') < tonumber(ARGV[11]) then
        lapsed = true
      elseif kind == 'u' then
        return {-6, 0}
      end
    end
  end
end
if lapsed then return {-4, 0} end
if not held then -- the tips marked duplicates of it, and theirs, to the end: one published has gone out already
  local out = publishedDuplicate(ARGV[7], ARGV[15], ARGV[16], tonumber(ARGV[17]), tonumber(ARGV[18]))
  if out then return out end
end
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if ARGV[3] ~= '' then
  local damaged = ARGV[10] ~= '' and (redis.call('HGET', KEYS[1], 'text') or '') == string.sub(ARGV[10], 3)
  if damaged or redis.call('HGET', KEYS[1], 'tmac') ~= ARGV[9] then
    rev = redis.call('HINCRBY', KEYS[1], 'rev', 1)
    redis.call('HSET', KEYS[1], 'text', ARGV[3], 'tmac', ARGV[9])
  end
elseif tonumber(ARGV[6]) ~= rev then
  return {-2, 0}
end
rev = tostring(rev)
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], rev, 'an:' .. ARGV[1], ARGV[13]) -- and the decision its approver was shown (see afterDecision)
if ARGV[5] ~= '' then redis.call('HSETNX', KEYS[1], 'by', ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ARGV[8])
local n = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'a:' and all[i + 1] == rev then n = n + 1 end
end
if n < tonumber(ARGV[4]) then return {n, 0} end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'by', ARGV[5]) end -- the one that starts it is told it gets the report
if held then
  redis.call('HDEL', KEYS[1], 'held') -- its destinations, queued when published, go on
else
  redis.call('HSET', KEYS[1], 'state', 'published', 'at', ARGV[2])
  for i = 19, #ARGV do redis.call('HSETNX', KEYS[2], ARGV[i], 'p') end
end
redis.call('HSETNX', KEYS[2], '~', 'job')
redis.call('PEXPIRE', KEYS[2], ARGV[8])
redis.call('SADD', KEYS[3], ARGV[7])
return {n, 1}`)

// namesOriginal defines namesOriginal(pk, cur): whether the mark of the
// tip whose publication hash is pk, recorded ("dup") or under way (a
// "v:" field, "<ms>:u:<original>"), names tip cur. A member of cur's list
// of duplicates it does not name is stale (marked otherwise since, or
// gone).
const namesOriginal = `
local function namesOriginal(pk, cur)
  if redis.call('HGET', pk, 'dup') == cur then return true end
  for _, f in ipairs(redis.call('HKEYS', pk)) do
    if string.sub(f, 1, 2) == 'v:' and string.match(redis.call('HGET', pk, f), '^%d+:u:(.*)$') == cur then return true end
  end
  return false
end
`

// walkDuplicates defines publishedDuplicate(id, pub, dups, max, reads):
// it walks the tips marked duplicates of tip id ("dups" .. id, the
// reverse of their marks), and theirs, to the end of every chain; a
// member whose mark, recorded or under way (its publication hash "pub" ..
// member), no longer names its parent is dropped. It returns {-7, tip}
// for the first one published (it has gone out already: id must not),
// {-8, 0} past max tips, nil if none is published; and {-9, 0}, before
// it reads a list that would take the members it read past reads (see
// walkReads): stale entries can make a list as long as they like, and
// one run must not keep Redis busy for long. Nothing but stale entries
// dropped is written then; the caller drops the rest a batch a call
// (dropStaleBehind) and runs it again.
const walkDuplicates = namesOriginal + `
local function publishedDuplicate(id, pub, dups, max, reads)
  local found, level, n, read = {[id] = true}, {id}, 0, 0
  while #level > 0 do
    local nextLevel = {}
    for _, cur in ipairs(level) do
      read = read + redis.call('SCARD', dups .. cur)
      if read > reads then return {-9, 0} end
      for _, d in ipairs(redis.call('SMEMBERS', dups .. cur)) do
        if not found[d] then
          local pk = pub .. d
          if not namesOriginal(pk, cur) then
            redis.call('SREM', dups .. cur, d) -- marked otherwise since
          else
            found[d], n = true, n + 1
            if redis.call('HGET', pk, 'state') == 'published' then return {-7, tonumber(d)} end
            if n > max then return {-8, 0} end
            nextLevel[#nextLevel + 1] = d
          end
        end
      end
    end
    level = nextLevel
  end
  return nil
end
`

// duplicateOut runs publishedDuplicate for warning ARGV[1]: {0, 0} if no
// tip marked a duplicate of it was published. KEYS[1] is its list of
// duplicates (the walk's keys are all in its hash slot, {bc}).
var duplicateOut = redis.NewScript(walkDuplicates + `
return publishedDuplicate(ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])) or {0, 0}`)

// PublishedDuplicate checks, as an approval would (see approve), whether
// a tip marked a duplicate of warning id (or of one of those, to the end)
// was published: it returns that tip, or tooMany past MaxDuplicates; a
// lapsed mark on the tip found is settled first, as an approval settles
// it. /publish says so before it shows a preview of what cannot go out.
func (s *Store) PublishedDuplicate(ctx context.Context, id string) (dup string, tooMany bool, err error) {
	run := func() ([]int64, error) {
		return s.walked(ctx, id, func() ([]int64, error) {
			return duplicateOut.Run(ctx, s.rdb, []string{s.k.duplicates(id)}, id, s.k.publication(""), s.k.duplicates(""), MaxDuplicates, walkReads).Int64Slice()
		})
	}
	res, err := run()
	if err == nil && res[0] == -7 {
		if err := s.settleLapsedVetoes(ctx, strconv.FormatInt(res[1], 10), s.now().Add(-vetoLease).UnixMilli()); err != nil {
			return "", false, err
		}
		res, err = run()
	}
	if err != nil {
		return "", false, fmt.Errorf("published duplicate: %w", err)
	}
	switch res[0] {
	case -7:
		return strconv.FormatInt(res[1], 10), false, nil
	case -8:
		return "", true, nil
	}
	return "", false, nil
}

// Reach is where a warning's text would go now.
type Reach struct {
	// Communities counts the active subscriptions that take the text.
	Communities int
	// Regions are the regions the active subscriptions take warnings
	// for, when none takes this text (each takes only warnings naming one
	// of its regions); empty when no community is subscribed at all.
	Regions []string
}

// reach returns the keys of the active subscriptions that take text, and
// its Reach.
func (s *Store) reach(ctx context.Context, text string) ([]string, Reach, error) {
	subs, err := s.Subscriptions(ctx)
	if err != nil {
		return nil, Reach{}, err
	}
	named := namedIn(text)
	var keys []string
	regions := map[string]bool{}
	for _, sub := range subs {
		switch {
		case !sub.Active:
		case named.takenBy(sub):
			keys = append(keys, sub.Key)
		default:
			for _, r := range sub.Regions {
				regions[r] = true
			}
		}
	}
	r := Reach{Communities: len(keys)}
	if len(keys) == 0 {
		for region := range regions {
			r.Regions = append(r.Regions, region)
		}
		sort.Strings(r.Regions)
	}
	return keys, r, nil
}

// PendingPublication is what publishing a warning would send now.
type PendingPublication struct {
	// Text is what would go out: the last edited text approved, else the
	// warning as it was sent.
	Text string
	// Revision names Text: an approval counts for the revision it was
	// given for, and only while the text is still that revision.
	Revision int
	// Approvals counts the different investigators who approved Text.
	Approvals int
	// Published is set once the warning was published (and maybe
	// retracted since): it cannot be published again, unless Held.
	Published bool
	// Unreadable is set when the edited text cannot be opened: Text is ""
	// and only a new edit can be approved.
	Unreadable bool
	// Held is set when the delivery of the published warning is held (its
	// text could not be read): an edit approved by enough investigators
	// lets it go on.
	Held bool
	Reach
	// sealedText is the unreadable record (see Publication.sealedText).
	sealedText string
}

// PendingPublication returns what publishing warning id would send now,
// and to how many communities; ErrNotFound if the tip is gone. If onTeam
// is set, approvals count only from those still on the team (the others
// are dropped at the next approval).
func (s *Store) PendingPublication(ctx context.Context, id string, onTeam func(context.Context, string) (bool, error)) (PendingPublication, error) {
	p, err := s.pending(ctx, id, onTeam)
	if err != nil {
		return p, err
	}
	_, p.Reach, err = s.reach(ctx, p.Text)
	return p, err
}

// pending is PendingPublication without its reach.
func (s *Store) pending(ctx context.Context, id string, onTeam func(context.Context, string) (bool, error)) (PendingPublication, error) {
	f, err := s.rdb.HGetAll(ctx, s.k.publication(id)).Result()
	if err != nil {
		return PendingPublication{}, fmt.Errorf("publication: %w", err)
	}
	pub, err := s.openPublication(ctx, id, f)
	if err != nil {
		return PendingPublication{}, err
	}
	p := PendingPublication{Text: pub.Text, Published: f["state"] == "published", Unreadable: pub.Unreadable, sealedText: pub.sealedText}
	p.Held = p.Published && pub.Held && !pub.Retracted
	p.Revision, _ = strconv.Atoi(f["rev"])
	for k, v := range f {
		if !strings.HasPrefix(k, "a:") || v != strconv.Itoa(p.Revision) {
			continue
		}
		if onTeam != nil {
			if on, err := onTeam(ctx, k[2:]); err != nil {
				return p, err
			} else if !on {
				continue
			}
		}
		p.Approvals++
	}
	return p, nil
}

// PublishApproval is an investigator's approval of publishing a warning.
type PublishApproval struct {
	// By approves: each investigator (Key) counts once, Name goes in the
	// tip's history, and Route hears how the broadcast goes if By's
	// approval is the one that starts it (By is told so).
	By Claimer
	// OnTeam, if set, says whether an earlier approver is still on the
	// team: the approvals of those who are not (revoked since) are
	// dropped before counting.
	OnTeam func(ctx context.Context, key string) (bool, error)
	// Text is an edited text By wrote, to publish instead; "" approves
	// the text By was shown: revision Revision of PendingPublication.
	Text     string
	Revision int
	// Needed is how many different investigators must approve one text.
	Needed int
	// DuplicateOf is the tip the warning was marked a duplicate of when
	// By was let approve it ("" if it was not): marked a duplicate of
	// another since, the approval is refused (Approval.Duplicate).
	DuplicateOf string
	// Decision is the number of the triage decision By was shown
	// (tips.Tip.Decision, read with DuplicateOf), one that lets the
	// warning be published; 0 if unknown. A dismissal's veto or a
	// duplicate mark left by an earlier decision, whose successor's
	// after-step was lost, gives way to it (see the approve script).
	Decision int64
	// Chain is, for a duplicate, the tips By was shown on the way from
	// DuplicateOf to the original (DuplicateOf first), each with the
	// number of its decision then (tips.Tip.Decision). A duplicate mark on
	// one of them under way, or any decision on one recorded since, as
	// the approval is recorded, refuses it (Approval.Duplicate): one of
	// them marked a duplicate of a warning meanwhile makes this warning a
	// duplicate of that one, which the approver did not see.
	Chain []ChainLink
}

// ChainLink is a tip on the way from a duplicate to its original, as an
// approver was shown it: its id and the number of its last decision.
type ChainLink struct {
	ID       string
	Decision int64
}

// dropApprovals deletes the approvals of warning id given by members no
// longer on the team (but me's).
func (s *Store) dropApprovals(ctx context.Context, id, me string, onTeam func(context.Context, string) (bool, error)) error {
	fields, err := s.rdb.HKeys(ctx, s.k.publication(id)).Result()
	if err != nil {
		return fmt.Errorf("approvals: %w", err)
	}
	for _, f := range fields {
		key, ok := strings.CutPrefix(f, "a:")
		if !ok || key == me {
			continue
		}
		on, err := onTeam(ctx, key)
		if err != nil {
			return fmt.Errorf("approvals: %w", err)
		}
		if !on {
			if err := s.rdb.HDel(ctx, s.k.publication(id), f, "an:"+key).Err(); err != nil {
				return fmt.Errorf("approvals: %w", err)
			}
		}
	}
	return nil
}

// Approval is the outcome of an approval.
type Approval struct {
	Approvals int  // of this text, this one included
	Started   bool // this approval started the broadcast
	Already   bool // it had been published already
	// Changed is set when the text is no longer the revision approved
	// (another investigator edited it meanwhile): nothing was recorded.
	Changed bool
	// Unreadable is set when the text approved could not be read (a
	// damaged record) and no new text was given: nothing was recorded;
	// only an edit can be approved.
	Unreadable bool
	// Dismissed is set when the warning was dismissed (as the approval
	// was recorded, see vetoPublication): nothing was recorded.
	Dismissed bool
	// Duplicate is set when the warning was marked a duplicate (as the
	// approval was recorded) of another tip than PublishApproval's
	// DuplicateOf: nothing was recorded.
	Duplicate bool
	// Chain is set, with Duplicate, when not the warning but a tip on its
	// way to the original (PublishApproval.Chain) was decided, or is
	// being marked a duplicate, since: the warning's own triage stands.
	Chain bool
	// PublishedDuplicate is set when a tip marked a duplicate of the
	// warning (or of one of its duplicates, and so on), or being marked
	// one, as the approval was recorded, was published already: it names
	// that tip, and nothing was recorded (communities have the warning).
	PublishedDuplicate string
	// TooManyDuplicates is set when the warning has more than
	// MaxDuplicates duplicates (counting theirs) to check for one
	// published: nothing was recorded.
	TooManyDuplicates bool
	// Resumed is set, with Started, when this approval let the held
	// delivery of a published warning go on (see HoldBroadcast).
	Resumed bool
	// Held is set when the approval was of an edit of a published
	// warning whose delivery is held: it goes to the destinations queued
	// when it was published, whatever Reach says.
	Held bool
	// Reach is where the text goes. With no community nothing was
	// recorded, and the warning can still be published later.
	Reach
}

// ApprovePublication records an approval of publishing warning id. Only
// approvals of the same text count together; with a.Needed of them the
// broadcast is queued to every active subscription that takes the text.
// Nothing is recorded if the text changed since a.Revision, or if no
// community would receive it. Each approval, and the publication, go in
// the tip's history with the text approved.
func (s *Store) ApprovePublication(ctx context.Context, id string, a PublishApproval) (Approval, error) {
	if a.OnTeam != nil {
		if err := s.dropApprovals(ctx, id, a.By.Key, a.OnTeam); err != nil {
			return Approval{}, err
		}
	}
	cur, err := s.pending(ctx, id, nil)
	if err != nil {
		return Approval{}, err
	}
	// Published, it cannot be again; unless its delivery is held (the
	// broadcaster found its text unreadable with destinations left): an
	// edit approved by enough investigators lets it go on.
	if cur.Published && !cur.Held {
		return Approval{Already: true}, nil
	}
	if cur.Unreadable && a.Text == "" {
		// Nothing to approve: only a new text can replace it.
		return Approval{Unreadable: true}, nil
	}
	text, revision := a.Text, a.Revision
	if text == "" || (text == cur.Text && !cur.Unreadable) {
		if text == "" && revision != cur.Revision {
			return Approval{Changed: true}, nil
		}
		text, revision = cur.Text, cur.Revision
	}
	destinations, reach, err := s.reach(ctx, text)
	if err != nil || (reach.Communities == 0 && !cur.Held) {
		return Approval{Reach: reach}, err
	}
	var sealedText, textMAC string
	if text != cur.Text || cur.Unreadable {
		textMAC = s.kr.indexMAC("pubtext\x00" + id + "\x00" + text)
		dataKey, err := s.dataKey(ctx, id)
		if err != nil {
			return Approval{}, err
		}
		b, err := seal(dataKey, []byte(text), "pubtext:"+id)
		if err != nil {
			return Approval{}, err
		}
		sealedText = string(b)
	}
	sealedBy := s.sealReader(a.By, "pubby:"+id)
	if beforeApprove != nil {
		beforeApprove()
	}
	// The record that could not be read, which the new text replaces
	// unless another replaced it meanwhile (the same edit sent at once
	// is then one revision, as for a readable text).
	replace := ""
	if cur.Unreadable {
		replace = "r:" + cur.sealedText
	}
	now := s.now()
	cutoff := now.Add(-vetoLease).UnixMilli()
	keys := []string{s.k.publication(id), s.k.deliveries(id), s.k.broadcasts()}
	seen := make([]string, len(a.Chain))
	for i, l := range a.Chain {
		keys, seen[i] = append(keys, s.k.publication(l.ID)), strconv.FormatInt(max(l.Decision, 0), 10)
	}
	args := []any{a.By.Key, now.UnixMilli(), sealedText, a.Needed, sealedBy, revision, id, s.retention.Milliseconds(), textMAC, replace, cutoff, a.DuplicateOf, max(a.Decision, 0), strings.Join(seen, ","),
		s.k.publication(""), s.k.duplicates(""), MaxDuplicates, walkReads}
	for _, d := range destinations {
		args = append(args, d)
	}
	run := func() ([]int64, error) {
		return s.walked(ctx, id, func() ([]int64, error) { return approve.Run(ctx, s.rdb, keys, args...).Int64Slice() })
	}
	res, err := run()
	if err == nil && res[0] == -4 {
		// Dismissals or duplicate marks made too long ago (of this
		// warning, or of a tip on its chain): settled, then the approval
		// counts as they stand.
		for _, t := range append([]string{id}, chainIDs(a.Chain)...) {
			if err := s.settleLapsedVetoes(ctx, t, cutoff); err != nil {
				return Approval{}, err
			}
		}
		res, err = run()
	}
	if err == nil && res[0] == -7 {
		// A published duplicate of it whose mark lapsed (its process
		// died): settled, the mark counts as it was recorded, or not.
		if err := s.settleLapsedVetoes(ctx, strconv.FormatInt(res[1], 10), cutoff); err != nil {
			return Approval{}, err
		}
		res, err = run()
	}
	if err != nil {
		return Approval{}, fmt.Errorf("approve: %w", err)
	}
	switch res[0] {
	case -7:
		return Approval{PublishedDuplicate: strconv.FormatInt(res[1], 10)}, nil
	case -8:
		return Approval{TooManyDuplicates: true}, nil
	case -1:
		return Approval{Already: true}, nil
	case -2:
		return Approval{Changed: true}, nil
	case -3, -4:
		return Approval{Dismissed: true}, nil
	case -5:
		return Approval{Duplicate: true}, nil
	case -6:
		return Approval{Duplicate: true, Chain: true}, nil
	}
	ap := Approval{Approvals: int(res[0]), Started: res[1] == 1, Resumed: res[1] == 1 && cur.Held, Held: cur.Held, Reach: reach}
	kind := tips.EntryApproved
	if ap.Started {
		kind = tips.EntryPublished
	}
	if err := s.appendLog(ctx, id, tips.Entry{Who: a.By.Name, Tag: a.By.tag(), Kind: kind, Text: text}); err != nil {
		return ap, fmt.Errorf("publication history: %w", err)
	}
	return ap, nil
}

func chainIDs(chain []ChainLink) []string {
	ids := make([]string, len(chain))
	for i, l := range chain {
		ids[i] = l.ID
	}
	return ids
}

// holdBroadcast holds the delivery of published warning KEYS[1] (sets
// "held" to ARGV[2]) if its edited text is still the record ARGV[1] and it
// was not retracted; 1 if this call held it.
var holdBroadcast = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'published' then return 0 end
if redis.call('HEXISTS', KEYS[1], 'retracted') == 1 then return 0 end
if (redis.call('HGET', KEYS[1], 'text') or '') ~= ARGV[1] then return 0 end
return redis.call('HSETNX', KEYS[1], 'held', ARGV[2])`)

// HoldBroadcast holds the delivery of published warning pub, whose text
// could not be read (pub.Unreadable): none of its destinations is sent
// until the team edits it again (/publish with a text) and enough approve
// that text; they stay pending meanwhile, nothing lost. It reports whether
// this call held it (so whoever published it is told once); false if the
// text was edited since pub was read.
func (s *Store) HoldBroadcast(ctx context.Context, pub Publication) (bool, error) {
	n, err := holdBroadcast.Run(ctx, s.rdb, []string{s.k.publication(pub.TipID)}, pub.sealedText, s.now().UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("hold broadcast: %w", err)
	}
	return n == 1, nil
}

// MaxDuplicates bounds how many tips marked duplicates of a warning
// (counting duplicates of duplicates, to the end of every chain) an
// approval checks for one published: past it, the approval is refused
// (Approval.TooManyDuplicates) rather than given unchecked. Only an
// investigator's decision (Decide, /triage … duplicate-of) marks a tip a
// duplicate, one a call: reporters cannot bring a warning past it, however
// many copies they send (see README).
const MaxDuplicates = 1000

// beforeApprove, if set (by tests), runs between ApprovePublication's
// read of the publication and its script: where another approval races.
var beforeApprove func()

// Publication is a warning ready to go out.
type Publication struct {
	TipID string
	Text  string
	By    string // where to report progress
	// ByLanguage is the language By reads ("" for the bot's default), and
	// ByKey the member's pseudonym ("" if an earlier version kept none).
	ByLanguage string
	ByKey      string
	At         time.Time
	Language   string
	// Retracted is set once the warning was retracted: nothing more of it
	// goes out, and no delivery report is due; RetractedBy (a route)
	// hears how the withdrawal goes, in RetractedByLanguage.
	Retracted           bool
	RetractedBy         string
	RetractedByLanguage string
	RetractedByKey      string
	// Unreadable is set when the warning's edited text cannot be opened
	// (a damaged record): Text is then "", never the tip's own text, which
	// the edit may have taken identifying details out of. Nothing of it
	// goes out, and a correction quotes none of it.
	Unreadable bool
	// Held is set while the delivery of a published warning is held
	// because its text could not be read (HoldBroadcast): nothing goes
	// out until the team edits it again and enough approve that text.
	Held bool
	// sealedText is the edited text's record as read, which HoldBroadcast
	// holds the delivery for only while it is still there.
	sealedText string
}

// Published reports whether warning id was published, retracted since
// or not: then it cannot be published again.
func (s *Store) Published(ctx context.Context, id string) (bool, error) {
	state, err := s.rdb.HGet(ctx, s.k.publication(id), "state").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("publication: %w", err)
	}
	return state == "published", nil
}

// CopiesOut reports whether warning id's copies may still be up in
// communities: it was published and not retracted, or its retraction is
// still withdrawing them. Purging it then would drop the records that a
// withdrawal needs (which messages went where), and the copies would stay.
func (s *Store) CopiesOut(ctx context.Context, id string) (bool, error) {
	pipe := s.rdb.Pipeline()
	f := pipe.HMGet(ctx, s.k.publication(id), "state", "retracted")
	dests := pipe.HGetAll(ctx, s.k.deliveries(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return false, err
	}
	v := f.Val()
	state, _ := v[0].(string)
	retracted, _ := v[1].(string)
	if state != "published" {
		return false, nil
	}
	if retracted == "" {
		return true, nil
	}
	// Retracted: out until every destination is dealt with, by its state
	// (not by the broadcast's being active: a copy recorded after another
	// broadcaster finished the withdrawal is one to delete still).
	for key, st := range dests.Val() {
		if isDestination(key) && copyMayBeUp(st) {
			return true, nil
		}
	}
	return false, nil
}

// copyMayBeUp reports whether a destination of a retracted warning, in
// state st, is one the withdrawal still acts on: copies to delete ("R",
// "R:…", "RD…") or the correction to post ("Rc…"); see the states above
// Withdrawal. (A correction claimed and cut short, "Rs…", is counted
// unconfirmed and done, as RetractionProgress counts it.)
func copyMayBeUp(st string) bool {
	return st == "R" || strings.HasPrefix(st, "R:") || strings.HasPrefix(st, "RD") || strings.HasPrefix(st, "Rc")
}

// publication opens a publication's text (edited, or the tip's own).
func (s *Store) publication(ctx context.Context, id string) (Publication, error) {
	f, err := s.rdb.HGetAll(ctx, s.k.publication(id)).Result()
	if err != nil {
		return Publication{}, err
	}
	return s.openPublication(ctx, id, f)
}

// openPublication opens a publication read as f.
func (s *Store) openPublication(ctx context.Context, id string, f map[string]string) (Publication, error) {
	p := Publication{TipID: id}
	t, err := s.Tip(ctx, id)
	if err != nil {
		return p, err
	}
	p.Text, p.Language = t.Content.Text(), t.Content.Language
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return p, err
	}
	if v := f["text"]; v != "" || f["tmac"] != "" {
		// An edited text: the team may have edited out what identifies
		// someone, so the tip's own text never stands in for it. One that
		// cannot be opened (damaged, cut short) is no text at all.
		p.Text, p.sealedText = "", v
		b, err := open(dataKey, []byte(v), "pubtext:"+id)
		if err != nil || v == "" {
			p.Unreadable = true
		} else {
			p.Text = string(b)
		}
	}
	p.Held = f["held"] != ""
	p.By, p.ByLanguage, p.ByKey = s.openReader(f["by"], "pubby:"+id)
	var ms int64
	fmt.Sscan(f["at"], &ms)
	p.At = time.UnixMilli(ms)
	p.Retracted = f["retracted"] != ""
	p.RetractedBy, p.RetractedByLanguage, p.RetractedByKey = s.openReader(f["rby"], "pubrby:"+id)
	return p, nil
}

// sealReader seals who hears how a broadcast goes: their route and their
// language, as "route NUL language" (a route never holds a NUL); "" if
// it cannot be sealed. Sealed: the route is a chat id.
func (s *Store) sealReader(by Claimer, ad string) string {
	b, err := s.kr.seal([]byte(by.Route+"\x00"+by.Language+"\x00"+by.Key), ad)
	if err != nil {
		return ""
	}
	return string(b)
}

// openReader opens what sealReader sealed: the route, the language and
// the member's key ("" as earlier versions sealed the route alone, then
// with the language).
func (s *Store) openReader(sealed, ad string) (route, language, key string) {
	if sealed == "" {
		return "", "", ""
	}
	b, err := s.kr.open([]byte(sealed), ad)
	if err != nil {
		return "", "", ""
	}
	route, rest, _ := strings.Cut(string(b), "\x00")
	language, key, _ = strings.Cut(rest, "\x00")
	return route, language, key
}

// Delivery is one destination of a broadcast, claimed for sending.
type Delivery struct {
	Publication
	Sub Subscription
}

// recordPrefix names, in a broadcast's deliveries hash, the sealed record
// of what went to a destination ("m:<subscription key>"): every field
// that is not a destination starts with it, or is "~".
const recordPrefix = "m:"

// deliveryRecord is where a warning went, written when the destination is
// claimed (so an unsubscription does not erase it: a retraction must still
// reach that chat), and the ids of the messages it went out as (a long one
// is cut into several), so that all can be deleted. Sealed: it says where
// the warning went.
type deliveryRecord struct {
	Platform   string   `json:"p"`
	Chat       string   `json:"c"`
	Language   string   `json:"l"`
	MessageIDs []string `json:"i,omitempty"`
}

// sealRecord seals the record of destination sub of broadcast id.
func (s *Store) sealRecord(id string, sub Subscription, messageIDs []string) (string, error) {
	b, _ := json.Marshal(deliveryRecord{Platform: sub.Platform, Chat: sub.Chat, Language: sub.Language, MessageIDs: messageIDs})
	sealed, err := s.kr.seal(b, "dlv:"+id+":"+sub.Key)
	return string(sealed), err
}

// record opens destination key's record in a broadcast's fields; the zero
// record if there is none (or it cannot be opened).
func (s *Store) record(id, key string, fields map[string]string) deliveryRecord {
	var r deliveryRecord
	if v := fields[recordPrefix+key]; v != "" {
		if b, err := s.kr.open([]byte(v), "dlv:"+id+":"+key); err == nil {
			_ = json.Unmarshal(b, &r)
		}
	}
	return r
}

// isDestination tells a destination's field in a deliveries hash from
// the others.
func isDestination(field string) bool {
	return field != "~" && !strings.HasPrefix(field, recordPrefix)
}

// A destination's state, in the deliveries hash: "p" pending, "s:<ms>"
// being sent (claimed), "d:<message id>" delivered, "x" gone (the bot was
// removed), "u" unsubscribed before its turn (nothing sent; an earlier
// version marked it "x"), "f" given up, "r" withdrawn before it was sent
// (the warning was retracted); "R…" a copy being withdrawn (see
// Withdrawal). "w:<message
// id>" (delivered after the retraction was recorded) is what an earlier
// version wrote; a retraction queues it like "d:".

// withdrawPending defines withdraw(deliveries), which withdraws every
// pending destination of a broadcast.
const withdrawPending = `
local function withdraw(key)
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if all[i + 1] == 'p' then redis.call('HSET', key, all[i], 'r') end
  end
end
`

// claimDelivery moves a destination from pending to sending, with its
// record ARGV[3] (where it goes, sealed), unless the publication KEYS[2]
// was retracted: then the destination is withdrawn.
var claimDelivery = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'p' then return 0 end
if redis.call('HEXISTS', KEYS[2], 'retracted') == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], 'r')
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], 's:' .. ARGV[2], 'm:' .. ARGV[1], ARGV[3])
return 1`)

// withdrawIfRetracted withdraws the pending destinations of a broadcast
// (KEYS[1]) whose publication (KEYS[2]) was retracted, and returns 1; or 0
// if it was not retracted.
var withdrawIfRetracted = redis.NewScript(withdrawPending + `
if redis.call('HEXISTS', KEYS[2], 'retracted') == 0 then return 0 end
withdraw(KEYS[1])
return 1`)

// PendingDeliveries lists up to max pending destinations across the active
// broadcasts, oldest subscription first. Each must be claimed with
// ClaimDelivery right before it is sent.
func (s *Store) PendingDeliveries(ctx context.Context, max int) ([]Delivery, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.broadcasts()).Result()
	if err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	sort.Strings(ids)
	var out []Delivery
	for _, id := range ids {
		states, err := s.rdb.HGetAll(ctx, s.k.deliveries(id)).Result()
		if err != nil {
			return out, err
		}
		var pub Publication
		loaded := false
		for key, st := range states {
			if st != "p" || len(out) == max {
				continue
			}
			if !loaded {
				if pub, err = s.publication(ctx, id); err != nil {
					break
				}
				loaded = true
			}
			if pub.Retracted {
				// Queued after the retraction was recorded (it raced the
				// approval that started the broadcast): nothing goes out.
				keys := []string{s.k.deliveries(id), s.k.publication(id)}
				if err := withdrawIfRetracted.Run(ctx, s.rdb, keys).Err(); err != nil {
					return out, fmt.Errorf("withdraw retracted broadcast: %w", err)
				}
				break
			}
			if pub.Unreadable || pub.Held {
				// Its text cannot be read, or was edited since and not yet
				// approved: nothing goes out, and never the tip's own text
				// (see HoldBroadcast). Its destinations stay pending.
				break
			}
			sub, err := s.subscription(ctx, key)
			if errors.Is(err, ErrNotFound) {
				// Unsubscribed before its turn: it gets nothing, and the
				// report says so (not that it removed the bot).
				if err := s.unsubscribedBeforeTurn(ctx, id, key); err != nil {
					return out, err
				}
				continue
			}
			if errors.Is(err, errUnreadableSubscription) {
				// It will never open: given up as gone, as before, so the
				// broadcast can finish and report.
				if err := advance.Run(ctx, s.rdb, []string{s.k.deliveries(id)}, key, "p", "x").Err(); err != nil {
					return out, fmt.Errorf("unreadable destination: %w", err)
				}
				continue
			}
			if err != nil {
				continue // Redis failed: it stays pending for the next round
			}
			out = append(out, Delivery{Publication: pub, Sub: sub})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Sub.Since.Before(out[j].Sub.Since) })
	return out, nil
}

// unsubscribedBeforeTurn marks destination key of broadcast id "u" if it
// is still pending: its community unsubscribed before it was sent. Only
// from pending, so that a destination claimed or moved meanwhile keeps
// its state.
func (s *Store) unsubscribedBeforeTurn(ctx context.Context, id, key string) error {
	if err := advance.Run(ctx, s.rdb, []string{s.k.deliveries(id)}, key, "p", "u").Err(); err != nil {
		return fmt.Errorf("unsubscribed destination: %w", err)
	}
	return nil
}

// Broadcasts returns the broadcasts not finished yet, by tip id: also
// those with nothing left to send, whose last destination was cut short
// by a crash (it counts as unconfirmed), so their report still goes out.
func (s *Store) Broadcasts(ctx context.Context) (map[string]Publication, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.broadcasts()).Result()
	if err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	out := map[string]Publication{}
	for _, id := range ids {
		if pub, err := s.publication(ctx, id); err == nil {
			out[id] = pub
		}
	}
	return out, nil
}

// ClaimDelivery marks a destination "sending", right before the message
// goes out; false if it is no longer pending, or if the warning was
// retracted (then it is withdrawn and never sent). If the process dies
// before the outcome is recorded, the destination is not sent again (a
// message may have gone out; a second copy must not) and the report counts
// it as unconfirmed.
func (s *Store) ClaimDelivery(ctx context.Context, d Delivery) (bool, error) {
	rec, err := s.sealRecord(d.TipID, d.Sub, nil)
	if err != nil {
		return false, err
	}
	keys := []string{s.k.deliveries(d.TipID), s.k.publication(d.TipID)}
	n, err := claimDelivery.Run(ctx, s.rdb, keys, d.Sub.Key, s.now().UnixMilli(), rec).Int()
	return n == 1, err
}

// delivered records destination ARGV[1] of broadcast KEYS[1] delivered,
// with its record ARGV[2] (the messages, sealed): as delivered, or, if the
// publication KEYS[2] was retracted meanwhile, as a copy to withdraw,
// returning 1.
//
// Another broadcaster may have withdrawn the destination meanwhile, seeing
// no message to delete yet (ARGV[3] is how many went out): then the copies
// are still to delete, "R" if the correction is still to come, else
// "RD<its outcome>" (deleted, and the correction not posted again).
// If it was not retracted, the destination becomes ARGV[4] ("d"; "" keeps
// it as it is: PartlySent).
var delivered = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end -- purged meanwhile: nothing to record
redis.call('HSET', KEYS[1], 'm:' .. ARGV[1], ARGV[2])
if redis.call('HEXISTS', KEYS[2], 'retracted') == 1 then
  local st = redis.call('HGET', KEYS[1], ARGV[1]) or ''
  local again = true
  if st == 'R' or string.sub(st, 1, 2) == 's:' then
    redis.call('HSET', KEYS[1], ARGV[1], 'R')
  elseif tonumber(ARGV[3]) > 0 and string.match(st, '^Rc[01]$') then
    redis.call('HSET', KEYS[1], ARGV[1], 'R')
  elseif tonumber(ARGV[3]) > 0 and string.match(st, '^R[sdxf][01]$') then
    redis.call('HSET', KEYS[1], ARGV[1], 'RD' .. string.sub(st, 2, 2))
  else
    again = false
  end
  -- A copy to withdraw: its broadcast active again, in case another
  -- broadcaster finished the withdrawal meanwhile (only active ones are
  -- withdrawn).
  if again then redis.call('SADD', KEYS[3], ARGV[5]) end
  return 1
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) end
return 0`)

// Delivered records a destination's outcome: the ids of the messages it
// went out as. If the warning was retracted since the destination was
// claimed, the copy is queued for withdrawal instead (/retract did not see
// it).
func (s *Store) Delivered(ctx context.Context, id string, sub Subscription, messageIDs []string) error {
	rec, err := s.sealRecord(id, sub, messageIDs)
	if err != nil {
		return err
	}
	keys := []string{s.k.deliveries(id), s.k.publication(id), s.k.broadcasts()}
	if err := delivered.Run(ctx, s.rdb, keys, sub.Key, rec, len(messageIDs), "d", id).Err(); err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	return nil
}

// PartlySent records the messages that went out of a destination whose
// send failed part way (a long warning is several messages): it stays
// claimed, so nothing of it is sent again, the report counts it
// unconfirmed, and a retraction deletes what went out: also one recorded
// meanwhile, and withdrawn already by another broadcaster (as Delivered).
func (s *Store) PartlySent(ctx context.Context, id string, sub Subscription, messageIDs []string) error {
	rec, err := s.sealRecord(id, sub, messageIDs)
	if err != nil {
		return err
	}
	keys := []string{s.k.deliveries(id), s.k.publication(id), s.k.broadcasts()}
	if err := delivered.Run(ctx, s.rdb, keys, sub.Key, rec, len(messageIDs), "", id).Err(); err != nil {
		return fmt.Errorf("partly sent: %w", err)
	}
	return nil
}

// Gone marks a destination that removed the bot; its subscription becomes
// inactive and later broadcasts skip it.
func (s *Store) Gone(ctx context.Context, id string, sub Subscription) error {
	if err := s.rdb.HSet(ctx, s.k.deliveries(id), sub.Key, "x").Err(); err != nil {
		return err
	}
	sub.Active = false
	return s.saveSub(ctx, sub)
}

// Fail gives up on a destination that kept failing; the report counts it
// as unconfirmed.
func (s *Store) Fail(ctx context.Context, id string, sub Subscription) error {
	return s.rdb.HSet(ctx, s.k.deliveries(id), sub.Key, "f").Err()
}

// retry puts destination ARGV[1] of broadcast KEYS[1] back to pending, or
// withdraws it if the publication KEYS[2] was retracted.
var retry = redis.NewScript(`
local st = 'p'
if redis.call('HEXISTS', KEYS[2], 'retracted') == 1 then st = 'r' end
redis.call('HSET', KEYS[1], ARGV[1], st)
return 0`)

// Retry puts a destination back to pending (a transient failure); if the
// warning was retracted meanwhile, the destination is withdrawn instead.
func (s *Store) Retry(ctx context.Context, id string, sub Subscription) error {
	keys := []string{s.k.deliveries(id), s.k.publication(id)}
	if err := retry.Run(ctx, s.rdb, keys, sub.Key).Err(); err != nil {
		return fmt.Errorf("retry delivery: %w", err)
	}
	return nil
}

// Progress counts a broadcast's destinations. Withdrawn counts those a
// retraction stopped, and copies sent as it was recorded (then deleted);
// Unsubscribed those whose community unsubscribed before its turn.
type Progress struct {
	Total, Delivered, Gone, Pending, Unconfirmed, Withdrawn, Unsubscribed int
}

// BroadcastProgress reports a broadcast's state; when nothing is pending or
// being sent any more it is finished and leaves the active set.
func (s *Store) BroadcastProgress(ctx context.Context, id string) (Progress, bool, error) {
	states, err := s.rdb.HGetAll(ctx, s.k.deliveries(id)).Result()
	if err != nil {
		return Progress{}, false, err
	}
	var p Progress
	for key, st := range states {
		if !isDestination(key) {
			continue
		}
		p.Total++
		switch {
		case st == "p":
			p.Pending++
		case st == "d", strings.HasPrefix(st, "d:"):
			p.Delivered++
		case st == "x":
			p.Gone++
		case st == "u":
			p.Unsubscribed++
		case strings.HasPrefix(st, "s:"), st == "f":
			p.Unconfirmed++
		case st == "r", strings.HasPrefix(st, "w:"), strings.HasPrefix(st, "R"):
			p.Withdrawn++
		}
	}
	done := p.Pending == 0
	return p, done, nil
}

// FinishBroadcast takes a broadcast off the active set; it reports whether
// this call did (so the final report goes out once).
func (s *Store) FinishBroadcast(ctx context.Context, id string) (bool, error) {
	n, err := s.rdb.SRem(ctx, s.k.broadcasts(), id).Result()
	return n == 1, err
}

// A retracted warning's copies are withdrawn by the broadcaster, one
// destination at a time within the platforms' rates, so that a retraction
// cannot be cut short: /retract only records it. A destination to withdraw
// moves through these states (d is 1 if its copy was deleted, else 0):
// "R" to delete its messages (in its record; "R:<message id>" as an
// earlier version recorded it), then correct; "Rc<d>" to correct; "Rs<d>"
// correction being sent (claimed: a crash leaves it unconfirmed, never
// sent twice); "Rd<d>" corrected; "Rx<d>" the chat is gone; "Rf<d>" the
// correction kept being refused. "RD<o>" (o one of s, d, x, f) copies to
// delete that went out after the correction was dealt with (another
// broadcaster withdrew the destination while this copy was being sent):
// once deleted it is back to "R<o><d>", and the correction is not posted
// again; a correction refused meanwhile is posted again: "R" (an earlier
// version wrote "RDc", withdrawn as "R"). "Ru<d>" not reachable:
// delivered by an earlier version, which
// kept no record, to a community whose subscription is gone (unsubscribed,
// moved) or unreadable since; the report counts it unconfirmed.

// Withdrawal is one destination of a retracted warning still to withdraw.
type Withdrawal struct {
	TipID string
	Sub   Subscription
	// MessageIDs are the copies to delete; none once they were.
	MessageIDs []string
	// Deleted is set once the copies were deleted (the report counts it).
	Deleted bool
	// state is the destination's state when listed: each step moves it on
	// only from there, so a step done twice is not recorded twice.
	state string
	// record is its sealed record when listed: copies recorded since (sent
	// meanwhile) are not dealt with by this round, which leaves them to the
	// next.
	record string
}

// Correct reports whether the copies were dealt with and only the
// correction is left.
func (w Withdrawal) Correct() bool { return strings.HasPrefix(w.state, "Rc") }

// retract marks a published warning (KEYS[1]) retracted, at ARGV[1], by
// ARGV[2] (sealed route), and in one step withdraws its pending
// destinations (KEYS[2]) and queues for withdrawal every one that may have
// received it (delivered, claimed, given up);
// the broadcast (ARGV[3]) becomes active again (KEYS[3]) so that the
// broadcaster withdraws them. It returns the number of destinations to
// withdraw, or -1 if it was not published, -2 if already retracted: then
// nothing is written.
var retract = redis.NewScript(withdrawPending + `
if redis.call('HGET', KEYS[1], 'state') ~= 'published' then return -1 end
if redis.call('HSETNX', KEYS[1], 'retracted', ARGV[1]) == 0 then return -2 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'rby', ARGV[2]) end
withdraw(KEYS[2])
local n = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local st = all[i + 1]
  if string.sub(all[i], 1, 2) ~= 'm:' then
    -- Delivered, or may have been: claimed (being sent, or cut short by
    -- a crash) or given up after errors an earlier version retried.
    if st == 'd' or string.match(st, '^[dw]:') then
      redis.call('HSET', KEYS[2], all[i], 'R' .. string.sub(st, 2))
      n = n + 1
    elseif st == 'f' or string.sub(st, 1, 2) == 's:' then
      redis.call('HSET', KEYS[2], all[i], 'R')
      n = n + 1
    end
  end
end
redis.call('SADD', KEYS[3], ARGV[3])
return n`)

// Retraction is the outcome of Retracted.
type Retraction struct {
	// First is set if this call retracted the warning; Already if it had
	// been retracted before (then nothing was written).
	First, Already bool
	// Withdrawals counts the destinations queued for withdrawal.
	Withdrawals int
}

// Retracted retracts a published warning, once: from then on none of its
// pending destinations is sent (ClaimDelivery refuses them), the copies
// delivered are queued for the broadcaster to delete and correct (see
// PendingWithdrawals), and a copy being sent meanwhile is queued when it
// is recorded (Delivered). by hears how the withdrawal goes, and the
// retraction goes in the tip's history. It writes nothing if the warning
// was not published or was retracted already; it returns First with an
// error if it was retracted but the history could not be written.
func (s *Store) Retracted(ctx context.Context, id string, by Claimer) (Retraction, error) {
	sealedBy := s.sealReader(by, "pubrby:"+id)
	keys := []string{s.k.publication(id), s.k.deliveries(id), s.k.broadcasts()}
	n, err := retract.Run(ctx, s.rdb, keys, s.now().UnixMilli(), sealedBy, id).Int()
	switch {
	case err != nil:
		return Retraction{}, fmt.Errorf("retract: %w", err)
	case n == -1:
		return Retraction{}, nil
	case n == -2:
		return Retraction{Already: true}, nil
	}
	r := Retraction{First: true, Withdrawals: n}
	if err := s.appendLog(ctx, id, tips.Entry{Who: by.Name, Tag: by.tag(), Kind: tips.EntryRetracted}); err != nil {
		return r, fmt.Errorf("retraction history: %w", err)
	}
	return r, nil
}

// PendingWithdrawals lists up to max destinations of retracted warnings
// with something left to do: copies to delete, or the correction to post.
func (s *Store) PendingWithdrawals(ctx context.Context, max int) ([]Withdrawal, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.broadcasts()).Result()
	if err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	sort.Strings(ids)
	var out []Withdrawal
	for _, id := range ids {
		states, err := s.rdb.HGetAll(ctx, s.k.deliveries(id)).Result()
		if err != nil {
			return out, err
		}
		for key, st := range states {
			if len(out) == max {
				return out, nil
			}
			if !isDestination(key) {
				continue
			}
			w, ok := s.withdrawal(ctx, id, key, st, states)
			if ok {
				out = append(out, w)
			}
		}
	}
	return out, nil
}

// withdrawal returns destination key of broadcast id (read as fields) as
// a Withdrawal, if state st leaves something to do and the chat is known.
func (s *Store) withdrawal(ctx context.Context, id, key, st string, fields map[string]string) (Withdrawal, bool) {
	w := Withdrawal{TipID: id, state: st, record: fields[recordPrefix+key]}
	switch {
	case st == "R", strings.HasPrefix(st, "R:"):
		w.MessageIDs = s.record(id, key, fields).MessageIDs
		if legacy, ok := strings.CutPrefix(st, "R:"); ok {
			w.MessageIDs = append(w.MessageIDs, legacy)
		}
	case st == "RDs", st == "RDd", st == "RDx", st == "RDf", st == "RDc":
		// "RDc" (the correction refused, as an earlier version wrote it)
		// goes on as "R": its copies deleted, it becomes "Rc<d>".
		w.MessageIDs = s.record(id, key, fields).MessageIDs
	case st == "Rc0", st == "Rc1":
		w.Deleted = st == "Rc1"
	default:
		return w, false
	}
	// Where it went, as recorded: the chat may have unsubscribed since.
	// An earlier version kept no record: its subscription says.
	if r := s.record(id, key, fields); r.Chat != "" {
		w.Sub = Subscription{Key: key, Platform: r.Platform, Chat: r.Chat, Language: r.Language}
		return w, true
	}
	sub, err := s.subscription(ctx, key)
	if errors.Is(err, ErrNotFound) || errors.Is(err, errUnreadableSubscription) {
		// Unsubscribed, moved or unreadable since: where it went is known
		// no more, and never will be. Given up as not reachable, so the
		// retraction finishes and its report counts it unconfirmed.
		// A copy already deleted ("Rc1") stays counted as deleted.
		to := "Ru0"
		if st == "Rc1" {
			to = "Ru1"
		}
		_ = advance.Run(ctx, s.rdb, []string{s.k.deliveries(id)}, key, st, to).Err()
		return w, false
	}
	if err != nil {
		return w, false // Redis failed: listed again next round
	}
	w.Sub = sub
	return w, true
}

// advance moves destination ARGV[1] of KEYS[1] from state ARGV[2] to
// ARGV[3]; 0, writing nothing, if it is no longer in ARGV[2].
var advance = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`)

func (s *Store) advance(ctx context.Context, w *Withdrawal, to string) (bool, error) {
	n, err := advance.Run(ctx, s.rdb, []string{s.k.deliveries(w.TipID)}, w.Sub.Key, w.state, to).Int()
	if err != nil {
		return false, fmt.Errorf("withdrawal: %w", err)
	}
	if n == 1 {
		w.state = to
	}
	return n == 1, nil
}

func digit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// copiesRemoved moves destination ARGV[1] of KEYS[1] from state ARGV[2]
// to ARGV[3] if its record is still ARGV[4] (as listed); 0, writing
// nothing, if it moved on or copies were recorded since (sent meanwhile:
// still to delete, next round).
var copiesRemoved = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if (redis.call('HGET', KEYS[1], 'm:' .. ARGV[1]) or '') ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`)

// CopiesRemoved records that a destination's copies were dealt with:
// deleted, or not (the platform refused, or cannot delete them); the
// correction is next. If copies were recorded since it was listed, it
// stays as it is: they are deleted next round.
func (s *Store) CopiesRemoved(ctx context.Context, w *Withdrawal, deleted bool) error {
	to := "Rc" + digit(deleted)
	if o, ok := strings.CutPrefix(w.state, "RD"); ok {
		to = "R" + o + digit(deleted) // the correction was dealt with
	}
	n, err := copiesRemoved.Run(ctx, s.rdb, []string{s.k.deliveries(w.TipID)}, w.Sub.Key, w.state, to, w.record).Int()
	if err != nil {
		return fmt.Errorf("withdrawal: %w", err)
	}
	if n == 1 {
		w.state, w.Deleted = to, deleted
	}
	return nil
}

// copiesLeft keeps, for destination ARGV[1] of KEYS[1] still in state
// ARGV[2] with record ARGV[5] (as listed), only the copies still to
// delete: its record becomes ARGV[4] and its state ARGV[3]; 0, writing
// nothing, if it moved on or copies were recorded since.
var copiesLeft = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if (redis.call('HGET', KEYS[1], 'm:' .. ARGV[1]) or '') ~= ARGV[5] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], 'm:' .. ARGV[1], ARGV[4])
return 1`)

// CopiesLeft records that only ids are left of a destination's copies to
// delete (a 429 stopped the deletion part way): the next round resumes
// with them rather than starting over.
func (s *Store) CopiesLeft(ctx context.Context, w *Withdrawal, ids []string) error {
	rec, err := s.sealRecord(w.TipID, w.Sub, ids)
	if err != nil {
		return err
	}
	to := "R" // from "R", or "R:<id>" (that id is in ids if still to delete)
	if strings.HasPrefix(w.state, "RD") {
		to = w.state // the correction was dealt with: it stays so
	}
	n, err := copiesLeft.Run(ctx, s.rdb, []string{s.k.deliveries(w.TipID)}, w.Sub.Key, w.state, to, rec, w.record).Int()
	if err != nil {
		return fmt.Errorf("withdrawal: %w", err)
	}
	if n == 1 {
		w.state, w.MessageIDs, w.record = to, ids, rec
	}
	return nil
}

// ClaimCorrection marks a destination's correction "sending", right before
// it goes out; false if another did. If the process dies before the
// outcome is recorded, it is not sent again and counts as unconfirmed.
func (s *Store) ClaimCorrection(ctx context.Context, w *Withdrawal) (bool, error) {
	if !w.Correct() {
		return false, nil // not to correct (any more): dealt with already
	}
	return s.advance(ctx, w, "Rs"+digit(w.Deleted))
}

// Correction outcomes, for Corrected.
const (
	CorrectionPosted  = "d" // it went out
	CorrectionGone    = "x" // the chat is gone for the bot
	CorrectionRefused = "c" // refused: to try again
	CorrectionGivenUp = "f" // refused too often
)

// corrected moves destination ARGV[1] of KEYS[1] from its claimed
// correction ARGV[2] to the outcome ARGV[3]; if a copy delivered meanwhile
// made it "RDs" (copies to delete), to "RD" .. ARGV[4], the outcome, or,
// if the correction was refused ("c": to post again), back to "R" (copies
// to delete, then the correction). If that copy was deleted meanwhile
// ("Rs<d>" again, d its own), to "R" .. ARGV[4] .. d.
var corrected = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], ARGV[1])
if st == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
if st and string.match(st, '^Rs[01]$') and string.sub(ARGV[2], 1, 2) == 'Rs' then
  redis.call('HSET', KEYS[1], ARGV[1], 'R' .. ARGV[4] .. string.sub(st, 3, 3))
elseif st == 'RDs' and string.sub(ARGV[2], 1, 2) == 'Rs' then
  if ARGV[4] == 'c' then
    redis.call('HSET', KEYS[1], ARGV[1], 'R')
  else
    redis.call('HSET', KEYS[1], ARGV[1], 'RD' .. ARGV[4])
  end
end
return 0`)

// Corrected records a claimed correction's outcome (Correction…).
func (s *Store) Corrected(ctx context.Context, w *Withdrawal, outcome string) error {
	to := "R" + outcome + digit(w.Deleted)
	n, err := corrected.Run(ctx, s.rdb, []string{s.k.deliveries(w.TipID)}, w.Sub.Key, w.state, to, outcome).Int()
	if err != nil {
		return fmt.Errorf("withdrawal: %w", err)
	}
	if n == 1 {
		w.state = to
	}
	return nil
}

// RetractProgress counts a retraction's destinations: Total to withdraw,
// Deleted copies, Corrected chats, Gone chats (the bot was removed),
// Unconfirmed corrections (cut short, or refused too often), Pending.
type RetractProgress struct {
	Total, Deleted, Corrected, Gone, Unconfirmed, Pending int
}

// RetractionProgress reports how the withdrawal of warning id goes; done
// when nothing is left to do.
func (s *Store) RetractionProgress(ctx context.Context, id string) (RetractProgress, bool, error) {
	states, err := s.rdb.HGetAll(ctx, s.k.deliveries(id)).Result()
	if err != nil {
		return RetractProgress{}, false, err
	}
	var p RetractProgress
	for key, st := range states {
		if !isDestination(key) || !strings.HasPrefix(st, "R") {
			continue
		}
		p.Total++
		if len(st) == 3 && strings.Contains("csdxfu", st[1:2]) && st[2] == '1' {
			p.Deleted++
		}
		switch {
		case st == "R", strings.HasPrefix(st, "R:"), strings.HasPrefix(st, "Rc"), strings.HasPrefix(st, "RD"):
			p.Pending++
		case strings.HasPrefix(st, "Rd"):
			p.Corrected++
		case strings.HasPrefix(st, "Rx"):
			p.Gone++
		default: // "Rs", "Rf", "Ru"
			p.Unconfirmed++
		}
	}
	return p, p.Pending == 0, nil
}

// Kind returns a tip's kind: "warning" for community warnings, "" for tips.
func (s *Store) Kind(ctx context.Context, id string) (string, error) {
	v, err := s.rdb.HMGet(ctx, s.k.tip(id), "k", "kind").Result()
	if err != nil {
		return "", err
	}
	if v[0] == nil {
		return "", ErrNotFound
	}
	kind, _ := v[1].(string)
	return kind, nil
}

// A region is kept as its words, folded (case and accents aside) and
// joined by single spaces: "Ciudad Juárez" is "ciudad juarez". A warning
// names it when it has all of those words together and in that order, so
// "Ciudad de México … salida a Juárez" does not name "Ciudad Juárez" and
// "zona 10" does not name "Zona 1". A one-word region, as every region
// was before regions could have several words, is named by that word.

// NormalizeRegion returns region as a subscription keeps it; ok is false
// when it has no word of two characters or more ("1", "-"): such a region
// would be named by nearly any warning, or by none.
func NormalizeRegion(region string) (string, bool) {
	ws := words(region)
	ok := false
	for _, w := range ws {
		ok = ok || utf8.RuneCountInString(w) >= 2
	}
	return strings.Join(ws, " "), ok
}

// words splits text into its folded words, however short (the "1" of
// "Zona 1"), each run across the marks of Indic scripts (tips.Words).
func words(text string) []string { return tips.Words(text) }

// wordIndex is a text's words in order, and where each one occurs.
type wordIndex struct {
	words []string
	at    map[string][]int
}

func indexWords(ws []string) wordIndex {
	ix := wordIndex{words: ws, at: map[string][]int{}}
	for i, w := range ix.words {
		ix.at[w] = append(ix.at[w], i)
	}
	return ix
}

// names reports whether the text has phrase's words together, in order.
func (ix wordIndex) names(phrase []string) bool {
	if len(phrase) == 0 {
		return false // nothing to look for: it names nothing, not everything
	}
	for _, start := range ix.at[phrase[0]] {
		if start+len(phrase) <= len(ix.words) && slices.Equal(ix.words[start:start+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// named is a warning's words, as read now and as read before regions ran
// across marks (tips.PastWords): a subscription made then keeps its
// regions in those words ("द लल" for "दिल्ली"), and still takes the
// warnings naming them so. The old regions cannot be read again as now:
// the marks they lost are gone.
type named struct{ now, past wordIndex }

func namedIn(text string) named {
	return named{now: indexWords(words(text)), past: indexWords(tips.PastWords(text))}
}

// takenBy reports whether sub takes the warning: a subscription without
// regions takes every warning; one with regions takes the warnings that
// name one of them, as its regions were read (RegionWords).
func (n named) takenBy(sub Subscription) bool {
	if len(sub.Regions) == 0 {
		return true
	}
	for _, r := range sub.Regions {
		if n.now.names(words(r)) || sub.RegionWords < regionWordsNow && n.past.names(tips.PastWords(r)) {
			return true
		}
	}
	return false
}

// A warning's publication hash keeps its triage in step with the tip's
// (another hash slot, so not in one script): a "v:<token>" mark ("<ms>:d"
// when it was made, or "<ms>:u:<tip>" for a duplicate of tip) is a
// dismissal, or a duplicate mark, under way (vetoPublication, before its
// decision is recorded); "veto" is there while the last decision recorded
// is a dismissal, "dup" (the original) while it is a duplicate mark, and
// "dn" is that decision's number (the tip's decision counter, see
// decide). The approve script refuses every approval while a mark or
// "veto" is there, or "dup" names another original than the approver saw. Decisions' after-steps may land in any order: one
// applies only if its number is above "dn", so the last decision recorded
// wins and the veto matches it. A mark left by a process that died, or
// stalls, for vetoLease is settled by the next approval (see
// settleLapsedVetoes).
//
// A tip of any kind that is marked a duplicate gets such a hash too (a
// duplicate mark, its "dn" and "dup"; nothing is ever published from it):
// a warning that is a duplicate of it has it checked by its approvals
// (PublishApproval.Chain), since marking it a duplicate of a warning
// makes that warning a duplicate of the other warning.
// (During a rolling upgrade, a replica from before marks a reporter's tip
// not: an approval racing its duplicate mark, until recorded, is not
// refused; once its after-step updates a hash a newer replica made, it
// is.)

// vetoLease is how long a dismissal under way refuses approvals before its
// decision must be recorded: a process that died between the two leaves
// its mark no longer than this.
const vetoLease = time.Minute

// vetoPublication marks decision d of warning id under way (ARGV[1] its
// mark, ARGV[2] its value), before it is recorded, so an approval racing
// it is refused whichever comes first. It returns the mark's token; "" if
// id is not a warning and d no duplicate mark (nothing is written). A publication hash made for it lives
// as long as an approval's would.
// A duplicate mark also puts id in the original's duplicates (KEYS[2],
// ARGV[4]), in the same step: an approval of the original sees it there
// from the moment it is marked. The list lives at least ARGV[5] ms, as
// long as a tip marked a duplicate (ClosedRetention, which may be above
// the retention), and never shorter than it did: it must not go while a
// published duplicate in it is still there to be found.
var vetoPublication = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
if KEYS[2] then
  redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], math.max(tonumber(ARGV[5]), redis.call('PTTL', KEYS[2]))) -- as long as the duplicate, never shorter than before
end
return 1`)

// dropVeto takes back the mark ARGV[1] of a decision of tip ARGV[2] that
// was not recorded (refused, or failed before its script) from its
// publication KEYS[1]; for a duplicate mark of ARGV[3], its entry in that
// tip's duplicates (KEYS[2]) goes too, unless the publication still
// names ARGV[3], by its recorded mark ("dup") or another under way (the
// same mark made again at once, recorded or about to be: its entry
// stays), as the approve script's walk reads it (walkDuplicates). A
// refused mark left its entry behind, harmless but growing: every
// refusal added one, read by each duplicate mark of that tip
// (duplicatesBehind) until an approval's walk dropped it. The test of
// the publication is the walk's own (namesOriginal).
var dropVeto = redis.NewScript(namesOriginal + `
redis.call('HDEL', KEYS[1], ARGV[1])
if not KEYS[2] or namesOriginal(KEYS[1], ARGV[3]) then return 0 end
return redis.call('SREM', KEYS[2], ARGV[2])`)

// dropVeto takes back the mark (token) of decision d of tip id, which
// was not recorded (see the script).
func (s *Store) dropVeto(ctx context.Context, id, token string, d Decision) error {
	keys := []string{s.k.publication(id)}
	if d.Status == tips.StatusDuplicate && d.DuplicateOf != "" {
		keys = append(keys, s.k.duplicates(d.DuplicateOf))
	}
	if err := dropVeto.Run(ctx, s.rdb, keys, "v:"+token, id, d.DuplicateOf).Err(); err != nil {
		return fmt.Errorf("drop veto: %w", err)
	}
	return nil
}

func (s *Store) vetoPublication(ctx context.Context, id string, d Decision) (string, error) {
	kind, err := s.Kind(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && kind != "warning" && d.Status != tips.StatusDuplicate) {
		return "", nil // a reporter's tip is never published: only its duplicate marks matter (a chain's)
	}
	if err != nil {
		return "", fmt.Errorf("veto publication: %w", err)
	}
	token, mark := rand.Text(), strconv.FormatInt(s.now().UnixMilli(), 10)+":d"
	if d.Status == tips.StatusDuplicate {
		mark = strconv.FormatInt(s.now().UnixMilli(), 10) + ":u:" + d.DuplicateOf
	}
	keys := []string{s.k.publication(id)}
	if d.Status == tips.StatusDuplicate && d.DuplicateOf != "" {
		keys = append(keys, s.k.duplicates(d.DuplicateOf))
	}
	if err := vetoPublication.Run(ctx, s.rdb, keys, "v:"+token, mark, s.retention.Milliseconds(), id,
		max(s.retention, s.byStatus[tips.StatusDuplicate]).Milliseconds()).Err(); err != nil {
		return "", fmt.Errorf("veto publication: %w", err)
	}
	return token, nil
}

// afterDecision applies decision number ARGV[1] to publication KEYS[1], if
// there is one: ARGV[2] is "1" for a dismissal, ARGV[3] its mark if it was
// marked under way (the mark goes: the decision is recorded), ARGV[4] "1"
// for a duplicate mark of ARGV[5]. A dismissal
// drops every approval given before it (changing the status back does not
// revive them: the team approves it anew), even if a later decision
// overtook it; not one given on a later decision ("an:<member>", the
// number of the decision its approver was shown, above the dismissal's:
// after a verification recorded after it). The veto follows the
// decision only if it is the last recorded so far.
var afterDecision = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[1], ARGV[3]) end
if ARGV[2] == '1' then
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(f, 1, 2) == 'a:' then
      local shown = 'an:' .. string.sub(f, 3)
      if tonumber(redis.call('HGET', KEYS[1], shown) or '0') <= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], f, shown) end
    end
  end
end
if tonumber(ARGV[1]) <= tonumber(redis.call('HGET', KEYS[1], 'dn') or '0') then return 0 end
redis.call('HSET', KEYS[1], 'dn', ARGV[1])
redis.call('HDEL', KEYS[1], 'veto', 'dup')
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'veto', 1) end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'dup', ARGV[5]) end
return 1`)

// afterDecision keeps warning id's publication in step with its decision
// d, number n (see afterDecision's script); token is the decision's mark,
// if it made one.
func (s *Store) afterDecision(ctx context.Context, id string, n int64, d Decision, token string) error {
	mark := ""
	if token != "" {
		mark = "v:" + token
	}
	err := afterDecision.Run(ctx, s.rdb, []string{s.k.publication(id)}, n, digit(d.Status == tips.StatusDismissed), mark,
		digit(d.Status == tips.StatusDuplicate), d.DuplicateOf).Err()
	if err != nil {
		return fmt.Errorf("publication after decision: %w", err)
	}
	return nil
}

// settleVeto settles the lapsed mark ARGV[1] of a dismissal of tip
// KEYS[1]: if its decision was not recorded, it never will be (decide
// refuses a mark settled: "vt:<token>" "0:<ms>", ARGV[2] the time); it
// returns the decision's number if it was, 0 if not (or the tip is gone).
// A recorded decision's token stays (its number): the process that made
// it may be alive, its decide script's reply lost and go-redis about to
// run it again, however long after its mark; that run finds it and
// records nothing (see decide). Of the refusals, the tip keeps the ARGV[3]
// newest (older ones, "0" alone, first), and of the recorded tokens the
// ARGV[3] highest numbered (a decision's own Decide drops its token once
// it is applied: those left are its process's that died, or the ones
// settled here): a decision stalled, or a retry come, past that many
// others' is unlikely beyond words, and a tip decided again and again
// must not grow.
//
// Rolling upgrades: a replica from before refusals carried their time
// (whose decide script reads "0" as a refusal, any other value as a
// number) meets "0:<ms>" only as the refusal of its own decision, stalled
// past the lease, and reads it as nil: its decide script returns nil
// before writing anything, its Decide a generic error (redis.Nil) where
// it would say the decision took too long. The decision is not recorded
// either way, its mark was settled already (nothing is left), and the
// investigator, told it failed, decides again under a new token: nothing
// is lost. Its settleVeto reads "0:<ms>" as 0, not recorded, as it should.
// Older replicas still (decide refusing any token present) refuse it as
// they should. So the format stays: one readable by those replicas
// ("-<ms>", a negative number: refused) would be a third to read for
// ever, for one message's wording during a rollout.
var settleVeto = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = 0
if redis.call('HSETNX', KEYS[1], ARGV[1], '0:' .. ARGV[2]) == 0 then
  n = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
end
local settled, recorded = {}, {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 3) == 'vt:' then
    if string.sub(all[i + 1], 1, 1) == '0' then
      table.insert(settled, {tonumber(string.sub(all[i + 1], 3)) or 0, all[i]})
    else
      table.insert(recorded, {tonumber(all[i + 1]) or 0, all[i]})
    end
  end
end
for _, kept in ipairs({settled, recorded}) do
  if #kept > tonumber(ARGV[3]) then
    table.sort(kept, function(a, b) return a[1] < b[1] end)
    for i = 1, #kept - tonumber(ARGV[3]) do redis.call('HDEL', KEYS[1], kept[i][2]) end
  end
end
return n`)

// maxSettledTokens is how many refused decisions' tokens a tip keeps (see
// settleVeto).
const maxSettledTokens = 16

// settleLapsedVetoes settles the marks of warning id's decisions under way
// made before cutoff (ms): a decision recorded meanwhile gets its
// after-step (its process died before it); one not recorded is refused
// from now on, and its mark goes.
func (s *Store) settleLapsedVetoes(ctx context.Context, id string, cutoff int64) error {
	f, err := s.rdb.HGetAll(ctx, s.k.publication(id)).Result()
	if err != nil {
		return fmt.Errorf("settle vetoes: %w", err)
	}
	for field, v := range f {
		token, ok := strings.CutPrefix(field, "v:")
		ms, kind, _ := strings.Cut(v, ":")
		if at, err := strconv.ParseInt(ms, 10, 64); !ok || err != nil || at >= cutoff {
			continue
		}
		d := Decision{Status: tips.StatusDismissed}
		if orig, ok := strings.CutPrefix(kind, "u:"); ok {
			d = Decision{Status: tips.StatusDuplicate, DuplicateOf: orig}
		}
		n, err := settleVeto.Run(ctx, s.rdb, []string{s.k.tip(id)}, "vt:"+token, s.now().UnixMilli(), maxSettledTokens).Int64()
		if err != nil {
			return fmt.Errorf("settle vetoes: %w", err)
		}
		if n > 0 {
			// Its token stays: see settleVeto.
			err = s.afterDecision(ctx, id, n, d, token)
		} else {
			err = s.dropVeto(ctx, id, token, d)
		}
		if err != nil {
			return fmt.Errorf("settle vetoes: %w", err)
		}
	}
	return nil
}

// dropToken deletes the token of a decision recorded (its number, see
// decide) once its own Decide applied its after-step: nothing asks for it
// any more (go-redis runs the decide script again, if at all, before the
// script's call returns), and a tip decided again and again must not
// grow. A token left (this failed, the process died first, or another
// settled its lapsed mark meanwhile, while a retry could still come) is
// kept among the ones settleVeto caps, or goes with the tip.
func (s *Store) dropToken(ctx context.Context, id, token string) error {
	if token == "" {
		return nil
	}
	if err := s.rdb.HDel(ctx, s.k.tip(id), "vt:"+token).Err(); err != nil {
		return fmt.Errorf("decision token: %w", err)
	}
	return nil
}
