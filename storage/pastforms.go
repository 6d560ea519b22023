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

// mayHavePastForms says whether text may name a handle or hashtag that
// was read cut short before (tips.PastForms): one that holds, once
// normalised, a combining mark or a zero-width non-joiner, which only a
// character from U+0300 on can be or give. Most text holds neither (the
// accented letters of Spanish, Portuguese and French come before), and
// costs no more.
func mayHavePastForms(text string) bool {
	return strings.ContainsAny(text, "@#") && strings.ContainsFunc(text, func(r rune) bool { return r >= 0x300 })
}

// foldPastForms brings into the set of entity e (its MAC mac) the tips of
// the retention indexed under e's past forms (tips.PastForms:
// "@khabar_हिंदी" was the handle "khabar_ह") whose text names e as read
// now, with their reporters' tags under e: so they count toward e's
// alerts and /signals, each reporter once (a tag is per reporter and
// entity), and /entity lists them. Not a tip its reporter withdrew
// (/forget), nor one that no longer opens. Once an hour per entity at
// most (indexFolded): such a cut form, a prefix of many words, may hold
// many other entities' tips, opened each time. It reports whether it
// read them (not if they were brought in this hour).
func (s *Store) foldPastForms(ctx context.Context, e tips.Entity, mac string, past []tips.Entity) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.indexFolded(mac), 1, time.Hour).Result()
	if err != nil || !ok {
		return false, err
	}
	if err := s.foldPast(ctx, e, mac, past); err != nil {
		// The next tip tries again: even when ctx ended (a shutdown cut
		// the fold off), else the mark would skip the folds of the hour.
		s.rdb.Del(context.WithoutCancel(ctx), s.k.indexFolded(mac))
		return true, fmt.Errorf("past forms: %w", err)
	}
	return true, nil
}

