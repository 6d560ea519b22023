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

// SetClientLanguage remembers, under a reporter's pseudonym, the language
// their client last gave (a Discord interaction's locale), for their
// requests that carry none (a Discord message; Profile reads it); ""
// forgets it. It is kept as long as a language choice.
func (s *Store) SetClientLanguage(ctx context.Context, pseudonym, lang string) error {
	var err error
	if lang == "" {
		err = s.rdb.Del(ctx, s.k.clientLanguage(pseudonym)).Err()
	} else {
		err = s.rdb.Set(ctx, s.k.clientLanguage(pseudonym), lang, languageTTL).Err()
	}
	if err != nil {
		return fmt.Errorf("set client language: %w", err)
	}
	return nil
}
