package storage

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/vigia-project/vigia/tips"
)

// Spool keeps tips on local disk while Redis cannot be reached: each entry
// is sealed, appended and fsynced before the reporter hears "received", and
// replayed into Redis, in order and exactly once, when Redis is back.
type Spool struct {
	mu   sync.Mutex
	path string
	kr   *Keyring
}

// SpoolEntry is one spooled tip.
type SpoolEntry struct {
	Pseudonym string    `json:"p"`
	EventID   int64     `json:"e"`
	Route     string    `json:"r,omitempty"`
	Language  string    `json:"l,omitempty"`
	Receipt   string    `json:"c"`
	Part      tips.Part `json:"t"`
}

// OpenSpool opens (creating) the spool in dir.
func OpenSpool(dir string, kr *Keyring) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &Spool{path: filepath.Join(dir, "tips.spool"), kr: kr}, nil
}

// Append seals and appends an entry, fsynced, and returns the receipt code
// the reporter is given now (the tip gets it when it is replayed).
func (sp *Spool) Append(e SpoolEntry) (string, error) {
	if e.Receipt == "" {
		r, err := tips.NewReceipt(rand.Reader)
		if err != nil {
			return "", err
		}
		e.Receipt = r
	}
	plain, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	sealed, err := seal(sp.kr.seal, plain, "spool")
	if err != nil {
		return "", err
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	f, err := os.OpenFile(sp.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	rec := make([]byte, 4+len(sealed))
	binary.BigEndian.PutUint32(rec, uint32(len(sealed)))
	copy(rec[4:], sealed)
	if _, err := f.Write(rec); err != nil {
		return "", fmt.Errorf("spool write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("spool sync: %w", err)
	}
	return e.Receipt, nil
}

// Len counts the spooled entries.
func (sp *Spool) Len() int {
	entries, _ := sp.entries()
	return len(entries)
}

func (sp *Spool) entries() ([]SpoolEntry, error) {
	f, err := os.Open(sp.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var out []SpoolEntry
	for {
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			break // end, or a torn last record from a crash mid-write
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			break
		}
		plain, err := open(sp.kr.seal, buf, "spool")
		if err != nil {
			continue
		}
		var e SpoolEntry
		if json.Unmarshal(plain, &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// Replay moves every spooled tip into Redis, in order; each is idempotent
// (replaying again after a crash makes no second tip). The spool file is
// removed once all are stored. It returns how many were replayed.
func (sp *Spool) Replay(ctx context.Context, st *Store) (int, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	entries, err := sp.entries()
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	for _, e := range entries {
		if _, err := st.submitSpooled(ctx, e); err != nil {
			return 0, err
		}
	}
	if err := os.Remove(sp.path); err != nil {
		return len(entries), fmt.Errorf("spool clear: %w", err)
	}
	return len(entries), nil
}

// submitSpooled stores a spooled tip with its receipt, once: the event id
// makes both the draft part and the submission idempotent.
func (s *Store) submitSpooled(ctx context.Context, e SpoolEntry) (Submission, error) {
	p := e.Pseudonym + ":spool"
	d, err := s.AddToDraft(ctx, p, DraftPart{EventID: e.EventID, Route: e.Route, Language: e.Language, Part: e.Part})
	if errors.Is(err, ErrDuplicateEvent) {
		return Submission{Repeat: true}, nil // replayed before
	}
	if err != nil {
		return Submission{}, err
	}
	return s.submit(ctx, p, d.ID, e.Language, e.EventID, e.Receipt)
}
