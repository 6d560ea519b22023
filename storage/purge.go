package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// Purge erases a tip for good (crypto-shredding): its wrapped data key
// goes first — from then on no copy of its sealed content, history, route
// or files can ever be opened — then every record that names it: the tip,
// its history, route, files, receipt record, its triage
// stream entry, its entries in the blind index and the
// near-duplicate bands, and in the lists of duplicates of the originals
// it was marked (or was being marked) a duplicate of. Its reporter no longer counts for an entity that
// none of their other tips names.
func (s *Store) Purge(ctx context.Context, id string) error {
	fields, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	if fields["k"] == "" {
		return ErrNotFound
	}
	// Read what is needed to find the index entries before the key goes.
	t, err := s.openTip(id, fields)
	if err != nil && !errors.Is(err, ErrSealed) {
		return err
	}
	text := t.Content.Text()
	var reporter string
	if st, _, err := s.openStored(id, fields); err == nil {
		reporter = reporterOf(st.Reporter)
	}
	// The originals whose lists of duplicates name it: by its recorded
	// mark, and by a mark under way on its publication hash.
	pub, err := s.rdb.HGetAll(ctx, s.k.publication(id)).Result()
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	if err := s.rdb.HDel(ctx, s.k.tip(id), "k").Err(); err != nil {
		return fmt.Errorf("purge key: %w", err)
	}
	pipe := s.rdb.Pipeline()
	entities := s.unindex(ctx, pipe, id, t.Created, text)
	for _, fid := range storedFiles(t.Content) {
		pipe.Del(ctx, s.k.file(fid))
	}
	if e := tipEntry(fields); e != "" {
		pipe.XAck(ctx, s.k.triage(), TriageGroup, e)
		pipe.XAck(ctx, s.k.triage(), IndexGroup, e)
		pipe.XDel(ctx, s.k.triage(), e)
	}
	if k := s.receiptKeyOf(fields); k != "" {
		pipe.Del(ctx, k)
	}
	// One DEL per hash tag: on Redis Cluster a DEL across tags is refused.
	pipe.Del(ctx, s.k.tipLog(id), s.k.route(id))
	purgeBroadcast.Eval(ctx, pipe, s.purgeBroadcastKeys(id, fields, pub), id)
	pipe.SRem(ctx, s.k.broadcasts(), id)
	pipe.Del(ctx, s.k.tip(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("purge: %w", err)
	}
	past, err := s.pastEntities(ctx, id, t.Created, text)
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	if err := s.unindexEntities(ctx, append(entities, past...), id, reporter); err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	return nil
}

// pastEntities are the entities of tips.PastEntities(text) whose sets
// hold tip id, created at created: it was indexed before handles and
// hashtags were read as they are now ("@khabar_हिंदी" was the handle
// "khabar_ह"), and is a member of those. Only members: such an entity, a
// prefix of many words, may name countless other tips. None are looked
// up for a tip that cannot be under them (mayBeUnderPastForms).
func (s *Store) pastEntities(ctx context.Context, id string, created time.Time, text string) ([]tips.Entity, error) {
	past := tips.PastEntities(text)
	if len(past) > 0 && !s.mayBeUnderPastForms(ctx, created) {
		past = nil
	}
	// And those its Telegram links were read as before 774bbac (the
	// domain telegram.dog, the accounts "s", "joinchat", "c"): no moment
	// of that change is kept, so looked up whenever the text has them
	// (rare: only such a link does), members only as above.
	past = appendNew(past, tips.PastLinkEntities(text, s.index0.Region))
	if len(past) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	scores := make([]*redis.FloatCmd, len(past))
	for i, e := range past {
		scores[i] = pipe.ZScore(ctx, s.k.indexEntity(s.entityMAC(e.Key())), id)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	var out []tips.Entity
	for i, c := range scores {
		if c.Err() == nil {
			out = append(out, past[i])
		}
	}
	return out, nil
}

// appendNew appends to past the entities of more it does not hold.
func appendNew(past, more []tips.Entity) []tips.Entity {
	for _, e := range more {
		if !slices.ContainsFunc(past, func(p tips.Entity) bool { return p.Key() == e.Key() }) {
			past = append(past, e)
		}
	}
	return past
}

// unindex queues on pipe what takes tip id, created at created with text,
// out of the blind index and the near-duplicate bands: its postings, its
// late entry and its bands; an alert it raised and has not handed over
// (under an entity's past form too) is released, as a given-up tip's
// (the next tip naming the entity raises it). It returns the entities the tip names: once pipe has run,
// unindexEntities takes the tip and its reporter out of them.
func (s *Store) unindex(ctx context.Context, pipe redis.Pipeliner, id string, created time.Time, text string) []tips.Entity {
	if num, err := postingNum(id); err == nil {
		// Both forms of a punycode host: a tip indexed before hosts were
		// read decoded holds the old words.
		for _, w := range append(tips.IndexTokens(text), tips.PastIndexTokens(text)...) {
			dropPosting.Eval(ctx, pipe, []string{s.k.indexToken(s.tokenMAC(w), indexDay(created))}, string(num))
		}
	}
	pipe.SRem(ctx, s.k.indexLate(indexDay(created)), id)
	entities := tips.Extract(text, s.index0.Region)
	// And one it raised under an entity it was indexed under before
	// handles and hashtags kept their marks (the mark names it only if so;
	// not looked for where it cannot be: mayBeUnderPastForms).
	past := tips.PastEntities(text)
	if len(past) > 0 && !s.mayBeUnderPastForms(ctx, created) {
		past = nil
	}
	past = appendNew(past, tips.PastLinkEntities(text, s.index0.Region)) // its Telegram links as read before 774bbac
	for _, e := range append(entities, past...) {
		releaseAlert.Eval(ctx, pipe, []string{s.k.indexAlert(s.entityMAC(e.Key()))}, id) // rare: not cached
	}
	if sk, ok := tips.NewSketch(text, s.kr.keys().Index); ok {
		args := append([]any{id}, anySlice(sk.Bands())...)
		dropBands.Eval(ctx, pipe, s.bandKeys(created, sk.Bands()), args...)
	}
	return entities
}

// uncount takes tip id, created at created with text, sent by reporter,
// out of the entities it names, as Purge does (those it was indexed under
// before handles and hashtags were read as now included), and lets go an
// alert it raised and has not handed over; its words stay in the index
// (forget: the tip stays).
func (s *Store) uncount(ctx context.Context, id, reporter string, created time.Time, text string) error {
	past, err := s.pastEntities(ctx, id, created, text)
	if err != nil {
		return fmt.Errorf("uncount: %w", err)
	}
	entities := append(tips.Extract(text, s.index0.Region), past...)
	if len(entities) == 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	for _, e := range entities {
		releaseAlert.Eval(ctx, pipe, []string{s.k.indexAlert(s.entityMAC(e.Key()))}, id) // rare: not cached
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("uncount: %w", err)
	}
	return s.unindexEntities(ctx, entities, id, reporter)
}

// unindexEntities takes tip id out of the sets of the entities it names,
// and reporter (unknown: "") as unindexEntity does; then their kept
// alerts, if any, are recounted at the next sweep (withdrawn from the
// chats that took them if too few reporters are left), those every chat
// took included.
func (s *Store) unindexEntities(ctx context.Context, entities []tips.Entity, id, reporter string) error {
	macs := make([]string, len(entities))
	for i, e := range entities {
		macs[i] = s.entityMAC(e.Key())
		if err := s.unindexEntity(ctx, macs[i], id, reporter); err != nil {
			return err
		}
	}
	if len(macs) == 0 {
		return nil
	}
	return s.checkAlerts(ctx, macs)
}

// unindexEntity takes a purged tip out of an entity's sorted set, and its
// reporter out of the entity's reporters unless another of their tips
// still names it: then their tag is dated by the newest of those. A
// purged (fake) report does not count as a reporter. The index cannot
// tell which reporter sent which tip (by design): the entity's other tips
// are opened to find out, newest first, until one of the reporter's.
// Indexing that adds to the set meanwhile makes it start again (WATCH),
// without opening twice a tip it has opened.
func (s *Store) unindexEntity(ctx context.Context, mac, id, reporter string) error {
	ek := s.k.indexEntity(mac)
	theirs := map[string]bool{} // the tips opened so far: whether the reporter sent them
	for range 10 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			latest := int64(-1)
			if reporter != "" {
				var err error
				if latest, err = s.latestBy(ctx, tx, ek, id, reporter, theirs); err != nil {
					return err
				}
			}
			_, err := tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.ZRem(ctx, ek, id)
				if reporter == "" {
					return nil // a tip that cannot be opened: its reporter is unknown
				}
				s.redateReporter(ctx, pipe, ek, mac, reporter, latest)
				return nil
			})
			return err
		}, ek)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return errors.New("entity index kept changing")
}

