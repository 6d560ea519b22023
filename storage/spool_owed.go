package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// OwedReceipt is a spooled tip's receipt that never reached its reporter:
// the platform refused it (twice) when the tip was spooled. The reporter
// is told it with their next message.
type OwedReceipt struct {
	Pseudonym string `json:"p"`
	EventID   int64  `json:"e"`
	Receipt   string `json:"c"`
	// Note is the message id of what the reporter was to be told with
	// it (a file not kept), or "".
	Note string `json:"n,omitempty"`
	// QuoteLost says the message replied to one in another chat quoting
	// none of its words: the owed receipt says they did not come
	// (quote_not_received), as the refused answer did.
	QuoteLost bool `json:"q,omitempty"`
	// OwnName says the tip held the reporter's own name or username: the
	// owed receipt carries a note of it (own_name_owed).
	OwnName bool `json:"o,omitempty"`
	// Location says the tip is a place, kept to about 1 km: the owed
	// receipt says so (location_coarse), as the refused answer did.
	Location bool      `json:"l,omitempty"`
	At       time.Time `json:"a"`
}

// maxOwed bounds the receipts owed at once (the oldest go first): a
// platform refusing every answer for hours must not grow the file for
// good. maxOwedAge drops one whose reporter never wrote again.
//
// The oldest go, not the newest refused: each owed receipt is told with
// its reporter's next message, so one still owed after all the others
// is one whose reporter has not written since, often a chat the platform
// refuses for good (the bot blocked, the account gone); the newest one's
// reporter, just left without an answer, is the likeliest to write again
// soon. Either way that reporter loses the code (the tip is kept), so
// each drop is counted (OweReceipt's result, Owed).
var maxOwed = 1000 // (a variable for tests)

const maxOwedAge = 30 * 24 * time.Hour

// owedPath holds the owed receipts: one sealed list, replaced whole (by a
// rename) at each change. The receipts in it are sealed as the spool's are.
func (sp *Spool) owedPath() string { return sp.path + ".owed" }

// loadOwed reads the owed receipts at open. A file that opens under no
// secret the bot has (VIGIA_SECRET changed) is set aside, never deleted
// nor replaced (setFileAside); the bot starts with none of its receipts
// owed. One set aside that opens again (VIGIA_SECRET_PREVIOUS set back to
// the secret it was sealed under) is read back. What only the previous
// secret opens is sealed again under the current one at once: once the
// secret is rotated (VIGIA_SECRET_PREVIOUS removed), it would open under
// none.
func (sp *Spool) loadOwed() error {
	owed, current, err := sp.readOwed(sp.owedPath())
	if errors.Is(err, ErrSealed) {
		if err := sp.setFileAside(sp.owedPath()); err != nil {
			return err
		}
		owed, current, err = nil, true, nil
	}
	if err != nil {
		return err
	}
	aside, err := filepath.Glob(sp.owedPath() + ".unreadable*")
	if err != nil {
		return fmt.Errorf("spool owed receipts: %w", err)
	}
	var back []string
	for _, p := range aside {
		more, _, err := sp.readOwed(p)
		if errors.Is(err, ErrSealed) {
			continue // still under no secret of ours: stays set aside
		}
		if err != nil {
			return err
		}
		for _, o := range more {
			if !slices.ContainsFunc(owed, func(x OwedReceipt) bool { return x.Pseudonym == o.Pseudonym && x.EventID == o.EventID }) {
				owed = append(owed, o)
			}
		}
		back = append(back, p)
	}
	sp.owed = owed
	if current && len(back) == 0 {
		return nil
	}
	slices.SortStableFunc(owed, func(a, b OwedReceipt) int { return a.At.Compare(b.At) }) // oldest first, as owed
	if err := sp.writeOwed(owed); err != nil {
		return err
	}
	// Only now (the receipts are in the live file) are the set-aside
	// copies removed.
	for _, p := range back {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("spool owed receipts: %w", err)
		}
	}
	return syncDir(filepath.Dir(sp.path))
}

// readOwed reads a file of owed receipts: none if there is no file;
// ErrSealed if it opens under no secret of the keyring; current tells
// whether the current secret opened it.
func (sp *Spool) readOwed(path string) (owed []OwedReceipt, current bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("spool owed receipts: %w", err)
	}
	plain, current, err := sp.kr.openWhich(b, "spool owed")
	if err != nil {
		return nil, false, err
	}
	if err := json.Unmarshal(plain, &owed); err != nil {
		return nil, false, ErrSealed // (sealed by the bot: never so)
	}
	return owed, current, nil
}

