package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// Spool keeps tips on local disk while Redis cannot be reached: each entry
// is sealed, appended and fsynced before the reporter hears "received", and
// replayed into Redis, in order and exactly once, when Redis is back.
type Spool struct {
	mu     sync.Mutex
	path   string
	kr     *Keyring
	broken error // set when a failed write could not be undone
	// held maps the reporter and event of each entry waiting to be
	// replayed to its receipt (spooledKey), so a redelivered message is
	// found without opening the spool.
	held map[string]string
}

func spooledKey(pseudonym string, eventID int64) string {
	return pseudonym + "\x00" + strconv.FormatInt(eventID, 10)
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

// maxSpoolRecord bounds one record (a tip is far smaller).
const maxSpoolRecord = 1 << 20

// OpenSpool opens (creating) the spool in dir. A record torn by a crash in
// the middle of a write (never acknowledged to anyone) is cut off, so that
// later records stay readable.
func OpenSpool(dir string, kr *Keyring) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	sp := &Spool{path: filepath.Join(dir, "tips.spool"), kr: kr, held: map[string]string{}}
	for _, p := range []string{sp.path, sp.replayPath()} {
		entries, good, err := sp.read(p)
		if err == nil {
			if fi, err := os.Stat(p); err == nil && fi.Size() > good {
				if err := os.Truncate(p, good); err != nil {
					return nil, fmt.Errorf("spool repair: %w", err)
				}
			}
		}
		for _, e := range entries {
			sp.held[spooledKey(e.Pseudonym, e.EventID)] = e.Receipt
		}
	}
	return sp, nil
}

func (sp *Spool) replayPath() string { return sp.path + ".replaying" }

// Append seals and appends an entry, fsynced, and returns the receipt code
// the reporter is given now (the tip gets it when it is replayed). The code
// is derived from the reporter and the platform event, so a redelivered
// update spooled twice shows the same code and replays as one tip.
func (sp *Spool) Append(e SpoolEntry) (string, error) {
	if e.Receipt == "" {
		mac := sp.kr.receiptMAC("spool\x00" + e.Pseudonym + "\x00" + strconv.FormatInt(e.EventID, 10))
		raw, _ := hex.DecodeString(mac)
		r, err := tips.NewReceipt(bytes.NewReader(raw))
		if err != nil {
			return "", err
		}
		e.Receipt = r
	}
	plain, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	sealed, err := sp.kr.seal(plain, "spool")
	if err != nil {
		return "", err
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.broken != nil {
		return "", sp.broken
	}
	_, statErr := os.Stat(sp.path)
	f, err := os.OpenFile(sp.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	rec := make([]byte, 4+len(sealed))
	binary.BigEndian.PutUint32(rec, uint32(len(sealed)))
	copy(rec[4:], sealed)
	if _, err := writeRecord(f, rec); err != nil {
		return "", sp.undo(f, fi.Size(), fmt.Errorf("spool write: %w", err))
	}
	if err := f.Sync(); err != nil {
		return "", sp.undo(f, fi.Size(), fmt.Errorf("spool sync: %w", err))
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// A new file: its name must be durable too, or the record is
		// undone (the reporter hears NOT saved, and nothing is replayed).
		if err := syncDir(filepath.Dir(sp.path)); err != nil {
			return "", sp.undo(f, fi.Size(), fmt.Errorf("spool sync: %w", err))
		}
	}
	sp.held[spooledKey(e.Pseudonym, e.EventID)] = e.Receipt
	return e.Receipt, nil
}

// writeRecord appends a record to the spool file (tests make it fail half-way).
var writeRecord = func(f *os.File, rec []byte) (int, error) { return f.Write(rec) }

// undo cuts a record whose write failed (a full disk writes part of it)
// back off the spool, so the records after it stay readable; if it cannot,
// the spool takes no more records (each would be lost behind the torn
// one), and every later Append fails: the reporter hears NOT saved.
func (sp *Spool) undo(f *os.File, size int64, err error) error {
	if terr := f.Truncate(size); terr != nil {
		sp.broken = fmt.Errorf("spool unusable after a failed write: %w", terr)
	} else if serr := f.Sync(); serr != nil {
		sp.broken = fmt.Errorf("spool unusable after a failed write: %w", serr)
	}
	return err
}

// syncDir makes a directory's entries (a new or renamed file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Spooled returns the receipt of the reporter's platform event if it is
// spooled and not yet replayed: a redelivered update is answered as before
// instead of also starting a draft (two tips of one message).
func (sp *Spool) Spooled(pseudonym string, eventID int64) (string, bool) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	r, ok := sp.held[spooledKey(pseudonym, eventID)]
	return r, ok
}

// Len counts the spooled entries waiting to be replayed.
func (sp *Spool) Len() int {
	n := 0
	for _, p := range []string{sp.replayPath(), sp.path} {
		entries, _, _ := sp.read(p)
		n += len(entries)
	}
	return n
}

// read returns a spool file's entries and the length of its whole records;
// a record that cannot be opened is an error (never silently dropped).
func (sp *Spool) read(path string) ([]SpoolEntry, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var out []SpoolEntry
	var good int64
	for {
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return out, good, nil // end, or a record torn by a crash mid-write
		}
		if n > maxSpoolRecord {
			return out, good, nil
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return out, good, nil
		}
		plain, err := sp.kr.open(buf, "spool")
		if err != nil {
			return out, good, fmt.Errorf("spool record cannot be opened (another VIGIA_SECRET?): %w", err)
		}
		var e SpoolEntry
		if err := json.Unmarshal(plain, &e); err != nil {
			return out, good, fmt.Errorf("spool record: %w", err)
		}
		out = append(out, e)
		good += 4 + int64(n)
	}
}

