package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// An entry Redis refuses for good (a key of its reporter's of the wrong
// type: WRONGTYPE at every try) would hold up every entry after it, each
// replay stopping at it. Tried setAsideTries times over setAsideAfter at
// least, it is set aside instead: sealed again, appended to
// tips.spool.rejected, counted (SpoolCount.SetAside) and logged by counts,
// and the rest replayed. It stays held (its reporter's /status and a
// redelivery know it), and OpenSpool puts it back in the spool: each start
// tries it again (the key repaired meanwhile). Redis unreachable, slow or
// refusing for a while (Refused, OOM, any error that is not one of Redis's
// replies about the entry's own keys) is never a reason: the replay waits.
const (
	setAsideTries = 5
	setAsideAfter = 5 * time.Minute
)

// failure is an entry's replay failing for good: since when, how often.
type failure struct {
	first time.Time
	tries int
}

// spoolNow is the replay's clock (tests move it).
var spoolNow = time.Now

// refusedForGood reports whether err is Redis answering, about an entry's
// own keys, what it will answer every time: a key holding the wrong kind
// of value (WRONGTYPE), a value that is not the number a command wants.
func refusedForGood(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) || Refused(err) {
		return false
	}
	msg := rerr.Error()
	for _, p := range []string{"WRONGTYPE ", "ERR value is not an integer", "ERR value is not a valid float", "ERR hash value is not"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// setAside records a failed try of entry e, and reports whether it must
// now be set aside: refused for good setAsideTries times, over
// setAsideAfter at least.
func (sp *Spool) setAside(e SpoolEntry, err error) bool {
	if !refusedForGood(err) {
		return false
	}
	k := spooledKey(e.Pseudonym, e.EventID)
	now := spoolNow()
	sp.mu.Lock()
	defer sp.mu.Unlock()
	f, ok := sp.failing[k]
	if !ok {
		f.first = now
	}
	f.tries++
	sp.failing[k] = f
	return f.tries >= setAsideTries && now.Sub(f.first) >= setAsideAfter
}

func (sp *Spool) asidePath() string { return sp.path + ".rejected" }

// appendSetAside seals e again and appends it, fsynced, to the file of
// the entries set aside. An entry set aside again after a restart (the
// process stopped before the file being replayed was removed) is
// replayed once all the same: each write is idempotent.
func (sp *Spool) appendSetAside(e SpoolEntry) error {
	plain, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sealed, err := sp.kr.seal(plain, "spool")
	if err != nil {
		return err
	}
	rec := binary.BigEndian.AppendUint32(nil, uint32(len(sealed)))
	if err := appendSynced(sp.asidePath(), append(rec, sealed...)); err != nil {
		return err
	}
	k := spooledKey(e.Pseudonym, e.EventID)
	sp.mu.Lock()
	delete(sp.failing, k)
	sp.setAsideKeys[k] = true
	sp.mu.Unlock()
	return nil
}

// wasSetAside reports whether this process set e aside already: in the
// file of the entries set aside, not to be tried (nor appended there)
// again before the next start.
func (sp *Spool) wasSetAside(e SpoolEntry) bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.setAsideKeys[spooledKey(e.Pseudonym, e.EventID)]
}

// countAside counts the entries set aside. A torn tail (a crash while one
// was appended: it is still in the file being replayed) is none.
func (sp *Spool) countAside() (SpoolCount, error) {
	f, err := sp.countFile(sp.asidePath(), false)
	if err != nil {
		return SpoolCount{}, err
	}
	return SpoolCount{SetAside: f.entries + f.bad, Previous: f.previous}, nil
}

// retryAside puts the entries set aside back at the end of the spool, at
// start (OpenSpool), to be tried again; held knows them. The file is
// removed once its bytes are in the spool, fsynced: a crash between the
// two leaves them in both, replayed once (idempotent). A torn tail (a
// crash while an entry was set aside, the entry still in the file being
// replayed) is left out: in the spool, records after it, it would be
// damaged bytes, quarantined as a tip no secret opens.
func (sp *Spool) retryAside() error {
	b, err := os.ReadFile(sp.asidePath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	f, err := sp.read(sp.asidePath(), false)
	if err != nil {
		return err
	}
	if err := appendSynced(sp.path, b[:f.whole]); err != nil {
		return err
	}
	if err := os.Remove(sp.asidePath()); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(filepath.Dir(sp.path)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, e := range f.entries {
		sp.hold(e)
	}
	return nil
}
