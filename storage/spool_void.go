package storage

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// An invitation code seen where others could redeem it first (a group)
// while Redis is down cannot be voided then; the spool holds the voiding
// until Redis is back. Only the MAC its invitation is stored under goes to
// disk (enough to delete it), never the code: one per line in voids.spool,
// fsynced, replayed before the tips.
//
// Every code-like word of a group's message is held so (Redis cannot say
// which is an invitation's): some 820 in a message of 4,096 characters,
// some 13,000 with its hidden links. Held one by one, an outage's flood
// would grow the file and the map without end. Past maxVoidsPerMessage
// in one message, or maxHeldVoids in all, the spool holds instead that
// every invitation is to be voided (a line "*", voidAllLine): an
// invitation seen may be any of them, so none may be redeemed until the
// replay has voided them all. That costs the team its pending
// invitations (an admin makes new ones; the replay says how many went),
// never an invitation left redeemable after it was in view of a group.

// maxVoidsPerMessage bounds the codes one message has held one by one:
// more than a message of 4,096 characters written as words holds (some
// 820; tips.ReceiptCodesIn), as many as it reads before it passes over
// words of one character that repeat one it read (tips.maxReceiptSpans;
// 4,096 characters of single letters that repeat nothing read some
// 2,000, and void every invitation instead).
const maxVoidsPerMessage = 1024

// maxHeldVoids bounds the codes held one by one in all, until the
// replay: 64 Ki lines of 33 bytes, 2 MB on disk.
const maxHeldVoids = 1 << 16

// voidAllLine is the line of voids.spool that holds that every pending
// invitation is to be voided (no MAC: readVoids of a version before it
// passes over it, as over a torn line).
const voidAllLine = "*"

// A voidAllLine is followed by one naming that hold: voidAllLine and 32
// random hex digits (a version before it passes over it). Once the
// replay has voided every invitation for a hold, Redis keeps that it did
// (keys.voidAllDone) for voidAllDoneFor, so that a replay of the same
// file again (voids.spool.replaying could not be removed: a read-only
// disk) voids nothing more: not the invitations made since, after the
// outage. A hold without its name (written by a version before it, or
// its line torn by a crash) voids every pending invitation at each
// replay, as before.
const voidAllIDLength = 32

// voidAllDoneFor is how long Redis keeps that a hold's voiding was done:
// dropped once its file is removed; past it, a file still not removable
// voids every pending invitation again (the operator was told at each
// replay meanwhile).
const voidAllDoneFor = 365 * 24 * time.Hour

// ErrVoidsKept is wrapped by the error of a replay (ReplayCount.VoidsKept)
// whose invitations held to be voided were voided, but whose file,
// voids.spool.replaying in the spool's directory, could not be removed.
var ErrVoidsKept = errors.New("voids.spool.replaying could not be removed")

// removeFile is os.Remove; tests make it fail.
var removeFile = os.Remove

// voidsPath is the file of invitations to void; voidsReplayPath the one
// being replayed.
func (sp *Spool) voidsPath() string       { return filepath.Join(filepath.Dir(sp.path), "voids.spool") }
func (sp *Spool) voidsReplayPath() string { return sp.voidsPath() + ".replaying" }