// setFileAside renames the file at path (the owed receipts', the owed
// discards'), which opens under no secret, to path.unreadable, or
// .unreadable.2 and so on if that is taken: one set aside earlier (under
// yet another secret) is kept too.
func (sp *Spool) setFileAside(path string) error {
	to := path + ".unreadable"
	for n := 2; ; n++ {
		if _, err := os.Lstat(to); errors.Is(err, os.ErrNotExist) {
			break
		} else if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		to = path + ".unreadable." + strconv.Itoa(n)
	}
	if err := os.Rename(path, to); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(filepath.Dir(sp.path))
}

// OweReceipt keeps, sealed and fsynced, a spooled tip's receipt the
// platform refused, for its reporter's next message (OwedReceipts). It
// returns how many of the oldest owed receipts it dropped to stay within
// maxOwed: lost to their reporters.
func (sp *Spool) OweReceipt(o OwedReceipt) (dropped int, err error) {
	if o.At.IsZero() {
		o.At = time.Now().Truncate(time.Second)
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	owed := slices.DeleteFunc(slices.Clone(sp.owed), func(x OwedReceipt) bool {
		return x.Pseudonym == o.Pseudonym && x.EventID == o.EventID
	})
	owed = slices.DeleteFunc(append(owed, o), func(o OwedReceipt) bool { return time.Since(o.At) > maxOwedAge })
	if len(owed) > maxOwed {
		dropped = len(owed) - maxOwed
		owed = owed[dropped:]
	}
	if err := sp.writeOwed(owed); err != nil {
		return 0, err
	}
	sp.owedDropped += dropped
	return dropped, nil
}

// Owed returns how many receipts are owed to reporters now, and how many
// OweReceipt dropped since the spool was opened (maxOwed).
func (sp *Spool) Owed() (waiting, dropped int) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return len(sp.owed), sp.owedDropped
}

// OwedReceipts returns the receipts owed to a reporter, oldest first.
func (sp *Spool) OwedReceipts(pseudonym string) []OwedReceipt {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var out []OwedReceipt
	for _, o := range sp.owed {
		if o.Pseudonym == pseudonym {
			out = append(out, o)
		}
	}
	return out
}

// ReceiptsTold forgets the reporter's owed receipts of events: they were
// delivered.
func (sp *Spool) ReceiptsTold(pseudonym string, events []int64) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	owed := slices.DeleteFunc(slices.Clone(sp.owed), func(o OwedReceipt) bool {
		return o.Pseudonym == pseudonym && slices.Contains(events, o.EventID)
	})
	if len(owed) == len(sp.owed) {
		return nil
	}
	return sp.writeOwed(owed)
}

// writeOwed replaces the owed receipts with owed (within maxOwed and
// maxOwedAge), durably, and keeps them in memory once written. Called
// with sp.mu held.
func (sp *Spool) writeOwed(owed []OwedReceipt) error {
	owed = slices.DeleteFunc(owed, func(o OwedReceipt) bool { return time.Since(o.At) > maxOwedAge })
	if len(owed) > maxOwed {
		owed = owed[len(owed)-maxOwed:]
	}
	if len(owed) == 0 {
		owed = nil
	}
	if err := sp.replaceSealed(sp.owedPath(), "spool owed receipts", "spool owed", owed, len(owed) == 0); err != nil {
		return err
	}
	sp.owed = owed
	return nil
}

// replaceSealed replaces the file at path with v as JSON sealed under
// aad, durably: written whole and fsynced beside it, renamed over it,
// the directory synced; with empty, the file is removed. what names the
// file in errors. (A crash leaves the old file or the new, and at most a
// ".new" that the next open removes.)
func (sp *Spool) replaceSealed(path, what, aad string, v any, empty bool) error {
	if empty {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: %w", what, err)
		}
		return syncDir(filepath.Dir(sp.path))
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := sp.kr.seal(plain, aad)
	if err != nil {
		return err
	}
	tmp := path + ".new"
	_ = os.Remove(tmp)
	if err := appendSynced(tmp, sealed); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := syncDir(filepath.Dir(sp.path)); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
