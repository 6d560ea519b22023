package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// appendVoids is appendSynced, for voids.spool; tests make it fail.
var appendVoids = appendSynced

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
//
// A voiding it cannot write (a full or read-only disk) it keeps in
// memory, and returns the error: VoidHeld reports it void all the same,
// the next call tries to write it again, and the replay voids it in Redis
// whether written or not. Only a process stopped before either is done
// loses it (it never reached the disk).
func (sp *Spool) HoldVoids(codes []string) error {
	sp.mu.Lock()
	all := sp.voidAllHeld
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
	if sp.voidAllHeld {
		return nil
	}
	b := []byte{'\n'} // (after a line a crash tore, a line of its own)
	for m := range sp.unwritten {
		b = append(append(b, m...), '\n') // (a write that failed, tried again)
	}
	var add []string
	adding := make(map[string]bool, len(macs)) // (at most maxVoidsPerMessage)
	for _, m := range macs {
		if !sp.voids[m] && !adding[m] {
			adding[m] = true
			add = append(add, m)
			b = append(append(b, m...), '\n')
		}
	}
	if sp.voidAllUnwritten || len(codes) > maxVoidsPerMessage || len(sp.voids)+len(add) > maxHeldVoids {
		id := make([]byte, voidAllIDLength/2)
		_, err := rand.Read(id)
		if err == nil {
			err = appendVoids(sp.voidsPath(), []byte("\n"+voidAllLine+"\n"+voidAllLine+hex.EncodeToString(id)+"\n"))
		}
		if err != nil {
			sp.voidAllUnwritten = true
			sp.voidAllUnwrittenGen++
			return fmt.Errorf("spool voids: every invitation: %w", err)
		}
		// Those not written are void with every pending invitation.
		for m := range sp.unwritten {
			delete(sp.voids, m)
		}
		clear(sp.unwritten)
		sp.voidAllLive, sp.voidAllHeld, sp.voidAllUnwritten = true, true, false
		return nil
	}
	if len(add) == 0 && len(sp.unwritten) == 0 {
		return nil
	}
	err := appendVoids(sp.voidsPath(), b)
	for _, m := range add {
		sp.voids[m] = true
		if err != nil {
			sp.unwritten[m] = true
		}
	}
	if err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	clear(sp.unwritten)
	return nil
}

// VoidHeld reports whether the voiding of this invitation code waits for
// Redis: it must not be redeemed meanwhile.
func (sp *Spool) VoidHeld(code string) bool {
	mac := sp.kr.receiptMAC("invite\x00" + code)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.voidAllLive || sp.voidAllReplaying || sp.voidAllUnwritten || sp.voids[mac]
}

// readVoids returns the MACs a voids file holds, and whether it holds
// that every invitation is to be voided (voidAllLine); a line torn by a
// crash mid-append (never acknowledged) is no MAC and is left out.
func readVoids(path string) ([]string, bool, error) {
	f, err := readVoidsFile(path)
	return f.macs, f.all, err
}

// voidsFile is what a voids file holds.
type voidsFile struct {
	macs []string
	// all says it holds that every pending invitation is to be voided;
	// names are those holds' names, unnamed that one of them has none
	// (written by a version before names, or its name torn by a crash):
	// it voids every pending invitation at each replay.
	all     bool
	names   []string
	unnamed bool
}

// readVoidsFile reads a voids file: none is an empty one.
func readVoidsFile(path string) (voidsFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return voidsFile{}, nil
	}
	if err != nil {
		return voidsFile{}, fmt.Errorf("spool voids: %w", err)
	}
	return parseVoids(b), nil
}

// parseVoids reads a voids file's bytes. A file holds one hold of every
// pending invitation at most as HoldVoids writes it, but one replayed
// where it is (replayVoidsInPlace) may be held again after.
func parseVoids(b []byte) voidsFile {
	var f voidsFile
	open := false // a voidAllLine whose name is still to come
	for _, l := range bytes.Split(b, []byte{'\n'}) {
		if _, err := hex.DecodeString(string(l)); err == nil && len(l) == 32 {
			f.macs = append(f.macs, string(l))
		}
		if string(l) == voidAllLine {
			f.unnamed = f.unnamed || open
			f.all, open = true, true
		} else if id, ok := strings.CutPrefix(string(l), voidAllLine); ok && open && len(id) == voidAllIDLength {
			if _, err := hex.DecodeString(id); err == nil {
				open = false
				if !slices.Contains(f.names, id) {
					f.names = append(f.names, id)
				}
			}
		}
	}
	f.unnamed = f.unnamed || open
	return f
}

