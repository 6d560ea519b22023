package storage

import (
	"context"
	"fmt"
	"time"
)

// languageTTL is how long an unused language choice is remembered.
const languageTTL = 365 * 24 * time.Hour

// SetLanguage remembers a reporter's language under their pseudonym.
func (s *Store) SetLanguage(ctx context.Context, pseudonym, lang string) error {
	if err := s.rdb.Set(ctx, s.k.language(pseudonym), lang, languageTTL).Err(); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	return nil
}
