package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// Word postings. A word's tips are kept per UTC day as one Redis string of
// 4-byte big-endian tip numbers, appended as tips are indexed: 4 bytes per
// word and tip, where a sorted set member costs about 80. A day's string
// expires when the newest tip it can hold does, so retention needs no
// trimming; a query reads the days of its window, newest first.

// postingDays is how many days one query round trip reads.
const postingDays = 8

// maxCandidates bounds the tips one query examines: a broader search must
// be narrowed (words, window, category).
const maxCandidates = 5000

// postingNum encodes a tip id for a posting list.
func postingNum(id string) ([]byte, error) {
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("tip id %q does not fit a posting: %w", id, err)
	}
	return binary.BigEndian.AppendUint32(nil, uint32(n)), nil
}

// decodePostings reads a posting string into ascending tip numbers
// (concurrent indexing may append a little out of order).
func decodePostings(b string) []uint32 {
	out := make([]uint32, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		out = append(out, binary.BigEndian.Uint32([]byte(b[i:i+4])))
	}
	if !slices.IsSorted(out) {
		slices.Sort(out)
	}
	return slices.Compact(out)
}

// postingExpiry is when the posting string of created's day can go: when
// the last tip that day could hold expires.
func (s *Store) postingExpiry(created time.Time) time.Time {
	return created.UTC().Truncate(24 * time.Hour).Add(24*time.Hour + s.retention)
}

// intersectSorted returns the numbers present in every list, ascending.
func intersectSorted(lists [][]uint32) []uint32 {
	slices.SortFunc(lists, func(a, b []uint32) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		kept := out[:0]
		j := 0
		for _, v := range out {
			for j < len(l) && l[j] < v {
				j++
			}
			if j < len(l) && l[j] == v {
				kept = append(kept, v)
			}
		}
		out = kept
		if len(out) == 0 {
			break
		}
	}
	return out
}

// postingTail is how many bytes of a day's posting string a search reads
// first (4,096 tips): the newest tips are at its end, and most searches
// are answered from there; a longer string is read in growing tails.
var postingTail = 16 << 10

// postingSlack is how many of a partly read posting's oldest numbers a
// search does not trust: concurrent indexing appends slightly out of order,
// so a number just below a tail's start may be in it or not. An indexer
// appends a batch of IndexBatch tips in the stream's order, in one
// pipeline: with up to four of them (replicas) at once a number lands at
// most about 200 places from its order. A tip indexed later than that (taken over from an indexer
// that died) is not appended but listed apart (indexLate).
var postingSlack = 256

// Search returns up to n tips containing every word of query (folded:
// case and accents do not matter) since `since`, in category if set,
// newest first. At most maxCandidates tips holding the words are examined
// by each lookup (the words' and each old form's): cut says one stopped
// there short of n, so older tips may match too, and the search must be
// narrowed (more words).
//
// A tip indexed before words ran across spacing marks (Hindi "भाई",
// Bengali "দেওয়া"), or before Fold kept the nonspacing marks of those
// scripts ("मेरा" was "मरा"), holds the words its text was read as then
// (tips.MarkSplitIndexTokens, tips.MarklessIndexTokens), not the query's:
// they are looked up too, for as long as such postings can exist (the
// retention). And a word of those scripts may be another's old form
// ("मरा", "died", is "मेरा", "my", as read before), so for a query in
// them (tips.HasSpeltScript) every tip found is kept only if its text
// holds every word of query as words are read now. So a tip found before
// is found still, by the words it holds; and a tip is not found by words
// it does not hold. So are the words a host named in the query gave before punycode was
// read decoded (tips.PunycodeIndexTokens: "пример.рф" written
// "xn--e1afmkfd.xn--p1ai" was "xn", "e1afmkfd", "p1ai"), and those a
// word mixing Latin letters with Cyrillic or Greek look-alikes gave before
// they were read as Latin ones (tips.LookalikeIndexTokens: "Sіnaloa" with a
// Cyrillic і was "sіnaloa"; a query written "Sinaloa" does not find such
// a tip, indexed before, until the retention ends).
func (s *Store) Search(ctx context.Context, query string, since time.Time, category tips.Category, n int) (list []tips.Tip, cut bool, err error) {
	words := tips.IndexTokens(query)
	if len(words) == 0 {
		return nil, false, nil
	}
	var pasts [][]string
	for _, past := range [][]string{tips.MarklessIndexTokens(query), tips.MarkSplitIndexTokens(query), tips.PunycodeIndexTokens(query), tips.LookalikeIndexTokens(query)} {
		if len(past) > 0 && !slices.Equal(past, words) && !slices.ContainsFunc(pasts, func(p []string) bool { return slices.Equal(p, past) }) {
			pasts = append(pasts, past)
		}
	}
	var keep func(tips.Tip) bool
	if len(pasts) > 0 || tips.HasSpeltScript(query) {
		keep = func(t tips.Tip) bool { return holdsAll(tips.IndexTokens(t.Content.Text()), words) }
	}
	q := &postingSearch{s: s, since: since, category: category, n: n, keep: keep}
	if err := q.run(ctx, words, words); err != nil {
		return nil, false, err
	}
	out, cut := q.out, q.stoppedShort()
	for _, past := range pasts {
		old := &postingSearch{s: s, since: since, category: category, n: n, keep: keep}
		if err := old.run(ctx, past, nil); err != nil {
			return nil, false, err
		}
		out = newestFirst(out, old.out, n)
		cut = cut || old.stoppedShort()
	}
	return out, cut, nil
}

