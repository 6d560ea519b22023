package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// halfDeletable: deleting a message already deleted is refused (Telegram:
// 400 "message to delete not found", as the adapter types it); the first
// delete of each id in hit429 gets a 429; ids in refuse are refused.
// tried counts, per id, the deletes not stopped by a 429.
type halfDeletable struct {
	*community
	hit429 map[string]bool
	refuse map[string]bool
	tried  map[string]int
}

func (h *halfDeletable) DeleteMessage(ctx context.Context, chat, msg string) error {
	id := chat + "/" + msg
	h.mu.Lock()
	already := slices.Contains(h.deleted, id)
	first := !h.hit429[id]
	h.mu.Unlock()
	if _, ok := h.hit429[id]; ok && first && !already {
		h.mu.Lock()
		h.hit429[id] = true
		h.mu.Unlock()
		return fmt.Errorf("telegram deleteMessage: %w", &commands.RateLimitError{RetryAfter: time.Second})
	}
	h.mu.Lock()
	if h.tried == nil {
		h.tried = map[string]int{}
	}
	h.tried[id]++
	h.mu.Unlock()
	if h.refuse[id] {
		return fmt.Errorf("telegram deleteMessage: %w: message can't be deleted", commands.ErrRefused)
	}
	if already {
		return fmt.Errorf("telegram deleteMessage: %w", commands.ErrMessageGone)
	}
	return h.community.DeleteMessage(ctx, chat, msg)
}

// byMessageID sorts "<chat>/<message id>" ids by message id, as numbers
// ("-1/10" after "-1/9").
func byMessageID(ids []string) {
	slices.SortFunc(ids, func(a, b string) int {
		_, x, _ := strings.Cut(a, "/")
		_, y, _ := strings.Cut(b, "/")
		m, _ := strconv.Atoi(x)
		n, _ := strconv.Atoi(y)
		return m - n
	})
}

// A 429 on the second part of a long warning's deletion: the next round
// resumes at part two (part one, already deleted, is not tried again, and
// would count as deleted if it were), and every part comes down.
// Mutations: CopiesLeft not called on a 429 (the whole list again, `return
// nil`) → part one deleted twice; and ErrMessageGone counted as a refusal
// → parts 2… stay up.
func TestRetract429MidDeletionResumes(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &halfDeletable{community: &community{maxLen: 15}, hit429: map[string]bool{}}
	tm.publishTo(t, platform, "-1")
	tm.deliverAll(t)
	var parts []string
	for id := range platform.byID {
		if strings.HasPrefix(id, "-1/") {
			parts = append(parts, id)
		}
	}
	byMessageID(parts)
	if len(parts) < 3 {
		t.Fatalf("need several parts: %v", parts)
	}
	_, second, _ := strings.Cut(parts[1], "/")
	platform.hit429["-1/"+second] = false
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	for range 3 {
		tm.clk.Add(5 * time.Second)
		tm.deliverAll(t)
	}
	for _, id := range parts {
		if !slices.Contains(platform.deleted, id) {
			t.Errorf("part %s still visible", id)
		}
		if n := platform.tried[id]; n != 1 {
			t.Errorf("part %s: %d deletes, want 1 (the deletion resumes)", id, n)
		}
	}
	last := platform.got["2002"][len(platform.got["2002"])-1]
	want := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": 1, "Deleted": 1, "Count": 1, "Gone": 0, "Unconfirmed": 0}, 1)
	if last != want {
		t.Errorf("report %q, want %q", last, want)
	}
}

// One part the platform refuses to delete does not keep the others up:
// every part is tried, and the report says the copy was not deleted.
// Mutation: deleteCopies stopping at the first error → parts after the
// refused one stay up.
func TestRetractDeletesEveryPartPastARefusal(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &halfDeletable{community: &community{maxLen: 15}, hit429: map[string]bool{}, refuse: map[string]bool{}}
	tm.publishTo(t, platform, "-1")
	tm.deliverAll(t)
	var parts []string
	for id := range platform.byID {
		if strings.HasPrefix(id, "-1/") {
			parts = append(parts, id)
		}
	}
	byMessageID(parts)
	if len(parts) < 3 {
		t.Fatalf("need several parts: %v", parts)
	}
	platform.refuse[parts[0]] = true
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	for range 3 {
		tm.clk.Add(5 * time.Second)
		tm.deliverAll(t)
	}
	for _, id := range parts[1:] {
		if !slices.Contains(platform.deleted, id) {
			t.Errorf("part %s still visible", id)
		}
	}
	last := platform.got["2002"][len(platform.got["2002"])-1]
	want := tm.msg.Localize("en", "retract_done", map[string]any{"ID": "1", "Total": 1, "Deleted": 0, "Count": 1, "Gone": 0, "Unconfirmed": 0}, 1)
	if last != want {
		t.Errorf("report %q, want %q", last, want)
	}
}