// foldPast is foldPastForms once its mark is taken.
func (s *Store) foldPast(ctx context.Context, e tips.Entity, mac string, past []tips.Entity) error {
	ek := s.k.indexEntity(mac)
	min := strconv.FormatInt(s.now().Add(-s.retention).UnixMilli(), 10)
	for _, p := range past {
		// Tips only (their scores are times; reporters' are negative),
		// the newest first.
		res, err := s.rdb.ZRevRangeByScoreWithScores(ctx, s.k.indexEntity(s.entityMAC(p.Key())), &redis.ZRangeBy{Min: min, Max: "+inf", Count: maxCandidates}).Result()
		if err != nil {
			return err
		}
		if len(res) == 0 {
			continue
		}
		ids := make([]string, len(res))
		for i, z := range res {
			ids[i], _ = z.Member.(string)
		}
		have, err := s.rdb.ZMScore(ctx, ek, ids...).Result()
		if err != nil {
			return err
		}
		pipe := s.rdb.Pipeline()
		fields := map[int]*redis.SliceCmd{}
		for i, id := range ids {
			if have[i] == 0 { // not in e's set yet
				fields[i] = pipe.HMGet(ctx, s.k.tip(id), "k", "d", tipForgotten)
			}
		}
		if len(fields) == 0 {
			continue
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if beforeFold != nil {
			beforeFold()
		}
		args := []any{s.retention.Milliseconds()}
		added := map[string]string{} // the tips brought in, and their reporters
		for i, c := range fields {
			v := c.Val()
			k, _ := v[0].(string)
			d, _ := v[1].(string)
			if k == "" || v[2] != nil {
				continue // gone, or withdrawn
			}
			st, _, err := s.openStored(ids[i], map[string]string{"k": k, "d": d})
			if err != nil || !s.namesEntity(st.Content.Text(), e) {
				continue
			}
			hour := time.UnixMilli(int64(res[i].Score)).Truncate(time.Hour).UnixMilli()
			args = append(args, res[i].Score, ids[i], -float64(hour), "r"+s.reporterMAC(mac, reporterOf(st.Reporter)))
			added[ids[i]] = reporterOf(st.Reporter)
		}
		if len(added) == 0 {
			continue
		}
		// Written and given its expiry in one script, as addEntity: a
		// set made by a ZADD and given its expiry by a PEXPIRE after it
		// would be left without one by a connection cut between the two.
		if err := addFolded.Run(ctx, s.rdb, []string{ek}, args...).Err(); err != nil {
			return err
		}
		if afterFoldWrites != nil {
			afterFoldWrites()
		}
		// Written: what a purge or /forget missed meanwhile is taken back
		// out even if ctx ended since (a shutdown), or it would count (a
		// reporter who withdrew, toward alerts and /signals) for the
		// retention: a later fold only adds.
		if err := s.unfoldGone(context.WithoutCancel(ctx), mac, added); err != nil {
			return err
		}
	}
	return nil
}

// addFolded adds tips and their reporters' tags to an entity's sorted
// set (KEYS[1]): ARGV[2...] score and member pairs, LT, as addEntity
// adds them (a tag keeps the hour of its reporter's latest tip); and sets
// the set's expiry (ARGV[1] ms) in the same script: made by a command
// and given its expiry by another, a connection cut between the two
// would leave it without one, naming the entity's tips past the
// retention. Rare (foldPast, siftMove).
var addFolded = redis.NewScript(`
for i = 2, #ARGV, 1000 do -- 500 pairs a call: unpack is bounded (Lua's C stack)
  redis.call('ZADD', KEYS[1], 'LT', unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return redis.call('PEXPIRE', KEYS[1], ARGV[1])`)

// beforeFold, if set, runs between foldPast's read of the tips and its
// writes (tests).
var beforeFold func()

// afterFoldWrites, if set, runs between foldPast's writes and its check
// of what was purged or withdrawn meanwhile (tests).
var afterFoldWrites func()

// unfoldGone takes back out of entity set mac the tips foldPast brought
// in (with their reporters) that were purged or withdrawn meanwhile: a
// purge or /forget marks the tip first and takes it out of the sets
// after, so one that ran between foldPast's read and its writes missed
// them.
func (s *Store) unfoldGone(ctx context.Context, mac string, added map[string]string) error {
	pipe := s.rdb.Pipeline()
	state := map[string]*redis.SliceCmd{}
	for id := range added {
		state[id] = pipe.HMGet(ctx, s.k.tip(id), "k", tipForgotten)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for id, c := range state {
		if v := c.Val(); v[0] == nil || v[1] != nil {
			if err := s.unindexEntity(ctx, mac, id, added[id]); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxFoldsPerTip is how many of a tip's entities have their past forms'
// tips brought in (foldPastForms) while it is indexed, at most: each may
// open up to maxCandidates tips, and a hostile tip may name hundreds of
// handles sharing a cut form. The others are brought in by the next tips
// naming them.
const maxFoldsPerTip = 4

// mayBeCutForm says whether entity e's set may hold tips of other
// entities: those indexed, before handles and hashtags kept their marks,
// under a form that is e as read now ("@khabar_हिंदी" was the handle
// "khabar_ह", "#می‌خواهم" the hashtag "می"). Handles and hashtags only.
func mayBeCutForm(e tips.Entity) bool {
	return e.Kind == tips.KindHandle || e.Kind == tips.KindHashtag
}

// namesEntity says whether text names entity e as entities are read now.
func (s *Store) namesEntity(text string, e tips.Entity) bool {
	return slices.ContainsFunc(tips.Extract(text, s.index0.Region), func(x tips.Entity) bool { return x.Key() == e.Key() })
}

// siftCutForm takes out of the set of entity e (its MAC mac) the tips of
// the retention whose text no longer names e as read now: tips indexed
// under e when it was the cut form of another entity ("@khabar_हिंदी"
// was "khabar_ह"), which would count their reporters toward e's alerts
// and /signals. Each is brought into the entities its text names now
// whose past form e is, as foldPastForms would, then taken out of e's
// set; its reporter's tag goes with it unless another of their tips
// there read names e (then it is dated by the newest of those). Once an
// hour per entity at most (indexSifted). It reports whether it read the
// set.
func (s *Store) siftCutForm(ctx context.Context, e tips.Entity, mac string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.indexSifted(mac), 1, time.Hour).Result()
	if err != nil || !ok {
		return false, err
	}
	if err := s.sift(ctx, e, mac); err != nil {
		if ue := (*UnreadableAlertsError)(nil); errors.As(err, &ue) {
			return true, ue // sifted, kept alert records dropped (counted)
		}
		// The next tip tries again, as foldPastForms.
		s.rdb.Del(context.WithoutCancel(ctx), s.k.indexSifted(mac))
		if errors.Is(err, errSiftBusy) {
			// An entity named all the time: this tip is indexed all
			// the same, not failed (and given up) for it. The set was
			// read, up to ten times: it counts toward maxFoldsPerTip.
			return true, nil
		}
		return true, fmt.Errorf("cut form: %w", err)
	}
	return true, nil
}

// errSiftBusy is sift's error when the set kept changing while it read it.
var errSiftBusy = errors.New("entity index kept changing")

// siftedTip is what sift learned of a tip of the set it reads.
type siftedTip struct {
	names     bool   // its text names the entity as read now (and it is not withdrawn)
	foreign   bool   // its text does not name the entity
	withdrawn bool   // by its reporter (/forget)
	unknown   bool   // stored, but it did not open
	reporter  string // its reporter, if it opened
	// Not naming it, nor withdrawn: the MACs of the entities its text
	// names now whose past form the entity is.
	into []string
}

// sift is siftCutForm once its mark is taken. The set is watched: a tip
// indexed, folded or purged meanwhile makes it read again (the tips it
// opened are not opened twice), so that no tip naming the entity is
// taken out, nor a reporter's tag a tip of theirs naming it just brought.
func (s *Store) sift(ctx context.Context, e tips.Entity, mac string) error {
	ek := s.k.indexEntity(mac)
	seen := map[string]siftedTip{}
	moved := map[string]bool{}
	changed := false
	owed := owedMark(mac) // the recount's mark, the same at each attempt
	var owedAt int64      // when it was last marked owed
	for range 10 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			// Tips only (their scores are times; reporters' are negative),
			// the newest first.
			min := strconv.FormatInt(s.now().Add(-s.retention).UnixMilli(), 10)
			res, err := tx.ZRevRangeByScoreWithScores(ctx, ek, &redis.ZRangeBy{Min: min, Max: "+inf", Count: maxCandidates}).Result()
			if err != nil {
				return err
			}
			if err := s.siftOpen(ctx, res, e, seen); err != nil {
				return err
			}
			if beforeSiftWrites != nil {
				beforeSiftWrites()
			}
			// A foreign tip's reporter's tag goes with it, or moves back
			// to the hour of their newest tip read that names e, even
			// when the sift is partial (maxCandidates read, or a tip that
			// did not open): the tips taken out are out of a later
			// sift's sight, and a tag left would count a reporter who
			// never named e for the retention (a false alert). A
			// reporter whose tip naming e was not read (older than those
			// read) or did not open is counted no more: less harm than
			// an alert raised on reporters who named another entity.
			latest := map[string]int64{} // by reporter: their newest tip naming e
			var foreign []string
			for _, z := range res {
				id, _ := z.Member.(string)
				if t := seen[id]; t.foreign {
					foreign = append(foreign, id)
					if _, ok := latest[t.reporter]; !ok {
						latest[t.reporter] = -1
					}
				}
			}
			if len(foreign) == 0 {
				return nil
			}
			for _, z := range res {
				id, _ := z.Member.(string)
				if t := seen[id]; t.names {
					if l, ok := latest[t.reporter]; ok && int64(z.Score) > l {
						latest[t.reporter] = int64(z.Score)
					}
				}
			}
			// First into the entities they name now, so that a tip is
			// never in neither.
			if err := s.siftMove(ctx, res, seen, moved); err != nil {
				return err
			}
			// The recount the writes make owed is marked first: done
			// after them, or by the indexer's next look if this process
			// stops in between (redoOwedRecounts). (One script would not
			// run on Redis Cluster: the entity's set has no hash tag.)
			if owedAt, err = s.oweRecount(ctx, owed); err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.ZRem(ctx, ek, anySlice(foreign)...)
				for r, l := range latest {
					s.redateReporter(ctx, pipe, ek, mac, r, l)
				}
				return nil
			})
			changed = err == nil
			return err
		}, ek)
		if changed {
			if afterSiftWrites != nil {
				afterSiftWrites()
			}
			// An alert it raised with the other entities' reporters and
			// kept is recounted (withdrawn if too few are left).
			// A record it cannot read is dropped (checkAlerts): the
			// recount is done all the same, and paid; the records are
			// counted in its error (*UnreadableAlertsError), not failed on.
			ctx := context.WithoutCancel(ctx)
			err := s.checkAlerts(ctx, []string{mac})
			ue := (*UnreadableAlertsError)(nil)
			if err != nil && !errors.As(err, &ue) {
				return err
			}
			if err := s.recountPaid(ctx, owed, owedAt); err != nil {
				return err
			}
			if ue != nil {
				return ue
			}
			return nil
		}
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return errSiftBusy
}