// HoldVoids keeps, fsynced, the voiding of those of codes that are
// invitation codes, for Replay: as their MACs, never in clear. Until
// then, VoidHeld reports them void. A code held already is not written
// again (one pasted in a group at every message of an outage would grow
// the file, and sync the disk, with each). Past maxVoidsPerMessage codes
// in this call, or maxHeldVoids held in all, it holds instead the voiding
// of every pending invitation (see voidAllLine), once.
func (sp *Spool) HoldVoids(codes []string) error {
	sp.mu.Lock()
	all := sp.voidAllLive
	sp.mu.Unlock()
	if all || len(codes) == 0 {
		return nil // (every invitation is voided at the replay)
	}
	var macs []string
	if len(codes) <= maxVoidsPerMessage {
		macs = make([]string, len(codes))
		for i, code := range codes {
			macs[i] = sp.kr.receiptMAC("invite\x00" + code)
		}
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.voidAllLive {
		return nil
	}
	b := []byte{'\n'} // (after a line a crash tore, a line of its own)
	var add []string
	adding := make(map[string]bool, len(macs)) // (at most maxVoidsPerMessage)
	for _, m := range macs {
		if !sp.voids[m] && !adding[m] {
			adding[m] = true
			add = append(add, m)
			b = append(append(b, m...), '\n')
		}
	}
	if len(codes) > maxVoidsPerMessage || len(sp.voids)+len(add) > maxHeldVoids {
		id := make([]byte, voidAllIDLength/2)
		if _, err := rand.Read(id); err != nil {
			return fmt.Errorf("spool voids: %w", err)
		}
		if err := appendSynced(sp.voidsPath(), []byte("\n"+voidAllLine+"\n"+voidAllLine+hex.EncodeToString(id)+"\n")); err != nil {
			return fmt.Errorf("spool voids: %w", err)
		}
		sp.voidAllLive = true
		return nil
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
	mac := sp.kr.receiptMAC("invite\x00" + code)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.voidAllLive || sp.voidAllReplaying || sp.voids[mac]
}

// readVoids returns the MACs a voids file holds, and whether it holds
// that every invitation is to be voided (voidAllLine); a line torn by a
// crash mid-append (never acknowledged) is no MAC and is left out.
func readVoids(path string) ([]string, bool, error) {
	macs, all, _, err := readVoidsNamed(path)
	return macs, all, err
}

// readVoidsNamed is readVoids, and the name of the file's hold of every
// pending invitation: "" if it has none, or one without its name.
func readVoidsNamed(path string) ([]string, bool, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, "", nil
	}
	if err != nil {
		return nil, false, "", fmt.Errorf("spool voids: %w", err)
	}
	var out []string
	all, unnamed, name := false, false, ""
	for _, l := range bytes.Split(b, []byte{'\n'}) {
		if _, err := hex.DecodeString(string(l)); err == nil && len(l) == 32 {
			out = append(out, string(l))
		}
		if string(l) == voidAllLine {
			all, unnamed = true, true
		} else if id, ok := strings.CutPrefix(string(l), voidAllLine); ok && unnamed && len(id) == voidAllIDLength {
			if _, err := hex.DecodeString(id); err == nil {
				unnamed = false
				name = cmp.Or(name, id)
			}
		}
	}
	if unnamed {
		name = "" // (a hold without its name: every replay voids every invitation)
	}
	return out, all, name, nil
}

// replayVoids voids the invitations held (every pending one, if the file
// says so), and forgets them once done. The file is moved aside first, so
// voidings held meanwhile wait for the next replay. Done, but its file
// not removed, it returns an error wrapping ErrVoidsKept: the voidings
// are forgotten all the same, and the next replay of that file voids
// the invitations it names again (gone already), but not every pending
// invitation again if it held that (see voidAllIDLength).
func (sp *Spool) replayVoids(ctx context.Context, st *Store) (int, error) {
	sp.mu.Lock()
	if _, err := os.Stat(sp.voidsReplayPath()); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(sp.voidsPath(), sp.voidsReplayPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			sp.mu.Unlock()
			return 0, fmt.Errorf("spool voids: %w", err)
		} else if err == nil {
			sp.voidAllReplaying, sp.voidAllLive = sp.voidAllLive, false
		}
	}
	sp.mu.Unlock()
	macs, all, name, err := readVoidsNamed(sp.voidsReplayPath())
	if err != nil {
		return 0, err
	}
	voided := 0
	if all {
		done := false
		if name != "" {
			n, err := st.rdb.Exists(ctx, st.k.voidAllDone(name)).Result()
			if err != nil {
				return 0, fmt.Errorf("spool voids: %w", err)
			}
			done = n > 0
		}
		if !done {
			// Cut off mid-way, it says how many went all the same: tried
			// again, it finds only the rest.
			if voided, err = st.voidEveryInvite(ctx); err != nil {
				return voided, err
			}
			if name != "" {
				if err := st.rdb.Set(ctx, st.k.voidAllDone(name), "1", voidAllDoneFor).Err(); err != nil {
					return voided, fmt.Errorf("spool voids: %w", err)
				}
			}
		}
	}
	if len(macs) > 0 {
		pipe := st.rdb.Pipeline()
		for _, m := range macs {
			pipe.Del(ctx, st.k.invite(m))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return voided, fmt.Errorf("spool voids: %w", err)
		}
	}
	kept := removeSynced(sp.voidsReplayPath())
	if kept == nil && name != "" {
		// Its file gone, the record that it was done is of no more use
		// (left to expire if Redis does not take this).
		_ = st.rdb.Del(ctx, st.k.voidAllDone(name)).Err()
	}
	// Forgotten unless held again since (in the live file), its file
	// removed or not: every invitation it named is void in Redis.
	live, liveAll, _ := readVoids(sp.voidsPath())
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, m := range macs {
		delete(sp.voids, m)
	}
	for _, m := range live {
		sp.voids[m] = true
	}
	sp.voidAllReplaying, sp.voidAllLive = false, sp.voidAllLive || liveAll
	if kept != nil {
		return voided, fmt.Errorf("%w: %w", ErrVoidsKept, kept)
	}
	return voided, nil
}

// voidEveryInvite deletes every pending invitation (one SCAN of their
// keys), and says how many there were.
func (s *Store) voidEveryInvite(ctx context.Context) (int, error) {
	var n atomic.Int64
	err := s.onEachPrimary(ctx, func(ctx context.Context, node redis.UniversalClient) error {
		iter := node.Scan(ctx, 0, globEscape(s.k.invite(""))+"*", 1000).Iterator()
		for iter.Next(ctx) {
			// One DEL each: a pending invitation is rare (a few an
			// admin made), and all are of the {team} tag, on one node.
			d, err := node.Del(ctx, iter.Val()).Result()
			if err != nil {
				return err
			}
			n.Add(d)
		}
		return iter.Err()
	})
	if err != nil {
		return int(n.Load()), fmt.Errorf("spool voids: every invitation: %w", err)
	}
	return int(n.Load()), nil
}

// VoidsWaiting is how many invitation voidings wait for Redis.
func (sp *Spool) VoidsWaiting() int {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.voidAllLive || sp.voidAllReplaying {
		return len(sp.voids) + 1 // (every invitation, counted one)
	}
	return len(sp.voids)
}

// removeSynced removes a file, if there, durably.
func removeSynced(path string) error {
	if err := removeFile(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("spool voids: %w", err)
	}
	return syncDir(filepath.Dir(path))
}
