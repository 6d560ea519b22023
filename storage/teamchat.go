package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// teamChatField is the field of a configured investigators' chat
// ("platform:chat") in the team chats' hash: a MAC, never the id.
func (s *Store) teamChatField(configured string) string {
	return s.kr.indexMAC("teamchat\x00" + configured)
}

// MoveTeamChat records that the configured investigators' chat
// ("platform:chat", as VIGIA_INVESTIGATOR_CHATS names it) is now to (a
// Telegram group upgraded to a supergroup gets a new id), sealed: it
// outlives a restart with the configuration not yet changed.
func (s *Store) MoveTeamChat(ctx context.Context, configured, to string) error {
	f := s.teamChatField(configured)
	sealed, err := s.kr.seal([]byte(to), "teamchat:"+f)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, s.k.teamChats(), f, sealed).Err(); err != nil {
		return fmt.Errorf("team chat: %w", err)
	}
	return nil
}

// TeamChatMoves returns, for each of the configured investigators' chats
// that moved (see MoveTeamChat), where it is now.
func (s *Store) TeamChatMoves(ctx context.Context, configured []string) (map[string]string, error) {
	out := map[string]string{}
	if len(configured) == 0 {
		return out, nil
	}
	fields := make([]string, len(configured))
	for i, c := range configured {
		fields[i] = s.teamChatField(c)
	}
	vals, err := s.rdb.HMGet(ctx, s.k.teamChats(), fields...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("team chats: %w", err)
	}
	for i, v := range vals {
		sealed, ok := v.(string)
		if !ok {
			continue
		}
		to, err := s.kr.open([]byte(sealed), "teamchat:"+fields[i])
		if err != nil {
			return nil, fmt.Errorf("team chat: %w", err)
		}
		out[configured[i]] = string(to)
	}
	return out, nil
}
