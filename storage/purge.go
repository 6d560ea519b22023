package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// Purge erases a tip for good (crypto-shredding): its wrapped data key
// goes first — from then on no copy of its sealed content, history, route
// or files can ever be opened — then every record that names it: the tip,
// its history, route, files, receipt record, its triage
// stream entry, and its entries in the blind index and the
// near-duplicate bands.
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
	if err := s.rdb.HDel(ctx, s.k.tip(id), "k").Err(); err != nil {
		return fmt.Errorf("purge key: %w", err)
	}
	pipe := s.rdb.Pipeline()
	if num, err := postingNum(id); err == nil {
		for _, w := range tips.IndexTokens(text) {
			dropPosting.Eval(ctx, pipe, []string{s.k.indexToken(s.tokenMAC(w), indexDay(t.Created))}, string(num))
		}
	}
	for _, e := range tips.Extract(text, s.index0.Region) {
		pipe.ZRem(ctx, s.k.indexEntity(s.entityMAC(e.Key())), id)
	}
	if sk, ok := tips.NewSketch(text, s.kr.keys().Index); ok {
		args := append([]any{id}, anySlice(sk.Bands())...)
		dropBands.Eval(ctx, pipe, s.bandKeys(t.Created, sk.Bands()), args...)
	}
	for _, fid := range storedFiles(t.Content) {
		pipe.Del(ctx, s.k.file(fid))
	}
	pipe.SRem(ctx, s.k.indexLate(indexDay(t.Created)), id)
	if e := fields["e"]; e != "" {
		pipe.XAck(ctx, s.k.triage(), TriageGroup, e)
		pipe.XAck(ctx, s.k.triage(), IndexGroup, e)
		pipe.XDel(ctx, s.k.triage(), e)
	}
	if k := s.receiptKeyOf(fields); k != "" {
		pipe.Del(ctx, k)
	}
	pipe.Del(ctx, s.k.tipLog(id), s.k.route(id), s.k.publication(id), s.k.deliveries(id))
	pipe.SRem(ctx, s.k.broadcasts(), id)
	pipe.Del(ctx, s.k.tip(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("purge: %w", err)
	}
	return nil
}