// holdsAll reports whether have holds every one of words.
func holdsAll(have, words []string) bool {
	for _, w := range words {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// newestFirst merges two searches' tips: each once, newest first, at
// most n.
func newestFirst(a, b []tips.Tip, n int) []tips.Tip {
	if len(b) == 0 {
		return a
	}
	out := slices.Clone(a)
	for _, t := range b {
		if !slices.ContainsFunc(out, func(o tips.Tip) bool { return o.ID == t.ID }) {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(x, y tips.Tip) int { return y.Created.Compare(x.Created) })
	return out[:min(len(out), n)]
}

// run looks up the postings of words, day after day from the newest,
// until q has its tips or has examined as many as it may. The days' late
// tips (indexLate) are matched against lateWords; none if nil.
func (q *postingSearch) run(ctx context.Context, words, lateWords []string) error {
	s := q.s
	macs := make([]string, len(words))
	for i, w := range words {
		macs[i] = s.tokenMAC(w)
	}
	day := s.now().UTC().Truncate(24 * time.Hour)
	first := q.since.UTC().Truncate(24 * time.Hour)
	if oldest := s.now().Add(-s.retention).UTC().Truncate(24 * time.Hour); first.Before(oldest) {
		first = oldest
	}
	for !day.Before(first) && !q.done() {
		// The tails of up to postingDays days in one round trip.
		var days []time.Time
		for d := day; !d.Before(first) && len(days) < postingDays; d = d.Add(-24 * time.Hour) {
			days = append(days, d)
		}
		day = days[len(days)-1].Add(-24 * time.Hour)
		keys := make([][]string, len(days))
		for i, d := range days {
			for _, mac := range macs {
				keys[i] = append(keys[i], s.k.indexToken(mac, indexDay(d)))
			}
		}
		var lateKeys []string
		if lateWords != nil {
			for _, d := range days {
				lateKeys = append(lateKeys, s.k.indexLate(indexDay(d)))
			}
		}
		tails, late, err := q.readTails(ctx, keys, postingTail, lateKeys)
		if err != nil {
			return err
		}
		for i := range days {
			var lateHits []uint32
			if lateWords != nil {
				if lateHits, err = q.lateMatches(ctx, late[i], lateWords); err != nil {
					return err
				}
			}
			if err := q.searchDay(ctx, keys[i], tails[i], lateHits); err != nil {
				return err
			}
			if q.done() {
				break
			}
		}
	}
	return nil
}

// postingSearch is one search's state.
type postingSearch struct {
	s        *Store
	since    time.Time
	category tips.Category
	n        int
	out      []tips.Tip
	examined int
	keep     func(tips.Tip) bool // if set, only the tips it keeps are found
}

func (q *postingSearch) done() bool { return len(q.out) >= q.n || q.examined >= maxCandidates }

// stoppedShort reports whether q examined as many tips as it may with
// fewer than it wanted: older tips, not examined, may match.
func (q *postingSearch) stoppedShort() bool { return q.examined >= maxCandidates && len(q.out) < q.n }

// tail is the end of one posting string: its numbers, ascending, and
// whether that is the whole string.
type tail struct {
	nums  []uint32
	whole bool
}

// readTails reads the last `bytes` bytes of each key, and the members of
// each of lateKeys (the days' late tips), in one round trip.
func (q *postingSearch) readTails(ctx context.Context, keys [][]string, bytes int, lateKeys []string) ([][]tail, [][]string, error) {
	pipe := q.s.rdb.Pipeline()
	cmds := make([][]*redis.StringCmd, len(keys))
	for i, ks := range keys {
		for _, k := range ks {
			cmds[i] = append(cmds[i], pipe.GetRange(ctx, k, -int64(bytes), -1))
		}
	}
	lateCmds := make([]*redis.StringSliceCmd, len(lateKeys))
	for i, k := range lateKeys {
		lateCmds[i] = pipe.SMembers(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	out := make([][]tail, len(keys))
	for i := range cmds {
		for _, c := range cmds[i] {
			v := c.Val()
			out[i] = append(out[i], tail{nums: decodePostings(v), whole: len(v) < bytes})
		}
	}
	late := make([][]string, len(lateKeys))
	for i, c := range lateCmds {
		late[i] = c.Val()
	}
	return out, late, nil
}

// lateMatches returns, ascending, the numbers of the late tips ids (see
// indexLate) whose words include every one of words. There are few: they
// are opened and matched here.
func (q *postingSearch) lateMatches(ctx context.Context, ids []string, words []string) ([]uint32, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := q.s.tipsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, t := range list {
		has := map[string]bool{}
		for _, w := range tips.IndexTokens(t.Content.Text()) {
			has[w] = true
		}
		all := true
		for _, w := range words {
			all = all && has[w]
		}
		if n, err := strconv.ParseUint(t.ID, 10, 32); all && err == nil {
			out = append(out, uint32(n))
		}
	}
	slices.Sort(out)
	return out, nil
}

// searchDay finds one day's matches, newest first: in the tails read so
// far, then, while more are wanted, in tails four times longer.
func (q *postingSearch) searchDay(ctx context.Context, keys []string, tails []tail, late []uint32) error {
	below := uint64(1) << 32 // numbers at or above were looked at already
	for size := postingTail; ; size *= 4 {
		lists := make([][]uint32, len(tails))
		var from uint32 // below this, a partly read tail may miss numbers
		missing := false
		for i, t := range tails {
			if len(t.nums) == 0 {
				missing = true // a word is missing from that day's postings
				break
			}
			lists[i] = t.nums
			if !t.whole {
				from = max(from, t.nums[min(postingSlack, len(t.nums)-1)])
			}
		}
		if missing && len(late) == 0 {
			return nil
		}
		var nums []uint32
		if !missing {
			nums = intersectSorted(lists)
		} else {
			from = 0 // only the late tips: all known
		}
		// The day's late tips that match, in the same order.
		nums = slices.Compact(slices.Sorted(slices.Values(append(nums, late...))))
		var ids []string
		for j := len(nums) - 1; j >= 0; j-- {
			if v := uint64(nums[j]); v < below && nums[j] >= from {
				ids = append(ids, strconv.FormatUint(v, 10))
			}
		}
		for len(ids) > 0 && !q.done() {
			page := ids[:min(len(ids), 200, maxCandidates-q.examined)]
			ids = ids[len(page):]
			q.examined += len(page)
			found, err := q.s.pickTips(ctx, page, q.since, q.category, q.n-len(q.out), keepEach(q.keep))
			if err != nil {
				return err
			}
			q.out = append(q.out, found...)
		}
		if q.done() || from == 0 {
			return nil
		}
		below = uint64(from)
		// Read longer tails of the strings not read whole.
		var more []string
		var which []int
		for i, t := range tails {
			if !t.whole {
				more = append(more, keys[i])
				which = append(which, i)
			}
		}
		got, _, err := q.readTails(ctx, [][]string{more}, size*4, nil)
		if err != nil {
			return err
		}
		for j, i := range which {
			tails[i] = got[0][j]
		}
	}
}

// pickTips opens, in order, up to n of the tips ids that still exist, were
// created since `since`, are in category (if set) and that keep (if set)
// keeps.
func (s *Store) pickTips(ctx context.Context, ids []string, since time.Time, category tips.Category, n int, keep keepTips) ([]tips.Tip, error) {
	pipe := s.rdb.Pipeline()
	meta := make([]*redis.SliceCmd, len(ids))
	for j, id := range ids {
		meta[j] = pipe.HMGet(ctx, s.k.tip(id), "c", "t")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("search: %w", err)
	}
	var picked []string
	for j, id := range ids {
		v := meta[j].Val()
		c, _ := v[0].(string)
		ts, _ := v[1].(string)
		ms, err := strconv.ParseInt(ts, 10, 64)
		if c == "" || err != nil || time.UnixMilli(ms).Before(since) || (category != "" && c != string(category)) {
			continue
		}
		picked = append(picked, id)
	}
	// The first n, and more should some of them not open (gone since,
	// or a purge half done): the caller goes on past these ids.
	var out []tips.Tip
	for len(picked) > 0 && len(out) < n {
		take := picked[:min(len(picked), n-len(out))]
		picked = picked[len(take):]
		found, err := s.tipsByID(ctx, take)
		if err != nil {
			return nil, err
		}
		if keep != nil {
			if found, err = keep(ctx, found); err != nil {
				return nil, err
			}
		}
		out = append(out, found...)
	}
	return out, nil
}

// keepTips returns those of found to keep, in their order; a batch at a
// time, so that what it looks up costs one round trip a batch, not one a
// tip.
type keepTips func(ctx context.Context, found []tips.Tip) ([]tips.Tip, error)

// keepEach is keep as a keepTips (nil if keep is).
func keepEach(keep func(tips.Tip) bool) keepTips {
	if keep == nil {
		return nil
	}
	return func(_ context.Context, found []tips.Tip) ([]tips.Tip, error) {
		return slices.DeleteFunc(found, func(t tips.Tip) bool { return !keep(t) }), nil
	}
}

// dropPosting removes a tip's number from posting strings (a purge).
var dropPosting = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
  if v then
    local parts, from = {}, 1
    local pos = 1
    while true do
      local at = string.find(v, ARGV[1], pos, true)
      if not at then break end
      if (at - 1) % 4 == 0 then
        table.insert(parts, string.sub(v, from, at - 1))
        from = at + 4
        pos = at + 4
      else
        pos = at + 1
      end
    end
    if from > 1 then
      table.insert(parts, string.sub(v, from))
      local rest = table.concat(parts)
      if rest == '' then redis.call('DEL', KEYS[1])
      else redis.call('SET', KEYS[1], rest, 'KEEPTTL') end
    end
end
return 1`)
