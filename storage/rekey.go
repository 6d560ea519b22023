package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Rotating VIGIA_SECRET: every value sealed under the sealing key (wrapped
// tip data keys, drafts, routes, team and subscription records, audit and
// inbox entries, the keyset...) is re-sealed under the new key while the
// bot serves. Values sealed under a tip's own data key need nothing: the
// data key is only re-wrapped. The MAC keys never change (see loadKeyset).

// RekeyReport counts what Rekey found. It never holds a value.
type RekeyReport struct {
	// Resealed values were under the previous key and now are under the
	// current one.
	Resealed int
	// Current values were under the current key already.
	Current int
	// Unreadable values open under neither key; they are left as they are.
	Unreadable int
	// Keys is how many keys under the prefix were examined.
	Keys int
}

// ErrNoPreviousSecret is returned by Rekey without a previous secret.
var ErrNoPreviousSecret = errors.New("no previous secret to re-seal from")

// recordKind is how a record holds its sealed values.
type recordKind int

const (
	sealedString recordKind = iota // the whole value
	sealedHash                     // some fields of a hash
	sealedStream                   // one field of every stream entry
)

// sealedRecord describes one kind of record holding values sealed under the
// sealing key.
type sealedRecord struct {
	// name builds the record's key from its argument (see keys.go).
	name func(arg string) string
	kind recordKind
	// field tells which hash fields, or which stream entry field, are sealed.
	field func(f string) bool
	// context is what a value is bound to, from the key's argument and the field.
	context func(arg, field string) string
}

func is(names ...string) func(string) bool {
	return func(f string) bool {
		for _, n := range names {
			if f == n {
				return true
			}
		}
		return false
	}
}

func fixed(c string) func(_, _ string) string { return func(_, _ string) string { return c } }

func exact(key string) func(string) string { return func(string) string { return key } }

// sealedRecords lists every record sealed under the sealing key; the
// storage tests check that a rotation leaves none under the old key. The
// most specific names come first.
func (s *Store) sealedRecords() []sealedRecord {
	k := s.k
	every := func(string) bool { return true }
	return []sealedRecord{
		{exact(k.keyset()), sealedString, nil, fixed(keysetContext)},
		{k.tip, sealedHash, is("k", "cw"), func(id, f string) string {
			if f == "k" {
				return "tipkey:" + id
			}
			return "claimer"
		}},
		{exact(k.teamMembers()), sealedHash, every, func(_, f string) string { return "member:" + f }},
		{k.invite, sealedString, nil, fixed("invite")},
		{exact(k.subscriptions()), sealedHash, every, func(_, f string) string { return "sub:" + f }},
		{exact(k.teamChats()), sealedHash, every, func(_, f string) string { return "teamchat:" + f }},
		{k.publication, sealedHash, is("by", "rby"), func(id, f string) string { return "pub" + f + ":" + id }},
		{k.deliveries, sealedHash, func(f string) bool { return strings.HasPrefix(f, recordPrefix) }, func(id, f string) string {
			return "dlv:" + id + ":" + strings.TrimPrefix(f, recordPrefix)
		}},
		{k.indexDisplay, sealedString, nil, func(mac, _ string) string { return "entity:" + mac }},
		{k.alertPending, sealedHash, func(f string) bool { return f == "s" || strings.HasPrefix(f, alertMessageField) }, func(mac, f string) string {
			if f == "s" {
				return "alert:" + mac
			}
			return "alertmsg:" + mac
		}},
		{exact(k.audit()), sealedStream, is("e"), fixed("audit")},
		{k.inboxDead, sealedStream, is("u"), func(p, _ string) string { return "inbox:" + p }},
		{k.inbox, sealedStream, is("u"), func(p, _ string) string { return "inbox:" + p }},
		{k.secondFactor, sealedHash, is("s"), func(p, _ string) string { return "totp:" + p }},
		{k.wipe, sealedString, nil, func(id, _ string) string { return "wipe:" + id }},
		{exact(k.wipeDiscards()), sealedHash, every, func(_, p string) string { return "wipediscard:" + p }},
		{k.draft, sealedHash, func(f string) bool { return f == "route" || strings.HasPrefix(f, "p:") }, func(p, f string) string {
			if f == "route" {
				return "route:" + p
			}
			return "part:" + p
		}},
		{k.answering, sealedString, nil, func(p, _ string) string { return "answering:" + p }},
	}
}

// match returns the argument key was built from by name, if it was.
func match(name func(string) string, key string) (string, bool) {
	tmpl := name("\x00")
	pre, post, ok := strings.Cut(tmpl, "\x00")
	if !ok {
		return "", key == tmpl
	}
	if len(key) < len(pre)+len(post) || !strings.HasPrefix(key, pre) || !strings.HasSuffix(key, post) {
		return "", false
	}
	arg := key[len(pre) : len(key)-len(post)]
	if arg == "" || strings.ContainsAny(arg, "{}") {
		return "", false
	}
	return arg, true
}

// swapString replaces a string only if it still holds the old bytes
// (ARGV[1]), keeping its expiry; an empty ARGV[2] deletes it.
var swapString = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) return 1 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`)

// swapFields replaces hash fields (ARGV: field, old, new triples) only if
// every one still holds its old bytes: all or nothing.
var swapFields = redis.NewScript(`
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i+1] then return 0 end
end
for i = 1, #ARGV, 3 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+2]) end
return 1`)

// luaStreamState defines, for the scripts that rebuild a stream, what
// must carry over from the old stream to the new one besides its entries:
// streamState reads the stream's last id and counters, and its consumer
// groups with their consumers and pending entries (idle times, delivery
// counts); putStreamState gives them to a stream holding the entries.
const luaStreamState = `
local function map(a)
  local t = {}
  for i = 1, #a, 2 do t[a[i]] = a[i+1] end
  return t
