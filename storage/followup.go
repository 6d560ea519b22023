package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// route is where a reporter who allowed questions can be reached.
type route struct {
	Route    string `json:"r"`
	Language string `json:"l"`
}

// ReporterRoute returns where to reach a tip's reporter and in which
// language, or ErrNotFound if they did not allow questions or forgot it.
func (s *Store) ReporterRoute(ctx context.Context, id string) (string, string, error) {
	sealed, err := s.rdb.Get(ctx, s.k.route(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("read route: %w", err)
	}
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return "", "", err
	}
	plain, err := open(dataKey, sealed, "route:"+id)
	if err != nil {
		return "", "", err
	}
	var r route
	if err := json.Unmarshal(plain, &r); err != nil {
		return "", "", err
	}
	return r.Route, r.Language, nil
}

// Forget erases the route to a tip's reporter: no more questions can reach
// them. Open questions are dropped.
func (s *Store) Forget(ctx context.Context, id string) error {
	pipe := s.rdb.TxPipeline()
	pipe.Del(ctx, s.k.route(id))
	pipe.HDel(ctx, s.k.tip(id), "oq")
	_, err := pipe.Exec(ctx)
	return err
}

// Ask records a question to a tip's reporter (sealed in the history and as
// the tip's open question).
func (s *Store) Ask(ctx context.Context, id string, by Claimer, question string) error {
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return err
	}
	sealed, err := seal(dataKey, []byte(question), "question:"+id)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, s.k.tip(id), "oq", sealed).Err(); err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	return s.appendLog(ctx, id, tips.Entry{Who: by.Name, Kind: tips.EntryQuestion, Text: question})
}

// Answer adds the reporter's answer to the tip and closes its open question.
func (s *Store) Answer(ctx context.Context, id, answer string) error {
	if err := s.appendLog(ctx, id, tips.Entry{Kind: tips.EntryAnswer, Text: answer}); err != nil {
		return err
	}
	return s.rdb.HDel(ctx, s.k.tip(id), "oq").Err()
}

// Claimer returns who claimed a tip, if it is claimed.
func (s *Store) ClaimerOf(ctx context.Context, id string) (Claimer, error) {
	v, err := s.rdb.HMGet(ctx, s.k.tip(id), "cw", "cb").Result()
	if err != nil {
		return Claimer{}, fmt.Errorf("claimer: %w", err)
	}
	cw, _ := v[0].(string)
	c, ok := s.openClaimer(cw)
	if !ok {
		return Claimer{}, ErrNotFound
	}
	c.Key, _ = v[1].(string)
	return c, nil
}

// SetAnswering marks, sealed, which question a reporter's next message (or
// reply) answers; the engine decides what the value means.
func (s *Store) SetAnswering(ctx context.Context, pseudonym, value string, ttl time.Duration) error {
	sealed, err := s.kr.seal([]byte(value), "answering:"+pseudonym)
	if err != nil {
		return err
	}
	return s.rdb.Set(ctx, s.k.answering(pseudonym), sealed, ttl).Err()
}

// Answering returns what SetAnswering stored for a reporter, or ErrNotFound.
func (s *Store) Answering(ctx context.Context, pseudonym string) (string, error) {
	sealed, err := s.rdb.Get(ctx, s.k.answering(pseudonym)).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("answering: %w", err)
	}
	v, err := s.kr.open(sealed, "answering:"+pseudonym)
	if err != nil {
		return "", ErrNotFound
	}
	return string(v), nil
}

// ClearAnswering removes a reporter's answering mark.
func (s *Store) ClearAnswering(ctx context.Context, pseudonym string) error {
	return s.rdb.Del(ctx, s.k.answering(pseudonym)).Err()
}

// Reporter returns the pseudonym of a tip's reporter. The engine uses it
// only to check that a reporter answers their own tip; it is never shown.
func (s *Store) Reporter(ctx context.Context, id string) (string, error) {
	fields, err := s.rdb.HMGet(ctx, s.k.tip(id), "k", "d").Result()
	if err != nil {
		return "", fmt.Errorf("read tip: %w", err)
	}
	k, _ := fields[0].(string)
	d, _ := fields[1].(string)
	if k == "" {
		return "", ErrNotFound
	}
	dataKey, err := s.kr.open([]byte(k), "tipkey:"+id)
	if err != nil {
		return "", err
	}
	plain, err := open(dataKey, []byte(d), "tip:"+id)
	if err != nil {
		return "", err
	}
	var st sealedTip
	if err := json.Unmarshal(plain, &st); err != nil {
		return "", err
	}
	return reporterOf(st.Reporter), nil
}
