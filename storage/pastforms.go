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
		pipe = s.rdb.Pipeline()
		added := map[string]string{} // the tips brought in, and their reporters
		for i, c := range fields {
			v := c.Val()
			k, _ := v[0].(string)
			d, _ := v[1].(string)
			if k == "" || v[2] != nil {
				continue // gone, or withdrawn
			}
			st, _, err := s.openStored(ids[i], map[string]string{"k": k, "d": d})
			if err != nil || !slices.ContainsFunc(tips.Extract(st.Content.Text(), s.index0.Region), func(x tips.Entity) bool { return x.Key() == e.Key() }) {
				continue
			}
			hour := time.UnixMilli(int64(res[i].Score)).Truncate(time.Hour).UnixMilli()
			pipe.ZAddLT(ctx, ek, redis.Z{Score: res[i].Score, Member: ids[i]}, redis.Z{Score: -float64(hour), Member: "r" + s.reporterMAC(mac, reporterOf(st.Reporter))})
			added[ids[i]] = reporterOf(st.Reporter)
		}
		if len(added) == 0 {
			continue
		}
		pipe.PExpire(ctx, ek, s.retention)
		if _, err := pipe.Exec(ctx); err != nil {
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
