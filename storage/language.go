package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// languageTTL is how long an unused language choice is remembered.
const languageTTL = 365 * 24 * time.Hour

// Language returns the language a reporter chose, or ErrNotFound.
func (s *Store) Language(ctx context.Context, pseudonym string) (string, error) {
	v, err := s.rdb.Get(ctx, s.k.language(pseudonym)).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("get language: %w", err)
	}
	return v, nil
}

// SetLanguage remembers a reporter's language under their pseudonym.
func (s *Store) SetLanguage(ctx context.Context, pseudonym, lang string) error {
	if err := s.rdb.Set(ctx, s.k.language(pseudonym), lang, languageTTL).Err(); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	return nil
}
