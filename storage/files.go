package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// MaxFileSize bounds one stored file.
const MaxFileSize = 20 << 20

// ErrFileTooLarge is returned for a file over MaxFileSize.
var ErrFileTooLarge = errors.New("file too large")

// PutFile stores a file a reporter sent, sealed under its own random key,
// and returns a reference to keep (sealed) in the tip. The file lives as
// long as a draft; SubmitDraft extends it to the tip's retention. Without
// the reference, which only the sealed tip holds, the file cannot be read.
func (s *Store) PutFile(ctx context.Context, data []byte) (string, error) {
	if len(data) > MaxFileSize {
		return "", ErrFileTooLarge
	}
	idb := make([]byte, 12)
	key := make([]byte, 32)
	if _, err := rand.Read(idb); err != nil {
		return "", fmt.Errorf("file id: %w", err)
	}
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("file key: %w", err)
	}
	id := hex.EncodeToString(idb)
	sealed, err := seal(key, data, "file:"+id)
	if err != nil {
		return "", err
	}
	if err := s.rdb.Set(ctx, s.k.file(id), sealed, s.draftIdle+draftSafety).Err(); err != nil {
		return "", fmt.Errorf("store file: %w", err)
	}
	return id + ":" + base64.RawURLEncoding.EncodeToString(key), nil
}

// DropFile deletes a file stored by PutFile that nothing points to (its
// message refused): it is not left until it expires.
func (s *Store) DropFile(ctx context.Context, ref string) error {
	id, _, err := parseFileRef(ref)
	if err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, s.k.file(id)).Err(); err != nil {
		return fmt.Errorf("drop file: %w", err)
	}
	return nil
}

// File returns the content of a stored file, or ErrNotFound.
func (s *Store) File(ctx context.Context, ref string) ([]byte, error) {
	id, key, err := parseFileRef(ref)
	if err != nil {
		return nil, err
	}
	sealed, err := s.rdb.Get(ctx, s.k.file(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	return open(key, sealed, "file:"+id)
}

func parseFileRef(ref string) (id string, key []byte, err error) {
	id, k, ok := strings.Cut(ref, ":")
	if !ok || len(id) != 24 {
		return "", nil, fmt.Errorf("bad file reference")
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", nil, fmt.Errorf("bad file reference")
	}
	key, err = base64.RawURLEncoding.DecodeString(k)
	if err != nil || len(key) != 32 {
		return "", nil, fmt.Errorf("bad file reference")
	}
	return id, key, nil
}

// storedFiles lists the ids of the files Vigía stored for content.
func storedFiles(content tips.Content) []string {
	var ids []string
	for _, p := range content.Parts {
		if p.Attachment != nil && p.Attachment.Platform == tips.Stored {
			if id, _, err := parseFileRef(p.Attachment.FileRef); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}