// latestBy returns the time (Unix ms) of the newest tip in entity set ek,
// other than id, sent by reporter, or -1 if there is none. theirs records
// the tips opened, across calls.
func (s *Store) latestBy(ctx context.Context, tx *redis.Tx, ek, id, reporter string, theirs map[string]bool) (int64, error) {
	const page = 200
	// Tips only, of the retention: their scores are times, reporters'
	// tags are negative.
	min := strconv.FormatInt(s.now().Add(-s.retention).UnixMilli(), 10)
	max := "+inf"
	seen := map[string]bool{}
	for {
		res, err := tx.ZRevRangeByScoreWithScores(ctx, ek, &redis.ZRangeBy{Min: min, Max: max, Count: page}).Result()
		if err != nil {
			return -1, fmt.Errorf("entity tips: %w", err)
		}
		var open []string
		progress := false
		for _, z := range res {
			tid, _ := z.Member.(string)
			if seen[tid] {
				continue
			}
			seen[tid], progress = true, true
			if _, known := theirs[tid]; !known && tid != id {
				open = append(open, tid)
			}
		}
		if len(open) > 0 {
			pipe := s.rdb.Pipeline()
			cmds := make([]*redis.SliceCmd, len(open))
			for i, tid := range open {
				cmds[i] = pipe.HMGet(ctx, s.k.tip(tid), "k", "d")
			}
			if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				return -1, fmt.Errorf("entity tips: %w", err)
			}
			for i, tid := range open {
				v := cmds[i].Val()
				k, _ := v[0].(string)
				d, _ := v[1].(string)
				st, _, err := s.openStored(tid, map[string]string{"k": k, "d": d})
				theirs[tid] = err == nil && reporterOf(st.Reporter) == reporter // gone or unreadable: not theirs
			}
		}
		for _, z := range res {
			if tid, _ := z.Member.(string); tid != id && theirs[tid] {
				return int64(z.Score), nil
			}
		}
		if len(res) < page || !progress {
			return -1, nil
		}
		max = strconv.FormatFloat(res[len(res)-1].Score, 'f', 0, 64)
	}
}

