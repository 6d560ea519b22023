package storage

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// valueCmd is one value read with a one-key MGET or a one-field HMGET,
// answering as the GET or HGET it stands for would (redis.Nil where
// there is none). Reads on a tip's path that mostly find nothing (a
// reporter's language and membership, a receipt not used yet) use it:
// go-redis takes a nil reply for an error and classifies every error of
// a pipeline (errors.As against each kind it retries or fails on, about
// a dozen allocations), where an array holding a nil is a value.
type valueCmd struct{ c *redis.SliceCmd }

// getOn queues a read of key's value (a string, as GET).
func getOn(ctx context.Context, pipe redis.Pipeliner, key string) valueCmd {
	return valueCmd{pipe.MGet(ctx, key)}
}

// hgetOn queues a read of a hash's field (as HGET).
func hgetOn(ctx context.Context, pipe redis.Pipeliner, key, field string) valueCmd {
	return valueCmd{pipe.HMGet(ctx, key, field)}
}

// Result is the value, or redis.Nil if there is none.
func (v valueCmd) Result() (string, error) {
	if err := v.c.Err(); err != nil {
		return "", err
	}
	vals := v.c.Val()
	if len(vals) != 1 {
		return "", fmt.Errorf("%s: %d values, want 1", v.c.Name(), len(vals))
	}
	switch s := vals[0].(type) {
	case nil:
		return "", redis.Nil
	case string:
		return s, nil
	default:
		return "", fmt.Errorf("%s: unexpected reply %T", v.c.Name(), s)
	}
}

// Val is the value, "" if there is none or the read failed.
func (v valueCmd) Val() string {
	s, _ := v.Result()
	return s
}

// Bytes is the value as bytes.
func (v valueCmd) Bytes() ([]byte, error) {
	s, err := v.Result()
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// Err is the read's error, redis.Nil if there is no value.
func (v valueCmd) Err() error {
	_, err := v.Result()
	return err
}