// Replay moves every spooled tip into Redis, in order; each is idempotent
// (replaying again after a crash makes no second tip). The spool is moved
// aside first, so new tips can be spooled meanwhile, and removed only once
// every entry is stored. It returns how many were replayed.
func (sp *Spool) Replay(ctx context.Context, st *Store) (int, error) {
	sp.mu.Lock()
	if _, err := os.Stat(sp.replayPath()); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(sp.path, sp.replayPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			sp.mu.Unlock()
			return 0, fmt.Errorf("spool: %w", err)
		} else if err == nil {
			if err := syncDir(filepath.Dir(sp.path)); err != nil {
				sp.mu.Unlock()
				return 0, fmt.Errorf("spool: %w", err)
			}
		}
	}
	sp.mu.Unlock()
	entries, _, err := sp.read(sp.replayPath())
	if err != nil {
		return 0, err // keep the file: nothing may be lost
	}
	for _, e := range entries {
		if _, err := st.submitSpooled(ctx, e); err != nil {
			return 0, err
		}
	}
	if err := os.Remove(sp.replayPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return len(entries), fmt.Errorf("spool clear: %w", err)
	}
	// Stored now, and remembered as sent on each reporter's state.
	sp.mu.Lock()
	for _, e := range entries {
		delete(sp.held, spooledKey(e.Pseudonym, e.EventID))
	}
	sp.mu.Unlock()
	return len(entries), nil
}

// submitSpooled stores a spooled tip with its receipt, once: the event id
// makes both the draft part and the submission idempotent.
func (s *Store) submitSpooled(ctx context.Context, e SpoolEntry) (Submission, error) {
	// One draft per spooled event: the events of one reporter may be
	// replayed in any order (several replicas, several spools).
	p := e.Pseudonym + ":spool:" + strconv.FormatInt(e.EventID, 10)
	d, err := s.AddToDraft(ctx, p, DraftPart{EventID: e.EventID, Route: e.Route, Language: e.Language, Part: e.Part})
	sub := Submission{Repeat: true} // replayed before
	if err != nil && !errors.Is(err, ErrDuplicateEvent) {
		return Submission{}, err
	}
	if err == nil {
		if sub, err = s.submit(ctx, p, d.ID, e.Language, e.Receipt, nil); err != nil {
			return sub, err
		}
	}
	// The reporter's own state remembers the event as sent, as for any
	// tip: the platform redelivering it later starts no second tip.
	keys := []string{s.k.state(e.Pseudonym)}
	args := []any{strconv.FormatInt(e.EventID, 10), hours(s.now().Add(sentMemory)), sentMemory.Milliseconds()}
	if err := rememberSent.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return sub, fmt.Errorf("spool: %w", err)
	}
	return sub, nil
}

// rememberSent remembers the platform event ARGV[1] as part of a sent tip,
// until ARGV[2] (hours), on the reporter's state KEYS[1], as finishDraft
// does; the state lives at least ARGV[3] ms.
var rememberSent = redis.NewScript(`
redis.call('HSET', KEYS[1], 'x:' .. ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`)