// replayVoids voids the invitations held (every pending one, if a file
// says so). The live file is moved aside first, so voidings held
// meanwhile wait for the next replay. A file moved aside that is still
// there (a replay cut short by a crash or by Redis, or one whose file
// could not be removed) is replayed first, then the live file, in this
// same replay: other replicas know nothing of the live file's voidings,
// which must not wait behind it. Done, but its file not removed, it
// returns an error wrapping ErrVoidsKept: the live file, which cannot be
// moved aside over it, is then replayed where it is, and stays. The
// voidings replayed are forgotten all the same (every invitation they
// named is void in Redis); the next replay of a file kept voids the
// invitations it names again (gone already), but not every pending
// invitation again if it held that (see voidAllIDLength).
//
// It says how many pending invitations it voided all together once it
// is done (its files kept or not): cut off mid-way, it says 0, and those
// it voided are counted in the replay that completes, so that the team
// is told once (ReplayCount.InvitesVoided).
func (sp *Spool) replayVoids(ctx context.Context, st *Store) (int, error) {
	n, err := sp.replayVoidsFiles(ctx, st)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.voidedUntold += n
	if err != nil && !errors.Is(err, ErrVoidsKept) {
		return 0, err
	}
	n, sp.voidedUntold = sp.voidedUntold, 0
	return n, err
}

// replayVoidsFiles is replayVoids, and says how many pending invitations
// it voided all together, cut off or not.
func (sp *Spool) replayVoidsFiles(ctx context.Context, st *Store) (int, error) {
	voided, err := sp.replayVoidsUnwritten(ctx, st)
	if err != nil {
		return voided, err
	}
	for {
		sp.mu.Lock()
		_, err := os.Stat(sp.voidsReplayPath())
		leftover := err == nil
		if errors.Is(err, os.ErrNotExist) {
			if err = os.Rename(sp.voidsPath(), sp.voidsReplayPath()); err == nil {
				sp.voidAllReplaying, sp.voidAllLive, sp.voidAllHeld = sp.voidAllLive, false, false
			} else if errors.Is(err, os.ErrNotExist) {
				err = nil
			}
		}
		sp.mu.Unlock()
		if err != nil {
			return voided, fmt.Errorf("spool voids: %w", err)
		}
		f, err := readVoidsFile(sp.voidsReplayPath())
		if err != nil {
			return voided, err
		}
		n, err := st.replayVoidsOf(ctx, f)
		voided += n
		if err != nil {
			return voided, err
		}
		kept := removeSynced(sp.voidsReplayPath())
		if kept == nil && len(f.names) > 0 {
			// Its file gone, the record that it was done is of no more
			// use (left to expire if Redis does not take this).
			_ = st.rdb.Del(ctx, st.k.voidAllDones(f.names)...).Err()
		}
		sp.forgetVoids(f.macs)
		if kept != nil {
			n, err := sp.replayVoidsInPlace(ctx, st)
			voided += n
			if err != nil {
				return voided, err
			}
			return voided, fmt.Errorf("%w: %w", ErrVoidsKept, kept)
		}
		if !leftover {
			return voided, nil
		}
		// The leftover file replayed and gone: the live one now.
	}
}

