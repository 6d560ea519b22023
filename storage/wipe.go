package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Wipe is a scheduled deletion in a private chat: one message the bot
// sent (an enrolment secret), or a whole conversation up to a message.
type Wipe struct {
	// Route is "platform:chat".
	Route string `json:"r"`
	// MessageID is the message to delete, or, for a whole chat, the newest
	// message to delete from.
	MessageID string `json:"m"`
	// Chat is true to delete the whole conversation the bot can delete.
	Chat bool `json:"c,omitempty"`
	// Language is what the reporter reads, for the notice afterwards.
	Language string `json:"l,omitempty"`
	// Pseudonym is the reporter's, for a whole chat: their unsent draft
	// goes with the chat when the wipe runs.
	Pseudonym string `json:"p,omitempty"`
	// Attempts counts failed tries.
	Attempts int `json:"a,omitempty"`
}

// ScheduleWipe stores w, sealed (it names a chat), to run at due.
func (s *Store) ScheduleWipe(ctx context.Context, w Wipe, due time.Time) error {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	id := hex.EncodeToString(b)
	plain, err := json.Marshal(w)
	if err != nil {
		return err
	}
	sealed, err := s.kr.seal(plain, "wipe:"+id)
	if err != nil {
		return err
	}
	// A job outlives its due time by a week at most: a chat that could not
	// be reached by then is not worth keeping a route to.
	ttl := time.Until(due) + 7*24*time.Hour
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.k.wipe(id), sealed, ttl)
		p.ZAdd(ctx, s.k.wipes(), redis.Z{Score: float64(due.UnixMilli()), Member: id})
		return nil
	})
	if err != nil {
		return fmt.Errorf("schedule wipe: %w", err)
	}
	return nil
}

// takeWipe removes and returns one due job, atomically, so that two
// processes never run the same one.
var takeWipe = redis.NewScript(`
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZREM', KEYS[1], due[1])
local key = ARGV[2] .. due[1]
local v = redis.call('GET', key)
redis.call('DEL', key)
if not v then return {due[1], ''} end
return {due[1], v}`)

// DueWipes takes up to max jobs due by now. A taken job is gone from
// Redis: the caller runs it, or schedules it again.
func (s *Store) DueWipes(ctx context.Context, now time.Time, max int) ([]Wipe, error) {
	var out []Wipe
	prefix := s.k.wipe("")
	for len(out) < max {
		res, err := takeWipe.Run(ctx, s.rdb, []string{s.k.wipes()}, now.UnixMilli(), prefix).Slice()
		if err == redis.Nil {
			break
		}
		if err != nil {
			return out, fmt.Errorf("due wipes: %w", err)
		}
		id, _ := res[0].(string)
		v, _ := res[1].(string)
		plain, err := s.kr.open([]byte(v), "wipe:"+id)
		if err != nil {
			continue // expired or unreadable: nothing to do
		}
		var w Wipe
		if json.Unmarshal(plain, &w) == nil {
			out = append(out, w)
		}
	}
	return out, nil
}