// beforeSiftWrites, if set, runs between sift's read of the set and its
// writes (tests).
var beforeSiftWrites func()

// afterSiftWrites, if set, runs between sift's writes and the recount
// they make owed (tests).
var afterSiftWrites func()

// siftOpen opens the tips of res sift has not opened yet, and records in
// seen whether each names entity e, and if not, where it belongs.
func (s *Store) siftOpen(ctx context.Context, res []redis.Z, e tips.Entity, seen map[string]siftedTip) error {
	pipe := s.rdb.Pipeline()
	fields := map[string]*redis.SliceCmd{}
	for _, z := range res {
		id, _ := z.Member.(string)
		if _, ok := seen[id]; !ok {
			fields[id] = pipe.HMGet(ctx, s.k.tip(id), "k", "d", tipForgotten)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for id, c := range fields {
		v := c.Val()
		k, _ := v[0].(string)
		d, _ := v[1].(string)
		if k == "" {
			seen[id] = siftedTip{} // gone: a purge takes it out
			continue
		}
		st, _, err := s.openStored(id, map[string]string{"k": k, "d": d})
		if err != nil {
			seen[id] = siftedTip{unknown: true}
			continue
		}
		text := st.Content.Text()
		names := s.namesEntity(text, e)
		t := siftedTip{names: names && v[2] == nil, foreign: !names, withdrawn: v[2] != nil, reporter: reporterOf(st.Reporter)}
		if t.foreign && !t.withdrawn {
			past := tips.PastEntities(text)
			for _, f := range s.index0.Own.Without(tips.Extract(text, s.index0.Region)) { // not the bot's own (Own)
				if slices.ContainsFunc(tips.PastFormsAmong(past, f), func(p tips.Entity) bool { return p.Key() == e.Key() }) {
					t.into = append(t.into, s.entityMAC(f.Key()))
				}
			}
		}
		seen[id] = t
	}
	return nil
}

// siftMove brings the tips of res that do not name sift's entity, but
// not one withdrawn, into the entities their text names now whose past
// form it is (seen's into), with their reporters' tags, as foldPast does; what a purge
// or /forget missed meanwhile is taken back out (unfoldGone). moved
// records those done, across sift's attempts.
func (s *Store) siftMove(ctx context.Context, res []redis.Z, seen map[string]siftedTip, moved map[string]bool) error {
	added := map[string]map[string]string{} // by entity MAC: the tips brought in, and their reporters
	var order []string                      // the entity MACs, in the order first met
	args := map[string][]any{}              // by entity MAC: addFolded's arguments
	for _, z := range res {
		id, _ := z.Member.(string)
		t := seen[id]
		if moved[id] {
			continue
		}
		moved[id] = true
		for _, fm := range t.into {
			hour := time.UnixMilli(int64(z.Score)).Truncate(time.Hour).UnixMilli()
			if added[fm] == nil {
				added[fm] = map[string]string{}
				order = append(order, fm)
				args[fm] = []any{s.retention.Milliseconds()}
			}
			args[fm] = append(args[fm], z.Score, id, -float64(hour), "r"+s.reporterMAC(fm, t.reporter))
			added[fm][id] = t.reporter
		}
	}
	if len(added) == 0 {
		return nil
	}
	// Each set written and given its expiry in one script (addFolded):
	// never left without one by a connection cut between two commands.
	// One script a set: one key, one slot on Redis Cluster.
	pipe := s.rdb.Pipeline()
	for _, fm := range order {
		addFolded.Eval(ctx, pipe, []string{s.k.indexEntity(fm)}, args[fm]...) // rare: not cached
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	for fm, a := range added {
		if err := s.unfoldGone(context.WithoutCancel(ctx), fm, a); err != nil {
			return err
		}
	}
	return nil
}

// siftedThisHour returns which of the batch's entities that siftCutForm
// may sift had their set sifted within the hour (their mark is there):
// one round trip for the batch, not one per entity, as a tip may name a
// hundred hashtags. On an error, none (siftCutForm's mark decides).
func (s *Store) siftedThisHour(ctx context.Context, jobs []*indexJob) map[string]bool {
	pipe := s.rdb.Pipeline()
	marks := map[string]*redis.IntCmd{}
	for _, j := range jobs {
		if !j.cutForms {
			continue
		}
		for i, e := range j.entities {
			if mac := j.macs[i]; mayBeCutForm(e) && marks[mac] == nil {
				marks[mac] = pipe.Exists(ctx, s.k.indexSifted(mac))
			}
		}
	}
	out := map[string]bool{}
	if len(marks) == 0 {
		return out
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return out
	}
	for mac, c := range marks {
		out[mac] = c.Val() == 1
	}
	return out
}
