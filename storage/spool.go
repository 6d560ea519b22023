package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

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
	// receipts counts, by receipt code, the entries of held that have
	// it (hold, release): HoldsReceipt asks it, not every entry of held
	// (a lookup of a message's 2,000 code-like words during an outage
	// walked the whole spool for each, under the lock Append waits on).
	receipts map[string]int
	// voids are the MACs of invitation codes to void once Redis is
	// back (spool_void.go).
	voids map[string]bool
	// voidAllLive says voids.spool holds that every pending invitation
	// is to be voided (past maxHeldVoids, spool_void.go);
	// voidAllReplaying that the file being replayed does. voidAllHeld
	// says HoldVoids wrote such a hold in voids.spool since the replay
	// last read it: no other is needed (one read at start may be one a
	// replay has done, replayVoidsInPlace).
	voidAllLive, voidAllReplaying, voidAllHeld bool
	// unwritten are those of voids HoldVoids could not write (a full or
	// read-only disk), and voidAllUnwritten says a hold of every pending
	// invitation could not be written (voidAllUnwrittenGen counts those
	// failures): kept in memory, refused here, written by the next
	// HoldVoids if it can, voided in Redis by the next replay either way.
	unwritten           map[string]bool
	voidAllUnwritten    bool
	voidAllUnwrittenGen uint64
	// voidedUntold counts the invitations replays cut off mid-way voided
	// all together, for the replay that completes to say (replayVoids).
	voidedUntold int
	// owed are the receipts of spooled tips the platform refused to
	// deliver, for their reporters' next messages (spool_owed.go).
	owed []OwedReceipt
	// owedDropped counts the owed receipts dropped over maxOwed.
	owedDropped int
	// discards are the discards chat wipes owe that Redis took neither
	// done nor recorded (spool_discards.go).
	discards []spooledDiscard
	// route, if set, is asked about each entry before it is replayed as
	// a tip (RouteWith).
	route SpoolRouter
	// failing is, by spooledKey, when an entry's replay first failed with
	// an error Redis will give it again (refusedForGood), and how many
	// times since (spool_aside.go).
	failing map[string]failure
	// setAside holds, by spooledKey, the entries this process has set
	// aside: a replay cut short after one (a later entry failing) finds
	// it again in the file being replayed, and passes over it.
	setAsideKeys map[string]bool
	// counted caches, by path, what each spool file held when last
	// counted (countFile), under countMu.
	countMu sync.Mutex
	counted map[string]countedFile
}

// SpoolRouter looks, at the replay (Redis back), at a spooled message
// about to be stored as a tip of its own, as the live path would have
// had Redis answered when it came: a message it routes elsewhere (an
// answer to an investigator's question, a team member's message) it
// handles, and says why it makes no tip (NoTip, for the receipt's
// /status); "" leaves it a tip. It must be idempotent: a replay
// interrupted after it ran, before the entry's receipt was marked, calls
// it again for the same entry (once marked, it is not asked again).
type SpoolRouter func(ctx context.Context, e SpoolEntry) (NoTip, error)

// RouteWith has the replay ask r about each entry before it becomes a
// tip (SpoolRouter).
func (sp *Spool) RouteWith(r SpoolRouter) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.route = r
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
	// At is when it was spooled: the tip's time once replayed (an outage
	// of hours must not make it look hours younger). Records spooled by
	// earlier versions have none: they take the replay's time.
	At time.Time `json:"a,omitzero"`
	// ReplyTo is the id of the bot's message the spooled message replied
	// to (a question, maybe), "" for none: the replay's router reads the
	// question it was from the reporter's marks, as the live path does.
	// Its id alone, no text. Records spooled by earlier versions have
	// none: replayed as before.
	ReplyTo string `json:"q,omitempty"`
	// Quoted is true when Part's text opens with the words the message
	// quoted from another chat (tips.WithQuote): a receipt code the
	// replay cuts from them takes the quoted line it empties
	// (tips.WithoutEmptiedQuoteLines), as live. Records spooled by
	// earlier versions have none: replayed as before.
	Quoted bool `json:"w,omitempty"`
}

// maxSpoolRecord bounds one record (a tip is far smaller).
const maxSpoolRecord = 1 << 20

// minSpoolRecord is the shortest sealed value (version, GCM nonce and tag):
// a length below it, or above maxSpoolRecord, is not a record's length.
const minSpoolRecord = 1 + 12 + 16

