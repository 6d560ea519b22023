package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// AuditEntry is one investigator or admin action.
type AuditEntry struct {
	Time   time.Time `json:"t"`
	Who    string    `json:"w"` // platform:id and name of the member
	Action string    `json:"a"`
	Args   string    `json:"x,omitempty"`
	Tip    string    `json:"i,omitempty"`
	// Code: a code was given and is not recorded.
	Code bool `json:"c,omitempty"`
	// TextLength: the characters of a note or question, recorded
	// instead of its text (which lives in the tip's history, and goes
	// with it).
	TextLength int `json:"n,omitempty"`
	// Note is what the bot adds to the entry, shown in the reader's
	// language (never as words kept here): NoteButton, NoteAskOpen or
	// NoteAskDay, the last two with the limit, Max; or NoteInvitesVoided,
	// with how many, Max.
	Note string `json:"o,omitempty"`
	Max  int    `json:"m,omitempty"`
	// Role is the role a /redeem joined as ("investigator", "admin"),
	// shown in the reader's language (entries written before keep it in
	// Args, as English words).
	Role string `json:"r,omitempty"`
}

// Audit entries' notes (AuditEntry.Note).
const (
	NoteButton  = "button"   // a triage or publication button pressed, not a command typed
	NoteAskOpen = "ask_open" // a question refused: Max unanswered already
	NoteAskDay  = "ask_day"  // a question refused: Max asked in 24 hours already
	// NoteInvitesVoided: the spool's replay voided every pending
	// invitation, Max of them, after a Redis outage (no member's action).
	NoteInvitesVoided = "invites_voided"
)

// CodeTag is what the audit log keeps of a code given to a command (an
// invitation's, or a receipt code pasted by mistake): a short keyed hash
// that tells codes apart, the same for the same code, and cannot be used
// as one nor turned back into it.
func (s *Store) CodeTag(code string) string {
	return "code:" + s.kr.receiptMAC("audit\x00" + code)[:8]
}

// Audit appends an entry to the sealed audit stream. Entries are never
// deleted by the bot; the stream is trimmed only by age (retention). A
// retention of zero or less trims nothing: it is a caller that forgot the
// default, and trimming at "now" would delete the whole log.
func (s *Store) Audit(ctx context.Context, e AuditEntry, retention time.Duration) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sealed, err := s.kr.seal(b, "audit")
	if err != nil {
		return err
	}
	args := &redis.XAddArgs{Stream: s.k.audit(), Values: map[string]any{"e": sealed}}
	if retention > 0 {
		args.MinID, args.Approx = strconv.FormatInt(streamMinID(s.now().Add(-retention)), 10), true
	}
	err = s.rdb.XAdd(ctx, args).Err()
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest n audit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, n int) ([]AuditEntry, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.k.audit(), "+", "-", int64(n)).Result()
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	var out []AuditEntry
	for _, m := range msgs {
		sealed, _ := m.Values["e"].(string)
		plain, err := s.kr.open([]byte(sealed), "audit")
		if err != nil {
			continue
		}
		var e AuditEntry
		if json.Unmarshal(plain, &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}
