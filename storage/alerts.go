package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// An alert no investigators' chat took (each refused it: an outage, a
// permission taken away; or none is configured yet) is kept here, sealed,
// and tried again with a growing wait (alertRetryFirst, doubling up to
// alertRetryMax), until the corroboration window has passed since it was
// kept. That is as long as its alert mark lives: once the window is over,
// a later tip naming the entity raises a new alert anyway, and an alert
// older than the window speaks of reporters outside it. Redis holds the
// entity's MAC in clear (as the index's keys do), never its value.

const (
	// alertRetryFirst is the wait before an alert is tried again the
	// first time; it doubles with every attempt, up to alertRetryMax.
	alertRetryFirst = time.Minute
	alertRetryMax   = 5 * time.Minute
)

// PendingAlert is an alert kept because no investigators' chat took it.
type PendingAlert struct {
	Signal Signal
	// GivenUp is set when its deadline passed: it is dropped, not sent.
	GivenUp bool
}

// pendingSignal is what a kept alert holds, sealed.
type pendingSignal struct {
	Entity    tips.Entity `json:"e"`
	Reporters int         `json:"r"`
}

// keepAlert records an alert (KEYS[2], entity ARGV[1]: its sealed signal
// ARGV[2], deadline ARGV[4], expiry ARGV[5]) as due at ARGV[3] in KEYS[1].
// Keeping it again (its tip indexed again) changes only its signal and
// deadline, not when it is due nor its attempts.
var keepAlert = redis.NewScript(`
redis.call('HSET', KEYS[2], 's', ARGV[2], 'd', ARGV[4])
redis.call('HSETNX', KEYS[2], 'n', 0)
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
return 1`)

// claimAlert takes a kept alert (KEYS[2], entity ARGV[1]) due at ARGV[2]
// (now, unix ms) in KEYS[1], so that one process alone sends it: it is
// due again after a wait of ARGV[3] ms doubled per attempt, at most ARGV[4]
// ms (sent meanwhile, it is deleted). Past its deadline it is deleted and
// answered with attempt -1. ARGV[5] "0" only drops those past their
// deadline (a process with no investigators' chat). It answers nil when
// there is nothing to send, else {sealed signal, attempt}.
var claimAlert = redis.NewScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not at or tonumber(at) > tonumber(ARGV[2]) then return false end
local h = redis.call('HMGET', KEYS[2], 's', 'd')
if not h[1] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
if tonumber(h[2]) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[2])
  return {h[1], -1}
end
if ARGV[5] ~= '1' then return false end
local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
local wait = math.min(tonumber(ARGV[3]) * 2 ^ math.min(n - 1, 30), tonumber(ARGV[4]))
redis.call('ZADD', KEYS[1], string.format('%.0f', tonumber(ARGV[2]) + wait), ARGV[1])
return {h[1], n}`)

// KeepAlert keeps an alert no investigators' chat took, to be sent again
// (DueAlerts) until the corroboration window has passed.
func (s *Store) KeepAlert(ctx context.Context, sig Signal) error {
	if sig.mac == "" {
		return errors.New("keep alert: not an indexer's signal")
	}
	b, err := json.Marshal(pendingSignal{Entity: sig.Entity, Reporters: sig.Reporters})
	if err != nil {
		return fmt.Errorf("keep alert: %w", err)
	}
	sealed, err := s.kr.seal(b, "alert:"+sig.mac)
	if err != nil {
		return fmt.Errorf("keep alert: %w", err)
	}
	now := s.now()
	deadline := now.Add(s.index0.Window)
	// The record outlives its deadline by a day, for a process to see it
	// given up (and say so); then it goes in any case.
	err = keepAlert.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(sig.mac)}, sig.mac, sealed,
		now.Add(alertRetryFirst).UnixMilli(), deadline.UnixMilli(), deadline.Add(24*time.Hour).UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("keep alert: %w", err)
	}
	return nil
}

// DueAlerts takes up to n kept alerts due now, for this process alone to
// send: each is due again after a growing wait, unless AlertSent is called
// for it. Alerts past their deadline are dropped and returned GivenUp.
// With send false (no investigators' chat to send to) it only drops those.
func (s *Store) DueAlerts(ctx context.Context, send bool, n int) ([]PendingAlert, error) {
	now := s.now().UnixMilli()
	macs, err := s.rdb.ZRangeByScore(ctx, s.k.alertsDue(), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now, 10), Count: int64(n)}).Result()
	if err != nil {
		return nil, fmt.Errorf("due alerts: %w", err)
	}
	flag := "0"
	if send {
		flag = "1"
	}
	var (
		out  []PendingAlert
		errs error
	)
	for _, mac := range macs {
		res, err := claimAlert.Run(ctx, s.rdb, []string{s.k.alertsDue(), s.k.alertPending(mac)}, mac, now,
			alertRetryFirst.Milliseconds(), alertRetryMax.Milliseconds(), flag).Slice()
		if errors.Is(err, redis.Nil) {
			continue // sent, or taken by another process, meanwhile
		}
		if err != nil {
			return out, fmt.Errorf("due alerts: %w", err)
		}
		a := PendingAlert{Signal: Signal{mac: mac}}
		if attempt, _ := res[1].(int64); attempt < 0 {
			a.GivenUp = true
		}
		sealed, _ := res[0].(string)
		var p pendingSignal
		plain, err := s.kr.open([]byte(sealed), "alert:"+mac)
		if err == nil {
			err = json.Unmarshal(plain, &p)
		}
		if err != nil && !a.GivenUp {
			// It could never be sent (sealed under a secret no longer
			// known): dropped, and said once.
			errs = errors.Join(errs, fmt.Errorf("a kept alert could not be read, dropped: %w", err), s.AlertSent(ctx, a.Signal))
			continue
		}
		a.Signal.Entity, a.Signal.Reporters = p.Entity, p.Reporters
		out = append(out, a)
	}
	return out, errs
}

// AlertSent forgets a kept alert once sent (nothing if none is kept).
func (s *Store) AlertSent(ctx context.Context, sig Signal) error {
	if sig.mac == "" {
		return nil
	}
	pipe := s.rdb.TxPipeline()
	pipe.ZRem(ctx, s.k.alertsDue(), sig.mac)
	pipe.Del(ctx, s.k.alertPending(sig.mac))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("alert sent: %w", err)
	}
	return nil
}

// KeptAlerts is how many alerts wait for an investigators' chat.
func (s *Store) KeptAlerts(ctx context.Context) (int64, error) {
	n, err := s.rdb.ZCard(ctx, s.k.alertsDue()).Result()
	if err != nil {
		return 0, fmt.Errorf("kept alerts: %w", err)
	}
	return n, nil
}