end
local function streamState(key)
  local groups = {}
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    local gm = map(g)
    local pend = {}
    if tonumber(gm['pending']) > 0 then
      pend = redis.call('XPENDING', key, gm['name'], '-', '+', gm['pending'])
    end
    local cons = {}
    for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', key, gm['name'])) do table.insert(cons, map(c)['name']) end
    table.insert(groups, {gm, pend, cons})
  end
  return {map(redis.call('XINFO', 'STREAM', key)), groups}
end
local function putStreamState(key, state)
  local info = state[1]
  if info['entries-added'] then
    redis.call('XSETID', key, info['last-generated-id'], 'ENTRIESADDED', info['entries-added'], 'MAXDELETEDID', info['max-deleted-entry-id'])
  else
    redis.call('XSETID', key, info['last-generated-id'])
  end
  for _, g in ipairs(state[2]) do
    local gm, pend, cons = g[1], g[2], g[3]
    if type(gm['entries-read']) == 'number' then
      redis.call('XGROUP', 'CREATE', key, gm['name'], gm['last-delivered-id'], 'ENTRIESREAD', gm['entries-read'])
    else
      redis.call('XGROUP', 'CREATE', key, gm['name'], gm['last-delivered-id'])
    end
    for _, c in ipairs(cons) do redis.call('XGROUP', 'CREATECONSUMER', key, gm['name'], c) end
    -- One XCLAIM per consumer, delivery count and second of idle time
    -- (the least of them: a takeover comes at most a second later), up
    -- to 500 ids a call, not one per entry: tens of thousands of pending
    -- entries are carried over in a few hundred calls.
    local claims, order = {}, {}
    for _, p in ipairs(pend) do
      local k = p[4] .. ':' .. math.floor(p[3] / 1000) .. ':' .. p[2]
      local c = claims[k]
      if not c then
        c = {p[2], p[3], p[4], {}}
        claims[k] = c
        table.insert(order, c)
      end
      if p[3] < c[2] then c[2] = p[3] end
      table.insert(c[4], p[1])
    end
    for _, c in ipairs(order) do
      local ids = c[4]
      for i = 1, #ids, 500 do
        local args = {'XCLAIM', key, gm['name'], c[1], 0}
        for j = i, math.min(i + 499, #ids) do args[#args + 1] = ids[j] end
        for _, a in ipairs({'IDLE', c[2], 'RETRYCOUNT', c[3], 'FORCE', 'JUSTID'}) do args[#args + 1] = a end
        redis.call(unpack(args))
      end
    end
  end
end
`

// restream rewrites stream entries in place: entries are immutable, so the
// stream is rebuilt, in one script, with every entry under its own id, the
// same last id and counters, consumer groups, consumers and pending
// entries (with their idle times and delivery counts). ARGV[1] is the field
// holding the sealed value; then id, old, new triples. An entry deleted
// meanwhile is skipped. It returns how many entries were rewritten.
var restream = redis.NewScript(luaStreamState + `
local key, field = KEYS[1], ARGV[1]
local want = {}
for i = 2, #ARGV, 3 do want[ARGV[i]] = {ARGV[i+1], ARGV[i+2]} end
local entries = redis.call('XRANGE', key, '-', '+')
local n = 0
for _, e in ipairs(entries) do
  local w = want[e[1]]
  if w then
    local f = e[2]
    for j = 1, #f, 2 do
      if f[j] == field and f[j+1] == w[1] then f[j+1] = w[2] n = n + 1 end
    end
  end
end
if n == 0 then return 0 end
local state = streamState(key)
local ttl = redis.call('PTTL', key)
redis.call('DEL', key)
for _, e in ipairs(entries) do redis.call('XADD', key, e[1], unpack(e[2])) end
putStreamState(key, state)
if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
return n`)

// restreamWhole is the longest stream rewritten whole by one restream
// call (Redis serves nothing else meanwhile: a few milliseconds); a longer
// one is rebuilt beside itself (rebuildStream).
var restreamWhole = 5000

// rebuildChunk is how many entries one call of copyEntries writes.
var rebuildChunk = 1000

// rebuildLife is how long the copy of a stream being rebuilt outlives the
// last chunk written to it: a rotate-key stopped part-way (killed, Redis
// gone) leaves the stream as it was, and its copy expires.
const rebuildLife = time.Hour

// rekeyAttempts bounds how often a record that keeps changing under Rekey
// is read again.
const rekeyAttempts = 10

// Rekey re-seals, under the current sealing key, every value that opens
// only under the previous one, while the bot keeps serving: each write is a
// compare-and-set, so a concurrent write is never overwritten. It is
// idempotent and can be run again after an interruption. progress, if not
// nil, is called with the number of keys examined so far.
func (s *Store) Rekey(ctx context.Context, progress func(done int)) (RekeyReport, error) {
	if s.kr.previous == nil {
		return RekeyReport{}, ErrNoPreviousSecret
	}
	records := s.sealedRecords()
	var (
		mu  sync.Mutex
		rep RekeyReport
	)
	scan := func(ctx context.Context, node redis.UniversalClient) error {
		iter := node.Scan(ctx, 0, globEscape(s.k.prefix)+":*", 1000).Iterator()
		for iter.Next(ctx) {
			var r RekeyReport
			if err := s.rekeyKey(ctx, records, iter.Val(), &r); err != nil {
				return err
			}
			mu.Lock()
			rep.add(r)
			rep.Keys++
			if progress != nil && rep.Keys%1000 == 0 {
				progress(rep.Keys)
			}
			mu.Unlock()
		}
		return iter.Err()
	}
	err := s.onEachPrimary(ctx, scan)
	if progress != nil {
		progress(rep.Keys)
	}
	return rep, err
}

func (r *RekeyReport) add(o RekeyReport) {
	r.Resealed += o.Resealed
	r.Current += o.Current
	r.Unreadable += o.Unreadable
}

// globEscape quotes the glob characters of a SCAN pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// rekeyKey re-seals the values of one key, if it holds sealed values.
func (s *Store) rekeyKey(ctx context.Context, records []sealedRecord, key string, rep *RekeyReport) error {
	if s.k.isRekeyCopy(key) {
		return nil // a stream being rebuilt, by this run or another
	}
	if s.k.isInboxSeen(key) {
		return nil // a marker, named by a MAC: nothing sealed
	}
	for _, rec := range records {
		arg, ok := match(rec.name, key)
		if !ok {
			continue
		}
		switch rec.kind {
		case sealedString:
			return s.rekeyString(ctx, rec, key, arg, rep)
		case sealedHash:
			return s.rekeyHash(ctx, rec, key, arg, rep)
		default:
			return s.rekeyStream(ctx, rec, key, arg, rep)
		}
	}
	return nil
}

// classify tells under which key a sealed value is, and re-seals it under
// the current key if it is under the previous one (next is then non-nil).
func (s *Store) classify(v []byte, context string, rep *RekeyReport) (next []byte, err error) {
	plain, current, err := s.kr.openWhich(v, context)
	switch {
	case err != nil:
		rep.Unreadable++
		return nil, nil
	case current:
		rep.Current++
		return nil, nil
	}
	rep.Resealed++
	return s.kr.seal(plain, context)
}

func (s *Store) rekeyString(ctx context.Context, rec sealedRecord, key, arg string, rep *RekeyReport) error {
	for range rekeyAttempts {
		v, err := s.rdb.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			return nil // gone meanwhile
		}
		if err != nil {
			return fmt.Errorf("rekey: read: %w", err)
		}
		var r RekeyReport
		b, err := s.classify([]byte(v), rec.context(arg, ""), &r)
		next := string(b)
		if err != nil {
			return err
		}
		if r.Resealed == 0 {
			rep.add(r)
			return nil
		}
		ok, err := swapString.Run(ctx, s.rdb, []string{key}, v, next).Int()
		if err != nil {
			return fmt.Errorf("rekey: write: %w", err)
		}
		if ok == 1 {
			rep.add(r)
			return nil
		}
	}
	return fmt.Errorf("rekey: a record kept changing; run rotate-key again")
}

func (s *Store) rekeyHash(ctx context.Context, rec sealedRecord, key, arg string, rep *RekeyReport) error {
	for range rekeyAttempts {
		all, err := s.rdb.HGetAll(ctx, key).Result()
		if err != nil {
			return fmt.Errorf("rekey: read: %w", err)
		}
		var r RekeyReport
		var swaps []any
		for f, v := range all {
			if !rec.field(f) {
				continue
			}
			next, err := s.classify([]byte(v), rec.context(arg, f), &r)
			if err != nil {
				return err
			}
			if next != nil {
				swaps = append(swaps, f, v, next)
			}
		}
		if len(swaps) == 0 {
			rep.add(r)
			return nil
		}
		ok, err := swapFields.Run(ctx, s.rdb, []string{key}, swaps...).Int()
		if err != nil {
			return fmt.Errorf("rekey: write: %w", err)
		}
		if ok == 1 {
			rep.add(r)
			return nil
		}
	}
	return fmt.Errorf("rekey: a record kept changing; run rotate-key again")
}

func (s *Store) rekeyStream(ctx context.Context, rec sealedRecord, key, arg string, rep *RekeyReport) error {
	n, err := s.rdb.XLen(ctx, key).Result()
	if err != nil {
		return fmt.Errorf("rekey: read: %w", err)
	}
	if n > int64(restreamWhole) {
		return s.rebuildStream(ctx, rec, key, arg, rep)
	}
	msgs, err := s.rdb.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		return fmt.Errorf("rekey: read: %w", err)
	}
	var (
		swaps []any
		field string
	)
	for _, m := range msgs {
		for f, v := range m.Values {
			sv, _ := v.(string)
			if !rec.field(f) {
				continue
			}
			next, err := s.classify([]byte(sv), rec.context(arg, f), rep)
			if err != nil {
				return err
			}
			if next != nil {
				swaps, field = append(swaps, m.ID, sv, next), f
			}
		}
	}
	if len(swaps) == 0 {
		return nil
	}
	done, err := restream.Run(ctx, s.rdb, []string{key}, append([]any{field}, swaps...)...).Int()
	if err != nil {
		return fmt.Errorf("rekey: rewrite stream: %w", err)
	}
	rep.Resealed -= len(swaps)/3 - done // entries deleted meanwhile need nothing
	return nil
}

// copyEntries appends entries to the copy of a stream being rebuilt
// (KEYS[1]) under their own ids, those still in the stream (KEYS[2]) only,
// and keeps the copy for ARGV[2] ms more. ARGV[1] is 1 if the copy must
// exist already (it expired: {-1}), 0 for the first entries (a copy left
// by a run stopped part-way is removed first); then, for each entry, its
// id, its number of fields, and its fields and values. Checked here, in
// one script with the appends, an entry the bot deleted after it was read
// is not copied; one it deletes once copied, it deletes from the copy too
// (InboxDone). It returns {entries copied, ids of those not copied}.
var copyEntries = redis.NewScript(`
local tmp, key = KEYS[1], KEYS[2]
if ARGV[1] == '1' then
  if redis.call('EXISTS', tmp) == 0 then return {-1} end
else
  redis.call('UNLINK', tmp)
end
local out, i, n = {0}, 3, 0
while i <= #ARGV do
  local nf = tonumber(ARGV[i+1])
  if #redis.call('XRANGE', key, ARGV[i], ARGV[i]) > 0 then
    redis.call('XADD', tmp, ARGV[i], unpack(ARGV, i+2, i+1+2*nf))
    n = n + 1
  else
    table.insert(out, ARGV[i])
  end
  i = i+2+2*nf
end
out[1] = n
if n > 0 then redis.call('PEXPIRE', tmp, ARGV[2]) end
return out`)

// finishRebuild puts the copy of a stream (KEYS[2]) in the stream's place
// (KEYS[1]) once it holds the same entries. ARGV[1] is the id of the last
// entry copied, ARGV[2] the most entries appended to the stream since that
// it copies here, ARGV[3] the copy's life (ms). It drops from the copy
// the entries trimmed from the stream's start meanwhile and, if the copy
// and the entries appended since ARGV[1] hold as many entries as the
// stream (the copy never misses one: ids only grow), copies those as they
// are, gives the copy the stream's last id and counters, consumer groups,
// consumers, pending entries (idle times, delivery counts) and expiry,
// and renames it over the stream. ARGV[4...] are ids copied earlier. It
// returns, when done, {1, {id, fields, ...} of the entries it appended,
// how many entries the copy held before those, those of ARGV[4...] no
// longer in it}; {0} if more than ARGV[2] were appended
// (copy more first); {-1} if the copy expired; {-2, ARGV[1]} if entries
// were deleted from the stream after they were copied (prune the copy
// first; the entries appended are left to be copied, and re-sealed, as
// the others are: only a copy put in place has its last ones taken as they
// are); {2} if the stream is gone.
var finishRebuild = redis.NewScript(luaStreamState + `
local key, tmp = KEYS[1], KEYS[2]
if redis.call('EXISTS', tmp) == 0 then return {-1} end
if redis.call('EXISTS', key) == 0 then redis.call('UNLINK', tmp) return {2} end
local tail = redis.call('XRANGE', key, '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]) + 1)
if #tail > tonumber(ARGV[2]) then return {0} end
local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)
if #first > 0 then redis.call('XTRIM', tmp, 'MINID', first[1][1]) end
if redis.call('XLEN', tmp) + #tail ~= redis.call('XLEN', key) then
  redis.call('PEXPIRE', tmp, ARGV[3])
  return {-2, ARGV[1]}
end
local copied, gone = redis.call('XLEN', tmp), {}
for i = 4, #ARGV do
  if #redis.call('XRANGE', tmp, ARGV[i], ARGV[i]) == 0 then table.insert(gone, ARGV[i]) end
end
local appended = {}
for _, e in ipairs(tail) do
  redis.call('XADD', tmp, e[1], unpack(e[2]))
  table.insert(appended, e[1])
  table.insert(appended, e[2])
end
putStreamState(tmp, streamState(key))
local ttl = redis.call('PTTL', key)
redis.call('UNLINK', key)
redis.call('RENAME', tmp, key)
if ttl > 0 then redis.call('PEXPIRE', key, ttl) else redis.call('PERSIST', key) end
return {1, appended, copied, gone}`)

// rebuildHook, if set (tests), is called after each chunk rebuildStream
// copies; rebuildSwapHook before each attempt to put the copy in place.
var rebuildHook, rebuildSwapHook func()

// rebuildStream re-seals a long stream without holding Redis for its whole
// length: stream entries cannot be changed in place, so its entries are
// copied, a chunk per call, re-sealed and under their own ids, into a new
// stream beside it (same hash slot), which then replaces it in one short
// call (finishRebuild) that also carries over what was appended and drops
// what was deleted meanwhile. Until then the stream itself is untouched:
// stopped part-way, it is as it was (still readable under both secrets),
// and the copy expires (rebuildLife).
func (s *Store) rebuildStream(ctx context.Context, rec sealedRecord, key, arg string, rep *RekeyReport) error {
	if needed, err := s.needsResealing(ctx, rec, key, arg, rep); err != nil || !needed {
		return err
	}
	tmp := s.k.rebuildCopy(key)
	life := rebuildLife.Milliseconds()
	defer func() {
		// Gone once in place; otherwise (an error) not left to expire.
		s.rdb.Unlink(context.WithoutCancel(ctx), tmp)
	}()
	// last: the last entry read; copied: whether the copy exists (an
	// entry was copied); kinds: what each entry copied was (re-sealed,
	// current...), counted in rep only for those still there once the
	// copy is in place (putInPlace).
	last, copied, attempts := "", false, 0
	kinds := map[string]RekeyReport{}
	for {
		from := "-"
		if last != "" {
			from = "(" + last
		}
		msgs, err := xrange(ctx, s.rdb, key, from, "+", rebuildChunk)
		if err != nil {
			return fmt.Errorf("rekey: read: %w", err)
		}
		if len(msgs) > 0 {
			args := []any{0, life}
			if copied {
				args[0] = 1
			}
			chunk := make(map[string]RekeyReport, len(msgs))
			for _, m := range msgs {
				args = append(args, m.id, len(m.fields)/2)
				var r RekeyReport
				for i := 0; i < len(m.fields); i += 2 {
					f, v := m.fields[i], m.fields[i+1]
					if rec.field(f) {
						next, err := s.classify([]byte(v), rec.context(arg, f), &r)
						if err != nil {
							return err
						}
						if next != nil {
							v = string(next)
						}
					}
					args = append(args, f, v)
				}
				chunk[m.id] = r
			}
			res, err := copyEntries.Run(ctx, s.rdb, []string{tmp, key}, args...).Slice()
			if err != nil {
				return fmt.Errorf("rekey: copy stream: %w", err)
			}
			n, _ := res[0].(int64)
			if n < 0 {
				return fmt.Errorf("rekey: the copy of a stream expired; run rotate-key again")
			}
			for _, id := range res[1:] { // deleted before they were copied
				if id, ok := id.(string); ok {
					delete(chunk, id)
				}
			}
			maps.Copy(kinds, chunk)
			last, copied = msgs[len(msgs)-1].id, copied || n > 0
			if rebuildHook != nil {
				rebuildHook()
			}
		}
		if len(msgs) == rebuildChunk {
			continue
		}
		if !copied {
			return nil // emptied meanwhile
		}
		if rebuildSwapHook != nil {
			rebuildSwapHook()
		}
		resealed, others := splitKinds(kinds)
		listed := others
		if len(resealed) < len(others) {
			listed = resealed
		}
		args := append([]any{last, rebuildChunk, life}, listed...)
		res, err := finishRebuild.Run(ctx, s.rdb, []string{key, tmp}, args...).Slice()
		if err != nil {
			return fmt.Errorf("rekey: replace stream: %w", err)
		}
		code, _ := res[0].(int64)
		switch code {
		case 1:
			if len(res) != 4 {
				return fmt.Errorf("rekey: replace stream: unexpected answer")
			}
			appended, _ := res[1].([]any)
			left, _ := res[2].(int64)
			gone, _ := res[3].([]any)
			rep.add(countCopied(kinds, int(left), gone, len(resealed) < len(others)))
			return s.countAppended(rec, arg, appended, rep)
		case 2:
			return nil // the stream is gone: nothing copied is left
		case -1:
			return fmt.Errorf("rekey: the copy of a stream expired; run rotate-key again")
		case -2:
			last, _ = res[1].(string)
			if attempts++; attempts == rekeyAttempts {
				return fmt.Errorf("rekey: a record kept changing; run rotate-key again")
			}
			if err := s.pruneCopy(ctx, key, tmp); err != nil {
				return err
			}
		}
	}
}

// splitKinds returns the ids of the entries copied that were re-sealed,
// and of the others (current, unreadable, nothing sealed).
func splitKinds(kinds map[string]RekeyReport) (resealed, others []any) {
	for id, r := range kinds {
		if r.Resealed > 0 {
			resealed = append(resealed, id)
		} else {
			others = append(others, id)
		}
	}
	return resealed, others
}

// countCopied counts what the entries copied (kinds) were, but those no
// longer there once the copy was put in place (deleted or trimmed from the
// stream meanwhile): left is how many the copy held, gone those of the ids
// listed (the re-sealed if listedResealed, else the others: the fewer)
// that were no longer in it. The entries of the other kind gone are
// counted off as the one they are; one re-sealed, current or unreadable
// value each.
func countCopied(kinds map[string]RekeyReport, left int, gone []any, listedResealed bool) RekeyReport {
	var total RekeyReport
	for _, r := range kinds {
		total.add(r)
	}
	for _, id := range gone {
		if id, ok := id.(string); ok {
			r := kinds[id]
			total.Resealed -= r.Resealed
			total.Current -= r.Current
			total.Unreadable -= r.Unreadable
		}
	}
	rest := len(kinds) - left - len(gone) // gone, of the kind not listed
	if listedResealed {
		c := min(rest, total.Current)
		total.Current -= c
		total.Unreadable -= min(rest-c, total.Unreadable)
	} else {
		total.Resealed -= min(rest, total.Resealed)
	}
	return total
}

// needsResealing tells whether an entry of a long stream holds a value
// that only the previous secret opens, reading the stream a chunk at a
// time up to the first such entry. If there is none (rotate-key run
// again), it counts the values it read in rep and the stream is left as it
// is: no copy is built beside it.
func (s *Store) needsResealing(ctx context.Context, rec sealedRecord, key, arg string, rep *RekeyReport) (bool, error) {
	var r RekeyReport
	for from := "-"; ; {
		msgs, err := xrange(ctx, s.rdb, key, from, "+", rebuildChunk)
		if err != nil {
			return false, fmt.Errorf("rekey: read: %w", err)
		}
		for _, m := range msgs {
			for i := 0; i+1 < len(m.fields); i += 2 {
				f := m.fields[i]
				if !rec.field(f) {
					continue
				}
				_, current, err := s.kr.openWhich([]byte(m.fields[i+1]), rec.context(arg, f))
				switch {
				case err != nil:
					r.Unreadable++
				case current:
					r.Current++
				default:
					return true, nil
				}
			}
		}
		if len(msgs) < rebuildChunk {
			rep.add(r)
			return false, nil
		}
		from = "(" + msgs[len(msgs)-1].id
	}
}

// countAppended counts the entries appended to a stream while it was
// rebuilt, which finishRebuild copied as they were (res: id, fields
// pairs): the bot seals under the current key. One sealed under the
// previous key (a replica still running on it alone) is an error: run
// again, it is re-sealed then.
func (s *Store) countAppended(rec sealedRecord, arg string, res []any, rep *RekeyReport) error {
	previous := 0
	for i := 1; i < len(res); i += 2 {
		fields, _ := res[i].([]any)
		for j := 0; j+1 < len(fields); j += 2 {
			f, _ := fields[j].(string)
			v, _ := fields[j+1].(string)
			if !rec.field(f) {
				continue
			}
			_, current, err := s.kr.openWhich([]byte(v), rec.context(arg, f))
			switch {
			case err != nil:
				rep.Unreadable++
			case current:
				rep.Current++
			default:
				previous++
			}
		}
	}
	if previous > 0 {
		return fmt.Errorf("rekey: %d stream entries were added under the previous secret meanwhile (a replica without the new VIGIA_SECRET?); run rotate-key again", previous)
	}
	return nil
}

// pruneCopy deletes from the copy of a stream the entries deleted from the
// stream since they were copied, a chunk at a time. Ids are never reused,
// so an entry missing from the stream is gone for good, and none can
// appear in a range already copied.
func (s *Store) pruneCopy(ctx context.Context, key, tmp string) error {
	from := "-"
	for {
		copied, err := xrange(ctx, s.rdb, tmp, from, "+", rebuildChunk)
		if err != nil {
			return fmt.Errorf("rekey: read: %w", err)
		}
		if len(copied) == 0 {
			return nil
		}
		lo, hi := copied[0].id, copied[len(copied)-1].id
		kept, err := xrange(ctx, s.rdb, key, lo, hi, 0)
		if err != nil {
			return fmt.Errorf("rekey: read: %w", err)
		}
		there := make(map[string]bool, len(kept))
		for _, m := range kept {
			there[m.id] = true
		}
		var gone []string
		for _, m := range copied {
			if !there[m.id] {
				gone = append(gone, m.id)
			}
		}
		if len(gone) > 0 {
			if err := s.rdb.XDel(ctx, tmp, gone...).Err(); err != nil {
				return fmt.Errorf("rekey: prune copy: %w", err)
			}
		}
		if len(copied) < rebuildChunk {
			return nil
		}
		from = "(" + hi
	}
}

// streamEntry is a stream entry with its fields in their order.
type streamEntry struct {
	id     string
	fields []string
}

// xrange reads entries from..to of a stream (count 0: all), keeping each
// entry's fields in order (go-redis's XMessage holds them in a map).
func xrange(ctx context.Context, rdb redis.UniversalClient, key, from, to string, count int) ([]streamEntry, error) {
	args := []any{"XRANGE", key, from, to}
	if count > 0 {
		args = append(args, "COUNT", count)
	}
	res, err := rdb.Do(ctx, args...).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]streamEntry, 0, len(res))
	for _, r := range res {
		e, ok := r.([]any)
		if !ok || len(e) != 2 {
			return nil, fmt.Errorf("unexpected XRANGE reply")
		}
		id, _ := e[0].(string)
		raw, _ := e[1].([]any)
		fields := make([]string, len(raw))
		for i, f := range raw {
			fields[i], _ = f.(string)
		}
		out = append(out, streamEntry{id, fields})
	}
	return out, nil
}