// redateReporter sets reporter's tag in entity set ek (entity mac) to the
// hour of latest, the newest of their tips left naming the entity, or
// takes it out if none is left (latest < 0).
func (s *Store) redateReporter(ctx context.Context, pipe redis.Pipeliner, ek, mac, reporter string, latest int64) {
	tag := "r" + s.reporterMAC(mac, reporter)
	if latest < 0 {
		pipe.ZRem(ctx, ek, tag)
		return
	}
	hour := time.UnixMilli(latest).Truncate(time.Hour).UnixMilli()
	pipe.ZAddXX(ctx, ek, redis.Z{Score: -float64(hour), Member: tag})
}

// purgeBroadcast deletes a purged tip's publication records (KEYS[1] to
// KEYS[3]: publication, deliveries, its own list of duplicates) and takes
// it (ARGV[1]) out of the lists of duplicates of the originals it was
// marked, or being marked, a duplicate of (KEYS[4]…), in one step: every
// key is in hash slot {bc}. Left there, its entry would be read by each
// mark of the original, and counted toward its bound (see
// duplicatesBehind), until an approval's walk dropped it. UNLINK, not
// DEL: a tip's own list of duplicates has no bound (every tip ever marked
// a duplicate of it, however many reporters sent the same warning), and
// Redis frees a long one off its main thread, not inside this script.
var purgeBroadcast = redis.NewScript(`
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3])
for i = 4, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
return 1`)

// purgeBroadcastKeys are purgeBroadcast's keys for tip id, with its tip
// hash's fields and its publication hash pub: the lists of duplicates of
// what its recorded mark names ("dup" on either) and of what a mark
// under way names ("v:" fields, "<ms>:u:<original>").
func (s *Store) purgeBroadcastKeys(id string, fields, pub map[string]string) []string {
	keys := []string{s.k.publication(id), s.k.deliveries(id), s.k.duplicates(id)}
	seen := map[string]bool{}
	add := func(orig string) {
		if orig != "" && !seen[orig] {
			seen[orig] = true
			keys = append(keys, s.k.duplicates(orig))
		}
	}
	add(fields["dup"])
	add(pub["dup"])
	for f, v := range pub {
		if !strings.HasPrefix(f, "v:") {
			continue
		}
		if _, rest, ok := strings.Cut(v, ":u:"); ok {
			add(rest)
		}
	}
	return keys
}
