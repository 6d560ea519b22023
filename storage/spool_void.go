package storage

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// An invitation code seen where others could redeem it first (a group)
// while Redis is down cannot be voided then; the spool holds the voiding
// until Redis is back. Only the MAC its invitation is stored under goes to
// disk (enough to delete it), never the code: one per line in voids.spool,
// fsynced, replayed before the tips.

// voidsPath is the file of invitations to void; voidsReplayPath the one
// being replayed.
func (sp *Spool) voidsPath() string       { return filepath.Join(filepath.Dir(sp.path), "voids.spool") }
func (sp *Spool) voidsReplayPath() string { return sp.voidsPath() + ".replaying" }

// HoldVoids keeps, fsynced, the voiding of those of codes that are
// invitation codes, for Replay: as their MACs, never in clear. Until
// then, VoidHeld reports them void. A code held already is not written
// again (one pasted in a group at every message of an outage would grow
// the file, and sync the disk, with each).
func (sp *Spool) HoldVoids(codes []string) error {
	macs := make([]string, len(codes))
	for i, code := range codes {
		macs[i] = sp.kr.receiptMAC("invite\x00" + code)
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	b := []byte{'\n'} // (after a line a crash tore, a line of its own)
	var add []string
	adding := make(map[string]bool, len(macs)) // (some 820 in a message of 4,096 characters; more with its links)
	for _, m := range macs {
		if !sp.voids[m] && !adding[m] {
			adding[m] = true
			add = append(add, m)
			b = append(append(b, m...), '\n')
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := appendSynced(sp.voidsPath(), b); err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	for _, m := range add {
		sp.voids[m] = true
	}
	return nil
}

// VoidHeld reports whether the voiding of this invitation code waits for
// Redis: it must not be redeemed meanwhile.
func (sp *Spool) VoidHeld(code string) bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.voids[sp.kr.receiptMAC("invite\x00"+code)]
}

// readVoids returns the MACs a voids file holds; a line torn by a crash
// mid-append (never acknowledged) is no MAC and is left out.
func readVoids(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool voids: %w", err)
	}
	var out []string
	for _, l := range bytes.Split(b, []byte{'\n'}) {
		if _, err := hex.DecodeString(string(l)); err == nil && len(l) == 32 {
			out = append(out, string(l))
		}
	}
	return out, nil
}

// replayVoids voids the invitations held, and forgets them once done. The
// file is moved aside first, so voidings held meanwhile wait for the next
// replay.
func (sp *Spool) replayVoids(ctx context.Context, st *Store) error {
	sp.mu.Lock()
	if _, err := os.Stat(sp.voidsReplayPath()); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(sp.voidsPath(), sp.voidsReplayPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			sp.mu.Unlock()
			return fmt.Errorf("spool voids: %w", err)
		}
	}
	sp.mu.Unlock()
	macs, err := readVoids(sp.voidsReplayPath())
	if err != nil || len(macs) == 0 {
		if err == nil {
			err = removeSynced(sp.voidsReplayPath())
		}
		return err
	}
	pipe := st.rdb.Pipeline()
	for _, m := range macs {
		pipe.Del(ctx, st.k.invite(m))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	if err := removeSynced(sp.voidsReplayPath()); err != nil {
		return err
	}
	// Forgotten unless held again since (in the live file).
	live, _ := readVoids(sp.voidsPath())
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, m := range macs {
		delete(sp.voids, m)
	}
	for _, m := range live {
		sp.voids[m] = true
	}
	return nil
}

// VoidsWaiting is how many invitation voidings wait for Redis.
func (sp *Spool) VoidsWaiting() int {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return len(sp.voids)
}

// removeSynced removes a file, if there, durably.
func removeSynced(path string) error {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("spool voids: %w", err)
	}
	return syncDir(filepath.Dir(path))
}
