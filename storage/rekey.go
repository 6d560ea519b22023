package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

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
		{exact(k.audit()), sealedStream, is("e"), fixed("audit")},
		{k.inboxDead, sealedStream, is("u"), func(p, _ string) string { return "inbox:" + p }},
		{k.inbox, sealedStream, is("u"), func(p, _ string) string { return "inbox:" + p }},
		{k.secondFactor, sealedHash, is("s"), func(p, _ string) string { return "totp:" + p }},
		{k.wipe, sealedString, nil, func(id, _ string) string { return "wipe:" + id }},
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

// restream rewrites stream entries in place: entries are immutable, so the
// stream is rebuilt, in one script, with every entry under its own id, the
// same last id and counters, consumer groups, consumers and pending
// entries (with their idle times and delivery counts). ARGV[1] is the field
// holding the sealed value; then id, old, new triples. An entry deleted
// meanwhile is skipped. It returns how many entries were rewritten.
var restream = redis.NewScript(`
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
local function map(a)
  local t = {}
  for i = 1, #a, 2 do t[a[i]] = a[i+1] end
  return t
end
local info = map(redis.call('XINFO', 'STREAM', key))
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
local ttl = redis.call('PTTL', key)
redis.call('DEL', key)
for _, e in ipairs(entries) do redis.call('XADD', key, e[1], unpack(e[2])) end
if info['entries-added'] then
  redis.call('XSETID', key, info['last-generated-id'], 'ENTRIESADDED', info['entries-added'], 'MAXDELETEDID', info['max-deleted-entry-id'])
else
  redis.call('XSETID', key, info['last-generated-id'])
end
for _, g in ipairs(groups) do
  local gm, pend, cons = g[1], g[2], g[3]
  if type(gm['entries-read']) == 'number' then
    redis.call('XGROUP', 'CREATE', key, gm['name'], gm['last-delivered-id'], 'ENTRIESREAD', gm['entries-read'])
  else
    redis.call('XGROUP', 'CREATE', key, gm['name'], gm['last-delivered-id'])
  end
  for _, c in ipairs(cons) do redis.call('XGROUP', 'CREATECONSUMER', key, gm['name'], c) end
  for _, p in ipairs(pend) do
    redis.call('XCLAIM', key, gm['name'], p[2], 0, p[1], 'IDLE', p[3], 'RETRYCOUNT', p[4], 'FORCE', 'JUSTID')
  end
end
if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
return n`)

// restreamBatch bounds the entries one restream call re-seals (each call
// rebuilds the whole stream).
const restreamBatch = 5000

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
	var err error
	if cl, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cl.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return scan(ctx, node) })
	} else {
		err = scan(ctx, s.rdb)
	}
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
	msgs, err := s.rdb.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		return fmt.Errorf("rekey: read: %w", err)
	}
	var (
		swaps []any
		field string
	)
	flush := func() error {
		if len(swaps) == 0 {
			return nil
		}
		n, err := restream.Run(ctx, s.rdb, []string{key}, append([]any{field}, swaps...)...).Int()
		if err != nil {
			return fmt.Errorf("rekey: rewrite stream: %w", err)
		}
		rep.Resealed -= len(swaps)/3 - n // entries deleted meanwhile need nothing
		swaps = swaps[:0]
		return nil
	}
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
		if len(swaps) >= 3*restreamBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
