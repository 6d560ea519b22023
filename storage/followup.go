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

func (s *Store) saveRoute(ctx context.Context, id, r, lang string) error {
	dataKey, err := s.dataKey(ctx, id)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(route{Route: r, Language: lang})
	sealed, err := seal(dataKey, b, "route:"+id)
	if err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.k.route(id), sealed, s.retention).Err(); err != nil {
		return fmt.Errorf("save route: %w", err)
	}
	return nil
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

// SetAnswering marks that the reporter's next message answers the open
// question of tip id (they pressed "Answer"). The mark is sealed.
func (s *Store) SetAnswering(ctx context.Context, pseudonym, id string, ttl time.Duration) error {
	sealed, err := seal(s.kr.seal, []byte(id), "answering:"+pseudonym)
	if err != nil {
		return err
	}
	return s.rdb.Set(ctx, s.k.answering(pseudonym), sealed, ttl).Err()
}

// TakeAnswering returns and clears the tip a reporter is answering, or
// ErrNotFound.
func (s *Store) TakeAnswering(ctx context.Context, pseudonym string) (string, error) {
	sealed, err := s.rdb.GetDel(ctx, s.k.answering(pseudonym)).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("answering: %w", err)
	}
	id, err := open(s.kr.seal, sealed, "answering:"+pseudonym)
	if err != nil {
		return "", ErrNotFound
	}
	return string(id), nil
}