// replayVoidsUnwritten voids in Redis the voidings HoldVoids could not
// write, held in memory only, and forgets them once done (their file,
// if a later HoldVoids wrote them, voids them again: gone already).
func (sp *Spool) replayVoidsUnwritten(ctx context.Context, st *Store) (int, error) {
	sp.mu.Lock()
	f := voidsFile{macs: slices.Collect(maps.Keys(sp.unwritten)), all: sp.voidAllUnwritten, unnamed: true}
	gen := sp.voidAllUnwrittenGen
	sp.mu.Unlock()
	if !f.all && len(f.macs) == 0 {
		return 0, nil
	}
	n, err := st.replayVoidsOf(ctx, f)
	if err != nil {
		return n, err
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, m := range f.macs {
		delete(sp.unwritten, m)
		delete(sp.voids, m)
	}
	if f.all && sp.voidAllUnwrittenGen == gen {
		sp.voidAllUnwritten = false // (not held again since)
	}
	return n, nil
}

// replayVoidsInPlace replays the live voids file without moving it (a
// file moved aside before it could not be removed). Done, it empties the
// file (truncated and fsynced) if nothing was appended to it meanwhile:
// left whole, it would grow across outages (maxHeldVoids bounds the
// lines held since a replay, not the file's), and each replay would read
// it all again. A crash mid-way leaves it whole (replayed again: what it
// names is gone already, a hold of every pending invitation is voided
// once only) or empty. Voidings held while it runs are appended after
// what it read: the file is then left whole, and they wait for the next
// replay with it.
func (sp *Spool) replayVoidsInPlace(ctx context.Context, st *Store) (int, error) {
	sp.mu.Lock()
	b, err := os.ReadFile(sp.voidsPath())
	f := parseVoids(b)
	if err == nil {
		// Held to void every pending invitation: until it is done, every
		// code is refused, as the file says (a replay of it cut off
		// before left nothing in memory that says so); the next hold of
		// every invitation is written after it.
		sp.voidAllReplaying, sp.voidAllLive, sp.voidAllHeld = f.all, false, false
	}
	sp.mu.Unlock()
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("spool voids: %w", err)
	}
	n, err := st.replayVoidsOf(ctx, f)
	if err != nil {
		return n, err
	}
	voidsReplayedInPlace()
	sp.mu.Lock()
	// (HoldVoids appends under sp.mu: the size read is the file's now,
	// unless another process appended.) Not emptied (a file that cannot
	// be written), it stays as it was: replayed again, harmlessly.
	emptied := emptyVoidsIfUnchanged(sp.voidsPath(), int64(len(b))) == nil
	sp.mu.Unlock()
	sp.forgetVoids(f.macs)
	if emptied && len(f.names) > 0 {
		// Its holds gone from the file, their records are of no more use
		// (left to expire if Redis does not take this).
		_ = st.rdb.Del(ctx, st.k.voidAllDones(f.names)...).Err()
	}
	return n, nil
}

// voidsReplayedInPlace runs once a voids file replayed in place is done
// in Redis, before it is emptied; tests hold voidings there.
var voidsReplayedInPlace = func() {}

// errVoidsGrown is emptyVoidsIfUnchanged's answer for a file appended to
// since it was read.
var errVoidsGrown = errors.New("spool voids: appended to since read")

// emptyVoidsIfUnchanged truncates the voids file at path to nothing, and
// fsyncs it, if it is still size bytes long.
func emptyVoidsIfUnchanged(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	if fi.Size() != size {
		return errVoidsGrown
	}
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("spool voids: %w", err)
	}
	return nil
}

// forgetVoids forgets the voidings of macs, done in Redis, and a hold of
// every pending invitation being replayed, done too.
func (sp *Spool) forgetVoids(macs []string) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, m := range macs {
		delete(sp.voids, m)
	}
	sp.voidAllReplaying = false
}

// replayVoidsOf voids the invitations a voids file names, and every
// pending one if it holds that, once for each named hold: it says how
// many pending invitations it voided all together.
func (s *Store) replayVoidsOf(ctx context.Context, f voidsFile) (int, error) {
	voided := 0
	if f.all {
		done := false
		if !f.unnamed {
			n, err := s.rdb.Exists(ctx, s.k.voidAllDones(f.names)...).Result()
			if err != nil {
				return 0, fmt.Errorf("spool voids: %w", err)
			}
			done = n == int64(len(f.names))
		}
		if !done {
			// Cut off mid-way, it says how many went all the same: tried
			// again, it finds only the rest.
			var err error
			if voided, err = s.voidEveryInvite(ctx); err != nil {
				return voided, err
			}
			if len(f.names) > 0 {
				pipe := s.rdb.Pipeline()
				for _, name := range f.names {
					pipe.Set(ctx, s.k.voidAllDone(name), "1", voidAllDoneFor)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					return voided, fmt.Errorf("spool voids: %w", err)
				}
			}
		}
	}
	if len(f.macs) > 0 {
		pipe := s.rdb.Pipeline()
		for _, m := range f.macs {
			pipe.Del(ctx, s.k.invite(m))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return voided, fmt.Errorf("spool voids: %w", err)
		}
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
	if sp.voidAllLive || sp.voidAllReplaying || sp.voidAllUnwritten {
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
