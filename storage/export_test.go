package storage

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// OpenUnder opens a sealed value with the sealing key of secret alone, for
// tests that check what a leaked old secret can still read.
func OpenUnder(secret, sealed []byte, context string) error {
	kr, err := NewKeyring(secret)
	if err != nil {
		return err
	}
	_, err = open(kr.sealKey, sealed, context)
	return err
}

// StateKey names a reporter's state hash, for tests.
func (s *Store) StateKey(pseudonym string) string { return s.k.state(pseudonym) }

// SmallPostingTails makes searches read posting strings 4 numbers at a
// time, so a test with a few dozen tips needs several rounds.
func SmallPostingTails(t interface{ Cleanup(func()) }) {
	tail, slack := postingTail, postingSlack
	postingTail, postingSlack = 16, 1
	t.Cleanup(func() { postingTail, postingSlack = tail, slack })
}

// ResealReporter reseals tip id as naming reporter, as the previous version
// did for warnings and spooled tips (their suffixed pseudonym), for tests.
func (s *Store) ResealReporter(ctx context.Context, id, reporter string) error {
	f, err := s.rdb.HGetAll(ctx, s.k.tip(id)).Result()
	if err != nil {
		return err
	}
	st, dk, err := s.openStored(id, f)
	if err != nil {
		return err
	}
	st.Reporter = reporter
	b, _ := json.Marshal(st)
	blob, err := seal(dk, b, "tip:"+id)
	if err != nil {
		return err
	}
	return s.rdb.HSet(ctx, s.k.tip(id), "d", blob).Err()
}

// ShortSpoolWrites makes the spool's next record writes stop half-way with
// "no space left on device", as a full disk does, until the test ends or
// the returned function is called.
func ShortSpoolWrites(t interface{ Cleanup(func()) }) (restore func()) {
	orig := writeRecord
	writeRecord = func(f *os.File, rec []byte) (int, error) {
		n, err := f.Write(rec[:len(rec)/2])
		if err != nil {
			return n, err
		}
		return n, syscall.ENOSPC
	}
	restore = func() { writeRecord = orig }
	t.Cleanup(restore)
	return restore
}

// BeforeApprove runs f between ApprovePublication's read and its script,
// for tests of approvals that race.
func BeforeApprove(t interface{ Cleanup(func()) }, f func()) {
	beforeApprove = f
	t.Cleanup(func() { beforeApprove = nil })
}

// BeforeDecide runs f between Decide's veto of a dismissed warning and
// its script, until the test ends.
func BeforeDecide(t interface{ Cleanup(func()) }, f func()) {
	beforeDecide = f
	t.Cleanup(func() { beforeDecide = nil })
}

// BackfillBatch has the backfill of the lists of duplicates ask SCAN for
// n keys a batch, until the test ends.
func BackfillBatch(t interface{ Cleanup(func()) }, n int64) {
	before := backfillBatch
	backfillBatch = n
	t.Cleanup(func() { backfillBatch = before })
}

// AfterDecide runs f between Decide's script and its after-step on the
// publication, until the test ends.
func AfterDecide(t interface{ Cleanup(func()) }, f func()) {
	afterDecide = f
	t.Cleanup(func() { afterDecide = nil })
}

// TipKey names tip id's hash, for tests.
func (s *Store) TipKey(id string) string { return s.k.tip(id) }

// SmallStreamRebuilds makes Rekey rebuild (rather than rewrite whole)
// every stream longer than whole entries, chunk entries per call, and
// calls each (if not nil) after every chunk copied, until the test ends.
func SmallStreamRebuilds(t interface{ Cleanup(func()) }, whole, chunk int, each func()) {
	w, c, h := restreamWhole, rebuildChunk, rebuildHook
	restreamWhole, rebuildChunk, rebuildHook = whole, chunk, each
	t.Cleanup(func() { restreamWhole, rebuildChunk, rebuildHook = w, c, h })
}

// BeforeStreamSwap calls f before each attempt of Rekey to put the copy of
// a long stream in its place, until the test ends.
func BeforeStreamSwap(t interface{ Cleanup(func()) }, f func()) {
	rebuildSwapHook = f
	t.Cleanup(func() { rebuildSwapHook = nil })
}

// SmallOwedLimit keeps at most n receipts owed, for tests.
func SmallOwedLimit(t interface{ Cleanup(func()) }, n int) {
	old := maxOwed
	maxOwed = n
	t.Cleanup(func() { maxOwed = old })
}