// OpenSpool opens (creating) the spool in dir, and proves that dir takes
// writes now rather than when the first tip of an outage arrives. A record
// torn by a crash in the middle of an Append (never acknowledged to
// anyone; see tornTail) is cut off the end of the file. Nothing else is:
// a record, or a stretch of damaged bytes, that opens under no secret of
// kr stays, counted as Unreadable, and the next Replay sets it aside in
// the quarantine file instead of stopping at it; a damaged length field
// loses no record after it (see read). It fails if another process has
// the spool open (see lockSpoolDir).
func OpenSpool(dir string, kr *Keyring) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if err := lockSpoolDir(dir); err != nil {
		return nil, err
	}
	sp := &Spool{path: filepath.Join(dir, "tips.spool"), kr: kr, held: map[string]string{}, receipts: map[string]int{}, voids: map[string]bool{}, unwritten: map[string]bool{}, failing: map[string]failure{}, setAsideKeys: map[string]bool{}}
	if err := probeWritable(sp.path + ".probe"); err != nil {
		return nil, err
	}
	// What a crash while the quarantine file was being rewritten leaves
	// (rewriteQuarantine): sealed copies of records the quarantine file,
	// replaced only by a rename, still holds. Kept, they would stay on
	// disk for good once the quarantine empties. (The same for the owed
	// receipts' and the owed discards' files, writeOwed, writeDiscards.)
	for _, p := range []string{sp.quarantineNewPath(), sp.owedPath() + ".new", sp.discardsPath() + ".new"} {
		if err := os.Remove(p); err == nil {
			if err := syncDir(dir); err != nil {
				return nil, fmt.Errorf("spool: %w", err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	if err := sp.loadOwed(); err != nil {
		return nil, err
	}
	if err := sp.loadDiscards(); err != nil {
		return nil, err
	}
	for _, p := range []string{sp.path, sp.replayPath(), sp.quarantinePath()} {
		f, err := sp.read(p, p == sp.quarantinePath())
		if err != nil {
			return nil, err
		}
		if p != sp.quarantinePath() {
			if err := cutTornTail(p, f.whole); err != nil {
				return nil, err
			}
		}
		for _, e := range f.entries {
			sp.hold(e)
		}
	}
	if err := sp.retryAside(); err != nil {
		return nil, err
	}
	for i, p := range []string{sp.voidsReplayPath(), sp.voidsPath()} {
		macs, all, err := readVoids(p)
		if err != nil {
			return nil, err
		}
		for _, m := range macs {
			sp.voids[m] = true
		}
		if i == 0 {
			sp.voidAllReplaying = all
		} else {
			sp.voidAllLive = all
		}
	}
	return sp, nil
}

// probeWritable writes, fsyncs and removes a file at path: a read-only
// mount, a full disk or a directory of another owner must stop the bot at
// start, not fail the first tip of a Redis outage (told NOT saved).
func probeWritable(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("spool not writable: %w", err)
	}
	_, werr := f.Write([]byte("probe\n"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(path)
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return fmt.Errorf("spool not writable: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// cutTornTail truncates a spool file at whole, where its torn tail starts.
func cutTornTail(path string, whole int64) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() <= whole {
		return nil
	}
	if err := os.Truncate(path, whole); err != nil {
		return fmt.Errorf("spool repair: %w", err)
	}
	return nil
}

func (sp *Spool) replayPath() string { return sp.path + ".replaying" }

// Append seals and appends an entry, fsynced, and returns the receipt code
// the reporter is given now (the tip gets it when it is replayed). The code
// is derived from the reporter and the platform event, so a redelivered
// update spooled twice shows the same code and replays as one tip.
func (sp *Spool) Append(e SpoolEntry) (string, error) {
	if e.At.IsZero() {
		e.At = time.Now().Truncate(time.Millisecond)
	}
	if e.Receipt == "" {
		r, err := sp.ReceiptOf(e.Pseudonym, e.EventID)
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
	sp.hold(e)
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

// HeldEvents returns the reporter's platform events spooled and not yet
// replayed.
func (sp *Spool) HeldEvents(pseudonym string) []int64 {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var out []int64
	for k := range sp.held {
		if p, ev, ok := strings.Cut(k, "\x00"); ok && p == pseudonym {
			if n, err := strconv.ParseInt(ev, 10, 64); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// ReceiptOf is the receipt code a message (a reporter's platform event)
// is given when it is spooled: derived from them, so a message the
// platform delivers again after its replay is answered with it again.
func (sp *Spool) ReceiptOf(pseudonym string, eventID int64) (string, error) {
	mac := sp.kr.receiptMAC("spool\x00" + pseudonym + "\x00" + strconv.FormatInt(eventID, 10))
	raw, _ := hex.DecodeString(mac)
	return tips.NewReceipt(bytes.NewReader(raw))
}

// HoldsReceipt reports whether a tip with this receipt code is spooled
// and not yet replayed: its reporter's /status must not hear "no tip
// matches" in the minutes before the replay.
func (sp *Spool) HoldsReceipt(code string) bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.receipts[code] > 0
}

// hold keeps e as waiting to be replayed (held, receipts). sp.mu is held
// or sp not yet shared (OpenSpool).
func (sp *Spool) hold(e SpoolEntry) {
	k := spooledKey(e.Pseudonym, e.EventID)
	if r, ok := sp.held[k]; ok {
		if r == e.Receipt {
			return // (the same message spooled again: one entry held)
		}
		sp.release(k)
	}
	sp.held[k] = e.Receipt
	sp.receipts[e.Receipt]++
}

// release drops the entry of key k from held, and its receipt from
// receipts once no other entry has it. sp.mu is held.
func (sp *Spool) release(k string) {
	r, ok := sp.held[k]
	if !ok {
		return
	}
	delete(sp.held, k)
	if sp.receipts[r]--; sp.receipts[r] <= 0 {
		delete(sp.receipts, r)
	}
}

// SpoolCount is what a spool holds. It never says what a record holds.
type SpoolCount struct {
	// Waiting is how many tips wait to be replayed into Redis,
	// quarantined ones that open again included.
	Waiting int
	// Previous is how many of them only the previous secret opens.
	Previous int
	// Unreadable is how many records in the spool open under no secret
	// of the keyring; the next Replay moves them to the quarantine file.
	Unreadable int
	// Quarantined is how many records the quarantine file holds that
	// still open under no secret.
	Quarantined int
	// SetAside is how many entries Redis refused for good were set aside
	// (tips.spool.rejected, spool_aside.go), to be tried at the next start.
	SetAside int
	// OwedPrevious is how many receipts owed to reporters (spool_owed.go)
	// only the previous secret opens (InspectSpool alone counts them).
	OwedPrevious int
	// DiscardsPrevious is how many discards owed by chat wipes
	// (spool_discards.go) only the previous secret opens (InspectSpool
	// alone counts them).
	DiscardsPrevious int
}

// Len counts the spooled entries waiting to be replayed.
func (sp *Spool) Len() int { return sp.Count().Waiting }

// Count counts the spool's records. A file it cannot read counts nothing:
// Counted says so.
func (sp *Spool) Count() SpoolCount {
	c, _ := sp.Counted()
	return c
}

// Counted is Count, and the error of a spool file it could not read (the
// disk failing, its permissions changed since OpenSpool read it): the
// records of that file are not counted, and may be tips waiting, so a
// caller must not take the counts for all the spool holds.
func (sp *Spool) Counted() (SpoolCount, error) {
	c, err := sp.countSpool(sp.replayPath(), sp.path, sp.quarantinePath())
	a, aerr := sp.countAside()
	c.SetAside, c.Previous = a.SetAside, c.Previous+a.Previous
	return c, errors.Join(err, aerr)
}

// InspectSpool counts the records of the spool in dir without changing
// anything there (nor creating dir): for `vigia rotate-key`, which must
// not say that nothing is left under the previous secret while the spool
// holds tips sealed under it (or receipts owed to reporters: OwedPrevious;
// or discards owed by chat wipes: DiscardsPrevious).
func InspectSpool(dir string, kr *Keyring) (SpoolCount, error) {
	sp := &Spool{path: filepath.Join(dir, "tips.spool"), kr: kr}
	c, err := sp.Counted()
	if err != nil {
		return c, err
	}
	owed, current, err := sp.readOwed(sp.owedPath())
	if err != nil && !errors.Is(err, ErrSealed) {
		return c, err
	}
	if err == nil && !current {
		c.OwedPrevious = len(owed)
	}
	discards, current, err := sp.readDiscards()
	if err != nil && !errors.Is(err, ErrSealed) {
		return c, err
	}
	if err == nil && !current {
		c.DiscardsPrevious = len(discards)
	}
	return c, nil
}

// countSpool adds up the spool files live, ..., with quarantine last. A
// file it cannot read is left out of the counts, the others counted, and
// its error returned.
func (sp *Spool) countSpool(paths ...string) (SpoolCount, error) {
	var c SpoolCount
	var errs []error
	for i, p := range paths {
		f, err := sp.countFile(p, i == len(paths)-1)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Waiting += f.entries
		c.Previous += f.previous
		if i == len(paths)-1 {
			c.Quarantined += f.bad
		} else {
			c.Unreadable += f.bad
		}
	}
	return c, errors.Join(errs...)
}

// fileCount is what one spool file holds, counted (spoolFile's counts).
type fileCount struct {
	entries, previous, bad int
}

// countedFile is a spool file's counts, and the file as it was when
// they were read (os.Stat's).
type countedFile struct {
	fi os.FileInfo
	n  fileCount
}

// countFile counts the records of the spool file at path (read's
// quarantine as quarantine), opening each only if the file changed
// since it was last counted: its size, its modification time, its mode
// or the file itself (another one renamed into place). Counted, which
// the replay loop asks every 5 s, and the metrics at each scrape (three
// times), opened every record of the spool each time: with a large spool
// during an outage, the CPU the bot needs to take the reporters'
// messages. The spool's files only grow by appends (a failed one undone),
// or are replaced by a rename or removed, each of which changes what
// os.Stat says; a new process counts afresh. A file it cannot read is
// not cached: its error is returned each time.
func (sp *Spool) countFile(path string, quarantine bool) (fileCount, error) {
	fi, err := os.Stat(path)
	if err == nil && fi.Mode().IsRegular() {
		sp.countMu.Lock()
		c, ok := sp.counted[path]
		sp.countMu.Unlock()
		if ok && sameFileState(c.fi, fi) {
			return c.n, nil
		}
	}
	f, err := sp.read(path, quarantine)
	if err != nil {
		return fileCount{}, err
	}
	n := fileCount{entries: len(f.entries), previous: f.previous, bad: len(f.bad)}
	if fi != nil && fi.Mode().IsRegular() {
		// (Stated before it was read: a change between the two is seen
		// at the next count, the file's state having moved on.)
		sp.countMu.Lock()
		if sp.counted == nil {
			sp.counted = map[string]countedFile{}
		}
		sp.counted[path] = countedFile{fi: fi, n: n}
		sp.countMu.Unlock()
	}
	return n, nil
}

// sameFileState reports whether a and b are the same file, unchanged.
func sameFileState(a, b os.FileInfo) bool {
	return a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && a.Mode() == b.Mode() && os.SameFile(a, b)
}

// spoolFile is what one spool file holds.
type spoolFile struct {
	entries  []SpoolEntry
	previous int      // entries that only the previous secret opens
	bad      [][]byte // records that open under no secret, as quarantine records (see read)
	whole    int64    // bytes before a tail torn by a crash mid-append (the file's size if none)
}

// read reads a spool file. Nothing acknowledged is ever left out: a
// record that cannot be opened is kept in bad and reading goes on past
// it, and a damaged length field does not make the records after it look
// torn: where a record's length is not a length, runs past the end of the
// file, or spans the start of a record that opens, reading goes on at the
// next offset where a record opens (scanForward). A stretch of bytes that
// is no record (its length damaged: if the bytes after the length open as
// one record, that record is read, its length repaired) is kept in bad as
// one quarantine record (quarantineRecord). Only a tail that is provably
// what a crash mid-append leaves (tornTail: never acknowledged) is left
// out of whole; OpenSpool cuts it.
//
// In the quarantine file (quarantine set) no tail is torn: it holds only
// copies, and every byte there is kept.
func (sp *Spool) read(path string, quarantine bool) (spoolFile, error) {
	var f spoolFile
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("spool: %w", err)
	}
	f.whole = int64(len(b))
	var spans [][2]int // bad stretches of b; each one quarantine record
	lastGood := true   // the item before pos opened (or pos is 0)
	addBad := func(from, to int, record bool) {
		// A stretch that is not one whole record, right after a bad
		// one, is kept with it: a damaged length misplaced the boundary.
		if k := len(spans) - 1; !record && !lastGood && k >= 0 && spans[k][1] == from {
			spans[k][1] = to
		} else {
			spans = append(spans, [2]int{from, to})
		}
		lastGood = false
	}
	next := -1 // where the next record that opens starts, past pos (cached)
	for pos := 0; pos < len(b); {
		n, fits := recordAt(b, pos)
		if fits && f.add(sp.kr, b[pos+4:pos+4+n]) == nil {
			pos += 4 + n
			lastGood = true
			continue
		}
		if next <= pos {
			next = sp.scanForward(b, pos+1)
		}
		end := pos + 4 + n
		switch {
		case fits && end <= next && (end == next || end == len(b) || looksLikeRecord(b, end)):
			// A whole record that opens under no secret (sealed under
			// one no longer configured, or a byte of it damaged); the
			// records go on right after it.
			addBad(pos, end, true)
			pos = end
		case next-pos-4 >= minSpoolRecord && next-pos-4 <= maxSpoolRecord && f.add(sp.kr, b[pos+4:next]) == nil:
			// Only its length is damaged: the record is whole.
			pos = next
			lastGood = true
		case next == len(b) && !quarantine && sp.tornTail(b[pos:], lastGood):
			f.whole = int64(pos)
			pos = len(b)
		default:
			addBad(pos, next, false)
			pos = next
		}
	}
	for _, s := range spans {
		f.bad = append(f.bad, quarantineRecord(b[s[0]:s[1]]))
	}
	return f, nil
}

// recordAt reads the length at pos of b: n, and whether it is a length
// (minSpoolRecord to maxSpoolRecord) whose record ends within b.
func recordAt(b []byte, pos int) (n int, fits bool) {
	if len(b)-pos < 4 {
		return 0, false
	}
	n = int(binary.BigEndian.Uint32(b[pos:]))
	return n, n >= minSpoolRecord && n <= maxSpoolRecord && pos+4+n <= len(b)
}

// looksLikeRecord tells whether a record that might be whole starts at pos
// of b: a length, a record within b, and the seal's version byte.
func looksLikeRecord(b []byte, pos int) bool {
	_, fits := recordAt(b, pos)
	return fits && b[pos+4] == sealVersion
}

// scanForward returns the first offset from pos where a record opens
// under kr, or len(b). A record that opens is one the bot sealed (GCM
// authenticates it): bytes that merely look like one never do.
func (sp *Spool) scanForward(b []byte, pos int) int {
	for ; pos < len(b); pos++ {
		if !looksLikeRecord(b, pos) {
			continue
		}
		n, _ := recordAt(b, pos)
		if _, _, err := sp.kr.openWhich(b[pos+4:pos+4+n], "spool"); err == nil {
			return pos
		}
	}
	return len(b)
}

// tornTail tells whether t, the end of a file in which no record opens, is
// what a crash in the middle of an Append leaves, and so was never
// acknowledged (Append answers only once the whole record is fsynced, and
// undoes a write that failed; OpenSpool cuts such a tail before the next
// Append, so it can only be the last record): zeros (what some file
// systems leave of an interrupted write), fewer bytes than the smallest
// record right after one that opened (a whole record cannot hide there),
// or the beginning of a record sealed under one of kr's secrets, shorter
// than its length says. Anything else (a record sealed under another
// secret whose length was damaged, say) may be an acknowledged tip: it is
// kept, as unreadable, and quarantined.
func (sp *Spool) tornTail(t []byte, afterGood bool) bool {
	if bytes.Count(t, []byte{0}) == len(t) {
		return true
	}
	if afterGood && len(t) < 4+minSpoolRecord {
		return true
	}
	n, _ := recordAt(t, 0)
	return n >= minSpoolRecord && n <= maxSpoolRecord && len(t) < 4+n && sp.kr.sealedPrefix(t[4:], []byte(`{"p":"`), "spool")
}

// quarantineRecord is how a bad stretch is kept in the quarantine file:
// as it is if it is one whole record, otherwise behind a length of its own
// (the stretch's bytes, zero-padded to the shortest record if shorter; a
// stretch over maxSpoolRecord in pieces of that size, each so), so that
// the quarantine file stays a run of whole records, readable by the
// previous version too.
func quarantineRecord(s []byte) []byte {
	if n, fits := recordAt(s, 0); fits && 4+n == len(s) {
		return s
	}
	var out []byte
	for len(s) > 0 {
		body := s[:min(len(s), maxSpoolRecord)]
		s = s[len(body):]
		if len(body) < minSpoolRecord {
			body = append(append([]byte(nil), body...), make([]byte, minSpoolRecord-len(body))...)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
		out = append(out, body...)
	}
	return out
}

// add opens one sealed record (without its length) into f's entries.
func (f *spoolFile) add(kr *Keyring, sealed []byte) error {
	plain, current, err := kr.openWhich(sealed, "spool")
	if err != nil {
		return err
	}
	var e SpoolEntry
	if err := json.Unmarshal(plain, &e); err != nil {
		return err
	}
	f.entries = append(f.entries, e)
	if !current {
		f.previous++
	}
	return nil
}

func (sp *Spool) quarantinePath() string { return sp.path + ".quarantine" }

// quarantineNewPath is where rewriteQuarantine writes the quarantine
// file's next version before renaming it into place.
func (sp *Spool) quarantineNewPath() string { return sp.quarantinePath() + ".new" }

// Replay moves every spooled tip into Redis, in order; each is idempotent
// (replaying again after a crash makes no second tip). The spool is moved
// aside first, so new tips can be spooled meanwhile, and removed only once
// every entry is stored. A record that opens under no secret is first
// appended to the quarantine file, still sealed, and the rest replayed;
// quarantined records that open again (VIGIA_SECRET_PREVIOUS set back) are
// replayed too. Invitation codes held to be voided (HoldVoids) are voided
// first. It returns how many entries it took out of the spool, each
// stored as a tip or kept as none (ReplayCounts says which).
func (sp *Spool) Replay(ctx context.Context, st *Store) (int, error) {
	c, err := sp.ReplayCounts(ctx, st)
	return c.Entries(), err
}

// ReplayCount is what a replay did with the spool's entries. It never
// says what an entry holds.
type ReplayCount struct {
	// Replayed is how many entries were stored as tips.
	Replayed int
	// Repeated is how many were found stored already: by a replay
	// interrupted before it could clear the spool, or the same message
	// spooled twice (delivered twice by the platform).
	Repeated int
	// Skipped is how many were kept as no tip of their own: gone out
	// already in a tip sent from the reporter's draft, or as an answer to
	// an investigator's question, or nothing left once receipt codes are
	// cut, or routed elsewhere (RouteWith) (NoTip says which to the
	// receipt's /status).
	Skipped int
	// SetAside is how many Redis refused the same way, for good, at every
	// try over setAsideAfter (refusedForGood): moved, still sealed, to
	// tips.spool.rejected, tried again at the next start. Not counted in
	// Entries.
	SetAside int
	// InvitesVoided is how many pending invitations the replay voided
	// all together, more code-like words having been seen in groups
	// during the outage than the spool holds one by one (spool_void.go).
	// Said once, by the replay that completes the voidings: 0 in one cut
	// off mid-way, whose invitations voided the next counts (a process
	// stopped in between forgets them). Not counted in Entries.
	InvitesVoided int
	// VoidsKept, if not nil, wraps ErrVoidsKept: the invitations held to
	// be voided were voided, but their file stays in the spool's
	// directory (a read-only disk). The replay went on with the tips.
	VoidsKept error
}

// Entries is how many entries the replay took out of the spool.
func (c ReplayCount) Entries() int { return c.Replayed + c.Repeated + c.Skipped }

// ReplayCounts is Replay, and says what became of the entries. Counted
// until an error: an entry is counted once its outcome is in Redis.
func (sp *Spool) ReplayCounts(ctx context.Context, st *Store) (ReplayCount, error) {
	var c ReplayCount
	// Invitations seen in a group during the outage: void before anything
	// else (before anyone can redeem them).
	var err error
	if c.InvitesVoided, err = sp.replayVoids(ctx, st); errors.Is(err, ErrVoidsKept) {
		c.VoidsKept = err // (done: nothing waits on it)
	} else if err != nil {
		return c, err
	}
	if err := sp.beginReplay(); err != nil {
		return c, err
	}
	f, err := sp.read(sp.replayPath(), false)
	if err != nil {
		return c, err // keep the file: nothing may be lost
	}
	q, err := sp.read(sp.quarantinePath(), true)
	if err != nil {
		return c, err
	}
	stillBad, err := sp.quarantine(f.bad, q.bad)
	if err != nil {
		return c, err
	}
	entries := append(f.entries, q.entries...)
	aside := map[string]bool{}
	for _, e := range entries {
		if sp.wasSetAside(e) {
			c.SetAside++
			aside[spooledKey(e.Pseudonym, e.EventID)] = true
			continue
		}
		err := func() error {
			e := e // the entry as spooled stays e, set aside if it must be
			// A message that went out in a tip sent from its reporter's draft,
			// delivered again by the platform and spooled in this outage (no
			// one could tell then): it is stored, in that tip. A second tip
			// of it would have investigators read it twice. Its receipt says
			// so (/status). (One spooled as a tip of its own whose draft part
			// was left out of the Send, claimDraft, is not marked: replayed.)
			// So is one delivered as the answer to an investigator's question
			// and delivered again after a restart (the Answer pressed before it
			// forgotten): the investigators have it, as what it was; a tip of
			// it would put the reporter's answer in the queue as a new tip.
			if was, err := st.handledAs(ctx, e.Pseudonym, e.EventID, e.At); err != nil {
				return err
			} else if was != "" {
				if e.Receipt != "" {
					if err := st.markReceiptNoTip(ctx, e.Receipt, was); err != nil {
						return err
					}
				}
				c.Skipped++
				return nil
			}
			// Receipt codes written in a message spooled while Redis could
			// not say which words are codes: cut now that it can, before
			// investigators read them (spooled ones count: the reporter may
			// quote the receipt of one sent in the same outage).
			out, cut, err := tips.CutReceipts([]string{e.Part.Text}, func(codes []string) ([]bool, error) {
				known, err := st.ReceiptsKnown(ctx, codes)
				for i := range known {
					known[i] = known[i] || sp.HoldsReceipt(codes[i])
				}
				return known, err
			})
			if err != nil {
				return err
			}
			if cut && e.Quoted {
				out[0] = tips.WithoutEmptiedQuoteLines(out[0])
			}
			// codesAlone keeps e as no tip: the message remembered as handled,
			// the receipt the reporter was given saying so (/status), not "no
			// tip matches".
			codesAlone := func() error {
				if e.Receipt != "" {
					kind := NoTipCodes
					if tips.Blank(e.Part.Text) {
						kind = NoTipBlank
					}
					if err := st.markReceiptNoTip(ctx, e.Receipt, kind); err != nil {
						return err
					}
				}
				return st.RememberEvent(ctx, e.Pseudonym, e.EventID)
			}
			noFile := e.Part.Attachment == nil && e.Part.Location == nil
			if e.Part.Text != "" && tips.Blank(out[0]) && noFile {
				// Receipt codes alone (or what shows nothing, tips.Blank, as an
				// earlier version spooled), as Redis would have refused to keep.
				if err := codesAlone(); err != nil {
					return err
				}
				c.Skipped++
				return nil
			}
			// One word of a code with a few stray characters typed against
			// it ("tkCODE", "CODExy", spooled before such a word was refused
			// in an outage, or "abcK7QD-9XMA-…", which a reference may be
			// shaped as): its strays alone are no tip. Judged after the
			// router: as the answer to a question (or a team member's), its
			// strays are what live would deliver ("CODEyes" answers "yes").
			strays := e.Part.Text != "" && noFile && straysLeft(e.Part.Text, out[0])
			e.Part.Text = out[0]
			sp.mu.Lock()
			route := sp.route
			sp.mu.Unlock()
			if route != nil && e.Receipt != "" {
				// Routed already by a replay cut off after its receipt was
				// marked: not asked again (its sender was told then).
				if was, err := st.ReceiptNoTip(ctx, e.Receipt); err != nil {
					return err
				} else if was != "" {
					c.Skipped++
					return nil
				}
			}
			if route != nil {
				// Spooled as a tip because Redis could not say what it was:
				// now it can (an answer, a team member's message).
				kind, err := route(ctx, e)
				if err != nil {
					return err
				}
				if kind != "" {
					if e.Receipt != "" {
						if err := st.markReceiptNoTip(ctx, e.Receipt, kind); err != nil {
							return err
						}
					}
					c.Skipped++
					return nil
				}
			}
			if strays {
				if err := codesAlone(); err != nil {
					return err
				}
				c.Skipped++
				return nil
			}
			sub, err := st.submitSpooled(ctx, e)
			if err != nil {
				return err
			}
			if sub.Repeat {
				c.Repeated++
			} else {
				c.Replayed++
			}
			return nil
		}()
		if err == nil {
			continue
		}
		if !sp.setAside(e, err) {
			return c, err
		}
		if err := sp.appendSetAside(e); err != nil {
			return c, err
		}
		c.SetAside++
		aside[spooledKey(e.Pseudonym, e.EventID)] = true
	}
	if err := os.Remove(sp.replayPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return c, fmt.Errorf("spool clear: %w", err)
	}
	if len(q.entries) > 0 {
		if err := sp.rewriteQuarantine(stillBad); err != nil {
			return c, err
		}
	}
	// Stored now, and remembered as sent on each reporter's state.
	sp.mu.Lock()
	for _, e := range entries {
		if k := spooledKey(e.Pseudonym, e.EventID); !aside[k] {
			sp.release(k)
			delete(sp.failing, k)
		}
	}
	sp.mu.Unlock()
	return c, nil
}

// maxStraysLeft bounds the stray characters a one-word message may keep
// once a receipt code typed against them is cut, and be no tip
// (straysLeft).
const maxStraysLeft = 4

// strayMarks are the marks a stray may be besides letters and digits
// ("CODE-ok", "xy-CODE", "#CODE."): not "/", ":", "@", which start an
// address or a handle ("ab/").
const strayMarks = "_-.,;#!?"

// straysLeft reports whether text, a message of one word, is a receipt
// code with a few stray characters typed against it, left (what the cut
// left of text): at most maxStraysLeft letters, digits or strayMarks,
// nothing else (a link's address, "https://x.example/CODE", is kept).
// The accents written after a letter or digit are of it, as the cut
// counts them ("n\u0303u\u0301a" is three, as "ñúa" is).
func straysLeft(text, left string) bool {
	if left == text || len(strings.Fields(text)) != 1 {
		return false
	}
	n, prev := 0, false // (prev: the last character a letter or digit)
	for _, r := range strings.TrimSpace(left) {
		if prev && unicode.In(r, unicode.Mn, unicode.Me) {
			continue
		}
		prev = unicode.IsLetter(r) || unicode.IsDigit(r)
		if n++; n > maxStraysLeft || !prev && !strings.ContainsRune(strayMarks, r) {
			return false
		}
	}
	return true
}

// beginReplay renames the spool to the file being replayed, unless one
// is already there (a replay that did not finish).
func (sp *Spool) beginReplay() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if _, err := os.Stat(sp.replayPath()); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.Rename(sp.path, sp.replayPath()); errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(filepath.Dir(sp.path)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// quarantine appends, fsynced, the records of bad the quarantine file does
// not hold yet (a replay interrupted after quarantining replays again). It
// returns the records the quarantine file then holds that still open under
// no secret: held's, and those it added.
func (sp *Spool) quarantine(bad, held [][]byte) ([][]byte, error) {
	seen := map[string]bool{}
	all := slices.Clone(held)
	for _, r := range held {
		seen[string(r)] = true
	}
	var add []byte
	for _, r := range bad {
		if !seen[string(r)] {
			seen[string(r)] = true
			add = append(add, r...)
			all = append(all, r)
		}
	}
	if len(add) == 0 {
		return all, nil
	}
	return all, appendSynced(sp.quarantinePath(), add)
}

// rewriteQuarantine replaces the quarantine file with the records that
// still open under no secret (none: it is removed), atomically.
func (sp *Spool) rewriteQuarantine(bad [][]byte) error {
	if len(bad) == 0 {
		if err := os.Remove(sp.quarantinePath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("spool quarantine: %w", err)
		}
		return syncDir(filepath.Dir(sp.path))
	}
	tmp := sp.quarantineNewPath()
	_ = os.Remove(tmp)
	if err := appendSynced(tmp, bytes.Join(bad, nil)); err != nil {
		return err
	}
	if err := os.Rename(tmp, sp.quarantinePath()); err != nil {
		return fmt.Errorf("spool quarantine: %w", err)
	}
	return syncDir(filepath.Dir(sp.path))
}

// appendSynced appends b to the file at path, creating it, and makes both
// the bytes and the file's name durable. It writes the quarantine, the
// owed receipts and the held voidings: its errors say "spool:" and the
// file's path, not the quarantine's name whatever the file.
func appendSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return syncDir(filepath.Dir(path))
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
		if sub, err = s.submit(ctx, p, d.ID, e.Language, e.Receipt, nil, e.At); err != nil {
			return sub, err
		}
	}
	// The reporter's own state remembers the event as sent, as for any
	// tip: the platform redelivering it later starts no second tip.
	keys := []string{s.k.state(e.Pseudonym)}
	args := s.rememberArgs(strconv.FormatInt(e.EventID, 10))
	if err := rememberSent.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return sub, fmt.Errorf("spool: %w", err)
	}
	return sub, nil
}

// RememberEvent remembers a reporter's platform event as handled (an
// answer delivered), as a sent tip's events are: the platform delivering
// it again later starts no draft with it (AddToDraft returns
// ErrDuplicateEvent).
func (s *Store) RememberEvent(ctx context.Context, pseudonym string, eventID int64) error {
	keys := []string{s.k.state(pseudonym)}
	args := s.rememberArgs(strconv.FormatInt(eventID, 10))
	if err := rememberSent.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("remember event: %w", err)
	}
	return nil
}

// RememberAnswer remembers a reporter's platform event as an answer
// delivered to an investigator's question: as handled (RememberEvent),
// and by a keyed hash of the two (answerMark; and handledMark, kept for
// a tip's retention), which the replay looks for: the platform
// delivering it again after a restart, while Redis is down, spools it as
// a tip of its own (the Answer pressed before it is forgotten with the
// process), and it must not reach the queue as one. One round trip.
func (s *Store) RememberAnswer(ctx context.Context, pseudonym string, eventID int64) error {
	keys := []string{s.k.state(pseudonym)}
	args := append(s.rememberArgs(strconv.FormatInt(eventID, 10)), s.answerMark(pseudonym, eventID))
	pipe := s.rdb.Pipeline()
	remember := rememberSent.EvalSha(ctx, pipe, keys, args...)
	// Marked for a tip's retention too (handledMark), as a sent tip's
	// messages are: the state's mark is gone in two days. (Not an event
	// without an id, 0, which handledAs never looks for.)
	var mark *redis.Cmd
	var markKeys []string
	var markArgs []any
	if eventID != 0 {
		now := s.now()
		bucket, field := s.handledMark(pseudonym, eventID)
		markKeys = []string{s.k.handled(handledWeek(now), bucket)}
		markArgs = []any{field, handledAnswer, s.handledTTL(now).Milliseconds()}
		mark = markHandled.EvalSha(ctx, pipe, markKeys, markArgs...)
	}
	_, _ = pipe.Exec(ctx)
	if mark != nil {
		if err := s.uncached(ctx, markHandled, mark, markKeys, markArgs...).Err(); err != nil {
			return fmt.Errorf("remember answer: %w", err)
		}
	}
	if err := s.uncached(ctx, rememberSent, remember, keys, args...).Err(); err != nil {
		return fmt.Errorf("remember answer: %w", err)
	}
	return nil
}

// markHandled sets a message's mark, field ARGV[1] of its week's bucket
// KEYS[1], to ARGV[2], and gives a bucket without an expiry ARGV[3] ms
// (Store.handledTTL: the same moment for every mark of the week) in the
// same script: made by a command and given it by another, a connection
// cut between the two would leave it without one. A bucket whose expiry
// comes more than an hour sooner (made under a shorter retention:
// VIGIA_RETENTION raised since, or a replica still on the old one) is
// given it too, so that the mark outlives its tip; an expiry within the
// hour of it (clocks, the time a write takes) is left as it is.
var markHandled = redis.NewScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or ttl < tonumber(ARGV[3]) - 3600000 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`)

// EventHandled reports whether a reporter's platform event was handled
// already: part of their draft, of a sent tip, or an answer delivered
// (RememberEvent). A redelivered message must not be taken for something
// else since (the answer an Answer pressed since armed).
func (s *Store) EventHandled(ctx context.Context, pseudonym string, eventID int64) (bool, error) {
	pipe := s.rdb.Pipeline()
	sent := pipe.HExists(ctx, s.k.state(pseudonym), "x:"+strconv.FormatInt(eventID, 10))
	part := pipe.HExists(ctx, s.k.draft(pseudonym), partField(eventID))
	if _, err := pipe.Exec(ctx); err != nil {
		return false, fmt.Errorf("event: %w", err)
	}
	return sent.Val() || part.Val(), nil
}

// sentMark names, on the reporter's state (a field "x:" and it), a
// message of theirs (a platform event) that went out in a tip sent from
// their draft (finishDraft): a keyed hash of the two, as a state's other
// fields say nothing of the reporter. "t" sets it apart from an event.
func (s *Store) sentMark(pseudonym string, eventID int64) string {
	return "t" + s.kr.receiptMAC("sent\x00"+pseudonym+"\x00"+strconv.FormatInt(eventID, 10))
}

// answerMark names, on the reporter's state (a field "x:" and it), a
// message of theirs delivered as the answer to an investigator's question
// (RememberAnswer), as sentMark names one sent in a tip; "a" sets it
// apart from both.
func (s *Store) answerMark(pseudonym string, eventID int64) string {
	return "a" + s.kr.receiptMAC("answer\x00"+pseudonym+"\x00"+strconv.FormatInt(eventID, 10))
}

// handledMark is a reporter's message's mark (handled), for as long as
// a tip is kept, once it went out in a stored tip or as an answer: its
// bucket among a week's handledBuckets and its field, 8 bytes (another
// message taken for it: a chance of one in 2^64 for each mark in its
// buckets), both cut from a keyed hash of the two, as sentMark
// on their state, which lasts two days ("handled" in what is hashed sets
// it apart from the other records named by a MAC under the receipt key).
func (s *Store) handledMark(pseudonym string, eventID int64) (bucket uint32, field string) {
	sum := s.kr.sum(s.kr.keys().Receipt, "handled\x00"+pseudonym+"\x00"+strconv.FormatInt(eventID, 10))
	return (uint32(sum[0])<<8 | uint32(sum[1])) % handledBuckets, string(sum[2:10])
}

// handledSent and handledAnswer are a handled mark's values: the message
// went out in a stored tip (NoTipSent), or as an answer (NoTipAnswer).
const (
	handledSent   = "s"
	handledAnswer = "a"
)

// handledWeek names the week (bandWeekStart's, by its first day) whose
// buckets hold the marks of messages that go out at t.
func handledWeek(t time.Time) string { return bandWeekStart(t).Format("20060102") }

// handledTTL is how long, from now, the buckets of now's week live: until
// the retention has passed for the last message the week can hold, the
// same moment for every mark of the week.
func (s *Store) handledTTL(now time.Time) time.Duration {
	return bandWeekStart(now).Add(bandWeek + s.retention).Sub(now)
}

// handledKeys names a message's bucket (bucket) in each week whose marks
// may still live, and in the next one (a clock ahead of this one's); for
// a message spooled at spooled (not zero), only from the weeks it can
// have been marked in before: it went out (marked) before the platform
// delivered it again (spooled) by no more than the platform keeps a
// message to deliver again (Telegram a day: sentMemory, two, as the
// marks on the reporter's state). It can go out after, too, up to this
// replay: a message waiting in its reporter's draft when it was spooled
// goes out when the draft is sent, days later if the reporter keeps
// writing, and the spool of a replica cut off from Redis, or a record
// quarantined, is replayed days after that. So a replay reads one
// week's bucket or two a message replayed within days (one a week more
// for a record that waited longer), not one a week of the retention
// (some 2,600 for the longest VIGIA_RETENTION, 50 years).
//
// A record whose time is more than a day ahead of this replica's clock
// was spooled by a replica whose clock ran ahead: its time says nothing
// of when, by this clock, the message was spooled (any time up to now),
// so the weeks read are all those whose marks may live, as for a record
// without a time; and up to a day after its time too, for the marks that
// replica made by its own clock, but no further ahead than the retention
// reaches back (a clock years ahead reads no more than twice the
// retention's weeks). Before, such a record read from two days before its
// time to a day after now: none at all once it was three days ahead.
func (s *Store) handledKeys(bucket uint32, spooled time.Time) []string {
	now := s.now()
	from, to := now.Add(-s.retention-bandWeek), now.Add(24*time.Hour)
	switch {
	case spooled.IsZero(): // spooled by an earlier version, which kept no time
	case spooled.After(to): // spooled by a clock ahead of this one
		to = later(to, earlier(spooled, now.Add(s.retention+bandWeek)).Add(24*time.Hour))
	default:
		from = later(from, spooled.Add(-sentMemory))
	}
	var keys []string
	for w := bandWeekStart(from); !w.After(to); w = w.Add(bandWeek) {
		keys = append(keys, s.k.handled(w.Format("20060102"), bucket))
	}
	return keys
}

// handledIn returns the value of field ARGV[1] in the first of the
// buckets KEYS[…] that holds it, an empty string if none does.
var handledIn = redis.NewScript(`
for i = 1, #KEYS do
  local v = redis.call('HGET', KEYS[i], ARGV[1])
  if v then return v end
end
return ''`)

// handledAs reports what a reporter's message already was, if the replay
// must not make a tip of it: NoTipSent, gone out in a tip sent from
// their draft (it is stored there, finishDraft marks it), NoTipAnswer,
// delivered as an answer to an investigator's question (RememberAnswer);
// "" for neither. The marks on their state say so for two days, the
// message's own mark (handledMark) for a tip's retention (messages sent
// by earlier versions have none), looked for in the weeks it can have
// been marked in before it was spooled (handledKeys). One round trip.
func (s *Store) handledAs(ctx context.Context, pseudonym string, eventID int64, spooled time.Time) (NoTip, error) {
	pipe := s.rdb.Pipeline()
	st := pipe.HMGet(ctx, s.k.state(pseudonym), "x:"+s.sentMark(pseudonym, eventID), "x:"+s.answerMark(pseudonym, eventID))
	var own *redis.Cmd
	var keys []string
	var field string
	if eventID != 0 { // (no id from the platform: never marked)
		var bucket uint32
		bucket, field = s.handledMark(pseudonym, eventID)
		if keys = s.handledKeys(bucket, spooled); len(keys) > 0 {
			own = handledIn.EvalSha(ctx, pipe, keys, field)
		}
	}
	_, _ = pipe.Exec(ctx)
	if err := st.Err(); err != nil {
		return "", fmt.Errorf("sent message: %w", err)
	}
	switch v := st.Val(); {
	case v[0] != nil:
		return NoTipSent, nil
	case v[1] != nil:
		return NoTipAnswer, nil
	}
	if own == nil {
		return "", nil
	}
	was, err := s.uncached(ctx, handledIn, own, keys, field).Text()
	if err != nil {
		return "", fmt.Errorf("sent message: %w", err)
	}
	switch was {
	case handledSent:
		return NoTipSent, nil
	case handledAnswer:
		return NoTipAnswer, nil
	}
	return "", nil
}

// EditTold reports whether the reporter was told, in sentMemory, that
// editing message msg (a platform's message id in their chat) changes
// nothing (see TellEdit).
func (s *Store) EditTold(ctx context.Context, pseudonym, msg string) (bool, error) {
	told, err := s.rdb.HExists(ctx, s.k.state(pseudonym), "x:e"+msg).Result()
	if err != nil {
		return false, fmt.Errorf("edit: %w", err)
	}
	return told, nil
}

// TellEdit records that the reporter was told about editing message msg:
// each message's edits are answered once. Recorded once told, so an edit
// the platform delivers again after a failed answer is answered then.
func (s *Store) TellEdit(ctx context.Context, pseudonym, msg string) error {
	keys := []string{s.k.state(pseudonym)}
	args := s.rememberArgs("e" + msg)
	if err := rememberSent.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("edit: %w", err)
	}
	return nil
}

// rememberArgs are rememberSent's arguments for the reporter's state field
// "x:"+field, remembered for sentMemory.
func (s *Store) rememberArgs(field string) []any {
	now := s.now()
	return []any{field, hours(now.Add(sentMemory)), stateLife(now)}
}

// rememberSent remembers the platform event ARGV[1] as part of a sent tip,
// until ARGV[2] (hours), on the reporter's state KEYS[1], as finishDraft
// does, and so the marks ARGV[4], ...; the state lives at least ARGV[3] ms.
var rememberSent = redis.NewScript(`
redis.call('HSET', KEYS[1], 'x:' .. ARGV[1], ARGV[2])
for i = 4, #ARGV do redis.call('HSET', KEYS[1], 'x:' .. ARGV[i], ARGV[2]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`)

// earlier is the earlier of two times.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
