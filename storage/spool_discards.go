package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// A chat wipe whose discard Redis could not take, neither done nor
// recorded (Store.OweDiscard), owes it in its process's memory; kept
// there alone, a restart before Redis answers again loses it, and a
// later sweep speaks into the wiped chat. The spool keeps such discards
// too, sealed and fsynced (OweDiscard), read back at open (DiscardsOwed)
// for the engine to do or record in Redis once it answers, and forgets
// each then (DiscardSettled).

// spooledDiscard is a discard owed in the file: the reporter's pseudonym
// (never their id), when the wipe that owes it ran, in ms, and the event
// it wiped up to (OwedDiscard.UpTo; absent, 0, from a version that did
// not keep it).
type spooledDiscard struct {
	Pseudonym string `json:"p"`
	Wiped     int64  `json:"w"`
	UpTo      int64  `json:"u,omitempty"`
}

// maxDiscards bounds the discards the file keeps at once (the oldest go
// first): a Redis outage of hours must not grow it for good, each change
// rewriting it whole. A variable for tests.
var maxDiscards = 1000

// discardsPath holds the owed discards: one sealed list, replaced whole
// (by a rename) at each change.
func (sp *Spool) discardsPath() string { return sp.path + ".discards" }

// loadDiscards reads the owed discards at open. What only the previous
// secret opens is sealed again under the current one at once. A file that
// opens under no secret the bot has is set aside
// (tips.spool.discards.unreadable), never deleted nor replaced: the bot
// starts with none of its discards owed.
func (sp *Spool) loadDiscards() error {
	owed, current, err := sp.readDiscards()
	if errors.Is(err, ErrSealed) {
		return sp.setFileAside(sp.discardsPath())
	}
	if err != nil {
		return err
	}
	sp.discards = owed
	if current {
		return nil
	}
	return sp.writeDiscards(owed)
}

// readDiscards reads the owed discards' file: none if there is none;
// current is false if only the previous secret opens it; ErrSealed if no
// secret the bot has does.
func (sp *Spool) readDiscards() (owed []spooledDiscard, current bool, err error) {
	b, err := os.ReadFile(sp.discardsPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("spool owed discards: %w", err)
	}
	plain, current, err := sp.kr.openWhich(b, "spool discards")
	if err == nil && json.Unmarshal(plain, &owed) != nil {
		err = ErrSealed // (sealed by the bot: never so)
	}
	if err != nil {
		return nil, false, ErrSealed
	}
	return owed, current, nil
}

// OweDiscard keeps, sealed and fsynced, the discard d a chat wipe of
// pseudonym's owes, where Redis takes neither the discard nor its
// record. A later wipe's replaces an earlier one's: it covers it. It
// returns how many of the oldest owed discards it dropped to stay within
// maxDiscards.
func (sp *Spool) OweDiscard(pseudonym string, d OwedDiscard) (dropped int, err error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	i := slices.IndexFunc(sp.discards, func(k spooledDiscard) bool { return k.Pseudonym == pseudonym })
	if i >= 0 && sp.discards[i].Wiped >= d.Wiped.UnixMilli() {
		return 0, nil // kept already (a sweep trying again)
	}
	owed := slices.Clone(sp.discards)
	if i >= 0 {
		owed = slices.Delete(owed, i, i+1)
	}
	owed = append(owed, spooledDiscard{Pseudonym: pseudonym, Wiped: d.Wiped.UnixMilli(), UpTo: d.UpTo})
	if len(owed) > maxDiscards {
		dropped = len(owed) - maxDiscards
		owed = owed[dropped:]
	}
	return dropped, sp.writeDiscards(owed)
}

// DiscardsOwed returns the discards the spool keeps (OweDiscard), by
// pseudonym.
func (sp *Spool) DiscardsOwed() map[string]OwedDiscard {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	owed := make(map[string]OwedDiscard, len(sp.discards))
	for _, d := range sp.discards {
		owed[d.Pseudonym] = OwedDiscard{Wiped: time.UnixMilli(d.Wiped), UpTo: d.UpTo}
	}
	return owed
}

// DiscardSettled forgets pseudonym's owed discard, done or recorded in
// Redis for the wipe at wiped, unless a later wipe owes it. Safe to call
// where none is kept.
func (sp *Spool) DiscardSettled(pseudonym string, wiped time.Time) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	owed := slices.DeleteFunc(slices.Clone(sp.discards), func(d spooledDiscard) bool {
		return d.Pseudonym == pseudonym && d.Wiped <= wiped.UnixMilli()
	})
	if len(owed) == len(sp.discards) {
		return nil
	}
	return sp.writeDiscards(owed)
}

// writeDiscards replaces the owed discards with owed, durably (none: the
// file is removed), and keeps them in memory once written. Called with
// sp.mu held, or sp not yet shared.
func (sp *Spool) writeDiscards(owed []spooledDiscard) error {
	if len(owed) == 0 {
		owed = nil
	}
	if err := sp.replaceSealed(sp.discardsPath(), "spool owed discards", "spool discards", owed, len(owed) == 0); err != nil {
		return err
	}
	sp.discards = owed
	return nil
}