// SmallDiscardsLimit keeps at most n discards owed in the spool, for tests.
func SmallDiscardsLimit(t interface{ Cleanup(func()) }, n int) {
	old := maxDiscards
	maxDiscards = n
	t.Cleanup(func() { maxDiscards = old })
}

// VetoLease is how long a dismissal under way refuses approvals.
const VetoLease = vetoLease

// MarkDismissal marks a dismissal of warning id under way, as Decide does
// before recording it, and nothing more: as if its process died there.
func (s *Store) MarkDismissal(ctx context.Context, id string) (string, error) {
	return s.vetoPublication(ctx, id, Decision{Status: tips.StatusDismissed})
}

// MaxSettledTokens is how many refused decisions' tokens a tip keeps.
const MaxSettledTokens = maxSettledTokens

// PublicationKey names warning id's publication hash, for tests.
func (s *Store) PublicationKey(id string) string { return s.k.publication(id) }

// MarkDuplicate marks a duplicate mark of tip id (of orig) under way, as
// Decide does before recording it, and nothing more: as if its process
// died there.
func (s *Store) MarkDuplicate(ctx context.Context, id, orig string) (string, error) {
	return s.vetoPublication(ctx, id, Decision{Status: tips.StatusDuplicate, DuplicateOf: orig})
}

// GiveReceipt has code lead to tip id too, as a receipt drawn before
// every code held a digit does (one of letters alone), for tests.
func (s *Store) GiveReceipt(ctx context.Context, id, code string) error {
	return s.rdb.Set(ctx, s.k.receipt(s.kr.receiptID(code)), id, 0).Err()
}

// DraftKey names a reporter's draft hash, for tests.
func (s *Store) DraftKey(pseudonym string) string { return s.k.draft(pseudonym) }

// SpoolClock puts the replay's clock (when an entry refused for good is
// set aside) under the test's hand until it ends: advance moves it.
func SpoolClock(t interface{ Cleanup(func()) }) (advance func(time.Duration)) {
	orig := spoolNow
	var off time.Duration
	spoolNow = func() time.Time { return orig().Add(off) }
	t.Cleanup(func() { spoolNow = orig })
	return func(d time.Duration) { off += d }
}

// KeysetStep runs f at CheckKeyset's steps of an adoption ("adopting":
// the keys replaced read, the keys not switched yet; "adopted"), until
// the test ends.
func KeysetStep(t interface{ Cleanup(func()) }, f func(step string)) {
	keysetStep = f
	t.Cleanup(func() { keysetStep = nil })
}

// InboxKeysRead runs f in InboxAddOnce once it read the MAC keys it names
// markers with, until the test ends.
func InboxKeysRead(t interface{ Cleanup(func()) }, f func()) {
	inboxKeysRead = f
	t.Cleanup(func() { inboxKeysRead = nil })
}

// HoldUntoldHash is the SHA1 of toTell's hold script (holdUntold): a test
// proxy that refuses or cuts the answer's script tells it apart.
var HoldUntoldHash = holdUntold.Hash()

// MaxVoidsPerMessage and MaxHeldVoids are the bounds of the codes the
// spool holds to void one by one.
const MaxVoidsPerMessage, MaxHeldVoids = maxVoidsPerMessage, maxHeldVoids

// FailVoidsRemoval makes the removal of the spool's voids file being
// replayed fail as on a read-only disk, until the test ends or the
// returned function is called.
func FailVoidsRemoval(t interface{ Cleanup(func()) }) (restore func()) {
	orig := removeFile
	removeFile = func(path string) error {
		if filepath.Base(path) == "voids.spool.replaying" {
			return &os.PathError{Op: "remove", Path: path, Err: syscall.EROFS}
		}
		return orig(path)
	}
	restore = func() { removeFile = orig }
	t.Cleanup(restore)
	return restore
}

// FailVoidsWrites makes the spool's writes to voids.spool fail as on a
// full disk, until the test ends or the returned function is called.
func FailVoidsWrites(t interface{ Cleanup(func()) }) (restore func()) {
	orig := appendVoids
	appendVoids = func(path string, _ []byte) error {
		return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	}
	restore = func() { appendVoids = orig }
	t.Cleanup(restore)
	return restore
}

// OnVoidsReplayedInPlace has f run when a voids file replayed in place
// is done in Redis, before it is emptied, until the test ends.
func OnVoidsReplayedInPlace(t interface{ Cleanup(func()) }, f func()) {
	orig := voidsReplayedInPlace
	voidsReplayedInPlace = f
	t.Cleanup(func() { voidsReplayedInPlace = orig })
}
